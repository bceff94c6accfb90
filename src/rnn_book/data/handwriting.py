"""Generated pen trajectories of handwritten letters, labelled point by point.

Nothing here is real handwriting: six letters are drawn by code as strokes in a unit box,
sampled at a fixed pen speed, joined into "words", distorted per word (scale, slant, tilt)
and jittered per point. The letters come in pairs whose first strokes are identical:
c is the beginning of o, l the beginning of b, v the beginning of w. While the pen draws
such a shared beginning, the past alone cannot tell which letter it is; what the pen does
next can. That is the course's example for bidirectional RNNs ("later strokes decide the
letter"), built so that the claim can be measured.
"""

from __future__ import annotations

import itertools

import numpy as np

from rnn_book._validate import check_number, check_positive_int

__all__ = ["LETTERS", "letter_template", "pen_trajectories"]

#: The letters, in label order. Pairs (0, 1), (2, 3), (4, 5) share their first strokes.
LETTERS = ("c", "o", "l", "b", "v", "w")

_STEP = 0.15  # pen travel between two samples, in units of the letter box


def _arc(cx, cy, r, start_deg, stop_deg, step_deg=20) -> np.ndarray:
    # a fixed angular step, so that o's samples begin exactly as c's (0.42 * 20 deg ~ 0.15)
    a = np.deg2rad(np.arange(start_deg, stop_deg + step_deg / 2, step_deg))
    return np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], axis=1)


def _lines(corners) -> np.ndarray:
    corners = np.asarray(corners, dtype=np.float64)
    pts = [corners[:1]]
    for a, b in itertools.pairwise(corners):
        n = max(1, round(np.linalg.norm(b - a) / _STEP))
        pts.append(a + (b - a) * (np.arange(1, n + 1) / n)[:, None])
    return np.concatenate(pts)


def letter_template(letter: int) -> tuple[np.ndarray, int]:
    """The noise-free pen path of letter ``letter`` (an index into ``LETTERS``).

    Returns
    -------
    points : (P, 2) positions (x right, y up) in a box of height 1, sampled every 0.15.
    shared : how many of the first points it shares with its partner letter (c and o share
        the first points of c, and so on): those points cannot be told apart from the past.
    """
    if isinstance(letter, bool) or not isinstance(letter, (int, np.integer)):
        raise TypeError(f"letter: expected an int index into LETTERS, got {letter!r}")
    if not 0 <= letter < len(LETTERS):
        raise ValueError(f"letter: expected an index in [0, {len(LETTERS)}), got {letter}")
    c = _arc(0.45, 0.45, 0.42, 50, 310)
    o = _arc(0.45, 0.45, 0.42, 50, 410)
    l_ = _lines([(0.1, 1.2), (0.1, 0.0)])
    b = _lines([(0.1, 1.2), (0.1, 0.0), (0.6, 0.0), (0.6, 0.5), (0.1, 0.5)])
    v = _lines([(0.0, 0.9), (0.35, 0.0), (0.7, 0.9)])
    w = _lines([(0.0, 0.9), (0.35, 0.0), (0.7, 0.9), (1.05, 0.0), (1.4, 0.9)])
    paths = [c, o, l_, b, v, w]
    shared = len(paths[letter - letter % 2])  # the shorter letter of the pair is its prefix
    return paths[letter].copy(), shared


def pen_trajectories(n: int, T: int = 60, jitter: float = 0.02, seed=0):
    """Generate ``n`` pen trajectories of ``T`` samples each, labelled with their letter.

    A trajectory writes random letters (uniform over ``LETTERS``) left to right, 0.25 apart,
    until it has ``T`` samples, and is cut there (its last letter may be unfinished). The
    pen is lifted between letters. Each trajectory gets its own scale (0.8-1.2), slant
    (shear 0-0.4) and tilt (-0.1..0.1 rad); every sample gets Gaussian jitter of standard
    deviation ``jitter`` (in letter heights).

    Parameters
    ----------
    n : number of trajectories (the batch axis B).
    T : samples per trajectory, at least 2.
    jitter : position noise, >= 0.
    seed : seeds everything (an int, or a tuple of ints).

    Returns
    -------
    inputs : (T, n, 3) float64 per step: the pen's move (dx, dy) since the previous sample,
        times 10 (so a move is about 1.5), and a pen-up flag (1 at the first sample of
        each letter: the pen was lifted to get there). The first move starts from (0, 0).
    labels : (T, n) int64 in 0..5, the letter each sample belongs to (index into LETTERS).
    points : (T, n, 2) the positions themselves, for drawing.
    ambiguous : (T, n) bool, True where the sample lies on a beginning shared with the
        partner letter (every sample of c, l, v and the first ones of o, b, w): there the
        past and present cannot tell the letter, only the future can.
    """
    n = check_positive_int("n", n)
    T = check_positive_int("T", T)
    if T < 2:
        raise ValueError(f"T: expected at least 2 samples, got {T}")
    jitter = check_number("jitter", jitter, low=0.0)
    rng = np.random.default_rng(seed)
    templates = [letter_template(k) for k in range(len(LETTERS))]
    points = np.empty((T, n, 2))
    labels = np.empty((T, n), dtype=np.int64)
    pen_up = np.zeros((T, n))
    ambiguous = np.zeros((T, n), dtype=bool)
    for b in range(n):
        t, x0 = 0, 0.0
        while t < T:
            k = int(rng.integers(len(LETTERS)))
            path, shared = templates[k]
            m = min(len(path), T - t)
            points[t : t + m, b] = path[:m] + (x0, 0.0)
            labels[t : t + m, b] = k
            pen_up[t, b] = 1.0
            ambiguous[t : t + min(shared, m), b] = True
            x0 += path[:, 0].max() + 0.25
            t += m
        scale = rng.uniform(0.8, 1.2)
        slant = rng.uniform(0.0, 0.4)
        tilt = rng.uniform(-0.1, 0.1)
        c, s = np.cos(tilt), np.sin(tilt)
        warp = scale * np.array([[c, -s], [s, c]]) @ np.array([[1.0, slant], [0.0, 1.0]])
        points[:, b] = points[:, b] @ warp.T
    points += jitter * rng.standard_normal(points.shape)
    moves = np.diff(points, axis=0, prepend=np.zeros((1, n, 2))) * 10.0
    inputs = np.concatenate([moves, pen_up[:, :, None]], axis=2)
    return inputs, labels, points, ambiguous
