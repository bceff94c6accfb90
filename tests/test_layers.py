"""Linear (the book's V) and Embedding: gradient checks, PyTorch parity, bad input."""

import numpy as np
import pytest

from rnn_book.gradient_check import gradcheck
from rnn_book.layers import Embedding, Linear

TOL = 1e-7


# ---------------------------------------------------------------- gradient checks
@pytest.mark.parametrize("shape", [(4,), (3, 4), (5, 2, 4)])
def test_linear_gradcheck(shape):
    rng = np.random.default_rng(0)
    lin = Linear(4, 3, seed=1)
    lin.params["bias"][...] = rng.normal(size=3)  # nonzero bias
    x = rng.normal(size=shape)
    g = rng.normal(size=shape[:-1] + (3,))  # random upstream gradient

    def loss():
        return float(np.sum(lin.forward(x) * g))

    lin.zero_grad()
    lin.forward(x)
    dx = lin.backward(g)
    assert dx.shape == x.shape
    errors = gradcheck(
        loss,
        {"x": x, "weight": lin.params["weight"], "bias": lin.params["bias"]},
        {"x": dx, "weight": lin.grads["weight"].copy(), "bias": lin.grads["bias"].copy()},
        h=1e-5,
    )
    assert max(errors.values()) < TOL, errors


def test_embedding_gradcheck_with_repeated_ids():
    rng = np.random.default_rng(1)
    emb = Embedding(5, 3, seed=2)
    ids = np.array([[0, 4], [4, 4], [2, 0]])  # id 4 three times, id 0 twice, 1 and 3 unused
    g = rng.normal(size=(3, 2, 3))

    def loss():
        return float(np.sum(emb.forward(ids) * g))

    emb.zero_grad()
    emb.forward(ids)
    emb.backward(g)
    dW = emb.grads["weight"].copy()
    errors = gradcheck(loss, {"weight": emb.params["weight"]}, {"weight": dW}, h=1e-5)
    assert errors["weight"] < TOL, errors
    np.testing.assert_allclose(dW[4], g[0, 1] + g[1, 0] + g[1, 1])
    assert not dW[1].any() and not dW[3].any()


def test_gradients_accumulate_until_zero_grad():
    rng = np.random.default_rng(2)
    lin = Linear(3, 2, seed=0)
    x, g = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    lin.forward(x)
    lin.backward(g)
    once = {k: v.copy() for k, v in lin.grads.items()}
    lin.forward(x)
    lin.backward(g)
    for k, v in once.items():
        np.testing.assert_allclose(lin.grads[k], 2 * v, rtol=1e-14)
    lin.zero_grad()
    assert all(not v.any() for v in lin.grads.values())


def test_linear_without_bias_and_float32():
    lin = Linear(3, 2, bias=False, dtype=np.float32, seed=0)
    assert set(lin.params) == set(lin.grads) == {"weight"}
    y = lin.forward(np.ones((2, 3)))
    assert y.dtype == np.float32 and y.shape == (2, 2)
    assert lin.backward(np.ones((2, 2), dtype=np.float32)).dtype == np.float32
    assert Embedding(4, 2, dtype=np.float32, seed=0).forward([1, 2]).dtype == np.float32


def test_init_is_seeded_and_in_torch_range():
    a, b = Linear(16, 8, seed=3), Linear(16, 8, seed=3)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
        assert a.params[k].shape == a.grads[k].shape
        assert np.abs(a.params[k]).max() <= 1 / np.sqrt(16)
    assert not np.array_equal(a.params["weight"], Linear(16, 8, seed=4).params["weight"])
    w = Embedding(1000, 20, seed=0).params["weight"]  # N(0, 1)
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02


# ---------------------------------------------------------------- PyTorch parity
def test_linear_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    lin = Linear(4, 3, seed=0)
    lin.params["bias"][...] = rng.normal(size=3)
    ref = torch.nn.Linear(4, 3, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(lin.params["weight"]))
        ref.bias.copy_(torch.from_numpy(lin.params["bias"]))
    x, g = rng.normal(size=(5, 2, 4)), rng.normal(size=(5, 2, 3))
    xt = torch.tensor(x, requires_grad=True)
    yt = ref(xt)
    yt.backward(torch.from_numpy(g))
    y = lin.forward(x)
    dx = lin.backward(g)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(lin.grads["weight"], ref.weight.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(lin.grads["bias"], ref.bias.grad.numpy(), rtol=0, atol=1e-10)


def test_embedding_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    emb = Embedding(7, 3, seed=0)
    ref = torch.nn.Embedding(7, 3, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(emb.params["weight"]))
    ids = rng.integers(0, 7, size=(6, 4))
    g = rng.normal(size=(6, 4, 3))
    out = ref(torch.from_numpy(ids))
    out.backward(torch.from_numpy(g))
    np.testing.assert_allclose(emb.forward(ids), out.detach().numpy(), rtol=0, atol=1e-10)
    emb.backward(g)
    np.testing.assert_allclose(emb.grads["weight"], ref.weight.grad.numpy(), rtol=0, atol=1e-10)


# ---------------------------------------------------------------- bad input
def test_linear_bad_input_names_argument_and_shapes():
    lin = Linear(4, 3, seed=0)
    with pytest.raises(ValueError, match=r"x: expected shape \(\.\.\., 4\).*got \(2, 5\)"):
        lin.forward(np.zeros((2, 5)))
    with pytest.raises(TypeError, match="x: expected a real numeric array, got dtype <U1"):
        lin.forward(np.array(["a"]))
    with pytest.raises(ValueError, match="x: expected finite values"):
        lin.forward(np.array([np.nan, 0, 0, 0]))
    with pytest.raises(RuntimeError, match="call forward before backward"):
        lin.backward(np.zeros((2, 3)))
    lin.forward(np.zeros((5, 2, 4)))
    with pytest.raises(ValueError, match=r"dy: expected shape \(5, 2, 3\).*got \(5, 3\)"):
        lin.backward(np.zeros((5, 3)))
    lin.params["weight"] = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"params\['weight'\]: expected .*\(3, 4\).*\(4, 3\)"):
        lin.forward(np.zeros(4))


@pytest.mark.parametrize(
    "kwargs, exc, pattern",
    [
        ({"in_features": 0}, ValueError, "in_features: expected a positive int, got 0"),
        ({"out_features": 2.0}, TypeError, "out_features: expected a positive int, got float"),
        ({"bias": 1}, TypeError, "bias: expected a bool, got int"),
        ({"dtype": np.int32}, TypeError, "dtype: expected np.float32 or np.float64, got int32"),
    ],
)
def test_linear_bad_constructor(kwargs, exc, pattern):
    args = {"in_features": 2, "out_features": 3, **kwargs}
    with pytest.raises(exc, match=pattern):
        Linear(**args)


def test_embedding_bad_input_names_argument_and_shapes():
    emb = Embedding(5, 3, seed=0)
    with pytest.raises(TypeError, match=r"idx: expected an integer array .*got dtype float64"):
        emb.forward(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="idx: expected an integer array .*got dtype bool"):
        emb.forward(np.array([True]))
    with pytest.raises(ValueError, match=r"idx: expected ids in \[0, 5\).*got values in \[-1, 2\]"):
        emb.forward(np.array([-1, 2]))
    with pytest.raises(ValueError, match=r"idx: expected ids in \[0, 5\).*\[0, 5\]"):
        emb.forward(np.array([[0, 5]]))
    with pytest.raises(RuntimeError, match="call forward before backward"):
        emb.backward(np.zeros((1, 3)))
    emb.forward(np.zeros((4, 2), dtype=np.int64))
    with pytest.raises(ValueError, match=r"de: expected shape \(4, 2, 3\).*got \(4, 3\)"):
        emb.backward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="num_embeddings: expected a positive int, got -1"):
        Embedding(-1, 3)
