"""Exact conversion between rnn_book layers and torch.nn.RNN / LSTM / GRU.

torch is imported only inside these functions: the package never needs it to run.
"""

from __future__ import annotations

import numpy as np

from rnn_book.elman import RNN
from rnn_book.gru import GRU
from rnn_book.lstm import LSTM

__all__ = ["from_torch", "to_torch"]


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("from_torch/to_torch need PyTorch: pip install torch") from exc
    return torch


def from_torch(module):
    """Return an rnn_book layer with the configuration and exact weights of ``module``.

    Parameters
    ----------
    module : torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU (float32 or float64, dropout 0,
        no LSTM projection).
    """
    torch = _torch()
    kinds = {torch.nn.RNN: RNN, torch.nn.LSTM: LSTM, torch.nn.GRU: GRU}
    cls = kinds.get(type(module))
    if cls is None:
        raise TypeError(
            f"module: expected torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU, "
            f"got {type(module).__name__}"
        )
    if module.dropout:
        raise ValueError(
            f"module.dropout: expected 0 (rnn_book has no dropout), got {module.dropout}"
        )
    if getattr(module, "proj_size", 0):
        raise ValueError(f"module.proj_size: expected 0, got {module.proj_size}")
    state = {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}
    dtype = next(iter(state.values())).dtype
    kwargs = {
        "num_layers": module.num_layers,
        "bias": module.bias,
        "batch_first": module.batch_first,
        "bidirectional": module.bidirectional,
        "dtype": dtype,
    }
    if cls is RNN:
        kwargs["nonlinearity"] = module.nonlinearity
    layer = cls(module.input_size, module.hidden_size, **kwargs)
    for name in layer.params:
        layer.params[name] = np.array(state[name], dtype=dtype, copy=True)
    return layer


def to_torch(layer):
    """Return a torch.nn.RNN/LSTM/GRU with the configuration and exact weights of ``layer``."""
    torch = _torch()
    kinds = {RNN: torch.nn.RNN, LSTM: torch.nn.LSTM, GRU: torch.nn.GRU}
    cls = kinds.get(type(layer))
    if cls is None:
        raise TypeError(f"layer: expected rnn_book RNN, LSTM or GRU, got {type(layer).__name__}")
    kwargs = {
        "num_layers": layer.num_layers,
        "bias": layer.bias,
        "batch_first": layer.batch_first,
        "bidirectional": layer.bidirectional,
    }
    if isinstance(layer, RNN):
        kwargs["nonlinearity"] = layer.nonlinearity
    torch_dtype = torch.float64 if layer.dtype == np.float64 else torch.float32
    module = cls(layer.input_size, layer.hidden_size, dtype=torch_dtype, **kwargs)
    state = {k: torch.from_numpy(np.array(v, copy=True)) for k, v in layer.params.items()}
    module.load_state_dict(state, strict=True)
    return module
