"""The code of the page ``book/chapters/structures.md`` (the four structures).

* ``trace`` / ``format_trace``: the array shapes inside each structure, measured by running it.
* ``train_hello``: many-to-many, the smallest case: h,e,l,l -> e,l,l,o.
* ``make_model``, ``train``, ``decode``, ``exact_match``: encoder-decoder on Chinese numerals
  (data from ``rnn_book.data.numerals``).
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
    "trace",
    "train",
    "train_hello",
]


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
        rows.append(("ids x (T, B)", ids.shape))
        e = m.embedding.forward(ids)
        rows.append(("embedding (T, B, E)", e.shape))
        out, h_n = m.rnn.forward(e)
        rows.append(("RNN outputs h_1..h_T (T, B, H)", out.shape))
        rows.append(("final state h_n (layers, B, H)", h_n.shape))
        if kind == "many_to_one":
            rows.append(("V h_T + c -> logits (B, C)", m.forward(ids).shape))
        else:
            rows.append(("V h_t + c -> logits (T, B, vocab)", m.forward(ids).shape))
        return rows
    if kind == "one_to_many":
        m = CharLM(vocab, H, embedding_dim=E, seed=seed)
        x1 = ids[:1, :1]
        rows.append(("first input x_1 (1, 1)", x1.shape))
        logits, state = m.forward(x1)
        rows.append(("logits for y_1 (1, 1, vocab)", logits.shape))
        rows.append(("state h_1 (layers, 1, H)", state.shape))
        generated = m.sample([int(x1[0, 0])], T, temperature=1.0, rng=seed)
        rows.append(("y_1..y_T sampled, each fed back (T,)", np.shape(generated)))
        return rows
    m = Seq2Seq(vocab, vocab, H, cell="rnn", embedding_dim=E, seed=seed)
    tgt_in = rng.integers(vocab, size=(T_out, B))
    rows.append(("source ids (S, B)", ids.shape))
    enc_out, context = m.encoder.forward(m.src_embedding.forward(ids))
    rows.append(("encoder outputs (S, B, H)", enc_out.shape))
    rows.append(("context c = h_S (layers, B, H)", context.shape))
    rows.append(("decoder input <bos>, y_1.. (T', B)", tgt_in.shape))
    dec_out, _ = m.decoder.forward(m.tgt_embedding.forward(tgt_in), context)
    rows.append(("decoder states s_1..s_T' (T', B, H)", dec_out.shape))
    rows.append(("logits (T', B, vocab)", m.forward(ids, tgt_in).shape))
    return rows


def format_trace(rows) -> str:
    """Rows of ``trace`` as aligned text lines."""
    width = max(len(stage) for stage, _ in rows)
    return "\n".join(f"{stage:<{width}}  {shape}" for stage, shape in rows)


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
def decode(model, numbers) -> list[str]:
    """Greedy answers of the model for ``numbers``, as digit strings (cut at <eos>)."""
    src, *_ = encode_pairs(numbers)
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
