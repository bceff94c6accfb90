"""Two sequence-labelling tasks that separate the Jordan (1986) and Elman (1990) networks.

- ``latch``: inputs are one-hot symbols {set, reset, none}; the target is 1 after the last
  "set", 0 after the last "reset" (0 before either). The memory the task needs IS the
  output, so feeding back the output (Jordan) is enough.
- ``echo``: inputs are random bits; the target at step t is the bit of step t - delay.
  What must be remembered (the bits not yet echoed) is NOT what the output shows, so a
  network that only feeds back its output has to smuggle it through the output's confidence,
  while a network that feeds back its hidden state (Elman) simply keeps it.

``train_labeler`` trains either network with the same loss, optimiser and budget and returns
the accuracy on held-out sequences.

``train_recall`` compares an IndRNN (Li et al. 2018) with the tanh Elman RNN on delayed recall:
remember which of two symbols was shown at t = 1 through T - 1 steps of noise.
"""

from __future__ import annotations

import numpy as np

from rnn_book.clip import clip_grad_norm
from rnn_book.elman import RNN
from rnn_book.experiments.long_range import delayed_recall
from rnn_book.history.indrnn import IndRNN
from rnn_book.jordan import JordanRNN
from rnn_book.layers import Linear
from rnn_book.losses import cross_entropy
from rnn_book.models import ManyToMany
from rnn_book.optim import Adam

__all__ = ["echo", "latch", "train_labeler", "train_recall"]


def latch(n: int, T: int, rng: np.random.Generator, p_event: float = 0.15):
    """Latch task. Returns x (T, n, 3) one-hot (set, reset, none), y (T, n) ints, mask (T, n)."""
    sym = rng.choice(3, size=(T, n), p=[p_event, p_event, 1.0 - 2.0 * p_event])
    x = np.eye(3)[sym]
    y = np.zeros((T, n), dtype=np.int64)
    state = np.zeros(n, dtype=np.int64)
    for t in range(T):
        state = np.where(sym[t] == 0, 1, np.where(sym[t] == 1, 0, state))
        y[t] = state
    return x, y, np.ones((T, n), dtype=bool)


def echo(n: int, T: int, rng: np.random.Generator, delay: int = 1):
    """Echo task. Returns x (T, n, 1) bits in {0, 1}, y (T, n) with y_t = x_{t-delay}, mask
    (T, n) False for the first ``delay`` steps (nothing to echo yet)."""
    if not 1 <= delay < T:
        raise ValueError(f"delay: expected 1 <= delay < T = {T}, got {delay}")
    bits = rng.integers(0, 2, size=(T, n))
    y = np.zeros((T, n), dtype=np.int64)
    y[delay:] = bits[:-delay]
    mask = np.ones((T, n), dtype=bool)
    mask[:delay] = False
    return bits[..., None].astype(np.float64), y, mask


_TASKS = {"latch": latch, "echo": echo}


def _make(kind: str, input_size: int, hidden_size: int, seed: int):
    if kind == "jordan":
        return JordanRNN(input_size, hidden_size, 2, output_activation="softmax", seed=seed)
    if kind == "elman":
        return ManyToMany(
            RNN(input_size, hidden_size, seed=seed), Linear(hidden_size, 2, seed=seed + 1)
        )
    raise ValueError(f"kind: expected 'jordan' or 'elman', got {kind!r}")


def _logits(model, x):
    out = model.forward(x)
    return out[0] if isinstance(out, tuple) else out  # JordanRNN returns (z, y_T)


def train_labeler(
    kind: str,
    task: str,
    seed: int = 0,
    T: int = 20,
    hidden_size: int = 16,
    steps: int = 300,
    batch_size: int = 32,
    lr: float = 1e-2,
    n_test: int = 500,
    **task_args,
) -> dict:
    """Train a Jordan or Elman network on ``task`` ("latch" or "echo") and test it held out.

    Both see fresh batches every step (Adam, cross-entropy at every step, the same budget).
    Returns {"accuracy": held-out per-step accuracy (masked positions only), "losses": list}.
    The held-out set is drawn from a generator that does not depend on ``seed``.
    """
    if task not in _TASKS:
        raise ValueError(f"task: expected one of {sorted(_TASKS)}, got {task!r}")
    gen = _TASKS[task]
    rng = np.random.default_rng(seed)
    x0, _, _ = gen(1, T, rng, **task_args)
    model = _make(kind, x0.shape[2], hidden_size, seed)
    opt = Adam([model], lr=lr)
    losses = []
    for _ in range(steps):
        x, y, mask = gen(batch_size, T, rng, **task_args)
        model.zero_grad()
        loss, dz = cross_entropy(_logits(model, x), y, mask)
        model.backward(dz)
        opt.step()
        losses.append(loss)
    xt, yt, mt = gen(n_test, T, np.random.default_rng(10_007), **task_args)
    pred = _logits(model, xt).argmax(axis=-1)
    return {"accuracy": float((pred == yt)[mt].mean()), "losses": losses, "model": model}


def train_recall(
    kind: str,
    T: int = 50,
    seed: int = 0,
    hidden_size: int = 16,
    steps: int = 300,
    batch_size: int = 32,
    lr: float = 1e-2,
    w_low: float = 0.9,
    bias: float = 0.1,
    noise: float = 0.3,
    n_test: int = 500,
) -> float:
    """Delayed recall (``experiments.long_range.delayed_recall``, two symbols) from h_T.

    kind : "indrnn" (relu, w ~ U(w_low, 1), b = ``bias``, |w| clipped to 1 after each step)
        or "rnn" (tanh ``rb.RNN``, PyTorch's initialisation).
    Adam with gradient-norm clipping at 1, fresh batches of x (T, batch_size, 3) every step.
    Returns the accuracy on ``n_test`` held-out sequences (drawn independently of ``seed``).
    """
    rng = np.random.default_rng(seed)
    if kind == "indrnn":
        rnn = IndRNN(3, hidden_size, seed=seed, w_low=w_low, w_high=1.0)
        rnn.params["b"][:] = bias  # a small positive bias keeps relu units (and memory) alive
    elif kind == "rnn":
        rnn = RNN(3, hidden_size, seed=seed)
    else:
        raise ValueError(f"kind: expected 'indrnn' or 'rnn', got {kind!r}")
    head = Linear(hidden_size, 2, seed=seed + 1)
    opt = Adam([rnn, head], lr=lr)
    for _ in range(steps):
        x, y = delayed_recall(batch_size, T, rng, noise=noise)
        rnn.zero_grad()
        head.zero_grad()
        out, h_n = rnn.forward(x)
        _, dlogits = cross_entropy(head.forward(h_n[-1]), y)
        rnn.backward(np.zeros_like(out), head.backward(dlogits)[None])
        clip_grad_norm([rnn, head], 1.0)
        opt.step()
        if kind == "indrnn":
            rnn.clip_recurrent(1.0)
    xt, yt = delayed_recall(n_test, T, np.random.default_rng(20_011), noise=noise)
    _, h_n = rnn.forward(xt)
    return float(np.mean(head.forward(h_n[-1]).argmax(axis=-1) == yt))
