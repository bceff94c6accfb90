"""Character-level (source, target) string pairs -> padded id arrays for an encoder-decoder.

The generated translation tasks of the attention chapter (``dates``, ``pointer``) write every
example as two strings; ``encode_text_pairs`` turns a list of them into the same ``Batch`` the
numerals task uses (``rnn_book.data.wan_numerals.Batch``): sources left-padded with <pad>
(id 0), targets starting with <bos> (id 0) and ending with <eos> (id 1).
"""

from __future__ import annotations

import numpy as np

from rnn_book.data.wan_numerals import Batch

__all__ = ["decode_text", "encode_text_pairs"]

PAD, BOS, EOS = 0, 0, 1


def encode_text_pairs(sources, targets, src_chars, tgt_chars, reverse: bool = False) -> Batch:
    """Strings -> a ``Batch`` padded to the longest source and target.

    sources, targets : N strings each; every character must be in ``src_chars`` (whose id 0 is
    <pad>) or ``tgt_chars`` (ids 0, 1 are <bos>, <eos>).
    Returns src (S, N) left-padded, tgt_in (T, N) = <bos> y_1..y_{T-1}, tgt_out (T, N) =
    y_1..y_k <eos> (then <eos>), mask (T, N) 1 up to and including the first <eos>, src_len (N,).
    ``reverse`` reverses each source's characters (not the padding).
    """
    sources, targets = list(sources), list(targets)
    if len(sources) != len(targets) or not sources:
        raise ValueError(
            f"sources, targets: expected two non-empty lists of equal length, "
            f"got {len(sources)} and {len(targets)}"
        )
    s_index = {c: i for i, c in enumerate(src_chars) if i != PAD}
    t_index = {c: i for i, c in enumerate(tgt_chars) if i > EOS}
    for name, texts, index in [("sources", sources, s_index), ("targets", targets, t_index)]:
        for text in texts:
            if not isinstance(text, str) or not text:
                raise ValueError(f"{name}: expected non-empty strings, got {text!r}")
            bad = sorted(set(text) - set(index))
            if bad:
                raise ValueError(f"{name}: characters {bad} of {text!r} are not in the vocabulary")
    N = len(sources)
    S = max(len(s) for s in sources)
    T = max(len(t) for t in targets) + 1
    src = np.full((S, N), PAD, dtype=np.int64)
    tgt_out = np.full((T, N), EOS, dtype=np.int64)
    mask = np.zeros((T, N))
    for j, (s, t) in enumerate(zip(sources, targets)):
        chars = s[::-1] if reverse else s
        src[S - len(chars) :, j] = [s_index[c] for c in chars]
        tgt_out[: len(t), j] = [t_index[c] for c in t]
        mask[: len(t) + 1, j] = 1.0
    tgt_in = np.concatenate([np.full((1, N), BOS, dtype=np.int64), tgt_out[:-1]])
    src_len = np.array([len(s) for s in sources], dtype=np.int64)
    return Batch(src, tgt_in, tgt_out, mask, src_len)


def decode_text(ids, tgt_chars) -> str:
    """Target ids (T,) -> the string before the first <eos>; a <bos> shows as '?'."""
    out = []
    for i in np.asarray(ids).tolist():
        if i == EOS:
            break
        out.append(tgt_chars[i] if i > EOS else "?")
    return "".join(out)
