"""Encoder-decoders with attention, in NumPy: Luong et al. (2015) and Bahdanau et al. (2015).

The plain ``rb.Seq2Seq`` hands the decoder one vector, the encoder's last state. Here the
decoder also looks back at every encoder state at every output step.

``AttentionSeq2Seq`` (Luong, global attention, no input feeding)::

    h_1..h_S = encoder(x_1..x_S)                      (S, B, H), c = h_S starts the decoder
    s_t      = decoder(y_{t-1}, s_{t-1}),  s_0 = h_S   (T, B, H)
    e_{t,i}  = score(s_t, h_i)                         scores (T, B, S), <pad> positions -inf
    a_{t,i}  = exp(e_{t,i}) / sum_j exp(e_{t,j})       attention weights, rows sum to 1
    c_t      = sum_i a_{t,i} h_i                       context of step t (T, B, H)
    s~_t     = tanh(W_c [c_t; s_t] + b_c)              attentional state (T, B, H)
    logits_t = V s~_t + b                              (T, B, tgt_vocab)

with one of Luong's three scores::

    "dot"      e = s_t . h_i                           no parameters
    "general"  e = s_t^T W_a h_i                       W_a (H, H)
    "concat"   e = v_a^T tanh(W_a [s_t; h_i])          W_a (H, 2H), v_a (H,)

Without "input feeding" s~_t is not fed back into the decoder, so with teacher forcing the
whole decoder runs as one recurrent layer and attention is a few batched matmuls.

``BahdanauSeq2Seq`` (additive attention, bidirectional GRU encoder)::

    h_i      = [h_i^fwd; h_i^bwd]                      (S, B, 2H), bidirectional GRU
    s_0      = tanh(W_s h_1^bwd + b_s)                 (B, H)
    e_{t,i}  = v_a^T tanh(W_a s_{t-1} + U_a h_i)        scores from the PREVIOUS state
    a_t      = softmax_i(e_{t,i}),  c_t = sum_i a_{t,i} h_i      (B, S), (B, 2H)
    s_t      = GRU([E y_{t-1}; c_t], s_{t-1})          the context enters the recurrence
    logits_t = V [s_t; c_t; E y_{t-1}] + b             (B, tgt_vocab)

Here the decoder must run step by step (c_t needs s_{t-1}); its backward is a per-step loop
over ``gru_step_backward``.

Both models share a step interface for decoding (``init_decoder``, ``decode_step``) used by
``greedy_decode`` and by ``rb.beam_search``. Masking: with ``pad_id`` set, a source position
holding ``pad_id`` gets the score -inf, so its attention weight is exactly 0, and the
gradient the attention sends to its encoder state is exactly 0 as well.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnn_book._validate import check_dtype, check_positive_int
from rnn_book.functional import log_softmax, softmax
from rnn_book.gru import GRU, gru_step_backward, gru_step_forward
from rnn_book.layers import Embedding, Linear
from rnn_book.models import Model, make_rnn
from rnn_book.module import Module, grad_enabled, no_cache_error, no_grad
from rnn_book.seeding import child_seeds

__all__ = [
    "SCORES",
    "AdditiveAttention",
    "AttentionSeq2Seq",
    "BahdanauSeq2Seq",
    "ConcatScore",
    "DecoderState",
]

#: the score functions ``AttentionSeq2Seq`` accepts (Luong et al. 2015)
SCORES = ("dot", "general", "concat")


def _take_batch(x, index):
    """x (n, B, ...) or a tuple of such arrays -> the columns ``index`` of axis 1, copied."""
    if isinstance(x, tuple):
        return tuple(_take_batch(a, index) for a in x)
    return x[:, index].copy()


class DecoderState(NamedTuple):
    """What a decoder carries from one output step to the next (``init_decoder``,
    ``decode_step``). Every array has the batch on axis 1.

    Attributes
    ----------
    memory : (S, B, M)
        encoder states h_1..h_S (M = H for Luong, 2H for Bahdanau).
    keys : (S, B, K)
        the part of the score that depends on h_i only, computed once (h_i for "dot",
        W_a h_i for "general", the h-half of W_a [s; h] for "concat", U_a h_i for Bahdanau).
    valid : (S, B) bool
        False at <pad> positions.
    hidden : (num_layers, B, H), an LSTM pair of those, or (1, B, H)
        the decoder state (s_{t-1} for Bahdanau).
    """

    memory: np.ndarray
    keys: np.ndarray
    valid: np.ndarray
    hidden: np.ndarray | tuple

    def take(self, index) -> DecoderState:
        """The batch columns ``index`` (int array (B',), repeats allowed), as a new state
        that shares no memory with this one (beam search reorders hypotheses with it)."""
        index = np.asarray(index)
        if not np.issubdtype(index.dtype, np.integer) or index.ndim != 1:
            raise TypeError(f"index: expected a 1-D integer array, got {index.dtype} {index.shape}")
        B = self.valid.shape[1]
        if index.size and (index.min() < 0 or index.max() >= B):
            raise ValueError(
                f"index: expected values in [0, {B}), got [{index.min()}, {index.max()}]"
            )
        return DecoderState(*(_take_batch(x, index) for x in self))


class ConcatScore(Module):
    """Parameters of Luong's "concat" score e = v_a^T tanh(W_a [s_t; h_i]) (no bias).

    Attributes
    ----------
    params : {"weight": W_a (H, 2H), "v_a": (H,)}; columns :H of W_a act on s_t, H: on h_i.
    grads : same keys and shapes. The model (``AttentionSeq2Seq``) does the arithmetic.
    """

    def __init__(self, hidden_size: int, dtype=np.float64, seed: int | None = None):
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.dtype = check_dtype(dtype)
        rng = np.random.default_rng(seed)
        H = self.hidden_size
        bound = 1.0 / np.sqrt(2 * H)
        self.params = {
            "weight": rng.uniform(-bound, bound, size=(H, 2 * H)).astype(self.dtype),
            "v_a": rng.uniform(-1.0 / np.sqrt(H), 1.0 / np.sqrt(H), size=H).astype(self.dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def _param_shapes(self) -> dict[str, tuple[int, ...]]:
        H = self.hidden_size
        return {"weight": (H, 2 * H), "v_a": (H,)}


class AdditiveAttention(Module):
    """Parameters of Bahdanau's additive score e_{t,i} = v_a^T tanh(W_a s_{t-1} + U_a h_i).

    Parameters
    ----------
    query_size : H, width of the decoder state s.
    key_size : width of the encoder states h_i (2H for a bidirectional encoder).
    attn_size : A, width of the hidden layer of the score (the paper's n').

    Attributes
    ----------
    params : {"W_a": (A, query_size), "U_a": (A, key_size), "v_a": (A,)}; grads alike.
    The model (``BahdanauSeq2Seq``) does the arithmetic.
    """

    def __init__(
        self,
        query_size: int,
        key_size: int,
        attn_size: int,
        dtype=np.float64,
        seed: int | None = None,
    ):
        self.query_size = check_positive_int("query_size", query_size)
        self.key_size = check_positive_int("key_size", key_size)
        self.attn_size = check_positive_int("attn_size", attn_size)
        self.dtype = check_dtype(dtype)
        rng = np.random.default_rng(seed)
        self.params = {}
        for name, shape in self._param_shapes().items():
            bound = 1.0 / np.sqrt(shape[-1])
            self.params[name] = rng.uniform(-bound, bound, size=shape).astype(self.dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def _param_shapes(self) -> dict[str, tuple[int, ...]]:
        A = self.attn_size
        return {"W_a": (A, self.query_size), "U_a": (A, self.key_size), "v_a": (A,)}


class _AttentionModel(Model):
    """What both attention models share: id checks, the <pad> mask, greedy decoding on
    top of ``init_decoder``/``decode_step``, and ``attention_weights``."""

    src_vocab: int
    tgt_vocab: int
    pad_id: int | None

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

    def _check_pair(self, src, tgt_in):
        src = self._check_ids("src", src, self.src_vocab)
        tgt_in = self._check_ids("tgt_in", tgt_in, self.tgt_vocab)
        if src.shape[1] != tgt_in.shape[1]:
            raise ValueError(
                f"src, tgt_in: expected (S, B) and (T, B) with the same B, "
                f"got {src.shape} and {tgt_in.shape}"
            )
        return src, tgt_in

    def _check_token(self, name: str, value) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name}: expected an int id in [0, {self.tgt_vocab}), got {value!r}")
        if not 0 <= value < self.tgt_vocab:
            raise ValueError(f"{name}: expected an id in [0, {self.tgt_vocab}), got {value}")
        return int(value)

    def _check_prev(self, prev_ids, state: DecoderState) -> np.ndarray:
        B = state.valid.shape[1]
        prev = np.asarray(prev_ids)
        if not np.issubdtype(prev.dtype, np.integer):
            raise TypeError(f"prev_ids: expected integer ids, got dtype {prev.dtype}")
        if prev.shape != (B,):
            raise ValueError(
                f"prev_ids: expected shape ({B},) (one id per column), got {prev.shape}"
            )
        if prev.size and (prev.min() < 0 or prev.max() >= self.tgt_vocab):
            raise ValueError(
                f"prev_ids: expected ids in [0, {self.tgt_vocab}), got [{prev.min()}, {prev.max()}]"
            )
        return prev

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

    @staticmethod
    def _mask(scores, valid):
        """scores (..., B, S), valid (S, B) -> -inf where valid is False."""
        return np.where(valid.T, scores, -np.inf)

    def init_decoder(self, src) -> DecoderState:  # pragma: no cover - abstract
        raise NotImplementedError

    def decode_step(self, state, prev_ids):  # pragma: no cover - abstract
        raise NotImplementedError

    @no_grad()
    def greedy_decode(
        self, src, bos_id: int, max_len: int, eos_id: int | None = None
    ) -> np.ndarray:
        """src (S, B) ids -> (max_len, B) ids, feeding back the argmax at every step.

        Positions after an ``eos_id`` keep ``eos_id``. The attention weights of the decoded
        steps are left in ``self.attention`` (max_len, B, S). Runs under ``rb.no_grad()``:
        a pending ``backward`` still differentiates the last ``forward``.
        """
        bos_id = self._check_token("bos_id", bos_id)
        max_len = check_positive_int("max_len", max_len)
        if eos_id is not None:
            eos_id = self._check_token("eos_id", eos_id)
        state = self.init_decoder(src)
        S, B = state.valid.shape
        prev = np.full(B, bos_id, dtype=np.int64)
        result = np.empty((max_len, B), dtype=np.int64)
        alphas = np.empty((max_len, B, S), dtype=state.memory.dtype)
        done = np.zeros(B, dtype=bool)
        for t in range(max_len):
            log_probs, state, alphas[t] = self.decode_step(state, prev)
            nxt = np.argmax(log_probs, axis=-1)
            if eos_id is not None:
                nxt = np.where(done, eos_id, nxt)
                done |= nxt == eos_id
            result[t] = nxt
            prev = nxt
        self.attention = alphas
        return result

    def attention_weights(self, src, tgt_in) -> np.ndarray:
        """src (S, B), tgt_in (T, B) ids -> a (T, B, S) copy of the attention weights that a
        teacher-forced ``forward`` computes (run under ``rb.no_grad()``: no cache changes).
        Row [t, b] sums to 1 over the source; <pad> positions hold exactly 0."""
        with no_grad():
            self.forward(src, tgt_in)
        return np.array(self.attention, copy=True)


class AttentionCache(NamedTuple):
    """What ``AttentionSeq2Seq.backward`` needs from ``forward``."""

    enc_out: np.ndarray  # (S, B, H) encoder states h_1..h_S
    dec_out: np.ndarray  # (T, B, H) decoder states s_1..s_T
    keys: np.ndarray  # (S, B, H) the h-side of the score (h_i, W_a h_i, W_a[:, H:] h_i)
    alpha: np.ndarray  # (T, B, S) attention weights
    tilde: np.ndarray  # (T, B, H) attentional states tanh(W_c [c_t; s_t])
    pre: np.ndarray | None  # (T, B, S, H) tanh(W_a [s_t; h_i]) for "concat", else None


class AttentionSeq2Seq(_AttentionModel):
    """Encoder-decoder with Luong global attention over the encoder states.

    Parameters
    ----------
    src_vocab, tgt_vocab : vocabulary sizes.
    hidden_size : H of encoder and decoder.
    cell : "rnn", "lstm" or "gru" for both recurrent layers.
    embedding_dim : width of both embeddings.
    num_layers : layers of encoder and decoder (attention uses the top layers).
    pad_id : source id that is padding: attention gives it weight exactly 0. None: no padding.
    dtype, seed : as for the layers.
    score : "dot" (e = s_t . h_i), "general" (e = s_t^T W_a h_i, the default) or "concat"
        (e = v_a^T tanh(W_a [s_t; h_i])).

    Parts (``params`` keys are "part.name"): src_embedding, encoder, tgt_embedding, decoder,
    attn (score parameters: none for "dot"; "attn.weight" W_a (H, H) for "general";
    "attn.weight" W_a (H, 2H) and "attn.v_a" (H,) for "concat"), combine (W_c, (H, 2H), b_c),
    head (V, (tgt_vocab, H)).

    Shapes: src (S, B) and tgt_in (T, B) integer ids, time-major; logits (T, B, tgt_vocab);
    ``attention`` (T, B, S).
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
        score: str = "general",
    ):
        if score not in SCORES:
            raise ValueError(f"score: expected one of {list(SCORES)}, got {score!r}")
        dtype = check_dtype(dtype)
        seeds = child_seeds(seed, 7)
        H = hidden_size
        self.score = score
        self.src_vocab, self.tgt_vocab, self.pad_id = src_vocab, tgt_vocab, pad_id
        self.src_embedding = Embedding(src_vocab, embedding_dim, dtype=dtype, seed=seeds[0])
        self.encoder = make_rnn(
            cell, embedding_dim, H, num_layers=num_layers, dtype=dtype, seed=seeds[1]
        )
        self.tgt_embedding = Embedding(tgt_vocab, embedding_dim, dtype=dtype, seed=seeds[2])
        self.decoder = make_rnn(
            cell, embedding_dim, H, num_layers=num_layers, dtype=dtype, seed=seeds[3]
        )
        if score == "general":
            self.attn = Linear(H, H, bias=False, dtype=dtype, seed=seeds[4])
        elif score == "concat":
            self.attn = ConcatScore(H, dtype=dtype, seed=seeds[4])
        else:
            self.attn = None
        self.combine = Linear(2 * H, H, dtype=dtype, seed=seeds[5])
        self.head = Linear(H, tgt_vocab, dtype=dtype, seed=seeds[6])
        self.hidden_size = H
        self.dtype = dtype
        self.attention = None  # (T, B, S) weights of the last forward / greedy_decode
        self._cache = None

    def parts(self) -> dict:
        parts = {
            "src_embedding": self.src_embedding,
            "encoder": self.encoder,
            "tgt_embedding": self.tgt_embedding,
            "decoder": self.decoder,
        }
        if self.attn is not None:
            parts["attn"] = self.attn
        return {**parts, "combine": self.combine, "head": self.head}

    # ------------------------------------------------------------------ pieces
    def encode(self, src, h0=None):
        """src (S, B) ids -> encoder states (S, B, H) and the final state (the context c)."""
        src = self._check_ids("src", src, self.src_vocab)
        return self.encoder.forward(self.src_embedding.forward(src), h0)

    def _keys(self, enc_out):
        """enc_out (S, B, H) -> the h-side of the score, (S, B, H)."""
        if self.score == "dot":
            return enc_out
        if self.score == "general":
            return self.attn.forward(enc_out)  # W_a h_i (Linear keeps its input for backward)
        self.attn._check_params()
        return enc_out @ self.attn.params["weight"][:, self.hidden_size :].T

    def _scores(self, dec_out, keys):
        """dec_out (T, B, H), keys (S, B, H) -> scores (T, B, S) and, for "concat", the
        tanh block (T, B, S, H)."""
        if self.score != "concat":
            return np.einsum("tbh,sbh->tbs", dec_out, keys), None
        W, v = self.attn.params["weight"], self.attn.params["v_a"]
        query = dec_out @ W[:, : self.hidden_size].T  # (T, B, H): W_a[:, :H] s_t
        pre = np.tanh(query[:, :, None, :] + keys.transpose(1, 0, 2)[None])  # (T, B, S, H)
        return pre @ v, pre

    def _attend(self, dec_out, enc_out, keys, valid):
        """dec_out (T,B,H), enc_out/keys (S,B,H), valid (S,B) -> logits, alpha, s~, pre."""
        scores, pre = self._scores(dec_out, keys)
        alpha = softmax(self._mask(scores, valid), axis=-1)  # (T, B, S); exactly 0 at <pad>
        ctx = np.einsum("tbs,sbh->tbh", alpha, enc_out)
        tilde = np.tanh(self.combine.forward(np.concatenate([ctx, dec_out], axis=-1)))
        return self.head.forward(tilde), alpha, tilde, pre

    # ------------------------------------------------------------------ training
    def forward(self, src, tgt_in, h0=None) -> np.ndarray:
        """src (S, B) ids; tgt_in (T, B) ids starting with <bos> -> logits (T, B, tgt_vocab).

        h0 : optional initial state of the encoder, (num_layers, B, H) (a pair for LSTM).
        The attention weights are kept in ``self.attention`` (T, B, S), read-only.
        """
        src, tgt_in = self._check_pair(src, tgt_in)
        valid = self._source_mask(src)
        enc_out, context = self.encode(src, h0)
        dec_out, _ = self.decoder.forward(self.tgt_embedding.forward(tgt_in), context)
        keys = self._keys(enc_out)
        logits, alpha, tilde, pre = self._attend(dec_out, enc_out, keys, valid)
        self.attention = alpha.view()
        self.attention.flags.writeable = False  # backward reads alpha: show it, read-only
        if grad_enabled():
            self._cache = AttentionCache(enc_out, dec_out, keys, alpha, tilde, pre)
        return logits

    def _scores_backward(self, dscores, cache):
        """dscores (T, B, S) -> (ddec (T, B, H), denc (S, B, H)); score gradients to attn."""
        enc_out, dec_out, keys = cache.enc_out, cache.dec_out, cache.keys
        if self.score in ("dot", "general"):
            ddec = np.einsum("tbs,sbh->tbh", dscores, keys)  # e_ti = s_t . k_i
            dkeys = np.einsum("tbs,tbh->sbh", dscores, dec_out)
            denc = dkeys if self.score == "dot" else self.attn.backward(dkeys)
            return ddec, denc
        H = self.hidden_size
        W, v = self.attn.params["weight"], self.attn.params["v_a"]
        pre = cache.pre  # (T, B, S, H)
        self.attn.grads["v_a"] += np.einsum("tbs,tbsh->h", dscores, pre)
        dpre = (dscores[..., None] * v) * (1.0 - pre**2)  # 0 wherever dscores is 0 (<pad>)
        dquery = dpre.sum(axis=2)  # (T, B, H)
        dkeys = dpre.sum(axis=0)  # (B, S, H)
        self.attn.grads["weight"][:, :H] += dquery.reshape(-1, H).T @ dec_out.reshape(-1, H)
        self.attn.grads["weight"][:, H:] += np.einsum("bsh,sbk->hk", dkeys, enc_out)
        ddec = dquery @ W[:, :H]
        denc = np.einsum("bsh,hk->sbk", dkeys, W[:, H:])
        return ddec, denc

    def backward(self, dlogits):
        """dlogits (T, B, tgt_vocab) -> gradient of the encoder's initial state h0.

        Parameter gradients accumulate in ``grads``. The encoder receives a gradient at every
        state h_i (from the attention) plus, through s_0 = h_S, at its final state.
        """
        if self._cache is None:
            raise no_cache_error()
        cache = self._cache
        enc_out, alpha, tilde = cache.enc_out, cache.alpha, cache.tilde
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
        ddec_score, denc_score = self._scores_backward(dscores, cache)
        ddec += ddec_score
        denc += denc_score
        ddec_in, dcontext = self.decoder.backward(ddec)
        self.tgt_embedding.backward(ddec_in)
        denc_in, dh0 = self.encoder.backward(denc, dcontext)
        self.src_embedding.backward(denc_in)
        return dh0

    # ------------------------------------------------------------------ inference
    @no_grad()
    def init_decoder(self, src, h0=None) -> DecoderState:
        """src (S, B) ids -> the ``DecoderState`` before the first output step (encoder run
        once, the h-side of the score precomputed, decoder state s_0 = h_S). No cache."""
        src = self._check_ids("src", src, self.src_vocab)
        valid = self._source_mask(src)
        enc_out, hidden = self.encode(src, h0)
        return DecoderState(enc_out, self._keys(enc_out), valid, hidden)

    @no_grad()
    def decode_step(self, state: DecoderState, prev_ids):
        """One output step: prev_ids (B,) ids of y_{t-1} -> (log_probs (B, tgt_vocab),
        the new ``DecoderState``, alpha (B, S) the attention weights of this step).

        log_probs = log_softmax(logits_t). Runs under ``rb.no_grad()``; ``state`` is not
        modified.
        """
        prev = self._check_prev(prev_ids, state)
        out, hidden = self.decoder.forward(self.tgt_embedding.forward(prev[None]), state.hidden)
        logits, alpha, _, _ = self._attend(out, state.memory, state.keys, state.valid)
        return log_softmax(logits[0], axis=-1), state._replace(hidden=hidden), alpha[0]


class BahdanauCache(NamedTuple):
    """What ``BahdanauSeq2Seq.backward`` needs from ``forward`` (batch-major attention
    arrays: one (S, ...) block per column is what every step reads)."""

    enc_b: np.ndarray  # (B, S, 2H) encoder states [fwd; bwd], batch-major
    first: np.ndarray  # (B,) index of the first non-<pad> source position of each column
    s: np.ndarray  # (T + 1, B, H) decoder states s_0..s_T
    pre: np.ndarray  # (T, B, S, A) tanh(W_a s_{t-1} + U_a h_i)
    alpha: np.ndarray  # (T, B, S)
    steps: list  # T ``GRUStepCache`` of the decoder


class BahdanauSeq2Seq(_AttentionModel):
    """Bahdanau, Cho & Bengio (2015): bidirectional GRU encoder, additive attention, and a
    GRU decoder that reads the context c_t in its input.

    Parameters
    ----------
    src_vocab, tgt_vocab : vocabulary sizes.
    hidden_size : H of each encoder direction and of the decoder (encoder states are 2H wide;
        the score's hidden layer is H wide too).
    embedding_dim : E, width of both embeddings.
    pad_id : source id that is padding: attention gives it weight exactly 0. None: no padding.
    dtype, seed : as for the layers.

    Equations (module docstring): s_0 = tanh(W_s h_1^bwd + b_s); e_{t,i} = v_a^T tanh(W_a
    s_{t-1} + U_a h_i); c_t = sum_i a_{t,i} h_i; s_t = GRU([E y_{t-1}; c_t], s_{t-1});
    logits_t = V [s_t; c_t; E y_{t-1}] + b. Simplification of the paper: its deep output
    layer with maxout is replaced by this single linear map. With padding, h_1^bwd is the
    backward state at the first non-<pad> position of each column (for left padding, the
    state that has read exactly the real symbols).

    Parts (``params`` keys "part.name"): src_embedding (src_vocab, E), encoder (bidirectional
    GRU E -> H, ``weight_ih_l0``, ``..._reverse``), init (W_s "init.weight" (H, H),
    "init.bias" (H,)), attn ("attn.W_a" (H, H), "attn.U_a" (H, 2H), "attn.v_a" (H,)),
    tgt_embedding (tgt_vocab, E), decoder (GRU cell E + 2H -> H, PyTorch names
    ``weight_ih_l0`` (3H, E + 2H), ...; input order [E y; c]), head (V (tgt_vocab, 3H + E),
    input order [s_t; c_t; E y_{t-1}]).

    Shapes: src (S, B), tgt_in (T, B) ids; logits (T, B, tgt_vocab); ``attention`` (T, B, S).
    """

    def __init__(
        self,
        src_vocab: int,
        tgt_vocab: int,
        hidden_size: int,
        embedding_dim: int = 32,
        pad_id: int | None = None,
        dtype=np.float64,
        seed: int | None = None,
    ):
        dtype = check_dtype(dtype)
        H = check_positive_int("hidden_size", hidden_size)
        E = check_positive_int("embedding_dim", embedding_dim)
        seeds = child_seeds(seed, 7)
        self.src_vocab, self.tgt_vocab, self.pad_id = src_vocab, tgt_vocab, pad_id
        self.hidden_size, self.embedding_dim, self.dtype = H, E, dtype
        self.src_embedding = Embedding(src_vocab, E, dtype=dtype, seed=seeds[0])
        self.encoder = make_rnn("gru", E, H, bidirectional=True, dtype=dtype, seed=seeds[1])
        self.init = Linear(H, H, dtype=dtype, seed=seeds[2])
        self.attn = AdditiveAttention(H, 2 * H, H, dtype=dtype, seed=seeds[3])
        self.tgt_embedding = Embedding(tgt_vocab, E, dtype=dtype, seed=seeds[4])
        self.decoder = GRU(E + 2 * H, H, dtype=dtype, seed=seeds[5])
        self.head = Linear(3 * H + E, tgt_vocab, dtype=dtype, seed=seeds[6])
        self.attention = None  # (T, B, S) weights of the last forward / greedy_decode
        self._cache = None

    def parts(self) -> dict:
        return {
            "src_embedding": self.src_embedding,
            "encoder": self.encoder,
            "init": self.init,
            "attn": self.attn,
            "tgt_embedding": self.tgt_embedding,
            "decoder": self.decoder,
            "head": self.head,
        }

    # ------------------------------------------------------------------ pieces
    def _encode(self, src):
        """src (S, B) checked ids -> enc_out (S, B, 2H), keys U_a h_i (S, B, A), valid (S, B),
        first (B,), s0 (B, H)."""
        valid = self._source_mask(src)
        enc_out, _ = self.encoder.forward(self.src_embedding.forward(src))
        self.attn._check_params()
        keys = enc_out @ self.attn.params["U_a"].T
        first = np.argmax(valid, axis=0)  # first non-<pad> position of each column
        H, B = self.hidden_size, src.shape[1]
        h1_bwd = enc_out[first, np.arange(B), H:]  # (B, H) backward state at h_1
        s0 = np.tanh(self.init.forward(h1_bwd))
        return enc_out, keys, valid, first, s0

    def _weights(self):
        self.decoder._check_params()
        return self.decoder._weights(0, 0)

    def _attend(self, s_prev, enc_b, keys_b, invalid):
        """s_prev (B, H), enc_b (B, S, 2H), keys_b (B, S, A), invalid (B, S) ->
        alpha (B, S), context (B, 2H), tanh block (B, S, A)."""
        q = s_prev @ self.attn.params["W_a"].T  # (B, A)
        pre = np.tanh(q[:, None, :] + keys_b)  # (B, S, A)
        scores = pre @ self.attn.params["v_a"]  # (B, S)
        alpha = softmax(np.where(invalid, -np.inf, scores), axis=-1)
        ctx = np.matmul(alpha[:, None, :], enc_b)[:, 0]  # sum_i a_i h_i
        return alpha, ctx, pre

    # ------------------------------------------------------------------ training
    def forward(self, src, tgt_in) -> np.ndarray:
        """src (S, B) ids; tgt_in (T, B) ids starting with <bos> -> logits (T, B, tgt_vocab).

        The decoder runs step by step (c_t depends on s_{t-1}). The attention weights are
        kept in ``self.attention`` (T, B, S), read-only.
        """
        src, tgt_in = self._check_pair(src, tgt_in)
        enc_out, keys, valid, first, s0 = self._encode(src)
        enc_b = np.ascontiguousarray(enc_out.transpose(1, 0, 2))  # (B, S, 2H)
        keys_b = np.ascontiguousarray(keys.transpose(1, 0, 2))  # (B, S, A)
        invalid = ~valid.T
        emb = self.tgt_embedding.forward(tgt_in)  # (T, B, E)
        T, B = tgt_in.shape
        S, H = src.shape[0], self.hidden_size
        weights = self._weights()
        s = np.empty((T + 1, B, H), dtype=self.dtype)
        s[0] = s0
        pre = np.empty((T, B, S, H), dtype=self.dtype)
        alpha = np.empty((T, B, S), dtype=self.dtype)
        ctx = np.empty((T, B, 2 * H), dtype=self.dtype)
        steps = []
        for t in range(T):
            alpha[t], ctx[t], pre[t] = self._attend(s[t], enc_b, keys_b, invalid)
            x_t = np.concatenate([emb[t], ctx[t]], axis=-1)  # (B, E + 2H)
            s[t + 1], step = gru_step_forward(x_t, s[t], *weights)
            steps.append(step)
        logits = self.head.forward(np.concatenate([s[1:], ctx, emb], axis=-1))
        self.attention = alpha.view()
        self.attention.flags.writeable = False
        if grad_enabled():
            self._cache = BahdanauCache(enc_b, first, s, pre, alpha, steps)
        return logits

    def backward(self, dlogits) -> None:
        """dlogits (T, B, tgt_vocab): BPTT through the decoder steps, the attention, the
        initial state and both encoder directions. Gradients accumulate in ``grads``."""
        if self._cache is None:
            raise no_cache_error()
        enc_b, first, s, pre, alpha, steps = self._cache
        T, B, _ = alpha.shape
        dlogits = np.asarray(dlogits)
        if dlogits.shape != (T, B, self.tgt_vocab):
            raise ValueError(
                f"dlogits: expected shape {(T, B, self.tgt_vocab)}, got {dlogits.shape}"
            )
        H, E = self.hidden_size, self.embedding_dim
        dout = self.head.backward(dlogits)  # (T, B, 3H + E)
        ds_out, dctx_out = dout[..., :H], dout[..., H : 3 * H]
        demb = dout[..., 3 * H :].copy()
        W_a, v_a = self.attn.params["W_a"], self.attn.params["v_a"]
        dg = self.decoder.grads
        names = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
        dctx = np.empty((T, B, 2 * H), dtype=self.dtype)  # dL/dc_t, all paths
        dscores = np.empty_like(alpha)  # dL/de_t
        dq = np.empty((T, B, W_a.shape[0]), dtype=self.dtype)  # dL/d(W_a s_{t-1})
        dkeys = np.zeros_like(pre[0])  # (B, S, A) dL/d(U_a h_i), summed over t
        ds_next = np.zeros((B, H), dtype=self.dtype)
        for t in reversed(range(T)):
            dx, ds_prev, *dw = gru_step_backward(ds_out[t] + ds_next, steps[t])
            for name, d in zip(names, dw):
                dg[name] += d
            demb[t] += dx[:, :E]
            dctx[t] = dctx_out[t] + dx[:, E:]  # c_t feeds the output and the GRU input
            # c_t = sum_i a_ti h_i, then the softmax; dscores is exactly 0 at <pad>
            dalpha = np.matmul(enc_b, dctx[t][:, :, None])[..., 0]  # (B, S)
            a = alpha[t]
            dscores[t] = a * (dalpha - np.sum(a * dalpha, axis=-1, keepdims=True))
            # e_ti = v_a . tanh(W_a s_{t-1} + U_a h_i)
            dpre = (dscores[t][:, :, None] * v_a) * (1.0 - pre[t] ** 2)  # (B, S, A)
            dkeys += dpre
            dq[t] = dpre.sum(axis=1)
            ds_next = ds_prev + dq[t] @ W_a
        # parameters shared over the steps: one contraction each after the loop
        g = self.attn.grads
        A = W_a.shape[0]
        g["v_a"] += np.tensordot(dscores, pre, axes=([0, 1, 2], [0, 1, 2]))
        g["W_a"] += dq.reshape(-1, A).T @ s[:-1].reshape(-1, H)
        g["U_a"] += dkeys.reshape(-1, A).T @ enc_b.reshape(-1, 2 * H)
        # gradient of every encoder state: through the contexts and through the keys
        denc_b = np.matmul(alpha.transpose(1, 2, 0), dctx.transpose(1, 0, 2))  # (B, S, 2H)
        denc_b += dkeys @ self.attn.params["U_a"]
        denc = np.ascontiguousarray(denc_b.transpose(1, 0, 2))  # (S, B, 2H)
        # s_0 = tanh(W_s h_1^bwd + b_s)
        dh1 = self.init.backward(ds_next * (1.0 - s[0] ** 2))
        denc[first, np.arange(B), H:] += dh1
        dsrc, _ = self.encoder.backward(denc)
        self.src_embedding.backward(dsrc)
        self.tgt_embedding.backward(demb)

    # ------------------------------------------------------------------ inference
    @no_grad()
    def init_decoder(self, src) -> DecoderState:
        """src (S, B) ids -> the ``DecoderState`` before the first output step (encoder run
        once, U_a h_i precomputed, hidden (1, B, H) = s_0). No cache."""
        src = self._check_ids("src", src, self.src_vocab)
        enc_out, keys, valid, _, s0 = self._encode(src)
        return DecoderState(enc_out, keys, valid, s0[None])

    @no_grad()
    def decode_step(self, state: DecoderState, prev_ids):
        """One output step: prev_ids (B,) ids of y_{t-1} -> (log_probs (B, tgt_vocab),
        the new ``DecoderState`` (hidden = s_t), alpha (B, S) the weights of this step).
        Runs under ``rb.no_grad()``; ``state`` is not modified."""
        prev = self._check_prev(prev_ids, state)
        s_prev = state.hidden[0]
        enc_b, keys_b = state.memory.transpose(1, 0, 2), state.keys.transpose(1, 0, 2)
        alpha, ctx, _ = self._attend(s_prev, enc_b, keys_b, ~state.valid.T)
        emb = self.tgt_embedding.forward(prev)  # (B, E)
        s_t, _ = gru_step_forward(np.concatenate([emb, ctx], axis=-1), s_prev, *self._weights())
        logits = self.head.forward(np.concatenate([s_t, ctx, emb], axis=-1))
        return log_softmax(logits, axis=-1), state._replace(hidden=s_t[None]), alpha
