"""Tiny generated videos of a shape that moves, grows, rotates or stands still (action recognition).

Nothing here is filmed: every video is drawn by code from a seed. A shape is a small cloud of
points (a bar, an L, a T or a triangle); a frame renders it as soft blobs on a ``size`` x
``size`` grid (values in [0, 1]) and adds Gaussian pixel noise. The action is what happens to
the cloud from frame to frame: a translation, a growth, a rotation, or nothing.
``render_points`` is shared with ``rnn_book.data.frames`` (the 100-frame streams).
"""

from __future__ import annotations

import itertools

import numpy as np

from rnn_book._validate import check_number, check_positive_int

__all__ = [
    "ACTIONS",
    "SHAPES",
    "action_videos",
    "check_video_args",
    "render_points",
    "shape_points",
]

#: The class names in label order (0 left, 1 right, 2 up, 3 down, 4 grow, 5 rotate, 6 still).
ACTIONS = ("左移", "右移", "上移", "下移", "变大", "旋转", "静止")

#: The shapes a video may show, as index -> name.
SHAPES = ("bar", "L", "T", "triangle")

_STEP = 0.5  # spacing of the points along a shape's strokes, in pixels at scale 1


def _polyline(corners) -> np.ndarray:
    corners = np.asarray(corners, dtype=np.float64)
    pts = [corners[0]]
    for a, b in itertools.pairwise(corners):
        n = max(1, int(np.ceil(np.linalg.norm(b - a) / _STEP)))
        pts.extend(a + (b - a) * (k / n) for k in range(1, n + 1))
    return np.array(pts)


def shape_points(shape: int) -> np.ndarray:
    """The point cloud of shape ``shape`` (an index into ``SHAPES``), centred at 0.

    Returns (P, 2) float coordinates (x right, y down) in pixels at scale 1; the shape spans
    about 4 pixels.
    """
    if isinstance(shape, bool) or not isinstance(shape, (int, np.integer)):
        raise TypeError(f"shape: expected an int index into SHAPES, got {shape!r}")
    if not 0 <= shape < len(SHAPES):
        raise ValueError(f"shape: expected an index in [0, {len(SHAPES)}), got {shape}")
    strokes = {
        0: [[(-2.0, 0.0), (2.0, 0.0)]],
        1: [[(-1.0, -2.0), (-1.0, 1.5), (1.5, 1.5)]],
        2: [[(-2.0, -1.5), (2.0, -1.5)], [(0.0, -1.5), (0.0, 2.0)]],
        3: [[(-2.0, 1.5), (2.0, 1.5), (0.0, -2.0), (-2.0, 1.5)]],
    }[int(shape)]
    pts = np.concatenate([_polyline(s) for s in strokes])
    return pts - pts.mean(axis=0)  # a new array on every call


def render_points(points, size: int, width: float = 0.6) -> np.ndarray:
    """Draw point clouds as soft strokes: points (..., P, 2) -> images (..., size, size).

    Pixel (row r, column c) has centre (x, y) = (c, r). Every point adds a Gaussian blob
    exp(-d^2 / (2 width^2)) (d: distance to the pixel centre); the sum is divided by the sum
    that points 0.5 pixel apart along a line give, and clipped to 1, so a stroke is about 1
    bright and the background 0. (A blob is a product of a row and a column profile, so the
    sum over points is one matrix product per image.)
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim < 2 or pts.shape[-1] != 2:
        raise ValueError(f"points: expected shape (..., P, 2), got {pts.shape}")
    size = check_positive_int("size", size)
    grid = np.arange(size, dtype=np.float64)
    gx = np.exp(-((pts[..., 0, None] - grid) ** 2) / (2 * width**2))  # (..., P, size) columns
    gy = np.exp(-((pts[..., 1, None] - grid) ** 2) / (2 * width**2))  # (..., P, size) rows
    line = width * np.sqrt(2 * np.pi) / _STEP  # a long line of points, seen from its side
    return np.minimum(np.swapaxes(gy, -1, -2) @ gx / line, 1.0)


def _rotation(theta) -> np.ndarray:
    c, s = np.cos(theta), np.sin(theta)
    return np.stack([np.stack([c, -s], -1), np.stack([s, c], -1)], -2)


def check_video_args(n, frames, size, noise) -> tuple[int, int, int, float]:
    """The checked (n, frames, size, noise) of a generator of moving-shape videos.

    n videos >= 1, frames >= 2 (motion needs two), size >= 10 pixels (a shape spans 5),
    noise >= 0; anything else raises with what was expected and what came.
    """
    n = check_positive_int("n", n)
    frames = check_positive_int("frames", frames)
    size = check_positive_int("size", size)
    if frames < 2:
        raise ValueError(f"frames: expected at least 2 frames (motion needs two), got {frames}")
    if size < 10:
        raise ValueError(f"size: expected at least 10 pixels (the shape spans 5), got {size}")
    noise = check_number("noise", noise, low=0.0)
    return n, frames, size, noise


def action_videos(
    n: int, frames: int = 8, size: int = 12, noise: float = 0.15, seed=0, balanced: bool = True
):
    """Generate ``n`` short videos, each showing one action (a generated data set).

    Every video draws one shape (random among ``SHAPES``, random orientation, scale 0.9-1.2,
    brightness 0.7-1) and applies one action over ``frames`` frames:

    * 左移/右移/上移/下移 (0-3): a translation of 0.6-1 pixel per frame (slower when the
      shape would otherwise leave the frame);
    * 变大 (4): the scale grows from 0.5 by a factor 2.6-3.2 over the video;
    * 旋转 (5): a rotation of 35-50 degrees per frame, clockwise or anticlockwise;
    * 静止 (6): the shape does not move (but the noise changes every frame).

    Start positions are drawn so that the shape stays inside the frame. Gaussian noise of
    standard deviation ``noise`` is added to every pixel of every frame.

    Parameters
    ----------
    n : number of videos (the batch axis B).
    frames : T, frames per video (at least 2).
    size : frames are size x size pixels (at least 10).
    noise : pixel noise standard deviation, >= 0.
    seed : seeds everything (an int, or a tuple of ints, e.g. (split, seed)).
    balanced : True gives every action n // 7 or n // 7 + 1 videos (shuffled); False draws
        each label independently.

    Returns
    -------
    videos : (T, n, size * size) float64, frame t of video b flattened row by row.
    labels : (n,) int64 in 0..6, indices into ``ACTIONS``.
    """
    n, frames, size, noise = check_video_args(n, frames, size, noise)
    rng = np.random.default_rng(seed)
    K = len(ACTIONS)
    if balanced:
        labels = rng.permutation(np.arange(n) % K)
    else:
        labels = rng.integers(0, K, size=n)
    shapes = rng.integers(len(SHAPES), size=n)
    turn = rng.uniform(0, 2 * np.pi, size=n)  # the shape's orientation
    size0 = rng.uniform(0.9, 1.2, size=n)  # and its scale
    speed = rng.uniform(0.6, 1.0, size=n)  # pixels per frame (moves)
    growth = rng.uniform(2.6, 3.2, size=n)  # factor over the video (变大, from scale 0.5)
    spin = np.deg2rad(rng.uniform(35, 50, size=n)) * rng.choice([-1.0, 1.0], size=n)
    bright = rng.uniform(0.7, 1.0, size=n)
    place = rng.random((n, 2))  # where in its allowed box the start centre falls
    t = np.arange(frames, dtype=np.float64)  # (T,)
    move = labels < 4
    shift = np.zeros((n, frames, 2))
    direction = np.array([(-1, 0), (1, 0), (0, -1), (0, 1)], dtype=np.float64)
    shift[move] = (speed[move, None] * t)[:, :, None] * direction[labels[move]][:, None, :]
    scale = np.where((labels == 4)[:, None], 0.5 * growth[:, None] ** (t / (frames - 1)), 1.0)
    angle = np.where((labels == 5)[:, None], spin[:, None] * t, 0.0)  # (n, T)
    videos = np.empty((n, frames, size, size))
    for s in range(len(SHAPES)):
        idx = np.flatnonzero(shapes == s)
        if idx.size == 0:
            continue
        base = shape_points(s)  # (P, 2)
        rot = _rotation(turn[idx][:, None] + angle[idx])  # (m, T, 2, 2)
        pts = (
            np.einsum("mtij,pj->mtpi", rot, base) * (size0[idx, None] * scale[idx])[..., None, None]
        )
        # a move that would carry the shape out of the frame is slowed down until it fits
        extent = pts.max(axis=(1, 2)) - pts.min(axis=(1, 2))  # (m, 2)
        travel = np.abs(shift[idx, -1])  # (m, 2)
        room = np.maximum(size - 3.0 - extent, 0.0)
        fit = np.min(np.where(travel > 0, room / np.maximum(travel, 1e-12), 1.0), axis=1)
        pts += shift[idx][:, :, None, :] * np.minimum(fit, 1.0)[:, None, None, None]
        # a start centre that keeps every frame's points at least 1 pixel inside
        low = 1.0 - pts.min(axis=(1, 2))
        high = np.maximum(low, size - 2.0 - pts.max(axis=(1, 2)))
        centre = low + place[idx] * (high - low)  # (m, 2)
        drawn = render_points(pts + centre[:, None, None, :], size)
        videos[idx] = drawn * bright[idx, None, None, None]
    videos = np.ascontiguousarray(videos.transpose(1, 0, 2, 3))  # (T, n, size, size)
    videos += noise * rng.standard_normal(videos.shape)
    return videos.reshape(frames, n, size * size), labels.astype(np.int64)
