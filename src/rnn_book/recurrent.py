"""The machinery every recurrent layer shares: parameters, stacking, both directions, checks.

A subclass supplies two functions for ONE layer in ONE direction, both time-major::

    _sequence_forward(x (T,B,D), states, weights) -> out (T,B,H), final states, cache
    _sequence_backward(dout (T,B,H), dstates, cache) -> dx (T,B,D), dstates0, dweights

where ``states`` is a tuple of (B,H) arrays ((h,) for RNN and GRU, (h, c) for LSTM) and
``weights`` is ``(w_ih, w_hh, b_ih, b_hh)`` (biases None when ``bias=False``). This class
stacks layers (layer l > 0 reads the concatenated outputs of layer l-1), runs the reverse
direction on the time-reversed sequence, and maps everything onto PyTorch's conventions:
``h_n[layer * dirs + direction]`` and ``state_dict`` parameter names.

Ownership: ``forward`` keeps private copies of the caller's ``x`` and ``h0`` in its cache
and returns arrays the cache does not hold, so the caller may overwrite either without
changing what ``backward`` computes. Under ``rb.no_grad()`` it keeps no cache (and copies
nothing), so sampling between a forward and its backward changes no gradient.
"""

from __future__ import annotations

import numpy as np

from rnn_book._validate import (
    as_float_array,
    check_dtype,
    check_flag,
    check_positive_int,
    check_shape,
    prepare_sequence,
)
from rnn_book.module import Module, grad_enabled, no_cache_error

__all__ = ["Recurrent"]


class Recurrent(Module):
    """Base class of ``RNN``, ``LSTM`` and ``GRU``; see those for the equations.

    Parameters
    ----------
    input_size : D, features per time step.
    hidden_size : H, size of the hidden state h_t.
    num_layers : number of stacked recurrent layers.
    bias : whether to use ``bias_ih`` and ``bias_hh``.
    batch_first : if True, inputs and outputs are (B, T, features) instead of (T, B, features).
    bidirectional : if True, every layer also runs from t = T down to 1 and concatenates.
    dtype : np.float64 (default, for gradient checks) or np.float32.
    seed : seed of the initialisation U(-1/sqrt(H), 1/sqrt(H)), as PyTorch's.
    """

    gates: int = 1  # G: how many H-sized blocks the weight matrices stack (i,f,g,o -> 4)
    state_names: tuple[str, ...] = ("h",)

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        bidirectional: bool = False,
        dtype=np.float64,
        seed: int | None = None,
    ):
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        check_flag("bias", bias)
        check_flag("batch_first", batch_first)
        check_flag("bidirectional", bidirectional)
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.bidirectional = bool(bidirectional)
        self.dtype = check_dtype(dtype)
        self.num_directions = 2 if self.bidirectional else 1
        self.params: dict[str, np.ndarray] = {}
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(self.hidden_size)
        for name, shape in self._param_shapes().items():
            self.params[name] = rng.uniform(-bound, bound, size=shape).astype(self.dtype)
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self._cache = None

    # ------------------------------------------------------------------ parameters
    def _suffix(self, layer: int, direction: int) -> str:
        return f"_l{layer}" + ("_reverse" if direction else "")

    def _param_shapes(self) -> dict[str, tuple[int, ...]]:
        """PyTorch's state_dict order: per layer, per direction, w_ih, w_hh, b_ih, b_hh."""
        G, H = self.gates, self.hidden_size
        shapes = {}
        for layer in range(self.num_layers):
            d_in = self.input_size if layer == 0 else H * self.num_directions
            for direction in range(self.num_directions):
                s = self._suffix(layer, direction)
                shapes["weight_ih" + s] = (G * H, d_in)
                shapes["weight_hh" + s] = (G * H, H)
                if self.bias:
                    shapes["bias_ih" + s] = (G * H,)
                    shapes["bias_hh" + s] = (G * H,)
        return shapes

    def _weights(self, layer: int, direction: int) -> tuple:
        s = self._suffix(layer, direction)
        p = self.params
        if self.bias:
            return p["weight_ih" + s], p["weight_hh" + s], p["bias_ih" + s], p["bias_hh" + s]
        return p["weight_ih" + s], p["weight_hh" + s], None, None

    # ------------------------------------------------------------------ input checks
    def _state_shape(self, B: int) -> tuple[int, int, int]:
        return (self.num_layers * self.num_directions, B, self.hidden_size)

    def _prepare_x(self, x, copy: bool = False) -> tuple[np.ndarray, bool]:
        """x as (T, B, D) in self.dtype (a private copy if ``copy``), and whether the caller
        passed an unbatched (T, D)."""
        return prepare_sequence(x, self.input_size, self.dtype, self.batch_first, copy=copy)

    def _prepare_state(self, name: str, s, B: int, unbatched: bool, copy: bool = False):
        """Return a (L*dirs, B, H) state (a private copy if ``copy``); None means zeros."""
        shape = self._state_shape(B)
        if s is None:
            return np.zeros(shape, dtype=self.dtype)
        s = as_float_array(name, s, self.dtype, copy=copy)
        if unbatched:
            check_shape(
                name, s, (shape[0], shape[2]), "(num_layers * num_directions, H) for unbatched x"
            )
            return s[:, None, :]
        if s.ndim == 3 and s.shape[1] != B:
            raise ValueError(
                f"{name}: expected batch size B = {B} to match x, got shape {s.shape} "
                f"(expected {shape} = (num_layers * num_directions, B, H))"
            )
        check_shape(name, s, shape, "(num_layers * num_directions, B, H)")
        return s

    def _split_states(self, h0) -> tuple:
        """The public h0 argument as a tuple with one entry per state (h,) or (h, c)."""
        if len(self.state_names) == 1:
            return (h0,)
        if h0 is None:
            return (None,) * len(self.state_names)
        if not isinstance(h0, (tuple, list)) or len(h0) != len(self.state_names):
            raise TypeError(
                f"h0: expected None or a tuple ({', '.join(n + '0' for n in self.state_names)}), "
                f"got {type(h0).__name__}"
            )
        return tuple(h0)

    def _join_states(self, states: tuple):
        return states[0] if len(states) == 1 else tuple(states)

    # ------------------------------------------------------------------ forward / backward
    def forward(self, x, h0=None):
        """Run the whole sequence.

        Parameters
        ----------
        x : (T, B, D), or (B, T, D) if batch_first, or (T, D) unbatched.
        h0 : (num_layers * num_directions, B, H) initial state, zeros if None
             ((h0, c0) for the LSTM; unbatched: (num_layers * num_directions, H)).

        Returns
        -------
        out : (T, B, num_directions * H) top layer's h_t at every step (batch_first: (B, T, .)).
        h_n : (num_layers * num_directions, B, H) final state of every layer and direction,
              indexed ``layer * num_directions + direction`` ((h_n, c_n) for the LSTM).
        """
        self._check_params()
        train = grad_enabled()  # False under no_grad: keep no cache, copy nothing
        x, unbatched = self._prepare_x(x, copy=train)
        T, B, _ = x.shape
        states0 = tuple(
            self._prepare_state(n + "0", s, B, unbatched, copy=train)
            for n, s in zip(self.state_names, self._split_states(h0), strict=True)
        )
        finals = tuple(np.empty(self._state_shape(B), dtype=self.dtype) for _ in states0)
        caches = []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for direction in range(self.num_directions):
                k = layer * self.num_directions + direction
                seq = layer_in if direction == 0 else layer_in[::-1]
                out, fin, cache = self._sequence_forward(
                    seq, tuple(s[k] for s in states0), self._weights(layer, direction)
                )
                outs.append(out if direction == 0 else out[::-1])
                caches.append(cache)
                for f_all, f in zip(finals, fin, strict=True):
                    f_all[k] = f
            layer_in = outs[0] if len(outs) == 1 else np.concatenate(outs, axis=2)
        out = layer_in
        if unbatched:
            out, finals = out[:, 0], tuple(f[:, 0] for f in finals)
        elif self.batch_first:
            out = out.transpose(1, 0, 2)
        if train:
            self._cache = (caches, (T, B), unbatched)
            if self.num_directions == 1:
                # out is the top layer's hs, which its cache holds: hand the caller a copy
                # (the bidirectional concatenation and the finals are fresh arrays already)
                out = out.copy()
        return out, self._join_states(finals)

    def backward(self, dout, dh_n=None):
        """Backpropagation through time for the last ``forward`` call.

        Parameters
        ----------
        dout : gradient of the loss w.r.t. ``out``, same shape as ``out``.
        dh_n : gradient w.r.t. ``h_n`` (same shape), or None for zero
               ((dh_n, dc_n) for the LSTM, either entry may be None).

        Returns
        -------
        dx : gradient w.r.t. ``x``, same shape as ``x``.
        dh0 : gradient w.r.t. ``h0``, shape of ``h_n`` ((dh0, dc0) for the LSTM).

        Parameter gradients are ADDED to ``self.grads`` (call ``zero_grad()`` between steps).
        """
        if self._cache is None:
            raise no_cache_error()
        caches, (T, B), unbatched = self._cache
        H, dirs = self.hidden_size, self.num_directions
        out_shape = (
            (T, dirs * H)
            if unbatched
            else ((B, T, dirs * H) if self.batch_first else (T, B, dirs * H))
        )
        dout = as_float_array("dout", dout, self.dtype)
        check_shape("dout", dout, out_shape, "(the shape of out)")
        if unbatched:
            dout = dout[:, None, :]
        elif self.batch_first:
            dout = dout.transpose(1, 0, 2)
        dstates = tuple(
            self._prepare_state("d" + n + "_n", s, B, unbatched)
            for n, s in zip(self.state_names, self._split_states(dh_n), strict=True)
        )
        dstates0 = tuple(np.empty_like(s) for s in dstates)
        grad_in = dout
        for layer in reversed(range(self.num_layers)):
            dx_layer = None
            for direction in range(dirs):
                k = layer * dirs + direction
                g = grad_in[:, :, direction * H : (direction + 1) * H]
                if direction:
                    g = g[::-1]
                dx, ds0, dw = self._sequence_backward(
                    np.ascontiguousarray(g), tuple(s[k] for s in dstates), caches[k]
                )
                if direction:
                    dx = dx[::-1]
                dx_layer = dx if dx_layer is None else dx_layer + dx
                for d_all, d in zip(dstates0, ds0, strict=True):
                    d_all[k] = d
                s = self._suffix(layer, direction)
                names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
                for name, d in zip(names, dw, strict=True):
                    if d is not None:
                        self.grads[name + s] += d
            grad_in = dx_layer
        dx = grad_in
        if unbatched:
            return dx[:, 0], self._join_states(tuple(d[:, 0] for d in dstates0))
        if self.batch_first:
            dx = dx.transpose(1, 0, 2)
        return dx, self._join_states(dstates0)

    __call__ = forward

    def __repr__(self) -> str:
        extra = f", nonlinearity={self.nonlinearity!r}" if hasattr(self, "nonlinearity") else ""
        return (
            f"{type(self).__name__}({self.input_size}, {self.hidden_size}, "
            f"num_layers={self.num_layers}{extra}, bias={self.bias}, "
            f"batch_first={self.batch_first}, bidirectional={self.bidirectional}, "
            f"dtype={self.dtype.name})"
        )

    # ------------------------------------------------------------------ to be supplied
    def _sequence_forward(self, x, states, weights):  # pragma: no cover - abstract
        raise NotImplementedError

    def _sequence_backward(self, dout, dstates, cache):  # pragma: no cover - abstract
        raise NotImplementedError
