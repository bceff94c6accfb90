"""The book's one visual language for RNN diagrams, shared by every figure and widget.

- The three shared matrices always have the same colour: U (x -> h) blue, W (h -> h) orange,
  V (h -> output) green. Edges that carry data without a weight matrix (an output fed back as
  the next input, a context vector, a concatenation) are grey and dashed.
- Node kinds always have the same shape: inputs are squares, hidden states are circles,
  outputs are diamonds. A hollow (white, dashed) node has no output of its own.
- Figure text may be Chinese. matplotlib's default font (DejaVu Sans) has no CJK glyphs and
  many machines have no CJK font at all, so the package ships its own: ``fonts/`` holds
  ``NotoSansSC-book.ttf``, the family ``RNN Book Sans SC`` (a subset of Noto Sans CJK SC, SIL
  Open Font License, made by ``scripts/make_fonts.py``; see ``fonts/SOURCE.md``). Importing
  this module (so any ``rnn_book.figures`` module) registers it and puts it right after DejaVu
  Sans in ``font.family``: Latin text keeps DejaVu Sans, and every character DejaVu Sans lacks
  (Chinese, full-width punctuation) falls back to the book font, with no missing-glyph warning.
  The subset holds every character of the book, the package and its corpora; mathtext
  (``$...$``) has its own fonts, so keep Chinese outside the dollars.

The palette is the colour-blind-safe Okabe-Ito set, so blue/orange/green stay distinguishable.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
from matplotlib import font_manager

__all__ = [
    "BOOK_FONT_FAMILY",
    "BOOK_FONT_FILE",
    "DATA_COLOR",
    "HIGHLIGHT_COLOR",
    "MATRIX_COLORS",
    "NODE_RADIUS",
    "NODE_STYLE",
    "matrix_color",
    "use_book_font",
]

#: The book's CJK font, shipped inside the package (see ``fonts/SOURCE.md``).
BOOK_FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-book.ttf"
#: Its family name, as matplotlib (and the pages' CSS) know it.
BOOK_FONT_FAMILY = "RNN Book Sans SC"
#: The Latin font that stays first: matplotlib's default, so figures look as before.
LATIN_FAMILY = "DejaVu Sans"

#: Colour of every edge that applies U, W or V (or one of their per-layer/per-direction variants).
MATRIX_COLORS: dict[str, str] = {
    "U": "#0072B2",  # blue
    "W": "#E69F00",  # orange
    "V": "#009E73",  # green
}
#: Colour of edges that carry data without a weight matrix (feedback, context, concatenation).
DATA_COLOR = "#666666"
#: Colour used to highlight the current time step.
HIGHLIGHT_COLOR = "#CC79A7"
#: Half the size of a node in data units (diagrams use unit spacing between time steps).
NODE_RADIUS = 0.28

#: Shape, fill and edge colour per node kind.
NODE_STYLE: dict[str, dict[str, str]] = {
    "input": {"shape": "square", "face": "#E8E8E8", "edge": "#333333"},
    "state": {"shape": "circle", "face": "#FFF1C9", "edge": "#333333"},
    "output": {"shape": "diamond", "face": "#D6F0E6", "edge": "#333333"},
}


def matrix_color(matrix: str | None) -> str:
    """Colour of an edge that applies ``matrix`` ("U", "W", "V") or carries data (None)."""
    if matrix is None:
        return DATA_COLOR
    if matrix not in MATRIX_COLORS:
        raise ValueError(f"matrix: expected one of 'U', 'W', 'V' or None, got {matrix!r}")
    return MATRIX_COLORS[matrix]


def use_book_font() -> None:
    """Register the packaged CJK font with matplotlib and make figures fall back to it.

    Idempotent. Sets ``font.family`` to ``["DejaVu Sans", "RNN Book Sans SC", "sans-serif"]``:
    matplotlib resolves each family to one file and falls back glyph by glyph along that list
    (a generic family such as "sans-serif" alone resolves to a single font, with no fallback).
    The book font is also added to ``font.sans-serif`` after DejaVu Sans.
    """
    path = str(BOOK_FONT_FILE)
    manager = font_manager.fontManager
    if not any(entry.fname == path for entry in manager.ttflist):
        manager.addfont(path)
    rc = matplotlib.rcParams
    family = [f for f in rc["font.family"] if f not in (LATIN_FAMILY, BOOK_FONT_FAMILY)]
    rc["font.family"] = [LATIN_FAMILY, BOOK_FONT_FAMILY] + (family or ["sans-serif"])
    sans = [f for f in rc["font.sans-serif"] if f not in (LATIN_FAMILY, BOOK_FONT_FAMILY)]
    rc["font.sans-serif"] = [LATIN_FAMILY, BOOK_FONT_FAMILY, *sans]


use_book_font()
