"""PyTorch parity of RNN, LSTM and GRU: outputs, final states and every gradient, to 1e-10."""

import itertools

import numpy as np
import pytest
from _recurrent_cases import KINDS, case_seed, make_layer, random_states, randomize_biases

import rnn_book as rb

torch = pytest.importorskip("torch")

GRID = list(itertools.product(KINDS, [1, 2, 3], [False, True], [False, True], [False, True]))


def _t(a, requires_grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad)


@pytest.mark.parametrize("kind,num_layers,bidirectional,batch_first,bias", GRID)
def test_parity_float64(kind, num_layers, bidirectional, batch_first, bias):
    T, B, D, H = 5, 3, 4, 3
    # the same numbers in every process: a failing case reruns identically
    rng = np.random.default_rng(case_seed(kind, num_layers, bidirectional, batch_first, bias))
    layer = make_layer(
        kind,
        D,
        H,
        seed=int(rng.integers(1 << 30)),
        num_layers=num_layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        bias=bias,
    )
    if bias:
        randomize_biases(layer, rng)
    module = rb.to_torch(layer)
    is_lstm = isinstance(layer, rb.LSTM)
    x = rng.normal(size=(B, T, D) if batch_first else (T, B, D))
    state0 = random_states(layer, B, rng)

    out, state_n = layer.forward(x, state0)
    tx = _t(x, True)
    if is_lstm:
        th0, tc0 = _t(state0[0], True), _t(state0[1], True)
        tout, (thn, tcn) = module(tx, (th0, tc0))
        pairs = [(state_n[0], thn), (state_n[1], tcn)]
    else:
        th0 = _t(state0, True)
        tout, thn = module(tx, th0)
        pairs = [(state_n, thn)]
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=0, atol=1e-10)
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=0, atol=1e-10)

    g_out = rng.normal(size=out.shape)
    g_states = [rng.normal(size=ours.shape) for ours, _ in pairs]
    total = (tout * _t(g_out)).sum() + sum((t * _t(g)).sum() for (_, t), g in zip(pairs, g_states))
    total.backward()
    dx, dstate0 = layer.backward(g_out, tuple(g_states) if is_lstm else g_states[0])
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=0, atol=1e-10)
    if is_lstm:
        np.testing.assert_allclose(dstate0[0], th0.grad.numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(dstate0[1], tc0.grad.numpy(), rtol=0, atol=1e-10)
    else:
        np.testing.assert_allclose(dstate0, th0.grad.numpy(), rtol=0, atol=1e-10)
    names = dict(module.named_parameters())
    assert set(names) == set(layer.grads)
    for name, p in names.items():
        assert layer.params[name].shape == tuple(p.shape)
        np.testing.assert_allclose(
            layer.grads[name], p.grad.numpy(), rtol=0, atol=1e-10, err_msg=name
        )


@pytest.mark.parametrize("kind", list(KINDS))
def test_parity_float32(kind):
    rng = np.random.default_rng(7)
    layer = make_layer(kind, 4, 5, seed=7, num_layers=2, bidirectional=True, dtype=np.float32)
    module = rb.to_torch(layer)
    assert next(module.parameters()).dtype == torch.float32
    x = rng.normal(size=(6, 2, 4)).astype(np.float32)
    out, _ = layer.forward(x)
    assert out.dtype == np.float32
    tx = torch.tensor(x, requires_grad=True)
    tout, _ = module(tx)
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-5, atol=1e-5)
    g = rng.normal(size=out.shape).astype(np.float32)
    (tout * torch.tensor(g)).sum().backward()
    dx, _ = layer.backward(g)
    assert dx.dtype == np.float32
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    for name, p in module.named_parameters():
        assert layer.grads[name].dtype == np.float32
        np.testing.assert_allclose(layer.grads[name], p.grad.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "module_factory",
    [
        lambda: torch.nn.RNN(3, 4, num_layers=2, nonlinearity="relu", batch_first=True),
        lambda: torch.nn.LSTM(3, 4, bidirectional=True, bias=False),
        lambda: torch.nn.GRU(3, 4, num_layers=3, dtype=torch.float64),
    ],
)
def test_from_torch_round_trip_is_exact(module_factory):
    module = module_factory()
    layer = rb.from_torch(module)
    assert layer.num_layers == module.num_layers
    assert layer.batch_first == module.batch_first
    assert layer.bidirectional == module.bidirectional
    back = rb.to_torch(layer)
    for (n1, p1), (n2, p2) in zip(module.state_dict().items(), back.state_dict().items()):
        assert n1 == n2
        assert torch.equal(p1, p2)
        assert np.array_equal(layer.params[n1], p1.numpy())


def test_from_torch_rejects_unsupported():
    with pytest.raises(TypeError, match="module"):
        rb.from_torch(torch.nn.Linear(3, 4))
    with pytest.raises(ValueError, match="dropout"):
        rb.from_torch(torch.nn.LSTM(3, 4, num_layers=2, dropout=0.5))
    with pytest.raises(ValueError, match="proj_size"):
        rb.from_torch(torch.nn.LSTM(3, 4, proj_size=2))
    with pytest.raises(TypeError, match="layer"):
        rb.to_torch(object())
