"""Choosing the next symbol from a model's scores: temperature and top-k sampling.

A language model gives scores (logits) z over V symbols. Generation draws the next symbol from

    p_i = exp(z_i / tau) / sum_{j in K} exp(z_j / tau)   for i in K,   p_i = 0 otherwise,

where K holds the ``top_k`` highest scores (all V when ``top_k`` is None) and tau > 0 is the
temperature. tau -> 0 puts all mass on the best symbol (greedy); tau = 0 is that limit, taken
exactly (argmax). tau > 1 flattens the distribution, tau < 1 sharpens it.
"""

from __future__ import annotations

import numpy as np

from rnn_book._validate import check_number, check_positive_int
from rnn_book.functional import softmax

__all__ = ["sample_logits", "sampling_distribution"]


def sampling_distribution(logits, temperature: float = 1.0, top_k: int | None = None):
    """The distribution that ``sample_logits`` draws from.

    Parameters
    ----------
    logits : (V,) or (..., V) finite floats, the scores of V symbols on the last axis.
    temperature : tau >= 0; 0 gives a one-hot vector at the argmax (the first one on ties).
    top_k : None (keep all V) or an int in [1, V]: only the k highest scores keep mass.
        Ties at the k-th score are broken by position (the first ones are kept), so exactly
        k symbols have nonzero probability.

    Returns
    -------
    (..., V) float64 probabilities summing to 1 on the last axis.
    """
    z = np.array(logits, dtype=np.float64)
    if z.ndim < 1 or z.shape[-1] < 1:
        raise ValueError(f"logits: expected shape (..., V) with V >= 1, got {z.shape}")
    if not np.isfinite(z).all():
        raise ValueError("logits: expected finite scores, got NaN or inf")
    temperature = check_number("temperature", temperature, low=0.0)
    V = z.shape[-1]
    if top_k is not None:
        top_k = check_positive_int("top_k", top_k)
        if top_k > V:
            raise ValueError(f"top_k: expected an int in [1, V = {V}], got {top_k}")
        # positions of the k best scores; a stable sort keeps the first of equal scores
        order = np.argsort(-z, axis=-1, kind="stable")
        keep = np.zeros(z.shape, dtype=bool)
        np.put_along_axis(keep, order[..., :top_k], True, axis=-1)
    else:
        keep = np.ones(z.shape, dtype=bool)
    if temperature == 0.0:
        best = np.argmax(np.where(keep, z, -np.inf), axis=-1)
        probs = np.zeros(z.shape)
        np.put_along_axis(probs, best[..., None], 1.0, axis=-1)
        return probs
    return softmax(np.where(keep, z / temperature, -np.inf), axis=-1)


def sample_logits(logits, temperature: float = 1.0, top_k: int | None = None, rng=None) -> int:
    """Draw one symbol id from the scores ``logits`` (V,) with temperature and top-k.

    Parameters
    ----------
    logits : (V,) finite floats, the scores of one step.
    temperature, top_k : as for ``sampling_distribution``; temperature 0 returns the argmax
        without drawing.
    rng : a seed or ``np.random.Generator``.

    Returns
    -------
    An int in [0, V).
    """
    z = np.asarray(logits)
    if z.ndim != 1:
        raise ValueError(f"logits: expected the scores of one step, shape (V,), got {z.shape}")
    probs = sampling_distribution(z, temperature, top_k)
    if temperature == 0:
        return int(np.argmax(probs))
    return int(np.random.default_rng(rng).choice(probs.size, p=probs))
