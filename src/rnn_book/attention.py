"""An encoder-decoder with Luong et al. (2015) global "general" attention, in NumPy.

The plain ``rb.Seq2Seq`` hands the decoder one vector, the encoder's last state. Here the
decoder also looks back at every encoder state at every output step::

    h_1..h_S = encoder(x_1..x_S)                      (S, B, H), c = h_S starts the decoder
    s_t      = decoder(y_{t-1}, s_{t-1}),  s_0 = h_S   (T, B, H)
    e_{t,i}  = s_t^T W_a h_i                           scores (T, B, S), <pad> positions -inf
    a_{t,i}  = exp(e_{t,i}) / sum_j exp(e_{t,j})       attention weights, rows sum to 1
    c_t      = sum_i a_{t,i} h_i                       context of step t (T, B, H)
    s~_t     = tanh(W_c [c_t; s_t] + b_c)              attentional state (T, B, H)
    logits_t = V s~_t + b                              (T, B, tgt_vocab)

Luong's model without "input feeding": s~_t is not fed back into the decoder, so with teacher
forcing the whole decoder runs as one recurrent layer and attention is a few batched matmuls.
``backward`` sends the gradient through the softmax into every encoder state h_i and, through
s_0 = h_S, into the encoder's final state; BPTT then runs through both recurrent layers.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnn_book._validate import check_dtype
from rnn_book.functional import softmax
from rnn_book.layers import Embedding, Linear
from rnn_book.models import Model, make_rnn
from rnn_book.module import grad_enabled, no_cache_error, no_grad
from rnn_book.seeding import child_seeds

__all__ = ["AttentionSeq2Seq"]


def _top(state):
    """(num_layers, B, H) top-layer hidden state from h_n or an LSTM (h_n, c_n) pair."""
    return (state[0] if isinstance(state, tuple) else state)[-1]


class AttentionCache(NamedTuple):
    """What ``AttentionSeq2Seq.backward`` needs from ``forward``."""

    enc_out: np.ndarray  # (S, B, H) encoder states h_1..h_S
    dec_out: np.ndarray  # (T, B, H) decoder states s_1..s_T
    keys: np.ndarray  # (S, B, H) W_a h_i
    alpha: np.ndarray  # (T, B, S) attention weights
    tilde: np.ndarray  # (T, B, H) attentional states tanh(W_c [c_t; s_t])


class AttentionSeq2Seq(Model):
    """Encoder-decoder with global attention over the encoder states (Luong "general" score).

    Parameters
    ----------
    src_vocab, tgt_vocab : vocabulary sizes.
    hidden_size : H of encoder and decoder.
    cell : "rnn", "lstm" or "gru" for both recurrent layers.
    embedding_dim : width of both embeddings.
    num_layers : layers of encoder and decoder (attention uses the top layers).
    pad_id : source id that is padding: attention gives it weight exactly 0. None: no padding.
    dtype, seed : as for the layers.

    Parts (``params`` keys are "part.name"): src_embedding, encoder, tgt_embedding, decoder,
    attn (W_a, (H, H), no bias), combine (W_c, (H, 2H), b_c), head (V, (tgt_vocab, H)).
    """

    def __init__(
        self,
        src_vocab: int,
        tgt_vocab: int,
        hidden_size: int,
        cell: str = "gru",
        embedding_dim: int = 32,
        num_layers: int = 1,
        pad_id: int | None = None,
        dtype=np.float64,
        seed: int | None = None,
    ):
        dtype = check_dtype(dtype)
        seeds = child_seeds(seed, 7)
        H = hidden_size
        self.src_vocab, self.tgt_vocab, self.pad_id = src_vocab, tgt_vocab, pad_id
        self.src_embedding = Embedding(src_vocab, embedding_dim, dtype=dtype, seed=seeds[0])
        self.encoder = make_rnn(
            cell, embedding_dim, H, num_layers=num_layers, dtype=dtype, seed=seeds[1]
        )
        self.tgt_embedding = Embedding(tgt_vocab, embedding_dim, dtype=dtype, seed=seeds[2])
        self.decoder = make_rnn(
            cell, embedding_dim, H, num_layers=num_layers, dtype=dtype, seed=seeds[3]
        )
        self.attn = Linear(H, H, bias=False, dtype=dtype, seed=seeds[4])
        self.combine = Linear(2 * H, H, dtype=dtype, seed=seeds[5])
        self.head = Linear(H, tgt_vocab, dtype=dtype, seed=seeds[6])
        self.hidden_size = H
        self.attention = None  # (T, B, S) weights of the last forward / greedy_decode
        self._cache = None

    def parts(self) -> dict:
        return {
            "src_embedding": self.src_embedding,
            "encoder": self.encoder,
            "tgt_embedding": self.tgt_embedding,
            "decoder": self.decoder,
            "attn": self.attn,
            "combine": self.combine,
            "head": self.head,
        }

    # ------------------------------------------------------------------ pieces
    def _check_ids(self, name: str, ids, vocab: int) -> np.ndarray:
        ids = np.asarray(ids)
        if not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(f"{name}: expected an integer array, got dtype {ids.dtype}")
        if ids.ndim != 2:
            raise ValueError(f"{name}: expected shape (length, B), got {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= vocab):
            raise ValueError(
                f"{name}: expected ids in [0, {vocab}), got [{ids.min()}, {ids.max()}]"
            )
        return ids

    def _source_mask(self, src) -> np.ndarray:
        """(S, B) True where attention may look; every column needs one real symbol."""
        if self.pad_id is None:
            return np.ones(src.shape, dtype=bool)
        valid = src != self.pad_id
        if not valid.any(axis=0).all():
            raise ValueError(
                f"src: expected at least one non-<pad> id (pad_id={self.pad_id}) per column, "
                f"got an all-padding column in src of shape {src.shape}"
            )
        return valid

    def encode(self, src, h0=None):
        """src (S, B) ids -> encoder states (S, B, H) and the final state (the context c)."""
        src = self._check_ids("src", src, self.src_vocab)
        return self.encoder.forward(self.src_embedding.forward(src), h0)

    def _attend(self, dec_out, enc_out, keys, valid):
        """dec_out (T,B,H), enc_out/keys (S,B,H), valid (S,B) -> logits, alpha, ctx, s~."""
        scores = np.einsum("tbh,sbh->tbs", dec_out, keys)
        scores = np.where(valid.T[None], scores, -np.inf)
        alpha = softmax(scores, axis=-1)  # (T, B, S); exactly 0 at <pad>
        ctx = np.einsum("tbs,sbh->tbh", alpha, enc_out)
        tilde = np.tanh(self.combine.forward(np.concatenate([ctx, dec_out], axis=-1)))
        return self.head.forward(tilde), alpha, tilde

    # ------------------------------------------------------------------ training
    def forward(self, src, tgt_in, h0=None) -> np.ndarray:
        """src (S, B) ids; tgt_in (T, B) ids starting with <bos> -> logits (T, B, tgt_vocab).

        h0 : optional initial state of the encoder, (num_layers, B, H) (a pair for LSTM).
        The attention weights are kept in ``self.attention`` (T, B, S), read-only.
        """
        src = self._check_ids("src", src, self.src_vocab)
        tgt_in = self._check_ids("tgt_in", tgt_in, self.tgt_vocab)
        if src.shape[1] != tgt_in.shape[1]:
            raise ValueError(
                f"src, tgt_in: expected (S, B) and (T, B) with the same B, "
                f"got {src.shape} and {tgt_in.shape}"
            )
        valid = self._source_mask(src)
        enc_out, context = self.encode(src, h0)
        dec_out, _ = self.decoder.forward(self.tgt_embedding.forward(tgt_in), context)
        keys = self.attn.forward(enc_out)  # W_a h_i, (S, B, H)
        logits, alpha, tilde = self._attend(dec_out, enc_out, keys, valid)
        self.attention = alpha.view()
        self.attention.flags.writeable = False  # backward reads alpha: show it, read-only
        if grad_enabled():
            self._cache = AttentionCache(enc_out, dec_out, keys, alpha, tilde)
        return logits

    def backward(self, dlogits):
        """dlogits (T, B, tgt_vocab) -> gradient of the encoder's initial state h0.

        Parameter gradients accumulate in ``grads``. The encoder receives a gradient at every
        state h_i (from the attention) plus, through s_0 = h_S, at its final state.
        """
        if self._cache is None:
            raise no_cache_error()
        enc_out, dec_out, keys, alpha, tilde = self._cache
        dlogits = np.asarray(dlogits)
        if dlogits.shape != tilde.shape[:2] + (self.tgt_vocab,):
            raise ValueError(
                f"dlogits: expected shape {tilde.shape[:2] + (self.tgt_vocab,)}, "
                f"got {dlogits.shape}"
            )
        H = self.hidden_size
        dtilde = self.head.backward(dlogits)
        dcat = self.combine.backward(dtilde * (1.0 - tilde**2))
        dctx, ddec = dcat[..., :H], dcat[..., H:].copy()
        # c_t = sum_i a_ti h_i
        dalpha = np.einsum("tbh,sbh->tbs", dctx, enc_out)
        denc = np.einsum("tbs,tbh->sbh", alpha, dctx)
        # softmax backward; masked positions have a = 0 and get no gradient
        dscores = alpha * (dalpha - np.sum(alpha * dalpha, axis=-1, keepdims=True))
        # e_ti = s_t . k_i with k_i = W_a h_i
        ddec += np.einsum("tbs,sbh->tbh", dscores, keys)
        dkeys = np.einsum("tbs,tbh->sbh", dscores, dec_out)
        denc += self.attn.backward(dkeys)
        ddec_in, dcontext = self.decoder.backward(ddec)
        self.tgt_embedding.backward(ddec_in)
        denc_in, dh0 = self.encoder.backward(denc, dcontext)
        self.src_embedding.backward(denc_in)
        return dh0

    # ------------------------------------------------------------------ inference
    @no_grad()
    def greedy_decode(
        self, src, bos_id: int, max_len: int, eos_id: int | None = None
    ) -> np.ndarray:
        """src (S, B) ids -> (max_len, B) ids, feeding back the argmax at every step.

        Positions after an ``eos_id`` keep ``eos_id``. The attention weights of the decoded
        steps are left in ``self.attention`` (max_len, B, S). Runs under ``rb.no_grad()``:
        a pending ``backward`` still differentiates the last ``forward``.
        """
        src = self._check_ids("src", src, self.src_vocab)
        valid = self._source_mask(src)
        enc_out, state = self.encode(src)
        keys = self.attn.forward(enc_out)
        B = src.shape[1]
        prev = np.full((1, B), bos_id)
        result = np.empty((max_len, B), dtype=np.int64)
        alphas = np.empty((max_len, B, src.shape[0]), dtype=enc_out.dtype)
        done = np.zeros(B, dtype=bool)
        for t in range(max_len):
            out, state = self.decoder.forward(self.tgt_embedding.forward(prev), state)
            logits, alpha, _ = self._attend(out, enc_out, keys, valid)
            nxt = np.argmax(logits[0], axis=-1)
            if eos_id is not None:
                nxt = np.where(done, eos_id, nxt)
                done |= nxt == eos_id
            result[t], alphas[t] = nxt, alpha[0]
            prev = nxt[None]
        self.attention = alphas
        return result
