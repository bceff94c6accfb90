"""The code of the page ``book/chapters/gru.md``: the GRU as different texts write it.

The page also reruns the LSTM page's experiments (long-range tasks, gradient profiles) with
the GRU; those are defined once, in ``rnn_book.chapters.lstm``, and re-exported here.

The conventions below run on the parameters of one ``rb.GRU``.

With the rows of U = ``weight_ih_l0`` and W = ``weight_hh_l0`` split into r, z, n blocks:

* ``"pytorch"`` (this package, torch.nn.GRU, cuDNN):
  n = tanh(U_n x + b_in + r * (W_n h + b_hn)),   h' = (1 - z) * n + z * h
* ``"cho"`` (Cho et al. 2014; also Dive into Deep Learning): the reset gate acts on h BEFORE
  the matrix, n = tanh(U_n x + b_in + W_n (r * h) + b_hn),   h' = (1 - z) * n + z * h
* ``"chung"`` (Chung et al. 2014): reset as PyTorch's, but z and 1 - z swap places,
  h' = z * n + (1 - z) * h

"chung" with the z block of U, W and both biases negated equals "pytorch" exactly, because
sigmoid(-a) = 1 - sigmoid(a): the swap is a relabelling. "cho" is a different function of
the same parameters: no relabelling turns r * (W_n h) into W_n (r * h) for every h.
"""

from __future__ import annotations

import numpy as np

from rnn_book.chapters.lstm import (
    ADDING_BASELINE_MSE,
    DEFAULTS,
    held_out_set,
    input_gradient_profile,
    run,
    summarize,
    train_model,
)
from rnn_book.functional import sigmoid
from rnn_book.gru import GRU

__all__ = [
    "ADDING_BASELINE_MSE",
    "CONVENTIONS",
    "DEFAULTS",
    "gru_convention_forward",
    "held_out_set",
    "input_gradient_profile",
    "negate_update_gate",
    "run",
    "summarize",
    "train_model",
]

CONVENTIONS = ("pytorch", "cho", "chung")


def gru_convention_forward(layer: GRU, x, convention: str = "pytorch") -> np.ndarray:
    """Run the single-layer ``layer``'s parameters under ``convention`` on x (T, B, D).

    Returns hs (T, B, H), h_1..h_T from h_0 = 0.
    """
    if not isinstance(layer, GRU) or layer.num_layers != 1 or layer.bidirectional:
        raise TypeError("layer: expected a single-layer unidirectional rb.GRU")
    if convention not in CONVENTIONS:
        raise ValueError(f"convention: expected one of {CONVENTIONS}, got {convention!r}")
    x = np.asarray(x, dtype=layer.dtype)
    if x.ndim != 3 or x.shape[2] != layer.input_size:
        raise ValueError(f"x: expected (T, B, {layer.input_size}), got shape {x.shape}")
    p = layer.params
    H = layer.hidden_size
    U, W = p["weight_ih_l0"], p["weight_hh_l0"]
    zeros = np.zeros(3 * H, dtype=layer.dtype)
    b_i, b_h = p.get("bias_ih_l0", zeros), p.get("bias_hh_l0", zeros)
    r_, z_, n_ = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)
    T, B, _ = x.shape
    h = np.zeros((B, H), dtype=layer.dtype)
    hs = np.empty((T, B, H), dtype=layer.dtype)
    for t in range(T):
        ax = x[t] @ U.T + b_i
        r = sigmoid(ax[:, r_] + h @ W[r_].T + b_h[r_])
        z = sigmoid(ax[:, z_] + h @ W[z_].T + b_h[z_])
        if convention == "cho":
            n = np.tanh(ax[:, n_] + (r * h) @ W[n_].T + b_h[n_])
        else:
            n = np.tanh(ax[:, n_] + r * (h @ W[n_].T + b_h[n_]))
        if convention == "chung":
            h = z * n + (1.0 - z) * h
        else:
            h = (1.0 - z) * n + z * h
        hs[t] = h
    return hs


def negate_update_gate(layer: GRU) -> GRU:
    """A copy of ``layer`` with the z rows of U, W and both biases negated (z -> 1 - z)."""
    H = layer.hidden_size
    new = GRU(layer.input_size, H, num_layers=layer.num_layers, bias=layer.bias, dtype=layer.dtype)
    for name, p in layer.params.items():
        q = p.copy()
        q[H : 2 * H] *= -1.0
        new.params[name] = q
    return new
