"""The stored experiments of the page book/chapters/rnn_or_cnn.md.

Three parts, three seeds each, models of about equal parameter counts
(``rnn_book.chapters.rnn_or_cnn``):

* ``motif``: local patterns, TCN against RNN, GRU and LSTM (held-out F1);
* ``sentiment``: variable-length reviews, TCN against GRU (held-out accuracy);
* ``adding``: the adding problem at T = 16, 32, 64, 128, GRU against TCNs with receptive fields
  32 and 128 (held-out mean squared error).

Too slow for a page (minutes on one core): the results go to book/results/rnn_or_cnn.json, and
the page reruns one cell of each part live and compares. Parts can be run alone; the others
stay as stored.

Usage: PYTHONPATH=src OPENBLAS_NUM_THREADS=1 python scripts/run_rnn_or_cnn_sweep.py [part ...]
"""

import json
import sys
import time
from pathlib import Path

from rnn_book.chapters import rnn_or_cnn as ch

OUT = Path(__file__).resolve().parents[1] / "book" / "results" / "rnn_or_cnn.json"


def _strip(results: dict) -> dict:
    return {k: {n: v for n, v in r.items() if n != "model"} for k, r in results.items()}


def run_motif() -> dict:
    kinds = ch.motif_models()
    res = ch.run_motif(kinds, ch.SWEEP_SEEDS)
    return {"models": kinds, "results": _strip(res)}


def run_sentiment() -> dict:
    train, test, vocab_size = ch.sentiment_data()
    kinds = ch.sentiment_models(vocab_size)
    res = ch.run_sentiment(kinds, ch.SWEEP_SEEDS, train, test, vocab_size)
    return {"models": kinds, "results": _strip(res)}


def run_adding() -> dict:
    results = {}
    for T in ch.SWEEP_LENGTHS:
        results[str(T)] = ch.run_adding(ch.SWEEP_MODELS, ch.SWEEP_SEEDS, T, epochs=ch.SWEEP_EPOCHS)
        print(T, {k: v["mse"] for k, v in results[str(T)].items()}, flush=True)
    return {
        "lengths": list(ch.SWEEP_LENGTHS),
        "epochs": ch.SWEEP_EPOCHS,
        "models": ch.SWEEP_MODELS,
        "results": results,
    }


PARTS = {"motif": run_motif, "sentiment": run_sentiment, "adding": run_adding}


def main(parts) -> None:
    data = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else {}
    data["seeds"] = list(ch.SWEEP_SEEDS)
    data.setdefault("seconds", {})
    for part in parts:
        start = time.perf_counter()
        data[part] = PARTS[part]()
        data["seconds"][part] = time.perf_counter() - start
        print(f"{part}: {data['seconds'][part]:.0f} s", flush=True)
        OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(PARTS))
