"""Scaled dot-product self-attention and MultiHeadSelfAttention: gradient check, PyTorch parity,
masks, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.self_attention import (
    MultiHeadSelfAttention,
    causal_mask,
    scaled_dot_product_attention,
    scaled_dot_product_attention_backward,
)


def _layer(E=6, h=2, causal=False, bias=True, seed=0):
    layer = MultiHeadSelfAttention(E, h, causal=causal, bias=bias, seed=seed)
    r = np.random.default_rng(seed + 10)
    for p in layer.params.values():  # nonzero biases, weights not too small
        p[...] = r.normal(scale=0.5, size=p.shape)
    return layer


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("heads", [1, 3])
def test_multihead_gradcheck(causal, bias, heads):
    layer = _layer(E=6, h=heads, causal=causal, bias=bias)
    r = np.random.default_rng(1)
    x = r.normal(size=(5, 2, 6))
    g = r.normal(size=(5, 2, 6))
    layer.zero_grad()
    layer.forward(x)
    dx = layer.backward(g)

    def loss():
        return float(np.sum(layer.forward(x) * g))

    errors = rb.gradcheck(loss, layer.params, {k: v.copy() for k, v in layer.grads.items()})
    assert max(errors.values()) < 1e-7, errors
    num = rb.numerical_gradient(loss, x)
    assert rb.relative_error(dx, num) < 1e-7


def test_sdpa_backward_gradcheck_with_mask():
    r = np.random.default_rng(2)
    q, k, v = r.normal(size=(2, 4, 3)), r.normal(size=(2, 5, 3)), r.normal(size=(2, 5, 2))
    mask = r.random((4, 5)) < 0.7
    mask[:, 0] = True
    g = r.normal(size=(2, 4, 2))
    _, w = scaled_dot_product_attention(q, k, v, mask)
    assert np.all(w[..., ~mask] == 0.0)
    np.testing.assert_allclose(w.sum(-1), 1.0)
    dq, dk, dv = scaled_dot_product_attention_backward(g, q, k, v, w)
    for a, da in [(q, dq), (k, dk), (v, dv)]:
        num = rb.numerical_gradient(
            lambda: float(np.sum(scaled_dot_product_attention(q, k, v, mask)[0] * g)), a
        )
        assert rb.relative_error(da, num) < 1e-7


def test_sdpa_matches_torch(torch):
    F = torch.nn.functional
    r = np.random.default_rng(3)
    q, k, v = r.normal(size=(2, 3, 4, 5)), r.normal(size=(2, 3, 6, 5)), r.normal(size=(2, 3, 6, 2))
    mask = r.random((4, 6)) < 0.6
    mask[:, 2] = True
    g = r.normal(size=(2, 3, 4, 2))
    out, w = scaled_dot_product_attention(q, k, v, mask)
    dq, dk, dv = scaled_dot_product_attention_backward(g, q, k, v, w)
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    tout = F.scaled_dot_product_attention(tq, tk, tv, attn_mask=torch.tensor(mask))
    tout.backward(torch.tensor(g))
    assert np.abs(out - tout.detach().numpy()).max() < 1e-10
    for mine, t in [(dq, tq), (dk, tk), (dv, tv)]:
        assert np.abs(mine - t.grad.numpy()).max() < 1e-10


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_multihead_matches_torch(torch, causal, bias):
    E, h, T, B = 8, 2, 5, 3
    layer = _layer(E, h, causal=causal, bias=bias, seed=4)
    mha = torch.nn.MultiheadAttention(E, h, bias=bias, dtype=torch.float64)
    with torch.no_grad():
        for name, p in mha.named_parameters():
            p.copy_(torch.tensor(layer.params[name]))
    r = np.random.default_rng(5)
    x = r.normal(size=(T, B, E))
    g = r.normal(size=(T, B, E))
    layer.zero_grad()
    out = layer.forward(x)
    dx = layer.backward(g)
    tx = torch.tensor(x, requires_grad=True)
    # torch's bool attn_mask is True where attention is NOT allowed
    tmask = torch.tensor(~causal_mask(T)) if causal else None
    tout, tw = mha(tx, tx, tx, attn_mask=tmask, need_weights=True, average_attn_weights=False)
    tout.backward(torch.tensor(g))
    assert np.abs(out - tout.detach().numpy()).max() < 1e-10
    assert np.abs(layer.attention - tw.detach().numpy()).max() < 1e-10
    assert np.abs(dx - tx.grad.numpy()).max() < 1e-10
    for name, p in mha.named_parameters():
        assert np.abs(layer.grads[name] - p.grad.numpy()).max() < 1e-10, name


def test_causal_layer_does_not_look_ahead():
    layer = _layer(E=4, h=2, causal=True)
    x = np.random.default_rng(6).normal(size=(6, 1, 4))
    y1 = layer.forward(x)
    x2 = x.copy()
    x2[4:] += 1.0  # change the future
    y2 = layer.forward(x2)
    np.testing.assert_array_equal(y1[:4], y2[:4])
    assert np.all(np.triu(layer.attention[0, 0], 1) == 0.0)


def test_permuting_positions_permutes_outputs():
    layer = _layer(E=4, h=2)
    x = np.random.default_rng(7).normal(size=(5, 2, 4))
    perm = np.array([3, 0, 4, 1, 2])
    np.testing.assert_allclose(layer.forward(x)[perm], layer.forward(x[perm]), atol=1e-12)


def test_outputs_do_not_alias_the_cache():
    layer = _layer()
    x = np.random.default_rng(8).normal(size=(3, 1, 6))
    layer.forward(x)
    x[...] = 0.0  # the caller's array: backward must not see this
    g = np.ones((3, 1, 6))
    dx1 = layer.backward(g)
    layer.zero_grad()
    assert not np.allclose(dx1, 0.0)
    with pytest.raises(ValueError):
        layer.attention[0, 0, 0, 0] = 1.0


@pytest.mark.parametrize(
    "make, exc, match",
    [
        (lambda: MultiHeadSelfAttention(6, 4), ValueError, "divisible"),
        (lambda: MultiHeadSelfAttention(0, 1), ValueError, "embed_dim"),
        (
            lambda: MultiHeadSelfAttention(4, 1).forward(np.zeros((3, 4))),
            ValueError,
            r"\(T, B, E\)",
        ),
        (
            lambda: MultiHeadSelfAttention(4, 1).forward(np.zeros((3, 1, 5))),
            ValueError,
            "embed_dim",
        ),
        (
            lambda: MultiHeadSelfAttention(4, 1).backward(np.zeros((3, 1, 4))),
            RuntimeError,
            "forward",
        ),
        (lambda: causal_mask(0), ValueError, "T"),
        (
            lambda: scaled_dot_product_attention(
                np.zeros((2, 3)), np.zeros((4, 2)), np.zeros((4, 1))
            ),
            ValueError,
            "q, k, v",
        ),
        (
            lambda: scaled_dot_product_attention(
                np.zeros((2, 3)), np.zeros((4, 3)), np.zeros((4, 1)), np.ones((2, 4))
            ),
            ValueError,
            "bool",
        ),
        (
            lambda: scaled_dot_product_attention(
                np.zeros((2, 3)), np.zeros((4, 3)), np.zeros((4, 1)), np.zeros((2, 4), bool)
            ),
            ValueError,
            "at least one key",
        ),
    ],
)
def test_bad_input(make, exc, match):
    with pytest.raises(exc, match=match):
        make()
