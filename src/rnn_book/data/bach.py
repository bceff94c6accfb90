"""Soprano lines of J. S. Bach's four-part chorales, shipped with the package (no download).

``bach_chorales.json`` was extracted by ``scripts/make_bach.py`` from the corpus inside the
``music21`` package (provenance, licence notes and the file's SHA-256 in ``SOURCE.md``); it
is read with ``importlib.resources``. Each chorale's soprano is a sequence of notes, each a
MIDI pitch (60 = C4) and a duration in quarter notes. Every chorale is transposed to C major
or A minor; ties are merged, rests and grace notes dropped, repeats not expanded.

Chorales that share a tune (the same hymn melody harmonised several times, e.g. "O Haupt voll
Blut und Wunden" and "Befiehl du deine Wege") have the same ``group``; ``split_chorales``
keeps a group on one side, so no held-out melody was seen in training under another name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["Chorale", "chorale_source", "load_chorales", "split_chorales"]

_FILE = "bach_chorales.json"


@dataclass(frozen=True)
class Chorale:
    """The soprano line of one chorale, transposed to C major or A minor.

    pitches : tuple of N int, MIDI numbers (60 = C4) after transposition.
    durations : tuple of N float, in quarter notes (1.0 = a crotchet), ties merged.
    fermatas : indices (into the N notes) of the notes that carry a fermata (phrase ends).
    riemenschneider : number in Riemenschneider's edition (1-371); bwv : BWV number (str).
    key : music21's estimate of the original key (e.g. "G major"); shift : semitones added.
    time : time signature (e.g. "4/4"); group : tune group (equal for the same melody).
    """

    riemenschneider: int
    bwv: str
    title: str
    key: str
    shift: int
    time: str
    pitches: tuple[int, ...]
    durations: tuple[float, ...]
    fermatas: tuple[int, ...]
    group: int

    @property
    def mode(self) -> str:
        """ "major" (now in C major) or "minor" (now in A minor)."""
        return self.key.split()[-1]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(pitches (N,) int64, durations (N,) float64), new arrays owned by the caller."""
        return (
            np.array(self.pitches, dtype=np.int64),
            np.array(self.durations, dtype=np.float64),
        )

    def onsets(self) -> np.ndarray:
        """(N,) float64: start time of each note in quarter notes from the first note."""
        d = np.array(self.durations, dtype=np.float64)
        return np.concatenate([[0.0], np.cumsum(d)[:-1]])


@lru_cache(maxsize=1)
def _raw() -> dict:
    text = resources.files("rnn_book.data").joinpath(_FILE).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _corpus() -> tuple[Chorale, ...]:
    return tuple(
        Chorale(
            riemenschneider=int(c["riemenschneider"]),
            bwv=str(c["bwv"]),
            title=c["title"],
            key=c["key"],
            shift=int(c["shift"]),
            time=c["time"],
            pitches=tuple(int(p) for p in c["pitches"]),
            durations=tuple(float(d) for d in c["durations"]),
            fermatas=tuple(int(i) for i in c["fermatas"]),
            group=int(c["group"]),
        )
        for c in _raw()["chorales"]
    )


def load_chorales(mode: str | None = None) -> list[Chorale]:
    """The 350 chorales (Riemenschneider order, each score once) as frozen ``Chorale`` objects.

    mode : None (all), "major" (transposed to C major) or "minor" (transposed to A minor).
    Returns a new list.
    """
    if mode not in (None, "major", "minor"):
        raise ValueError(f"mode: expected None, 'major' or 'minor', got {mode!r}")
    return [c for c in _corpus() if mode is None or c.mode == mode]


def chorale_source() -> dict[str, str]:
    """The provenance stored in the JSON file: source, music21 version, units (a new dict)."""
    return dict(_raw()["meta"])


def split_chorales(chorales=None, valid: float = 0.1, test: float = 0.1, seed: int = 0):
    """Split chorales into (train, valid, test) lists by whole tune group; same seed, same split.

    Parameters
    ----------
    chorales : list of ``Chorale`` (default: ``load_chorales()``).
    valid, test : fractions of the chorales, approximately: whole groups are drawn in a
        seeded random order until each side holds at least that many chorales.
    seed : the seed of that order.

    Returns
    -------
    tuple : three lists of ``Chorale`` in corpus order; no tune group is on two sides.
    """
    chorales = load_chorales() if chorales is None else list(chorales)
    for c in chorales:
        if not isinstance(c, Chorale):
            raise TypeError(f"chorales: expected Chorale objects, got {type(c).__name__}")
    for name, frac in (("valid", valid), ("test", test)):
        if isinstance(frac, bool) or not isinstance(frac, (int, float)) or not 0 < frac < 1:
            raise ValueError(f"{name}: expected a fraction in (0, 1), got {frac!r}")
    if valid + test >= 1:
        raise ValueError(f"valid + test: expected < 1, got {valid + test}")
    groups = sorted({c.group for c in chorales})
    if len(groups) < 3:
        raise ValueError(f"chorales: expected at least 3 tune groups, got {len(groups)}")
    sizes = {g: 0 for g in groups}
    for c in chorales:
        sizes[c.group] += 1
    order = np.random.default_rng(seed).permutation(len(groups))
    side, counts = {}, {"test": 0, "valid": 0}
    targets = {"test": test * len(chorales), "valid": valid * len(chorales)}
    for i in order:
        g = groups[i]
        name = next((n for n in ("test", "valid") if counts[n] < targets[n]), "train")
        side[g] = name
        if name != "train":
            counts[name] += sizes[g]
    parts = {"train": [], "valid": [], "test": []}
    for c in chorales:
        parts[side[c.group]].append(c)
    return parts["train"], parts["valid"], parts["test"]
