"""A generated symbol stream for the history compressor: words from a small alphabet."""

from __future__ import annotations

import numpy as np

__all__ = ["ALPHABET", "WORDS", "make_stream"]


WORDS = ("bead", "cafe", "deaf", "face", "added")


#: The symbols of the stream; symbol ``ALPHABET[i]`` has id i.
ALPHABET = "abcdef"


def make_stream(n_words: int, rng: np.random.Generator) -> np.ndarray:
    """Ids (n,) of ``n_words`` random words from ``WORDS`` written one after another."""
    text = "".join(WORDS[i] for i in rng.integers(0, len(WORDS), size=n_words))
    return np.array([ALPHABET.index(c) for c in text], dtype=np.int64)
