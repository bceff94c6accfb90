"""How far back does the gradient reach? ||dL/dx_{T-k}|| as a function of the distance k.

For a random (untrained) single-layer network reading Gaussian inputs, put a random unit
gradient on the final hidden state h_T (no loss on other steps) and backpropagate with the
package's own BPTT. The gradient that arrives at input x_{T-k} is what lets the weights learn
that x_{T-k} matters for the output at T; its norm, averaged over a batch, is the curve.

Scaling the recurrent matrix W (``weight_hh``) by ``w_scale`` moves a network from the
vanishing regime (norms shrink geometrically with k) towards the exploding one (they grow).
"""

from __future__ import annotations

import numpy as np

from rnn_book.experiments.common import make_cell

__all__ = ["clipping_run", "input_gradient_profile"]


def input_gradient_profile(
    cell: str,
    T: int = 100,
    hidden_size: int = 32,
    input_size: int = 4,
    batch: int = 32,
    seed: int = 0,
    w_scale: float = 1.0,
    gate_bias: float | None = None,
) -> np.ndarray:
    """Mean over the batch of ||dL/dx_{T-k}|| for k = 0 .. T-1, shape (T,).

    L = <g, h_T> with g a random unit vector per sequence; x ~ N(0, 1) of shape
    (T, batch, input_size). ``cell`` as in ``common.make_cell`` (including "broken_lstm").
    """
    rng = np.random.default_rng(seed)
    layer = make_cell(cell, input_size, hidden_size, seed, gate_bias)
    for name, p in layer.params.items():
        if name.startswith("weight_hh"):
            p *= w_scale
    x = rng.standard_normal((T, batch, input_size))
    g = rng.standard_normal((batch, hidden_size))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    out, state = layer.forward(x)
    dout = np.zeros_like(out)
    if isinstance(state, tuple):  # LSTM: (h_n, c_n); nothing flows into c_T from the loss
        dstate = (g[None], np.zeros_like(state[1]))
    else:
        dstate = g[None]
    dx, _ = layer.backward(dout, dstate)
    norms = np.linalg.norm(dx, axis=2).mean(axis=1)  # (T,) indexed by time t
    return norms[::-1].copy()  # index k = T - 1 - t: distance from the end


def clipping_run(
    cell: str = "lstm",
    clip: float | None = 1.0,
    T: int = 50,
    w_scale: float = 8.0,
    steps: int = 150,
    lr: float = 0.3,
    hidden_size: int = 32,
    batch: int = 32,
    seed: int = 0,
) -> dict:
    """Train on the adding problem with plain SGD from a large recurrent matrix (W * w_scale).

    Returns {"grad_norm": (steps,) norms before clipping, "loss": (steps,) training losses
    (inf once they overflow), "diverged": step at which the loss stopped being finite or None}.
    Plain SGD, because Adam's per-parameter normalisation hides the size of a gradient spike.
    """
    from rnn_book.clip import clip_grad_norm
    from rnn_book.experiments.common import final_state_model
    from rnn_book.experiments.long_range import adding_problem
    from rnn_book.losses import mse_loss
    from rnn_book.optim import SGD

    model = final_state_model(cell, 2, hidden_size, 1, seed)
    for name, p in model.rnn.params.items():
        if name.startswith("weight_hh"):
            p *= w_scale
    opt = SGD([model], lr=lr)
    rng = np.random.default_rng(seed)
    norms = np.full(steps, np.nan)
    losses = np.full(steps, np.inf)
    diverged = None
    with np.errstate(all="ignore"):  # overflow is the phenomenon measured, not an accident
        for step in range(steps):
            x, y = adding_problem(batch, T, rng)
            model.zero_grad()
            value, dpred = mse_loss(model.forward(x), y)
            if not np.isfinite(value):
                diverged = step
                break
            losses[step] = value
            model.backward(dpred)
            if clip is None:
                norms[step] = np.sqrt(sum(float(np.sum(g * g)) for g in model.grads.values()))
            else:
                norms[step] = clip_grad_norm([model], clip)
            if not np.isfinite(norms[step]):
                diverged = step
                break
            opt.step()
    return {"grad_norm": norms, "loss": losses, "diverged": diverged}
