"""The independently recurrent neural network, IndRNN (Li, Li, Cook, Zhu & Gao 2018).

Every hidden unit has ONE recurrent weight, on its own previous value::

    a_t = U x_t + w * h_{t-1} + b,      h_t = relu(a_t)      (* element-wise)

with U (H, D), w (H,), b (H,). The recurrent matrix of the Elman RNN becomes diag(w), so the
units do not talk to each other inside a layer (they mix through U of the next layer in a
stack). The gradient one step back is a diagonal matrix, dh_{t-1} = w * relu'(a_t) * dh_t,
and after k steps unit i has been multiplied by prod w_i relu'(.): each unit's memory is
controlled by one number. Li et al. keep it in range by constraining
``|w_i| <= gamma^(1/T)`` (``clip_recurrent``).

The layer follows the package's recurrent API (time-major x (T, B, D), state (1, B, H),
``forward``/``backward``/``grads``/``zero_grad``), so ``gradient_norms_over_distance`` and the
optimisers work with it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnn_book._validate import (
    as_float_array,
    check_dtype,
    check_flag,
    check_positive_int,
    check_shape,
)
from rnn_book.module import Module, grad_enabled, no_cache_error

__all__ = ["IndRNN", "indrnn_backward", "indrnn_forward"]


class IndRNNCache(NamedTuple):
    """What ``indrnn_backward`` needs from ``indrnn_forward``."""

    x: np.ndarray  # (T, B, D) inputs
    h0: np.ndarray  # (B, H) initial state
    hs: np.ndarray  # (T, B, H) states h_1..h_T
    U: np.ndarray  # (H, D) input weights
    w: np.ndarray  # (H,) one recurrent weight per unit
    has_bias: bool
    nonlinearity: str


def indrnn_forward(x, h0, U, w, b=None, nonlinearity="relu"):
    """All T steps for a batch.

    x : (T, B, D).
    h0 : (B, H).
    U : (H, D).
    w : (H,).
    b : (H,) or None.
    Returns hs : (T, B, H) the states h_1..h_T, and the cache for ``indrnn_backward``.
    """
    T, B, D = x.shape
    H = U.shape[0]
    xu = (x.reshape(T * B, D) @ U.T).reshape(T, B, H)  # U x_t for all t in one matmul
    if b is not None:
        xu += b
    hs = np.empty((T, B, H), dtype=x.dtype)
    h = h0
    for t in range(T):
        a = np.multiply(h, w, out=hs[t])
        a += xu[t]
        if nonlinearity == "relu":
            np.maximum(a, 0.0, out=a)
        else:
            np.tanh(a, out=a)
        h = a
    return hs, IndRNNCache(x, h0, hs, U, w, b is not None, nonlinearity)


def indrnn_backward(dhs, dh_T, cache):
    """BPTT for ``indrnn_forward``.

    dhs : (T, B, H) gradient from above at every step.
    dh_T : (B, H) gradient on h_T.
    Returns dx (T, B, D), dh0 (B, H) and a dict {"U": (H, D), "w": (H,), "b": (H,)}.
    """
    x, h0, hs, U, w, has_bias, nonlinearity = cache
    T, B, D = x.shape
    H = U.shape[0]
    da = np.empty_like(hs)
    dh = dh_T.copy()
    for t in reversed(range(T)):
        dh += dhs[t]
        if nonlinearity == "relu":
            np.multiply(dh, hs[t] > 0, out=da[t])
        else:
            np.multiply(dh, 1.0 - hs[t] * hs[t], out=da[t])
        dh = da[t] * w  # diagonal recurrence: no matrix product
    h_prev = np.concatenate([h0[None], hs[:-1]], axis=0)
    flat = da.reshape(T * B, H)
    grads = {"U": flat.T @ x.reshape(T * B, D), "w": np.einsum("tbh,tbh->h", da, h_prev)}
    if has_bias:
        grads["b"] = flat.sum(axis=0)
    dx = (flat @ U).reshape(T, B, D)
    return dx, dh, grads


class IndRNN(Module):
    """One IndRNN layer: h_t = relu(U x_t + w * h_{t-1} + b).

    Parameters
    ----------
    input_size : D.
    hidden_size : H.
    nonlinearity : "relu" (the paper's choice) or "tanh".
    bias : whether to use b.
    dtype : np.float64 (default) or np.float32.
    seed : initialisation: U ~ N(0, 1/D) scaled by ``input_scale``, w ~ U(w_low, w_high),
        b = 0 (drawn in the order U, w).
    w_low, w_high : range of the initial recurrent weights (Li et al. use (0, 1) for the
        adding problem).
    input_scale : multiplies the initial U.

    Attributes
    ----------
    params : {"U": (H, D), "w": (H,), "b": (H,)} (no "b" without bias).
    grads : same keys and shapes; ``backward`` adds to them.
    """

    num_layers = 1
    num_directions = 1
    bidirectional = False
    batch_first = False

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        nonlinearity: str = "relu",
        bias: bool = True,
        dtype=np.float64,
        seed: int | None = None,
        w_low: float = 0.0,
        w_high: float = 1.0,
        input_scale: float = 1.0,
    ):
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        if nonlinearity not in ("relu", "tanh"):
            raise ValueError(f"nonlinearity: expected 'relu' or 'tanh', got {nonlinearity!r}")
        check_flag("bias", bias)
        self.nonlinearity = nonlinearity
        self.bias = bool(bias)
        self.dtype = check_dtype(dtype)
        rng = np.random.default_rng(seed)
        D, H = self.input_size, self.hidden_size
        self.params = {
            "U": (input_scale * rng.standard_normal((H, D)) / np.sqrt(D)).astype(self.dtype),
            "w": rng.uniform(w_low, w_high, size=H).astype(self.dtype),
        }
        if self.bias:
            self.params["b"] = np.zeros(H, dtype=self.dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._cache = None

    def _param_shapes(self) -> dict[str, tuple[int, ...]]:
        shapes = {"U": (self.hidden_size, self.input_size), "w": (self.hidden_size,)}
        if self.bias:
            shapes["b"] = (self.hidden_size,)
        return shapes

    def clip_recurrent(self, max_abs: float) -> None:
        """Constrain ``|w_i| <= max_abs`` in place (Li et al.: max_abs = gamma ** (1 / T))."""
        np.clip(self.params["w"], -max_abs, max_abs, out=self.params["w"])

    def forward(self, x, h0=None):
        """x (T, B, D); h0 (1, B, H) or None -> out (T, B, H), h_n (1, B, H).

        The cache keeps private copies of x and h0 (none under ``rb.no_grad()``); ``out``
        and ``h_n`` are the caller's own arrays.
        """
        self._check_params()
        train = grad_enabled()
        x = as_float_array("x", x, self.dtype, copy=train)
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(
                f"x: expected shape (T, B, {self.input_size}) (time, batch, features), "
                f"got {x.shape}"
            )
        _, B, _ = x.shape
        H = self.hidden_size
        if h0 is None:
            h0 = np.zeros((1, B, H), dtype=self.dtype)
        else:
            h0 = as_float_array("h0", h0, self.dtype, copy=train)
            check_shape("h0", h0, (1, B, H), "(1, batch, hidden)")
        hs, cache = indrnn_forward(
            x, h0[0], self.params["U"], self.params["w"], self.params.get("b"), self.nonlinearity
        )
        if not train:
            return hs, hs[-1][None].copy()
        self._cache = cache
        return hs.copy(), hs[-1][None].copy()  # the cache holds hs: the caller gets copies

    def backward(self, dout, dh_n=None):
        """dout (T, B, H); dh_n (1, B, H) or None -> dx (T, B, D), dh0 (1, B, H)."""
        if self._cache is None:
            raise no_cache_error()
        hs = self._cache.hs
        _, B, H = hs.shape
        dout = as_float_array("dout", dout, self.dtype)
        check_shape("dout", dout, hs.shape, "(time, batch, hidden)")
        if dh_n is None:
            dh_T = np.zeros((B, H), dtype=self.dtype)
        else:
            dh_n = as_float_array("dh_n", dh_n, self.dtype)
            check_shape("dh_n", dh_n, (1, B, H), "(1, batch, hidden)")
            dh_T = dh_n[0]
        dx, dh0, grads = indrnn_backward(dout, dh_T, self._cache)
        for k, g in grads.items():
            self.grads[k] += g
        return dx, dh0[None]
