"""No typed results in the book's prose: every measured number is glued from the cell that made it.

The guard reads every page's Markdown as a reader sees the prose: code cells, math, inline code,
roles (``{glue:text}`...``, ``{doc}`...``), HTML comments and link targets are removed. What is
left must not hold a result-like number: a decimal (0.97), a percentage (97%), a spread (±), a
power of ten (10⁻⁹, 1e-5) or a multiple (1.5×). Such a number belongs in a cell and reaches the
prose through ``glue``.

A number that is not a result (a version, a section of the course, a setting written in prose)
goes into ``ALLOWED`` below with the reason, one entry per page and token: writing the reason
here is more work than gluing the number, on purpose.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
PAGES = sorted(p for p in BOOK.rglob("*.md") if "_build" not in p.parts and "assets" not in p.parts)

#: (page relative to book/, token as it stands in the prose) -> why it is not a measured result
ALLOWED: dict[tuple[str, str], str] = {}

# Result-like tokens. Integers alone (313 首, T=50) are counts and settings; these are not.
RESULT = re.compile(
    r"""
    \d+(?:\.\d+)?\s*[%％]          # percentages: 97%, 97.5 %
    | [±]                          # spreads
    | \d+\.\d+(?:[eE][-+−]?\d+)?   # decimals, 0.97, 1.6e-10
    | \d+[eE][-+−]\d+              # 1e-5
    | 10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+            # 10⁻⁹
    | \d+(?:\.\d+)?\s*[×x]\b       # 1.5× as a multiple
    """,
    re.VERBOSE,
)

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(\{[^}]*\}|[\w-]*)")
_CODE_LIKE = ("{code-cell}", "{math}", "{code}", "{code-block}", "{literalinclude}", "{raw}")


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, prose) pairs: the page without front matter, code, math and roles."""
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":  # front matter
        start = next(i for i in range(1, len(lines)) if lines[i].strip() == "---") + 1
    out, stack = [], []  # stack of (fence marker, is code-like)
    in_math_block = indented = False
    for i in range(start, len(lines)):
        line = lines[i]
        m = _FENCE.match(line)
        if m:
            marker, kind = m.group(2), m.group(3)
            if stack and line.strip() == stack[-1][0]:  # closes the innermost fence
                stack.pop()
                continue
            if not stack or not stack[-1][1]:
                code_like = kind.startswith(_CODE_LIKE) or not kind.startswith("{")
                stack.append((marker, code_like))
                continue
        if stack and stack[-1][1]:
            continue
        if line.strip().startswith("$$"):
            in_math_block = not (in_math_block or line.strip().endswith("$$", 2))
            continue
        if in_math_block:
            continue
        if re.match(r"^\s*:[\w-]+:", line):  # directive options (:class:, :label:)
            continue
        if re.match(r"^( {4}|\t)", line) and (not out or not out[-1][1].strip() or indented):
            indented = True  # an indented code block (Markdown): code, not prose
            continue
        indented = False
        out.append((i + 1, _strip_inline(line)))
    return out


def _strip_inline(line: str) -> str:
    line = re.sub(r"<!--.*?-->", " ", line)
    line = re.sub(r"\{[\w:-]+\}`[^`]*`", " ", line)  # roles: {glue:text}`x:.3f`, {doc}`lstm`
    line = re.sub(r"`[^`]*`", " ", line)  # inline code
    line = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", line)  # inline math
    line = re.sub(r"\]\([^)]*\)", "]", line)  # link targets
    line = re.sub(r"(arXiv:|doi:|https?://)\S+", " ", line, flags=re.IGNORECASE)  # identifiers
    return line


def typed_results(page: Path) -> list[str]:
    rel = page.relative_to(BOOK).as_posix()
    found = []
    for no, prose in prose_lines(page.read_text(encoding="utf-8")):
        for m in RESULT.finditer(prose):
            token = m.group(0).strip()
            if (rel, token) not in ALLOWED:
                found.append(f"{rel}:{no}: {token!r} in: {prose.strip()[:100]}")
    return found


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(BOOK).as_posix() for p in PAGES])
def test_prose_has_no_typed_results(page):
    found = typed_results(page)
    assert not found, "typed results (glue them from the cell that computes them):\n" + "\n".join(
        found
    )


def test_the_guard_catches_a_planted_typed_result(tmp_path):
    page = tmp_path / "p.md"
    page.write_text(
        "---\nkernelspec: {}\n---\n# T\n\n"
        "```{code-cell} ipython3\nacc = 0.97\n```\n\n"
        "The model reaches {glue:text}`acc:.1%` held out, $\\eta = 0.01$, `lr=0.5`.\n\n"
        "````{solution} ex\n```{code-cell} ipython3\nprint(0.5)\n```\nIt gets 0.93 here.\n````\n",
        encoding="utf-8",
    )
    prose = " ".join(t for _, t in prose_lines(page.read_text(encoding="utf-8")))
    assert RESULT.findall(prose) == ["0.93"]
    for planted in (
        "准确率 97.5%",
        "困惑度 473 ± 12",
        "误差在 10⁻⁹ 以下",
        "快 1.5× 倍",
        "误差 1e-7",
    ):
        assert RESULT.search(_strip_inline(planted)), planted
    for fine in ("T=50 步", "313 首诗", "{glue:text}`x:.2f`", "$0.5$", "`0.5`"):
        assert not RESULT.search(_strip_inline(fine)), fine
