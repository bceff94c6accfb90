"""The long-term dependency problem measured: ||dL/dh_{T-k}|| as a function of the distance k.

Take a recurrent layer, run it over x_1..x_T and put a loss on the LAST state only,
L = sum_b <g_b, h_T[b]> with g_b a unit vector. The gradient that reaches an earlier state,
dL/dh_{T-k} = (dh_T/dh_{T-k})^T g, is a product of k step Jacobians. For the Elman RNN
h_t = tanh(U x_t + W h_{t-1} + b) one step back multiplies by W^T diag(1 - h_t^2), so ::

    ||dL/dh_{T-k}|| <= (sigma_max(W))^k     (tanh' <= 1),

which vanishes geometrically when the largest singular value of W is below 1 (Bengio, Simard
& Frasconi 1994; Pascanu, Mikolov & Bengio 2013). Growth over a finite distance needs only
sigma_max(W) > 1, so a non-normal W with spectral radius below 1 can amplify for many steps.
In the nearly linear regime (tanh' close to 1), growth that lasts as k -> infinity needs a
spectral radius above 1, since ||W^k||^(1/k) -> rho(W); when units saturate unevenly over time,
the product of W^T diag(1 - h_t^2) is not governed by rho(W) alone.

``gradient_norms_over_distance(..., wrt="input")`` measures the same curve at the inputs,
||dL/dx_{T-k}||: that is what lets the weights learn that x_{T-k} matters for the output at T,
and it needs only one backward pass.

``gradient_norms_over_distance`` works for any layer of the package's recurrent API
(``rb.RNN``, ``rb.GRU``, ``rb.LSTM``, ``IndRNN``): it only calls ``forward(x, state)`` and
``backward(dout, dstate)``. dL/dh_t is obtained as the ``dh0`` of the sub-sequence x_{t+1..T}
is obtained from dL/dh_{t+1} by one vector-Jacobian product: a one-step ``forward`` from the
true state h_t followed by ``backward`` with dL/dh_{t+1} as the upstream state gradient. This is
exact (the chain rule over whole states, h and c for the LSTM, all layers for a stack) and needs
no access to the layer's internals; it costs about three single-step passes per step.
"""

from __future__ import annotations

import copy

import numpy as np

__all__ = ["gradient_norms_over_distance", "scale_spectral_radius", "spectral_radius"]


def spectral_radius(W: np.ndarray) -> float:
    """``max |eigenvalue|`` of a square matrix W (H, H)."""
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W: expected a square (H, H) matrix, got {W.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def scale_spectral_radius(W: np.ndarray, rho: float) -> np.ndarray:
    """Scale W (H, H) IN PLACE so that its spectral radius is ``rho``; returns W."""
    if not rho > 0:
        raise ValueError(f"rho: expected a positive float, got {rho}")
    W *= rho / spectral_radius(W)
    return W


def _state_parts(state):
    return state if isinstance(state, tuple) else (state,)


def gradient_norms_over_distance(
    layer, x, h0=None, g=None, seed: int = 0, wrt: str = "state"
) -> np.ndarray:
    """Mean over the batch of ||dL/d(state or input) at T-k||, with L = sum_b <g_b, h_T[b]>.

    Parameters
    ----------
    layer : a unidirectional recurrent layer with ``forward(x, h0) -> (out, state)`` and
        ``backward(dout, dstate) -> (dx, dstate0)``; state (L, B, H), or a tuple
        (h, c) of such arrays for the LSTM. It is not touched: the probe runs on a copy, so
        a pending ``backward`` of the caller and the layer's ``grads`` stay as they were.
    x : (T, B, D) inputs (time-major; the layer must have batch_first=False).
    h0 : initial state as the layer takes it, or None for zeros.
    g : (B, H) gradient put on the top layer's h_T, or None for random unit vectors
        drawn with ``seed``.
    wrt : "state" (default) or "input".

    Returns
    -------
    wrt="state": norms (T + 1,), norms[k] = mean_b ||dL/dstate_{T-k}[b]|| (k = T is the
        initial state). The state is the whole (num_layers, B, H) block; for the LSTM both h
        and c, ||(dL/dh, dL/dc)||. norms[0] = mean_b ||g_b|| (1 for the default g).
    wrt="input": norms (T,), norms[k] = mean_b ||dL/dx_{T-k}[b]|| for k = 0..T-1, from one
        backward pass through the whole sequence.
    """
    if wrt not in ("state", "input"):
        raise ValueError(f"wrt: expected 'state' or 'input', got {wrt!r}")
    if getattr(layer, "batch_first", False) or getattr(layer, "bidirectional", False):
        raise ValueError("layer: expected a unidirectional, time-major layer (batch_first=False)")
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"x: expected shape (T, B, D), got {x.shape}")
    T, B = x.shape[:2]
    layer = copy.deepcopy(layer)  # the probe's forward/backward calls must not touch the caller's
    if wrt == "input":
        out, state = layer.forward(x, h0)
        top = _state_parts(state)[0]
        g = _unit_gradient(g, B, top.shape[-1], top.dtype, seed)
        dtop = np.zeros_like(top)
        dtop[-1] = g
        d = (dtop, np.zeros_like(state[1])) if isinstance(state, tuple) else dtop
        dx, _ = layer.backward(np.zeros_like(out), d)
        return np.linalg.norm(dx, axis=2).mean(axis=1)[::-1].copy()
    # states h_0..h_T, one step at a time (O(T) forward steps)
    states = [h0]
    for t in range(T):
        states.append(layer.forward(x[t : t + 1], states[-1])[1])
    top = _state_parts(states[-1])[0]  # (L, B, H)
    g = _unit_gradient(g, B, top.shape[-1], top.dtype, seed)
    dtop = np.zeros_like(top)
    dtop[-1] = g
    d = (dtop, np.zeros_like(states[-1][1])) if isinstance(states[-1], tuple) else dtop
    norms = np.empty(T + 1)
    norms[0] = np.linalg.norm(g, axis=1).mean()
    for k in range(1, T + 1):
        # one vector-Jacobian product per step: dL/dstate_{t} from dL/dstate_{t+1}
        t = T - k
        out, _ = layer.forward(x[t : t + 1], states[t])
        _, d = layer.backward(np.zeros_like(out), d)
        parts = _state_parts(d)
        flat = np.concatenate([np.moveaxis(p, 1, 0).reshape(B, -1) for p in parts], axis=1)
        norms[k] = np.linalg.norm(flat, axis=1).mean()
    return norms


def _unit_gradient(g, B: int, H: int, dtype, seed: int) -> np.ndarray:
    """g as a (B, H) array; None draws one random unit vector per sequence from ``seed``."""
    if g is None:
        g = np.random.default_rng(seed).standard_normal((B, H))
        g /= np.linalg.norm(g, axis=1, keepdims=True)
    g = np.asarray(g, dtype=dtype)
    if g.shape != (B, H):
        raise ValueError(f"g: expected shape (B, H) = {(B, H)}, got {g.shape}")
    return g
