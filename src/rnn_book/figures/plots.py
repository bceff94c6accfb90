"""Matplotlib figures of the LSTM/GRU experiments (Chinese labels; keep Chinese and mathtext
in separate strings, see ``style``). Each function draws into new axes and returns the figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from rnn_book.data.memory import ADDING_BASELINE_MSE

__all__ = ["model_label", "plot_clipping", "plot_profiles", "plot_sweep"]

_COLORS = {
    ("rnn", None): "#555555",
    ("lstm", None): "#0072B2",
    ("lstm", 1.0): "#56B4E9",
    ("lstm", 3.0): "#009E73",
    ("gru", None): "#D55E00",
    ("gru", 2.0): "#E69F00",
    ("broken_lstm", 3.0): "#CC79A7",
}


def model_label(cell: str, gate_bias: float | None, tex: bool = True) -> str:
    """'LSTM ($b_f$ = 3)', 'GRU', 'RNN (tanh)', ... for legends; ``tex=False`` for printing."""
    name = {"rnn": "RNN (tanh)", "lstm": "LSTM", "gru": "GRU", "broken_lstm": "坏 LSTM"}[cell]
    if gate_bias is None:
        return name
    gate = "b_z" if cell == "gru" else "b_f"
    if tex and cell != "broken_lstm":  # mathtext cannot draw Chinese: plain text then
        gate = f"${gate}$"
    return f"{name} ({gate} = {gate_bias:g})"


def plot_profiles(profiles: dict, title: str = "", ax=None):
    """profiles: {(cell, gate_bias): (T,) norms over distance k} -> semilog-y curves."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 3.8))
    else:
        fig = ax.figure
    for (cell, bias), norms in profiles.items():
        ax.semilogy(
            np.arange(len(norms)),
            norms,
            label=model_label(cell, bias),
            color=_COLORS.get((cell, bias)),
            lw=1.8,
        )
    ax.set_xlabel("距离 k（从序列末尾往回数的步数）")
    ax.set_ylabel(r"$\overline{\|\partial L / \partial x_{T-k}\|}$")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_clipping(runs: dict):
    """runs: {label: clipping_run result} -> gradient norm and training loss per step."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.6, 3.4))
    for label, r in runs.items():
        steps = np.arange(len(r["grad_norm"]))
        a1.semilogy(steps, r["grad_norm"], label=label, lw=1.2)
        a2.semilogy(steps, r["loss"], label=label, lw=1.2)
    a1.set_xlabel("SGD 步数")
    a1.set_ylabel("裁剪前的梯度范数")
    a2.set_xlabel("SGD 步数")
    a2.set_ylabel("训练集 MSE")
    a2.axhline(ADDING_BASELINE_MSE, color="k", ls=":", lw=1, label="基线 1/6")
    for a in (a1, a2):
        a.grid(True, alpha=0.3)
        a.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_sweep(summaries: dict):
    """The long-range sweep: held-out metric (mean +- std over seeds) against length T.

    summaries : {task: {(cell, gate_bias): {T: {"mean", "std", ...}}}}, as
        ``rnn_book.chapters.lstm.sweep_summaries`` makes from ``book/results/long_range.json``.
    """
    tasks = list(summaries)
    fig, axes = plt.subplots(1, len(tasks), figsize=(5.0 * len(tasks), 3.8), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        models = list(summaries[task])
        for j, (cell, bias) in enumerate(models):
            s = summaries[task][(cell, bias)]
            Ts = np.array(sorted(s))
            mean = np.array([s[T]["mean"] for T in Ts])
            std = np.array([s[T]["std"] for T in Ts])
            shift = 1.0 + 0.025 * (j - (len(models) - 1) / 2)  # keep error bars apart
            ax.errorbar(
                Ts * shift,
                mean,
                yerr=std,
                marker="o",
                ms=4,
                capsize=3,
                lw=1.5,
                label=model_label(cell, bias),
                color=_COLORS.get((cell, bias)),
            )
        ax.set_xscale("log")
        ax.set_xticks(Ts)
        ax.set_xticklabels([str(T) for T in Ts])
        ax.set_xlabel("序列长度 T")
        if task == "adding":
            ax.set_yscale("log")
            ax.axhline(ADDING_BASELINE_MSE, color="k", ls=":", lw=1, label="恒预测 1（1/6）")
            ax.set_ylabel("留出集 MSE")
            ax.set_title("加法问题（越低越好）", fontsize=10)
        else:
            ax.axhline(0.5, color="k", ls=":", lw=1, label="随机猜测")
            ax.set_ylim(0.4, 1.03)
            ax.set_ylabel("留出集准确率")
            ax.set_title("延迟回忆（越高越好）", fontsize=10)
        ax.grid(True, alpha=0.3)
    axes[0][-1].legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig
