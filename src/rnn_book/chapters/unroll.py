"""The code of the page ``book/chapters/unroll.md`` (unrolling an RNN in time).

The page trains the course's "hello" model and hands it to the unroll widget
(``rnn_book.figures.unroll_widget``). The training itself is the structures page's
many-to-many example, so it is defined once, in ``rnn_book.chapters.structures``.
"""

from __future__ import annotations

from rnn_book.chapters.structures import train_hello

__all__ = ["train_hello"]
