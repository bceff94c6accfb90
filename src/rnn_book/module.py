"""What every trainable part of the package shares: ``params``/``grads`` bookkeeping, and
the ``no_grad()`` switch that inference runs under.

A module keeps its parameters in ``params`` (name -> array) and the gradients of the last
backward passes in ``grads`` (same names and shapes); gradients accumulate until
``zero_grad()``, as in PyTorch. The optimisers rely only on these two dicts.

A ``forward`` normally stores what its ``backward`` needs (the cache). Sampling, decoding
and probes also call ``forward``; inside ``with rb.no_grad():`` no forward stores or
replaces a cache, so a pending ``backward`` still differentiates the last training forward.
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np

from rnn_book._validate import check_params

__all__ = ["Module", "grad_enabled", "no_grad"]

_state = threading.local()


def grad_enabled() -> bool:
    """False inside ``no_grad()``: forward passes then keep no cache for backward."""
    return getattr(_state, "grad_enabled", True)


class no_grad(contextlib.ContextDecorator):
    """Context manager (or decorator) under which forward passes store no cache.

    ``with rb.no_grad(): model.sample(...)`` leaves the caches of the last training
    forward untouched, so ``backward`` afterwards gives the same gradients as without the
    sampling. A ``backward`` whose layer only ever ran forward under ``no_grad`` raises.
    Nests; per thread.
    """

    def __enter__(self):
        self._previous = grad_enabled()
        _state.grad_enabled = False
        return self

    def __exit__(self, *exc) -> bool:
        _state.grad_enabled = self._previous
        return False


def no_cache_error() -> RuntimeError:
    """The error of a ``backward`` that has no training forward to differentiate."""
    return RuntimeError(
        "backward: call forward before backward; forward must run outside rb.no_grad() "
        "first (forward passes under no_grad keep no cache)"
    )


class Module:
    """Base of the layers and models: ``zero_grad``, ``num_parameters``, parameter checks."""

    params: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    dtype: np.dtype

    def zero_grad(self) -> None:
        """Reset every gradient in ``self.grads`` to zero (they accumulate otherwise)."""
        for g in self.grads.values():
            g.fill(0.0)

    def num_parameters(self) -> int:
        """Total number of scalars in ``params``; it does not depend on the sequence length T."""
        return sum(p.size for p in self.params.values())

    def _param_shapes(self) -> dict[str, tuple[int, ...]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_params(self) -> None:
        """params may be replaced by hand (e.g. copied from torch): fail loudly if one is
        not an array of the layer's dtype (TypeError) or has the wrong shape (ValueError)."""
        check_params(self.params, self._param_shapes(), self.dtype)
