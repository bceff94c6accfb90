"""rnn_book.bleu.corpus_bleu against sacrebleu on the same tokens (joined by spaces,
tokenize="none"): random corpora and edge cases, for every smoothing."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.bleu import corpus_bleu, ngram_counts

TOL = 1e-6
SMOOTH = ["none", "exp", "floor"]

# sacrebleu comes from the `sacrebleu` fixture of conftest.py: the tests skip without it, and
# fail instead under RNN_BOOK_REQUIRE_TORCH=1 (scripts/test.sh installs the test extra).


def _sacre(sacrebleu, hyps, refs, smooth, max_n=4):
    """sacrebleu's corpus BLEU of token lists; refs: one list of token lists per reference set."""
    bleu = sacrebleu.metrics.BLEU(
        tokenize="none", smooth_method=smooth, max_ngram_order=max_n, force=True
    )
    return bleu.corpus_score(
        [" ".join(map(str, h)) for h in hyps],
        [[" ".join(map(str, r)) for r in ref_set] for ref_set in refs],
    )


def _random_corpus(rng, n, vocab, max_len, min_ref=1):
    hyps = [list(rng.integers(0, vocab, size=rng.integers(0, max_len + 1))) for _ in range(n)]
    refs = [list(rng.integers(0, vocab, size=rng.integers(min_ref, max_len + 1))) for _ in range(n)]
    return [[f"w{x}" for x in h] for h in hyps], [[f"w{x}" for x in r] for r in refs]


def _check(sacrebleu, hyps, refs, smooth, max_n=4):
    ours = corpus_bleu(hyps, refs, max_n=max_n, smooth=smooth)
    theirs = _sacre(sacrebleu, hyps, [refs], smooth, max_n)
    assert abs(ours.score - theirs.score) <= TOL, (ours, theirs)
    assert ours.sys_len == theirs.sys_len and ours.ref_len == theirs.ref_len
    assert abs(ours.brevity_penalty - theirs.bp) <= 1e-12
    np.testing.assert_allclose(ours.precisions, theirs.precisions, atol=TOL)
    assert list(ours.matches) == list(theirs.counts) and list(ours.totals) == list(theirs.totals)
    return ours


@pytest.mark.parametrize("smooth", SMOOTH)
@pytest.mark.parametrize("seed", range(6))
def test_random_corpora_agree_with_sacrebleu(sacrebleu, smooth, seed):
    rng = np.random.default_rng(seed)
    vocab = [3, 5, 8, 20, 50, 4][seed]
    hyps, refs = _random_corpus(rng, n=int(rng.integers(5, 60)), vocab=vocab, max_len=15)
    result = _check(sacrebleu, hyps, refs, smooth)
    assert 0.0 <= result.score <= 100.0


@pytest.mark.parametrize("smooth", SMOOTH)
def test_near_copies_agree_with_sacrebleu(sacrebleu, smooth):
    """Hypotheses that mostly copy their references: high scores, BP < 1 and > 1 cases."""
    rng = np.random.default_rng(7)
    refs = [[f"t{x}" for x in rng.integers(0, 30, size=rng.integers(4, 20))] for _ in range(40)]
    hyps = []
    for r in refs:
        h = [w if rng.random() > 0.2 else "x" for w in r]
        hyps.append(h[: max(1, len(h) - int(rng.integers(0, 3)))])
    short = _check(sacrebleu, hyps, refs, smooth)
    assert short.brevity_penalty < 1.0 and short.score > 20.0
    longer = _check(sacrebleu, [h + ["y"] for h in hyps], refs, smooth)
    assert longer.brevity_penalty == 1.0


@pytest.mark.parametrize("smooth", SMOOTH)
@pytest.mark.parametrize(
    "hyps, refs",
    [
        ([["a", "b", "c", "d"]], [["a", "b", "c", "d"]]),  # identical: 100
        ([["a", "b"], ["c"]], [["a", "b", "x", "y"], ["c", "d"]]),  # too short for 3-, 4-grams
        ([["a", "b", "c", "d", "e"]], [["a", "x", "c", "y", "e"]]),  # unigrams only match
        ([["a", "b", "x", "c", "d"]], [["a", "b", "y", "c", "d"]]),  # no 3-gram, no 4-gram
        ([["p", "q"]], [["a", "b", "c"]]),  # no match at all: 0 even with smoothing
        ([[], ["a", "b", "c", "d"]], [["a", "b"], ["a", "b", "c", "d"]]),  # an empty hypothesis
        ([[]], [["a", "b"]]),  # empty system output: BP = 0
        ([["a", "a", "a", "a"]], [["a", "b"]]),  # clipping of repeated n-grams
    ],
)
def test_edge_cases_agree_with_sacrebleu(sacrebleu, smooth, hyps, refs):
    _check(sacrebleu, hyps, refs, smooth)


def test_edge_case_values():
    assert corpus_bleu([["a", "b", "c", "d"]], [["a", "b", "c", "d"]]).score == 100.0
    assert corpus_bleu([["p", "q"]], [["a", "b", "c"]], smooth="exp").score == 0.0
    # p_3 = p_4 = 0 with "none": BLEU 0; with "exp" 1/(2 t_3), 1/(4 t_4)
    r = corpus_bleu([["a", "b", "x", "c", "d"]], [["a", "b", "y", "c", "d"]], smooth="exp")
    assert r.matches == (4, 2, 0, 0) and r.totals == (5, 4, 3, 2)
    expected = math.exp((math.log(80) + math.log(50) + math.log(100 / 6) + math.log(100 / 8)) / 4)
    assert math.isclose(r.score, expected, rel_tol=1e-12)
    assert (
        corpus_bleu([["a", "b", "x", "c", "d"]], [["a", "b", "y", "c", "d"]], smooth="none").score
        == 0
    )


@pytest.mark.parametrize("smooth", SMOOTH)
@pytest.mark.parametrize("max_n", [1, 2, 3])
def test_other_orders_agree_with_sacrebleu(sacrebleu, smooth, max_n):
    hyps, refs = _random_corpus(np.random.default_rng(max_n), n=20, vocab=6, max_len=8)
    _check(sacrebleu, hyps, refs, smooth, max_n=max_n)


@pytest.mark.parametrize("smooth", SMOOTH)
def test_multiple_references_agree_with_sacrebleu(sacrebleu, smooth):
    rng = np.random.default_rng(11)
    hyps, refs_a = _random_corpus(rng, n=25, vocab=6, max_len=10)
    _, refs_b = _random_corpus(rng, n=25, vocab=6, max_len=10)
    ours = corpus_bleu(hyps, [[a, b] for a, b in zip(refs_a, refs_b)], smooth=smooth)
    theirs = _sacre(sacrebleu, hyps, [refs_a, refs_b], smooth)
    assert abs(ours.score - theirs.score) <= TOL
    assert ours.ref_len == theirs.ref_len


def test_integer_tokens_and_the_top_level_name():
    ints = corpus_bleu([[1, 2, 3, 4, 5]], [[1, 2, 3, 4, 6]])
    strs = rb.corpus_bleu([["1", "2", "3", "4", "5"]], [["1", "2", "3", "4", "6"]])
    assert ints == strs
    assert ngram_counts(["a", "b", "a"], 2) == {("a",): 2, ("b",): 1, ("a", "b"): 1, ("b", "a"): 1}


def test_bad_arguments_are_refused_clearly():
    with pytest.raises(ValueError, match="got 2 hypotheses and 1 references"):
        corpus_bleu([["a"], ["b"]], [["a"]])
    with pytest.raises(TypeError, match="hypotheses\\[0\\]: expected a sequence of tokens"):
        corpus_bleu(["a b c"], [["a", "b", "c"]])
    with pytest.raises(ValueError, match=r"smooth: expected one of \['none', 'exp', 'floor'\]"):
        corpus_bleu([["a"]], [["a"]], smooth="add-k")
    with pytest.raises(ValueError, match="max_n: expected a positive int, got 0"):
        corpus_bleu([["a"]], [["a"]], max_n=0)


# ---------------------------------------------------------------------------- a missing sacrebleu
_NEEDS_SACREBLEU = """
def test_fixture(sacrebleu):
    pass
"""


@pytest.mark.parametrize("require", [False, True])
def test_missing_sacrebleu_skips_or_fails_like_torch(tmp_path, require):
    """Under RNN_BOOK_REQUIRE_TORCH=1 (scripts/test.sh) a missing sacrebleu fails the run."""
    (tmp_path / "conftest.py").write_text(Path(__file__).with_name("conftest.py").read_text())
    (tmp_path / "test_needs_sacrebleu.py").write_text(_NEEDS_SACREBLEU)
    env = {k: v for k, v in os.environ.items() if k != "RNN_BOOK_REQUIRE_TORCH"}
    if require:
        env["RNN_BOOK_REQUIRE_TORCH"] = "1"
    code = (
        "import sys; sys.modules['sacrebleu'] = None; import pytest; "
        "sys.exit(pytest.main(sys.argv[1:]))"
    )
    args = [str(tmp_path), "-q", "-rfEs", "-p", "no:cacheprovider", "--rootdir", str(tmp_path)]
    run = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if require:
        assert run.returncode == 1 and "1 error" in run.stdout, run.stdout + run.stderr
        assert "RNN_BOOK_REQUIRE_TORCH=1: sacrebleu is required" in run.stdout, run.stdout
    else:
        assert run.returncode == 0 and "1 skipped" in run.stdout, run.stdout + run.stderr
