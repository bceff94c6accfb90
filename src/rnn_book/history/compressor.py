"""The principle of Schmidhuber's neural history compressor (1992), one level.

A lower-level RNN predicts the next symbol. Whatever it predicts correctly carries no new
information: only the UNEXPECTED symbols (with their time steps) are passed to the level above.
Because the receiver can run the same predictor, the sequence is recovered exactly
(``decompress``): at each step it takes the passed-up symbol if there is one, else the
predictor's guess. Schmidhuber stacked such levels, each seeing a shorter sequence of
"surprises" of the level below, and distilled the higher level back into the lower one;
here only the first level is shown.

The generated data are words glued together without spaces. Inside a word the next letter
is determined by the word so far (letters repeat across words, so the predictor needs to
remember which word it is in); the first letter of the next word is random.
"""

from __future__ import annotations

import numpy as np

from rnn_book.losses import cross_entropy
from rnn_book.models import CharLM
from rnn_book.optim import Adam

__all__ = ["ALPHABET", "WORDS", "compress", "decompress", "make_stream", "train_predictor"]

WORDS = ("bead", "cafe", "deaf", "face", "added")
ALPHABET = "abcdef"


def make_stream(n_words: int, rng: np.random.Generator) -> np.ndarray:
    """Ids (n,) of ``n_words`` random words from ``WORDS`` written one after another."""
    text = "".join(WORDS[i] for i in rng.integers(0, len(WORDS), size=n_words))
    return np.array([ALPHABET.index(c) for c in text], dtype=np.int64)


def train_predictor(
    ids,
    hidden_size: int = 32,
    steps: int = 300,
    seq_len: int = 24,
    batch_size: int = 16,
    lr: float = 1e-2,
    seed: int = 0,
) -> CharLM:
    """A one-hot tanh ``CharLM`` trained to predict ids[t+1] from ids[:t+1] (random windows).

    ids : (n,) ints in [0, len(ALPHABET)).
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.size <= seq_len + 1:
        raise ValueError(
            f"ids: expected shape (n,) with n > seq_len + 1 = {seq_len + 1}, got {ids.shape}"
        )
    rng = np.random.default_rng(seed)
    model = CharLM(len(ALPHABET), hidden_size, cell="rnn", seed=seed)
    opt = Adam([model], lr=lr)
    for _ in range(steps):
        starts = rng.integers(0, ids.size - seq_len - 1, size=batch_size)
        window = np.stack([ids[s : s + seq_len + 1] for s in starts], axis=1)  # (T + 1, B)
        model.zero_grad()
        logits, _ = model.forward(window[:-1])
        _, d = cross_entropy(logits, window[1:])
        model.backward(d)
        opt.step()
    return model


def compress(model: CharLM, ids):
    """Pass up only the symbols the predictor did not expect.

    ids : (n,). Returns (times (m,), symbols (m,)): the steps whose symbol differs from the
    predictor's argmax given everything before it (step 0 always, nothing predicts it).
    """
    ids = np.asarray(ids)
    logits, _ = model.forward(ids[:-1, None])  # logits[t] predicts ids[t + 1]
    guess = logits[:, 0].argmax(axis=-1)
    surprise = np.concatenate([[True], guess != ids[1:]])
    times = np.flatnonzero(surprise)
    return times, ids[times]


def decompress(model: CharLM, times, symbols, n: int) -> np.ndarray:
    """Rebuild the (n,) sequence from the surprises by running the same predictor step by step."""
    passed = dict(zip(np.asarray(times).tolist(), np.asarray(symbols).tolist()))
    if 0 not in passed:
        raise ValueError("times: expected step 0 among the passed-up steps")
    out = np.empty(n, dtype=np.int64)
    state = None
    out[0] = passed[0]
    for t in range(1, n):
        logits, state = model.forward(out[t - 1 : t, None], state)
        out[t] = passed.get(t, int(logits[0, 0].argmax()))
    return out
