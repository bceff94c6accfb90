"""The diagram of a concrete recurrent layer: its structure read from the layer itself."""

from __future__ import annotations

from rnn_book.figures.bidirectional import bidirectional_graph
from rnn_book.figures.deep import deep_rnn_graph
from rnn_book.figures.evolution import unrolled_rnn_graph
from rnn_book.figures.graph import Graph

__all__ = ["graph_for"]


def graph_for(layer, T: int = 4) -> Graph:
    """The unrolled diagram of ``layer`` (an ``rb.RNN``/``LSTM``/``GRU``) over T steps.

    num_layers = 1 -> the unrolled RNN; num_layers = L > 1 -> the deep RNN with L layers;
    bidirectional with one layer -> the time-aligned bidirectional RNN. Each distinct weight
    array of the diagram except V is one ``weight_*`` entry of ``layer.params`` (tested).
    """
    L = getattr(layer, "num_layers", None)
    bi = getattr(layer, "bidirectional", None)
    if not isinstance(L, int) or bi is None:
        raise TypeError(f"layer: expected an rb.RNN, rb.LSTM or rb.GRU, got {type(layer).__name__}")
    if bi and L > 1:
        raise ValueError(
            f"layer: deep bidirectional layers (num_layers={L}, bidirectional=True) have no "
            "diagram here; draw one layer with bidirectional_graph"
        )
    if bi:
        return bidirectional_graph(T, aligned=True)
    if L > 1:
        return deep_rnn_graph(T, L)
    return unrolled_rnn_graph(T)
