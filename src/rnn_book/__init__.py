"""rnn_book: the pure-NumPy companion package of the textbook 循环神经网络.

The book writes an RNN with three shared matrices, U (x -> h), W (h -> h) and V (h -> output).
The layers here use PyTorch's parameter names: ``weight_ih_l0`` is U, ``weight_hh_l0`` is W,
and V is the weight of the output ``Linear`` layer.

Where things are (the README has the full module map):

* the core, one idea per module: ``elman`` (RNN), ``lstm``, ``gru``, ``recurrent`` (stacking,
  both directions), ``jordan``, ``indrnn``, ``attention``, ``self_attention``, ``decoding``,
  ``bleu``, ``conv``, ``layers``, ``losses``, ``optim``, ``clip``, ``models``, ``training``,
  ``sampling``, ``gradient_check``, ``gradient_flow``, ``hopfield``,
  ``esn``, ``seeding``, ``torch_bridge``;
* ``data``: the shipped corpus and every seeded generator;
* ``figures``: everything drawn (diagrams, plots, widgets);
* ``chapters``: one module per book page, ``book/chapters/X.md`` <-> ``rnn_book.chapters.X``.

``data``, ``figures``, ``chapters`` and the history models load on first use
(``rb.figures.draw_structures()``), so ``import rnn_book`` stays light.
"""

import importlib

from rnn_book import functional
from rnn_book.attention import AttentionSeq2Seq, BahdanauSeq2Seq, DecoderState
from rnn_book.bleu import BLEUScore, corpus_bleu
from rnn_book.clip import clip_grad_norm, clip_grad_value
from rnn_book.conv import TCN, Conv1d
from rnn_book.decoding import (
    DecodeResult,
    beam_search,
    greedy_search,
    length_penalty,
    sequence_log_prob,
)
from rnn_book.elman import RNN, rnn_step_backward, rnn_step_forward
from rnn_book.gradient_check import gradcheck, numerical_gradient, relative_error
from rnn_book.gradient_flow import (
    gradient_norms_over_distance,
    scale_spectral_radius,
    spectral_radius,
)
from rnn_book.gru import GRU, gru_step_backward, gru_step_forward
from rnn_book.indrnn import IndRNN
from rnn_book.jordan import JordanRNN
from rnn_book.layers import Embedding, Linear
from rnn_book.losses import cross_entropy, mse_loss
from rnn_book.lstm import LSTM, lstm_step_backward, lstm_step_forward
from rnn_book.models import CharLM, ManyToMany, ManyToOne, Model, Seq2Seq, make_rnn, one_hot
from rnn_book.module import Module, no_grad
from rnn_book.optim import SGD, Adadelta, Adagrad, Adam, Optimizer, RMSprop
from rnn_book.recurrent import Recurrent
from rnn_book.sampling import sample_logits, sampling_distribution
from rnn_book.seeding import child_seeds
from rnn_book.self_attention import MultiHeadSelfAttention
from rnn_book.selfcheck import check_answer
from rnn_book.torch_bridge import from_torch, to_torch
from rnn_book.training import (
    bptt_windows,
    detach_state,
    fit,
    mean_spread,
    minibatches,
    single_thread_blas,
    train_epoch,
    train_step,
    train_truncated,
)

#: subpackages and modules loaded on first attribute access
_LAZY = ("chapters", "data", "esn", "figures", "hopfield")

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "SGD",
    "TCN",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AttentionSeq2Seq",
    "BLEUScore",
    "BahdanauSeq2Seq",
    "CharLM",
    "Conv1d",
    "DecodeResult",
    "DecoderState",
    "Embedding",
    "IndRNN",
    "JordanRNN",
    "Linear",
    "ManyToMany",
    "ManyToOne",
    "Model",
    "Module",
    "MultiHeadSelfAttention",
    "Optimizer",
    "RMSprop",
    "Recurrent",
    "Seq2Seq",
    "beam_search",
    "bptt_windows",
    "check_answer",
    "child_seeds",
    "clip_grad_norm",
    "clip_grad_value",
    "corpus_bleu",
    "cross_entropy",
    "detach_state",
    "fit",
    "from_torch",
    "functional",
    "gradcheck",
    "gradient_norms_over_distance",
    "greedy_search",
    "gru_step_backward",
    "gru_step_forward",
    "length_penalty",
    "lstm_step_backward",
    "lstm_step_forward",
    "make_rnn",
    "mean_spread",
    "minibatches",
    "mse_loss",
    "no_grad",
    "numerical_gradient",
    "one_hot",
    "relative_error",
    "rnn_step_backward",
    "rnn_step_forward",
    "sample_logits",
    "sampling_distribution",
    "scale_spectral_radius",
    "sequence_log_prob",
    "single_thread_blas",
    "spectral_radius",
    "to_torch",
    "train_epoch",
    "train_step",
    "train_truncated",
]
__version__ = "0.2.0"


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f"rnn_book.{name}")
    raise AttributeError(f"module 'rnn_book' has no attribute {name!r}")


def __dir__():
    # dir(rb) lists the public names and the lazily loaded subpackages, not import internals
    return sorted(set(__all__) | set(_LAZY) | {"__version__"})
