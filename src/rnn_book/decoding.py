"""Decoding an attention model's output sequence: greedy search and beam search.

Both work on ONE source sequence with any model that has the step interface of
``rb.AttentionSeq2Seq`` and ``rb.BahdanauSeq2Seq``:

* ``model.tgt_vocab`` : int, the output vocabulary size V;
* ``model.init_decoder(src (S, 1)) -> state`` with ``state.take(index)`` reordering its
  batch columns (``rb.DecoderState``);
* ``model.decode_step(state, prev_ids (B,)) -> (log_probs (B, V), new_state, alpha (B, S))``.

A hypothesis y_1..y_n is scored by its log-probability log P(y | x) = sum_t log p(y_t | y_<t, x)
(the eos token, when emitted, counts as a step). Beam search ranks FINISHED hypotheses by the
length-normalised score of GNMT (Wu et al. 2016)::

    score(Y) = log P(Y | x) / lp(Y),    lp(Y) = ((5 + len(Y)) / 6) ** length_alpha

where len(Y) is the number of decoded steps including eos. ``length_alpha = 0`` gives the raw
log-probability, which favours short outputs; larger values favour longer ones.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnn_book._validate import check_number, check_positive_int
from rnn_book.module import no_grad

__all__ = ["DecodeResult", "beam_search", "greedy_search", "length_penalty", "sequence_log_prob"]


class DecodeResult(NamedTuple):
    """The output of ``greedy_search`` / ``beam_search`` for one source sequence.

    Attributes
    ----------
    tokens : (n,) int64
        ids of the output, without <bos> and without the final <eos>.
    score : float
        the length-normalised score log_prob / lp (equals log_prob when length_alpha = 0).
    log_prob : float
        log P(tokens [+ eos] | src), the sum over the decoded steps.
    attention : (steps, S)
        attention weights of every decoded step: row t is what the model looked at when it
        emitted output t; ``steps = n + 1`` when the hypothesis ended with eos (the last row
        belongs to eos), ``n`` when it was cut at ``max_len``.
    finished : bool
        True when the hypothesis ended with eos (False: cut at max_len).
    """

    tokens: np.ndarray
    score: float
    log_prob: float
    attention: np.ndarray
    finished: bool


def length_penalty(length: int, alpha: float) -> float:
    """GNMT's lp = ((5 + length) / 6) ** alpha; ``length`` counts decoded steps (eos too)."""
    return ((5.0 + length) / 6.0) ** alpha


def _check_args(model, src, bos_id, eos_id, max_len) -> tuple[np.ndarray, int, int, int]:
    for attr in ("tgt_vocab", "init_decoder", "decode_step"):
        if not hasattr(model, attr):
            raise TypeError(
                f"model: expected an attention model with tgt_vocab, init_decoder and "
                f"decode_step (rb.AttentionSeq2Seq, rb.BahdanauSeq2Seq), got "
                f"{type(model).__name__} without {attr}"
            )
    V = int(model.tgt_vocab)
    src = np.asarray(src)
    if not np.issubdtype(src.dtype, np.integer):
        raise TypeError(f"src: expected integer ids of ONE sequence, got dtype {src.dtype}")
    if src.ndim == 2 and src.shape[1] == 1:
        src = src[:, 0]
    if src.ndim != 1 or src.shape[0] == 0:
        raise ValueError(
            f"src: expected ONE source sequence of shape (S,) or (S, 1) with S >= 1, "
            f"got shape {src.shape}"
        )
    ids = []
    for name, value in (("bos_id", bos_id), ("eos_id", eos_id)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name}: expected an int id in [0, {V}), got {value!r}")
        if not 0 <= value < V:
            raise ValueError(f"{name}: expected an id in [0, {V}) (tgt_vocab = {V}), got {value}")
        ids.append(int(value))
    max_len = check_positive_int("max_len", max_len)
    return src[:, None], ids[0], ids[1], max_len


@no_grad()
def greedy_search(model, src, bos_id: int, eos_id: int, max_len: int) -> DecodeResult:
    """Greedy decoding of ONE source: feed back the most probable token until eos or
    ``max_len`` steps.

    src : (S,) or (S, 1) integer ids. Returns a ``DecodeResult`` (score = log_prob).
    The same tokens as ``model.greedy_decode`` up to its first eos.
    """
    src, bos_id, eos_id, max_len = _check_args(model, src, bos_id, eos_id, max_len)
    state = model.init_decoder(src)
    prev = np.array([bos_id])
    tokens, rows, total = [], [], 0.0
    finished = False
    for _ in range(max_len):
        log_probs, state, alpha = model.decode_step(state, prev)
        nxt = int(np.argmax(log_probs[0]))
        total += float(log_probs[0, nxt])
        rows.append(alpha[0])
        if nxt == eos_id:
            finished = True
            break
        tokens.append(nxt)
        prev = np.array([nxt])
    return DecodeResult(np.array(tokens, dtype=np.int64), total, total, np.array(rows), finished)


@no_grad()
def beam_search(
    model,
    src,
    bos_id: int,
    eos_id: int,
    beam_width: int,
    max_len: int,
    length_alpha: float = 0.0,
) -> DecodeResult:
    """Beam search of width k for ONE source sequence.

    src : (S,) or (S, 1) integer ids.
    bos_id, eos_id : ids in [0, model.tgt_vocab).
    beam_width : k >= 1, the number of live hypotheses kept at every step.
    max_len : the longest output in decoded steps (eos included).
    length_alpha : alpha >= 0 of GNMT's length penalty (module docstring); 0 = raw log-prob.

    At every step each live hypothesis is extended by every token; of the candidates the best
    2k by log-probability are visited in order: a candidate ending with eos among the first k
    is set aside as finished, the others fill the beam up to k live hypotheses (as fairseq
    does). Search stops when no live hypothesis can still beat the best finished one, or after
    ``max_len`` steps, when the live ones are added unfinished. The result is the finished
    hypothesis with the best length-normalised score. With k = 1 this is exactly greedy search.

    Why not stop at k finished hypotheses (fairseq's rule)? A confident model puts its few
    unlikely "stop here" candidates into the top k at every step, so k poor hypotheses can
    finish before the likely one is complete, and the search returns an output less probable
    than greedy's. A live hypothesis of log-probability l can end with at most l (every token
    multiplies by p <= 1), and its normalised score is at most l / lp(max_len) (lp grows with
    length, l < 0): when the best finished score reaches that bound for every live one, no
    further step can change the answer.

    Returns a ``DecodeResult`` (tokens (n,), score, log_prob, attention (steps, S), finished).
    """
    src, bos_id, eos_id, max_len = _check_args(model, src, bos_id, eos_id, max_len)
    k = check_positive_int("beam_width", beam_width)
    length_alpha = check_number("length_alpha", length_alpha, low=0.0)
    V = int(model.tgt_vocab)
    state = model.init_decoder(src)
    S = src.shape[0]
    alive_tokens = np.full((1, 0), bos_id, dtype=np.int64)  # (n_alive, t) without bos
    alive_logp = np.zeros(1)
    alive_att = np.zeros((1, 0, S))
    prev = np.array([bos_id])
    finished: list[tuple[float, float, np.ndarray, np.ndarray, bool]] = []

    def finish(tokens, logp, att, done):
        steps = att.shape[0]
        finished.append((logp / length_penalty(steps, length_alpha), logp, tokens, att, done))

    for _ in range(max_len):
        log_probs, state, alpha = model.decode_step(state, prev)
        cand = (alive_logp[:, None] + log_probs).reshape(-1)  # (n_alive * V,)
        n_cand = min(2 * k, cand.size)
        order = np.argsort(-cand, kind="stable")[:n_cand]  # ties: the lower index first
        keep_rows, keep_tok = [], []
        for rank, c in enumerate(order):
            row, tok = divmod(int(c), V)
            if tok == eos_id:
                if rank < k:
                    att = np.concatenate([alive_att[row], alpha[row][None]])
                    finish(alive_tokens[row], float(cand[c]), att, True)
                continue
            if len(keep_rows) < k:
                keep_rows.append(row)
                keep_tok.append(tok)
        if not keep_rows:
            break
        if finished:
            best_live = max(float(cand[r * V + t]) for r, t in zip(keep_rows, keep_tok))
            # what the best live hypothesis could still reach (exact bound, see the docstring)
            bound = best_live / length_penalty(max_len, length_alpha)
            if max(f[0] for f in finished) >= bound:
                break
        rows = np.array(keep_rows)
        toks = np.array(keep_tok, dtype=np.int64)
        alive_tokens = np.concatenate([alive_tokens[rows], toks[:, None]], axis=1)
        alive_logp = cand[rows * V + toks]
        alive_att = np.concatenate([alive_att[rows], alpha[rows][:, None]], axis=1)
        state = state.take(rows)
        prev = toks
    else:
        for i in range(len(alive_logp)):
            finish(alive_tokens[i], float(alive_logp[i]), alive_att[i], False)
    best = max(finished, key=lambda f: f[0])  # max keeps the first of equal scores
    return DecodeResult(best[2].copy(), best[0], best[1], best[3].copy(), best[4])


@no_grad()
def sequence_log_prob(model, src, tokens, bos_id: int, eos_id: int | None = None) -> float:
    """log P(tokens [+ eos] | src) under the model, for ONE source sequence.

    src : (S,) or (S, 1) ids; tokens : (n,) ids without <bos>. With ``eos_id`` the
    probability of ending with eos after the tokens is included (as beam search scores a
    finished hypothesis). Returns a float.
    """
    src, bos_id, _, _ = _check_args(model, src, bos_id, bos_id if eos_id is None else eos_id, 1)
    tokens = np.asarray(tokens)
    if tokens.size == 0:
        tokens = tokens.astype(np.int64)
    if not np.issubdtype(tokens.dtype, np.integer) or tokens.ndim != 1:
        raise TypeError(f"tokens: expected a 1-D integer array, got {tokens.dtype} {tokens.shape}")
    V = int(model.tgt_vocab)
    if tokens.size and (tokens.min() < 0 or tokens.max() >= V):
        raise ValueError(f"tokens: expected ids in [0, {V}), got [{tokens.min()}, {tokens.max()}]")
    seq = list(tokens.tolist()) + ([] if eos_id is None else [int(eos_id)])
    state = model.init_decoder(src)
    prev = np.array([bos_id])
    total = 0.0
    for tok in seq:
        log_probs, state, _ = model.decode_step(state, prev)
        total += float(log_probs[0, tok])
        prev = np.array([tok])
    return total
