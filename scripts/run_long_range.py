"""Run the full long-range sweep of the LSTM/GRU chapters and write book/results/long_range.json.

    OPENBLAS_NUM_THREADS=1 python scripts/run_long_range.py            # the full sweep
    python scripts/run_long_range.py --out /tmp/x.json --lengths 10 --seeds 0   # a slice

The two tasks can run side by side on two cores and be merged (same numbers, half the time):

    OPENBLAS_NUM_THREADS=1 python scripts/run_long_range.py --tasks adding --out /tmp/a.json &
    OPENBLAS_NUM_THREADS=1 python scripts/run_long_range.py --tasks recall --out /tmp/r.json &
    wait; python scripts/run_long_range.py --merge /tmp/a.json /tmp/r.json

Tasks: the adding problem and delayed recall (rnn_book.chapters.lstm); models:
vanilla RNN, LSTM (PyTorch initialisation), LSTM with forget-gate bias 1 and 3, GRU;
lengths T = 10, 25, 50, 100; seeds 0, 1, 2; the settings in long_range.DEFAULTS.
Every run is scored on a held-out set; the file records the settings, seeds, lengths,
per-run time and the total time. tests/test_experiments.py reruns a slice and compares.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from rnn_book.chapters import lstm as long_range

MODELS = (("rnn", None), ("lstm", None), ("lstm", 1.0), ("lstm", 3.0), ("gru", None))
OUT = Path(__file__).resolve().parents[1] / "book" / "results" / "long_range.json"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--tasks", nargs="+", default=list(long_range.TASKS))
    ap.add_argument("--lengths", nargs="+", type=int, default=[10, 25, 50, 100])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument(
        "--merge",
        nargs="+",
        type=Path,
        default=[],
        help="combine these partial result files into --out instead of running",
    )
    args = ap.parse_args(argv)

    def progress(r):
        print(
            f"{r['task']:7s} T={r['T']:4d} {r['cell']:5s} b={r['gate_bias']!s:5s} "
            f"seed={r['seed']} {r['metric_name']}={r['metric']:.4f} {r['seconds']:.1f}s",
            flush=True,
        )

    if args.merge:
        parts = [json.loads(p.read_text(encoding="utf-8")) for p in args.merge]
        merged = dict(parts[0])
        merged["runs"] = [r for part in parts for r in part["runs"]]
        merged["config"] = dict(parts[0]["config"])
        merged["config"]["tasks"] = [t for part in parts for t in part["config"]["tasks"]]
        merged["seconds"] = round(sum(part["seconds"] for part in parts), 1)
        merged["wall_seconds"] = max(part["seconds"] for part in parts)
        merged["note"] = (
            "merged from per-task processes run side by side: seconds = sum of the processes, "
            "wall_seconds = the longest one"
        )
        args.out.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out} ({len(merged['runs'])} runs)")
        return 0

    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    result = long_range.sweep(
        tasks=args.tasks,
        models=MODELS,
        lengths=args.lengths,
        seeds=args.seeds,
        progress=progress,
    )
    result["command"] = "OPENBLAS_NUM_THREADS=1 python scripts/run_long_range.py"
    result["started_utc"] = started
    result["blas_threads"] = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(result['runs'])} runs, {result['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
