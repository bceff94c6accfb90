"""Losses that return their own gradient: ``loss, dlogits = cross_entropy(logits, targets)``.

Both average over the positions a ``mask`` keeps, which is how padded sequences of unequal
length are trained: padding positions (mask 0) contribute neither to the loss nor to the
gradient, and the mean is taken over the real positions only.
"""

from __future__ import annotations

import numpy as np

from rnn_book._validate import as_float_array
from rnn_book.functional import log_softmax

__all__ = ["cross_entropy", "mse_loss"]


def _float_dtype(arr: np.ndarray) -> np.dtype:
    """Compute in float32 only if the caller already works in float32; float64 otherwise."""
    return arr.dtype if arr.dtype == np.float32 else np.dtype(np.float64)


def _check_mask(mask, shape: tuple[int, ...], what: str) -> np.ndarray:
    """mask as a float 0/1 array of ``shape``; raise unless it keeps at least one position."""
    mask = np.asarray(mask)
    if mask.dtype != np.bool_ and not (
        np.issubdtype(mask.dtype, np.integer) or np.issubdtype(mask.dtype, np.floating)
    ):
        raise TypeError(f"mask: expected a bool or 0/1 array of shape {shape}, got {mask.dtype}")
    if mask.shape != shape:
        raise ValueError(f"mask: expected shape {shape} ({what}), got {mask.shape}")
    if not np.isin(mask, (0, 1)).all():
        raise ValueError(f"mask: expected only 0/1 (or bool) values, got {np.unique(mask)[:5]}")
    if not mask.any():
        raise ValueError(f"mask: expected at least one nonzero entry, got all zeros ({shape})")
    return mask.astype(np.float64)


def cross_entropy(logits, targets, mask=None) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood of ``targets`` under softmax(logits).

    Parameters
    ----------
    logits : (..., C) floats, unnormalised scores over C classes on the last axis,
        e.g. (T, B, C) for a many-to-many model or (B, C) for a many-to-one model.
    targets : (...) ints in [0, C), the true class at every position.
    mask : optional (...) bool or 0/1; positions with 0 are ignored (padding).

    Returns
    -------
    loss : float, mean over kept positions of -log softmax(logits)[target]
        (equal to ``torch.nn.functional.cross_entropy`` with reduction "mean").
    dlogits : (..., C), d loss / d logits = (softmax(logits) - onehot(targets)) * mask / n.
    """
    logits = np.asarray(logits)
    logits = as_float_array("logits", logits, _float_dtype(logits))
    if logits.ndim < 1:
        raise ValueError(f"logits: expected shape (..., C) with classes last, got {logits.shape}")
    C = logits.shape[-1]
    targets = np.asarray(targets)
    if not np.issubdtype(targets.dtype, np.integer):
        raise TypeError(
            f"targets: expected an integer array of class ids of shape {logits.shape[:-1]}, "
            f"got dtype {targets.dtype}"
        )
    if targets.shape != logits.shape[:-1]:
        raise ValueError(
            f"targets: expected shape {logits.shape[:-1]} (logits' shape without the class "
            f"axis C = {C}), got {targets.shape}"
        )
    if targets.size == 0:
        raise ValueError(f"logits: expected at least one position, got shape {logits.shape}")
    if targets.min() < 0 or targets.max() >= C:
        raise ValueError(
            f"targets: expected class ids in [0, {C}) (C = logits.shape[-1]), "
            f"got values in [{targets.min()}, {targets.max()}]"
        )
    keep = None if mask is None else _check_mask(mask, targets.shape, "targets' shape")

    logp = log_softmax(logits, axis=-1)  # shifted by the max: no overflow for any finite logits
    nll = -np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]
    dlogits = np.exp(logp)  # softmax, taken from logp so it never overflows either
    np.put_along_axis(
        dlogits, targets[..., None], np.take_along_axis(dlogits, targets[..., None], -1) - 1, -1
    )
    if keep is None:
        n = targets.size
        loss = float(nll.sum() / n)
    else:
        n = float(keep.sum())
        loss = float((nll * keep).sum() / n)
        dlogits *= keep[..., None]
    dlogits /= n
    return loss, dlogits


def mse_loss(pred, target, mask=None) -> tuple[float, np.ndarray]:
    """Mean squared error over the kept elements.

    Parameters
    ----------
    pred : (...) floats, the model's output, e.g. (B, 1) or (T, B, D).
    target : same shape as ``pred``.
    mask : optional bool or 0/1 array, either of ``pred``'s shape or of a prefix of it
        (e.g. (T, B) for pred (T, B, D): one flag per position, covering its D values).

    Returns
    -------
    loss : float, mean of (pred - target)^2 over kept elements (equal to
        ``torch.nn.functional.mse_loss(pred[mask], target[mask])``).
    dpred : same shape as ``pred``, 2 (pred - target) * mask / n.
    """
    pred = np.asarray(pred)
    pred = as_float_array("pred", pred, _float_dtype(pred))
    target = as_float_array("target", target, pred.dtype)
    if target.shape != pred.shape:
        raise ValueError(f"target: expected shape {pred.shape} (pred's shape), got {target.shape}")
    if pred.size == 0:
        raise ValueError(f"pred: expected at least one element, got shape {pred.shape}")
    diff = pred - target
    if mask is None:
        n = pred.size
        return float(np.sum(diff * diff) / n), (2.0 / n) * diff
    mask_shape = np.shape(mask)
    if pred.shape[: len(mask_shape)] != mask_shape:
        raise ValueError(
            f"mask: expected shape {pred.shape} or a prefix of it (one flag per position), "
            f"got {mask_shape}"
        )
    keep = _check_mask(mask, mask_shape, "pred's shape or a prefix of it")
    per_position = int(np.prod(pred.shape[len(mask_shape) :]))  # elements each flag covers
    keep = keep.reshape(mask_shape + (1,) * (pred.ndim - len(mask_shape)))
    n = float(keep.sum()) * per_position
    diff *= keep
    return float(np.sum(diff * diff) / n), (2.0 / n) * diff
