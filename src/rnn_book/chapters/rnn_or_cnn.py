"""The code of the page ``book/chapters/rnn_or_cnn.md`` (recurrent or convolutional?).

* Models at matched parameter counts: ``make_model`` builds a GRU/LSTM/RNN or a ``TCN`` for a
  task, ``LastStep`` reads a TCN's answer at the last step (many-to-one), ``rnn_hidden_for``
  picks the hidden size whose parameter count is closest to a target.
* Experiments, several seeds each: ``run_motif`` (local patterns), ``run_adding`` (long-range
  dependency, one sequence length), ``run_sentiment`` (variable length).
* Cost: ``time_per_sequence`` (a training pass against T), ``streaming_cost`` (one new input
  at step t), ``input_sensitivity`` (||d output_T / d x_{T-k}||, the receptive field measured).
"""

from __future__ import annotations

import time

import numpy as np

from rnn_book.conv import TCN
from rnn_book.data.memory import adding_problem
from rnn_book.data.motif import motif_detection
from rnn_book.layers import Embedding, Linear
from rnn_book.losses import cross_entropy, mse_loss
from rnn_book.models import ManyToMany, ManyToOne, Model, make_rnn
from rnn_book.module import no_cache_error, no_grad
from rnn_book.optim import Adam
from rnn_book.seeding import child_seeds
from rnn_book.training import fit, minibatches, single_thread_blas

__all__ = [
    "SWEEP_EPOCHS",
    "SWEEP_LENGTHS",
    "SWEEP_MODELS",
    "SWEEP_SEEDS",
    "LastStep",
    "input_sensitivity",
    "make_model",
    "rnn_hidden_for",
    "run_adding",
    "run_motif",
    "run_sentiment",
    "streaming_cost",
    "time_per_sequence",
]

#: Sequence lengths T of the adding-problem sweep (``scripts/run_rnn_or_cnn_sweep.py``).
SWEEP_LENGTHS = (16, 32, 64, 128)
#: Its models, name -> (kind, size) for ``make_model``: about 600 parameters each.
SWEEP_MODELS = {"GRU": ("gru", 12), "TCN-32": ("tcn:5", 8), "TCN-128": ("tcn:7", 7)}
#: Its seeds and epochs (1024 training sequences, batch 32, Adam lr 1e-2).
SWEEP_SEEDS = (0, 1, 2)
#: Number of training epochs of every sweep cell.
SWEEP_EPOCHS = 15


class LastStep(Model):
    """Many-to-one from a TCN: logits = the TCN's logits at the last step, (B, C).

    Parameters
    ----------
    tcn : a ``TCN``; its output at step T reads the last ``tcn.receptive_field`` inputs.
    embedding : optional ``Embedding``; then the input holds integer ids (T, B).
    """

    def __init__(self, tcn: TCN, embedding: Embedding | None = None):
        self.tcn, self.embedding = tcn, embedding
        self._shape = None

    def parts(self) -> dict:
        parts = {} if self.embedding is None else {"embedding": self.embedding}
        return {**parts, "tcn": self.tcn}

    def forward(self, x) -> np.ndarray:
        """x: (T, B, D) floats or (T, B) ids -> logits (B, C)."""
        inputs = x if self.embedding is None else self.embedding.forward(x)
        out = self.tcn.forward(inputs)
        self._shape = out.shape
        return out[-1]

    def backward(self, dlogits) -> None:
        """dlogits: (B, C); the gradient enters at the last step only."""
        if self._shape is None:
            raise no_cache_error()
        dout = np.zeros(self._shape)
        dout[-1] = dlogits
        dx = self.tcn.backward(dout)
        if self.embedding is not None:
            self.embedding.backward(dx)


def _rnn_params(cell: str, D: int, H: int, O: int) -> int:
    G = {"rnn": 1, "gru": 3, "lstm": 4}[cell]
    return G * H * (D + H + 2) + O * (H + 1)


def rnn_hidden_for(cell: str, input_size: int, output_size: int, target: int) -> int:
    """The hidden size H whose recurrent layer + Linear head has the parameter count closest
    to ``target`` (one layer, biases b_ih and b_hh as in PyTorch)."""
    return min(
        range(1, 257),
        key=lambda H: abs(_rnn_params(cell, input_size, H, output_size) - target),
    )


def make_model(kind: str, task: str, input_size: int, output_size: int, size: int, seed: int):
    """A model for ``task`` ("many_to_many" or "many_to_one") of type ``kind``.

    kind : "tcn" (then ``size`` = channels; TCN with kernel 2 and ``tcn_layers`` blocks) or
        "rnn"/"gru"/"lstm" (``size`` = H). For the TCN, ``input_size`` may be a tuple
        (vocab, embedding_dim) to put an ``Embedding`` in front, likewise for the RNNs.
    The TCN's depth comes from ``kind`` written "tcn:L" (default L = 4).
    """
    emb = None
    s_emb, s_net, s_head = child_seeds(seed, 3)
    if isinstance(input_size, tuple):
        vocab, input_size = input_size
        emb = Embedding(vocab, input_size, seed=s_emb)
    if kind.startswith("tcn"):
        layers = int(kind.split(":")[1]) if ":" in kind else 4
        tcn = TCN(input_size, size, output_size, kernel_size=2, num_layers=layers, seed=s_net)
        if task == "many_to_many":
            return tcn
        return LastStep(tcn, emb)
    rnn = make_rnn(kind, input_size, size, seed=s_net)
    head = Linear(size, output_size, seed=s_head)
    return (ManyToMany if task == "many_to_many" else ManyToOne)(rnn, head, emb)


def _params(model) -> int:
    return int(sum(p.size for p in model.params.values()))


def _f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp = float(np.sum((pred == 1) & (y == 1)))
    fp = float(np.sum((pred == 1) & (y == 0)))
    fn = float(np.sum((pred == 0) & (y == 1)))
    return 2 * tp / max(2 * tp + fp + fn, 1.0)


def run_motif(kinds: dict, seeds, T: int = 40, n_train: int = 512, epochs: int = 8) -> dict:
    """Local patterns: per-step motif detection (``rb.data.motif_detection``), held out.

    kinds : name -> (kind, size) for ``make_model``, e.g. {"GRU": ("gru", 8)}.
    Returns name -> {"f1": [held-out F1 per seed], "params": count, "seconds": [train time]}.
    """
    Xte, Yte = motif_detection(1024, T, seed=10_000)
    eye = np.eye(4)
    results = {}
    for name, (kind, size) in kinds.items():
        out = {"f1": [], "seconds": []}
        for seed in seeds:
            Xtr, Ytr = motif_detection(n_train, T, seed=seed)
            model = make_model(kind, "many_to_many", 4, 2, size, seed)
            opt = Adam([model], lr=1e-2)

            def batches(rng, Xtr=Xtr, Ytr=Ytr):
                return [(eye[Xtr[:, b]], Ytr[:, b]) for b in minibatches(n_train, 32, rng)]

            start = time.perf_counter()
            fit(model, batches, cross_entropy, opt, epochs, seed=seed)
            out["seconds"].append(time.perf_counter() - start)
            with no_grad(), single_thread_blas():
                pred = np.argmax(model.forward(eye[Xte]), axis=-1)
            out["f1"].append(_f1(pred, Yte))
        out["params"] = _params(model)
        results[name] = out
    return results


def run_adding(
    kinds: dict, seeds, T: int, n_train: int = 1024, epochs: int = 10, lr: float = 1e-2
) -> dict:
    """Long-range dependency: the adding problem at length T, held-out MSE per seed.

    Returns name -> {"mse": [...], "params": count}. Always answering 1 scores 1/6.
    """
    Xte, yte = adding_problem(1024, T, seed=20_000 + T)
    results = {}
    for name, (kind, size) in kinds.items():
        out = {"mse": []}
        for seed in seeds:
            Xtr, ytr = adding_problem(n_train, T, seed=seed * 1000 + T)
            model = make_model(kind, "many_to_one", 2, 1, size, seed)
            opt = Adam([model], lr=lr)

            def batches(rng, Xtr=Xtr, ytr=ytr):
                return [(Xtr[:, b], ytr[b, None]) for b in minibatches(n_train, 32, rng)]

            fit(model, batches, mse_loss, opt, epochs, seed=seed)
            with no_grad(), single_thread_blas():
                pred = model.forward(Xte)[:, 0]
            out["mse"].append(float(np.mean((pred - yte) ** 2)))
        out["params"] = _params(model)
        results[name] = out
    return results


def run_sentiment(kinds: dict, seeds, train, test, vocab_size: int, epochs: int = 6) -> dict:
    """Variable length: the sentiment grammar, many-to-one, held-out accuracy per seed.

    train, test : (list of id arrays, labels). Sequences are batched by length (every batch
    holds sequences of one length), so there is no padding and no mask: the RNN's answer is
    its h_T, the TCN's its output at step T, both after the last real word.
    Returns name -> {"acc": [...], "params": count}.
    """
    from rnn_book.chapters.structures_many_to_one import length_batches, predict_labels

    results = {}
    for name, (kind, size) in kinds.items():
        out = {"acc": []}
        for seed in seeds:
            model = make_model(kind, "many_to_one", (vocab_size, 8), 2, size, seed)
            opt = Adam([model], lr=1e-2)

            def batches(rng):
                return [(ids, y) for ids, y, _ in length_batches(*train, 32, rng)]

            fit(model, batches, cross_entropy, opt, epochs, seed=seed)
            with no_grad():
                pred = predict_labels(model, test[0])
            out["acc"].append(float(np.mean(pred == test[1])))
        out["params"] = _params(model)
        results[name] = out
    return results


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def time_per_sequence(kinds: dict, lengths, batch: int = 8, repeats: int = 5) -> dict:
    """Median seconds of one forward + backward pass, per sequence, against the length T.

    kinds : name -> (kind, size) for ``make_model`` (many-to-many, 4 inputs, 2 outputs).
    Returns name -> list of seconds per sequence, one per T in ``lengths``.
    """
    rng = np.random.default_rng(0)
    results = {}
    with single_thread_blas():
        for name, (kind, size) in kinds.items():
            model = make_model(kind, "many_to_many", 4, 2, size, 0)
            row = []
            for T in lengths:
                x = rng.standard_normal((T, batch, 4))
                g = rng.standard_normal((T, batch, 2))

                def once(model=model, x=x, g=g):
                    model.forward(x)
                    model.backward(g)

                once()
                row.append(_median_time(once, repeats) / batch)
            results[name] = row
    return results


def streaming_cost(rnn_kind: str, rnn_size: int, channels: int, steps, repeats: int = 5) -> dict:
    """Seconds to answer ONE new input arriving at step t, for t in ``steps`` (batch 1).

    * "rnn": one recurrent step from the stored state h_{t-1} (constant in t);
    * "tcn_step": ``TCN.step`` with its buffers of the last (K-1)d inputs (constant in t);
    * "tcn_recompute": the TCN rerun over all t inputs so far (grows with t).
    """
    rng = np.random.default_rng(1)
    rnn = make_model(rnn_kind, "many_to_many", 4, 2, rnn_size, 0)
    tcn = make_model("tcn", "many_to_many", 4, 2, channels, 0)
    out = {"rnn": [], "tcn_step": [], "tcn_recompute": []}
    with single_thread_blas(), no_grad():
        state = tcn.initial_state(1)
        x1 = rng.standard_normal((1, 1, 4))
        _, h = rnn.rnn.forward(x1)
        for t in steps:
            xs = rng.standard_normal((t, 1, 4))
            out["rnn"].append(_median_time(lambda: rnn.forward(x1, h), repeats))
            out["tcn_step"].append(_median_time(lambda: tcn.step(xs[-1], state), repeats))
            out["tcn_recompute"].append(_median_time(lambda: tcn.forward(xs)[-1], repeats))
    return out


def input_sensitivity(model, T: int, seed: int = 0) -> np.ndarray:
    """||d output_T / d x_{T-k}|| for k = 0 .. T-1 (mean over a batch of 16 random inputs).

    ``model``: a many-to-many model from ``make_model`` with 4 inputs; the gradient of a
    random unit combination of the outputs at the last step is sent back. For a TCN the
    result is exactly zero for k >= its receptive field; for an RNN it only decays.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((T, 16, 4))
    out = model.forward(x)
    g = np.zeros_like(out)
    v = rng.standard_normal(out.shape[1:])
    g[-1] = v / np.linalg.norm(v, axis=-1, keepdims=True)
    model.zero_grad()
    dx = model.backward(g)
    model.zero_grad()
    return np.linalg.norm(dx, axis=-1).mean(axis=1)[::-1].copy()
