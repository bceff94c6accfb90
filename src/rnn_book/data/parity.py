"""Window parity: at every step t the target is the XOR of the last k bits (generated)."""

from __future__ import annotations

import numpy as np

from rnn_book.models import one_hot

__all__ = ["window_parity"]


def window_parity(n: int, T: int, k: int, seed) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random bit sequences of length ``T``.

    Returns
    -------
    x : (T, n, 2) one-hot bits.
    y : (T, n) int, y_t = x_{t-k+1} XOR ... XOR x_t
    (over the bits that exist when t < k).
    """
    if k < 1 or T < 1 or n < 1:
        raise ValueError(f"n, T, k: expected positive ints, got n={n}, T={T}, k={k}")
    bits = np.random.default_rng(seed).integers(0, 2, size=(T, n))
    csum = np.concatenate([np.zeros((1, n), dtype=np.int64), np.cumsum(bits, axis=0)])
    window = csum[1:] - csum[np.maximum(np.arange(1, T + 1) - k, 0)]  # bits in the window
    return one_hot(bits, 2), window % 2
