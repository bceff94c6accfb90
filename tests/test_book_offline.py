"""The built book works offline: no page loads anything from another host.

Static checks run over every page of ``book/_build/html`` (and the local stylesheets they link);
the browser check opens the front page in headless Chromium with every non-local request blocked
and checks that MathJax (served from the book's own ``_static/vendor``) really typesets.
Only ``<a href>`` links may point outside: a reader clicks them, the page never fetches them.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import BOOK_HTML_DIR, built_pages

MAX_PAGE_BYTES = 3 * 1024 * 1024
# url(...) in CSS, quoted or not; @import "x" as well.
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE)
# Attributes that make the browser fetch something, per tag (<a href> deliberately absent).
FETCHING_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
}


def is_external(url: str) -> bool:
    """True for http(s):// and protocol-relative // URLs, the ones that leave the machine."""
    u = url.strip().lower()
    return u.startswith(("http://", "https://", "//"))


def css_urls(css: str) -> list[str]:
    """Every URL referenced by url(...) or @import in a piece of CSS."""
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in CSS_URL.finditer(css)]


class _FetchCollector(HTMLParser):
    """Collects (what, url) for everything a page would fetch, plus its local stylesheets."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fetches: list[tuple[str, str]] = []
        self.stylesheets: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in FETCHING_ATTRS.get(tag, ()):
            value = attrs.get(name)
            if not value:
                continue
            urls = [part.split()[0] for part in value.split(",") if part.strip()]
            if name != "srcset":
                urls = [value]
            for url in urls:
                self.fetches.append((f"<{tag} {name}>", url))
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").lower():
            self.stylesheets.append(attrs.get("href") or "")
        if attrs.get("style"):
            for url in css_urls(attrs["style"]):
                self.fetches.append((f"<{tag} style> url()", url))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            for url in css_urls(data):
                self.fetches.append(("<style> url()", url))


def external_fetches(page: Path, html_dir: Path) -> list[str]:
    """Human-readable list of the external resources a built page (and its CSS) would load."""
    parser = _FetchCollector()
    parser.feed(page.read_text(encoding="utf-8"))
    bad = [f"{what} {url}" for what, url in parser.fetches if is_external(url)]
    for href in parser.stylesheets:
        if not href or is_external(href):
            continue
        css_file = (page.parent / unquote(urlsplit(href).path)).resolve()
        if css_file.is_file() and html_dir.resolve() in css_file.parents:
            for url in css_urls(css_file.read_text(encoding="utf-8", errors="replace")):
                if is_external(url):
                    bad.append(f"{css_file.relative_to(html_dir.resolve())} url() {url}")
    return bad


# --- unit checks of the checker itself (run even when the book is not built) ---


def test_is_external_classifies_urls():
    assert is_external("https://cdn.example.org/x.js")
    assert is_external("HTTP://example.org")
    assert is_external("//fonts.example.org/css")
    assert not is_external("_static/vendor/require.js")
    assert not is_external("../_static/x.css")
    assert not is_external("data:image/svg+xml;charset=utf-8,%3Csvg xmlns='http://www.w3.org'")
    assert not is_external("#section")


def test_collector_finds_every_kind_of_external_fetch(tmp_path):
    (tmp_path / "local.css").write_text(
        "a{background:url(https://x.example/bg.png)} b{background:url(img.png)}"
    )
    page = tmp_path / "p.html"
    page.write_text(
        '<html><head><script src="https://cdn.example/a.js"></script>'
        '<link rel="stylesheet" href="//fonts.example/css">'
        '<link rel="stylesheet" href="local.css">'
        "<style>@import 'https://x.example/i.css'; p{background:url(\"ok.png\")}</style></head>"
        '<body><a href="https://example.org/paper.pdf">paper</a>'
        '<img src="pic.png" srcset="pic.png 1x, https://x.example/pic2.png 2x">'
        '<iframe src="https://x.example/embed"></iframe>'
        "<div style=\"background: url('https://x.example/d.png')\"></div></body></html>"
    )
    bad = external_fetches(page, tmp_path)
    joined = "\n".join(bad)
    for expected in (
        "cdn.example/a.js",
        "//fonts.example/css",
        "x.example/bg.png",
        "x.example/i.css",
        "x.example/pic2.png",
        "x.example/embed",
        "x.example/d.png",
    ):
        assert expected in joined
    assert "paper.pdf" not in joined  # <a href> is a link, not a fetch
    assert len(bad) == 7


# --- checks of the built book ---

_PAGES = built_pages()


@pytest.mark.parametrize(
    "page",
    _PAGES or [None],
    ids=[str(p.relative_to(BOOK_HTML_DIR)) for p in _PAGES] or ["book-not-built"],
)
def test_page_loads_nothing_external(page, book_html_dir):
    bad = external_fetches(page, book_html_dir)
    assert bad == [], f"{page.name} would fetch from outside:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    "page",
    _PAGES or [None],
    ids=[str(p.relative_to(BOOK_HTML_DIR)) for p in _PAGES] or ["book-not-built"],
)
def test_page_html_is_small(page, book_html_dir):
    size = page.stat().st_size
    assert size < MAX_PAGE_BYTES, f"{page.name} is {size / 2**20:.2f} MB (limit 3 MB)"


def test_book_has_front_page_and_vendored_assets(book_html_dir):
    assert (book_html_dir / "intro.html").is_file()
    for asset in (
        "_static/vendor/require.js",
        "_static/vendor/html-manager/embed-amd.js",
        "_static/vendor/mathjax/es5/tex-mml-chtml.js",
    ):
        assert (book_html_dir / asset).is_file(), f"{asset} missing from the built book"


def test_every_notebook_page_has_a_plain_ipynb(book_html_dir):
    """The build writes notebooks/<page>.ipynb (code cells, no outputs) for Colab/hand-outs.

    book/_ext/nb_export.py writes them (and the same file to _sources/ for the download menu);
    each has the page's code cells plus one setup cell (tagged "setup").
    """
    book_dir = book_html_dir.parent.parent
    checked = 0
    for md in sorted(book_dir.rglob("*.md")):
        rel = md.relative_to(book_dir)
        if (
            rel.parts[0] in ("_build", "assets")
            or not (book_html_dir / rel).with_suffix(".html").is_file()
        ):
            continue
        text = md.read_text(encoding="utf-8")
        if "format_name: myst" not in text:
            continue
        ipynb = book_html_dir / "notebooks" / rel.with_suffix(".ipynb")
        assert ipynb.is_file(), f"{ipynb} missing"
        nb = json.loads(ipynb.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert nb["nbformat"] == 4
        setup = [c for c in code if "setup" in c["metadata"].get("tags", [])]
        assert len(setup) == 1, f"{ipynb}: one setup cell expected"
        assert len(code) == text.count("```{code-cell}") + 1, f"{ipynb}: code cells differ"
        assert all(c["outputs"] == [] for c in code), f"{ipynb} should carry no outputs"
        checked += 1
    assert checked > 0, "no MyST notebook page found in the built book"


@pytest.mark.parametrize(
    "page_file",
    _PAGES or [None],
    ids=[str(p.relative_to(BOOK_HTML_DIR)) for p in _PAGES] or ["book-not-built"],
)
def test_page_runs_offline_in_browser(page_file, book_html_dir, book_server, browser_page):
    """Every page: no request leaves 127.0.0.1, no console error, math and widgets render."""
    page, blocked, errors = browser_page
    rel = page_file.relative_to(book_html_dir).as_posix()
    html = page_file.read_text(encoding="utf-8")
    page.goto(book_server + rel, wait_until="load")
    if "application/vnd.jupyter.widget-view+json" in html:
        page.wait_for_selector(".jupyter-widgets", timeout=180_000)
    if 'class="math' in html:
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=180_000
        )
        page.evaluate("() => MathJax.startup.promise")
        assert page.locator("mjx-container").count() > 0, f"{rel}: MathJax typeset nothing"
    page.wait_for_load_state("networkidle")
    assert page.locator("mjx-merror").count() == 0, f"{rel}: MathJax reported TeX errors"
    assert page.get_by_text("Error displaying widget").count() == 0, f"{rel}: broken widget"
    assert blocked == [], f"{rel} tried to reach other hosts:\n" + "\n".join(blocked)
    assert errors == [], f"{rel} browser console errors:\n" + "\n".join(errors)


def test_intro_renders_math_offline(book_server, browser_page):
    page, blocked, errors = browser_page
    page.goto(book_server + "intro.html", wait_until="load")
    # MathJax 3 resolves startup.promise once the first typesetting pass is done.
    page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=180_000
    )
    page.evaluate("() => MathJax.startup.promise")
    n_math = page.locator("mjx-container").count()
    n_errors = page.locator("mjx-merror").count()
    raw_tex = page.evaluate(
        "() => [...document.querySelectorAll('.math')]"
        ".filter(e => !e.querySelector('mjx-container')).length"
    )
    page.wait_for_load_state("networkidle")
    assert n_math > 0, "MathJax produced no mjx-container on intro.html"
    assert n_errors == 0, "MathJax reported TeX errors (mjx-merror) on intro.html"
    assert raw_tex == 0, f"{raw_tex} math blocks left as raw TeX"
    assert blocked == [], "requests to other hosts were attempted:\n" + "\n".join(blocked)
    assert errors == [], "browser console errors:\n" + "\n".join(errors)
