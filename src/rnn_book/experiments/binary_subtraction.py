"""4-bit binary subtraction: a - b for 0 <= b <= a <= 15, one bit per time step.

Bits enter least significant first, so the borrow flows forward in time: at step t the
network reads (bit_t(a), bit_t(b)) and must output bit_t(a - b), which depends on this
step's bits and on the borrow from step t - 1. Every dependency is one step long, which is
why the task cannot tell a correct LSTM from one whose backward pass drops the cell path:
the gradient through h_{t-1} alone suffices. Teaching code once took 100% accuracy here
as proof that its LSTM was right; this module shows the same score from ``BrokenLSTM``.
"""

from __future__ import annotations

import numpy as np

from rnn_book.experiments.common import make_cell
from rnn_book.layers import Linear

__all__ = ["BITS", "encode", "gradient_check", "split", "train"]

BITS = 4


def encode(a, b) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a, b) of ints with 0 <= b <= a < 16 -> x (4, N, 2) bits of a and b, y (4, N) bits
    of a - b, least significant bit at t = 0."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"a, b: expected two 1-D arrays of equal shape, got {a.shape}, {b.shape}")
    if np.any(b > a) or np.any(b < 0) or np.any(a >= 2**BITS):
        raise ValueError(f"a, b: expected 0 <= b <= a < {2**BITS}")
    t = np.arange(BITS)[:, None]
    x = np.stack([(a[None] >> t) & 1, (b[None] >> t) & 1], axis=-1).astype(np.float64)
    y = ((a - b)[None] >> t) & 1
    return x, y


def split(seed: int = 0, n_test: int = 40):
    """All 136 pairs 0 <= b <= a <= 15, shuffled by ``seed``: (train pairs, held-out pairs),
    each an int array (N, 2)."""
    pairs = np.array([(a, b) for a in range(2**BITS) for b in range(a + 1)])
    order = np.random.default_rng(seed).permutation(len(pairs))
    return pairs[order[n_test:]], pairs[order[:n_test]]


def train(
    cell: str = "lstm", seed: int = 0, hidden_size: int = 8, epochs: int = 300, lr: float = 0.05
) -> dict:
    """Train ``rb.ManyToMany(cell, Linear(H, 2))`` full-batch with Adam on the training pairs.

    ``cell`` is "lstm" or "broken_lstm". Returns {"train_acc", "test_acc"} (fraction of
    pairs whose 4 output bits are ALL right), "loss" (per epoch) and the trained ``model``.
    """
    from rnn_book.losses import cross_entropy
    from rnn_book.models import ManyToMany
    from rnn_book.optim import Adam

    tr, te = split(seed)
    x, y = encode(tr[:, 0], tr[:, 1])
    xt, yt = encode(te[:, 0], te[:, 1])
    s_rnn, s_head = np.random.SeedSequence(seed).generate_state(2)
    model = ManyToMany(
        make_cell(cell, 2, hidden_size, int(s_rnn)), Linear(hidden_size, 2, seed=int(s_head))
    )
    opt = Adam([model], lr=lr)
    losses = []
    for _ in range(epochs):
        model.zero_grad()
        value, dlogits = cross_entropy(model.forward(x), y)
        model.backward(dlogits)
        opt.step()
        losses.append(float(value))

    def exact(xs, ys) -> float:
        return float(np.mean(np.all(np.argmax(model.forward(xs), axis=-1) == ys, axis=0)))

    return {"train_acc": exact(x, y), "test_acc": exact(xt, yt), "loss": losses, "model": model}


def gradient_check(cell: str = "lstm", seed: int = 0, T: int = 6, hidden_size: int = 3) -> dict:
    """Central-difference check of the recurrent layer's parameter gradients.

    A random LSTM ("lstm" or "broken_lstm") reads x (T, 2, 2); the loss is sum(out * G) for a
    fixed random G. Returns name -> norm-wise relative error (``rb.gradcheck``); below ~1e-7
    means the backward pass computes the derivative of the forward pass.
    """
    from rnn_book.gradcheck import gradcheck

    rng = np.random.default_rng(seed)
    layer = make_cell(cell, 2, hidden_size, seed)
    x = rng.standard_normal((T, 2, 2))
    G = rng.standard_normal((T, 2, hidden_size))

    def f() -> float:
        out, _ = layer.forward(x)
        return float(np.sum(out * G))

    f()
    layer.zero_grad()
    layer.backward(G)
    return gradcheck(f, layer.params, {k: v.copy() for k, v in layer.grads.items()})
