#!/usr/bin/env python3
"""Build src/rnn_book/data/{tang300,song100}.json and SOURCE.md from Debian's ``fortunes-zh``.

Usage (from the repository root)::

    python scripts/make_tang300.py                 # apt-get download fortunes-zh into a temp dir
    python scripts/make_tang300.py path/to/tang300 # use extracted files (song100 beside it)

The ``tang300`` file of fortunes-zh holds 唐诗三百首 as UTF-8 "fortune cookies": records
separated by a line ``%``, each with a green title line ``《…》``, a yellow author line
``作者：…`` (ANSI colour codes around both), an optional prose preface (for titles ending in
``并序``) separated from the verse by a blank line, then the verse, two lines (句) per text
line. This script strips the colour codes, separates preface and verse, splits the verse into
lines at the punctuation, removes quotation marks, and classifies every poem.

Classification. The file keeps the anthology's order of volumes: old-style verse (古体: 五言
古诗, 乐府, 七言古诗...) up to 《将进酒》, regulated verse (律诗) from 《经邹鲁祭孔子而叹之》,
quatrains (绝句) from 《鹿柴》. ``section`` records that volume. ``form`` is the shape:
``五言``/``七言`` (all lines of 5 or 7 characters) + ``绝句`` (4 lines) or ``律诗`` (8 lines)
for poems of the 律诗/绝句 volumes; poems of the 古体 volume are ``五言古诗``/``七言古诗``
(equal line lengths) or ``杂言古诗`` even when they happen to have 8 lines of 5 characters,
because the anthology itself does not count them as regulated verse. The script checks that
every poem of the 律诗 volume has 8 equal lines and every poem of the 绝句 volume 4.

The ``song100`` file (Song-dynasty 诗) is parsed the same way by ``parse_song``, with the
shape alone deciding its forms. The output is deterministic: running the script twice gives
byte-identical files.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "fortunes-zh"
FORTUNES = "usr/share/games/fortunes"  # tang300 and song100 live here
OUT_DIR = Path(__file__).resolve().parent.parent / "src" / "rnn_book" / "data"

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Han characters: the basic block and extensions A and B-F (song100 has one from ext. B).
CJK = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002ebef]+")
RECORD_SEP = re.compile(r"\n%[ \t]*\n")  # one separator in song100 has trailing spaces
# Line-ending punctuation of the verse; "、" occurs once as a typo for "，" (《长安遇冯著》).
LINE_BREAKS = re.compile(r"[，。？！；：、,.?!;:]")
QUOTES = str.maketrans("", "", "“”‘’「」『』《》〈〉\"'")
TITLE_FIXES = str.maketrans({"・": "·", ",": "，", ".": "。"})

# Volume boundaries of 唐诗三百首 as this file orders it: the first title of each volume.
SECTIONS = (("古体", "感遇·其一"), ("律诗", "经邹鲁祭孔子而叹之"), ("绝句", "鹿柴"))

# Author names misspelt in the source file, corrected here: (title, name in file) -> name.
AUTHOR_FIXES = {
    ("阙题", "刘脊虚"): "刘昚虚",
    ("没蕃故人", "张藉"): "张籍",
    ("送李端", "卢伦"): "卢纶",
    ("古意呈补阙乔知之", "沈全期"): "沈佺期",
    ("寒食", "韩翎"): "韩翃",
    ("已凉", "韩翎"): "韩偓",
}

FORM_ORDER = ("五言绝句", "七言绝句", "五言律诗", "七言律诗", "五言古诗", "七言古诗", "杂言古诗")


def download(tmp: Path) -> tuple[Path, str]:
    """apt-get download fortunes-zh into tmp and extract it; return (fortunes dir, version)."""
    subprocess.run(["apt-get", "download", PACKAGE], cwd=tmp, check=True)
    debs = sorted(tmp.glob(f"{PACKAGE}_*.deb"))
    if len(debs) != 1:
        raise RuntimeError(f"expected one {PACKAGE} .deb in {tmp}, found {debs}")
    version = subprocess.run(
        ["dpkg-deb", "-f", str(debs[0]), "Version"], check=True, capture_output=True, text=True
    ).stdout.strip()
    subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(tmp / "x")], check=True)
    return tmp / "x" / FORTUNES, version


def split_lines(verse: str) -> list[str]:
    """Verse text (punctuation, newlines) -> its lines (句) without punctuation or quotes."""
    text = "".join(verse.split()).translate(QUOTES)
    return [part for part in LINE_BREAKS.split(text) if part]


def classify(lines: list[str], section: str) -> str:
    lengths = {len(line) for line in lines}
    size = {5: "五言", 7: "七言"}.get(next(iter(lengths))) if len(lengths) == 1 else None
    kind = {4: "绝句", 8: "律诗"}.get(len(lines))
    if section == "宋诗":  # no volumes to go by: the shape alone decides
        return size + kind if size and kind else (f"{size}古诗" if size else "杂言古诗")
    if section == "古体":
        return f"{size}古诗" if size else "杂言古诗"
    if size is None or kind != section:
        raise ValueError(f"a poem of the {section} volume has line lengths {sorted(lengths)}")
    return size + kind


def parse(text: str) -> list[dict]:
    """The tang300 fortune file -> list of poems {title, author, form, section, lines, preface}."""
    if "\x1b" not in text or "%" not in text:
        raise ValueError("this does not look like the fortunes-zh tang300 file")
    poems = []
    section_starts = {title: name for name, title in SECTIONS}
    section = None
    for record in RECORD_SEP.split(text):
        rows = [ANSI.sub("", row).rstrip() for row in record.strip("\n").split("\n")]
        if not any(rows):
            continue
        head, byline, body = rows[0], rows[1], rows[2:]
        if not (head.startswith("《") and head.endswith("》") and byline.startswith("作者：")):
            raise ValueError(f"unexpected record head: {rows[:2]}")
        title = head[1:-1].translate(TITLE_FIXES)
        author = byline[len("作者：") :].strip()
        author = AUTHOR_FIXES.get((title, author), author)
        section = section_starts.get(title, section)
        if section is None:
            raise ValueError(f"first poem {title!r} is not the start of a volume")
        preface = ""
        blank = [i for i, row in enumerate(body) if not row.strip()]
        if blank:  # a prose preface (并序) comes first, separated by a blank line
            preface = "".join(row.strip() for row in body[: blank[0]])
            body = body[blank[0] + 1 :]
        lines = split_lines("\n".join(body))
        if not lines or not all(map(CJK.fullmatch, lines)):
            raise ValueError(f"{title}: lines must be non-empty CJK text, got {lines}")
        poems.append(
            {
                "title": title,
                "author": author,
                "form": classify(lines, section),
                "section": section,
                "lines": lines,
                "preface": preface,
            }
        )
    seen = [p["section"] for p in poems]
    if [s for i, s in enumerate(seen) if i == 0 or s != seen[i - 1]] != [n for n, _ in SECTIONS]:
        raise ValueError("volume boundaries not found in the expected order")
    return poems


def parse_song(text: str) -> list[dict]:
    """The song100 fortune file (Song-dynasty 诗, not 词) -> list of poems, same fields.

    Records of several poems (headed ``其一``, ``其二`` inside the record) become one poem
    each, titled ``…·其一``; a ``其二`` after the title's 《》 is appended the same way;
    ``二首`` and ``（选一）`` are dropped. The author's dates in full-width digits are dropped.
    """
    if "\x1b" not in text or "%" not in text:
        raise ValueError("this does not look like the fortunes-zh song100 file")
    poems = []
    for record in RECORD_SEP.split(text):
        rows = [ANSI.sub("", row).rstrip() for row in record.strip("\n").split("\n")]
        if not any(rows):
            continue
        head, byline, body = rows[0], rows[1], rows[2:]
        match = re.fullmatch(r"题目:《(.+?)》(.*)", head)
        if not match or not byline.startswith("作者:"):
            raise ValueError(f"unexpected record head: {rows[:2]}")
        title, suffix = match.group(1).translate(TITLE_FIXES), match.group(2).strip()
        if re.fullmatch(r"其[一二三四五六七八九十]+", suffix):
            title += "·" + suffix
        author = re.split(r"[（〔(]", byline[len("作者:") :], maxsplit=1)[0].strip()
        parts, name, current = [], None, []
        for row in body:
            if re.fullmatch(r"其[一二三四五六七八九十]+", row.strip()):
                if current:
                    parts.append((name, current))
                name, current = row.strip(), []
            elif row.strip():
                current.append(row)
        parts.append((name, current))
        for name, rows_ in parts:
            lines = split_lines("\n".join(rows_))
            if not lines or not all(map(CJK.fullmatch, lines)):
                raise ValueError(f"{title}: lines must be non-empty CJK text, got {lines}")
            poems.append(
                {
                    "title": title + (f"·{name}" if name else ""),
                    "author": author,
                    "form": classify(lines, "宋诗"),
                    "section": "宋诗",
                    "lines": lines,
                    "preface": "",
                }
            )
    return poems


def couplet_count(poems: list[dict]) -> int:
    return 2 * sum(p["form"].endswith("律诗") for p in poems)


def source_md(poems: list[dict], song: list[dict], version: str, sha: dict) -> str:
    forms = collections.Counter(p["form"] for p in poems)
    sections = collections.Counter(p["section"] for p in poems)
    n_lines = sum(len(p["lines"]) for p in poems)
    n_chars = sum(len(line) for p in poems for line in p["lines"])
    n_distinct = len({ch for p in poems for line in p["lines"] for ch in line})
    fixes = "\n".join(
        f"| 《{title}》 | {wrong} | {right} |" for (title, wrong), right in AUTHOR_FIXES.items()
    )
    form_rows = "\n".join(f"| {f} | {forms[f]} |" for f in FORM_ORDER if forms[f])
    song_forms = collections.Counter(p["form"] for p in song)
    song_rows = "\n".join(f"| {f} | {song_forms[f]} |" for f in FORM_ORDER if song_forms[f])
    return f"""# Data shipped with rnn_book

## tang300.json — 唐诗三百首 (300 Tang poems)

- **Source**: Debian package `{PACKAGE}` version {version} (Debian native package of the
  Debian Chinese Team, <https://salsa.debian.org/chinese-team/fortunes-zh>), file
  `/{FORTUNES}/tang300`: the anthology 唐诗三百首 (compiled by 蘅塘退士, 1763) as UTF-8
  fortune cookies with ANSI colour codes.
- **sha256 of that file**: `{sha["tang300"]}`
- **Licence**: the poems were written in the 7th-10th centuries and are in the public domain.
  The Debian package as a whole is distributed under GPL-3.0-or-later; this file keeps only
  the poem texts, titles and author names, re-parsed and normalised.
- **Regenerate**: `python scripts/make_tang300.py` (runs `apt-get download {PACKAGE}` and
  `dpkg-deb -x` in a temporary directory), or `python scripts/make_tang300.py path/to/tang300`
  for an already extracted file. The output is deterministic.
- **Format**: a JSON list, in the anthology's order, of objects
  `{{"title", "author", "form", "section", "lines", "preface"}}`. `lines` are the verse lines
  (句) without punctuation or quotation marks; `preface` is the prose preface of the poems
  whose title ends in 并序 (empty otherwise).
- **Processing**: ANSI colour codes removed; records split at `%`; the preface is what precedes
  the first blank line of a record; the verse is split into lines at ，。？！；：、; quotation
  marks removed; `・` in titles written `·`, ASCII `,` `.` in two long titles written `，` `。`.
  Obvious misspellings of author names in the source are corrected:

| poem | in the source | here |
|---|---|---|
{fixes}

  The verse text itself is kept as in the source (it has a few typos of its own, e.g.
  《琵琶行》 妆成每被秋娘炉 for 妒).
- **Classification**: `section` is the anthology volume (古体 = old-style verse and 乐府,
  律诗 = regulated verse, 绝句 = quatrains), read from the file's order. `form` is the shape:
  五言/七言 (5 or 7 characters per line) + 绝句 (4 lines) or 律诗 (8 lines) for the 律诗 and
  绝句 volumes; poems of the 古体 volume are 五言古诗/七言古诗 (equal lines) or 杂言古诗
  (mixed), even when they have 8 lines of 5 characters. Tonal rules (平仄) are not checked.
- **Counts**: {len(poems)} poems ({", ".join(f"{s} {sections[s]}" for s, _ in SECTIONS)}),
  {n_lines} lines, {n_chars} characters, {n_distinct} distinct characters;
  {couplet_count(poems)} couplets (颔联 and 颈联 of the 律诗).

| form | poems |
|---|---|
{form_rows}

## song100.json — 宋诗 (Song-dynasty poems)

- **Source**: the same package, file `/{FORTUNES}/song100`.
- **sha256 of that file**: `{sha["song100"]}`
- **What it is**: despite the package description ("100 Song Poems") these are 宋诗, shi
  poetry of the Song dynasty (960-1279), not 宋词 (ci lyrics). Public domain, like the Tang
  poems.
- **Processing**: as above; records holding several poems (其一, 其二) are split into one poem
  each (titles `…·其一`); `（选一）` and `二首` after titles are dropped; the author's dates
  are dropped. There are no volumes, so `section` is `宋诗` and `form` is the shape alone
  (8 equal lines = 律诗, 4 = 绝句, other equal lines = 古诗, mixed = 杂言古诗).
- **Counts**: {len(song)} poems, {sum(len(p["lines"]) for p in song)} lines,
  {couplet_count(song)} couplets (颔联 and 颈联 of the 律诗).

| form | poems |
|---|---|
{song_rows}

## Generated data (no file: computed by seeded code)

`rnn_book.data.sentiment_reviews`, `stock_random_walk`, `hello_example`, `adding_problem` and
`copy_task` generate their data from a seed each time they are called. They are synthetic,
not real reviews or real prices; their docstrings describe the generating process.
"""


def write_json(path: Path, poems: list[dict]) -> None:
    # One poem per line: small, and a regenerated file diffs poem by poem.
    rows = [json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in poems]
    path.write_text("[\n" + ",\n".join(rows) + "\n]\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "tang300",
        nargs="?",
        help="an extracted tang300 file, song100 beside it (default: download)",
    )
    ap.add_argument("--version", default=None, help="package version to record with a path")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        if args.tang300:
            folder, version = Path(args.tang300).parent, args.version or "unknown (pass --version)"
            tang_path = Path(args.tang300)
        else:
            folder, version = download(Path(tmp))
            tang_path = folder / "tang300"
        raw = {"tang300": tang_path.read_bytes(), "song100": (folder / "song100").read_bytes()}
    poems = parse(raw["tang300"].decode("utf-8"))
    song = parse_song(raw["song100"].decode("utf-8"))
    sha = {name: hashlib.sha256(data).hexdigest() for name, data in raw.items()}

    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "tang300.json", poems)
    write_json(args.out / "song100.json", song)
    text = source_md(poems, song, version, sha)
    old = args.out / "SOURCE.md"
    if old.exists():  # keep the sections other scripts write (make_bach.py: bach_chorales.json)
        kept = re.search(
            r"^## bach_chorales\.json.*?(?=^## |\Z)",
            old.read_text(encoding="utf-8"),
            re.DOTALL | re.MULTILINE,
        )
        if kept:
            text = text.replace(
                "\n## Generated data", "\n" + kept.group(0) + "## Generated data", 1
            )
    (args.out / "SOURCE.md").write_text(text, encoding="utf-8")
    for name, ps in (("tang300", poems), ("song100", song)):
        forms = collections.Counter(p["form"] for p in ps)
        print(f"{name}: {len(ps)} poems, {couplet_count(ps)} couplets", file=sys.stderr)
        for form in FORM_ORDER:
            print(f"  {form}: {forms[form]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
