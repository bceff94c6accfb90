"""The book's one visual language for RNN diagrams, shared by every figure and widget.

- The three shared matrices always have the same colour: U (x -> h) blue, W (h -> h) orange,
  V (h -> output) green. Edges that carry data without a weight matrix (an output fed back as
  the next input, a context vector, a concatenation) are grey and dashed.
- Node kinds always have the same shape: inputs are squares, hidden states are circles,
  outputs are diamonds. A hollow (white, dashed) node has no output of its own.
- Figure text is mathtext or English only: matplotlib's default font has no CJK glyphs, so
  Chinese goes into the captions of the book, never into a figure.

The palette is the colour-blind-safe Okabe-Ito set, so blue/orange/green stay distinguishable.
"""

from __future__ import annotations

__all__ = [
    "DATA_COLOR",
    "HIGHLIGHT_COLOR",
    "MATRIX_COLORS",
    "NODE_RADIUS",
    "NODE_STYLE",
    "matrix_color",
]

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
