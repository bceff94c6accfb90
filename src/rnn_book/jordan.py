"""The Jordan network (Jordan 1986): the previous OUTPUT, not the previous state, is fed back.

In the book's notation, with the context s_t standing for what the output layer fed back::

    h_t = f(U x_t + W s_t + b)          f in {tanh, relu}
    z_t = V h_t + c                     pre-activation of the output layer
    y_t = g(z_t)                        g in {identity, tanh, sigmoid, softmax}
    s_1 = y_0,   s_{t+1} = mu * s_t + y_t

With the default ``context_decay`` mu = 0 the context is simply the previous output,
s_t = y_{t-1}, which is how the network is usually written. Jordan's original "state units"
also had a fixed self-connection of strength 0 <= mu < 1, so that the context is an
exponentially decaying trace of all past outputs; ``context_decay`` reproduces that.

Compared with the Elman RNN (``rnn_book.elman``), W maps the C-dimensional output back into
the hidden layer (shape (H, C), not (H, H)), and V is part of the recurrent loop: gradients
flowing back in time pass through g', V, f' and W at every step. There is no PyTorch module
for this network, so the parameters keep the book's names U, W, b, V, c.

``jordan_forward`` and ``jordan_backward`` are the bare single-sequence functions (time-major);
``JordanRNN`` wraps them with parameters, checks, ``batch_first`` and gradient accumulation.
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
    prepare_sequence,
)
from rnn_book.functional import sigmoid_fast
from rnn_book.module import Module, grad_enabled, no_cache_error

__all__ = ["JordanRNN", "jordan_backward", "jordan_forward"]

_NONLINEARITIES = ("tanh", "relu")
_OUTPUT_ACTIVATIONS = ("identity", "tanh", "sigmoid", "softmax")


def _activate_output(z: np.ndarray, g: str, out: np.ndarray) -> np.ndarray:
    """y = g(z) written into ``out`` ((B, C) arrays); stable for |z| > 1000."""
    if g == "tanh":
        return np.tanh(z, out=out)
    if g == "sigmoid":
        # the tanh form: never overflows, absolute error < 2 eps (see functional.sigmoid_fast)
        return sigmoid_fast(z, out=out)
    if g == "softmax":
        np.subtract(z, z.max(axis=-1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=-1, keepdims=True)
        return out
    out[...] = z  # identity
    return out


def _output_backward(dy: np.ndarray, y: np.ndarray, g: str) -> np.ndarray:
    """dL/dz from dL/dy for y = g(z), using only y; (B, C) arrays."""
    if g == "tanh":
        return dy * (1.0 - y * y)
    if g == "sigmoid":
        return dy * (y * (1.0 - y))
    if g == "softmax":
        # Jacobian diag(y) - y y^T applied to dy, row by row
        return y * (dy - (dy * y).sum(axis=-1, keepdims=True))
    return dy


class JordanCache(NamedTuple):
    """What ``jordan_backward`` needs from ``jordan_forward``."""

    x: np.ndarray  # (T, B, D) inputs
    hs: np.ndarray  # (T, B, H) hidden states
    ys: np.ndarray  # (T, B, C) outputs, fed back through the context
    ss: np.ndarray  # (T, B, C) the context each step read (s before its update)
    U: np.ndarray  # (H, D)
    W: np.ndarray  # (H, C) context -> hidden
    V: np.ndarray  # (C, H) hidden -> output
    has_bias: bool
    nonlinearity: str
    output_activation: str
    context_decay: float


def jordan_forward(
    x,
    y0,
    U,
    W,
    V,
    b=None,
    c=None,
    nonlinearity="tanh",
    output_activation="sigmoid",
    context_decay=0.0,
):
    """All T steps of a Jordan network for a batch (time-major, no input checks).

    Parameters
    ----------
    x : (T, B, D) inputs x_1..x_T.
    y0 : (B, C) the context fed into step 1 (the "previous output" y_0).
    U : (H, D).
    W : (H, C).
    V : (C, H).
    b : (H,) or None.
    c : (C,) or None.
    nonlinearity : f, "tanh" or "relu".
    output_activation : g, "identity", "tanh", "sigmoid" or "softmax".
    context_decay : mu in s_{t+1} = mu s_t + y_t (0 gives s_{t+1} = y_t).

    Returns
    -------
    zs : (T, B, C) pre-activations z_1..z_T.
    ys : (T, B, C) outputs y_t = g(z_t) (the same array as ``zs`` when g is the identity).
    s_next : (B, C) the context for step T + 1 (= y_T when mu = 0).
    cache : what ``jordan_backward`` needs.
    """
    T, B, D = x.shape
    H, C = U.shape[0], V.shape[0]
    # U x_t + b for every t in one matmul: the only part that does not wait for y_{t-1}.
    xu = (x.reshape(T * B, D) @ U.T).reshape(T, B, H)
    if b is not None:
        xu += b
    hs = np.empty((T, B, H), dtype=x.dtype)
    zs = np.empty((T, B, C), dtype=x.dtype)
    ys = zs if output_activation == "identity" else np.empty((T, B, C), dtype=x.dtype)
    ss = np.empty((T, B, C), dtype=x.dtype)  # s_1..s_T, kept for dW after the loop
    W_T, V_T = W.T, V.T
    s = y0
    for t in range(T):
        ss[t] = s
        a = np.matmul(s, W_T, out=hs[t])  # W s_t
        a += xu[t]  # + U x_t + b
        if nonlinearity == "tanh":
            np.tanh(a, out=a)
        else:
            np.maximum(a, 0.0, out=a)
        z = np.matmul(a, V_T, out=zs[t])  # V h_t
        if c is not None:
            z += c
        y = z if ys is zs else _activate_output(z, output_activation, ys[t])
        s = y if context_decay == 0.0 else context_decay * s + y
    s_next = s.copy()  # a fresh array: the caller may overwrite it without touching the cache
    cache = JordanCache(
        x, hs, ys, ss, U, W, V, b is not None, nonlinearity, output_activation, context_decay
    )
    return zs, ys, s_next, cache


def jordan_backward(dzs, ds_next, cache, dys=None):
    """Backpropagation through time for ``jordan_forward``.

    The gradient reaching y_t has two sources, the loss (``dys``) and the context s_{t+1}
    of the next step; it crosses g' into z_t, V into h_t, f' into a_t and W into s_t, so the
    output layer is part of every backward step, unlike in the Elman RNN.

    Parameters
    ----------
    dzs : (T, B, C) gradient of the loss w.r.t. every z_t (e.g. from ``cross_entropy``).
    ds_next : (B, C) gradient w.r.t. the returned ``s_next`` (y_T when mu = 0).
    cache : from ``jordan_forward``.
    dys : (T, B, C) gradient w.r.t. every y_t from the loss, or None.

    Returns
    -------
    dx : (T, B, D).
    dy0 : (B, C) gradient w.r.t. ``y0``.
    dweights : dict with "U" (H, D), "W" (H, C), "V" (C, H) and, with biases, "b" (H,), "c" (C,).
    """
    x, hs, ys, ss, U, W, V, has_bias, nonlinearity, g, mu = cache
    T, B, D = x.shape
    H, C = hs.shape[2], ys.shape[2]
    # total dL/dz_t, kept as one block for dV and dc after the loop
    dz_all = np.array(dzs, dtype=hs.dtype, order="C", copy=True)
    da = np.empty_like(hs)  # dL/da_t, one block for dU, dW, db, dx
    ds = np.array(ds_next, dtype=hs.dtype, copy=True)  # dL/ds_{t+1}
    for t in reversed(range(T)):
        dy = ds if dys is None else ds + dys[t]  # y_t feeds the loss and the next context
        dz_all[t] += _output_backward(dy, ys[t], g)
        dh = dz_all[t] @ V  # V^T dz_t
        if nonlinearity == "tanh":
            np.multiply(dh, 1.0 - hs[t] * hs[t], out=da[t])
        else:
            np.multiply(dh, hs[t] > 0, out=da[t])
        ds_prev = da[t] @ W  # W^T da_t reaches s_t
        if mu != 0.0:
            ds_prev += mu * ds  # s_{t+1} = mu s_t + y_t
        ds = ds_prev
    da2 = da.reshape(T * B, H)
    dz2 = dz_all.reshape(T * B, C)
    # U, W, V are shared by all steps: each gradient is a sum over t, i.e. one matmul.
    dweights = {
        "U": da2.T @ x.reshape(T * B, D),
        "W": da2.T @ ss.reshape(T * B, C),
        "V": dz2.T @ hs.reshape(T * B, H),
    }
    if has_bias:
        dweights["b"] = da2.sum(axis=0)
        dweights["c"] = dz2.sum(axis=0)
    dx = (da2 @ U).reshape(T, B, D)
    return dx, ds, dweights


class JordanRNN(Module):
    """Jordan network: h_t = f(U x_t + W y_{t-1} + b), z_t = V h_t + c, y_t = g(z_t).

    Parameters
    ----------
    input_size : D, features of x_t.
    hidden_size : H, size of h_t.
    output_size : C, size of z_t and of the fed-back y_t.
    nonlinearity : f, "tanh" (default) or "relu".
    output_activation : g, the squashing of the output that is fed back: "sigmoid" (default),
        "tanh", "softmax" or "identity". The default is the logistic function because
        Jordan's network was built from the logistic units of the parallel-distributed-
        processing framework, so the fed-back outputs lie in (0, 1); a bounded g also keeps
        the loop y -> h -> y bounded with f = relu, where "identity" can blow up.
        For classification, "softmax" feeds back the predicted distribution while the loss
        is computed on the returned pre-activations z with ``cross_entropy``.
    bias : whether to use b (H,) and c (C,).
    batch_first : if True, x and z are (B, T, .) instead of (T, B, .).
    dtype : np.float64 (default) or np.float32.
    seed : seed of the initialisation, U(-1/sqrt(H), 1/sqrt(H)) for every parameter
        (PyTorch's rule for recurrent layers), drawn in the order U, W, b, V, c.
    context_decay : mu, 0 <= mu < 1, strength of the fixed self-connection of Jordan's state
        units: the context is s_{t+1} = mu s_t + y_t with s_1 = y0. The default 0 gives the
        common form s_{t+1} = y_t.

    Attributes
    ----------
    params : {"U": (H, D), "W": (H, C), "b": (H,), "V": (C, H), "c": (C,)} (no b, c if not bias).
    grads : same keys and shapes; ``backward`` ADDS to them, ``zero_grad()`` resets them.
    y : after ``forward``, the outputs y_1..y_T, (T, B, C) (or (B, T, C) if batch_first), a
        read-only view of what ``backward`` uses; with output_activation="identity" it
        equals the ``z`` returned by ``forward`` (which is the caller's own copy).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int,
        nonlinearity: str = "tanh",
        output_activation: str = "sigmoid",
        bias: bool = True,
        batch_first: bool = False,
        dtype=np.float64,
        seed: int | None = None,
        context_decay: float = 0.0,
    ):
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.output_size = check_positive_int("output_size", output_size)
        if nonlinearity not in _NONLINEARITIES:
            raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}")
        if output_activation not in _OUTPUT_ACTIVATIONS:
            raise ValueError(
                f"output_activation: expected one of {_OUTPUT_ACTIVATIONS}, "
                f"got {output_activation!r}"
            )
        check_flag("bias", bias)
        check_flag("batch_first", batch_first)
        if isinstance(context_decay, bool) or not isinstance(
            context_decay, (int, float, np.integer, np.floating)
        ):
            raise TypeError(
                f"context_decay: expected a float in [0, 1), got {type(context_decay).__name__}"
            )
        if not 0.0 <= float(context_decay) < 1.0:
            raise ValueError(f"context_decay: expected a float in [0, 1), got {context_decay}")
        self.nonlinearity = nonlinearity
        self.output_activation = output_activation
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.context_decay = float(context_decay)
        self.dtype = check_dtype(dtype)
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(self.hidden_size)
        self.params: dict[str, np.ndarray] = {
            name: rng.uniform(-bound, bound, size=shape).astype(self.dtype)
            for name, shape in self._param_shapes().items()
        }
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self.y: np.ndarray | None = None
        self._cache = None

    # ------------------------------------------------------------------ parameters
    def _param_shapes(self) -> dict[str, tuple[int, ...]]:
        D, H, C = self.input_size, self.hidden_size, self.output_size
        shapes = {"U": (H, D), "W": (H, C)}
        if self.bias:
            shapes["b"] = (H,)
        shapes["V"] = (C, H)
        if self.bias:
            shapes["c"] = (C,)
        return shapes

    # ------------------------------------------------------------------ input checks
    def _prepare_x(self, x, copy: bool = False) -> tuple[np.ndarray, bool]:
        """x as (T, B, D) in self.dtype (a private copy if ``copy``), and whether the caller
        passed an unbatched (T, D)."""
        return prepare_sequence(x, self.input_size, self.dtype, self.batch_first, copy=copy)

    def _prepare_context(self, name: str, s, B: int, unbatched: bool) -> np.ndarray:
        """A (B, C) context (y0 or dy_T); None means zeros."""
        C = self.output_size
        if s is None:
            return np.zeros((B, C), dtype=self.dtype)
        s = as_float_array(name, s, self.dtype)
        if unbatched:
            check_shape(name, s, (C,), "(C,) = (output_size,) for unbatched x")
            return s[None, :]
        if s.ndim == 2 and s.shape[0] != B:
            raise ValueError(
                f"{name}: expected batch size B = {B} to match x, got shape {s.shape} "
                f"(expected {(B, C)} = (B, C))"
            )
        check_shape(name, s, (B, C), "(B, C) = (batch, output_size)")
        return s

    def _prepare_sequence_grad(self, name: str, g, T: int, B: int, unbatched: bool):
        """A gradient shaped like z, returned time-major (T, B, C)."""
        C = self.output_size
        g = as_float_array(name, g, self.dtype)
        if unbatched:
            check_shape(name, g, (T, C), "(T, C), the shape of z")
            return g[:, None, :]
        if self.batch_first:
            check_shape(name, g, (B, T, C), "(B, T, C), the shape of z")
            return g.transpose(1, 0, 2)
        check_shape(name, g, (T, B, C), "(T, B, C), the shape of z")
        return g

    # ------------------------------------------------------------------ forward / backward
    def forward(self, x, y0=None):
        """Run the whole sequence.

        Parameters
        ----------
        x : (T, B, D), or (B, T, D) if batch_first, or (T, D) unbatched.
        y0 : (B, C) the output fed back into step 1 ((C,) unbatched); zeros if None.

        Returns
        -------
        z : (T, B, C) (batch_first: (B, T, C)) pre-activations z_t = V h_t + c, the logits to
            give to ``cross_entropy``; the fed-back outputs y_t = g(z_t) are in ``self.y``.
        y_T : (B, C) the last output y_T, i.e. the y0 that continues the sequence in a later
            call. With context_decay mu > 0 it is the next context s_{T+1} = mu s_T + y_T.
        """
        self._check_params()
        train = grad_enabled()  # False under no_grad: keep no cache, copy nothing
        x, unbatched = self._prepare_x(x, copy=train)
        T, B, _ = x.shape
        y0 = self._prepare_context("y0", y0, B, unbatched)  # jordan_forward copies it into ss
        p = self.params
        zs, ys, s_next, cache = jordan_forward(
            x,
            y0,
            p["U"],
            p["W"],
            p["V"],
            p.get("b"),
            p.get("c"),
            nonlinearity=self.nonlinearity,
            output_activation=self.output_activation,
            context_decay=self.context_decay,
        )
        if train:
            self._cache = (cache, (T, B), unbatched)
            if ys is zs:
                zs = zs.copy()  # identity output: the cache holds z as y, the caller gets a copy
        if unbatched:
            zs, ys, s_next = zs[:, 0], ys[:, 0], s_next[0]
        elif self.batch_first:
            zs, ys = zs.transpose(1, 0, 2), ys.transpose(1, 0, 2)
        self.y = ys.view()
        self.y.flags.writeable = False  # the cache's array: readable, not writable
        return zs, s_next

    def backward(self, dz, dy_T=None, dy=None):
        """Backpropagation through time for the last ``forward`` call.

        Parameters
        ----------
        dz : gradient of the loss w.r.t. ``z``, same shape as ``z``.
        dy_T : gradient w.r.t. the returned ``y_T`` (B, C), or None for zero.
        dy : gradient w.r.t. the outputs ``self.y`` (shape of ``z``) when the loss reads
            y_t = g(z_t) directly (e.g. a squared error on sigmoid outputs), or None.

        Returns
        -------
        dx : gradient w.r.t. ``x``, same shape as ``x``.
        dy0 : gradient w.r.t. ``y0``, (B, C) ((C,) unbatched).

        Parameter gradients are ADDED to ``self.grads`` (call ``zero_grad()`` between steps).
        """
        if self._cache is None:
            raise no_cache_error()
        cache, (T, B), unbatched = self._cache
        dz = self._prepare_sequence_grad("dz", dz, T, B, unbatched)
        dys = None if dy is None else self._prepare_sequence_grad("dy", dy, T, B, unbatched)
        ds_next = self._prepare_context("dy_T", dy_T, B, unbatched)
        dx, dy0, dweights = jordan_backward(dz, ds_next, cache, dys)
        for name, d in dweights.items():
            self.grads[name] += d
        if unbatched:
            return dx[:, 0], dy0[0]
        if self.batch_first:
            dx = dx.transpose(1, 0, 2)
        return dx, dy0

    __call__ = forward

    def __repr__(self) -> str:
        decay = f", context_decay={self.context_decay}" if self.context_decay else ""
        return (
            f"JordanRNN({self.input_size}, {self.hidden_size}, {self.output_size}, "
            f"nonlinearity={self.nonlinearity!r}, output_activation={self.output_activation!r}, "
            f"bias={self.bias}, batch_first={self.batch_first}, dtype={self.dtype.name}{decay})"
        )
