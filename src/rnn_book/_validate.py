"""Input checks shared by the layers: fail before any arithmetic, naming what was expected."""

from __future__ import annotations

import numpy as np

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def check_dtype(dtype) -> np.dtype:
    """Return ``np.dtype(dtype)`` if it is float32 or float64, else raise TypeError."""
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype: expected np.float32 or np.float64, got {dtype!r}") from exc
    if dt not in _FLOAT_DTYPES:
        raise TypeError(f"dtype: expected np.float32 or np.float64, got {dt}")
    return dt


def check_positive_int(name: str, value) -> int:
    """Return ``value`` as int if it is a positive integer (bools rejected), else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name}: expected a positive int, got {value}")
    return int(value)


def check_flag(name: str, value) -> bool:
    """Return ``value`` as bool if it is a bool (numpy's too), else raise TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a bool, got {type(value).__name__} {value!r}")
    return bool(value)


def check_number(
    name: str,
    value,
    low: float | None = None,
    high: float | None = None,
    allow_inf: bool = False,
) -> float:
    """Return ``value`` as float if it is a real number, finite (unless ``allow_inf``), at least
    ``low`` and below ``high`` when given; else raise TypeError (not a number) or ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    bad = np.isnan(value) or (np.isinf(value) and not allow_inf)
    if bad or (low is not None and value < low) or (high is not None and value >= high):
        if low is not None and high is not None:
            bounds = f" in [{low}, {high})"
        elif low is not None:
            bounds = f" >= {low}"
        else:
            bounds = "" if high is None else f" < {high}"
        kind = "number" if allow_inf else "finite number"
        raise ValueError(f"{name}: expected a {kind}{bounds}, got {value}")
    return value


def as_float_array(name: str, value, dtype: np.dtype, copy: bool = False) -> np.ndarray:
    """Convert ``value`` to an ndarray of ``dtype``; reject non-numeric data and NaN/inf.

    Integers and other float widths are converted (the layer's dtype wins, so a float32
    layer fed float64 data computes in float32); strings, objects, complex and bools raise.
    ``copy=True`` guarantees an array that shares no memory with ``value`` (a layer keeps
    it for backward, and the caller may overwrite ``value`` afterwards).
    """
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
    ):
        raise TypeError(f"{name}: expected a real numeric array, got dtype {arr.dtype}")
    arr = arr.astype(dtype, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: expected finite values, got NaN or inf (shape {arr.shape})")
    return private(arr, value) if copy else arr


def private(arr: np.ndarray, source) -> np.ndarray:
    """``arr`` itself if it cannot be a view of ``source`` (e.g. a dtype conversion already
    copied it), else a C-contiguous copy: at most one copy, and none when one was made."""
    return arr.copy() if np.may_share_memory(arr, source) else arr


def check_shape(name: str, arr: np.ndarray, expected: tuple, meaning: str = "") -> None:
    """Raise ValueError unless ``arr.shape == expected``; ``meaning`` spells the axes out."""
    if arr.shape != tuple(expected):
        spelled = f" {meaning}" if meaning else ""
        raise ValueError(f"{name}: expected shape {tuple(expected)}{spelled}, got {arr.shape}")


def prepare_sequence(x, input_size: int, dtype: np.dtype, batch_first: bool, copy: bool = False):
    """Check a layer's input and return it time-major.

    Parameters
    ----------
    x : (T, B, D), or (B, T, D) if ``batch_first``, or (T, D) unbatched; D must equal
        ``input_size``, T and B must be at least 1.
    copy : return an array that shares no memory with the caller's ``x`` (what a layer
        keeps for backward); then it is C-contiguous time-major whenever a copy was needed.

    Returns
    -------
    (x as (T, B, D) in ``dtype``, True if the caller passed an unbatched (T, D)).
    """
    source = x
    x = as_float_array("x", x, dtype)
    layout = "(B, T, D)" if batch_first else "(T, B, D)"
    if x.ndim not in (2, 3):
        raise ValueError(
            f"x: expected a 3-D array {layout} (or 2-D (T, D) unbatched) with "
            f"D = input_size = {input_size}, got shape {x.shape}"
        )
    if x.shape[-1] != input_size:
        raise ValueError(
            f"x: expected last axis D = input_size = {input_size} in {layout}, got shape {x.shape}"
        )
    unbatched = x.ndim == 2
    # checked on the caller's layout, so that the message shows the shape that came
    T = x.shape[1] if batch_first and not unbatched else x.shape[0]
    B = 1 if unbatched else (x.shape[0] if batch_first else x.shape[1])
    if T == 0:
        raise ValueError(f"x: expected at least one time step (T >= 1), got shape {x.shape}")
    if B == 0:
        raise ValueError(f"x: expected a batch of at least one sequence, got shape {x.shape}")
    if unbatched:
        x = x[:, None, :]
    elif batch_first:
        x = x.transpose(1, 0, 2)
    # copied after the transpose, so that a batch_first input becomes time-major contiguous
    return (private(x, source) if copy else x), unbatched


def check_params(params: dict, expected: dict, dtype: np.dtype) -> None:
    """Raise unless ``params`` has exactly the names of ``expected`` (name -> shape), each a
    numpy array of ``dtype`` and that shape: catches a parameter replaced by hand."""
    if set(params) != set(expected):
        raise ValueError(f"params: expected keys {sorted(expected)}, got {sorted(params)}")
    for name, shape in expected.items():
        p = params[name]
        if not isinstance(p, np.ndarray) or p.dtype != dtype:
            raise TypeError(
                f"params[{name!r}]: expected a numpy array of dtype {dtype}, "
                f"got {type(p).__name__} of dtype {getattr(p, 'dtype', None)}"
            )
        check_shape(f"params[{name!r}]", p, shape)
