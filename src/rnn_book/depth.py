"""Does stacking help? Window parity, a per-step task with a hard nonlinearity (deep-RNN chapter).

At every step t the target is the parity (XOR) of the last k bits, x_{t-k+1} .. x_t. The
answer flips with any single bit of the window, so no linear read-out of a few features can
find it: the network has to compute it. ``compare_depths`` trains RNNs of 1, 2, 3 layers
whose widths are chosen so that their parameter counts are close, and measures them on
held-out sequences.
"""

from __future__ import annotations

import numpy as np

from rnn_book.clip import clip_grad_norm
from rnn_book.elman import RNN
from rnn_book.layers import Linear
from rnn_book.losses import cross_entropy
from rnn_book.models import ManyToMany, one_hot
from rnn_book.optim import Adam

__all__ = ["train_depth", "window_parity"]


def window_parity(n: int, T: int, k: int, seed) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random bit sequences of length ``T``.

    Returns
    -------
    x : (T, n, 2) one-hot bits.   y : (T, n) int, y_t = x_{t-k+1} XOR ... XOR x_t
    (over the bits that exist when t < k).
    """
    if k < 1 or T < 1 or n < 1:
        raise ValueError(f"n, T, k: expected positive ints, got n={n}, T={T}, k={k}")
    bits = np.random.default_rng(seed).integers(0, 2, size=(T, n))
    csum = np.concatenate([np.zeros((1, n), dtype=np.int64), np.cumsum(bits, axis=0)])
    window = csum[1:] - csum[np.maximum(np.arange(1, T + 1) - k, 0)]  # bits in the window
    return one_hot(bits, 2), window % 2


def train_depth(
    num_layers: int,
    hidden_size: int,
    k: int = 6,
    seed: int = 0,
    steps: int = 400,
    T: int = 20,
    batch: int = 32,
    lr: float = 0.01,
):
    """Train a tanh RNN of ``num_layers`` layers on window parity; measure it held out.

    Returns
    -------
    dict with "accuracy" (held-out, steps t >= k only, where the window is full),
    "parameters" (the model's count) and "losses" (training loss per step).
    """
    rnn = RNN(2, hidden_size, num_layers=num_layers, seed=seed)
    model = ManyToMany(rnn, Linear(hidden_size, 2, seed=seed + 1))
    opt = Adam([model], lr=lr)
    losses = []
    for step in range(steps):
        x, y = window_parity(batch, T, k, seed=(1, seed, step))
        model.zero_grad()
        loss, dlogits = cross_entropy(model.forward(x), y)
        model.backward(dlogits)
        clip_grad_norm([model], 1.0)
        opt.step()
        losses.append(loss)
    x, y = window_parity(500, T, k, seed=(2,))  # never used in training: first entry 2
    correct = model.forward(x).argmax(axis=-1) == y
    return {
        "accuracy": float(correct[k - 1 :].mean()),
        "parameters": model.num_parameters(),
        "losses": np.array(losses),
    }
