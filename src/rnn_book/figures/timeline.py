"""The figure of the RNN timeline (Chinese labels)."""

from __future__ import annotations

import matplotlib.pyplot as plt

__all__ = ["draw_timeline"]


_COLORS = {"idea": "tab:gray", "model": "tab:blue", "training": "tab:green", "problem": "tab:red"}
_KIND_NAMES = {"idea": "思想", "model": "模型", "training": "训练", "problem": "问题"}


def draw_timeline(milestones, ax=None):
    """Draw ``milestones`` ((year, label, kind, height) rows) on a broken year axis; returns the figure.

    Years before 1980 are squeezed (1933 sits far to the left otherwise), the gap is marked.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(11, 3.6))
    else:
        fig = ax.figure

    def pos(year):
        return 1975 + (year - 1933) * 0.1 if year < 1980 else year  # squeeze the early years

    ax.axhline(0, color="black", lw=1)
    ax.plot([pos(1933) + 1.2, 1978.5], [0, 0], color="white", lw=3, ls=(0, (2, 2)))
    for year, label, kind, y in milestones:
        x = pos(year)
        ax.plot([x, x], [0, y], color=_COLORS[kind], lw=1)
        ax.plot(x, 0, "o", color=_COLORS[kind], ms=6)
        # text starts at the stem and runs right, so neighbouring stems stay visible
        ax.annotate(
            f"{year} {label}",
            (x, y),
            xytext=(2, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=8.5,
            color=_COLORS[kind],
        )
    for kind, color in _COLORS.items():
        ax.plot([], [], "o", color=color, label=_KIND_NAMES[kind])
    ax.legend(loc="upper right", fontsize=8, frameon=False, ncol=4)
    ax.set_ylim(-3.6, 4.2)
    ax.set_xlim(pos(1933) - 2, 2028)
    ax.set_yticks([])
    ticks = [1933, 1980, 1990, 2000, 2010, 2020]
    ax.set_xticks([pos(t) for t in ticks], [str(t) for t in ticks])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig
