"""A 1-D convolution over time and a small temporal convolutional network (TCN) built from it.

The book's question "recurrent or convolutional?" needs a convolutional layer that reads
sequences the way the recurrent layers do, so ``Conv1d`` uses the same layout:

* input ``x`` is time-major ``(T, B, C_in)`` (the recurrent layers' ``(T, B, D)``), output
  ``(T, B, C_out)``: one output vector per time step, the sequence length is kept;
* ``weight`` is ``(C_out, C_in, K)`` and ``bias`` ``(C_out,)``, PyTorch's ``Conv1d`` names and
  shapes (PyTorch itself reads ``(B, C_in, T)``: transpose with ``x.transpose(1, 2, 0)``).

With kernel size K and dilation d, output step t reads the K input steps t - (K-1)d, ..., t - d, t
(causal, the default) ::

    y_t = b + sum_{k=0}^{K-1} W[:, :, k] x_{t - (K-1-k) d}

and the sequence is padded with (K-1)d zeros on the left so that y has T steps and never looks
at a future input. ``causal=False`` pads half of the (K-1)d zeros on each side instead (the
left gets the smaller half when (K-1)d is odd, as PyTorch's ``padding="same"``), so y_t is
centred on x_t. The layer is the same cross-correlation ``torch.nn.Conv1d`` computes, applied
to the padded input.

The implementation loops over the K taps (K is small): every tap is ONE matmul over all T*B
positions, so the whole sequence is computed at once; nothing waits for the previous step.
That is the difference to a recurrent layer this module exists to show.

``TCN`` stacks residual blocks ``h_l = res_l(h_{l-1}) + relu(conv_l(h_{l-1}))`` with dilations
1, 2, 4, ... (Bai, Kolter & Koltun 2018, simplified to one convolution per block), where
``res_l`` is the identity, or a 1x1 convolution when the channel counts differ, and ends with a
``Linear`` readout at every step. Its receptive field is ``1 + sum_l (K-1) d_l`` steps: the
output at t depends on no input older than that, however long the sequence. ``step`` runs it
one new input at a time with a cache of the last (K-1)d_l inputs of every layer.
"""

from __future__ import annotations

import numpy as np

from rnn_book._validate import (
    as_float_array,
    check_dtype,
    check_flag,
    check_positive_int,
    private,
)
from rnn_book.layers import Linear
from rnn_book.models import Model
from rnn_book.module import Module, grad_enabled, no_cache_error
from rnn_book.seeding import child_seeds

__all__ = ["TCN", "Conv1d"]


def _check_sequence(name: str, x, channels: int, dtype: np.dtype, copy: bool) -> np.ndarray:
    """``x`` as a (T, B, C) array of ``dtype`` with C = ``channels``, T >= 1, B >= 1."""
    source = x
    x = as_float_array(name, x, dtype)
    if x.ndim != 3:
        raise ValueError(
            f"{name}: expected a 3-D time-major array (T, B, C) with C = {channels} channels, "
            f"got shape {x.shape}"
        )
    if x.shape[2] != channels:
        raise ValueError(
            f"{name}: expected last axis C = {channels} channels in (T, B, C), got shape {x.shape}"
        )
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name}: expected T >= 1 steps and B >= 1 sequences, got {x.shape}")
    return private(x, source) if copy else x


class Conv1d(Module):
    """1-D convolution over time, time-major, causal by default.

    Parameters
    ----------
    in_channels : C_in, size of each input vector x_t.
    out_channels : C_out, size of each output vector y_t.
    kernel_size : K, number of taps (input steps read per output step).
    dilation : d, spacing of the taps: y_t reads x_t, x_{t-d}, ..., x_{t-(K-1)d}.
    causal : True (default): (K-1)d zeros on the left, y_t never sees the future.
        False: the zeros split over both sides ("same" padding), y_t centred on x_t.
    bias : whether to add the bias b.
    dtype : np.float64 (default) or np.float32.
    seed : seed of the initialisation.
    init : "uniform" (default): weight and bias from U(-1/sqrt(C_in K), 1/sqrt(C_in K)), the
        distribution ``torch.nn.Conv1d`` uses; "he": weight from N(0, 2/(C_in K)) (He et al.
        2015, for a convolution followed by ReLU), bias as for "uniform".

    Attributes
    ----------
    params : {"weight": (C_out, C_in, K), "bias": (C_out,)} ("bias" absent with ``bias=False``).
    grads : same keys and shapes.
    padding : (left, right) numbers of zero steps added to the input.
    receptive_field : (K-1)d + 1, the number of input steps one output step reads.

    ``forward(x)``: x (T, B, C_in) -> y (T, B, C_out). ``backward(dy)``: dy (T, B, C_out) ->
    dx (T, B, C_in), and adds dL/dweight, dL/dbias to ``grads`` (they accumulate).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        dilation: int = 1,
        causal: bool = True,
        bias: bool = True,
        dtype=np.float64,
        seed: int | None = None,
        init: str = "uniform",
    ):
        if init not in ("uniform", "he"):
            raise ValueError(f"init: expected 'uniform' or 'he', got {init!r}")
        self.in_channels = check_positive_int("in_channels", in_channels)
        self.out_channels = check_positive_int("out_channels", out_channels)
        self.kernel_size = check_positive_int("kernel_size", kernel_size)
        self.dilation = check_positive_int("dilation", dilation)
        self.causal = check_flag("causal", causal)
        self.bias = check_flag("bias", bias)
        self.dtype = check_dtype(dtype)
        total = (self.kernel_size - 1) * self.dilation
        self.padding = (total, 0) if self.causal else (total // 2, total - total // 2)
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(self.in_channels * self.kernel_size)
        shape = (self.out_channels, self.in_channels, self.kernel_size)
        if init == "uniform":
            weight = rng.uniform(-bound, bound, size=shape)
        else:
            weight = rng.normal(0.0, np.sqrt(2.0) * bound, size=shape)
        self.params = {"weight": weight.astype(self.dtype)}
        if self.bias:
            self.params["bias"] = rng.uniform(-bound, bound, size=self.out_channels).astype(
                self.dtype
            )
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self._xpad = None

    @property
    def receptive_field(self) -> int:
        """How many input steps one output step reads, which is (K-1)d + 1."""
        return (self.kernel_size - 1) * self.dilation + 1

    def _param_shapes(self) -> dict[str, tuple[int, ...]]:
        shapes = {"weight": (self.out_channels, self.in_channels, self.kernel_size)}
        if self.bias:
            shapes["bias"] = (self.out_channels,)
        return shapes

    def forward(self, x) -> np.ndarray:
        """x: (T, B, C_in) -> y: (T, B, C_out), y_t = b + sum_k W[:, :, k] x_(tap k of t)."""
        self._check_params()
        x = _check_sequence("x", x, self.in_channels, self.dtype, copy=False)
        T, B, C = x.shape
        left, right = self.padding
        xpad = np.zeros((left + T + right, B, C), dtype=self.dtype)  # a new array: no alias
        xpad[left : left + T] = x
        W, d = self.params["weight"], self.dilation
        y = np.zeros((T, B, self.out_channels), dtype=self.dtype)
        flat_y = y.reshape(T * B, self.out_channels)
        for k in range(self.kernel_size):  # tap k reads xpad[t + k d] for every t at once
            flat_y += xpad[k * d : k * d + T].reshape(T * B, C) @ W[:, :, k].T
        if self.bias:
            y += self.params["bias"]
        if grad_enabled():
            self._xpad = xpad
        return y

    def backward(self, dy) -> np.ndarray:
        """dy: (T, B, C_out) gradient w.r.t. the last ``forward``'s output -> dx (T, B, C_in).

        Adds dL/dweight (C_out, C_in, K) and dL/dbias (C_out,) to ``grads``.
        """
        if self._xpad is None:
            raise no_cache_error()
        xpad = self._xpad
        left, right = self.padding
        T, B, C = xpad.shape[0] - left - right, xpad.shape[1], xpad.shape[2]
        dy = as_float_array("dy", dy, self.dtype)
        expected = (T, B, self.out_channels)
        if dy.shape != expected:
            raise ValueError(f"dy: expected shape {expected} (the output's shape), got {dy.shape}")
        W, d = self.params["weight"], self.dilation
        dy2 = dy.reshape(T * B, self.out_channels)
        dxpad = np.zeros_like(xpad)
        for k in range(self.kernel_size):
            window = slice(k * d, k * d + T)
            self.grads["weight"][:, :, k] += dy2.T @ xpad[window].reshape(T * B, C)
            dxpad[window] += (dy2 @ W[:, :, k]).reshape(T, B, C)
        if self.bias:
            self.grads["bias"] += dy2.sum(axis=0)
        return dxpad[left : left + T].copy()

    def step(self, x_t, buffer=None):
        """One new input of a causal convolution, without recomputing the past.

        Parameters
        ----------
        x_t : (B, C_in) the newest input.
        buffer : ((K-1)d, B, C_in) the previous (K-1)d inputs, oldest first, or None for zeros
            (the start of a sequence, as the left padding of ``forward``).

        Returns
        -------
        y_t : (B, C_out), equal to the last step of ``forward`` over the whole sequence.
        buffer : the updated ((K-1)d, B, C_in) buffer (a new array). Stores no cache.
        """
        if not self.causal:
            raise ValueError("step: needs causal=True (a centred convolution reads the future)")
        self._check_params()
        x_t = as_float_array("x_t", x_t, self.dtype)
        if x_t.ndim != 2 or x_t.shape[1] != self.in_channels:
            raise ValueError(
                f"x_t: expected shape (B, {self.in_channels}) (B, C_in), got {x_t.shape}"
            )
        P = self.padding[0]
        if buffer is None:
            buffer = np.zeros((P, x_t.shape[0], self.in_channels), dtype=self.dtype)
        buffer = as_float_array("buffer", buffer, self.dtype)
        if buffer.shape != (P,) + x_t.shape:
            raise ValueError(
                f"buffer: expected shape {(P,) + x_t.shape} ((K-1)d, B, C_in), got {buffer.shape}"
            )
        window = np.concatenate([buffer, x_t[None]], axis=0)  # (P + 1, B, C_in)
        taps = window[:: self.dilation]  # the K inputs tap 0..K-1 reads, oldest first
        y_t = np.einsum("kbc,ock->bo", taps, self.params["weight"])
        if self.bias:
            y_t = y_t + self.params["bias"]
        return y_t, window[1:].copy()


class TCN(Model):
    """Temporal convolutional network: residual blocks of dilated causal ``Conv1d`` + readout.

    Block l (l = 0 .. L-1) has dilation d_l = ``dilations[l]`` (default 2^l) and computes ::

        h_l = res_l(h_{l-1}) + relu(conv_l(h_{l-1})),      h_{-1} = x

    where ``res_l`` is the identity, or a 1x1 ``Conv1d`` when the channel counts differ (block
    0 when ``input_size != channels``). The readout ``head`` is a ``Linear`` applied at every
    step: logits_t = V h_{L-1, t} + c.

    Parameters
    ----------
    input_size : C_in, size of each input vector x_t.
    channels : C, width of every block.
    output_size : size of each output vector (e.g. number of classes).
    kernel_size : K of every convolution.
    num_layers : L, number of blocks.
    dilations : optional list of L positive ints; default 1, 2, 4, ..., 2^(L-1).
    dtype : np.float64 (default) or np.float32.
    seed : seed of the initialisation (split over the parts with ``rb.child_seeds``). The
        block convolutions start from He's N(0, 2/(C_in K)) (``Conv1d(init="he")``), the usual
        choice before a ReLU; the 1x1 residual and the readout keep PyTorch's uniform default.

    Attributes
    ----------
    params, grads : live mappings "part.name" -> array, the parts being ``conv0`` .. ``conv{L-1}``
        (weight (C, C_in or C, K), bias (C,)), ``res0`` (a 1x1 conv, weight (C, C_in, 1), only
        when C_in != C) and ``head`` (weight (output_size, C), bias (output_size,)).
    receptive_field : 1 + sum_l (K-1) d_l.

    ``forward(x)``: x (T, B, C_in) -> logits (T, B, output_size); ``backward(dlogits)``:
    (T, B, output_size) -> dx (T, B, C_in). Logit t depends only on x_{t-R+1} .. x_t, R the
    receptive field.
    """

    def __init__(
        self,
        input_size: int,
        channels: int,
        output_size: int,
        kernel_size: int = 2,
        num_layers: int = 4,
        dilations=None,
        dtype=np.float64,
        seed: int | None = None,
    ):
        self.input_size = check_positive_int("input_size", input_size)
        self.channels = check_positive_int("channels", channels)
        self.output_size = check_positive_int("output_size", output_size)
        self.kernel_size = check_positive_int("kernel_size", kernel_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.dtype = check_dtype(dtype)
        if dilations is None:
            dilations = [2**i for i in range(self.num_layers)]
        if not isinstance(dilations, (list, tuple)) or len(dilations) != self.num_layers:
            raise ValueError(
                f"dilations: expected a list of num_layers = {self.num_layers} positive ints, "
                f"got {dilations!r}"
            )
        self.dilations = [check_positive_int("dilations[i]", d) for d in dilations]
        seeds = child_seeds(seed, self.num_layers + 2)
        self.convs = []
        for i, d in enumerate(self.dilations):
            c_in = self.input_size if i == 0 else self.channels
            self.convs.append(
                Conv1d(
                    c_in,
                    self.channels,
                    self.kernel_size,
                    d,
                    dtype=self.dtype,
                    seed=seeds[i],
                    init="he",
                )
            )
        self.res0 = None
        if self.input_size != self.channels:
            self.res0 = Conv1d(
                self.input_size, self.channels, 1, bias=False, dtype=self.dtype, seed=seeds[-2]
            )
        self.head = Linear(self.channels, self.output_size, dtype=self.dtype, seed=seeds[-1])
        self._relu_masks = None

    def parts(self) -> dict:
        """conv0 .. conv{L-1}, res0 (if any), head."""
        parts = {f"conv{i}": c for i, c in enumerate(self.convs)}
        if self.res0 is not None:
            parts["res0"] = self.res0
        return {**parts, "head": self.head}

    @property
    def receptive_field(self) -> int:
        """How many input steps one output step depends on, which is 1 + sum over l of (K-1) d_l."""
        return 1 + sum((self.kernel_size - 1) * d for d in self.dilations)

    def _residual(self, i: int, h: np.ndarray) -> np.ndarray:
        return self.res0.forward(h) if i == 0 and self.res0 is not None else h

    def features(self, x) -> np.ndarray:
        """x: (T, B, C_in) -> h_{L-1}: (T, B, C), the top block's output before the readout."""
        h = _check_sequence("x", x, self.input_size, self.dtype, copy=False)
        masks = []
        for i, conv in enumerate(self.convs):
            z = conv.forward(h)
            masks.append(z > 0)
            h = self._residual(i, h) + np.maximum(z, 0.0)
        if grad_enabled():
            self._relu_masks = masks
        return h

    def forward(self, x) -> np.ndarray:
        """x: (T, B, C_in) -> logits (T, B, output_size)."""
        return self.head.forward(self.features(x))

    def backward(self, dlogits) -> np.ndarray:
        """dlogits: (T, B, output_size) -> dx (T, B, C_in); parameter gradients accumulate."""
        if self._relu_masks is None:
            raise no_cache_error()
        dh = self.head.backward(dlogits)
        for i in reversed(range(self.num_layers)):
            dz = dh * self._relu_masks[i]
            dres = self.convs[i].backward(dz)
            if i == 0 and self.res0 is not None:
                dh = dres + self.res0.backward(dh)
            else:
                dh = dres + dh
        return dh

    def initial_state(self, batch_size: int) -> list[np.ndarray]:
        """Zero buffers for ``step``: one ((K-1)d_l, B, C_in of block l) array per block."""
        B = check_positive_int("batch_size", batch_size)
        return [np.zeros((c.padding[0], B, c.in_channels), dtype=self.dtype) for c in self.convs]

    def step(self, x_t, state=None):
        """One new input: x_t (B, C_in) -> (logits_t (B, output_size), new state).

        ``state`` is ``initial_state(B)`` at the start or the state the previous call
        returned; it holds the last (K-1)d_l inputs of every block, so one step costs the same
        at t = 10 as at t = 10 000, and the logits equal those of ``forward`` over the whole
        sequence. Stores no cache (a pending ``backward`` is unaffected).
        """
        x_t = as_float_array("x_t", x_t, self.dtype)
        if x_t.ndim != 2 or x_t.shape[1] != self.input_size:
            raise ValueError(
                f"x_t: expected shape (B, {self.input_size}) (B, C_in), got {x_t.shape}"
            )
        if state is None:
            state = self.initial_state(x_t.shape[0])
        if not isinstance(state, (list, tuple)) or len(state) != self.num_layers:
            raise ValueError(
                f"state: expected a list of {self.num_layers} buffers (from initial_state), "
                f"got {type(state).__name__}"
            )
        h, new_state = x_t, []
        for i, conv in enumerate(self.convs):
            z, buf = conv.step(h, state[i])
            new_state.append(buf)
            if i == 0 and self.res0 is not None:
                h = h @ self.res0.params["weight"][:, :, 0].T + np.maximum(z, 0.0)
            else:
                h = h + np.maximum(z, 0.0)
        W, b = self.head.params["weight"], self.head.params["bias"]
        return h @ W.T + b, new_state
