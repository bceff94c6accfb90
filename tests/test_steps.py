"""The readable step functions against the fused kernels, and against central differences.

(a) Looping ``*_step_forward`` over T gives the fused ``*_forward``'s states, and
    accumulating ``*_step_backward`` gives the fused ``*_backward``'s dx, dh0 (dc0) and
    weight gradients, to 1e-12 (norm-wise relative error).
(b) Every step backward passes a central-difference gradient check (h = 1e-5, < 1e-7).
"""

from __future__ import annotations

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.elman import rnn_backward, rnn_forward
from rnn_book.gru import gru_backward, gru_forward
from rnn_book.lstm import lstm_backward, lstm_forward

T, B, D, H = 5, 3, 4, 3
EXACT = 1e-12
TOL = 1e-7

# name -> (number of gates G, whether there is a cell state)
CELLS = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}


def _problem(cell: str, bias: bool, seed: int = 0) -> dict:
    """Random float64 weights, nonzero biases and states, upstream gradients."""
    rng = np.random.default_rng(seed)
    G = CELLS[cell]
    p = {
        "x": rng.normal(size=(T, B, D)),
        "h0": rng.normal(size=(B, H)),
        "c0": rng.normal(size=(B, H)),
        "w_ih": rng.normal(scale=0.5, size=(G * H, D)),
        "w_hh": rng.normal(scale=0.5, size=(G * H, H)),
        "b_ih": rng.normal(size=G * H) if bias else None,
        "b_hh": rng.normal(size=G * H) if bias else None,
        "dhs": rng.normal(size=(T, B, H)),
        "dh_T": rng.normal(size=(B, H)),
        "dc_T": rng.normal(size=(B, H)),
    }
    return p


def _weights(p: dict) -> tuple:
    return p["w_ih"], p["w_hh"], p["b_ih"], p["b_hh"]


def _fused(cell: str, p: dict):
    """(hs, cs or None, dx, dh0, dc0 or None, dweights) from the fused kernels."""
    if cell.startswith("rnn"):
        nl = cell[4:]
        hs, cache = rnn_forward(p["x"], p["h0"], *_weights(p), nonlinearity=nl)
        dx, dh0, dw = rnn_backward(p["dhs"], p["dh_T"], cache)
        return hs, None, dx, dh0, None, dw
    if cell == "lstm":
        hs, cs, cache = lstm_forward(p["x"], p["h0"], p["c0"], *_weights(p))
        dx, dh0, dc0, dw = lstm_backward(p["dhs"], p["dh_T"], p["dc_T"], cache)
        return hs, cs, dx, dh0, dc0, dw
    hs, cache = gru_forward(p["x"], p["h0"], *_weights(p))
    dx, dh0, dw = gru_backward(p["dhs"], p["dh_T"], cache)
    return hs, None, dx, dh0, None, dw


def _looped(cell: str, p: dict):
    """The same quantities from a plain loop over the step functions (BPTT by hand)."""
    hs, cs, caches = [], [], []
    h, c = p["h0"], p["c0"]
    for t in range(T):
        if cell.startswith("rnn"):
            h, cache = rb.rnn_step_forward(p["x"][t], h, *_weights(p), nonlinearity=cell[4:])
        elif cell == "lstm":
            h, c, cache = rb.lstm_step_forward(p["x"][t], h, c, *_weights(p))
            cs.append(c)
        else:
            h, cache = rb.gru_step_forward(p["x"][t], h, *_weights(p))
        hs.append(h)
        caches.append(cache)
    dxs = [None] * T
    dw = [0.0, 0.0, 0.0, 0.0]
    dh, dc = p["dh_T"], p["dc_T"]
    for t in reversed(range(T)):
        dh = dh + p["dhs"][t]  # h_t feeds the output at t and step t+1
        if cell == "lstm":
            dxs[t], dh, dc, *dw_t = rb.lstm_step_backward(dh, dc, caches[t])
        elif cell == "gru":
            dxs[t], dh, *dw_t = rb.gru_step_backward(dh, caches[t])
        else:
            dxs[t], dh, *dw_t = rb.rnn_step_backward(dh, caches[t])
        dw = [None if d is None else s + d for s, d in zip(dw, dw_t, strict=True)]
    cs_out = np.stack(cs) if cs else None
    dc0 = dc if cell == "lstm" else None
    return np.stack(hs), cs_out, np.stack(dxs), dh, dc0, dw


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("cell", CELLS)
def test_looped_steps_equal_the_fused_kernels(cell, bias):
    p = _problem(cell, bias)
    fused, looped = _fused(cell, p), _looped(cell, p)
    names = ("hs", "cs", "dx", "dh0", "dc0")
    for name, a, b in zip(names, fused[:5], looped[:5], strict=True):
        if a is None:
            assert b is None, name
            continue
        assert rb.relative_error(a, b) < EXACT, (name, rb.relative_error(a, b))
    for name, a, b in zip(("dw_ih", "dw_hh", "db_ih", "db_hh"), fused[5], looped[5], strict=True):
        if not bias and name.startswith("db"):
            assert a is None and b is None
            continue
        assert rb.relative_error(a, b) < EXACT, (name, rb.relative_error(a, b))


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("cell", CELLS)
def test_step_backward_passes_gradcheck(cell, bias):
    rng = np.random.default_rng(1)
    p = _problem(cell, bias, seed=2)
    x_t, h_prev, c_prev = p["x"][0], p["h0"], p["c0"]
    gh, gc = rng.normal(size=(B, H)), rng.normal(size=(B, H))
    arrays = {"x_t": x_t, "h_prev": h_prev, "w_ih": p["w_ih"], "w_hh": p["w_hh"]}
    if bias:
        arrays.update(b_ih=p["b_ih"], b_hh=p["b_hh"])
    if cell == "lstm":
        arrays["c_prev"] = c_prev

    def step():
        if cell == "lstm":
            return rb.lstm_step_forward(x_t, h_prev, c_prev, *_weights(p))
        if cell == "gru":
            return rb.gru_step_forward(x_t, h_prev, *_weights(p))
        return rb.rnn_step_forward(x_t, h_prev, *_weights(p), nonlinearity=cell[4:])

    def loss():
        out = step()
        value = np.sum(out[0] * gh)
        return value + np.sum(out[1] * gc) if cell == "lstm" else value

    if cell == "lstm":
        dx, dh, dc, dw_ih, dw_hh, db_ih, db_hh = rb.lstm_step_backward(gh, gc, step()[2])
        analytic = {"c_prev": dc}
    else:
        backward = rb.gru_step_backward if cell == "gru" else rb.rnn_step_backward
        dx, dh, dw_ih, dw_hh, db_ih, db_hh = backward(gh, step()[1])
        analytic = {}
    analytic.update(x_t=dx, h_prev=dh, w_ih=dw_ih, w_hh=dw_hh)
    if bias:
        analytic.update(b_ih=db_ih, b_hh=db_hh)
    else:
        assert db_ih is None and db_hh is None
    errors = rb.gradcheck(loss, arrays, analytic, h=1e-5)
    assert max(errors.values()) < TOL, errors


def test_step_caches_have_named_fields():
    p = _problem("lstm", True)
    _, _, cache = rb.lstm_step_forward(p["x"][0], p["h0"], p["c0"], *_weights(p))
    assert cache.f.shape == (B, H) and np.shares_memory(cache.x_t, p["x"])
    _, _, seq = lstm_forward(p["x"], p["h0"], p["c0"], *_weights(p))
    assert seq.acts.shape == (4, T, B, H)
    np.testing.assert_array_equal(seq.step(2).f, seq.acts[1, 2])
