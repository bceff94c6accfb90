"""The book's own Chinese font ("RNN Book Sans SC", subsets of Noto Sans CJK SC).

- The committed subsets cover every character the book, the package and its corpora can show
  (``scripts/make_fonts.py --check``), and the figures' font ships as package data.
- matplotlib: importing ``rnn_book.figures`` registers the packaged font, and a figure with a
  Chinese title draws without any missing-glyph warning, from a font file that has the glyphs.
- The built pages: every CJK character of their visible text (and of the widget state the
  widgets render) is routed to the book font by its ``unicode-range`` and present in its cmap.
- In the browser (headless Debian Chromium; this only means something on a machine without
  CJK system fonts, where a missing glyph is drawn as a box): the font loads, and no CJK
  character of any page is drawn as the missing-glyph box.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import importlib.util
import json
import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import BOOK_HTML_DIR, REPO_ROOT, built_pages

fontTools = pytest.importorskip("fontTools")
tomllib = pytest.importorskip("tomllib")  # Python 3.11+
from fontTools.ttLib import TTFont

FAMILY = "RNN Book Sans SC"
WEB_DIR = REPO_ROOT / "book" / "assets" / "fonts"
MPL_FONT = REPO_ROOT / "src" / "rnn_book" / "figures" / "fonts" / "NotoSansSC-book.ttf"
REGULAR_SLICES = ("NotoSansSC-book.woff2", "NotoSansSC-book-corpus.woff2")
BOLD_SLICES = ("NotoSansSC-book-Bold.woff2", "NotoSansSC-book-corpus-Bold.woff2")
# Characters a Chinese reader's text needs from a CJK font: Han (basic, ext. A, compatibility,
# ext. B and later), CJK punctuation and symbols, full-width forms.
CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3100-\u312f\u31c0-\u31ef\u3200-\u33ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0002fa1f]"
)
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _load_make_fonts():
    spec = importlib.util.spec_from_file_location(
        "make_fonts", REPO_ROOT / "scripts" / "make_fonts.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_fonts = _load_make_fonts()


@functools.cache
def cmap_of(*paths: Path) -> frozenset[str]:
    chars: set[str] = set()
    for path in paths:
        chars |= {chr(c) for c in TTFont(str(path)).getBestCmap()}
    return frozenset(chars)


def parse_unicode_range(text: str) -> set[int]:
    """Code points of a CSS unicode-range value such as ``U+4E00-9FFF, U+3000``."""
    points: set[int] = set()
    for part in text.split(","):
        lo, _, hi = part.strip().removeprefix("U+").partition("-")
        points |= set(range(int(lo, 16), int(hi or lo, 16) + 1))
    return points


def face_ranges() -> dict[str, set[int]]:
    """file name -> unicode-range code points, from the @font-face rules of faces.css."""
    css = (WEB_DIR / "faces.css").read_text(encoding="utf-8")
    faces = re.findall(r'src: url\("([^"]+)"\) format\("woff2"\);\s*unicode-range: ([^;]+);', css)
    return {name: parse_unicode_range(rng) for name, rng in faces}


# ---------------------------------------------------------------- the committed font files


def test_subsets_cover_every_character_the_book_can_show():
    """make_fonts.py --check: book text, package strings, corpora, Sphinx catalogs, punctuation."""
    assert make_fonts.check() == 0


def test_package_strings_and_corpora_are_in_the_figure_font():
    sets = make_fonts.wanted_chars()
    cmap = cmap_of(MPL_FONT)
    absent = make_fonts.documented_missing()
    assert not absent & {c for c in sets["all"] if CJK.match(c)}, "a CJK character is absent"
    package = set()
    for path in (REPO_ROOT / "src" / "rnn_book").rglob("*.py"):
        package |= set(make_fonts.python_text(path))
    for path in (REPO_ROOT / "src" / "rnn_book" / "data").glob("*.json"):
        package |= set(path.read_text(encoding="utf-8"))
    package = {c for c in package if c.isprintable() and not c.isspace()}
    lacking = sorted(package - cmap - absent)
    assert lacking == [], f"{len(lacking)} characters of the package lack a glyph: {lacking[:40]}"
    # the font really is the subset (not an empty file): Chinese of every part of the package
    assert {"循", "环", "神", "经", "网", "络", "，", "。"} <= cmap


def test_faces_route_every_cjk_character_and_slices_are_disjoint():
    ranges = face_ranges()
    assert set(ranges) == set(REGULAR_SLICES + BOLD_SLICES)
    core = ranges["NotoSansSC-book.woff2"]
    assert all(CJK.match(chr(c)) or c in (0xB7, 0x2030) or 0x2014 <= c <= 0x2026 for c in core)
    assert {ord(c) for c in "循环，。（）：“”"} <= core
    corpus_cmap = cmap_of(WEB_DIR / "NotoSansSC-book-corpus.woff2")
    assert ranges["NotoSansSC-book-corpus.woff2"] == {ord(c) for c in corpus_cmap}
    assert (
        not {ord(c) for c in cmap_of(WEB_DIR / "NotoSansSC-book.woff2")}
        & ranges["NotoSansSC-book-corpus.woff2"]
    )
    for regular, bold in zip(REGULAR_SLICES, BOLD_SLICES, strict=True):
        assert ranges[regular] == ranges[bold]
        assert cmap_of(WEB_DIR / regular) == cmap_of(WEB_DIR / bold)


def test_font_files_carry_licence_provenance_and_are_package_data():
    for folder in (WEB_DIR, MPL_FONT.parent):
        assert "SIL OPEN FONT LICENSE Version 1.1" in (folder / "OFL.txt").read_text()
        source = (folder / "SOURCE.md").read_text(encoding="utf-8")
        assert "fonts-noto-cjk" in source and re.search(
            r"sha256 of the \.deb: `[0-9a-f]{64}`", source
        )
    for path in WEB_DIR.glob("*.woff2"):
        assert TTFont(str(path))["name"].getDebugName(1) == FAMILY
    assert TTFont(str(MPL_FONT))["name"].getDebugName(1) == FAMILY
    assert "glyf" in TTFont(str(MPL_FONT))  # TrueType outlines: every matplotlib backend embeds
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["rnn_book"]
    pkg = REPO_ROOT / "src" / "rnn_book"
    for path in MPL_FONT.parent.iterdir():
        rel = path.relative_to(pkg).as_posix()
        assert any(fnmatch.fnmatch(rel, p) for p in patterns), f"{rel} is not package data"


# ---------------------------------------------------------------- matplotlib


def test_matplotlib_draws_chinese_with_the_packaged_font(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    import rnn_book.figures  # noqa: F401  (registers the font)
    from rnn_book.figures import style

    assert style.BOOK_FONT_FILE == MPL_FONT.resolve()
    assert matplotlib.rcParams["font.family"][:2] == ["DejaVu Sans", FAMILY]
    title = "循环神经网络：隐藏状态 h（时间步 t）"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns: here it fails the test
        fig, ax = plt.subplots(figsize=(4, 3))
        text = ax.set_title(title)
        ax.set_xlabel("时间步")
        for ext in ("png", "pdf", "svg"):
            fig.savefig(tmp_path / f"f.{ext}")
    files = [
        Path(p) for p in font_manager.fontManager._find_fonts_by_props(text.get_fontproperties())
    ]
    plt.close(fig)
    assert MPL_FONT.resolve() in [f.resolve() for f in files]
    cmap = cmap_of(MPL_FONT)
    latin = cmap_of(files[0])
    assert all(c in cmap or c in latin for c in title)
    assert all(c in cmap for c in title if CJK.match(c))


def test_without_the_book_font_chinese_would_be_missing():
    """The check above is meaningful: DejaVu Sans alone has no Chinese glyphs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title("循环")
        with pytest.warns(UserWarning, match="missing from font"):
            fig.canvas.draw()
        plt.close(fig)


# ---------------------------------------------------------------- the built book


class _VisibleText(HTMLParser):
    """Text nodes a reader sees (no script/style), plus every string of the widget state."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: str | None = None
        self._widget_state = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip = tag
            self._widget_state = tag == "script" and dict(attrs).get("type") == WIDGET_STATE
        for name, value in attrs:
            if name in ("title", "alt", "placeholder", "aria-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag == self._skip:
            self._skip, self._widget_state = None, False

    def handle_data(self, data):
        if self._widget_state:
            self.parts.extend(_strings(json.loads(data)))
        elif self._skip is None:
            self.parts.append(data)


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _strings(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _strings(value)


def visible_text(page: Path) -> str:
    parser = _VisibleText()
    parser.feed(page.read_text(encoding="utf-8"))
    return "".join(parser.parts)


def is_redirect(page: Path) -> bool:
    """index.html only forwards to the first page (a meta refresh, no theme, no text)."""
    return 'http-equiv="refresh"' in page.read_text(encoding="utf-8").lower()


_PAGES = built_pages()
_IDS = [str(p.relative_to(BOOK_HTML_DIR)) for p in _PAGES] or ["book-not-built"]


@pytest.mark.parametrize("page", _PAGES or [None], ids=_IDS)
def test_every_chinese_character_of_a_page_is_in_the_book_font(page, book_html_dir):
    ranges = face_ranges()
    routed = set().union(*ranges.values())
    regular = cmap_of(*(WEB_DIR / f for f in REGULAR_SLICES))
    bold = cmap_of(*(WEB_DIR / f for f in BOLD_SLICES))
    # an ideographic space (U+3000) is blank in any font: a missing glyph there draws no box
    cjk = {c for c in visible_text(page) if CJK.match(c) and not c.isspace()}
    if not cjk:
        assert "chapters" not in page.parts, f"{page.name}: no Chinese text found (parser broken?)"
        pytest.skip(f"{page.name} shows no Chinese (a redirect)")
    assert sorted(c for c in cjk if ord(c) not in routed) == [], "not routed to the book font"
    assert sorted(cjk - regular) == [], f"{page.name}: Regular lacks these glyphs"
    assert sorted(cjk - bold) == [], f"{page.name}: Bold lacks these glyphs"
    built = book_html_dir / "_static" / "fonts"
    for name in REGULAR_SLICES + BOLD_SLICES + ("faces.css",):
        assert (built / name).read_bytes() == (WEB_DIR / name).read_bytes(), f"{name} stale"


def test_every_page_links_the_font_css(book_html_dir):
    for page in built_pages(book_html_dir):
        if is_redirect(page):
            continue
        html = page.read_text(encoding="utf-8")
        assert "_static/fonts/faces.css" in html and "_static/book-fonts.css" in html, page.name


# ---------------------------------------------------------------- the browser

# Draws each character on a canvas in the page's font and compares its pixels with those of
# characters no font has (private-use code points): equal pixels = the missing-glyph box.
_BOX_SCAN = """async ([family, chars]) => {
  const font = `32px "${family}", serif`;
  await document.fonts.load(font, chars.join(''));
  const c = document.createElement('canvas'); c.width = 48; c.height = 48;
  const ctx = c.getContext('2d', {willReadFrequently: true});
  const draw = (ch, f) => {
    ctx.clearRect(0, 0, 48, 48); ctx.font = f; ctx.fillStyle = '#000';
    ctx.fillText(ch, 4, 38);
    return Array.from(ctx.getImageData(0, 0, 48, 48).data).join(',');
  };
  const boxes = new Set();
  for (const f of [font, '32px serif', '32px "No Such Font Anywhere"']) {
    for (const pua of ['\\uE000', '\\uE123', '\\uF8FF']) boxes.add(draw(pua, f));
  }
  const boxed = chars.filter(ch => boxes.has(draw(ch, font)));
  const control = chars.slice(0, 5).filter(ch => boxes.has(draw(ch, '32px serif'))).length;
  return {boxed, control, n: chars.length};
}"""


def _open(page, url):
    page.goto(url, wait_until="load")
    if page.locator(f"script[type='{WIDGET_STATE}']").count():
        page.wait_for_selector(".jupyter-widgets", timeout=30_000)
    page.evaluate("() => document.fonts.ready")


def test_book_font_loads_and_draws_real_glyphs(book_html_dir, book_server, browser_page, tmp_path):
    page, blocked, errors = browser_page
    rel = "chapters/gru.html" if (book_html_dir / "chapters/gru.html").is_file() else "intro.html"
    _open(page, book_server + rel)
    page.evaluate(f"""() => document.fonts.load('16px "{FAMILY}"', '循环神经网络')""")
    assert page.evaluate(f"""() => document.fonts.check('16px "{FAMILY}"', '循环神经网络')""")
    family = page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontFamily")
    assert family.startswith(f'"{FAMILY}"'), family
    # Screenshots: two different characters in the page's font must differ (two missing glyphs
    # are the same box), and differ from the same character in a font that does not exist.
    page.evaluate(
        """() => {
        const add = (id, ch, family) => {
          const s = document.createElement('span'); s.id = id; s.textContent = ch;
          s.style.cssText = `font: 64px ${family}; display: inline-block; width: 80px;
            height: 80px; line-height: 80px; background: #fff; color: #000`;
          document.body.prepend(s);
        };
        add('glyph-a', '循', 'var(--pst-font-family-base)');
        add('glyph-b', '环', 'var(--pst-font-family-base)');
        add('glyph-none', '循', '"No Such Font Anywhere"');
        add('glyph-none-b', '环', '"No Such Font Anywhere"');
      }"""
    )
    page.evaluate("() => document.fonts.ready")
    shots = {}
    for name in ("glyph-a", "glyph-b", "glyph-none", "glyph-none-b"):
        png = page.locator(f"#{name}").screenshot()
        shots[name] = hashlib.sha256(png).hexdigest()
        (tmp_path / f"{name}.png").write_bytes(png)  # to look at: pytest --basetemp=DIR
    # Without a CJK system font the control pair is one and the same box; with one, the
    # control draws real glyphs and the comparison below proves less.
    control_is_box = shots["glyph-none"] == shots["glyph-none-b"]
    assert shots["glyph-a"] != shots["glyph-b"], "two characters draw alike: missing glyphs"
    assert shots["glyph-a"] != shots["glyph-none"], f"same as the control ({control_is_box=})"
    widget = page.locator(".widget-label, .widget-html-content").first
    if widget.count():
        widget_family = widget.evaluate("e => getComputedStyle(e).fontFamily")
        assert widget_family.startswith(f'"{FAMILY}"'), widget_family
    assert blocked == [] and errors == [], blocked + errors


@pytest.mark.parametrize("page_file", _PAGES or [None], ids=_IDS)
def test_no_chinese_character_is_drawn_as_a_box(
    page_file, book_html_dir, book_server, browser_page
):
    page, blocked, errors = browser_page
    rel = page_file.relative_to(book_html_dir).as_posix()
    if is_redirect(page_file):
        pytest.skip(f"{rel} is a redirect")
    _open(page, book_server + rel)
    text = page.evaluate("() => document.body.textContent")
    chars = sorted({c for c in text if CJK.match(c)})
    if not chars:
        pytest.skip(f"{rel} shows no Chinese")
    result = page.evaluate(_BOX_SCAN, [FAMILY, chars])
    assert result["n"] == len(chars)
    assert result["boxed"] == [], f"{rel}: drawn as missing-glyph boxes: {result['boxed']}"
    assert blocked == [] and errors == [], blocked + errors
