"""The sequence-length sweep of the page book/chapters/rnn_or_cnn.md (the adding problem).

Trains a GRU and two TCNs (receptive fields 32 and 128) of about the same parameter count on
the adding problem at T = 16, 32, 64, 128, three seeds each, and stores the held-out mean
squared errors in book/results/rnn_or_cnn.json. Too slow for a page (minutes on one core); the
page reads the file and reruns one cell of it live (tests/test_conv.py reruns one too).

Usage: PYTHONPATH=src OPENBLAS_NUM_THREADS=1 python scripts/run_rnn_or_cnn_sweep.py
"""

import json
import time
from pathlib import Path

from rnn_book.chapters import rnn_or_cnn as ch

OUT = Path(__file__).resolve().parents[1] / "book" / "results" / "rnn_or_cnn.json"


def main() -> None:
    start = time.perf_counter()
    results = {}
    for T in ch.SWEEP_LENGTHS:
        cell = ch.run_adding(ch.SWEEP_MODELS, ch.SWEEP_SEEDS, T, epochs=ch.SWEEP_EPOCHS)
        results[str(T)] = cell
        print(T, {k: v["mse"] for k, v in cell.items()}, flush=True)
    seconds = time.perf_counter() - start
    data = {
        "lengths": list(ch.SWEEP_LENGTHS),
        "seeds": list(ch.SWEEP_SEEDS),
        "epochs": ch.SWEEP_EPOCHS,
        "models": {k: list(v) for k, v in ch.SWEEP_MODELS.items()},
        "results": results,
        "seconds": seconds,
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} in {seconds:.0f} s")


if __name__ == "__main__":
    main()
