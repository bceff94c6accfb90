"""Element-wise activations and normalisations, numerically stable.

``sigmoid`` evaluates exp only at ``-|x|`` (never overflows) and is accurate to a few ulps
RELATIVE error over the whole range, so log(sigmoid(x)) stays finite down to x = -745
(float64) or -103 (float32). ``softmax`` and ``log_softmax`` subtract the row maximum
first. None of them emits an overflow warning for ``|x| > 1000``.

``sigmoid_fast`` is the tanh form the fused recurrent kernels use for their gates; it is
about 3x faster in float32 but only accurate in ABSOLUTE terms (see its docstring).
"""

from __future__ import annotations

import numpy as np

__all__ = ["log_softmax", "relu", "sigmoid", "sigmoid_fast", "softmax", "tanh"]


def sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Logistic function 1 / (1 + exp(-x)), any shape; ``out`` may alias ``x``.

    With ``e = exp(-|x|)`` in (0, 1]: sigma(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for
    x < 0 (= exp(x) / (1 + exp(x))). No subtraction, so the relative error stays at a few
    ulps everywhere; tiny results are not rounded to 0 until exp itself underflows.
    """
    positive = x >= 0  # taken first: out may alias x
    e = np.exp(-np.abs(x))
    numerator = np.where(positive, 1.0, e)
    out = np.add(e, 1.0, out=out)
    return np.divide(numerator, out, out=out)


def sigmoid_fast(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """sigma(x) = (1 + tanh(x / 2)) / 2, any shape; ``out`` may alias ``x``.

    Four in-place passes and one transcendental call: about 3x faster than ``sigmoid`` in
    float32 (8 vs 23 us on a (2, 32, 128) gate block), which matters because element-wise
    work dominates the recurrent kernels. Its ABSOLUTE error is below 2 eps (eps = 2.2e-16
    in float64, 1.2e-7 in float32; tested), which is all a gate needs: a gate value only
    multiplies other values. Its RELATIVE error is not small for x < 0: 1 + tanh(x/2)
    cancels, and the result is exactly 0 below about -40 (float64) or -17 (float32). Use
    ``sigmoid`` wherever the value itself, or its log, matters.
    """
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
