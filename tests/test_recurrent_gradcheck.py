"""Central-difference gradient checks of BPTT for RNN, LSTM and GRU through the public API."""

import numpy as np
import pytest
from _recurrent_cases import KINDS, make_layer, random_states, randomize_biases

import rnn_book as rb

TOL = 1e-7


def _check(kind, num_layers, bidirectional, batch_first, bias, T=4, B=2, D=3, H=3, seed=0):
    rng = np.random.default_rng(seed)
    layer = make_layer(
        kind,
        D,
        H,
        seed=seed,
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        bias=bias,
    )
    if bias:
        randomize_biases(layer, rng)
    x = rng.normal(size=(B, T, D) if batch_first else (T, B, D))
    state0 = random_states(layer, B, rng)
    out, state_n = layer.forward(x, state0)
    g_out = rng.normal(size=out.shape)
    is_lstm = isinstance(layer, rb.LSTM)
    g_state = (
        tuple(rng.normal(size=s.shape) for s in state_n)
        if is_lstm
        else rng.normal(size=state_n.shape)
    )

    def loss():
        o, s = layer.forward(x, state0)
        total = np.sum(o * g_out)
        if is_lstm:
            return total + np.sum(s[0] * g_state[0]) + np.sum(s[1] * g_state[1])
        return total + np.sum(s * g_state)

    layer.zero_grad()
    layer.forward(x, state0)
    dx, dstate0 = layer.backward(g_out, g_state)
    arrays = {"x": x, **layer.params}
    analytic = {"x": dx, **{k: v.copy() for k, v in layer.grads.items()}}
    if is_lstm:
        arrays.update(h0=state0[0], c0=state0[1])
        analytic.update(h0=dstate0[0], c0=dstate0[1])
    else:
        arrays["h0"] = state0
        analytic["h0"] = dstate0
    errors = rb.gradcheck(loss, arrays, analytic, h=1e-5)
    bad = {k: e for k, e in errors.items() if not e < TOL}
    assert not bad, f"{kind}: relative errors above {TOL}: {bad}"


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_gradcheck_layers(kind, num_layers, bidirectional):
    _check(kind, num_layers, bidirectional, batch_first=False, bias=True)


@pytest.mark.parametrize("kind", list(KINDS))
def test_gradcheck_batch_first_no_bias(kind):
    _check(kind, 2, True, batch_first=True, bias=False, seed=1)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn_tanh"])
def test_gradcheck_long_sequence(kind):
    _check(kind, 1, False, batch_first=False, bias=True, T=12, B=1, D=2, H=2, seed=2)


def test_gradcheck_unbatched():
    rng = np.random.default_rng(3)
    layer = rb.GRU(2, 3, num_layers=2, bidirectional=True, seed=3)
    randomize_biases(layer, rng)
    x = rng.normal(size=(5, 2))
    h0 = random_states(layer, 1, rng, unbatched=True)
    out, h_n = layer.forward(x, h0)
    assert out.shape == (5, 6) and h_n.shape == (4, 3)
    g, gh = rng.normal(size=out.shape), rng.normal(size=h_n.shape)

    def loss():
        o, h = layer.forward(x, h0)
        return np.sum(o * g) + np.sum(h * gh)

    layer.forward(x, h0)
    dx, dh0 = layer.backward(g, gh)
    errors = rb.gradcheck(loss, {"x": x, "h0": h0}, {"x": dx, "h0": dh0})
    assert max(errors.values()) < TOL, errors


def test_broken_lstm_fails_gradcheck():
    """Dropping the cell-state path (a real teaching-code bug) must be caught by the check."""
    from rnn_book.chapters.lstm import BrokenLSTM
    from rnn_book.lstm import lstm_backward, lstm_forward

    rng = np.random.default_rng(4)
    T, B, D, H = 6, 2, 3, 3
    x = rng.normal(size=(T, B, D))
    h0, c0 = rng.normal(size=(B, H)), rng.normal(size=(B, H))
    w_ih, w_hh = rng.normal(size=(4 * H, D)), rng.normal(size=(4 * H, H))
    b_ih, b_hh = rng.normal(size=4 * H), rng.normal(size=4 * H)
    g = rng.normal(size=(T, B, H))

    def loss():
        hs, _, _ = lstm_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh)
        return np.sum(hs * g)

    zeros = np.zeros((B, H))
    num = rb.numerical_gradient(loss, w_hh)
    _, _, cache = lstm_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh)
    good = lstm_backward(g, zeros, zeros, cache)[3][1]
    broken = BrokenLSTM(D, H)._sequence_backward(g, (zeros, zeros), cache)[2][1]
    assert rb.relative_error(good, num) < TOL
    assert rb.relative_error(broken, num) > 1e-3


def test_gradients_accumulate_and_zero_grad():
    rng = np.random.default_rng(5)
    layer = rb.LSTM(3, 4, seed=5)
    x = rng.normal(size=(4, 2, 3))
    out, _ = layer.forward(x)
    g = rng.normal(size=out.shape)
    layer.backward(g)
    once = {k: v.copy() for k, v in layer.grads.items()}
    layer.forward(x)
    layer.backward(g)
    for k, first in once.items():
        np.testing.assert_allclose(layer.grads[k], 2 * first, rtol=1e-12, atol=1e-14)
    layer.zero_grad()
    assert all(not v.any() for v in layer.grads.values())
