"""Helpers the task modules share: seeded minibatches and a training loop with a history."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from rnn_book.training import train_epoch

__all__ = ["fit", "mean_spread", "minibatches", "single_thread", "single_thread_blas"]


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
