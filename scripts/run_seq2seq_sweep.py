"""Run the seq2seq chapter's length sweep and write book/results/seq2seq_sweep.json.

    OPENBLAS_NUM_THREADS=1 python scripts/run_seq2seq_sweep.py                 # the full sweep
    python scripts/run_seq2seq_sweep.py --out /tmp/x.json --seeds 0 --epochs 2 # a quick slice

Two settings, both on the 万 numerals task (rnn_book.data.wan_numerals), GRU, H = 48, 4000
training numbers, 1500 held-out numbers disjoint from them, Adam lr 1e-2, 30 epochs, seeds
0, 1, 2:

* "in_distribution": training inputs of every length 1..15; accuracy per source-length bin
  for the plain encoder-decoder (context vector only), the same with reversed sources
  (Sutskever et al. 2014), the attention model (Luong "general"), and a single GRU that reads
  then writes (DecoderOnly);
* "extrapolation": training inputs of at most 10 characters, tested on all lengths.

Every run also records teacher-forced vs free-running token accuracy (exposure bias) and its
CPU time. tests/test_seq2seq.py reruns a small slice of the same code.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from rnn_book.chapters import seq2seq as experiments

OUT = Path(__file__).resolve().parents[1] / "book" / "results" / "seq2seq_sweep.json"
SETTINGS = {
    "in_distribution": {"train_max_len": 15, "kinds": ("plain", "reversed", "attention", "single")},
    "extrapolation": {"train_max_len": 10, "kinds": ("plain", "reversed", "attention")},
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--n-train", type=int, default=4000)
    ap.add_argument("--n-test", type=int, default=1500)
    args = ap.parse_args(argv)

    def progress(kind, seed, ev, h):
        print(
            f"  {kind:9s} seed={seed} exact={ev['exact_match']:.3f} "
            f"token={ev['token_accuracy']:.3f} cpu={h['cpu_seconds']:.1f}s",
            flush=True,
        )

    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    t0 = time.process_time()
    out = {}
    for name in args.settings:
        print(name, flush=True)
        cfg = SETTINGS[name]
        out[name] = experiments.sweep(
            seeds=args.seeds,
            kinds=cfg["kinds"],
            n_train=args.n_train,
            n_test=args.n_test,
            train_max_len=cfg["train_max_len"],
            epochs=args.epochs,
            progress=progress,
        )
    out["meta"] = {
        "command": "OPENBLAS_NUM_THREADS=1 python scripts/run_seq2seq_sweep.py",
        "argv": sys.argv[1:] if argv is None else list(argv),
        "started_utc": started,
        "cpu_seconds": round(time.process_time() - t0, 1),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({out['meta']['cpu_seconds']} s CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
