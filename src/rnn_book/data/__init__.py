"""The book's data: a shipped corpus of Tang poems and seeded generators. Never any download.

* ``poems``     — 唐诗三百首 (``tang300.json``, public domain; see ``SOURCE.md``):
  ``load_tang300``, ``Poem``, ``poem_lines``, ``couplets`` (颔联/颈联 of the 律诗);
  ``load_song100`` (101 Song-dynasty 诗 from the same package).
* ``bach``      — soprano lines of Bach's chorales (``bach_chorales.json``, from music21's
  corpus; see ``SOURCE.md``): ``load_chorales``, ``Chorale``, ``split_chorales`` (by tune).
* ``split``     — deterministic splits by poem: ``split_poems``, ``split_couplets``,
  ``split_indices``.
* ``vocab``     — ``Vocab`` (token <-> id with <pad>, <bos>, <eos>, <unk>) and ``pad_batch``.
* ``sentiment`` — ``sentiment_reviews``: generated reviews whose label depends on word order.
* ``stock``     — ``stock_random_walk`` (generated prices) and ``windows`` for forecasting.
* ``hello``     — ``hello_example``: "hell" -> "ello".
* ``memory``    — ``adding_problem``, ``delayed_recall`` and ``copy_task`` for long-range memory.
* ``numerals``  — Chinese numerals up to 9 999 (``chinese_numeral``, ``encode_pairs``);
  ``wan_numerals`` — up to 99 999 999, joined by 万 (the seq2seq chapter).
* ``motif``     — ``motif_detection``: a short pattern anywhere in random symbols (local).
* ``dates``     — dates in three formats -> ISO 8601 (reordering); ``pointer`` — look a value up
  in key-value pairs (copying); ``text_pairs`` — string pairs -> padded id batches.
* ``melodies``  — public-domain folk tunes as scale-degree tokens.
* ``parity``    — ``window_parity`` (deep RNNs); ``blurred`` — ``blurred_pairs`` (bidirectional).
* ``subtraction`` — 4-bit binary subtraction (the broken-LSTM lab).
* ``actions`` — ``action_videos``: tiny noisy videos of a shape that moves, grows, rotates or
  stands still (many-to-one); ``frames`` — ``motion_streams``: 100-frame videos labelled
  frame by frame with the last motion (many-to-many); ``handwriting`` —
  ``pen_trajectories``: generated pen paths of letters labelled point by point
  (bidirectional).
* ``latch_echo`` — ``latch`` and ``echo`` (Jordan vs Elman); ``letters`` — Hopfield patterns;
  ``mackey_glass`` — the chaotic series of the echo state network; ``history_stream`` — the
  history compressor's symbol stream.

Everything generated is labelled as generated in its docstring and is reproducible from a seed.
Arrays for recurrent layers are time-major, (T, B, D) or (T, B) ids, unless a docstring says
otherwise.
"""

from rnn_book.data import bach, dates, history_stream, melodies, numerals, pointer, wan_numerals
from rnn_book.data.actions import ACTIONS, action_videos
from rnn_book.data.blurred import blurred_pairs
from rnn_book.data.frames import FRAME_LABELS, motion_streams
from rnn_book.data.handwriting import LETTERS, pen_trajectories
from rnn_book.data.hello import HelloExample, hello_example
from rnn_book.data.latch_echo import echo, latch
from rnn_book.data.letters import letter_patterns
from rnn_book.data.mackey_glass import mackey_glass
from rnn_book.data.memory import adding_problem, copy_task, delayed_recall
from rnn_book.data.motif import motif_detection
from rnn_book.data.numerals import chinese_numeral
from rnn_book.data.parity import window_parity
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
from rnn_book.data.stock import PriceSeries, momentum_walk, stock_random_walk, windows
from rnn_book.data.subtraction import encode_subtraction, subtraction_split
from rnn_book.data.vocab import SPECIALS, Vocab, pad_batch

__all__ = [
    "ACTIONS",
    "FORMS",
    "FRAME_LABELS",
    "LETTERS",
    "SECTIONS",
    "SPECIALS",
    "HelloExample",
    "Poem",
    "PriceSeries",
    "Vocab",
    "action_videos",
    "adding_problem",
    "bach",
    "blurred_pairs",
    "chinese_numeral",
    "copy_task",
    "couplets",
    "dates",
    "delayed_recall",
    "echo",
    "encode_subtraction",
    "hello_example",
    "history_stream",
    "latch",
    "letter_patterns",
    "load_song100",
    "load_tang300",
    "mackey_glass",
    "melodies",
    "momentum_walk",
    "motif_detection",
    "motion_streams",
    "numerals",
    "pad_batch",
    "pen_trajectories",
    "poem_lines",
    "pointer",
    "review_label",
    "sentiment_reviews",
    "split_couplets",
    "split_indices",
    "split_poems",
    "stock_random_walk",
    "subtraction_split",
    "wan_numerals",
    "window_parity",
    "windows",
]
