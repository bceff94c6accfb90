"""Small hand-written SVG pieces for widget frames: a few kB each, crisp, no font files.

Colours and shapes come from ``rnn_book.figures.style`` so a widget frame speaks the same
visual language as the matplotlib figures. Text may be Chinese: the SVG asks for DejaVu Sans
then the book's font (``RNN Book Sans SC``, loaded by the pages' CSS) for the CJK glyphs.
Coordinates are rounded to whole pixels: a page embeds a hundred frames, bytes matter.
"""

from __future__ import annotations

import html

import numpy as np

from rnn_book.figures.style import HIGHLIGHT_COLOR, NODE_STYLE, matrix_color

__all__ = ["arrow", "diverging", "grey", "heatmap", "node", "svg", "text", "text_units"]


def text_units(s) -> int:
    """Width of ``s`` in half-em units: 2 for a CJK or full-width character, 1 otherwise."""
    return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in str(s))


def text(x, y, s, *, size=12, color="#222", anchor="middle", weight="normal", sub=None):
    """A text element centred vertically at y; ``sub`` adds a subscript (h, sub 3: h_3)."""
    body = html.escape(str(s))
    if sub is not None:
        body += f'<tspan dy="3" font-size="{size * 0.75:.0f}">{html.escape(str(sub))}</tspan>'
    attrs = f'x="{x:.0f}" y="{y:.0f}" font-size="{size}"'
    if color != "#222":
        attrs += f' fill="{color}"'
    if anchor != "middle":
        attrs += f' text-anchor="{anchor}"'
    if weight != "normal":
        attrs += f' font-weight="{weight}"'
    return f"<text {attrs}>{body}</text>"


def node(kind: str, x, y, r=18, *, highlight=False, faded=False):
    """A node of ``kind`` ("input" square, "state" circle, "output" diamond) centred at (x, y)."""
    st = NODE_STYLE[kind]
    face = "#FFFFFF" if faded else st["face"]
    stroke = HIGHLIGHT_COLOR if highlight else ("#AAAAAA" if faded else st["edge"])
    sw = 3 if highlight else 1.3
    dash = ' stroke-dasharray="4 3"' if faded else ""
    common = f'fill="{face}" stroke="{stroke}" stroke-width="{sw}"{dash}'
    if st["shape"] == "circle":
        return f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{r}" {common}/>'
    if st["shape"] == "square":
        return f'<rect x="{x - r:.0f}" y="{y - r:.0f}" width="{2 * r}" height="{2 * r}" {common}/>'
    d = r * 1.2
    pts = f"{x:.0f},{y - d:.0f} {x + d:.0f},{y:.0f} {x:.0f},{y + d:.0f} {x - d:.0f},{y:.0f}"
    return f'<polygon points="{pts}" {common}/>'


def arrow(
    x1, y1, x2, y2, matrix: str | None, *, width=1.8, label=None, label_dx=0, label_dy=0, hover=None
):
    """A straight arrow in the matrix's colour; ``hover`` is a hover text (an SVG <title>).

    The head is a polygon, not a <marker>: marker ids would clash between the many frames of
    one page and vanish inside hidden ones."""
    color = matrix_color(matrix)
    d = np.array([x2 - x1, y2 - y1], dtype=float)
    n = float(np.hypot(*d)) or 1.0
    u, v = d / n, np.array([-d[1], d[0]]) / n
    tip = np.array([x2, y2], dtype=float)
    base = tip - 8 * u
    p1, p2 = base + 4 * v, base - 4 * v
    out = (
        f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{base[0]:.0f}" y2="{base[1]:.0f}" '
        f'stroke="{color}" stroke-width="{width:.1f}"/>'
        f'<polygon points="{tip[0]:.0f},{tip[1]:.0f} {p1[0]:.0f},{p1[1]:.0f} '
        f'{p2[0]:.0f},{p2[1]:.0f}" fill="{color}"/>'
    )
    if label:
        out += text(
            (x1 + x2) / 2 + label_dx,
            (y1 + y2) / 2 + label_dy,
            label,
            size=12,
            color=color,
            weight="bold",
        )
    if hover:
        out = f"<g><title>{html.escape(hover)}</title>{out}</g>"
    return out


def svg(width, height, body: list[str], *, title: str = "") -> str:
    """Wrap ``body`` in an <svg> of the given pixel size, with a <title> for screen readers."""
    t = f"<title>{html.escape(title)}</title>" if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans, Arial, RNN Book Sans SC, sans-serif" '
        f'dominant-baseline="middle" text-anchor="middle" fill="#222" role="img">'
        f"{t}{''.join(body)}</svg>"
    )


def diverging(v: float, vmax: float) -> str:
    """Colour of a signed value: red for +, purple for -, white for 0 (``|v| / vmax`` saturates)."""
    a = float(np.clip(v / vmax, -1, 1)) if vmax > 0 else 0.0
    end = (178, 24, 43) if a >= 0 else (84, 39, 136)
    c = [round(255 + (e - 255) * abs(a)) for e in end]
    return f"#{c[0]:02x}{c[1]:02x}{c[2]:02x}"


def grey(p: float) -> str:
    """Colour of a probability in [0, 1]: white to near-black."""
    g = round(255 - 215 * float(np.clip(p, 0, 1)))
    return f"#{g:02x}{g:02x}{g:02x}"


def heatmap(x, y, M, *, cell=26, vmax=None, numbers=True, frame=None, fmt="{:+.2f}"):
    """Cells of a 2-D array M (rows x cols) with top-left corner (x, y); ``frame`` is the colour
    of a border around it (the matrix's colour)."""
    M = np.atleast_2d(np.asarray(M, dtype=float))
    vmax = float(np.abs(M).max()) if vmax is None else vmax
    out = []
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            v = M[i, j]
            out.append(
                f'<rect x="{x + j * cell:.0f}" y="{y + i * cell:.0f}" width="{cell}" '
                f'height="{cell}" fill="{diverging(v, vmax)}"/>'
            )
            if numbers:
                dark = vmax > 0 and abs(v) > 0.6 * vmax
                out.append(
                    text(
                        x + (j + 0.5) * cell,
                        y + (i + 0.5) * cell + 1,
                        fmt.format(v),
                        size=max(7, round(cell / 3.2)),
                        color="#FFFFFF" if dark else "#222",
                    )
                )
    if frame:
        out.append(
            f'<rect x="{x - 2:.0f}" y="{y - 2:.0f}" width="{M.shape[1] * cell + 4}" '
            f'height="{M.shape[0] * cell + 4}" fill="none" stroke="{frame}" stroke-width="2.5"/>'
        )
    return "".join(out)
