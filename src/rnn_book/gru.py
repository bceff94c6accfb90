"""Gated recurrent unit (Cho et al. 2014), in PyTorch's convention (gate order r, z, n).

Per step, with U = ``weight_ih`` (3H, D) and W = ``weight_hh`` (3H, H) split into r, z, n rows:

    r = sigmoid(U_r x_t + b_ir + W_r h_{t-1} + b_hr)          reset gate
    z = sigmoid(U_z x_t + b_iz + W_z h_{t-1} + b_hz)          update gate
    n = tanh(U_n x_t + b_in + r * (W_n h_{t-1} + b_hn))       candidate; r multiplies W_n h + b_hn
    h_t = (1 - z) * n + z * h_{t-1}

Other texts put r before the matmul (r * h_{t-1}, Cho 2014) or swap z and 1 - z; the GRU
chapter tabulates the conventions. Because b_hn sits inside r * (...), the two biases of
the n gate cannot be merged, unlike in the RNN and the LSTM.
"""

from __future__ import annotations

import numpy as np

from rnn_book.functional import sigmoid
from rnn_book.recurrent import Recurrent

__all__ = ["GRU", "gru_backward", "gru_forward"]


def gru_forward(x, h0, w_ih, w_hh, b_ih=None, b_hh=None):
    """One layer, one direction, all T steps.

    Parameters
    ----------
    x : (T, B, D).  h0 : (B, H).  w_ih : (3H, D).  w_hh : (3H, H).  b_ih, b_hh : (3H,) or None.

    Returns
    -------
    hs : (T, B, H) h_1..h_T.   cache : for ``gru_backward``.
    """
    T, B, D = x.shape
    H = w_hh.shape[1]
    xu = (x.reshape(T * B, D) @ w_ih.T).reshape(T, B, 3 * H)
    if b_ih is not None:
        xu += b_ih
    acts = np.empty((T, B, 3 * H), dtype=x.dtype)  # r, z, n after their nonlinearities
    whn = np.empty((T, B, H), dtype=x.dtype)  # W_n h_{t-1} + b_hn, needed for dr
    hs = np.empty((T, B, H), dtype=x.dtype)
    h = h0
    w_hh_T = w_hh.T
    for t in range(T):
        hw = h @ w_hh_T  # (B, 3H): W h_{t-1}
        if b_hh is not None:
            hw += b_hh
        a = acts[t]
        np.add(xu[t, :, : 2 * H], hw[:, : 2 * H], out=a[:, : 2 * H])
        sigmoid(a[:, : 2 * H], out=a[:, : 2 * H])  # r, z
        r, z, n = a[:, :H], a[:, H : 2 * H], a[:, 2 * H :]
        whn[t] = hw[:, 2 * H :]
        np.multiply(r, whn[t], out=n)
        n += xu[t, :, 2 * H :]
        np.tanh(n, out=n)
        # h_t = (1 - z) * n + z * h_{t-1} = n + z * (h_{t-1} - n)
        h = np.subtract(h, n, out=hs[t])
        h *= z
        h += n
    return hs, (x, h0, hs, acts, whn, w_ih, w_hh, b_ih is not None)


def gru_backward(dhs, dh_T, cache):
    """Backpropagation through time for ``gru_forward``.

    Parameters
    ----------
    dhs : (T, B, H) gradient w.r.t. every h_t from above.  dh_T : (B, H) from h_n.

    Returns
    -------
    dx : (T, B, D).  dh0 : (B, H).
    dweights : (dU (3H, D), dW (3H, H), db_ih, db_hh (3H,) or None).
    """
    x, h0, hs, acts, whn, w_ih, w_hh, has_bias = cache
    T, B, D = x.shape
    H = hs.shape[2]
    dAx = np.empty_like(acts)  # gradients w.r.t. the input projection U x_t + b_ih
    dAh = np.empty_like(acts)  # gradients w.r.t. W h_{t-1} + b_hh (differ in the n block)
    dh = dh_T.copy()
    for t in reversed(range(T)):
        r, z, n = acts[t, :, :H], acts[t, :, H : 2 * H], acts[t, :, 2 * H :]
        h_prev = hs[t - 1] if t > 0 else h0
        dh += dhs[t]
        dan = dh * (1.0 - z) * (1.0 - n * n)  # through n = tanh(a_n)
        dx_t, dh_t = dAx[t], dAh[t]
        np.multiply(dan * whn[t], r * (1.0 - r), out=dx_t[:, :H])  # d a_r
        np.multiply(dh * (h_prev - n), z * (1.0 - z), out=dx_t[:, H : 2 * H])  # d a_z
        dx_t[:, 2 * H :] = dan
        dh_t[:, : 2 * H] = dx_t[:, : 2 * H]
        np.multiply(dan, r, out=dh_t[:, 2 * H :])  # r scales W_n h_{t-1} + b_hn
        dh = dh * z + dh_t @ w_hh  # direct path z * h_{t-1} plus through the gates
    h_prev = np.concatenate([h0[None], hs[:-1]], axis=0).reshape(T * B, H)
    dAx2 = dAx.reshape(T * B, 3 * H)
    dAh2 = dAh.reshape(T * B, 3 * H)
    dw_ih = dAx2.T @ x.reshape(T * B, D)
    dw_hh = dAh2.T @ h_prev
    dx = (dAx2 @ w_ih).reshape(T, B, D)
    if has_bias:
        return dx, dh, (dw_ih, dw_hh, dAx2.sum(axis=0), dAh2.sum(axis=0))
    return dx, dh, (dw_ih, dw_hh, None, None)


class GRU(Recurrent):
    """GRU with the same model and conventions as ``torch.nn.GRU`` (gate order r, z, n).

    See ``Recurrent`` for the arguments, ``forward`` and ``backward``.
    """

    gates = 3
    state_names = ("h",)

    def _sequence_forward(self, x, states, weights):
        hs, cache = gru_forward(x, states[0], *weights)
        return hs, (hs[-1],), cache

    def _sequence_backward(self, dout, dstates, cache):
        dx, dh0, dw = gru_backward(dout, dstates[0], cache)
        return dx, (dh0,), dw
