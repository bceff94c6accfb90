"""The Hopfield network (Hopfield 1982): binary units, Hebbian storage, asynchronous updates.

N units with states s_i in {-1, +1} (Hopfield wrote V_i in {0, 1}; the +-1 form is the
usual equivalent one). P patterns xi^1..xi^P (each (N,), entries +-1) are stored by the
Hebbian outer-product rule ::

    W = (1/N) sum_mu xi^mu xi^mu^T,   W_ii = 0,

so W is symmetric with a zero diagonal. One asynchronous update picks ONE unit i and sets ::

    s_i <- sign(sum_j W_ij s_j)     (s_i unchanged when the field is exactly 0),

and the energy E(s) = -1/2 s^T W s can only go down or stay: flipping s_i changes E by
-Delta s_i * h_i <= 0, because the new s_i has the sign of the field h_i. A finite state space
and a non-increasing energy mean every run ends in a fixed point: that is the "memory".

The functions are batched over probes: a state array is (B, N), all probes are updated at
the same unit in the same order (the order is random per sweep), which is still the
asynchronous (one unit at a time) dynamics for every probe.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "corrupt",
    "energy",
    "hebbian_weights",
    "recall",
]


def _check_patterns(name: str, patterns) -> np.ndarray:
    p = np.asarray(patterns, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"{name}: expected shape (P, N) of +-1 entries, got {p.shape}")
    if not np.isin(p, (-1.0, 1.0)).all():
        raise ValueError(f"{name}: expected entries in {{-1, +1}} only (shape {p.shape})")
    return p


def hebbian_weights(patterns) -> np.ndarray:
    """Hebbian storage W = (1/N) sum_mu xi^mu xi^mu^T with zero diagonal.

    Parameters
    ----------
    patterns : (P, N) entries +-1.

    Returns
    -------
    W : (N, N), symmetric, W_ii = 0.
    """
    xi = _check_patterns("patterns", patterns)
    N = xi.shape[1]
    W = xi.T @ xi / N
    np.fill_diagonal(W, 0.0)
    return W


def energy(W: np.ndarray, s) -> np.ndarray:
    """E(s) = -1/2 s^T W s.  W : (N, N);  s : (N,) or (B, N).  Returns () or (B,)."""
    s = np.asarray(s, dtype=np.float64)
    N = W.shape[0]
    if s.shape[-1] != N or s.ndim not in (1, 2):
        raise ValueError(f"s: expected shape ({N},) or (B, {N}), got {s.shape}")
    return -0.5 * np.einsum("...i,ij,...j->...", s, W, s)


def corrupt(patterns, flip_fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Copies of ``patterns`` (P, N) with round(flip_fraction * N) random entries flipped each."""
    xi = _check_patterns("patterns", patterns)
    if not 0.0 <= flip_fraction <= 1.0:
        raise ValueError(f"flip_fraction: expected a float in [0, 1], got {flip_fraction}")
    out = xi.copy()
    n_flip = round(flip_fraction * xi.shape[1])
    for row in out:
        row[rng.choice(xi.shape[1], size=n_flip, replace=False)] *= -1.0
    return out


def recall(
    W: np.ndarray,
    s0,
    rng: np.random.Generator,
    max_sweeps: int = 50,
    record_energy: bool = False,
):
    """Asynchronous dynamics from ``s0`` until no unit changes during a whole sweep.

    Parameters
    ----------
    W : (N, N) symmetric weights with zero diagonal (e.g. from ``hebbian_weights``).
    s0 : (N,) or (B, N) start states, entries +-1.
    rng : the generator that draws each sweep's random unit order.
    max_sweeps : a sweep updates every unit once; stop after this many at the latest.
    record_energy : also return the energy after every single-unit update.

    Returns
    -------
    s : final states, same shape as ``s0``.
    sweeps : number of sweeps run (the last one changed nothing if it converged).
    energies : only with ``record_energy``: (n_updates + 1, B) (or (n_updates + 1,)),
        row 0 the starting energy.
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W: expected a square (N, N) matrix, got {W.shape}")
    single = np.ndim(s0) == 1
    s = _check_patterns("s0", np.atleast_2d(s0)).copy()
    N = W.shape[0]
    if s.shape[1] != N:
        raise ValueError(f"s0: expected shape ({N},) or (B, {N}), got {np.shape(s0)}")
    energies = [energy(W, s)] if record_energy else None
    sweeps = 0
    for sweeps in range(1, max_sweeps + 1):
        changed = False
        for i in rng.permutation(N):
            field = s @ W[:, i]  # (B,) local field h_i of every probe
            # a unit flips only when the field has the opposite sign (ties keep s_i)
            flip = field * s[:, i] < 0
            if flip.any():
                changed = True
                s[flip, i] *= -1.0
            if record_energy:
                energies.append(energy(W, s))
        if not changed:
            break
    s_out = s[0] if single else s
    if record_energy:
        e = np.array(energies)
        return s_out, sweeps, (e[:, 0] if single else e)
    return s_out, sweeps
