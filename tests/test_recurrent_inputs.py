"""Bad input gets a clear error before any arithmetic; same seed, same bits."""

import numpy as np
import pytest

import rnn_book as rb


@pytest.fixture(params=[rb.RNN, rb.LSTM, rb.GRU], ids=["rnn", "lstm", "gru"])
def layer(request):
    return request.param(3, 4, num_layers=2, bidirectional=True, seed=0)


def test_wrong_rank(layer):
    with pytest.raises(ValueError, match=r"x: expected a 3-D array .*got shape \(5,\)"):
        layer.forward(np.zeros(5))
    with pytest.raises(ValueError, match=r"x: .*got shape \(1, 2, 3, 3\)"):
        layer.forward(np.zeros((1, 2, 3, 3)))


def test_wrong_feature_size(layer):
    with pytest.raises(
        ValueError, match=r"x: expected last axis D = input_size = 3.*got shape \(5, 2, 7\)"
    ):
        layer.forward(np.zeros((5, 2, 7)))


def test_batch_mismatch_between_x_and_h0(layer):
    h0 = np.zeros((4, 5, 4))
    arg = (h0, h0) if isinstance(layer, rb.LSTM) else h0
    with pytest.raises(ValueError, match=r"h0: expected batch size B = 2 .*got shape \(4, 5, 4\)"):
        layer.forward(np.zeros((6, 2, 3)), arg)


def test_wrong_state_layers(layer):
    h0 = np.zeros((2, 2, 4))  # forgot the reverse direction
    arg = (h0, h0) if isinstance(layer, rb.LSTM) else h0
    with pytest.raises(ValueError, match=r"h0: expected shape \(4, 2, 4\).*got \(2, 2, 4\)"):
        layer.forward(np.zeros((6, 2, 3)), arg)


def test_lstm_state_must_be_pair():
    lstm = rb.LSTM(3, 4)
    with pytest.raises(TypeError, match=r"h0: expected None or a tuple \(h0, c0\)"):
        lstm.forward(np.zeros((2, 1, 3)), np.zeros((1, 1, 4)))


def test_empty_sequence(layer):
    with pytest.raises(
        ValueError, match=r"x: expected at least one time step \(T >= 1\), got shape \(0, 2, 3\)"
    ):
        layer.forward(np.zeros((0, 2, 3)))


def test_empty_batch(layer):
    with pytest.raises(ValueError, match=r"x: expected a batch of at least one sequence"):
        layer.forward(np.zeros((4, 0, 3)))


@pytest.mark.parametrize(
    "bad",
    [
        np.array([["a", "b", "c"]]),
        np.zeros((2, 1, 3), dtype=bool),
        np.zeros((2, 1, 3), dtype=complex),
        np.array([[[None] * 3]]),
    ],
)
def test_non_numeric_dtype(layer, bad):
    with pytest.raises(TypeError, match=r"x: expected a real numeric array, got dtype"):
        layer.forward(bad)


def test_nan_input(layer):
    x = np.zeros((3, 2, 3))
    x[1, 0, 2] = np.nan
    with pytest.raises(ValueError, match=r"x: expected finite values"):
        layer.forward(x)


def test_integer_input_is_converted():
    layer = rb.RNN(3, 2, seed=0)
    out_int, _ = layer.forward(np.ones((2, 1, 3), dtype=np.int64))
    out_float, _ = layer.forward(np.ones((2, 1, 3)))
    assert np.array_equal(out_int, out_float)


def test_backward_checks(layer):
    with pytest.raises(RuntimeError, match="forward before backward"):
        layer.backward(np.zeros((5, 2, 8)))
    layer.forward(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match=r"dout: expected shape \(5, 2, 8\).*got \(5, 2, 4\)"):
        layer.backward(np.zeros((5, 2, 4)))


@pytest.mark.parametrize(
    "kwargs,exc,msg",
    [
        ({"input_size": 0}, ValueError, "input_size: expected a positive int, got 0"),
        ({"hidden_size": 2.5}, TypeError, "hidden_size: expected a positive int"),
        ({"num_layers": True}, TypeError, "num_layers: expected a positive int"),
        ({"bidirectional": "yes"}, TypeError, "bidirectional: expected a bool"),
        ({"dtype": np.int32}, TypeError, "dtype: expected np.float32 or np.float64"),
        ({"nonlinearity": "sigmoid"}, ValueError, "nonlinearity: expected 'tanh' or 'relu'"),
    ],
)
def test_bad_constructor_arguments(kwargs, exc, msg):
    args = {"input_size": 3, "hidden_size": 4, **kwargs}
    with pytest.raises(exc, match=msg.replace("(", r"\(").replace(")", r"\)")):
        rb.RNN(**args)


def test_replaced_parameter_with_wrong_shape_is_caught():
    layer = rb.RNN(3, 4)
    layer.params["weight_hh_l0"] = np.zeros((4, 5))
    with pytest.raises(
        ValueError, match=r"params\['weight_hh_l0'\]: expected shape \(4, 4\), got \(4, 5\)"
    ):
        layer.forward(np.zeros((2, 1, 3)))


@pytest.mark.parametrize("cls", [rb.RNN, rb.LSTM, rb.GRU])
def test_same_seed_is_bit_identical(cls):
    x = np.random.default_rng(0).normal(size=(7, 3, 2))
    a, b = cls(2, 5, num_layers=2, seed=42), cls(2, 5, num_layers=2, seed=42)
    for name in a.params:
        assert np.array_equal(a.params[name], b.params[name])
    out_a, _ = a.forward(x)
    out_b, _ = b.forward(x)
    assert out_a.tobytes() == out_b.tobytes()
    g = np.ones_like(out_a)
    assert a.backward(g)[0].tobytes() == b.backward(g)[0].tobytes()
    assert not np.array_equal(cls(2, 5, seed=1).params["weight_hh_l0"], a.params["weight_hh_l0"])


def test_parameters_do_not_grow_with_T():
    layer = rb.RNN(3, 4, seed=0)
    n = layer.num_parameters()
    assert n == 4 * 3 + 4 * 4 + 4 + 4
    for T in (1, 10, 100):
        layer.forward(np.zeros((T, 1, 3)))
        assert layer.num_parameters() == n


def test_shapes_follow_torch_conventions():
    lstm = rb.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True, seed=0)
    out, (h_n, c_n) = lstm.forward(np.zeros((5, 7, 3)))  # (B, T, D)
    assert out.shape == (5, 7, 8)
    assert h_n.shape == c_n.shape == (4, 5, 4)
    assert lstm.params["weight_ih_l1_reverse"].shape == (16, 8)
