"""rnn_book: the pure-NumPy companion package of the textbook 循环神经网络.

The book writes an RNN with three shared matrices, U (x -> h), W (h -> h) and V (h -> output).
The layers here use PyTorch's parameter names: ``weight_ih_l0`` is U, ``weight_hh_l0`` is W,
and V is the weight of the output ``Linear`` layer.

The subpackages ``data``, ``figures``, ``widgets``, ``tasks`` and ``experiments`` load on
first use (``rb.figures.draw_structures()``), so ``import rnn_book`` stays light.
"""

import importlib

from rnn_book import functional
from rnn_book.clip import clip_grad_norm
from rnn_book.elman import RNN, rnn_step_backward, rnn_step_forward
from rnn_book.gradcheck import gradcheck, numerical_gradient, relative_error
from rnn_book.gru import GRU, gru_step_backward, gru_step_forward
from rnn_book.jordan import JordanRNN
from rnn_book.layers import Embedding, Linear
from rnn_book.losses import cross_entropy, mse_loss
from rnn_book.lstm import LSTM, lstm_step_backward, lstm_step_forward
from rnn_book.models import CharLM, ManyToMany, ManyToOne, Seq2Seq, make_rnn, one_hot
from rnn_book.module import no_grad
from rnn_book.optim import SGD, Adadelta, Adagrad, Adam, RMSprop
from rnn_book.torch_bridge import from_torch, to_torch
from rnn_book.training import train_epoch

_LAZY = (
    "context",
    "data",
    "depth",
    "experiments",
    "figures",
    "gate_view",
    "history",
    "seq2seq",
    "tasks",
    "widgets",
)

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "CharLM",
    "Embedding",
    "JordanRNN",
    "Linear",
    "ManyToMany",
    "ManyToOne",
    "RMSprop",
    "Seq2Seq",
    "clip_grad_norm",
    "cross_entropy",
    "from_torch",
    "functional",
    "gradcheck",
    "gru_step_backward",
    "gru_step_forward",
    "lstm_step_backward",
    "lstm_step_forward",
    "make_rnn",
    "mse_loss",
    "no_grad",
    "numerical_gradient",
    "one_hot",
    "relative_error",
    "rnn_step_backward",
    "rnn_step_forward",
    "to_torch",
    "train_epoch",
]
__version__ = "0.1.0"


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f"rnn_book.{name}")
    raise AttributeError(f"module 'rnn_book' has no attribute {name!r}")
