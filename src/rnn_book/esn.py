"""Echo state network (Jaeger 2001): a fixed random reservoir, only the readout is trained.

Reservoir (no training):   h_t = tanh(U u_t + W h_{t-1} + b)
Readout (trained):         y_t = V [1; h_t]

U (H, D) and W (H, H) are random and stay fixed; W is rescaled to a chosen spectral radius
rho (below 1 is the usual rule of thumb that the influence of the initial state fades, the
"echo state property"; it is neither strictly necessary nor sufficient once inputs drive
the reservoir; Jaeger's sufficient condition is a largest singular value below 1).
V (C, 1 + H) is the ridge-regression solution, in closed form::

    V = Y^T X (X^T X + lambda I)^{-1}

with X (n, 1 + H) the collected states (a leading column of ones; the bias is not penalised)
and Y (n, C) the targets. Training is one linear solve: no backpropagation through time.

``mackey_glass`` integrates the Mackey-Glass delay equation, the classic ESN benchmark.
"""

from __future__ import annotations

import numpy as np

from rnn_book.gradient_flow import scale_spectral_radius

__all__ = ["EchoStateNetwork", "nrmse", "ridge_readout"]


def nrmse(pred, target) -> float:
    """sqrt(mean (pred - target)^2) / std(target): 1 means as bad as predicting the mean."""
    pred, target = np.asarray(pred, dtype=np.float64), np.asarray(target, dtype=np.float64)
    if pred.shape != target.shape:
        raise ValueError(f"pred: expected the target's shape {target.shape}, got {pred.shape}")
    return float(np.sqrt(np.mean((pred - target) ** 2)) / np.std(target))


def ridge_readout(X, Y, ridge: float) -> np.ndarray:
    """Closed-form ridge regression with an unpenalised bias.

    Parameters
    ----------
    X : (n, H) features.
    Y : (n, C) targets.

    Returns
    -------
    V : (C, 1 + H), column 0 the bias,
        minimising ``||[1, X] V^T - Y||^2 + ridge * ||V[:, 1:]||^2``.
    """
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X: expected shape (n, H), got {X.shape}")
    if Y.ndim != 2 or Y.shape[0] != X.shape[0]:
        raise ValueError(f"Y: expected shape ({X.shape[0]}, C), got {Y.shape}")
    if ridge < 0:
        raise ValueError(f"ridge: expected a non-negative float, got {ridge}")
    Xa = np.hstack([np.ones((X.shape[0], 1)), X])
    reg = ridge * np.eye(Xa.shape[1])
    reg[0, 0] = 0.0
    # solve (Xa^T Xa + reg) V^T = Xa^T Y; the symmetric system is better than an explicit inverse
    return np.linalg.solve(Xa.T @ Xa + reg, Xa.T @ Y).T


class EchoStateNetwork:
    """A leak-free ESN with a ridge readout.

    Parameters
    ----------
    input_size : D.
    reservoir_size : H.
    spectral_radius : rho, the spectral radius W is scaled to.
    input_scale : U ~ U(-input_scale, input_scale).
    density : fraction of nonzero entries of W (sparse reservoirs are customary, not needed).
    seed : the reservoir's seed.

    Attributes
    ----------
    U : (H, D).
    W : (H, H).
    b : (H,).
    V : (C, 1 + H) after ``fit``.
    """

    def __init__(
        self,
        input_size: int,
        reservoir_size: int,
        spectral_radius: float = 0.9,
        input_scale: float = 0.5,
        density: float = 0.1,
        seed: int | None = None,
    ):
        rng = np.random.default_rng(seed)
        D, H = int(input_size), int(reservoir_size)
        if D < 1 or H < 1:
            raise ValueError(f"input_size, reservoir_size: expected positive ints, got {D}, {H}")
        self.U = rng.uniform(-input_scale, input_scale, size=(H, D))
        self.b = rng.uniform(-input_scale, input_scale, size=H)
        W = rng.uniform(-1.0, 1.0, size=(H, H)) * (rng.random((H, H)) < density)
        self.W = scale_spectral_radius(W, spectral_radius)
        self.V = None

    def states(self, u, h0=None) -> np.ndarray:
        """Drive the reservoir with u (T, D) (or (T,) when D = 1); returns h_1..h_T, (T, H)."""
        u = np.asarray(u, dtype=np.float64)
        if u.ndim == 1:
            u = u[:, None]
        H, D = self.U.shape
        if u.ndim != 2 or u.shape[1] != D:
            raise ValueError(f"u: expected shape (T, {D}) (or (T,) when D = 1), got {u.shape}")
        drive = u @ self.U.T + self.b
        hs = np.empty((u.shape[0], H))
        h = np.zeros(H) if h0 is None else np.asarray(h0, dtype=np.float64)
        W_T = self.W.T
        for t in range(u.shape[0]):
            h = np.tanh(drive[t] + h @ W_T)
            hs[t] = h
        return hs

    def fit(self, states, y, ridge: float = 1e-6) -> np.ndarray:
        """Set V by ridge regression of y (n,) or (n, C) on states (n, H); returns V."""
        y = np.asarray(y, dtype=np.float64)
        self.V = ridge_readout(states, y[:, None] if y.ndim == 1 else y, ridge)
        return self.V

    def predict(self, states) -> np.ndarray:
        """V [1; h_t] for states (n, H) -> (n, C)."""
        if self.V is None:
            raise RuntimeError("predict: call fit first")
        return states @ self.V[:, 1:].T + self.V[:, 0]
