"""Figures of the seq2seq chapter (Chinese labels; Chinese and mathtext in separate strings).

* ``attention_graph`` — the unrolled encoder-decoder of ``rb.figures.structure_graph`` plus
  the attention edges of one decoder step: every encoder state h_i feeds that step's output.
* ``glyph`` — a Chinese numeral character as mathtext (千 -> $10^3$), for axis labels.
* ``plot_attention`` — a heatmap of attention weights, target steps x source characters.
* ``plot_length_curves`` — exact match against source length from a ``sweep`` result.
"""

from __future__ import annotations

import numpy as np

from rnn_book.figures.structures import structure_graph

__all__ = ["attention_graph", "glyph", "plot_attention", "plot_length_curves"]

_GLYPHS = {
    **{c: str(i) for i, c in enumerate("零一二三四五六七八九")},
    "十": "$10$",
    "百": "$10^2$",
    "千": "$10^3$",
    "万": "$10^4$",
    "<pad>": "pad",
}
_KIND_STYLE = {
    "plain": ("#1f77b4", "o", "只用上下文向量"),
    "reversed": ("#ff7f0e", "s", "只用上下文向量，源序列倒序"),
    "attention": ("#2ca02c", "D", "带注意力（Luong general）"),
    "single": ("#555555", "x", "单个 GRU，先读后写"),
}


def glyph(char: str) -> str:
    """A source symbol of the numerals task as a Latin/mathtext label: 千 -> '$10^3$'."""
    if char not in _GLYPHS:
        raise ValueError(f"char: expected a symbol of data.SRC_CHARS, got {char!r}")
    return _GLYPHS[char]


def attention_graph(S: int = 4, T_out: int = 3, step: int = 2):
    """Encoder-decoder diagram with the attention edges h_1..h_S -> y'_step.

    The base is ``structure_graph("encoder_decoder", S, T_out)``; ``step`` (1..T_out) is the
    decoder step whose attention is drawn, one dashed edge per encoder state, labelled
    a_{step,i}. Returns the ``rb.figures.Graph``.
    """
    if not 1 <= step <= T_out:
        raise ValueError(f"step: expected 1..T_out={T_out}, got {step}")
    g = structure_graph("encoder_decoder", S, T_out)
    g.title = f"带注意力的编码器-解码器，输入 {S} 步，输出 {T_out} 步"
    for i in range(1, S + 1):
        g.add_edge(f"h{i}", f"y{step}", None, None, None, rad=-0.22)
    y = g.nodes[f"y{step}"]
    g.add_note(rf"$a_{{{step},i}},\ i = 1 \ldots {S}$", y.x - 2.6, y.y + 1.45, size=9)
    return g


def plot_attention(alpha, src_chars, tgt_labels, ax=None, title: str | None = None):
    """Heatmap of ``alpha`` (T, S): row t = output step, column i = source character.

    src_chars : the S source characters (Chinese; shown through ``glyph``).
    tgt_labels : the T output symbols (digits or "<eos>", shown as "eos").
    """
    import matplotlib.pyplot as plt

    alpha = np.asarray(alpha)
    if alpha.ndim != 2 or alpha.shape != (len(tgt_labels), len(src_chars)):
        raise ValueError(
            f"alpha: expected shape (len(tgt_labels), len(src_chars)) = "
            f"({len(tgt_labels)}, {len(src_chars)}), got {alpha.shape}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(0.45 * len(src_chars) + 1.6, 0.4 * len(tgt_labels) + 1.2))
    im = ax.imshow(alpha, cmap="Greens", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(src_chars)), [glyph(c) for c in src_chars], fontsize=9)
    ax.set_yticks(range(len(tgt_labels)), [t.replace("<eos>", "eos") for t in tgt_labels])
    ax.set_xlabel("源序列的字")
    ax.set_ylabel("输出步 t")
    ax.figure.colorbar(im, ax=ax, label=r"$a_{t,i}$", fraction=0.04)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_length_curves(result: dict, key: str = "exact_by_len", ax=None, title=None):
    """Mean (markers) and min-max over seeds (band) of ``key`` per source-length bin.

    result : the dict returned by ``experiments.sweep`` (or loaded from its JSON file).
    A dotted vertical line marks the longest source seen in training.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.2, 3.6))
    cfg = result["config"]
    bins = cfg["bins"]
    x = np.arange(len(bins))
    for kind, runs in result["results"].items():
        vals = np.array([[np.nan if v is None else v for v in r[key]] for r in runs])
        color, marker, label = _KIND_STYLE.get(kind, ("#555555", "x", kind))
        mean = np.nanmean(vals, axis=0)
        ax.plot(x, mean, marker=marker, color=color, label=f"{label}（n={len(runs)}）")
        if len(runs) > 1:
            ax.fill_between(x, vals.min(axis=0), vals.max(axis=0), color=color, alpha=0.15)
    limit = cfg["train_max_len"]
    if limit < bins[-1][1]:
        edge = max(i for i, (lo, hi) in enumerate(bins) if hi <= limit) + 0.5
        ax.axvline(edge, color="#777777", ls=":", lw=1.2)
        ax.text(
            edge + 0.05,
            0.97,
            "比所有训练输入\n都长",
            fontsize=8,
            va="top",
            color="#555555",
            transform=ax.get_xaxis_transform(),
        )
    ax.set_xticks(x, [f"{lo}-{hi}" if lo != hi else f"{lo}" for lo, hi in bins])
    ax.set_xlabel("源序列长度（字数）")
    ax.set_ylabel("完全匹配率" if key.startswith("exact") else "逐词元准确率")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    if title:
        ax.set_title(title, fontsize=10)
    return ax
