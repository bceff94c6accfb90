"""The course's smallest many-to-many example: read "hell", predict "ello".

The vocabulary is the four letters h, e, l, o with ids 0, 1, 2, 3 (no special tokens). The
two l's are the point: after the first l comes l, after the second comes o, so the answer
depends on what came before, not only on the current letter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["HelloExample", "hello_example"]


@dataclass(frozen=True)
class HelloExample:
    """``chars`` (id -> letter), ``inputs`` and ``targets``: (T,) int64 ids, T = 4."""

    chars: tuple[str, ...]
    inputs: np.ndarray
    targets: np.ndarray

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def one_hot(self) -> np.ndarray:
        """The inputs as one-hot vectors, time-major with batch 1: (T, 1, vocab_size) float64."""
        return np.eye(self.vocab_size)[self.inputs][:, None, :]

    def decode(self, ids) -> str:
        """(T,) ids -> the letters they stand for."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(
                f"ids: expected shape (T,) with ids in [0, {self.vocab_size}), got {ids.shape}"
            )
        return "".join(self.chars[i] for i in ids.tolist())


def hello_example(word: str = "hello") -> HelloExample:
    """Inputs ``word[:-1]`` and targets ``word[1:]`` as ids over the word's letters.

    Letters get ids in order of first appearance: for "hello", h=0, e=1, l=2, o=3, so the
    inputs "hell" are [0, 1, 2, 2] and the targets "ello" are [1, 2, 2, 3].
    """
    if not isinstance(word, str):
        raise TypeError(f"word: expected a str, got {type(word).__name__}")
    if len(word) < 2:
        raise ValueError(f"word: expected at least 2 letters, got {word!r}")
    chars = tuple(dict.fromkeys(word))
    ids = np.array([chars.index(c) for c in word], dtype=np.int64)
    return HelloExample(chars, ids[:-1].copy(), ids[1:].copy())
