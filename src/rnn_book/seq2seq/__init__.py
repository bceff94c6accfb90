"""The sequence-to-sequence chapter: encoder-decoders, their bottleneck, and attention.

* ``data``        — Chinese numerals up to 99 999 999 (joined by 万) -> Arabic digits.
* ``attention``   — ``AttentionSeq2Seq``: Luong "general" global attention, full BPTT.
* ``experiments`` — training, greedy-decoding evaluation, the length sweep, exposure bias.
* ``figures``     — the encoder-decoder-with-attention diagram, heatmaps, length curves.

The plain encoder-decoder is ``rb.Seq2Seq`` (rnn_book.models).
"""

from rnn_book.seq2seq import attention, data, experiments, figures
from rnn_book.seq2seq.attention import AttentionSeq2Seq

__all__ = ["AttentionSeq2Seq", "attention", "data", "experiments", "figures"]
