"""What every trainable part of the package shares: ``params``/``grads`` bookkeeping.

A module keeps its parameters in ``params`` (name -> array) and the gradients of the last
backward passes in ``grads`` (same names and shapes); gradients accumulate until
``zero_grad()``, as in PyTorch. The optimisers rely only on these two dicts.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Module"]


class Module:
    """Base of the layers and models: ``zero_grad`` and ``num_parameters``."""

    params: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]

    def zero_grad(self) -> None:
        """Reset every gradient in ``self.grads`` to zero (they accumulate otherwise)."""
        for g in self.grads.values():
            g.fill(0.0)

    def num_parameters(self) -> int:
        """Total number of scalars in ``params``; it does not depend on the sequence length T."""
        return sum(p.size for p in self.params.values())
