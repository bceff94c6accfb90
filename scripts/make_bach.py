#!/usr/bin/env python3
"""Build src/rnn_book/data/bach_chorales.json: soprano lines of J. S. Bach's chorales.

Usage (from the repository root, with music21 installed: ``pip install music21``)::

    python scripts/make_bach.py

music21 is needed only here, never by the package or its tests. The script walks music21's
list of the 371 four-part chorales in Riemenschneider's order
(``music21.corpus.chorales.Iterator``), parses each score from the corpus that ships inside
the music21 wheel (``music21/corpus/bach/*.mxl``, a few ``.krn``/``.xml``), and keeps only the
soprano part:

* ties are merged (``stripTies``): a tied note is one note with the summed duration;
* grace notes (duration 0) are dropped; a chord in the soprano (none expected) gives its top note;
* rests are dropped (they are rare: a pickup rest or a rest between phrases), and counted;
* a fermata on a note is kept as that note's index in ``fermatas`` (the chorales mark their
  phrase ends with fermatas);
* repeats are not expanded: the line is read as notated;
* every chorale is transposed so its key (music21's Krumhansl-Schmuckler estimate over all
  four parts, ``score.analyze("key")``) becomes C major or A minor, by the smallest shift
  (-6..+5 semitones), so the register stays close to the original;
* a score listed under two Riemenschneider numbers is kept once (the first number).

``group`` joins chorales that share a tune, so a split can keep them on one side: two
chorales are in one group if their titles are equal or their first 12 notes (pitch and
duration, after transposition) are equal (union of both relations). The output is
deterministic; the SHA-256 of the written file is recorded in ``SOURCE.md``, whose
``bach_chorales.json`` section this script (re)writes.
"""

from __future__ import annotations

import collections
import hashlib
import json
import re
import sys
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "src" / "rnn_book" / "data"
JSON_NAME = "bach_chorales.json"
SECTION = f"## {JSON_NAME}"
PREFIX_NOTES = 12  # equal first notes -> same tune (see group)


def key_shift(tonic_pc: int, mode: str) -> int:
    """Semitones that move a key with tonic pitch class ``tonic_pc`` to C major / A minor."""
    target = 0 if mode == "major" else 9
    shift = (target - tonic_pc) % 12
    return shift - 12 if shift > 5 else shift


def soprano_part(score):
    for part in score.parts:
        name = (part.partName or part.id or "").strip().lower()
        if name.startswith("soprano") or name in ("s", "s.", "sopran"):
            return part
    # Humdrum (.krn) spines have no names: the soprano is the part with the highest mean pitch.
    if all(not part.partName for part in score.parts):
        return max(score.parts, key=lambda p: _mean_pitch(p))
    names = [(p.id, p.partName) for p in score.parts]
    raise ValueError(f"no soprano part among {names}")


def _mean_pitch(part) -> float:
    midis = [p.midi for n in part.recurse().notes for p in n.pitches]
    return sum(midis) / max(1, len(midis))


def extract(score) -> tuple[dict, int]:
    """A parsed chorale -> (record without names, number of rests dropped)."""
    from music21 import chord, expressions, note

    key = score.analyze("key")
    shift = key_shift(key.tonic.pitchClass, key.mode)
    part = soprano_part(score).stripTies()
    pitches, durations, fermatas, rests = [], [], [], 0
    for el in part.recurse().notesAndRests:
        ql = float(el.quarterLength)
        if ql == 0:  # grace note
            continue
        if isinstance(el, note.Rest):
            rests += 1
            continue
        if isinstance(el, chord.Chord):
            midi = max(p.midi for p in el.pitches)
        elif isinstance(el, note.Note):
            midi = el.pitch.midi
        else:
            raise TypeError(f"unexpected element {el!r}")
        if any(isinstance(e, expressions.Fermata) for e in el.expressions):
            fermatas.append(len(pitches))
        pitches.append(int(midi + shift))
        durations.append(round(ql, 4))
    ts = score.recurse().getElementsByClass("TimeSignature").first()
    record = {
        "key": f"{key.tonic.name} {key.mode}",
        "shift": shift,
        "time": ts.ratioString if ts is not None else "",
        "pitches": pitches,
        "durations": [int(d) if d == int(d) else d for d in durations],
        "fermatas": fermatas,
    }
    return record, rests


def assign_groups(records: list[dict]) -> None:
    """Union-find over 'same title' and 'same first notes'; group ids in order of appearance."""
    parent = list(range(len(records)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for keyfunc in (
        lambda r: r["title"].strip().lower(),
        lambda r: tuple(zip(r["pitches"][:PREFIX_NOTES], r["durations"][:PREFIX_NOTES])),
    ):
        first = {}
        for i, r in enumerate(records):
            k = keyfunc(r)
            if k in first:
                parent[find(i)] = find(first[k])
            else:
                first[k] = i
    ids = {}
    for i, r in enumerate(records):
        r["group"] = ids.setdefault(find(i), len(ids))


def write_json(path: Path, meta: dict, records: list[dict]) -> bytes:
    # One chorale per line: compact, and a regenerated file diffs chorale by chorale.
    rows = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]
    text = (
        '{"meta":'
        + json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
        + ',\n"chorales":[\n'
        + ",\n".join(rows)
        + "\n]}\n"
    )
    data = text.encode("utf-8")
    path.write_bytes(data)
    return data


def source_section(meta: dict, records: list[dict], sha: str, stats: dict) -> str:
    n_notes = sum(len(r["pitches"]) for r in records)
    lo = min(min(r["pitches"]) for r in records)
    hi = max(max(r["pitches"]) for r in records)
    modes = collections.Counter(r["key"].split()[1] for r in records)
    durs = collections.Counter(d for r in records for d in r["durations"])
    dur_row = ", ".join(f"{d}: {c}" for d, c in sorted(durs.items()))
    return f"""{SECTION} — soprano lines of J. S. Bach's chorales

- **Source**: the corpus inside the PyPI package `music21` version {meta["music21"]}
  (<https://github.com/cuthbertLab/music21>), directory `music21/corpus/bach/`: the four-part
  chorales listed by `music21.corpus.chorales.Iterator()` in Riemenschneider's order
  ({stats["listed"]} numbers, {stats["files"]} distinct scores; mostly MusicXML `.mxl`, a few
  Humdrum `.krn` and `.xml`). Their credits read "Harmonized by J.S. Bach" and
  "PDF © 2004 Margaret Greentree" (www.jsbchorales.net), some "used by permission".
- **Licence**: the compositions (J. S. Bach, 1685-1750) are in the public domain. About the
  encodings, music21's `corpus/license.txt` says that the corpus is "distributed with the
  permission of the encoders", that "some encodings included in the corpus may not be used for
  commercial uses or have other restrictions", that to the best of the authors' knowledge each
  piece "is either out of copyright in the United States or is licensed for use, though there
  may be restrictions on commercial use", and that the encodings "may be under copyright but
  have been licensed for use". The individual files carry no licence of their own beyond the
  © notice above. This file keeps none of the encodings' layout, text or harmony: only the
  soprano's pitch and duration sequence of each chorale (facts of the public-domain melody),
  transposed, plus the catalogue numbers and the titles.
- **sha256 of `{JSON_NAME}`**: `{sha}` (checked by `tests/test_bach.py`).
- **Regenerate**: `pip install music21=={meta["music21"]}` then `python scripts/make_bach.py`
  (music21 is not a dependency of the package). The output is deterministic.
- **Format**: a JSON object `{{"meta": {{...}}, "chorales": [...]}}`; each chorale is
  `{{"riemenschneider", "bwv", "title", "key", "shift", "time", "pitches", "durations",
  "fermatas", "group"}}`: `key` is the estimated key before transposition, `shift` the
  semitones added, `pitches` MIDI numbers after transposition (60 = C4), `durations` in
  quarter notes, `fermatas` the indices of notes with a fermata, `group` the tune group.
- **Processing**: soprano part only; ties merged; grace notes and rests dropped
  ({stats["rests"]} rests); repeats not expanded; transposed to C major / A minor (key from
  music21's `analyze("key")`, smallest shift); a score listed twice kept once; `group` joins
  chorales with the same title or the same first {PREFIX_NOTES} notes. Fermatas kept as note
  indices.
- **Counts**: {len(records)} chorales ({modes["major"]} major, {modes["minor"]} minor),
  {len({r["group"] for r in records})} tune groups, {n_notes} notes, MIDI pitches
  {lo}-{hi}. Durations (quarter notes: notes): {dur_row}.
"""


def update_source_md(path: Path, section: str) -> None:
    """Replace (or insert before '## Generated data') the Bach section of SOURCE.md."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Data shipped with rnn_book\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    elif "\n## Generated data" in text:
        text = text.replace("\n## Generated data", "\n" + section + "\n## Generated data", 1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> int:
    import music21
    from music21 import corpus

    catalogue = corpus.chorales.ChoraleListRKBWV().byRiemenschneider
    records, seen, rests, listed = [], set(), 0, 0
    # The file names of corpus.chorales.Iterator(returnType="filename"), built the same way.
    for number in sorted(catalogue):
        name = f"bach/bwv{catalogue[number]['bwv']}"
        listed += 1
        if name in seen:
            continue
        seen.add(name)
        record, n_rests = extract(corpus.parse(name))
        rests += n_rests
        info = catalogue[number]
        records.append(
            {
                "riemenschneider": int(number),
                "bwv": str(info["bwv"]),
                "title": info["title"],
                **record,
            }
        )
        print(
            f"{number:3d} {name:<18} {record['key']:<10} {len(record['pitches'])} notes",
            file=sys.stderr,
        )
    assign_groups(records)
    meta = {
        "source": "music21 corpus, music21/corpus/bach (chorales.Iterator, Riemenschneider order)",
        "music21": music21.__version__,
        "transposed_to": "C major / A minor",
        "pitch": "MIDI number (60 = C4)",
        "duration": "quarter notes",
    }
    path = OUT_DIR / JSON_NAME
    data = write_json(path, meta, records)
    sha = hashlib.sha256(data).hexdigest()
    stats = {"listed": listed, "files": len(seen), "rests": rests}
    update_source_md(OUT_DIR / "SOURCE.md", source_section(meta, records, sha, stats))
    print(f"{path}: {len(data)} bytes, sha256 {sha}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
