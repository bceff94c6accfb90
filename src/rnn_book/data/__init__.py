"""The book's data: a shipped corpus of Tang poems and seeded generators. Never any download.

* ``poems``     — 唐诗三百首 (``tang300.json``, public domain; see ``SOURCE.md``):
  ``load_tang300``, ``Poem``, ``poem_lines``, ``couplets`` (颔联/颈联 of the 律诗);
  ``load_song100`` (101 Song-dynasty 诗 from the same package).
* ``split``     — deterministic splits by poem: ``split_poems``, ``split_couplets``,
  ``split_indices``.
* ``vocab``     — ``Vocab`` (token <-> id with <pad>, <bos>, <eos>, <unk>) and ``pad_batch``.
* ``sentiment`` — ``sentiment_reviews``: generated reviews whose label depends on word order.
* ``stock``     — ``stock_random_walk`` (generated prices) and ``windows`` for forecasting.
* ``hello``     — ``hello_example``: "hell" -> "ello".
* ``memory``    — ``adding_problem`` and ``copy_task`` for long-range memory.

Everything generated is labelled as generated in its docstring and is reproducible from a seed.
Arrays for recurrent layers are time-major, (T, B, D) or (T, B) ids, unless a docstring says
otherwise.
"""

from rnn_book.data.hello import HelloExample, hello_example
from rnn_book.data.memory import adding_problem, copy_task
from rnn_book.data.poems import (
    FORMS,
    SECTIONS,
    Poem,
    couplets,
    load_song100,
    load_tang300,
    poem_lines,
)
from rnn_book.data.sentiment import review_label, sentiment_reviews
from rnn_book.data.split import split_couplets, split_indices, split_poems
from rnn_book.data.stock import PriceSeries, stock_random_walk, windows
from rnn_book.data.vocab import SPECIALS, Vocab, pad_batch

__all__ = [
    "FORMS",
    "SECTIONS",
    "SPECIALS",
    "HelloExample",
    "Poem",
    "PriceSeries",
    "Vocab",
    "adding_problem",
    "copy_task",
    "couplets",
    "hello_example",
    "load_song100",
    "load_tang300",
    "pad_batch",
    "poem_lines",
    "review_label",
    "sentiment_reviews",
    "split_couplets",
    "split_indices",
    "split_poems",
    "stock_random_walk",
    "windows",
]
