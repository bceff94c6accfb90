"""The attention chapter: the generated tasks (dates, pointer), the chapter's helpers, the
alignment widget (a frame for every output step, links, live input), the stored sweep."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.chapters import attention as ch
from rnn_book.data import dates, pointer
from rnn_book.data.text_pairs import decode_text, encode_text_pairs
from rnn_book.figures.alignment import AlignmentWidget, alignment_frame, check_example

ROOT = Path(__file__).resolve().parents[1]
SWEEP = ROOT / "book" / "results" / "attention_sweep.json"


# ---------------------------------------------------------------- dates
@pytest.mark.parametrize(
    "date, zh",
    [
        (datetime.date(2025, 3, 2), "二〇二五年三月二日"),
        (datetime.date(1949, 10, 1), "一九四九年十月一日"),
        (datetime.date(2008, 12, 31), "二〇〇八年十二月三十一日"),
        (datetime.date(1900, 11, 20), "一九〇〇年十一月二十日"),
    ],
)
def test_zh_dates(date, zh):
    assert dates.zh_date(date) == zh
    assert dates.format_date(date, "iso") == date.isoformat()


def test_formats_reorder():
    d = datetime.date(2025, 3, 2)
    assert dates.format_date(d, "us") == "3/2/2025"
    assert dates.format_date(d, "eu") == "2.3.2025"


def test_sample_dates_deterministic_and_consistent():
    a = dates.sample_dates(200, 7)
    assert a == dates.sample_dates(200, 7)
    assert a != dates.sample_dates(200, 8)
    for s, t, f in zip(*a):
        date = datetime.date.fromisoformat(t)
        assert dates.format_date(date, f) == s
        assert ch.date_format(s) == f
        assert 8 <= len(s) <= 12 and len(t) == 10
        assert dates.YEARS[0] <= date.year <= dates.YEARS[1]
    assert set(a[2]) == set(dates.FORMATS)


def test_dates_encode_shapes_and_roundtrip():
    src, tgt, _ = dates.sample_dates(30, 0)
    b = dates.encode(src, tgt)
    S, T = max(map(len, src)), 11
    assert b.src.shape == (S, 30) and b.tgt_in.shape == b.tgt_out.shape == b.mask.shape == (T, 30)
    assert (b.tgt_in[0] == dates.BOS).all() and (b.tgt_out[-1] == dates.EOS).all()
    for j in range(30):
        assert dates.to_text(b.tgt_out[:, j]) == tgt[j]
        assert "".join(dates.SRC_CHARS[i] for i in b.src[:, j] if i != dates.PAD) == src[j]
        assert (b.src[: S - len(src[j]), j] == dates.PAD).all()  # left padding


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: dates.sample_dates(0, 0), ValueError, "n: expected a positive int"),
        (lambda: dates.sample_dates(3, 0, formats=("xx",)), ValueError, "formats"),
        (lambda: dates.sample_dates(3, 0, years=(2000, 1990)), ValueError, "years"),
        (lambda: dates.format_date(datetime.date(2020, 1, 1), "jp"), ValueError, "fmt"),
        (lambda: dates.zh_date("2020-01-01"), TypeError, "datetime.date"),
        (lambda: dates.encode(["1/2/2003x"], ["2003-01-02"]), ValueError, "not in the vocab"),
        (lambda: dates.encode(["1/2/2003"], []), ValueError, "equal length"),
    ],
)
def test_dates_bad_args(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------- pointer
def test_sample_lookups_answer_is_in_the_source():
    src, tgt, ks = pointer.sample_lookups(300, 3, pairs=(2, 9))
    again = pointer.sample_lookups(300, 3, pairs=(2, 9))
    assert (src, tgt, ks.tolist()) == (again[0], again[1], again[2].tolist())
    assert ks.min() == 2 and ks.max() == 9
    for s, t, k in zip(src, tgt, ks):
        body, asked = s.split(pointer.QUERY)
        keys = [c for c in body if c in pointer.KEYS]
        assert len(keys) == k == len(set(keys)) and asked in keys
        value = body.split(asked)[1]
        value = value[: next((i for i, c in enumerate(value) if c in pointer.KEYS), len(value))]
        assert value == t and 2 <= len(t) <= 4
        assert len(s) == k + sum(c.isdigit() for c in body) + 2


def test_pointer_encode_and_bad_args():
    src, tgt, _ = pointer.sample_lookups(5, 0)
    b = pointer.encode(src, tgt)
    assert [pointer.to_text(c) for c in b.tgt_out.T] == tgt
    with pytest.raises(ValueError, match="pairs"):
        pointer.sample_lookups(3, 0, pairs=(0, 4))
    with pytest.raises(ValueError, match="pairs"):
        pointer.sample_lookups(3, 0, pairs=(2, 11))
    with pytest.raises(ValueError, match="value_len"):
        pointer.sample_lookups(3, 0, value_len=(3, 2))
    with pytest.raises(ValueError, match="n: expected"):
        pointer.sample_lookups(-1, 0)


def test_text_pairs_bad_input():
    with pytest.raises(ValueError, match="non-empty strings"):
        encode_text_pairs([""], ["1"], ["<pad>", "a"], ["<bos>", "<eos>", "1"])
    assert decode_text([3, 2, 1, 3], ["<bos>", "<eos>", "a", "b"]) == "ba"


# ---------------------------------------------------------------- chapter helpers
def test_split_is_disjoint_and_respects_lengths():
    d = ch.split("pointer", 200, 100, train_max_len=4, test_max_len=8, seed=0)
    (trs, _, trl), (tes, _, tel) = d["train"], d["test"]
    assert max(trl) <= 4 and max(tel) <= 8 and len(tes) == 100
    assert not set(trs) & set(tes)
    d2 = ch.split("numerals", 100, 50, train_max_len=6, seed=0)
    assert max(d2["train"][2]) <= 6 and max(d2["test"][2]) > 6


@pytest.mark.parametrize("kind", ch.KINDS)
def test_make_model_kinds(kind):
    m = ch.make_model(kind, "dates", hidden_size=6, embedding_dim=4)
    b = ch.TASKS["dates"].encode(["1/2/2003", "二〇二五年三月二日"], ["2003-01-02", "2025-03-02"])
    assert m.forward(b.src, b.tgt_in).shape == (11, 2, len(dates.TGT_CHARS))


def test_make_model_bad_args():
    with pytest.raises(ValueError, match="kind"):
        ch.make_model("transformer", "dates")
    with pytest.raises(ValueError, match="task"):
        ch.make_model("plain", "poems")


def test_alignment_example_and_bins():
    m = ch.make_model("general", "dates", hidden_size=8, embedding_dim=4)
    e = ch.alignment_example(m, "dates", "3/2/2025", "2025-03-02")
    T, S = e["alpha"].shape
    assert S == 8 and T == len(e["output"]) and 1 <= T <= ch.TASKS["dates"].max_tgt
    np.testing.assert_allclose(e["alpha"].sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="not in the dates vocabulary"):
        ch.alignment_example(m, "dates", "March 2")
    assert ch.by_bins([1, 0, 1, 1], [1, 1, 5, 9], [(1, 2), (3, 4), (5, 9)]) == [0.5, None, 1.0]


def test_beam_width_one_equals_greedy_search():
    m = ch.make_model("general", "pointer", hidden_size=8, embedding_dim=4, seed=1)
    src, _, _ = pointer.sample_lookups(6, 0)
    one = ch.beam_decode(m, "pointer", src, 1)
    for s, h in zip(src, one["hyps"]):
        b = ch.TASKS["pointer"].encode([s], ["0"])
        g = rb.decoding.greedy_search(m, b.src[:, 0], 0, 1, ch.TASKS["pointer"].max_tgt)
        assert decode_text(g.tokens, pointer.TGT_CHARS) == h


def test_time_vs_length_and_slope():
    r = ch.time_vs_length(lengths=(8, 16), width=4, heads=2, repeats=1)
    assert r["T"] == [8, 16] and len(r["self_attention"]) == len(r["gru"]) == 2
    assert r["weights_bytes"] == [2 * 64 * 8, 2 * 256 * 8]
    assert ch.loglog_slope([1, 2, 4], [1, 4, 16]) == pytest.approx(2.0)


# ---------------------------------------------------------------- the widget
def _example(T=3, S=4, seed=0):
    a = np.random.default_rng(seed).random((T, S))
    return {
        "source": list("abcdefghijklmnop")[:S],
        "output": [*"uvwxyz0123456789"[: T - 1], "<eos>"],
        "alpha": a / a.sum(axis=1, keepdims=True),
        "target": "uv",
    }


def test_widget_has_a_frame_for_every_output_step():
    import ipywidgets as w

    examples = [_example(3, 4, 0), _example(2, 3, 1)]
    wd = AlignmentWidget(examples, decode=lambda s: _example(3, len(s), 2), initial_text="abc")
    box = wd.box
    assert wd.steps == 3 and len(wd.examples) == 3
    assert set(wd._frames) == {(k, t) for k in range(3) for t in (1, 2, 3)}
    for link in wd._links:
        assert isinstance(link, w.widgets.widget_link.Link)
        assert link.source[1] == "index" and link.target[1] == "selected_index"
    assert len(wd._links) == 1 + 3
    for stack in wd.example_stack.children:
        assert len(stack.children) == wd.steps and stack.selected_index == wd.step_slider.index
    for ctl in (wd.step_slider, wd.example_menu, wd.text_box):
        assert ctl.description.strip()
    # every frame highlights the current row and names the token produced at that step
    for (k, t), f in wd._frames.items():
        e = wd.examples[k]
        n = min(t, len(e["output"]))
        tok = e["output"][n - 1].replace("<eos>", "⟨eos⟩")
        assert f.value.startswith("<svg") and f"写出 {tok}" in f.value
    assert "本例只有 2 步" in wd._frames[(1, 3)].value
    box_children = box.children
    assert box_children[0] is wd.example_menu and box_children[-1] is wd.example_stack


def test_widget_live_input_redraws_and_reports_errors():
    def decode(text):
        if "!" in text:
            raise ValueError("bad character '!'")
        return _example(2, len(text), 3)

    wd = AlignmentWidget([_example()], decode=decode, initial_text="ab")
    assert wd.box is not None
    old = wd._frames[(1, 1)].value
    wd.text_box.value = "abcd"  # what typing + Enter does in a live kernel
    assert wd.examples[1]["source"] == list("abcd")[:4] and wd._frames[(1, 1)].value != old
    assert wd.example_menu.index == 1 and "abcd" in wd.example_menu.options[1][0]
    wd.text_box.value = "a!"
    assert "bad character" in wd.message.value and wd.examples[1]["source"] == list("abcd")


def test_widget_embedded_state_is_small():
    from ipywidgets.embed import dependency_state

    wd = AlignmentWidget([_example(8, 12, s) for s in range(4)])
    assert len(json.dumps(dependency_state(wd.box))) < 600_000


@pytest.mark.parametrize(
    "bad, exc, match",
    [
        ({"source": ["a"], "output": ["x"]}, TypeError, "keys"),
        ({"source": ["a", "b"], "output": ["x"], "alpha": [[1.0]]}, ValueError, "alpha"),
        ({"source": ["a"], "output": ["x"], "alpha": [[0.5]]}, ValueError, "summing to 1"),
        ({"source": [], "output": ["x"], "alpha": np.zeros((1, 0))}, ValueError, "source tokens"),
    ],
)
def test_widget_bad_examples(bad, exc, match):
    with pytest.raises(exc, match=match):
        check_example(bad)


def test_widget_bad_arguments():
    with pytest.raises(ValueError, match="at least one"):
        AlignmentWidget([])
    with pytest.raises(ValueError, match="both"):
        AlignmentWidget([_example()], decode=lambda s: _example())
    with pytest.raises(TypeError, match="decode"):
        AlignmentWidget([_example()], decode="no", initial_text="x")
    with pytest.raises(RuntimeError, match="no decode"):
        AlignmentWidget([_example()]).set_own_input("x")
    assert alignment_frame(_example(), 99).count("<svg") == 1


# ---------------------------------------------------------------- the stored sweep
@pytest.mark.skipif(not SWEEP.exists(), reason="book/results/attention_sweep.json not made yet")
def test_sweep_file_matches_a_rerun_slice():
    """Rerun one stored run (dates task, plain model, first seed) and compare."""
    stored = json.loads(SWEEP.read_text(encoding="utf-8"))
    for task in ch.TASKS:
        cfg = stored[task]["config"]
        assert len(stored[task]["test"]["sources"]) == cfg["n_test"]
        for runs in stored[task]["results"].values():
            assert [r["seed"] for r in runs] == cfg["seeds"]
            assert all(len(r["hyps"]) == cfg["n_test"] for r in runs)
    cfg = stored["dates"]["config"]
    rerun = ch.sweep(
        "dates",
        kinds=("plain",),
        seeds=cfg["seeds"][:1],
        n_train=cfg["n_train"],
        n_test=cfg["n_test"],
        epochs=cfg["epochs"],
        hidden_size=cfg["hidden_size"],
        lr=cfg["lr"],
        data_seed=cfg["data_seed"],
    )
    assert rerun["test"] == stored["dates"]["test"]
    got, want = rerun["results"]["plain"][0], stored["dates"]["results"]["plain"][0]
    assert abs(got["exact_match"] - want["exact_match"]) <= 0.02
    same = np.mean([a == b for a, b in zip(got["hyps"], want["hyps"])])
    assert same > 0.95, same
