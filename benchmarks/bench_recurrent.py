"""Time rb.RNN / rb.LSTM / rb.GRU against torch.nn.RNN / LSTM / GRU on one CPU thread.

Both implementations get the same weights (``rb.to_torch``), the same input x, a zero
initial state and the same upstream gradient g = dL/d(out). Two passes are timed:

* ``fwd``     rb: ``layer.forward(x)``;  torch: ``module(x)`` with autograd on (a training
              forward: both keep what the backward pass needs).
* ``fwd+bwd`` rb: ``layer.zero_grad(); layer.forward(x); layer.backward(g)``;
              torch: ``module.zero_grad(); x.grad = None; out, _ = module(x);
              (out * g).sum().backward()`` (x requires grad, so both compute dx and every
              parameter gradient).

The two implementations are interleaved (rb, torch, torch, rb, ...) so that load from other
processes hits both alike; the table gives the median and the inter-quartile range of each
and the ratio of the medians, all from the same run. The ratio of the minima (the least
disturbed call of each) is printed too. Every call is timed twice: wall-clock time
(``time.perf_counter``) and the CPU time of the process (``time.process_time``). With one
thread everywhere, CPU time leaves out the time the process waited for a core, so on a
machine shared with other busy processes it is the steadier measure; wall time is what a
user waits on an idle machine.

Run from the repository root (one core, the BLAS kernel chosen by the CPU, see
benchmarks/README.md)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        .venv/bin/python benchmarks/bench_recurrent.py --repeats 30 \\
        --output benchmarks/results/recurrent_YYYY-MM-DD.md

Quick run: ``--repeats 5 --sizes 50,32,64,128 --cells lstm --dtypes float64``.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import sys
import time

DEFAULT_SIZES = ["100,1,10,32", "50,32,64,128", "100,64,128,256"]
CELLS = {"rnn": ("RNN", "RNN"), "lstm": ("LSTM", "LSTM"), "gru": ("GRU", "GRU")}
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
CORETYPE_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=30, help="timed calls per implementation")
    p.add_argument("--warmup", type=int, default=3, help="untimed calls per implementation")
    p.add_argument(
        "--sizes",
        nargs="+",
        default=DEFAULT_SIZES,
        metavar="T,B,D,H",
        help="problem sizes, each T,B,D,H (default: %(default)s)",
    )
    p.add_argument("--cells", nargs="+", default=list(CELLS), choices=list(CELLS))
    p.add_argument(
        "--dtypes", nargs="+", default=["float32", "float64"], choices=["float32", "float64"]
    )
    p.add_argument("--passes", nargs="+", default=["fwd", "fwd+bwd"], choices=["fwd", "fwd+bwd"])
    p.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP/torch threads")
    p.add_argument(
        "--torch-no-mkldnn",
        action="store_true",
        help="disable torch's oneDNN (mkldnn) RNN kernels: torch's own ATen loop instead",
    )
    p.add_argument(
        "--clock",
        default="both",
        choices=["wall", "cpu", "both"],
        help="wall-clock time, process CPU time (steadier on a shared machine), or both",
    )
    p.add_argument("--progress", action="store_true", help="print progress to stderr")
    p.add_argument("--output", help="also write the Markdown report to this file")
    args = p.parse_args(argv)
    sizes = []
    for s in args.sizes:
        parts = s.split(",")
        if len(parts) != 4 or not all(q.strip().isdigit() and int(q) > 0 for q in parts):
            p.error(f"--sizes: expected T,B,D,H (four positive integers), got {s!r}")
        sizes.append(tuple(int(q) for q in parts))
    args.sizes = sizes
    if args.repeats < 1:
        p.error(f"--repeats: expected >= 1, got {args.repeats}")
    return args


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def blas_info(np) -> list[str]:
    """One line per native thread pool (threadpoolctl), else numpy's build config."""
    try:
        import threadpoolctl
    except ImportError:
        cfg = np.show_config(mode="dicts") if np.__version__ >= "2" else {}
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        return [f"numpy BLAS (np.show_config, no threadpoolctl): {blas}"]
    lines = []
    for d in threadpoolctl.threadpool_info():
        lines.append(
            f"{d.get('internal_api')} {d.get('version')} kernel={d.get('architecture', '-')} "
            f"threads={d.get('num_threads')} ({os.path.basename(d.get('filepath', ''))})"
        )
    return lines


def quartiles(samples):
    import numpy as np

    q1, med, q3 = np.percentile(samples, [25, 50, 75])
    return med, q3 - q1


def bench_case(np, torch, rb, cell, dtype_name, size, pass_name, repeats, warmup):
    """Time one configuration: lists of (wall, cpu) seconds for rb and torch, and max |diff|."""
    T, B, D, H = size
    dtype = np.dtype(dtype_name)
    rng = np.random.default_rng(0)
    layer = getattr(rb, CELLS[cell][0])(D, H, dtype=dtype, seed=0)
    module = rb.to_torch(layer)
    x = rng.standard_normal((T, B, D)).astype(dtype)
    g = rng.standard_normal((T, B, H)).astype(dtype)
    tx = torch.from_numpy(x.copy()).requires_grad_(pass_name == "fwd+bwd")
    tg = torch.from_numpy(g.copy())

    if pass_name == "fwd":

        def run_rb():
            return layer.forward(x)[0]

        def run_torch():
            return module(tx)[0]

    else:

        def run_rb():
            layer.zero_grad()
            layer.forward(x)
            return layer.backward(g)[0]

        def run_torch():
            module.zero_grad()
            tx.grad = None
            out = module(tx)[0]
            (out * tg).sum().backward()
            return tx.grad

    # Same weights, same answer: a wrong comparison is worse than a slow one.
    ours = run_rb()
    theirs = run_torch().detach().numpy()
    diff = float(np.max(np.abs(ours - theirs)))
    tol = 1e-4 if dtype == np.float32 else 1e-10
    if not diff <= tol * max(1.0, float(np.max(np.abs(theirs)))):
        raise AssertionError(f"{cell} {dtype_name} {size} {pass_name}: rb != torch ({diff:.3g})")

    for _ in range(warmup):
        run_rb()
        run_torch()
    # One list of (wall, cpu) seconds per implementation.
    t_rb, t_torch = [], []
    gc.collect()
    gc_was_enabled = gc.isenabled()
    gc.disable()  # a collection inside one sample would land on one side only
    try:
        for k in range(repeats):
            # Alternate who goes first so that neither always runs right after the other.
            order = ((run_rb, t_rb), (run_torch, t_torch))
            for fn, acc in order if k % 2 == 0 else order[::-1]:
                w0, c0 = time.perf_counter(), time.process_time()
                fn()
                acc.append((time.perf_counter() - w0, time.process_time() - c0))
    finally:
        if gc_was_enabled:
            gc.enable()
    return t_rb, t_torch, diff


def main(argv=None) -> int:
    args = parse_args(argv)
    # Must happen before numpy (and its OpenBLAS) is imported: the pool size is read at load.
    for var in THREAD_VARS:
        os.environ[var] = str(args.threads)
    import numpy as np
    import torch

    import rnn_book as rb

    torch.set_num_threads(args.threads)
    if args.torch_no_mkldnn:
        torch.backends.mkldnn.enabled = False
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None

    lines = []

    def emit(s=""):
        print(s, flush=True)
        lines.append(s)

    load0 = os.getloadavg()
    emit("# rb vs torch: recurrent layers on CPU")
    emit()
    emit(f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}")
    emit(f"- CPU: {cpu_model()}, nproc={os.cpu_count()}, threads used={args.threads}")
    emit(f"- python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}")
    for var in CORETYPE_VARS:
        emit(f"- {var}={os.environ.get(var, '(unset)')}")
    emit(f"- repeats={args.repeats}, warmup={args.warmup}; load average at start: {load0}")

    ctx = threadpool_limits(limits=args.threads) if threadpool_limits else None
    if ctx is not None:
        ctx.__enter__()
    try:
        for line in blas_info(np):
            emit(f"- BLAS/threads: {line}")
        emit(
            f"- torch threads: {torch.get_num_threads()}, oneDNN (mkldnn) enabled: "
            f"{torch.backends.mkldnn.enabled}"
        )
        results = []
        for size in args.sizes:
            for cell in args.cells:
                for dtype_name in args.dtypes:
                    for pass_name in args.passes:
                        t_rb, t_torch, _ = bench_case(
                            np, torch, rb, cell, dtype_name, size, pass_name,
                            args.repeats, args.warmup,
                        )  # fmt: skip
                        results.append((cell, dtype_name, size, pass_name, t_rb, t_torch))
                        if args.progress:
                            print(
                                f"  done: {cell} {dtype_name} {size} {pass_name}", file=sys.stderr
                            )
    finally:
        if ctx is not None:
            ctx.__exit__(None, None, None)
    clocks = {"wall": (0, "wall-clock time"), "cpu": (1, "process CPU time")}
    for clock in ("wall", "cpu") if args.clock == "both" else (args.clock,):
        col, what = clocks[clock]
        emit()
        emit(f"### {what} (ms)")
        emit()
        emit(
            "| cell | dtype | T,B,D,H | pass | rb median (IQR) | torch median (IQR) "
            "| rb/torch medians | rb/torch minima |"
        )
        emit("|---|---|---|---|---:|---:|---:|---:|")
        for cell, dtype_name, size, pass_name, t_rb, t_torch in results:
            a = [sample[col] for sample in t_rb]
            b = [sample[col] for sample in t_torch]
            m_rb, iqr_rb = quartiles(a)
            m_t, iqr_t = quartiles(b)
            emit(
                f"| {cell} | {dtype_name} | {','.join(map(str, size))} | {pass_name} | "
                f"{1e3 * m_rb:.3f} ({1e3 * iqr_rb:.3f}) | {1e3 * m_t:.3f} ({1e3 * iqr_t:.3f}) | "
                f"{m_rb / m_t:.2f} | {min(a) / min(b):.2f} |"
            )
    emit()
    emit(f"load average at end: {os.getloadavg()} (nproc={os.cpu_count()})")
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
