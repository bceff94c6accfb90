"""The code of the page ``book/chapters/training.md`` (training a recurrent network on text).

* Data: ``PoemData`` — the quatrains and regulated verse (4 or 8 lines of 5 or 7 characters)
  of 唐诗三百首, split by whole poem, over a vocabulary of the most frequent training characters.
* Measuring: ``nll`` (mean negative log-likelihood, whose exp is the perplexity),
  ``unigram_nll`` (the baseline that ignores the context).
* Training: ``train_lm`` (full or truncated BPTT, stateful or stateless, clipping by norm or by
  value, SGD / momentum / Adam, scheduled sampling) and ``mix_inputs`` (the inputs of
  scheduled sampling).
* Exposure bias: ``format_error`` (how often the model breaks the 5/7-character line, reading
  the true poem or its own output).
* ``Progress``: a progress line that redraws in a live kernel and leaves nothing behind.
"""

from __future__ import annotations

import time
from collections import Counter

import numpy as np

from rnn_book.data.poems import load_tang300
from rnn_book.data.split import split_poems
from rnn_book.functional import softmax
from rnn_book.losses import cross_entropy
from rnn_book.models import CharLM
from rnn_book.module import no_grad
from rnn_book.optim import SGD, Adam
from rnn_book.sampling import sample_logits
from rnn_book.training import bptt_windows, single_thread_blas, train_truncated

__all__ = [
    "FORMS",
    "PUNCTUATION",
    "START",
    "UNK",
    "PoemData",
    "Progress",
    "format_error",
    "generate",
    "mix_inputs",
    "next_logits",
    "nll",
    "perplexity",
    "train_lm",
    "unigram_nll",
]

#: Symbol read before every poem ("a poem begins here"); never predicted.
START = "\n"
#: Symbol of every character outside the vocabulary.
UNK = "<unk>"
#: The two marks that end a line (the corpus's punctuation is normalised to these).
PUNCTUATION = "，。"
#: The poem forms the page trains on (quatrains and regulated verse, 4 or 8 lines of 5 or 7).
FORMS = ("五言绝句", "七言绝句", "五言律诗", "七言律诗")


class PoemData:
    """The quatrains and regulated verse (``FORMS``) of 唐诗三百首 as id sequences, split into
    train and held-out by whole poem.

    Parameters
    ----------
    max_chars : the vocabulary keeps the ``max_chars`` most frequent characters of the
        training poems (ties by code point); every other character is ``UNK``.
    held_out : fraction of poems held out (stratified by form, ``rb.data.split_poems``).
    seed : seed of the split.

    Attributes
    ----------
    symbols : list, id -> symbol: ``UNK`` (0), ``START`` (1), "，" (2), "。" (3), characters.
    train, held : lists of (T_i + 1,) int64 arrays, ``START`` + the poem's text.
    train_poems, held_poems : the ``Poem`` objects, in the same order.
    """

    def __init__(self, max_chars: int = 500, held_out: float = 0.2, seed: int = 0):
        poems = load_tang300(form=FORMS)
        self.train_poems, self.held_poems = split_poems(poems, held_out, seed)
        counts = Counter(c for p in self.train_poems for c in "".join(p.lines))
        chars = sorted(counts, key=lambda c: (-counts[c], c))[:max_chars]
        self.symbols = [UNK, START, *PUNCTUATION, *chars]
        self.index = {s: i for i, s in enumerate(self.symbols)}
        self.punct_ids = np.array([self.index[c] for c in PUNCTUATION])
        self.train = [self.encode(START + p.text) for p in self.train_poems]
        self.held = [self.encode(START + p.text) for p in self.held_poems]

    def __len__(self) -> int:
        return len(self.symbols)

    def encode(self, text: str) -> np.ndarray:
        """text -> (len(text),) int64 ids; characters outside the vocabulary -> 0 (UNK)."""
        return np.array([self.index.get(c, 0) for c in text], dtype=np.int64)

    def decode(self, ids) -> str:
        """ids -> text; UNK is written as "□"."""
        return "".join("□" if int(i) == 0 else self.symbols[int(i)] for i in ids)

    def batches(self, poems, batch_size: int, rng=None) -> list[tuple]:
        """Cut id sequences into batches of poems of similar length.

        poems : list of (T_i + 1,) id arrays (``train`` or ``held``). The poems are sorted by
        length (ties in random order when ``rng`` is given), cut into groups of
        ``batch_size``, and the groups shuffled. Returns ``(inputs, targets, mask)`` triples,
        each (T, B) time-major: inputs are ids[:-1], targets ids[1:], padded at the end
        (mask False there).
        """
        if batch_size < 1:
            raise ValueError(f"batch_size: expected >= 1, got {batch_size}")
        rng = None if rng is None else np.random.default_rng(rng)
        lengths = np.array([len(p) for p in poems])
        tie = np.arange(len(poems)) if rng is None else rng.permutation(len(poems))
        order = np.lexsort((tie, lengths))
        groups = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        if rng is not None:
            groups = [groups[i] for i in rng.permutation(len(groups))]
        out = []
        for g in groups:
            T = int(lengths[g].max()) - 1
            ids = np.zeros((T + 1, len(g)), dtype=np.int64)
            mask = np.zeros((T, len(g)), dtype=bool)
            for b, i in enumerate(g):
                ids[: lengths[i], b] = poems[i]
                mask[: lengths[i] - 1, b] = True
            out.append((ids[:-1], ids[1:], mask))
        return out


@no_grad()
def nll(
    model,
    data: PoemData,
    poems=None,
    k: int | None = None,
    stateful: bool = True,
    batch_size: int = 64,
) -> float:
    """Mean negative log-likelihood (nats) per predicted symbol of whole poems.

    Every poem is read from ``START`` with a zero state; every symbol after ``START`` is
    predicted. ``exp`` of the result is the perplexity. poems : list of id arrays, default
    ``data.held``. k, stateful : read in windows of ``k`` steps, restarting from a zero state
    at every window when ``stateful`` is False (how a stateless model was trained); with
    ``stateful`` (or ``k=None``) the state runs through the whole poem.
    """
    poems = data.held if poems is None else poems
    total, count = 0.0, 0
    with single_thread_blas():
        for inputs, targets, mask in data.batches(poems, batch_size):
            state = None
            for w in bptt_windows(len(inputs), k):
                logits, h_n = model.forward(inputs[w], state)
                if mask[w].any():
                    loss, _ = cross_entropy(logits, targets[w], mask[w])
                    total += loss * mask[w].sum()
                    count += int(mask[w].sum())
                state = h_n if stateful else None
    return float(total / count)


def unigram_nll(data: PoemData, alpha: float = 1.0) -> float:
    """NLL per symbol of the held-out poems under symbol frequencies of the training poems.

    The order-blind baseline: p(s) = (count(s) + alpha) / (N + alpha V) over the predicted
    symbols (all but the leading ``START``) of the training poems.
    """
    counts = np.bincount(np.concatenate([p[1:] for p in data.train]), minlength=len(data))
    p = (counts + alpha) / (counts.sum() + alpha * len(data))
    held = np.concatenate([q[1:] for q in data.held])
    return float(-np.log(p[held]).mean())


def _sample_rows(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(B, V) probabilities -> (B,) ids, one draw per row."""
    cum = np.cumsum(probs, axis=-1)
    u = rng.random(probs.shape[0]) * cum[:, -1]
    return np.minimum((cum < u[:, None]).sum(axis=-1), probs.shape[1] - 1)


@no_grad()
def mix_inputs(model, inputs, mask, prob: float, rng) -> np.ndarray:
    """The inputs of scheduled sampling (Bengio et al. 2015).

    The model reads ``inputs`` (T, B) step by step from a zero state; at every step t >= 1
    with probability ``prob`` (independently per sequence) it reads, instead of the true
    symbol, one sampled from its own prediction at step t - 1 (which was made from the mixed
    prefix before it). Returns the mixed (T, B) ids; padding (mask False) and step 0 stay.
    prob 0 returns a copy of ``inputs``.
    """
    if not 0.0 <= prob <= 1.0:
        raise ValueError(f"prob: expected a probability in [0, 1], got {prob}")
    mixed = np.array(inputs, copy=True)
    if prob == 0.0:
        return mixed
    rng = np.random.default_rng(rng)
    state, prev = None, None
    for t in range(mixed.shape[0]):
        if prev is not None:
            swap = (rng.random(mixed.shape[1]) < prob) & mask[t]
            if swap.any():
                own = _sample_rows(softmax(prev.astype(np.float64), axis=-1), rng)
                mixed[t, swap] = own[swap]
        logits, state = model.forward(mixed[t : t + 1], state)
        prev = logits[0]
    return mixed


class Progress:
    """One line that redraws in place while a run trains, in a live Jupyter kernel only.

    ``Progress(total, label)``; ``update(done, text)`` redraws the bar (at most every
    ``every`` seconds, and always at ``done == total``); ``close()`` removes it, so an
    executed notebook (the static page) keeps nothing of it. Outside a kernel (scripts,
    tests) and with ``enabled=False`` every call does nothing. Writes nothing to stderr.
    """

    def __init__(self, total: int, label: str = "", every: float = 0.2, enabled=None):
        self.total, self.label, self.every = max(int(total), 1), label, every
        self._handle, self._last = None, -np.inf
        if enabled is None:
            enabled = _in_kernel()
        if enabled:
            from IPython.display import HTML, display

            self._html = HTML
            self._handle = display(HTML(self._render(0, "")), display_id=True)

    def _render(self, done: int, text: str) -> str:
        width = 100 * min(done, self.total) / self.total
        return (
            '<div style="font-family:monospace;font-size:90%">'
            f"{self.label} {done}/{self.total} "
            '<span style="display:inline-block;width:12em;height:0.8em;border:1px solid #888;'
            'vertical-align:middle"><span style="display:block;height:100%;'
            f'width:{width:.0f}%;background:#4c72b0"></span></span> {text}</div>'
        )

    def update(self, done: int, text: str = "") -> None:
        """Redraw: ``done`` of ``total`` finished, ``text`` shown after the bar."""
        if self._handle is None:
            return
        now = time.monotonic()
        if now - self._last >= self.every or done >= self.total:
            self._handle.update(self._html(self._render(done, text)))
            self._last = now

    def close(self) -> None:
        """Remove the line (an empty output is left in its place)."""
        if self._handle is not None:
            self._handle.update(self._html(""))
            self._handle = None


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the book
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def train_lm(
    data: PoemData,
    epochs: int = 8,
    k: int | None = None,
    stateful: bool = True,
    optimizer: str = "adam",
    lr: float = 3e-3,
    clip: float | None = 5.0,
    clip_value: float | None = None,
    sampling_prob: float = 0.0,
    batch_size: int = 16,
    hidden_size: int = 64,
    embedding_dim: int = 32,
    cell: str = "rnn",
    seed: int = 0,
    dtype=np.float32,
    evaluate: bool = True,
    progress: Progress | None = None,
) -> dict:
    """Train a ``CharLM`` on ``data.train`` and record everything the page plots.

    Parameters
    ----------
    epochs : passes over the training poems.
    k, stateful : truncated BPTT with windows of ``k`` steps (None: full BPTT over each poem),
        carrying the detached state across windows (``stateful``) or restarting from zeros.
    optimizer : "sgd", "momentum" (SGD with momentum 0.9) or "adam"; ``lr`` its step size.
    clip, clip_value : clip the global gradient norm, or each entry (at most one).
    sampling_prob : scheduled sampling; the probability of reading an own sample rises
        linearly from 0 (first epoch) to ``sampling_prob`` (last epoch). Needs ``k=None``.
    seed : seeds the model and the batch order.
    evaluate : compute the held-out NLL after every epoch.
    progress : a ``Progress`` advanced after every epoch (its total should be ``epochs``).

    Returns
    -------
    dict with "model", "train_loss" (mean window loss per epoch), "held_nll" (per epoch),
    "norms" and "losses" (per update), "seconds" (CPU seconds of training per epoch),
    "updates" (updates per epoch) and "diverged" (the 1-based epoch in which an overflow or a
    non-finite loss stopped the run, else None; the run's lists end there).
    """
    if optimizer not in ("sgd", "momentum", "adam"):
        raise ValueError(f"optimizer: expected 'sgd', 'momentum' or 'adam', got {optimizer!r}")
    if sampling_prob and k is not None:
        raise ValueError("sampling_prob: scheduled sampling is implemented for k=None only")
    model = CharLM(
        len(data), hidden_size, cell=cell, embedding_dim=embedding_dim, dtype=dtype, seed=seed
    )
    if optimizer == "adam":
        opt = Adam([model], lr=lr)
    else:
        opt = SGD([model], lr=lr, momentum=0.9 if optimizer == "momentum" else 0.0)
    rng = np.random.default_rng(seed)
    hist = {
        "model": model,
        "train_loss": [],
        "held_nll": [],
        "norms": [],
        "losses": [],
        "seconds": [],
        "updates": [],
        "diverged": None,
    }
    # an overflow (a diverging run without clipping) raises instead of warning on stderr
    with single_thread_blas(), np.errstate(over="raise", invalid="raise"):
        for epoch in range(epochs):
            prob = sampling_prob * epoch / max(epochs - 1, 1)
            start, losses = time.process_time(), []
            for inputs, targets, mask in data.batches(data.train, batch_size, rng):
                if prob > 0:
                    inputs = mix_inputs(model, inputs, mask, prob, rng)
                try:
                    steps = train_truncated(
                        model,
                        inputs,
                        targets,
                        k,
                        cross_entropy,
                        opt,
                        mask=mask,
                        stateful=stateful,
                        clip=clip,
                        clip_value=clip_value,
                    )
                except FloatingPointError:
                    hist["diverged"] = epoch + 1
                    break
                losses += [s.loss for s in steps]
                hist["norms"] += [s.grad_norm for s in steps]
            if hist["diverged"]:
                break
            hist["seconds"].append(time.process_time() - start)
            hist["losses"] += losses
            hist["updates"].append(len(losses))
            hist["train_loss"].append(float(np.mean(losses)))
            if evaluate:
                try:
                    hist["held_nll"].append(nll(model, data))
                except FloatingPointError:
                    hist["diverged"] = epoch + 1
                    break
            if progress is not None:
                shown = hist["held_nll"][-1] if evaluate else hist["train_loss"][-1]
                progress.update(epoch + 1, f"困惑度 {np.exp(shown):.1f}")
    return hist


@no_grad()
def format_error(
    model,
    data: PoemData,
    free: bool,
    lines: int = 4,
    temperature: float = 1.0,
    seed: int = 0,
    samples: int = 4,
) -> dict:
    """How often the model breaks the line length, reading the true poem or its own output.

    Every held-out poem's first line and its mark are given (``START`` + line + "，"), which
    fixes the line length L (5 or 7). For the next ``lines - 1`` lines' worth of steps the
    model predicts the next symbol; the right kind is a mark if L characters have been read
    since the last mark, else a character. The error of a step is the probability the model
    gives to the wrong kind. With ``free=False`` (teacher forcing) it reads the true poem;
    with ``free=True`` (free running) it reads its own samples (at ``temperature``),
    ``samples`` independent continuations per poem.

    Returns {"error": mean error per step, "by_step": (S,) mean error at each step after the
    prompt, "bad_lines": fraction of produced lines whose length is not L (free running;
    teacher forcing: 0)}.
    """
    rng = np.random.default_rng(seed)
    is_mark = np.zeros(len(data), dtype=bool)
    is_mark[data.punct_ids] = True
    by_step, bad, n_lines = [], 0, 0
    for L in (5, 7):
        poems = [p for p, q in zip(data.held, data.held_poems) if q.line_length == L]
        poems = poems * (samples if free else 1)
        if not poems:
            continue
        B, P, S = len(poems), L + 2, (lines - 1) * (L + 1)
        true = np.stack([p[: P + S] for p in poems], axis=1)  # (P + S, B)
        logits, state = model.forward(true[:P])
        z = logits[-1]
        since = np.zeros(B, dtype=np.int64)  # characters since the last mark
        errs, lengths_seen = [], [[] for _ in range(B)]
        for t in range(S):
            probs = softmax(z.astype(np.float64), axis=-1)
            p_mark = probs[:, is_mark].sum(axis=-1)
            want_mark = since >= L
            errs.append(np.where(want_mark, 1.0 - p_mark, p_mark))
            if free:
                nxt = np.array([sample_logits(row, temperature, rng=rng) for row in z])
            else:
                nxt = true[P + t]
            marked = is_mark[nxt]
            for b in np.flatnonzero(marked):
                lengths_seen[b].append(int(since[b]))
            since = np.where(marked, 0, since + 1)
            logits, state = model.forward(nxt[None], state)
            z = logits[0]
        by_step.append(np.mean(errs, axis=1))
        for seen in lengths_seen:
            bad += sum(n != L for n in seen)
            n_lines += len(seen)
    steps = np.concatenate([s[: min(len(s) for s in by_step)][None] for s in by_step]).mean(0)
    all_errs = np.concatenate(by_step)
    return {
        "error": float(all_errs.mean()),
        "by_step": steps,
        "bad_lines": float(bad / max(n_lines, 1)) if free else 0.0,
    }


def perplexity(nll_value: float) -> float:
    """exp(nll_value), the perplexity of a mean NLL in nats; ``inf`` (without an overflow
    warning) when it exceeds the largest float."""
    return float("inf") if nll_value > 700 else float(np.exp(nll_value))


@no_grad()
def next_logits(model, data: PoemData, prefix_ids, state=None):
    """The scores of the next symbol after ``prefix_ids``, as generation uses them.

    Returns ((V,) float64 logits with ``UNK`` and ``START`` pushed 1000 below the lowest
    score, so that they are never drawn, and the state after the prefix).
    """
    logits, state = model.forward(np.asarray(prefix_ids, dtype=np.int64).reshape(-1, 1), state)
    z = logits[-1, 0].astype(np.float64)
    z[[0, data.index[START]]] = z.min() - 1e3
    return z, state


@no_grad()
def generate(
    model,
    data: PoemData,
    n: int = 24,
    temperature: float = 1.0,
    top_k: int | None = None,
    seed: int = 0,
) -> str:
    """A poem written from ``START``: ``n`` symbols drawn one by one with ``temperature`` and
    ``top_k`` (``rb.sample_logits``) from ``next_logits``, each fed back as the next input.

    ``UNK`` and ``START`` are never drawn, so the text holds characters and marks only.
    """
    rng = np.random.default_rng(seed)
    z, state = next_logits(model, data, [data.index[START]])
    out = []
    for _ in range(n):
        nxt = sample_logits(z, temperature, top_k, rng)
        out.append(nxt)
        z, state = next_logits(model, data, [nxt], state)
    return data.decode(out)
