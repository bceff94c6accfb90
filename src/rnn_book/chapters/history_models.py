"""The code of the page ``book/chapters/history_models.md``: the historical models, run.

* ``capacity_curve``: how many patterns a Hopfield network recalls (``rnn_book.hopfield``).
* ``train_labeler``: Jordan vs Elman on the latch and echo tasks (data
  ``rnn_book.data.latch_echo``).
* ``train_recall``, ``train_adding``: IndRNN vs a tanh RNN on delayed recall and on the
  adding problem (data ``rnn_book.data.memory``).
* ``train_predictor``, ``compress``, ``decompress``, ``word_starts``: the principle of the
  neural history compressor (data ``rnn_book.data.history_stream``).
* ``windows``, ``esn_forecast_nrmse``: lagged inputs for the linear baseline and the held-out
  error of an echo state network (``rnn_book.esn``).
"""

from __future__ import annotations

import numpy as np

from rnn_book.clip import clip_grad_norm
from rnn_book.data.history_stream import ALPHABET, WORDS, make_stream
from rnn_book.data.latch_echo import echo, latch
from rnn_book.data.memory import adding_problem, delayed_recall
from rnn_book.elman import RNN
from rnn_book.esn import EchoStateNetwork, nrmse
from rnn_book.hopfield import corrupt, hebbian_weights, recall
from rnn_book.indrnn import IndRNN
from rnn_book.jordan import JordanRNN
from rnn_book.layers import Linear
from rnn_book.losses import cross_entropy, mse_loss
from rnn_book.models import CharLM, ManyToMany
from rnn_book.optim import Adam
from rnn_book.seeding import child_seeds
from rnn_book.training import train_step

__all__ = [
    "ALPHABET",
    "capacity_curve",
    "compress",
    "decompress",
    "esn_forecast_nrmse",
    "make_stream",
    "train_adding",
    "train_labeler",
    "train_predictor",
    "train_recall",
    "windows",
    "word_starts",
]


def capacity_curve(
    N: int,
    loads,
    seeds=(0, 1, 2),
    flip_fraction: float = 0.0,
    min_overlap: float = 1.0,
    max_sweeps: int = 30,
) -> np.ndarray:
    """Fraction of random patterns recalled, for P = round(alpha * N) stored patterns.

    For every load alpha and seed: draw P random +-1 patterns of N units, store them, start
    the dynamics from each pattern (with ``flip_fraction`` of its bits flipped) and count it
    as recalled when the overlap m = xi . s / N of the final state is >= ``min_overlap``
    (1.0 = every bit right).

    Returns (len(loads), len(seeds)) recall fractions.
    """
    loads = np.asarray(loads, dtype=np.float64)
    out = np.zeros((loads.size, len(seeds)))
    for j, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        for i, alpha in enumerate(loads):
            P = max(1, round(alpha * N))
            xi = rng.choice([-1.0, 1.0], size=(P, N))
            W = hebbian_weights(xi)
            probes = corrupt(xi, flip_fraction, rng) if flip_fraction > 0 else xi
            s, _ = recall(W, probes, rng, max_sweeps=max_sweeps)
            m = np.sum(s * xi, axis=1) / N
            out[i, j] = np.mean(m >= min_overlap - 1e-12)
    return out


_TASKS = {"latch": latch, "echo": echo}


def _make(kind: str, input_size: int, hidden_size: int, seed: int, context_decay: float = 0.0):
    if kind == "jordan":
        return JordanRNN(
            input_size,
            hidden_size,
            2,
            output_activation="softmax",
            seed=seed,
            context_decay=context_decay,
        )
    if context_decay != 0.0:
        raise ValueError(f"context_decay: only the Jordan network has one, got {context_decay}")
    if kind == "elman":
        s_rnn, s_head = child_seeds(seed, 2)
        return ManyToMany(
            RNN(input_size, hidden_size, seed=s_rnn), Linear(hidden_size, 2, seed=s_head)
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
    context_decay: float = 0.0,
    **task_args,
) -> dict:
    """Train a Jordan or Elman network on ``task`` ("latch" or "echo") and test it held out.

    Both see fresh batches every step (Adam, cross-entropy at every step, the same budget).
    ``context_decay`` (Jordan only): mu in s_{t+1} = mu s_t + y_t, see ``rb.JordanRNN``.
    Returns {"accuracy": held-out per-step accuracy (masked positions only), "losses": list}.
    The held-out set is drawn from a generator that does not depend on ``seed``.
    """
    if task not in _TASKS:
        raise ValueError(f"task: expected one of {sorted(_TASKS)}, got {task!r}")
    gen = _TASKS[task]
    rng = np.random.default_rng(seed)
    x0, _, _ = gen(1, T, rng, **task_args)
    model = _make(kind, x0.shape[2], hidden_size, seed, context_decay)
    opt = Adam([model], lr=lr)
    losses = []
    for _ in range(steps):
        x, y, mask = gen(batch_size, T, rng, **task_args)
        losses.append(train_step(model, x, y, cross_entropy, opt, mask=mask).loss)
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

    kind : "indrnn" (relu, w ~ U(w_low, 1), b = ``bias``, ``|w|`` clipped to 1 after each step)
        or "rnn" (tanh ``rb.RNN``, PyTorch's initialisation).

    Adam with gradient-norm clipping at 1, fresh batches of x (T, batch_size, 3) every step.
    Returns the accuracy on ``n_test`` held-out sequences (drawn independently of ``seed``).
    """
    rng = np.random.default_rng(seed)
    s_rnn, s_head = child_seeds(seed, 2)
    if kind == "indrnn":
        rnn = IndRNN(3, hidden_size, seed=s_rnn, w_low=w_low, w_high=1.0)
        rnn.params["b"][:] = bias  # a small positive bias keeps relu units (and memory) alive
    elif kind == "rnn":
        rnn = RNN(3, hidden_size, seed=s_rnn)
    else:
        raise ValueError(f"kind: expected 'indrnn' or 'rnn', got {kind!r}")
    head = Linear(hidden_size, 2, seed=s_head)
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


def train_adding(
    kind: str,
    T: int = 50,
    seed: int = 0,
    hidden_size: int = 16,
    steps: int = 1000,
    batch_size: int = 32,
    lr: float = 1e-2,
    n_test: int = 500,
) -> dict:
    """The adding problem (``rnn_book.data.adding_problem``) read out from h_T by a ``Linear``.

    kind : "indrnn" (relu, w ~ U(0, 1), ``|w|`` clipped to 2 ** (1 / T) after every step, as Li et
        al. do for a gradient growth of at most 2 over T steps) or "rnn" (tanh ``rb.RNN``).

    Adam with gradient-norm clipping at 1, fresh batches every step, mean squared error.
    Returns {"mse": held-out MSE, "baseline": held-out MSE of always answering 1 (the mean of
    the target), "losses": training losses}. The held-out set does not depend on ``seed``.
    """
    rng = np.random.default_rng(seed)
    s_rnn, s_head = child_seeds(seed, 2)
    if kind == "indrnn":
        rnn = IndRNN(2, hidden_size, seed=s_rnn, w_low=0.0, w_high=1.0)
    elif kind == "rnn":
        rnn = RNN(2, hidden_size, seed=s_rnn)
    else:
        raise ValueError(f"kind: expected 'indrnn' or 'rnn', got {kind!r}")
    head = Linear(hidden_size, 1, seed=s_head)
    opt = Adam([rnn, head], lr=lr)
    losses = []
    for _ in range(steps):
        x, y = adding_problem(batch_size, T, rng)
        rnn.zero_grad()
        head.zero_grad()
        out, h_n = rnn.forward(x)
        loss, dp = mse_loss(head.forward(h_n[-1]), y[:, None])
        rnn.backward(np.zeros_like(out), head.backward(dp)[None])
        clip_grad_norm([rnn, head], 1.0)
        opt.step()
        if kind == "indrnn":
            rnn.clip_recurrent(2 ** (1 / T))
        losses.append(float(loss))
    xt, yt = adding_problem(n_test, T, np.random.default_rng(30_011))
    _, h_n = rnn.forward(xt)
    mse = float(np.mean((head.forward(h_n[-1])[:, 0] - yt) ** 2))
    return {"mse": mse, "baseline": float(np.mean((yt - 1.0) ** 2)), "losses": losses}


def train_predictor(
    ids,
    hidden_size: int = 32,
    steps: int = 300,
    seq_len: int = 24,
    batch_size: int = 16,
    lr: float = 1e-2,
    seed: int = 0,
) -> CharLM:
    """A one-hot tanh ``CharLM`` trained to predict ids[t+1] from ids[:t+1] (random windows).

    ids : (n,) ints in [0, len(ALPHABET)).
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.size <= seq_len + 1:
        raise ValueError(
            f"ids: expected shape (n,) with n > seq_len + 1 = {seq_len + 1}, got {ids.shape}"
        )
    rng = np.random.default_rng(seed)
    model = CharLM(len(ALPHABET), hidden_size, cell="rnn", seed=seed)
    opt = Adam([model], lr=lr)
    for _ in range(steps):
        starts = rng.integers(0, ids.size - seq_len - 1, size=batch_size)
        window = np.stack([ids[s : s + seq_len + 1] for s in starts], axis=1)  # (T + 1, B)
        train_step(model, window[:-1], window[1:], cross_entropy, opt)
    return model


def compress(model: CharLM, ids):
    """Pass up only the symbols the predictor did not expect.

    ids : (n,). Returns (times (m,), symbols (m,)): the steps whose symbol differs from the
    predictor's argmax given everything before it (step 0 always, nothing predicts it).
    """
    ids = np.asarray(ids)
    logits, _ = model.forward(ids[:-1, None])  # logits[t] predicts ids[t + 1]
    guess = logits[:, 0].argmax(axis=-1)
    surprise = np.concatenate([[True], guess != ids[1:]])
    times = np.flatnonzero(surprise)
    return times, ids[times]


def decompress(model: CharLM, times, symbols, n: int) -> np.ndarray:
    """Rebuild the (n,) sequence from the surprises by running the same predictor step by step."""
    passed = dict(zip(np.asarray(times).tolist(), np.asarray(symbols).tolist()))
    if 0 not in passed:
        raise ValueError("times: expected step 0 among the passed-up steps")
    out = np.empty(n, dtype=np.int64)
    state = None
    out[0] = passed[0]
    for t in range(1, n):
        logits, state = model.forward(out[t - 1 : t, None], state)
        out[t] = passed.get(t, int(logits[0, 0].argmax()))
    return out


def word_starts(ids) -> np.ndarray:
    """(n,) bool: True where a word of ``WORDS`` begins in a stream from ``make_stream``.

    The words begin with different letters, so the stream parses from the left without
    ambiguity: the letter at a word's start names the word, which gives the next start.
    """
    ids = np.asarray(ids)
    by_first = {ALPHABET.index(w[0]): w for w in WORDS}
    starts = np.zeros(ids.size, dtype=bool)
    p = 0
    while p < ids.size:
        word = by_first.get(int(ids[p]))
        if word is None or "".join(ALPHABET[i] for i in ids[p : p + len(word)]) != word:
            raise ValueError(f"ids: no word of {WORDS} starts at position {p}")
        starts[p] = True
        p += len(word)
    return starts


def esn_forecast_nrmse(
    u,
    spectral_radius: float,
    seed: int = 0,
    reservoir_size: int = 300,
    horizon: int = 20,
    n_train: int = 2000,
    washout: int = 100,
    ridge: float = 1e-6,
) -> float:
    """Held-out NRMSE of an ESN that predicts u_{t+horizon} from h_t (the page's experiment).

    u : (n,) series. The readout is fitted on h_t for washout <= t < n_train and tested on
    n_train <= t < n - horizon. ``ridge`` can be a sequence: then one NRMSE per value (the
    reservoir runs once), as a list.
    """
    u = np.asarray(u, dtype=np.float64)
    if u.ndim != 1 or u.size <= n_train + horizon:
        raise ValueError(
            f"u: expected shape (n,) with n > n_train + horizon = {n_train + horizon}, "
            f"got {u.shape}"
        )
    esn = EchoStateNetwork(1, reservoir_size, spectral_radius=spectral_radius, seed=seed)
    states = esn.states(u)[:-horizon]  # row t is h_t, its target u_{t+horizon}
    errors = []
    for r in np.atleast_1d(ridge):
        esn.fit(states[washout:n_train], u[washout + horizon : n_train + horizon], ridge=r)
        errors.append(nrmse(esn.predict(states[n_train:])[:, 0], u[n_train + horizon :]))
    return errors if np.ndim(ridge) else errors[0]


def windows(series, lags: int, horizon: int):
    """Linear-autoregression data: rows [u_t, u_{t-1}, .., u_{t-lags+1}] and target u_{t+horizon}.

    series : (n,).  Returns X (m, lags), y (m,) with m = n - lags - horizon + 1; row j ends at
    t = j + lags - 1.
    """
    s = np.asarray(series, dtype=np.float64)
    m = s.size - lags - horizon + 1
    if m < 1:
        raise ValueError(
            f"series: expected more than lags + horizon = {lags + horizon} values, got {s.size}"
        )
    X = np.stack([s[lags - 1 - i : lags - 1 - i + m] for i in range(lags)], axis=1)
    return X, s[lags - 1 + horizon : lags - 1 + horizon + m]
