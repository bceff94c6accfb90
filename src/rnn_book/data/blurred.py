"""Blurred syllables: a generated tagging task whose answer at step t lies in the future."""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["blurred_pairs"]


def blurred_pairs(
    n: int, words: int = 6, alphabet: int = 8, blur: float = 0.5, seed: int = 0, rng_seed=0
):
    """Generate ``n`` sequences of ``words`` two-symbol words.

    Parameters
    ----------
    n : number of sequences (the batch axis B).
    words : words per sequence; T = 2 * words.
    alphabet : K real symbols 0..K-1; the input vocabulary adds BLUR = K.
    blur : probability that a word's first symbol is blurred.
    seed : seeds the permutation g: sets made with the same ``seed`` share the rule.
    rng_seed : seeds the sequences (an int or a tuple of ints and strings), so that
        training batches and the held-out set differ while g stays the same.

    Returns
    -------
    inputs : (T, n) int ids in 0..K (K is BLUR).
    targets : (T, n) int ids in 0..K-1, the true symbols.
    blurred : (T, n) bool, where the input was blurred.
    """
    for name, v in (("n", n), ("words", words), ("alphabet", alphabet)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name}: expected a positive int, got {v!r}")
    if alphabet < 2:
        raise ValueError(f"alphabet: expected at least 2 symbols, got {alphabet}")
    if not 0.0 <= blur <= 1.0:
        raise ValueError(f"blur: expected a probability in [0, 1], got {blur}")
    g = np.random.default_rng(seed).permutation(alphabet)  # the fixed rule a -> g(a)
    key = [zlib.crc32(str(k).encode()) for k in np.atleast_1d(np.asarray(rng_seed, dtype=object))]
    rng = np.random.default_rng([seed, n, words, *key])
    first = rng.integers(0, alphabet, size=(words, n))
    targets = np.empty((2 * words, n), dtype=np.int64)
    targets[0::2] = first
    targets[1::2] = g[first]
    blurred = np.zeros_like(targets, dtype=bool)
    blurred[0::2] = rng.random((words, n)) < blur
    inputs = np.where(blurred, alphabet, targets)
    return inputs, targets, blurred
