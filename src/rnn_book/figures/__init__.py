"""Every diagram of the book, built as a node/edge ``Graph`` and drawn with matplotlib.

One visual language (``style``): U blue, W orange, V green; inputs squares, states circles,
outputs diamonds. Figure text is mathtext/English only; Chinese belongs in the captions.
"""

from rnn_book.figures.bidirectional import bidirectional_graph, draw_bidirectional
from rnn_book.figures.deep import deep_rnn_graph, draw_deep_rnn
from rnn_book.figures.evolution import (
    draw_evolution,
    evolution_graphs,
    feedforward_graph,
    folded_rnn_graph,
    linked_nets_graph,
    separate_nets_graph,
    unrolled_rnn_graph,
)
from rnn_book.figures.from_model import graph_for
from rnn_book.figures.graph import Edge, Graph, Node, Note, draw, draw_panels, figure_texts, legend
from rnn_book.figures.structures import STRUCTURES, draw_structures, structure_graph
from rnn_book.figures.style import MATRIX_COLORS, NODE_STYLE

__all__ = [
    "MATRIX_COLORS",
    "NODE_STYLE",
    "STRUCTURES",
    "Edge",
    "Graph",
    "Node",
    "Note",
    "bidirectional_graph",
    "deep_rnn_graph",
    "draw",
    "draw_bidirectional",
    "draw_deep_rnn",
    "draw_evolution",
    "draw_panels",
    "draw_structures",
    "evolution_graphs",
    "feedforward_graph",
    "figure_texts",
    "folded_rnn_graph",
    "graph_for",
    "legend",
    "linked_nets_graph",
    "separate_nets_graph",
    "structure_graph",
    "unrolled_rnn_graph",
]
