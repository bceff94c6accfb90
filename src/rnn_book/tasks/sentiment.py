"""Many-to-one classification: an RNN that reads a review against an order-blind bag of words.

A review is a list of token ids (any length >= 1). The bag-of-words baseline counts tokens and
feeds the counts to a logistic regression, so "质量好但是价格贵" and "价格贵但是质量好" look the
same to it. The RNN reads the tokens in order and classifies from its last state h_T.

Reviews of equal length are batched together (``length_batches``), so no padding is needed and
h_T is always the state after the review's real last token.
"""

from __future__ import annotations

import numpy as np

from rnn_book.losses import cross_entropy
from rnn_book.tasks.common import fit, minibatches, single_thread, single_thread_blas

__all__ = [
    "accuracy",
    "bow_features",
    "length_batches",
    "make_classifier",
    "predict",
    "running_probability",
    "train_bow",
    "train_classifier",
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
            model.zero_grad()
            _, dlogits = cross_entropy(model.forward(X), y)
            model.backward(dlogits)
            optimizer.step()
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

    s_emb, s_rnn, s_head = np.random.SeedSequence(seed).generate_state(3)
    return ManyToOne(
        make_rnn(cell, embedding_dim, hidden_size, seed=int(s_rnn)),
        Linear(hidden_size, num_classes, seed=int(s_head)),
        Embedding(vocab_size, embedding_dim, seed=int(s_emb)),
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
def predict(model, seqs, batch_size: int = 256) -> np.ndarray:
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
