"""Regression tests for silent wrong answers: each test failed on commit 6e85e93.

1. the caller's arrays (x, h0, and what forward returned) are not the layer's cache;
2. inference (sampling, decoding) between forward and backward changes no gradient; no_grad;
3. ``model.params[name] = array`` writes through to the part;
4. optimiser state belongs to the parameter array;
5. ``one_hot`` rejects out-of-range and non-integer ids;
6. ``functional.sigmoid`` is accurate in relative terms in float32 and float64;
7. a parameter of the wrong dtype is a TypeError in every layer;
8. seeds are split by ``seeding.child_seeds`` only.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import rnn_book as rb
from rnn_book import attention, models
from rnn_book.attention import AttentionSeq2Seq
from rnn_book.functional import sigmoid
from rnn_book.indrnn import IndRNN
from rnn_book.seeding import child_seeds

CELLS = {"rnn": rb.RNN, "lstm": rb.LSTM, "gru": rb.GRU}
CONFIGS = [
    {},
    {"num_layers": 2},
    {"bidirectional": True},
    {"num_layers": 2, "bidirectional": True, "batch_first": True},
    {"batch_first": True},
]


def _grads(module) -> dict:
    return {k: v.copy() for k, v in module.grads.items()}


def _assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k, v in a.items():
        np.testing.assert_array_equal(v, b[k], err_msg=k)


def _flat(state) -> list:
    return list(state) if isinstance(state, tuple) else [state]


# ------------------------------------------------------------------ 1. ownership
def _layer_run(cell, config, mutate, unbatched=False):
    """forward, optionally overwrite the caller's arrays, backward -> (dx, dh0s, grads)."""
    rng = np.random.default_rng(0)
    layer = CELLS[cell](3, 4, seed=1, **config)
    T, B = 5, 2
    dirs_layers = layer.num_layers * layer.num_directions
    if unbatched:
        x = rng.normal(size=(T, 3))
        h_shape = (dirs_layers, 4)
    else:
        x = rng.normal(size=(B, T, 3) if layer.batch_first else (T, B, 3))
        h_shape = (dirs_layers, B, 4)
    h0 = [rng.normal(size=h_shape) for _ in layer.state_names]
    h0_arg = h0[0] if cell != "lstm" else tuple(h0)
    out, h_n = layer.forward(x, h0_arg)
    g = rng.normal(size=out.shape)
    dh_n = rng.normal(size=h_shape)
    dh_n_arg = dh_n if cell != "lstm" else (dh_n, dh_n)
    if mutate:
        for a in [out, x, *h0, *_flat(h_n)]:
            a *= 0.5
    dx, dh0 = layer.backward(g, dh_n_arg)
    return dx, _flat(dh0), _grads(layer)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(c) or "plain")
def test_overwriting_x_h0_out_h_n_after_forward_changes_no_gradient(cell, config):
    dx, dh0, grads = _layer_run(cell, config, mutate=False)
    dx2, dh02, grads2 = _layer_run(cell, config, mutate=True)
    np.testing.assert_array_equal(dx, dx2)
    for a, b in zip(dh0, dh02, strict=True):
        np.testing.assert_array_equal(a, b)
    _assert_same(grads, grads2)


@pytest.mark.parametrize("cell", CELLS)
def test_overwriting_unbatched_arrays_changes_no_gradient(cell):
    dx, dh0, grads = _layer_run(cell, {}, mutate=False, unbatched=True)
    dx2, dh02, grads2 = _layer_run(cell, {}, mutate=True, unbatched=True)
    np.testing.assert_array_equal(dx, dx2)
    for a, b in zip(dh0, dh02, strict=True):
        np.testing.assert_array_equal(a, b)
    _assert_same(grads, grads2)


def test_linear_and_embedding_keep_their_own_inputs():
    rng = np.random.default_rng(1)
    lin = rb.Linear(3, 2, seed=0)
    x, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    lin.forward(x)
    dx = lin.backward(g)
    ref = _grads(lin)
    lin.zero_grad()
    lin.forward(x)
    x *= 2.0
    np.testing.assert_array_equal(lin.backward(g), dx)
    _assert_same(_grads(lin), ref)

    emb = rb.Embedding(5, 2, seed=0)
    idx, de = np.array([[1, 2], [3, 1]]), rng.normal(size=(2, 2, 2))
    emb.forward(idx)
    emb.backward(de)
    ref = _grads(emb)
    emb.zero_grad()
    emb.forward(idx)
    idx[...] = 0
    emb.backward(de)
    _assert_same(_grads(emb), ref)


@pytest.mark.parametrize("activation", ["identity", "sigmoid"])
def test_jordan_keeps_its_own_copies(activation):
    def run(mutate):
        rng = np.random.default_rng(2)
        net = rb.JordanRNN(3, 4, 2, output_activation=activation, seed=0)
        x, y0 = rng.normal(size=(5, 2, 3)), rng.normal(size=(2, 2))
        z, y_T = net.forward(x, y0)
        g = rng.normal(size=z.shape)
        if mutate:
            for a in (z, y_T, x, y0):
                a *= 0.5
            with pytest.raises(ValueError, match="read-only"):
                net.y[...] = 0.0
        dx, dy0 = net.backward(g)
        return dx, dy0, _grads(net)

    dx, dy0, grads = run(False)
    dx2, dy02, grads2 = run(True)
    np.testing.assert_array_equal(dx, dx2)
    np.testing.assert_array_equal(dy0, dy02)
    _assert_same(grads, grads2)


def test_indrnn_keeps_its_own_copies():
    def run(mutate):
        rng = np.random.default_rng(3)
        layer = IndRNN(3, 4, seed=0)
        x, h0 = rng.normal(size=(5, 2, 3)), rng.normal(size=(1, 2, 4))
        out, h_n = layer.forward(x, h0)
        g = rng.normal(size=out.shape)
        if mutate:
            for a in (out, h_n, x, h0):
                a *= 0.5
        dx, dh0 = layer.backward(g)
        return dx, dh0, _grads(layer)

    dx, dh0, grads = run(False)
    dx2, dh02, grads2 = run(True)
    np.testing.assert_array_equal(dx, dx2)
    np.testing.assert_array_equal(dh0, dh02)
    _assert_same(grads, grads2)


def test_attention_weights_shown_to_the_caller_are_not_the_cache():
    def run(mutate):
        rng = np.random.default_rng(4)
        model = AttentionSeq2Seq(6, 5, 4, embedding_dim=3, seed=0)
        src, tgt = rng.integers(0, 6, size=(4, 2)), rng.integers(0, 5, size=(3, 2))
        logits = model.forward(src, tgt)
        g = rng.normal(size=logits.shape)
        if mutate:
            try:
                model.attention[...] = 0.0
            except ValueError:  # read-only: refusing is as good as ignoring
                pass
            logits *= 0.5
        model.backward(g)
        return _grads(model)

    _assert_same(run(False), run(True))


# ------------------------------------------------------------------ 2. inference vs backward
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("T,B", [(1, 1), (5, 3)])
def test_sampling_between_forward_and_backward_changes_no_gradient(cell, T, B):
    rng = np.random.default_rng(5)
    ids = rng.integers(0, 6, size=(T, B))
    g = rng.normal(size=(T, B, 6))

    def run(sample):
        model = rb.CharLM(6, 4, cell=cell, embedding_dim=3, seed=0)
        model.forward(ids)
        if sample:
            model.sample([1, 2], 4, rng=0)
            model.probabilities(np.array([[3]]))
        model.backward(g)
        return _grads(model)

    _assert_same(run(False), run(True))


@pytest.mark.parametrize("cls", [rb.Seq2Seq, AttentionSeq2Seq])
def test_greedy_decoding_between_forward_and_backward_changes_no_gradient(cls):
    rng = np.random.default_rng(6)
    src, tgt = rng.integers(0, 6, size=(4, 2)), rng.integers(0, 5, size=(3, 2))
    g = rng.normal(size=(3, 2, 5))

    def run(decode):
        model = cls(6, 5, 4, embedding_dim=3, seed=0)
        model.forward(src, tgt)
        if decode:
            model.greedy_decode(src[:, :1], bos_id=0, max_len=2)
        model.backward(g)
        return _grads(model)

    _assert_same(run(False), run(True))


def _no_grad_cases():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(4, 2, 3))
    ids = rng.integers(0, 5, size=(4, 2))
    return [
        ("rnn", rb.RNN(3, 4), (x,), (np.zeros((4, 2, 4)),)),
        ("lstm", rb.LSTM(3, 4), (x,), (np.zeros((4, 2, 4)),)),
        ("gru", rb.GRU(3, 4, bidirectional=True), (x,), (np.zeros((4, 2, 8)),)),
        ("linear", rb.Linear(3, 2), (x,), (np.zeros((4, 2, 2)),)),
        ("embedding", rb.Embedding(5, 3), (ids,), (np.zeros((4, 2, 3)),)),
        ("jordan", rb.JordanRNN(3, 4, 2), (x,), (np.zeros((4, 2, 2)),)),
        ("indrnn", IndRNN(3, 4), (x,), (np.zeros((4, 2, 4)),)),
        ("many_to_one", rb.ManyToOne(rb.GRU(3, 4), rb.Linear(4, 2)), (x,), (np.zeros((2, 2)),)),
        ("seq2seq", rb.Seq2Seq(5, 5, 4, embedding_dim=3), (ids, ids), (np.zeros((4, 2, 5)),)),
        (
            "attention",
            AttentionSeq2Seq(5, 5, 4, embedding_dim=3),
            (ids, ids),
            (np.zeros((4, 2, 5)),),
        ),
    ]


@pytest.mark.parametrize("case", _no_grad_cases(), ids=lambda c: c[0])
def test_backward_after_only_no_grad_forwards_raises(case):
    _, module, inputs, grads = case
    with rb.no_grad():
        first = module.forward(*inputs)
    second = module.forward(*inputs)  # the same numbers with and without no_grad
    for a, b in zip(_flat(first), _flat(second), strict=True):
        np.testing.assert_array_equal(np.asarray(_flat(a)[0]), np.asarray(_flat(b)[0]))
    fresh = type(module).__new__(type(module))
    fresh.__dict__.update(module.__dict__)
    for attr in ("_cache", "_x", "_idx", "_enc_out_shape"):
        if attr in fresh.__dict__:
            fresh.__dict__[attr] = None
    for part in getattr(fresh, "parts", dict)().values():
        for attr in ("_cache", "_x", "_idx"):
            if attr in part.__dict__:
                part.__dict__[attr] = None
    with rb.no_grad():
        fresh.forward(*inputs)
    with pytest.raises(RuntimeError, match=r"forward must run outside rb\.no_grad\(\) first"):
        fresh.backward(*grads)


def test_no_grad_nests_and_works_as_a_decorator():
    layer = rb.RNN(2, 3)
    x = np.ones((2, 1, 2))

    @rb.no_grad()
    def probe():
        return layer.forward(x)

    with rb.no_grad():
        with rb.no_grad():
            layer.forward(x)
        layer.forward(x)
    probe()
    with pytest.raises(RuntimeError, match="no_grad"):
        layer.backward(np.zeros((2, 1, 3)))
    layer.forward(x)  # grad is on again outside
    layer.backward(np.zeros((2, 1, 3)))


# ------------------------------------------------------------------ 3. model.params writes through
def test_assigning_a_model_parameter_replaces_the_parts_array():
    model = rb.CharLM(5, 4, seed=0)
    new = np.zeros((5, 4))
    model.params["head.weight"] = new
    assert model.head.params["weight"] is new
    assert model.params["head.weight"] is new
    logits, _ = model.forward(np.array([[1, 2]]))
    np.testing.assert_array_equal(logits, np.broadcast_to(model.head.params["bias"], logits.shape))
    with pytest.raises(KeyError, match=r"head\.wieght.*expected one of.*'head\.weight'"):
        model.params["head.wieght"] = new
    model.params["head.weight"] = new.astype(np.float32)
    with pytest.raises(TypeError, match=r"params\['weight'\]: expected a numpy array of dtype"):
        model.forward(np.array([[1]]))
    model.params["head.weight"] = np.zeros((4, 5))
    with pytest.raises(ValueError, match=r"params\['weight'\]: expected shape \(5, 4\)"):
        model.forward(np.array([[1]]))


# ------------------------------------------------------------------ 4. optimiser state
def test_a_replaced_parameter_gets_fresh_optimiser_state():
    lin = rb.Linear(3, 2, seed=0)
    opt = rb.Adam([lin], lr=0.1)
    for _ in range(3):
        lin.grads["weight"][...] = 1.0
        opt.step()
    new = np.full((2, 3), 0.5)
    lin.params["weight"] = new
    lin.grads["weight"][...] = -1.0
    opt.step()
    # a new array behaves like a new torch Parameter: Adam's first step moves it by
    # lr * g / (|g| + eps) = lr; the old moments (m = +0.27, from three +1 gradients) would
    # have moved it the other way
    np.testing.assert_allclose(new, 0.5 + 0.1, rtol=1e-7)
    assert len(opt.state) == len(lin.params)  # the old array's moments were dropped


# ------------------------------------------------------------------ 5. one_hot
def test_one_hot_rejects_bad_ids():
    np.testing.assert_array_equal(rb.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(
        ValueError, match=r"ids: expected ids in \[0, 3\).*got values in \[-1, -1\]"
    ):
        rb.one_hot([-1], 3)
    with pytest.raises(ValueError, match=r"ids: expected ids in \[0, 3\).*\[3, 3\]"):
        rb.one_hot([3], 3)
    with pytest.raises(TypeError, match=r"ids: expected integer ids in \[0, 3\).*float64"):
        rb.one_hot([1.0], 3)
    with pytest.raises(TypeError, match=r"ids: expected integer ids.*bool"):
        rb.one_hot([True], 3)
    assert rb.one_hot([], 3).shape == (0, 3)


# ------------------------------------------------------------------ 6. sigmoid
def _sigmoid_reference(x: np.ndarray) -> np.ndarray:
    """exp(x) / (1 + exp(x)) for x < 0 and 1 / (1 + exp(-x)) for x >= 0, in float64."""
    x = x.astype(np.float64)
    e = np.exp(np.minimum(x, 0.0))
    return np.where(x < 0, e / (1.0 + e), 1.0 / (1.0 + np.exp(-np.maximum(x, 0.0))))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_accurate_in_relative_terms_everywhere(dtype):
    x = np.concatenate([np.linspace(-1e4, 1e4, 20001), np.linspace(-60, 60, 12001)]).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow / underflow warnings
        s = sigmoid(x)
    assert s.dtype == dtype
    ref = _sigmoid_reference(x)
    normal = ref > np.finfo(dtype).tiny  # below that the result is subnormal or 0 anyway
    rel = np.abs(s[normal] - ref[normal]) / ref[normal]
    assert rel.max() < 4 * np.finfo(dtype).eps
    # the cases the tanh form got wrong: log(sigmoid(x)) = -inf below -20 / -40
    deep = np.array([-30.0, -50.0, -80.0], dtype=dtype)
    np.testing.assert_allclose(np.log(sigmoid(deep)), deep, rtol=1e-6)
    y = x.copy()
    assert sigmoid(y, out=y) is y and np.array_equal(y, s)  # out may alias x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_fast_keeps_its_absolute_error_bound(dtype):
    """The kernels' tanh form: absolute error < 2 eps, as its docstring promises."""
    x = np.linspace(-100, 100, 200001).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = rb.functional.sigmoid_fast(x)
    assert np.abs(s - _sigmoid_reference(x)).max() < 2 * np.finfo(dtype).eps


# ------------------------------------------------------------------ 7. parameter dtype
@pytest.mark.parametrize(
    "module,name",
    [
        (rb.Linear(3, 2), "weight"),
        (rb.Linear(3, 2), "bias"),
        (rb.Embedding(4, 2), "weight"),
        (rb.RNN(3, 2), "weight_hh_l0"),
        (IndRNN(3, 2), "w"),
        (rb.JordanRNN(3, 2, 2), "V"),
    ],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_a_parameter_of_the_wrong_dtype_is_a_type_error(module, name):
    good = module.params[name]
    inputs = (
        np.zeros((2, 1), dtype=np.int64)
        if isinstance(module, rb.Embedding)
        else np.zeros((2, 1, 3))
    )
    module.params[name] = good.astype(np.float32)
    with pytest.raises(
        TypeError,
        match=rf"params\['{name}'\]: expected a numpy array of dtype float64, got ndarray of "
        "dtype float32",
    ):
        module.forward(inputs)
    module.params[name] = np.zeros(good.shape + (1,))
    with pytest.raises(ValueError, match=rf"params\['{name}'\]: expected shape"):
        module.forward(inputs)


# ------------------------------------------------------------------ 8. seeds
def test_models_split_seeds_with_seeding_child_seeds_only():
    assert not hasattr(models, "_child_seeds")
    assert not hasattr(attention, "_child_seeds")
    _, s_rnn, s_head = child_seeds(7, 3)
    model = rb.CharLM(5, 4, embedding_dim=3, seed=7)
    np.testing.assert_array_equal(
        model.rnn.params["weight_hh_l0"], rb.RNN(3, 4, seed=s_rnn).params["weight_hh_l0"]
    )
    np.testing.assert_array_equal(
        model.head.params["weight"], rb.Linear(4, 5, seed=s_head).params["weight"]
    )
