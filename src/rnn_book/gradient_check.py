"""Numerical gradient checking by central differences.

The book uses these functions on its pages to show that every backward pass
(BPTT included) computes the true derivative of the forward pass.

The check is norm-wise: ``relative_error(a, b) = ||a - b|| / max(||a||, ||b||)``,
which, unlike an element-wise ratio, does not blow up on entries that are
legitimately zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

__all__ = ["gradcheck", "numerical_gradient", "relative_error"]


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to ``x``.

    ``x`` is perturbed in place, one entry at a time, and restored exactly,
    so ``f`` must read ``x`` (not a copy of it) every time it is called.

    Parameters
    ----------
    f : callable with no arguments returning a float
    x : ndarray of any shape, float dtype (float64 for meaningful results)
    h : step of the central difference

    Returns
    -------
    ndarray, same shape as ``x``: ``(f(x + h e_i) - f(x - h e_i)) / (2 h)`` at each ``i``.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"x: expected a floating-point numpy array, got {type(x).__name__}"
            + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else "")
        )
    grad = np.zeros_like(x)
    flat_x = x.reshape(-1)  # a view: writes reach x
    if flat_x.base is not x and not np.shares_memory(flat_x, x):
        raise ValueError("x: expected a contiguous array that can be perturbed in place")
    flat_g = grad.reshape(-1)
    for i in range(flat_x.size):
        old = flat_x[i]
        flat_x[i] = old + h
        f_plus = float(f())
        flat_x[i] = old - h
        f_minus = float(f())
        flat_x[i] = old
        flat_g[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Norm-wise relative error ``||a - b|| / max(||a||, ||b||)`` (0 when both are 0)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b: expected equal shapes, got {a.shape} and {b.shape}")
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b) / scale)


def gradcheck(
    f: Callable[[], float],
    arrays: Mapping[str, np.ndarray],
    analytic: Mapping[str, np.ndarray],
    h: float = 1e-5,
) -> dict[str, float]:
    """Compare analytic gradients with central differences, array by array.

    Parameters
    ----------
    f : callable returning the scalar loss; it must read the arrays in ``arrays``.
    arrays : name -> array that ``f`` depends on (perturbed in place, then restored).
    analytic : name -> the analytic gradient of ``f`` with respect to ``arrays[name]``.
    h : central-difference step.

    Returns
    -------
    dict name -> norm-wise relative error. Below about 1e-7 in float64 means correct.
    """
    missing = set(arrays) - set(analytic)
    if missing:
        raise ValueError(
            f"analytic: expected a gradient for every array, missing {sorted(missing)}"
        )
    errors = {}
    for name, x in arrays.items():
        num = numerical_gradient(f, x, h)
        errors[name] = relative_error(analytic[name], num)
    return errors
