"""Shared builders for the recurrent-layer tests."""

import zlib

import rnn_book as rb

KINDS = {
    "rnn_tanh": (rb.RNN, {"nonlinearity": "tanh"}),
    "rnn_relu": (rb.RNN, {"nonlinearity": "relu"}),
    "lstm": (rb.LSTM, {}),
    "gru": (rb.GRU, {}),
}


def case_seed(*case) -> int:
    """A seed fixed by the test case's parameters, the same in every process and on every machine.

    ``hash()`` of a tuple of strings changes with PYTHONHASHSEED (a new value per process), so a
    failing case would draw other numbers when rerun; CRC-32 of the parameters' repr does not.
    """
    return zlib.crc32(repr(case).encode("utf-8"))


def make_layer(kind, D, H, seed=0, **kwargs):
    cls, extra = KINDS[kind]
    return cls(D, H, seed=seed, **extra, **kwargs)


def randomize_biases(layer, rng):
    """Nonzero biases (the default init may be small but we want every path exercised)."""
    for name, p in layer.params.items():
        if name.startswith("bias"):
            p[...] = rng.normal(size=p.shape)


def random_states(layer, B, rng, unbatched=False):
    shape = layer._state_shape(B)
    if unbatched:
        shape = (shape[0], shape[2])
    if isinstance(layer, rb.LSTM):
        return (rng.normal(size=shape), rng.normal(size=shape))
    return rng.normal(size=shape)
