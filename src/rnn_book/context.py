"""A task whose answer at step t lies in the future: blurred syllables (bidirectional chapter).

The course motivates bidirectional RNNs with speech: a syllable heard unclearly is
resolved by the clear words after it. ``blurred_pairs`` generates exactly that, honestly
synthetic: a sequence is made of two-symbol "words" (a, g(a)), where g is a fixed random
permutation of the alphabet; the first symbol of some words is blurred (replaced by the
token BLUR). Because g(a) reveals a, a blurred symbol is recoverable from the NEXT input
only, never from the past. The target at every step is the true symbol.

``misaligned_outputs`` builds the per-step features of the drawing that pairs the forward
state at x_t with the backward state of step T+1-t (the reverse run's own clock), the
mistake the bidirectional chapter corrects.
"""

from __future__ import annotations

import zlib

import numpy as np

from rnn_book.gru import GRU
from rnn_book.layers import Embedding, Linear
from rnn_book.losses import cross_entropy
from rnn_book.models import Model
from rnn_book.optim import Adam

__all__ = ["BlurTagger", "blurred_pairs", "misaligned_outputs", "train_blur_tagger"]


def blurred_pairs(
    n: int, words: int = 6, alphabet: int = 8, blur: float = 0.5, seed: int = 0, rng_seed=0
):
    """Generate ``n`` sequences of ``words`` two-symbol words.

    Parameters
    ----------
    n : number of sequences (the batch axis B).
    words : words per sequence; T = 2 * words.
    alphabet : K real symbols 0..K-1; the input vocabulary adds BLUR = K.
    blur : probability that a word's first symbol is blurred.
    seed : seeds the permutation g: sets made with the same ``seed`` share the rule.
    rng_seed : seeds the sequences (an int or a tuple of ints and strings), so that
        training batches and the held-out set differ while g stays the same.

    Returns
    -------
    inputs : (T, n) int ids in 0..K (K is BLUR).
    targets : (T, n) int ids in 0..K-1, the true symbols.
    blurred : (T, n) bool, where the input was blurred.
    """
    for name, v in (("n", n), ("words", words), ("alphabet", alphabet)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name}: expected a positive int, got {v!r}")
    if alphabet < 2:
        raise ValueError(f"alphabet: expected at least 2 symbols, got {alphabet}")
    if not 0.0 <= blur <= 1.0:
        raise ValueError(f"blur: expected a probability in [0, 1], got {blur}")
    g = np.random.default_rng(seed).permutation(alphabet)  # the fixed rule a -> g(a)
    key = [zlib.crc32(str(k).encode()) for k in np.atleast_1d(np.asarray(rng_seed, dtype=object))]
    rng = np.random.default_rng([seed, n, words, *key])
    first = rng.integers(0, alphabet, size=(words, n))
    targets = np.empty((2 * words, n), dtype=np.int64)
    targets[0::2] = first
    targets[1::2] = g[first]
    blurred = np.zeros_like(targets, dtype=bool)
    blurred[0::2] = rng.random((words, n)) < blur
    inputs = np.where(blurred, alphabet, targets)
    return inputs, targets, blurred


def misaligned_outputs(out: np.ndarray, hidden_size: int) -> np.ndarray:
    """Re-pair a bidirectional layer's output the wrong way.

    Parameters
    ----------
    out : (T, B, 2H) output of a one-layer bidirectional RNN; ``out[t, :, H:]`` is the
        backward state that has read x_T..x_t (correct, time-aligned pairing).
    hidden_size : H.

    Returns
    -------
    (T, B, 2H) where step t pairs the forward state at x_t with the backward state at
    x_{T+1-t}: the backward run's t-th state in its own clock.
    """
    H = hidden_size
    if out.ndim != 3 or out.shape[2] != 2 * H:
        raise ValueError(f"out: expected shape (T, B, 2H) with H = {H}, got {out.shape}")
    return np.concatenate([out[:, :, :H], out[::-1, :, H:]], axis=2)


class BlurTagger(Model):
    """Per-step tagger for ``blurred_pairs``: Embedding -> GRU -> Linear (V) at every step.

    Parameters
    ----------
    alphabet : K; inputs are ids 0..K (K = BLUR), outputs are logits over 0..K-1.
    hidden_size : H per direction.
    pairing : "forward" (unidirectional), "aligned" (bidirectional, forward and backward
        states of the same x_t concatenated, as PyTorch does) or "misaligned" (forward state
        of x_t with the backward run's t-th state, i.e. that of x_{T+1-t}).
    seed : initialisation seed.
    """

    PAIRINGS = ("forward", "aligned", "misaligned")

    def __init__(self, alphabet: int, hidden_size: int, pairing: str = "aligned", seed=None):
        if pairing not in self.PAIRINGS:
            raise ValueError(f"pairing: expected one of {self.PAIRINGS}, got {pairing!r}")
        s = np.random.SeedSequence(seed).generate_state(3) if seed is not None else [None] * 3
        self.pairing = pairing
        self.embedding = Embedding(alphabet + 1, 8, seed=s[0])
        self.rnn = GRU(8, hidden_size, bidirectional=pairing != "forward", seed=s[1])
        self.head = Linear(self.rnn.num_directions * hidden_size, alphabet, seed=s[2])

    def parts(self) -> dict:
        return {"embedding": self.embedding, "rnn": self.rnn, "head": self.head}

    def forward(self, ids) -> np.ndarray:
        """ids: (T, B) -> logits (T, B, K)."""
        out, _ = self.rnn.forward(self.embedding.forward(ids))
        if self.pairing == "misaligned":
            out = misaligned_outputs(out, self.rnn.hidden_size)
        return self.head.forward(out)

    def backward(self, dlogits) -> None:
        dout = self.head.backward(dlogits)
        if self.pairing == "misaligned":
            # the re-pairing only reverses the backward half in time: so does its gradient
            dout = misaligned_outputs(dout, self.rnn.hidden_size)
        dx, _ = self.rnn.backward(dout)
        self.embedding.backward(dx)


def train_blur_tagger(
    pairing: str,
    seed: int = 0,
    steps: int = 300,
    hidden_size: int = 16,
    alphabet: int = 8,
    words: int = 6,
    batch: int = 32,
    lr: float = 0.02,
    task_seed: int = 0,
):
    """Train a ``BlurTagger`` and measure it on 1000 held-out sequences.

    Every training batch is fresh (generated with its own seed); the held-out set uses
    seeds never used in training. The permutation g is the same everywhere (``task_seed``).

    Returns
    -------
    model, and a dict with held-out accuracy on blurred positions ("blurred"), on clear
    positions ("clear"), and the per-position accuracy at blurred inputs ("by_position",
    (T,) array, NaN at odd positions which are never blurred).
    """
    model = BlurTagger(alphabet, hidden_size, pairing, seed=seed)
    opt = Adam([model], lr=lr)

    def data(n, rng_seed):
        return blurred_pairs(n, words, alphabet, seed=task_seed, rng_seed=rng_seed)

    for step in range(steps):
        x, y, _ = data(batch, (seed, step))
        model.zero_grad()
        _, dlogits = cross_entropy(model.forward(x), y)
        model.backward(dlogits)
        opt.step()
    x, y, blurred = data(1000, ("held-out",))
    correct = model.forward(x).argmax(axis=-1) == y
    with np.errstate(invalid="ignore"):
        by_position = np.where(
            blurred.any(axis=1), (correct & blurred).sum(1) / np.maximum(blurred.sum(1), 1), np.nan
        )
    return model, {
        "blurred": float(correct[blurred].mean()),
        "clear": float(correct[~blurred].mean()),
        "by_position": by_position,
    }
