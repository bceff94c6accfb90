"""Property-based tests (hypothesis) of the public API contract, GUIDE.md section 3.

Sizes, layouts and dtypes are drawn; the numbers inside the arrays come from a drawn NumPy
seed (fast, and enough: these tests are about shapes and errors, parity and gradients are
checked elsewhere). The profile "rnn_book" of conftest.py derandomizes hypothesis, so every
run, here and on CI, draws the same examples.

Error contract: bad input raises ValueError or TypeError, before any arithmetic, whose message
starts with the argument's name ("x: ...", "h0: ...") and shows what was received (the shape,
or the dtype / values when those are what is wrong). A message that does not start with the
name is taken to be a bare NumPy error.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("hypothesis")

from _recurrent_cases import KINDS, make_layer
from hypothesis import given
from hypothesis import strategies as st

import rnn_book as rb

DTYPES = (np.float32, np.float64)


# ---------------------------------------------------------------- strategies
@st.composite
def configs(draw, max_layers=3):
    """A small recurrent layer's settings and input sizes."""
    return {
        "kind": draw(st.sampled_from(sorted(KINDS))),
        "T": draw(st.integers(1, 5)),
        "B": draw(st.integers(1, 3)),
        "D": draw(st.integers(1, 4)),
        "H": draw(st.integers(1, 4)),
        "num_layers": draw(st.integers(1, max_layers)),
        "bidirectional": draw(st.booleans()),
        "batch_first": draw(st.booleans()),
        "bias": draw(st.booleans()),
        "dtype": draw(st.sampled_from(DTYPES)),
        "seed": draw(st.integers(0, 2**16)),
    }


def build(cfg):
    layer = make_layer(
        cfg["kind"],
        cfg["D"],
        cfg["H"],
        seed=cfg["seed"],
        num_layers=cfg["num_layers"],
        bidirectional=cfg["bidirectional"],
        batch_first=cfg["batch_first"],
        bias=cfg["bias"],
        dtype=cfg["dtype"],
    )
    return layer, np.random.default_rng(cfg["seed"])


def x_shape(cfg, T=None, B=None, D=None):
    T, B, D = (cfg["T"] if T is None else T), (cfg["B"] if B is None else B), D or cfg["D"]
    return (B, T, D) if cfg["batch_first"] else (T, B, D)


def dirs(cfg):
    return 2 if cfg["bidirectional"] else 1


def state_shape(cfg, B=None):
    return (cfg["num_layers"] * dirs(cfg), cfg["B"] if B is None else B, cfg["H"])


def is_lstm(cfg):
    return cfg["kind"] == "lstm"


def states(cfg, rng, shape):
    """An initial state of ``shape`` in the layer's form: h0, or (h0, c0) for the LSTM."""
    if is_lstm(cfg):
        return (rng.normal(size=shape), rng.normal(size=shape))
    return rng.normal(size=shape)


def state_list(state):
    return list(state) if isinstance(state, tuple) else [state]


def assert_error(exc_info, exc_types, name, *received):
    """The error is ours: the right type, the message starts with ``name:`` and shows every
    item of ``received`` (a shape tuple is looked for as printed, e.g. "(2, 0, 3)")."""
    err = exc_info.value
    msg = str(err)
    assert isinstance(err, exc_types), f"{type(err).__name__}: {msg}"
    assert msg.startswith(f"{name}: "), f"message does not name {name!r}: {msg}"
    for item in received:
        assert str(item) in msg, f"message does not show the received {item}: {msg}"


# ---------------------------------------------------------------- shapes (GUIDE section 3)
@given(configs(), st.booleans(), st.booleans())
def test_forward_backward_shapes(cfg, with_h0, with_dh_n):
    layer, rng = build(cfg)
    x = rng.normal(size=x_shape(cfg))
    h0 = states(cfg, rng, state_shape(cfg)) if with_h0 else None
    out, state_n = layer.forward(x, h0)

    out_shape = x_shape(cfg, D=dirs(cfg) * cfg["H"])  # (T, B, dirs*H) or (B, T, dirs*H)
    assert out.shape == out_shape and out.dtype == cfg["dtype"]
    assert isinstance(state_n, tuple) == is_lstm(cfg)
    for s in state_list(state_n):
        assert s.shape == state_shape(cfg) and s.dtype == cfg["dtype"]
    assert np.isfinite(out).all()
    # h_n[layer*dirs + direction]: the top layer's forward final state is out at t = T-1
    top = (cfg["num_layers"] - 1) * dirs(cfg)
    last = out[:, -1] if cfg["batch_first"] else out[-1]
    np.testing.assert_array_equal(state_list(state_n)[0][top], last[:, : cfg["H"]])

    dout = rng.normal(size=out.shape)
    dh_n = states(cfg, rng, state_shape(cfg)) if with_dh_n else None
    dx, dstate0 = layer.backward(dout, dh_n)
    assert dx.shape == x.shape and dx.dtype == cfg["dtype"]
    assert isinstance(dstate0, tuple) == is_lstm(cfg)
    for s in state_list(dstate0):
        assert s.shape == state_shape(cfg) and s.dtype == cfg["dtype"]
    assert set(layer.grads) == set(layer.params)
    for name, g in layer.grads.items():
        assert g.shape == layer.params[name].shape and g.dtype == cfg["dtype"], name


@given(configs(), st.booleans())
def test_unbatched_input_equals_a_batch_of_one(cfg, with_h0):
    layer, rng = build(cfg)
    L, H = cfg["num_layers"] * dirs(cfg), cfg["H"]
    x = rng.normal(size=(cfg["T"], cfg["D"]))
    h0 = states(cfg, rng, (L, H)) if with_h0 else None
    out, state_n = layer.forward(x, h0)
    assert out.shape == (cfg["T"], dirs(cfg) * H)
    for s in state_list(state_n):
        assert s.shape == (L, H)
    dout = rng.normal(size=out.shape)
    dx, dstate0 = layer.backward(dout)
    assert dx.shape == x.shape
    for s in state_list(dstate0):
        assert s.shape == (L, H)

    # the same sequence as a batch of one, in the layer's layout
    axis = 0 if cfg["batch_first"] else 1
    xb = np.expand_dims(x, axis)
    h0b = None
    if with_h0:
        h0b = tuple(s[:, None] for s in h0) if is_lstm(cfg) else h0[:, None]
    out_b, state_b = layer.forward(xb, h0b)
    dx_b, dstate0_b = layer.backward(np.expand_dims(dout, axis))
    tol = {"rtol": 1e-5, "atol": 1e-6} if cfg["dtype"] == np.float32 else {"rtol": 1e-12}
    np.testing.assert_allclose(out, np.take(out_b, 0, axis), **tol)
    np.testing.assert_allclose(dx, np.take(dx_b, 0, axis), **tol)
    for a, b in zip(state_list(state_n), state_list(state_b), strict=True):
        np.testing.assert_allclose(a, b[:, 0], **tol)
    for a, b in zip(state_list(dstate0), state_list(dstate0_b), strict=True):
        np.testing.assert_allclose(a, b[:, 0], **tol)


# ---------------------------------------------------------------- bad input
@given(configs(max_layers=2), st.sampled_from([1, 4]))
def test_wrong_rank(cfg, ndim):
    layer, _ = build(cfg)
    shape = (cfg["D"],) if ndim == 1 else (1, cfg["T"], cfg["B"], cfg["D"])
    with pytest.raises((ValueError, TypeError)) as info:
        layer.forward(np.zeros(shape))
    assert_error(info, ValueError, "x", shape)


@given(configs(max_layers=2), st.integers(1, 6), st.booleans())
def test_wrong_feature_size(cfg, D_bad, unbatched):
    if D_bad == cfg["D"]:
        D_bad += 1
    layer, _ = build(cfg)
    shape = (cfg["T"], D_bad) if unbatched else x_shape(cfg, D=D_bad)
    with pytest.raises((ValueError, TypeError)) as info:
        layer.forward(np.zeros(shape))
    assert_error(info, ValueError, "x", shape, cfg["D"])


@given(configs(max_layers=2), st.integers(1, 4), st.booleans())
def test_h0_batch_mismatch(cfg, B_bad, bad_c0):
    if B_bad == cfg["B"]:
        B_bad += 1
    layer, rng = build(cfg)
    good, bad = state_shape(cfg), state_shape(cfg, B=B_bad)
    if is_lstm(cfg):
        name = "c0" if bad_c0 else "h0"
        h0 = (np.zeros(good), np.zeros(bad)) if bad_c0 else (np.zeros(bad), np.zeros(good))
    else:
        name, h0 = "h0", np.zeros(bad)
    with pytest.raises((ValueError, TypeError)) as info:
        layer.forward(rng.normal(size=x_shape(cfg)), h0)
    assert_error(info, ValueError, name, bad, cfg["B"])


@given(configs(max_layers=2), st.sampled_from(["x", "h0"]), st.data())
def test_nan_or_inf(cfg, where, data):
    layer, rng = build(cfg)
    x = rng.normal(size=x_shape(cfg))
    h0 = states(cfg, rng, state_shape(cfg))
    target = x if where == "x" else state_list(h0)[0]
    pos = tuple(data.draw(st.integers(0, n - 1)) for n in target.shape)
    target[pos] = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    with pytest.raises((ValueError, TypeError)) as info:
        layer.forward(x, h0)
    assert_error(info, ValueError, where, target.shape)


@given(configs(max_layers=2), st.sampled_from(["bool", "complex", "str", "object"]))
def test_non_numeric_dtype(cfg, kind):
    layer, _ = build(cfg)
    shape = x_shape(cfg)
    x = {
        "bool": lambda: np.zeros(shape, dtype=bool),
        "complex": lambda: np.zeros(shape, dtype=complex),
        "str": lambda: np.full(shape, "a"),
        "object": lambda: np.full(shape, None, dtype=object),
    }[kind]()
    with pytest.raises((ValueError, TypeError)) as info:
        layer.forward(x)
    assert_error(info, TypeError, "x", x.dtype)


@given(configs(max_layers=2), st.sampled_from(["T", "B"]))
def test_empty_sequence_or_batch_time_major(cfg, axis):
    cfg = {**cfg, "batch_first": False}
    layer, _ = build(cfg)
    shape = x_shape(cfg, **{axis: 0})
    with pytest.raises((ValueError, TypeError)) as info:
        layer.forward(np.zeros(shape))
    assert_error(info, ValueError, "x", shape)


@pytest.mark.parametrize(
    "batch_first,shape",
    [(True, (2, 0, 3)), (True, (0, 4, 3)), (False, (0, 3))],
    ids=["batch_first-T0", "batch_first-B0", "unbatched-T0"],
)
def test_empty_input_message_shows_the_received_shape(batch_first, shape):
    layer = rb.GRU(3, 2, batch_first=batch_first, seed=0)
    with pytest.raises((ValueError, TypeError)) as info:
        layer.forward(np.zeros(shape))
    assert_error(info, ValueError, "x", shape)


# ---------------------------------------------------------------- Linear, Embedding, losses
@given(
    st.integers(1, 5),
    st.integers(1, 5),
    st.lists(st.integers(1, 3), max_size=3),
    st.booleans(),
    st.sampled_from(DTYPES),
    st.integers(0, 2**16),
)
def test_linear_shapes_and_bad_last_axis(H, C, lead, bias, dtype, seed):
    lin = rb.Linear(H, C, bias=bias, dtype=dtype, seed=seed)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(*lead, H))
    y = lin.forward(x)
    assert y.shape == (*lead, C) and y.dtype == dtype
    dx = lin.backward(rng.normal(size=y.shape))
    assert dx.shape == x.shape
    for name, g in lin.grads.items():
        assert g.shape == lin.params[name].shape
    bad = (*lead, H + 1)
    with pytest.raises((ValueError, TypeError)) as info:
        lin.forward(np.zeros(bad))
    assert_error(info, ValueError, "x", bad, H)
    with pytest.raises((ValueError, TypeError)) as info:
        lin.backward(np.zeros((*lead, C + 1)))
    assert_error(info, ValueError, "dy", (*lead, C + 1))


@given(
    st.integers(1, 6),
    st.integers(1, 4),
    st.lists(st.integers(1, 3), min_size=1, max_size=3),
    st.integers(0, 2**16),
    st.data(),
)
def test_embedding_ids_out_of_range(N, E, shape, seed, data):
    emb = rb.Embedding(N, E, seed=seed)
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, N, size=shape)
    out = emb.forward(ids)
    assert out.shape == (*shape, E)
    bad_id = data.draw(st.one_of(st.integers(-5, -1), st.integers(N, N + 5)))
    pos = tuple(data.draw(st.integers(0, n - 1)) for n in shape)
    ids[pos] = bad_id
    with pytest.raises((ValueError, TypeError)) as info:
        emb.forward(ids)
    assert_error(info, ValueError, "idx", bad_id, N)
    with pytest.raises((ValueError, TypeError)) as info:
        emb.forward(ids.astype(float))
    assert_error(info, TypeError, "idx", "float64")


@st.composite
def mismatched_shapes(draw, min_dims=1):
    """Two different shapes of 1 to 3 axes of 1 to 3 entries (the first with >= min_dims)."""
    a = tuple(draw(st.lists(st.integers(1, 3), min_size=min_dims, max_size=3)))
    b = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=3)))
    if a == b:
        b = (*b, 2)
    return a, b


@given(mismatched_shapes(), st.integers(2, 4), st.integers(0, 2**16))
def test_cross_entropy_mismatched_targets(shapes, C, seed):
    lead, other = shapes
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(*lead, C))
    loss, dlogits = rb.cross_entropy(logits, rng.integers(0, C, size=lead))
    assert np.isfinite(loss) and dlogits.shape == logits.shape
    with pytest.raises((ValueError, TypeError)) as info:
        rb.cross_entropy(logits, rng.integers(0, C, size=other))
    assert_error(info, ValueError, "targets", other, lead)


@given(mismatched_shapes(), st.integers(0, 2**16))
def test_mse_loss_mismatched_target(shapes, seed):
    shape, other = shapes
    rng = np.random.default_rng(seed)
    pred = rng.normal(size=shape)
    loss, dpred = rb.mse_loss(pred, rng.normal(size=shape))
    assert np.isfinite(loss) and dpred.shape == pred.shape
    with pytest.raises((ValueError, TypeError)) as info:
        rb.mse_loss(pred, rng.normal(size=other))
    assert_error(info, ValueError, "target", other, shape)


def test_assert_error_rejects_a_bare_numpy_error():
    """The helper itself: a NumPy broadcasting error does not pass for one of ours."""
    with pytest.raises(ValueError) as info:
        np.zeros((2, 3)) + np.zeros((4, 5))
    with pytest.raises(AssertionError, match=re.escape("does not name 'x'")):
        assert_error(info, ValueError, "x", (4, 5))
