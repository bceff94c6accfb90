"""Generated daily stock prices (a geometric random walk) and sliding windows for forecasting.

These are NOT market data. ``stock_random_walk`` draws log returns r_t = mu + sigma_t * z_t,
z_t ~ N(0, 1), optionally with GARCH(1, 1) volatility clustering
(sigma_t^2 = omega + alpha * r_{t-1}^2 + beta * sigma_{t-1}^2, long-run level ``volatility``),
so calm and turbulent stretches alternate as in real prices. Each day gets an open (last close
times a small overnight gap), a close, a high and a low around them, and a volume that rises
with the size of the day's move. On such a walk tomorrow's close is today's close times an
unpredictable factor: no model can beat "tomorrow = today" by more than the drift.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FEATURES", "PriceSeries", "momentum_walk", "stock_random_walk", "windows"]

FEATURES = ("open", "high", "low", "close", "volume")


@dataclass(frozen=True)
class PriceSeries:
    """Daily series, each an (n_days,) float64 array; ``sigma`` is the daily volatility used."""

    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    sigma: np.ndarray

    def __len__(self) -> int:
        return len(self.close)

    def features(self, names=("open", "close", "volume")) -> np.ndarray:
        """Stack the named series as columns: (n_days, F) float64, F = len(names)."""
        names = (names,) if isinstance(names, str) else tuple(names)
        bad = [n for n in names if n not in FEATURES]
        if bad or not names:
            raise ValueError(f"names: expected one or more of {FEATURES}, got {names}")
        return np.stack([getattr(self, n) for n in names], axis=1)


def _positive(name: str, value, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__}")
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(
            f"{name}: expected a {'non-negative' if allow_zero else 'positive'} "
            f"finite number, got {value}"
        )
    return float(value)


def stock_random_walk(
    n_days: int,
    seed: int = 0,
    start: float = 100.0,
    drift: float = 0.0002,
    volatility: float = 0.015,
    clustering: bool = True,
    alpha: float = 0.08,
    beta: float = 0.90,
    base_volume: float = 1e6,
) -> PriceSeries:
    """A generated price series of ``n_days`` days (synthetic; see the module docstring).

    drift : mean daily log return mu; volatility : (long-run) daily standard deviation;
    clustering : GARCH(1, 1) volatility with persistence ``alpha + beta`` (< 1) if True,
    constant ``volatility`` if False; base_volume : typical shares traded per day.
    Returns a ``PriceSeries`` of (n_days,) arrays; the same seed gives identical arrays.
    """
    if isinstance(n_days, bool) or not isinstance(n_days, (int, np.integer)):
        raise TypeError(f"n_days: expected an int, got {type(n_days).__name__}")
    if n_days < 2:
        raise ValueError(f"n_days: expected at least 2 days, got {n_days}")
    start = _positive("start", start)
    volatility = _positive("volatility", volatility)
    base_volume = _positive("base_volume", base_volume)
    alpha, beta = _positive("alpha", alpha, True), _positive("beta", beta, True)
    if not np.isfinite(drift):
        raise ValueError(f"drift: expected a finite number, got {drift}")
    if clustering and alpha + beta >= 1.0:
        raise ValueError(
            f"alpha + beta: expected < 1 for a stationary variance, got {alpha + beta}"
        )

    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n_days)
    sigma = np.full(n_days, volatility)
    r = np.empty(n_days)
    if clustering:
        omega = volatility**2 * (1.0 - alpha - beta)
        var = volatility**2
        for t in range(n_days):  # sequential by nature: today's variance uses yesterday's move
            if t:
                var = omega + alpha * (r[t - 1] - drift) ** 2 + beta * var
            sigma[t] = np.sqrt(var)
            r[t] = drift + sigma[t] * z[t]
    else:
        r = drift + volatility * z
    close = start * np.exp(np.cumsum(r))
    # The day's log return r_t is split into an overnight gap (open vs yesterday's close) and
    # the session (close vs open), so the gap never changes the close series itself.
    gap = np.sqrt(0.2) * sigma * rng.standard_normal(n_days)
    prev_close = np.concatenate([[start], close[:-1]])
    open_ = prev_close * np.exp(gap)
    span = np.abs(rng.standard_normal((2, n_days))) * sigma * 0.5
    high = np.maximum(open_, close) * np.exp(span[0])
    low = np.minimum(open_, close) * np.exp(-span[1])
    volume = base_volume * np.exp(0.3 * rng.standard_normal(n_days)) * (1.0 + np.abs(z))
    return PriceSeries(open_, high, low, close, volume, sigma)


def windows(series, lookback: int = 10, features=("open", "close", "volume"), time_major=False):
    """Sliding windows: the last ``lookback`` days -> the next day's close.

    series : a ``PriceSeries`` (uses ``features``) or an (n_days,) array of closes (F = 1).
    Returns X and y with N = n_days - lookback: X (N, lookback, F) float64 (or
    (lookback, N, F), the package's time-major layout, with ``time_major=True``) and
    y (N,) float64 with y[i] = close[i + lookback], the day after window i.
    """
    if isinstance(lookback, bool) or not isinstance(lookback, (int, np.integer)):
        raise TypeError(f"lookback: expected an int, got {type(lookback).__name__}")
    if isinstance(series, PriceSeries):
        data, close = series.features(features), series.close
    else:
        close = np.asarray(series, dtype=np.float64)
        if close.ndim != 1:
            raise ValueError(
                f"series: expected a PriceSeries or shape (n_days,), got {close.shape}"
            )
        data = close[:, None]
    n_days = len(close)
    if lookback < 1 or lookback >= n_days:
        raise ValueError(f"lookback: expected 1 <= lookback < n_days = {n_days}, got {lookback}")
    N = n_days - lookback
    idx = np.arange(N)[:, None] + np.arange(lookback)[None, :]  # (N, lookback) day indices
    X = data[idx]  # (N, lookback, F)
    y = close[lookback:].copy()
    return (X.transpose(1, 0, 2).copy(), y) if time_major else (X, y)


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
