"""Models of the RNN timeline, each small enough to read in one sitting.

- ``hopfield``: Hopfield network (1982), Hebbian storage, asynchronous recall, capacity.
- ``tasks``: the delayed-echo task that separates the Jordan (1986) and Elman (1990) networks.
- ``gradient_flow``: ``gradient_norms_over_distance``, the long-term dependency problem (1991/1994).
- ``esn``: echo state network (Jaeger 2001) with a ridge-regression readout; Mackey-Glass series.
- ``indrnn``: independently recurrent network (Li et al. 2018), forward and full BPTT.
- ``compressor``: the principle of Schmidhuber's neural history compressor (1992).
- ``timeline``: the milestone table and its figure.
"""

from rnn_book.history import compressor, esn, gradient_flow, hopfield, indrnn, tasks, timeline
from rnn_book.history.gradient_flow import gradient_norms_over_distance
from rnn_book.history.indrnn import IndRNN

__all__ = [
    "IndRNN",
    "compressor",
    "esn",
    "gradient_flow",
    "gradient_norms_over_distance",
    "hopfield",
    "indrnn",
    "tasks",
    "timeline",
]
