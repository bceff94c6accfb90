"""Chinese numerals up to 99 999 999 -> Arabic digits: a translation task with long inputs.

The structures chapter's generator ``rnn_book.data.numerals.chinese_numeral`` reads 1..9999;
here two such readings are joined by 万 (10^4), the way Chinese groups digits in fours:
30 052 001 -> 三千零五万二千零一. Inputs then run from 1 to 15 characters and outputs from 1 to 8
digits, long enough to see a fixed-size context vector struggle.

Encoding: the source is left-padded with ``<pad>`` (id 0) so that the encoder's last step
reads the last real character; ``reverse=True`` reverses the characters (not the padding),
the trick of Sutskever et al. (2014). Targets start with ``<bos>`` and end with ``<eos>``.
"""

from __future__ import annotations

import numpy as np

from rnn_book.data.numerals import BOS, EOS, TGT_CHARS, chinese_numeral
from rnn_book.data.numerals import SRC_CHARS as _SRC_CHARS_4

__all__ = [
    "BOS",
    "EOS",
    "MAX_NUMBER",
    "PAD",
    "SRC_CHARS",
    "TGT_CHARS",
    "Batch",
    "encode",
    "reading",
    "sample_numbers",
    "source_lengths",
    "to_digits",
]

SRC_CHARS = [*_SRC_CHARS_4, "万"]  # 15 symbols; id 0 is <pad>
PAD = 0
MAX_NUMBER = 99_999_999
_S_INDEX = {c: i for i, c in enumerate(SRC_CHARS)}


def reading(n: int) -> str:
    """1 <= n <= 99 999 999 -> its Chinese reading.

    The part above 10^4 and the part below are each read by ``chinese_numeral``; a 零 marks a
    lower part below 1000, and a lower part of 10..19 after 零 keeps its 一 (一万零一十五).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_NUMBER:
        raise ValueError(f"n: expected an int in [1, {MAX_NUMBER}], got {n!r}")
    n = int(n)
    high, low = divmod(n, 10_000)
    if high == 0:
        return chinese_numeral(low)
    text = chinese_numeral(high) + "万"
    if low == 0:
        return text
    if low < 1000:
        text += "零" + ("一" if low < 20 and low >= 10 else "")
    return text + chinese_numeral(low)


def sample_numbers(n: int, rng, max_digits: int = 8, max_source_len: int | None = None):
    """``n`` distinct numbers: digit count uniform in 1..max_digits, then uniform in that range.

    ``max_source_len`` keeps only numbers whose reading has at most that many characters
    (rejection sampling), for training on short inputs and testing on longer ones.
    Returns an int64 array (n,).
    """
    if not 1 <= max_digits <= 8:
        raise ValueError(f"max_digits: expected 1..8, got {max_digits}")
    rng = np.random.default_rng(rng)
    seen: set[int] = set()
    out: list[int] = []
    while len(out) < n:
        d = int(rng.integers(1, max_digits + 1))
        x = int(rng.integers(10 ** (d - 1), 10**d))
        if x in seen or (max_source_len is not None and len(reading(x)) > max_source_len):
            continue
        seen.add(x)
        out.append(x)
    return np.array(out, dtype=np.int64)


def source_lengths(numbers) -> np.ndarray:
    """(N,) number of characters of each reading."""
    return np.array([len(reading(int(x))) for x in numbers], dtype=np.int64)


def to_digits(ids) -> str:
    """Target ids -> digit string, cut at the first <eos>; <bos> shows as '?'."""
    chars = []
    for i in ids:
        if i == EOS:
            break
        chars.append(TGT_CHARS[i] if i >= 2 else "?")
    return "".join(chars)


class Batch:
    """Encoded pairs: src (S, N), tgt_in (T, N), tgt_out (T, N), mask (T, N), src_len (N,)."""

    def __init__(self, src, tgt_in, tgt_out, mask, src_len):
        self.src, self.tgt_in, self.tgt_out, self.mask, self.src_len = (
            src,
            tgt_in,
            tgt_out,
            mask,
            src_len,
        )

    def __len__(self) -> int:
        return self.src.shape[1]

    def take(self, idx) -> Batch:
        """The pairs at ``idx``, trimmed to the longest source and target among them."""
        idx = np.asarray(idx)
        S = int(self.src_len[idx].max())
        T = int(self.mask[:, idx].sum(axis=0).max())
        return Batch(
            self.src[-S:, idx],
            self.tgt_in[:T, idx],
            self.tgt_out[:T, idx],
            self.mask[:T, idx],
            self.src_len[idx],
        )


def encode(numbers, reverse: bool = False) -> Batch:
    """numbers (N,) -> a ``Batch`` padded to the longest source and target.

    src (S, N) ids of ``SRC_CHARS``, left-padded with <pad>; reversed readings if ``reverse``.
    tgt_in (T, N) = <bos> d_1 .. d_{T-1}; tgt_out (T, N) = d_1 .. d_k <eos> (then <eos>);
    mask (T, N) is 1 up to and including the first <eos>.
    """
    texts = [reading(int(x)) for x in numbers]
    digits = [str(int(x)) for x in numbers]
    N = len(texts)
    if N == 0:
        raise ValueError("numbers: expected at least one number, got none")
    S = max(len(t) for t in texts)
    T = max(len(d) for d in digits) + 1
    src = np.full((S, N), PAD, dtype=np.int64)
    tgt_out = np.full((T, N), EOS, dtype=np.int64)
    mask = np.zeros((T, N))
    for j, (text, ds) in enumerate(zip(texts, digits)):
        chars = text[::-1] if reverse else text
        src[S - len(chars) :, j] = [_S_INDEX[c] for c in chars]
        tgt_out[: len(ds), j] = [2 + int(c) for c in ds]
        mask[: len(ds) + 1, j] = 1.0
    tgt_in = np.concatenate([np.full((1, N), BOS, dtype=np.int64), tgt_out[:-1]])
    src_len = np.array([len(t) for t in texts], dtype=np.int64)
    return Batch(src, tgt_in, tgt_out, mask, src_len)
