"""唐诗三百首 (and 101 宋诗), shipped with the package: poems, lines, couplets of regulated verse.

The corpus (``tang300.json``, built by ``scripts/make_tang300.py`` from Debian's
``fortunes-zh``; provenance in ``SOURCE.md``) is read with ``importlib.resources``: no network,
no file outside the package. Lines (句) are stored without punctuation.

A ``form`` is the poem's shape: 五言/七言 + 绝句 (4 lines) or 律诗 (8 lines) for the
anthology's quatrain and regulated-verse volumes; 五言古诗/七言古诗/杂言古诗 for its
old-style volume.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = [
    "FORMS",
    "SECTIONS",
    "Poem",
    "couplets",
    "load_song100",
    "load_tang300",
    "poem_lines",
]

#: The poem forms of 唐诗三百首, as in ``Poem.form``.
FORMS = ("五言绝句", "七言绝句", "五言律诗", "七言律诗", "五言古诗", "七言古诗", "杂言古诗")
#: The anthology's sections (古体, 律诗, 绝句), as in ``Poem.section``.
SECTIONS = ("古体", "律诗", "绝句")


@dataclass(frozen=True)
class Poem:
    """One poem. ``lines``: its lines (句), no punctuation; ``index``: position in the anthology.

    ``section`` is the anthology volume (古体, 律诗, 绝句); ``preface`` the prose preface of a
    poem titled …并序 ("" otherwise).
    """

    title: str
    author: str
    form: str
    lines: tuple[str, ...]
    section: str = ""
    preface: str = ""
    index: int = -1

    @property
    def text(self) -> str:
        """The verse with normalised punctuation, "，" after odd lines and "。" after even ones.

        The source's ？！； are not kept, so every poem uses the same two marks.
        """
        marks = ("，", "。")
        body = "".join(line + marks[i % 2] for i, line in enumerate(self.lines))
        return body if len(self.lines) % 2 == 0 else body[:-1] + "。"

    @property
    def line_length(self) -> int | None:
        """Characters per line if all lines are equally long (5 or 7 here), else None."""
        lengths = {len(line) for line in self.lines}
        return lengths.pop() if len(lengths) == 1 else None


@lru_cache(maxsize=2)
def _corpus(name: str = "tang300") -> tuple[Poem, ...]:
    raw = resources.files("rnn_book.data").joinpath(f"{name}.json").read_text(encoding="utf-8")
    return tuple(
        Poem(
            title=p["title"],
            author=p["author"],
            form=p["form"],
            lines=tuple(p["lines"]),
            section=p["section"],
            preface=p["preface"],
            index=i,
        )
        for i, p in enumerate(json.loads(raw))
    )


def _as_choice(name: str, value, allowed: tuple[str, ...]) -> set[str] | None:
    """None, one name or an iterable of names from ``allowed`` -> a set (None: no filter)."""
    if value is None:
        return None
    values = {value} if isinstance(value, str) else set(value)
    bad = sorted(v for v in values if v not in allowed)
    if bad or not values:
        raise ValueError(f"{name}: expected one or more of {allowed}, got {value!r}")
    return values


def load_tang300(form=None, section=None) -> list[Poem]:
    """The poems of 唐诗三百首, in the anthology's order (313 poems).

    form : None (all), one of ``FORMS`` (e.g. "五言绝句") or an iterable of them.
    section : None (all), one of ``SECTIONS`` ("古体", "律诗", "绝句") or an iterable of them.
    Returns a new list of frozen ``Poem`` objects.
    """
    forms = _as_choice("form", form, FORMS)
    sections = _as_choice("section", section, SECTIONS)
    return [
        p
        for p in _corpus()
        if (forms is None or p.form in forms) and (sections is None or p.section in sections)
    ]


def load_song100(form=None) -> list[Poem]:
    """Song-dynasty poems (宋诗, not 宋词) from the same Debian package: 101 poems.

    Mostly 七言绝句 and 七言律诗; ``section`` is "宋诗" and ``form`` the shape alone. Useful as
    text from another era (a held-out test of a model trained on Tang poems) and as 96 more
    couplets: ``couplets(load_song100())``. form : as in ``load_tang300``.
    """
    forms = _as_choice("form", form, FORMS)
    return [p for p in _corpus("song100") if forms is None or p.form in forms]


def _check_poems(poems) -> list[Poem]:
    if poems is None:
        return list(_corpus())
    poems = list(poems)
    for p in poems:
        if not isinstance(p, Poem):
            raise TypeError(f"poems: expected Poem objects, got {type(p).__name__}")
    return poems


def poem_lines(chars: int = 5, poems=None) -> list[str]:
    """Every line of exactly ``chars`` characters, in corpus order (duplicates kept).

    chars : line length, e.g. 5 for the lines an acrostic model of 五言 verse learns from.
    poems : the poems to take lines from (e.g. a training split); default the whole corpus.
    Lines of old-style and regulated verse alike count; the result is a list of str.
    """
    if isinstance(chars, bool) or not isinstance(chars, int):
        raise TypeError(f"chars: expected an int, got {type(chars).__name__}")
    if chars < 1:
        raise ValueError(f"chars: expected a positive line length, got {chars}")
    return [line for p in _check_poems(poems) for line in p.lines if len(line) == chars]


def couplets(poems=None, chars: int | None = None) -> list[tuple[str, str]]:
    """(上联, 下联) pairs: the 颔联 (lines 3-4) and 颈联 (lines 5-6) of every 律诗.

    In regulated verse these two couplets must be parallel (对仗): the two lines have equal
    length and answer each other word class by word class. Lines carry no punctuation.

    Parameters
    ----------
    poems : poems to draw from (e.g. a training split, so couplets are split by poem);
        default the whole corpus. Poems that are not 五言律诗/七言律诗 contribute nothing.
    chars : None (both), 5 or 7: keep only couplets of that line length.

    Returns
    -------
    list : 2-tuples of equally long str, two per 律诗, in corpus order.
    """
    if chars is not None and chars not in (5, 7):
        raise ValueError(f"chars: expected None, 5 or 7, got {chars!r}")
    pairs = []
    for p in _check_poems(poems):
        if p.form not in ("五言律诗", "七言律诗") or len(p.lines) != 8:
            continue
        if chars is not None and p.line_length != chars:
            continue
        pairs.append((p.lines[2], p.lines[3]))  # 颔联
        pairs.append((p.lines[4], p.lines[5]))  # 颈联
    return pairs
