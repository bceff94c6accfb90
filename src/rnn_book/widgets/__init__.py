"""Interactive widgets that work live in a kernel and, precomputed, in the static HTML book."""

from rnn_book.widgets.unroll import UnrollWidget, unroll_widget

__all__ = ["UnrollWidget", "unroll_widget"]
