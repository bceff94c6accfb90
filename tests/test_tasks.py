"""Small, fast versions of the tasks of the chapter on the four structures (rnn_book.chapters.structures*)."""

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.chapters import structures
from rnn_book.chapters import structures_couplets as couplets
from rnn_book.chapters import structures_many_to_one as m2o
from rnn_book.chapters import structures_poems as poems
from rnn_book.models import CharLM

# ----------------------------------------------------------------------------- hello


def test_hello_reaches_zero_error():
    x, y = np.array([1, 0, 2, 2]), np.array([0, 2, 2, 3])  # h e l l -> e l l o over "ehlo"
    model, hist = structures.train_hello(x, y, vocab_size=4, hidden_size=8, steps=150, seed=0)
    assert hist["errors"][-1] == 0
    assert hist["loss"][-1] < 0.05
    probs = model.probabilities(x[:, None])[:, 0]
    # the same input "l" at steps 3 and 4 gets different answers: only the state differs
    assert np.argmax(probs[2]) == 2 and np.argmax(probs[3]) == 3


def test_hello_rejects_mismatched_sequences():
    with pytest.raises(ValueError, match="input_ids, target_ids"):
        structures.train_hello([0, 1, 2], [1, 2], vocab_size=3)


# ----------------------------------------------------------------------------- acrostic

POEMS = ["白日依山尽，黄河入海流。", "春眠不觉晓，处处闻啼鸟。", "床前明月光，疑是地上霜。"] * 4


def _corpus():
    return poems.PoemCorpus(POEMS, n_valid=2, n_test=2, seed=0)


def test_poem_corpus_splits_by_poem_and_maps_unknown_to_unk():
    c = _corpus()
    assert len(c.train_poems) == len(POEMS) - 4
    assert c.chars[0] == poems.UNK and c.chars[1] == poems.START
    assert c.decode(c.encode("春眠")) == "春眠"
    assert c.encode("龘")[0] == 0
    assert all(not ("\u4e00" <= c.chars[i] <= "\u9fff") for i in c.banned)
    assert c.index["，"] in c.banned and c.index["春"] not in c.banned


def test_chunk_stream_targets_are_inputs_shifted():
    w = poems.chunk_stream(np.arange(20), seq_len=4, offset=1)
    assert w.shape == (4, 5)
    np.testing.assert_array_equal(w[0], [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(w[1, :-1] + 1, w[1, 1:])
    with pytest.raises(ValueError, match="ids"):
        poems.chunk_stream(np.zeros((2, 3), dtype=int), 2)


def test_acrostic_starts_with_requested_characters_and_has_right_length():
    c = _corpus()
    model = CharLM(len(c), 16, embedding_dim=8, seed=0)
    poems.train_charlm(model, c.train, epochs=2, seq_len=8, batch_size=4, seed=0)
    heads = c.encode("春白床")
    for tau in (0, 0.8, 2.0):
        lines = poems.acrostic(model, heads, 5, c.encode("，。"), tau, rng=1, banned=c.banned)
        assert len(lines) == 3
        for line, head in zip(lines, heads):
            assert len(line) == 5 and line[0] == head
            assert not set(line[1:]) & set(c.banned)


def test_generate_line_is_greedy_at_temperature_zero_and_seeded_otherwise():
    c = _corpus()
    model = CharLM(len(c), 8, embedding_dim=4, seed=3)
    head = c.index["春"]
    a = [poems.generate_line(model, head, 5, 0.0, rng=s)[0] for s in range(3)]
    assert a[0] == a[1] == a[2]
    b1 = poems.generate_line(model, head, 5, 1.0, rng=7)[0]
    b2 = poems.generate_line(model, head, 5, 1.0, rng=7)[0]
    assert b1 == b2
    with pytest.raises(ValueError, match="temperature"):
        poems.generate_line(model, head, 5, -1.0)


def test_perplexity_of_a_uniform_model_is_the_vocabulary_size():
    model = CharLM(7, 4, seed=0)
    model.head.params["weight"][...] = 0.0
    model.head.params["bias"][...] = 0.0
    ids = np.random.default_rng(0).integers(7, size=50)
    assert poems.perplexity(model, ids, streams=5) == pytest.approx(7.0)


def test_unigram_perplexity_matches_hand_computation():
    # train counts 3 x id0, 1 x id1 (+1 smoothing over 2 symbols): p = 4/6, 2/6
    ppl = poems.unigram_perplexity([0, 0, 0, 1], [0, 1], vocab_size=2)
    assert ppl == pytest.approx(np.exp(-(np.log(4 / 6) + np.log(2 / 6)) / 2))


def test_training_lowers_perplexity_and_keep_best_restores_the_best_epoch():
    c = _corpus()
    model = CharLM(len(c), 16, embedding_dim=8, seed=0)
    before = poems.perplexity(model, c.train, streams=2)
    h = poems.train_charlm(
        model,
        c.train,
        epochs=6,
        seq_len=8,
        batch_size=4,
        lr=1e-2,
        eval_ids=c.train,
        keep_best=True,
    )
    after = poems.perplexity(model, c.train)
    assert after < before / 2
    assert after == pytest.approx(min(h["eval"]))
    assert h["eval"][h["best_epoch"][0] - 1] == min(h["eval"])


# ----------------------------------------------------------------------------- sentiment


def _order_task(n, seed):
    """Label 1 iff token 1 comes before token 2; fillers 3..6; same bag of words either way."""
    rng = np.random.default_rng(seed)
    seqs, labels = [], []
    for _ in range(n):
        length = int(rng.integers(4, 7))
        s = rng.integers(3, 7, size=length)
        i, j = rng.choice(length, size=2, replace=False)
        s[i], s[j] = 1, 2
        seqs.append(s)
        labels.append(int(i < j))
    return seqs, np.array(labels)


def test_sentiment_rnn_beats_bag_of_words_when_order_decides():
    train_x, train_y = _order_task(400, 0)
    test_x, test_y = _order_task(200, 1)
    bow = m2o.train_bow(m2o.bow_features(train_x, 7), train_y, epochs=100)
    bow_acc = m2o.accuracy(np.argmax(bow.forward(m2o.bow_features(test_x, 7)), -1), test_y)
    model = m2o.make_classifier(7, embedding_dim=8, hidden_size=16, seed=0)
    m2o.train_classifier(model, train_x, train_y, epochs=15, lr=1e-2, seed=0)
    rnn_acc = m2o.accuracy(m2o.predict_labels(model, test_x), test_y)
    assert bow_acc < 0.7
    assert rnn_acc > 0.9


def test_length_batches_cover_every_sequence_once_with_one_length_each():
    seqs, labels = _order_task(50, 2)
    batches = m2o.length_batches(seqs, labels, 8, np.random.default_rng(0))
    seen = np.concatenate([part for _, _, part in batches])
    assert sorted(seen) == list(range(50))
    for ids, y, part in batches:
        assert ids.shape == (len(seqs[part[0]]), len(part))
        np.testing.assert_array_equal(y, labels[part])


def test_sentiment_bad_input():
    with pytest.raises(ValueError, match="seqs"):
        m2o.bow_features([np.array([], dtype=int)], 3)
    with pytest.raises(ValueError, match="X, y"):
        m2o.train_bow(np.zeros((3, 2)), np.zeros(2, dtype=int))


# ----------------------------------------------------------------------------- stock


def test_naive_forecast_is_the_last_value_and_bad_shapes_raise():
    X = np.arange(1.0, 13.0).reshape(3, 4)
    np.testing.assert_array_equal(m2o.naive_forecast(X), [4.0, 8.0, 12.0])
    np.testing.assert_array_equal(m2o.naive_forecast(X[:, :, None]), [4.0, 8.0, 12.0])
    inputs = m2o.to_inputs(X, 2.0)
    assert inputs.shape == (4, 3, 1)
    assert inputs[-1, 0, 0] == 0.0 and inputs[0, 0, 0] == pytest.approx(np.log(1 / 4) / 2)
    with pytest.raises(ValueError, match="X"):
        m2o.naive_forecast(np.arange(4.0))
    with pytest.raises(ValueError, match="positive"):
        m2o.to_inputs(-X, 1.0)


def test_a_regressor_that_outputs_zero_return_is_the_naive_forecast():
    X = rb.data.momentum_walk(30, phi=0.0, seed=1)[None, :10]
    model = m2o.make_regressor(4, seed=0)
    model.head.params["weight"][...] = 0.0
    model.head.params["bias"][...] = 0.0
    np.testing.assert_allclose(m2o.predict_prices(model, X, 0.01), m2o.naive_forecast(X))


def test_raw_regressor_reads_and_predicts_prices_scaled():
    X = np.arange(1.0, 13.0).reshape(3, 4)
    inputs = m2o.raw_inputs(X, 2.0)
    assert inputs.shape == (4, 3, 1)
    np.testing.assert_allclose(inputs[:, :, 0], X.T / 2.0)
    with pytest.raises(ValueError, match="price_scale"):
        m2o.raw_inputs(X, 0.0)
    model = m2o.make_regressor(4, seed=0)
    model.head.params["weight"][...] = 0.0
    model.head.params["bias"][...] = 0.5  # outputs price / scale = 0.5 for every window
    np.testing.assert_allclose(m2o.predict_raw_prices(model, X, price_scale=10.0), 5.0)


def test_raw_regressor_learns_a_flat_series_and_checks_shapes():
    X = np.full((64, 5), 80.0)
    y = np.full(64, 80.0)
    model = m2o.make_regressor(4, seed=0)
    history = m2o.train_raw_regressor(model, X, y, epochs=30, lr=1e-2, seed=0)
    assert history["train_loss"][-1] < history["train_loss"][0]
    with pytest.raises(ValueError, match="y"):
        m2o.train_raw_regressor(model, X, y[:3])


def test_stock_regressor_finds_momentum_that_naive_ignores():
    # log returns follow AR(1) with phi = 0.8: tomorrow's return is predictable from today's
    p = rb.data.momentum_walk(900, phi=0.8, seed=0)
    X = np.lib.stride_tricks.sliding_window_view(p[:-1], 5)
    y = p[5:]
    scale = float(np.std(np.diff(np.log(p[:605]))))
    model = m2o.make_regressor(8, seed=0)
    m2o.train_regressor(model, X[:600], y[:600], scale, epochs=15, seed=0)
    mse_rnn = np.mean((m2o.predict_prices(model, X[600:], scale) - y[600:]) ** 2)
    mse_naive = np.mean((m2o.naive_forecast(X[600:]) - y[600:]) ** 2)
    assert mse_rnn < 0.6 * mse_naive
    with pytest.raises(ValueError, match="phi"):
        rb.data.momentum_walk(10, phi=1.0)


# ----------------------------------------------------------------------------- couplets


def test_couplet_output_has_the_same_length_as_the_input():
    uppers = [np.array([1, 2, 3, 4, 5]), np.array([1, 2, 3, 4, 5, 6, 7]), np.array([5, 4, 3, 2, 1])]
    lowers = [np.array([6, 7, 8, 9, 10]), np.array([6, 7, 8, 9, 10, 11, 12]), np.array([10] * 5)]
    for bidirectional in (False, True):
        model = couplets.make_model(13, 8, 8, bidirectional=bidirectional, seed=0)
        couplets.train(model, uppers, lowers, epochs=40, lr=3e-2, batch_size=2, seed=0)
        pred = couplets.predict(model, uppers, banned=[0])
        assert [len(p) for p in pred] == [5, 7, 5]
        assert couplets.char_accuracy(pred, lowers) > 0.9  # memorises three pairs


def test_couplet_baselines_and_measures():
    uppers = [np.array([1, 2, 2]), np.array([3, 1, 4])]
    lowers = [np.array([5, 6, 6]), np.array([7, 5, 8])]
    table = couplets.lookup_table(uppers, lowers, 9)
    pred = table(uppers)
    assert couplets.char_accuracy(pred, lowers) == 1.0
    assert couplets.pattern_match(pred, uppers) == 1.0
    assert couplets.pattern_match([np.array([5, 6, 7])], [np.array([1, 2, 2])]) == 0.0
    chars = "_一二东西山水天日"
    frac, n = couplets.class_match(
        [np.array([1, 3])], [np.array([2, 6])], decode=lambda i: chars[i]
    )
    assert n == 2 and frac == 0.5  # 一/二 both numbers; 东 (direction) vs 水 (land_water)
    with pytest.raises(ValueError, match="pred, truth"):
        couplets.char_accuracy([np.array([1])], [])


# ----------------------------------------------------------------------------- numerals


@pytest.mark.parametrize(
    "n, text",
    [
        (1, "一"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (101, "一百零一"),
        (110, "一百一十"),
        (1005, "一千零五"),
        (1050, "一千零五十"),
        (2010, "二千零一十"),
        (9999, "九千九百九十九"),
    ],
)
def test_chinese_numeral(n, text):
    assert rb.data.numerals.chinese_numeral(n) == text


def test_numeral_pairs_are_padded_left_and_masked_after_eos():
    src, tgt_in, tgt_out, mask = rb.data.numerals.encode_pairs([10, 1050])
    assert src.shape == (rb.data.numerals.SRC_LEN, 2) and tgt_out.shape == (
        rb.data.numerals.TGT_LEN,
        2,
    )
    assert list(src[:, 0]) == [0] * 6 + [rb.data.numerals.SRC_CHARS.index("十")]
    np.testing.assert_array_equal(tgt_out[:3, 0], [3, 2, rb.data.numerals.EOS])  # "1", "0", <eos>
    np.testing.assert_array_equal(mask[:, 0], [1, 1, 1, 0, 0])
    np.testing.assert_array_equal(tgt_in[1:], tgt_out[:-1])
    with pytest.raises(ValueError, match="n"):
        rb.data.numerals.chinese_numeral(0)


def test_seq2seq_learns_a_few_numerals():
    nums = np.arange(1, 31)
    model = structures.make_model(hidden_size=32, seed=0)
    structures.train(model, nums, epochs=120, lr=1e-2, batch_size=32, seed=0)
    assert structures.exact_match(model, nums) > 0.9


def test_decode_right_padding_moves_pads_after_the_characters():
    seen = []

    class Echo:  # records the source it is given, answers nothing
        def greedy_decode(self, src, bos, length, eos_id=None):
            seen.append(src)
            return np.full((length, src.shape[1]), rb.data.numerals.EOS)

    nums = [10, 9999, 305]
    assert structures.decode(Echo(), nums) == ["", "", ""]
    structures.decode(Echo(), nums, pad="right")
    left, right = seen
    for j in range(len(nums)):
        chars = left[:, j][left[:, j] != 0]
        n = len(chars)
        np.testing.assert_array_equal(left[-n:, j], chars)  # left: characters at the end
        np.testing.assert_array_equal(right[:n, j], chars)  # right: the same at the start
        assert (right[n:, j] == 0).all()
    with pytest.raises(ValueError, match="pad"):
        structures.decode(Echo(), nums, pad="middle")


def test_mistakes_sorts_wrong_answers():
    nums = [300, 1004, 8298, 9999]
    r = structures.mistakes(nums, ["30", "1040", "8298", "9999"])
    assert r["wrong"] == 2 and r["wrong_with_zero"] == 2 and r["wrong_length"] == 1
    assert r["zero_share"] == 0.5
    # 三百 (2 characters) and 一千零四 (4) are short; 九千九百九十九 has 7
    assert r["short_count"] == 2 and r["short_error"] == 1.0 and r["long_error"] == 0.0
    with pytest.raises(ValueError, match="answers"):
        structures.mistakes(nums, ["300"])


def test_tune_steps_counts_notes_and_bars():
    assert structures.tune_steps("1:2 2:2 3:4 5,:8") == (4, 2)
    notes, bars = structures.tune_steps(rb.data.melodies.TUNES["twinkle"])
    assert notes > bars > 0
    with pytest.raises(ValueError, match="whole number of bars"):
        structures.tune_steps("1:2 2:2")


def test_many_to_one_gradient_reaches_every_step():
    g = structures.many_to_one_gradients(T=6, seed=1)
    assert g["dh_norm"].shape == g["dx_norm"].shape == (6,)
    assert (g["dh_norm"] > 0).all() and (g["dx_norm"] > 0).all()
    assert g["dx_gap"] < 1e-12  # the hand-written BPTT equals ManyToOne.backward


# ----------------------------------------------------------------------------- shapes, ui


def test_shape_traces_end_in_the_right_output_shapes():
    assert structures.trace("many_to_one", T=5, B=3, C=2)[-1][1] == (3, 2)
    assert structures.trace("many_to_many", T=5, B=3, vocab=10)[-1][1] == (5, 3, 10)
    assert structures.trace("encoder_decoder", T=5, B=3, vocab=10, T_out=2)[-1][1] == (2, 3, 10)
    assert structures.trace("one_to_many", T=5)[-1][1] == (5,)
    with pytest.raises(ValueError, match="kind"):
        structures.trace("two_to_one")


def test_frame_slider_links_the_slider_to_the_frames():
    box = rb.figures.frame_slider(
        ["a", "b"], [rb.figures.text_frame(["x"]), rb.figures.text_frame(["<y>"])], "pick"
    )
    slider, stack = box.children
    assert slider.description == "pick" and len(stack.children) == 2
    assert "&lt;y&gt;" in stack.children[1].value
    assert box._link.source == (slider, "index") and box._link.target == (stack, "selected_index")
    with pytest.raises(ValueError, match="labels, frames"):
        rb.figures.frame_slider(["a"], [], "pick")


def test_couplet_vocab_and_experiment_on_a_tiny_split():
    pairs = [
        ("白日依山尽", "黄河入海流"),
        ("明月松间照", "清泉石上流"),
        ("山中一夜雨", "树杪百重泉"),
    ]
    vocab = couplets.CoupletVocab(pairs)
    assert vocab.chars[0] == "<unk>" and vocab.decode(vocab.encode("白日")) == "白日"
    assert vocab.encode("龘")[0] == 0
    r = couplets.experiment(
        pairs, pairs[:1], bidirectional=True, embedding_dim=8, hidden_size=8, epochs=2, seed=0
    )
    assert [len(p) for p in r["pred"]] == [5]
    assert 0.0 <= r["acc"] <= 1.0 and r["unknown"] == 0.0
    assert r["lookup_pred"][0][0] == "黄"  # 白 only ever faced 黄 in training
    table = couplets.summarize([r], [r, r])
    assert "查表" in table and "± 0.000" in table


def test_adjacent_pairs_take_equal_length_line_pairs_of_every_poem():
    Poem = rb.data.poems.Poem
    poems_ = [
        Poem("t", "a", "五言绝句", ("白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼")),
        Poem("t", "a", "杂言古诗", ("蜀道难", "难于上青天", "噫吁嚱")),  # unequal; odd last line
    ]
    pairs = couplets.adjacent_pairs(poems_)
    assert pairs == [("白日依山尽", "黄河入海流"), ("欲穷千里目", "更上一层楼")]


def test_table_or_rnn_is_the_table_at_k0_and_the_model_for_a_large_k():
    pairs = [("白日依山尽", "黄河入海流"), ("明月松间照", "清泉石上流")] * 3
    model = couplets.make_model(len(couplets.CoupletVocab(pairs)), 4, 4, seed=0)  # untrained
    vocab = couplets.CoupletVocab(pairs)
    held = [("白日松间照", "黄河石上流")]
    table = couplets.table_or_rnn(model, vocab, pairs, held, k=0)
    assert table == 1.0  # 黄, 河 and 泉 (for 石: both land_water) have the wanted classes
    up_h = [vocab.encode(a) for a, _ in held]
    low_h = [vocab.encode(b) for _, b in held]
    alone = couplets.class_match(
        couplets.predict(model, up_h, banned=[0]), low_h, vocab.chars.__getitem__
    )[0]
    assert couplets.table_or_rnn(model, vocab, pairs, held, k=10**6) == alone


def test_choose_threshold_returns_one_of_the_given_ks_with_every_score():
    pairs = [("白日依山尽", "黄河入海流"), ("明月松间照", "清泉石上流")] * 10
    k, scores = couplets.choose_threshold(
        pairs, [0, 5], seed=0, embedding_dim=4, hidden_size=4, epochs=1
    )
    assert set(scores) == {0, 5} and k in scores and scores[k] == max(scores.values())
    with pytest.raises(ValueError, match="ks"):
        couplets.choose_threshold(pairs, [])


def test_class_chance_is_the_share_of_the_wanted_class_in_training():
    chars = "_一二山水"
    # training lowers: 一, 山, 山, 水 -> number share 1/4; truth asks for a number once
    chance = couplets.class_chance(
        [np.array([2])], [np.array([1, 3]), np.array([3, 4])], decode=lambda i: chars[i]
    )
    assert chance == pytest.approx(0.25)


def test_running_probability_ends_in_the_classifier_answer():
    seqs, _ = _order_task(40, 3)
    model = m2o.make_classifier(7, embedding_dim=4, hidden_size=6, seed=0)
    p = m2o.running_probability(model, seqs[0])
    assert p.shape == (len(seqs[0]), 2)
    np.testing.assert_allclose(p.sum(-1), 1.0)
    logits = model.forward(seqs[0][:, None])  # (1, 2): the answer from h_T
    np.testing.assert_allclose(p[-1], np.exp(logits[0]) / np.exp(logits[0]).sum())


# ----------------------------------------------------------------------------- melody


def test_every_tune_fills_whole_bars_and_parses():
    for name, tune in rb.data.melodies.TUNES.items():
        eighths = sum(poems.parse(tok)[2] for tok in tune.split())
        assert eighths % 8 == 0, name  # 4/4 time: a transcription slip shows up here
    assert poems.parse("5,:2") == (5, -1, 2) and poems.parse("1':3") == (1, 1, 3)
    with pytest.raises(ValueError, match="token"):
        poems.parse("8:2")


def test_frequency_and_synthesis_lengths():
    assert poems.frequency(6) == pytest.approx(440.0, rel=1e-4)  # A4
    assert poems.frequency(1, 1) == pytest.approx(2 * poems.frequency(1))
    wave = poems.synthesize(["1:2", "0:2", rb.data.melodies.END, "5:4"], bpm=120, rate=1000)
    assert wave.shape == (2000,)  # 8 eighths of 0.25 s at 1000 Hz
    assert np.abs(wave).max() == pytest.approx(1.0)
    assert np.all(wave[500:1000] == 0.0)  # the rest is silent


def test_generate_respects_start_min_and_max_notes():
    vocab = poems.NoteVocab(rb.data.melodies.TUNES.values())
    stream = vocab.stream([rb.data.melodies.TUNES["mary"]])
    assert stream[0] == 0 and vocab.decode(stream[1:3]) == ["3:2", "2:2"]
    model = CharLM(len(vocab), 8, embedding_dim=4, seed=0)
    model.head.params["bias"][0] = 50.0  # END is by far the likeliest symbol
    song = poems.generate(model, vocab, ["1:2"], max_notes=10, temperature=1.0, rng=0)
    assert song == ["1:2"]
    song = poems.generate(model, vocab, ["1:2"], max_notes=10, rng=0, min_notes=5)
    assert len(song) == 6 and song[0] == "1:2" and rb.data.melodies.END not in song
    assert (
        poems.copied_fraction(["3:2", "2:2", "1:2", "2:2"], [rb.data.melodies.TUNES["mary"]]) == 1.0
    )
    assert (
        poems.copied_fraction(["1:2", "1:2", "1:2", "1:2"], [rb.data.melodies.TUNES["mary"]]) == 0.0
    )


# ----------------------------------------------------------------------------- threads


def test_single_thread_blas_limits_blas_inside_and_restores_after():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from rnn_book.training import single_thread, single_thread_blas

    def blas_threads():
        return [
            i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"
        ]

    before = blas_threads()
    with single_thread_blas():
        assert all(n == 1 for n in blas_threads())
    assert blas_threads() == before
    assert single_thread(blas_threads)() == [1] * len(before)
