"""Run the attention chapter's sweep and write book/results/attention_sweep.json.

    OPENBLAS_NUM_THREADS=1 python scripts/run_attention_sweep.py                  # everything
    python scripts/run_attention_sweep.py --tasks dates --kinds plain --seeds 0 --epochs 2 \
        --out /tmp/x.json                                                          # a slice

Three generated tasks (rnn_book.chapters.attention.TASKS), GRU encoder-decoders with H = 48,
4000 training pairs, 600 held-out pairs disjoint from them, Adam lr 1e-2, 20 epochs, seeds
0, 1, 2, for every model kind (no attention; attention with each score):

* "numerals": trained on readings of at most 10 characters, tested on 1..15 characters;
* "dates": three source formats, all lengths in training (8..12 characters);
* "pointer": trained with 2..6 key-value pairs, tested with 2..10.

With an existing --out file, the tasks and kinds run now replace theirs and the rest is kept.
The page computes BLEU from the stored outputs. tests/test_attention_chapter.py reruns a slice.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from rnn_book.chapters import attention as experiments

OUT = Path(__file__).resolve().parents[1] / "book" / "results" / "attention_sweep.json"
SETTINGS = {
    "numerals": {"train_max_len": 10, "test_max_len": None},
    "dates": {"train_max_len": None, "test_max_len": None},
    "pointer": {"train_max_len": 6, "test_max_len": 10},
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--tasks", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    ap.add_argument("--kinds", nargs="+", default=list(experiments.KINDS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--n-train", type=int, default=4000)
    ap.add_argument("--n-test", type=int, default=600)
    args = ap.parse_args(argv)

    def progress(task, kind, seed, ev, h):
        print(
            f"  {task:8s} {kind:9s} seed={seed} exact={ev['exact_match']:.3f} "
            f"cpu={h['cpu_seconds']:.1f}s",
            flush=True,
        )

    out = json.loads(args.out.read_text("utf-8")) if args.out.exists() else {}
    t0 = time.process_time()
    for name in args.tasks:
        res = experiments.sweep(
            name,
            kinds=args.kinds,
            seeds=args.seeds,
            n_train=args.n_train,
            n_test=args.n_test,
            epochs=args.epochs,
            progress=progress,
            **SETTINGS[name],
        )
        old = out.get(name)
        if old is not None and old["config"] == res["config"]:
            old["results"].update(res["results"])
        else:
            out[name] = res
    meta = out.get("meta", {"runs": []})
    meta["runs"].append(
        {
            "command": "OPENBLAS_NUM_THREADS=1 python scripts/run_attention_sweep.py",
            "argv": sys.argv[1:] if argv is None else list(argv),
            "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "cpu_seconds": round(time.process_time() - t0, 1),
            "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
        }
    )
    out["meta"] = meta
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
