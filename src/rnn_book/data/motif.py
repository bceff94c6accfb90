"""A task with a purely local pattern: spot a short motif wherever it occurs in random symbols.

Generated (synthetic). Each sequence is ``T`` random symbols from 0 .. num_symbols - 1; copies of
the ``motif`` are written over it at random places (about ``rate * T / len(motif)`` of them), and
the target at step t is 1 exactly when the last ``len(motif)`` symbols x_{t-m+1} .. x_t spell the
motif (copies that arise by chance count too), else 0. The answer at t depends on the last m
inputs only: what a convolution with a receptive field of m or more sees in one look, and what
a recurrent network has to keep in its state.
"""

from __future__ import annotations

import numpy as np

__all__ = ["motif_detection"]


def motif_detection(
    n: int, T: int, seed=0, motif=(1, 3, 0, 2), num_symbols: int = 4, rate: float = 0.5
):
    """``n`` sequences of length ``T`` for motif detection (synthetic), time-major.

    Parameters
    ----------
    n, T : number of sequences and their length (T >= len(motif)).
    seed : int or ``np.random.Generator``.
    motif : the pattern, a sequence of m symbols in [0, num_symbols).
    num_symbols : alphabet size.
    rate : expected share of the steps covered by planted copies (0 <= rate <= 1).

    Returns
    -------
    X : (T, n) int64 symbol ids (one-hot inputs: ``np.eye(num_symbols)[X]``, (T, n, num_symbols)).
    Y : (T, n) int64, 1 where the motif ends at that step, else 0.
    """
    for name, v in (("n", n), ("T", T), ("num_symbols", num_symbols)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name}: expected a positive int, got {v!r}")
    motif = np.asarray(motif)
    m = motif.size
    if motif.ndim != 1 or m < 1 or motif.min() < 0 or motif.max() >= num_symbols:
        raise ValueError(
            f"motif: expected a 1-D sequence of symbols in [0, {num_symbols}), got {motif!r}"
        )
    if T < m:
        raise ValueError(f"T: expected at least len(motif) = {m} steps, got {T}")
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"rate: expected a number in [0, 1], got {rate}")
    rng = np.random.default_rng(seed)
    X = rng.integers(0, num_symbols, size=(T, n))
    copies = rng.binomial(1, rate / m, size=(T - m + 1, n))  # start positions of planted copies
    for s, b in zip(*np.nonzero(copies)):
        X[s : s + m, b] = motif
    Y = np.zeros((T, n), dtype=np.int64)
    for t in range(m - 1, T):
        Y[t] = np.all(X[t - m + 1 : t + 1] == motif[:, None], axis=0)
    return X.astype(np.int64), Y
