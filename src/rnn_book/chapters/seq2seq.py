"""Training and measuring encoder-decoders on the 万 numerals task.

Everything here is seeded and runs on arrays built by ``rnn_book.data.wan_numerals``:
``make_model`` builds the plain ``rb.Seq2Seq`` (context vector only) or the attention model,
``train`` fits it with teacher forcing, ``evaluate`` decodes greedily and scores exact match
and per-token accuracy overall and per source length, ``exposure`` compares teacher-forced
and free-running predictions, and ``sweep`` runs the length experiment behind the chapter's
figure (``scripts/run_seq2seq_sweep.py`` runs the full one; ``summarize_sweep`` reads its file).
``error_kinds`` sorts wrong answers and ``padding_effect`` measures how answers move with the
left padding, for the page's prose and exercises.
"""

from __future__ import annotations

import time

import numpy as np

from rnn_book.attention import AttentionSeq2Seq
from rnn_book.data import wan_numerals as data
from rnn_book.losses import cross_entropy
from rnn_book.training import fit, minibatches

__all__ = [
    "KINDS",
    "MAX_TGT",
    "DecoderOnly",
    "by_length",
    "decode",
    "error_kinds",
    "evaluate",
    "exposure",
    "fit_pairs",
    "make_model",
    "padding_effect",
    "summarize_sweep",
    "sweep",
    "train",
]

#: Model kinds ``make_model`` builds.
KINDS = ("plain", "reversed", "attention", "single")
# reversed = plain model fed reversed sources; single = ONE recurrent network (DecoderOnly)
#: Greedy decoding length, 8 digits and <eos>.
MAX_TGT = 9  # 8 digits + <eos>


def make_model(kind: str = "plain", hidden_size: int = 48, seed: int = 0, cell: str = "gru"):
    """``kind`` "plain"/"reversed" -> rb.Seq2Seq; "attention" -> AttentionSeq2Seq.

    Both use embedding_dim 16 and the same encoder/decoder cell and width; the attention
    model adds W_a (H, H) and W_c (H, 2H) + b_c.
    """
    from rnn_book.models import Seq2Seq

    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    V_src, V_tgt = len(data.SRC_CHARS), len(data.TGT_CHARS)
    if kind == "single":
        return DecoderOnly(V_src, V_tgt, hidden_size, cell=cell, embedding_dim=16, seed=seed)
    if kind == "attention":
        return AttentionSeq2Seq(
            V_src, V_tgt, hidden_size, cell=cell, embedding_dim=16, pad_id=data.PAD, seed=seed
        )
    return Seq2Seq(V_src, V_tgt, hidden_size, cell=cell, embedding_dim=16, seed=seed)


class DecoderOnly:
    """ONE recurrent network that reads the source, then writes the target (no encoder).

    The sequence x_1..x_S <bos> y_1..y_{T-1} runs through a single ``rb.CharLM`` over the
    joint vocabulary (source ids, then target ids shifted by ``src_vocab``); only the outputs
    at the last T positions are scored, and only over the target symbols. Same interface as
    ``rb.Seq2Seq``: forward(src, tgt_in) -> (T, B, tgt_vocab), backward, greedy_decode.
    It shows that unequal lengths need a read-then-write wiring, not a second network.
    """

    def __init__(self, src_vocab, tgt_vocab, hidden_size, cell="gru", embedding_dim=16, seed=0):
        from rnn_book.models import CharLM

        self.src_vocab, self.tgt_vocab = src_vocab, tgt_vocab
        self.lm = CharLM(
            src_vocab + tgt_vocab, hidden_size, cell=cell, embedding_dim=embedding_dim, seed=seed
        )
        self._shape = None

    @property
    def params(self):
        return self.lm.params

    @property
    def grads(self):
        return self.lm.grads

    def zero_grad(self):
        self.lm.zero_grad()

    def num_parameters(self):
        return self.lm.num_parameters()

    def forward(self, src, tgt_in):
        """src (S, B), tgt_in (T, B) -> logits (T, B, tgt_vocab) of the writing steps."""
        src, tgt_in = np.asarray(src), np.asarray(tgt_in)
        logits, _ = self.lm.forward(np.concatenate([src, tgt_in + self.src_vocab]))
        self._shape = (logits.shape, src.shape[0])
        return logits[src.shape[0] :, :, self.src_vocab :]

    def backward(self, dlogits):
        shape, S = self._shape
        full = np.zeros(shape)
        full[S:, :, self.src_vocab :] = dlogits
        self.lm.backward(full)

    def greedy_decode(self, src, bos_id, max_len, eos_id=None):
        src = np.asarray(src)
        B = src.shape[1]
        prev = np.full((1, B), bos_id + self.src_vocab)
        _, state = self.lm.forward(src)
        result = np.empty((max_len, B), dtype=np.int64)
        done = np.zeros(B, dtype=bool)
        for t in range(max_len):
            logits, state = self.lm.forward(prev, state)
            nxt = np.argmax(logits[0, :, self.src_vocab :], axis=-1)
            if eos_id is not None:
                nxt = np.where(done, eos_id, nxt)
                done |= nxt == eos_id
            result[t] = nxt
            prev = nxt[None] + self.src_vocab
        return result


def train(
    model,
    numbers,
    epochs: int = 10,
    lr: float = 1e-2,
    batch_size: int = 64,
    seed: int = 0,
    reverse: bool = False,
) -> dict:
    """Teacher-forced training (Adam, gradient norm clipped to 5); returns the history.

    Each minibatch is trimmed to its own longest source and target. history["cpu_seconds"]
    is the process CPU time spent.
    """
    batch = data.encode(numbers, reverse=reverse)
    return fit_pairs(model, batch, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed)


def fit_pairs(model, batch, epochs: int = 10, lr: float = 1e-2, batch_size: int = 64, seed=0):
    """Teacher-forced training of an encoder-decoder on an encoded batch of pairs.

    ``batch`` has ``src``, ``tgt_in``, ``tgt_out``, ``mask`` and ``take(idx)`` (what the
    numeral and text-pair encoders return). Adam with learning rate ``lr``, gradient norm
    clipped to 5, shuffled minibatches of ``batch_size``. Returns the ``rb.fit`` history with
    "cpu_seconds", the process CPU time spent. The attention chapter trains with it too.
    """
    from rnn_book.optim import Adam

    optimizer = Adam([model], lr=lr)

    def make_batches(rng):
        out = []
        for idx in minibatches(len(batch), batch_size, rng):
            b = batch.take(idx)
            out.append(((b.src, b.tgt_in), b.tgt_out, b.mask))
        return out

    start = time.process_time()
    history = fit(model, make_batches, cross_entropy, optimizer, epochs, seed, clip=5.0)
    history["cpu_seconds"] = time.process_time() - start
    return history


def decode(model, numbers, reverse: bool = False) -> np.ndarray:
    """Greedy decoding: (MAX_TGT, N) ids, <eos> repeated after the first <eos>."""
    b = data.encode(numbers, reverse=reverse)
    return model.greedy_decode(b.src, data.BOS, MAX_TGT, eos_id=data.EOS)


def _token_hits(pred, b) -> np.ndarray:
    """(N,) fraction of target positions (digits and the <eos>) predicted right."""
    T = b.tgt_out.shape[0]
    hits = (pred[:T] == b.tgt_out) * b.mask
    return hits.sum(axis=0) / b.mask.sum(axis=0)


def evaluate(model, numbers, reverse: bool = False) -> dict:
    """Greedy decoding scored against the truth.

    Returns dict with per-example arrays (N,): "exact" (bool), "token" (fraction of target
    positions right, <eos> included), "src_len"; the answers "pred" (list of str); and the
    means "exact_match" and "token_accuracy".
    """
    numbers = np.asarray(numbers)
    b = data.encode(numbers, reverse=reverse)
    pred = model.greedy_decode(b.src, data.BOS, MAX_TGT, eos_id=data.EOS)
    answers = [data.to_digits(col) for col in pred.T]
    exact = np.array([a == str(int(n)) for a, n in zip(answers, numbers)])
    token = _token_hits(pred, b)
    return {
        "exact": exact,
        "token": token,
        "src_len": b.src_len,
        "pred": answers,
        "exact_match": float(exact.mean()),
        "token_accuracy": float(token.mean()),
    }


def by_length(values, lengths, bins) -> list[float | None]:
    """Mean of ``values`` over examples with length in each [lo, hi] of ``bins`` (None if empty)."""
    values, lengths = np.asarray(values, dtype=np.float64), np.asarray(lengths)
    out = []
    for lo, hi in bins:
        sel = (lengths >= lo) & (lengths <= hi)
        out.append(float(values[sel].mean()) if sel.any() else None)
    return out


def error_kinds(truths, answers) -> dict:
    """Sort the wrong answers among ``answers`` (strings of digits) by kind.

    "wrong": answers that differ from the truth; of these, "wrong_length" have too many or
    too few digits, "adjacent_swap" have the right digits with exactly one pair of
    neighbours exchanged, and "other" are the rest (right length, some digit wrong).
    """
    counts = {"wrong": 0, "wrong_length": 0, "adjacent_swap": 0, "other": 0}
    for truth, answer in zip(truths, answers, strict=True):
        truth, answer = str(truth), str(answer)
        if truth == answer:
            continue
        counts["wrong"] += 1
        if len(truth) != len(answer):
            counts["wrong_length"] += 1
            continue
        diff = [i for i, (a, b) in enumerate(zip(truth, answer)) if a != b]
        i = diff[0]
        swapped = (
            len(diff) == 2
            and diff[1] == i + 1
            and truth[i] == answer[i + 1]
            and truth[i + 1] == answer[i]
        )
        counts["adjacent_swap" if swapped else "other"] += 1
    return counts


def padding_effect(model, numbers, reverse: bool = False) -> dict:
    """Greedy answers with every source left-padded to the longest one, and with none padded.

    Decodes ``numbers`` once as one batch (short sources preceded by <pad>, as ``evaluate``
    does) and once grouped by source length (no <pad> at all). Returns "changed" (answers
    that differ), "exact_padded" and "exact_unpadded" (exact match of either way).
    """
    numbers = np.asarray(numbers)
    truth = [str(int(n)) for n in numbers]
    padded = decode(model, numbers, reverse=reverse)
    lengths = data.source_lengths(numbers)
    alone = np.empty_like(padded)
    for length in np.unique(lengths):
        sel = lengths == length
        alone[:, sel] = decode(model, numbers[sel], reverse=reverse)

    def exact(pred):
        return float(np.mean([data.to_digits(c) == t for c, t in zip(pred.T, truth)]))

    return {
        "changed": int(np.any(alone != padded, axis=0).sum()),
        "exact_padded": exact(padded),
        "exact_unpadded": exact(alone),
    }


def summarize_sweep(setting: dict) -> dict:
    """One setting of the sweep file -> per kind the mean, min and max over seeds.

    Returns {kind: {"mean", "min", "max": lists over the length bins of exact match,
    "exact_match": list over seeds, "cpu_seconds": list over seeds}}.
    """
    out = {}
    for kind, runs in setting["results"].items():
        vals = np.array(
            [[np.nan if v is None else v for v in r["exact_by_len"]] for r in runs], dtype=float
        )
        out[kind] = {
            "mean": np.nanmean(vals, axis=0).tolist(),
            "min": np.nanmin(vals, axis=0).tolist(),
            "max": np.nanmax(vals, axis=0).tolist(),
            "exact_match": [r["exact_match"] for r in runs],
            "cpu_seconds": [r["cpu_seconds"] for r in runs],
        }
    return out


def exposure(model, numbers, reverse: bool = False) -> dict:
    """Teacher forcing vs free running on the same held-out pairs.

    "teacher_token": accuracy of the next digit when the decoder reads the TRUE previous
    digits (how it was trained); "free_token": the same positions when it reads its OWN
    previous outputs (how it is used). "after_error": among free-running positions that come
    after the first mistake of an example, the fraction still right; "teacher_after_error":
    the teacher-forced accuracy at those same positions, so that the gap between the two is
    not merely "later positions are harder".
    """
    numbers = np.asarray(numbers)
    b = data.encode(numbers, reverse=reverse)
    teacher = np.argmax(model.forward(b.src, b.tgt_in), axis=-1)
    T = b.tgt_out.shape[0]
    free = model.greedy_decode(b.src, data.BOS, MAX_TGT, eos_id=data.EOS)[:T]
    m = b.mask.astype(bool)
    right = free == b.tgt_out
    wrong_so_far = np.cumsum(~right & m, axis=0) > 0
    after = m & np.vstack([np.zeros((1, m.shape[1]), bool), wrong_so_far[:-1]])
    return {
        "teacher_token": float((teacher == b.tgt_out)[m].mean()),
        "free_token": float(right[m].mean()),
        "after_error": float(right[after].mean()) if after.any() else float("nan"),
        "teacher_after_error": (
            float((teacher == b.tgt_out)[after].mean()) if after.any() else float("nan")
        ),
        "positions_after_error": int(after.sum()),
    }


def sweep(
    seeds=(0,),
    kinds=KINDS,
    n_train: int = 4000,
    n_test: int = 1500,
    train_max_len: int = 10,
    hidden_size: int = 48,
    epochs: int = 10,
    lr: float = 1e-2,
    bins=((1, 4), (5, 6), (7, 8), (9, 10), (11, 12), (13, 15)),
    data_seed: int = 0,
    progress=None,
) -> dict:
    """Accuracy against source length, for every kind and seed.

    Training numbers have readings of at most ``train_max_len`` characters; the held-out
    numbers (disjoint from training) have any length 1..15, so the bins above
    ``train_max_len`` measure inputs longer than any seen in training.
    Returns a JSON-ready dict: config, and results[kind] = list over seeds of
    {"exact_by_len", "token_by_len", "exact_match_in_range", "exposure", "cpu_seconds", ...}.
    ``progress(kind, seed, evaluation, history)`` is called after every run.
    """
    rng = np.random.default_rng(data_seed)
    train_nums = data.sample_numbers(n_train, rng, max_source_len=train_max_len)
    test_nums = data.sample_numbers(n_test + n_train, rng)
    seen = set(train_nums.tolist())
    test_nums = np.array([x for x in test_nums if x not in seen][:n_test])
    lengths = data.source_lengths(test_nums)
    results: dict[str, list] = {k: [] for k in kinds}
    for kind in kinds:
        for seed in seeds:
            model = make_model(kind, hidden_size, seed)
            rev = kind == "reversed"
            h = train(model, train_nums, epochs=epochs, lr=lr, seed=seed, reverse=rev)
            ev = evaluate(model, test_nums, reverse=rev)
            in_range = lengths <= train_max_len
            if progress is not None:
                progress(kind, seed, ev, h)
            results[kind].append(
                {
                    "seed": int(seed),
                    "exact_by_len": by_length(ev["exact"], lengths, bins),
                    "token_by_len": by_length(ev["token"], lengths, bins),
                    "exact_match_in_range": float(ev["exact"][in_range].mean()),
                    "exact_match_longer": (
                        float(ev["exact"][~in_range].mean()) if (~in_range).any() else None
                    ),
                    "exact_match": ev["exact_match"],
                    "token_accuracy": ev["token_accuracy"],
                    "exposure": exposure(model, test_nums[in_range], reverse=rev),
                    "final_train_loss": h["train_loss"][-1],
                    "cpu_seconds": round(h["cpu_seconds"], 2),
                }
            )
    return {
        "config": {
            "seeds": [int(s) for s in seeds],
            "n_train": n_train,
            "n_test": len(test_nums),
            "train_max_len": train_max_len,
            "hidden_size": hidden_size,
            "epochs": epochs,
            "lr": lr,
            "bins": [list(b) for b in bins],
            "test_per_bin": [int(((lengths >= lo) & (lengths <= hi)).sum()) for lo, hi in bins],
            "data_seed": data_seed,
            "cell": "gru",
        },
        "results": results,
    }
