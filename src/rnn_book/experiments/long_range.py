"""Long-range dependencies: two generated tasks at growing sequence length T.

* ``adding_problem`` (Hochreiter & Schmidhuber 1997, experiment 4): two channels; the
  first holds T random numbers in [0, 1), the second marks two of them (one in the first
  half, one in the second half). Target: the sum of the two marked numbers. The first
  marked number lies at least T/2 steps before the end. Predicting the mean, 1, gives
  MSE = Var(a + b) = 1/6: that is the baseline to beat.
* ``delayed_recall`` (a one-symbol copy task): the symbol shown at t = 1 must be reported
  after T - 1 further steps of noise. Chance accuracy = 1 / num_symbols.

Every run trains on fresh random batches and is scored on a held-out set generated from a
separate seed. ``sweep`` runs cells x lengths x seeds and returns JSON-ready records;
``scripts/run_long_range.py`` writes them to ``book/results/long_range.json``.
"""

from __future__ import annotations

import platform
import time

import numpy as np

from rnn_book.experiments.common import final_state_model, train_final_state

__all__ = [
    "ADDING_BASELINE_MSE",
    "DEFAULTS",
    "TASKS",
    "adding_problem",
    "delayed_recall",
    "held_out_set",
    "run",
    "solved",
    "summarize",
    "sweep",
    "train_model",
]

ADDING_BASELINE_MSE = 1.0 / 6.0  # Var(a + b) for a, b ~ U(0, 1): the score of always saying 1

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


def adding_problem(n: int, T: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n sequences of the adding problem.

    Returns x (T, n, 2): channel 0 values U(0, 1), channel 1 the two markers; y (n, 1) the sum.
    """
    if T < 2:
        raise ValueError(f"T: expected at least 2 steps (one marker per half), got {T}")
    x = np.zeros((T, n, 2))
    x[:, :, 0] = rng.uniform(0.0, 1.0, size=(T, n))
    cols = np.arange(n)
    first = rng.integers(0, T // 2, size=n)
    second = rng.integers(T // 2, T, size=n)
    x[first, cols, 1] = 1.0
    x[second, cols, 1] = 1.0
    y = x[first, cols, 0] + x[second, cols, 0]
    return x, y[:, None]


def delayed_recall(
    n: int, T: int, rng: np.random.Generator, num_symbols: int = 2, noise: float = 0.3
) -> tuple[np.ndarray, np.ndarray]:
    """n sequences of the delayed-recall (one-symbol copy) task.

    Returns x (T, n, num_symbols + 1): a one-hot symbol at t = 1 (zeros afterwards) and a
    Gaussian noise channel of standard deviation ``noise`` at every step; y (n,) the symbol id.
    """
    if T < 1:
        raise ValueError(f"T: expected at least 1 step, got {T}")
    symbols = rng.integers(0, num_symbols, size=n)
    x = np.zeros((T, n, num_symbols + 1))
    x[0, np.arange(n), symbols] = 1.0
    x[:, :, num_symbols] = noise * rng.standard_normal(size=(T, n))
    return x, symbols


#: task name -> (generator, input size, output size, loss, metric name)
TASKS = {
    "adding": (adding_problem, 2, 1, "mse", "test_mse"),
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
