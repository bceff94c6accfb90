"""Where rb's LSTM forward+backward spends its time: achieved GFLOP/s against NumPy's own GEMM.

For each size (T, B, D, H) and dtype this script

1. counts the matrix-product FLOPs of ``lstm_forward`` + ``lstm_backward`` analytically
   (2*m*n*k per product): the input projection U x_t of all steps, the per-step recurrent
   product W h_{t-1}, the per-step backward product W^T da_t, the weight gradients
   [dU dW db] (one product with the rows [x_t; h_{t-1}; 1]) and dx = U^T da;
2. times each of those products alone, with the same shapes, layouts and number of calls as
   the kernel makes them (single-thread NumPy/OpenBLAS sgemm or dgemm), which gives the time
   the matmuls alone need at NumPy's rate on this machine;
3. times rb's forward+backward (and, if torch is installed, ``torch.nn.LSTM`` forward+backward
   on the same data, interleaved call by call with rb) and divides the FLOPs by it;
4. splits rb's time into: matmuls (step 2), fixed per-call cost of the NumPy calls (the
   kernel run at B = D = H = 1 with the same T: the same number of NumPy calls on arrays of
   one element), page faults (minor faults per call, counted with getrusage, times the
   measured cost of one fault on fresh anonymous memory), and the rest, the element-wise
   arithmetic itself (activations, products, copies).

The split is an estimate: the parts are timed separately, so cache effects between them are
not attributed. All times are process CPU time, medians, one thread.

Run from the repository root (one core, the BLAS kernel chosen by the CPU; see
benchmarks/README.md)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        .venv/bin/python benchmarks/lstm_flops.py --output benchmarks/results/lstm_flops.md
"""

from __future__ import annotations

import argparse
import datetime
import mmap
import os
import resource
import sys
import time

DEFAULT_SIZES = ["100,1,10,32", "50,32,64,128", "100,64,128,256"]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", nargs="+", default=DEFAULT_SIZES, metavar="T,B,D,H")
    p.add_argument("--dtypes", nargs="+", default=["float32"], choices=["float32", "float64"])
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--no-torch", action="store_true", help="do not time torch.nn.LSTM")
    p.add_argument("--output", help="also write the Markdown report to this file")
    args = p.parse_args(argv)
    args.sizes = [tuple(int(q) for q in s.split(",")) for s in args.sizes]
    return args


def median_cpu(fn, repeats, warmup=3):
    import numpy as np

    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeats):
        c = time.process_time()
        fn()
        ts.append(time.process_time() - c)
    return float(np.median(ts))


def fault_cost(repeats=20, pages=2048):
    """CPU seconds per minor page fault: first touch of fresh anonymous memory."""
    import numpy as np

    step = mmap.PAGESIZE
    ts = []
    for _ in range(repeats):
        m = mmap.mmap(-1, pages * step)
        a = np.frombuffer(m, dtype=np.uint8)
        c = time.process_time()
        a[::step] = 1
        ts.append(time.process_time() - c)
        del a
        m.close()
    return float(np.median(ts)) / pages


def flops(T, B, D, H):
    """Matrix-product FLOPs of lstm_forward + lstm_backward, by product."""
    G = 4 * H
    return {
        "fwd: U x_t, all t (1 batched call)": 2 * T * B * D * G,
        "fwd: W h_{t-1}, per step (T calls)": 2 * T * B * H * G,
        "bwd: W^T da_t, per step (T calls)": 2 * T * B * G * H,
        "bwd: [dU dW db] (1 call)": 2 * G * T * B * (D + H + 1),
        "bwd: dx = U^T da (4 calls)": 2 * T * B * G * D,
    }


def gemm_calls(np, T, B, D, H, dtype):
    """The kernel's products as zero-argument callables, same shapes, layouts and counts."""
    rng = np.random.default_rng(0)

    def r(*shape):
        return rng.standard_normal(shape).astype(dtype)

    x2, u, w_T, h = r(T * B, D), r(4, H, D), r(4, H, H), r(B, H)
    acts, hw = np.empty((4, T * B, H), dtype), np.empty((4, B, H), dtype)
    dA = r(4, T, B, H)
    dA2 = dA.reshape(4, T * B, H)
    xh1 = r(T * B, D + H + 1)
    back = np.empty((4, B, H), dtype)

    def proj():
        np.matmul(x2, u.transpose(0, 2, 1), out=acts)

    def fwd_steps():
        for _ in range(T):
            np.matmul(h, w_T, out=hw)

    def bwd_steps():
        for t in range(T):
            np.matmul(dA[:, t], w_T, out=back)

    def dw():
        np.matmul(dA2.transpose(0, 2, 1), xh1)

    def dx():
        out = np.matmul(dA2[0], u[0])
        for k in range(1, 4):
            out += dA2[k] @ u[k]

    return [proj, fwd_steps, bwd_steps, dw, dx]


def main(argv=None) -> int:
    args = parse_args(argv)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    import numpy as np

    import rnn_book as rb
    from rnn_book.lstm import lstm_backward, lstm_forward

    try:
        import threadpoolctl

        threadpoolctl.threadpool_limits(1)
        kernels = [
            f"{d.get('internal_api')} {d.get('version')} kernel={d.get('architecture', '-')}"
            for d in threadpoolctl.threadpool_info()
        ]
    except ImportError:
        kernels = ["(threadpoolctl not installed)"]
    torch = None
    if not args.no_torch:
        try:
            import torch

            torch.set_num_threads(1)
        except ImportError:
            torch = None

    lines = []

    def emit(s=""):
        print(s, flush=True)
        lines.append(s)

    emit("# rb LSTM forward+backward: achieved GFLOP/s and where the time goes")
    emit()
    emit(f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}")
    emit(f"- numpy {np.__version__}, BLAS: {'; '.join(kernels)}")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        emit(f"- {var}={os.environ.get(var, '(unset)')}")
    emit(f"- load average at start: {os.getloadavg()}; process CPU time, medians, one thread")
    pf = fault_cost()
    emit(f"- one minor page fault (first touch of fresh memory): {pf * 1e6:.2f} us")
    for dtype_name in args.dtypes:
        n = 2048
        a = np.ones((n, n), dtype_name)
        t = median_cpu(lambda a=a: a @ a, 5, warmup=1)
        emit(f"- reference: {dtype_name} {n}x{n}x{n} GEMM, {2 * n**3 / t / 1e9:.1f} GFLOP/s")
    emit(f"- torch timed: {'yes' if torch is not None else 'no (numpy-only process)'}")

    for dtype_name in args.dtypes:
        dtype = np.dtype(dtype_name)
        for T, B, D, H in args.sizes:
            rng = np.random.default_rng(0)
            layer = rb.LSTM(D, H, dtype=dtype, seed=0)
            x = rng.standard_normal((T, B, D)).astype(dtype)
            g = rng.standard_normal((T, B, H)).astype(dtype)

            def run_rb(layer=layer, x=x, g=g):
                layer.zero_grad()
                layer.forward(x)
                layer.backward(g)

            fl = flops(T, B, D, H)
            total_fl = sum(fl.values())
            calls = gemm_calls(np, T, B, D, H, dtype)
            t_mm = [median_cpu(c, args.repeats) for c in calls]

            # rb (and torch), interleaved call by call
            t_rb, t_torch = [], []
            if torch is not None:
                module = rb.to_torch(layer)
                tx = torch.from_numpy(x.copy()).requires_grad_(True)
                tg = torch.from_numpy(g.copy())

                def run_torch(module=module, tx=tx, tg=tg):
                    module.zero_grad()
                    tx.grad = None
                    (module(tx)[0] * tg).sum().backward()

            for _ in range(3):
                run_rb()
                if torch is not None:
                    run_torch()
            for _ in range(args.repeats):
                c = time.process_time()
                run_rb()
                t_rb.append(time.process_time() - c)
                if torch is not None:
                    c = time.process_time()
                    run_torch()
                    t_torch.append(time.process_time() - c)
            # minor page faults of rb's calls alone (in the same process state)
            f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            for _ in range(5):
                run_rb()
            faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0) / 5
            rb_t = float(np.median(t_rb))

            # fixed per-call cost: the same kernel, same T, on arrays of one element
            one = np.ones((T, 1, 1), dtype)
            w1, z1 = np.ones((4, 1), dtype), np.zeros((1, 1), dtype)

            def run_tiny(one=one, z1=z1, w1=w1):
                _, _, cache = lstm_forward(one, z1, z1, w1, w1, w1[:, 0], w1[:, 0])
                lstm_backward(one, z1, z1, cache)

            t_tiny = median_cpu(run_tiny, args.repeats)
            # the matmuls' own call cost is already in their timings above: take it out
            t_tiny_mm = sum(median_cpu(c, args.repeats) for c in gemm_calls(np, T, 1, 1, 1, dtype))
            t_calls = max(t_tiny - t_tiny_mm, 0.0)

            emit()
            emit(f"## {dtype_name}, T,B,D,H = {T},{B},{D},{H}")
            emit()
            emit("| product | MFLOP | numpy alone (ms) | GFLOP/s |")
            emit("|---|---:|---:|---:|")
            for (name, f), t in zip(fl.items(), t_mm):
                emit(f"| {name} | {f / 1e6:.1f} | {t * 1e3:.3f} | {f / t / 1e9:.1f} |")
            mm = sum(t_mm)
            emit(
                f"| **all products** | {total_fl / 1e6:.1f} | {mm * 1e3:.3f} | "
                f"{total_fl / mm / 1e9:.1f} |"
            )
            emit()
            emit(
                f"rb forward+backward: {rb_t * 1e3:.3f} ms, **{total_fl / rb_t / 1e9:.1f} GFLOP/s** "
                f"achieved (the products at numpy's own rate: {total_fl / mm / 1e9:.1f} GFLOP/s)"
            )
            if t_torch:
                tt = float(np.median(t_torch))
                emit(
                    f"torch forward+backward: {tt * 1e3:.3f} ms ({total_fl / tt / 1e9:.1f} GFLOP/s "
                    f"on the same count); rb/torch = {rb_t / tt:.2f}"
                )
            emit()
            fault_t = faults * pf
            rest = rb_t - mm - t_calls - fault_t
            emit("| where rb's time goes | ms | share |")
            emit("|---|---:|---:|")
            for name, v in (
                ("matrix products (timed alone, above)", mm),
                (
                    "fixed cost of the other NumPy calls (kernel at B=D=H=1, less its matmuls)",
                    t_calls,
                ),
                (f"page faults ({faults:.0f} per call x {pf * 1e6:.2f} us)", fault_t),
                ("element-wise arithmetic and copies (the rest)", rest),
            ):
                emit(f"| {name} | {v * 1e3:.3f} | {v / rb_t:.0%} |")
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
