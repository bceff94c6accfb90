"""The pieces behind the page "训练循环网络" (book/chapters/training.md).

Truncated BPTT (``rb.bptt_windows``, ``rb.detach_state``, ``rb.train_truncated``): a stateful
run reads exactly what a full forward reads; detaching sends no gradient into the previous
window; a stateless run restarts every window. Clipping by value (``rb.clip_grad_value``).
Sampling (``rb.sampling_distribution``, ``rb.sample_logits``, ``CharLM.sample(top_k=...)``):
top-k never leaves the k best, temperature 0 is argmax. The chapter module's data, measures
and training loop (``rnn_book.chapters.training``).
"""

from __future__ import annotations

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.chapters import training as ch

V, T, B = 7, 10, 3


def _lm(cell="rnn", seed=0):
    return rb.CharLM(V, 5, cell=cell, embedding_dim=4, seed=seed)


def _ids(seed=0, shape=(T + 1, B)):
    return np.random.default_rng(seed).integers(0, V, size=shape)


# ------------------------------------------------------------------ windows and detaching
def test_bptt_windows_cover_the_sequence_in_order():
    ws = rb.bptt_windows(10, 4)
    assert [(w.start, w.stop) for w in ws] == [(0, 4), (4, 8), (8, 10)]
    assert rb.bptt_windows(10, None) == [slice(0, 10)]
    assert rb.bptt_windows(3, 5) == [slice(0, 3)]
    assert np.concatenate([np.arange(10)[w] for w in rb.bptt_windows(10, 3)]).tolist() == list(
        range(10)
    )


@pytest.mark.parametrize(
    "length, k, error",
    [(0, 2, ValueError), (5, 0, ValueError), (5, 2.0, TypeError), (5, True, TypeError)],
)
def test_bptt_windows_reject_bad_arguments(length, k, error):
    with pytest.raises(error, match="length|k"):
        rb.bptt_windows(length, k)


def test_detach_state_copies_arrays_and_tuples():
    h = np.ones((1, 2, 3))
    d = rb.detach_state(h)
    assert np.array_equal(d, h) and d is not h
    d[...] = 5
    assert h.max() == 1
    pair = rb.detach_state((h, 2 * h))
    assert isinstance(pair, tuple) and pair[0] is not h and np.array_equal(pair[1], 2 * h)
    assert rb.detach_state(None) is None


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("k", [1, 3, 4, None])
def test_stateful_truncated_forward_equals_full_forward(cell, k):
    model = _lm(cell)
    ids = _ids()
    full, _ = model.forward(ids[:-1])
    opt = rb.SGD([model], lr=0.0)  # lr 0: the parameters stay, so the windows see one model
    steps = rb.train_truncated(model, ids[:-1], ids[1:], k, rb.cross_entropy, opt)
    assert len(steps) == len(rb.bptt_windows(T, k))
    np.testing.assert_allclose(np.concatenate([s.outputs for s in steps]), full, atol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_detaching_sends_no_gradient_into_the_previous_window(cell):
    model, ids, k = _lm(cell), _ids(1), 4
    x, y = ids[:-1], ids[1:]
    opt = rb.SGD([model], lr=0.0)
    rb.train_truncated(model, x, y, k, rb.cross_entropy, opt)
    got = {n: g.copy() for n, g in model.grads.items()}  # the gradients of the last window

    # the last window's loss with its initial state held constant
    start = rb.bptt_windows(T, k)[-1].start
    _, h = model.forward(x[:start])
    model.zero_grad()
    out, _ = model.forward(x[start:], h)
    _, dout = rb.cross_entropy(out, y[start:])
    model.backward(dout)
    for n, g in model.grads.items():
        np.testing.assert_allclose(got[n], g, atol=1e-12, err_msg=n)

    # full BPTT of the same loss (only the last window's positions count) also reaches the
    # earlier steps: the recurrent gradient differs
    model.zero_grad()
    out, _ = model.forward(x)
    mask = np.zeros(y.shape, dtype=bool)
    mask[start:] = True
    _, dout = rb.cross_entropy(out, y, mask)
    model.backward(dout)
    assert not np.allclose(got["rnn.weight_hh_l0"], model.grads["rnn.weight_hh_l0"])
    assert np.abs(model.grads["embedding.weight"][np.unique(x[:start])]).sum() > 0


def test_stateless_windows_restart_from_zeros():
    model, ids, k = _lm(), _ids(2), 4
    opt = rb.SGD([model], lr=0.0)
    steps = rb.train_truncated(model, ids[:-1], ids[1:], k, rb.cross_entropy, opt, stateful=False)
    for w, s in zip(rb.bptt_windows(T, k), steps):
        fresh, _ = model.forward(ids[:-1][w])
        np.testing.assert_allclose(s.outputs, fresh, atol=1e-12)


def test_truncated_training_updates_once_per_window_and_skips_padding():
    model, ids = _lm(), _ids(3)
    mask = np.ones((T, B), dtype=bool)
    mask[8:] = False  # the last window (steps 8, 9) is padding only
    before = model.params["head.weight"].copy()
    steps = rb.train_truncated(
        model, ids[:-1], ids[1:], 4, rb.cross_entropy, rb.SGD([model], lr=0.1), mask=mask
    )
    assert len(steps) == 2
    assert not np.allclose(before, model.params["head.weight"])


def test_train_truncated_rejects_bad_arguments():
    model, ids = _lm(), _ids()
    opt = rb.SGD([model], lr=0.0)
    with pytest.raises(ValueError, match="at most one"):
        rb.train_truncated(
            model, ids[:-1], ids[1:], 3, rb.cross_entropy, opt, clip=1.0, clip_value=1.0
        )
    with pytest.raises(TypeError, match="stateful"):
        rb.train_truncated(model, ids[:-1], ids[1:], 3, rb.cross_entropy, opt, stateful=1)
    with pytest.raises(ValueError, match="inputs, targets"):
        rb.train_truncated(model, ids[:-1], ids[1:-1], 3, rb.cross_entropy, opt)
    with pytest.raises(ValueError, match="mask"):
        rb.train_truncated(model, ids[:-1], ids[1:], 3, rb.cross_entropy, opt, mask=np.ones(T))
    # a model whose forward returns the outputs alone (no state) is refused, not unpacked
    many = rb.ManyToMany(rb.RNN(V, 5, seed=0), rb.Linear(5, V, seed=1), rb.Embedding(V, V, seed=2))
    with pytest.raises(TypeError, match=r"\(outputs, h_n\)"):
        rb.train_truncated(many, ids[:2], ids[1:3], 2, rb.cross_entropy, rb.SGD([many], lr=0.0))


# ------------------------------------------------------------------ clipping by value
def test_clip_grad_value_clamps_entries_and_returns_the_norm_before():
    g = {"a": np.array([3.0, -4.0, 0.5]), "b": np.array([[-0.2, 10.0]])}
    expected = float(np.sqrt(9 + 16 + 0.25 + 0.04 + 100))
    assert rb.clip_grad_value(g, 1.0) == pytest.approx(expected)
    np.testing.assert_array_equal(g["a"], [1.0, -1.0, 0.5])
    np.testing.assert_array_equal(g["b"], [[-0.2, 1.0]])
    with pytest.raises(ValueError, match="clip_value"):
        rb.clip_grad_value(g, -1.0)
    with pytest.raises(TypeError, match="clip_value"):
        rb.clip_grad_value(g, "1")


def test_clip_grad_value_matches_torch(torch):
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    ours = {str(i): a.copy() for i, a in enumerate(arrays)}
    params = [torch.nn.Parameter(torch.zeros(a.shape, dtype=torch.float64)) for a in arrays]
    for p, a in zip(params, arrays):
        p.grad = torch.tensor(a)
    torch.nn.utils.clip_grad_value_(params, 0.5)
    rb.clip_grad_value(ours, 0.5)
    for i, p in enumerate(params):
        np.testing.assert_array_equal(ours[str(i)], p.grad.numpy())


# ------------------------------------------------------------------ sampling
def test_top_k_never_samples_outside_the_k_best():
    z = np.random.default_rng(0).normal(size=20)
    best = set(np.argsort(-z)[:3].tolist())
    rng = np.random.default_rng(1)
    draws = {rb.sample_logits(z, 2.0, top_k=3, rng=rng) for _ in range(500)}
    assert draws == best
    p = rb.sampling_distribution(z, 1.0, 3)
    assert np.count_nonzero(p) == 3 and p.sum() == pytest.approx(1.0)


def test_top_k_keeps_exactly_k_on_ties():
    p = rb.sampling_distribution(np.zeros(5), 1.0, 2)
    np.testing.assert_allclose(p, [0.5, 0.5, 0, 0, 0])


def test_temperature_zero_is_argmax_and_small_temperature_approaches_it():
    z = np.array([0.3, 2.0, 1.9, -1.0])
    assert rb.sample_logits(z, 0.0) == 1
    np.testing.assert_array_equal(rb.sampling_distribution(z, 0.0), [0, 1, 0, 0])
    assert rb.sampling_distribution(z, 1e-3)[1] > 1 - 1e-12
    np.testing.assert_allclose(rb.sampling_distribution(z, 1.0), rb.functional.softmax(z))
    np.testing.assert_allclose(
        rb.sampling_distribution(z, 0.7, 4), rb.sampling_distribution(z, 0.7)
    )
    # a batch of rows on the last axis
    rows = rb.sampling_distribution(np.stack([z, -z]), 0.0)
    np.testing.assert_array_equal(rows.argmax(-1), [1, 3])


@pytest.mark.parametrize(
    "kwargs, error, word",
    [
        ({"top_k": 0}, ValueError, "top_k"),
        ({"top_k": 5}, ValueError, "top_k"),
        ({"top_k": 2.5}, TypeError, "top_k"),
        ({"temperature": -1.0}, ValueError, "temperature"),
        ({"temperature": "hot"}, TypeError, "temperature"),
    ],
)
def test_sampling_rejects_bad_arguments(kwargs, error, word):
    with pytest.raises(error, match=word):
        rb.sampling_distribution(np.zeros(4), **kwargs)


def test_sample_logits_rejects_bad_logits():
    with pytest.raises(ValueError, match="finite"):
        rb.sample_logits(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match=r"\(V,\)"):
        rb.sample_logits(np.zeros((2, 3)))


def test_charlm_sample_top_k_one_is_greedy_and_default_is_unchanged():
    model = _lm()
    assert model.sample([1], 8, temperature=1.0, rng=0, top_k=1) == model.sample([1], 8, 0.0)
    # the default draws exactly as before top_k existed: rng.choice over softmax(logits / tau)
    rng = np.random.default_rng(5)
    logits, state = model.forward(np.array([[2]]))
    expected = []
    for _ in range(6):
        p = rb.functional.softmax(logits[-1, 0].astype(np.float64) / 0.8)
        expected.append(int(rng.choice(V, p=p)))
        logits, state = model.forward(np.array([[expected[-1]]]), state)
    assert model.sample([2], 6, temperature=0.8, rng=5) == expected


# ------------------------------------------------------------------ the chapter module
@pytest.fixture(scope="module")
def data():
    return ch.PoemData(max_chars=50)


def test_poem_data_is_split_by_whole_poem(data):
    train = {p.index for p in data.train_poems}
    held = {p.index for p in data.held_poems}
    assert train and held and not train & held
    assert all(p.form in ch.FORMS for p in data.train_poems + data.held_poems)
    assert len(data) == 4 + 50 and data.symbols[:4] == [ch.UNK, ch.START, "，", "。"]
    assert all(p[0] == data.index[ch.START] for p in data.train + data.held)


def test_batches_are_time_major_shifted_and_masked(data):
    batches = data.batches(data.held, 8, rng=0)
    assert sum(x.shape[1] for x, _, _ in batches) == len(data.held)
    n = sum(int(m.sum()) for _, _, m in batches)
    assert n == sum(len(p) - 1 for p in data.held)
    x, y, m = batches[0]
    assert x.shape == y.shape == m.shape
    np.testing.assert_array_equal(x[1:][m[1:]], y[:-1][m[1:]])  # targets are inputs shifted


def test_uniform_model_has_perplexity_v_and_unigram_is_below(data):
    model = rb.CharLM(len(data), 4, embedding_dim=3, seed=0)
    model.params["head.weight"][...] = 0.0
    model.params["head.bias"][...] = 0.0
    assert ch.nll(model, data) == pytest.approx(np.log(len(data)))
    assert ch.perplexity(ch.nll(model, data)) == pytest.approx(len(data))
    assert ch.perplexity(800.0) == np.inf
    assert ch.unigram_nll(data) < np.log(len(data))


def test_nll_stateful_windows_equal_whole_poems(data):
    model = rb.CharLM(len(data), 6, embedding_dim=3, seed=1)
    whole = ch.nll(model, data)
    assert ch.nll(model, data, k=5) == pytest.approx(whole, rel=1e-12)
    assert ch.nll(model, data, k=5, stateful=False) != pytest.approx(whole, rel=1e-6)


def test_mix_inputs_keeps_step_zero_and_padding(data):
    model = rb.CharLM(len(data), 6, embedding_dim=3, seed=2)
    x, _, m = data.batches(data.train, 16, rng=0)[0]
    assert np.array_equal(ch.mix_inputs(model, x, m, 0.0, 0), x)
    mixed = ch.mix_inputs(model, x, m, 1.0, 0)
    np.testing.assert_array_equal(mixed[0], x[0])
    np.testing.assert_array_equal(mixed[~m], x[~m])
    assert (mixed[1:][m[1:]] != x[1:][m[1:]]).mean() > 0.5
    with pytest.raises(ValueError, match="prob"):
        ch.mix_inputs(model, x, m, 1.5, 0)


def test_train_lm_records_a_run_and_checks_arguments(data):
    hist = ch.train_lm(data, epochs=2, k=8, hidden_size=8, embedding_dim=4, seed=0)
    assert len(hist["held_nll"]) == 2 and hist["diverged"] is None
    assert len(hist["norms"]) == len(hist["losses"]) == sum(hist["updates"])
    again = ch.train_lm(data, epochs=2, k=8, hidden_size=8, embedding_dim=4, seed=0)
    assert again["held_nll"] == hist["held_nll"]  # same seed, same run
    with pytest.raises(ValueError, match="optimizer"):
        ch.train_lm(data, optimizer="lbfgs")
    with pytest.raises(ValueError, match="sampling_prob"):
        ch.train_lm(data, k=4, sampling_prob=0.5)


def test_format_error_and_generation(data):
    model = rb.CharLM(len(data), 6, embedding_dim=3, seed=3)
    tf = ch.format_error(model, data, free=False)
    fr = ch.format_error(model, data, free=True, seed=0, samples=2)
    for e in (tf, fr):
        assert 0.0 <= e["error"] <= 1.0 and np.all((0 <= e["by_step"]) & (e["by_step"] <= 1))
    assert tf["bad_lines"] == 0.0 and 0.0 <= fr["bad_lines"] <= 1.0
    text = ch.generate(model, data, 12, 1.0, top_k=5, seed=0)
    assert len(text) == 12 and "□" not in text and ch.START not in text
    assert ch.generate(model, data, 12, 1.0, top_k=1, seed=4) == ch.generate(model, data, 12, 0.0)


def test_progress_is_silent_outside_a_kernel(capsys):
    bar = ch.Progress(3, "x")
    bar.update(1, "a")
    bar.close()
    assert capsys.readouterr() == ("", "")


def test_progress_in_a_kernel_redraws_one_display_and_clears_it(monkeypatch):
    import IPython.display

    shown, updates = [], []

    class Handle:
        def update(self, obj):
            updates.append(obj.data)

    def fake_display(obj, display_id=False):
        shown.append(obj.data)
        return Handle()

    monkeypatch.setattr(IPython.display, "display", fake_display)
    bar = ch.Progress(4, "训练", every=0.0, enabled=True)
    for i in range(1, 5):
        bar.update(i, f"step {i}")
    bar.close()
    bar.update(4, "after close")  # ignored
    assert len(shown) == 1 and "0/4" in shown[0]
    assert len(updates) == 5 and "4/4" in updates[3] and "width:100%" in updates[3]
    assert updates[-1] == ""  # nothing is left in the executed notebook
