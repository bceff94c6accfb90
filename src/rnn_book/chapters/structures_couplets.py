"""Many-to-many of equal length: 上联 -> 下联, one output character per input character.

The model reads the first line x_1..x_T and emits y_t = argmax softmax(V h_t + c) at every
step, so the answer has exactly as many characters as the question. A unidirectional RNN
only knows x_1..x_t when it writes y_t; ``bidirectional=True`` lets it see the whole line.

Baselines: the most frequent training character at every position, and a lookup table that
answers each upper character with the lower character most often paired with it in training.
``table_or_rnn`` mixes the two (the table where it has seen the character often enough), with
the threshold chosen on the training couplets by ``choose_threshold``; ``adjacent_pairs``
gives the larger, mostly non-parallel training set of the exercise on more data.
"""

from __future__ import annotations

import numpy as np

from rnn_book.losses import cross_entropy
from rnn_book.seeding import child_seeds
from rnn_book.training import fit, minibatches, single_thread

__all__ = [
    "CHAR_CLASSES",
    "CoupletVocab",
    "adjacent_pairs",
    "char_accuracy",
    "choose_threshold",
    "class_chance",
    "class_match",
    "experiment",
    "lookup_table",
    "make_model",
    "pattern_match",
    "predict",
    "summarize",
    "table_or_rnn",
    "train",
]


# Hand-made word classes for a coarse 对仗 check: a good 下联 answers a number with a number,
# a direction with a direction, a colour with a colour. A proxy for part of speech, no more.
#: Hand-made word classes (number, direction, colour, ...) for a coarse 对仗 check.
CHAR_CLASSES = {
    "number": "一二三四五六七八九十百千万两双半几数",
    "direction": "东西南北上下左右前后中内外",
    "colour": "红白青黑黄绿碧翠紫金银朱丹苍素",
    "sky": "天日月星云风雨雪霜露烟雾雷虹",
    "land_water": "山水江河湖海川溪泉石峰岭波浪沙洲岸",
    "plant": "花草木树林柳松竹梅桃李荷莲叶枝兰菊",
    "animal": "鸟雁鹤燕莺鸦鱼龙马虎猿蝉鸿鹊凤",
    "time": "春夏秋冬朝暮晨夕夜昼年岁时今古晓晚",
}


def class_match(pred, truth, decode, classes=None) -> tuple[float, int]:
    """Where the true 下联 character has a class, how often the prediction has the same class.

    pred, truth : lists of id sequences; decode : id -> character.
    Returns (fraction, number of such positions).
    """
    classes = CHAR_CLASSES if classes is None else classes
    of = {c: name for name, chars in classes.items() for c in chars}
    hits = total = 0
    for p, t in zip(pred, truth):
        for a, b in zip(p, t):
            want = of.get(decode(int(b)))
            if want is not None:
                total += 1
                hits += of.get(decode(int(a))) == want
    return (hits / total if total else float("nan")), total


def class_chance(truth, train_lowers, decode, classes=None) -> float:
    """The class match of guessing: at every position where the true character has a class,
    the probability that a character drawn from the training 下联 frequencies has that class.
    """
    classes = CHAR_CLASSES if classes is None else classes
    of = {c: name for name, chars in classes.items() for c in chars}
    train_chars = [decode(int(i)) for line in train_lowers for i in line]
    share = {name: np.mean([of.get(c) == name for c in train_chars]) for name in classes}
    wanted = [of.get(decode(int(b))) for t in truth for b in t]
    return float(np.mean([share[w] for w in wanted if w is not None]))


class CoupletVocab:
    """Characters of the training couplets (both lines) plus UNK = id 0.

    ``encode(line)`` -> (len,) ids, unknown characters -> 0; ``decode(ids)`` -> str.
    """

    def __init__(self, pairs):
        self.chars = ["<unk>", *sorted({c for a, b in pairs for c in a + b})]
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, line: str) -> np.ndarray:
        return np.array([self.index.get(c, 0) for c in line], dtype=np.int64)

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)


@single_thread
def experiment(
    train_pairs,
    held_pairs,
    bidirectional: bool,
    embedding_dim: int = 64,
    hidden_size: int = 128,
    epochs: int = 8,
    lr: float = 3e-3,
    seed: int = 0,
) -> dict:
    """Train on (上联, 下联) string pairs and measure on held-out pairs.

    Returns a dict: ``model``, ``vocab``, ``pred`` (held-out answers as str), the RNN's
    ``acc`` / ``class`` / ``train_acc``, the lookup table's ``lookup_acc`` / ``lookup_class``
    and its answers ``lookup_pred``, the guessing rate ``class_chance`` and
    ``unknown`` (share of held-out 上联 characters never seen in training).
    """
    vocab = CoupletVocab(train_pairs)
    up = [vocab.encode(a) for a, _ in train_pairs]
    low = [vocab.encode(b) for _, b in train_pairs]
    up_h = [vocab.encode(a) for a, _ in held_pairs]
    low_h = [vocab.encode(b) for _, b in held_pairs]
    model = make_model(len(vocab), embedding_dim, hidden_size, "rnn", bidirectional, seed)
    train(model, up, low, epochs=epochs, lr=lr, seed=seed)
    pred = predict(model, up_h, banned=[0])
    table = lookup_table(up, low, len(vocab))(up_h)
    ch = vocab.chars.__getitem__
    return {
        "model": model,
        "vocab": vocab,
        "pred": [vocab.decode(p) for p in pred],
        "lookup_pred": [vocab.decode(p) for p in table],
        "acc": char_accuracy(pred, low_h),
        "class": class_match(pred, low_h, ch)[0],
        "train_acc": char_accuracy(predict(model, up, banned=[0]), low),
        "lookup_acc": char_accuracy(table, low_h),
        "lookup_class": class_match(table, low_h, ch)[0],
        "class_chance": class_chance(low_h, low, ch),
        "class_positions": class_match(pred, low_h, ch)[1],
        "unknown": float(np.mean(np.concatenate(up_h) == 0)),
    }


def _by_length(lines) -> dict[int, np.ndarray]:
    """List of id sequences -> {T: indices of the sequences of length T}."""
    lengths = np.array([len(s) for s in lines])
    return {int(T): np.flatnonzero(lengths == T) for T in np.unique(lengths)}


def make_model(
    vocab_size: int,
    embedding_dim: int = 32,
    hidden_size: int = 64,
    cell: str = "rnn",
    bidirectional: bool = False,
    seed: int = 0,
):
    """ManyToMany(Embedding(V, E) -> RNN/LSTM/GRU(E, H) -> Linear(dirs * H, V)), seeded."""
    from rnn_book.layers import Embedding, Linear
    from rnn_book.models import ManyToMany, make_rnn

    s_emb, s_rnn, s_head = child_seeds(seed, 3)
    rnn = make_rnn(cell, embedding_dim, hidden_size, bidirectional=bidirectional, seed=s_rnn)
    return ManyToMany(
        rnn,
        Linear(hidden_size * rnn.num_directions, vocab_size, seed=s_head),
        Embedding(vocab_size, embedding_dim, seed=s_emb),
    )


def train(
    model,
    uppers,
    lowers,
    epochs: int = 10,
    lr: float = 5e-3,
    batch_size: int = 32,
    seed: int = 0,
    clip: float = 5.0,
) -> dict[str, list[float]]:
    """Teach the model lowers[i][t] from uppers[i][:t+1] (or the whole line if bidirectional).

    uppers, lowers : lists of equal-length id sequences (lines of 5 and 7 characters may mix;
    batches hold one length each).
    """
    from rnn_book.optim import Adam

    if len(uppers) != len(lowers) or any(len(a) != len(b) for a, b in zip(uppers, lowers)):
        raise ValueError("uppers, lowers: expected pairs of equal-length sequences")
    groups = {
        T: (np.array([uppers[i] for i in idx]), np.array([lowers[i] for i in idx]))
        for T, idx in _by_length(uppers).items()
    }
    optimizer = Adam([model], lr=lr)

    def make_batches(rng):
        batches = [
            (up[b].T, low[b].T)  # (T, B)
            for up, low in groups.values()
            for b in minibatches(len(up), batch_size, rng)
        ]
        return [batches[i] for i in rng.permutation(len(batches))]

    return fit(model, make_batches, cross_entropy, optimizer, epochs, seed, clip)


@single_thread
def predict(model, uppers, banned=()) -> list[np.ndarray]:
    """The model's 下联 for every 上联: list of id arrays, each as long as its input.

    banned : ids never emitted (e.g. the unknown-character id).
    """
    out: list = [None] * len(uppers)
    for idx in _by_length(uppers).values():
        logits = model.forward(np.array([uppers[i] for i in idx]).T)  # (T, B, V)
        if len(banned):
            logits[..., list(banned)] = -np.inf
        pred = np.argmax(logits, axis=-1).T  # (B, T)
        for k, i in enumerate(idx):
            out[i] = pred[k]
    return out


def lookup_table(uppers, lowers, vocab_size: int):
    """Baseline: each upper character -> the lower character most often at its place.

    Returns a function mapping a list of upper sequences to predicted lower sequences;
    characters never seen in training get the most frequent lower character.
    """
    up = np.concatenate([np.asarray(u) for u in uppers])
    low = np.concatenate([np.asarray(w) for w in lowers])
    counts = np.zeros((vocab_size, vocab_size))
    np.add.at(counts, (up, low), 1.0)
    fallback = int(np.argmax(np.bincount(low, minlength=vocab_size)))
    table = np.where(counts.sum(1) > 0, np.argmax(counts, axis=1), fallback)
    return lambda seqs: [table[np.asarray(s)] for s in seqs]


def char_accuracy(pred, truth) -> float:
    """Fraction of positions where the predicted character equals the true one."""
    if len(pred) != len(truth):
        raise ValueError(f"pred, truth: expected equal lengths, got {len(pred)} and {len(truth)}")
    hits = sum(int(np.sum(np.asarray(p) == np.asarray(t))) for p, t in zip(pred, truth))
    return hits / sum(len(t) for t in truth)


def _pattern(s) -> tuple:
    """Where a line repeats itself: 层层 in 风吹水面层层浪 -> (0,1,2,3,4,4,5)."""
    first = {}
    return tuple(first.setdefault(int(c), len(first)) for c in s)


def pattern_match(pred, uppers) -> float:
    """Fraction of answers whose repetition pattern equals the upper line's (层层 <-> 点点)."""
    return float(np.mean([_pattern(p) == _pattern(u) for p, u in zip(pred, uppers)]))


def summarize(uni: list[dict], bi: list[dict]) -> str:
    """A text table of ``experiment`` results over several splits: mean ± std per measure.

    uni, bi : results of the unidirectional and bidirectional runs, one dict per split.
    """
    from rnn_book.figures.svg import text_units
    from rnn_book.training import mean_spread

    def row(label, key, runs):
        pad = " " * (24 - text_units(label))
        return f"  {label}{pad} {mean_spread([r[key] for r in runs])}"

    return "\n".join(
        [
            "逐字准确率，留出集",
            row("查表", "lookup_acc", bi),
            row("RNN，单向", "acc", uni),
            row("RNN，双向", "acc", bi),
            "词类相对率，留出集",
            row("猜测（按训练集频率）", "class_chance", bi),
            row("查表", "lookup_class", bi),
            row("RNN，单向", "class", uni),
            row("RNN，双向", "class", bi),
            "训练对联上的逐字准确率",
            row("RNN，单向", "train_acc", uni),
            row("RNN，双向", "train_acc", bi),
        ]
    )


def adjacent_pairs(poems) -> list[tuple[str, str]]:
    """Lines 1-2, 3-4, ... of every poem as (first, second) pairs, where both are equally long.

    poems : list of ``Poem``. Unlike ``rb.data.couplets`` this takes every form and every
    couplet (首联 and 尾联 too), most of which are not parallel (对仗).
    """
    return [
        (p.lines[i], p.lines[i + 1])
        for p in poems
        for i in range(0, len(p.lines) - 1, 2)
        if len(p.lines[i]) == len(p.lines[i + 1])
    ]


def table_or_rnn(model, vocab, train_pairs, held_pairs, k: int) -> float:
    """Class match on ``held_pairs`` of the mixed answer: per character, the lookup table's
    answer if the upper character occurs at least ``k`` times among the training upper lines,
    else the model's. k = 0 is the table alone; a k above every count is the model alone.
    """
    up = [vocab.encode(a) for a, _ in train_pairs]
    low = [vocab.encode(b) for _, b in train_pairs]
    up_h = [vocab.encode(a) for a, _ in held_pairs]
    low_h = [vocab.encode(b) for _, b in held_pairs]
    counts = np.bincount(np.concatenate(up), minlength=len(vocab))
    table = lookup_table(up, low, len(vocab))(up_h)
    rnn = predict(model, up_h, banned=[0])
    mixed = [np.where(counts[u] >= k, t, r) for u, t, r in zip(up_h, table, rnn)]
    return class_match(mixed, low_h, vocab.chars.__getitem__)[0]


def choose_threshold(train_pairs, ks, seed: int = 0, **kwargs) -> tuple[int, dict[int, float]]:
    """Pick ``k`` for ``table_or_rnn`` without looking at the held-out couplets.

    The training couplets are split by poem (they come two per poem, in order; every fifth
    poem is set aside), a bidirectional model is trained on the rest (``experiment``, with
    ``kwargs``), and the k with the best class match on the set-aside couplets is returned
    with the score of every k.
    """
    ks = list(ks)
    if not ks:
        raise ValueError("ks: expected at least one threshold, got none")
    aside = (np.arange(len(train_pairs)) // 2) % 5 == 0
    inner = [p for p, a in zip(train_pairs, aside) if not a]
    valid = [p for p, a in zip(train_pairs, aside) if a]
    r = experiment(inner, valid, bidirectional=True, seed=seed, **kwargs)
    scores = {k: table_or_rnn(r["model"], r["vocab"], inner, valid, k) for k in ks}
    return max(scores, key=scores.get), scores
