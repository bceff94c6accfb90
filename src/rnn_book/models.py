"""The four structures of the book as models built from the package's layers.

* ``ManyToOne``  — read a whole sequence, answer once (sentiment, stock prediction).
* ``ManyToMany`` — one output per input step (per-frame labels, "hello", couplets).
* ``CharLM``     — a character model that also generates: one-to-many by feeding each
  sampled output back in as the next input (acrostic poems).
* ``Seq2Seq``    — encoder-decoder for unequal lengths: the encoder's final state is the
  context vector that starts the decoder.

Each model exposes ``params`` and ``grads`` as flat mappings ("rnn.weight_hh_l0",
"head.weight", ...) that are live views of its parts: a value IS the part's array, so an
optimiser given the model updates the parts in place, and ``model.params["head.weight"] = a``
replaces the head's weight (checked by the head's next forward). ``zero_grad()`` clears
every part. Models are callable like layers; every model's initial state is called ``h0``.
Inference (``sample``, ``probabilities``, ``greedy_decode``) runs under ``rb.no_grad()``,
so it never replaces what a pending ``backward`` needs.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

import numpy as np

from rnn_book._validate import check_dtype, check_positive_int
from rnn_book.elman import RNN
from rnn_book.functional import softmax
from rnn_book.gru import GRU
from rnn_book.layers import Embedding, Linear
from rnn_book.lstm import LSTM
from rnn_book.module import Module, grad_enabled, no_cache_error, no_grad
from rnn_book.recurrent import Recurrent
from rnn_book.sampling import sample_logits
from rnn_book.seeding import child_seeds

__all__ = [
    "CharLM",
    "ManyToMany",
    "ManyToOne",
    "Model",
    "PartsView",
    "Seq2Seq",
    "make_rnn",
    "one_hot",
    "set_gate_bias",
]

_CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


def make_rnn(
    cell: str, input_size: int, hidden_size: int, gate_bias: float | None = None, **kwargs
) -> Recurrent:
    """The one place a recurrent layer is built by name.

    ``make_rnn("lstm", D, H, num_layers=2)`` -> ``LSTM(D, H, num_layers=2)``; ``cell`` is
    "rnn", "lstm" or "gru"; other keyword arguments go to the layer. ``gate_bias`` (LSTM, GRU
    only) sets the initial bias of the gate that keeps the old state: see ``set_gate_bias``.
    """
    if cell not in _CELLS:
        raise ValueError(f"cell: expected one of {sorted(_CELLS)}, got {cell!r}")
    if gate_bias is not None and cell == "rnn":
        raise ValueError("gate_bias: the vanilla RNN has no gate; expected None")
    layer = _CELLS[cell](input_size, hidden_size, **kwargs)
    if gate_bias is not None:
        set_gate_bias(layer, gate_bias)
    return layer


def set_gate_bias(layer: Recurrent, value: float) -> None:
    """Set the total bias (b_ih + b_hh) of the state-keeping gate of every layer to ``value``.

    LSTM: the forget gate f (rows H:2H, gate order i, f, g, o). GRU: the update gate z
    (rows H:2H, order r, z, n), which multiplies h_{t-1} in PyTorch's convention.
    The value goes into ``bias_ih``; ``bias_hh`` of that block is set to 0.
    """
    if not isinstance(layer, (LSTM, GRU)):
        raise TypeError(f"layer: expected an LSTM or GRU, got {type(layer).__name__}")
    if not layer.bias:
        raise ValueError("layer: expected a layer with bias=True to set a gate bias")
    H = layer.hidden_size
    for name, p in layer.params.items():
        if name.startswith("bias_ih"):
            p[H : 2 * H] = value
        elif name.startswith("bias_hh"):
            p[H : 2 * H] = 0.0


def one_hot(ids, num_classes: int, dtype=np.float64) -> np.ndarray:
    """ids (...,) ints in [0, num_classes) -> (..., num_classes) one-hot floats.

    Raises TypeError for non-integer ids (floats, bools) and ValueError for ids out of range
    (NumPy would silently read -1 as the last class).
    """
    num_classes = check_positive_int("num_classes", num_classes)
    arr = np.asarray(ids)
    if arr.size == 0 and arr.dtype == np.float64:
        arr = arr.astype(np.intp)  # np.asarray([]) is float64: an empty list is fine
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(
            f"ids: expected integer ids in [0, {num_classes}) (num_classes = {num_classes}), "
            f"got dtype {arr.dtype} (shape {arr.shape})"
        )
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        raise ValueError(
            f"ids: expected ids in [0, {num_classes}) (num_classes = {num_classes}), "
            f"got values in [{arr.min()}, {arr.max()}]"
        )
    return np.eye(num_classes, dtype=dtype)[arr]


def _hidden_part(state):
    """h_n from an RNN/GRU state or an LSTM (h_n, c_n) pair."""
    return state[0] if isinstance(state, tuple) else state


class PartsView(MutableMapping):
    """``model.params`` or ``model.grads``: "part.name" -> that part's array, live.

    Reading gives the part's own array; assigning writes through to the part's dict (the
    part's next forward checks dtype and shape); a name that no part has raises KeyError
    listing the valid names. Entries cannot be deleted.
    """

    def __init__(self, model: Model, attr: str):
        self._model, self._attr = model, attr

    def _items(self) -> Iterator[tuple[str, dict, str]]:
        for part_name, part in self._model.parts().items():
            d = getattr(part, self._attr)
            for name in d:
                yield f"{part_name}.{name}", d, name

    def _locate(self, key) -> tuple[dict, str]:
        part_name, _, name = str(key).partition(".")  # part names and parameter names have no dot
        part = self._model.parts().get(part_name)
        d = None if part is None else getattr(part, self._attr)
        if isinstance(key, str) and d is not None and name in d:
            return d, name
        raise KeyError(
            f"{self._attr}[{key!r}]: no such parameter in {type(self._model).__name__}; "
            f"expected one of {list(self)}"
        )

    def __getitem__(self, key) -> np.ndarray:
        d, name = self._locate(key)
        return d[name]

    def __setitem__(self, key, value) -> None:
        d, name = self._locate(key)
        d[name] = value

    def __delitem__(self, key) -> None:
        raise TypeError(f"{self._attr}: a model's parameters cannot be deleted (got {key!r})")

    def __iter__(self) -> Iterator[str]:
        return (full for full, _, _ in self._items())

    def __len__(self) -> int:
        return sum(1 for _ in self._items())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({ {k: v.shape for k, v in self.items()} })"


class Model(Module):
    """A set of named parts (layers), each with ``params``, ``grads`` and ``zero_grad()``."""

    def parts(self) -> dict:
        """name -> layer; subclasses list their layers here, in order."""
        raise NotImplementedError

    @property
    def params(self) -> PartsView:
        """Live mapping "part.name" -> parameter array; assignment replaces the part's array."""
        return PartsView(self, "params")

    @property
    def grads(self) -> PartsView:
        """Live mapping "part.name" -> gradient array."""
        return PartsView(self, "grads")

    def zero_grad(self) -> None:
        for part in self.parts().values():
            part.zero_grad()

    def forward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """``model(x)`` is ``model.forward(x)``, as for the layers."""
        return self.forward(*args, **kwargs)


def _check_compatible(rnn: Recurrent, head: Linear, embedding: Embedding | None) -> None:
    width = rnn.hidden_size * rnn.num_directions
    if head.params["weight"].shape[1] != width:
        raise ValueError(
            f"head: expected in_features = hidden_size * num_directions = {width}, "
            f"got weight of shape {head.params['weight'].shape}"
        )
    if embedding is not None and embedding.params["weight"].shape[1] != rnn.input_size:
        raise ValueError(
            f"embedding: expected embedding_dim = rnn.input_size = {rnn.input_size}, "
            f"got weight of shape {embedding.params['weight'].shape}"
        )


class ManyToOne(Model):
    """Many-to-one: logits = V [h_T] + c from the top layer's final state.

    With ``bidirectional=True`` the forward direction's h_T and the backward direction's
    final state (the one that has read x_1) are concatenated.

    Parameters
    ----------
    rnn : RNN, LSTM or GRU (time-major or batch_first).
    head : Linear(hidden_size * num_directions, C), the book's V.
    embedding : optional Embedding; then ``x`` holds integer ids.
    """

    def __init__(self, rnn: Recurrent, head: Linear, embedding: Embedding | None = None):
        _check_compatible(rnn, head, embedding)
        self.rnn, self.head, self.embedding = rnn, head, embedding
        self._cache = None

    def parts(self) -> dict:
        parts = {} if self.embedding is None else {"embedding": self.embedding}
        return {**parts, "rnn": self.rnn, "head": self.head}

    def forward(self, x, h0=None) -> np.ndarray:
        """x: (T, B, D) floats, or (T, B) ids with an embedding -> logits (B, C)."""
        inputs = x if self.embedding is None else self.embedding.forward(x)
        out, state = self.rnn.forward(inputs, h0)
        dirs = self.rnn.num_directions
        top = _hidden_part(state)[-dirs:]  # (dirs, B, H): the top layer's final states
        features = np.concatenate(list(top), axis=-1)  # (B, dirs * H)
        if grad_enabled():
            self._cache = (out.shape, state)
        return self.head.forward(features)

    def backward(self, dlogits) -> np.ndarray | None:
        """dlogits: (B, C). Returns dx (T, B, D), or None when the input was ids."""
        if self._cache is None:
            raise no_cache_error()
        out_shape, state = self._cache
        dfeatures = self.head.backward(dlogits)
        H, dirs = self.rnn.hidden_size, self.rnn.num_directions
        h_n = _hidden_part(state)
        dh_n = np.zeros_like(h_n)
        for d in range(dirs):
            dh_n[h_n.shape[0] - dirs + d] = dfeatures[..., d * H : (d + 1) * H]
        dstate = (dh_n, None) if isinstance(state, tuple) else dh_n
        dx, _ = self.rnn.backward(np.zeros(out_shape, dtype=self.rnn.dtype), dstate)
        if self.embedding is not None:
            self.embedding.backward(dx)
            return None
        return dx


class ManyToMany(Model):
    """Many-to-many of equal length: logits_t = V h_t + c at every step.

    Parameters as ``ManyToOne``; logits have the layout of the rnn's output, (T, B, C)
    (or (B, T, C) with batch_first).
    """

    def __init__(self, rnn: Recurrent, head: Linear, embedding: Embedding | None = None):
        _check_compatible(rnn, head, embedding)
        self.rnn, self.head, self.embedding = rnn, head, embedding

    parts = ManyToOne.parts

    def forward(self, x, h0=None) -> np.ndarray:
        """x: (T, B, D) floats or (T, B) ids -> logits (T, B, C)."""
        inputs = x if self.embedding is None else self.embedding.forward(x)
        out, self.state = self.rnn.forward(inputs, h0)
        return self.head.forward(out)

    def backward(self, dlogits) -> np.ndarray | None:
        """dlogits: (T, B, C). Returns dx (T, B, D), or None when the input was ids."""
        dx, _ = self.rnn.backward(self.head.backward(dlogits))
        if self.embedding is not None:
            self.embedding.backward(dx)
            return None
        return dx


class CharLM(Model):
    """A character-level language model: P(x_{t+1} | x_1..x_t) = softmax(V h_t + c).

    Parameters
    ----------
    vocab_size : number of symbols.
    hidden_size : H.
    cell : "rnn", "lstm" or "gru".
    embedding_dim : width of a learned embedding; None feeds one-hot vectors (the course's
        "hello" example).
    num_layers, dtype, seed : as for the layers.
    """

    def __init__(
        self,
        vocab_size: int,
        hidden_size: int,
        cell: str = "rnn",
        embedding_dim: int | None = None,
        num_layers: int = 1,
        dtype=np.float64,
        seed: int | None = None,
    ):
        dtype = check_dtype(dtype)
        s_emb, s_rnn, s_head = child_seeds(seed, 3)
        self.vocab_size = vocab_size
        self.embedding = (
            None
            if embedding_dim is None
            else Embedding(vocab_size, embedding_dim, dtype=dtype, seed=s_emb)
        )
        width = vocab_size if embedding_dim is None else embedding_dim
        self.rnn = make_rnn(
            cell, width, hidden_size, num_layers=num_layers, dtype=dtype, seed=s_rnn
        )
        self.head = Linear(hidden_size, vocab_size, dtype=dtype, seed=s_head)

    def parts(self) -> dict:
        parts = {} if self.embedding is None else {"embedding": self.embedding}
        return {**parts, "rnn": self.rnn, "head": self.head}

    def _inputs(self, ids) -> np.ndarray:
        ids = np.asarray(ids)
        if not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(f"ids: expected an integer array (T, B), got dtype {ids.dtype}")
        if ids.ndim != 2:
            raise ValueError(f"ids: expected shape (T, B), got {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(
                f"ids: expected values in [0, {self.vocab_size}), got [{ids.min()}, {ids.max()}]"
            )
        if self.embedding is not None:
            return self.embedding.forward(ids)
        return one_hot(ids, self.vocab_size, self.rnn.dtype)  # (T, B, V)

    def forward(self, ids, h0=None):
        """ids: (T, B) int -> logits (T, B, V) and the final state h_n (to continue a sequence).

        h0 : the rnn's initial state ((h0, c0) for an LSTM), zeros if None; pass a previous
        call's h_n to continue.
        """
        out, h_n = self.rnn.forward(self._inputs(ids), h0)
        return self.head.forward(out), h_n

    def backward(self, dlogits, dh_n=None) -> None:
        """dlogits: (T, B, V); dh_n: gradient w.r.t. the returned h_n, or None.

        Gradients accumulate in ``grads``.
        """
        dx, _ = self.rnn.backward(self.head.backward(dlogits), dh_n)
        if self.embedding is not None:
            self.embedding.backward(dx)

    @no_grad()
    def probabilities(self, ids, h0=None) -> np.ndarray:
        """(T, B, V): the predicted distribution of the next symbol after every prefix."""
        logits, _ = self.forward(ids, h0)
        return softmax(logits, axis=-1)

    @no_grad()
    def sample(
        self,
        prefix_ids,
        n: int,
        temperature: float = 1.0,
        rng=None,
        top_k: int | None = None,
    ) -> list[int]:
        """Generate ``n`` symbols after ``prefix_ids`` (one-to-many: each output is fed back).

        temperature 0 picks the most likely symbol every time; higher values flatten the
        distribution softmax(logits / temperature). ``top_k`` keeps only the k most likely
        symbols (see ``rnn_book.sampling``). Returns the ``n`` new ids.
        """
        prefix = [int(i) for i in prefix_ids]
        if not prefix:
            raise ValueError("prefix_ids: expected at least one id to start from, got none")
        if temperature < 0:
            raise ValueError(f"temperature: expected >= 0, got {temperature}")
        rng = np.random.default_rng(rng)
        logits, state = self.forward(np.array(prefix)[:, None])
        new = []
        for _ in range(n):
            nxt = sample_logits(logits[-1, 0], temperature, top_k, rng)
            new.append(nxt)
            logits, state = self.forward(np.array([[nxt]]), state)
        return new


class Seq2Seq(Model):
    """Encoder-decoder (Cho et al. 2014; Sutskever et al. 2014) for sequences of unequal length.

    The encoder reads the source; its final state, the context vector, is the decoder's
    initial state; the decoder is trained with teacher forcing (it reads the true previous
    target symbol) and predicts the next one: logits_t = V s_t + c.

    Parameters
    ----------
    src_vocab, tgt_vocab : vocabulary sizes.
    hidden_size : H of both encoder and decoder.
    cell : "rnn", "lstm" or "gru".
    embedding_dim : width of both embeddings.
    """

    def __init__(
        self,
        src_vocab: int,
        tgt_vocab: int,
        hidden_size: int,
        cell: str = "gru",
        embedding_dim: int = 32,
        num_layers: int = 1,
        dtype=np.float64,
        seed: int | None = None,
    ):
        dtype = check_dtype(dtype)
        seeds = child_seeds(seed, 5)
        self.src_embedding = Embedding(src_vocab, embedding_dim, dtype=dtype, seed=seeds[0])
        self.encoder = make_rnn(
            cell, embedding_dim, hidden_size, num_layers=num_layers, dtype=dtype, seed=seeds[1]
        )
        self.tgt_embedding = Embedding(tgt_vocab, embedding_dim, dtype=dtype, seed=seeds[2])
        self.decoder = make_rnn(
            cell, embedding_dim, hidden_size, num_layers=num_layers, dtype=dtype, seed=seeds[3]
        )
        self.head = Linear(hidden_size, tgt_vocab, dtype=dtype, seed=seeds[4])
        self._enc_out_shape = None

    def parts(self) -> dict:
        return {
            "src_embedding": self.src_embedding,
            "encoder": self.encoder,
            "tgt_embedding": self.tgt_embedding,
            "decoder": self.decoder,
            "head": self.head,
        }

    def encode(self, src):
        """src: (S, B) ids -> the context: the encoder's final state (h_n, or (h_n, c_n))."""
        enc_out, context = self.encoder.forward(self.src_embedding.forward(src))
        if grad_enabled():
            self._enc_out_shape = enc_out.shape
        return context

    def forward(self, src, tgt_in) -> np.ndarray:
        """src: (S, B) ids; tgt_in: (T, B) ids starting with <bos> -> logits (T, B, tgt_vocab)."""
        src, tgt_in = np.asarray(src), np.asarray(tgt_in)
        if src.ndim != 2 or tgt_in.ndim != 2 or src.shape[1] != tgt_in.shape[1]:
            raise ValueError(
                f"src, tgt_in: expected (S, B) and (T, B) with the same B, "
                f"got {src.shape} and {tgt_in.shape}"
            )
        context = self.encode(src)
        dec_out, _ = self.decoder.forward(self.tgt_embedding.forward(tgt_in), context)
        return self.head.forward(dec_out)

    def backward(self, dlogits) -> None:
        """dlogits: (T, B, tgt_vocab); the gradient reaches the encoder through the context."""
        if self._enc_out_shape is None:
            raise no_cache_error()
        ddec_in, dcontext = self.decoder.backward(self.head.backward(dlogits))
        self.tgt_embedding.backward(ddec_in)
        zeros = np.zeros(self._enc_out_shape, dtype=self.encoder.dtype)
        denc_in, _ = self.encoder.backward(zeros, dcontext)
        self.src_embedding.backward(denc_in)

    @no_grad()
    def greedy_decode(
        self, src, bos_id: int, max_len: int, eos_id: int | None = None
    ) -> np.ndarray:
        """src: (S, B) ids -> (max_len, B) ids, each step feeding back the argmax.

        Positions after an ``eos_id`` keep ``eos_id``.
        """
        src = np.asarray(src)
        state = self.encode(src)
        B = src.shape[1]
        prev = np.full((1, B), bos_id)
        result = np.empty((max_len, B), dtype=np.int64)
        done = np.zeros(B, dtype=bool)
        for t in range(max_len):
            out, state = self.decoder.forward(self.tgt_embedding.forward(prev), state)
            nxt = np.argmax(self.head.forward(out)[0], axis=-1)
            if eos_id is not None:
                nxt = np.where(done, eos_id, nxt)
                done |= nxt == eos_id
            result[t] = nxt
            prev = nxt[None]
        return result
