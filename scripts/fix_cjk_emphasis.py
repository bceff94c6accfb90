"""Rewrite ``**bold**`` that CommonMark leaves as literal asterisks next to Chinese text.

CommonMark only treats ``**`` as a closing delimiter if it is not preceded by punctuation, or is
followed by whitespace or punctuation; an opening ``**`` likewise. Chinese prose has no spaces,
so ``**课程原文。**讲解`` and ``的**{term}`细胞状态`通路**`` both print their asterisks. This
script moves punctuation out of a bold span (``**课程原文**。讲解``) and, where that is not
enough (a span that must start or end at a role, a quote or a dollar), writes ``<strong>``.

Usage: python scripts/fix_cjk_emphasis.py book/chapters/X.md [...]   (edits in place)
``tests/test_emphasis.py`` fails on any bold span that still prints its asterisks.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

#: sentence punctuation that may leave a bold span; brackets, quotes, $ and ` stay inside
MOVABLE = "。，；：！？、,.;:!?…"


def _punct(ch: str) -> bool:
    return bool(ch) and unicodedata.category(ch)[0] in "PS"


def _space(ch: str) -> bool:
    return ch == "" or ch.isspace()


def _fix_paragraph(text: str) -> str:
    # code spans and roles are opaque: do not look for delimiters inside them
    pieces = re.split(r"(`[^`]*`)", text)
    marks = []  # (piece index, offset)
    for i, piece in enumerate(pieces):
        if i % 2:
            continue
        marks.extend((i, m.start()) for m in re.finditer(r"\*\*", piece))
    if len(marks) < 2 or len(marks) % 2:
        return text
    flat = "".join(pieces)
    # positions in the joined text
    starts = []
    for i, off in marks:
        starts.append(sum(len(p) for p in pieces[:i]) + off)
    out = flat
    for k in range(len(starts) - 2, -1, -2):
        a, b = starts[k], starts[k + 1]
        before, first = out[a - 1 : a] if a else "", out[a + 2 : a + 3]
        last, after = out[b - 1 : b], out[b + 2 : b + 3]
        open_ok = not _space(first) and (not _punct(first) or _space(before) or _punct(before))
        close_ok = not _space(last) and (not _punct(last) or _space(after) or _punct(after))
        inner = out[a + 2 : b]
        if open_ok and close_ok:
            continue
        if open_ok and not close_ok and _punct(last) and len(inner) > 1:
            # **X。**Y -> **X**。Y (if X no longer ends in punctuation)
            j = len(inner)
            while j > 0 and inner[j - 1] in MOVABLE:
                j -= 1
            if 0 < j < len(inner):
                out = out[:a] + "**" + inner[:j] + "**" + inner[j:] + out[b + 2 :]
                continue
        out = out[:a] + "<strong>" + inner + "</strong>" + out[b + 2 :]
    return out


def _is_code(info: str) -> bool:
    """A fence whose body is code, not prose (directives like admonition hold prose)."""
    info = info.strip()
    if not info.startswith("{"):
        return True
    name = info[1:].split("}")[0]
    return name in {"code-cell", "literalinclude", "eval-rst", "math", "code", "raw", "glue"}


def fix(text: str) -> str:
    """The page source with every failing bold span rewritten (code cells untouched)."""
    out, para, fence, prose = [], [], None, []
    for line in text.splitlines(keepends=True):
        m = re.match(r"\s*(`{3,}|~{3,})(.*)", line)
        if fence is None and m and prose and line.strip() == prose[-1]:
            prose.pop()  # the end of a directive that holds prose
        elif fence is None and m and not _is_code(m.group(2)):
            prose.append(m.group(1))
        elif fence is None and m:
            out.append(_fix_paragraph("".join(para)))
            para = []
            fence = m.group(1)
            out.append(line)
            continue
        if fence is not None:
            out.append(line)
            if line.strip() == fence:
                fence = None
            continue
        if not line.strip():
            out.append(_fix_paragraph("".join(para)))
            para = []
            out.append(line)
            continue
        if re.match(r"\s*([-*+]|\d+\.)\s", line):  # a list item starts its own paragraph
            out.append(_fix_paragraph("".join(para)))
            para = []
        para.append(line)
    out.append(_fix_paragraph("".join(para)))
    return "".join(out)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        old = path.read_text(encoding="utf-8")
        new = fix(old)
        if new != old:
            path.write_text(new, encoding="utf-8")
            print("fixed", name)
