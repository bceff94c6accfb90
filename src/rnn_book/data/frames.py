"""Long generated videos labelled frame by frame: which way did the shape just move?

A stream of ``frames`` frames (100 by default) shows one shape of ``rnn_book.data.actions``
that stands still or moves left, right, up or down, switching action every few frames. The
label of frame t is the motion that brought the shape from frame t-1 to frame t: one frame
alone shows where the shape is, not where it came from, so the labels need memory. Nothing
here is filmed; every stream is drawn by code from a seed.
"""

from __future__ import annotations

import numpy as np

from rnn_book.data.actions import (
    SHAPES,
    _rotation,
    check_video_args,
    render_points,
    shape_points,
)

__all__ = ["FRAME_LABELS", "motion_streams"]

#: The per-frame classes, in label order.
FRAME_LABELS = ("静止", "左移", "右移", "上移", "下移")

_DIRECTIONS = np.array([(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)], dtype=np.float64)


def motion_streams(
    n: int,
    frames: int = 100,
    size: int = 12,
    noise: float = 0.15,
    segment: tuple[int, int] = (4, 12),
    seed=0,
):
    """Generate ``n`` streams of ``frames`` noisy frames with a motion label for every frame.

    Each stream draws one shape (random among ``SHAPES``, orientation and scale 0.9-1.2,
    brightness 0.7-1) at a random place, then a sequence of segments. A segment lasts a
    random number of frames in ``segment`` (inclusive) and has one action: 静止 (stand still)
    with probability 0.2, otherwise a move of 0.7-1 pixel per frame to the left, right, up or
    down, drawn uniformly among the moves that keep the shape inside the frame for at least
    3 frames (a move that would leave the frame is cut short; with no such move, 静止). Gaussian noise of standard deviation ``noise`` is
    added to every pixel of every frame.

    The label of frame t >= 1 is the action of the move from frame t-1 to frame t; frame 0
    (nothing has moved yet) is labelled 静止.

    Parameters
    ----------
    n : number of streams (the batch axis B).
    frames : T, at least 2.
    size : frames are size x size pixels (at least 10).
    noise : pixel noise standard deviation, >= 0.
    segment : (shortest, longest) segment length in frames, 1 <= shortest <= longest.
    seed : seeds everything (an int, or a tuple of ints).

    Returns
    -------
    videos : (T, n, size * size) float64 frames, flattened row by row.
    labels : (T, n) int64 in 0..4, indices into ``FRAME_LABELS``.
    """
    n, frames, size, noise = check_video_args(n, frames, size, noise)
    if (
        not isinstance(segment, (tuple, list))
        or len(segment) != 2
        or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in segment)
        or not 1 <= segment[0] <= segment[1]
    ):
        raise ValueError(
            f"segment: expected (shortest, longest) ints with 1 <= shortest <= longest, "
            f"got {segment!r}"
        )
    rng = np.random.default_rng(seed)
    videos = np.empty((n, frames, size, size))
    labels = np.zeros((frames, n), dtype=np.int64)
    shapes = rng.integers(len(SHAPES), size=n)
    all_centres = np.empty((n, frames, 2))
    all_points = []
    for b in range(n):
        pts = shape_points(int(shapes[b]))
        pts = pts @ _rotation(rng.uniform(0, 2 * np.pi)).T * rng.uniform(0.9, 1.2)
        all_points.append(pts)
        low = 1.0 - pts.min(axis=0)  # the centre's allowed box: 1 pixel inside every edge
        high = size - 2.0 - pts.max(axis=0)
        centre = rng.uniform(low, high)
        centres = np.empty((frames, 2))
        centres[0] = centre
        t = 1
        while t < frames:
            length = min(int(rng.integers(segment[0], segment[1] + 1)), frames - t)
            speed = rng.uniform(0.7, 1.0)
            # how many frames each move can last before the shape would leave the box
            room = [length]
            for d in _DIRECTIONS[1:]:
                axis = 0 if d[0] else 1
                limit = high[axis] - centre[axis] if d[axis] > 0 else centre[axis] - low[axis]
                room.append(min(length, int(limit // speed)))
            moves = [a for a, r in enumerate(room) if a and r >= min(3, length)]
            still = not moves or rng.random() < 0.2
            action = 0 if still else int(rng.choice(moves))
            steps = room[action]
            for _ in range(steps):
                centre = centre + speed * _DIRECTIONS[action]
                centres[t] = centre
                labels[t, b] = action
                t += 1
        all_centres[b] = centres
    bright = rng.uniform(0.7, 1.0, size=n)
    for s in range(len(SHAPES)):  # one rendering call per shape (same number of points)
        idx = np.flatnonzero(shapes == s)
        if idx.size:
            pts = np.stack([all_points[b] for b in idx])  # (m, P, 2)
            drawn = render_points(pts[:, None] + all_centres[idx][:, :, None, :], size)
            videos[idx] = drawn * bright[idx, None, None, None]
    videos = np.ascontiguousarray(videos.transpose(1, 0, 2, 3))  # (T, n, size, size)
    videos += noise * rng.standard_normal(videos.shape)
    return videos.reshape(frames, n, size * size), labels
