#!/usr/bin/env python3
"""Cut the book's own Chinese font from Debian's ``fonts-noto-cjk`` (Noto Sans CJK SC, OFL 1.1).

Usage (from the repository root, with fontTools and brotli installed)::

    python scripts/make_fonts.py              # apt-get download fonts-noto-cjk into a temp dir
    python scripts/make_fonts.py --deb X.deb  # use an already downloaded .deb
    python scripts/make_fonts.py --check      # verify the committed subsets, rewrite nothing

Why. Many readers' machines (and the build machine) have no CJK system font, so Chinese text in
the pages, in the widgets and in matplotlib figures would be drawn as empty boxes. The book
therefore ships Noto Sans CJK SC, cut ("subset") to the characters it can ever show:

* every character of every text file of the book (``book/**/*.md``, ``*.yml``, ``*.bib``);
* every character of the package's source outside comments (``src/rnn_book/**/*.py``: all its
  strings, the labels the figures draw, the messages it prints);
* every character of the shipped corpora (``src/rnn_book/data/*.json``): a generated poem can
  print any character of its corpus;
* the Chinese (zh_CN / zh) message catalogs of Sphinx and the themes/extensions the book uses:
  the page furniture ("搜索", "目录", "上一页"...) is Chinese too;
* printable ASCII, Latin-1 punctuation, general punctuation (quotes, dashes, ellipsis), CJK
  punctuation (U+3000-303F) and the full-width forms (U+FF01-FF5E and friends).

Outputs (all committed, so the build downloads nothing):

* ``book/assets/fonts/NotoSansSC-book.woff2`` and ``NotoSansSC-book-Bold.woff2`` (headings and
  **strong** text) for the HTML pages, holding every character of the book's text, package and
  catalogs; ``NotoSansSC-book-corpus{,-Bold}.woff2`` hold the characters only the corpora use,
  so that pages without poems never fetch them; ``faces.css``, their ``@font-face`` rules
  (``unicode-range``), which ``book/assets/book-fonts.css`` puts to use;
* ``src/rnn_book/figures/fonts/NotoSansSC-book.ttf`` (TrueType outlines, so every matplotlib
  backend, PDF and PS included, can embed it), registered by ``rnn_book.figures.style``;
* ``OFL.txt`` (the licence) and ``SOURCE.md`` (package, version, sha256, command, counts) in
  both folders.

The subsets are renamed to the family ``RNN Book Sans SC`` (``FAMILY``): a subset is a modified
version of the font (OFL section 3 asks that it not pass itself off as the original), and a
distinct name cannot clash with a full Noto Sans CJK SC installed on a reader's machine.

``--check`` recomputes the character set and fails (exit 1) if a committed subset lacks a
character the book needs that the source font has, or if a file is missing; it needs no download.
The output is deterministic: running the script twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import gettext
import hashlib
import io
import re
import subprocess
import sys
import tempfile
import tokenize
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "fonts-noto-cjk"
TTC_DIR = "usr/share/fonts/opentype/noto"
SOURCE_FAMILY = "Noto Sans CJK SC"  # the face picked from each .ttc collection
FAMILY = "RNN Book Sans SC"  # name of the subsets (CSS @font-face and matplotlib)

WEB_DIR = ROOT / "book" / "assets" / "fonts"
MPL_DIR = ROOT / "src" / "rnn_book" / "figures" / "fonts"
FACES_CSS = WEB_DIR / "faces.css"
# output file -> (source .ttc, style name, format, slice). The pages get two slices per weight:
# "core" (every character of the book's text, the package and the Sphinx catalogs) and "corpus"
# (characters only the poem corpora use); the browser fetches a slice only when a page shows one
# of its characters (unicode-range), so most pages never download the corpus slice.
# matplotlib gets one file with everything ("all").
OUTPUTS = {
    WEB_DIR / "NotoSansSC-book.woff2": ("NotoSansCJK-Regular.ttc", "Regular", "woff2", "core"),
    WEB_DIR / "NotoSansSC-book-Bold.woff2": ("NotoSansCJK-Bold.ttc", "Bold", "woff2", "core"),
    WEB_DIR / "NotoSansSC-book-corpus.woff2": (
        "NotoSansCJK-Regular.ttc",
        "Regular",
        "woff2",
        "corpus",
    ),
    WEB_DIR / "NotoSansSC-book-corpus-Bold.woff2": (
        "NotoSansCJK-Bold.ttc",
        "Bold",
        "woff2",
        "corpus",
    ),
    MPL_DIR / "NotoSansSC-book.ttf": ("NotoSansCJK-Regular.ttc", "Regular", "ttf", "all"),
}
# The core slices claim every CJK code point (and the punctuation Chinese text sets full-width),
# so the browser draws all Chinese text with the book font, whatever fonts a machine has.
CORE_RANGE = (
    "U+00B7, U+2014-2016, U+2018-2019, U+201C-201D, U+2026, U+2030, U+2E80-2FDF, "
    "U+3000-303F, U+3100-312F, U+31C0-31EF, U+3200-33FF, U+3400-4DBF, U+4E00-9FFF, "
    "U+F900-FAFF, U+FE10-FE1F, U+FE30-FE4F, U+FF00-FFEF, U+20000-2FA1F"
)

# Always included, whether or not the text uses them today (so a new sentence rarely needs a
# rerun): printable ASCII, Latin-1 punctuation and signs, general punctuation, CJK punctuation,
# full-width ASCII variants and full-width signs.
BASE_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0xBF),
    (0xD7, 0xD7),
    (0xF7, 0xF7),
    (0x2010, 0x2027),
    (0x2030, 0x203B),
    (0x3000, 0x303F),
    (0xFF01, 0xFF5E),
    (0xFFE0, 0xFFE6),
)
BOOK_TEXT_SUFFIXES = (".md", ".yml", ".yaml", ".bib")
# Packages whose Chinese message catalogs put text on the pages (zh_CN falls back to zh).
CATALOG_PACKAGES = (
    "sphinx",
    "sphinx_book_theme",
    "pydata_sphinx_theme",
    "sphinx_exercise",
    "sphinx_togglebutton",
    "myst_nb",
    "jupyter_book",
)
CATALOG_DIR = re.compile(r"[/\\](zh_CN|zh-cn|zh)[/\\]", re.IGNORECASE)


# ------------------------------------------------------------------ the character set
def python_text(path: Path) -> str:
    """The source of a Python file without its comments (strings, names, code)."""
    source = path.read_text(encoding="utf-8")
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return "".join(tok.string for tok in tokens if tok.type != tokenize.COMMENT)


def book_files(root: Path = ROOT) -> list[Path]:
    """The book's own text files (sources, config, bibliography), not the build or assets."""
    book = root / "book"
    return sorted(
        p
        for p in book.rglob("*")
        if p.suffix in BOOK_TEXT_SUFFIXES
        and p.is_file()
        and p.relative_to(book).parts[0] not in ("_build", "assets")
    )


def catalog_files() -> list[Path]:
    """Chinese .mo catalogs of Sphinx and the book's theme and extensions (installed copies)."""
    import importlib.util

    found = []
    for name in CATALOG_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        for base in spec.submodule_search_locations:
            found += [p for p in Path(base).rglob("*.mo") if CATALOG_DIR.search(str(p))]
    return sorted(set(found))


def catalog_text(path: Path) -> str:
    with path.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # the parsed messages
    return "".join(v if isinstance(v, str) else "".join(v) for v in catalog.values())


def sources(root: Path = ROOT) -> dict[str, list[Path]]:
    """Every file whose characters go into the subset, by kind."""
    pkg = root / "src" / "rnn_book"
    return {
        "book": book_files(root),
        "python": sorted(pkg.rglob("*.py")),
        "corpora": sorted((pkg / "data").glob("*.json")),
        "catalogs": catalog_files(),
    }


def wanted_chars(root: Path = ROOT) -> dict[str, set[str]]:
    """The characters the book can show (see the module docstring), by slice.

    ``"all"`` is everything; ``"corpus"`` the characters that only the corpora use; ``"core"``
    the rest.
    """
    chars = {chr(c) for lo, hi in BASE_RANGES for c in range(lo, hi + 1)}
    files = sources(root)
    for p in files["book"]:
        chars |= set(p.read_text(encoding="utf-8"))
    for p in files["python"]:
        chars |= set(python_text(p))
    for p in files["catalogs"]:
        chars |= set(catalog_text(p))
    corpus = set()
    for p in files["corpora"]:
        corpus |= set(p.read_text(encoding="utf-8"))

    # Control characters and whitespace other than the space have no glyph to draw.
    def keep(c: str) -> bool:
        return c == " " or (c.isprintable() and not c.isspace())

    core = {c for c in chars if keep(c)}
    only_corpus = {c for c in corpus if keep(c)} - core
    return {"all": core | only_corpus, "core": core, "corpus": only_corpus}


# ------------------------------------------------------------------ the source font
def download(tmp: Path) -> Path:
    """apt-get download fonts-noto-cjk into tmp; return the .deb."""
    subprocess.run(["apt-get", "download", PACKAGE], cwd=tmp, check=True)
    debs = sorted(tmp.glob(f"{PACKAGE}_*.deb"))
    if len(debs) != 1:
        raise RuntimeError(f"expected one {PACKAGE} .deb in {tmp}, found {debs}")
    return debs[0]


def deb_field(deb: Path, field: str) -> str:
    out = subprocess.run(["dpkg-deb", "-f", str(deb), field], check=True, capture_output=True)
    return out.stdout.decode().strip()


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def licence_text(extracted: Path) -> str:
    """The SIL Open Font License 1.1, as the Debian copyright file quotes it (de-indented)."""
    copyright_file = extracted / "usr/share/doc" / PACKAGE / "copyright"
    lines = copyright_file.read_text(encoding="utf-8").splitlines()
    # the stand-alone licence paragraph: the "License:" line followed by indented text
    start = next(
        i
        for i, line in enumerate(lines[:-1])
        if line == "License: SIL-1.1" and lines[i + 1].startswith(" ")
    )
    body = []
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        body.append("" if line == " ." else line[1:])
    return "\n".join(body).strip() + "\n"


def open_face(ttc: Path) -> TTFont:
    """The Noto Sans CJK SC face of a .ttc collection (lazy=False: subsetting edits it)."""
    for font in TTCollection(str(ttc)).fonts:
        if font["name"].getDebugName(1) == SOURCE_FAMILY:
            return font
    raise RuntimeError(f"{SOURCE_FAMILY} not found in {ttc}")


# ------------------------------------------------------------------ subsetting
def rename(font: TTFont, style: str) -> None:
    """Give the subset the family FAMILY (copyright, licence and version records stay)."""
    ps_family = FAMILY.replace(" ", "")
    names = {
        1: FAMILY,
        2: style,
        3: f"{ps_family}-{style};subset of {SOURCE_FAMILY}",
        4: f"{FAMILY} {style}" if style != "Regular" else FAMILY,
        6: f"{ps_family}-{style}",
        16: FAMILY,
        17: style,
    }
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in names and n.nameID not in (18, 21, 22)]
    table.names = [n for n in table.names if n.langID in (0, 0x409)]  # keep English records
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [f"{ps_family}-{style}"]
        top = cff.topDictIndex[0]
        top.FamilyName = FAMILY
        top.FullName = names[4]


def subset_face(font: TTFont, chars: set[str]) -> set[str]:
    """Cut font down to chars (in place); return the chars it could not provide."""
    cmap = font.getBestCmap()
    have = {c for c in chars if ord(c) in cmap}
    options = subset.Options()
    # Horizontal Latin/Chinese text needs only these; "locl", "vert", "aalt" and the width
    # variants would pull in the Japanese/Korean/vertical alternates (twice the glyphs).
    options.layout_features = ["kern", "ccmp", "liga", "calt", "mark", "mkmk"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True  # a missing glyph shows as a visible box, never invisible
    options.hinting = False  # small sizes render fine unhinted on screens; saves bytes
    options.desubroutinize = True  # compresses better under woff2
    options.drop_tables += ["VORG", "vhea", "vmtx", "DSIG"]  # vertical metrics: horizontal book
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(ord(c) for c in have))
    sub.subset(font)
    return chars - have


def cff_to_glyf(font: TTFont) -> None:
    """Replace CFF (cubic) outlines by TrueType (quadratic) ones, in place.

    matplotlib draws either kind, but its PDF/PS backends embed only TrueType as Type 42.
    """
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    del font["CFF "]
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    font["head"].glyphDataFormat = 0
    font["maxp"].tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(font["maxp"], attr, 1 if attr == "maxZones" else 0)
    font["maxp"].maxComponentDepth = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    font.sfntVersion = "\x00\x01\x00\x00"


def save(font: TTFont, path: Path, flavor: str) -> bytes:
    font.flavor = "woff2" if flavor == "woff2" else None
    buf = io.BytesIO()
    font.save(buf, reorderTables=True)
    data = buf.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)
    return data


def write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def source_md(meta: dict, sets: dict[str, set[str]], missing: set[str], sizes: dict) -> str:
    files = sources()

    def han(chars):
        return sum(1 for c in chars if "\u3400" <= c <= "\u9fff" or ord(c) >= 0x20000)

    lines = [
        f"# {FAMILY}: the book's Chinese font",
        "",
        (
            f"Subsets of **{SOURCE_FAMILY}** (Regular and Bold), from the Debian package "
            f"`{PACKAGE}`, licensed under the SIL Open Font License 1.1 (`OFL.txt` here)."
        ),
        (
            "Copyright notice of the font (its `name` table, kept in every subset): "
            f"{meta['copyright']}"
        ),
        "",
        f"- package: `{PACKAGE}` version `{meta['version']}` (`{meta['deb']}`)",
        f"- sha256 of the .deb: `{meta['sha256']}`",
        f"- font version: {meta['font_version']}",
        (
            "- made by: `python scripts/make_fonts.py` (`apt-get download fonts-noto-cjk`, "
            "`dpkg-deb -x`, fontTools subsetting; `--check` verifies coverage)"
        ),
        f"- renamed to the family `{FAMILY}`: a subset is a modified version (OFL section 3)",
        "",
        (
            f"Character set: {len(sets['all'])} characters ({han(sets['all'])} Han), gathered from "
            f"{len(files['book'])} book files, {len(files['python'])} package modules, "
            f"{len(files['corpora'])} corpora, {len(files['catalogs'])} Sphinx/theme catalogs, "
            "plus ASCII and Latin-1/general/CJK/full-width punctuation. The web fonts come in two "
            f"slices: core ({len(sets['core'])} characters, {han(sets['core'])} Han: the book's text, "
            f"the package, the catalogs) and corpus ({len(sets['corpus'])} characters only the "
            "poem corpora use), each in Regular and Bold; the matplotlib font has all of them."
        ),
    ]
    if missing:
        listed = " ".join(f"U+{ord(c):04X}" for c in sorted(missing))
        lines.append(
            f"Not in the source font, so drawn by the reader's other fonts: {len(missing)} "
            f"characters ({listed})."
        )
    lines += ["", "| file | bytes |", "| --- | ---: |"]
    for path, size in sizes.items():
        lines.append(f"| `{path.relative_to(ROOT).as_posix()}` | {size} |")
    return "\n".join(lines) + "\n"


def unicode_range(chars: set[str]) -> str:
    """A CSS unicode-range listing chars, consecutive code points merged into ranges."""
    points = sorted(ord(c) for c in chars)
    parts, i = [], 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        lo, hi = points[i], points[j]
        parts.append(f"U+{lo:X}" if lo == hi else f"U+{lo:X}-{hi:X}")
        i = j + 1
    return ", ".join(parts)


def faces_css(corpus: set[str]) -> str:
    """The @font-face rules of the pages (book/assets/fonts/faces.css)."""
    rules = [
        "/* Generated by scripts/make_fonts.py: do not edit. The book's Chinese font, served",
        "   from the book itself. The core faces claim every CJK code point; the corpus faces",
        "   (declared last, so the browser tries them first for their own characters) hold the",
        "   characters only the poem corpora use, and are fetched only by pages showing one. */",
    ]
    for out, (_, style, flavor, part) in OUTPUTS.items():
        if flavor != "woff2":
            continue
        rng = CORE_RANGE if part == "core" else unicode_range(corpus)
        rules.append(
            "@font-face {\n"
            f'  font-family: "{FAMILY}";\n'
            "  font-style: normal;\n"
            f"  font-weight: {700 if style == 'Bold' else 400};\n"
            "  font-display: swap;\n"
            f'  src: url("{out.name}") format("woff2");\n'
            f"  unicode-range: {rng};\n"
            "}"
        )
    order = sorted(rules[4:], key=lambda r: "corpus" in r)  # core first, corpus last
    return "\n".join(rules[:4] + order) + "\n"


def build(deb: Path) -> None:
    sets = wanted_chars()
    meta = {
        "deb": deb.name,
        "version": deb_field(deb, "Version"),
        "sha256": sha256(deb),
    }
    with tempfile.TemporaryDirectory() as tmp:
        extracted = Path(tmp) / "x"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(extracted)], check=True)
        licence = licence_text(extracted)
        sizes: dict[Path, int] = {}
        missing: set[str] = set()
        faces: dict[str, bytes] = {}  # one parsed face per .ttc, copied for each output
        for out, (ttc, style, flavor, part) in OUTPUTS.items():
            if ttc not in faces:
                buf = io.BytesIO()
                face = open_face(extracted / TTC_DIR / ttc)
                face.recalcTimestamp = False  # keep the source's date: reruns are byte-identical
                face.save(buf)
                faces[ttc] = buf.getvalue()
            font = TTFont(io.BytesIO(faces[ttc]), recalcTimestamp=False)
            meta["copyright"] = font["name"].getDebugName(0)
            meta["font_version"] = font["name"].getDebugName(5)
            missing |= subset_face(font, sets[part])
            rename(font, style)
            if flavor == "ttf":
                cff_to_glyf(font)
            sizes[out] = len(save(font, out, flavor))
            print(f"{out.relative_to(ROOT)}: {sizes[out]} bytes", file=sys.stderr)
    for folder in (WEB_DIR, MPL_DIR):
        write_if_changed(folder / "OFL.txt", licence)
        write_if_changed(folder / "SOURCE.md", source_md(meta, sets, missing, sizes))
    write_if_changed(FACES_CSS, faces_css(sets["corpus"] - missing))
    print(
        f"{len(sets['all'])} characters wanted, {len(missing)} not in the source font",
        file=sys.stderr,
    )


# ------------------------------------------------------------------ --check
def documented_missing() -> set[str]:
    """Characters SOURCE.md records as absent from the source font."""
    text = (MPL_DIR / "SOURCE.md").read_text(encoding="utf-8")
    return {chr(int(h, 16)) for h in re.findall(r"U\+([0-9A-F]{4,6})", text)}


def check() -> int:
    sets = wanted_chars()
    problems = []
    for folder in (WEB_DIR, MPL_DIR):
        for name in ("OFL.txt", "SOURCE.md"):
            if not (folder / name).is_file():
                problems.append(f"{folder / name} is missing")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    absent = documented_missing()
    if not FACES_CSS.is_file() or FACES_CSS.read_text(encoding="utf-8") != faces_css(
        sets["corpus"] - absent
    ):
        problems.append(f"{FACES_CSS.relative_to(ROOT)} is missing or out of date")
    for out, (*_, part) in OUTPUTS.items():
        chars = sets[part]
        if not out.is_file():
            problems.append(f"{out.relative_to(ROOT)} is missing")
            continue
        cmap = TTFont(str(out)).getBestCmap()
        lacking = sorted(c for c in chars if ord(c) not in cmap and c not in absent)
        if lacking:
            problems.append(
                f"{out.relative_to(ROOT)} lacks {len(lacking)} characters: "
                + "".join(lacking[:80])
                + (" ..." if len(lacking) > 80 else "")
            )
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print("run `python scripts/make_fonts.py` to rebuild the subsets", file=sys.stderr)
        return 1
    print(f"ok: {len(sets['all'])} characters, every subset covers its slice", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deb", type=Path, help="use this fonts-noto-cjk .deb, no download")
    parser.add_argument("--check", action="store_true", help="verify coverage, write nothing")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    if args.deb:
        build(args.deb.resolve())
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(download(Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
