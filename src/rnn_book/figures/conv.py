"""Figures of the page "recurrent or convolutional?": the receptive field of a stack of dilated
causal convolutions drawn against the recurrent state, and cost curves (Chinese labels; Chinese
and mathtext kept in separate strings, see ``style``)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from rnn_book.figures.style import DATA_COLOR, HIGHLIGHT_COLOR, MATRIX_COLORS

__all__ = ["draw_receptive_field", "plot_costs"]


def _cone(T: int, kernel_size: int, dilations) -> list[set[int]]:
    """Steps of every level (0 = inputs) that the top output at T-1 depends on."""
    levels = [{T - 1}]
    for d in reversed(dilations):
        below = set()
        for t in levels[0]:
            below |= {t - k * d for k in range(kernel_size)} | {t}  # taps and the residual
        levels.insert(0, {t for t in below if t >= 0})
    return levels


def draw_receptive_field(kernel_size: int, dilations, sensitivity: dict, T: int | None = None):
    """Three panels: the TCN's cone, the RNN's chain, and the measured sensitivity.

    Parameters
    ----------
    kernel_size : K of the TCN's convolutions.
    dilations : list of the L dilations d_l.
    sensitivity : name -> (T_s,) array, ||d output_T / d x_{T-k}|| for k = 0 .. T_s-1
        (``rnn_book.chapters.rnn_or_cnn.input_sensitivity``), drawn on a log scale; zeros
        (inputs outside a receptive field) are drawn at the bottom edge.
    T : number of time steps drawn in the two diagrams (default receptive field + 4).

    Returns the figure.
    """
    R = 1 + sum((kernel_size - 1) * d for d in dilations)
    T = R + 4 if T is None else T
    L = len(dilations)
    fig, axes = plt.subplots(
        1, 3, figsize=(13.5, 3.9), gridspec_kw={"width_ratios": [1.25, 1.25, 1.0]}
    )
    ax = axes[0]
    cone = _cone(T, kernel_size, dilations)
    for level in range(L + 1):
        on = sorted(cone[level])
        off = [t for t in range(T) if t not in cone[level]]
        ax.scatter(off, [level] * len(off), s=22, color="#DDDDDD", zorder=2)
        color = MATRIX_COLORS["U"] if level == 0 else MATRIX_COLORS["W"]
        ax.scatter(on, [level] * len(on), s=28, color=color, zorder=3)
    for level, d in enumerate(dilations, start=1):
        for t in cone[level]:
            for k in range(kernel_size):
                s = t - k * d
                if s >= 0:
                    ax.plot([s, t], [level - 1, level], color=DATA_COLOR, lw=0.8, zorder=1)
    ax.scatter([T - 1], [L], s=70, color=HIGHLIGHT_COLOR, zorder=4)
    ax.axvspan(T - R - 0.5, T - 0.5, color=MATRIX_COLORS["U"], alpha=0.08)
    ax.set_yticks(range(L + 1))
    ax.set_yticklabels(["输入"] + [f"第 {i} 层 (d={d})" for i, d in enumerate(dilations, 1)])
    ax.set_xlabel("时间步")
    ax.set_title(f"因果卷积：最后一步只看见最近 {R} 个输入")
    ax.set_xlim(-0.8, T - 0.2)
    ax.spines[["top", "right"]].set_visible(False)

    ax = axes[1]
    ax.scatter(range(T), [0] * T, s=28, color=MATRIX_COLORS["U"], zorder=3)
    ax.scatter(range(T), [1] * T, s=28, color=MATRIX_COLORS["W"], zorder=3)
    for t in range(T):
        ax.plot([t, t], [0, 1], color=MATRIX_COLORS["U"], lw=0.8, zorder=1)
        if t:
            ax.plot([t - 1, t], [1, 1], color=MATRIX_COLORS["W"], lw=1.4, zorder=1)
    ax.scatter([T - 1], [1], s=70, color=HIGHLIGHT_COLOR, zorder=4)
    ax.set_yticks([0, 1])
    ax.set_yticklabels(["输入", "隐状态"])
    ax.set_ylim(-0.6, 1.6)
    ax.set_xlim(-0.8, T - 0.2)
    ax.set_xlabel("时间步")
    ax.set_title("循环网络：每个输入都经隐状态链到达最后一步")
    ax.spines[["top", "right"]].set_visible(False)

    ax = axes[2]
    floor = min(v[v > 0].min() for v in sensitivity.values()) / 10
    for name, v in sensitivity.items():
        v = np.asarray(v, dtype=np.float64)
        ax.semilogy(np.arange(v.size), np.where(v > 0, v, floor), label=name, lw=1.6)
    ax.axvline(R - 0.5, color=DATA_COLOR, ls="--", lw=1)
    ax.text(R + 0.5, floor * 2.5, "感受野之外恰为 0", fontsize=8, color=DATA_COLOR)
    ax.set_xlabel("距离 k（步）")
    ax.set_ylabel("梯度范数")
    ax.set_title("最后一步输出对输入的梯度")
    ax.legend(frameon=False, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_costs(lengths, seconds: dict, xlabel: str, title: str, ax=None):
    """seconds: name -> list of times (one per length), drawn log-log in milliseconds."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.6, 3.6))
    else:
        fig = ax.figure
    for name, s in seconds.items():
        ax.loglog(lengths, 1e3 * np.asarray(s), marker="o", label=name)
    ax.set_xticks(list(lengths))
    ax.set_xticklabels([str(n) for n in lengths])
    ax.xaxis.set_minor_locator(plt.NullLocator())
    ax.set_xlabel(xlabel)
    ax.set_ylabel("毫秒")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
