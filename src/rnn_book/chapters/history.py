"""The code of the page ``book/chapters/history.md``: the short history that opens the book.

* ``MILESTONES``: the timeline table (drawn by ``rnn_book.figures.draw_timeline``).

The historical models themselves are run on a later page, ``book/chapters/history_models.md``
(module ``rnn_book.chapters.history_models``).
"""

from __future__ import annotations

__all__ = ["MILESTONES"]


#: Rows (year, label, kind, height). kind "idea" (no trainable model), "model", "training" or
#: "problem"; height is where the label sits above (+) or below (-) the axis.
MILESTONES = (
    (1933, "Lorente de Nó：\n回响回路", "idea", 1.0),
    (1982, "Hopfield 网络", "model", -1.0),
    (1986, "Jordan 网络", "model", 1.0),
    (1990, "Elman 网络（SRN）", "model", -3.0),
    (1990, "BPTT（Werbos）", "training", 3.0),
    (1991, "Hochreiter：梯度消失", "problem", -2.0),
    (1992, "历史压缩器", "model", 2.0),
    (1994, "Bengio 等人：长期依赖", "problem", -1.0),
    (1997, "LSTM", "model", 1.0),
    (2001, "回声状态网络", "model", 2.6),
    (2014, "GRU", "model", -1.0),
    (2018, "IndRNN", "model", 1.0),
)
