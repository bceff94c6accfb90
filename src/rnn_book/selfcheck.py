"""Self-check of exercise answers: tells a student whether an answer is right, without showing it.

A page puts a self-check cell right after an exercise whose answer is a number (or a few)::

    answer = None  # 把你的答案赋给 answer
    rb.check_answer("ex-lstm-params", answer)

and the reference solution ends with ``assert rb.check_answer("ex-lstm-params", value)``, so the
book build checks the stored answer against the reference solution. The stored answers are
SHA-256 digests of a canonical form (integers exactly, floats to 3 significant digits), so the
package (also shipped in the student edition's notebook zip) does not print them.
"""

from __future__ import annotations

import hashlib
import numbers

__all__ = ["check_answer"]

# exercise label -> digest of the canonical answer (see _canonical); new entries: _digest(value)
_ANSWERS = {
    "ex-unroll-count": "6b8354655ab7bf29bec35d6839f2fbf382cfd80500d3f4ebc4813d6bf7d02077",
    "deepbi-ex-params": "e460efe1760158ad67190ac2619372b0ed6b523bdff66f0ce9f76cdfb1d76f39",
    "ex-lstm-params": "59f16fe788e91c501047b5c44c423c84257c2367fdf08f293ac409903bb66b73",
}


def _canonical(value) -> str:
    if isinstance(value, bool):
        raise TypeError("an answer is a number or a sequence of numbers, got a bool")
    if isinstance(value, numbers.Integral):
        return f"i{int(value)}"
    if isinstance(value, numbers.Real):
        v = float(value)
        return f"i{int(v)}" if v.is_integer() else f"f{v:.3g}"
    if isinstance(value, (list, tuple)):
        return "(" + ",".join(_canonical(v) for v in value) + ")"
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _canonical(value.tolist())
    raise TypeError(f"an answer is a number or a sequence of numbers, got {type(value).__name__}")


def _digest(value) -> str:
    return hashlib.sha256(_canonical(value).encode()).hexdigest()


def check_answer(label: str, answer) -> bool:
    """Print whether ``answer`` is the answer of exercise ``label``; return True when it is.

    Parameters
    ----------
    label : str
        The exercise's label on its page (e.g. ``"ex-lstm-params"``).
    answer : int, float, sequence of them, or None
        The student's answer: a scalar, or a list/tuple/array of any shape holding the numbers
        in the order the exercise asks for. Integers must match exactly, floats to 3
        significant digits. ``None`` means "not answered yet" (prints a hint, returns False).

    Returns
    -------
    bool
        True for a right answer. Prints 正确, 再想想, or 还没有作答.

    Raises
    ------
    KeyError
        When ``label`` has no stored answer.
    """
    if label not in _ANSWERS:
        known = ", ".join(sorted(_ANSWERS))
        raise KeyError(f"exercise label: expected one of {known}, got {label!r}")
    if answer is None:
        print("还没有作答：把你的答案赋给 answer 后再运行这一格。")
        return False
    ok = _digest(answer) == _ANSWERS[label]
    print("正确！" if ok else "再想想：答案不对（整数要完全一致，小数比较前 3 位有效数字）。")
    return ok
