"""Everything the book draws: diagrams, experiment plots and widgets, in one folder.

* Diagrams, built as a node/edge ``Graph`` (``graph``) and drawn with matplotlib:
  ``evolution`` (feed-forward net -> RNN), ``structures`` (the four structures), ``deep``,
  ``bidirectional``, ``from_model`` (the diagram of a concrete layer), ``seq2seq``
  (encoder-decoder with attention, attention heat maps, length curves), ``timeline``.
* Plots of experiments: ``plots`` (gradient profiles, clipping, the long-range sweep);
  ``conv`` (receptive field of a TCN against the recurrent state, cost curves); ``frames``
  (video frames, per-frame label strips, labelled pen trajectories).
* Widgets that work live in a kernel and, precomputed, in the static page: ``unroll_widget``
  (U, W, V shared across time), ``gate_view`` (LSTM/GRU gates step by step), ``slider``
  (a slider over precomputed frames); ``svg`` draws their frames.

One visual language (``style``): U blue, W orange, V green; inputs squares, states circles,
outputs diamonds.
"""

from rnn_book.figures.alignment import AlignmentWidget, alignment_widget
from rnn_book.figures.bidirectional import bidirectional_graph, draw_bidirectional
from rnn_book.figures.conv import draw_receptive_field, plot_costs
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
from rnn_book.figures.frames import (
    LABEL_COLORS,
    draw_action_frames,
    draw_label_strips,
    draw_pen_labels,
)
from rnn_book.figures.from_model import graph_for
from rnn_book.figures.gate_view import GateView, gate_trace, gate_view
from rnn_book.figures.graph import Edge, Graph, Node, Note, draw, draw_panels, figure_texts, legend
from rnn_book.figures.plots import model_label, plot_clipping, plot_profiles, plot_sweep
from rnn_book.figures.seq2seq import attention_graph, plot_attention, plot_length_curves
from rnn_book.figures.slider import frame_slider, text_frame
from rnn_book.figures.structures import STRUCTURES, draw_structures, structure_graph
from rnn_book.figures.style import MATRIX_COLORS, NODE_STYLE
from rnn_book.figures.timeline import draw_timeline
from rnn_book.figures.unroll_widget import UnrollWidget, unroll_widget

__all__ = [
    "LABEL_COLORS",
    "MATRIX_COLORS",
    "NODE_STYLE",
    "STRUCTURES",
    "AlignmentWidget",
    "Edge",
    "GateView",
    "Graph",
    "Node",
    "Note",
    "UnrollWidget",
    "alignment_widget",
    "attention_graph",
    "bidirectional_graph",
    "deep_rnn_graph",
    "draw",
    "draw_action_frames",
    "draw_bidirectional",
    "draw_deep_rnn",
    "draw_evolution",
    "draw_label_strips",
    "draw_panels",
    "draw_pen_labels",
    "draw_receptive_field",
    "draw_structures",
    "draw_timeline",
    "evolution_graphs",
    "feedforward_graph",
    "figure_texts",
    "folded_rnn_graph",
    "frame_slider",
    "gate_trace",
    "gate_view",
    "graph_for",
    "legend",
    "linked_nets_graph",
    "model_label",
    "plot_attention",
    "plot_clipping",
    "plot_costs",
    "plot_length_curves",
    "plot_profiles",
    "plot_sweep",
    "separate_nets_graph",
    "structure_graph",
    "text_frame",
    "unroll_widget",
    "unrolled_rnn_graph",
]
