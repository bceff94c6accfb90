"""Experiments of the attention chapter: three generated tasks, models with and without
attention, exact match and BLEU by source length, the alignment widget's examples, greedy
vs beam decoding, and scaled dot-product self-attention timed against the sequence length.

Tasks (``TASKS``), each a source string -> target string pair generator:

* ``"numerals"``: 三千零五万二千零一 -> 30052001 (``rnn_book.data.wan_numerals``), monotone;
* ``"dates"``: 3/2/2025, 2.3.2025 or 二〇二五年三月二日 -> 2025-03-02 (``rnn_book.data.dates``),
  which needs reordering;
* ``"pointer"``: 甲472乙0385问乙 -> 0385 (``rnn_book.data.pointer``), the answer is copied.

``sweep`` trains every model kind on one task for several seeds; ``scripts/run_attention_sweep.py``
runs the full one into ``book/results/attention_sweep.json``, which the page reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnn_book.data import dates as _dates
from rnn_book.data import pointer as _pointer
from rnn_book.data import wan_numerals as _wan
from rnn_book.data.text_pairs import decode_text, encode_text_pairs

__all__ = [
    "KINDS",
    "TASKS",
    "Task",
    "alignment_example",
    "beam_decode",
    "bleu_by_bins",
    "by_bins",
    "date_format",
    "decode_texts",
    "evaluate",
    "exact_by_format",
    "loglog_slope",
    "make_model",
    "plot_bins",
    "split",
    "summarize",
    "sweep",
    "time_vs_length",
    "train",
]


# ---------------------------------------------------------------------------- tasks
def _numeral_pairs(n, rng, max_len=None):
    nums = _wan.sample_numbers(n, rng, max_source_len=max_len)
    src = [_wan.reading(int(x)) for x in nums]
    return src, [str(int(x)) for x in nums], np.array([len(s) for s in src])


def _date_pairs(n, rng, max_len=None):
    src, tgt, _ = _dates.sample_dates(n, rng)
    return src, tgt, np.array([len(s) for s in src])


def _pointer_pairs(n, rng, max_len=None):
    src, tgt, ks = _pointer.sample_lookups(n, rng, pairs=(2, max_len or 6))
    return src, tgt, ks


@dataclass(frozen=True)
class Task:
    """One generated task.

    name : its key in ``TASKS``; src_chars, tgt_chars : vocabularies (source id 0 = <pad>,
    target ids 0, 1 = <bos>, <eos>); sample(n, rng, max_len) -> (sources, targets, lengths (n,))
    where ``lengths`` is what the task bins by and ``max_len`` bounds it (None: the default
    range); bins : the (lo, hi) length bins reported; length_name : what ``lengths`` counts;
    max_tgt : greedy decoding length (longest target + <eos>).
    """

    name: str
    src_chars: list
    tgt_chars: list
    sample: Callable
    bins: tuple
    length_name: str
    max_tgt: int

    def encode(self, sources, targets):
        """Strings -> ``Batch`` (see ``rnn_book.data.text_pairs.encode_text_pairs``)."""
        return encode_text_pairs(sources, targets, self.src_chars, self.tgt_chars)


#: the three tasks of the chapter
TASKS = {
    "numerals": Task(
        "numerals",
        _wan.SRC_CHARS,
        _wan.TGT_CHARS,
        _numeral_pairs,
        ((1, 6), (7, 8), (9, 10), (11, 12), (13, 15)),
        "源序列的字数",
        9,
    ),
    "dates": Task(
        "dates",
        _dates.SRC_CHARS,
        _dates.TGT_CHARS,
        _date_pairs,
        ((8, 8), (9, 9), (10, 10), (11, 12)),
        "源序列的字数",
        11,
    ),
    "pointer": Task(
        "pointer",
        _pointer.SRC_CHARS,
        _pointer.TGT_CHARS,
        _pointer_pairs,
        ((2, 3), (4, 5), (6, 6), (7, 8), (9, 10)),
        "键值对的个数",
        5,
    ),
}

#: the model kinds, "plain" (no attention), Luong attention with each score, Bahdanau's model
KINDS = ("plain", "dot", "general", "concat", "bahdanau")


def _task(task) -> Task:
    if isinstance(task, Task):
        return task
    if task not in TASKS:
        raise ValueError(f"task: expected one of {tuple(TASKS)}, got {task!r}")
    return TASKS[task]


def make_model(kind: str, task, hidden_size: int = 48, seed: int = 0, embedding_dim: int = 16):
    """A GRU encoder-decoder for ``task``, embeddings of ``embedding_dim``, <pad> masked.

    "plain" -> rb.Seq2Seq (context vector only); "dot", "general", "concat" ->
    rb.AttentionSeq2Seq with that Luong score; "bahdanau" -> rb.BahdanauSeq2Seq
    (bidirectional encoder, additive score; each encoder direction has ``hidden_size``).
    """
    from rnn_book.attention import AttentionSeq2Seq, BahdanauSeq2Seq
    from rnn_book.models import Seq2Seq

    t = _task(task)
    V_src, V_tgt = len(t.src_chars), len(t.tgt_chars)
    if kind == "plain":
        return Seq2Seq(V_src, V_tgt, hidden_size, embedding_dim=embedding_dim, seed=seed)
    if kind in ("dot", "general", "concat"):
        return AttentionSeq2Seq(
            V_src,
            V_tgt,
            hidden_size,
            embedding_dim=embedding_dim,
            pad_id=0,
            seed=seed,
            score=kind,
        )
    if kind == "bahdanau":
        return BahdanauSeq2Seq(
            V_src, V_tgt, hidden_size, embedding_dim=embedding_dim, pad_id=0, seed=seed
        )
    raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")


def train(model, task, sources, targets, epochs=10, lr=1e-2, batch_size=64, seed=0) -> dict:
    """Teacher-forced training (Adam, clip 5) on string pairs; history with "cpu_seconds"."""
    from rnn_book.chapters.seq2seq import fit_pairs

    batch = _task(task).encode(sources, targets)
    return fit_pairs(model, batch, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed)


def decode_texts(model, task, sources) -> list[str]:
    """Greedy decoding of source strings -> output strings (cut at <eos>)."""
    t = _task(task)
    b = t.encode(sources, ["0"] * len(sources))
    ids = model.greedy_decode(b.src, 0, t.max_tgt, eos_id=1)
    return [decode_text(col, t.tgt_chars) for col in ids.T]


def evaluate(model, task, sources, targets) -> dict:
    """Greedy outputs scored: "hyps" (list of str), "exact" (bool array), "exact_match"."""
    hyps = decode_texts(model, task, sources)
    exact = np.array([h == r for h, r in zip(hyps, targets)])
    return {"hyps": hyps, "exact": exact, "exact_match": float(exact.mean())}


def by_bins(values, lengths, bins) -> list:
    """Mean of ``values`` per (lo, hi) bin of ``lengths`` (None for an empty bin)."""
    values, lengths = np.asarray(values, dtype=np.float64), np.asarray(lengths)
    out = []
    for lo, hi in bins:
        sel = (lengths >= lo) & (lengths <= hi)
        out.append(float(values[sel].mean()) if sel.any() else None)
    return out


def split(task, n_train, n_test, train_max_len=None, test_max_len=None, seed=0):
    """Disjoint training and test pairs of ``task`` from one seed.

    Returns dict with "train" and "test", each (sources, targets, lengths). Test sources
    equal to a training source are dropped before the first n_test are kept.
    """
    t = _task(task)
    rng = np.random.default_rng(seed)
    tr = t.sample(n_train, rng, train_max_len)
    src, tgt, lens = t.sample(2 * n_test + 200, rng, test_max_len)
    seen = set(tr[0])
    keep = [i for i, s in enumerate(src) if s not in seen][:n_test]
    te = ([src[i] for i in keep], [tgt[i] for i in keep], np.asarray(lens)[keep])
    return {"train": tr, "test": te}


def sweep(
    task,
    kinds=KINDS,
    seeds=(0, 1, 2),
    n_train=4000,
    n_test=600,
    epochs=30,
    train_max_len=None,
    test_max_len=None,
    hidden_size=48,
    lr=1e-2,
    data_seed=0,
    progress=None,
) -> dict:
    """Every kind x seed on one task: exact match per length bin and the outputs themselves.

    Returns a JSON-ready dict: "config", "test" (sources, targets, lengths), and
    "results"[kind] = list over seeds of {"seed", "exact_by_len", "exact_match",
    "exact_in_range", "hyps", "cpu_seconds", "final_train_loss"}. BLEU is computed from
    "hyps" by the page (``rb.corpus_bleu``).
    """
    t = _task(task)
    data = split(t, n_train, n_test, train_max_len, test_max_len, seed=data_seed)
    (trs, trt, trl), (tes, tet, tel) = data["train"], data["test"]
    top = int(np.max(trl))
    results = {}
    for kind in kinds:
        results[kind] = []
        for seed in seeds:
            model = make_model(kind, t, hidden_size, seed)
            h = train(model, t, trs, trt, epochs=epochs, lr=lr, seed=seed)
            ev = evaluate(model, t, tes, tet)
            if progress is not None:
                progress(t.name, kind, seed, ev, h)
            inr = np.asarray(tel) <= top
            results[kind].append(
                {
                    "seed": int(seed),
                    "exact_by_len": by_bins(ev["exact"], tel, t.bins),
                    "exact_match": ev["exact_match"],
                    "exact_in_range": float(ev["exact"][inr].mean()),
                    "hyps": ev["hyps"],
                    "final_train_loss": h["train_loss"][-1],
                    "cpu_seconds": round(h["cpu_seconds"], 2),
                }
            )
    return {
        "config": {
            "task": t.name,
            "seeds": [int(s) for s in seeds],
            "n_train": n_train,
            "n_test": len(tes),
            "epochs": epochs,
            "lr": lr,
            "hidden_size": hidden_size,
            "train_max_len": top,
            "bins": [list(b) for b in t.bins],
            "test_per_bin": [
                int(((np.asarray(tel) >= lo) & (np.asarray(tel) <= hi)).sum()) for lo, hi in t.bins
            ],
            "data_seed": data_seed,
            "cell": "gru",
        },
        "test": {"sources": tes, "targets": tet, "lengths": [int(x) for x in tel]},
        "results": results,
    }


# ---------------------------------------------------------------------------- the widget
def alignment_example(model, task, source: str, target: str | None = None) -> dict:
    """Greedy-decode one source string; return the widget's example dict.

    {"source": characters (S), "output": produced tokens up to and including <eos> (T),
    "alpha": (T, S) attention weights of those steps, "label": source, "target": target}.
    """
    t = _task(task)
    if not isinstance(source, str) or not source:
        raise ValueError(f"source: expected a non-empty string, got {source!r}")
    bad = sorted(set(source) - set(t.src_chars[1:]))
    if bad:
        raise ValueError(
            f"source: characters {bad} are not in the {t.name} vocabulary "
            f"({''.join(t.src_chars[1:])})"
        )
    b = t.encode([source], ["0"])
    ids = model.greedy_decode(b.src, 0, t.max_tgt, eos_id=1)[:, 0]
    alpha = np.asarray(model.attention)[:, 0, :]
    steps = int(np.argmax(ids == 1)) + 1 if (ids == 1).any() else len(ids)
    out = [t.tgt_chars[i] for i in ids[:steps]]
    return {
        "source": list(source),
        "output": out,
        "alpha": alpha[:steps].copy(),
        "label": source,
        "target": target,
    }


# ---------------------------------------------------------------------------- self-attention
def _cpu_time(f, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.process_time()
        f()
        best = min(best, time.process_time() - start)
    return best


def time_vs_length(
    lengths=(64, 128, 256, 512, 1024, 2048), width=32, heads=2, repeats=3, seed=0
) -> dict:
    """CPU seconds of one forward pass over a sequence of each length T (batch 1, float64).

    Compares ``rb.MultiHeadSelfAttention(width, heads)`` with a one-layer ``rb.GRU(width,
    width)``. Returns {"T": list, "self_attention": list, "gru": list (best of ``repeats``),
    "weights_bytes": bytes of the (heads, T, T) attention weights}. Runs single-threaded.
    """
    from rnn_book.gru import GRU
    from rnn_book.module import no_grad
    from rnn_book.self_attention import MultiHeadSelfAttention
    from rnn_book.training import single_thread_blas

    attn = MultiHeadSelfAttention(width, heads, seed=seed)
    gru = GRU(width, width, seed=seed)
    rng = np.random.default_rng(seed)
    out = {"T": [], "self_attention": [], "gru": [], "weights_bytes": []}
    with single_thread_blas(), no_grad():
        for T in lengths:
            x = rng.normal(size=(T, 1, width))
            out["T"].append(int(T))
            out["self_attention"].append(_cpu_time(lambda x=x: attn.forward(x), repeats))
            out["gru"].append(_cpu_time(lambda x=x: gru.forward(x), repeats))
            out["weights_bytes"].append(int(heads * T * T * 8))
    return out


def loglog_slope(T, seconds, last: int = 3) -> float:
    """Slope of log(seconds) against log(T) over the ``last`` lengths: ~1 linear, ~2 quadratic."""
    x, y = np.log(np.asarray(T[-last:], float)), np.log(np.asarray(seconds[-last:], float))
    return float(np.polyfit(x, y, 1)[0])


# ---------------------------------------------------------------------------- the stored sweep
def bleu_by_bins(hyps, refs, lengths, bins) -> list:
    """Corpus BLEU (``rb.corpus_bleu`` on characters, BLEU-4, exp smoothing) per length bin."""
    from rnn_book.bleu import corpus_bleu

    lengths = np.asarray(lengths)
    out = []
    for lo, hi in bins:
        idx = np.flatnonzero((lengths >= lo) & (lengths <= hi))
        if idx.size == 0:
            out.append(None)
            continue
        out.append(corpus_bleu([list(hyps[i]) for i in idx], [list(refs[i]) for i in idx]).score)
    return out


def summarize(setting: dict, metric: str = "exact") -> dict:
    """One task of the sweep file -> {kind: {"mean", "min", "max"}} over seeds, per bin.

    metric : "exact" (exact match, a fraction) or "bleu" (corpus BLEU of the bin, 0..100).
    Also "overall": mean over seeds of the whole test set's value.
    """
    from rnn_book.bleu import corpus_bleu

    test = setting["test"]
    bins = [tuple(b) for b in setting["config"]["bins"]]
    refs, lengths = test["targets"], test["lengths"]
    out = {}
    for kind, runs in setting["results"].items():
        rows, overall = [], []
        for r in runs:
            if metric == "exact":
                rows.append(r["exact_by_len"])
                overall.append(r["exact_match"])
            elif metric == "bleu":
                rows.append(bleu_by_bins(r["hyps"], refs, lengths, bins))
                overall.append(
                    corpus_bleu([list(h) for h in r["hyps"]], [list(t) for t in refs]).score
                )
            else:
                raise ValueError(f"metric: expected 'exact' or 'bleu', got {metric!r}")
        vals = np.array([[np.nan if v is None else v for v in row] for row in rows], float)
        out[kind] = {
            "mean": np.nanmean(vals, axis=0).tolist(),
            "min": np.nanmin(vals, axis=0).tolist(),
            "max": np.nanmax(vals, axis=0).tolist(),
            "overall": float(np.mean(overall)),
            "overall_runs": [float(v) for v in overall],
        }
    return out


def date_format(source: str) -> str:
    """The format of a dates-task source: "zh", "us" or "eu"."""
    return "zh" if "年" in source else ("us" if "/" in source else "eu")


def exact_by_format(setting: dict) -> dict:
    """Dates task: {kind: {fmt: mean exact match over seeds}} for fmt in zh, us, eu."""
    test = setting["test"]
    fmts = np.array([date_format(s) for s in test["sources"]])
    refs = np.array(test["targets"])
    out = {}
    for kind, runs in setting["results"].items():
        out[kind] = {
            f: float(
                np.mean([(np.array(r["hyps"])[fmts == f] == refs[fmts == f]).mean() for r in runs])
            )
            for f in ("zh", "us", "eu")
        }
    return out


def plot_bins(summary: dict, bins, ax, title: str, ylabel: str, xlabel: str, train_max=None):
    """Mean (markers) and min-max over seeds (band) of each kind per bin, on ``ax``."""
    x = np.arange(len(bins))
    for kind, s in summary.items():
        mean = np.array(s["mean"], float)
        ax.plot(x, mean, marker="o", label=kind)
        ax.fill_between(x, s["min"], s["max"], alpha=0.18)
    ax.set_xticks(x, [f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in bins])
    if train_max is not None:
        edge = max(j for j, (lo, hi) in enumerate(bins) if hi <= train_max)
        ax.axvline(edge + 0.5, color="#888888", linestyle=":")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return ax


# ---------------------------------------------------------------------------- decoding
def beam_decode(model, task, sources, beam_width: int, length_alpha: float = 0.0) -> dict:
    """``rb.beam_search`` on each source string (beam_width 1 is greedy search).

    Returns {"hyps": list of str, "log_prob": list of float (log P of each output, <eos>
    included), "cpu_seconds": float}.
    """
    from rnn_book.decoding import beam_search

    t = _task(task)
    start = time.process_time()
    hyps, logp = [], []
    for s in sources:
        b = t.encode([s], ["0"])
        r = beam_search(model, b.src[:, 0], 0, 1, beam_width, t.max_tgt, length_alpha)
        hyps.append(decode_text(r.tokens, t.tgt_chars))
        logp.append(float(r.log_prob))
    return {"hyps": hyps, "log_prob": logp, "cpu_seconds": time.process_time() - start}
