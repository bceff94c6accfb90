"""rnn_book: the pure-NumPy companion package of the textbook 循环神经网络.

The book writes an RNN with three shared matrices, U (x -> h), W (h -> h) and V (h -> output).
The layers here use PyTorch's parameter names: ``weight_ih_l0`` is U, ``weight_hh_l0`` is W,
and V is the weight of the output ``Linear`` layer.
"""

from rnn_book import functional
from rnn_book.elman import RNN
from rnn_book.gradcheck import gradcheck, numerical_gradient, relative_error
from rnn_book.gru import GRU
from rnn_book.lstm import LSTM
from rnn_book.torch_bridge import from_torch, to_torch

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "from_torch",
    "functional",
    "gradcheck",
    "numerical_gradient",
    "relative_error",
    "to_torch",
]
__version__ = "0.1.0"
