"""The code of the page ``book/chapters/lstm.md`` (also used by the GRU page).

* The cells compared: ``make_cell`` (RNN, LSTM, GRU and ``BrokenLSTM``), ``set_gate_bias``,
  ``final_state_model`` and its training loop ``train_final_state``.
* The broken-LSTM lab: ``train_subtraction`` and ``subtraction_gradient_check`` on 4-bit
  subtraction (data ``rnn_book.data.subtraction``).
* Long-range dependencies: the adding problem and delayed recall at growing T
  (``train_model``, ``run``, ``sweep``, ``summarize``; data ``rnn_book.data.memory``), the
  sweep behind ``book/results/long_range.json`` (made by ``scripts/run_long_range.py``).
* Gradient flow: ``input_gradient_profile``, ``clipping_run`` and ``cell_state_jacobian``
  (the full dc_t/dc_{t-1} of one step, by formula and by central differences).
"""

from __future__ import annotations

import platform
import time

import numpy as np

from rnn_book.data.memory import ADDING_BASELINE_MSE, adding_problem, delayed_recall
from rnn_book.data.subtraction import encode_subtraction, subtraction_split
from rnn_book.gradient_flow import gradient_norms_over_distance
from rnn_book.layers import Linear
from rnn_book.lstm import LSTM, lstm_step_backward, lstm_step_forward
from rnn_book.models import make_rnn, set_gate_bias
from rnn_book.recurrent import Recurrent
from rnn_book.seeding import child_seeds
from rnn_book.training import train_step

__all__ = [
    "ADDING_BASELINE_MSE",
    "CELLS",
    "DEFAULTS",
    "TASKS",
    "BrokenLSTM",
    "cell_state_jacobian",
    "clipping_run",
    "final_state_model",
    "held_out_set",
    "input_gradient_profile",
    "make_cell",
    "run",
    "set_gate_bias",
    "solved",
    "subtraction_gradient_check",
    "summarize",
    "sweep",
    "sweep_summaries",
    "train_final_state",
    "train_model",
    "train_subtraction",
]


#: Recurrent cells ``make_cell`` builds; "broken_lstm" is ``BrokenLSTM``.
CELLS = ("rnn", "lstm", "gru", "broken_lstm")


class BrokenLSTM(LSTM):
    """An LSTM whose backward pass forgets the cell-state path (WRONG gradients, on purpose).

    Forward is exactly ``rb.LSTM``'s. In backward, the gradient reaching c_{t-1} from c_t
    (``dc_t * f_t``) is dropped, so the only route back in time is through h_{t-1} and the
    gates. Shapes and API as ``rb.LSTM``.
    """

    def _sequence_backward(self, dout, dstates, cache):
        """BPTT over ``rb.lstm.lstm_step_backward``, one step at a time, with the bug.

        dout : (T, B, H).
        dstates : (dh_T, dc_T), (B, H) each.
        cache : ``LSTMCache``.
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


def make_cell(
    cell: str, input_size: int, hidden_size: int, seed: int, gate_bias: float | None = None
) -> Recurrent:
    """A single-layer recurrent layer named by ``cell``: ``rb.make_rnn``'s cells plus
    "broken_lstm" (see the module docstring)."""
    if cell == "broken_lstm":
        layer = BrokenLSTM(input_size, hidden_size, seed=seed)
        if gate_bias is not None:
            set_gate_bias(layer, gate_bias)
        return layer
    return make_rnn(cell, input_size, hidden_size, gate_bias=gate_bias, seed=seed)


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

    s_rnn, s_head = child_seeds(seed, 2)
    rnn = make_cell(cell, input_size, hidden_size, s_rnn, gate_bias)
    head = Linear(hidden_size, output_size, seed=s_head)
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
        gmax = max(gmax, train_step(model, x, y, loss_fn, opt, clip=clip).grad_norm)
        if step % eval_every == 0 or step == steps:
            curve.append([step, evaluate()])
    return {
        "metric": curve[-1][1],
        "curve": curve,
        "grad_norm_max": gmax,
        "seconds": time.perf_counter() - start,
    }


def train_subtraction(
    cell: str = "lstm", seed: int = 0, hidden_size: int = 8, epochs: int = 300, lr: float = 0.05
) -> dict:
    """Train ``rb.ManyToMany(cell, Linear(H, 2))`` full-batch with Adam on the training pairs.

    ``cell`` is "lstm" or "broken_lstm". Returns {"train_acc", "test_acc"} (fraction of
    pairs whose 4 output bits are ALL right), "loss" (per epoch) and the trained ``model``.
    """
    from rnn_book.losses import cross_entropy
    from rnn_book.models import ManyToMany
    from rnn_book.optim import Adam

    tr, te = subtraction_split(seed)
    x, y = encode_subtraction(tr[:, 0], tr[:, 1])
    xt, yt = encode_subtraction(te[:, 0], te[:, 1])
    s_rnn, s_head = child_seeds(seed, 2)
    model = ManyToMany(make_cell(cell, 2, hidden_size, s_rnn), Linear(hidden_size, 2, seed=s_head))
    opt = Adam([model], lr=lr)
    losses = []
    for _ in range(epochs):
        losses.append(train_step(model, x, y, cross_entropy, opt).loss)

    def exact(xs, ys) -> float:
        return float(np.mean(np.all(np.argmax(model.forward(xs), axis=-1) == ys, axis=0)))

    return {"train_acc": exact(x, y), "test_acc": exact(xt, yt), "loss": losses, "model": model}


def subtraction_gradient_check(
    cell: str = "lstm", seed: int = 0, T: int = 6, hidden_size: int = 3
) -> dict:
    """Central-difference check of the recurrent layer's parameter gradients.

    A random LSTM ("lstm" or "broken_lstm") reads x (T, 2, 2); the loss is sum(out * G) for a
    fixed random G. Returns name -> norm-wise relative error (``rb.gradcheck``); below ~1e-7
    means the backward pass computes the derivative of the forward pass.
    """
    from rnn_book.gradient_check import gradcheck

    rng = np.random.default_rng(seed)
    layer = make_cell(cell, 2, hidden_size, seed)
    x = rng.standard_normal((T, 2, 2))
    G = rng.standard_normal((T, 2, hidden_size))

    def f() -> float:
        out, _ = layer.forward(x)
        return float(np.sum(out * G))

    f()
    layer.zero_grad()
    layer.backward(G)
    return gradcheck(f, layer.params, {k: v.copy() for k, v in layer.grads.items()})


#: Settings of every run unless overridden (the sweep records them next to its results).
DEFAULTS = {
    "hidden_size": 32,
    "batch_size": 32,
    "steps": 600,
    "lr": 0.01,
    "clip": 1.0,
    "n_test": 1000,
    "eval_every": 100,
}


def adding_batch(n: int, T: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """``rnn_book.data.memory.adding_problem`` with targets (n, 1), the regression head's shape."""
    x, y = adding_problem(n, T, rng)
    return x, y[:, None]


#: task name -> (generator, input size, output size, loss, metric name)
TASKS = {
    "adding": (adding_batch, 2, 1, "mse", "test_mse"),
    "recall": (delayed_recall, 3, 2, "ce", "test_accuracy"),
}


def _test_seed(task: str, T: int) -> int:
    # held-out data depend on the task and T only, never on the training seed
    return 1_000_003 + 7919 * T + (0 if task == "adding" else 1)


def solved(task: str, metric: float) -> bool:
    """Adding: test MSE below 0.01 (6% of the baseline 1/6). Recall: test accuracy above 0.95."""
    return metric < 0.01 if task == "adding" else metric > 0.95


def train_model(
    task: str,
    cell: str,
    T: int,
    seed: int,
    gate_bias: float | None = None,
    **settings,
) -> tuple:
    """Train one model on one task at one length.

    ``settings`` override ``DEFAULTS`` (hidden_size, batch_size, steps, lr, clip, n_test,
    eval_every). Returns ``(model, record)``: the trained ``rb.ManyToOne`` and a JSON-ready
    dict with the inputs, the held-out metric, its curve, the largest gradient norm met,
    whether the task counts as solved, and the time taken.
    """
    if task not in TASKS:
        raise ValueError(f"task: expected one of {sorted(TASKS)}, got {task!r}")
    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"settings: unknown names {sorted(unknown)}; expected {sorted(DEFAULTS)}")
    cfg = {**DEFAULTS, **settings}
    gen, d_in, d_out, loss, metric_name = TASKS[task]
    test_x, test_y = held_out_set(task, T, cfg["n_test"])
    model = final_state_model(cell, d_in, cfg["hidden_size"], d_out, seed, gate_bias)
    batch = cfg["batch_size"]
    result = train_final_state(
        model,
        lambda rng: gen(batch, T, rng),
        test_x,
        test_y,
        loss,
        steps=cfg["steps"],
        lr=cfg["lr"],
        clip=cfg["clip"],
        seed=seed,
        eval_every=cfg["eval_every"],
    )
    record = {
        "task": task,
        "cell": cell,
        "gate_bias": gate_bias,
        "T": T,
        "seed": seed,
        "metric_name": metric_name,
        "metric": result["metric"],
        "solved": solved(task, result["metric"]),
        "curve": result["curve"],
        "grad_norm_max": result["grad_norm_max"],
        "seconds": round(result["seconds"], 3),
        "settings": cfg,
    }
    return model, record


def held_out_set(task: str, T: int, n: int = DEFAULTS["n_test"]) -> tuple[np.ndarray, np.ndarray]:
    """The held-out set of ``task`` at length T: fixed by (task, T), never seen in training."""
    gen = TASKS[task][0]
    return gen(n, T, np.random.default_rng(_test_seed(task, T)))


def run(task: str, cell: str, T: int, seed: int, gate_bias: float | None = None, **settings):
    """``train_model`` without the model: the JSON-ready record only."""
    return train_model(task, cell, T, seed, gate_bias, **settings)[1]


def sweep(
    tasks=("adding", "recall"),
    models=(("rnn", None), ("lstm", None), ("lstm", 1.0), ("gru", None)),
    lengths=(10, 25, 50, 100),
    seeds=(0, 1, 2),
    progress=None,
    **settings,
) -> dict:
    """Every task x model x length x seed; ``models`` are (cell, gate_bias) pairs.

    ``progress``, if given, is called with each finished record. Returns
    {"runs": [...records], "config": {...}, "seconds": total, "machine": {...}}.
    """
    start = time.perf_counter()
    runs = []
    for task in tasks:
        for T in lengths:
            for cell, gate_bias in models:
                for seed in seeds:
                    record = run(task, cell, T, seed, gate_bias, **settings)
                    runs.append(record)
                    if progress is not None:
                        progress(record)
    return {
        "config": {
            "tasks": list(tasks),
            "models": [[c, b] for c, b in models],
            "lengths": list(lengths),
            "seeds": list(seeds),
            "settings": {**DEFAULTS, **settings},
        },
        "runs": runs,
        "seconds": round(time.perf_counter() - start, 1),
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "processor": platform.machine(),
        },
    }


def summarize(runs, task: str, cell: str, gate_bias: float | None = None) -> dict:
    """Per length T: mean and standard deviation (over seeds) of the metric, and how many
    seeds solved the task. Returns {T: {"mean", "std", "solved", "n"}} sorted by T."""
    out = {}
    for r in runs:
        if r["task"] != task or r["cell"] != cell or r["gate_bias"] != gate_bias:
            continue
        out.setdefault(r["T"], []).append(r)
    return {
        T: {
            "mean": float(np.mean([r["metric"] for r in rs])),
            "std": float(np.std([r["metric"] for r in rs])),
            "solved": int(sum(r["solved"] for r in rs)),
            "n": len(rs),
        }
        for T, rs in sorted(out.items())
    }


def sweep_summaries(results: dict, models=None) -> dict:
    """``summarize`` for every task and model of a sweep file, the input of
    ``rb.figures.plot_sweep``: {task: {(cell, gate_bias): {T: {"mean", "std", "solved", "n"}}}}.

    results : the dict of ``book/results/long_range.json``; models : (cell, gate_bias) pairs,
    default all the file's models, in its order.
    """
    models = [tuple(m) for m in (models or results["config"]["models"])]
    return {
        task: {m: summarize(results["runs"], task, *m) for m in models}
        for task in results["config"]["tasks"]
    }


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
    return gradient_norms_over_distance(layer, x, g=g, wrt="input")


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
    optimizer: str = "sgd",
) -> dict:
    """Train on the adding problem with plain SGD from a large recurrent matrix (W * w_scale).

    Returns {"grad_norm": (steps,) norms before clipping, "loss": (steps,) training losses
    (inf once they overflow), "diverged": step at which the loss stopped being finite or None}.
    Plain SGD by default, because Adam's per-parameter normalisation hides the size of a
    gradient spike; ``optimizer="adam"`` uses ``rb.Adam(lr=lr)`` instead (an exercise).
    """
    from rnn_book.clip import clip_grad_norm
    from rnn_book.losses import mse_loss
    from rnn_book.optim import SGD, Adam

    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"optimizer: expected 'sgd' or 'adam', got {optimizer!r}")

    model = final_state_model(cell, 2, hidden_size, 1, seed)
    for name, p in model.rnn.params.items():
        if name.startswith("weight_hh"):
            p *= w_scale
    opt = SGD([model], lr=lr) if optimizer == "sgd" else Adam([model], lr=lr)
    rng = np.random.default_rng(seed)
    norms = np.full(steps, np.nan)
    losses = np.full(steps, np.inf)
    diverged = None
    with np.errstate(all="ignore"):  # overflow is the phenomenon measured, not an accident
        for step in range(steps):
            x, y = adding_batch(batch, T, rng)
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


def cell_state_jacobian(
    seed: int = 0, hidden_size: int = 4, input_size: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """dc_t/dc_{t-1} of one LSTM step, (H, H), by the formula and by central differences.

    c_{t-1} also reaches step t through h_{t-1} = o_{t-1} * tanh(c_{t-1}) (o_{t-1} held fixed:
    it does not depend on c_{t-1}). The formula (gate order i, f, g, o; D_k the derivative of
    gate k's nonlinearity at its pre-activation)::

        diag(f_t) + [diag(c_{t-1}) D_f W_f + diag(g_t) D_i W_i + diag(i_t) D_g W_g]
                    diag(o_{t-1} * (1 - tanh^2 c_{t-1}))

    Random weights (scale 0.5), biases, x_t, o_{t-1} and c_{t-1}; batch of one.
    Returns (formula, numeric).
    """
    from rnn_book.gradient_check import numerical_gradient

    rng = np.random.default_rng(seed)
    H, D = hidden_size, input_size
    w_ih = rng.normal(scale=0.5, size=(4 * H, D))
    w_hh = rng.normal(scale=0.5, size=(4 * H, H))
    b_ih, b_hh = rng.normal(size=4 * H), rng.normal(size=4 * H)
    x_t = rng.normal(size=(1, D))
    o_prev = 1.0 / (1.0 + np.exp(-rng.normal(size=(1, H))))
    c_prev = rng.normal(size=(1, H))

    def step(c):
        return lstm_step_forward(x_t, o_prev * np.tanh(c), c, w_ih, w_hh, b_ih, b_hh)

    _, _, cache = step(c_prev)
    i, f, g = cache.i[0], cache.f[0], cache.g[0]
    W_i, W_f, W_g = w_hh[:H], w_hh[H : 2 * H], w_hh[2 * H : 3 * H]
    through_h = (
        (c_prev[0] * f * (1 - f))[:, None] * W_f
        + (g * i * (1 - i))[:, None] * W_i
        + (i * (1 - g**2))[:, None] * W_g
    )
    formula = np.diag(f) + through_h * (o_prev[0] * (1 - np.tanh(c_prev[0]) ** 2))[None, :]

    numeric = np.empty((H, H))
    c = c_prev.copy()
    for k in range(H):  # row k: gradient of c_t[k] with respect to c_{t-1}
        numeric[k] = numerical_gradient(lambda k=k: float(step(c)[1][0, k]), c)[0]
    return formula, numeric
