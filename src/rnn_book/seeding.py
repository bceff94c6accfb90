"""The one way the package turns a seed into several independent seeds.

A model with an embedding, a recurrent layer and a head needs three seeds from the one the
reader passes. Deriving them as ``seed, seed + 1, ...`` makes run s's head equal run s+1's
recurrent layer; ``numpy.random.SeedSequence.spawn`` gives children that are independent of
each other and of every other seed's children.
"""

from __future__ import annotations

import numpy as np

__all__ = ["child_seeds", "make_rng"]


def child_seeds(seed: int | None, n: int) -> list[int | None]:
    """``n`` independent integer seeds derived from ``seed`` (``[None] * n`` for None).

    Parameters
    ----------
    seed : int >= 0 or None (fresh entropy: every child is None, i.e. unseeded).
    n : how many child seeds, >= 1.

    Returns
    -------
    list of n ints in [0, 2**32), the first word of each ``SeedSequence(seed).spawn(n)`` child.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n: expected a positive int, got {n!r}")
    if seed is None:
        return [None] * int(n)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected None or an int >= 0, got {seed!r}")
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(int(seed)).spawn(int(n))]


def make_rng(seed) -> np.random.Generator:
    """``np.random.default_rng(seed)``; a Generator passed in is returned as it is."""
    return np.random.default_rng(seed)
