"""Conv1d and TCN: gradient checks, PyTorch parity, bad input, no aliasing, streaming."""

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.conv import TCN, Conv1d

CASES = [  # (K, d, C_in, C_out, causal)
    (1, 1, 3, 2, True),
    (2, 1, 3, 4, True),
    (3, 2, 2, 3, True),
    (2, 4, 3, 3, True),
    (3, 1, 2, 4, False),
    (2, 3, 3, 2, False),  # odd total padding: 1 left, 2 right
    (4, 2, 1, 2, False),
]


def _loss_and_grad(y, rng):
    g = rng.standard_normal(y.shape)
    return float(np.sum(g * y)), g


@pytest.mark.parametrize("K,d,c_in,c_out,causal", CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv1d_gradcheck(K, d, c_in, c_out, causal, bias):
    rng = np.random.default_rng(K * 100 + d * 10 + c_in)
    conv = Conv1d(c_in, c_out, K, d, causal=causal, bias=bias, seed=1)
    x = rng.standard_normal((7, 2, c_in))
    g = rng.standard_normal((7, 2, c_out))

    def f():
        return float(np.sum(g * conv.forward(x)))

    conv.forward(x)
    dx = conv.backward(g)
    arrays = {"x": x, **conv.params}
    analytic = {"x": dx, **{k: v.copy() for k, v in conv.grads.items()}}
    errors = rb.gradcheck(f, arrays, analytic)
    assert max(errors.values()) <= 1e-7, errors


@pytest.mark.parametrize("K,c_in,channels,layers", [(2, 3, 4, 3), (3, 4, 4, 2), (2, 1, 3, 4)])
def test_tcn_gradcheck(K, c_in, channels, layers):
    rng = np.random.default_rng(K + layers)
    tcn = TCN(c_in, channels, 2, kernel_size=K, num_layers=layers, seed=3)
    for p in tcn.params.values():  # nonzero biases everywhere
        p += 0.1 * rng.standard_normal(p.shape)
    x = rng.standard_normal((9, 2, c_in))
    g = rng.standard_normal((9, 2, 2))

    def f():
        return float(np.sum(g * tcn.forward(x)))

    tcn.zero_grad()
    tcn.forward(x)
    dx = tcn.backward(g)
    arrays = {"x": x, **dict(tcn.params)}
    analytic = {"x": dx, **{k: v.copy() for k, v in tcn.grads.items()}}
    errors = rb.gradcheck(f, arrays, analytic)
    assert max(errors.values()) <= 1e-7, errors


@pytest.mark.parametrize("K,d,c_in,c_out,causal", CASES)
def test_conv1d_torch_parity(torch, K, d, c_in, c_out, causal):
    import torch.nn.functional as F

    rng = np.random.default_rng(7)
    conv = Conv1d(c_in, c_out, K, d, causal=causal, seed=2)
    ref = torch.nn.Conv1d(c_in, c_out, K, dilation=d, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(conv.params["weight"]))
        ref.bias.copy_(torch.from_numpy(conv.params["bias"]))
    x = rng.standard_normal((11, 3, c_in))
    g = rng.standard_normal((11, 3, c_out))
    xt = torch.tensor(x.transpose(1, 2, 0), requires_grad=True)  # (B, C, T)
    yt = ref(F.pad(xt, conv.padding))  # zeros on the left (and right when not causal)
    yt.backward(torch.from_numpy(g.transpose(1, 2, 0)))
    y = conv.forward(x)
    dx = conv.backward(g)
    assert np.abs(y - yt.detach().numpy().transpose(2, 0, 1)).max() <= 1e-10
    assert np.abs(dx - xt.grad.numpy().transpose(2, 0, 1)).max() <= 1e-10
    assert np.abs(conv.grads["weight"] - ref.weight.grad.numpy()).max() <= 1e-10
    assert np.abs(conv.grads["bias"] - ref.bias.grad.numpy()).max() <= 1e-10


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_torch_same_padding_agrees(torch):
    """Non-causal padding is PyTorch's padding="same" (dilation 1, odd and even K)."""
    rng = np.random.default_rng(0)
    for K in (2, 3, 4):
        conv = Conv1d(2, 3, K, causal=False, seed=K)
        ref = torch.nn.Conv1d(2, 3, K, padding="same", dtype=torch.float64)
        with torch.no_grad():
            ref.weight.copy_(torch.from_numpy(conv.params["weight"]))
            ref.bias.copy_(torch.from_numpy(conv.params["bias"]))
        x = rng.standard_normal((6, 2, 2))
        yt = ref(torch.from_numpy(x.transpose(1, 2, 0))).detach().numpy().transpose(2, 0, 1)
        assert np.abs(conv.forward(x) - yt).max() <= 1e-10


def test_causal_output_ignores_the_future():
    rng = np.random.default_rng(1)
    conv = Conv1d(2, 2, 3, 2, seed=0)
    x = rng.standard_normal((10, 1, 2))
    y = conv.forward(x)
    x2 = x.copy()
    x2[6:] += 1.0
    assert np.array_equal(conv.forward(x2)[:6], y[:6])


def test_tcn_receptive_field_is_exact():
    tcn = TCN(1, 3, 1, kernel_size=3, num_layers=3, seed=0)
    R = tcn.receptive_field
    assert R == 1 + 2 * (1 + 2 + 4)
    for name, p in tcn.params.items():
        if name.endswith("bias"):
            p[...] = 5.0  # every ReLU on: the one path from the oldest input stays open
    T = R + 5
    x = np.zeros((T, 1, 1))
    tcn.zero_grad()
    tcn.forward(x)
    g = np.zeros((T, 1, 1))
    g[-1] = 1.0
    dx = tcn.backward(g)[:, 0, 0]
    assert np.all(dx[: T - R] == 0.0)  # older than R steps: no influence at all
    assert dx[T - R] != 0.0  # the oldest step inside the field does matter


@pytest.mark.parametrize("c_in,channels", [(2, 4), (4, 4)])
def test_tcn_step_equals_forward(c_in, channels):
    rng = np.random.default_rng(2)
    tcn = TCN(c_in, channels, 3, kernel_size=2, num_layers=4, seed=5)
    x = rng.standard_normal((20, 3, c_in))
    full = tcn.forward(x)
    state = tcn.initial_state(3)
    steps = []
    for t in range(20):
        y, state = tcn.step(x[t], state)
        steps.append(y)
    assert np.abs(np.stack(steps) - full).max() <= 1e-12


def test_conv_step_equals_forward():
    rng = np.random.default_rng(3)
    conv = Conv1d(2, 3, 3, 2, seed=0)
    x = rng.standard_normal((8, 2, 2))
    full = conv.forward(x)
    buf = None
    for t in range(8):
        y, buf = conv.step(x[t], buf)
        assert np.abs(y - full[t]).max() <= 1e-12


def test_step_does_not_touch_pending_backward():
    rng = np.random.default_rng(4)
    tcn = TCN(2, 3, 1, num_layers=2, seed=0)
    x = rng.standard_normal((6, 2, 2))
    g = rng.standard_normal((6, 2, 1))
    tcn.forward(x)
    dx1 = tcn.backward(g)
    tcn.zero_grad()
    tcn.forward(x)
    tcn.step(rng.standard_normal((2, 2)))
    with rb.no_grad():
        tcn.forward(rng.standard_normal((4, 2, 2)))
    assert np.array_equal(tcn.backward(g), dx1)


def test_no_aliasing():
    rng = np.random.default_rng(5)
    conv = Conv1d(2, 2, 2, seed=0)
    x = rng.standard_normal((5, 2, 2))
    g = rng.standard_normal((5, 2, 2))
    conv.forward(x)
    dx = conv.backward(g)
    conv.zero_grad()
    x_before = x.copy()
    y = conv.forward(x)
    x += 100.0  # the caller changes its input after forward ...
    y += 100.0  # ... and the output it was given
    conv.zero_grad()
    assert np.array_equal(conv.backward(g), dx)
    conv.zero_grad()
    conv.forward(x_before)
    out = conv.backward(g)
    out += 1.0
    assert np.array_equal(conv.backward(g), dx)
    assert not np.shares_memory(conv.forward(x_before), x_before)


def test_bad_input_is_refused():
    conv = Conv1d(3, 2, 2)
    with pytest.raises(ValueError, match=r"3-D time-major array \(T, B, C\)"):
        conv.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="C = 3 channels"):
        conv.forward(np.zeros((5, 2, 4)))
    with pytest.raises(ValueError, match="T >= 1"):
        conv.forward(np.zeros((0, 2, 3)))
    with pytest.raises(TypeError, match="real numeric array"):
        conv.forward(np.zeros((5, 2, 3), dtype=complex))
    with pytest.raises(TypeError, match="real numeric array"):
        conv.forward(np.array([[["a", "b", "c"]]]))
    with pytest.raises(ValueError, match="finite"):
        conv.forward(np.full((5, 2, 3), np.nan))
    with pytest.raises(RuntimeError, match="forward before backward"):
        Conv1d(3, 2, 2).backward(np.zeros((5, 2, 2)))
    conv.forward(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match=r"dy: expected shape \(5, 2, 2\)"):
        conv.backward(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match="kernel_size"):
        Conv1d(3, 2, 0)
    with pytest.raises(TypeError, match="dilation"):
        Conv1d(3, 2, 2, dilation=1.5)
    with pytest.raises(TypeError, match="causal"):
        Conv1d(3, 2, 2, causal="yes")
    with pytest.raises(TypeError, match="dtype"):
        Conv1d(3, 2, 2, dtype=np.int32)
    conv.params["weight"] = np.zeros((2, 3, 3))
    with pytest.raises(ValueError, match="params\\['weight'\\]"):
        conv.forward(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match="causal=True"):
        Conv1d(3, 2, 2, causal=False).step(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="buffer"):
        Conv1d(3, 2, 3).step(np.zeros((2, 3)), np.zeros((1, 2, 3)))
    tcn = TCN(2, 3, 1, num_layers=2)
    with pytest.raises(ValueError, match="C = 2 channels"):
        tcn.forward(np.zeros((4, 1, 3)))
    with pytest.raises(ValueError, match=r"x_t: expected shape \(B, 2\)"):
        tcn.step(np.zeros((4, 1, 2)))
    with pytest.raises(ValueError, match="dilations"):
        TCN(2, 3, 1, num_layers=2, dilations=[1, 2, 4])


def test_float32_and_exports():
    conv = rb.Conv1d(2, 3, 2, dtype=np.float32, seed=0)
    y = conv.forward(np.ones((4, 1, 2)))  # float64 input converted to the layer's dtype
    assert y.dtype == np.float32
    assert rb.TCN is TCN
    tcn = TCN(2, 4, 1, kernel_size=3, num_layers=3)
    assert tcn.receptive_field == 15
    assert tcn.num_parameters() == sum(p.size for p in tcn.params.values())


def test_same_seed_same_numbers():
    a = TCN(2, 3, 1, seed=11)
    b = TCN(2, 3, 1, seed=11)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)


def test_stored_results_rerun_one_cell():
    """One cell of book/results/rnn_or_cnn.json (scripts/run_rnn_or_cnn_sweep.py) reproduces:
    the adding problem at T = 16, TCN with receptive field 32, seed 0."""
    import json
    from pathlib import Path

    from rnn_book.chapters import rnn_or_cnn as ch

    stored = json.loads(
        (Path(__file__).resolve().parents[1] / "book" / "results" / "rnn_or_cnn.json").read_text(
            encoding="utf-8"
        )
    )
    assert sorted(stored) == ["adding", "motif", "seconds", "seeds", "sentiment"]
    sweep = stored["adding"]
    assert sweep["lengths"] == list(ch.SWEEP_LENGTHS) and sweep["epochs"] == ch.SWEEP_EPOCHS
    assert {k: tuple(v) for k, v in sweep["models"].items()} == ch.SWEEP_MODELS
    live = ch.run_adding({"TCN-32": ch.SWEEP_MODELS["TCN-32"]}, [0], 16, epochs=sweep["epochs"])
    stored_mse = sweep["results"]["16"]["TCN-32"]["mse"][0]
    # measured here: equal; the tolerance leaves room for another BLAS build
    assert abs(live["TCN-32"]["mse"][0] - stored_mse) < 0.1 * stored_mse + 1e-4
    assert stored["motif"]["models"] == {k: list(v) for k, v in ch.motif_models().items()}


def test_last_step_model_gradcheck_and_no_grad():
    from rnn_book.chapters.rnn_or_cnn import make_model

    rng = np.random.default_rng(8)
    model = make_model("tcn:2", "many_to_one", 3, 2, 4, seed=1)
    x = rng.standard_normal((6, 2, 3))
    g = rng.standard_normal((2, 2))

    def f():
        return float(np.sum(g * model.forward(x)))

    model.zero_grad()
    model.forward(x)
    with rb.no_grad():
        model.forward(rng.standard_normal((9, 2, 3)))  # must not disturb the pending backward
    model.backward(g)
    analytic = {k: v.copy() for k, v in model.grads.items()}
    errors = rb.gradcheck(f, dict(model.params), analytic)
    assert max(errors.values()) <= 1e-7, errors
