"""The output layer V and the embedding table: the two non-recurrent layers of every model.

``Linear`` is the book's output map y_t = V h_t + c, applied to every time step at once;
``Embedding`` turns integer symbol ids into learned vectors x_t = E[id_t]. Both keep
``params`` and ``grads`` as dicts of NumPy arrays with PyTorch's ``state_dict`` names
("weight", "bias"); gradients accumulate across ``backward`` calls until ``zero_grad()``.
Both keep a private copy of their input for ``backward`` (none under ``rb.no_grad()``).
"""

from __future__ import annotations

import numpy as np

from rnn_book._validate import as_float_array, check_dtype, check_flag, check_positive_int, private
from rnn_book.module import Module, grad_enabled, no_cache_error

__all__ = ["Embedding", "Linear"]


class Linear(Module):
    """Affine map y = x W^T + b over the last axis: the book's output layer V (W = V, b = c).

    Parameters
    ----------
    in_features : H, size of each input vector (the hidden state h_t).
    out_features : C, size of each output vector (e.g. the number of classes).
    bias : whether to add the bias c.
    dtype : np.float64 (default) or np.float32.
    seed : seed of the initialisation U(-1/sqrt(H), 1/sqrt(H)) of weight and bias,
        the distribution ``torch.nn.Linear`` uses.

    Attributes
    ----------
    params : {"weight": (C, H), "bias": (C,)} ("bias" absent when ``bias=False``).
    grads : same keys and shapes as ``params``.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype=np.float64,
        seed: int | None = None,
    ):
        self.in_features = check_positive_int("in_features", in_features)
        self.out_features = check_positive_int("out_features", out_features)
        check_flag("bias", bias)
        self.bias = bool(bias)
        self.dtype = check_dtype(dtype)
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(self.in_features)
        shape = (self.out_features, self.in_features)
        self.params = {"weight": rng.uniform(-bound, bound, size=shape).astype(self.dtype)}
        if self.bias:
            self.params["bias"] = rng.uniform(-bound, bound, size=self.out_features).astype(
                self.dtype
            )
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self._x = None

    def _param_shapes(self) -> dict[str, tuple[int, ...]]:
        shapes = {"weight": (self.out_features, self.in_features)}
        if self.bias:
            shapes["bias"] = (self.out_features,)
        return shapes

    def forward(self, x) -> np.ndarray:
        """x: (..., H), any leading axes (e.g. (T, B, H)) -> y: (..., C)."""
        self._check_params()
        train = grad_enabled()
        x = as_float_array("x", x, self.dtype, copy=train)  # kept for backward: our own copy
        if x.ndim < 1 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"x: expected shape (..., {self.in_features}) (last axis = in_features), "
                f"got {x.shape}"
            )
        y = x @ self.params["weight"].T
        if self.bias:
            y += self.params["bias"]
        if train:
            self._x = x
        return y

    def backward(self, dy) -> np.ndarray:
        """dy: (..., C), the gradient of the loss w.r.t. the last ``forward``'s output.

        Returns dx (..., H); adds dL/dW (C, H) and dL/db (C,) to ``grads``.
        """
        if self._x is None:
            raise no_cache_error()
        x = self._x
        dy = as_float_array("dy", dy, self.dtype)
        expected = x.shape[:-1] + (self.out_features,)
        if dy.shape != expected:
            raise ValueError(f"dy: expected shape {expected} (the output's shape), got {dy.shape}")
        dy2 = dy.reshape(-1, self.out_features)  # every leading position is one sample
        self.grads["weight"] += dy2.T @ x.reshape(-1, self.in_features)
        if self.bias:
            self.grads["bias"] += dy2.sum(axis=0)
        return dy @ self.params["weight"]


class Embedding(Module):
    """Lookup table: id -> row ``weight[id]``, i.e. a one-hot vector times a matrix, done fast.

    Parameters
    ----------
    num_embeddings : N, size of the vocabulary (valid ids are 0 .. N-1).
    embedding_dim : E, size of each embedding vector.
    dtype : np.float64 (default) or np.float32.
    seed : seed of the initialisation N(0, 1), the distribution ``torch.nn.Embedding`` uses.

    Attributes
    ----------
    params : {"weight": (N, E)}; grads : {"weight": (N, E)}.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        dtype=np.float64,
        seed: int | None = None,
    ):
        self.num_embeddings = check_positive_int("num_embeddings", num_embeddings)
        self.embedding_dim = check_positive_int("embedding_dim", embedding_dim)
        self.dtype = check_dtype(dtype)
        rng = np.random.default_rng(seed)
        shape = (self.num_embeddings, self.embedding_dim)
        self.params = {"weight": rng.standard_normal(size=shape).astype(self.dtype)}
        self.grads = {"weight": np.zeros_like(self.params["weight"])}
        self._idx = None

    def _param_shapes(self) -> dict[str, tuple[int, ...]]:
        return {"weight": (self.num_embeddings, self.embedding_dim)}

    def forward(self, idx) -> np.ndarray:
        """idx: int array of any shape, e.g. (T, B) -> vectors ``(*idx.shape, E)``."""
        self._check_params()
        source, idx = idx, np.asarray(idx)
        if not np.issubdtype(idx.dtype, np.integer):
            raise TypeError(
                f"idx: expected an integer array of ids in [0, {self.num_embeddings}), "
                f"got dtype {idx.dtype} (shape {idx.shape})"
            )
        if idx.size and (idx.min() < 0 or idx.max() >= self.num_embeddings):
            raise ValueError(
                f"idx: expected ids in [0, {self.num_embeddings}) (num_embeddings = "
                f"{self.num_embeddings}), got values in [{idx.min()}, {idx.max()}]"
            )
        if grad_enabled():
            self._idx = private(idx, source)  # kept for backward: our own copy
        return self.params["weight"][idx]

    def backward(self, de) -> None:
        """de: ``(*idx.shape, E)``, gradient w.r.t. the last ``forward``'s output.

        Adds it to ``grads["weight"]`` row by row; an id that occurs several times receives
        the sum of its gradients. There is no input gradient (ids are not differentiable).
        """
        if self._idx is None:
            raise no_cache_error()
        de = as_float_array("de", de, self.dtype)
        expected = self._idx.shape + (self.embedding_dim,)
        if de.shape != expected:
            raise ValueError(f"de: expected shape {expected} (the output's shape), got {de.shape}")
        # add.at, unlike grads[idx] += de, accumulates over repeated ids
        np.add.at(self.grads["weight"], self._idx.reshape(-1), de.reshape(-1, self.embedding_dim))
