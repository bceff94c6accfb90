"""The code of the page ``book/chapters/structures_many_to_one.md`` (many-to-one).

* Sentiment: an RNN classifier against an order-blind bag of words (``bow_features``,
  ``train_bow``, ``make_classifier``, ``train_classifier``, ``predict_labels``,
  ``running_probability``, ``accuracy``); data from ``rnn_book.data.sentiment``.
* Stock: tomorrow's close from the last ten days against "tomorrow = today"
  (``naive_forecast``, ``make_regressor``, ``train_regressor``, ``predict_prices``), and the
  exercise's counterexample on undifferenced prices (``raw_inputs``, ``train_raw_regressor``,
  ``predict_raw_prices``); data from ``rnn_book.data.stock``.
"""

from __future__ import annotations

import numpy as np

from rnn_book.losses import cross_entropy, mse_loss
from rnn_book.seeding import child_seeds
from rnn_book.training import fit, minibatches, single_thread, single_thread_blas, train_step

__all__ = [
    "accuracy",
    "bow_features",
    "length_batches",
    "make_classifier",
    "make_regressor",
    "naive_forecast",
    "predict_labels",
    "predict_prices",
    "predict_raw_prices",
    "raw_inputs",
    "running_probability",
    "to_inputs",
    "train_bow",
    "train_classifier",
    "train_raw_regressor",
    "train_regressor",
]


def _check_sequences(name: str, seqs) -> list[np.ndarray]:
    out = [np.asarray(s) for s in seqs]
    for s in out:
        if s.ndim != 1 or s.size == 0 or not np.issubdtype(s.dtype, np.integer):
            raise ValueError(
                f"{name}: expected non-empty 1-D integer id sequences, got one of shape "
                f"{s.shape} and dtype {s.dtype}"
            )
    return out


def bow_features(seqs, vocab_size: int) -> np.ndarray:
    """Token counts: list of N id sequences -> (N, vocab_size) floats. Word order is lost."""
    seqs = _check_sequences("seqs", seqs)
    X = np.zeros((len(seqs), vocab_size))
    for i, s in enumerate(seqs):
        np.add.at(X[i], s, 1.0)
    return X


def train_bow(
    X, y, num_classes: int = 2, epochs: int = 200, lr: float = 0.05, seed: int = 0
) -> object:
    """Logistic regression on bag-of-words counts X (N, V), labels y (N,): full-batch Adam.

    Returns the trained ``Linear(V, num_classes)``; its ``forward(X)`` gives logits (N, C).
    """
    from rnn_book.layers import Linear
    from rnn_book.optim import Adam

    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X, y: expected shapes (N, V) and (N,), got {X.shape} and {y.shape}")
    model = Linear(X.shape[1], num_classes, seed=seed)
    optimizer = Adam([model], lr=lr)
    with single_thread_blas():
        for _ in range(epochs):
            train_step(model, X, y, cross_entropy, optimizer)
    return model


def make_classifier(
    vocab_size: int,
    num_classes: int = 2,
    embedding_dim: int = 16,
    hidden_size: int = 32,
    cell: str = "rnn",
    seed: int = 0,
):
    """ManyToOne(Embedding(vocab, E) -> RNN/LSTM/GRU(E, H) -> Linear(H, C)), seeded."""
    from rnn_book.layers import Embedding, Linear
    from rnn_book.models import ManyToOne, make_rnn

    s_emb, s_rnn, s_head = child_seeds(seed, 3)
    return ManyToOne(
        make_rnn(cell, embedding_dim, hidden_size, seed=s_rnn),
        Linear(hidden_size, num_classes, seed=s_head),
        Embedding(vocab_size, embedding_dim, seed=s_emb),
    )


def length_batches(seqs, labels, batch_size: int, rng) -> list[tuple[np.ndarray, np.ndarray]]:
    """Group sequences by length and cut each group into shuffled minibatches.

    Returns a shuffled list of (ids (T, B), labels (B,)) with every sequence in a batch of
    length T. ``rng`` None keeps the order (for evaluation).
    """
    seqs = _check_sequences("seqs", seqs)
    labels = np.asarray(labels)
    if labels.shape != (len(seqs),):
        raise ValueError(f"labels: expected shape ({len(seqs)},), got {labels.shape}")
    lengths = np.array([len(s) for s in seqs])
    batches = []
    for T in np.unique(lengths):
        idx = np.flatnonzero(lengths == T)
        parts = (
            [idx[i : i + batch_size] for i in range(0, len(idx), batch_size)]
            if rng is None
            else [idx[b] for b in minibatches(len(idx), batch_size, rng)]
        )
        for part in parts:
            batches.append((np.stack([seqs[i] for i in part], axis=1), labels[part], part))
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def train_classifier(
    model,
    seqs,
    labels,
    epochs: int = 10,
    lr: float = 1e-2,
    batch_size: int = 32,
    seed: int = 0,
    clip: float = 5.0,
) -> dict[str, list[float]]:
    """Train a ManyToOne classifier on id sequences with Adam; returns the loss history."""
    from rnn_book.optim import Adam

    optimizer = Adam([model], lr=lr)

    def make_batches(rng):
        return [(ids, y) for ids, y, _ in length_batches(seqs, labels, batch_size, rng)]

    return fit(model, make_batches, cross_entropy, optimizer, epochs, seed, clip)


@single_thread
def predict_labels(model, seqs, batch_size: int = 256) -> np.ndarray:
    """Predicted class of every sequence: (N,) ints, in the order of ``seqs``."""
    seqs = _check_sequences("seqs", seqs)
    pred = np.empty(len(seqs), dtype=np.int64)
    for ids, _, part in length_batches(seqs, np.zeros(len(seqs)), batch_size, None):
        pred[part] = np.argmax(model.forward(ids), axis=-1)
    return pred


def running_probability(model, ids) -> np.ndarray:
    """P(class) after each token of ONE review: ids (T,) -> (T, C).

    The last row is the model's answer; the earlier rows apply the same V to h_1..h_{T-1},
    showing how the answer forms while the RNN reads.
    """
    from rnn_book.functional import softmax

    ids = _check_sequences("ids", [ids])[0]
    inputs = model.embedding.forward(ids[:, None])
    out, _ = model.rnn.forward(inputs)  # (T, 1, H)
    return softmax(model.head.forward(out[:, 0]), axis=-1)


def accuracy(pred, y) -> float:
    """Fraction of equal entries of two (N,) arrays."""
    pred, y = np.asarray(pred), np.asarray(y)
    if pred.shape != y.shape:
        raise ValueError(f"pred, y: expected equal shapes, got {pred.shape} and {y.shape}")
    return float(np.mean(pred == y))


def _check_windows(X, y=None):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 3 and X.shape[2] == 1:  # windows of closes as rnn_book.data.windows gives them
        X = X[:, :, 0]
    if X.ndim != 2 or X.shape[1] < 1:
        raise ValueError(
            f"X: expected windows of closes (N, lookback) or (N, lookback, 1), got {X.shape}"
        )
    if not np.all(X > 0):
        raise ValueError("X: expected positive prices (the model reads log returns)")
    if y is not None:
        y = np.asarray(y, dtype=np.float64)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y: expected shape ({X.shape[0]},), got {y.shape}")
    return X, y


def naive_forecast(X) -> np.ndarray:
    """ "Tomorrow = today": windows X (N, lookback) -> (N,) their last values."""
    X, _ = _check_windows(X)
    return X[:, -1].copy()


def to_inputs(X, scale: float) -> np.ndarray:
    """Windows (N, L) -> RNN inputs (L, N, 1): log(x_k / x_last) / scale for every day k."""
    X, _ = _check_windows(X)
    return (np.log(X / X[:, -1:]) / scale).T[:, :, None]


def make_regressor(hidden_size: int = 16, cell: str = "rnn", seed: int = 0):
    """ManyToOne(RNN/LSTM/GRU(1, H) -> Linear(H, 1)): one number in per day, one number out."""
    from rnn_book.layers import Linear
    from rnn_book.models import ManyToOne, make_rnn

    s_rnn, s_head = child_seeds(seed, 2)
    return ManyToOne(
        make_rnn(cell, 1, hidden_size, seed=s_rnn), Linear(hidden_size, 1, seed=s_head)
    )


def train_regressor(
    model,
    X,
    y,
    scale: float,
    epochs: int = 20,
    lr: float = 3e-3,
    batch_size: int = 64,
    seed: int = 0,
    clip: float = 5.0,
) -> dict[str, list[float]]:
    """Fit tomorrow's log return log(y / X[:, -1]) / scale with mean squared error and Adam.

    X : (N, L) or (N, L, 1) windows of closes; y : (N,) next closes; scale : e.g. the
    standard deviation of the daily log returns of the training days.
    """
    X, y = _check_windows(X, y)
    inputs = to_inputs(X, scale)  # (L, N, 1)
    targets = (np.log(y / X[:, -1]) / scale)[:, None]  # (N, 1)
    return _fit_windows(model, inputs, targets, epochs, lr, batch_size, seed, clip)


def _fit_windows(model, inputs, targets, epochs, lr, batch_size, seed, clip):
    """Adam on mean squared error over shuffled minibatches of windows.

    inputs : (L, N, 1) RNN inputs; targets : (N, 1). Returns ``fit``'s history.
    """
    from rnn_book.optim import Adam

    optimizer = Adam([model], lr=lr)

    def make_batches(rng):
        return [(inputs[:, b], targets[b]) for b in minibatches(len(targets), batch_size, rng)]

    return fit(model, make_batches, mse_loss, optimizer, epochs, seed, clip)


@single_thread
def predict_prices(model, X, scale: float) -> np.ndarray:
    """The model's forecast of tomorrow's close for windows X (N, L): (N,) prices."""
    X, _ = _check_windows(X)
    log_return = model.forward(to_inputs(X, scale))[:, 0] * scale
    return X[:, -1] * np.exp(log_return)


def raw_inputs(X, price_scale: float) -> np.ndarray:
    """Windows (N, L) -> RNN inputs (L, N, 1): the closes themselves divided by price_scale."""
    X, _ = _check_windows(X)
    if not price_scale > 0:
        raise ValueError(f"price_scale: expected a positive number, got {price_scale}")
    return (X / price_scale).T[:, :, None]


def train_raw_regressor(
    model,
    X,
    y,
    price_scale: float = 100.0,
    epochs: int = 20,
    lr: float = 3e-3,
    batch_size: int = 64,
    seed: int = 0,
    clip: float = 5.0,
) -> dict[str, list[float]]:
    """The counterexample of the page's exercise: raw closes in, tomorrow's close out.

    Like ``train_regressor`` but without differencing: the inputs are the closes divided by
    ``price_scale`` and the target is tomorrow's close divided by ``price_scale``.
    """
    X, y = _check_windows(X, y)
    inputs = raw_inputs(X, price_scale)  # (L, N, 1)
    targets = (y / price_scale)[:, None]  # (N, 1)
    return _fit_windows(model, inputs, targets, epochs, lr, batch_size, seed, clip)


@single_thread
def predict_raw_prices(model, X, price_scale: float = 100.0) -> np.ndarray:
    """Forecasts of a model trained by ``train_raw_regressor``: (N,) prices."""
    return model.forward(raw_inputs(X, price_scale))[:, 0] * price_scale
