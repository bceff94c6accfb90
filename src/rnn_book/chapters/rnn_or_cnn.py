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
from rnn_book.module import grad_enabled, no_cache_error, no_grad
from rnn_book.optim import Adam
from rnn_book.seeding import child_seeds
from rnn_book.training import fit, minibatches, single_thread_blas

__all__ = [
    "MOTIF_EPOCHS",
    "MOTIF_N_TRAIN",
    "MOTIF_T",
    "SENTIMENT_EPOCHS",
    "SENTIMENT_N_TRAIN",
    "SWEEP_EPOCHS",
    "SWEEP_LENGTHS",
    "SWEEP_MODELS",
    "SWEEP_SEEDS",
    "LastStep",
    "input_sensitivity",
    "make_model",
    "motif_models",
    "rnn_hidden_for",
    "run_adding",
    "run_motif",
    "run_sentiment",
    "sentiment_data",
    "sentiment_models",
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
#: Length T of the motif-detection sequences of experiment a.
MOTIF_T = 40
#: Number of training sequences of experiment a (a fresh set per seed; 1024 held out).
MOTIF_N_TRAIN = 512
#: Number of training epochs of experiment a.
MOTIF_EPOCHS = 8
#: Number of training reviews of experiment c (1000 more are held out).
SENTIMENT_N_TRAIN = 1000
#: Number of training epochs of experiment c.
SENTIMENT_EPOCHS = 10


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
        if grad_enabled():  # under no_grad a pending backward keeps its shape
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

    Parameters
    ----------
    kind : "tcn:L" (a ``TCN`` with kernel 2 and L blocks; "tcn" means L = 4) or
        "rnn"/"gru"/"lstm".
    task : "many_to_many" (logits (T, B, C): the TCN itself or ``ManyToMany``) or
        "many_to_one" (logits (B, C): ``LastStep`` or ``ManyToOne``).
    input_size : D, or a tuple (vocab, embedding_dim) to put an ``Embedding`` in front
        (then the inputs are ids (T, B)).
    output_size : C.
    size : channels of the TCN, or hidden size H of the recurrent layer.
    seed : split over the parts with ``child_seeds``.
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


def motif_models() -> dict:
    """Experiment (a): {"TCN": ("tcn:3", 8), "RNN"/"GRU"/"LSTM": (cell, H)} with H chosen so
    that each recurrent model has about the TCN's parameter count (4 inputs, 2 outputs)."""
    target = _params(make_model("tcn:3", "many_to_many", 4, 2, 8, 0))
    kinds = {"TCN": ("tcn:3", 8)}
    for name, cell in [("RNN", "rnn"), ("GRU", "gru"), ("LSTM", "lstm")]:
        kinds[name] = (cell, rnn_hidden_for(cell, 4, 2, target))
    return kinds


def sentiment_data(n_train: int = SENTIMENT_N_TRAIN, n_test: int = 1000):
    """The sentiment grammar as ids: ((train ids, labels), (test ids, labels), vocab size).

    Test reviews use another seed and exclude every training review verbatim.
    """
    from rnn_book.data.sentiment import sentiment_reviews

    tr, tr_y = sentiment_reviews(n_train, seed=0)
    te, te_y = sentiment_reviews(n_test, seed=1, exclude=tr)
    vocab = sorted({w for ws in tr + te for w in ws})
    index = {w: i for i, w in enumerate(vocab)}

    def encode(reviews):
        return [np.array([index[w] for w in ws]) for ws in reviews]

    return (encode(tr), tr_y), (encode(te), te_y), len(vocab)


def sentiment_models(vocab_size: int) -> dict:
    """Experiment (c): {"TCN": ("tcn:4", 8), "GRU": ("gru", H)} at about equal parameter
    counts, both behind an 8-dimensional embedding (R = 16 covers every review)."""
    n_tcn = _params(make_model("tcn:4", "many_to_one", (vocab_size, 8), 2, 8, 0))
    return {
        "TCN": ("tcn:4", 8),
        "GRU": ("gru", rnn_hidden_for("gru", 8, 2, n_tcn - 8 * vocab_size)),
    }


def _params(model) -> int:
    return int(sum(p.size for p in model.params.values()))


def _f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp = float(np.sum((pred == 1) & (y == 1)))
    fp = float(np.sum((pred == 1) & (y == 0)))
    fn = float(np.sum((pred == 0) & (y == 1)))
    return 2 * tp / max(2 * tp + fp + fn, 1.0)


def run_motif(
    kinds: dict, seeds, T: int = MOTIF_T, n_train: int = MOTIF_N_TRAIN, epochs: int = MOTIF_EPOCHS
) -> dict:
    """Local patterns: per-step motif detection (``rb.data.motif_detection``), held out.

    kinds : name -> (kind, size) for ``make_model``, e.g. {"GRU": ("gru", 8)}.
    Returns name -> {"f1": [held-out F1 per seed], "params": count, "seconds": [train time],
    "model": the model of the last seed}.
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
        out["params"], out["model"] = _params(model), model
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


def run_sentiment(
    kinds: dict, seeds, train, test, vocab_size: int, epochs: int = SENTIMENT_EPOCHS
) -> dict:
    """Variable length: the sentiment grammar, many-to-one, held-out accuracy per seed.

    train, test : (list of id arrays, labels). Sequences are batched by length (every batch
    holds sequences of one length), so there is no padding and no mask: the RNN's answer is
    its h_T, the TCN's its output at step T, both after the last real word.
    Returns name -> {"acc": [...], "params": count, "seconds": [train time per seed]}.
    """
    from rnn_book.chapters.structures_many_to_one import length_batches, predict_labels

    results = {}
    for name, (kind, size) in kinds.items():
        out = {"acc": [], "seconds": []}
        for seed in seeds:
            model = make_model(kind, "many_to_one", (vocab_size, 8), 2, size, seed)
            opt = Adam([model], lr=1e-2)

            def batches(rng):
                return [(ids, y) for ids, y, _ in length_batches(*train, 32, rng)]

            start = time.perf_counter()
            fit(model, batches, cross_entropy, opt, epochs, seed=seed)
            out["seconds"].append(time.perf_counter() - start)
            with no_grad():
                pred = predict_labels(model, test[0])
            out["acc"].append(float(np.mean(pred == test[1])))
        out["params"] = _params(model)
        results[name] = out
    return results


def time_per_sequence(kinds: dict, lengths, batch: int = 8, repeats: int = 7) -> dict:
    """Median seconds of one forward + backward pass, per sequence, against the length T.

    kinds : name -> (kind, size) for ``make_model`` (many-to-many, 4 inputs, 2 outputs).
    The models take turns inside every repeat, so a burst of load on a shared machine hits
    all of them alike. Returns name -> list of seconds per sequence, one per T in ``lengths``.
    """
    rng = np.random.default_rng(0)
    models = {
        name: make_model(kind, "many_to_many", 4, 2, size, 0)
        for name, (kind, size) in kinds.items()
    }
    data = {
        T: (rng.standard_normal((T, batch, 4)), rng.standard_normal((T, batch, 2))) for T in lengths
    }
    times = {(name, T): [] for name in models for T in lengths}
    with single_thread_blas():
        for r in range(repeats + 1):  # the first round warms up and is not kept
            for T, (x, g) in data.items():
                for name, model in models.items():
                    start = time.perf_counter()
                    model.forward(x)
                    model.backward(g)
                    if r:
                        times[name, T].append(time.perf_counter() - start)
    return {name: [float(np.median(times[name, T])) / batch for T in lengths] for name in models}


def streaming_cost(rnn_kind: str, rnn_size: int, channels: int, steps, repeats: int = 5) -> dict:
    """Median seconds to answer ONE new input arriving at step t, for t in ``steps`` (batch 1).

    * "rnn": one recurrent step from the stored state h_{t-1} (constant in t);
    * "tcn_step": ``TCN.step`` with its buffers of the last (K-1)d inputs (constant in t);
    * "tcn_recompute": the TCN rerun over all t inputs so far (grows with t).

    The three take turns inside every repeat, as in ``time_per_sequence``.
    """
    rng = np.random.default_rng(1)
    rnn = make_model(rnn_kind, "many_to_many", 4, 2, rnn_size, 0)
    tcn = make_model("tcn", "many_to_many", 4, 2, channels, 0)
    times = {(k, t): [] for k in ("rnn", "tcn_step", "tcn_recompute") for t in steps}
    with single_thread_blas(), no_grad():
        state = tcn.initial_state(1)
        x1 = rng.standard_normal((1, 1, 4))
        _, h = rnn.rnn.forward(x1)
        inputs = {t: rng.standard_normal((t, 1, 4)) for t in steps}
        runs = {
            "rnn": lambda xs: rnn.forward(x1, h),
            "tcn_step": lambda xs: tcn.step(xs[-1], state),
            "tcn_recompute": lambda xs: tcn.forward(xs)[-1],
        }
        for r in range(repeats + 1):
            for t, xs in inputs.items():
                for k, run in runs.items():
                    start = time.perf_counter()
                    run(xs)
                    if r:
                        times[k, t].append(time.perf_counter() - start)
    return {k: [float(np.median(times[k, t])) for t in steps] for k in runs}


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
