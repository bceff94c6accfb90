"""Two generated sequence-labelling tasks that separate the Jordan (1986) and Elman (1990) networks.

- ``latch``: inputs are one-hot symbols {set, reset, none}; the label at t is 1 after a
  ``set`` until the next ``reset``.
- ``echo``: the label at t is the symbol seen ``delay`` steps earlier.
"""

from __future__ import annotations

import numpy as np

__all__ = ["echo", "latch"]


def latch(n: int, T: int, rng: np.random.Generator, p_event: float = 0.15):
    """Latch task. Returns x (T, n, 3) one-hot (set, reset, none), y (T, n) ints, mask (T, n)."""
    sym = rng.choice(3, size=(T, n), p=[p_event, p_event, 1.0 - 2.0 * p_event])
    x = np.eye(3)[sym]
    y = np.zeros((T, n), dtype=np.int64)
    state = np.zeros(n, dtype=np.int64)
    for t in range(T):
        state = np.where(sym[t] == 0, 1, np.where(sym[t] == 1, 0, state))
        y[t] = state
    return x, y, np.ones((T, n), dtype=bool)


def echo(n: int, T: int, rng: np.random.Generator, delay: int = 1):
    """Echo task. Returns x (T, n, 1) bits in {0, 1}, y (T, n) with y_t = x_{t-delay}, mask
    (T, n) False for the first ``delay`` steps (nothing to echo yet)."""
    if not 1 <= delay < T:
        raise ValueError(f"delay: expected 1 <= delay < T = {T}, got {delay}")
    bits = rng.integers(0, 2, size=(T, n))
    y = np.zeros((T, n), dtype=np.int64)
    y[delay:] = bits[:-delay]
    mask = np.ones((T, n), dtype=bool)
    mask[:delay] = False
    return bits[..., None].astype(np.float64), y, mask
