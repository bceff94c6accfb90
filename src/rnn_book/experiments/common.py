"""Models and the training loop shared by the LSTM/GRU experiments.

A "cell" names a single-layer recurrent layer:

* ``"rnn"``         — ``rb.RNN`` (tanh), the vanilla network;
* ``"lstm"``        — ``rb.LSTM`` with PyTorch's initialisation, so the forget gate starts
  near sigmoid(0) = 0.5;
* ``"gru"``         — ``rb.GRU`` (PyTorch convention: z multiplies h_{t-1});
* ``"broken_lstm"`` — ``BrokenLSTM``: the same forward pass as the LSTM, but the backward
  pass drops the cell-state path ``dc_{t-1} = dc_t * f_t`` (a bug once found in teaching code).

``gate_bias`` sets the initial bias of the gate that keeps the old state (the LSTM's forget
gate f, the GRU's update gate z): ``gate_bias=1.0`` is the forget-gate bias of 1 recommended
by Gers et al. (2000) and Jozefowicz et al. (2015).
"""

from __future__ import annotations

import time

import numpy as np

from rnn_book.elman import RNN
from rnn_book.gru import GRU
from rnn_book.layers import Linear
from rnn_book.lstm import LSTM, lstm_step_backward
from rnn_book.recurrent import Recurrent

__all__ = [
    "CELLS",
    "BrokenLSTM",
    "final_state_model",
    "make_cell",
    "set_gate_bias",
    "train_final_state",
]

CELLS = ("rnn", "lstm", "gru", "broken_lstm")


class BrokenLSTM(LSTM):
    """An LSTM whose backward pass forgets the cell-state path (WRONG gradients, on purpose).

    Forward is exactly ``rb.LSTM``'s. In backward, the gradient reaching c_{t-1} from c_t
    (``dc_t * f_t``) is dropped, so the only route back in time is through h_{t-1} and the
    gates. Shapes and API as ``rb.LSTM``.
    """

    def _sequence_backward(self, dout, dstates, cache):
        """BPTT over ``rb.lstm.lstm_step_backward``, one step at a time, with the bug.

        dout : (T, B, H).  dstates : (dh_T, dc_T), (B, H) each.  cache : ``LSTMCache``.
        Returns dx (T, B, D), (dh0, dc0) and (dw_ih, dw_hh, db_ih, db_hh) as ``rb.LSTM``.
        """
        T = dout.shape[0]
        dh, dc = dstates
        dx = np.empty_like(cache.x)
        dw = [0.0, 0.0, 0.0, 0.0]  # dw_ih, dw_hh, db_ih, db_hh: shared weights, summed over t
        for t in reversed(range(T)):
            dx[t], dh, dc_prev, *dw_t = lstm_step_backward(dh + dout[t], dc, cache.step(t))
            dc = np.zeros_like(dc_prev)  # THE BUG. Correct BPTT: dc = dc_prev (= dc_t * f_t)
            dw = [None if d is None else s + d for s, d in zip(dw, dw_t, strict=True)]
        return dx, (dh, dc), tuple(dw)


def set_gate_bias(layer: Recurrent, value: float) -> None:
    """Set the total bias (b_ih + b_hh) of the state-keeping gate of every layer to ``value``.

    LSTM: the forget gate f (rows H:2H, gate order i, f, g, o). GRU: the update gate z
    (rows H:2H, order r, z, n), which multiplies h_{t-1} in PyTorch's convention.
    The value goes into ``bias_ih``; ``bias_hh`` of that block is set to 0.
    """
    if not isinstance(layer, (LSTM, GRU)):
        raise TypeError(f"layer: expected an LSTM or GRU, got {type(layer).__name__}")
    if not layer.bias:
        raise ValueError("layer: expected a layer with bias=True to set a gate bias")
    H = layer.hidden_size
    for name, p in layer.params.items():
        if name.startswith("bias_ih"):
            p[H : 2 * H] = value
        elif name.startswith("bias_hh"):
            p[H : 2 * H] = 0.0


def make_cell(
    cell: str, input_size: int, hidden_size: int, seed: int, gate_bias: float | None = None
) -> Recurrent:
    """A single-layer recurrent layer named by ``cell`` (see the module docstring)."""
    classes = {"rnn": RNN, "lstm": LSTM, "gru": GRU, "broken_lstm": BrokenLSTM}
    if cell not in classes:
        raise ValueError(f"cell: expected one of {sorted(classes)}, got {cell!r}")
    layer = classes[cell](input_size, hidden_size, seed=seed)
    if gate_bias is not None:
        if cell == "rnn":
            raise ValueError("gate_bias: the vanilla RNN has no gate; expected None")
        set_gate_bias(layer, gate_bias)
    return layer


def final_state_model(
    cell: str,
    input_size: int,
    hidden_size: int,
    output_size: int,
    seed: int,
    gate_bias: float | None = None,
):
    """``rb.ManyToOne``: a recurrent layer read once at the end by a Linear head V.

    Returns a model whose ``forward(x (T, B, D))`` gives (B, output_size).
    """
    from rnn_book.models import ManyToOne

    s_rnn, s_head = np.random.SeedSequence(seed).generate_state(2)
    rnn = make_cell(cell, input_size, hidden_size, int(s_rnn), gate_bias)
    head = Linear(hidden_size, output_size, seed=int(s_head))
    return ManyToOne(rnn, head)


def train_final_state(
    model,
    make_batch,
    test_x: np.ndarray,
    test_y: np.ndarray,
    loss: str,
    steps: int,
    lr: float,
    clip: float | None,
    seed: int,
    eval_every: int = 100,
) -> dict:
    """Train ``model`` with Adam on fresh batches; evaluate on a fixed held-out set.

    Parameters
    ----------
    model : a ``ManyToOne`` model (see ``final_state_model``).
    make_batch : ``rng -> (x (T, B, D), y)``, a new training batch for each step.
    test_x, test_y : held-out set, generated from a different seed than the training batches.
    loss : "mse" (y (B, 1) floats; metric = test MSE) or "ce" (y (B,) ints; metric = accuracy).
    steps, lr, clip : number of updates, Adam step size, global gradient-norm clip (None: off).
    seed : seed of the training batches.

    Returns
    -------
    dict with "metric" (final held-out metric), "curve" (held-out metric every ``eval_every``
    steps, as [step, value] pairs), "grad_norm_max" (largest gradient norm before clipping),
    "seconds".
    """
    from rnn_book.clip import clip_grad_norm
    from rnn_book.losses import cross_entropy, mse_loss
    from rnn_book.optim import Adam

    if loss not in ("mse", "ce"):
        raise ValueError(f"loss: expected 'mse' or 'ce', got {loss!r}")
    loss_fn = mse_loss if loss == "mse" else cross_entropy
    rng = np.random.default_rng(seed)
    opt = Adam([model], lr=lr)
    start = time.perf_counter()
    curve, gmax = [], 0.0

    def evaluate() -> float:
        out = model.forward(test_x)
        if loss == "mse":
            return float(np.mean((out - test_y) ** 2))
        return float(np.mean(np.argmax(out, axis=-1) == test_y))

    for step in range(1, steps + 1):
        x, y = make_batch(rng)
        model.zero_grad()
        value, dout = loss_fn(model.forward(x), y)
        if not np.isfinite(value):
            raise FloatingPointError(f"loss: expected a finite value at step {step}, got {value}")
        model.backward(dout)
        if clip is None:
            norm = np.sqrt(sum(float(np.sum(g * g)) for g in model.grads.values()))
        else:
            norm = clip_grad_norm([model], clip)  # the norm before clipping
        gmax = max(gmax, float(norm))
        opt.step()
        if step % eval_every == 0 or step == steps:
            curve.append([step, evaluate()])
    return {
        "metric": curve[-1][1],
        "curve": curve,
        "grad_norm_max": gmax,
        "seconds": time.perf_counter() - start,
    }
