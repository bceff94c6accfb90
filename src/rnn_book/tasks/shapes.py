"""The array shapes inside each of the four structures, measured by running the layers.

``trace(kind, ...)`` builds a small model of that structure, pushes a batch through it step by
step (embedding, recurrent layer, output layer V) and records the shape after every stage.
Nothing is typed in by hand: each row comes from a real array.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KINDS", "format_trace", "trace"]

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
