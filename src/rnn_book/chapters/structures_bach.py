"""The code of the page ``book/chapters/structures_bach.md`` (one-to-many: Bach's melodies).

* Tokens: ``NoteTokens`` (a note = MIDI pitch + duration; ``END`` between chorales, ``UNK``).
* Baselines: ``NGram`` (unigram, bigram, trigram with add-k smoothing), ``choose_k``.
* The RNN: ``train_melody_model`` (a ``CharLM`` trained with early stopping), ``model_nll``.
* One run of the comparison: ``run_seed`` (split, baselines, RNN, all on one seed).
* Output: ``generate`` (sampling), ``synthesize`` (NumPy audio of MIDI notes),
  ``piano_roll`` (rectangles to draw).

The data are ``rnn_book.data.bach`` (the chorales' soprano lines, transposed to C major /
A minor). All cross-entropies are in nats per note, over every note of the held-out chorales
and the END that closes each chorale.
"""

from __future__ import annotations

import numpy as np

from rnn_book.chapters.structures_poems import chunk_stream
from rnn_book.functional import softmax
from rnn_book.losses import cross_entropy
from rnn_book.models import CharLM
from rnn_book.optim import Adam
from rnn_book.training import fit, minibatches, single_thread

__all__ = [
    "END",
    "NOTE_NAMES",
    "UNK",
    "NGram",
    "NoteTokens",
    "choose_k",
    "copied_fraction",
    "generate",
    "midi_name",
    "model_nll",
    "piano_roll",
    "pitch_only",
    "run_seed",
    "synthesize",
    "train_melody_model",
]

#: Token id 0, the boundary between chorales (read before a chorale, predicted after it).
END = 0
#: Token id 1, a note (pitch, duration) never seen in the training chorales.
UNK = 1
#: Pitch-class names, C = 0.
NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def midi_name(pitch: int) -> str:
    """MIDI number -> name with octave, e.g. 60 -> 'C4', 69 -> 'A4'."""
    return f"{NOTE_NAMES[int(pitch) % 12]}{int(pitch) // 12 - 1}"


class NoteTokens:
    """Notes (pitch, duration) of the training chorales <-> ids; 0 = END, 1 = UNK.

    chorales : the training chorales (``rnn_book.data.bach.Chorale``). Every distinct
    (MIDI pitch, duration in quarter notes) pair among them is one token, in sorted order.
    Attributes: ``notes`` (id -> (pitch, duration), None for END and UNK), ``index``.
    """

    def __init__(self, chorales):
        pairs = sorted({(p, d) for c in chorales for p, d in zip(c.pitches, c.durations)})
        if not pairs:
            raise ValueError("chorales: expected at least one chorale with notes, got none")
        self.notes = [None, None, *pairs]
        self.index = {pair: i + 2 for i, pair in enumerate(pairs)}

    def __len__(self) -> int:
        return len(self.notes)

    def encode(self, chorale) -> np.ndarray:
        """(n + 2,) int64 ids of one chorale: END, its n notes, END; unseen notes -> UNK."""
        ids = [self.index.get(pair, UNK) for pair in zip(chorale.pitches, chorale.durations)]
        return np.array([END, *ids, END], dtype=np.int64)

    def sequences(self, chorales) -> list[np.ndarray]:
        """A list with one (n_i + 2,) id array per chorale, as ``encode`` gives it."""
        return [self.encode(c) for c in chorales]

    def stream(self, chorales) -> np.ndarray:
        """(N,) int64 ids: END, chorale 1, END, chorale 2, ..., END (for training an RNN)."""
        ids = [np.array([END], dtype=np.int64)]
        ids.extend(self.encode(c)[1:] for c in chorales)
        return np.concatenate(ids)

    def decode(self, ids) -> tuple[np.ndarray, np.ndarray]:
        """ids -> (pitches (n,) int64, durations (n,) float64), skipping END and UNK."""
        notes = [self.notes[int(i)] for i in ids if int(i) > UNK]
        pitches = np.array([p for p, _ in notes], dtype=np.int64)
        durations = np.array([d for _, d in notes], dtype=np.float64)
        return pitches, durations


class NGram:
    """An n-gram model of note ids with add-k smoothing over a vocabulary of V ids.

    P(x_t = v | previous n-1 ids) = (count(context, v) + k) / (count(context) + k V).
    order : 1 (unigram: note frequencies), 2 (bigram), 3 (trigram).  k : > 0.
    Each chorale is a sequence END, notes, END (``NoteTokens.encode``) read on its own: before
    its first END the context is padded with END, so a trigram's first context is (END, END).
    """

    def __init__(self, order: int, k: float, vocab_size: int):
        if order not in (1, 2, 3):
            raise ValueError(f"order: expected 1, 2 or 3, got {order!r}")
        if not k > 0:
            raise ValueError(f"k: expected a positive smoothing constant, got {k!r}")
        self.order, self.k, self.vocab_size = order, float(k), int(vocab_size)
        self.counts: dict[tuple, np.ndarray] = {}

    def _contexts(self, seq):
        """(context tuple, target) for every target seq[1:], context padded with END."""
        n = self.order - 1
        padded = [END] * max(0, n - 1) + [int(i) for i in seq]
        for t in range(max(n, 1), len(padded)):
            yield tuple(padded[t - n : t]), padded[t]

    def fit(self, sequences) -> NGram:
        """Count the n-grams of a list of (n_i,) id arrays (each starting with END); returns self."""
        self.counts = {}
        for seq in sequences:
            seq = _check_ids(seq, self.vocab_size)
            for ctx, target in self._contexts(seq):
                row = self.counts.get(ctx)
                if row is None:
                    row = self.counts[ctx] = np.zeros(self.vocab_size)
                row[target] += 1
        return self

    def probs(self, context=()) -> np.ndarray:
        """(V,) float64, summing to 1: the distribution of the next id after ``context``.

        context : the previous ids (at least n-1 of them; only the last n-1 are used).
        """
        n = self.order - 1
        ctx = tuple(int(i) for i in context)
        if len(ctx) < n:
            raise ValueError(f"context: expected at least {n} ids, got {len(ctx)}")
        row = self.counts.get(ctx[len(ctx) - n :] if n else ())
        counts = np.zeros(self.vocab_size) if row is None else row
        return (counts + self.k) / (counts.sum() + self.k * self.vocab_size)

    def target_counts(self, sequences) -> tuple[np.ndarray, np.ndarray]:
        """For every predicted id of ``sequences``: (count(context, id), count(context)).

        Two (M,) float64 arrays over the M ids after the first END of each sequence; the
        probability of each is (first + k) / (second + k V), so any k can be scored from them.
        """
        pair, ctx_total = [], []
        for seq in sequences:
            seq = _check_ids(seq, self.vocab_size)
            for ctx, target in self._contexts(seq):
                row = self.counts.get(ctx)
                pair.append(0.0 if row is None else row[target])
                ctx_total.append(0.0 if row is None else row.sum())
        if not pair:
            raise ValueError("sequences: expected at least one id to predict, got none")
        return np.array(pair), np.array(ctx_total)

    def nll(self, sequences, k: float | None = None) -> float:
        """Mean negative log-likelihood (nats per predicted id) of every id after the first
        END of each sequence in ``sequences`` (a list of (n_i,) id arrays); ``k`` overrides
        the smoothing constant."""
        k = self.k if k is None else float(k)
        pair, ctx_total = self.target_counts(sequences)
        return float(-np.mean(np.log((pair + k) / (ctx_total + k * self.vocab_size))))


def _check_ids(ids, vocab_size: int) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids: expected a 1-D integer stream (N,), got {ids.dtype} {ids.shape}")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(
            f"ids: expected values in [0, {vocab_size}), got [{ids.min()}, {ids.max()}]"
        )
    return ids


def choose_k(train_ids, valid_ids, order: int, vocab_size: int, grid=None):
    """The add-k constant of ``grid`` with the lowest validation NLL of an n-gram of ``order``.

    train_ids, valid_ids : lists of id sequences (``NoteTokens.sequences``).

    Returns (k, {k: validation NLL in nats per note}).
    """
    grid = (1.0, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001) if grid is None else grid
    model = NGram(order, 1.0, vocab_size).fit(train_ids)
    pair, ctx_total = model.target_counts(valid_ids)
    scores = {
        float(k): float(-np.mean(np.log((pair + k) / (ctx_total + k * vocab_size)))) for k in grid
    }
    return min(scores, key=scores.get), scores


@single_thread
def model_nll(model, sequences) -> float:
    """Mean NLL (nats per predicted id) of a ``CharLM`` on id sequences, read in one batch.

    sequences : list of (n_i,) id arrays, each END, notes, END; each is read from a zero
    state (as ``generate`` starts) and every id after the first is predicted.
    """
    seqs = [np.asarray(s) for s in sequences]
    if not seqs or min(len(s) for s in seqs) < 2:
        raise ValueError("sequences: expected sequences of at least 2 ids each")
    T = max(len(s) for s in seqs)
    ids = np.full((T, len(seqs)), END, dtype=np.int64)
    mask = np.zeros((T - 1, len(seqs)), dtype=bool)
    for b, s in enumerate(seqs):
        ids[: len(s), b] = s
        mask[: len(s) - 1, b] = True
    logits, _ = model.forward(ids[:-1])
    loss, _ = cross_entropy(logits, ids[1:], mask)
    return float(loss)


def train_melody_model(
    train_ids,
    valid_sequences,
    vocab_size: int,
    hidden_size: int = 64,
    cell: str = "gru",
    embedding_dim: int = 16,
    epochs: int = 20,
    seq_len: int = 32,
    batch_size: int = 32,
    lr: float = 5e-3,
    seed: int = 0,
):
    """Train a ``CharLM`` on the stream ``train_ids`` (N,) with Adam and truncated BPTT.

    Windows of ``seq_len`` notes start at a new random offset every epoch. After every epoch
    the validation NLL is measured on ``valid_sequences`` (``model_nll``); the epoch with the lowest one is kept
    (early stopping). Returns (model, history) with ``history["eval"]`` the validation NLL
    per epoch and ``history["best_epoch"]``.
    """
    model = CharLM(vocab_size, hidden_size, cell=cell, embedding_dim=embedding_dim, seed=seed)
    train_ids = np.asarray(train_ids)
    optimizer = Adam([model], lr=lr)

    def make_batches(rng):
        windows = chunk_stream(train_ids, seq_len, offset=int(rng.integers(seq_len)))
        return [
            (windows[b, :-1].T, windows[b, 1:].T)
            for b in minibatches(len(windows), batch_size, rng)
        ]

    history = fit(
        model,
        make_batches,
        cross_entropy,
        optimizer,
        epochs,
        seed,
        5.0,
        lambda: model_nll(model, valid_sequences),
        True,
    )
    return model, history


def run_seed(chorales, seed: int, valid: float = 0.1, test: float = 0.1, **rnn_kwargs) -> dict:
    """Split ``chorales`` by tune group with ``seed``, fit the baselines and the RNN, test all.

    Uses ``rnn_book.data.bach.split_chorales``; tokens from the training chorales; add-k of
    each n-gram chosen on the validation chorales (``choose_k``); the RNN
    (``train_melody_model(..., seed=seed, **rnn_kwargs)``) early-stopped on them too.
    Returns a dict: ``test`` {"unigram", "bigram", "trigram", "rnn": NLL in nats per note on
    the test chorales}, ``valid`` (the same on the validation chorales, n-grams only, at the
    chosen k), ``k`` {order: chosen k}, ``sizes`` {"train", "valid", "test":
    chorales}, ``test_notes`` (predicted ids), ``unk`` (share of UNK among them), ``vocab``
    (``NoteTokens``), ``model``, ``history``, ``seconds`` (CPU time of the RNN's training).
    """
    import time

    from rnn_book.data.bach import split_chorales

    train, val, tst = split_chorales(chorales, valid, test, seed)
    vocab = NoteTokens(train)
    V = len(vocab)
    train_seqs, valid_seqs, test_seqs = (vocab.sequences(x) for x in (train, val, tst))
    result = {"test": {}, "k": {}, "valid": {}}
    for order, name in ((1, "unigram"), (2, "bigram"), (3, "trigram")):
        k, scores = choose_k(train_seqs, valid_seqs, order, V)
        result["k"][order], result["valid"][name] = k, scores[k]
        result["test"][name] = NGram(order, k, V).fit(train_seqs).nll(test_seqs)
    start = time.process_time()
    model, history = train_melody_model(vocab.stream(train), valid_seqs, V, seed=seed, **rnn_kwargs)
    result["seconds"] = time.process_time() - start
    result["test"]["rnn"] = model_nll(model, test_seqs)
    targets = np.concatenate([s_[1:] for s_ in test_seqs])
    result.update(
        sizes={"train": len(train), "valid": len(val), "test": len(tst)},
        test_notes=int(targets.size),
        unk=float(np.mean(targets == UNK)),
        vocab=vocab,
        model=model,
        history=history,
    )
    return result


@single_thread
def generate(model, max_notes: int = 64, temperature: float = 1.0, rng=None, min_notes: int = 8):
    """Sample a melody: read END, then feed every sampled id back until END or ``max_notes``.

    UNK is never sampled; END not before ``min_notes`` notes. Returns a list of ids (no END).
    """
    if max_notes < 1:
        raise ValueError(f"max_notes: expected >= 1, got {max_notes}")
    if not temperature > 0:
        raise ValueError(f"temperature: expected > 0, got {temperature}")
    rng = np.random.default_rng(rng)
    logits, state = model.forward(np.array([[END]]))
    out = []
    for k in range(max_notes):
        z = np.array(logits[-1, 0], dtype=np.float64)
        z[UNK] = -np.inf
        if k < min_notes:
            z[END] = -np.inf
        nxt = int(rng.choice(z.size, p=softmax(z / temperature)))
        if nxt == END:
            break
        out.append(nxt)
        logits, state = model.forward(np.array([[nxt]]), state)
    return out


def pitch_only(chorales) -> list:
    """The chorales with every duration set to 1.0 (a list of new ``Chorale`` objects).

    With ``NoteTokens`` this gives a vocabulary of pitches alone (the rhythm is dropped).
    """
    from dataclasses import replace

    return [replace(c, durations=(1.0,) * len(c.pitches)) for c in chorales]


def copied_fraction(ids, sequences, n: int = 4) -> float:
    """Share of the runs of ``n`` consecutive ids in ``ids`` that occur in some sequence.

    ids : a generated melody (list or (m,) ids, m >= n); sequences : the training chorales'
    id arrays. 1.0 means every run of n notes was copied from the training data.
    """
    ids = [int(i) for i in ids]
    if len(ids) < n:
        raise ValueError(f"ids: expected at least n = {n} ids, got {len(ids)}")
    seen = set()
    for seq in sequences:
        seq = [int(i) for i in seq]
        seen.update(tuple(seq[i : i + n]) for i in range(len(seq) - n + 1))
    runs = [tuple(ids[i : i + n]) for i in range(len(ids) - n + 1)]
    return float(np.mean([r in seen for r in runs]))


def synthesize(pitches, durations, bpm: float = 80.0, rate: int = 8000) -> np.ndarray:
    """Notes -> mono audio (n_samples,) float64 in [-1, 1], the timbre of the melody page.

    pitches : (n,) MIDI numbers; durations : (n,) quarter notes; ``bpm`` quarter notes per
    minute. Each note is a fundamental plus two quieter harmonics under a 10 ms attack and an
    exponential decay (as ``structures_poems.synthesize``), so repeated notes stay distinct.
    Harmonics at or above the Nyquist frequency ``rate / 2`` are left out (no aliasing).
    """
    pitches = np.asarray(pitches)
    durations = np.asarray(durations, dtype=np.float64)
    if pitches.shape != durations.shape or pitches.ndim != 1:
        raise ValueError(
            f"pitches, durations: expected two (n,) arrays, got {pitches.shape} and {durations.shape}"
        )
    quarter = 60.0 / bpm
    pieces = []
    for p, d in zip(pitches, durations):
        t = np.arange(round(d * quarter * rate)) / rate
        f = 440.0 * 2.0 ** ((int(p) - 69) / 12.0)
        tone = sum(
            a * np.sin(2 * np.pi * h * f * t)
            for h, a in ((1, 1.0), (2, 0.4), (3, 0.2))
            if h * f < rate / 2
        )
        tone = tone * np.ones_like(t)  # an int 0 when even the fundamental is too high
        pieces.append(tone * np.minimum(t / 0.01, 1.0) * np.exp(-3.0 * t))
    if not pieces:
        return np.zeros(0)
    wave = np.concatenate(pieces)
    return wave / max(1e-12, float(np.abs(wave).max()))


def piano_roll(pitches, durations) -> np.ndarray:
    """(n, 3) float64 rows (onset, duration, pitch), onsets in quarter notes from 0.

    Draw each row as a bar, e.g. ``ax.broken_barh([(on, dur)], (pitch - 0.4, 0.8))``.
    """
    pitches = np.asarray(pitches, dtype=np.float64)
    durations = np.asarray(durations, dtype=np.float64)
    onsets = np.concatenate([[0.0], np.cumsum(durations)[:-1]]) if durations.size else durations
    return np.stack([onsets, durations, pitches], axis=1)
