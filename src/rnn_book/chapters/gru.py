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

``gru_state_jacobian`` gives dh_t/dh_{t-1} of one step by formula and by central differences.
"""

from __future__ import annotations

import numpy as np

from rnn_book.chapters.lstm import (
    ADDING_BASELINE_MSE,
    DEFAULTS,
    held_out_set,
    input_gradient_profile,
    run,
    solved,
    summarize,
    sweep_summaries,
    train_model,
)
from rnn_book.functional import sigmoid
from rnn_book.gru import GRU, gru_step_forward

__all__ = [
    "ADDING_BASELINE_MSE",
    "CONVENTIONS",
    "DEFAULTS",
    "gru_convention_forward",
    "gru_state_jacobian",
    "held_out_set",
    "input_gradient_profile",
    "negate_update_gate",
    "run",
    "solved",
    "summarize",
    "sweep_summaries",
    "train_model",
]

#: GRU conventions ``gru_convention_forward`` computes (see the GRU chapter's table).
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


def gru_state_jacobian(
    seed: int = 0, hidden_size: int = 4, input_size: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """dh_t/dh_{t-1} of one ``rb.gru_step_forward``, (H, H), by formula and by central differences.

    With D_r = diag(r(1-r)), D_z = diag(z(1-z)), D_n = diag(1-n^2), m = W_n h_{t-1} + b_hn::

        diag(z) + diag(h_{t-1} - n) D_z W_z + diag(1 - z) D_n [diag(r) W_n + diag(m) D_r W_r]

    Random weights (scale 0.5), biases, x_t and h_{t-1}; batch of one. Returns (formula, numeric).
    """
    from rnn_book.gradient_check import numerical_gradient

    rng = np.random.default_rng(seed)
    H, D = hidden_size, input_size
    w_ih = rng.normal(scale=0.5, size=(3 * H, D))
    w_hh = rng.normal(scale=0.5, size=(3 * H, H))
    b_ih, b_hh = rng.normal(size=3 * H), rng.normal(size=3 * H)
    x_t = rng.normal(size=(1, D))
    h_prev = rng.normal(size=(1, H))

    _, cache = gru_step_forward(x_t, h_prev, w_ih, w_hh, b_ih, b_hh)
    r, z, n, m = cache.r[0], cache.z[0], cache.n[0], cache.hn[0]
    W_r, W_z, W_n = w_hh[:H], w_hh[H : 2 * H], w_hh[2 * H :]
    formula = (
        np.diag(z)
        + ((h_prev[0] - n) * z * (1 - z))[:, None] * W_z
        + ((1 - z) * (1 - n**2))[:, None] * (r[:, None] * W_n + (m * r * (1 - r))[:, None] * W_r)
    )
    numeric = np.empty((H, H))
    h = h_prev.copy()
    for k in range(H):  # row k: gradient of h_t[k] with respect to h_{t-1}
        numeric[k] = numerical_gradient(
            lambda k=k: float(gru_step_forward(x_t, h, w_ih, w_hh, b_ih, b_hh)[0][0, k]), h
        )[0]
    return formula, numeric
