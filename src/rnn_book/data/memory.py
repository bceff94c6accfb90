"""Generated long-range memory tasks: the adding problem, delayed recall and copying.

Both are time-major, like the rest of the package: inputs (T, B, D) or ids (T, B).

* Adding problem (Hochreiter & Schmidhuber 1997; this variant from Le, Jaitly & Hinton 2015):
  each step carries a random number in [0, 1) and a marker; exactly two steps are marked, one
  in each half of the sequence, and the target is the sum of the two marked numbers. Always
  answering 1 gives mean squared error 1/6 ≈ 0.167 (the variance of a sum of two uniforms);
  a model must beat that to show it remembers.
* Copy task (Arjovsky, Shah & Bengio 2016): ``length`` symbols, then ``T_delay - 1`` blanks, a
  delimiter, and ``length`` more blanks; the target is blank until the delimiter has passed,
  then the symbols again. A memoryless guess scores cross-entropy
  length * log(n_symbols) / (2 * length + T_delay).
"""

from __future__ import annotations

import numpy as np

__all__ = ["ADDING_BASELINE_MSE", "adding_problem", "copy_task", "delayed_recall"]

#: The held-out MSE of always answering 1 (the mean target), Var(a + b) = 1/6 for a, b ~ U(0, 1)
ADDING_BASELINE_MSE = 1.0 / 6.0


def _count(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    return int(value)


def adding_problem(n: int, T: int, seed=0):
    """``n`` sequences of length ``T`` of the adding problem (synthetic).

    ``seed`` is an int or a ``np.random.Generator`` (then drawn from, so successive calls give
    fresh batches).

    Returns X (T, n, 2) float64, time-major: X[:, b, 0] the numbers, uniform in [0, 1);
    X[:, b, 1] the markers, 1.0 at one step in [0, T//2) and one in [T//2, T), else 0.0.
    And y (n,) float64: y[b] = sum over t of X[t, b, 0] * X[t, b, 1].
    """
    n, T = _count("n", n, 1), _count("T", T, 2)
    rng = np.random.default_rng(seed)
    values = rng.random((T, n))
    first = rng.integers(0, T // 2, size=n)
    second = rng.integers(T // 2, T, size=n)
    markers = np.zeros((T, n))
    markers[first, np.arange(n)] = 1.0
    markers[second, np.arange(n)] = 1.0
    X = np.stack([values, markers], axis=-1)
    y = values[first, np.arange(n)] + values[second, np.arange(n)]
    return X, y


def delayed_recall(n: int, T: int, seed=0, num_symbols: int = 2, noise: float = 0.3):
    """``n`` sequences of the delayed-recall (one-symbol copy) task (synthetic), time-major.

    ``seed`` is an int or a ``np.random.Generator``. Returns x (T, n, num_symbols + 1): a
    one-hot symbol at t = 1 (zeros afterwards) and a Gaussian noise channel of standard
    deviation ``noise`` at every step; and y (n,) int64, the symbol to recall at t = T.
    """
    n, T = _count("n", n, 1), _count("T", T, 1)
    num_symbols = _count("num_symbols", num_symbols, 2)
    rng = np.random.default_rng(seed)
    symbols = rng.integers(0, num_symbols, size=n)
    x = np.zeros((T, n, num_symbols + 1))
    x[0, np.arange(n), symbols] = 1.0
    x[:, :, num_symbols] = noise * rng.standard_normal(size=(T, n))
    return x, symbols


def copy_task(n: int, T_delay: int, n_symbols: int = 8, seed: int = 0, length: int = 10):
    """``n`` sequences of the copy task (synthetic), as ids, time-major.

    Ids: 0 = blank, 1..n_symbols = data symbols, n_symbols + 1 = delimiter (vocabulary size
    n_symbols + 2). Every sequence has T = 2 * length + T_delay steps:

    * inputs  X: the ``length`` symbols, ``T_delay - 1`` blanks, the delimiter, ``length`` blanks;
    * targets Y: ``length + T_delay`` blanks, then the same ``length`` symbols.

    So symbol k (step k) must be recalled at step length + T_delay + k: a gap of
    length + T_delay steps. Returns X, Y, both (T, n) int64; one-hot inputs are
    ``np.eye(n_symbols + 2)[X]`` with shape (T, n, n_symbols + 2).
    """
    n, T_delay = _count("n", n, 1), _count("T_delay", T_delay, 1)
    n_symbols, length = _count("n_symbols", n_symbols, 1), _count("length", length, 1)
    rng = np.random.default_rng(seed)
    T = 2 * length + T_delay
    symbols = rng.integers(1, n_symbols + 1, size=(length, n))
    X = np.zeros((T, n), dtype=np.int64)
    Y = np.zeros((T, n), dtype=np.int64)
    X[:length] = symbols
    X[length + T_delay - 1] = n_symbols + 1
    Y[length + T_delay :] = symbols
    return X, Y
