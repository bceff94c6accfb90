"""Experiments of the LSTM and GRU chapters, each a function that returns plain numbers.

* ``common``             — the models compared (RNN, LSTM, GRU, the "broken" LSTM), the
  gate-bias initialisation, and the one training loop they share.
* ``binary_subtraction`` — 4-bit binary subtraction: the task teaching code once used as
  proof that its LSTM was correct (a broken LSTM solves it too).
* ``long_range``         — the adding problem and a delayed-recall (copy) task at growing
  sequence lengths; the sweep behind ``book/results/long_range.json``.
* ``gradient_flow``      — how the gradient that reaches x_{T-k} shrinks or grows with the
  distance k, and what gradient clipping does about growth.
* ``gru_conventions``    — the GRU as Cho et al., Chung et al. and PyTorch write it.
* ``plots``              — the figures of these experiments.
"""

from rnn_book.experiments import (
    binary_subtraction,
    common,
    gradient_flow,
    gru_conventions,
    long_range,
    plots,
)

__all__ = [
    "binary_subtraction",
    "common",
    "gradient_flow",
    "gru_conventions",
    "long_range",
    "plots",
]
