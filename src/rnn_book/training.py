"""Training shared by every chapter: one update (``train_step``), one epoch, whole runs (``fit``).

``train_step`` is forward, loss, BPTT, clip and step; ``train_epoch`` runs it over a list of
batches; ``fit`` repeats it
with a seeded shuffle, records a history and can keep the best epoch; ``single_thread_blas``
pins BLAS to one thread, which is faster at textbook sizes and makes stored results reproduce.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np

from rnn_book.clip import clip_grad_norm, grad_norm

__all__ = [
    "Step",
    "fit",
    "mean_spread",
    "minibatches",
    "single_thread",
    "single_thread_blas",
    "train_epoch",
    "train_step",
]


class Step(NamedTuple):
    """What one ``train_step`` measured: the loss, the gradient norm BEFORE clipping, and the
    model's outputs (for error counts without a second forward pass)."""

    loss: float
    grad_norm: float
    outputs: np.ndarray


def train_step(
    model,
    inputs,
    targets,
    loss_fn: Callable,
    optimizer,
    mask=None,
    clip: float | None = None,
) -> Step:
    """One update, the loop body of every training run in the book.

    zero_grad -> forward -> loss -> backward (BPTT) -> clip the global norm -> optimiser step.

    Parameters
    ----------
    model : anything with ``forward(*inputs)`` returning outputs (the first element is used
        if it returns a tuple, as ``CharLM`` and ``JordanRNN`` do), ``backward(doutputs)``
        and ``zero_grad()``; a model, or a single layer such as ``Linear``.
    inputs : one array, or a tuple of arrays passed as separate arguments
        (``Seq2Seq``: (src, tgt_in)).
    targets, mask : passed to ``loss_fn(outputs, targets, mask)``.
    loss_fn : ``rb.cross_entropy`` or ``rb.mse_loss``: returns (loss, doutputs).
    optimizer : an optimiser built on ``[model]``.
    clip : if given, the global gradient norm is clipped to it before the step.

    Returns
    -------
    Step(loss, grad_norm, outputs). Raises FloatingPointError (before any update) if the
    loss is not finite.
    """
    model.zero_grad()
    outputs = model.forward(*inputs) if isinstance(inputs, tuple) else model.forward(inputs)
    if isinstance(outputs, tuple):
        outputs = outputs[0]
    loss, doutputs = loss_fn(outputs, targets, mask)
    if not np.isfinite(loss):
        raise FloatingPointError(f"loss: expected a finite value, got {loss} (lower the lr?)")
    model.backward(doutputs)
    norm = grad_norm([model]) if clip is None else clip_grad_norm([model], clip)
    optimizer.step()
    return Step(float(loss), float(norm), outputs)


def train_epoch(
    model,
    batches: Iterable[tuple],
    loss_fn: Callable,
    optimizer,
    clip: float | None = None,
) -> list[float]:
    """Run ``train_step`` over ``batches`` and return the loss of every batch.

    Parameters
    ----------
    batches : iterable of ``(inputs, targets)`` or ``(inputs, targets, mask)``; ``inputs`` as
        for ``train_step``.
    model, loss_fn, optimizer, clip : as for ``train_step``.
    """
    losses = []
    for batch in batches:
        if len(batch) not in (2, 3):
            raise ValueError(
                f"batches: expected (inputs, targets) or (inputs, targets, mask), "
                f"got a tuple of length {len(batch)}"
            )
        mask = batch[2] if len(batch) == 3 else None
        step = train_step(model, batch[0], batch[1], loss_fn, optimizer, mask=mask, clip=clip)
        losses.append(step.loss)
    return losses


def single_thread_blas():
    """A context in which BLAS uses one thread (if ``threadpoolctl`` is installed).

    Why: the matrices of these tasks are small (batch 32, H <= 128). Multi-threaded OpenBLAS
    spends most of its time spinning on them, and on a busy machine it made a page run ten
    times longer (measured: 248 s with two threads against 25 s with one). Without
    threadpoolctl this is a no-op.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: only a speed matter
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def minibatches(n: int, batch_size: int, rng) -> list[np.ndarray]:
    """Shuffle ``range(n)`` with ``rng`` and cut it into index arrays of ``batch_size``.

    The last, smaller batch is kept, so every example is seen once per epoch.
    """
    if n < 1:
        raise ValueError(f"n: expected at least one example, got {n}")
    order = rng.permutation(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def single_thread(func):
    """Decorator: run ``func`` inside ``single_thread_blas()``."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with single_thread_blas():
            return func(*args, **kwargs)

    return wrapper


def fit(
    model,
    make_batches: Callable[[np.random.Generator], list[tuple]],
    loss_fn: Callable,
    optimizer,
    epochs: int,
    seed: int = 0,
    clip: float | None = 5.0,
    evaluate: Callable[[], float] | None = None,
    keep_best: bool = False,
) -> dict[str, list[float]]:
    """Train for ``epochs`` passes; ``make_batches(rng)`` gives each epoch's (inputs, targets).

    Returns ``{"train_loss": [mean batch loss per epoch], "eval": [evaluate() per epoch]}``
    (``eval`` is empty when no ``evaluate`` is given). With ``keep_best`` the parameters of
    the epoch with the lowest ``evaluate()`` are restored at the end (early stopping), and
    ``history["best_epoch"]`` (1-based) says which epoch that was.
    """
    if keep_best and evaluate is None:
        raise ValueError("keep_best: needs an evaluate function to pick the best epoch")
    rng = np.random.default_rng(seed)
    history: dict[str, list[float]] = {"train_loss": [], "eval": []}
    best, best_params = np.inf, None
    with single_thread_blas():
        for epoch in range(epochs):
            losses = train_epoch(model, make_batches(rng), loss_fn, optimizer, clip=clip)
            history["train_loss"].append(float(np.mean(losses)))
            if evaluate is not None:
                history["eval"].append(float(evaluate()))
                if keep_best and history["eval"][-1] < best:
                    best = history["eval"][-1]
                    best_params = {k: v.copy() for k, v in model.params.items()}
                    history["best_epoch"] = [epoch + 1]
    if best_params is not None:
        for k, v in model.params.items():
            v[...] = best_params[k]  # in place: the optimiser and the layers share these arrays
    return history


def mean_spread(values) -> str:
    """'0.812 ± 0.013' : the mean and the sample standard deviation of ``values``."""
    v = np.asarray(values, dtype=np.float64)
    spread = v.std(ddof=1) if v.size > 1 else 0.0
    return f"{v.mean():.3f} ± {spread:.3f}"
