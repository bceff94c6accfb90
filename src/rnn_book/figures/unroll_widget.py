"""The unroll widget: scrub through the time steps of a concrete RNN and see U, W, V shared.

One object serves both worlds (GUIDE section 5):

- in the static HTML book every frame is precomputed here, in Python, and the sliders are
  ``jslink``-ed to ``Stack.selected_index``, so the browser switches frames with no kernel;
- in a live kernel the same links work, and the "live" control edits one entry of W in place
  (``rnn.params["weight_hh_l0"]``, the very array the RNN uses) and recomputes every frame.

Frames: for every W scale s (a small grid), every sequence length T <= T_max and every step t,
one SVG of the unrolled graph. A frame with t > T shows step T (the slider cannot know T in a
static page); since an RNN is causal, h_1..h_t do not depend on T, so the frames for different
T differ only in how many steps are drawn and in the arrow counts, never in the numbers.
"""

from __future__ import annotations

import copy

import numpy as np

from rnn_book.figures import svg as S
from rnn_book.figures.style import HIGHLIGHT_COLOR, MATRIX_COLORS

__all__ = ["UnrollWidget", "unroll_widget"]

MAX_STEPS = 8  # frames grow like T_max^2 * len(scales); keeps the page small
CW = 112  # column width (px) of one time step
X0 = 70  # left margin for the row labels
Y_P, Y_Y, Y_H, Y_X = 34, 96, 182, 266  # rows: p(next) cells, output, state, input


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _fmt_vec(v, fmt="{:+.2f}") -> str:
    return "[" + ", ".join(fmt.format(float(a)) for a in v) + "]"


class UnrollWidget:
    """Interactive unrolled view of a single-layer ``rb.RNN`` on a concrete input.

    Parameters
    ----------
    rnn : an ``rb.RNN`` with num_layers=1, unidirectional. U = ``rnn.params["weight_ih_l0"]``
          (H, D), W = ``rnn.params["weight_hh_l0"]`` (H, H).
    inputs : a string (one-hot encoded over ``vocab``; needs rnn.input_size == len(vocab)) or
             an array (T, D) of input vectors. 1 <= T <= 8.
    vocab : the characters of the one-hot code, default ``sorted(set(inputs))``.
    V, c : output weight (O, H) and bias (O,); default seeded U(-1/sqrt(H), 1/sqrt(H)) with
           O = len(vocab) (string input) or D. ``head`` (e.g. ``rb.Linear(H, O)``) instead:
           V = head.params["weight"], c = head.params["bias"] (the very arrays).
    h0 : initial state (H,), zeros by default (then h_1 does not depend on W at all).
    scales : the W scale grid s (W_s = s * W) precomputed for the static page; must contain 1.
    live_entry : (i, j) of the W entry the live control edits.
    seed : seed of the default V and c.

    Attributes: ``U``, ``W``, ``V`` are the arrays themselves (``U is rnn.params["weight_ih_l0"]``);
    ``box`` is the ipywidgets container (displayed when the object is the cell's last value);
    ``frame_html(k, T, t)`` and ``frame_data(k, T, t)`` give a frame and its numbers.
    """

    def __init__(
        self,
        rnn,
        inputs="hello",
        *,
        vocab=None,
        V=None,
        c=None,
        head=None,
        h0=None,
        scales=(0.0, 0.5, 1.0, 2.0),
        live_entry=(0, 1),
        seed: int = 0,
    ):
        params = getattr(rnn, "params", None)
        if not isinstance(params, dict) or "weight_hh_l0" not in params:
            raise TypeError(f"rnn: expected an rb.RNN (params with 'weight_hh_l0'), got {rnn!r}")
        if getattr(rnn, "num_layers", 1) != 1 or getattr(rnn, "bidirectional", False):
            raise ValueError(
                "rnn: expected num_layers=1 and bidirectional=False (one U, one W), got "
                f"num_layers={rnn.num_layers}, bidirectional={rnn.bidirectional}"
            )
        if getattr(rnn, "gates", 1) != 1:
            raise ValueError(
                f"rnn: expected a plain RNN (one gate block), got {type(rnn).__name__}"
            )
        self.rnn = rnn
        H, D = params["weight_ih_l0"].shape
        self.hidden_size, self.input_size = H, D
        dtype = params["weight_ih_l0"].dtype

        if isinstance(inputs, str):
            if not 1 <= len(inputs) <= MAX_STEPS:
                raise ValueError(f"inputs: expected 1..{MAX_STEPS} characters, got {len(inputs)}")
            self.vocab = list(vocab) if vocab is not None else sorted(set(inputs))
            missing = sorted(set(inputs) - set(self.vocab))
            if missing:
                raise ValueError(f"vocab: characters {missing} of inputs are not in vocab")
            if len(self.vocab) != D:
                raise ValueError(
                    f"inputs: one-hot over a vocab of {len(self.vocab)} characters needs "
                    f"rnn.input_size = {len(self.vocab)}, got weight_ih_l0 of shape {(H, D)}"
                )
            self.tokens = list(inputs)
            x = np.zeros((len(inputs), D), dtype=dtype)
            x[np.arange(len(inputs)), [self.vocab.index(ch) for ch in inputs]] = 1.0
            out_labels = self.vocab
        else:
            x = np.asarray(inputs, dtype=dtype)
            if x.ndim != 2 or x.shape[1] != D or not 1 <= x.shape[0] <= MAX_STEPS:
                raise ValueError(
                    f"inputs: expected a string or an array (T, D) with D = {D} and "
                    f"1 <= T <= {MAX_STEPS}, got shape {x.shape}"
                )
            self.vocab = None
            self.tokens = [f"x{t + 1}" for t in range(x.shape[0])]
            out_labels = None
        self.x = x  # (T_max, D)
        self.T_max = x.shape[0]

        self.head = head
        if head is not None:
            V, c = head.params["weight"], head.params.get("bias")
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(H)
        O = len(self.vocab) if self.vocab is not None else D
        if V is None:
            V = rng.uniform(-bound, bound, size=(O, H)).astype(dtype)
        V = np.asarray(V)
        if V.ndim != 2 or V.shape[1] != H:
            raise ValueError(f"V: expected shape (O, H) with H = {H}, got {V.shape}")
        O = V.shape[0]
        if c is None:
            c = (
                np.zeros(O, dtype=dtype)
                if head is not None
                else rng.uniform(-bound, bound, size=O).astype(dtype)
            )
        c = np.asarray(c)
        if c.shape != (O,):
            raise ValueError(f"c: expected shape ({O},) = (O,), got {c.shape}")
        self.V, self.c = V, c
        self.out_labels = (
            out_labels
            if out_labels is not None and len(out_labels) == O
            else [str(i) for i in range(O)]
        )

        self.h0 = np.zeros(H, dtype=dtype) if h0 is None else np.asarray(h0, dtype=dtype)
        if self.h0.shape != (H,):
            raise ValueError(f"h0: expected shape ({H},) = (H,), got {self.h0.shape}")

        self.scales = tuple(float(s) for s in scales)
        if 1.0 not in self.scales:
            raise ValueError(f"scales: expected a grid containing 1.0 (W itself), got {scales}")
        i, j = live_entry
        if not (0 <= i < H and 0 <= j < H):
            raise ValueError(
                f"live_entry: expected indices into W of shape {(H, H)}, got {live_entry}"
            )
        self.live_entry = (int(i), int(j))
        self._box = None
        self._compute()

    # ------------------------------------------------------------------ the shared arrays
    @property
    def U(self) -> np.ndarray:
        """(H, D) the input matrix U, the very array ``rnn.params["weight_ih_l0"]``."""
        return self.rnn.params["weight_ih_l0"]

    @property
    def W(self) -> np.ndarray:
        """(H, H) the recurrent matrix W, the very array ``rnn.params["weight_hh_l0"]``."""
        return self.rnn.params["weight_hh_l0"]

    def num_parameters(self) -> int:
        """Parameters of the RNN plus V and c; the same for every T."""
        return int(self.rnn.num_parameters() + self.V.size + self.c.size)

    # ------------------------------------------------------------------ numbers
    def run(self, scale: float = 1.0, T: int | None = None):
        """Forward pass with W replaced by scale * W on the first T inputs.

        Returns h (T, H), logits y (T, O), probabilities p (T, O). Uses ``rnn.forward`` on a
        shallow copy whose params dict differs only in W, so the user's RNN is untouched.
        """
        T = self.T_max if T is None else T
        clone = copy.copy(self.rnn)
        clone.params = dict(self.rnn.params)
        # scale 1 runs on the very array W (identity, not an equal copy)
        clone.params["weight_hh_l0"] = self.W if scale == 1.0 else scale * self.W
        clone._cache = None
        out, _ = clone.forward(self.x[:T, None, :], self.h0[None, None, :])
        h = out[:, 0]
        # y = V h + c directly from the arrays (for a head: its own weight and bias), so that a
        # head's forward cache is not overwritten by the widget
        y = h @ self.V.T + self.c
        return h, y, _softmax(y)

    def _compute(self) -> None:
        # one forward pass per scale over T_max steps: the RNN is causal, so the frame (T, t)
        # is the prefix [:min(t, T)] of it (test_widgets checks this against forward on x[:T])
        self._runs = [self.run(s) for s in self.scales]

    def frame_data(self, k: int, T: int, t: int) -> dict[str, np.ndarray]:
        """Numbers of frame (scale index k, length T, step t): h, y, p of steps 1..min(t, T)."""
        n = min(t, T)
        h, y, p = self._runs[k]
        return {"h": h[:n], "y": y[:n], "p": p[:n]}

    # ------------------------------------------------------------------ SVG frames
    def frame_html(self, k: int, T: int, t: int) -> str:
        """The SVG of frame (scale index k, sequence length T, current step t); 1 <= T, t <= T_max."""
        s = self.scales[k]
        d = self.frame_data(k, T, t)
        H, n = self.hidden_size, min(t, T)
        width, height = max(X0 + self.T_max * CW + 10, 560), Y_X + 44 + 21 * 4 + 14
        b = [
            S.text(8, Y_P + 6, "p(next)", size=11, anchor="start", color="#555"),
            S.text(8, Y_Y, "y", size=12, anchor="start", sub="t"),
            S.text(8, Y_H, "h", size=12, anchor="start", sub="t"),
            S.text(8, Y_X, "x", size=12, anchor="start", sub="t"),
        ]
        cx = [X0 + (i + 0.5) * CW for i in range(self.T_max)]
        band = cx[n - 1] - CW / 2 + 4
        b.append(
            f'<rect x="{band:.1f}" y="6" width="{CW - 8}" height="{Y_X + 26}" rx="8" '
            f'fill="{HIGHLIGHT_COLOR}" fill-opacity="0.13"/>'
        )
        vmax = max(1e-12, float(np.abs(self._runs[k][0]).max()))
        cell = min(12, 72 // H)
        for i in range(T):
            x, done, cur = cx[i], i < n, i == n - 1
            b.append(S.node("input", x, Y_X, 16, highlight=cur))
            b.append(
                S.text(
                    x,
                    Y_X + 1,
                    repr(self.tokens[i]) if self.vocab else "x",
                    size=12,
                    sub=None if self.vocab else str(i + 1),
                )
            )
            tip = f"第 {i + 1} 步：与其他每一步是同一个数组，"
            b.append(
                S.arrow(
                    x,
                    Y_X - 17,
                    x,
                    Y_H - 21,
                    "U",
                    label="U",
                    label_dx=-11,
                    label_dy=12,
                    hover=tip + "U = weight_ih_l0",
                )
            )
            b.append(S.node("state", x, Y_H, 19, highlight=cur, faded=not done))
            b.append(S.text(x - 2, Y_H - 1, "h", size=12, sub=str(i + 1)))
            b.append(
                S.arrow(
                    x,
                    Y_H - 20,
                    x,
                    Y_Y + 23,
                    "V",
                    label="V",
                    label_dx=-11,
                    hover=tip + "V（输出层）",
                )
            )
            b.append(S.node("output", x, Y_Y, 18, highlight=cur, faded=not done))
            if i > 0:
                w = 0.7 + 1.6 * min(abs(s), 3.0)
                b.append(
                    S.arrow(
                        cx[i - 1] + 20,
                        Y_H,
                        x - 21,
                        Y_H,
                        "W",
                        width=w,
                        label="W",
                        label_dy=-10,
                        hover=tip + ("W = weight_hh_l0" if s == 1 else f"W = {s:g} × weight_hh_l0"),
                    )
                )
            if done:
                b.append(
                    S.heatmap(
                        x + 14, Y_H + 16, d["h"][i][None, :], cell=cell, vmax=vmax, numbers=False
                    )
                )
                top = int(np.argmax(d["p"][i]))
                b.append(S.text(x, Y_Y + 1, self.out_labels[top], size=12, weight="bold"))
                O = len(self.out_labels)
                pc = min(14, (CW - 16) // O)
                x_left = x - O * pc / 2
                for o in range(O):
                    b.append(
                        f'<rect x="{x_left + o * pc:.0f}" y="{Y_P:.0f}" width="{pc}" height="{pc}" '
                        f'fill="{S.grey(d["p"][i][o])}" stroke="#999" stroke-width="0.5"/>'
                    )
                    b.append(
                        S.text(
                            x_left + (o + 0.5) * pc,
                            Y_P - 8,
                            self.out_labels[o],
                            size=9,
                            color="#555",
                        )
                    )
            else:
                b.append(S.text(x, Y_Y + 1, "y", size=11, color="#999", sub=str(i + 1)))
        # the numbers of the current step, computed by rnn.forward
        t_cur = n
        y0 = Y_X + 44
        note = f"（t = {t} > T：显示最后一步）" if t > T else ""
        b.append(
            S.text(
                8,
                y0,
                f"W 缩放 s = {s:g}：第 t = {t_cur} 步，共 T = {T} 步{note}",
                size=12,
                anchor="start",
                weight="bold",
            )
        )
        prev = f"h{t_cur - 1}"
        lines = [
            f"h{t_cur} = tanh(U x{t_cur} + W {prev} + b) = {_fmt_vec(d['h'][-1])}",
            f"y{t_cur} = V h{t_cur} + c，softmax："
            + "  ".join(
                f"{lab} {q:.2f}" for lab, q in zip(self.out_labels, d["p"][-1], strict=True)
            ),
            f"{T} 个 U 箭头、{T - 1} 个 W 箭头、{T} 个 V 箭头 = 3 个数组，{T} 步全部共享",
            (
                f"参数个数 {self.num_parameters()}，与 T 无关"
                f"（若每步各有一份则需 {T} × {self.num_parameters()}"
                f" = {T * self.num_parameters()}）"
            ),
        ]
        for m, line in enumerate(lines):
            b.append(S.text(8, y0 + 21 * (m + 1), line, size=12, anchor="start"))
        width = max(width, 16 + 7.3 * max(S.text_units(line) for line in lines))
        title = f"展开的 RNN，W 缩放 {s:g}，T = {T}，第 {t_cur} 步"
        if t > T:
            title += f"（滑块在 t = {t}）"
        return S.svg(width, height, b, title=title)

    def matrices_html(self, k: int) -> str:
        """SVG of U, s*W and V as heatmaps (scale index k): the one copy of each."""
        s = self.scales[k]
        cell = 30
        H, D = self.U.shape
        O = self.V.shape[0]
        mats = [
            ("U", "weight_ih_l0", self.U, f"{H}x{D}"),
            ("W", "weight_hh_l0" if s == 1 else f"{s:g} × weight_hh_l0", s * self.W, f"{H}x{H}"),
            ("V", "输出层", self.V, f"{O}x{H}"),
        ]
        vmax = max(float(np.abs(m).max()) for _, _, m, _ in mats) or 1.0
        b, x = [], 10
        for name, title, M, shape in mats:
            color = MATRIX_COLORS[name]
            b.append(S.text(x, 12, name, size=15, anchor="start", color=color, weight="bold"))
            b.append(S.text(x + 19, 13, f"({shape})", size=11, anchor="start", color=color))
            b.append(S.text(x, 30, title, size=11, anchor="start", color="#555"))
            b.append(S.heatmap(x + 2, 56, M, cell=cell, vmax=vmax, frame=color))
            if name == "U" and self.vocab:
                for j, ch in enumerate(self.vocab):
                    b.append(S.text(x + 2 + (j + 0.5) * cell, 46, repr(ch), size=9, color="#555"))
            x += max(M.shape[1] * cell + 36, 40 + 7 * S.text_units(title))
        rows = max(H, O)
        y = 56 + rows * cell + 20
        b.append(
            S.text(
                10,
                y,
                "每个只有一个数组：下方每一个标着 U、W 或 V 的箭头用的就是这个数组",
                size=12,
                anchor="start",
            )
        )
        b.append(
            S.text(
                10,
                y + 18,
                "（每个时间步都是同一个对象，不是拷贝）。",
                size=12,
                anchor="start",
            )
        )
        y += 18
        return S.svg(max(int(x), 560), int(y + 14), b, title=f"U、W、V（W 缩放 {s:g}）")

    # ------------------------------------------------------------------ ipywidgets
    @property
    def box(self):
        """The ipywidgets container (built on first use)."""
        if self._box is None:
            self._box = self._build()
        return self._box

    def _build(self):
        import ipywidgets as w

        steps = list(range(1, self.T_max + 1))
        style = {"description_width": "200px"}
        k1 = self.scales.index(1.0)
        self.scale_slider = w.SelectionSlider(
            options=[(f"{s:g}", s) for s in self.scales],
            value=1.0,
            description="W 缩放 s（W → sW）",
            style=style,
            layout=w.Layout(width="600px"),
            continuous_update=True,
        )
        self.T_slider = w.SelectionSlider(
            options=[(str(T), T) for T in steps],
            value=self.T_max,
            description="序列长度 T",
            style=style,
            layout=w.Layout(width="600px"),
        )
        self.t_slider = w.SelectionSlider(
            options=[(str(t), t) for t in steps],
            value=1,
            description="当前时间步 t",
            style=style,
            layout=w.Layout(width="600px"),
        )
        self._frames, self._matrix_views, self._links = {}, [], []
        per_scale = []
        for k in range(len(self.scales)):
            mat = w.HTML(self.matrices_html(k))
            self._matrix_views.append(mat)
            T_children = []
            for T in steps:
                t_children = []
                for t in steps:
                    f = w.HTML(self.frame_html(k, T, t))
                    self._frames[(k, T, t)] = f
                    t_children.append(f)
                t_stack = w.Stack(t_children, selected_index=0)
                self._links.append(w.jslink((self.t_slider, "index"), (t_stack, "selected_index")))
                T_children.append(t_stack)
            T_stack = w.Stack(T_children, selected_index=self.T_max - 1)
            self._links.append(w.jslink((self.T_slider, "index"), (T_stack, "selected_index")))
            per_scale.append(w.VBox([mat, T_stack]))
        self.scale_stack = w.Stack(per_scale, selected_index=k1)
        self._links.append(
            w.jslink((self.scale_slider, "index"), (self.scale_stack, "selected_index"))
        )
        i, j = self.live_entry
        self.entry_slider = w.FloatSlider(
            value=float(self.W[i, j]),
            min=-3.0,
            max=3.0,
            step=0.05,
            description=f"仅限运行中的内核：W[{i},{j}]",
            style=style,
            layout=w.Layout(width="600px"),
            continuous_update=False,
            readout_format="+.2f",
        )
        self.entry_slider.observe(self._on_entry, names="value")
        return w.VBox(
            [self.t_slider, self.T_slider, self.scale_slider, self.entry_slider, self.scale_stack]
        )

    def _on_entry(self, change) -> None:
        i, j = self.live_entry
        self.set_W_entry(i, j, change["new"])

    def set_W_entry(self, i: int, j: int, value: float) -> None:
        """Write W[i, j] = value IN PLACE (the RNN's own array) and recompute every frame."""
        H = self.hidden_size
        if not (0 <= i < H and 0 <= j < H):
            raise ValueError(f"(i, j): expected indices into W of shape {(H, H)}, got {(i, j)}")
        self.W[i, j] = value
        self.refresh()

    def refresh(self) -> None:
        """Recompute all frames from the RNN's current parameters (call after editing them)."""
        self._compute()
        if self._box is None:
            return
        for (k, T, t), f in self._frames.items():
            f.value = self.frame_html(k, T, t)
        for k, m in enumerate(self._matrix_views):
            m.value = self.matrices_html(k)

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)


def unroll_widget(rnn, inputs="hello", **kwargs) -> UnrollWidget:
    """Build an ``UnrollWidget`` (see there for the arguments)."""
    return UnrollWidget(rnn, inputs, **kwargs)
