"""Many-to-many of equal length, the smallest case: read h,e,l,l and predict e,l,l,o.

The two l's are the interesting part: after the first l the answer is l, after the second it
is o. The input alone cannot tell them apart; only the hidden state, which remembers what came
before, can. A one-hot CharLM (no embedding) learns it in a few hundred full-batch steps.
"""

from __future__ import annotations

import numpy as np

from rnn_book.losses import cross_entropy
from rnn_book.tasks.common import single_thread_blas

__all__ = ["train_hello"]


def train_hello(
    input_ids,
    target_ids,
    vocab_size: int,
    hidden_size: int = 8,
    steps: int = 300,
    lr: float = 0.05,
    seed: int = 0,
):
    """Fit a one-hot ``CharLM`` on one sequence until it predicts every target.

    input_ids, target_ids : (T,) ints. Returns (model, history) where history has the
    per-step ``loss`` and ``errors`` (how many of the T argmax predictions are wrong).
    """
    from rnn_book.models import CharLM
    from rnn_book.optim import Adam

    x, y = np.asarray(input_ids), np.asarray(target_ids)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"input_ids, target_ids: expected two (T,) arrays, got {x.shape} and {y.shape}"
        )
    model = CharLM(vocab_size, hidden_size, cell="rnn", embedding_dim=None, seed=seed)
    optimizer = Adam([model], lr=lr)
    history: dict[str, list[float]] = {"loss": [], "errors": []}
    with single_thread_blas():
        for _ in range(steps):
            model.zero_grad()
            logits, _ = model.forward(x[:, None])  # (T, 1, V)
            loss, dlogits = cross_entropy(logits, y[:, None])
            history["loss"].append(loss)
            history["errors"].append(int(np.sum(np.argmax(logits[:, 0], axis=-1) != y)))
            model.backward(dlogits)
            optimizer.step()
    return model, history
