"""A deep (stacked) RNN with any number of hidden layers.

Layer l at step t has state h^{(l)}_t = f(U^{(l)} a + W^{(l)} h^{(l)}_{t-1}), where a is x_t for
l = 1 and h^{(l-1)}_t above: each layer has its own U^{(l)} and W^{(l)}, shared over time.
"""

from __future__ import annotations

from rnn_book.figures.evolution import DX, DY, _check_T
from rnn_book.figures.graph import Graph, draw_panels

__all__ = ["deep_rnn_graph", "draw_deep_rnn"]


def deep_rnn_graph(T: int = 4, num_layers: int = 2) -> Graph:
    """T steps, L layers: T inputs, L*T states, T outputs; L*T U edges, L*(T-1) W, T V;
    2L + 1 distinct arrays (U^{(l)}, W^{(l)} per layer, one V)."""
    _check_T(T)
    _check_T(num_layers, "num_layers")
    L = num_layers
    g = Graph(f"深度 RNN，{L} 个隐藏层，T = {T}")
    for t in range(1, T + 1):
        x = (t - 1) * DX
        g.add_node(f"x{t}", "input", f"$x_{{{t}}}$", x, 0, t=t)
        below = f"x{t}"
        for layer in range(1, L + 1):
            nid = f"h{layer}_{t}"
            g.add_node(nid, "state", f"$h^{{({layer})}}_{{{t}}}$", x, layer * DY, t=t, layer=layer)
            g.add_edge(below, nid, "U", f"U^{layer}", f"$U^{{({layer})}}$")
            if t > 1:
                g.add_edge(f"h{layer}_{t - 1}", nid, "W", f"W^{layer}", f"$W^{{({layer})}}$")
            below = nid
        g.add_node(f"y{t}", "output", f"$y_{{{t}}}$", x, (L + 1) * DY, t=t)
        g.add_edge(below, f"y{t}", "V", "V", "$V$")
    return g


def draw_deep_rnn(T: int = 4, num_layers: int = 2):
    """Draw ``deep_rnn_graph``; returns the figure."""
    return draw_panels([deep_rnn_graph(T, num_layers)], unit=0.8)
