"""Tests of the LSTM/GRU chapters' experiments, the results file and the gate widget."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.chapters import lstm as long_range
from rnn_book.figures.gate_view import GateView, gate_trace

RESULTS = Path(__file__).resolve().parents[1] / "book" / "results" / "long_range.json"

# The slice rerun below must reproduce the stored numbers. Same code, same seeds: on one
# machine they are bit-identical. On another CPU or BLAS the matmul summation order (and FMA
# use) changes results in the last bit, and 600 Adam steps can amplify that, so the rerun is
# compared with tolerances sized by measurement, not bitwise.
#
# Measured (12-2026, this machine): five stored runs (adding: gru T=10 seed 0, rnn T=10,
# lstm T=25; recall: lstm+3.0 T=10 seed 1, lstm T=25) rerun under perturbations standing in
# for another BLAS: (a) OPENBLAS_NUM_THREADS=2 instead of 1; (b) every initial parameter
# moved by +-1 ulp (4 draws); (c) every nonzero input moved by +-1 ulp (4 draws); (d) every
# gradient moved by +-1 ulp before each of the 600 Adam steps (4 draws).
# - (a) was bit-identical.
# - held-out MSE, largest relative change at any point of the curve: 3.1e-14 for the gru
#   slice tested here; 5.0e-7 (rnn T=10) and 8.6e-7 (lstm T=25) elsewhere, growing about
#   10x per 100 steps once the loss leaves its plateau.
# - accuracy: not one of the 1000 held-out predictions changed in any perturbed run.
# A real change moves these numbers far more: the three training seeds of the gru slice
# differ by 9-40 % in MSE, and a broken recall model drops from 1.0 to chance (0.5).
# Tolerances: MSE (every curve point) within MSE_RTOL relative, > 1000x the largest
# perturbation measured, and checked below to be narrower than the spread between the stored
# seeds; accuracy within ACC_EXAMPLES held-out examples (measured: 0); "solved" equal unless
# the stored metric lies within that tolerance of the threshold.
MSE_RTOL = 1e-3
ACC_EXAMPLES = 3


# ---------------------------------------------------------------- broken LSTM
def test_broken_lstm_fails_gradient_check_and_correct_lstm_passes():
    good = long_range.subtraction_gradient_check("lstm", seed=0)
    bad = long_range.subtraction_gradient_check("broken_lstm", seed=0)
    assert set(good) == {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}
    assert max(good.values()) < 1e-7
    assert min(bad.values()) > 1e-2


def test_broken_lstm_has_the_same_forward_and_differs_only_in_backward():
    x = np.random.default_rng(1).standard_normal((7, 3, 2))
    good, bad = (
        long_range.make_cell("lstm", 2, 4, seed=5),
        long_range.make_cell("broken_lstm", 2, 4, seed=5),
    )
    out_g, (_, c_g) = good.forward(x)
    out_b, (_, c_b) = bad.forward(x)
    np.testing.assert_array_equal(out_g, out_b)
    np.testing.assert_array_equal(c_g, c_b)
    dout = np.random.default_rng(2).standard_normal(out_g.shape)
    dx_g, _ = good.backward(dout)
    dx_b, _ = bad.backward(dout)
    # the last step sees no carried dc in either, so it agrees; earlier steps must not
    np.testing.assert_allclose(dx_g[-1], dx_b[-1], rtol=1e-12, atol=1e-14)
    assert rb.relative_error(dx_g[:-2], dx_b[:-2]) > 1e-3


def test_subtraction_encoding_is_exact():
    tr, te = rb.data.subtraction_split(0)
    pairs = np.concatenate([tr, te])
    assert len(pairs) == 136 and len(te) == 40
    assert len({tuple(p) for p in pairs}) == 136
    x, y = rb.data.encode_subtraction(pairs[:, 0], pairs[:, 1])
    assert x.shape == (4, 136, 2) and y.shape == (4, 136)
    weights = (2 ** np.arange(4))[:, None]
    np.testing.assert_array_equal((x[:, :, 0] * weights).sum(0), pairs[:, 0])
    np.testing.assert_array_equal((x[:, :, 1] * weights).sum(0), pairs[:, 1])
    np.testing.assert_array_equal((y * weights).sum(0), pairs[:, 0] - pairs[:, 1])
    with pytest.raises(ValueError, match="b <= a"):
        rb.data.encode_subtraction(np.array([3]), np.array([4]))


@pytest.mark.parametrize("cell", ["lstm", "broken_lstm"])
def test_subtraction_is_solved_by_both_the_correct_and_the_broken_lstm(cell):
    result = long_range.train_subtraction(cell, seed=0, epochs=200)
    assert result["train_acc"] == 1.0
    # held-out pairs: at most 2 of the 40 wrong for either model; the task cannot expose the bug
    assert result["test_acc"] >= 0.95


# ---------------------------------------------------------------- tasks
def test_adding_problem_markers_and_targets():
    rng = np.random.default_rng(0)
    x, y = long_range.adding_batch(500, 12, rng)
    assert x.shape == (12, 500, 2) and y.shape == (500, 1)
    marks = x[:, :, 1]
    np.testing.assert_array_equal(marks.sum(0), 2.0)
    np.testing.assert_array_equal(marks[:6].sum(0), 1.0)  # one marker in each half
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * marks).sum(0), rtol=1e-15)
    _, y_big = long_range.adding_batch(200_000, 10, np.random.default_rng(1))
    assert abs(np.mean((y_big - 1.0) ** 2) - long_range.ADDING_BASELINE_MSE) < 3e-3


def test_delayed_recall_shows_the_symbol_only_at_the_first_step():
    x, y = rb.data.delayed_recall(100, 9, np.random.default_rng(0), num_symbols=3, noise=0.5)
    assert x.shape == (9, 100, 4) and y.shape == (100,)
    np.testing.assert_array_equal(np.argmax(x[0, :, :3], axis=1), y)
    np.testing.assert_array_equal(x[0, :, :3].sum(1), 1.0)
    np.testing.assert_array_equal(x[1:, :, :3], 0.0)


def test_held_out_set_does_not_depend_on_the_training_seed():
    a = long_range.held_out_set("adding", 10, 50)
    b = long_range.held_out_set("adding", 10, 50)
    np.testing.assert_array_equal(a[0], b[0])
    train_x, _ = long_range.adding_batch(50, 10, np.random.default_rng(0))
    assert not np.allclose(a[0], train_x)


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="cell"):
        long_range.make_cell("transformer", 2, 3, seed=0)
    with pytest.raises(ValueError, match="gate_bias"):
        long_range.make_cell("rnn", 2, 3, seed=0, gate_bias=1.0)
    with pytest.raises(TypeError, match="layer"):
        long_range.set_gate_bias(rb.RNN(2, 3), 1.0)
    with pytest.raises(ValueError, match="task"):
        long_range.run("parity", "lstm", 10, 0)
    with pytest.raises(ValueError, match="settings"):
        long_range.run("adding", "lstm", 10, 0, hidden=3)


def test_gate_bias_sets_the_forget_gate_of_the_lstm_and_the_update_gate_of_the_gru():
    for cell in ("lstm", "gru"):
        layer = long_range.make_cell(cell, 2, 5, seed=0, gate_bias=3.0)
        total = layer.params["bias_ih_l0"] + layer.params["bias_hh_l0"]
        np.testing.assert_array_equal(total[5:10], 3.0)
        fresh = long_range.make_cell(cell, 2, 5, seed=0)
        np.testing.assert_array_equal(
            layer.params["bias_ih_l0"][:5], fresh.params["bias_ih_l0"][:5]
        )


# ---------------------------------------------------------------- results file
@pytest.fixture(scope="module")
def results():
    if not RESULTS.exists():
        pytest.fail(f"{RESULTS} is missing: run scripts/run_long_range.py")
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def test_results_file_records_the_whole_grid(results):
    cfg = results["config"]
    assert len(cfg["seeds"]) >= 3 and len(cfg["lengths"]) >= 3
    assert results["seconds"] > 0 and "command" in results
    keys = {(r["task"], r["cell"], r["gate_bias"], r["T"], r["seed"]) for r in results["runs"]}
    expected = {
        (task, cell, bias, T, seed)
        for task in cfg["tasks"]
        for cell, bias in cfg["models"]
        for T in cfg["lengths"]
        for seed in cfg["seeds"]
    }
    assert keys == expected
    for r in results["runs"]:
        assert r["settings"] == cfg["settings"]
        assert r["solved"] == long_range.solved(r["task"], r["metric"])
        assert r["seconds"] > 0


def _close(task: str, fresh: float, stored: float, n_test: int) -> bool:
    """Within the rerun tolerance: MSE_RTOL relative (adding), ACC_EXAMPLES examples (recall)."""
    if task == "adding":
        return abs(fresh - stored) <= MSE_RTOL * abs(stored)
    return abs(fresh - stored) * n_test <= ACC_EXAMPLES + 1e-9


def _threshold(task: str) -> float:
    # the boundary of long_range.solved, found from the function itself rather than retyped
    lo, hi = (0.0, 1.0)
    for _ in range(60):
        mid = (lo + hi) / 2
        if long_range.solved(task, mid) == long_range.solved(task, lo):
            lo = mid
        else:
            hi = mid
    return hi


@pytest.mark.parametrize(
    "task, cell, gate_bias, length_index, seed_index",
    [("adding", "gru", None, 0, 0), ("recall", "lstm", 3.0, 0, 1)],
)
def test_a_slice_of_the_sweep_reproduces_the_results_file(
    results, task, cell, gate_bias, length_index, seed_index
):
    cfg = results["config"]
    assert [cell, gate_bias] in cfg["models"], f"{cell} {gate_bias} not in the sweep"
    T, seeds = cfg["lengths"][length_index], cfg["seeds"]
    seed = seeds[seed_index % len(seeds)]
    runs = {
        r["seed"]: r
        for r in results["runs"]
        if (r["task"], r["cell"], r["gate_bias"], r["T"]) == (task, cell, gate_bias, T)
    }
    stored = runs[seed]
    n_test = stored["settings"]["n_test"]
    fresh = long_range.run(task, cell, T, seed, gate_bias, **stored["settings"])
    assert [s for s, _ in fresh["curve"]] == [s for s, _ in stored["curve"]]
    for (step, got), (_, want) in zip(fresh["curve"], stored["curve"], strict=True):
        assert _close(task, got, want, n_test), f"step {step}: rerun {got!r}, stored {want!r}"
    assert fresh["metric"] == fresh["curve"][-1][1]
    if not _close(task, _threshold(task), stored["metric"], n_test):
        assert fresh["solved"] == stored["solved"]
    # The tolerance still sees a real change: another training seed falls outside it.
    if task == "adding":
        for other, r in runs.items():
            if other != seed:
                assert not _close(task, r["metric"], stored["metric"], n_test), (
                    f"seeds {seed} and {other} agree within MSE_RTOL = {MSE_RTOL}: "
                    "the tolerance could not tell them apart"
                )


# ---------------------------------------------------------------- gradient flow
def test_gradient_profile_vanishes_for_rnn_and_default_lstm_but_not_for_open_forget_gate():
    rnn = long_range.input_gradient_profile("rnn", T=60, batch=8)
    lstm = long_range.input_gradient_profile("lstm", T=60, batch=8)
    open_f = long_range.input_gradient_profile("lstm", T=60, batch=8, gate_bias=3.0)
    broken = long_range.input_gradient_profile("broken_lstm", T=60, batch=8, gate_bias=3.0)
    assert rnn.shape == (60,)
    assert rnn[50] / rnn[0] < 1e-6
    assert lstm[50] / lstm[0] < 1e-6
    assert open_f[50] / open_f[0] > 1e-2  # the cell path carries the gradient when f ~ 1
    assert broken[50] < 1e-6 * open_f[50]  # ... and only the cell path does


def test_gradient_profile_explodes_for_lstm_with_a_large_recurrent_matrix():
    big = long_range.input_gradient_profile("lstm", T=100, batch=8, w_scale=8.0)
    assert big[99] > 100 * big[0]


def test_clipping_keeps_lstm_training_finite_where_plain_sgd_blows_up():
    free = long_range.clipping_run("lstm", clip=None, steps=120)
    clipped = long_range.clipping_run("lstm", clip=1.0, steps=120)
    assert np.nanmax(free["grad_norm"]) > 1e6 or free["diverged"] is not None
    assert clipped["diverged"] is None
    assert np.all(clipped["loss"] < 10.0)


# ---------------------------------------------------------------- gate widget
@pytest.mark.parametrize("cls", [rb.LSTM, rb.GRU])
def test_gate_trace_equals_the_layer_forward(cls):
    layer = cls(3, 5, seed=4)
    for p in layer.params.values():  # nonzero biases of either sign
        p += 0.3 * np.random.default_rng(0).standard_normal(p.shape)
    x = np.random.default_rng(1).standard_normal((9, 3))
    tr = gate_trace(layer, x)
    out, state = layer.forward(x[:, None, :])
    np.testing.assert_allclose(tr["h"], out[:, 0], rtol=0, atol=1e-14)
    if cls is rb.LSTM:
        np.testing.assert_allclose(tr["c"][-1], state[1][0, 0], rtol=0, atol=1e-14)
        c_prev = np.vstack([np.zeros((1, 5)), tr["c"][:-1]])
        np.testing.assert_allclose(tr["c"], tr["f"] * c_prev + tr["i"] * tr["g"], atol=1e-15)
        np.testing.assert_allclose(tr["h"], tr["o"] * np.tanh(tr["c"]), atol=1e-15)
    else:
        h_prev = np.vstack([np.zeros((1, 5)), tr["h"][:-1]])
        np.testing.assert_allclose(tr["h"], (1 - tr["z"]) * tr["n"] + tr["z"] * h_prev, atol=1e-15)


def test_gate_view_frames_show_the_forward_pass_and_the_slider_drives_the_stack():
    pytest.importorskip("ipywidgets")
    layer = rb.LSTM(2, 4, seed=0)
    head = rb.Linear(4, 1, seed=1)
    xs, ys = long_range.adding_batch(3, 6, np.random.default_rng(0))
    view = GateView(layer, xs, sample=1, head=head, targets=ys[:, 0], input_labels=["v", "m"])
    box = view.box
    assert len(view.stack.children) == 6
    out, _ = layer.forward(xs)
    for t in (1, 4, 6):
        frame = view.stack.children[t - 1].value
        assert f"第 {t} 步（共 6 步）" in frame
        for u in range(4):
            assert f"{out[t - 1, 1, u]:.2f}" in frame
    pred = head.forward(out[:, 1])[:, 0]
    assert f"{pred[3]:+.3f}" in view.stack.children[3].value
    view.t_slider.value = 5
    assert view.stack.selected_index == 4 and view.step == 5
    old = view.stack.children[0].value
    view.sample_picker.value = 2  # live control: another sequence, every frame recomputed
    assert view.sample == 2 and view.stack.children[0].value != old
    for control in (view.t_slider, view.sample_picker):
        assert control.description
    assert sum(len(f.value) for f in view.stack.children) < 100_000
    assert box is view.box


def test_gate_view_rejects_bad_input():
    with pytest.raises(TypeError, match="layer"):
        GateView(rb.RNN(2, 3), np.zeros((4, 1, 2)))
    with pytest.raises(ValueError, match="xs"):
        GateView(rb.LSTM(2, 3), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="layer"):
        GateView(rb.GRU(2, 3, num_layers=2), np.zeros((4, 1, 2)))
    with pytest.raises(ValueError, match="x"):
        gate_trace(rb.LSTM(2, 3), np.zeros((4, 3)))


# ---------------------------------------------------------------- GRU conventions
def test_gru_conventions_pytorch_equals_layer_chung_is_a_relabelling_cho_differs():
    from rnn_book.chapters import gru as gc

    gru = rb.GRU(3, 4, seed=1)
    for p in gru.params.values():
        p += 0.3 * np.random.default_rng(2).standard_normal(p.shape)
    x = np.random.default_rng(3).standard_normal((8, 5, 3))
    out, _ = gru.forward(x)
    np.testing.assert_allclose(gc.gru_convention_forward(gru, x, "pytorch"), out, atol=1e-14)
    chung = gc.gru_convention_forward(gc.negate_update_gate(gru), x, "chung")
    np.testing.assert_allclose(chung, out, atol=1e-14)
    assert np.abs(gc.gru_convention_forward(gru, x, "cho") - out).max() > 1e-2
    with pytest.raises(ValueError, match="convention"):
        gc.gru_convention_forward(gru, x, "keras")


# ---------------------------------------------------------------- one-step Jacobians
@pytest.mark.parametrize("seed", [0, 1])
def test_cell_state_jacobian_formula_matches_central_differences(seed):
    formula, numeric = long_range.cell_state_jacobian(seed=seed, hidden_size=5)
    assert formula.shape == numeric.shape == (5, 5)
    assert rb.relative_error(formula, numeric) < 1e-7
    # the diagonal part diag(f) alone is not the whole Jacobian: the W terms matter
    off = formula - np.diag(np.diag(formula))
    assert np.abs(off).max() > 1e-3


@pytest.mark.parametrize("seed", [0, 1])
def test_gru_state_jacobian_formula_matches_central_differences(seed):
    from rnn_book.chapters import gru as gc

    formula, numeric = gc.gru_state_jacobian(seed=seed, hidden_size=5)
    assert formula.shape == numeric.shape == (5, 5)
    assert rb.relative_error(formula, numeric) < 1e-7


# ---------------------------------------------------------------- clipping run optimizer
def test_clipping_run_default_is_sgd_and_adam_is_an_option():
    sgd = long_range.clipping_run("lstm", clip=1.0, steps=5, T=10, hidden_size=4, batch=4)
    again = long_range.clipping_run(
        "lstm", clip=1.0, steps=5, T=10, hidden_size=4, batch=4, optimizer="sgd"
    )
    np.testing.assert_array_equal(sgd["loss"], again["loss"])
    adam = long_range.clipping_run(
        "lstm", clip=1.0, steps=5, T=10, hidden_size=4, batch=4, optimizer="adam", lr=0.01
    )
    assert np.all(np.isfinite(adam["loss"])) and adam["loss"][0] == sgd["loss"][0]
    assert not np.array_equal(adam["loss"], sgd["loss"])
    with pytest.raises(ValueError, match="optimizer"):
        long_range.clipping_run("lstm", steps=1, optimizer="rmsprop")
