"""Bidirectional RNN: the correct time-aligned drawing and the misaligned counterexample.

Correct: the forward state ->h_t has read x_1..x_t, the backward state <-h_t has read x_T..x_t;
y_t = V [->h_t ; <-h_t] combines the two states OF THE SAME x_t, so y_t sees the whole sequence.
Wrong (a drawing seen in teaching material): lay the backward chain out in its own processing
order and stack it under the forward chain, so column k pairs ->h_k with the backward state at
x_{T+1-k}. For per-step outputs that pairs states of different inputs; y_1 would then see only
x_1 forward and x_T backward. Only the last forward and last backward states (the summary used
for a single many-to-one output) may be paired that way.
"""

from __future__ import annotations

from rnn_book.figures.evolution import DY, _check_T
from rnn_book.figures.graph import Graph, draw_panels

__all__ = ["bidirectional_graph", "draw_bidirectional"]

BDX = 1.6  # wider columns: two states per step
FWD = r"\overrightarrow{h}"
BWD = r"\overleftarrow{h}"


def bidirectional_graph(T: int = 4, aligned: bool = True) -> Graph:
    """T inputs, T forward states, T backward states, T outputs, 2T V edges (one V array).

    aligned=True: y_t reads ->h_t and <-h_t (same t). aligned=False: the counterexample, the
    backward chain drawn in its processing order (column k holds <-h_{T+1-k}, so its U arrows
    cross) and y_k reading ->h_k and <-h_{T+1-k}. Nodes carry ``t`` (the input they belong to) and ``direction``.
    """
    _check_T(T)
    g = Graph(f"双向 RNN，按时间对齐，T = {T}" if aligned else "错误画法（逐步输出时）：错位配对")
    for t in range(1, T + 1):
        g.add_node(f"x{t}", "input", f"$x_{{{t}}}$", (t - 1) * BDX, 0, t=t)
    # forward and backward states of one column sit side by side (forward lower left, backward
    # upper right) so that every arrow into them is a straight line between the columns
    dx, s = BDX, 0.32
    for t in range(1, T + 1):
        g.add_node(
            f"f{t}", "state", f"${FWD}_{{{t}}}$", (t - 1) * dx - s, DY, t=t, direction="forward"
        )
        g.add_edge(f"x{t}", f"f{t}", "U", "U_f", r"$\overrightarrow{U}$" if t == 1 else None)
        if t > 1:
            g.add_edge(f"f{t - 1}", f"f{t}", "W", "W_f", r"$\overrightarrow{W}$")

    # column k of the backward row holds the backward state of input b_at(k): the same input
    # (aligned) or the k-th step of the backward pass, input T + 1 - k (the counterexample)
    def b_at(k):
        return k if aligned else T + 1 - k

    for k in range(1, T + 1):
        t = b_at(k)
        g.add_node(
            f"b{t}",
            "state",
            f"${BWD}_{{{t}}}$",
            (k - 1) * dx + s,
            2 * DY,
            t=t,
            direction="backward",
        )
        g.add_edge(f"x{t}", f"b{t}", "U", "U_b", r"$\overleftarrow{U}$" if k == 1 else None)
    for t in range(T - 1, 0, -1):
        g.add_edge(f"b{t + 1}", f"b{t}", "W", "W_b", r"$\overleftarrow{W}$")
    for k in range(1, T + 1):
        g.add_node(f"y{k}", "output", f"$y_{{{k}}}$", (k - 1) * dx, 3 * DY, t=k)
        g.add_edge(f"f{k}", f"y{k}", "V", "V", None)
        g.add_edge(f"b{b_at(k)}", f"y{k}", "V", "V", "$V$" if k == 1 else None)
    if not aligned:
        # mathtext cannot draw Chinese: the formula and the Chinese words are two notes
        g.add_note(
            f"$y_1 = V\\,[{FWD}_1\\,;\\,{BWD}_{{{T}}}]$",
            (T - 1) * BDX / 2,
            -0.7,
            color="#C00000",
            size=9,
        )
        g.add_note(
            f"前者只读过第 1 步，后者只读过第 {T} 步",
            (T - 1) * BDX / 2,
            -1.2,
            color="#C00000",
            size=9,
        )
    else:
        g.add_note(f"$y_t = V\\,[{FWD}_t\\,;\\,{BWD}_t]$", (T - 1) * BDX / 2, -0.7, size=9)
        g.add_note(f"每一步的输出都看到全部 {T} 步输入", (T - 1) * BDX / 2, -1.2, size=9)
    return g


def draw_bidirectional(T: int = 4):
    """The aligned drawing next to the labelled misaligned counterexample; returns the figure."""
    return draw_panels(
        [bidirectional_graph(T, True), bidirectional_graph(T, False)], ncols=2, unit=0.55
    )
