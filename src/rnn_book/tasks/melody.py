"""One-to-many with sound: a note-level language model of a few folk tunes, played with NumPy.

The tunes below are well-known melodies in the public domain (traditional, or published before
1860), transcribed by the rnn_book authors in numbered notation (简谱) in C major; details may
differ from a particular printed score. A note is written ``degree:eighths``: degree 1-7
(1 = C4), a trailing ``'`` one octave up, ``,`` one octave down, 0 a rest; ``eighths`` the
length in eighth notes (2 = a quarter note). Every note is one token; the token END closes a
tune, so a model can learn where tunes stop.
"""

from __future__ import annotations

import numpy as np

from rnn_book.tasks.common import single_thread

__all__ = [
    "END",
    "TUNES",
    "NoteVocab",
    "copied_fraction",
    "frequency",
    "generate",
    "parse",
    "synthesize",
]

END = "|"

TUNES = {
    # 小星星 / "Ah! vous dirai-je, maman", French folk song, 18th century
    "twinkle": "1:2 1:2 5:2 5:2 6:2 6:2 5:4 4:2 4:2 3:2 3:2 2:2 2:2 1:4 "
    "5:2 5:2 4:2 4:2 3:2 3:2 2:4 5:2 5:2 4:2 4:2 3:2 3:2 2:4 "
    "1:2 1:2 5:2 5:2 6:2 6:2 5:4 4:2 4:2 3:2 3:2 2:2 2:2 1:4",
    # 欢乐颂 / "Ode to Joy", L. van Beethoven, Symphony No. 9 (1824), the theme
    "ode_to_joy": "3:2 3:2 4:2 5:2 5:2 4:2 3:2 2:2 1:2 1:2 2:2 3:2 3:3 2:1 2:4 "
    "3:2 3:2 4:2 5:2 5:2 4:2 3:2 2:2 1:2 1:2 2:2 3:2 2:3 1:1 1:4 "
    "2:2 2:2 3:2 1:2 2:2 3:1 4:1 3:2 1:2 2:2 3:1 4:1 3:2 2:2 1:2 2:2 5,:4 "
    "3:2 3:2 4:2 5:2 5:2 4:2 3:2 2:2 1:2 1:2 2:2 3:2 2:3 1:1 1:4",
    # 两只老虎 / "Frère Jacques", French folk song, 18th century
    "frere_jacques": "1:2 2:2 3:2 1:2 1:2 2:2 3:2 1:2 3:2 4:2 5:4 3:2 4:2 5:4 "
    "5:1 6:1 5:1 4:1 3:2 1:2 5:1 6:1 5:1 4:1 3:2 1:2 1:2 5,:2 1:4 1:2 5,:2 1:4",
    # "Mary Had a Little Lamb", melody as published by Lowell Mason (about 1830)
    "mary": "3:2 2:2 1:2 2:2 3:2 3:2 3:4 2:2 2:2 2:4 3:2 5:2 5:4 "
    "3:2 2:2 1:2 2:2 3:2 3:2 3:2 3:2 2:2 2:2 3:2 2:2 1:8",
    # "London Bridge Is Falling Down", traditional nursery rhyme
    "london_bridge": "5:3 6:1 5:2 4:2 3:2 4:2 5:4 2:2 3:2 4:4 3:2 4:2 5:4 "
    "5:3 6:1 5:2 4:2 3:2 4:2 5:4 2:4 5:4 3:2 1:6",
    # "Jingle Bells", J. L. Pierpont (1857), the chorus
    "jingle_bells": "3:2 3:2 3:4 3:2 3:2 3:4 3:2 5:2 1:3 2:1 3:8 "
    "4:2 4:2 4:3 4:1 4:2 3:2 3:2 3:1 3:1 3:2 2:2 2:2 3:2 2:4 5:4 "
    "3:2 3:2 3:4 3:2 3:2 3:4 3:2 5:2 1:3 2:1 3:8 "
    "4:2 4:2 4:2 4:2 4:2 3:2 3:2 3:1 3:1 5:2 5:2 4:2 2:2 1:8",
    # 送别: the tune of J. P. Ordway's "Dreaming of Home and Mother" (1851)
    "farewell": "5:2 3:1 5:1 1':4 6:2 1':2 5:4 5:2 1:1 2:1 3:2 2:1 1:1 2:8 "
    "5:2 3:1 5:1 1':3 7:1 6:2 1':2 5:4 5:2 2:1 3:1 4:3 7,:1 1:8 "
    "6:2 1':2 1':4 7:2 6:1 7:1 1':4 6:1 7:1 1':1 6:1 6:1 5:1 3:1 1:1 2:8 "
    "5:2 3:1 5:1 1':3 7:1 6:2 1':2 5:4 5:2 2:1 3:1 4:3 7,:1 1:8",
}

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
