"""Greedy and beam search (rnn_book.decoding) on real attention models and on a constructed
model whose next-token table makes greedy search miss the most probable output."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.attention import AttentionSeq2Seq, BahdanauSeq2Seq
from rnn_book.decoding import beam_search, greedy_search, length_penalty, sequence_log_prob

BOS, EOS = 0, 1


def _models():
    """Random attention models with sharp output distributions (weights scaled up)."""
    out = []
    for seed in range(4):
        for make in (
            lambda s: AttentionSeq2Seq(7, 6, 8, embedding_dim=4, pad_id=0, seed=s, score="dot"),
            lambda s: AttentionSeq2Seq(7, 6, 8, embedding_dim=4, pad_id=0, seed=s),
            lambda s: AttentionSeq2Seq(7, 6, 8, "lstm", 4, pad_id=0, seed=s, score="concat"),
            lambda s: BahdanauSeq2Seq(7, 6, 8, embedding_dim=4, pad_id=0, seed=s),
        ):
            model = make(seed)
            for p in model.params.values():
                p *= 3.0
            out.append(model)
    return out


class _State:
    """Decoder state of ``TableModel``: one prefix (tuple of ids after <bos>) per column."""

    def __init__(self, prefixes):
        self.prefixes = list(prefixes)

    def take(self, index):
        return _State(self.prefixes[i] for i in index)


class TableModel:
    """A 'model' whose next-token distribution is a table keyed by the prefix; the source is
    ignored except for its length S (attention is uniform). Unlisted prefixes: ``default``."""

    def __init__(self, vocab, table, default):
        self.tgt_vocab = vocab
        with np.errstate(divide="ignore"):  # probability 0 -> log-probability -inf
            self.table = {k: np.log(np.asarray(v, dtype=float)) for k, v in table.items()}
            self.default = np.log(np.asarray(default, dtype=float))
        self.calls = 0

    def init_decoder(self, src):
        self.S = src.shape[0]
        return _State([()])

    def decode_step(self, state, prev_ids):
        self.calls += 1
        prefixes = [
            p + (int(y),) if p or int(y) != BOS else p for p, y in zip(state.prefixes, prev_ids)
        ]
        rows = [self.table.get(p, self.default) for p in prefixes]
        alpha = np.full((len(rows), self.S), 1.0 / self.S)
        return np.array(rows), _State(prefixes), alpha


def _trap():
    """vocab {0 bos, 1 eos, 2 a, 3 b, 4 c}: greedy takes 'a' (0.55) and then has only poor
    continuations; 'b' (0.45) is followed by eos with probability 0.9."""
    table = {
        (): [0, 0, 0.55, 0.45, 0],
        (2,): [0.001, 0.34, 0.33, 0.329, 0],
        (3,): [0.001, 0.9, 0.05, 0.049, 0],
    }
    return TableModel(5, table, default=[0.001, 0.997, 0.001, 0.001, 0])


# ---------------------------------------------------------------------------- greedy == beam 1
@pytest.mark.parametrize("i", range(16))
def test_beam_width_one_is_greedy(i):
    model = _models()[i]
    rng = np.random.default_rng(i)
    src = rng.integers(1, 7, size=(6, 3))
    src[:2, 1] = 0  # a padded column
    batch = model.greedy_decode(src, BOS, 9, eos_id=EOS)
    for b in range(3):
        greedy = greedy_search(model, src[:, b], BOS, EOS, max_len=9)
        beam = beam_search(model, src[:, b], BOS, EOS, beam_width=1, max_len=9)
        np.testing.assert_array_equal(beam.tokens, greedy.tokens)
        assert beam.log_prob == greedy.log_prob and beam.finished == greedy.finished
        np.testing.assert_array_equal(beam.attention, greedy.attention)
        n = len(greedy.tokens)
        np.testing.assert_array_equal(batch[:n, b], greedy.tokens)
        if greedy.finished:
            assert batch[n, b] == EOS and greedy.attention.shape == (n + 1, 6)
        else:
            assert n == 9 and greedy.attention.shape == (9, 6)
        assert math.isclose(
            greedy.log_prob,
            sequence_log_prob(
                model, src[:, b], greedy.tokens, BOS, EOS if greedy.finished else None
            ),
            rel_tol=1e-12,
        )


@pytest.mark.parametrize("alpha", [0.0, 0.6, 1.0])
def test_beam_results_are_consistent_on_real_models(alpha):
    for i, model in enumerate(_models()[:8]):
        src = np.random.default_rng(100 + i).integers(1, 7, size=5)
        res = beam_search(model, src, BOS, EOS, beam_width=4, max_len=8, length_alpha=alpha)
        eos = EOS if res.finished else None
        assert math.isclose(
            res.log_prob, sequence_log_prob(model, src, res.tokens, BOS, eos), rel_tol=1e-12
        )
        steps = len(res.tokens) + int(res.finished)
        assert res.attention.shape == (steps, 5)
        np.testing.assert_allclose(res.attention.sum(axis=1), 1.0, atol=1e-12)
        assert math.isclose(res.score, res.log_prob / length_penalty(steps, alpha))
        assert EOS not in res.tokens.tolist()


# ---------------------------------------------------------------------------- beam beats greedy
def test_beam_finds_a_more_probable_output_than_greedy():
    model = _trap()
    src = np.array([3, 4])
    greedy = greedy_search(model, src, BOS, EOS, max_len=5)
    beam = beam_search(model, src, BOS, EOS, beam_width=2, max_len=5)
    assert greedy.tokens.tolist() == [2] and greedy.finished
    assert beam.tokens.tolist() == [3] and beam.finished
    assert math.isclose(greedy.log_prob, math.log(0.55) + math.log(0.34))
    assert math.isclose(beam.log_prob, math.log(0.45) + math.log(0.9))
    assert beam.log_prob > greedy.log_prob
    # width 1 falls into the same trap as greedy
    assert beam_search(model, src, BOS, EOS, beam_width=1, max_len=5).tokens.tolist() == [2]


def test_unlikely_early_stops_do_not_end_the_search():
    """A confident model: 'a a a' then eos has probability about 0.97, but at every step an
    early eos (p = 0.01) and a junk token rank in the top k. Stopping at k finished hypotheses
    (fairseq's rule) returned one of the early stops, far less probable than greedy's answer;
    the exact bound keeps searching until the likely output has finished."""
    table = {
        (): [0, 0.01, 0.98, 0.01, 0],
        (2,): [0, 0.01, 0.98, 0.01, 0],
        (2, 2): [0, 0.01, 0.98, 0.01, 0],
        (2, 2, 2): [0, 0.999, 0.0005, 0.0005, 0],
    }
    model = TableModel(5, table, default=[0, 0.5, 0.25, 0.25, 0])
    src = np.array([1, 2])
    greedy = greedy_search(model, src, BOS, EOS, max_len=8)
    assert greedy.tokens.tolist() == [2, 2, 2] and greedy.finished
    for k in (2, 3, 4):
        beam = beam_search(model, src, BOS, EOS, beam_width=k, max_len=8)
        assert beam.tokens.tolist() == [2, 2, 2], (k, beam.tokens)
        assert beam.log_prob >= greedy.log_prob


def test_length_penalty_prefers_longer_outputs():
    """eos right away (p = 0.5, 1 step) vs. 'c c' then eos (p = 0.5 * 0.7 * 0.95, 3 steps): the
    raw log-probability prefers the empty output, GNMT's penalty with alpha = 2 the longer one."""
    table = {
        (): [0, 0.5, 0.0, 0.0, 0.5],
        (4,): [0, 0.3, 0, 0, 0.7],
        (4, 4): [0, 0.95, 0, 0, 0.05],
    }
    model = TableModel(5, table, default=[0, 1.0, 0, 0, 0])
    src = np.array([1])
    raw = beam_search(model, src, BOS, EOS, beam_width=3, max_len=6, length_alpha=0.0)
    assert raw.tokens.tolist() == []  # log 0.5 beats log(0.5 * 0.7 * 0.95)
    long = beam_search(model, src, BOS, EOS, beam_width=3, max_len=6, length_alpha=2.0)
    assert long.tokens.tolist() == [4, 4]
    assert math.isclose(length_penalty(3, 2.0), (8 / 6) ** 2)


# ---------------------------------------------------------------------------- eos and max_len
def test_eos_finishes_and_max_len_bounds():
    # eos after exactly two tokens
    table = {(): [0, 0, 1.0, 0, 0], (2,): [0, 0, 0, 1.0, 0], (2, 3): [0, 1.0, 0, 0, 0]}
    model = TableModel(5, table, default=[0, 0, 0, 0, 1.0])
    for k in (1, 3):
        res = beam_search(model, np.array([1, 2]), BOS, EOS, beam_width=k, max_len=10)
        assert res.tokens.tolist() == [2, 3] and res.finished
        assert res.attention.shape == (3, 2) and res.log_prob == 0.0
    # cut at max_len: never eos
    never = TableModel(5, {}, default=[0, 0, 0.5, 0.5, 0])
    for k in (1, 2, 4):
        res = beam_search(never, np.array([1]), BOS, EOS, beam_width=k, max_len=4)
        assert len(res.tokens) == 4 and not res.finished
        assert res.attention.shape == (4, 1)
        assert never.calls <= 4 * 4
    g = greedy_search(never, np.array([1]), BOS, EOS, max_len=3)
    assert len(g.tokens) == 3 and not g.finished
    one = beam_search(model, np.array([1]), BOS, EOS, beam_width=2, max_len=1)
    assert one.tokens.tolist() == [2] and not one.finished


def test_results_do_not_alias_the_search_state():
    model = _models()[3]
    src = np.array([1, 2, 3])
    a = beam_search(model, src, BOS, EOS, beam_width=3, max_len=6)
    b = beam_search(model, src, BOS, EOS, beam_width=3, max_len=6)
    a.tokens[...] = 5
    a.attention[...] = 0.0
    assert not (b.tokens == 5).all() or len(b.tokens) == 0
    assert b.attention.sum() > 0


# ---------------------------------------------------------------------------- errors
def test_bad_arguments_are_refused_clearly():
    model = _models()[0]
    src = np.array([1, 2, 3])
    with pytest.raises(ValueError, match="beam_width: expected a positive int, got 0"):
        beam_search(model, src, BOS, EOS, beam_width=0, max_len=5)
    with pytest.raises(TypeError, match="beam_width: expected a positive int"):
        beam_search(model, src, BOS, EOS, beam_width=2.0, max_len=5)
    with pytest.raises(ValueError, match="max_len: expected a positive int, got 0"):
        beam_search(model, src, BOS, EOS, beam_width=2, max_len=0)
    with pytest.raises(
        ValueError, match=r"eos_id: expected an id in \[0, 6\) \(tgt_vocab = 6\), got 6"
    ):
        beam_search(model, src, BOS, 6, beam_width=2, max_len=5)
    with pytest.raises(ValueError, match=r"bos_id: expected an id in \[0, 6\)"):
        greedy_search(model, src, -1, EOS, max_len=5)
    with pytest.raises(TypeError, match="eos_id: expected an int id"):
        beam_search(model, src, BOS, None, beam_width=2, max_len=5)
    with pytest.raises(
        TypeError, match="src: expected integer ids of ONE sequence, got dtype float64"
    ):
        beam_search(model, src.astype(float), BOS, EOS, beam_width=2, max_len=5)
    with pytest.raises(
        ValueError, match=r"src: expected ONE source sequence .* got shape \(3, 2\)"
    ):
        beam_search(model, np.ones((3, 2), dtype=int), BOS, EOS, beam_width=2, max_len=5)
    with pytest.raises(ValueError, match=r"got shape \(0,\)"):
        greedy_search(model, np.array([], dtype=int), BOS, EOS, max_len=5)
    with pytest.raises(ValueError, match="length_alpha: expected a finite number >= 0.0"):
        beam_search(model, src, BOS, EOS, beam_width=2, max_len=5, length_alpha=-0.5)
    with pytest.raises(TypeError, match="model: expected an attention model"):
        beam_search(rb.Linear(2, 3), src, BOS, EOS, beam_width=2, max_len=5)
    with pytest.raises(ValueError, match=r"src: expected ids in \[0, 7\)"):
        beam_search(model, np.array([1, 9]), BOS, EOS, beam_width=2, max_len=5)
    with pytest.raises(ValueError, match=r"tokens: expected ids in \[0, 6\), got \[2, 8\]"):
        sequence_log_prob(model, src, np.array([2, 8]), BOS, EOS)
    with pytest.raises(TypeError, match="tokens: expected a 1-D integer array"):
        sequence_log_prob(model, src, np.array([2.0]), BOS)
    # a (S, 1) column is accepted and gives the same result as (S,)
    a = beam_search(model, src[:, None], BOS, EOS, beam_width=2, max_len=5)
    b = beam_search(model, src, BOS, EOS, beam_width=2, max_len=5)
    np.testing.assert_array_equal(a.tokens, b.tokens)
