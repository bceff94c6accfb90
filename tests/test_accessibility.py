"""Accessibility of the built book: text alternatives, and no serious axe-core violation.

- Static: every ``<img>`` of every built page has a non-empty ``alt`` that is not just its
  file name (``book/_ext/a11y.py`` writes figure captions, ``mystnb: image: alt:`` options or
  a section-based fallback into code-cell images, which would otherwise carry the file path).
- In headless Chromium (fixtures of ``tests/conftest.py``): every built page is loaded, left to
  settle (MathJax typeset, every embedded widget drawn), and axe-core runs over the whole
  document. Any violation of impact "serious" or "critical" fails, listed by rule with the
  first few target selectors. "moderate" and "minor" ones (e.g. the footnote list being an
  ``<aside>`` inside ``<main>``) are not gated.

axe-core is vendored for the tests only (``tests/vendor/axe-core/axe.min.js``, npm package
``axe-core``, MPL-2.0; provenance and checksum in ``book/assets/vendor/README.md``, re-created by
``scripts/vendor_assets.sh``). The pages never load it: the test injects it into each page.
No axe rule is disabled.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import BOOK_HTML_DIR, REPO_ROOT, built_pages

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
GATED_IMPACTS = ("serious", "critical")
MAX_TARGETS = 4
# after MathJax and the widgets: the theme gives scrolling code blocks a tab stop 300 ms
# (debounced) after the last change of the page, widgets-a11y.js on the next animation frame
SETTLE_MS = 800

PAGES = built_pages()
PAGE_IDS = [p.relative_to(BOOK_HTML_DIR).as_posix() for p in PAGES]
REDIRECT = re.compile(r'<meta http-equiv="refresh"', re.IGNORECASE)
VIEW_SCRIPT = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">')


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def images_without_alt(html: str) -> list[str]:
    """``src`` of every ``<img>`` in ``html`` whose alt is missing, empty or its file name."""
    parser = _Images()
    parser.feed(html)
    bad = []
    for image in parser.images:
        src = image.get("src") or ""
        alt = (image.get("alt") or "").strip()
        if not alt or alt == src or alt.rsplit("/", 1)[-1] == src.rsplit("/", 1)[-1]:
            bad.append(src)
    return bad


def test_images_without_alt_finds_paths_and_empty():
    html = (
        '<img src="../_images/a.png" alt="../_images/a.png"><img src="b.png">'
        '<img src="c.png" alt=" "><img src="d.png" alt="一幅图">'
    )
    assert images_without_alt(html) == ["../_images/a.png", "b.png", "c.png"]


def test_every_image_has_alt_text(book_html_dir):
    bad = {}
    for page in built_pages(book_html_dir):
        missing = images_without_alt(page.read_text("utf-8"))
        if missing:
            bad[page.relative_to(book_html_dir).as_posix()] = missing
    assert not bad, f"<img> without a meaningful alt text: {bad}"


def test_axe_core_is_vendored():
    head = AXE_JS.read_text("utf-8")[:200]
    assert head.startswith("/*! axe v"), f"{AXE_JS} is not axe-core's axe.min.js"


def _settle(page, html: str) -> None:
    """Wait until the page's widgets are drawn and MathJax has typeset everything."""
    views = len(VIEW_SCRIPT.findall(html))
    if views:
        page.wait_for_function(
            """(n) => {
                const areas = [...document.querySelectorAll('.widget-subarea')];
                return areas.length >= n && areas.every(a => a.querySelector('.lm-Widget'));
            }""",
            arg=views,
        )
    if "tex-mml-chtml.js" in html:  # Sphinx loads MathJax only on pages with math
        page.wait_for_function(
            "() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)"
        )
        page.evaluate("() => MathJax.startup.promise.then(() => true)")
    page.wait_for_timeout(SETTLE_MS)


def format_violations(violations: list[dict]) -> str:
    """One line per gated violation: rule id, impact, node count, first target selectors."""
    lines = []
    for v in violations:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:MAX_TARGETS]]
        more = len(v["nodes"]) - len(targets)
        lines.append(
            f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {targets}"
            + (f" +{more} more" if more > 0 else "")
            + f" -- {v['help']}"
        )
    return "\n".join(lines)


@pytest.mark.parametrize("page_path", PAGES, ids=PAGE_IDS)
def test_page_has_no_serious_axe_violation(book_server, browser_page, page_path):
    page, blocked, _errors = browser_page
    rel = page_path.relative_to(BOOK_HTML_DIR).as_posix()
    html = page_path.read_text("utf-8")
    if REDIRECT.search(html):  # Jupyter Book's index.html: only a redirect to the first page
        pytest.skip(f"{rel} only redirects to another page, which is tested itself")
    page.goto(book_server + rel, wait_until="load")
    _settle(page, html)
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    gated = [v for v in result["violations"] if v["impact"] in GATED_IMPACTS]
    assert not gated, f"axe-core on {rel}:\n{format_violations(gated)}"
    assert blocked == [], f"{rel} requested other hosts: {blocked}"


# ---------------------------------------------------------------- book/_ext/a11y.py, unbuilt
@pytest.fixture(scope="module")
def a11y():
    """The book's accessibility extension module (book/_ext/a11y.py)."""
    ext = str(REPO_ROOT / "book" / "_ext")
    sys.path.insert(0, ext)
    try:
        import a11y
    finally:
        sys.path.remove(ext)
    return a11y


def _doctree(a11y):
    """A small page: a captioned figure, two bare images in one section, one with alt."""
    from docutils import nodes
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    doc = new_document("<test>", get_default_settings(Parser))
    section = nodes.section("", nodes.title("", "长程依赖"))
    caption = nodes.caption("", "", nodes.Text("梯度范数随距离 "), nodes.math("", "k"))
    section += nodes.figure("", nodes.image(uri="a.png"), caption)
    section += nodes.image(uri="b.png")
    section += nodes.container("", nodes.image(uri="c.png", alt="c.png"))
    section += nodes.image(uri="d.png", alt="已有的说明")
    doc += section
    doc += nodes.image(uri="e.png")
    return doc


def test_extension_writes_captions_and_fallbacks(a11y):
    doc = _doctree(a11y)
    app = SimpleNamespace(config=SimpleNamespace(a11y_require_captions=False))
    a11y.add_alt_texts(app, doc, "test")
    from docutils import nodes

    alts = {im["uri"]: im["alt"] for im in doc.findall(nodes.image)}
    assert alts == {
        "a.png": "梯度范数随距离 k",
        "b.png": "“长程依赖”一节中代码输出的第 1 幅图",
        "c.png": "“长程依赖”一节中代码输出的第 2 幅图",
        "d.png": "已有的说明",
        "e.png": "“本页”一节中代码输出的图",
    }


def test_extension_names_toctree_toggles(a11y):
    html = (
        '<ul><li class="has-children"><a class="reference" href="x.html">结构</a>'
        '<details><summary><span class="toctree-toggle" role="presentation"><i></i></span>'
        '</summary><ul><li><a href="y.html">子页</a></li></ul></details></li>'
        '<li><details><summary><p class="caption">有文字</p></summary></details></li></ul>'
    )
    out = a11y._name_toctree_toggles(html)
    assert '<summary aria-label="展开或收起“结构”的小节">' in out
    assert out.count("aria-label") == 1  # a summary with its own text keeps it


def test_extension_fixes_citation_roles(a11y):
    context = {"body": '<div role="list"><div class="citation" role="doc-biblioentry"></div></div>'}
    a11y._fix_citation_roles(None, "bibliography", "page.html", context, None)
    assert context["body"] == '<div role="list"><div class="citation" role="listitem"></div></div>'
