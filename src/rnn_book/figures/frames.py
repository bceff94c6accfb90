"""Figures of the frame and pen examples: video frames, per-frame label strips, pen paths.

* ``draw_action_frames`` — a few frames of one video per action (many-to-one video
  recognition, ``rnn_book.data.actions``);
* ``draw_label_strips`` — the label of every frame of a long stream as a coloured strip, the
  truth above the predictions of several models (``rnn_book.data.frames``);
* ``draw_pen_labels`` — a pen trajectory whose samples are coloured by their letter, once per
  labelling (``rnn_book.data.handwriting``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch

from rnn_book.figures import style as _style  # noqa: F401  (registers the book's CJK font)

__all__ = ["LABEL_COLORS", "draw_action_frames", "draw_label_strips", "draw_pen_labels"]

#: One colour per class (Okabe-Ito, colour-blind safe), for label strips and pen samples.
LABEL_COLORS = ("#999999", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7")


def _check_names(names, k: int) -> list[str]:
    names = [str(n) for n in names]
    if len(names) < k:
        raise ValueError(f"names: expected at least {k} class names, got {len(names)}")
    if len(names) > len(LABEL_COLORS):
        raise ValueError(f"names: at most {len(LABEL_COLORS)} classes, got {len(names)}")
    return names


def draw_action_frames(videos, labels, names, frames=None, size=None):
    """One row per action: the frames of the first video with that label.

    Parameters
    ----------
    videos : (T, N, size * size) flattened frames, as ``rb.data.action_videos`` gives them.
    labels : (N,) int class of every video.
    names : class names, one per label value (``rb.data.actions.ACTIONS``).
    frames : which frame indices to show (default: all T).
    size : side of a frame in pixels (default: the square root of the frame length).

    Returns
    -------
    The matplotlib Figure.
    """
    videos, labels = np.asarray(videos), np.asarray(labels)
    if videos.ndim != 3 or labels.shape != (videos.shape[1],):
        raise ValueError(
            f"videos, labels: expected (T, N, D) and (N,), got {videos.shape} and {labels.shape}"
        )
    T, _, D = videos.shape
    size = round(np.sqrt(D)) if size is None else int(size)
    if size * size != D:
        raise ValueError(f"size: expected size * size = frame length {D}, got size {size}")
    frames = list(range(T)) if frames is None else [int(f) for f in frames]
    classes = [k for k in range(len(names)) if np.any(labels == k)]
    names = _check_names(names, max(classes) + 1 if classes else 0)
    fig, axes = plt.subplots(
        len(classes),
        len(frames),
        figsize=(0.75 * len(frames) + 0.8, 0.8 * len(classes)),
        squeeze=False,
    )
    for row, k in enumerate(classes):
        b = int(np.flatnonzero(labels == k)[0])
        for col, t in enumerate(frames):
            ax = axes[row, col]
            ax.imshow(videos[t, b].reshape(size, size), cmap="gray", vmin=-0.2, vmax=1.2)
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(f"第 {t + 1} 帧", fontsize=8)
        axes[row, 0].set_ylabel(names[k], rotation=0, ha="right", va="center", fontsize=9)
    fig.tight_layout(pad=0.3)
    return fig


def draw_label_strips(rows, names, title=None):
    """Per-frame labels as coloured strips, one strip per row, frames along x.

    Parameters
    ----------
    rows : dict row name -> (T,) int labels (e.g. the truth, then each model's predictions).
    names : class names, one per label value (``rb.data.frames.FRAME_LABELS``).
    title : optional figure title.

    Returns
    -------
    The matplotlib Figure.
    """
    strips = {str(k): np.asarray(v) for k, v in rows.items()}
    lengths = {v.shape for v in strips.values()}
    if not strips or len(lengths) != 1 or len(next(iter(lengths))) != 1:
        raise ValueError(f"rows: expected (T,) label arrays of one length, got shapes {lengths}")
    k = max(int(v.max()) for v in strips.values()) + 1
    names = _check_names(names, k)
    cmap = ListedColormap(LABEL_COLORS[: len(names)])
    norm = BoundaryNorm(np.arange(len(names) + 1) - 0.5, len(names))
    T = next(iter(lengths))[0]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(strips) + 1.1))
    ax.imshow(
        np.stack(list(strips.values())),
        aspect="auto",
        cmap=cmap,
        norm=norm,
        interpolation="nearest",
        extent=(0.5, T + 0.5, len(strips) - 0.5, -0.5),
    )
    ax.set_yticks(range(len(strips)), list(strips))
    ax.set_xlabel("帧")
    handles = [Patch(color=LABEL_COLORS[i], label=n) for i, n in enumerate(names)]
    ax.legend(
        handles=handles,
        ncol=len(names),
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        fontsize=8,
        frameon=False,
    )
    if title:
        ax.set_title(title, pad=22)
    fig.tight_layout()
    return fig


def draw_pen_labels(points, panels, names, title=None):
    """A pen trajectory drawn once per panel, every sample coloured by that panel's label.

    Parameters
    ----------
    points : (T, 2) positions of one trajectory (x right, y up).
    panels : dict panel title -> (T,) int labels (the truth, a model's predictions, ...).
    names : class names, one per label value (``rb.data.handwriting.LETTERS``).
    title : optional figure title.

    Returns
    -------
    The matplotlib Figure.
    """
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points: expected shape (T, 2), got {points.shape}")
    panels = {str(k): np.asarray(v) for k, v in panels.items()}
    if not panels or any(v.shape != (len(points),) for v in panels.values()):
        raise ValueError(
            f"panels: expected (T,) label arrays with T = {len(points)}, "
            f"got {[v.shape for v in panels.values()]}"
        )
    k = max(int(v.max()) for v in panels.values()) + 1
    names = _check_names(names, k)
    width = np.ptp(points[:, 0]) + 0.4
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(min(10, 1.4 * width + 1), 1.5 * len(panels) + 0.5),
        squeeze=False,
    )
    colors = np.array(LABEL_COLORS)
    for ax, (name, lab) in zip(axes[:, 0], panels.items()):
        ax.plot(points[:, 0], points[:, 1], color="#cccccc", lw=0.8, zorder=1)
        ax.scatter(points[:, 0], points[:, 1], c=colors[lab], s=14, zorder=2)
        ax.set_title(name, fontsize=9, loc="left")
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    handles = [Patch(color=LABEL_COLORS[i], label=n) for i, n in enumerate(names)]
    axes[-1, 0].legend(
        handles=handles,
        ncol=len(names),
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        fontsize=8,
        frameon=False,
    )
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
