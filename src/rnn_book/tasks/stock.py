"""Many-to-one regression: tomorrow's close from the last ten days, against "tomorrow = today".

On a random walk log p_{t+1} = log p_t + r_{t+1} with unpredictable r, the best forecast of
p_{t+1} given the whole past is p_t itself (up to a tiny drift). A model can at best match it.
The RNN here reads each window as log returns relative to its last day, log(x_k / x_last),
divided by a scale (the daily volatility), and predicts tomorrow's log return; the naive
forecast is the special case "return = 0".
"""

from __future__ import annotations

import numpy as np

from rnn_book.losses import mse_loss
from rnn_book.tasks.common import fit, minibatches, single_thread

__all__ = [
    "make_regressor",
    "momentum_walk",
    "naive_forecast",
    "predict",
    "to_inputs",
    "train_regressor",
]


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


def momentum_walk(
    n: int, phi: float = 0.5, sigma: float = 0.015, start: float = 100.0, seed=0
) -> np.ndarray:
    """Generated prices whose daily log returns are AR(1): r_t = phi r_{t-1} + sigma e_t.

    p_t = start * exp(r_1 + ... + r_t). With phi = 0 this is a plain (geometric) random walk;
    with phi > 0 a rise tends to be followed by a rise, so today's return carries information
    about tomorrow's. NOT market data. Returns (n,) prices.
    """
    if not -1 < phi < 1:
        raise ValueError(f"phi: expected a value in (-1, 1) for a stationary AR(1), got {phi}")
    rng = np.random.default_rng(seed)
    e = rng.normal(0.0, sigma, size=n)
    d = np.empty(n)
    d[0] = e[0]
    for t in range(1, n):
        d[t] = phi * d[t - 1] + e[t]
    return start * np.exp(np.cumsum(d))


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
    """Fit tomorrow's log return log(y / X[:, -1]) / scale with mean squared error and Adam.

    X : (N, L) or (N, L, 1) windows of closes; y : (N,) next closes; scale : e.g. the
    standard deviation of the daily log returns of the training days.
    """
    from rnn_book.optim import Adam

    X, y = _check_windows(X, y)
    inputs = to_inputs(X, scale)  # (L, N, 1)
    targets = (np.log(y / X[:, -1]) / scale)[:, None]  # (N, 1)
    optimizer = Adam([model], lr=lr)

    def make_batches(rng):
        return [(inputs[:, b], targets[b]) for b in minibatches(len(y), batch_size, rng)]

    return fit(model, make_batches, mse_loss, optimizer, epochs, seed, clip)


@single_thread
def predict(model, X, scale: float) -> np.ndarray:
    """The model's forecast of tomorrow's close for windows X (N, L): (N,) prices."""
    X, _ = _check_windows(X)
    log_return = model.forward(to_inputs(X, scale))[:, 0] * scale
    return X[:, -1] * np.exp(log_return)
