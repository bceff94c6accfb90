"""Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000).

Per step, with the four gates stacked in PyTorch's order i, f, g, o::

    [a_i, a_f, a_g, a_o] = U x_t + b_ih + W h_{t-1} + b_hh      (U: (4H, D), W: (4H, H))
    i = sigmoid(a_i)   f = sigmoid(a_f)   g = tanh(a_g)   o = sigmoid(a_o)
    c_t = f * c_{t-1} + i * g          the cell state: an additive path through time
    h_t = o * tanh(c_t)

The backward pass carries dc along the cell path, ``dc_{t-1} = dc_t * f_t``: the constant
error carousel. Dropping that line still trains on some toy tasks but is wrong; the LSTM
chapter's "broken LSTM" (``rnn_book.chapters.lstm.BrokenLSTM``) does exactly that.

Read in this order: ``lstm_step_forward`` / ``lstm_step_backward`` (one step, one line per
equation), then ``lstm_forward`` / ``lstm_backward`` (all T steps, the same arithmetic
rearranged for speed; tests check they agree), then ``LSTM`` (layers and directions).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnn_book.functional import sigmoid
from rnn_book.recurrent import Recurrent

__all__ = [
    "LSTM",
    "LSTMCache",
    "LSTMStepCache",
    "lstm_backward",
    "lstm_forward",
    "lstm_step_backward",
    "lstm_step_forward",
]


class LSTMStepCache(NamedTuple):
    """What ``lstm_step_backward`` needs from one ``lstm_step_forward``; arrays (B, H)
    unless noted."""

    x_t: np.ndarray  # (B, D)
    h_prev: np.ndarray  # h_{t-1}
    c_prev: np.ndarray  # c_{t-1}
    i: np.ndarray  # input gate
    f: np.ndarray  # forget gate
    g: np.ndarray  # candidate
    o: np.ndarray  # output gate
    tanh_c: np.ndarray  # tanh(c_t)
    w_ih: np.ndarray  # (4H, D) U
    w_hh: np.ndarray  # (4H, H) W
    has_bias: bool


def lstm_step_forward(x_t, h_prev, c_prev, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step.

    Parameters
    ----------
    x_t : (B, D).
    h_prev, c_prev : (B, H) the states h_{t-1}, c_{t-1}.
    w_ih : (4H, D) U.
    w_hh : (4H, H) W.
    b_ih, b_hh : (4H,) or both None.
    (Rows of U, W and the biases are stacked in the gate order i, f, g, o.)

    Returns
    -------
    h_t, c_t : (B, H).
    cache : ``LSTMStepCache`` for ``lstm_step_backward``.
    """
    a = x_t @ w_ih.T + h_prev @ w_hh.T  # (B, 4H): U x_t + W h_{t-1}, all four gates
    if b_ih is not None:
        a = a + b_ih + b_hh
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)  # (B, H) each
    i = sigmoid(a_i)  # input gate: how much of g to write
    f = sigmoid(a_f)  # forget gate: how much of c_{t-1} to keep
    g = np.tanh(a_g)  # candidate values
    o = sigmoid(a_o)  # output gate: how much of the cell to show
    c_t = f * c_prev + i * g
    tanh_c = np.tanh(c_t)
    h_t = o * tanh_c
    cache = LSTMStepCache(x_t, h_prev, c_prev, i, f, g, o, tanh_c, w_ih, w_hh, b_ih is not None)
    return h_t, c_t, cache


def lstm_step_backward(dh_t, dc_t, cache):
    """Gradients of one ``lstm_step_forward``.

    Parameters
    ----------
    dh_t : (B, H) dL/dh_t (from the output at t and from step t+1).
    dc_t : (B, H) dL/dc_t from step t+1 (c_t's only other use is h_t, handled here).
    cache : ``LSTMStepCache``.

    Returns
    -------
    dx_t : (B, D).
    dh_prev, dc_prev : (B, H).
    dw_ih : (4H, D).
    dw_hh : (4H, H).
    db_ih, db_hh : (4H,) each, or None without bias.
    """
    i, f, g, o, tanh_c = cache.i, cache.f, cache.g, cache.o, cache.tanh_c
    dc = dc_t + dh_t * o * (1.0 - tanh_c**2)  # c_t reaches L directly and through h_t
    do = dh_t * tanh_c  # h_t = o * tanh(c_t)
    di = dc * g  # c_t = f * c_{t-1} + i * g
    df = dc * cache.c_prev
    dg = dc * i
    dc_prev = dc * f  # the constant error carousel
    da_i = di * i * (1.0 - i)  # sigmoid'(a) = s (1 - s)
    da_f = df * f * (1.0 - f)
    da_g = dg * (1.0 - g**2)  # tanh'(a) = 1 - g^2
    da_o = do * o * (1.0 - o)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)  # (B, 4H), gate order i, f, g, o
    dx_t = da @ cache.w_ih  # U^T da
    dh_prev = da @ cache.w_hh  # W^T da
    dw_ih = da.T @ cache.x_t  # da x_t^T, summed over the batch
    dw_hh = da.T @ cache.h_prev  # da h_{t-1}^T
    db_ih = da.sum(axis=0) if cache.has_bias else None
    db_hh = da.sum(axis=0) if cache.has_bias else None  # b_ih and b_hh enter alike
    return dx_t, dh_prev, dc_prev, dw_ih, dw_hh, db_ih, db_hh


class LSTMCache(NamedTuple):
    """What ``lstm_backward`` needs from one ``lstm_forward``."""

    x: np.ndarray  # (T, B, D)
    h0: np.ndarray  # (B, H)
    c0: np.ndarray  # (B, H)
    hs: np.ndarray  # (T, B, H) h_1..h_T
    cs: np.ndarray  # (T, B, H) c_1..c_T
    tanh_cs: np.ndarray  # (T, B, H) tanh(c_t)
    acts: np.ndarray  # (4, T, B, H) i, f, g, o after their nonlinearities, gate-major
    w_ih: np.ndarray  # (4H, D)
    w_hh: np.ndarray  # (4H, H)
    has_bias: bool

    def step(self, t: int) -> LSTMStepCache:
        """The ``LSTMStepCache`` of step t (0-based) of the sequence."""
        h_prev = self.hs[t - 1] if t > 0 else self.h0
        c_prev = self.cs[t - 1] if t > 0 else self.c0
        i, f, g, o = self.acts[:, t]
        return LSTMStepCache(
            self.x[t],
            h_prev,
            c_prev,
            i,
            f,
            g,
            o,
            self.tanh_cs[t],
            self.w_ih,
            self.w_hh,
            self.has_bias,
        )


def lstm_forward(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None):
    """One layer, one direction, all T steps.

    Parameters
    ----------
    x : (T, B, D).
    h0, c0 : (B, H).
    w_ih : (4H, D).
    w_hh : (4H, H).
    b_ih, b_hh : (4H,) or None.

    Returns
    -------
    hs : (T, B, H) h_1..h_T.
    cs : (T, B, H) c_1..c_T.
    cache : ``LSTMCache``.

    The same numbers as looping ``lstm_step_forward``, computed faster: every U x_t in one
    matmul before the loop, everything written in place into preallocated arrays, and the
    tanh form of the sigmoid (``sigmoid_fast``, absolute error < 2 eps, about 3x faster in
    float32; gates only multiply other values, so absolute accuracy is what counts).

    Internally the gates are stored gate-major, ``acts[k, t]`` (B, H) for k = i, f, g, o:
    every gate at every step is then one contiguous block, on which NumPy's element-wise
    loops run about three times faster than on column slices of a (B, 4H) block.

    sigma(a) = (1 + tanh(a / 2)) / 2, so the rows of U, W and b that feed i, f and o are
    halved once per call; then one ``np.tanh`` over the whole (4, B, H) block per step serves
    all four gates, and i, f, o need only ``+= 1`` and ``*= 0.5``. Halving is exact in binary
    floating point, so the gates are bitwise those of ``sigmoid_fast``; per step it is 5
    element-wise calls instead of 10 for the four activations. (Measured, float32, CPU time:
    forward -23% at T,B,D,H = 100,1,10,32, where the fixed cost of each NumPy call is all
    the time; no change at 50,32,64,128 and 100,64,128,256.)
    """
    T, B, D = x.shape
    H = w_hh.shape[1]
    dtype = x.dtype
    half = np.array([0.5, 0.5, 1.0, 0.5], dtype=dtype).reshape(4, 1, 1)  # i, f, g, o
    u = w_ih.reshape(4, H, D) * half  # u[k] = U_k, the rows of gate k (halved for i, f, o)
    # W_k^T for the four gates, made contiguous once so that every step's matmul is a plain
    # (non-transposed) BLAS call, the faster kind for these small shapes.
    w_T = np.multiply(
        w_hh.reshape(4, H, H).transpose(0, 2, 1), half, out=np.empty((4, H, H), dtype)
    )
    acts = np.empty((4, T, B, H), dtype=dtype)  # i, f, g, o after their nonlinearities
    # U_k x_t + b_k for every gate k and every t in one batched matmul, written straight into
    # acts: the only part that does not wait for h_{t-1}.
    np.matmul(x.reshape(T * B, D), u.transpose(0, 2, 1), out=acts.reshape(4, T * B, H))
    if b_ih is not None:
        acts += ((b_ih + b_hh).reshape(4, 1, H) * half).reshape(4, 1, 1, H)
    hw = np.empty((4, B, H), dtype=dtype)  # W_k h_{t-1}, one step at a time
    ig = np.empty((B, H), dtype=dtype)
    cs = np.empty((T, B, H), dtype=dtype)
    tanh_cs = np.empty((T, B, H), dtype=dtype)
    hs = np.empty((T, B, H), dtype=dtype)
    h, c = h0, c0
    for t in range(T):
        a = acts[:, t]  # holds U_k x_t + b_k for the four gates: (4, B, H)
        a += np.matmul(h, w_T, out=hw)  # + W_k h_{t-1}
        i, f, g, o = a  # views: the activations below overwrite a in place
        np.tanh(a, out=a)  # g = np.tanh(g), and tanh(a_k / 2) for k = i, f, o
        ifo = a[:2]  # i, f = sigmoid_fast(a[:2]) = (1 + tanh(a / 2)) / 2:
        ifo += 1.0
        ifo *= 0.5
        o += 1.0  # o = sigmoid_fast(o), the same way
        o *= 0.5
        c = np.multiply(f, c, out=cs[t])
        c += np.multiply(i, g, out=ig)  # c_t = f * c_{t-1} + i * g
        np.tanh(c, out=tanh_cs[t])
        h = np.multiply(o, tanh_cs[t], out=hs[t])  # h_t = o * tanh(c_t)
    return hs, cs, LSTMCache(x, h0, c0, hs, cs, tanh_cs, acts, w_ih, w_hh, b_ih is not None)


def lstm_backward(dhs, dh_T, dc_T, cache):
    """Backpropagation through time for ``lstm_forward``.

    Parameters
    ----------
    dhs : (T, B, H) gradient w.r.t. every h_t from above.
    dh_T, dc_T : (B, H) from h_n, c_n.
    cache : ``LSTMCache`` from ``lstm_forward``.

    Returns
    -------
    dx : (T, B, D).
    dh0, dc0 : (B, H).
    dweights : (dU (4H, D), dW (4H, H), db_ih, db_hh (4H,) or None).

    Every local derivative that does not depend on the incoming gradients is computed for
    all t at once before the loop, written straight into the gate-gradient block ``dA``::

        d a_i = dc * [g i (1 - i)]        d a_f = dc * [c_{t-1} f (1 - f)]
        d a_g = dc * [i (1 - g^2)]        d a_o = dh * [tanh(c_t) o (1 - o)]

    and the loop only multiplies the brackets by dc or dh in place: 8 NumPy calls per step
    instead of ~25, with no temporaries. (Measured, float32, CPU time, against computing the
    same products inside the loop: backward -55% at T,B,D,H = 100,1,10,32, -7% at
    50,32,64,128, no change at 100,64,128,256; float64 -49%, +3%, -3%.)
    """
    x, h0, c0, hs, cs = cache.x, cache.h0, cache.c0, cache.hs, cache.cs
    tanh_cs, acts, w_ih, w_hh, has_bias = (
        cache.tanh_cs,
        cache.acts,
        cache.w_ih,
        cache.w_hh,
        cache.has_bias,
    )
    T, B, D = x.shape
    H = hs.shape[2]
    w = w_hh.reshape(4, H, H)  # w[k] = W_k
    i, f, g, o = acts  # (T, B, H) each
    # dL/d(pre-activation) of the four gates, gate-major (4, T, B, H) like acts, one block
    # for all t so that the weight gradients are matmuls after the loop. It first holds
    # the brackets above (sigmoid' = s (1 - s), tanh' = 1 - g^2):
    dA = np.subtract(1.0, acts)
    dA *= acts  # s (1 - s) for i, f, o
    np.multiply(g, g, out=dA[2])
    np.subtract(1.0, dA[2], out=dA[2])  # 1 - g^2 for g
    dA[0] *= g
    dA[1, 0] *= c0
    dA[1, 1:] *= cs[:-1]
    dA[2] *= i
    dA[3] *= tanh_cs
    # dc_t gets dh_t * o (1 - tanh^2 c_t) through h_t = o * tanh(c_t)
    kc = np.multiply(tanh_cs, tanh_cs)
    np.subtract(1.0, kc, out=kc)
    kc *= o
    dh = dh_T.copy()
    dc = dc_T.copy()
    tmp = np.empty_like(dh)
    back = np.empty((4, B, H), dtype=dh.dtype)
    for t in reversed(range(T)):
        dh += dhs[t]  # h_t feeds the output at t and the gates at t+1
        dc += np.multiply(dh, kc[t], out=tmp)  # through h_t = o * tanh(c_t)
        dA[:3, t] *= dc  # d a_i, d a_f, d a_g: through c_t = f * c_{t-1} + i * g
        dA[3, t] *= dh  # d a_o: through h_t = o * tanh(c_t)
        dc *= f[t]  # the constant error carousel: dc_{t-1} = dc_t * f_t
        np.matmul(dA[:, t], w, out=back).sum(axis=0, out=dh)  # sum_k W_k^T da_k -> h_{t-1}
    # a_t = [U W b] [x_t; h_{t-1}; 1], so one matmul with the rows [x_t; h_{t-1}; 1] of every
    # step gives sum_t da_t x_t^T, sum_t da_t h_{t-1}^T and sum_t da_t: U, W and b are shared
    # over time, their gradients sum over t.
    xh1 = np.empty((T, B, D + H + int(has_bias)), dtype=x.dtype)
    xh1[:, :, :D] = x
    xh1[0, :, D : D + H] = h0
    xh1[1:, :, D : D + H] = hs[:-1]
    xh1[:, :, D + H :] = 1.0
    dA2 = dA.reshape(4, T * B, H)
    # (4, H, .) stacked gate by gate is exactly the (4H, .) row layout of the weights.
    dw = np.matmul(dA2.transpose(0, 2, 1), xh1.reshape(T * B, -1))
    dw_ih = dw[:, :, :D].reshape(4 * H, D)
    dw_hh = dw[:, :, D : D + H].reshape(4 * H, H)
    db = dw[:, :, D + H].reshape(4 * H) if has_bias else None
    # dx_t = sum_k U_k^T da_k,t, accumulated gate by gate (no (4, T*B, D) temporary)
    u = w_ih.reshape(4, H, D)
    dx = np.matmul(dA2[0], u[0])
    for k in range(1, 4):
        dx += dA2[k] @ u[k]
    dx = dx.reshape(T, B, D)
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
