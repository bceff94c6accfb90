"""A token <-> id table with special tokens, and padding of id sequences into a time-major batch.

A token is a character when texts are str, a word when texts are lists of str. Ids are
deterministic: the special tokens first (``<pad>`` = 0, ``<bos>`` = 1, ``<eos>`` = 2,
``<unk>`` = 3 by default), then tokens by decreasing count, ties broken by code point order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["SPECIALS", "Vocab", "pad_batch"]

#: Default special tokens of a ``Vocab`` (ids 0..3), padding, begin, end and unknown.
SPECIALS = ("<pad>", "<bos>", "<eos>", "<unk>")


def _tokens(name: str, text) -> list[str]:
    """A str (characters) or a sequence of str (words) -> list of tokens."""
    if isinstance(text, str):
        return list(text)
    if isinstance(text, Sequence) and all(isinstance(t, str) for t in text):
        return list(text)
    raise TypeError(f"{name}: expected a str or a sequence of str, got {type(text).__name__}")


class Vocab:
    """Token <-> id mapping.

    Parameters
    ----------
    tokens : the ordinary tokens in id order (after the specials); duplicates or tokens equal
        to a special are rejected.
    specials : special tokens, ids 0..len(specials)-1. ``unk`` maps unknown tokens if present.

    Attributes
    ----------
    itos : list, id -> token.
    stoi : dict, token -> id.
    pad_id, bos_id, eos_id, unk_id : int, or None when that special is absent.
    """

    def __init__(self, tokens: Iterable[str], specials: Sequence[str] = SPECIALS):
        specials, tokens = list(specials), list(tokens)
        itos = specials + tokens
        for t in itos:
            if not isinstance(t, str) or not t:
                raise TypeError(f"tokens: expected non-empty str tokens, got {t!r}")
        if len(set(itos)) != len(itos):
            dup = sorted(t for t, c in Counter(itos).items() if c > 1)
            raise ValueError(f"tokens: expected distinct tokens and specials, got repeats {dup}")
        self.itos = itos
        self.stoi = {t: i for i, t in enumerate(itos)}
        self.specials = tuple(specials)
        self.pad_id = self.stoi.get("<pad>")
        self.bos_id = self.stoi.get("<bos>")
        self.eos_id = self.stoi.get("<eos>")
        self.unk_id = self.stoi.get("<unk>")
        self.counts: dict[str, int] = {}  # token -> count in the texts ``build`` saw

    @classmethod
    def build(
        cls,
        texts: Iterable,
        min_count: int = 1,
        max_size: int | None = None,
        specials: Sequence[str] = SPECIALS,
    ) -> Vocab:
        """Vocabulary of the tokens of ``texts`` (str -> characters, list of str -> words).

        min_count : drop tokens seen fewer times; max_size : keep at most this many ordinary
        tokens (the most frequent). Order: count descending, then code point order.
        """
        if isinstance(texts, str):
            raise TypeError("texts: expected an iterable of texts, got a single str")
        if min_count < 1:
            raise ValueError(f"min_count: expected >= 1, got {min_count}")
        counts: Counter = Counter()
        for text in texts:
            counts.update(_tokens("texts", text))
        for s in specials:
            counts.pop(s, None)
        ordered = sorted(
            (t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t)
        )
        if max_size is not None:
            ordered = ordered[:max_size]
        vocab = cls(ordered, specials)
        vocab.counts = {t: counts[t] for t in ordered}
        return vocab

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token) -> bool:
        return token in self.stoi

    def __repr__(self) -> str:
        head = ", ".join(self.itos[len(self.specials) : len(self.specials) + 8])
        return f"Vocab(size={len(self)}, specials={list(self.specials)}, first=[{head}])"

    def encode(self, text, bos: bool = False, eos: bool = False) -> np.ndarray:
        """A str or list of str -> (T,) int64 ids; unknown tokens -> ``<unk>`` (ValueError if
        the vocabulary has none). ``bos``/``eos`` add ``<bos>`` / ``<eos>`` at the ends."""
        ids = []
        for t in _tokens("text", text):
            i = self.stoi.get(t, self.unk_id)
            if i is None:
                raise ValueError(f"text: token {t!r} is not in the vocabulary (and no <unk>)")
            ids.append(i)
        for flag, name, i in ((bos, "bos", self.bos_id), (eos, "eos", self.eos_id)):
            if flag and i is None:
                raise ValueError(f"{name}: the vocabulary has no <{name}> token")
        ids = ([self.bos_id] if bos else []) + ids + ([self.eos_id] if eos else [])
        return np.array(ids, dtype=np.int64)

    def tokens(self, ids, skip_specials: bool = True) -> list[str]:
        """(T,) ids -> list of tokens; ``skip_specials`` drops <pad>, <bos>, <eos> (not <unk>)."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
            raise ValueError(f"ids: expected a 1-D integer array of shape (T,), got {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"ids: expected ids in [0, {len(self)}), got {ids.min()}..{ids.max()}")
        skip = {self.pad_id, self.bos_id, self.eos_id} if skip_specials else set()
        return [self.itos[i] for i in ids.tolist() if i not in skip]

    def decode(self, ids, skip_specials: bool = True, sep: str = "") -> str:
        """(T,) ids -> text, tokens joined by ``sep`` ("" for characters, " " reads words)."""
        return sep.join(self.tokens(ids, skip_specials))


def pad_batch(seqs, pad_id: int = 0, time_major: bool = True):
    """List of B id sequences -> (ids, mask), padded at the end with ``pad_id``.

    Returns ids int64 and mask bool (True at real tokens), both (T, B) time-major (the package's
    layout) or (B, T) with ``time_major=False``; T is the longest length.
    """
    seqs = [np.asarray(s) for s in seqs]
    if not seqs:
        raise ValueError("seqs: expected at least one sequence, got none")
    for s in seqs:
        if s.ndim != 1 or (s.size and not np.issubdtype(s.dtype, np.integer)):
            raise ValueError(f"seqs: expected 1-D integer id sequences, got shape {s.shape}")
    T = max(len(s) for s in seqs)
    ids = np.full((len(seqs), T), pad_id, dtype=np.int64)
    mask = np.zeros((len(seqs), T), dtype=bool)
    for b, s in enumerate(seqs):
        ids[b, : len(s)] = s
        mask[b, : len(s)] = True
    return (ids.T.copy(), mask.T.copy()) if time_major else (ids, mask)
