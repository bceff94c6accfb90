"""Gated recurrent unit (Cho et al. 2014), in PyTorch's convention (gate order r, z, n).

Per step, with U = ``weight_ih`` (3H, D) and W = ``weight_hh`` (3H, H) split into r, z, n rows::

    r = sigmoid(U_r x_t + b_ir + W_r h_{t-1} + b_hr)          reset gate
    z = sigmoid(U_z x_t + b_iz + W_z h_{t-1} + b_hz)          update gate
    n = tanh(U_n x_t + b_in + r * (W_n h_{t-1} + b_hn))       candidate; r multiplies W_n h + b_hn
    h_t = (1 - z) * n + z * h_{t-1}

Other texts put r before the matmul (r * h_{t-1}, Cho 2014) or swap z and 1 - z; the GRU
chapter tabulates the conventions. Because b_hn sits inside r * (...), the two biases of
the n gate cannot be merged, unlike in the RNN and the LSTM.

Read in this order: ``gru_step_forward`` / ``gru_step_backward`` (one step, one line per
equation), then ``gru_forward`` / ``gru_backward`` (all T steps, the same arithmetic
rearranged for speed; tests check they agree), then ``GRU`` (layers and directions).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnn_book.functional import sigmoid, sigmoid_fast
from rnn_book.recurrent import Recurrent

__all__ = [
    "GRU",
    "GRUCache",
    "GRUStepCache",
    "gru_backward",
    "gru_forward",
    "gru_step_backward",
    "gru_step_forward",
]


class GRUStepCache(NamedTuple):
    """What ``gru_step_backward`` needs from one ``gru_step_forward``; arrays (B, H)
    unless noted."""

    x_t: np.ndarray  # (B, D)
    h_prev: np.ndarray  # h_{t-1}
    r: np.ndarray  # reset gate
    z: np.ndarray  # update gate
    n: np.ndarray  # candidate
    hn: np.ndarray  # W_n h_{t-1} + b_hn, the part r multiplies
    w_ih: np.ndarray  # (3H, D) U
    w_hh: np.ndarray  # (3H, H) W
    has_bias: bool


def gru_step_forward(x_t, h_prev, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step (PyTorch's convention).

    Parameters
    ----------
    x_t : (B, D).
    h_prev : (B, H) the state h_{t-1}.
    w_ih : (3H, D) U.
    w_hh : (3H, H) W.
    b_ih, b_hh : (3H,) or both None.
    (Rows of U, W and the biases are stacked in the gate order r, z, n.)

    Returns
    -------
    h_t : (B, H).
    cache : ``GRUStepCache`` for ``gru_step_backward``.
    """
    ax = x_t @ w_ih.T  # (B, 3H): U x_t, the input side of all three gates
    ah = h_prev @ w_hh.T  # (B, 3H): W h_{t-1}, the hidden side
    if b_ih is not None:
        ax = ax + b_ih
        ah = ah + b_hh
    ax_r, ax_z, ax_n = np.split(ax, 3, axis=1)  # (B, H) each
    ah_r, ah_z, ah_n = np.split(ah, 3, axis=1)
    r = sigmoid(ax_r + ah_r)  # reset gate
    z = sigmoid(ax_z + ah_z)  # update gate
    n = np.tanh(ax_n + r * ah_n)  # candidate: r scales W_n h_{t-1} + b_hn
    h_t = (1.0 - z) * n + z * h_prev
    cache = GRUStepCache(x_t, h_prev, r, z, n, ah_n, w_ih, w_hh, b_ih is not None)
    return h_t, cache


def gru_step_backward(dh_t, cache):
    """Gradients of one ``gru_step_forward``.

    Parameters
    ----------
    dh_t : (B, H) dL/dh_t (from the output at t and from step t+1).
    cache : ``GRUStepCache``.

    Returns
    -------
    dx_t : (B, D).
    dh_prev : (B, H).
    dw_ih : (3H, D).
    dw_hh : (3H, H).
    db_ih, db_hh : (3H,) each, or None without bias.
    """
    r, z, n, hn = cache.r, cache.z, cache.n, cache.hn
    dn = dh_t * (1.0 - z)  # h_t = (1 - z) * n + z * h_{t-1}
    dz = dh_t * (cache.h_prev - n)
    da_n = dn * (1.0 - n**2)  # tanh'(a) = 1 - n^2
    dr = da_n * hn  # a_n = U_n x_t + b_in + r * (W_n h_{t-1} + b_hn)
    da_r = dr * r * (1.0 - r)  # sigmoid'(a) = s (1 - s)
    da_z = dz * z * (1.0 - z)
    dax = np.concatenate([da_r, da_z, da_n], axis=1)  # (B, 3H) input side U x_t + b_i
    dah = np.concatenate([da_r, da_z, da_n * r], axis=1)  # hidden side: r scales W_n h + b_hn
    dx_t = dax @ cache.w_ih  # U^T dax
    dh_prev = dh_t * z + dah @ cache.w_hh  # the direct path z * h_{t-1}, plus W^T dah
    dw_ih = dax.T @ cache.x_t  # dax x_t^T, summed over the batch
    dw_hh = dah.T @ cache.h_prev  # dah h_{t-1}^T
    db_ih = dax.sum(axis=0) if cache.has_bias else None
    db_hh = dah.sum(axis=0) if cache.has_bias else None
    return dx_t, dh_prev, dw_ih, dw_hh, db_ih, db_hh


class GRUCache(NamedTuple):
    """What ``gru_backward`` needs from one ``gru_forward``."""

    x: np.ndarray  # (T, B, D)
    h0: np.ndarray  # (B, H)
    hs: np.ndarray  # (T, B, H) h_1..h_T
    acts: np.ndarray  # (3, T, B, H) r, z, n after their nonlinearities, gate-major
    whn: np.ndarray  # (T, B, H) W_n h_{t-1} + b_hn of every step
    w_ih: np.ndarray  # (3H, D)
    w_hh: np.ndarray  # (3H, H)
    has_bias: bool

    def step(self, t: int) -> GRUStepCache:
        """The ``GRUStepCache`` of step t (0-based) of the sequence."""
        h_prev = self.hs[t - 1] if t > 0 else self.h0
        r, z, n = self.acts[:, t]
        return GRUStepCache(
            self.x[t], h_prev, r, z, n, self.whn[t], self.w_ih, self.w_hh, self.has_bias
        )


def gru_forward(x, h0, w_ih, w_hh, b_ih=None, b_hh=None):
    """One layer, one direction, all T steps.

    Parameters
    ----------
    x : (T, B, D).
    h0 : (B, H).
    w_ih : (3H, D).
    w_hh : (3H, H).
    b_ih, b_hh : (3H,) or None.

    Returns
    -------
    hs : (T, B, H) h_1..h_T.
    cache : ``GRUCache`` for ``gru_backward``.

    The same numbers as looping ``gru_step_forward``, computed faster: every U x_t in one
    matmul before the loop, everything written in place into preallocated arrays, and the
    tanh form of the sigmoid (``sigmoid_fast``, absolute error < 2 eps, about 3x faster in
    float32; gates only multiply other values, so absolute accuracy is what counts).

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
        sigmoid_fast(a[:2], out=a[:2])  # r, z
        whn[t] = hw[2]
        n += r * whn[t]  # a_n = U_n x_t + b_in + r * (W_n h_{t-1} + b_hn)
        np.tanh(n, out=n)
        # h_t = (1 - z) * n + z * h_{t-1} = n + z * (h_{t-1} - n)
        h = np.subtract(h, n, out=hs[t])
        h *= z
        h += n
    return hs, GRUCache(x, h0, hs, acts, whn, w_ih, w_hh, b_ih is not None)


def gru_backward(dhs, dh_T, cache):
    """Backpropagation through time for ``gru_forward``.

    Parameters
    ----------
    dhs : (T, B, H) gradient w.r.t. every h_t from above.
    dh_T : (B, H) from h_n.
    cache : ``GRUCache`` from ``gru_forward``.

    Returns
    -------
    dx : (T, B, D).
    dh0 : (B, H).
    dweights : (dU (3H, D), dW (3H, H), db_ih, db_hh (3H,) or None).
    """
    x, h0, hs, acts, whn = cache.x, cache.h0, cache.hs, cache.acts, cache.whn
    w_ih, w_hh, has_bias = cache.w_ih, cache.w_hh, cache.has_bias
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
