"""The four structures: gradient checks through each whole model, shapes, generation."""

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.layers import Embedding, Linear
from rnn_book.models import CharLM, ManyToMany, ManyToOne, Seq2Seq, make_rnn

TOL = 1e-7


def _check_model(model, forward, backward, out_shape, rng, extra_arrays=None):
    for name, p in model.params.items():
        if "bias" in name:
            p[...] = rng.normal(size=p.shape)
    g = rng.normal(size=out_shape)

    def loss():
        return float(np.sum(forward() * g))

    model.zero_grad()
    forward()
    dx = backward(g)
    arrays = dict(model.params)
    analytic = {k: v.copy() for k, v in model.grads.items()}
    if extra_arrays is not None:
        arrays.update(extra_arrays)
        analytic["x"] = dx
    errors = rb.gradcheck(loss, arrays, analytic)
    bad = {k: e for k, e in errors.items() if not e < TOL}
    assert not bad, bad


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_many_to_one_gradcheck(cell, bidirectional):
    rng = np.random.default_rng(0)
    rnn = make_rnn(cell, 3, 4, num_layers=2, bidirectional=bidirectional, seed=1)
    head = Linear(4 * rnn.num_directions, 2, seed=2)
    model = ManyToOne(rnn, head)
    x = rng.normal(size=(5, 2, 3))
    _check_model(model, lambda: model.forward(x), model.backward, (2, 2), rng, {"x": x})


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_many_to_many_with_embedding_gradcheck(cell):
    rng = np.random.default_rng(1)
    rnn = make_rnn(cell, 3, 4, seed=1)
    model = ManyToMany(rnn, Linear(4, 5, seed=2), Embedding(5, 3, seed=3))
    ids = rng.integers(0, 5, size=(6, 2))
    _check_model(model, lambda: model.forward(ids), model.backward, (6, 2, 5), rng)


@pytest.mark.parametrize("embedding_dim", [None, 3])
def test_charlm_gradcheck_and_sampling(embedding_dim):
    rng = np.random.default_rng(2)
    model = CharLM(4, 5, cell="lstm", embedding_dim=embedding_dim, seed=0)
    ids = rng.integers(0, 4, size=(5, 2))
    _check_model(model, lambda: model.forward(ids)[0], model.backward, (5, 2, 4), rng)
    a = model.sample([1, 2], 10, temperature=0.8, rng=3)
    b = model.sample([1, 2], 10, temperature=0.8, rng=3)
    assert a == b and len(a) == 10 and all(0 <= i < 4 for i in a)
    greedy = model.sample([1], 5, temperature=0)
    assert greedy == model.sample([1], 5, temperature=0)
    with pytest.raises(ValueError, match="prefix_ids"):
        model.sample([], 3)
    with pytest.raises(ValueError, match=r"ids: expected values in \[0, 4\)"):
        model.forward(np.array([[7]]))


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_seq2seq_gradcheck_reaches_encoder(cell):
    rng = np.random.default_rng(3)
    model = Seq2Seq(6, 5, 4, cell=cell, embedding_dim=3, seed=0)
    src, tgt = rng.integers(0, 6, size=(4, 2)), rng.integers(0, 5, size=(3, 2))
    _check_model(model, lambda: model.forward(src, tgt), model.backward, (3, 2, 5), rng)
    assert np.abs(model.grads["encoder.weight_hh_l0"]).sum() > 0
    decoded = model.greedy_decode(src, bos_id=0, max_len=7, eos_id=1)
    assert decoded.shape == (7, 2)


def test_head_width_mismatch_is_reported():
    rnn = rb.GRU(3, 4, bidirectional=True)
    with pytest.raises(
        ValueError, match=r"head: expected in_features = hidden_size \* num_directions = 8"
    ):
        ManyToOne(rnn, Linear(4, 2))


def test_model_params_are_the_layers_arrays():
    model = CharLM(4, 3, seed=0)
    model.params["rnn.weight_hh_l0"][0, 0] = 123.0
    assert model.rnn.params["weight_hh_l0"][0, 0] == 123.0
    assert model.num_parameters() == model.rnn.num_parameters() + 3 * 4 + 4
