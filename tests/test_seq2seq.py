"""The seq2seq chapter's package: the 万 numerals data, the attention decoder, the experiments."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.attention import AttentionSeq2Seq
from rnn_book.data import wan_numerals as data

TOL = 1e-7
ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------- data
@pytest.mark.parametrize(
    "n, text",
    [
        (1, "一"),
        (10, "十"),
        (15, "十五"),
        (1005, "一千零五"),
        (10000, "一万"),
        (10015, "一万零一十五"),
        (10100, "一万零一百"),
        (150000, "十五万"),
        (20000001, "二千万零一"),
        (30052001, "三千零五万二千零一"),
        (99999999, "九千九百九十九万九千九百九十九"),
    ],
)
def test_reading(n, text):
    assert data.reading(n) == text


@pytest.mark.parametrize("bad", [0, 100_000_000, 2.0, True])
def test_reading_rejects_bad_numbers(bad):
    with pytest.raises(ValueError, match="n: expected an int"):
        data.reading(bad)


def test_encode_pads_left_and_reverses_only_the_characters():
    b = data.encode([1005, 30052001])
    assert b.src.shape == (9, 2) and b.tgt_in.shape == (9, 2)
    assert list(b.src[:5, 0]) == [data.PAD] * 5
    text = "".join(data.SRC_CHARS[i] for i in b.src[5:, 0])
    assert text == "一千零五"
    r = data.encode([1005, 30052001], reverse=True)
    assert "".join(data.SRC_CHARS[i] for i in r.src[5:, 0]) == "五零千一"
    assert data.to_digits(b.tgt_out[:, 1]) == "30052001"
    assert b.mask[:, 0].tolist() == [1, 1, 1, 1, 1, 0, 0, 0, 0]
    assert (b.tgt_in[1:] == b.tgt_out[:-1]).all() and (b.tgt_in[0] == data.BOS).all()
    sub = b.take([0])
    assert sub.src.shape == (4, 1) and sub.tgt_out.shape == (5, 1)


def test_sample_numbers_respects_the_length_limit():
    x = data.sample_numbers(300, 0, max_source_len=8)
    assert len(set(x.tolist())) == 300
    assert data.source_lengths(x).max() <= 8
    assert (data.sample_numbers(50, 1) == data.sample_numbers(50, 1)).all()


# ---------------------------------------------------------------------------- attention model
def _randomise(model, rng):
    """Nonzero biases, and W_a / embeddings of order 1 so that the attention is far from
    uniform and its gradient is large enough for central differences to resolve."""
    for name, p in model.params.items():
        if "bias" in name or "embedding" in name:
            p[...] = rng.normal(size=p.shape)
        elif "attn" in name:
            p[...] = rng.normal(scale=3.0, size=p.shape)


def _case(cell, pad_id, seed=3):
    rng = np.random.default_rng(seed)
    model = AttentionSeq2Seq(6, 5, 4, cell=cell, embedding_dim=3, pad_id=pad_id, seed=0)
    _randomise(model, rng)
    src = rng.integers(1, 6, size=(5, 3))
    if pad_id is not None:
        src[:2, 0] = pad_id  # a left-padded column
        src[:1, 2] = pad_id
    tgt = rng.integers(0, 5, size=(4, 3))
    if cell == "lstm":
        h0 = (rng.normal(size=(1, 3, 4)), rng.normal(size=(1, 3, 4)))
    else:
        h0 = rng.normal(size=(1, 3, 4))
    g = rng.normal(size=(4, 3, 5))
    return model, src, tgt, h0, g


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("pad_id", [None, 0])
def test_attention_gradcheck(cell, pad_id):
    model, src, tgt, h0, g = _case(cell, pad_id)
    states = h0 if isinstance(h0, tuple) else (h0,)

    def loss():
        return float(np.sum(model.forward(src, tgt, h0) * g))

    model.zero_grad()
    model.forward(src, tgt, h0)
    dh0 = model.backward(g)
    dh0 = dh0 if isinstance(dh0, tuple) else (dh0,)
    arrays = dict(model.params)
    analytic = {k: v.copy() for k, v in model.grads.items()}
    for i, (s, ds) in enumerate(zip(states, dh0)):
        arrays[f"h0[{i}]"], analytic[f"h0[{i}]"] = s, ds
    errors = rb.gradcheck(loss, arrays, analytic)
    bad = {k: e for k, e in errors.items() if not e < TOL}
    assert not bad, bad
    # the attention path alone reaches every encoder state: encoder weights get gradient
    assert np.abs(model.grads["encoder.weight_ih_l0"]).sum() > 0
    assert np.abs(model.grads["attn.weight"]).sum() > 0


def test_attention_ignores_padding_exactly():
    model, src, tgt, _, _ = _case("gru", 0)
    model.forward(src, tgt)
    a = model.attention
    assert a.shape == (4, 3, 5)
    np.testing.assert_allclose(a.sum(axis=-1), 1.0, atol=1e-12)
    assert (a[:, 0, :2] == 0).all() and (a[:, 2, :1] == 0).all()


def test_greedy_decode_matches_teacher_forcing_on_its_own_output():
    """Feeding the greedy output back in with teacher forcing reproduces the same argmaxes."""
    model, src, _, _, _ = _case("gru", 0)
    ids = model.greedy_decode(src, bos_id=0, max_len=6)
    att = model.attention.copy()
    tgt_in = np.concatenate([np.zeros((1, 3), dtype=np.int64), ids[:-1]])
    logits = model.forward(src, tgt_in)
    assert (np.argmax(logits, axis=-1) == ids).all()
    np.testing.assert_allclose(model.attention, att, atol=1e-12)


def test_attention_bad_input_is_reported():
    model = AttentionSeq2Seq(6, 5, 4, pad_id=0, seed=0)
    with pytest.raises(ValueError, match="same B"):
        model.forward(np.ones((3, 2), dtype=int), np.ones((2, 3), dtype=int))
    with pytest.raises(TypeError, match="src: expected an integer array"):
        model.forward(np.ones((3, 2)), np.ones((2, 2), dtype=int))
    with pytest.raises(ValueError, match=r"tgt_in: expected ids in \[0, 5\)"):
        model.forward(np.ones((3, 2), dtype=int), np.full((2, 2), 7))
    with pytest.raises(ValueError, match="all-padding column"):
        model.forward(np.zeros((3, 2), dtype=int), np.ones((2, 2), dtype=int))
    with pytest.raises(RuntimeError, match="call forward before backward"):
        AttentionSeq2Seq(6, 5, 4).backward(np.zeros((2, 2, 5)))


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_attention_matches_torch_autograd(cell):
    torch = pytest.importorskip("torch")
    model, src, tgt, h0, g = _case(cell, 0, seed=5)
    logits = model.forward(src, tgt, h0)
    model.zero_grad()
    dh0 = model.backward(g)

    def T(a):
        return torch.tensor(np.array(a), dtype=torch.float64, requires_grad=True)

    P = {k: T(v) for k, v in model.params.items()}
    enc, dec = rb.to_torch(model.encoder), rb.to_torch(model.decoder)
    for name, mod in (("encoder", enc), ("decoder", dec)):
        for k, p in mod.named_parameters():
            p.data = P[f"{name}.{k}"].data
            P[f"{name}.{k}"] = p
    th0 = tuple(T(s) for s in h0) if isinstance(h0, tuple) else T(h0)
    src_t, tgt_t = torch.tensor(src), torch.tensor(tgt)
    enc_out, context = enc(P["src_embedding.weight"][src_t], th0)
    dec_out, _ = dec(P["tgt_embedding.weight"][tgt_t], context)
    keys = enc_out @ P["attn.weight"].T
    scores = torch.einsum("tbh,sbh->tbs", dec_out, keys)
    scores = scores.masked_fill(torch.tensor(src == 0).T[None], float("-inf"))
    alpha = torch.softmax(scores, dim=-1)
    ctx = torch.einsum("tbs,sbh->tbh", alpha, enc_out)
    tilde = torch.tanh(torch.cat([ctx, dec_out], -1) @ P["combine.weight"].T + P["combine.bias"])
    out = tilde @ P["head.weight"].T + P["head.bias"]
    (out * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), logits, rtol=0, atol=1e-12)
    for k, v in model.grads.items():
        assert rb.relative_error(v, P[k].grad.numpy()) < 1e-10, k
    states = th0 if isinstance(th0, tuple) else (th0,)
    mine = dh0 if isinstance(dh0, tuple) else (dh0,)
    for s, d in zip(states, mine):
        assert rb.relative_error(d, s.grad.numpy()) < 1e-10


# ---------------------------------------------------------------------------- single network
def test_decoder_only_gradcheck_and_decode():
    from rnn_book.chapters.seq2seq import DecoderOnly

    rng = np.random.default_rng(7)
    model = DecoderOnly(5, 4, 3, cell="gru", embedding_dim=2, seed=0)
    _randomise(model, rng)
    src, tgt = rng.integers(0, 5, size=(3, 2)), rng.integers(0, 4, size=(2, 2))
    g = rng.normal(size=(2, 2, 4))

    def loss():
        return float(np.sum(model.forward(src, tgt) * g))

    model.zero_grad()
    assert model.forward(src, tgt).shape == (2, 2, 4)
    model.backward(g)
    analytic = {k: v.copy() for k, v in model.grads.items()}
    errors = rb.gradcheck(loss, dict(model.params), analytic)
    assert max(errors.values()) < TOL, errors
    ids = model.greedy_decode(src, bos_id=0, max_len=4)
    tgt_in = np.concatenate([np.zeros((1, 2), dtype=np.int64), ids[:-1]])
    assert (np.argmax(model.forward(src, tgt_in), axis=-1) == ids).all()


# ---------------------------------------------------------------------------- experiments
def test_training_beats_chance_and_reports_by_length():
    from rnn_book.chapters import seq2seq as ex

    rng = np.random.default_rng(0)
    nums = data.sample_numbers(300, rng, max_digits=3)
    model = ex.make_model("attention", hidden_size=16, seed=0)
    before = ex.evaluate(model, nums[:100])["token_accuracy"]
    ex.train(model, nums, epochs=3, lr=2e-2)
    ev = ex.evaluate(model, nums[:100])
    assert ev["token_accuracy"] > before + 0.2
    assert ev["exact"].shape == (100,) and len(ev["pred"]) == 100
    e = ex.exposure(model, nums[:100])
    assert 0.0 <= e["free_token"] <= 1.0 and 0.0 <= e["teacher_token"] <= 1.0
    assert ex.by_length([1, 0, 1], [1, 5, 6], ((1, 4), (5, 6), (7, 9))) == [1.0, 0.5, None]
    with pytest.raises(ValueError, match="kind: expected one of"):
        ex.make_model("transformer")


def test_error_kinds_sorts_wrong_answers():
    from rnn_book.chapters import seq2seq as ex

    truths = ["123", "123", "123", "123", "1203", "55"]
    answers = ["123", "1234", "132", "124", "2103", "55"]
    assert ex.error_kinds(truths, answers) == {
        "wrong": 3 + 1,
        "wrong_length": 1,
        "adjacent_swap": 2,  # 132 and 2103 (the 1 and 2 exchanged)
        "other": 1,
    }
    # two differences that are not one exchange of neighbours are "other"
    assert ex.error_kinds(["1234"], ["2143"])["other"] == 1
    with pytest.raises(ValueError):
        ex.error_kinds(["1"], [])


def test_padding_effect_counts_answers_that_move_with_padding():
    from rnn_book.chapters import seq2seq as ex

    same_length = np.array([11, 12, 13])  # 十一 十二 十三: two characters each, nothing padded
    mixed = np.array([5, 17, 1005, 30052001, 99999999, 42])
    for kind in ["plain", "attention"]:
        model = ex.make_model(kind, hidden_size=8, seed=0)
        same = ex.padding_effect(model, same_length)
        assert same["changed"] == 0 and same["exact_padded"] == same["exact_unpadded"]
        e = ex.padding_effect(model, mixed)
        assert isinstance(e["changed"], int) and 0 <= e["changed"] <= len(mixed)
        assert e["exact_padded"] == ex.evaluate(model, mixed)["exact_match"]


def test_summarize_sweep_matches_the_stored_file():
    from rnn_book.chapters import seq2seq as ex

    sweep = json.loads((ROOT / "book" / "results" / "seq2seq_sweep.json").read_text("utf-8"))
    setting = sweep["in_distribution"]
    summary = ex.summarize_sweep(setting)
    assert set(summary) == set(setting["results"])
    runs = setting["results"]["plain"]
    bins = len(setting["config"]["bins"])
    for j in range(bins):
        col = [r["exact_by_len"][j] for r in runs]
        assert summary["plain"]["mean"][j] == pytest.approx(np.mean(col))
        assert summary["plain"]["min"][j] == min(col) and summary["plain"]["max"][j] == max(col)
    assert summary["plain"]["cpu_seconds"] == [r["cpu_seconds"] for r in runs]


# Tolerance of the rerun below. Training this encoder-decoder for 30 epochs is chaotic: a
# last-bit difference grows into a different model, as a different training seed does.
# Measured (12-2026, this machine) on the stored plain/extrapolation run of the first seed
# (exact match 0.233 = 349 of 1500, token accuracy 0.650): OPENBLAS_NUM_THREADS=2 instead of 1
# was bit-identical, but moving every initial weight by +-1 ulp (3 draws) or every gradient
# by +-1 ulp before each Adam step (3 draws) gave exact match 0.231-0.315 (up to +123
# examples), token accuracy 0.632-0.699 (up to +0.049), in-range exact match 0.467-0.626, and
# exact match on longer-than-trained sources 0-0.022 (0 to 17 of 759). The old check,
# +-0.03 exact / +-0.02 token, failed 5 of those 6 reruns. The stored seeds span exact match
# 0.233-0.423 and token accuracy 0.650-0.739: float noise here is as large as seed-to-seed
# variation, so no comparison of one rerun within a few examples can survive another BLAS.
# What the rerun must reproduce is the outcome the chapter reports: each score inside the
# range of the stored seeds widened by SEED_RANGE_MARGIN (the perturbed reruns left that range
# by at most 0.018), and exact match on longer sources below the stored seeds' worst plus
# LONGER_MARGIN (perturbed: at most 0.022; stored worst 0.024): the plain model still fails to
# extrapolate, and a broken model (exact match near 0) or a sudden extrapolation is caught.
SEED_RANGE_MARGIN = 0.05  # 75 of 1500 test numbers
LONGER_MARGIN = 0.03  # 23 of the 759 longer sources


def test_sweep_file_matches_a_rerun_slice():
    """Rerun one stored run (plain model, first seed, trained on short readings) and compare."""
    from rnn_book.chapters import seq2seq as ex

    path = ROOT / "book" / "results" / "seq2seq_sweep.json"
    stored = json.loads(path.read_text(encoding="utf-8"))
    cfg = stored["extrapolation"]["config"]
    assert stored["in_distribution"]["config"]["train_max_len"] == 15
    for setting in ("in_distribution", "extrapolation"):
        for runs in stored[setting]["results"].values():
            assert [r["seed"] for r in runs] == stored[setting]["config"]["seeds"]
    seed = cfg["seeds"][0]
    rerun = ex.sweep(
        seeds=(seed,),
        kinds=("plain",),
        n_train=cfg["n_train"],
        n_test=cfg["n_test"],
        train_max_len=cfg["train_max_len"],
        hidden_size=cfg["hidden_size"],
        epochs=cfg["epochs"],
        lr=cfg["lr"],
        bins=tuple(tuple(b) for b in cfg["bins"]),
        data_seed=cfg["data_seed"],
    )
    assert rerun["config"]["test_per_bin"] == cfg["test_per_bin"]
    got = rerun["results"]["plain"][0]
    seeds = stored["extrapolation"]["results"]["plain"]
    for key in ("exact_match", "token_accuracy", "exact_match_in_range"):
        lo = min(r[key] for r in seeds) - SEED_RANGE_MARGIN
        hi = max(r[key] for r in seeds) + SEED_RANGE_MARGIN
        assert lo <= got[key] <= hi, (
            f"{key}: rerun {got[key]:.4f}, stored seeds +- margin [{lo:.4f}, {hi:.4f}]"
        )
    worst = max(r["exact_match_longer"] for r in seeds) + LONGER_MARGIN
    assert got["exact_match_longer"] <= worst, (got["exact_match_longer"], worst)
    # in range versus longer: a gap of at least 0.44 in every stored and perturbed run
    assert got["exact_match_in_range"] > got["exact_match_longer"] + 0.2


# ---------------------------------------------------------------------------- figures
def test_figures_have_no_cjk_text():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rnn_book.figures import draw, figure_texts
    from rnn_book.figures import seq2seq as f

    g = f.attention_graph(4, 3, step=2)
    assert len([e for e in g.edges if e.dst == "y2" and e.src.startswith("h")]) == 4
    with pytest.raises(ValueError, match="step: expected"):
        f.attention_graph(4, 3, step=4)
    ax = draw(g)
    chars = [data.SRC_CHARS[i] for i in data.encode([30052001]).src[:, 0]]
    ax2 = f.plot_attention(np.full((3, len(chars)), 1 / len(chars)), chars, ["3", "0", "<eos>"])
    with pytest.raises(ValueError, match="alpha: expected shape"):
        f.plot_attention(np.ones((2, 2)), chars, ["3"])
    texts = figure_texts(ax.figure) + figure_texts(ax2.figure)
    # Chinese labels, but never inside a mathtext string (mathtext has no CJK glyphs)
    cjk = [t for t in texts if any("\u4e00" <= ch <= "\u9fff" for ch in t)]
    assert cjk and not any("$" in t for t in cjk)
    plt.close("all")
