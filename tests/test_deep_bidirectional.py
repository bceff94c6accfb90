"""The deep/bidirectional chapter's tasks: data invariants, gradient checks, the effect shown."""

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.chapters.deep_bidirectional import (
    BlurTagger,
    misaligned_outputs,
    train_blur_first,
    train_blur_tagger,
    train_depth,
)
from rnn_book.data import blurred_pairs, window_parity


def test_blurred_pairs_invariants():
    x, y, blurred = blurred_pairs(50, words=4, alphabet=6, seed=3, rng_seed=1)
    assert x.shape == y.shape == blurred.shape == (8, 50)
    assert not blurred[1::2].any()  # only first symbols of words are blurred
    assert np.array_equal(x[~blurred], y[~blurred]) and (x[blurred] == 6).all()
    # the second symbol is a fixed permutation of the first: it reveals the blurred one
    g = {}
    for a, b in zip(y[0::2].ravel(), y[1::2].ravel()):
        assert g.setdefault(a, b) == b
    assert len(set(g.values())) == len(g)
    other, *_ = blurred_pairs(50, words=4, alphabet=6, seed=3, rng_seed=2)
    assert not np.array_equal(other, x)
    assert np.array_equal(blurred_pairs(50, 4, 6, seed=3, rng_seed=1)[0], x)


@pytest.mark.parametrize(
    "kwargs,msg",
    [
        ({"n": 0}, "n: expected a positive int"),
        ({"alphabet": 1}, "alphabet: expected at least 2"),
        ({"blur": 1.5}, r"blur: expected a probability in \[0, 1\]"),
    ],
)
def test_blurred_pairs_bad_input(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        blurred_pairs(**{"n": 2, **kwargs})


def test_misaligned_outputs_pairs_forward_t_with_backward_T_minus_t():
    out = np.arange(4 * 1 * 4, dtype=float).reshape(4, 1, 4)
    mis = misaligned_outputs(out, 2)
    assert np.array_equal(mis[:, :, :2], out[:, :, :2])
    assert np.array_equal(mis[0, :, 2:], out[3, :, 2:])
    with pytest.raises(ValueError, match=r"out: expected shape \(T, B, 2H\) with H = 3"):
        misaligned_outputs(out, 3)


@pytest.mark.parametrize("pairing", BlurTagger.PAIRINGS)
def test_blur_tagger_gradcheck(pairing):
    rng = np.random.default_rng(0)
    model = BlurTagger(5, 3, pairing, seed=1)
    x, _, _ = blurred_pairs(2, words=3, alphabet=5, seed=0)
    g = rng.normal(size=(6, 2, 5))

    def loss():
        return float(np.sum(model.forward(x) * g))

    model.zero_grad()
    model.forward(x)
    model.backward(g)
    errors = rb.gradcheck(loss, model.params, {k: v.copy() for k, v in model.grads.items()})
    assert max(errors.values()) < 1e-7, errors


def test_only_aligned_bidirectional_recovers_blurred_symbols():
    res = {p: train_blur_tagger(p, seed=0, steps=150)[1] for p in BlurTagger.PAIRINGS}
    assert res["forward"]["blurred"] < 0.25  # chance is 1/8: the future is invisible
    assert res["aligned"]["blurred"] > 0.9
    assert res["misaligned"]["blurred"] < res["aligned"]["blurred"] - 0.3
    first_half = res["misaligned"]["by_position"][0:6:2]
    assert np.nanmax(first_half) < 0.3  # before the middle, the right state is never paired


def test_a_delay_of_one_step_lets_a_forward_tagger_recover_blurred_symbols():
    _, res = train_blur_tagger("forward", seed=0, steps=150, delay=1)
    assert res["blurred"] > 0.9
    assert res["by_position"].shape == (12,) and np.isnan(res["by_position"][-1])
    with pytest.raises(ValueError, match=r"delay: expected an int in \[0, 12\)"):
        train_blur_tagger("forward", steps=1, delay=12)


def test_one_output_at_the_end_is_what_the_course_pairing_gets_right():
    res = {p: train_blur_first(p, seed=0, steps=80)[1] for p in BlurTagger.PAIRINGS}
    # the final backward state has just read x_2, x_1: the blurred first symbol is easy
    assert res["misaligned"]["blurred"] > 0.9
    assert res["forward"]["blurred"] < res["misaligned"]["blurred"] - 0.3
    assert res["aligned"]["blurred"] < res["misaligned"]["blurred"] - 0.3


def test_window_parity_matches_brute_force():
    x, y = window_parity(7, 15, 4, seed=0)
    bits = x.argmax(axis=-1)
    for t in range(15):
        assert np.array_equal(y[t], bits[max(0, t - 3) : t + 1].sum(axis=0) % 2)
    with pytest.raises(ValueError, match="k"):
        window_parity(2, 5, 0, seed=0)


def test_train_depth_reports_held_out_accuracy():
    r = train_depth(2, 8, k=2, seed=0, steps=150)
    assert r["parameters"] == rb.RNN(2, 8, num_layers=2).num_parameters() + 8 * 2 + 2
    assert r["losses"].shape == (150,)
    assert r["accuracy"] > 0.9  # 2-bit parity (XOR of the last two bits) is easy
