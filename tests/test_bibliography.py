"""One bibliography: every citation resolves, every entry is complete, no page keeps its own list.

The book cites with ``{footcite}`key``` (several keys: ``{footcite}`a,b```) and ends each page
with a ``{footbibliography}`` under "参考文献"; ``book/bibliography.md`` lists every entry of
``book/references.bib``. The strict build also fails on a missing key (sphinxcontrib-bibtex
warns); this test says which key and where without building.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

BOOK = Path(__file__).resolve().parents[1] / "book"
PAGES = sorted(p for p in BOOK.rglob("*.md") if "_build" not in p.parts and "assets" not in p.parts)
BIB = parse_file(str(BOOK / "references.bib"), bib_format="bibtex")

CITE = re.compile(r"\{(?:foot)?cite(?::[a-z]+)?\}`([^`]*)`")
REF_HEADING = re.compile(r"^#{2,}\s*参考文献\s*$", re.MULTILINE)


def cited_keys(text: str) -> list[str]:
    return [k.strip() for m in CITE.finditer(text) for k in m.group(1).split(",") if k.strip()]


def _rel(page: Path) -> str:
    return page.relative_to(BOOK).as_posix()


@pytest.mark.parametrize("page", PAGES, ids=[_rel(p) for p in PAGES])
def test_every_cited_key_is_in_the_bib(page):
    missing = sorted(set(cited_keys(page.read_text(encoding="utf-8"))) - set(BIB.entries))
    assert not missing, f"{_rel(page)} cites keys not in references.bib: {missing}"


@pytest.mark.parametrize("key", sorted(BIB.entries))
def test_every_entry_has_author_title_year(key):
    entry = BIB.entries[key]
    assert entry.persons.get("author"), f"{key}: no author"
    for field in ("title", "year"):
        assert entry.fields.get(field, "").strip(), f"{key}: no {field}"
    assert re.fullmatch(r"\d{4}", entry.fields["year"]), f"{key}: year {entry.fields['year']!r}"


def test_every_entry_is_cited_somewhere():
    cited = {k for p in PAGES for k in cited_keys(p.read_text(encoding="utf-8"))}
    unused = sorted(set(BIB.entries) - cited)
    assert not unused, (
        f"entries no page cites (cite them where the book uses them, or drop them): {unused}"
    )


@pytest.mark.parametrize("page", PAGES, ids=[_rel(p) for p in PAGES])
def test_reference_section_is_generated_not_typed(page):
    """A "参考文献" section holds only the generated list, never hand-typed entries."""
    text = page.read_text(encoding="utf-8")
    for m in REF_HEADING.finditer(text):
        rest = text[m.end() :]
        nxt = re.search(r"^#{1,2}\s", rest, re.MULTILINE)
        body = rest[: nxt.start()] if nxt else rest
        directive = re.search(r"```\{(foot)?bibliography\}", body)
        assert directive, f"{_rel(page)}: 参考文献 without a bibliography directive"
        typed = [ln for ln in body.splitlines() if re.match(r"\s*(-|\*|\d+\.)\s+\S", ln)]
        assert not typed, f"{_rel(page)}: hand-typed references: {typed[:3]}"
    if cited_keys(text):
        assert "```{footbibliography}" in text, f"{_rel(page)} cites but has no footbibliography"


@pytest.mark.parametrize("page", PAGES, ids=[_rel(p) for p in PAGES])
def test_no_markdown_footnotes(page):
    """_config.yml suppresses myst.footnote (footcite would trip it): so no [^x] footnotes."""
    prose = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert not re.search(r"\[\^[^\]]+\]", prose), (
        f"{_rel(page)}: Markdown footnote; use {{footcite}}"
    )


def test_global_page_lists_everything_and_is_last_in_toc():
    assert re.search(r"```\{bibliography\}\n:all:", (BOOK / "bibliography.md").read_text("utf-8"))
    toc = (BOOK / "_toc.yml").read_text(encoding="utf-8")
    files = re.findall(r"file:\s*(\S+)", toc)
    assert files[-1] == "bibliography", files[-3:]  # the back matter ends with it


def test_the_checks_catch_planted_mistakes():
    assert cited_keys("见{footcite}`elman1990finding,nosuchkey1999` 与 {cite:p}`x`") == [
        "elman1990finding",
        "nosuchkey1999",
        "x",
    ]
    assert "nosuchkey1999" not in BIB.entries
