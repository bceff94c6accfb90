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
    acts = np.empty((3, T, B, H), dtype=x.dtype)  # r, z, n after their nonlinearities
    # U_k x_t + b_ik for every gate k and every t in one batched matmul, written straight into
    # acts: the only part that does not wait for h_{t-1}.
    np.matmul(x.reshape(T * B, D), u.transpose(0, 2, 1), out=acts.reshape(3, T * B, H))
    if b_ih is not None:
        acts += b_ih.reshape(3, 1, 1, H)
    hw = np.empty((3, B, H), dtype=x.dtype)  # W_k h_{t-1} + b_hk, one step at a time
    whn = np.empty((T, B, H), dtype=x.dtype)  # W_n h_{t-1} + b_hn of every step, needed for dr
    hs = np.empty((T, B, H), dtype=x.dtype)
    h = h0
    for t in range(T):
        np.matmul(h, w_T, out=hw)  # W_k h_{t-1} for the three gates: (3, B, H)
        if b_hh is not None:
            hw += b_hh.reshape(3, 1, H)
        a = acts[:, t]  # holds U_k x_t + b_ik
        r, z, n = a  # views: written in place below
        a[:2] += hw[:2]
        sigmoid(a[:2], out=a[:2])  # r, z
        whn[t] = hw[2]
        n += r * whn[t]  # a_n = U_n x_t + b_in + r * (W_n h_{t-1} + b_hn)
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
    w = w_hh.reshape(3, H, H)  # w[k] = W_k
    # Gate-major (3, T, B, H) like acts: gradients w.r.t. the input side U_k x_t + b_ik.
    dAx = np.empty_like(acts)
    # The hidden side W_k h_{t-1} + b_hk gets the same r and z gradients, but not the same n
    # gradient: r multiplies W_n h_{t-1} + b_hn and not U_n x_t + b_in. Only that block is kept.
    dAhn = np.empty_like(hs)
    dah = np.empty((3, B, H), dtype=hs.dtype)  # one step's hidden-side gradients
    dh = dh_T.copy()
    for t in reversed(range(T)):
        r, z, n = acts[:, t]
        h_prev = hs[t - 1] if t > 0 else h0
        dh += dhs[t]  # h_t feeds the output at t and the gates at t+1
        da_r, da_z, da_n = dAx[:, t]
        # through h_t = (1 - z) * n + z * h_{t-1}, n = tanh(a_n), r, z = sigmoid(a_r, a_z):
        np.multiply(dh * (1.0 - z), 1.0 - n * n, out=da_n)  # d a_n = dh (1 - z) (1 - n^2)
        np.multiply(da_n * whn[t], r * (1.0 - r), out=da_r)  # d a_r = d a_n whn r (1 - r)
        np.multiply(dh * (h_prev - n), z * (1.0 - z), out=da_z)  # d a_z = dh (h - n) z (1 - z)
        np.multiply(da_n, r, out=dAhn[t])  # r scales W_n h_{t-1} + b_hn
        dah[:2] = dAx[:2, t]
        dah[2] = dAhn[t]
        # direct path z * h_{t-1} plus sum_k W_k^T da_k through the gates
        dh = dh * z + np.matmul(dah, w).sum(axis=0)
    # a_t = U x_t + b_i (input side) and W h_{t-1} + b_h (hidden side): one matmul per side
    # with the rows [x_t; 1] and [h_{t-1}; 1] of every step gives the weight and bias
    # gradients, summed over t (the parameters are shared over time).
    x1 = np.empty((T, B, D + int(has_bias)), dtype=x.dtype)
    x1[:, :, :D] = x
    x1[:, :, D:] = 1.0
    h1 = np.empty((T, B, H + int(has_bias)), dtype=x.dtype)
    h1[0, :, :H] = h0
    h1[1:, :, :H] = hs[:-1]
    h1[:, :, H:] = 1.0
    dAx2 = dAx.reshape(3, T * B, H)
    h1 = h1.reshape(T * B, -1)
    # (3, H, .) stacked gate by gate is exactly the (3H, .) row layout of the weights.
    dw_ih = np.matmul(dAx2.transpose(0, 2, 1), x1.reshape(T * B, -1))
    dw_hh = np.empty((3, H, h1.shape[1]), dtype=hs.dtype)
    np.matmul(dAx2[:2].transpose(0, 2, 1), h1, out=dw_hh[:2])  # r, z: same as the input side
    np.matmul(dAhn.reshape(T * B, H).T, h1, out=dw_hh[2])
    # dx_t = sum_k U_k^T da_k,t, accumulated gate by gate (no (3, T*B, D) temporary)
    u = w_ih.reshape(3, H, D)
    dx = np.matmul(dAx2[0], u[0])
    for k in range(1, 3):
        dx += dAx2[k] @ u[k]
    dx = dx.reshape(T, B, D)
    dweights = (dw_ih[:, :, :D].reshape(3 * H, D), dw_hh[:, :, :H].reshape(3 * H, H))
    if has_bias:
        return dx, dh, dweights + (dw_ih[:, :, D].reshape(-1), dw_hh[:, :, H].reshape(-1))
    return dx, dh, dweights + (None, None)


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
