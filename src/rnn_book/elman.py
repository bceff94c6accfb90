"""The Elman RNN (the book's "simple RNN"): h_t = f(U x_t + W h_{t-1} + b).

In the book's notation U = ``weight_ih``, W = ``weight_hh`` and b = ``bias_ih + bias_hh``;
the output layer V lives in ``rnn_book.layers.Linear``.

Read in this order:

* ``rnn_step_forward`` / ``rnn_step_backward``: ONE time step, one line per equation;
* ``rnn_forward`` / ``rnn_backward``: all T steps of one layer in one direction, the same
  arithmetic rearranged for speed (tests check that looping the step functions gives the
  same numbers);
* ``RNN``: stacks layers and directions (``recurrent.py``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnn_book.recurrent import Recurrent

__all__ = [
    "RNN",
    "RNNCache",
    "RNNStepCache",
    "rnn_backward",
    "rnn_forward",
    "rnn_step_backward",
    "rnn_step_forward",
]

_NONLINEARITIES = ("tanh", "relu")


class RNNStepCache(NamedTuple):
    """What ``rnn_step_backward`` needs from one ``rnn_step_forward``."""

    x_t: np.ndarray  # (B, D)
    h_prev: np.ndarray  # (B, H) h_{t-1}
    h_t: np.ndarray  # (B, H)
    w_ih: np.ndarray  # (H, D) U
    w_hh: np.ndarray  # (H, H) W
    has_bias: bool
    nonlinearity: str


def rnn_step_forward(x_t, h_prev, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity="tanh"):
    """One step h_t = f(U x_t + b_ih + W h_{t-1} + b_hh), f = tanh or relu.

    Parameters
    ----------
    x_t : (B, D) input at step t.
    h_prev : (B, H) state h_{t-1}.
    w_ih : (H, D) U.
    w_hh : (H, H) W.
    b_ih, b_hh : (H,) or both None.

    Returns
    -------
    h_t : (B, H).
    cache : ``RNNStepCache`` for ``rnn_step_backward``.
    """
    a_t = x_t @ w_ih.T + h_prev @ w_hh.T  # U x_t + W h_{t-1}  (rows are samples: x W^T)
    if b_ih is not None:
        a_t = a_t + b_ih + b_hh
    if nonlinearity == "tanh":
        h_t = np.tanh(a_t)
    else:
        h_t = np.maximum(a_t, 0.0)
    return h_t, RNNStepCache(x_t, h_prev, h_t, w_ih, w_hh, b_ih is not None, nonlinearity)


def rnn_step_backward(dh_t, cache):
    """Gradients of one ``rnn_step_forward``.

    Parameters
    ----------
    dh_t : (B, H) dL/dh_t (from the output at t AND from step t+1).
    cache : ``RNNStepCache``.

    Returns
    -------
    dx_t : (B, D).
    dh_prev : (B, H).
    dw_ih : (H, D).
    dw_hh : (H, H).
    db_ih, db_hh : (H,) each, or None without bias.
    """
    if cache.nonlinearity == "tanh":
        da_t = dh_t * (1.0 - cache.h_t**2)  # tanh'(a) = 1 - tanh(a)^2 = 1 - h_t^2
    else:
        da_t = dh_t * (cache.h_t > 0)  # relu'(a) = 1 where a > 0
    dx_t = da_t @ cache.w_ih  # U^T da_t
    dh_prev = da_t @ cache.w_hh  # W^T da_t
    dw_ih = da_t.T @ cache.x_t  # da_t x_t^T, summed over the batch
    dw_hh = da_t.T @ cache.h_prev  # da_t h_{t-1}^T
    db_ih = da_t.sum(axis=0) if cache.has_bias else None
    db_hh = da_t.sum(axis=0) if cache.has_bias else None  # b_ih and b_hh enter alike
    return dx_t, dh_prev, dw_ih, dw_hh, db_ih, db_hh


class RNNCache(NamedTuple):
    """What ``rnn_backward`` needs from one ``rnn_forward``."""

    x: np.ndarray  # (T, B, D)
    h0: np.ndarray  # (B, H)
    hs: np.ndarray  # (T, B, H) h_1..h_T
    w_ih: np.ndarray  # (H, D)
    w_hh: np.ndarray  # (H, H)
    has_bias: bool
    nonlinearity: str

    def step(self, t: int) -> RNNStepCache:
        """The ``RNNStepCache`` of step t (0-based) of the sequence."""
        h_prev = self.hs[t - 1] if t > 0 else self.h0
        return RNNStepCache(
            self.x[t], h_prev, self.hs[t], self.w_ih, self.w_hh, self.has_bias, self.nonlinearity
        )


def rnn_forward(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity="tanh"):
    """One layer, one direction, all T steps.

    Parameters
    ----------
    x : (T, B, D) inputs x_1..x_T.
    h0 : (B, H) initial state h_0.
    w_ih : (H, D) U.
    w_hh : (H, H) W.
    b_ih, b_hh : (H,) or None.

    Returns
    -------
    hs : (T, B, H) the states h_1..h_T.
    cache : ``RNNCache`` for ``rnn_backward``.

    The same numbers as looping ``rnn_step_forward``, computed faster: every U x_t in one
    matmul before the loop, everything written into preallocated arrays.
    """
    T, B, D = x.shape
    H = w_hh.shape[0]
    hs = np.empty((T, B, H), dtype=x.dtype)
    # U x_t + b for every t in one matmul, written straight into hs: the only part that does
    # not wait for h_{t-1}.
    np.matmul(x.reshape(T * B, D), w_ih.T, out=hs.reshape(T * B, H))
    if b_ih is not None:
        hs += b_ih + b_hh
    # W^T made contiguous once so that every step's matmul is a plain (non-transposed) BLAS
    # call, the faster kind for these small shapes.
    w_hh_T = np.ascontiguousarray(w_hh.T)
    hw = np.empty((B, H), dtype=x.dtype)  # W h_{t-1}, one step at a time
    h = h0
    for t in range(T):
        a = hs[t]  # holds U x_t + b
        a += np.matmul(h, w_hh_T, out=hw)  # + W h_{t-1}
        if nonlinearity == "tanh":
            np.tanh(a, out=a)  # h_t = tanh(a_t)
        else:
            np.maximum(a, 0.0, out=a)  # h_t = relu(a_t)
        h = a
    return hs, RNNCache(x, h0, hs, w_ih, w_hh, b_ih is not None, nonlinearity)


def rnn_backward(dhs, dh_T, cache):
    """Backpropagation through time for ``rnn_forward``.

    Parameters
    ----------
    dhs : (T, B, H) gradient of the loss w.r.t. every h_t coming from above (outputs).
    dh_T : (B, H) gradient w.r.t. the final state h_T (from h_n).
    cache : ``RNNCache`` from ``rnn_forward``.

    Returns
    -------
    dx : (T, B, D).
    dh0 : (B, H).
    dweights : (dU (H, D), dW (H, H), db_ih (H,) or None, db_hh (H,) or None).
    """
    x, h0, hs, w_ih, w_hh = cache.x, cache.h0, cache.hs, cache.w_ih, cache.w_hh
    T, B, D = x.shape
    H = w_hh.shape[0]
    da = np.empty_like(hs)  # dL/da_t for every t, kept as one block for the matmuls below
    dh = dh_T.copy()
    for t in reversed(range(T)):
        dh += dhs[t]  # h_t feeds the output at t and the state at t+1
        if cache.nonlinearity == "tanh":
            np.multiply(dh, 1.0 - hs[t] * hs[t], out=da[t])  # tanh' = 1 - h_t^2
        else:
            np.multiply(dh, hs[t] > 0, out=da[t])
        dh = da[t] @ w_hh  # W^T da_t flows back to h_{t-1}
    h_prev = np.concatenate([h0[None], hs[:-1]], axis=0).reshape(T * B, H)
    da2 = da.reshape(T * B, H)
    dw_ih = da2.T @ x.reshape(T * B, D)  # sum_t da_t x_t^T: U is shared, its gradient sums
    dw_hh = da2.T @ h_prev  # sum_t da_t h_{t-1}^T: so is W's
    dx = (da2 @ w_ih).reshape(T, B, D)
    db = da2.sum(axis=0) if cache.has_bias else None
    return dx, dh, (dw_ih, dw_hh, db, None if db is None else db.copy())


class RNN(Recurrent):
    """Elman RNN, the same model and conventions as ``torch.nn.RNN``.

    h_t = tanh(U x_t + b_ih + W h_{t-1} + b_hh)   (or relu), per layer and direction,
    with U = ``weight_ih_l{k}`` (H, D) and W = ``weight_hh_l{k}`` (H, H).
    See ``Recurrent`` for the arguments, ``forward`` and ``backward``.
    """

    gates = 1
    state_names = ("h",)

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        bidirectional: bool = False,
        dtype=np.float64,
        seed: int | None = None,
    ):
        if nonlinearity not in _NONLINEARITIES:
            raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(
            input_size, hidden_size, num_layers, bias, batch_first, bidirectional, dtype, seed
        )

    def _sequence_forward(self, x, states, weights):
        hs, cache = rnn_forward(x, states[0], *weights, nonlinearity=self.nonlinearity)
        return hs, (hs[-1],), cache

    def _sequence_backward(self, dout, dstates, cache):
        dx, dh0, dw = rnn_backward(dout, dstates[0], cache)
        return dx, (dh0,), dw
