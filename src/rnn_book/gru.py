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

    Internally the gates are stored gate-major, ``acts[k, t]`` (B, H) for k = r, z, n: every
    gate at every step is then one contiguous block, on which NumPy's element-wise loops run
    about three times faster than on column slices of a (B, 3H) block.
    """
    T, B, D = x.shape
    H = w_hh.shape[1]
    u = w_ih.reshape(3, H, D)  # u[k] = U_k, the rows of gate k
    # W_k^T for the three gates, made contiguous once so that every step's matmul is a plain
    # (non-transposed) BLAS call, the faster kind for these small shapes.
    w_T = np.ascontiguousarray(w_hh.reshape(3, H, H).transpose(0, 2, 1))
    # U_k x_t + b_ik for every gate k and every t in one batched matmul: (3, T, B, H).
    xu = np.matmul(x.reshape(T * B, D), u.transpose(0, 2, 1)).reshape(3, T, B, H)
    if b_ih is not None:
        xu += b_ih.reshape(3, 1, 1, H)
    acts = np.empty((3, T, B, H), dtype=x.dtype)  # r, z, n after their nonlinearities
    hw = np.empty((3, T, B, H), dtype=x.dtype)  # W_k h_{t-1} + b_hk; hw[2] is needed for dr
    hs = np.empty((T, B, H), dtype=x.dtype)
    h = h0
    for t in range(T):
        hw_t = np.matmul(h, w_T, out=hw[:, t])  # W_k h_{t-1} for the three gates: (3, B, H)
        if b_hh is not None:
            hw_t += b_hh.reshape(3, 1, H)
        a = acts[:, t]
        r, z, n = a  # views: written in place below
        np.add(xu[:2, t], hw_t[:2], out=a[:2])
        sigmoid(a[:2], out=a[:2])  # r, z
        np.multiply(r, hw_t[2], out=n)  # r * (W_n h_{t-1} + b_hn)
        n += xu[2, t]
        np.tanh(n, out=n)
        # h_t = (1 - z) * n + z * h_{t-1} = n + z * (h_{t-1} - n)
        h = np.subtract(h, n, out=hs[t])
        h *= z
        h += n
    return hs, (x, h0, hs, acts, hw[2], w_ih, w_hh, b_ih is not None)


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
    w = w_hh.reshape(3, H, H)  # w[k] = W_k
    # Gate-major (3, T, B, H) like acts. The r and z blocks are the same on both sides; the
    # n block differs because r multiplies W_n h_{t-1} + b_hn but not U_n x_t + b_in.
    dAx = np.empty_like(acts)  # gradients w.r.t. the input projection U_k x_t + b_ik
    dAh = np.empty_like(acts)  # gradients w.r.t. W_k h_{t-1} + b_hk
    dh = dh_T.copy()
    for t in reversed(range(T)):
        r, z, n = acts[:, t]
        h_prev = hs[t - 1] if t > 0 else h0
        dh += dhs[t]  # h_t feeds the output at t and the gates at t+1
        dan = dh * (1.0 - z) * (1.0 - n * n)  # through n = tanh(a_n)
        da_r, da_z, dxn = dAx[:, t]
        np.multiply(dan * whn[t], r * (1.0 - r), out=da_r)  # d a_r
        np.multiply(dh * (h_prev - n), z * (1.0 - z), out=da_z)  # d a_z
        dxn[...] = dan
        dAh[:2, t] = dAx[:2, t]
        np.multiply(dan, r, out=dAh[2, t])  # r scales W_n h_{t-1} + b_hn
        # direct path z * h_{t-1} plus sum_k W_k^T da_k through the gates
        dh = dh * z + np.matmul(dAh[:, t], w).sum(axis=0)
    h_prev = np.concatenate([h0[None], hs[:-1]], axis=0).reshape(T * B, H)
    dAx2 = dAx.reshape(3, T * B, H)
    dAh2 = dAh.reshape(3, T * B, H)
    # (3, H, .) stacked gate by gate is exactly the (3H, .) row layout of the weights.
    dw_ih = np.matmul(dAx2.transpose(0, 2, 1), x.reshape(T * B, D)).reshape(3 * H, D)
    dw_hh = np.matmul(dAh2.transpose(0, 2, 1), h_prev).reshape(3 * H, H)
    dx = np.matmul(dAx2, w_ih.reshape(3, H, D)).sum(axis=0).reshape(T, B, D)
    if has_bias:
        return dx, dh, (dw_ih, dw_hh, dAx2.sum(axis=1).reshape(-1), dAh2.sum(axis=1).reshape(-1))
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
