"""The code of the page ``book/chapters/structures.md`` (the four structures).

* ``trace`` / ``format_trace``: the array shapes inside each structure, measured by running it.
* ``train_hello``: many-to-many, the smallest case: h,e,l,l -> e,l,l,o.
* ``make_model``, ``train``, ``decode``, ``exact_match``: encoder-decoder on Chinese numerals
  (data from ``rnn_book.data.numerals``); ``mistakes`` sorts its wrong answers.
* ``tune_steps``: how many time steps a melody takes (one per note), against its bars.
* ``many_to_one_gradients``: one loss at the last step, and the gradient it sends to every step.
"""

from __future__ import annotations

import numpy as np

from rnn_book.data.numerals import BOS, EOS, SRC_CHARS, TGT_CHARS, TGT_LEN, encode_pairs
from rnn_book.losses import cross_entropy
from rnn_book.training import fit, minibatches, single_thread, single_thread_blas, train_step

__all__ = [
    "KINDS",
    "decode",
    "exact_match",
    "format_trace",
    "make_model",
    "many_to_one_gradients",
    "mistakes",
    "trace",
    "train",
    "train_hello",
    "tune_steps",
]


#: The four structures, one task each (see ``train``).
KINDS = ("one_to_many", "many_to_one", "many_to_many", "encoder_decoder")


def trace(
    kind: str,
    T: int = 5,
    B: int = 3,
    vocab: int = 10,
    E: int = 4,
    H: int = 6,
    C: int = 2,
    T_out: int = 3,
    seed: int = 0,
) -> list[tuple[str, tuple[int, ...]]]:
    """Rows (stage, shape) for one structure; T steps in, batch B, vocabulary ``vocab``.

    C is the number of classes of the many-to-one model; T_out the decoder's length.
    """
    from rnn_book.layers import Embedding, Linear
    from rnn_book.models import CharLM, ManyToMany, ManyToOne, Seq2Seq, make_rnn

    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    rng = np.random.default_rng(seed)
    ids = rng.integers(vocab, size=(T, B))
    rows: list[tuple[str, tuple[int, ...]]] = []
    if kind in ("many_to_one", "many_to_many"):
        out_size = C if kind == "many_to_one" else vocab
        cls = ManyToOne if kind == "many_to_one" else ManyToMany
        m = cls(
            make_rnn("rnn", E, H, seed=seed),
            Linear(H, out_size, seed=seed),
            Embedding(vocab, E, seed=seed),
        )
        rows.append(("输入编号 x (T, B)", ids.shape))
        e = m.embedding.forward(ids)
        rows.append(("词嵌入 (T, B, E)", e.shape))
        out, h_n = m.rnn.forward(e)
        rows.append(("RNN 输出 h_1..h_T (T, B, H)", out.shape))
        rows.append(("最终隐状态 h_n (层数, B, H)", h_n.shape))
        if kind == "many_to_one":
            rows.append(("V h_T + c -> logits (B, C)", m.forward(ids).shape))
        else:
            rows.append(("V h_t + c -> logits (T, B, 词表)", m.forward(ids).shape))
        return rows
    if kind == "one_to_many":
        m = CharLM(vocab, H, embedding_dim=E, seed=seed)
        x1 = ids[:1, :1]
        rows.append(("第一个输入 x_1 (1, 1)", x1.shape))
        logits, state = m.forward(x1)
        rows.append(("y_1 的 logits (1, 1, 词表)", logits.shape))
        rows.append(("隐状态 h_1 (层数, 1, H)", state.shape))
        generated = m.sample([int(x1[0, 0])], T, temperature=1.0, rng=seed)
        rows.append(("采样 y_1..y_T，逐个喂回 (T,)", np.shape(generated)))
        return rows
    m = Seq2Seq(vocab, vocab, H, cell="rnn", embedding_dim=E, seed=seed)
    tgt_in = rng.integers(vocab, size=(T_out, B))
    rows.append(("源序列编号 (S, B)", ids.shape))
    enc_out, context = m.encoder.forward(m.src_embedding.forward(ids))
    rows.append(("编码器输出 (S, B, H)", enc_out.shape))
    rows.append(("上下文向量 c = h_S (层数, B, H)", context.shape))
    rows.append(("解码器输入 <bos>, y_1.. (T', B)", tgt_in.shape))
    dec_out, _ = m.decoder.forward(m.tgt_embedding.forward(tgt_in), context)
    rows.append(("解码器隐状态 s_1..s_T' (T', B, H)", dec_out.shape))
    rows.append(("logits (T', B, 词表)", m.forward(ids, tgt_in).shape))
    return rows


def format_trace(rows) -> str:
    """Rows of ``trace`` as aligned text lines (a Chinese character counts two columns)."""
    from rnn_book.figures.svg import text_units

    width = max(text_units(stage) for stage, _ in rows)
    return "\n".join(
        f"{stage}{' ' * (width - text_units(stage))}  {shape}" for stage, shape in rows
    )


def train_hello(
    input_ids,
    target_ids,
    vocab_size: int,
    hidden_size: int = 8,
    steps: int = 300,
    lr: float = 0.05,
    seed: int = 0,
):
    """Fit a one-hot ``CharLM`` on one sequence until it predicts every target.

    input_ids, target_ids : (T,) ints. Returns (model, history) where history has the
    per-step ``loss`` and ``errors`` (how many of the T argmax predictions are wrong).
    """
    from rnn_book.models import CharLM
    from rnn_book.optim import Adam

    x, y = np.asarray(input_ids), np.asarray(target_ids)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"input_ids, target_ids: expected two (T,) arrays, got {x.shape} and {y.shape}"
        )
    model = CharLM(vocab_size, hidden_size, cell="rnn", embedding_dim=None, seed=seed)
    optimizer = Adam([model], lr=lr)
    history: dict[str, list[float]] = {"loss": [], "errors": []}
    with single_thread_blas():
        for _ in range(steps):
            step = train_step(model, x[:, None], y[:, None], cross_entropy, optimizer)
            history["loss"].append(step.loss)
            logits = step.outputs  # (T, 1, V), before this step's update
            history["errors"].append(int(np.sum(np.argmax(logits[:, 0], axis=-1) != y)))
    return model, history


def make_model(hidden_size: int = 48, cell: str = "gru", seed: int = 0):
    """A Seq2Seq from the 14 source symbols to the 12 target symbols."""
    from rnn_book.models import Seq2Seq

    return Seq2Seq(
        len(SRC_CHARS), len(TGT_CHARS), hidden_size, cell=cell, embedding_dim=16, seed=seed
    )


def train(model, numbers, epochs: int = 30, lr: float = 1e-2, batch_size: int = 64, seed: int = 0):
    """Teacher-forced training on ``numbers``; returns the loss history."""
    from rnn_book.optim import Adam

    src, tgt_in, tgt_out, mask = encode_pairs(numbers)
    optimizer = Adam([model], lr=lr)

    def make_batches(rng):
        return [
            ((src[:, b], tgt_in[:, b]), tgt_out[:, b], mask[:, b])
            for b in minibatches(src.shape[1], batch_size, rng)
        ]

    return fit(model, make_batches, cross_entropy, optimizer, epochs, seed, clip=5.0)


@single_thread
def decode(model, numbers, pad: str = "left") -> list[str]:
    """Greedy answers of the model for ``numbers``, as digit strings (cut at <eos>).

    pad : "left" (as in training, ``encode_pairs``) or "right": the same source characters
    with the <pad> symbols moved after them (the exercise on padding).
    """
    if pad not in ("left", "right"):
        raise ValueError(f"pad: expected 'left' or 'right', got {pad!r}")
    src, *_ = encode_pairs(numbers)
    if pad == "right":
        src = np.stack([np.concatenate([col[col != 0], col[col == 0]]) for col in src.T], axis=1)
    ids = model.greedy_decode(src, BOS, TGT_LEN, eos_id=EOS)  # (TGT_LEN, N)
    answers = []
    for col in ids.T:
        chars = []
        for i in col:
            if i == EOS:
                break
            chars.append(TGT_CHARS[i] if i >= 2 else "?")
        answers.append("".join(chars))
    return answers


def exact_match(model, numbers) -> float:
    """Fraction of ``numbers`` whose decoded digits are exactly right."""
    return float(np.mean([a == str(int(n)) for a, n in zip(decode(model, numbers), numbers)]))


def tune_steps(tune: str, eighths_per_bar: int = 8) -> tuple[int, int]:
    """(notes, bars) of a tune written as in ``rnn_book.data.melodies.TUNES``.

    A note-level model takes one time step per note, so ``notes`` is the number of steps;
    ``bars`` counts durations (in eighth notes, the ``:n`` of each token) in bars of
    ``eighths_per_bar`` (8 for 4/4 time). Raises if the tune is not a whole number of bars.
    """
    notes = tune.split()
    eighths = sum(int(note.rsplit(":", 1)[1]) for note in notes)
    if not notes or eighths % eighths_per_bar:
        raise ValueError(
            f"tune: expected a whole number of bars of {eighths_per_bar} eighths, got {eighths}"
        )
    return len(notes), eighths // eighths_per_bar


def many_to_one_gradients(
    T: int = 8, input_size: int = 3, hidden_size: int = 5, classes: int = 2, seed: int = 0
) -> dict:
    """Backpropagate ONE loss at the last step of a many-to-one RNN; what reaches each step.

    Builds ``ManyToOne(RNN, Linear)``, feeds a random (T, 1, D) sequence, takes the cross
    entropy of the single output and backpropagates twice: with the model (``dx``) and by
    hand with ``rnn_step_forward`` / ``rnn_step_backward`` (``dh``: dL/dh_t, which at t < T
    arrives only through W from step t+1). Returns a dict of ``loss``, ``dh_norm`` and
    ``dx_norm`` (T,) and ``dx_gap`` (``max |hand - model|`` of dL/dx).
    """
    from rnn_book.elman import RNN, rnn_step_backward, rnn_step_forward
    from rnn_book.layers import Linear
    from rnn_book.models import ManyToOne

    rng = np.random.default_rng(seed)
    model = ManyToOne(
        RNN(input_size, hidden_size, seed=seed), Linear(hidden_size, classes, seed=seed)
    )
    x = rng.normal(size=(T, 1, input_size))
    target = rng.integers(classes, size=1)
    loss, dlogits = cross_entropy(model.forward(x), target)
    dx_model = model.backward(dlogits)

    p = model.rnn.params
    weights = (p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"], p["bias_hh_l0"])
    h, caches = np.zeros((1, hidden_size)), []
    for t in range(T):
        h, cache = rnn_step_forward(x[t], h, *weights)
        caches.append(cache)
    dh = dlogits @ model.head.params["weight"]  # dL/dh_T: the only output is V h_T + c
    dh_norm, dx = np.zeros(T), np.zeros_like(x)
    for t in reversed(range(T)):  # no output at t < T: dL/dh_t comes from step t+1 alone
        dh_norm[t] = np.linalg.norm(dh)
        dx[t], dh, *_ = rnn_step_backward(dh, caches[t])
    return {
        "loss": float(loss),
        "dh_norm": dh_norm,
        "dx_norm": np.linalg.norm(dx, axis=(1, 2)),
        "dx_gap": float(np.abs(dx - dx_model).max()),
    }


def mistakes(numbers, answers) -> dict:
    """Sort the wrong answers of the numeral translator.

    Returns counts: ``wrong``; ``wrong_with_zero`` (the true number has a digit 0, which
    the Chinese reading says as 零 or leaves out); ``wrong_length`` (wrong number of
    digits); the share of numbers with a 0 among all ``numbers`` (``zero_share``); and the
    error rate on short readings (at most 4 characters) and on 7-character ones.
    """
    from rnn_book.data.numerals import chinese_numeral

    truth = [str(int(n)) for n in numbers]
    if len(truth) != len(answers):
        raise ValueError(f"answers: expected {len(truth)}, got {len(answers)}")
    wrong = [(t, a) for t, a in zip(truth, answers) if a != t]
    lengths = np.array([len(chinese_numeral(int(n))) for n in numbers])
    ok = np.array([a == t for t, a in zip(truth, answers)])
    short, full = lengths <= 4, lengths == 7
    return {
        "wrong": len(wrong),
        "wrong_with_zero": sum("0" in t for t, _ in wrong),
        "wrong_length": sum(len(a) != len(t) for t, a in wrong),
        "zero_share": float(np.mean(["0" in t for t in truth])),
        "short_count": int(short.sum()),
        "short_error": float(1 - ok[short].mean()) if short.any() else float("nan"),
        "long_error": float(1 - ok[full].mean()) if full.any() else float("nan"),
    }
