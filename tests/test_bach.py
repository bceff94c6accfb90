"""The shipped Bach chorale melodies (rnn_book.data.bach) and the code of their page.

The JSON file must be the one ``scripts/make_bach.py`` wrote (its SHA-256 is recorded in
``SOURCE.md``); the loader must give the documented types and shapes; the split by tune group
must be deterministic and leak-free; the n-gram baselines must be proper distributions.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.chapters import structures_bach as ch
from rnn_book.data import bach

DATA = Path(resources.files("rnn_book.data"))
MAJOR_SCALE = {0, 2, 4, 5, 7, 9, 11}


@pytest.fixture(scope="module")
def chorales():
    return bach.load_chorales()


# ----------------------------------------------------------------------------- the file


def test_json_matches_the_hash_recorded_in_source_md():
    source = (DATA / "SOURCE.md").read_text(encoding="utf-8")
    section = source[source.index("## bach_chorales.json") :]
    recorded = re.search(r"sha256 of `bach_chorales.json`\*\*: `([0-9a-f]{64})`", section)
    assert recorded, "SOURCE.md: no sha256 line in the bach_chorales.json section"
    actual = hashlib.sha256((DATA / "bach_chorales.json").read_bytes()).hexdigest()
    assert actual == recorded.group(1)


def test_file_is_small_and_records_its_source():
    assert (DATA / "bach_chorales.json").stat().st_size < 400_000
    meta = bach.chorale_source()
    assert meta["music21"] and "music21" in meta["source"]
    meta["music21"] = "changed"
    assert bach.chorale_source()["music21"] != "changed"  # a copy, not the cache


# ----------------------------------------------------------------------------- the loader


def test_loader_types_and_shapes(chorales):
    assert len(chorales) == 350
    assert [c.riemenschneider for c in chorales] == sorted(c.riemenschneider for c in chorales)
    for c in chorales:
        assert isinstance(c, bach.Chorale)
        n = len(c.pitches)
        assert n >= 10 and len(c.durations) == n
        assert all(isinstance(p, int) for p in c.pitches)
        assert all(isinstance(d, float) and d > 0 for d in c.durations)
        assert all(0 <= i < n for i in c.fermatas)
        assert c.mode in ("major", "minor") and -6 <= c.shift <= 5
        p, d = c.arrays()
        assert p.shape == d.shape == (n,) and p.dtype == np.int64 and d.dtype == np.float64
        onsets = c.onsets()
        assert onsets.shape == (n,) and onsets[0] == 0 and np.all(np.diff(onsets) > 0)


def test_arrays_belong_to_the_caller(chorales):
    p, _ = chorales[0].arrays()
    p[:] = 0
    assert chorales[0].arrays()[0][0] != 0
    assert bach.load_chorales() is not bach.load_chorales()


def test_pitches_in_a_sane_range_and_transposed(chorales):
    pitches = np.concatenate([c.arrays()[0] for c in chorales])
    assert 48 <= pitches.min() and pitches.max() <= 88  # a soprano: about C3..E6 at most
    for mode, tonic in (("major", 0), ("minor", 9)):
        group = bach.load_chorales(mode)
        assert group and all(c.mode == mode for c in group)
        pcs = np.concatenate([c.arrays()[0] for c in group]) % 12
        # transposed to C major / A minor: mostly white keys, and the tonic is common
        assert np.isin(pcs, list(MAJOR_SCALE)).mean() > 0.9
        assert np.mean(pcs == tonic) > 0.1
    assert len(bach.load_chorales("major")) + len(bach.load_chorales("minor")) == len(chorales)
    with pytest.raises(ValueError, match="mode"):
        bach.load_chorales("dorian")


# ----------------------------------------------------------------------------- the split


def test_split_is_deterministic_and_by_tune_group(chorales):
    a = bach.split_chorales(chorales, seed=0)
    b = bach.split_chorales(seed=0)
    assert [[c.riemenschneider for c in part] for part in a] == [
        [c.riemenschneider for c in part] for part in b
    ]
    train, valid, test = a
    assert len(train) + len(valid) + len(test) == len(chorales)
    groups = [{c.group for c in part} for part in a]
    assert not groups[0] & groups[1] and not groups[0] & groups[2] and not groups[1] & groups[2]
    for part in (valid, test):
        assert 0.08 * len(chorales) <= len(part) <= 0.16 * len(chorales)
    other = bach.split_chorales(chorales, seed=1)
    assert {c.riemenschneider for c in other[2]} != {c.riemenschneider for c in test}


def test_split_rejects_bad_arguments(chorales):
    with pytest.raises(ValueError, match="valid"):
        bach.split_chorales(chorales, valid=0.0)
    with pytest.raises(ValueError, match="valid \\+ test"):
        bach.split_chorales(chorales, valid=0.6, test=0.5)
    with pytest.raises(TypeError, match="Chorale"):
        bach.split_chorales(["not a chorale"])


# ----------------------------------------------------------------------------- the baselines


@pytest.fixture(scope="module")
def tokens(chorales):
    train, valid, test = bach.split_chorales(chorales, seed=0)
    vocab = ch.NoteTokens(train)
    return vocab, vocab.sequences(train), vocab.sequences(valid), vocab.sequences(test)


def test_note_tokens(tokens, chorales):
    vocab, train, _, _ = tokens
    seq = train[0]
    assert seq[0] == ch.END and seq[-1] == ch.END and ch.END not in seq[1:-1]
    assert ch.UNK not in np.concatenate(train)
    pitches, durations = vocab.decode(seq)
    assert pitches.shape == durations.shape == (len(seq) - 2,)
    stream = vocab.stream(bach.split_chorales(chorales, seed=0)[0])
    assert stream.ndim == 1 and stream.dtype == np.int64
    assert len(stream) == sum(len(s) for s in train) - len(train) + 1


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("k", [1.0, 0.03])
def test_ngram_probabilities_sum_to_one(tokens, order, k):
    vocab, train, _, _ = tokens
    model = ch.NGram(order, k, len(vocab)).fit(train)
    contexts = [(ch.END,) * 2, tuple(train[0][3:5]), (5, 7), (len(vocab) - 1, len(vocab) - 1)]
    for context in contexts:
        p = model.probs(context)
        assert p.shape == (len(vocab),) and np.all(p > 0)
        np.testing.assert_allclose(p.sum(), 1.0, rtol=0, atol=1e-12)


def test_ngram_nll_matches_a_hand_count():
    seqs = [np.array([0, 2, 3, 2, 0]), np.array([0, 2, 2, 0])]
    model = ch.NGram(2, 0.5, 4).fit(seqs)
    # bigram counts: 0->2 twice, 2->3, 3->2, 2->0 twice, 2->2
    np.testing.assert_allclose(model.probs([2]), (np.array([2, 0, 1, 1]) + 0.5) / (4 + 2.0))
    probs = [model.probs([a])[b] for s in seqs for a, b in itertools.pairwise(s)]
    np.testing.assert_allclose(model.nll(seqs), -np.mean(np.log(probs)))
    uni = ch.NGram(1, 1.0, 4).fit(seqs)
    np.testing.assert_allclose(uni.probs(), (np.array([2, 0, 4, 1]) + 1.0) / 11.0)
    with pytest.raises(ValueError, match="order"):
        ch.NGram(4, 1.0, 4)
    with pytest.raises(ValueError, match="k"):
        ch.NGram(2, 0.0, 4)


def test_choose_k_picks_the_best_of_the_grid(tokens):
    vocab, train, valid, _ = tokens
    k, scores = ch.choose_k(train, valid, 2, len(vocab), grid=(1.0, 0.1, 0.01))
    assert set(scores) == {1.0, 0.1, 0.01} and scores[k] == min(scores.values())
    np.testing.assert_allclose(scores[k], ch.NGram(2, k, len(vocab)).fit(train).nll(valid))


# ----------------------------------------------------------------------------- model, audio


def test_model_nll_and_generate(tokens):
    vocab, train, valid, _ = tokens
    model = rb.CharLM(len(vocab), 8, cell="gru", embedding_dim=4, seed=0)
    nll = ch.model_nll(model, valid[:5])
    assert np.isfinite(nll) and abs(nll - np.log(len(vocab))) < 1.0  # untrained: near uniform
    ids = ch.generate(model, max_notes=20, temperature=1.0, rng=0, min_notes=5)
    assert 5 <= len(ids) <= 20 and ch.END not in ids and ch.UNK not in ids
    assert ids == ch.generate(model, max_notes=20, temperature=1.0, rng=0, min_notes=5)
    frac = ch.copied_fraction(train[0][1:-1], train, n=4)
    assert frac == 1.0


def test_synthesize_and_piano_roll():
    wave = ch.synthesize([60, 72, 84], [1.0, 0.5, 2.0], bpm=120, rate=4000)
    assert wave.shape == (round(3.5 * 0.5 * 4000),) and np.abs(wave).max() == pytest.approx(1.0)
    roll = ch.piano_roll([60, 62], [1.0, 0.5])
    np.testing.assert_array_equal(roll, [[0.0, 1.0, 60.0], [1.0, 0.5, 62.0]])
    assert ch.midi_name(60) == "C4" and ch.midi_name(69) == "A4"
    with pytest.raises(ValueError, match="pitches, durations"):
        ch.synthesize([60, 62], [1.0])


# ----------------------------------------------------------------------------- the build script


@pytest.fixture(scope="module")
def script():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "scripts" / "make_bach.py"
    spec = importlib.util.spec_from_file_location("make_bach", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # music21 is imported only inside its functions
    return module


def test_script_key_shift_is_the_smallest(script):
    assert script.key_shift(7, "major") == 5  # G major -> C major: up a fourth
    assert script.key_shift(2, "major") == -2  # D major -> C major: down a tone
    assert script.key_shift(4, "minor") == 5  # E minor -> A minor
    assert script.key_shift(9, "minor") == 0
    assert all(-6 <= script.key_shift(pc, m) <= 5 for pc in range(12) for m in ("major", "minor"))


def test_script_rewrites_only_its_section_of_source_md(script, tmp_path):
    path = tmp_path / "SOURCE.md"
    path.write_text("# Data\n\n## tang300.json\n\ntang\n\n## Generated data\n\ngen\n")
    script.update_source_md(path, "## bach_chorales.json — v1\n\nold\n")
    script.update_source_md(path, "## bach_chorales.json — v2\n\nnew\n")
    text = path.read_text()
    assert text.count("## bach_chorales.json") == 1 and "new" in text and "old" not in text
    assert text.index("## tang300.json") < text.index("## bach_chorales") < text.index("## Gen")
