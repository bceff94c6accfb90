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

from rnn_book._validate import check_flag, check_positive_int
from rnn_book.clip import clip_grad_norm, clip_grad_value, grad_norm

__all__ = [
    "Step",
    "bptt_windows",
    "detach_state",
    "fit",
    "mean_spread",
    "minibatches",
    "single_thread",
    "single_thread_blas",
    "train_epoch",
    "train_step",
    "train_truncated",
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


def bptt_windows(length: int, k: int | None) -> list[slice]:
    """The windows of truncated BPTT: ``[0:k], [k:2k], ...`` covering ``range(length)``.

    length : T, the number of time steps (>= 1). k : the window length (>= 1), or None for
    full BPTT (one window ``[0:T]``). The last window is shorter when k does not divide T.
    Returns a list of ``ceil(T / k)`` slices.
    """
    length = check_positive_int("length", length)
    if k is None:
        return [slice(0, length)]
    k = check_positive_int("k", k)
    return [slice(s, min(s + k, length)) for s in range(0, length, k)]


def detach_state(state):
    """A copy of a recurrent state (``h_n``, or ``(h_n, c_n)`` of an LSTM) to start the next
    window from.

    "Detaching" (PyTorch's ``h.detach()``) cuts the graph: the next window reads the values of
    the state but sends no gradient back into the window that produced it. In this package no
    gradient flows into ``h0`` unless a caller passes ``dh0`` back by hand, so detaching is a
    copy that keeps the caller's arrays apart from the layer's. Shapes are kept, e.g.
    ``(num_layers * dirs, B, H)``; None stays None.
    """
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(np.array(s, copy=True) for s in state)
    return np.array(state, copy=True)


def train_truncated(
    model,
    inputs,
    targets,
    k: int | None,
    loss_fn: Callable,
    optimizer,
    mask=None,
    stateful: bool = True,
    clip: float | None = None,
    clip_value: float | None = None,
    h0=None,
) -> list[Step]:
    """Train on one batch of long sequences window by window: truncated BPTT.

    For every window ``w`` of ``bptt_windows(T, k)``: zero_grad -> forward(inputs[w], h) ->
    loss -> backward (BPTT inside the window only) -> clip -> optimiser step. With
    ``stateful`` the next window starts from this window's final state, detached
    (``detach_state``): the values are carried, the gradient is not. Without it every window
    starts from ``h0`` (zeros if None). ``k=None`` is full BPTT: one window, one update.

    Parameters
    ----------
    model : a model whose ``forward(x, h0)`` returns ``(outputs, h_n)`` and whose
        ``backward(doutputs)`` accumulates gradients, e.g. ``CharLM``.
    inputs : (T, B, ...) time-major, e.g. (T, B) ids for a ``CharLM``.
    targets, mask : (T, B, ...) and optional (T, B); sliced like ``inputs`` and passed to
        ``loss_fn(outputs, targets, mask)``. A window whose mask is all zero (padding only) is
        skipped, and its state is not carried.
    clip, clip_value : clip the global gradient norm to ``clip`` (``clip_grad_norm``) or every
        entry to [-clip_value, clip_value] (``clip_grad_value``); at most one of the two.
    h0 : the state the first window starts from (and every window when not ``stateful``).

    Returns
    -------
    One ``Step(loss, grad_norm, outputs)`` per trained window (``grad_norm`` before clipping).
    Raises FloatingPointError, before that window's update, if a loss is not finite.
    """
    stateful = check_flag("stateful", stateful)
    if clip is not None and clip_value is not None:
        raise ValueError(
            f"clip, clip_value: expected at most one of the two, got clip={clip} and "
            f"clip_value={clip_value}"
        )
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    if inputs.ndim < 2 or targets.shape[:2] != inputs.shape[:2]:
        raise ValueError(
            f"inputs, targets: expected time-major (T, B, ...) arrays with the same (T, B), "
            f"got {inputs.shape} and {targets.shape}"
        )
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != inputs.shape[:2]:
            raise ValueError(f"mask: expected shape {inputs.shape[:2]} (T, B), got {mask.shape}")
    steps, state = [], h0
    for w in bptt_windows(inputs.shape[0], k):
        window_mask = None if mask is None else mask[w]
        if window_mask is not None and not window_mask.any():
            continue
        model.zero_grad()
        result = model.forward(inputs[w], state if stateful else h0)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError(
                f"model: expected forward(x, h0) to return (outputs, h_n) as CharLM does, "
                f"got {type(result).__name__} from {type(model).__name__}"
            )
        outputs, h_n = result
        loss, doutputs = loss_fn(outputs, targets[w], window_mask)
        if not np.isfinite(loss):
            raise FloatingPointError(f"loss: expected a finite value, got {loss} (lower the lr?)")
        model.backward(doutputs)
        if clip is not None:
            norm = clip_grad_norm([model], clip)
        elif clip_value is not None:
            norm = clip_grad_value([model], clip_value)
        else:
            norm = grad_norm([model])
        optimizer.step()
        steps.append(Step(float(loss), float(norm), outputs))
        state = detach_state(h_n)
    return steps
