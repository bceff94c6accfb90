"""The training loop every chapter uses: forward, loss, BPTT, clip, step."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

__all__ = ["train_epoch"]


def train_epoch(
    model,
    batches: Iterable[tuple],
    loss_fn: Callable,
    optimizer,
    clip: float | None = None,
) -> list[float]:
    """Run one pass over ``batches`` and return the loss of every batch.

    Parameters
    ----------
    model : anything with ``forward(*inputs)`` returning outputs (the first element is used
        if it returns a tuple, as ``CharLM`` does), ``backward(doutputs)`` and ``zero_grad()``.
    batches : iterable of ``(inputs, targets)`` or ``(inputs, targets, mask)``; ``inputs`` is
        one array or a tuple of arrays passed as separate arguments (``Seq2Seq``: (src, tgt_in)).
    loss_fn : ``rb.cross_entropy`` or ``rb.mse_loss``: (outputs, targets, mask) -> (loss, doutputs).
    optimizer : an optimiser built on ``[model]``.
    clip : if given, the global gradient norm is clipped to it before each step.
    """
    from rnn_book.clip import clip_grad_norm

    losses = []
    for batch in batches:
        if len(batch) not in (2, 3):
            raise ValueError(
                f"batches: expected (inputs, targets) or (inputs, targets, mask), "
                f"got a tuple of length {len(batch)}"
            )
        inputs, targets = batch[0], batch[1]
        mask = batch[2] if len(batch) == 3 else None
        model.zero_grad()
        outputs = model.forward(*inputs) if isinstance(inputs, tuple) else model.forward(inputs)
        if isinstance(outputs, tuple):
            outputs = outputs[0]
        loss, doutputs = loss_fn(outputs, targets, mask)
        if not np.isfinite(loss):
            raise FloatingPointError(f"loss: expected a finite value, got {loss} (lower the lr?)")
        model.backward(doutputs)
        if clip is not None:
            clip_grad_norm([model], clip)
        optimizer.step()
        losses.append(float(loss))
    return losses
