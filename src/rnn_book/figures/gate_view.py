"""The gate widget: step through time and watch an LSTM's or a GRU's gates on a real input.

For a single-layer ``rb.LSTM`` the frame at step t shows, per hidden unit, the input gate
i_t, the forget gate f_t, the candidate g_t, the output gate o_t, the cell state c_t and
h_t; for an ``rb.GRU`` the reset gate r_t, the update gate z_t, the candidate n_t and h_t.
Above them, the whole input sequence as a strip with step t framed; below, optionally, the
running prediction V h_t + c of an output head.

One object serves both worlds (GUIDE section 5):

- the static HTML book: every frame is an SVG precomputed here and the time slider is
  ``jslink``-ed to a ``Stack``'s ``selected_index``, so the browser switches frames itself;
- a live kernel: the same link works, a Python observer keeps ``self.step`` in sync, and the
  "live kernel only" control picks another input sequence and recomputes every frame.

The numbers are recomputed here from the layer's own parameter arrays, one step at a time
with the book's equations (the layers fuse them for speed); the tests check that h_t and
c_t agree with ``layer.forward``.
"""

from __future__ import annotations

import html

import numpy as np

from rnn_book.figures import svg as S
from rnn_book.figures.style import HIGHLIGHT_COLOR
from rnn_book.functional import sigmoid
from rnn_book.gru import GRU
from rnn_book.lstm import LSTM

__all__ = ["GateView", "gate_trace", "gate_view"]

MAX_UNITS = 12  # columns per frame; with T frames this bounds the page size
CELL = 34  # px per heatmap cell
STRIP = 14  # px per input-strip cell
X0 = 118  # left margin for row labels

#: row name -> (label in the frame, colour scale: "gate" in [0, 1] or "signed")
_ROWS = {
    "lstm": {
        "i": ("输入门", "gate"),
        "f": ("遗忘门", "gate"),
        "g": ("候选值", "signed"),
        "o": ("输出门", "gate"),
        "c": ("细胞状态", "signed"),
        "h": ("隐状态", "signed"),
    },
    "gru": {
        "r": ("重置门", "gate"),
        "z": ("更新门", "gate"),
        "n": ("候选隐状态", "signed"),
        "h": ("隐状态", "signed"),
    },
}


def _kind(layer) -> str:
    if isinstance(layer, LSTM):
        kind = "lstm"
    elif isinstance(layer, GRU):
        kind = "gru"
    else:
        raise TypeError(f"layer: expected an rb.LSTM or rb.GRU, got {type(layer).__name__}")
    if layer.num_layers != 1 or layer.bidirectional:
        raise ValueError(
            "layer: expected a single-layer unidirectional LSTM/GRU, got "
            f"num_layers={layer.num_layers}, bidirectional={layer.bidirectional}"
        )
    return kind


def gate_trace(layer, x) -> dict[str, np.ndarray]:
    """Every gate and state of a single-layer LSTM/GRU on one sequence.

    Parameters
    ----------
    layer : ``rb.LSTM`` or ``rb.GRU`` with num_layers=1, unidirectional, batch_first=False.
    x : (T, D) one input sequence.

    Returns
    -------
    LSTM: {"i", "f", "g", "o", "c", "h"}; GRU: {"r", "z", "n", "h"}; each (T, H), row t-1
    holding step t (initial states are zero).
    """
    kind = _kind(layer)
    x = np.asarray(x, dtype=layer.dtype)
    if x.ndim != 2 or x.shape[1] != layer.input_size:
        raise ValueError(
            f"x: expected one sequence of shape (T, D) with D = {layer.input_size}, "
            f"got shape {x.shape}"
        )
    H = layer.hidden_size
    p = layer.params
    U, W = p["weight_ih_l0"], p["weight_hh_l0"]
    G = U.shape[0] // H
    b = p["bias_ih_l0"] + 0.0 if layer.bias else np.zeros(G * H, dtype=layer.dtype)
    b_hh = p["bias_hh_l0"] if layer.bias else np.zeros(G * H, dtype=layer.dtype)
    blk = [slice(k * H, (k + 1) * H) for k in range(G)]  # rows of gate k in U, W, b
    T = x.shape[0]
    names = ("i", "f", "g", "o", "c", "h") if kind == "lstm" else ("r", "z", "n", "h")
    out = {n: np.empty((T, H), dtype=layer.dtype) for n in names}
    h = np.zeros(H, dtype=layer.dtype)
    c = np.zeros(H, dtype=layer.dtype)
    # the book's equations, one step at a time (the layers fuse them; this is the reference)
    for t in range(T):
        if kind == "lstm":
            a = U @ x[t] + W @ h + b + b_hh
            i, f = sigmoid(a[blk[0]]), sigmoid(a[blk[1]])
            g, o = np.tanh(a[blk[2]]), sigmoid(a[blk[3]])
            c = f * c + i * g
            h = o * np.tanh(c)
            vals = (i, f, g, o, c, h)
        else:
            ax, ah = U @ x[t] + b, W @ h + b_hh
            r = sigmoid(ax[blk[0]] + ah[blk[0]])
            z = sigmoid(ax[blk[1]] + ah[blk[1]])
            n = np.tanh(ax[blk[2]] + r * ah[blk[2]])
            h = (1.0 - z) * n + z * h
            vals = (r, z, n, h)
        for name, v in zip(names, vals):
            out[name][t] = v
    return out


def _pick_units(trace: dict, H: int, units) -> np.ndarray:
    if units is not None:
        units = np.asarray(units, dtype=int)
        if units.ndim != 1 or units.size == 0 or units.min() < 0 or units.max() >= H:
            raise ValueError(f"units: expected unit indices in [0, {H}), got {units.tolist()}")
        return units
    if H <= MAX_UNITS:
        return np.arange(H)
    state = trace["c"] if "c" in trace else trace["h"]
    active = np.ptp(state, axis=0)  # the units whose state moves most over the sequence
    return np.sort(np.argsort(-active, kind="stable")[:MAX_UNITS])


class GateView:
    """Time-step widget over the gates of a trained single-layer LSTM or GRU.

    Parameters
    ----------
    layer : ``rb.LSTM`` or ``rb.GRU`` (num_layers=1, unidirectional); its arrays are used
        directly, so after training the view shows the trained gates.
    xs : (T, N, D) candidate input sequences; sequence ``sample`` is shown first.
    sample : index into the N sequences.
    head : optional output layer V (``rb.Linear(H, 1)``): each frame also shows V h_t + c.
    targets : optional (N,) target values, printed next to the prediction.
    units : indices of the hidden units to show (default: all if H <= 12, else the 12 whose
        state varies most on the shown sequence).
    input_labels : names of the D input channels (English/symbols), default x[0], x[1], ...
    title : a line above the frames.
    """

    def __init__(
        self,
        layer,
        xs,
        sample: int = 0,
        head=None,
        targets=None,
        units=None,
        input_labels=None,
        title: str = "",
    ):
        self.kind = _kind(layer)
        self.layer = layer
        xs = np.asarray(xs, dtype=layer.dtype)
        if xs.ndim != 3 or xs.shape[2] != layer.input_size:
            raise ValueError(
                f"xs: expected (T, N, D) with D = {layer.input_size}, got shape {xs.shape}"
            )
        self.xs = xs
        self.T, self.N = xs.shape[0], xs.shape[1]
        if head is not None and head.params["weight"].shape != (1, layer.hidden_size):
            raise ValueError(
                f"head: expected a Linear({layer.hidden_size}, 1), got weight of shape "
                f"{head.params['weight'].shape}"
            )
        self.head = head
        if targets is not None:
            targets = np.asarray(targets, dtype=float).reshape(-1)
            if targets.shape != (self.N,):
                raise ValueError(f"targets: expected shape ({self.N},), got {targets.shape}")
        self.targets = targets
        D = layer.input_size
        self.input_labels = list(input_labels) if input_labels else [f"x[{d}]" for d in range(D)]
        if len(self.input_labels) != D:
            raise ValueError(f"input_labels: expected {D} names, got {len(self.input_labels)}")
        self.title = title
        self._units_arg = units
        self.step = 1
        self._box = None
        self.set_sample(sample)

    # ------------------------------------------------------------------ numbers
    def set_sample(self, sample: int) -> None:
        """Show input sequence ``sample`` (0 <= sample < N); recomputes every frame."""
        if not 0 <= int(sample) < self.N:
            raise ValueError(f"sample: expected an index in [0, {self.N}), got {sample}")
        self.sample = int(sample)
        self.x = self.xs[:, self.sample, :]
        self.trace = gate_trace(self.layer, self.x)
        self.units = _pick_units(self.trace, self.layer.hidden_size, self._units_arg)
        if self.head is not None:
            self.predictions = self.head.forward(self.trace["h"])[:, 0]  # V h_t + c, (T,)
        if self._box is not None:
            for t, f in enumerate(self._frames, start=1):
                f.value = self.frame_html(t)

    # ------------------------------------------------------------------ drawing
    def frame_html(self, t: int) -> str:
        """The SVG frame of step t (1 <= t <= T) as an HTML string."""
        if not 1 <= t <= self.T:
            raise ValueError(f"t: expected a step in [1, {self.T}], got {t}")
        rows = _ROWS[self.kind]
        U = len(self.units)
        D = self.x.shape[1]
        body = []
        y = 18
        if self.title:
            body.append(S.text(8, y, self.title, size=13, anchor="start", weight="bold"))
            y += 22
        # the input strip: every step, current one framed
        body.append(S.text(8, y + 6, f"输入，t = 1..{self.T}", size=11, anchor="start"))
        y += 16
        vmax_x = float(np.abs(self.x).max()) or 1.0
        for d in range(D):
            body.append(
                S.text(X0 - 6, y + (d + 0.5) * STRIP, self.input_labels[d], size=10, anchor="end")
            )
        body.append(S.heatmap(X0, y, self.x.T, cell=STRIP, vmax=vmax_x, numbers=False))
        body.append(
            f'<rect x="{X0 + (t - 1) * STRIP - 1}" y="{y - 2}" width="{STRIP + 2}" '
            f'height="{D * STRIP + 4}" fill="none" stroke="{HIGHLIGHT_COLOR}" stroke-width="2.5"/>'
        )
        y += D * STRIP + 12
        xt = ", ".join(f"{v:+.2f}" for v in self.x[t - 1])
        body.append(S.text(8, y + 6, f"时间步 t = {t}：x_t = [{xt}]", size=12, anchor="start"))
        y += 20
        # unit indices
        for j, u in enumerate(self.units):
            body.append(S.text(X0 + (j + 0.5) * CELL, y + 6, f"单元 {u}", size=9))
        y += 14
        for name, (label, scale) in rows.items():
            vals = self.trace[name][t - 1, self.units][None, :]
            vmax = 1.0 if scale == "gate" else max(1.0, float(np.abs(self.trace[name]).max()))
            sym = f"{name}_t"
            body.append(S.text(X0 - 6, y + CELL / 2, f"{label} {sym}", size=11, anchor="end"))
            body.append(S.heatmap(X0, y, vals, cell=CELL, vmax=vmax, fmt="{:.2f}"))
            y += CELL + 4
        if self.head is not None:
            pred = f"V h_t + c = {self.predictions[t - 1]:+.3f}"
            if self.targets is not None:
                pred += f"（t = {self.T} 处的目标：{self.targets[self.sample]:+.3f}）"
            y += 6
            body.append(S.text(8, y + 6, pred, size=12, anchor="start"))
            y += 16
        width = X0 + max(U * CELL, self.T * STRIP) + 10
        what = (
            "LSTM 的门 i、f、o，候选值 g，细胞状态 c 和隐状态 h"
            if self.kind == "lstm"
            else "GRU 的门 r、z，候选隐状态 n 和隐状态 h"
        )
        return S.svg(width, y + 6, body, title=f"{what}：第 {t} 步（共 {self.T} 步）")

    # ------------------------------------------------------------------ widgets
    @property
    def box(self):
        """The ipywidgets ``VBox`` (built on first use)."""
        if self._box is None:
            self._box = self._build()
        return self._box

    def _build(self):
        import ipywidgets as w

        style = {"description_width": "initial"}
        self.t_slider = w.SelectionSlider(
            options=[(str(t), t) for t in range(1, self.T + 1)],
            value=self.step,
            description="时间步 t",
            style=style,
            layout=w.Layout(width="560px"),
        )
        self._frames = [w.HTML(self.frame_html(t)) for t in range(1, self.T + 1)]
        self.stack = w.Stack(self._frames, selected_index=self.step - 1)
        self._link = w.jslink((self.t_slider, "index"), (self.stack, "selected_index"))
        self.t_slider.observe(self._on_step, names="value")
        self.sample_picker = w.BoundedIntText(
            value=self.sample,
            min=0,
            max=self.N - 1,
            description=f"仅限运行中的内核：输入序列（0..{self.N - 1}）",
            style=style,
            layout=w.Layout(width="560px"),
        )
        self.sample_picker.observe(self._on_sample, names="value")
        return w.VBox([self.t_slider, self.sample_picker, self.stack])

    def _on_step(self, change) -> None:
        # in a kernel without a browser (tests, scripts) jslink does nothing: keep Python in sync
        self.step = int(change["new"])
        self.stack.selected_index = self.step - 1

    def _on_sample(self, change) -> None:
        self.set_sample(change["new"])

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return (
            f"GateView({self.kind}, T={self.T}, sample={self.sample}, "
            f"units={html.escape(str(self.units.tolist()))})"
        )


def gate_view(layer, xs, **kwargs) -> GateView:
    """Build a ``GateView`` (see there for the arguments)."""
    return GateView(layer, xs, **kwargs)
