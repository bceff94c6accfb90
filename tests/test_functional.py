"""Stable activations: exact where it matters, no overflow warnings for huge inputs."""

import warnings

import numpy as np

from rnn_book import functional as F


def test_sigmoid_matches_definition_and_is_stable():
    x = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(F.sigmoid(x), 1.0 / (1.0 + np.exp(-x)), rtol=1e-12, atol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = F.sigmoid(np.array([-1e4, -1001.0, 0.0, 1001.0, 1e4]))
    assert np.array_equal(s, [0.0, 0.0, 0.5, 1.0, 1.0])


def test_softmax_and_log_softmax_are_stable():
    x = np.array([[1e4, 1e4 - 1.0, -1e4], [0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = F.softmax(x)
        lp = F.log_softmax(x)
    assert np.all(np.isfinite(lp))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(lp), p, rtol=1e-12)
    np.testing.assert_allclose(p[0, :2], [1 / (1 + np.exp(-1)), 1 / (1 + np.exp(1))], rtol=1e-12)


def test_relu_and_tanh():
    x = np.array([-2.0, 0.0, 3.0])
    assert np.array_equal(F.relu(x), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(F.tanh(x), np.tanh(x))
