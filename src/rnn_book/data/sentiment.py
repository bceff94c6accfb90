"""Generated Chinese film reviews whose label depends on word order (many-to-one classification).

These are NOT real reviews: a small grammar writes them from a seed. A review is one or two
clauses; a clause is ``aspect + modifier + adjective``: 画面 很 好, 剧情 并不 精彩, 结局 一点 也 不 差.
Its polarity is the adjective's, flipped by a negation (不, 并不, 没有 那么, 一点 也 不).
Two clauses are joined by a connective, and the connective decides which clause counts:

=====================  ============================  =======================
pattern                example                       label from
=====================  ============================  =======================
single                 剧情很精彩                    the clause
but                    画面很好，但是剧情很差        the clause after 但是
although_but           虽然画面很好，但是剧情很差    the clause after 但是
however                画面很好，不过剧情很差        the clause after 不过
main_although          剧情很差，虽然画面很好        the clause without 虽然
and                    画面很好，而且剧情很精彩      both (they agree)
=====================  ============================  =======================

In every two-clause contrast the clauses have opposite polarities, so the bag of words of
"A，但是B" equals that of "B，但是A" while the labels differ; with ``mirrored=True`` every
contrast review comes with that twin. Negation makes even one clause an XOR of two words
(不 and the adjective), which a linear bag-of-words model cannot represent. Together these
keep a bag-of-words logistic regression near 60 % held-out accuracy (mirrored, 25 % of the
clauses negated). No order-blind model can beat about 72.5 % on mirrored data: it can be
right on the 45 % of one-clause and 而且 reviews, but is at chance on the 55 % of contrasts,
whose twin has the same bag. A reader that follows the order (``review_label``) gets 100 %.

Tokens are words (lists of str, "，" included as a token); ``"".join(tokens)`` is the text
and ``list("".join(tokens))`` its characters. No adjective contains 不 or 没, so character
tokens keep the same meaning.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "ADJECTIVES",
    "ASPECTS",
    "DEGREES",
    "NEGATIONS",
    "NEGATION_RATE",
    "PATTERNS",
    "review_label",
    "sentiment_reviews",
]

ASPECTS = ("画面", "剧情", "音乐", "演技", "节奏", "结局", "特效", "台词", "镜头", "配角")
# Adjectives that fit every aspect (no 好看 for the music), none containing 不 or 没.
ADJECTIVES = {
    1: ("好", "精彩", "出色", "用心", "到位", "惊艳", "出彩", "讲究"),
    0: ("差", "无聊", "糟糕", "平庸", "乏味", "粗糙", "敷衍", "老套"),
}
DEGREES = (("很",), ("非常",), ("特别",), ("相当",), ("真",))
NEGATIONS = (("不",), ("并不",), ("没有", "那么"), ("一点", "也", "不"))
# pattern -> probability; a two-clause contrast's twin uses the same pattern.
PATTERNS = {
    "single": 0.25,
    "but": 0.15,
    "although_but": 0.15,
    "however": 0.10,
    "main_although": 0.15,
    "and": 0.20,
}
NEGATION_RATE = 0.25  # share of clauses written with a negation
_CONTRASTS = ("but", "although_but", "however", "main_although")
_NEGATORS = {"不", "并不", "没有"}
_POLARITY = {adj: pol for pol, adjs in ADJECTIVES.items() for adj in adjs}
COMMA = "，"


def _clause(rng, polarity: int, aspect: str) -> list[str]:
    """aspect + (degree | negation) + adjective with the given overall polarity (0/1)."""
    negated = bool(rng.random() < NEGATION_RATE)
    modifier = NEGATIONS[rng.integers(len(NEGATIONS))] if negated else DEGREES[rng.integers(5)]
    adjs = ADJECTIVES[polarity ^ int(negated)]  # a negated clause needs the opposite adjective
    return [aspect, *modifier, adjs[rng.integers(len(adjs))]]


def _join(pattern: str, main: list[str], other: list[str]) -> list[str]:
    if pattern == "single":
        return main
    if pattern == "but":
        return [*other, COMMA, "但是", *main]
    if pattern == "although_but":
        return ["虽然", *other, COMMA, "但是", *main]
    if pattern == "however":
        return [*other, COMMA, "不过", *main]
    if pattern == "main_although":
        return [*main, COMMA, "虽然", *other]
    return [*main, COMMA, "而且", *other]  # "and": both clauses share the label


def _review(rng, pattern: str, label: int):
    """(tokens, main clause, other clause) of one review with the given label."""
    a, b = rng.choice(len(ASPECTS), size=2, replace=False)
    main = _clause(rng, label, ASPECTS[a])
    if pattern == "single":
        return main, main, []
    other_pol = label if pattern == "and" else 1 - label
    other = _clause(rng, other_pol, ASPECTS[b])
    return _join(pattern, main, other), main, other


def _clause_polarity(words: list[str]) -> int:
    adjs = [w for w in words if w in _POLARITY]
    if len(adjs) != 1:
        raise ValueError(f"tokens: expected one adjective per clause, got clause {words}")
    negated = any(w in _NEGATORS for w in words)
    return _POLARITY[adjs[0]] ^ int(negated)


def review_label(tokens) -> int:
    """The label the grammar assigns, read in order: 1 positive, 0 negative.

    tokens : a review as words (or its text as a str, which is re-split at "，" only).
    The clause after 但是/不过 decides; otherwise the clause without 虽然; otherwise the first.
    """
    text = tokens if isinstance(tokens, str) else "".join(tokens)
    if not isinstance(text, str) or not text:
        raise ValueError(f"tokens: expected a non-empty review, got {tokens!r}")
    clauses = text.split(COMMA)
    if len(clauses) > 2:
        raise ValueError(f"tokens: expected at most two clauses, got {len(clauses)}")

    def words(clause: str) -> list[str]:  # re-segment: adjectives and negators are known
        found, i = [], 0
        vocab = sorted(set(_POLARITY) | _NEGATORS, key=len, reverse=True)
        while i < len(clause):
            w = next((v for v in vocab if clause.startswith(v, i)), clause[i])
            found.append(w)
            i += len(w)
        return found

    for clause in clauses:
        if clause.startswith(("但是", "不过")):
            return _clause_polarity(words(clause[2:]))
    for k, clause in enumerate(clauses):
        if clause.startswith("虽然") and len(clauses) == 2:
            return _clause_polarity(words(clauses[1 - k]))
    return _clause_polarity(words(clauses[0].removeprefix("虽然")))


def sentiment_reviews(n: int, seed: int = 0, mirrored: bool = True, exclude=None):
    """Generate ``n`` labelled reviews (synthetic, from the grammar in this module's docstring).

    Parameters
    ----------
    n : number of reviews (>= 2).
    seed : for ``np.random.default_rng``.
    mirrored : if True, reviews are made in units of two with labels 0 and 1: a contrast review
        and its twin with the clauses swapped (same bag of words, opposite label), or two
        independent one-clause / "而且" reviews. The units are then shuffled.
    exclude : optional reviews (token lists or texts) that must not be generated, e.g. the
        training set when making a test set: the grammar is small, so two seeds share about
        8 % of their reviews verbatim otherwise. Excluded draws are redrawn.

    Returns
    -------
    (reviews, labels) : a list of n token lists (words) and an (n,) int64 array of 0/1.
        The labels are balanced: exactly n/2 of each (n//2 and n - n//2 when n is odd).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n: expected an int, got {type(n).__name__}")
    if n < 2:
        raise ValueError(f"n: expected at least 2 reviews, got {n}")
    banned = (
        set() if exclude is None else {r if isinstance(r, str) else "".join(r) for r in exclude}
    )
    rng = np.random.default_rng(seed)
    names = list(PATTERNS)
    probs = np.array([PATTERNS[p] for p in names])

    def draw(make):
        """Call make() until none of its reviews is excluded (at most 1000 times)."""
        for _ in range(1000):
            unit = make()
            if not any("".join(r) in banned for r in unit):
                return unit
        raise ValueError("exclude: it covers (nearly) every review the grammar can write")

    def mirrored_unit():
        pattern = names[rng.choice(len(names), p=probs)]
        if pattern in _CONTRASTS:
            tokens, main, other = _review(rng, pattern, 1)
            return [tokens, _join(pattern, other, main)]
        return [_review(rng, pattern, 1)[0], _review(rng, pattern, 0)[0]]

    reviews, labels = [], []
    if mirrored:
        for _ in range((n + 1) // 2):
            reviews += draw(mirrored_unit)
            labels += [1, 0]
        if n % 2:  # odd n: drop the last label-0 review; the rest stays balanced
            reviews, labels = reviews[:-1], labels[:-1]
    else:
        target = rng.permutation(np.arange(n) % 2)
        for label in target.tolist():
            pattern = names[rng.choice(len(names), p=probs)]
            reviews += draw(lambda p=pattern, y=label: [_review(rng, p, y)[0]])
            labels.append(label)
    order = rng.permutation(len(reviews))
    return [reviews[i] for i in order], np.array(labels, dtype=np.int64)[order]
