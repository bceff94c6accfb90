"""One module per book page: ``book/chapters/X.md`` runs the tasks and experiments of ``rnn_book.chapters.X``.

A page imports the public API (``import rnn_book as rb``) and its own module
(``from rnn_book.chapters import X as ch``), nothing else. What several pages share lives in
the core (``rb.fit``, ``rb.make_rnn``, ``rb.gradient_norms_over_distance``), in ``rb.data``
(generators) or in ``rb.figures`` (drawing); the GRU page reuses the LSTM page's experiments
through its own module.

=========================  =====================================================
page                       module
=========================  =====================================================
history.md                 ``history``: timeline, Hopfield capacity, Jordan vs Elman, compressor
unroll.md                  ``unroll``: the "hello" model the unroll widget shows
training.md                ``training``: perplexity, truncated BPTT, clipping, exposure bias
structures.md              ``structures``: shapes, "hello", numerals encoder-decoder
structures_poems.md        ``structures_poems``: acrostic poems, melodies
structures_bach.md         ``structures_bach``: Bach chorale melodies, n-gram baselines
structures_many_to_one.md  ``structures_many_to_one``: sentiment, stock
structures_frames.md       ``structures_frames``: video actions, per-frame motion labels
structures_couplets.md     ``structures_couplets``: couplets 对联
deep_bidirectional.md      ``deep_bidirectional``: window parity, blurred syllables, pen paths
lstm.md                    ``lstm``: broken-LSTM lab, long-range sweep, gradient flow
gru.md                     ``gru``: GRU conventions (+ the LSTM page's experiments)
seq2seq.md                 ``seq2seq``: numerals with 万, bottleneck, attention, exposure bias
attention.md               ``attention``: dates, pointer, scores, BLEU, beam, self-attention
=========================  =====================================================

Submodules load on first use: ``from rnn_book.chapters import lstm as ch``.
"""

# A page's own plots (plt.subplots, then Chinese axis labels) may be drawn before the page first
# touches ``rb.figures``; the fonts of a Text are fixed when it is created, so the book's CJK
# font must be registered before any axes exist. Every page imports its chapter module first.
from rnn_book.figures import style as _style  # noqa: F401
