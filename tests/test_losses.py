"""cross_entropy and mse_loss: gradient checks, PyTorch parity, masks, stability, bad input."""

import warnings

import numpy as np
import pytest

from rnn_book.gradient_check import gradcheck
from rnn_book.losses import cross_entropy, mse_loss

TOL = 1e-7
T, B, C = 4, 3, 5


def _mask(rng):
    mask = rng.random((T, B)) < 0.6
    mask[0, 0] = True  # at least one kept position
    mask[-1, -1] = False  # at least one padded position
    return mask


# ---------------------------------------------------------------- gradient checks
@pytest.mark.parametrize("masked", [False, True])
def test_cross_entropy_gradcheck(masked):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(T, B, C)) * 2
    targets = rng.integers(0, C, size=(T, B))
    mask = _mask(rng) if masked else None
    scale = rng.normal()  # a random upstream gradient of the scalar loss

    def f():
        return scale * cross_entropy(logits, targets, mask)[0]

    _, dlogits = cross_entropy(logits, targets, mask)
    errors = gradcheck(f, {"logits": logits}, {"logits": scale * dlogits}, h=1e-5)
    assert errors["logits"] < TOL, errors
    if masked:
        assert not dlogits[~mask].any()  # padding gets no gradient


@pytest.mark.parametrize("mask_kind", [None, "per position (T, B)", "per element (T, B, 2)"])
def test_mse_gradcheck(mask_kind):
    rng = np.random.default_rng(1)
    pred, target = rng.normal(size=(T, B, 2)), rng.normal(size=(T, B, 2))
    mask = None
    if mask_kind is not None:
        mask = _mask(rng) if "position" in mask_kind else rng.random((T, B, 2)) < 0.5
        mask.flat[0] = True
    scale = rng.normal()

    def f():
        return scale * mse_loss(pred, target, mask)[0]

    _, dpred = mse_loss(pred, target, mask)
    errors = gradcheck(f, {"pred": pred}, {"pred": scale * dpred}, h=1e-5)
    assert errors["pred"] < TOL, errors


def test_mask_is_a_mean_over_kept_positions_only():
    rng = np.random.default_rng(2)
    logits, targets = rng.normal(size=(T, B, C)), rng.integers(0, C, size=(T, B))
    mask = _mask(rng)
    full, _ = cross_entropy(logits[mask], targets[mask])
    masked, _ = cross_entropy(logits, targets, mask.astype(np.int64))  # 0/1 ints work too
    assert masked == pytest.approx(full, rel=1e-14)
    # what sits in padded positions does not matter
    logits2 = logits.copy()
    logits2[~mask] = 1e3
    assert cross_entropy(logits2, targets, mask)[0] == pytest.approx(masked, rel=1e-14)


# ---------------------------------------------------------------- PyTorch parity
@pytest.mark.parametrize("masked", [False, True])
def test_cross_entropy_matches_torch(masked):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(T, B, C)) * 3
    targets = rng.integers(0, C, size=(T, B))
    mask = _mask(rng) if masked else None
    loss, dlogits = cross_entropy(logits, targets, mask)

    lt = torch.tensor(logits, requires_grad=True)
    tt = torch.from_numpy(targets)
    if masked:  # padding marked with ignore_index, the torch way
        tt = tt.masked_fill(torch.from_numpy(~mask), -100)
    ref = F.cross_entropy(lt.reshape(-1, C), tt.reshape(-1), ignore_index=-100)
    ref.backward()
    assert abs(loss - ref.item()) < 1e-10
    np.testing.assert_allclose(dlogits, lt.grad.numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("masked", [False, True])
def test_mse_matches_torch(masked):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(4)
    pred, target = rng.normal(size=(T, B, 2)), rng.normal(size=(T, B, 2))
    mask = _mask(rng) if masked else None
    loss, dpred = mse_loss(pred, target, mask)

    pt, tt = torch.tensor(pred, requires_grad=True), torch.from_numpy(target)
    if masked:
        m = torch.from_numpy(mask)
        ref = F.mse_loss(pt[m], tt[m])
    else:
        ref = F.mse_loss(pt, tt)
    ref.backward()
    assert abs(loss - ref.item()) < 1e-10
    np.testing.assert_allclose(dpred, pt.grad.numpy(), rtol=0, atol=1e-10)


# ---------------------------------------------------------------- stability
def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [-1e4, -1e4, -1e4]])
    targets = np.array([0, 0, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, dlogits = cross_entropy(logits, targets)
    assert np.isfinite(loss) and np.isfinite(dlogits).all()
    # row 0: loss 0; row 1: 2e4 + log 2; row 2: log 3
    assert loss == pytest.approx((0 + 2e4 + np.log(2) + np.log(3)) / 3, rel=1e-12)
    np.testing.assert_allclose(dlogits[1], [-1 / 3, 1 / 6, 1 / 6], atol=1e-15)


def test_float32_stays_float32():
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(3, 4)).astype(np.float32)
    _, d = cross_entropy(logits, np.array([0, 1, 2]), np.array([1, 1, 0]))
    assert d.dtype == np.float32
    pred = logits[:, :1]
    assert mse_loss(pred, np.zeros((3, 1)), np.array([True, False, True]))[1].dtype == np.float32


# ---------------------------------------------------------------- bad input
def test_cross_entropy_bad_input():
    logits = np.zeros((T, B, C))
    targets = np.zeros((T, B), dtype=np.int64)
    with pytest.raises(ValueError, match=r"targets: expected shape \(4, 3\).*got \(3, 4\)"):
        cross_entropy(logits, targets.T)
    with pytest.raises(TypeError, match="targets: expected an integer array .*got dtype float64"):
        cross_entropy(logits, targets.astype(float))
    with pytest.raises(ValueError, match=r"targets: expected class ids in \[0, 5\).*\[0, 5\]"):
        cross_entropy(logits, np.where(np.eye(T, B, dtype=bool), 5, 0))
    with pytest.raises(ValueError, match=r"mask: expected shape \(4, 3\).*got \(4, 3, 1\)"):
        cross_entropy(logits, targets, np.ones((T, B, 1), dtype=bool))
    with pytest.raises(ValueError, match="mask: expected at least one nonzero entry"):
        cross_entropy(logits, targets, np.zeros((T, B), dtype=bool))
    with pytest.raises(ValueError, match="mask: expected only 0/1"):
        cross_entropy(logits, targets, np.full((T, B), 0.5))
    with pytest.raises(ValueError, match="logits: expected finite values"):
        cross_entropy(np.full((T, B, C), np.inf), targets)


def test_mse_bad_input():
    pred = np.zeros((T, B, 2))
    with pytest.raises(ValueError, match=r"target: expected shape \(4, 3, 2\).*got \(4, 3\)"):
        mse_loss(pred, np.zeros((T, B)))
    with pytest.raises(ValueError, match=r"mask: expected shape \(4, 3, 2\) or a prefix.*\(3, 4\)"):
        mse_loss(pred, pred, np.ones((B, T), dtype=bool))
    with pytest.raises(ValueError, match="mask: expected at least one nonzero entry"):
        mse_loss(pred, pred, np.zeros((T, B)))
    with pytest.raises(TypeError, match="pred: expected a real numeric array"):
        mse_loss(np.array(["x"]), np.array([1.0]))
