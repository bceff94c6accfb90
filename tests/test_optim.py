"""Optimisers and gradient clipping: PyTorch parity over several steps, state keying, bad input."""

import inspect
import warnings

import numpy as np
import pytest

from rnn_book import optim
from rnn_book.clip import clip_grad_norm
from rnn_book.layers import Embedding, Linear
from rnn_book.models import ManyToOne, make_rnn

STEPS = 10


def _modules():
    """Two Linear layers (both own a "weight" and a "bias") and an Embedding."""
    return [Linear(4, 3, seed=0), Linear(3, 2, seed=1), Embedding(5, 3, seed=2)]


def _arrays(modules):
    return [p for m in modules for p in m.params.values()]


# ---------------------------------------------------------------- optimiser parity
CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("Adagrad", {}),
    (
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
    ),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.1}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"alpha": 0.9, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
]


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_optimiser_matches_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    modules = _modules()
    ours = getattr(optim, name)(modules, **kwargs)
    tensors = [torch.tensor(p.copy(), requires_grad=True) for p in _arrays(modules)]
    ref = getattr(torch.optim, name)(tensors, **kwargs)
    start = [p.copy() for p in _arrays(modules)]
    rng = np.random.default_rng(0)
    for _ in range(STEPS):
        # each side's gradient depends on its own parameters, so an error would compound
        noise = [rng.normal(size=p.shape) for p in _arrays(modules)]
        grads = [g for m in modules for g in m.grads.values()]
        for g, p, e, t in zip(grads, _arrays(modules), noise, tensors):
            g[...] = e + 0.5 * p
            t.grad = torch.from_numpy(e) + 0.5 * t.detach()
        ours.step()
        ref.step()
        for t, p in zip(tensors, _arrays(modules)):
            np.testing.assert_allclose(p, t.detach().numpy(), rtol=0, atol=1e-10)
    moved = max(np.abs(p - s).max() for p, s in zip(_arrays(modules), start))
    assert moved > 1e-3  # the comparison was not between two frozen copies


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "Adadelta", "RMSprop", "Adam"])
def test_defaults_are_torchs(name):
    torch = pytest.importorskip("torch")
    ours = inspect.signature(getattr(optim, name)).parameters
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    for arg, p in ours.items():
        if arg != "modules":
            assert p.default == theirs[arg].default, (name, arg)


def test_sgd_by_hand():
    lin = Linear(2, 2, seed=0)
    before = {k: v.copy() for k, v in lin.params.items()}
    for g in lin.grads.values():
        g[...] = 1.0
    optim.SGD([lin], lr=0.5).step()
    for k, v in lin.params.items():
        np.testing.assert_array_equal(v, before[k] - 0.5)


def test_optimiser_on_a_model_updates_in_place_with_stable_state():
    rng = np.random.default_rng(1)
    model = ManyToOne(make_rnn("gru", 2, 3, seed=0), Linear(3, 2, seed=1))
    arrays = {k: id(v) for k, v in model.params.items()}
    opt = optim.Adam([model], lr=0.01)
    for _ in range(3):
        opt.zero_grad()
        model.forward(rng.normal(size=(4, 2, 2)))
        model.backward(rng.normal(size=(2, 2)))
        opt.step()
    # model.params is a live view of the parts; state is one entry per parameter array
    assert len(opt.state) == len(model.params)
    assert {k: id(v) for k, v in model.params.items()} == arrays
    assert all(s["step"] == 3 for s in opt.state.values())
    opt.zero_grad()
    assert all(not g.any() for g in model.grads.values())


def test_float32_parameters_stay_float32():
    lin = Linear(3, 2, dtype=np.float32, seed=0)
    for g in lin.grads.values():
        g[...] = 0.1
    for cls in (optim.SGD, optim.Adagrad, optim.Adadelta, optim.RMSprop, optim.Adam):
        cls([lin]).step()
    assert all(p.dtype == np.float32 for p in lin.params.values())


# ---------------------------------------------------------------- optimiser bad input
@pytest.mark.parametrize(
    "make, exc, pattern",
    [
        (lambda m: optim.SGD(m, lr=-1), ValueError, "lr: expected a finite number >= 0.0, got -1"),
        (lambda m: optim.Adam(m, lr="0.1"), TypeError, "lr: expected a real number, got str"),
        (lambda m: optim.Adam(m, betas=(1.0, 0.9)), ValueError, r"betas\[0\]: .*\[0.0, 1.0\)"),
        (lambda m: optim.Adam(m, betas=0.9), TypeError, "betas: expected a pair"),
        (lambda m: optim.SGD(m, nesterov=True), ValueError, "nesterov: expected momentum > 0"),
        (lambda m: optim.RMSprop(m, centered=1), TypeError, "centered: expected a bool"),
        (lambda m: optim.Adadelta(m, rho=1.5), ValueError, r"rho: expected a number in \[0, 1\]"),
        (lambda m: optim.Adagrad(m, eps=np.nan), ValueError, "eps: expected a finite number"),
        (lambda m: optim.SGD([]), ValueError, "modules: expected at least one module"),
        (lambda m: optim.SGD([object()]), TypeError, r"modules\[0\]: expected an object"),
        (lambda m: optim.SGD(m[0].params), TypeError, "modules: expected a list of modules"),
    ],
)
def test_optimiser_bad_arguments(make, exc, pattern):
    with pytest.raises(exc, match=pattern):
        make(_modules())


def test_optimiser_rejects_mismatched_grads_and_duplicates():
    lin = Linear(3, 2, seed=0)
    lin.grads["weight"] = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"grads\['weight'\]: expected .*\(2, 3\).*got \(3, 2\)"):
        optim.SGD([lin])
    model = ManyToOne(make_rnn("rnn", 2, 3, seed=0), Linear(3, 2, seed=1))
    with pytest.raises(ValueError, match="is the same array as .*updated twice"):
        optim.Adam([model, model.head])


# ---------------------------------------------------------------- clip_grad_norm
@pytest.mark.parametrize(
    "max_norm, norm_type",
    [(0.5, 2.0), (1e6, 2.0), (0.5, 1.0), (0.5, float("inf")), (0.0, 2.0)],
)
def test_clip_matches_torch(max_norm, norm_type):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    modules = _modules()
    for m in modules:
        for g in m.grads.values():
            g[...] = rng.normal(size=g.shape)
    tensors = []
    for m in modules:
        for g in m.grads.values():
            t = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
            t.grad = torch.tensor(g)
            tensors.append(t)
    before = [g.copy() for m in modules for g in m.grads.values()]
    total = clip_grad_norm(modules, max_norm, norm_type)
    ref = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type)
    assert isinstance(total, float)
    assert abs(total - ref.item()) < 1e-10
    grads = [g for m in modules for g in m.grads.values()]
    for g, t in zip(grads, tensors):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=0, atol=1e-10)
    clipped = any(not np.array_equal(g, b) for g, b in zip(grads, before))
    assert clipped == (max_norm < total)


def test_clip_scales_to_max_norm_and_accepts_dicts():
    grads = {"a": np.full(4, 3.0), "b": np.full(9, 4.0 / 3.0)}  # total norm sqrt(36 + 16) ...
    total = clip_grad_norm([grads], 1.0)
    assert total == pytest.approx(np.sqrt(4 * 9 + 9 * 16 / 9))
    new = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    assert new == pytest.approx(1.0, rel=1e-5)
    untouched = {"a": np.ones(3)}
    assert clip_grad_norm(untouched, 10.0) == pytest.approx(np.sqrt(3))
    np.testing.assert_array_equal(untouched["a"], np.ones(3))


def test_clip_counts_shared_arrays_once():
    rng = np.random.default_rng(3)
    model = ManyToOne(make_rnn("rnn", 2, 3, seed=0), Linear(3, 2, seed=1))
    for g in model.grads.values():
        g[...] = rng.normal(size=g.shape)
    copy = {k: v.copy() for k, v in model.grads.items()}
    once = clip_grad_norm([copy], 0.1)
    twice = clip_grad_norm([model, model.head], 0.1)  # head's arrays are also in model
    assert twice == pytest.approx(once, rel=1e-14)
    for k, v in model.grads.items():
        np.testing.assert_allclose(v, copy[k], rtol=1e-14)


def test_clip_nonfinite_and_bad_input():
    grads = {"a": np.array([np.inf, 1.0])}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert clip_grad_norm(grads, 1.0) == np.inf
    with pytest.raises(FloatingPointError, match="NaN or inf"):
        clip_grad_norm({"a": np.array([np.nan])}, 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="max_norm: expected a number >= 0, got -1.0"):
        clip_grad_norm([grads], -1)
    with pytest.raises(ValueError, match="norm_type: expected a number > 0 or inf, got 0.0"):
        clip_grad_norm([grads], 1.0, norm_type=0)
    with pytest.raises(TypeError, match=r"modules_or_grad_dicts\[0\]: expected a module"):
        clip_grad_norm([np.zeros(3)], 1.0)
    with pytest.raises(TypeError, match=r"modules_or_grad_dicts\[0\]\['a'\]: .*dtype int64"):
        clip_grad_norm([{"a": np.zeros(3, dtype=np.int64)}], 1.0)
