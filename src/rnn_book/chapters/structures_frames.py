"""The code of the page ``book/chapters/structures_frames.md`` (video action recognition and
per-frame labelling).

* Many-to-one: a GRU reads the frames of a short generated video (``rnn_book.data.actions``)
  and names the action at the end (``make_video_classifier``, ``train_video_classifier``),
  against logistic regressions on the mean frame (order-blind) and on all frames side by
  side (``mean_frames``, ``all_frames``, ``train_linear``).
* Many-to-many of equal length: a GRU labels each of 100 frames with the motion that led to
  it (``rnn_book.data.frames``; ``make_frame_tagger``, ``train_frame_tagger``), against
  per-frame logistic regressions on one frame or on one frame and its difference to the
  previous one (``frame_pairs``).
* ``predict``, ``accuracy``, ``class_accuracy``: scoring shared by both.
"""

from __future__ import annotations

import numpy as np

from rnn_book._validate import check_positive_int
from rnn_book.layers import Linear
from rnn_book.losses import cross_entropy
from rnn_book.models import ManyToMany, ManyToOne, make_rnn
from rnn_book.module import no_grad
from rnn_book.optim import Adam
from rnn_book.seeding import child_seeds
from rnn_book.training import fit, minibatches, single_thread

__all__ = [
    "accuracy",
    "all_frames",
    "class_accuracy",
    "frame_pairs",
    "make_frame_tagger",
    "make_video_classifier",
    "mean_frames",
    "predict",
    "train_frame_tagger",
    "train_linear",
    "train_video_classifier",
]


def _check_videos(videos) -> np.ndarray:
    v = np.asarray(videos, dtype=np.float64)
    if v.ndim != 3:
        raise ValueError(f"videos: expected flattened frames (T, N, D), got shape {v.shape}")
    return v


def mean_frames(videos) -> np.ndarray:
    """The average frame of every video: (T, N, D) -> (N, D). The order of frames is lost."""
    return _check_videos(videos).mean(axis=0)


def all_frames(videos) -> np.ndarray:
    """Every video's frames side by side: (T, N, D) -> (N, T * D), frame 1 first."""
    v = _check_videos(videos)
    return np.ascontiguousarray(v.transpose(1, 0, 2)).reshape(v.shape[1], -1)


def frame_pairs(videos) -> np.ndarray:
    """Per-frame inputs with one frame of memory: (T, N, D) -> (T * N, 2 D).

    Row t * N + b is [x_t, x_t - x_{t-1}] of stream b (the difference is 0 at t = 0).
    """
    v = _check_videos(videos)
    diff = np.diff(v, axis=0, prepend=v[:1])
    return np.concatenate([v, diff], axis=2).reshape(-1, 2 * v.shape[2])


def train_linear(
    X,
    y,
    num_classes: int,
    epochs: int = 30,
    lr: float = 0.02,
    batch_size: int = 200,
    seed: int = 0,
) -> Linear:
    """Logistic regression (softmax) on features X (N, F), labels y (N,), minibatch Adam.

    Returns the trained ``Linear(F, num_classes)``; ``predict(model, X)`` gives classes.
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X, y: expected shapes (N, F) and (N,), got {X.shape} and {y.shape}")
    model = Linear(X.shape[1], check_positive_int("num_classes", num_classes), seed=seed)
    optimizer = Adam([model], lr=lr)

    def make_batches(rng):
        return [(X[b], y[b]) for b in minibatches(len(y), batch_size, rng)]

    fit(model, make_batches, cross_entropy, optimizer, epochs, seed, clip=None)
    return model


def make_video_classifier(
    frame_size: int, num_classes: int, hidden_size: int = 24, cell: str = "gru", seed: int = 0
) -> ManyToOne:
    """ManyToOne(GRU(frame_size, H) -> Linear(H, C)): flattened frames in, one class out."""
    s_rnn, s_head = child_seeds(seed, 2)
    return ManyToOne(
        make_rnn(cell, frame_size, hidden_size, seed=s_rnn),
        Linear(hidden_size, num_classes, seed=s_head),
    )


def make_frame_tagger(
    frame_size: int, num_classes: int, hidden_size: int = 24, cell: str = "gru", seed: int = 0
) -> ManyToMany:
    """ManyToMany(GRU(frame_size, H) -> Linear(H, C)): one class per frame."""
    s_rnn, s_head = child_seeds(seed, 2)
    return ManyToMany(
        make_rnn(cell, frame_size, hidden_size, seed=s_rnn),
        Linear(hidden_size, num_classes, seed=s_head),
    )


def _train_sequences(model, videos, labels, epochs, lr, batch_size, seed):
    v = _check_videos(videos)
    labels = np.asarray(labels)
    n = v.shape[1]
    if labels.shape not in ((n,), (v.shape[0], n)):
        raise ValueError(
            f"labels: expected ({n},) or ({v.shape[0]}, {n}) for videos {v.shape}, "
            f"got {labels.shape}"
        )
    optimizer = Adam([model], lr=lr)

    def make_batches(rng):
        return [(v[:, b], labels[..., b]) for b in minibatches(n, batch_size, rng)]

    return fit(model, make_batches, cross_entropy, optimizer, epochs, seed, clip=5.0)


def train_video_classifier(
    model, videos, labels, epochs: int = 15, lr: float = 5e-3, batch_size: int = 32, seed=0
) -> dict[str, list[float]]:
    """Train a ``make_video_classifier`` model: videos (T, N, D), labels (N,); Adam.

    Returns ``rb.fit``'s history (mean training loss per epoch).
    """
    return _train_sequences(model, videos, labels, epochs, lr, batch_size, seed)


def train_frame_tagger(
    model, videos, labels, epochs: int = 12, lr: float = 5e-3, batch_size: int = 16, seed=0
) -> dict[str, list[float]]:
    """Train a ``make_frame_tagger`` model: videos (T, N, D), labels (T, N); Adam.

    Returns ``rb.fit``'s history (mean training loss per epoch).
    """
    return _train_sequences(model, videos, labels, epochs, lr, batch_size, seed)


@single_thread
@no_grad()
def predict(model, x) -> np.ndarray:
    """The most likely class: a model's logits (..., C) for input x -> (...) ints."""
    return np.argmax(model.forward(x), axis=-1)


def accuracy(pred, y) -> float:
    """Fraction of equal entries of two arrays of the same shape."""
    pred, y = np.asarray(pred), np.asarray(y)
    if pred.shape != y.shape:
        raise ValueError(f"pred, y: expected equal shapes, got {pred.shape} and {y.shape}")
    return float(np.mean(pred == y))


def class_accuracy(pred, y, num_classes: int) -> np.ndarray:
    """Accuracy on the examples of each true class: (num_classes,) floats (NaN if absent)."""
    pred, y = np.asarray(pred).ravel(), np.asarray(y).ravel()
    if pred.shape != y.shape:
        raise ValueError(f"pred, y: expected equal sizes, got {pred.size} and {y.size}")
    out = np.full(check_positive_int("num_classes", num_classes), np.nan)
    for k in range(num_classes):
        if np.any(y == k):
            out[k] = np.mean(pred[y == k] == k)
    return out
