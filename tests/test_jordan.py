"""The Jordan network: gradient checks of BPTT through the output feedback, an independent
per-step reference, PyTorch autograd parity, bad input, reproducibility, float32, training."""

import itertools

import numpy as np
import pytest

from rnn_book.gradient_check import gradcheck, numerical_gradient, relative_error
from rnn_book.jordan import JordanRNN

TOL = 1e-7
OUTPUTS = ("identity", "tanh", "sigmoid", "softmax")
NONLINEARITIES = ("tanh", "relu")


def _net(D=3, H=4, C=3, seed=0, rng=None, **kwargs):
    """A net with random nonzero biases (the default init leaves every path small but nonzero)."""
    net = JordanRNN(D, H, C, seed=seed, **kwargs)
    if rng is not None and net.bias:
        for name in ("b", "c"):
            net.params[name][...] = rng.normal(size=net.params[name].shape)
    return net


def _check_gradients(net, x, y0, with_dy_T=True, with_dy=False, seed=1):
    """Central differences vs backward for x, y0 and every parameter; returns the errors."""
    rng = np.random.default_rng(seed)
    z, y_T = net.forward(x, y0)
    g_z = rng.normal(size=z.shape)
    g_T = rng.normal(size=y_T.shape) if with_dy_T else None
    g_y = rng.normal(size=z.shape) if with_dy else None

    def loss():
        z, y_T = net.forward(x, y0)
        total = np.sum(z * g_z)
        if g_T is not None:
            total += np.sum(y_T * g_T)
        if g_y is not None:
            total += np.sum(net.y * g_y)
        return total

    net.zero_grad()
    net.forward(x, y0)
    dx, dy0 = net.backward(g_z, g_T, g_y)
    arrays = {"x": x, "y0": y0, **net.params}
    analytic = {"x": dx, "y0": dy0, **{k: v.copy() for k, v in net.grads.items()}}
    return gradcheck(loss, arrays, analytic, h=1e-5)


def _assert_small(errors):
    bad = {k: e for k, e in errors.items() if not e < TOL}
    assert not bad, f"relative errors above {TOL}: {bad}"


# ---------------------------------------------------------------- gradient checks


@pytest.mark.parametrize(
    "output_activation,nonlinearity,with_dy_T",
    list(itertools.product(OUTPUTS, NONLINEARITIES, [False, True])),
)
def test_gradcheck(output_activation, nonlinearity, with_dy_T):
    rng = np.random.default_rng(0)
    net = _net(rng=rng, nonlinearity=nonlinearity, output_activation=output_activation, seed=3)
    x = rng.normal(size=(5, 2, 3))
    y0 = rng.normal(size=(2, 3))
    errors = _check_gradients(net, x, y0, with_dy_T=with_dy_T)
    assert set(errors) == {"x", "y0", "U", "W", "b", "V", "c"}
    _assert_small(errors)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"batch_first": True},
        {"bias": False},
        {"context_decay": 0.6},
        {"context_decay": 0.6, "output_activation": "softmax", "nonlinearity": "relu"},
    ],
    ids=["batch_first", "no_bias", "decay", "decay_softmax_relu"],
)
def test_gradcheck_variants(kwargs):
    rng = np.random.default_rng(1)
    net = _net(rng=rng, seed=4, **kwargs)
    shape = (2, 5, 3) if kwargs.get("batch_first") else (5, 2, 3)
    x = rng.normal(size=shape)
    y0 = rng.normal(size=(2, 3))
    _assert_small(_check_gradients(net, x, y0))


@pytest.mark.parametrize("output_activation", OUTPUTS)
def test_gradcheck_loss_on_outputs_y(output_activation):
    """The optional dy: a loss that reads y_t = g(z_t) directly (e.g. squared error)."""
    rng = np.random.default_rng(2)
    net = _net(rng=rng, seed=5, output_activation=output_activation)
    x = rng.normal(size=(4, 3, 3))
    y0 = rng.normal(size=(3, 3))
    _assert_small(_check_gradients(net, x, y0, with_dy=True))


def test_gradcheck_unbatched():
    rng = np.random.default_rng(3)
    net = _net(rng=rng, seed=6, output_activation="tanh")
    x = rng.normal(size=(4, 3))
    y0 = rng.normal(size=(3,))
    z, y_T = net.forward(x, y0)
    assert z.shape == (4, 3) and y_T.shape == (3,) and net.y.shape == (4, 3)
    _assert_small(_check_gradients(net, x, y0))


def test_gradients_accumulate_and_zero_grad():
    rng = np.random.default_rng(4)
    net = _net(rng=rng)
    x = rng.normal(size=(3, 2, 3))
    z, _ = net.forward(x)
    dz = rng.normal(size=z.shape)
    net.backward(dz)
    once = {k: v.copy() for k, v in net.grads.items()}
    net.forward(x)
    net.backward(dz)
    for k, g in once.items():
        np.testing.assert_allclose(net.grads[k], 2 * g, rtol=1e-14, atol=0)
    net.zero_grad()
    assert all(not g.any() for g in net.grads.values())


# ---------------------------------------------------------------- the feedback path


@pytest.mark.parametrize("output_activation", OUTPUTS)
def test_last_output_depends_on_first_input_only_through_feedback(output_activation):
    """y_T can see x_1 only through y_1 -> h_2 -> ... -> y_T; BPTT must carry that path.

    With a loss on y_T alone, a backward that dropped W^T (or g') at the feedback would
    return dx_1 = 0 (or a wrong value); central differences say it is clearly nonzero.
    """
    rng = np.random.default_rng(5)
    net = _net(rng=rng, seed=7, output_activation=output_activation)
    # a strong loop, so x_1 still matters after T = 5 steps (g' <= 1/4 for sigmoid shrinks it)
    net.params["W"] *= 3.0
    net.params["V"] *= 3.0
    x = rng.normal(size=(5, 2, 3))
    g_T = rng.normal(size=(2, 3))

    def loss():
        return float(np.sum(net.forward(x)[1] * g_T))

    numeric = numerical_gradient(loss, x)
    net.forward(x)
    dx, _ = net.backward(np.zeros((5, 2, 3)), g_T)
    assert np.linalg.norm(numeric[0]) > 1e-5, "y_T should depend on x_1"
    assert relative_error(dx[0], numeric[0]) < TOL
    assert relative_error(dx, numeric) < TOL


def test_feedback_weight_W_changes_the_outputs():
    """With W = 0 the net forgets its past: z_t depends on x_t alone."""
    rng = np.random.default_rng(6)
    net = _net(rng=rng, seed=8)
    x = rng.normal(size=(4, 1, 3))
    x_changed = x.copy()
    x_changed[0] += 1.0
    z_a, _ = net.forward(x)
    z_b, _ = net.forward(x_changed)
    assert np.abs(z_a[1:] - z_b[1:]).max() > 1e-3  # the change at t=1 propagates
    net.params["W"][...] = 0.0
    z_a, _ = net.forward(x)
    z_b, _ = net.forward(x_changed)
    assert np.array_equal(z_a[1:], z_b[1:])


# ---------------------------------------------------------------- independent references


def _reference_loop(x, y0, p, f, g, mu=0.0):
    """The equations written out step by step, one sequence at a time, no vectorisation."""
    acts = {
        "identity": lambda z: z,
        "tanh": np.tanh,
        "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
        "softmax": lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(),
    }
    T, B, _ = x.shape
    C = p["V"].shape[0]
    zs = np.zeros((T, B, C))
    ys = np.zeros((T, B, C))
    last = np.zeros((B, C))
    for j in range(B):
        s = y0[j]
        for t in range(T):
            a = p["U"] @ x[t, j] + p["W"] @ s + p["b"]
            h = np.tanh(a) if f == "tanh" else np.where(a > 0, a, 0.0)
            zs[t, j] = p["V"] @ h + p["c"]
            ys[t, j] = acts[g](zs[t, j])
            s = mu * s + ys[t, j]
        last[j] = s
    return zs, ys, last


@pytest.mark.parametrize(
    "output_activation,nonlinearity,mu",
    list(itertools.product(OUTPUTS, NONLINEARITIES, [0.0, 0.5])),
)
def test_forward_matches_plain_loop(output_activation, nonlinearity, mu):
    rng = np.random.default_rng(7)
    net = _net(
        rng=rng,
        seed=9,
        nonlinearity=nonlinearity,
        output_activation=output_activation,
        context_decay=mu,
    )
    x = rng.normal(size=(6, 3, 3))
    y0 = rng.normal(size=(3, 3))
    z, y_T = net.forward(x, y0)
    z_ref, y_ref, last_ref = _reference_loop(x, y0, net.params, nonlinearity, output_activation, mu)
    np.testing.assert_allclose(z, z_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.y, y_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(y_T, last_ref, rtol=0, atol=1e-12)
    if mu == 0.0:
        np.testing.assert_array_equal(y_T, net.y[-1])


@pytest.mark.parametrize(
    "output_activation,nonlinearity,mu",
    list(itertools.product(OUTPUTS, NONLINEARITIES, [0.0, 0.5])),
)
def test_matches_torch_autograd(output_activation, nonlinearity, mu):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    net = _net(
        rng=rng,
        seed=10,
        nonlinearity=nonlinearity,
        output_activation=output_activation,
        context_decay=mu,
    )
    T, B = 6, 3
    x = rng.normal(size=(T, B, 3))
    y0 = rng.normal(size=(B, 3))
    g_z = rng.normal(size=(T, B, 3))
    g_T = rng.normal(size=(B, 3))
    g_y = rng.normal(size=(T, B, 3))

    tp = {k: torch.tensor(v, requires_grad=True) for k, v in net.params.items()}
    tx = torch.tensor(x, requires_grad=True)
    ty0 = torch.tensor(y0, requires_grad=True)
    f = torch.tanh if nonlinearity == "tanh" else torch.relu
    g = {
        "identity": lambda z: z,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "softmax": lambda z: torch.softmax(z, dim=-1),
    }[output_activation]
    s, zs, ys = ty0, [], []
    for t in range(T):
        h = f(tx[t] @ tp["U"].T + s @ tp["W"].T + tp["b"])
        z = h @ tp["V"].T + tp["c"]
        y = g(z)
        zs.append(z)
        ys.append(y)
        s = mu * s + y
    tz, ty = torch.stack(zs), torch.stack(ys)
    loss = (tz * torch.tensor(g_z)).sum() + (s * torch.tensor(g_T)).sum()
    loss = loss + (ty * torch.tensor(g_y)).sum()
    loss.backward()

    z, y_T = net.forward(x, y0)
    dx, dy0 = net.backward(g_z, g_T, g_y)
    np.testing.assert_allclose(z, tz.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(net.y, ty.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(y_T, s.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dy0, ty0.grad.numpy(), rtol=0, atol=1e-10)
    for k, v in tp.items():
        np.testing.assert_allclose(net.grads[k], v.grad.numpy(), rtol=0, atol=1e-10, err_msg=k)


# ---------------------------------------------------------------- layout and state


def test_batch_first_is_a_transpose():
    rng = np.random.default_rng(9)
    a = JordanRNN(3, 4, 2, seed=11)
    b = JordanRNN(3, 4, 2, seed=11, batch_first=True)
    x = rng.normal(size=(5, 2, 3))
    y0 = rng.normal(size=(2, 2))
    z_a, yT_a = a.forward(x, y0)
    z_b, yT_b = b.forward(x.transpose(1, 0, 2), y0)
    np.testing.assert_array_equal(z_b, z_a.transpose(1, 0, 2))
    np.testing.assert_array_equal(b.y, a.y.transpose(1, 0, 2))
    np.testing.assert_array_equal(yT_a, yT_b)
    dz = rng.normal(size=z_a.shape)
    dx_a, dy0_a = a.backward(dz)
    dx_b, dy0_b = b.backward(dz.transpose(1, 0, 2))
    np.testing.assert_allclose(dx_b, dx_a.transpose(1, 0, 2), rtol=0, atol=1e-15)
    np.testing.assert_allclose(dy0_b, dy0_a, rtol=0, atol=1e-15)


@pytest.mark.parametrize("mu", [0.0, 0.7])
def test_returned_context_continues_the_sequence(mu):
    """forward(x[:3]) then forward(x[3:], y0=y_T) is forward(x): y_T is the carried state."""
    rng = np.random.default_rng(10)
    net = _net(rng=rng, seed=12, context_decay=mu, output_activation="softmax")
    x = rng.normal(size=(7, 2, 3))
    z_all, last_all = net.forward(x)
    z1, mid = net.forward(x[:3])
    z2, last = net.forward(x[3:], mid)
    np.testing.assert_allclose(np.concatenate([z1, z2]), z_all, rtol=0, atol=1e-14)
    np.testing.assert_allclose(last, last_all, rtol=0, atol=1e-14)


def test_default_y0_is_zeros():
    rng = np.random.default_rng(11)
    net = JordanRNN(3, 4, 2, seed=0)
    x = rng.normal(size=(3, 2, 3))
    z_none, _ = net.forward(x)
    z_zero, _ = net.forward(x, np.zeros((2, 2)))
    np.testing.assert_array_equal(z_none, z_zero)


def test_shapes_params_and_repr():
    net = JordanRNN(5, 7, 3, seed=0)
    shapes = {k: v.shape for k, v in net.params.items()}
    assert shapes == {"U": (7, 5), "W": (7, 3), "b": (7,), "V": (3, 7), "c": (3,)}
    assert net.num_parameters() == 7 * 5 + 7 * 3 + 7 + 3 * 7 + 3
    assert "JordanRNN(5, 7, 3" in repr(net)
    z, y_T = net.forward(np.zeros((4, 2, 5)))
    assert z.shape == (4, 2, 3) and y_T.shape == (2, 3) and net.y.shape == (4, 2, 3)
    assert set(JordanRNN(5, 7, 3, bias=False).params) == {"U", "W", "V"}


def test_softmax_and_sigmoid_outputs_are_stable_for_huge_logits():
    net = JordanRNN(2, 3, 4, output_activation="softmax", seed=0)
    net.params["V"] *= 1e5
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        net.forward(np.ones((3, 1, 2)) * 1e3)
    np.testing.assert_allclose(net.y.sum(-1), 1.0, rtol=0, atol=1e-12)
    net = JordanRNN(2, 3, 4, output_activation="sigmoid", seed=0)
    net.params["V"] *= 1e5
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        net.forward(np.ones((3, 1, 2)) * 1e3)
    assert np.all((net.y >= 0) & (net.y <= 1))


# ---------------------------------------------------------------- bad input


@pytest.fixture
def net():
    return JordanRNN(3, 4, 2, seed=0)


def test_wrong_rank(net):
    with pytest.raises(ValueError, match=r"x: expected a 3-D array \(T, B, D\).*got shape \(5,\)"):
        net.forward(np.zeros(5))
    with pytest.raises(ValueError, match=r"x: .*got shape \(1, 2, 3, 3\)"):
        net.forward(np.zeros((1, 2, 3, 3)))


def test_wrong_feature_size(net):
    with pytest.raises(
        ValueError, match=r"x: expected last axis D = input_size = 3.*got shape \(5, 2, 7\)"
    ):
        net.forward(np.zeros((5, 2, 7)))


def test_batch_mismatch_between_x_and_y0(net):
    with pytest.raises(
        ValueError,
        match=r"y0: expected batch size B = 2 to match x, got shape \(5, 2\) "
        r"\(expected \(2, 2\) = \(B, C\)\)",
    ):
        net.forward(np.zeros((6, 2, 3)), np.zeros((5, 2)))


def test_wrong_y0_size(net):
    with pytest.raises(ValueError, match=r"y0: expected shape \(2, 2\) .*got \(2, 4\)"):
        net.forward(np.zeros((6, 2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"y0: expected shape \(2,\) .*unbatched.*got \(1, 2\)"):
        net.forward(np.zeros((6, 3)), np.zeros((1, 2)))


def test_empty_sequence(net):
    with pytest.raises(
        ValueError, match=r"x: expected at least one time step \(T >= 1\), got shape \(0, 2, 3\)"
    ):
        net.forward(np.zeros((0, 2, 3)))
    with pytest.raises(ValueError, match=r"x: expected a batch of at least one sequence"):
        net.forward(np.zeros((4, 0, 3)))


@pytest.mark.parametrize(
    "bad",
    [
        np.array([[["a", "b", "c"]]]),
        np.zeros((2, 1, 3), dtype=bool),
        np.zeros((2, 1, 3), dtype=complex),
        np.array([[[None] * 3]]),
    ],
)
def test_non_numeric_dtype(net, bad):
    with pytest.raises(TypeError, match=r"x: expected a real numeric array, got dtype"):
        net.forward(bad)


def test_nan_input(net):
    x = np.zeros((3, 2, 3))
    x[1, 0, 2] = np.nan
    with pytest.raises(ValueError, match=r"x: expected finite values, got NaN or inf"):
        net.forward(x)
    with pytest.raises(ValueError, match=r"y0: expected finite values"):
        net.forward(np.zeros((3, 2, 3)), np.full((2, 2), np.inf))


def test_backward_checks(net):
    with pytest.raises(RuntimeError, match="forward before backward"):
        net.backward(np.zeros((5, 2, 2)))
    net.forward(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match=r"dz: expected shape \(5, 2, 2\).*got \(5, 2, 4\)"):
        net.backward(np.zeros((5, 2, 4)))
    with pytest.raises(ValueError, match=r"dy_T: expected shape \(2, 2\).*got \(2, 3\)"):
        net.backward(np.zeros((5, 2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"dy: expected shape \(5, 2, 2\).*got \(4, 2, 2\)"):
        net.backward(np.zeros((5, 2, 2)), dy=np.zeros((4, 2, 2)))


@pytest.mark.parametrize(
    "kwargs,exc,msg",
    [
        ({"input_size": 0}, ValueError, "input_size: expected a positive int, got 0"),
        ({"output_size": 2.5}, TypeError, "output_size: expected a positive int"),
        ({"batch_first": "yes"}, TypeError, "batch_first: expected a bool"),
        ({"dtype": np.int32}, TypeError, "dtype: expected np.float32 or np.float64"),
        ({"nonlinearity": "sigmoid"}, ValueError, "nonlinearity: expected 'tanh' or 'relu'"),
        ({"output_activation": "relu"}, ValueError, "output_activation: expected one of"),
        ({"context_decay": 1.0}, ValueError, "context_decay: expected a float in [0, 1), got 1.0"),
        ({"context_decay": "0.5"}, TypeError, "context_decay: expected a float in [0, 1)"),
    ],
)
def test_bad_constructor_arguments(kwargs, exc, msg):
    args = {"input_size": 3, "hidden_size": 4, "output_size": 2, **kwargs}
    with pytest.raises(exc, match=msg.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        JordanRNN(**args)


def test_replaced_parameter_with_wrong_shape_is_caught(net):
    net.params["W"] = np.zeros((4, 4))  # an Elman-style W (H, H) instead of (H, C)
    with pytest.raises(ValueError, match=r"params\['W'\]: expected shape \(4, 2\), got \(4, 4\)"):
        net.forward(np.zeros((2, 1, 3)))


# ---------------------------------------------------------------- seeds and dtypes


def test_same_seed_bit_identical_different_seed_differs():
    x = np.random.default_rng(12).normal(size=(5, 2, 3))
    a, b, c = (JordanRNN(3, 4, 2, seed=s) for s in (21, 21, 22))
    z_a, yT_a = a.forward(x)
    z_b, yT_b = b.forward(x)
    assert np.array_equal(z_a, z_b) and np.array_equal(yT_a, yT_b)
    dz = np.ones_like(z_a)
    assert np.array_equal(a.backward(dz)[0], b.backward(dz)[0])
    for k in a.grads:
        assert np.array_equal(a.grads[k], b.grads[k])
    z_c, _ = c.forward(x)
    assert not np.array_equal(z_a, z_c)


@pytest.mark.parametrize("output_activation", OUTPUTS)
def test_float32_runs_and_agrees_with_float64(output_activation):
    rng = np.random.default_rng(13)
    n64 = JordanRNN(3, 8, 4, output_activation=output_activation, seed=0)
    n32 = JordanRNN(3, 8, 4, output_activation=output_activation, seed=0, dtype=np.float32)
    x = rng.normal(size=(10, 2, 3))
    z64, _ = n64.forward(x)
    z32, yT32 = n32.forward(x)  # float64 data into a float32 net: computed in float32
    assert z32.dtype == np.float32 and yT32.dtype == np.float32 and n32.y.dtype == np.float32
    np.testing.assert_allclose(z32, z64, rtol=0, atol=1e-5)
    dz = rng.normal(size=z64.shape)
    dx64, dy0_64 = n64.backward(dz)
    dx32, dy0_32 = n32.backward(dz)
    assert dx32.dtype == np.float32 and dy0_32.dtype == np.float32
    assert all(g.dtype == np.float32 for g in n32.grads.values())
    np.testing.assert_allclose(dx32, dx64, rtol=0, atol=1e-4)
    np.testing.assert_allclose(dy0_32, dy0_64, rtol=0, atol=1e-4)
    for k in n64.grads:
        np.testing.assert_allclose(n32.grads[k], n64.grads[k], rtol=0, atol=1e-4, err_msg=k)


# ---------------------------------------------------------------- training sanity


def _cycle_batch(pairs, T, C=4):
    """Jordan's setting: a constant "plan" input selects a cycle the net must produce.

    Plan 0 counts up (s, s+1, s+2, ... mod C), plan 1 counts down; y0 is the one-hot of the
    start symbol s, i.e. the "previous output". Every next symbol is fixed by (plan, previous
    output), so the fed-back y_{t-1} is the only memory the net needs, and it needs it.
    """
    B = len(pairs)
    x = np.zeros((T, B, 2))
    y0 = np.zeros((B, C))
    targets = np.zeros((T, B), dtype=np.int64)
    for j, (plan, start) in enumerate(pairs):
        x[:, j, plan] = 1.0
        y0[j, start] = 1.0
        step = 1 if plan == 0 else -1
        targets[:, j] = [(start + step * (t + 1)) % C for t in range(T)]
    return x, y0, targets


def _cross_entropy(z, targets):
    """Mean softmax cross-entropy over (T, B) and its gradient w.r.t. z (written here on
    purpose, so this test depends on nothing but the Jordan network)."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    T, B = targets.shape
    tt, bb = np.meshgrid(np.arange(T), np.arange(B), indexing="ij")
    loss = -np.log(p[tt, bb, targets]).mean()
    dz = p.copy()
    dz[tt, bb, targets] -= 1.0
    return loss, dz / (T * B)


def test_learns_to_continue_cycles_on_held_out_sequences():
    C = 4
    all_pairs = [(plan, start) for plan in (0, 1) for start in range(C)]
    held_out = [(0, 3), (1, 1)]
    train = [p for p in all_pairs if p not in held_out]
    x, y0, targets = _cycle_batch(train, T=6)
    # held-out: start symbols never trained on with that plan, and twice the training length
    x_test, y0_test, targets_test = _cycle_batch(held_out, T=12)

    net = JordanRNN(2, 16, C, output_activation="softmax", seed=0)
    z_test, _ = net.forward(x_test, y0_test)
    acc_before = (z_test.argmax(-1) == targets_test).mean()
    for _ in range(600):
        z, _ = net.forward(x, y0)
        loss, dz = _cross_entropy(z, targets)
        net.zero_grad()
        net.backward(dz)
        for name, p in net.params.items():
            p -= 1.0 * net.grads[name]
    z_test, _ = net.forward(x_test, y0_test)
    test_loss, _ = _cross_entropy(z_test, targets_test)
    acc_after = (z_test.argmax(-1) == targets_test).mean()
    assert acc_before < 0.6
    assert loss < 0.05
    assert test_loss < 0.05
    assert acc_after == 1.0
