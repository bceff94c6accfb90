"""Global gradient-norm clipping, the standard cure for exploding gradients in BPTT.

All gradients are treated as one long vector g. If ||g|| exceeds ``max_norm`` every entry is
scaled by the same factor, so the update keeps its direction and only its length shrinks
(Pascanu, Mikolov & Bengio 2013). The formula is PyTorch's ``clip_grad_norm_``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from rnn_book._validate import check_number

__all__ = ["clip_grad_norm", "clip_grad_value", "grad_norm"]


def _grad_arrays(modules_or_grad_dicts) -> list[np.ndarray]:
    """Every distinct gradient array of the given modules (``.grads``) or dicts, in order."""
    if isinstance(modules_or_grad_dicts, Mapping) or hasattr(modules_or_grad_dicts, "grads"):
        modules_or_grad_dicts = [modules_or_grad_dicts]
    if not isinstance(modules_or_grad_dicts, Iterable):
        raise TypeError(
            "modules_or_grad_dicts: expected a list of modules (with .grads) or of dicts "
            f"name -> gradient array, got {type(modules_or_grad_dicts).__name__}"
        )
    arrays, seen = [], set()
    for i, item in enumerate(modules_or_grad_dicts):
        grads = item if isinstance(item, Mapping) else getattr(item, "grads", None)
        if not isinstance(grads, Mapping):
            raise TypeError(
                f"modules_or_grad_dicts[{i}]: expected a module with a .grads dict or a dict "
                f"name -> gradient array, got {type(item).__name__}"
            )
        for name, g in grads.items():
            if not isinstance(g, np.ndarray) or not np.issubdtype(g.dtype, np.floating):
                raise TypeError(
                    f"modules_or_grad_dicts[{i}][{name!r}]: expected a floating-point numpy "
                    f"array, got {type(g).__name__} of dtype {getattr(g, 'dtype', None)}"
                )
            # a model and its own layer share arrays; scaling one twice would be wrong
            if id(g) not in seen:
                seen.add(id(g))
                arrays.append(g)
    return arrays


def grad_norm(modules_or_grad_dicts, norm_type: float = 2.0) -> float:
    """The joint ``norm_type``-norm of all gradients, as ``clip_grad_norm`` measures it, without
    changing them. Arguments as for ``clip_grad_norm``."""
    norm_type = check_number("norm_type", norm_type, allow_inf=True)
    if norm_type <= 0:
        raise ValueError(f"norm_type: expected a number > 0 or inf, got {norm_type}")
    arrays = _grad_arrays(modules_or_grad_dicts)
    if not any(g.size for g in arrays):
        return 0.0
    # the norm of the per-array norms equals the norm of everything concatenated
    norms = np.array([np.linalg.norm(g.reshape(-1), ord=norm_type) for g in arrays if g.size])
    return float(np.linalg.norm(norms, ord=norm_type))


def clip_grad_norm(
    modules_or_grad_dicts,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    """Scale all gradients in place so that their joint norm is at most ``max_norm``.

    Parameters
    ----------
    modules_or_grad_dicts : list of modules (anything with a ``grads`` dict, e.g. a layer or
        a model) and/or dicts name -> gradient array; a single one is accepted too.
    max_norm : the largest allowed total norm (>= 0).
    norm_type : p of the p-norm (> 0), or ``float("inf")`` for the largest absolute entry.
    error_if_nonfinite : raise FloatingPointError if the total norm is NaN or inf
        (PyTorch's default, kept here, is to go on and let the NaN show up in the parameters).

    Returns
    -------
    The total norm of the gradients BEFORE clipping, as a float (useful to plot: spikes of
    this number are exploding gradients).
    """
    max_norm = check_number("max_norm", max_norm)
    if max_norm < 0:
        raise ValueError(f"max_norm: expected a number >= 0, got {max_norm}")
    total = grad_norm(modules_or_grad_dicts, norm_type)
    arrays = _grad_arrays(modules_or_grad_dicts)
    if not np.isfinite(total) and error_if_nonfinite:
        raise FloatingPointError(
            f"clip_grad_norm: the total norm of order {norm_type} is {total}; "
            "the gradients contain NaN or inf"
        )
    # 1e-6 keeps the division finite when every gradient is zero (PyTorch's formula)
    coef = max_norm / (total + 1e-6)
    if coef < 1.0 or not np.isfinite(total):
        with np.errstate(invalid="ignore"):  # inf * 0 -> NaN, as in PyTorch, but silently
            for g in arrays:
                g *= coef
    return total


def clip_grad_value(modules_or_grad_dicts, clip_value: float) -> float:
    """Clip every gradient entry, in place, to [-clip_value, clip_value] (PyTorch's
    ``clip_grad_value_``).

    Unlike ``clip_grad_norm`` this changes the direction of the update: large entries are cut,
    small ones kept. Arguments as for ``clip_grad_norm``; ``clip_value`` >= 0.

    Returns
    -------
    The global 2-norm of the gradients BEFORE clipping, as a float (as ``clip_grad_norm``).
    """
    clip_value = check_number("clip_value", clip_value)
    if clip_value < 0:
        raise ValueError(f"clip_value: expected a number >= 0, got {clip_value}")
    total = grad_norm(modules_or_grad_dicts)
    for g in _grad_arrays(modules_or_grad_dicts):
        np.clip(g, -clip_value, clip_value, out=g)
    return total
