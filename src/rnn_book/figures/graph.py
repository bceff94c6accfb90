"""A tiny node/edge model of an RNN diagram, and its matplotlib renderer.

Every figure of the book is first built as a ``Graph`` (nodes with a kind, a mathtext label, a
position and a time index; edges that say which matrix they apply and which parameter array
that is), then drawn by ``draw``. Tests count nodes, edges and labels on the structure; the
renderer only turns it into pixels, so the picture cannot disagree with the structure.

Edge fields ``matrix`` and ``param`` separate two ideas the chapter is about:
``matrix`` is the role ("U", "W", "V": what the edge does, hence its colour) and ``param`` names
the array it uses. In an RNN every U edge has ``param="U"`` (one array); in three separate
feed-forward nets the U edges have params "U_1", "U_2", "U_3" (three arrays).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnn_book.figures.style import HIGHLIGHT_COLOR, NODE_RADIUS, NODE_STYLE, matrix_color

__all__ = ["Edge", "Graph", "Node", "Note", "draw", "draw_panels", "figure_texts"]

NODE_KINDS = ("input", "state", "output")
MATRICES = ("U", "W", "V")


@dataclass(frozen=True)
class Node:
    """One vector of the diagram.

    id : unique key. kind : "input" (x_t), "state" (h_t) or "output" (y_t).
    label : mathtext, e.g. ``"$h_2$"``. x, y : position in data units (time runs along x).
    t : time index of the input this node belongs to (1-based), None for a folded cell.
    layer : 1-based layer of a state (deep RNN), direction : "forward"/"backward" or None.
    hollow : drawn white and dashed: the node exists but produces no output.
    """

    id: str
    kind: str
    label: str
    x: float
    y: float
    t: int | None = None
    layer: int | None = None
    direction: str | None = None
    hollow: bool = False

    def __post_init__(self):
        if self.kind not in NODE_KINDS:
            raise ValueError(f"kind: expected one of {NODE_KINDS}, got {self.kind!r}")


@dataclass(frozen=True)
class Edge:
    """One arrow src -> dst.

    Attributes
    ----------
    matrix : role "U", "W", "V" (sets the colour), or None for data that flows without a
        weight (an output fed back as input, a context vector).
    param : name of the parameter array used; edges with the same param share ONE array.
    label : mathtext drawn next to the arrow (None: no text).
    rad : curvature of the arrow (matplotlib ``arc3`` rad), for self-loops and detours.
    """

    src: str
    dst: str
    matrix: str | None
    param: str | None = None
    label: str | None = None
    rad: float = 0.0

    def __post_init__(self):
        if self.matrix is not None and self.matrix not in MATRICES:
            raise ValueError(f"matrix: expected one of {MATRICES} or None, got {self.matrix!r}")
        if self.matrix is None and self.param is not None:
            raise ValueError(f"param: an edge without matrix has no param, got {self.param!r}")


@dataclass(frozen=True)
class Note:
    """Free text (mathtext or Chinese, not both in one note) at (x, y); ``color`` optional."""

    text: str
    x: float
    y: float
    color: str = "#222222"
    size: float = 9.0
    ha: str = "center"


@dataclass
class Graph:
    """Nodes, edges and notes of one diagram, plus a title (Chinese or mathtext)."""

    title: str = ""
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    # ------------------------------------------------------------------ building
    def add_node(self, id: str, kind: str, label: str, x: float, y: float, **kw) -> Node:
        if id in self.nodes:
            raise ValueError(f"id: node {id!r} already exists")
        node = Node(id, kind, label, float(x), float(y), **kw)
        self.nodes[id] = node
        return node

    def add_edge(self, src: str, dst: str, matrix: str | None, param=None, label=None, rad=0.0):
        for name, key in (("src", src), ("dst", dst)):
            if key not in self.nodes:
                raise ValueError(f"{name}: unknown node {key!r}")
        edge = Edge(src, dst, matrix, param, label, rad)
        self.edges.append(edge)
        return edge

    def add_note(self, text: str, x: float, y: float, **kw) -> Note:
        note = Note(text, float(x), float(y), **kw)
        self.notes.append(note)
        return note

    # ------------------------------------------------------------------ queries (for tests)
    def count(self, kind: str | None = None) -> int:
        """Number of nodes of ``kind`` ("input", "state", "output"), all nodes if None."""
        return sum(1 for n in self.nodes.values() if kind is None or n.kind == kind)

    def edges_of(self, matrix: str | None = "any") -> list[Edge]:
        """Edges applying ``matrix`` ("U", "W", "V"), data edges (None), or all ("any")."""
        if matrix == "any":
            return list(self.edges)
        return [e for e in self.edges if e.matrix == matrix]

    def params(self, matrix: str | None = None) -> set[str]:
        """Distinct parameter arrays used (optionally of one role)."""
        return {
            e.param
            for e in self.edges
            if e.param is not None and (matrix is None or e.matrix == matrix)
        }

    def predecessors(self, node_id: str, matrix: str | None = "any") -> list[Node]:
        """Source nodes of the edges into ``node_id`` (optionally only those applying ``matrix``)."""
        return [self.nodes[e.src] for e in self.edges_of(matrix) if e.dst == node_id]

    def texts(self) -> list[str]:
        """Every string the renderer draws: title, node labels, edge labels, notes."""
        out = [self.title] if self.title else []
        out += [n.label for n in self.nodes.values()]
        out += [e.label for e in self.edges if e.label]
        out += [n.text for n in self.notes]
        return out

    def parameter_count(self, input_size: int, hidden_size: int, output_size: int) -> int:
        """Weights (no biases) of the distinct parameter arrays in the diagram.

        An array's size follows from the edge that uses it: a U-role edge from an input is
        H*D, from a fed-back output H*O, from a lower layer's state H*H; W is H*H; V is O*H
        (a V fed by both directions of a bidirectional RNN reads 2H).
        """
        D, H, O = input_size, hidden_size, output_size
        v_in = {}
        for e in self.edges:
            if e.matrix == "V":
                v_in[e.param] = v_in.get(e.param, set()) | {self.nodes[e.src].direction}
        sizes = {}
        for e in self.edges:
            if e.param is None or e.param in sizes:
                continue
            src_kind = self.nodes[e.src].kind
            if e.matrix == "U":
                sizes[e.param] = H * {"input": D, "output": O, "state": H}[src_kind]
            elif e.matrix == "W":
                sizes[e.param] = H * H
            else:
                sizes[e.param] = O * H * len(v_in[e.param])
        return sum(sizes.values())

    def bounds(self) -> tuple[float, float, float, float]:
        xs = [n.x for n in self.nodes.values()] + [n.x for n in self.notes]
        ys = [n.y for n in self.nodes.values()] + [n.y for n in self.notes]
        return min(xs), max(xs), min(ys), max(ys)


# ---------------------------------------------------------------------- rendering
def _node_patch(node: Node, highlight: bool):
    from matplotlib import patches

    st = NODE_STYLE[node.kind]
    face = "white" if node.hollow else st["face"]
    edge = HIGHLIGHT_COLOR if highlight else st["edge"]
    kw = {
        "facecolor": face,
        "edgecolor": edge,
        "linewidth": 2.4 if highlight else 1.2,
        "linestyle": "--" if node.hollow else "-",
        "zorder": 3,
    }
    r = NODE_RADIUS
    if st["shape"] == "circle":
        return patches.Circle((node.x, node.y), r, **kw)
    if st["shape"] == "square":
        return patches.Rectangle((node.x - r, node.y - r), 2 * r, 2 * r, **kw)
    return patches.RegularPolygon((node.x, node.y), 4, radius=r * 1.25, orientation=0, **kw)


def _clip(p, q, r):
    """Move p towards q by r (to start an arrow on a node's rim)."""
    d = np.subtract(q, p)
    n = np.hypot(*d)
    return p if n == 0 else tuple(np.add(p, d * (r / n)))


def draw(graph: Graph, ax=None, *, highlight_t: int | None = None, edge_labels: bool = True):
    """Draw ``graph`` on ``ax`` (a new figure if None); return the axes.

    highlight_t : outline every node with ``t == highlight_t`` in the highlight colour.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    if ax is None:  # the same scale as draw_panels: 0.6 inch per data unit
        x0, x1, y0, y1 = graph.bounds()
        fig_w, fig_h = 0.6 * (x1 - x0 + 1.4), 0.6 * (y1 - y0 + 1.35) + 0.32
        fig, ax = plt.subplots(figsize=(fig_w, fig_h))
        fig.subplots_adjust(left=0, right=1, bottom=0, top=1 - 0.32 / fig_h)
    r = NODE_RADIUS * 1.08
    for node in graph.nodes.values():
        ax.add_patch(_node_patch(node, highlight_t is not None and node.t == highlight_t))
        ax.text(node.x, node.y, node.label, ha="center", va="center", fontsize=10, zorder=4)
    for e in graph.edges:
        a, b = graph.nodes[e.src], graph.nodes[e.dst]
        color = matrix_color(e.matrix)
        style = "-" if e.matrix is not None else "--"
        if e.src == e.dst:  # self-loop: leaves the node's right side and comes back
            c, sn = np.cos(np.radians(35)), np.sin(np.radians(35))
            p, q = (a.x + r * c, a.y + r * sn), (a.x + r * c, a.y - r * sn)
            arrow = FancyArrowPatch(
                p,
                q,
                connectionstyle="arc3,rad=-1.9",
                arrowstyle="-|>",
                mutation_scale=11,
                color=color,
                linewidth=1.6,
                linestyle=style,
                zorder=2,
            )
            mid = (a.x + r + 0.55, a.y)
        else:
            p, q = _clip((a.x, a.y), (b.x, b.y), r), _clip((b.x, b.y), (a.x, a.y), r)
            arrow = FancyArrowPatch(
                p,
                q,
                connectionstyle=f"arc3,rad={e.rad}",
                arrowstyle="-|>",
                mutation_scale=11,
                color=color,
                linewidth=1.6,
                linestyle=style,
                zorder=2,
            )
            # label near the arc's midpoint, nudged off the line
            mx, my = (p[0] + q[0]) / 2, (p[1] + q[1]) / 2
            dx, dy = q[0] - p[0], q[1] - p[1]
            mid = (mx + e.rad * dy * 1.0, my - e.rad * dx * 1.0)
            if e.rad == 0:
                n = np.hypot(dx, dy) or 1.0
                mid = (mx - 0.16 * dy / n, my + 0.16 * dx / n)
        ax.add_patch(arrow)
        if edge_labels and e.label:
            ax.text(
                *mid,
                e.label,
                color=color,
                fontsize=9,
                ha="center",
                va="center",
                zorder=5,
                bbox={
                    "boxstyle": "round,pad=0.1",
                    "facecolor": "white",
                    "edgecolor": "none",
                    "alpha": 0.85,
                },
            )
    for n in graph.notes:
        ax.text(n.x, n.y, n.text, color=n.color, fontsize=n.size, ha=n.ha, va="center", zorder=5)
    x0, x1, y0, y1 = graph.bounds()
    ax.set_xlim(x0 - 0.7, x1 + 0.7)
    ax.set_ylim(y0 - 0.6, y1 + 0.75)
    ax.set_aspect("equal")
    ax.axis("off")
    if graph.title:
        ax.set_title(graph.title, fontsize=10)
    return ax


def legend(fig, *, loc="lower center", ncol=6):
    """Add the book's key (U, W, V colours; node shapes) to ``fig``."""
    from matplotlib.lines import Line2D

    from rnn_book.figures.style import DATA_COLOR, MATRIX_COLORS

    handles = [
        Line2D([], [], color=MATRIX_COLORS["U"], lw=2, label=r"$U$: $x \to h$"),
        Line2D([], [], color=MATRIX_COLORS["W"], lw=2, label=r"$W$: $h \to h$"),
        Line2D([], [], color=MATRIX_COLORS["V"], lw=2, label=r"$V$: $h \to y$"),
        Line2D([], [], color=DATA_COLOR, lw=1.6, ls="--", label="数据（无权重）"),
        Line2D(
            [],
            [],
            marker="s",
            ls="",
            mfc=NODE_STYLE["input"]["face"],
            mec="#333",
            ms=9,
            label="输入",
        ),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            mfc=NODE_STYLE["state"]["face"],
            mec="#333",
            ms=10,
            label="隐状态",
        ),
        Line2D(
            [],
            [],
            marker="D",
            ls="",
            mfc=NODE_STYLE["output"]["face"],
            mec="#333",
            ms=8,
            label="输出",
        ),
    ]
    return fig.legend(handles=handles, loc=loc, ncol=ncol, frameon=False, fontsize=9)


def draw_panels(
    graphs: list[Graph], *, ncols: int | None = None, unit: float = 0.6, key: bool = True, **kw
):
    """Draw graphs on a grid, ``ncols`` per row (all in one row if None); returns the figure.

    The figure is sized from the graphs' extents so that one data unit (the spacing of two
    time steps is 1.3) is ``unit`` inches in every panel: equal-aspect panels then fill their
    cells and fonts keep one size relative to the nodes, whatever T is.
    """
    import matplotlib.pyplot as plt

    ncols = len(graphs) if ncols is None else ncols
    nrows = -(-len(graphs) // ncols)
    widths, heights = [0.0] * ncols, [0.0] * nrows
    for i, g in enumerate(graphs):
        x0, x1, y0, y1 = g.bounds()
        widths[i % ncols] = max(widths[i % ncols], x1 - x0 + 1.4)
        heights[i // ncols] = max(heights[i // ncols], y1 - y0 + 1.35)
    title_in, key_in = 0.32, 0.5 if key else 0.05
    fig_w = unit * sum(widths)
    fig_h = unit * sum(heights) + title_in * nrows + key_in
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(fig_w, fig_h),
        squeeze=False,
        gridspec_kw={
            "width_ratios": widths,
            "height_ratios": heights,
            "wspace": 0.0,
            "hspace": title_in * nrows / max(unit * sum(heights), 1e-9),
        },
    )
    fig.subplots_adjust(left=0, right=1, top=1 - title_in / fig_h, bottom=key_in / fig_h)
    for i, ax in enumerate(axes.flat):
        if i < len(graphs):
            draw(graphs[i], ax, **kw)
        else:
            ax.axis("off")
    if key:
        legend(fig, ncol=7 if fig_w > 8.0 else 4)
    return fig


def figure_texts(fig) -> list[str]:
    """Every text string drawn in a matplotlib figure (titles, labels, notes, legend)."""
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]
