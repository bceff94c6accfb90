"""Many-to-one regression: tomorrow's close from the last ten days, against "tomorrow = today".

On a random walk p_{t+1} = p_t + e_{t+1} with independent e, the best possible forecast of
p_{t+1} given the whole past is p_t itself; its mean squared error is Var(e). A model can at
best match that. The RNN here reads each window relative to its last value (x_k - x_last,
scaled), so it predicts the next *change*; the naive forecast is the special case "change = 0".
"""

from __future__ import annotations

import numpy as np

from rnn_book.losses import mse_loss
from rnn_book.tasks.common import fit, minibatches

__all__ = [
    "make_regressor",
    "naive_forecast",
    "predict",
    "to_inputs",
    "train_regressor",
]


def _check_windows(X, y=None):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < 1:
        raise ValueError(f"X: expected windows of shape (N, lookback), got {X.shape}")
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
    """Windows (N, L) -> RNN inputs (L, N, 1): each window minus its last value, / scale."""
    X, _ = _check_windows(X)
    return ((X - X[:, -1:]) / scale).T[:, :, None]


def make_regressor(hidden_size: int = 16, cell: str = "rnn", seed: int = 0):
    """ManyToOne(RNN/LSTM/GRU(1, H) -> Linear(H, 1)): one number in per day, one number out."""
    from rnn_book.layers import Linear
    from rnn_book.models import ManyToOne, make_rnn

    s_rnn, s_head = np.random.SeedSequence(seed).generate_state(2)
    return ManyToOne(
        make_rnn(cell, 1, hidden_size, seed=int(s_rnn)), Linear(hidden_size, 1, seed=int(s_head))
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
    """Fit the change y - X[:, -1] (scaled) with mean squared error and Adam."""
    from rnn_book.optim import Adam

    X, y = _check_windows(X, y)
    inputs = to_inputs(X, scale)  # (L, N, 1)
    targets = ((y - X[:, -1]) / scale)[:, None]  # (N, 1)
    optimizer = Adam([model], lr=lr)

    def make_batches(rng):
        return [(inputs[:, b], targets[b]) for b in minibatches(len(y), batch_size, rng)]

    return fit(model, make_batches, mse_loss, optimizer, epochs, seed, clip)


def predict(model, X, scale: float) -> np.ndarray:
    """The model's forecast of tomorrow's close for windows X (N, L): (N,) prices."""
    X, _ = _check_windows(X)
    change = model.forward(to_inputs(X, scale))[:, 0] * scale
    return X[:, -1] + change
