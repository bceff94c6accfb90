"""No role leaks into a built page as text: ``{glue:text}`x``` wrapped in backticks, a role with
a typo or a role inside a code span prints its source instead of a value or a link.
"""

from __future__ import annotations

import re

from conftest import built_pages

ROLE = re.compile(r"\{(glue(:\w+)?|term|doc|ref|numref|py:\w+|footcite|cite)\}")


def _visible_text(html: str) -> str:
    # drop scripts and styles (widget state, search data), keep everything a reader sees
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", "", html)


def test_no_role_source_in_any_page(book_html_dir):
    pages = built_pages(book_html_dir)
    assert pages
    leaks = {}
    for page in pages:
        text = _visible_text(page.read_text(encoding="utf-8"))
        found = [text[max(0, m.start() - 30) : m.end() + 30] for m in ROLE.finditer(text)]
        if found:
            leaks[str(page.relative_to(book_html_dir))] = found[:3]
    assert leaks == {}, f"role source printed as text: {leaks}"


def test_the_check_sees_a_leak():
    assert ROLE.search(_visible_text("<p>一章是 <code>{glue:text}</code>teach_heavy_page</p>"))
    assert not ROLE.search(_visible_text("<p>一章是 <code>attention.md</code></p>"))
