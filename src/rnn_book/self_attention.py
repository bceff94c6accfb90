"""Scaled dot-product self-attention and one multi-head layer, forward and backward, in NumPy.

The step from the attention of an encoder-decoder to the Transformer (Vaswani et al. 2017):
every position of ONE sequence attends to every position of the same sequence, and nothing
is recurrent::

    Q = X W_q^T + b_q,  K = X W_k^T + b_k,  V = X W_v^T + b_v        (T, d) each per head
    A = softmax(Q K^T / sqrt(d) + mask)                              (T, T), rows sum to 1
    Y = A V                                                          (T, d)
    out = concat_heads(Y) W_o^T + b_o                                (T, E)

All T outputs come from a few matrix products, with no loop over time steps: the sequential
dependency of a recurrent layer is gone. The price is the (T, T) matrix A: time and memory
grow with T^2. Positions carry no order here (a permutation of the inputs permutes the
outputs); a Transformer adds position encodings.

Parameters of ``MultiHeadSelfAttention`` use ``torch.nn.MultiheadAttention``'s state_dict
names: ``in_proj_weight`` (3E, E) = [W_q; W_k; W_v], ``in_proj_bias`` (3E,),
``out_proj.weight`` (E, E) = W_o, ``out_proj.bias`` (E,).
"""

from __future__ import annotations

import numpy as np

from rnn_book._validate import as_float_array, check_dtype, check_flag, check_positive_int
from rnn_book.functional import softmax
from rnn_book.module import Module, grad_enabled, no_cache_error

__all__ = [
    "MultiHeadSelfAttention",
    "causal_mask",
    "scaled_dot_product_attention",
    "scaled_dot_product_attention_backward",
]


def causal_mask(T: int) -> np.ndarray:
    """(T, T) bool, True where query t may look at key s, i.e. s <= t (no peeking ahead)."""
    T = check_positive_int("T", T)
    return np.tril(np.ones((T, T), dtype=bool))


def _check_qkv(q, k, v, mask):
    q, k, v = (np.asarray(a) for a in (q, k, v))
    for name, a in [("q", q), ("k", k), ("v", v)]:
        if a.ndim < 2 or not np.issubdtype(a.dtype, np.floating):
            raise ValueError(
                f"{name}: expected a float array (..., length, dim), got "
                f"{a.dtype} of shape {a.shape}"
            )
    if k.shape[:-1] != v.shape[:-1] or q.shape[:-2] != k.shape[:-2] or q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"q, k, v: expected (..., T, d), (..., S, d), (..., S, d_v) with the same leading "
            f"axes, got {q.shape}, {k.shape}, {v.shape}"
        )
    if mask is not None:
        mask = np.asarray(mask)
        T, S = q.shape[-2], k.shape[-2]
        if mask.dtype != np.bool_ or mask.shape[-2:] != (T, S):
            raise ValueError(
                f"mask: expected a bool array (..., {T}, {S}) = (..., T, S), got "
                f"{mask.dtype} of shape {mask.shape}"
            )
        if not mask.any(axis=-1).all():
            raise ValueError(
                "mask: expected every query row to allow at least one key, got a row of all False"
            )
    return q, k, v, mask


def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q k^T / sqrt(d)) v.

    Shapes: q (..., T, d) queries, k (..., S, d) keys, v (..., S, d_v) values, with the same
    leading axes. ``mask`` is optional, a bool array (..., T, S) that is True where query t
    may attend to key s (False gives weight exactly 0), e.g. ``causal_mask(T)``: the
    convention of ``torch.nn.functional.scaled_dot_product_attention``.

    Returns (out (..., T, d_v), weights (..., T, S)), the rows of the weights summing to 1.
    """
    q, k, v, mask = _check_qkv(q, k, v, mask)
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = softmax(scores, axis=-1)
    return weights @ v, weights


def scaled_dot_product_attention_backward(dout, q, k, v, weights):
    """Gradients of ``scaled_dot_product_attention`` given its inputs and its ``weights``.

    dout : (..., T, d_v) gradient of the output. Returns (dq (..., T, d), dk (..., S, d),
    dv (..., S, d_v)). Masked positions have weight 0 and receive no gradient.
    """
    scale = 1.0 / np.sqrt(q.shape[-1])
    dv = np.swapaxes(weights, -1, -2) @ dout
    dw = dout @ np.swapaxes(v, -1, -2)  # (..., T, S)
    dscores = weights * (dw - np.sum(weights * dw, axis=-1, keepdims=True))
    dq = dscores @ k * scale
    dk = np.swapaxes(dscores, -1, -2) @ q * scale
    return dq, dk, dv


class MultiHeadSelfAttention(Module):
    """Multi-head self-attention over a sequence: every position attends to every position.

    Parameters
    ----------
    embed_dim : E, width of the input and output vectors.
    num_heads : h; E must be divisible by h, each head has d = E / h dimensions.
    causal : if True, position t attends only to positions <= t (``causal_mask``).
    bias : add the biases b_q, b_k, b_v and b_o.
    dtype : np.float64 (default) or np.float32.
    seed : initialisation as torch.nn.MultiheadAttention: Xavier-uniform [W_q; W_k; W_v],
        W_o uniform(-1/sqrt(E), 1/sqrt(E)), biases 0.

    Attributes
    ----------
    params, grads : {"in_proj_weight": (3E, E), "in_proj_bias": (3E,),
        "out_proj.weight": (E, E), "out_proj.bias": (E,)} (no biases when ``bias=False``).
    attention : (B, h, T, T) the weights of the last forward, read-only.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int = 1,
        causal: bool = False,
        bias: bool = True,
        dtype=np.float64,
        seed: int | None = None,
    ):
        E = check_positive_int("embed_dim", embed_dim)
        h = check_positive_int("num_heads", num_heads)
        if E % h:
            raise ValueError(
                f"embed_dim, num_heads: expected embed_dim divisible by num_heads, got {E} and {h}"
            )
        self.embed_dim, self.num_heads, self.head_dim = E, h, E // h
        self.causal = check_flag("causal", causal)
        self.bias = check_flag("bias", bias)
        self.dtype = check_dtype(dtype)
        rng = np.random.default_rng(seed)
        a = np.sqrt(6.0 / (E + 3 * E))
        self.params = {"in_proj_weight": rng.uniform(-a, a, size=(3 * E, E)).astype(self.dtype)}
        b = 1.0 / np.sqrt(E)
        self.params["out_proj.weight"] = rng.uniform(-b, b, size=(E, E)).astype(self.dtype)
        if self.bias:
            self.params["in_proj_bias"] = np.zeros(3 * E, dtype=self.dtype)
            self.params["out_proj.bias"] = np.zeros(E, dtype=self.dtype)
        self.grads = {k: np.zeros_like(p) for k, p in self.params.items()}
        self.attention = None
        self._cache = None

    def _param_shapes(self) -> dict[str, tuple[int, ...]]:
        E = self.embed_dim
        shapes = {"in_proj_weight": (3 * E, E), "out_proj.weight": (E, E)}
        if self.bias:
            shapes.update({"in_proj_bias": (3 * E,), "out_proj.bias": (E,)})
        return shapes

    def _heads(self, z):  # (T, B, E) -> (B, h, T, d)
        T, B, _ = z.shape
        return z.reshape(T, B, self.num_heads, self.head_dim).transpose(1, 2, 0, 3)

    def _merge(self, z):  # (B, h, T, d) -> (T, B, E)
        B, _, T, _ = z.shape
        return z.transpose(2, 0, 1, 3).reshape(T, B, self.embed_dim)

    def forward(self, x) -> np.ndarray:
        """x (T, B, E) -> out (T, B, E); the weights go to ``attention`` (B, h, T, T)."""
        self._check_params()
        train = grad_enabled()
        x = as_float_array("x", x, self.dtype, copy=train)
        if x.ndim != 3 or x.shape[-1] != self.embed_dim or 0 in x.shape:
            raise ValueError(
                f"x: expected shape (T, B, E) with E = embed_dim = "
                f"{self.embed_dim} and T, B >= 1, got {x.shape}"
            )
        E = self.embed_dim
        qkv = x @ self.params["in_proj_weight"].T
        if self.bias:
            qkv = qkv + self.params["in_proj_bias"]
        q, k, v = (self._heads(qkv[..., i * E : (i + 1) * E]) for i in range(3))
        mask = causal_mask(x.shape[0]) if self.causal else None
        y, weights = scaled_dot_product_attention(q, k, v, mask)
        ym = self._merge(y)
        out = ym @ self.params["out_proj.weight"].T
        if self.bias:
            out = out + self.params["out_proj.bias"]
        self.attention = weights.copy()
        self.attention.flags.writeable = False
        if train:
            self._cache = (x, q, k, v, weights, ym)
        return out

    def backward(self, dout) -> np.ndarray:
        """dout (T, B, E) -> dx (T, B, E); parameter gradients accumulate in ``grads``."""
        if self._cache is None:
            raise no_cache_error()
        x, q, k, v, weights, ym = self._cache
        dout = as_float_array("dout", dout, self.dtype)
        if dout.shape != x.shape:
            raise ValueError(
                f"dout: expected shape {x.shape} (the output's shape), got {dout.shape}"
            )
        E = self.embed_dim
        d2 = dout.reshape(-1, E)
        self.grads["out_proj.weight"] += d2.T @ ym.reshape(-1, E)
        if self.bias:
            self.grads["out_proj.bias"] += d2.sum(axis=0)
        dy = self._heads(dout @ self.params["out_proj.weight"])
        dq, dk, dv = scaled_dot_product_attention_backward(dy, q, k, v, weights)
        dqkv = np.concatenate([self._merge(dq), self._merge(dk), self._merge(dv)], axis=-1)
        flat = dqkv.reshape(-1, 3 * E)
        self.grads["in_proj_weight"] += flat.T @ x.reshape(-1, E)
        if self.bias:
            self.grads["in_proj_bias"] += flat.sum(axis=0)
        return dqkv @ self.params["in_proj_weight"]
