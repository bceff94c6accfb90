"""Corpus BLEU (Papineni et al. 2002) on token lists, computed like sacrebleu.

For a corpus of hypotheses h and references r (one or several per hypothesis)::

    m_n   = sum over sentences of sum over n-grams g of h: min(count_h(g), max_r count_r(g))
    t_n   = sum over sentences of the number of n-grams of h     (n = 1..N, N = max_n)
    p_n   = m_n / t_n                                            modified n-gram precision
    c     = total hypothesis length, r = total "closest" reference length (for each sentence
            the reference length nearest to the hypothesis length, the shorter one on ties)
    BP    = 1 if c >= r else exp(1 - r / c)   (0 when c = 0)
    BLEU  = 100 * BP * exp((1/N) * sum_n log p_n)      (p_n as fractions; at most 100)

Smoothing of a zero count m_n = 0 (``smooth``):

* "none"  : p_n = 0, so BLEU = 0 (computed as log 0 -> a huge negative number, like sacrebleu);
* "exp"   : sacrebleu's default (Chen & Cherry 2014, method 3 / NIST mteval): the k-th order
            with m_n = 0 gets p_n = 1 / (2^k t_n), k = 1, 2, ...;
* "floor" : p_n = epsilon / t_n with ``floor_value`` epsilon (default 0.1).

No match of any order gives BLEU = 0 whatever the smoothing (as sacrebleu). An order with
t_n = 0 (every hypothesis shorter than n) ends the sum: it and all higher
orders get p_n = 0, so BLEU = 0, again as sacrebleu does.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from rnn_book._validate import check_number, check_positive_int

__all__ = ["BLEUScore", "corpus_bleu", "ngram_counts"]

_SMOOTH = ("none", "exp", "floor")
_LOG_ZERO = -9999999999.0  # sacrebleu's log(0)


class BLEUScore(NamedTuple):
    """Result of ``corpus_bleu``.

    score : BLEU in [0, 100].
    precisions : tuple of max_n floats, p_n in percent (after smoothing).
    brevity_penalty : BP in [0, 1].
    sys_len : int, total hypothesis length c.
    ref_len : int, total closest reference length r.
    matches, totals : tuples of max_n ints, m_n and t_n before smoothing.
    """

    score: float
    precisions: tuple
    brevity_penalty: float
    sys_len: int
    ref_len: int
    matches: tuple
    totals: tuple


def ngram_counts(tokens: Sequence, max_n: int) -> Counter:
    """Counter of every n-gram (as a tuple) of ``tokens`` for n = 1..max_n."""
    counts: Counter = Counter()
    for n in range(1, max_n + 1):
        for i in range(len(tokens) - n + 1):
            counts[tuple(tokens[i : i + n])] += 1
    return counts


def _as_tokens(name: str, seq) -> list:
    if isinstance(seq, str):
        raise TypeError(
            f"{name}: expected a sequence of tokens (e.g. a list of str or int), "
            f"got a str {seq[:20]!r}; split it first"
        )
    try:
        return list(seq)
    except TypeError as exc:
        raise TypeError(f"{name}: expected a sequence of tokens, got {type(seq).__name__}") from exc


def corpus_bleu(
    hypotheses: Sequence,
    references: Sequence,
    max_n: int = 4,
    smooth: str = "exp",
    floor_value: float = 0.1,
) -> BLEUScore:
    """Corpus-level BLEU of token lists (module docstring for the formula).

    Parameters
    ----------
    hypotheses : list of N token sequences
        each a list of str or int.
    references : list of N references
        each one token sequence, or a list of several token sequences (multiple references
        for that hypothesis).
    max_n : int
        highest n-gram order N (4 for BLEU-4).
    smooth : str
        "none", "exp" (sacrebleu's default) or "floor" (with ``floor_value``).
    floor_value : float
        epsilon of "floor".

    Returns
    -------
    BLEUScore
        ``score`` agrees with ``sacrebleu.corpus_bleu`` on the same tokens joined by spaces
        with ``tokenize="none"``.
    """
    max_n = check_positive_int("max_n", max_n)
    if smooth not in _SMOOTH:
        raise ValueError(f"smooth: expected one of {list(_SMOOTH)}, got {smooth!r}")
    floor_value = check_number("floor_value", floor_value, low=0.0)
    hyps = _as_tokens("hypotheses", hypotheses)
    refs = _as_tokens("references", references)
    if len(hyps) != len(refs):
        raise ValueError(
            f"hypotheses, references: expected one reference entry per hypothesis, "
            f"got {len(hyps)} hypotheses and {len(refs)} references"
        )
    matches, totals = [0] * max_n, [0] * max_n
    sys_len = ref_len = 0
    for i, (hyp, ref) in enumerate(zip(hyps, refs)):
        hyp = _as_tokens(f"hypotheses[{i}]", hyp)
        ref = _as_tokens(f"references[{i}]", ref)
        several = bool(ref) and all(not isinstance(r, str) and isinstance(r, Sequence) for r in ref)
        ref_list = [_as_tokens(f"references[{i}]", r) for r in ref] if several else [ref]
        counts = ngram_counts(hyp, max_n)
        max_ref: Counter = Counter()
        for r in ref_list:
            max_ref |= ngram_counts(r, max_n)  # element-wise max over the references
        for gram, c in counts.items():
            n = len(gram)
            totals[n - 1] += c
            matches[n - 1] += min(c, max_ref[gram])
        sys_len += len(hyp)
        # closest reference length, the shorter one on ties
        ref_len += min((abs(len(r) - len(hyp)), len(r)) for r in ref_list)[1]
    precisions = [0.0] * max_n
    smooth_mteval = 1.0
    for n in range(max_n if any(matches) else 0):  # no match at all: BLEU = 0, no smoothing
        if totals[n] == 0:
            break
        if matches[n] == 0:
            if smooth == "exp":
                smooth_mteval *= 2.0
                precisions[n] = 100.0 / (smooth_mteval * totals[n])
            elif smooth == "floor":
                precisions[n] = 100.0 * floor_value / totals[n]
        else:
            precisions[n] = 100.0 * matches[n] / totals[n]
    if sys_len == 0:
        bp = 0.0
    else:
        bp = 1.0 if sys_len >= ref_len else math.exp(1.0 - ref_len / sys_len)
    log_sum = sum(math.log(p) if p > 0 else _LOG_ZERO for p in precisions)
    # exp(mean of logs) of four 100s is 100.00000000000004: keep the score inside [0, 100]
    score = min(bp * math.exp(log_sum / max_n), 100.0)
    return BLEUScore(
        float(score), tuple(precisions), float(bp), sys_len, ref_len, tuple(matches), tuple(totals)
    )
