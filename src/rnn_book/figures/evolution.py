"""From a feed-forward net to an RNN (the course's figure 2.8.1), drawn from structure.

Five panels: one feed-forward net; T separate nets (U_t, V_t per step); the same nets linked
by W_t; the unrolled RNN where every step uses the very same U, W, V; and the folded RNN (one
cell, W as a self-loop). Each panel prints its parameter count, computed from the distinct
arrays on its edges, so "separate" grows with T and "shared" does not.
"""

from __future__ import annotations

from rnn_book.figures.graph import Graph, draw_panels

__all__ = [
    "DX",
    "DY",
    "draw_evolution",
    "evolution_graphs",
    "feedforward_graph",
    "folded_rnn_graph",
    "linked_nets_graph",
    "separate_nets_graph",
    "unrolled_rnn_graph",
]

DX = 1.3  # horizontal spacing between time steps
DY = 1.3  # vertical spacing between input, state and output rows


def _check_T(T: int, name: str = "T") -> int:
    if isinstance(T, bool) or not isinstance(T, int) or T < 1:
        raise ValueError(f"{name}: expected an int >= 1 (number of time steps), got {T!r}")
    return T


def _column(g: Graph, t: int | None, x: float, suffix: str, u: str, v: str, u_label, v_label):
    """Add x -> h -> y at horizontal position x; return the state's id."""
    sub = "" if t is None else f"_{{{t}}}"
    g.add_node(f"x{suffix}", "input", f"$x{sub}$", x, 0, t=t)
    g.add_node(f"h{suffix}", "state", f"$h{sub}$", x, DY, t=t)
    g.add_node(f"y{suffix}", "output", f"$y{sub}$", x, 2 * DY, t=t)
    g.add_edge(f"x{suffix}", f"h{suffix}", "U", u, u_label)
    g.add_edge(f"h{suffix}", f"y{suffix}", "V", v, v_label)
    return f"h{suffix}"


def feedforward_graph() -> Graph:
    """One feed-forward net x -> h -> y (3 nodes, U and V)."""
    g = Graph("前馈网络")
    _column(g, None, 0.0, "", "U", "V", "$U$", "$V$")
    return g


def separate_nets_graph(T: int = 3) -> Graph:
    """T independent nets, one per time step: 3T nodes, T distinct U_t and T distinct V_t."""
    _check_T(T)
    g = Graph(f"{T} 个独立的网络")
    for t in range(1, T + 1):
        _column(g, t, (t - 1) * DX, str(t), f"U_{t}", f"V_{t}", f"$U_{t}$", f"$V_{t}$")
    return g


def linked_nets_graph(T: int = 3) -> Graph:
    """The separate nets with h_{t-1} -> h_t links, each its own W_t (not yet shared)."""
    g = separate_nets_graph(T)
    g.title = "用 W 相连的网络"
    for t in range(2, T + 1):
        g.add_edge(f"h{t - 1}", f"h{t}", "W", f"W_{t}", f"$W_{t}$")
    return g


def unrolled_rnn_graph(T: int = 3, *, title: str | None = None) -> Graph:
    """An RNN unrolled over T steps: every step uses the SAME U, W, V (3 params in all)."""
    _check_T(T)
    g = Graph(title if title is not None else f"展开的 RNN，T = {T}")
    for t in range(1, T + 1):
        _column(g, t, (t - 1) * DX, str(t), "U", "V", "$U$", "$V$")
        if t > 1:
            g.add_edge(f"h{t - 1}", f"h{t}", "W", "W", "$W$")
    return g


def folded_rnn_graph() -> Graph:
    """The folded RNN: one cell, W drawn as a self-loop on h_t."""
    g = Graph("折叠的 RNN")
    g.add_node("x", "input", "$x_t$", 0, 0)
    g.add_node("h", "state", "$h_t$", 0, DY)
    g.add_node("y", "output", "$y_t$", 0, 2 * DY)
    g.add_edge("x", "h", "U", "U", "$U$")
    g.add_edge("h", "y", "V", "V", "$V$")
    g.add_edge("h", "h", "W", "W", "$W$")
    return g


def evolution_graphs(
    T: int = 3, input_size: int = 4, hidden_size: int = 3, output_size: int = 4
) -> list[Graph]:
    """The five panels of the evolution figure, each with its weight count as a note.

    Sizes D = input_size, H = hidden_size, O = output_size only enter the counts:
    separate nets T(HD + OH), linked nets T(HD + OH) + (T-1)H^2, shared H D + H^2 + O H.
    """
    _check_T(T)
    sizes = (input_size, hidden_size, output_size)
    graphs = [
        feedforward_graph(),
        separate_nets_graph(T),
        linked_nets_graph(T),
        unrolled_rnn_graph(T, title="共享 U、W、V"),
        folded_rnn_graph(),
    ]
    for g in graphs:
        x0, x1, _, _ = g.bounds()
        n = g.parameter_count(*sizes)
        g.add_note(f"{n} 个权重", (x0 + x1) / 2, -0.75, size=9.5)
    D, H, O = sizes
    graphs[0].add_note(f"D={D}, H={H}, O={O}", 0, -1.2, size=8, color="#555555")
    return graphs


def draw_evolution(T: int = 3, input_size: int = 4, hidden_size: int = 3, output_size: int = 4):
    """The evolution figure as one matplotlib figure; returns the figure."""
    graphs = evolution_graphs(T, input_size, hidden_size, output_size)
    return draw_panels(graphs, ncols=3)
