"""The Mackey-Glass delay-differential equation, integrated to a chaotic series (generated)."""

from __future__ import annotations

import numpy as np

__all__ = ["mackey_glass"]


def mackey_glass(
    n: int,
    tau: float = 17.0,
    beta: float = 0.2,
    gamma: float = 0.1,
    p: float = 10.0,
    dt: float = 0.1,
    sample_every: float = 1.0,
    x0: float = 1.2,
    discard: int = 500,
) -> np.ndarray:
    """Mackey-Glass series dx/dt = beta x(t-tau) / (1 + x(t-tau)^p) - gamma x(t), shape (n,).

    Integrated with Heun's method (step ``dt``, the delayed value read from the stored
    history), constant history x0 before t = 0, sampled every ``sample_every`` time units; the
    first ``discard`` samples (the transient) are dropped. tau = 17 gives the usual mildly
    chaotic series.
    """
    if n < 1:
        raise ValueError(f"n: expected a positive int, got {n}")
    lag = round(tau / dt)
    stride = round(sample_every / dt)
    steps = (n + discard) * stride
    x = np.empty(steps + lag + 1)
    x[: lag + 1] = x0

    def f(xt, xd):
        return beta * xd / (1.0 + xd**p) - gamma * xt

    for i in range(lag, lag + steps):
        k1 = f(x[i], x[i - lag])
        pred = x[i] + dt * k1
        k2 = f(pred, x[i - lag + 1])
        x[i + 1] = x[i] + 0.5 * dt * (k1 + k2)
    return x[lag + 1 :: stride][discard : discard + n].copy()
