"""Tests of the history page's models and experiments: IndRNN BPTT, Hopfield dynamics, ESN readout,
the gradient-norm tool, Jordan vs Elman, the history compressor (rnn_book.chapters.history_models)."""

import numpy as np
import pytest

import rnn_book as rb
from rnn_book import esn, gradient_flow, hopfield
from rnn_book.chapters import history_models as history
from rnn_book.indrnn import IndRNN


# ------------------------------------------------------------------ IndRNN
@pytest.mark.parametrize("nonlinearity", ["relu", "tanh"])
def test_indrnn_gradcheck(nonlinearity):
    rng = np.random.default_rng(3)
    net = IndRNN(3, 4, nonlinearity=nonlinearity, seed=1, w_low=-1.2, w_high=1.2)
    net.params["b"][:] = rng.normal(size=4)
    x = rng.normal(size=(6, 2, 3))
    h0 = rng.normal(size=(1, 2, 4))
    g, g_n = rng.normal(size=(6, 2, 4)), rng.normal(size=(1, 2, 4))

    def loss():
        out, h_n = net.forward(x, h0)
        return np.sum(out * g) + np.sum(h_n * g_n)

    net.zero_grad()
    net.forward(x, h0)
    dx, dh0 = net.backward(g, g_n)
    analytic = {"x": dx, "h0": dh0, **{k: v.copy() for k, v in net.grads.items()}}
    errors = rb.gradcheck(loss, {"x": x, "h0": h0, **net.params}, analytic)
    assert max(errors.values()) < 1e-7, errors


def test_indrnn_matches_loop_and_accumulates():
    rng = np.random.default_rng(0)
    net = IndRNN(2, 3, seed=0)
    net.params["b"][:] = rng.normal(size=3)
    x = rng.normal(size=(5, 4, 2))
    out, h_n = net.forward(x)
    h = np.zeros((4, 3))
    p = net.params
    for t in range(5):
        h = np.maximum(x[t] @ p["U"].T + p["w"] * h + p["b"], 0.0)
        np.testing.assert_allclose(out[t], h, atol=1e-14)
    np.testing.assert_array_equal(h_n[0], out[-1])
    dout = rng.normal(size=out.shape)
    net.backward(dout)
    first = net.grads["w"].copy()
    net.forward(x)
    net.backward(dout)
    np.testing.assert_allclose(net.grads["w"], 2 * first)


def test_indrnn_bad_input():
    net = IndRNN(3, 4)
    with pytest.raises(ValueError, match=r"x: expected shape \(T, B, 3\)"):
        net.forward(np.zeros((5, 2, 4)))
    with pytest.raises(ValueError, match="h0"):
        net.forward(np.zeros((5, 2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="nonlinearity"):
        IndRNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(RuntimeError):
        IndRNN(3, 4).backward(np.zeros((5, 2, 4)))


# ------------------------------------------------------------------ Hopfield
def test_hopfield_weights_symmetric_zero_diagonal():
    W = hopfield.hebbian_weights(rb.data.letter_patterns("HTX"))
    np.testing.assert_array_equal(W, W.T)
    np.testing.assert_array_equal(np.diag(W), 0.0)


def test_hopfield_energy_never_increases_and_recalls_letters():
    xi = rb.data.letter_patterns("HTX")
    W = hopfield.hebbian_weights(xi)
    rng = np.random.default_rng(0)
    probes = hopfield.corrupt(xi, 0.2, rng)
    assert (probes != xi).any()
    s, _, energies = hopfield.recall(W, probes, rng, record_energy=True)
    assert np.all(np.diff(energies, axis=0) <= 1e-12)
    np.testing.assert_array_equal(s, xi)
    # a stored pattern is a fixed point: one sweep, nothing changes
    s1, sweeps1 = hopfield.recall(W, xi[0], rng)
    np.testing.assert_array_equal(s1, xi[0])
    assert sweeps1 == 1


def test_hopfield_energy_random_weights():
    # the descent property needs only symmetry and a zero diagonal, not Hebbian weights
    rng = np.random.default_rng(1)
    A = rng.normal(size=(30, 30))
    W = A + A.T
    np.fill_diagonal(W, 0.0)
    s0 = rng.choice([-1.0, 1.0], size=(5, 30))
    _, _, e = hopfield.recall(W, s0, rng, record_energy=True)
    assert np.all(np.diff(e, axis=0) <= 1e-9)


def test_hopfield_capacity_drops_with_load():
    c = history.capacity_curve(60, [0.05, 0.4], seeds=(0, 1))
    assert c[0].mean() > 0.9 and c[1].mean() < 0.3


def test_hopfield_bad_input():
    with pytest.raises(ValueError, match="letters"):
        rb.data.letter_patterns("Q")
    with pytest.raises(ValueError, match=r"\{-1, \+1\}"):
        hopfield.hebbian_weights(np.array([[0.0, 1.0]]))
    W = hopfield.hebbian_weights(rb.data.letter_patterns("HT"))
    with pytest.raises(ValueError, match=r"s0: expected shape \(49,\)"):
        hopfield.recall(W, np.ones(10), np.random.default_rng(0))


# ------------------------------------------------------------------ ESN
def test_ridge_readout_is_closed_form():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(50, 6)), rng.normal(size=(50, 2))
    V = esn.ridge_readout(X, Y, ridge=0.3)
    Xa = np.hstack([np.ones((50, 1)), X])
    R = 0.3 * np.eye(7)
    R[0, 0] = 0.0
    np.testing.assert_allclose(V, (np.linalg.inv(Xa.T @ Xa + R) @ Xa.T @ Y).T, atol=1e-10)
    # zero ridge: ordinary least squares
    V0 = esn.ridge_readout(X, Y, ridge=0.0)
    np.testing.assert_allclose(V0.T, np.linalg.lstsq(Xa, Y, rcond=None)[0], atol=1e-10)


def test_esn_beats_persistence_held_out():
    u = rb.data.mackey_glass(900)
    u = u - u.mean()
    net = esn.EchoStateNetwork(1, 100, spectral_radius=0.9, seed=0)
    np.testing.assert_allclose(gradient_flow.spectral_radius(net.W), 0.9)
    hs = net.states(u)
    h = 10
    X, Y = hs[:-h], u[h:]
    net.fit(X[50:600], Y[50:600])
    err = esn.nrmse(net.predict(X[600:])[:, 0], Y[600:])
    persistence = esn.nrmse(u[:-h][600:], Y[600:])
    assert err < 0.2 * persistence


def test_esn_bad_input():
    net = esn.EchoStateNetwork(2, 10, seed=0)
    with pytest.raises(ValueError, match=r"u: expected shape \(T, 2\)"):
        net.states(np.zeros(5))
    with pytest.raises(RuntimeError):
        net.predict(np.zeros((3, 10)))
    with pytest.raises(ValueError, match="Y"):
        esn.ridge_readout(np.zeros((5, 2)), np.zeros((4, 1)), 1.0)


# ------------------------------------------------------------------ gradient norms
def test_gradient_norms_match_finite_differences():
    rng = np.random.default_rng(0)
    layer = rb.RNN(2, 3, seed=0)
    x = rng.normal(size=(4, 2, 2))
    h0 = rng.normal(size=(1, 2, 3))
    g = rng.normal(size=(2, 3))
    norms = gradient_flow.gradient_norms_over_distance(layer, x, h0, g=g)
    # states h_0..h_T by a plain forward, then dL/dh_t by central differences of the remainder
    states = [h0] + [layer.forward(x[:t], h0)[1] for t in range(1, 5)]
    for t in range(5):
        start = states[t].copy()

        def f(start=start, t=t):
            h_T = layer.forward(x[t:], start)[1] if t < 4 else start
            return np.sum(h_T[0] * g)

        num = rb.numerical_gradient(f, start)
        expected = np.linalg.norm(num[0], axis=1).mean()
        assert norms[4 - t] == pytest.approx(expected, rel=1e-7)


def test_gradient_norms_vanish_below_one_and_grads_restored():
    rng = np.random.default_rng(1)
    layer = rb.RNN(1, 16, seed=0)
    gradient_flow.scale_spectral_radius(layer.params["weight_hh_l0"], 0.5)
    layer.grads["weight_hh_l0"][:] = 7.0
    norms = gradient_flow.gradient_norms_over_distance(layer, rng.normal(size=(30, 4, 1)))
    assert norms.shape == (31,)
    assert norms[0] == pytest.approx(1.0)
    assert norms[30] < 1e-6
    np.testing.assert_array_equal(layer.grads["weight_hh_l0"], 7.0)


def test_gradient_norms_lstm_and_indrnn_run():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(6, 2, 2))
    for layer in (rb.LSTM(2, 3, seed=0), IndRNN(2, 3, seed=0)):
        norms = gradient_flow.gradient_norms_over_distance(layer, x)
        assert norms.shape == (7,) and np.all(np.isfinite(norms))


def test_gradient_norms_bad_input():
    with pytest.raises(ValueError, match="x: expected shape"):
        gradient_flow.gradient_norms_over_distance(rb.RNN(2, 3), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="unidirectional"):
        gradient_flow.gradient_norms_over_distance(
            rb.RNN(2, 3, bidirectional=True), np.zeros((4, 1, 2))
        )
    with pytest.raises(ValueError, match="g: expected shape"):
        gradient_flow.gradient_norms_over_distance(rb.RNN(2, 3), np.zeros((4, 1, 2)), g=np.ones(3))


# ------------------------------------------------------------------ tasks, compressor
def test_echo_and_latch_targets():
    rng = np.random.default_rng(0)
    x, y, mask = rb.data.echo(3, 6, rng, delay=2)
    np.testing.assert_array_equal(y[2:], x[:-2, :, 0])
    assert not mask[:2].any() and mask[2:].all()
    x, y, _ = rb.data.latch(4, 30, rng)
    sym = x.argmax(-1)
    for t in range(30):
        sets = np.flatnonzero(sym[: t + 1, 0] == 0)
        resets = np.flatnonzero(sym[: t + 1, 0] == 1)
        last_set = sets[-1] if sets.size else -1
        last_reset = resets[-1] if resets.size else -1
        assert y[t, 0] == int(last_set > last_reset)
    with pytest.raises(ValueError, match="delay"):
        rb.data.echo(2, 3, rng, delay=3)


def test_compressor_round_trip():
    rng = np.random.default_rng(0)
    model = history.train_predictor(rb.data.history_stream.make_stream(300, rng), steps=60)
    ids = rb.data.history_stream.make_stream(40, np.random.default_rng(1))
    times, symbols = history.compress(model, ids)
    assert times[0] == 0
    np.testing.assert_array_equal(history.decompress(model, times, symbols, ids.size), ids)


def test_indrnn_learns_delayed_recall():
    assert history.train_recall("indrnn", T=30, seed=0, steps=200) > 0.95
    with pytest.raises(ValueError, match="kind"):
        history.train_recall("lstm")


def test_word_starts_parses_the_stream():
    rng = np.random.default_rng(2)
    words = [rb.data.history_stream.WORDS[i] for i in rng.integers(0, 5, size=30)]
    ids = np.array(
        [history.ALPHABET.index(c) for c in "".join(words)], dtype=np.int64
    )  # the same stream make_stream would write for these words
    starts = history.word_starts(ids)
    np.testing.assert_array_equal(
        np.flatnonzero(starts), np.cumsum([0] + [len(w) for w in words[:-1]])
    )
    assert history.word_starts(history.make_stream(50, rng)).sum() == 50
    cut = np.array([history.ALPHABET.index(c) for c in "cafebe"])  # "be" is not a whole word
    with pytest.raises(ValueError, match="position 4"):
        history.word_starts(cut)


def test_esn_forecast_nrmse_matches_the_explicit_fit():
    u = rb.data.mackey_glass(700)
    u = u - u.mean()
    kw = {"reservoir_size": 50, "horizon": 5, "n_train": 500, "washout": 50}
    one = history.esn_forecast_nrmse(u, 0.9, seed=1, **kw)
    net = esn.EchoStateNetwork(1, 50, spectral_radius=0.9, seed=1)
    states = net.states(u)[:-5]
    net.fit(states[50:500], u[55:505])
    assert one == pytest.approx(esn.nrmse(net.predict(states[500:])[:, 0], u[505:]))
    several = history.esn_forecast_nrmse(u, 0.9, seed=1, ridge=[1e-6, 1.0], **kw)
    assert several[0] == pytest.approx(one) and several[1] > several[0]
    with pytest.raises(ValueError, match="n_train"):
        history.esn_forecast_nrmse(u[:100], 0.9, **kw)


def test_train_adding_and_jordan_context_decay():
    for kind in ("indrnn", "rnn"):
        out = history.train_adding(kind, T=10, steps=5, seed=0)
        assert len(out["losses"]) == 5 and np.isfinite(out["mse"])
        assert out["baseline"] == pytest.approx(1 / 6, abs=0.03)
    with pytest.raises(ValueError, match="kind"):
        history.train_adding("lstm")
    run = history.train_labeler("jordan", "echo", steps=3, context_decay=0.5, delay=1)
    assert run["model"].context_decay == 0.5
    with pytest.raises(ValueError, match="context_decay"):
        history.train_labeler("elman", "echo", steps=3, context_decay=0.5, delay=1)
