"""Tests of rnn_book.data: the shipped Tang corpus, splits, Vocab and the generated data sets."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from rnn_book import data as D

CJK = re.compile(r"^[\u4e00-\u9fff\u3400-\u4dbf\U00020000-\U0002ebef]+$")
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_tang300.py"


# ----------------------------------------------------------------------------- the corpus


@pytest.fixture(scope="module")
def poems():
    return D.load_tang300()


def test_corpus_size_and_forms(poems):
    assert 300 <= len(poems) <= 320
    forms = Counter(p.form for p in poems)
    assert set(forms) == set(D.FORMS)
    assert forms["五言绝句"] == 37 and forms["七言绝句"] == 60
    assert forms["五言律诗"] == 80 and forms["七言律诗"] == 54
    assert [p.index for p in poems] == list(range(len(poems)))


def test_every_line_is_clean_cjk_and_matches_its_form(poems):
    for p in poems:
        fields = [p.title, p.author, p.preface, *p.lines]
        assert not any("\x1b" in f or "[3" in f for f in fields), p.title
        assert p.lines and all(CJK.match(line) for line in p.lines), p.title
        if p.form.startswith("五言"):
            assert {len(line) for line in p.lines} == {5}, p.title
        if p.form.startswith("七言"):
            assert {len(line) for line in p.lines} == {7}, p.title
        if p.form.endswith("绝句"):
            assert len(p.lines) == 4 and p.section == "绝句"
        if p.form.endswith("律诗"):
            assert len(p.lines) == 8 and p.section == "律诗"
        if p.form == "杂言古诗":
            assert len({len(line) for line in p.lines}) > 1


def test_known_poems_are_parsed_as_expected(poems):
    by_title = {p.title: p for p in poems}
    chunxiao = by_title["春晓"]
    assert chunxiao.author == "孟浩然" and chunxiao.form == "五言绝句"
    assert chunxiao.lines[0] == "春眠不觉晓"
    assert chunxiao.text.startswith("春眠不觉晓，") and chunxiao.text.endswith("。")
    cicada = by_title["在狱咏蝉·并序"]  # the preface is prose, the verse a 五言律诗
    assert cicada.form == "五言律诗" and len(cicada.preface) > 100
    assert by_title["没蕃故人"].author == "张籍"  # a misspelt name in the source, fixed


def test_filters(poems):
    quatrains = D.load_tang300(form="五言绝句")
    assert len(quatrains) == 37 and {p.form for p in quatrains} == {"五言绝句"}
    both = D.load_tang300(form=("五言律诗", "七言律诗"))
    assert len(both) == 134 and both == D.load_tang300(section="律诗")
    assert len(D.load_tang300(section="古体")) + 134 + 97 == len(poems)
    assert D.load_tang300(form="五言绝句", section="律诗") == []


@pytest.mark.parametrize("kwargs", [{"form": "五绝"}, {"form": []}, {"section": "词"}])
def test_bad_filters_raise(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        D.load_tang300(**kwargs)


def test_song100():
    song = D.load_song100()
    assert 90 <= len(song) <= 110
    assert all(p.section == "宋诗" and p.form in D.FORMS for p in song)
    assert all(p.lines and all(CJK.match(line) for line in p.lines) for p in song)
    assert not any("\x1b" in p.title + p.author for p in song)
    lushi = D.load_song100(form="七言律诗")
    assert lushi and all(len(p.lines) == 8 and p.line_length == 7 for p in lushi)
    pairs = D.couplets(song)
    assert len(pairs) == 2 * len(D.load_song100(form=("五言律诗", "七言律诗")))
    assert all(len(a) == len(b) for a, b in pairs)
    assert not {p.lines for p in song} & {p.lines for p in D.load_tang300()}  # other poems
    with pytest.raises(ValueError, match="form"):
        D.load_song100(form="宋词")


def test_poem_text_punctuation():
    p = D.Poem("t", "a", "杂言古诗", ("一二三", "四五", "六"))
    assert p.text == "一二三，四五。六。"
    assert p.line_length is None
    assert D.Poem("t", "a", "五言绝句", ("一二三四五",) * 4).line_length == 5


def test_couplets(poems):
    pairs = D.couplets()
    assert len(pairs) == 2 * 134
    for up, down in pairs:
        assert len(up) == len(down) in (5, 7)
        assert CJK.match(up) and CJK.match(down)  # no punctuation at all
    first = next(p for p in poems if p.form.endswith("律诗"))
    assert pairs[:2] == [first.lines[2:4], first.lines[4:6]]
    assert len(D.couplets(chars=5)) == 160 and len(D.couplets(chars=7)) == 108
    assert D.couplets(D.load_tang300(form="五言绝句")) == []
    with pytest.raises(ValueError, match="chars"):
        D.couplets(chars=6)
    with pytest.raises(TypeError, match="poems"):
        D.couplets(["春眠不觉晓"])


def test_poem_lines():
    lines5 = D.poem_lines(5)
    assert "春眠不觉晓" in lines5 and {len(s) for s in lines5} == {5}
    assert len(lines5) > 1000
    quatrains = D.load_tang300(form="五言绝句")
    assert D.poem_lines(5, quatrains) == [s for p in quatrains for s in p.lines]
    assert D.poem_lines(7, quatrains) == []
    with pytest.raises(ValueError, match="chars"):
        D.poem_lines(0)
    with pytest.raises(TypeError, match="chars"):
        D.poem_lines("5")


# ----------------------------------------------------------------------------- splits


def test_split_poems_reproducible_disjoint_stratified(poems):
    train, held = D.split_poems(seed=3)
    train2, held2 = D.split_poems(seed=3)
    assert train == train2 and held == held2
    assert D.split_poems(seed=4)[1] != held
    ids_train, ids_held = {p.index for p in train}, {p.index for p in held}
    assert not ids_train & ids_held and len(ids_train | ids_held) == len(poems)
    assert 0.15 < len(held) / len(poems) < 0.25
    assert {p.form for p in held} == set(D.FORMS)  # every form on both sides


def test_split_couplets_by_poem_no_leak():
    train, held = D.split_couplets(held_out=0.25, seed=1)
    assert len(train) + len(held) == 268 and len(held) % 2 == 0
    assert not set(train) & set(held)
    # Both couplets of a held-out poem are held out: the poems' line sets do not meet.
    regulated = D.load_tang300(form=("五言律诗", "七言律诗"))
    tr_poems, held_poems = D.split_poems(regulated, 0.25, 1)
    assert held == D.couplets(held_poems) and train == D.couplets(tr_poems)
    assert not {s for p in held_poems for s in p.lines} & {s for pair in train for s in pair}


def test_split_indices_groups_and_errors():
    tr, he = D.split_indices(10, 0.3, seed=0, groups=[0] * 5 + [1] * 5)
    assert len(he) == 4 and np.all(np.diff(he) > 0)
    assert sorted(np.concatenate([tr, he]).tolist()) == list(range(10))
    for bad, exc in [(0.0, ValueError), (1.0, ValueError), ("0.2", TypeError)]:
        with pytest.raises(exc, match="held_out"):
            D.split_indices(10, bad)
    with pytest.raises(ValueError, match="groups"):
        D.split_indices(10, 0.2, groups=[0, 1])
    with pytest.raises(ValueError, match="n"):
        D.split_indices(1)


# ----------------------------------------------------------------------------- vocab


def test_vocab_round_trip_on_the_corpus(poems):
    texts = [p.text for p in poems]
    vocab = D.Vocab.build(texts)
    assert vocab.itos[:4] == list(D.SPECIALS)
    assert (vocab.pad_id, vocab.bos_id, vocab.eos_id, vocab.unk_id) == (0, 1, 2, 3)
    for text in texts:
        ids = vocab.encode(text, bos=True, eos=True)
        assert ids.dtype == np.int64 and ids[0] == 1 and ids[-1] == 2
        assert vocab.decode(ids) == text
    assert D.Vocab.build(texts).itos == vocab.itos  # deterministic
    counts = [vocab.counts[t] for t in vocab.itos[4:]]
    assert counts == sorted(counts, reverse=True)


def test_vocab_unknown_words_and_errors():
    vocab = D.Vocab.build([["画面", "很", "好"], ["剧情", "很", "差"]])
    assert vocab.itos[4] == "很"  # most frequent first
    ids = vocab.encode(["剧情", "不", "好"])
    assert ids.tolist() == [vocab.stoi["剧情"], vocab.unk_id, vocab.stoi["好"]]
    assert vocab.decode(ids, sep=" ") == "剧情 <unk> 好"
    no_unk = D.Vocab(["a", "b"], specials=["<pad>"])
    with pytest.raises(ValueError, match="text"):
        no_unk.encode("abc")
    with pytest.raises(ValueError, match="bos"):
        no_unk.encode("ab", bos=True)
    with pytest.raises(ValueError, match="tokens"):
        D.Vocab(["a", "a"])
    with pytest.raises(ValueError, match="ids"):
        vocab.decode([0, 99])
    with pytest.raises(ValueError, match="ids"):
        vocab.decode(np.zeros((2, 2), dtype=int))
    with pytest.raises(TypeError, match="text"):
        vocab.encode(123)
    with pytest.raises(TypeError, match="texts"):
        D.Vocab.build("just one string")


def test_pad_batch():
    ids, mask = D.pad_batch([[5, 6, 7], [8]], pad_id=0)
    assert ids.shape == mask.shape == (3, 2)
    assert ids[:, 1].tolist() == [8, 0, 0] and mask[:, 1].tolist() == [True, False, False]
    ids_bm, _ = D.pad_batch([[5, 6, 7], [8]], time_major=False)
    assert np.array_equal(ids_bm, ids.T)
    with pytest.raises(ValueError, match="seqs"):
        D.pad_batch([])
    with pytest.raises(ValueError, match="seqs"):
        D.pad_batch([[0.5, 1.5]])


# ----------------------------------------------------------------------------- sentiment


def _logistic_accuracy(X_train, y_train, X_test, y_test, steps=1500, lr=2.0, l2=1e-3):
    """Full-batch gradient descent on the mean logistic loss; held-out accuracy."""
    w, b = np.zeros(X_train.shape[1]), 0.0
    for _ in range(steps):
        z = np.clip(X_train @ w + b, -30, 30)
        g = 1.0 / (1.0 + np.exp(-z)) - y_train
        w -= lr * (X_train.T @ g / len(g) + l2 * w)
        b -= lr * g.mean()
    return float(np.mean((X_test @ w + b > 0) == y_test))


def _featurise(docs, keyfn):
    keys = [keyfn(doc) for doc in docs]
    index = {k: i for i, k in enumerate(sorted({k for ks in keys for k in ks}))}
    X = np.zeros((len(docs), len(index)))
    for i, ks in enumerate(keys):
        for k in ks:
            X[i, index[k]] += 1.0
    return X


def _bag(tokens):
    return list(tokens)


CONNECTIVES = ("但是", "不过", "虽然", "而且")
ADJECTIVES = sorted({a for adjs in D.sentiment.ADJECTIVES.values() for a in adjs}, key=len)


def _ordered(tokens):
    """Order-aware features, linear in what a left-to-right reader sees: for each clause, the
    connective that opened it, whether a negation precedes its adjective, and the adjective."""
    feats = []
    for clause in "".join(tokens).split("，"):
        context = next((c for c in CONNECTIVES if clause.startswith(c)), "start")
        body = clause.removeprefix(context)
        adjective = next(a for a in reversed(ADJECTIVES) if body.endswith(a))
        negated = "不" in body[: -len(adjective)] or "没有" in body
        feats.append((context, negated, adjective))
    return feats


@pytest.mark.parametrize("chars", [False, True])
def test_bag_of_words_is_bounded_but_order_is_enough(chars):
    reviews, y = D.sentiment_reviews(3000, seed=0)
    docs = [list("".join(r)) if chars else r for r in reviews]
    n_train = 2000
    accs = {}
    for name, keyfn in (("bow", _bag), ("ordered", _ordered)):
        X = _featurise(docs, keyfn)
        accs[name] = _logistic_accuracy(X[:n_train], y[:n_train], X[n_train:], y[n_train:])
    assert 0.5 < accs["bow"] <= 0.75, accs
    assert accs["ordered"] > 0.9, accs


def test_a_recurrent_classifier_learns_what_the_bag_cannot():
    from rnn_book.chapters import structures_many_to_one as S

    reviews, y = D.sentiment_reviews(2000, seed=0)
    vocab = D.Vocab.build(reviews[:1500])
    ids = [vocab.encode(r) for r in reviews]
    model = S.make_classifier(len(vocab), cell="rnn", hidden_size=32, seed=0)
    S.train_classifier(model, ids[:1500], y[:1500], epochs=15, lr=1e-2, seed=0)
    assert S.accuracy(S.predict_labels(model, ids[1500:]), y[1500:]) > 0.9


def test_sentiment_labels_follow_the_grammar():
    reviews, y = D.sentiment_reviews(501, seed=7)
    assert len(reviews) == 501 and y.shape == (501,) and y.dtype == np.int64
    assert abs(int(y.sum()) - (501 - int(y.sum()))) == 1  # balanced up to one
    assert all(D.review_label(r) == label for r, label in zip(reviews, y))
    assert all(D.review_label("".join(r)) == label for r, label in zip(reviews, y))
    assert D.review_label("画面很好，但是剧情很差") == 0
    assert D.review_label("剧情很差，但是画面很好") == 1
    assert D.review_label("剧情很差，虽然画面很好") == 0
    assert (D.review_label("剧情好"), D.review_label("剧情不好")) == (1, 0)
    assert D.review_label("结局一点也不差") == 1
    assert D.review_label("音乐没有那么好") == 0


def test_same_bag_different_label_exists():
    reviews, y = D.sentiment_reviews(400, seed=1)
    assert int(y.sum()) == 200
    by_bag = {}
    for r, label in zip(reviews, y):
        by_bag.setdefault(tuple(sorted(r)), set()).add(int(label))
    assert any(labels == {0, 1} for labels in by_bag.values())


def test_sentiment_exclude_gives_a_disjoint_test_set():
    train, _ = D.sentiment_reviews(1000, seed=0)
    plain, _ = D.sentiment_reviews(500, seed=1)
    seen = {"".join(r) for r in train}
    assert any("".join(r) in seen for r in plain)  # overlap happens without exclude
    test, y = D.sentiment_reviews(500, seed=1, exclude=train)
    assert not any("".join(r) in seen for r in test) and int(y.sum()) == 250
    again, _ = D.sentiment_reviews(500, seed=1, exclude=["".join(r) for r in train])
    assert again == test
    assert D.sentiment_reviews(50, seed=1, exclude=[])[0] == D.sentiment_reviews(50, seed=1)[0]


def test_sentiment_reproducible_and_errors():
    a = D.sentiment_reviews(50, seed=3, mirrored=False)
    b = D.sentiment_reviews(50, seed=3, mirrored=False)
    assert a[0] == b[0] and np.array_equal(a[1], b[1]) and int(a[1].sum()) == 25
    assert D.sentiment_reviews(50, seed=4)[0] != D.sentiment_reviews(50, seed=3)[0]
    with pytest.raises(ValueError, match="n"):
        D.sentiment_reviews(1)
    with pytest.raises(TypeError, match="n"):
        D.sentiment_reviews(10.0)
    with pytest.raises(ValueError, match="tokens"):
        D.review_label("")


# ----------------------------------------------------------------------------- stock


def test_stock_random_walk_and_windows():
    s = D.stock_random_walk(250, seed=5)
    assert len(s) == 250
    for name in D.stock.FEATURES:
        arr = getattr(s, name)
        assert arr.shape == (250,) and arr.dtype == np.float64 and np.all(arr > 0)
    assert np.all(s.high >= np.maximum(s.open, s.close))
    assert np.all(s.low <= np.minimum(s.open, s.close))
    X, y = D.windows(s, lookback=10)
    assert X.shape == (240, 10, 3) and y.shape == (240,)
    assert np.array_equal(y, s.close[10:])
    assert np.array_equal(X[:, -1, 1], s.close[9:-1])  # column 1 is the close
    assert np.array_equal(X[7, :, 0], s.open[7:17])
    Xt, yt = D.windows(s, lookback=10, time_major=True)
    assert Xt.shape == (10, 240, 3) and np.array_equal(Xt, X.transpose(1, 0, 2))
    assert np.array_equal(yt, y)
    X1, y1 = D.windows(s.close, lookback=5)
    assert X1.shape == (245, 5, 1) and np.array_equal(y1, s.close[5:])
    assert D.windows(s, 3, features=D.stock.FEATURES)[0].shape == (247, 3, 5)


def test_stock_reproducible_and_clustering():
    a, b = D.stock_random_walk(100, seed=1), D.stock_random_walk(100, seed=1)
    assert all(np.array_equal(getattr(a, f), getattr(b, f)) for f in D.stock.FEATURES)
    assert not np.array_equal(a.close, D.stock_random_walk(100, seed=2).close)
    flat = D.stock_random_walk(100, seed=1, clustering=False, volatility=0.02)
    assert np.all(flat.sigma == 0.02)
    assert np.ptp(a.sigma) > 0
    # The close series is exactly start * exp(cumulative log returns).
    r = np.diff(np.log(np.concatenate([[100.0], flat.close])))
    assert abs(r.std() - 0.02) < 0.006


@pytest.mark.parametrize(
    "kwargs, exc, name",
    [
        ({"n_days": 1}, ValueError, "n_days"),
        ({"n_days": 10.5}, TypeError, "n_days"),
        ({"n_days": 10, "volatility": -1.0}, ValueError, "volatility"),
        ({"n_days": 10, "alpha": 0.5, "beta": 0.6}, ValueError, "alpha"),
        ({"n_days": 10, "start": 0.0}, ValueError, "start"),
    ],
)
def test_stock_bad_input(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        D.stock_random_walk(**kwargs)


def test_windows_bad_input():
    s = D.stock_random_walk(20)
    with pytest.raises(ValueError, match="lookback"):
        D.windows(s, lookback=20)
    with pytest.raises(TypeError, match="lookback"):
        D.windows(s, lookback=2.0)
    with pytest.raises(ValueError, match="series"):
        D.windows(np.ones((20, 2)))
    with pytest.raises(ValueError, match="names"):
        D.windows(s, features=("price",))


# ----------------------------------------------------------------------------- hello, memory


def test_hello_example():
    h = D.hello_example()
    assert h.chars == ("h", "e", "l", "o")
    assert h.inputs.tolist() == [0, 1, 2, 2] and h.targets.tolist() == [1, 2, 2, 3]
    assert h.decode(h.inputs) == "hell" and h.decode(h.targets) == "ello"
    x = h.one_hot()
    assert x.shape == (4, 1, 4) and np.array_equal(np.argmax(x[:, 0], axis=1), h.inputs)
    with pytest.raises(ValueError, match="word"):
        D.hello_example("h")
    with pytest.raises(ValueError, match="ids"):
        h.decode([4])


def test_adding_problem():
    X, y = D.adding_problem(64, 20, seed=2)
    assert X.shape == (20, 64, 2) and y.shape == (64,)
    markers = X[:, :, 1]
    assert np.all(markers.sum(axis=0) == 2)
    assert np.all(markers[:10].sum(axis=0) == 1) and np.all(markers[10:].sum(axis=0) == 1)
    assert np.allclose(y, (X[:, :, 0] * markers).sum(axis=0))
    assert np.all((X[:, :, 0] >= 0) & (X[:, :, 0] < 1))
    X2, y2 = D.adding_problem(64, 20, seed=2)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    with pytest.raises(ValueError, match="T"):
        D.adding_problem(4, 1)
    with pytest.raises(TypeError, match="n"):
        D.adding_problem(None, 5)


def test_copy_task():
    L, delay, K = 4, 6, 5
    X, Y = D.copy_task(32, delay, K, seed=0, length=L)
    T = 2 * L + delay
    assert X.shape == Y.shape == (T, 32) and X.dtype == np.int64
    assert np.all((X[:L] >= 1) & (X[:L] <= K))
    assert np.all(X[L + delay - 1] == K + 1)  # the delimiter
    assert np.count_nonzero(X[L:]) == 32  # only the delimiter after the symbols
    assert np.array_equal(Y[L + delay :], X[:L])  # recalled after L + delay steps
    assert np.all(Y[: L + delay] == 0)
    X2, Y2 = D.copy_task(32, delay, K, seed=0, length=L)
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2)
    for kwargs, name in [({"T_delay": 0}, "T_delay"), ({"n_symbols": 0}, "n_symbols")]:
        with pytest.raises(ValueError, match=name):
            D.copy_task(4, **{"T_delay": 3, **kwargs})


# ----------------------------------------------------------------------------- the build script


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("make_tang300", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _record(title, author, body):
    return f"\x1b[32m《{title}》\x1b[m\n\x1b[33m作者：{author}\x1b[m\n{body}\n"


def test_script_parses_a_fortune_file(script, tmp_path):
    records = [
        _record("感遇・其一", "张九龄", "兰叶春葳蕤，桂华秋皎洁。\n欣欣此生意，自尔为佳节。"),
        _record(
            "经邹鲁祭孔子而叹之", "唐玄宗", "序一句。\n  \n" + "一二三四五，六七八九十。\n" * 4
        ),
        _record("阙题", "刘脊虚", "“一二三四五”，六七八九十！\n" * 4),
        _record("鹿柴", "王维", "空山不见人，但闻人语响。\n返景入深林，复照青苔上。"),
    ]
    text = "%\n".join(records) + "%\n"
    poems = script.parse(text)
    assert [p["form"] for p in poems] == ["五言古诗", "五言律诗", "五言律诗", "五言绝句"]
    assert poems[0]["title"] == "感遇·其一" and poems[0]["lines"][1] == "桂华秋皎洁"
    assert poems[1]["preface"] == "序一句。" and len(poems[1]["lines"]) == 8
    assert poems[2]["author"] == "刘昚虚" and poems[2]["lines"][0] == "一二三四五"
    assert all("\x1b" not in json.dumps(p, ensure_ascii=False) for p in poems)
    with pytest.raises(ValueError, match="律诗"):  # a 律诗 volume poem must have 8 lines
        script.parse(records[0] + "%\n" + _record("经邹鲁祭孔子而叹之", "x", "一二三四五。"))
    with pytest.raises(ValueError):
        script.parse("no colour codes here")


def test_script_parses_song_records(script):
    text = (
        "\x1b[32m题目:《春居杂兴》二首\x1b[m\n\x1b[33m作者:王禹偁（９５４－１００１）\x1b[m\n\n"
        "            其一\n\n两株桃杏映篱斜，妆点商山副使家，\n何事春风容不得，和莺吹折数枝花。\n\n"
        "            其二\n\n春云如兽复如禽，日照风吹浅又深。\n谁道无心便容与，亦同翻覆小人心。\n"
        "%    \n"  # a separator with trailing spaces, as in the real file
        "\x1b[32m题目:《除夜自石湖归苕溪》其一\x1b[m\n\x1b[33m作者:姜夔（１１５５－１２２１）\x1b[m\n"
        "细草穿沙雪半销，吴宫烟冷水迢迢。\n梅花竹里无人见，一夜吹香过石桥。\n%\n"
    )
    poems = script.parse_song(text)
    assert [p["title"] for p in poems] == [
        "春居杂兴·其一",
        "春居杂兴·其二",
        "除夜自石湖归苕溪·其一",
    ]
    assert [p["author"] for p in poems] == ["王禹偁", "王禹偁", "姜夔"]
    assert all(p["form"] == "七言绝句" and len(p["lines"]) == 4 for p in poems)


def test_shipped_json_matches_the_loader(poems):
    from importlib import resources

    raw = json.loads(resources.files("rnn_book.data").joinpath("tang300.json").read_text("utf-8"))
    assert [p["title"] for p in raw] == [p.title for p in poems]
    source = resources.files("rnn_book.data").joinpath("SOURCE.md").read_text("utf-8")
    assert "fortunes-zh" in source and "make_tang300.py" in source
    assert f"{len(poems)} poems" in source and f"{len(D.couplets())} couplets" in source
