"""The tasks of the chapter "循环神经网络的结构和典型用途", one module per use.

* ``acrostic``  — one-to-many: a character model of Tang poems writes acrostics (藏头诗).
* ``sentiment`` — many-to-one: an RNN classifier against an order-blind bag of words.
* ``stock``     — many-to-one regression: tomorrow's close against "tomorrow = today".
* ``couplets``  — many-to-many of equal length: 上联 -> 下联 character by character.
* ``melody``    — one-to-many with sound: a note model of folk tunes, played with NumPy.
* ``hello``     — many-to-many, the smallest case: h,e,l,l -> e,l,l,o.
* ``numerals``  — encoder-decoder: 一千零五十 -> 1050 (lengths differ).
* ``shapes``    — the array shapes at every stage of each structure, measured.
* ``ui``        — a slider over precomputed frames (works in the static page).
* ``common``    — the small training helpers they share (batching, the epoch loop).

Every function here computes on arrays handed to it; the data come from ``rnn_book.data``.
"""

from rnn_book.tasks import (
    acrostic,
    common,
    couplets,
    hello,
    melody,
    numerals,
    sentiment,
    shapes,
    stock,
    ui,
)

__all__ = [
    "acrostic",
    "common",
    "couplets",
    "hello",
    "melody",
    "numerals",
    "sentiment",
    "shapes",
    "stock",
    "ui",
]
