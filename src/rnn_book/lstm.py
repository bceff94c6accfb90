"""Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000).

Per step, with the four gates stacked in PyTorch's order i, f, g, o:

    [a_i, a_f, a_g, a_o] = U x_t + b_ih + W h_{t-1} + b_hh      (U: (4H, D), W: (4H, H))
    i = sigmoid(a_i)   f = sigmoid(a_f)   g = tanh(a_g)   o = sigmoid(a_o)
    c_t = f * c_{t-1} + i * g          the cell state: an additive path through time
    h_t = o * tanh(c_t)

The backward pass carries dc along the cell path, ``dc_{t-1} = dc_t * f_t``: the constant
error carousel. Dropping that line still trains on some toy tasks but is wrong; the
LSTM chapter's "broken LSTM" lab uses ``lstm_backward(..., cell_path=False)`` to show it.
"""

from __future__ import annotations

import numpy as np

from rnn_book.functional import sigmoid
from rnn_book.recurrent import Recurrent

__all__ = ["LSTM", "lstm_backward", "lstm_forward"]


def lstm_forward(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None):
    """One layer, one direction, all T steps.

    Parameters
    ----------
    x : (T, B, D).  h0, c0 : (B, H).  w_ih : (4H, D).  w_hh : (4H, H).  b_ih, b_hh : (4H,) or None.

    Returns
    -------
    hs : (T, B, H) h_1..h_T.   cs : (T, B, H) c_1..c_T.   cache : for ``lstm_backward``.
    """
    T, B, D = x.shape
    H = w_hh.shape[1]
    xu = (x.reshape(T * B, D) @ w_ih.T).reshape(T, B, 4 * H)
    if b_ih is not None:
        xu += b_ih + b_hh
    acts = np.empty((T, B, 4 * H), dtype=x.dtype)  # i, f, g, o after their nonlinearities
    cs = np.empty((T, B, H), dtype=x.dtype)
    tanh_cs = np.empty((T, B, H), dtype=x.dtype)
    hs = np.empty((T, B, H), dtype=x.dtype)
    h, c = h0, c0
    w_hh_T = w_hh.T
    for t in range(T):
        a = np.matmul(h, w_hh_T, out=acts[t])
        a += xu[t]
        sigmoid(a[:, : 2 * H], out=a[:, : 2 * H])  # i, f
        np.tanh(a[:, 2 * H : 3 * H], out=a[:, 2 * H : 3 * H])  # g
        sigmoid(a[:, 3 * H :], out=a[:, 3 * H :])  # o
        i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        c = np.multiply(f, c, out=cs[t])
        c += i * g  # c_t = f * c_{t-1} + i * g
        np.tanh(c, out=tanh_cs[t])
        h = np.multiply(o, tanh_cs[t], out=hs[t])  # h_t = o * tanh(c_t)
    return hs, cs, (x, h0, c0, hs, cs, tanh_cs, acts, w_ih, w_hh, b_ih is not None)


def lstm_backward(dhs, dh_T, dc_T, cache, cell_path=True):
    """Backpropagation through time for ``lstm_forward``.

    Parameters
    ----------
    dhs : (T, B, H) gradient w.r.t. every h_t from above.  dh_T, dc_T : (B, H) from h_n, c_n.
    cell_path : keep ``dc_{t-1} = dc_t * f_t``. False reproduces a known teaching-code bug and
        gives WRONG gradients; it exists only for the book's broken-LSTM lab.

    Returns
    -------
    dx : (T, B, D).  dh0, dc0 : (B, H).
    dweights : (dU (4H, D), dW (4H, H), db_ih, db_hh (4H,) or None).
    """
    x, h0, c0, hs, cs, tanh_cs, acts, w_ih, w_hh, has_bias = cache
    T, B, D = x.shape
    H = hs.shape[2]
    dA = np.empty_like(acts)  # dL/d(pre-activations) of the four gates, one block for all t
    dh = dh_T.copy()
    dc = dc_T.copy()
    for t in reversed(range(T)):
        i, f, g, o = (acts[t, :, k * H : (k + 1) * H] for k in range(4))
        c_prev = cs[t - 1] if t > 0 else c0
        dh += dhs[t]
        tc = tanh_cs[t]
        dc += dh * o * (1.0 - tc * tc)  # through h_t = o * tanh(c_t)
        d = dA[t]
        np.multiply(dc * g, i * (1.0 - i), out=d[:, :H])  # d a_i
        np.multiply(dc * c_prev, f * (1.0 - f), out=d[:, H : 2 * H])  # d a_f
        np.multiply(dc * i, 1.0 - g * g, out=d[:, 2 * H : 3 * H])  # d a_g
        np.multiply(dh * tc, o * (1.0 - o), out=d[:, 3 * H :])  # d a_o
        if cell_path:
            dc = dc * f  # the constant error carousel: dc_{t-1} = dc_t * f_t
        else:
            dc = np.zeros_like(dc)
        dh = d @ w_hh  # W^T da_t
    h_prev = np.concatenate([h0[None], hs[:-1]], axis=0).reshape(T * B, H)
    dA2 = dA.reshape(T * B, 4 * H)
    dw_ih = dA2.T @ x.reshape(T * B, D)
    dw_hh = dA2.T @ h_prev
    dx = (dA2 @ w_ih).reshape(T, B, D)
    db = dA2.sum(axis=0) if has_bias else None
    return dx, dh, dc, (dw_ih, dw_hh, db, None if db is None else db.copy())


class LSTM(Recurrent):
    """LSTM with the same model and conventions as ``torch.nn.LSTM`` (gate order i, f, g, o).

    ``forward(x, (h0, c0))`` returns ``out, (h_n, c_n)``; ``backward(dout, (dh_n, dc_n))``
    returns ``dx, (dh0, dc0)``. See ``Recurrent`` for the arguments.
    """

    gates = 4
    state_names = ("h", "c")

    def _sequence_forward(self, x, states, weights):
        hs, cs, cache = lstm_forward(x, states[0], states[1], *weights)
        return hs, (hs[-1], cs[-1]), cache

    def _sequence_backward(self, dout, dstates, cache):
        dx, dh0, dc0, dw = lstm_backward(dout, dstates[0], dstates[1], cache)
        return dx, (dh0, dc0), dw
