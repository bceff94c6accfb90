"""The code of the page ``book/chapters/deep_bidirectional.md``.

* Depth: ``train_depth`` on window parity (data ``rnn_book.data.parity``).
* Direction: ``BlurTagger``, ``train_blur_tagger`` and the course's misaligned pairing
  ``misaligned_outputs`` on blurred syllables (data ``rnn_book.data.blurred``);
  ``train_blur_first``: the same taggers with one output at the end of the sequence, where
  the course's pairing is the right one.
* Handwriting: ``train_pen_tagger`` (unidirectional or bidirectional RNN labelling every pen
  sample with its letter), ``train_point_classifier`` (a per-sample baseline without memory),
  ``predict_letters`` and ``letter_scores`` (data ``rnn_book.data.handwriting``).
"""

from __future__ import annotations

import numpy as np

from rnn_book.data.blurred import blurred_pairs
from rnn_book.data.parity import window_parity
from rnn_book.elman import RNN
from rnn_book.gru import GRU
from rnn_book.layers import Embedding, Linear
from rnn_book.losses import cross_entropy
from rnn_book.models import ManyToMany, Model, make_rnn
from rnn_book.module import no_grad
from rnn_book.optim import Adam
from rnn_book.seeding import child_seeds
from rnn_book.training import fit, minibatches, single_thread, train_step

__all__ = [
    "BlurTagger",
    "letter_scores",
    "misaligned_outputs",
    "predict_letters",
    "train_blur_first",
    "train_blur_tagger",
    "train_depth",
    "train_pen_tagger",
    "train_point_classifier",
]


def train_depth(
    num_layers: int,
    hidden_size: int,
    k: int = 6,
    seed: int = 0,
    steps: int = 400,
    T: int = 20,
    batch: int = 32,
    lr: float = 0.01,
):
    """Train a tanh RNN of ``num_layers`` layers on window parity; measure it held out.

    Returns
    -------
    dict with "accuracy" (held-out, steps t >= k only, where the window is full),
    "parameters" (the model's count) and "losses" (training loss per step).
    """
    s_rnn, s_head = child_seeds(seed, 2)
    rnn = RNN(2, hidden_size, num_layers=num_layers, seed=s_rnn)
    model = ManyToMany(rnn, Linear(hidden_size, 2, seed=s_head))
    opt = Adam([model], lr=lr)
    losses = []
    for step in range(steps):
        x, y = window_parity(batch, T, k, seed=(1, seed, step))
        losses.append(train_step(model, x, y, cross_entropy, opt, clip=1.0).loss)
    x, y = window_parity(500, T, k, seed=(2,))  # never used in training: first entry 2
    correct = model.forward(x).argmax(axis=-1) == y
    return {
        "accuracy": float(correct[k - 1 :].mean()),
        "parameters": model.num_parameters(),
        "losses": np.array(losses),
    }


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
        s = child_seeds(seed, 3)
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
    delay: int = 0,
):
    """Train a ``BlurTagger`` and measure it on 1000 held-out sequences.

    Every training batch is fresh (generated with its own seed); the held-out set uses
    seeds never used in training. The permutation g is the same everywhere (``task_seed``).
    With ``delay`` d > 0 the symbol of step t is output at step t + d (the model may read d
    more inputs first); the last d steps of a sequence then get no output and are not scored.

    Returns
    -------
    model, and a dict with held-out accuracy on blurred positions ("blurred"), on clear
    positions ("clear"), and the per-position accuracy at blurred inputs ("by_position",
    (T,) array, NaN at odd positions which are never blurred, and at unscored ones).
    """
    T = 2 * words
    if isinstance(delay, bool) or not isinstance(delay, (int, np.integer)) or not 0 <= delay < T:
        raise ValueError(f"delay: expected an int in [0, {T}) for {words} words, got {delay!r}")
    model = BlurTagger(alphabet, hidden_size, pairing, seed=seed)
    opt = Adam([model], lr=lr)

    def data(n, rng_seed):
        return blurred_pairs(n, words, alphabet, seed=task_seed, rng_seed=rng_seed)

    mask = None
    if delay:
        mask = np.zeros((T, batch), dtype=bool)
        mask[delay:] = True  # no output is asked for at the first d steps
    for step in range(steps):
        x, y, _ = data(batch, (seed, step))
        if delay:
            y = np.concatenate([np.zeros_like(y[:delay]), y[: T - delay]])  # y_t at t + d
        train_step(model, x, y, cross_entropy, opt, mask=mask)
    x, y, blurred = data(1000, ("held-out",))
    pred = model.forward(x).argmax(axis=-1)[delay:]  # the answer for step t, t < T - d
    y, blurred = y[: T - delay], blurred[: T - delay]
    correct = pred == y
    with np.errstate(invalid="ignore"):
        by_position = np.where(
            blurred.any(axis=1), (correct & blurred).sum(1) / np.maximum(blurred.sum(1), 1), np.nan
        )
    by_position = np.concatenate([by_position, np.full(delay, np.nan)])
    return model, {
        "blurred": float(correct[blurred].mean()),
        "clear": float(correct[~blurred].mean()),
        "by_position": by_position,
    }


def train_blur_first(
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
    """One output at the end of the sequence: the true FIRST symbol, read at the last step.

    The model is a ``BlurTagger``; only its output at the last step t = T is trained (a mask
    on the loss) and measured. At that step the pairings mean:

    * "forward": the forward state at x_T (it has read everything, and must carry x_1, x_2);
    * "misaligned" (the course's pairing): the forward state at x_T with the backward run's
      T-th state, the one at x_1: both final states, as ``ManyToOne`` concatenates them;
    * "aligned": the forward and backward states at x_T; the backward half has read x_T only.

    Returns
    -------
    model, and a dict with held-out accuracy (1000 sequences) of the answer at the last step
    where the first symbol was blurred ("blurred") and where it was clear ("clear").
    """
    model = BlurTagger(alphabet, hidden_size, pairing, seed=seed)
    opt = Adam([model], lr=lr)

    def data(n, rng_seed):
        x, y, blurred = blurred_pairs(n, words, alphabet, seed=task_seed, rng_seed=rng_seed)
        targets = np.broadcast_to(y[0], y.shape).copy()  # the first symbol, at every step
        mask = np.zeros(y.shape, dtype=bool)
        mask[-1] = True  # ... but only the last step's output counts
        return x, targets, mask, blurred[0]

    for step in range(steps):
        x, y, mask, _ = data(batch, ("first", seed, step))
        train_step(model, x, y, cross_entropy, opt, mask=mask)
    x, y, _, blurred = data(1000, ("first", "held-out"))
    correct = model.forward(x)[-1].argmax(axis=-1) == y[-1]
    return model, {
        "blurred": float(correct[blurred].mean()),
        "clear": float(correct[~blurred].mean()),
    }


def _check_pen(inputs, labels):
    inputs, labels = np.asarray(inputs, dtype=np.float64), np.asarray(labels)
    if inputs.ndim != 3 or labels.shape != inputs.shape[:2]:
        raise ValueError(
            f"inputs, labels: expected (T, N, D) and (T, N), got {inputs.shape} and {labels.shape}"
        )
    return inputs, labels


def train_pen_tagger(
    inputs,
    labels,
    bidirectional: bool,
    num_classes: int = 6,
    hidden_size: int = 32,
    cell: str = "rnn",
    epochs: int = 12,
    lr: float = 1e-2,
    batch_size: int = 32,
    seed: int = 0,
) -> ManyToMany:
    """Label every pen sample with its letter: ManyToMany(RNN(D, H) -> Linear(dirs * H, C)).

    inputs : (T, N, D) per-step pen features (``rb.data.pen_trajectories``); labels : (T, N).
    ``bidirectional`` True reads the trajectory both ways (outputs time-aligned, as PyTorch).
    Trained with Adam on the mean cross-entropy over all steps; returns the model.
    """
    inputs, labels = _check_pen(inputs, labels)
    s_rnn, s_head = child_seeds(seed, 2)
    rnn = make_rnn(cell, inputs.shape[2], hidden_size, bidirectional=bidirectional, seed=s_rnn)
    model = ManyToMany(rnn, Linear(rnn.num_directions * hidden_size, num_classes, seed=s_head))
    opt = Adam([model], lr=lr)

    def make_batches(rng):
        n = inputs.shape[1]
        return [(inputs[:, b], labels[:, b]) for b in minibatches(n, batch_size, rng)]

    fit(model, make_batches, cross_entropy, opt, epochs, seed, clip=5.0)
    return model


def train_point_classifier(
    inputs, labels, num_classes: int = 6, epochs: int = 10, lr: float = 0.05, seed: int = 0
) -> Linear:
    """The baseline without memory: logistic regression on ONE sample's features.

    inputs : (T, N, D); labels : (T, N). Every step is an independent example. Returns the
    trained ``Linear(D, C)``; ``predict_letters`` applies it at every step.
    """
    inputs, labels = _check_pen(inputs, labels)
    X, y = inputs.reshape(-1, inputs.shape[2]), labels.ravel()
    model = Linear(X.shape[1], num_classes, seed=seed)
    opt = Adam([model], lr=lr)

    def make_batches(rng):
        return [(X[b], y[b]) for b in minibatches(len(y), 1000, rng)]

    fit(model, make_batches, cross_entropy, opt, epochs, seed, clip=None)
    return model


@single_thread
@no_grad()
def predict_letters(model, inputs) -> np.ndarray:
    """The most likely letter at every step: inputs (T, N, D) -> (T, N) ints."""
    inputs = np.asarray(inputs, dtype=np.float64)
    if inputs.ndim != 3:
        raise ValueError(f"inputs: expected (T, N, D), got {inputs.shape}")
    return np.argmax(model.forward(inputs), axis=-1)


def letter_scores(pred, labels, ambiguous) -> dict[str, float]:
    """Accuracy over all samples ("all"), over the samples whose letter the past cannot tell
    ("ambiguous") and over the others ("clear"). All three arrays (T, N)."""
    pred, labels, ambiguous = np.asarray(pred), np.asarray(labels), np.asarray(ambiguous, bool)
    if not pred.shape == labels.shape == ambiguous.shape:
        raise ValueError(
            f"pred, labels, ambiguous: expected equal shapes, got {pred.shape}, "
            f"{labels.shape}, {ambiguous.shape}"
        )
    correct = pred == labels
    return {
        "all": float(correct.mean()),
        "ambiguous": float(correct[ambiguous].mean()),
        "clear": float(correct[~ambiguous].mean()),
    }
