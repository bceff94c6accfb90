"""The alignment widget: scrub through the output steps of an encoder-decoder with attention.

For every output step t the frame shows the attention weights a_{t,i} over the source as a
heat map (rows = output steps, columns = source tokens), the current row framed, the produced
token y_t and the source token with the largest weight highlighted. One object serves both
worlds (GUIDE section 5):

- in the static HTML book every frame is precomputed in Python; the step slider and the
  example menu are ``jslink``-ed to ``Stack.selected_index``, so the browser switches frames
  with no kernel;
- in a live kernel the same links work, and the text box decodes what the reader types (with
  the ``decode`` function given) and redraws the last example's frames.
"""

from __future__ import annotations

import html

import numpy as np

from rnn_book.figures import svg as S
from rnn_book.figures.style import HIGHLIGHT_COLOR

__all__ = ["AlignmentWidget", "alignment_frame", "alignment_widget", "check_example"]

CELL = 24  # px of one heat-map cell
X0, Y0 = 64, 92  # top-left corner of the heat map
MAX_STEPS = 16  # output steps drawn at most
MAX_SOURCE = 40  # source tokens drawn at most


def _green(a: float) -> str:
    """Colour of a weight in [0, 1]: white to dark green."""
    a = float(np.clip(a, 0.0, 1.0))
    end = (0, 109, 44)
    c = [round(255 + (e - 255) * a) for e in end]
    return f"#{c[0]:02x}{c[1]:02x}{c[2]:02x}"


def _show(token: str) -> str:
    return {"<eos>": "⟨eos⟩", "<pad>": "⟨pad⟩"}.get(token, token)


def check_example(example) -> dict:
    """Validate one example: a dict with "source" (S tokens), "output" (T tokens) and
    "alpha" (T, S) weights, rows summing to 1; optional "label" and "target" (str).
    Returns a normalised copy (lists of str, a float array)."""
    if not isinstance(example, dict) or not {"source", "output", "alpha"} <= set(example):
        raise TypeError(
            "example: expected a dict with keys 'source', 'output', 'alpha', got "
            f"{type(example).__name__} {sorted(example) if isinstance(example, dict) else ''}"
        )
    src = [str(s) for s in example["source"]]
    out = [str(s) for s in example["output"]]
    alpha = np.array(example["alpha"], dtype=np.float64)
    if not 1 <= len(out) <= MAX_STEPS or not 1 <= len(src) <= MAX_SOURCE:
        raise ValueError(
            f"example: expected 1..{MAX_STEPS} output and 1..{MAX_SOURCE} source tokens, got "
            f"{len(out)} and {len(src)}"
        )
    if alpha.shape != (len(out), len(src)):
        raise ValueError(
            f"alpha: expected shape (len(output), len(source)) = ({len(out)}, {len(src)}), "
            f"got {alpha.shape}"
        )
    if not np.allclose(alpha.sum(axis=1), 1.0, atol=1e-6) or (alpha < 0).any():
        raise ValueError("alpha: expected non-negative rows summing to 1 (attention weights)")
    return {
        "source": src,
        "output": out,
        "alpha": alpha,
        "label": str(example.get("label", "".join(src))),
        "target": example.get("target"),
    }


def alignment_frame(example, t: int) -> str:
    """SVG of step t (1-based) of ``example`` (see ``check_example``); t > T shows step T."""
    ex = check_example(example)
    src, out, alpha = ex["source"], ex["output"], ex["alpha"]
    T, Sn = alpha.shape
    n = min(max(int(t), 1), T)
    row = alpha[n - 1]
    top = int(np.argmax(row))
    width = max(X0 + Sn * CELL + 20, 460)
    height = Y0 + T * CELL + 16
    b = []
    note = f"（滑块在第 {t} 步，本例只有 {T} 步）" if t > T else ""
    b.append(
        S.text(
            8,
            14,
            f"第 {n} 步，写出 {_show(out[n - 1])}{note}",
            size=13,
            anchor="start",
            weight="bold",
        )
    )
    b.append(
        S.text(
            8,
            34,
            f"权重最大：第 {top + 1} 个源符号 {_show(src[top])}，a = {row[top]:.2f}",
            size=12,
            anchor="start",
        )
    )
    truth = ex["target"]
    if truth is not None:
        said = "".join(o for o in out if o != "<eos>")
        verdict = "对" if said == truth else f"错，正确答案 {truth}"
        b.append(S.text(8, 52, f"输出 {said}（{verdict}）", size=12, anchor="start", color="#555"))
    # source tokens as column labels; the most attended one highlighted
    b.append(
        f'<rect x="{X0 + top * CELL}" y="{Y0 - 26}" width="{CELL}" height="{22}" '
        f'fill="{HIGHLIGHT_COLOR}" fill-opacity="0.35"/>'
    )
    for i, tok in enumerate(src):
        b.append(
            S.text(
                X0 + (i + 0.5) * CELL,
                Y0 - 14,
                _show(tok),
                size=13 if len(tok) == 1 else 8,
                weight="bold" if i == top else "normal",
            )
        )
    # output tokens as row labels; the current one highlighted
    for r, tok in enumerate(out):
        y = Y0 + (r + 0.5) * CELL + 1
        cur = r == n - 1
        b.append(
            S.text(
                X0 - 8,
                y,
                _show(tok),
                size=13 if len(tok) == 1 else 10,
                anchor="end",
                weight="bold" if cur else "normal",
                color="#222" if r < n else "#AAAAAA",
            )
        )
    # the heat map: a white background, then only the cells with visible weight
    b.append(
        f'<rect x="{X0}" y="{Y0}" width="{Sn * CELL}" height="{T * CELL}" fill="#FFFFFF" '
        f'stroke="#BBBBBB" stroke-width="0.6"/>'
    )
    for r in range(T):
        for i in range(Sn):
            a = alpha[r, i]
            if a >= 0.02:
                b.append(
                    f'<rect x="{X0 + i * CELL}" y="{Y0 + r * CELL}" width="{CELL}" '
                    f'height="{CELL}" fill="{_green(a)}"/>'
                )
    # rows not yet written are veiled
    if n < T:
        b.append(
            f'<rect x="{X0}" y="{Y0 + n * CELL}" width="{Sn * CELL}" height="{(T - n) * CELL}" '
            f'fill="#FFFFFF" fill-opacity="0.6"/>'
        )
    b.append(
        f'<rect x="{X0 - 2}" y="{Y0 + (n - 1) * CELL - 2}" width="{Sn * CELL + 4}" '
        f'height="{CELL + 4}" fill="none" stroke="{HIGHLIGHT_COLOR}" stroke-width="3"/>'
    )
    b.append(
        f'<rect x="{X0 + top * CELL}" y="{Y0 + (n - 1) * CELL}" width="{CELL}" '
        f'height="{CELL}" fill="none" stroke="#222" stroke-width="1.5"/>'
    )
    title = f"注意力权重，第 {n} 步写出 {_show(out[n - 1])}"
    return S.svg(width, height, b, title=title)


class AlignmentWidget:
    """Scrub through the output steps of decoded examples; see their attention weights.

    Parameters
    ----------
    examples : list of dicts, each {"source": S tokens, "output": T tokens, "alpha": (T, S)
        weights, "label": menu text, "target": the right answer or None} (``check_example``).
    decode : optional function str -> one such dict, for the live text box (it decodes what
        the reader types). When given, the last menu entry is the reader's own input,
        starting with ``decode(initial_text)``.
    initial_text : the text the live entry starts from (needs ``decode``).

    Attributes: ``examples`` (the checked dicts), ``steps`` (the slider's range, the longest
    output), ``box`` (the ipywidgets container), ``frame_html(e, t)``.
    """

    def __init__(self, examples, decode=None, initial_text: str | None = None):
        examples = [check_example(e) for e in examples]
        if not examples:
            raise ValueError("examples: expected at least one example, got none")
        if decode is not None and not callable(decode):
            raise TypeError(f"decode: expected a function str -> example, got {decode!r}")
        if (decode is None) != (initial_text is None):
            raise ValueError("decode, initial_text: give both (a live entry) or neither")
        self.decode = decode
        if decode is not None:
            own = check_example(decode(initial_text))
            own["label"] = f"自己输入：{initial_text}"
            examples.append(own)
        self.examples = examples
        self.steps = max(len(e["output"]) for e in examples)
        self._box = None

    def frame_html(self, e: int, t: int) -> str:
        """SVG of example ``e`` (0-based) at output step ``t`` (1-based)."""
        return alignment_frame(self.examples[e], t)

    @property
    def box(self):
        """The ipywidgets container (built on first use)."""
        if self._box is None:
            self._box = self._build()
        return self._box

    def _build(self):
        import ipywidgets as w

        style = {"description_width": "120px"}
        self.step_slider = w.SelectionSlider(
            options=[(str(t), t) for t in range(1, self.steps + 1)],
            value=1,
            description="输出步 t",
            style=style,
            layout=w.Layout(width="560px"),
        )
        self.example_menu = w.Dropdown(
            options=[(e["label"], k) for k, e in enumerate(self.examples)],
            value=0,
            description="例子",
            style=style,
            layout=w.Layout(width="560px"),
        )
        self._frames, self._links, per_example = {}, [], []
        for k in range(len(self.examples)):
            children = []
            for t in range(1, self.steps + 1):
                f = w.HTML(self.frame_html(k, t))
                self._frames[(k, t)] = f
                children.append(f)
            stack = w.Stack(children, selected_index=0)
            self._links.append(w.jslink((self.step_slider, "index"), (stack, "selected_index")))
            per_example.append(stack)
        self.example_stack = w.Stack(per_example, selected_index=0)
        self._links.append(
            w.jslink((self.example_menu, "index"), (self.example_stack, "selected_index"))
        )
        controls = [self.example_menu, self.step_slider]
        if self.decode is not None:
            self.text_box = w.Text(
                value="",
                placeholder="输入后按回车",
                description="仅限运行中的内核：自己输入",
                style={"description_width": "initial"},
                layout=w.Layout(width="560px"),
                continuous_update=False,
            )
            self.text_box.observe(self._on_text, names="value")
            self.message = w.HTML("")
            controls += [self.text_box, self.message]
        return w.VBox([*controls, self.example_stack])

    def _on_text(self, change) -> None:
        text = change["new"].strip()
        if text:
            self.set_own_input(text)

    def set_own_input(self, text: str) -> None:
        """Decode ``text`` (live kernel) into the last example and redraw its frames.

        An input the decoder cannot read leaves the frames as they were and shows the error.
        """
        if self.decode is None:
            raise RuntimeError("set_own_input: this widget has no decode function")
        try:
            own = check_example(self.decode(text))
        except (ValueError, TypeError) as exc:
            if self._box is not None:
                self.message.value = f"<span style='color:#b2182b'>{html.escape(str(exc))}</span>"
            return
        own["label"] = f"自己输入：{text}"
        k = len(self.examples) - 1
        self.examples[k] = own
        if self._box is None:
            return
        self.message.value = ""
        for t in range(1, self.steps + 1):
            self._frames[(k, t)].value = self.frame_html(k, t)
        self.example_menu.options = [(e["label"], j) for j, e in enumerate(self.examples)]
        self.example_menu.index = k

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)


def alignment_widget(examples, decode=None, initial_text=None) -> AlignmentWidget:
    """Build an ``AlignmentWidget`` (see there for the arguments)."""
    return AlignmentWidget(examples, decode, initial_text)
