"""The four input/output structures of an RNN, for any number of steps.

- one-to-many: one input x_1; each output is fed back as the next step's input, which U then
  reads (the curved U arrows; as in text generation);
- many-to-one: T inputs, one output at the last step (classification);
- many-to-many of equal length: an output at every step (tagging, char-level language model);
- encoder-decoder: S inputs read by an encoder (U_e, W_e), its last state handed over as the
  context c, a decoder (U_d, W_d, V) that emits T' outputs, each fed back as its next input.
"""

from __future__ import annotations

from rnn_book.figures.evolution import DX, DY, _check_T
from rnn_book.figures.graph import Graph, draw_panels

__all__ = ["STRUCTURES", "draw_structures", "structure_graph"]

#: The four input/output structures ``structure_graph`` and ``draw_structures`` draw.
STRUCTURES = ("one_to_many", "many_to_one", "many_to_many", "encoder_decoder")


def _chain(g: Graph, T: int, x0: float, name: str, u: str, w: str, with_x, with_y, v="V", t0=1):
    """States name_1..name_T at x0 + (t-1)DX, linked by w; inputs/outputs where asked."""
    sub = {"h": "h", "s": "s"}[name]
    for k in range(T):
        t = t0 + k
        x = x0 + k * DX
        g.add_node(f"{name}{t}", "state", f"${sub}_{{{t}}}$", x, DY, t=t)
        if with_x(k):
            g.add_node(f"x{t}", "input", f"$x_{{{t}}}$", x, 0, t=t)
            g.add_edge(f"x{t}", f"{name}{t}", "U", u, f"${_sym(u)}$")
        if with_y(k):
            g.add_node(f"y{t}", "output", f"$y_{{{t}}}$", x, 2 * DY, t=t)
            g.add_edge(f"{name}{t}", f"y{t}", "V", v, f"${_sym(v)}$")
        if k > 0:
            g.add_edge(f"{name}{t - 1}", f"{name}{t}", "W", w, f"${_sym(w)}$")


def _sym(param: str) -> str:
    return param if "_" not in param else param.replace("_", "_{") + "}"


def _feedback(g: Graph, src: str, dst: str, u: str):
    """Output src is fed back as the next input: a data edge up-and-over, then U into dst."""
    g.add_edge(src, dst, "U", u, None, rad=0.35)


def structure_graph(kind: str, T: int = 4, T_out: int | None = None) -> Graph:
    """The diagram of one structure.

    kind : one of ``STRUCTURES``. T : input steps (for one_to_many: output steps).
    T_out : output steps of the encoder-decoder (default T - 1, at least 1).

    Counts (tested): one_to_many 1 input, T states, T outputs, U edges T (T-1 of them read a
    fed-back output), W T-1, V T; many_to_one T, T, 1, U T, W T-1, V 1; many_to_many T, T, T;
    encoder_decoder S=T inputs + 1 start token, S+T' states, T' outputs, U S+T', W S+T'-2, V T',
    one context edge.
    """
    if kind not in STRUCTURES:
        raise ValueError(f"kind: expected one of {STRUCTURES}, got {kind!r}")
    _check_T(T)
    if kind == "one_to_many":
        g = Graph(f"一对多，T = {T}")
        _chain(g, T, 0.0, "h", "U", "W", lambda k: k == 0, lambda k: True)
        for t in range(2, T + 1):
            _feedback(g, f"y{t - 1}", f"h{t}", "U")
        return g
    if kind == "many_to_one":
        g = Graph(f"多对一，T = {T}")
        _chain(g, T, 0.0, "h", "U", "W", lambda k: True, lambda k: k == T - 1)
        return g
    if kind == "many_to_many":
        g = Graph(f"多对多，T = {T}")
        _chain(g, T, 0.0, "h", "U", "W", lambda k: True, lambda k: True)
        return g
    S = T
    T_out = max(1, T - 1) if T_out is None else _check_T(T_out, "T_out")
    g = Graph(f"编码器-解码器，输入 {S} 步，输出 {T_out} 步")
    _chain(g, S, 0.0, "h", "U_e", "W_e", lambda k: True, lambda k: False)
    x0 = S * DX + 0.3
    for k in range(T_out):
        t = k + 1
        x = x0 + k * DX
        g.add_node(f"s{t}", "state", f"$s_{{{t}}}$", x, DY, t=t)
        g.add_node(f"y{t}", "output", f"$y'_{{{t}}}$", x, 2 * DY, t=t)
        g.add_edge(f"s{t}", f"y{t}", "V", "V", "$V$")
        if k == 0:
            g.add_node("bos", "input", r"$\langle s\rangle$", x, 0)
            g.add_edge("bos", "s1", "U", "U_d", "$U_{d}$")
        else:
            g.add_edge(f"s{t - 1}", f"s{t}", "W", "W_d", "$W_{d}$")
            _feedback(g, f"y{t - 1}", f"s{t}", "U_d")
    g.add_edge(f"h{S}", "s1", None, None, "$c$")
    g.add_note("编码器", (S - 1) * DX / 2, -0.75, size=9)
    g.add_note("解码器", x0 + (T_out - 1) * DX / 2, -0.75, size=9)
    return g


def draw_structures(T: int = 4, T_out: int | None = None):
    """The four structures side by side; returns the figure."""
    graphs = [structure_graph(k, T, T_out) for k in STRUCTURES]
    return draw_panels(graphs, ncols=2)
