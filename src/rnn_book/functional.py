"""Element-wise activations and normalisations, numerically stable.

``sigmoid`` is written through ``tanh`` (sigma(x) = (1 + tanh(x/2)) / 2), which never
overflows for any finite ``x`` and costs one transcendental call; ``softmax`` and
``log_softmax`` subtract the row maximum first. None of them emits an overflow
warning for |x| > 1000.
"""

from __future__ import annotations

import numpy as np

__all__ = ["log_softmax", "relu", "sigmoid", "softmax", "tanh"]


def sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic function 1 / (1 + exp(-x)), any shape; ``out`` may alias ``x``."""
    out = np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def tanh(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Hyperbolic tangent, any shape."""
    return np.tanh(x, out=out)


def relu(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """max(x, 0), any shape."""
    return np.maximum(x, 0, out=out)


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log(softmax(x)) along ``axis``, same shape as ``x``."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(x) / sum(exp(x)) along ``axis``, same shape as ``x``."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
