"""The code of the page ``book/chapters/structures_poems.md`` (one-to-many).

* Acrostic poems: ``PoemCorpus``, ``train_charlm``, ``perplexity``, ``unigram_perplexity``,
  ``generate_line``, ``acrostic``, ``line_log_probability``.
* Melodies: ``NoteVocab``, ``parse``, ``frequency``, ``synthesize`` (NumPy audio),
  ``generate``, ``copied_fraction``; the tunes are ``rnn_book.data.melodies.TUNES``.
"""

from __future__ import annotations

import numpy as np

from rnn_book.data.melodies import END
from rnn_book.functional import log_softmax, softmax
from rnn_book.losses import cross_entropy
from rnn_book.training import fit, minibatches, single_thread

__all__ = [
    "PUNCTUATION",
    "START",
    "UNK",
    "NoteVocab",
    "PoemCorpus",
    "acrostic",
    "chunk_stream",
    "copied_fraction",
    "frequency",
    "generate",
    "generate_line",
    "line_log_probability",
    "parse",
    "perplexity",
    "synthesize",
    "train_charlm",
    "unigram_perplexity",
]


#: Start symbol read before every poem.
START = "\n"  # read before every poem: "a poem begins here"


#: Token of the characters not seen in the training poems (id 0).
UNK = "<unk>"


#: Punctuation marks, not characters of a verse line.
PUNCTUATION = "，。？！；：、"


class PoemCorpus:
    """Poems split by poem into train / valid / test streams over a training-set vocabulary.

    poems : list of poem texts (punctuation kept, no titles). Each poem becomes
    START + text; the streams are these concatenated. Characters that never occur in the
    training poems become UNK in the valid and test streams.

    Attributes: ``chars`` (id -> character), ``train``, ``valid``, ``test`` ((N,) id streams),
    ``train_poems`` etc. (the texts), ``banned`` (ids a line may not contain: START, UNK,
    punctuation and any other non-CJK symbol).
    """

    def __init__(self, poems, n_valid: int = 20, n_test: int = 30, seed: int = 0):
        poems = [str(p) for p in poems]
        if len(poems) < n_valid + n_test + 1:
            raise ValueError(
                f"poems: expected more than n_valid + n_test = {n_valid + n_test}, got {len(poems)}"
            )
        order = np.random.default_rng(seed).permutation(len(poems))
        self.test_poems = [poems[i] for i in order[:n_test]]
        self.valid_poems = [poems[i] for i in order[n_test : n_test + n_valid]]
        self.train_poems = [poems[i] for i in order[n_test + n_valid :]]
        seen = sorted(set("".join(self.train_poems)) - {START})
        self.chars = [UNK, START, *seen]
        self.index = {c: i for i, c in enumerate(self.chars)}
        self.train = self.encode_poems(self.train_poems)
        self.valid = self.encode_poems(self.valid_poems)
        self.test = self.encode_poems(self.test_poems)
        self.banned = [i for i, c in enumerate(self.chars) if not _is_hanzi(c)]

    def encode(self, text: str) -> np.ndarray:
        """text -> (len(text),) ids; unknown characters -> UNK (id 0)."""
        return np.array([self.index.get(c, 0) for c in text], dtype=np.int64)

    def encode_poems(self, poems) -> np.ndarray:
        return self.encode("".join(START + p for p in poems))

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)

    def __len__(self) -> int:
        return len(self.chars)


def _is_hanzi(c: str) -> bool:
    return len(c) == 1 and "\u4e00" <= c <= "\u9fff"


def chunk_stream(ids, seq_len: int, offset: int = 0) -> np.ndarray:
    """Cut a 1-D id stream into non-overlapping windows of ``seq_len + 1`` ids.

    ids : (N,) ints.  Returns (num_windows, seq_len + 1): inputs are ``[:, :-1]``,
    targets ``[:, 1:]`` (the same window shifted by one).
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids: expected a 1-D stream (N,), got shape {ids.shape}")
    if seq_len < 1:
        raise ValueError(f"seq_len: expected >= 1, got {seq_len}")
    n = (len(ids) - 1 - offset) // seq_len
    if n < 1:
        raise ValueError(
            f"ids: expected at least seq_len + 1 + offset = {seq_len + 1 + offset} ids, got {len(ids)}"
        )
    starts = offset + seq_len * np.arange(n)
    return ids[starts[:, None] + np.arange(seq_len + 1)]


def train_charlm(
    model,
    train_ids,
    epochs: int,
    seq_len: int = 32,
    batch_size: int = 32,
    lr: float = 3e-3,
    seed: int = 0,
    clip: float = 5.0,
    eval_ids=None,
    keep_best: bool = False,
) -> dict[str, list[float]]:
    """Train a ``CharLM`` on the stream ``train_ids`` (N,) with Adam and truncated BPTT.

    Every epoch starts the windows at a new random offset, so the cut points move.
    Returns the history of ``fit``; ``eval`` holds the perplexity on ``eval_ids`` per epoch;
    ``keep_best`` restores the epoch with the lowest one (early stopping).
    """
    from rnn_book.optim import Adam

    train_ids = np.asarray(train_ids)
    optimizer = Adam([model], lr=lr)

    def make_batches(rng):
        windows = chunk_stream(train_ids, seq_len, offset=int(rng.integers(seq_len)))
        return [
            (windows[b, :-1].T, windows[b, 1:].T)  # (T, B) time-major
            for b in minibatches(len(windows), batch_size, rng)
        ]

    evaluate = None if eval_ids is None else (lambda: perplexity(model, eval_ids))
    return fit(
        model, make_batches, cross_entropy, optimizer, epochs, seed, clip, evaluate, keep_best
    )


@single_thread
def perplexity(model, ids, streams: int = 8) -> float:
    """exp(mean negative log-likelihood per character) of the stream ``ids`` (N,).

    The stream is split into ``streams`` contiguous parts read in parallel (B = streams);
    each part's first character is not predicted (it has no left context).
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids: expected a 1-D stream (N,), got shape {ids.shape}")
    length = len(ids) // streams
    if length < 2:
        raise ValueError(f"ids: expected at least {2 * streams} ids, got {len(ids)}")
    block = ids[: streams * length].reshape(streams, length).T  # (T, B)
    logits, _ = model.forward(block[:-1])
    loss, _ = cross_entropy(logits, block[1:])
    return float(np.exp(loss))


def unigram_perplexity(train_ids, test_ids, vocab_size: int, alpha: float = 1.0) -> float:
    """Perplexity of the order-blind baseline: character frequencies (add-``alpha`` smoothing)."""
    counts = np.bincount(np.asarray(train_ids), minlength=vocab_size) + alpha
    logp = np.log(counts / counts.sum())
    return float(np.exp(-logp[np.asarray(test_ids)].mean()))


def _pick(logits, temperature: float, rng, banned) -> int:
    """One id from logits (V,): argmax at temperature 0, else softmax(logits / temperature)."""
    logits = np.array(logits, dtype=np.float64)
    if len(banned):
        logits[list(banned)] = -np.inf
    if temperature == 0:
        return int(np.argmax(logits))
    return int(rng.choice(logits.size, p=softmax(logits / temperature)))


@single_thread
def generate_line(
    model,
    head_id: int,
    length: int,
    temperature: float = 1.0,
    rng=None,
    banned=(),
    state=None,
    context=(),
):
    """Write one line of ``length`` characters that starts with ``head_id``.

    ``context`` ids (e.g. the start-of-poem symbol or the previous line's punctuation) are
    read first; ``banned`` ids (punctuation, unknown) are never sampled, so the line has
    exactly ``length`` characters. Returns (ids list of length ``length``, state after it).
    """
    if length < 1:
        raise ValueError(f"length: expected >= 1, got {length}")
    if temperature < 0:
        raise ValueError(f"temperature: expected >= 0, got {temperature}")
    rng = np.random.default_rng(rng)
    line = [int(head_id)]
    logits, state = model.forward(np.array([*context, head_id])[:, None], state)
    for _ in range(length - 1):
        nxt = _pick(logits[-1, 0], temperature, rng, banned)
        line.append(nxt)
        logits, state = model.forward(np.array([[nxt]]), state)
    return line, state


@single_thread
def acrostic(
    model,
    head_ids,
    line_length: int,
    separators,
    temperature: float = 1.0,
    rng=None,
    banned=(),
    start=(),
) -> list[list[int]]:
    """An acrostic: line k starts with ``head_ids[k]``; lines are joined by ``separators``.

    separators : ids fed after line k, cycled (e.g. [comma, full stop]).
    start : ids read before the first line (e.g. the start-of-poem symbol).
    Returns a list of lines, each a list of ``line_length`` ids.
    """
    rng = np.random.default_rng(rng)
    separators = list(separators)
    if not separators:
        raise ValueError("separators: expected at least one separator id, got none")
    lines, state, context = [], None, list(start)
    for k, head in enumerate(head_ids):
        line, state = generate_line(
            model, head, line_length, temperature, rng, banned, state, context
        )
        lines.append(line)
        context = [separators[k % len(separators)]]
    return lines


@single_thread
def line_log_probability(model, ids, context=()) -> float:
    """log P(ids[1:] | context, ids[0]) under the model: how natural it finds a given line."""
    seq = np.array([*context, *ids])[:, None]
    logits, _ = model.forward(seq[:-1])
    logp = log_softmax(logits[:, 0], axis=-1)
    k = len(context)
    steps = np.arange(k, len(seq) - 1)
    return float(logp[steps, seq[steps + 1, 0]].sum())


_SEMITONES = (0, 2, 4, 5, 7, 9, 11)  # degrees 1..7 of the major scale


def parse(token: str) -> tuple[int, int, int]:
    """'5,:2' -> (degree 5, octave -1, eighths 2); a rest is degree 0."""
    try:
        pitch, eighths = token.split(":")
        octave = pitch.count("'") - pitch.count(",")
        degree = int(pitch.strip("',"))
        length = int(eighths)
    except ValueError as exc:
        raise ValueError(f"token: expected 'degree:eighths' like \"5,:2\", got {token!r}") from exc
    if not 0 <= degree <= 7 or length < 1:
        raise ValueError(f"token: expected degree 0-7 and eighths >= 1, got {token!r}")
    return degree, octave, length


def frequency(degree: int, octave: int = 0, tonic_hz: float = 261.63) -> float:
    """Equal-tempered frequency of a degree of C major (1 = C4 = 261.63 Hz)."""
    return tonic_hz * 2.0 ** ((_SEMITONES[degree - 1] + 12 * octave) / 12.0)


def synthesize(tokens, bpm: float = 100.0, rate: int = 8000) -> np.ndarray:
    """Notes -> mono audio (n_samples,) float64 in [-1, 1]: a plucked tone per note.

    Each note is a fundamental plus two quieter harmonics under a fast attack and an
    exponential decay, so repeated notes are heard as separate notes. END tokens are skipped.
    """
    eighth = 60.0 / bpm / 2.0
    pieces = []
    for tok in tokens:
        if tok == END:
            continue
        degree, octave, length = parse(tok)
        n = round(length * eighth * rate)
        t = np.arange(n) / rate
        if degree == 0:
            pieces.append(np.zeros(n))
            continue
        f = frequency(degree, octave)
        tone = sum(a * np.sin(2 * np.pi * k * f * t) for k, a in ((1, 1.0), (2, 0.4), (3, 0.2)))
        envelope = np.minimum(t / 0.01, 1.0) * np.exp(-3.0 * t)
        pieces.append(tone * envelope)
    if not pieces:
        return np.zeros(0)
    wave = np.concatenate(pieces)
    return wave / max(1e-12, float(np.abs(wave).max()))


class NoteVocab:
    """Tokens of the given tunes (plus END) <-> ids; tunes become one stream END t1 END t2 ..."""

    def __init__(self, tunes):
        tokens = sorted({tok for tune in tunes for tok in tune.split()})
        self.tokens = [END, *tokens]
        self.index = {tok: i for i, tok in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def stream(self, tunes) -> np.ndarray:
        """(N,) ids of END + tune, for every tune; unknown tokens raise ValueError."""
        ids = []
        for tune in tunes:
            ids.append(0)
            for tok in tune.split():
                if tok not in self.index:
                    raise ValueError(f"tunes: token {tok!r} is not in the vocabulary")
                ids.append(self.index[tok])
        return np.array(ids, dtype=np.int64)

    def decode(self, ids) -> list[str]:
        return [self.tokens[int(i)] for i in ids]


@single_thread
def generate(
    model,
    vocab: NoteVocab,
    start,
    max_notes: int = 32,
    temperature: float = 0.8,
    rng=None,
    min_notes: int = 0,
):
    """Continue the notes ``start`` (list of tokens) until END or ``max_notes`` new notes.

    The model first reads END (a tune begins) and ``start``; every sampled note is fed back.
    END is not allowed before ``min_notes`` new notes. Returns the tokens of the tune,
    ``start`` included, END excluded.
    """
    from rnn_book.functional import softmax

    if max_notes < 1:
        raise ValueError(f"max_notes: expected >= 1, got {max_notes}")
    rng = np.random.default_rng(rng)
    ids = [0, *(vocab.index[t] for t in start)]
    logits, state = model.forward(np.array(ids)[:, None])
    out = list(start)
    for k in range(max_notes):
        z = logits[-1, 0].astype(np.float64)
        if k < min_notes:
            z[0] = -np.inf  # no END yet
        if temperature == 0:
            nxt = int(np.argmax(z))
        else:
            nxt = int(rng.choice(z.size, p=softmax(z / temperature)))
        if nxt == 0:
            break
        out.append(vocab.tokens[nxt])
        logits, state = model.forward(np.array([[nxt]]), state)
    return out


def copied_fraction(tokens, tunes, n: int = 4) -> float:
    """Share of the runs of ``n`` consecutive notes in ``tokens`` that occur in some tune."""
    seen = set()
    for tune in tunes:
        t = tune.split()
        seen.update(tuple(t[i : i + n]) for i in range(len(t) - n + 1))
    runs = [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    if not runs:
        raise ValueError(f"tokens: expected at least n = {n} notes, got {len(tokens)}")
    return float(np.mean([r in seen for r in runs]))
