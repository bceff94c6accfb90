"""No page prints literal asterisks: every ``**bold**`` span in the prose parses as bold.

CommonMark's flanking rules leave ``**`` as text next to Chinese punctuation or a role
(``**课程原文。**讲解``); ``python scripts/fix_cjk_emphasis.py book/chapters/X.md`` rewrites
such spans. The check parses each page with markdown-it (CommonMark, as MyST does) and looks at
the text of the rendered prose; code, maths and roles are not prose.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

BOOK = Path(__file__).resolve().parent.parent / "book"
PAGES = sorted(p for p in BOOK.rglob("*.md") if "_build" not in p.parts and "assets" not in p.parts)


def _literal_asterisks(text: str) -> list[str]:
    md = MarkdownIt("commonmark")
    hits = []
    for token in md.parse(text):
        if token.type != "inline":
            continue
        for child in token.children or []:
            if child.type == "text" and "**" in child.content:
                hits.append(token.content[:80].replace("\n", " "))
                break
    return hits


def test_fixer_moves_punctuation_out_and_falls_back_to_strong():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "fix_cjk_emphasis", BOOK.parent / "scripts" / "fix_cjk_emphasis.py"
    )
    fixer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fixer)
    assert fixer.fix("**课程原文。**讲解\n") == "**课程原文**。讲解\n"
    assert fixer.fix("的**{term}`细胞`通路**确实\n") == "的<strong>{term}`细胞`通路</strong>确实\n"
    assert fixer.fix("它**完全不能**阻止\n") == "它**完全不能**阻止\n"
    assert _literal_asterisks(fixer.fix("**课程原文。**讲解\n")) == []
    assert _literal_asterisks("**课程原文。**讲解\n")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(BOOK)))
def test_no_literal_asterisks(page):
    hits = _literal_asterisks(page.read_text(encoding="utf-8"))
    assert hits == [], (
        f"{page.name}: bold spans printed as asterisks (run scripts/fix_cjk_emphasis.py): {hits}"
    )
