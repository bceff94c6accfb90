"""Deterministic train / held-out splits, by poem, so no line of a held-out poem is trained on.

Splitting lines or couplets at random would put the 颔联 of a poem in training and its 颈联 in
the test set, and the two share the poem's vocabulary and theme: a leak. Every split here draws
whole poems; couplets and lines are then taken from each side.
"""

from __future__ import annotations

import numpy as np

from rnn_book.data.poems import Poem, couplets, load_tang300

__all__ = ["split_couplets", "split_indices", "split_poems"]


def _check_fraction(held_out) -> float:
    if isinstance(held_out, bool) or not isinstance(held_out, (int, float)):
        raise TypeError(f"held_out: expected a float in (0, 1), got {type(held_out).__name__}")
    if not 0.0 < held_out < 1.0:
        raise ValueError(f"held_out: expected a fraction in (0, 1), got {held_out}")
    return float(held_out)


def split_indices(n: int, held_out: float = 0.2, seed: int = 0, groups=None):
    """Split range(n) into (train, held) index arrays, both sorted; same seed -> same split.

    held_out : fraction in (0, 1) held out; round(held_out * size) items of every group (at
        least one and at most size - 1 when a group has two or more items).
    groups : optional (n,) labels; each group is split separately (stratified), so e.g. every
        poem form appears on both sides.

    Returns two int64 arrays of shapes (n - k,) and (k,).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n: expected an int, got {type(n).__name__}")
    if n < 2:
        raise ValueError(f"n: expected at least 2 items to split, got {n}")
    held_out = _check_fraction(held_out)
    labels = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups)
    if labels.shape != (n,):
        raise ValueError(f"groups: expected shape ({n},), got {labels.shape}")
    rng = np.random.default_rng(seed)
    held = []
    for label in sorted(set(labels.tolist())):  # sorted: the order of draws is fixed
        members = np.flatnonzero(labels == label)
        k = round(held_out * len(members))
        if len(members) >= 2:
            k = min(max(k, 1), len(members) - 1)
        held.extend(rng.permutation(members)[:k].tolist())
    held_idx = np.array(sorted(held), dtype=np.int64)
    train_idx = np.setdiff1d(np.arange(n, dtype=np.int64), held_idx)
    return train_idx, held_idx


def split_poems(poems=None, held_out: float = 0.2, seed: int = 0):
    """Split poems into (train, held) lists, stratified by form, in corpus order.

    poems : list of Poem (default: the whole corpus, ``load_tang300()``).
    Returns two lists of Poem with no poem on both sides.
    """
    poems = load_tang300() if poems is None else list(poems)
    for p in poems:
        if not isinstance(p, Poem):
            raise TypeError(f"poems: expected Poem objects, got {type(p).__name__}")
    train_idx, held_idx = split_indices(len(poems), held_out, seed, [p.form for p in poems])
    return [poems[i] for i in train_idx], [poems[i] for i in held_idx]


def split_couplets(held_out: float = 0.2, seed: int = 0, chars: int | None = None):
    """(train, held) couplet lists from a split of the 律诗 by poem (see ``couplets``).

    Both couplets of a poem land on the same side. chars : None, 5 or 7.
    """
    regulated = load_tang300(form=("五言律诗", "七言律诗"))
    train, held = split_poems(regulated, held_out, seed)
    return couplets(train, chars=chars), couplets(held, chars=chars)
