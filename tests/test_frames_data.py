"""Tests of the generated frame and pen data (actions, frames, handwriting) and their figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import rnn_book as rb
from rnn_book.data.actions import ACTIONS, SHAPES, action_videos, render_points, shape_points
from rnn_book.data.frames import FRAME_LABELS, motion_streams
from rnn_book.data.handwriting import LETTERS, letter_template, pen_trajectories


def _centroids(frames, size):
    """(T, N, size*size) noise-free frames -> (T, N, 2) brightness centroids (x, y)."""
    img = frames.reshape(*frames.shape[:2], size, size)
    grid = np.arange(size)
    mass = img.sum(axis=(2, 3))
    x = (img.sum(axis=2) * grid).sum(-1) / mass
    y = (img.sum(axis=3) * grid).sum(-1) / mass
    return np.stack([x, y], axis=-1)


# ----------------------------------------------------------------------------- actions


def test_action_videos_shapes_and_determinism():
    v, y = action_videos(30, frames=6, size=11, seed=3)
    assert v.shape == (6, 30, 121) and v.dtype == np.float64
    assert y.shape == (30,) and y.dtype == np.int64 and set(y) <= set(range(len(ACTIONS)))
    v2, y2 = action_videos(30, frames=6, size=11, seed=3)
    assert np.array_equal(v, v2) and np.array_equal(y, y2)
    v3, _ = action_videos(30, frames=6, size=11, seed=4)
    assert not np.array_equal(v, v3)


def test_action_videos_are_balanced():
    _, y = action_videos(100, seed=0)
    counts = np.bincount(y, minlength=len(ACTIONS))
    assert counts.max() - counts.min() <= 1
    _, y = action_videos(700, seed=1, balanced=False)
    assert np.all(np.bincount(y, minlength=len(ACTIONS)) > 60)


def test_noise_free_actions_do_what_their_names_say():
    size = 12
    v, y = action_videos(140, noise=0.0, size=size, seed=5)
    assert v.min() >= 0.0 and v.max() <= 1.0
    c = _centroids(v, size)
    step = c[-1] - c[0]  # (N, 2) displacement of the centroid over the video
    assert np.all(step[y == 0, 0] < -2) and np.all(step[y == 1, 0] > 2)
    assert np.all(step[y == 2, 1] < -2) and np.all(step[y == 3, 1] > 2)
    mass = v.sum(axis=2)
    assert np.all(mass[-1, y == 4] > 1.1 * mass[0, y == 4])  # grows
    still = y == 6
    assert np.array_equal(v[0, still], v[-1, still])
    rotating = y == 5
    assert np.all(np.abs(v[1, rotating] - v[0, rotating]).max(axis=1) > 0.3)
    assert np.all(np.abs(step[rotating]).max(axis=1) < 0.6)  # turns in place
    # the shape stays inside: the border pixels stay dark
    img = v.reshape(v.shape[0], v.shape[1], size, size)
    border = np.concatenate([img[..., 0, :], img[..., -1, :], img[..., :, 0], img[..., :, -1]], -1)
    assert border.max() < 0.5


def test_render_and_shapes():
    for s in range(len(SHAPES)):
        pts = shape_points(s)
        assert pts.ndim == 2 and pts.shape[1] == 2
        assert np.allclose(pts.mean(axis=0), 0.0)
        pts[:] = 99.0  # a fresh array every call
        assert not np.allclose(shape_points(s), 99.0)
    img = render_points(np.array([[[5.0, 3.0]]]), 8)
    assert img.shape == (1, 8, 8) and np.unravel_index(img[0].argmax(), (8, 8)) == (3, 5)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"n": 0}, ValueError),
        ({"n": True}, TypeError),
        ({"n": 2.5}, TypeError),
        ({"n": 5, "frames": 1}, ValueError),
        ({"n": 5, "size": 6}, ValueError),
        ({"n": 5, "noise": -0.1}, ValueError),
        ({"n": 5, "noise": float("nan")}, ValueError),
    ],
)
def test_action_videos_bad_arguments(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs)) if len(kwargs) == 1 else None):
        action_videos(**kwargs)


def test_bad_shape_and_points():
    with pytest.raises(ValueError, match="shape"):
        shape_points(len(SHAPES))
    with pytest.raises(TypeError, match="shape"):
        shape_points(1.0)
    with pytest.raises(ValueError, match="points"):
        render_points(np.zeros((4, 3)), 8)


# ----------------------------------------------------------------------------- frames


def test_motion_streams_shapes_determinism_and_balance():
    v, y = motion_streams(40, frames=50, seed=2)
    assert v.shape == (50, 40, 144) and y.shape == (50, 40) and y.dtype == np.int64
    assert np.all(y[0] == 0) and set(np.unique(y)) == set(range(len(FRAME_LABELS)))
    v2, y2 = motion_streams(40, frames=50, seed=2)
    assert np.array_equal(v, v2) and np.array_equal(y, y2)
    assert not np.array_equal(y, motion_streams(40, frames=50, seed=3)[1])
    share = np.bincount(y.ravel(), minlength=len(FRAME_LABELS)) / y.size
    assert np.all(share > 0.1) and np.all(share < 0.45)


def test_motion_stream_labels_describe_the_last_move():
    size = 12
    v, y = motion_streams(20, frames=60, noise=0.0, seed=7)
    c = _centroids(v, size)
    move = np.diff(c, axis=0)  # (T-1, N, 2): from frame t-1 to frame t
    lab = y[1:]
    assert np.allclose(move[lab == 0], 0.0)
    assert np.all(move[lab == 1][:, 0] < -0.5) and np.all(move[lab == 2][:, 0] > 0.5)
    assert np.all(move[lab == 3][:, 1] < -0.5) and np.all(move[lab == 4][:, 1] > 0.5)
    img = v.reshape(60, 20, size, size)
    assert img[..., 0, :].max() < 0.5 and img[..., :, -1].max() < 0.5  # stays inside


def test_motion_segments_have_the_requested_lengths():
    def switch_rate(segment):
        _, y = motion_streams(30, frames=100, segment=segment, seed=1)
        return np.mean(y[2:] != y[1:-1])

    assert switch_rate((1, 1)) > 0.5  # a new action every frame (often a different one)
    assert switch_rate((12, 12)) < 0.15  # at most one switch in 12 frames, plus wall stops


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n": 0}, "n"),
        ({"n": 3, "frames": 1}, "frames"),
        ({"n": 3, "size": 9}, "size"),
        ({"n": 3, "noise": -1.0}, "noise"),
        ({"n": 3, "segment": (0, 4)}, "segment"),
        ({"n": 3, "segment": (6, 4)}, "segment"),
        ({"n": 3, "segment": (2.0, 4)}, "segment"),
        ({"n": 3, "segment": 5}, "segment"),
    ],
)
def test_motion_streams_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        motion_streams(**kwargs)


# ----------------------------------------------------------------------------- handwriting


def test_letter_pairs_share_their_beginnings():
    for k in range(len(LETTERS)):
        path, shared = letter_template(k)
        partner, _ = letter_template(k - k % 2)  # c, l, v
        assert path.ndim == 2 and path.shape[1] == 2
        assert np.allclose(path[:shared], partner[:shared])
        steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
        assert np.all((steps > 0.1) & (steps < 0.2)), LETTERS[k]  # a fixed pen speed
    for short in (0, 2, 4):
        assert letter_template(short)[1] == len(letter_template(short)[0])
        long_path, shared = letter_template(short + 1)
        assert len(long_path) > shared  # the longer letter goes on after the shared part


def test_pen_trajectories_shapes_determinism_and_balance():
    x, y, pts, amb = pen_trajectories(200, T=40, seed=1)
    assert x.shape == (40, 200, 3) and y.shape == (40, 200) and pts.shape == (40, 200, 2)
    assert amb.shape == (40, 200) and amb.dtype == bool
    assert np.all(x[0, :, 2] == 1.0) and set(np.unique(x[..., 2])) == {0.0, 1.0}
    again = pen_trajectories(200, T=40, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip((x, y, pts, amb), again))
    assert not np.array_equal(y, pen_trajectories(200, T=40, seed=2)[1])
    share = np.bincount(y.ravel(), minlength=len(LETTERS)) / y.size
    assert np.all(share > 0.05)
    assert np.allclose(np.cumsum(x[..., :2], axis=0) / 10.0, pts)  # moves add up to positions
    # every sample of c, l, v is ambiguous; o, b, w have both kinds
    assert np.all(amb[np.isin(y, [0, 2, 4])])
    long_letters = np.isin(y, [1, 3, 5])
    assert amb[long_letters].any() and (~amb[long_letters]).any()


@pytest.mark.parametrize(
    "kwargs, match",
    [({"n": 0}, "n"), ({"n": 2, "T": 1}, "T"), ({"n": 2, "jitter": -0.1}, "jitter")],
)
def test_pen_trajectories_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pen_trajectories(**kwargs)


def test_letter_template_bad_index():
    with pytest.raises(ValueError, match="letter"):
        letter_template(6)
    with pytest.raises(TypeError, match="letter"):
        letter_template("c")


# ----------------------------------------------------------------------------- figures


def test_frame_figures_draw_and_check_their_input():
    v, y = action_videos(14, seed=0)
    fig = rb.figures.draw_action_frames(v, y, ACTIONS, frames=[0, 3, 7])
    assert len(fig.axes) == len(ACTIONS) * 3
    plt.close(fig)
    fig = rb.figures.draw_label_strips(
        {"a": np.array([0, 1, 4]), "b": np.zeros(3, int)}, FRAME_LABELS
    )
    plt.close(fig)
    _, lab, pts, _ = pen_trajectories(1, T=30, seed=0)
    fig = rb.figures.draw_pen_labels(pts[:, 0], {"真实": lab[:, 0]}, LETTERS)
    assert len(fig.axes) == 1
    plt.close(fig)
    with pytest.raises(ValueError, match="videos"):
        rb.figures.draw_action_frames(v[0], y, ACTIONS)
    with pytest.raises(ValueError, match="rows"):
        rb.figures.draw_label_strips({"a": np.zeros(3, int), "b": np.zeros(4, int)}, FRAME_LABELS)
    with pytest.raises(ValueError, match="panels"):
        rb.figures.draw_pen_labels(pts[:, 0], {"x": lab[:5, 0]}, LETTERS)


# ----------------------------------------------------------------------------- chapter helpers


def test_structures_frames_features_and_scores():
    from rnn_book.chapters import structures_frames as ch

    v = np.arange(3 * 2 * 4, dtype=float).reshape(3, 2, 4)
    assert np.allclose(ch.mean_frames(v), v.mean(axis=0))
    flat = ch.all_frames(v)
    assert flat.shape == (2, 12) and np.array_equal(flat[1, 4:8], v[1, 1])
    pairs = ch.frame_pairs(v)
    assert pairs.shape == (6, 8)
    assert np.array_equal(pairs[2 * 2 + 1, :4], v[2, 1])  # row t * N + b
    assert np.array_equal(pairs[2 * 2 + 1, 4:], v[2, 1] - v[1, 1])
    assert np.all(pairs[:2, 4:] == 0)
    acc = ch.class_accuracy(np.array([0, 1, 1, 2]), np.array([0, 1, 0, 0]), 4)
    assert np.allclose(acc[:2], [1 / 3, 1.0]) and np.isnan(acc[2:]).all()
    with pytest.raises(ValueError, match="videos"):
        ch.mean_frames(v[0])
    with pytest.raises(ValueError, match="X, y"):
        ch.train_linear(np.zeros((4, 2)), np.zeros(3, int), 2)
    with pytest.raises(ValueError, match="labels"):
        ch.train_video_classifier(ch.make_video_classifier(4, 2), v, np.zeros(3, int))


def test_small_models_train_and_predict_with_the_right_shapes():
    from rnn_book.chapters import deep_bidirectional as db
    from rnn_book.chapters import structures_frames as ch

    v, y = action_videos(14, frames=4, size=10, seed=0)
    clf = ch.make_video_classifier(100, len(ACTIONS), hidden_size=4, seed=0)
    hist = ch.train_video_classifier(clf, v, y, epochs=1)
    assert len(hist["train_loss"]) == 1 and ch.predict(clf, v).shape == (14,)
    s, lab = motion_streams(3, frames=12, size=10, seed=0)
    tagger = ch.make_frame_tagger(100, len(FRAME_LABELS), hidden_size=4, seed=0)
    ch.train_frame_tagger(tagger, s, lab, epochs=1)
    assert ch.predict(tagger, s).shape == (12, 3)
    x, letters, _, amb = pen_trajectories(8, T=20, seed=0)
    for bi in (False, True):
        model = db.train_pen_tagger(x, letters, bidirectional=bi, hidden_size=4, epochs=1)
        pred = db.predict_letters(model, x)
        assert pred.shape == (20, 8)
        scores = db.letter_scores(pred, letters, amb)
        assert set(scores) == {"all", "ambiguous", "clear"}
    point = db.train_point_classifier(x, letters, epochs=1)
    assert db.predict_letters(point, x).shape == (20, 8)
    with pytest.raises(ValueError, match="inputs, labels"):
        db.train_pen_tagger(x, letters[:5], bidirectional=True)
    with pytest.raises(ValueError, match="pred, labels, ambiguous"):
        db.letter_scores(pred, letters, amb[:3])
