"""The glossary (book/chapters/glossary.md) and the links to it from every page.

Every glossary entry has a Chinese term (as the book writes it), an English term and a one-line
Chinese definition. On every page, the first time a glossary term appears in the prose it is a
``{term}`` role, so a reader can jump to the definition; later uses stay plain text. Headings,
code, math, figure captions, directive options and other roles (glue, doc, ref) are not prose
here: a term first met there is linked at its first use in the running text instead.

A term is found under its Chinese name, the abbreviation in parentheses after its English name
(``long short-term memory (LSTM)`` -> ``LSTM``) and the other forms the book uses (``ALIASES``).
The longest form wins where forms overlap: ``截断的随时间反向传播`` is not a use of ``随时间反向传播``.

After merging edits that add an earlier use of a term, `python tests/test_glossary.py` moves each
link to the new first use (and turns the old link back into plain text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
GLOSSARY = BOOK / "chapters" / "glossary.md"
PAGES = [BOOK / "intro.md"] + sorted(
    p for p in (BOOK / "chapters").glob("*.md") if p.name != GLOSSARY.name
)

#: Chinese term -> other forms the book writes for it (beyond the term and its abbreviation)
ALIASES: dict[str, tuple[str, ...]] = {
    "独热编码": ("独热",),
    "词嵌入": ("嵌入",),
    "雅可比矩阵": ("雅可比",),
    "长期依赖": ("长程依赖",),
    "Elman 网络": ("简单循环网络", "SRN"),
}

_CJK = re.compile(r"[\u4e00-\u9fff]")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(\{[^}]*\}|[\w-]*)")
#: directives whose body is not running text: code, math, captions, tables of contents
_NOT_PROSE = ("{code", "{math}", "{literalinclude}", "{raw}", "{tableofcontents}", "{glue")
_NOT_PROSE += ("{figure}", "{glossary}")
_ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
#: inline spans that are not prose (replaced by blanks of the same length)
_MASK = re.compile(
    r"<!--.*?-->"  # HTML comments
    r"|`[^`]*`"  # inline code
    r"|\$\$.*?\$\$|\$[^$]*\$"  # inline math
    r"|\[[^\]]*\]\([^)]*\)"  # links: text and target
    r"|https?://\S+"
)


@dataclass
class Entry:
    terms: list[str]  # term lines: Chinese first, then English
    definition: list[str] = field(default_factory=list)

    @property
    def zh(self) -> str:
        return self.terms[0]

    @property
    def forms(self) -> list[str]:
        out = [self.zh]
        if len(self.terms) > 1:
            m = re.search(r"\((\S+)\)\s*$", self.terms[1])
            if m:
                out.append(m.group(1))
        return out + list(ALIASES.get(self.zh, ()))


def glossary_entries(path: Path = GLOSSARY) -> list[Entry]:
    """Entries of every ``{glossary}`` block of the page, in order."""
    entries: list[Entry] = []
    inside = False
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("```{glossary}"):
            inside = True
            continue
        if inside and line.startswith("```"):
            inside = False
            continue
        if not inside or not line.strip():
            continue
        if line.startswith((" ", "\t")):
            entries[-1].definition.append(line.strip())
        elif entries and not entries[-1].definition:
            entries[-1].terms.append(line.strip())
        else:
            entries.append(Entry([line.strip()]))
    return entries


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) for the running text of a page; non-prose spans blanked out."""
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":
        start = next(i for i in range(1, len(lines)) if lines[i].strip() == "---") + 1
    out: list[tuple[int, str]] = []
    stack: list[tuple[str, bool]] = []  # open fences: (marker, body is prose)
    in_math = in_comment = in_options = in_yaml = False
    for i in range(start, len(lines)):
        line = lines[i]
        m = _FENCE.match(line)
        if m:
            if stack and line.strip() == stack[-1][0]:
                stack.pop()
                continue
            if not stack or stack[-1][1]:
                kind = m.group(2)
                prose = kind.startswith("{") and not kind.startswith(_NOT_PROSE)
                stack.append((m.group(1), prose))
                in_options = prose  # a directive may open with a --- options block
                continue
        if stack and not stack[-1][1]:
            continue
        if in_options:  # just after a directive's fence: an optional --- options block
            in_options = False
            if line.strip() == "---":
                in_yaml = True
                continue
        if in_yaml:
            in_yaml = line.strip() != "---"
            continue
        if "<!--" in line and "-->" not in line:
            in_comment = True
            continue
        if in_comment:
            in_comment = "-->" not in line
            continue
        stripped = line.strip()
        if stripped.startswith("$$"):
            in_math = not (in_math or (len(stripped) > 2 and stripped.endswith("$$")))
            continue
        if in_math:
            continue
        if (
            stripped.startswith(("#", "<", "|---", "| ---"))
            or re.match(r"^\s*:[\w-]+:", line)  # directive options
            or re.match(r"^\([\w:-]+\)=\s*$", stripped)  # labels
        ):
            continue
        out.append((i + 1, line))
    return out


@dataclass
class Use:
    line: int  # 1-based line number
    start: int  # column of the use (of the role, for a role)
    end: int
    entry: Entry
    form: str  # the text as it stands
    is_link: bool


def _form_regex(entries: list[Entry]) -> tuple[re.Pattern[str], dict[str, Entry]]:
    by_form = {f: e for e in entries for f in e.forms}
    parts = []
    for f in sorted(by_form, key=len, reverse=True):
        p = re.escape(f)
        if f[0].isascii() and f[0].isalnum():
            p = r"(?<![A-Za-z0-9_])" + p
        if f[-1].isascii() and f[-1].isalnum():
            p += r"(?![A-Za-z0-9_])"
        parts.append(p)
    return re.compile("|".join(parts)), by_form


def _by_term(entries: list[Entry]) -> dict[str, Entry]:
    return {t.lower(): e for e in entries for t in e.terms}


def uses(text: str, entries: list[Entry]) -> list[Use]:
    """Every use of a glossary term in the prose of a page, linked or not, in reading order."""
    pattern, by_form = _form_regex(entries)
    by_term = _by_term(entries)
    found: list[Use] = []
    for no, line in prose_lines(text):
        masked = list(line)
        for m in _ROLE.finditer(line):
            masked[m.start() : m.end()] = " " * (m.end() - m.start())
            if m.group(1) == "term":
                content = m.group(2)
                target = re.search(r"<([^<>]+)>\s*$", content)
                key = (target.group(1) if target else content).strip().lower()
                if key not in by_term:
                    raise KeyError(f"line {no}: {{term}} {content!r} is not in the glossary")
                found.append(Use(no, m.start(), m.end(), by_term[key], content, True))
        masked_line = _MASK.sub(lambda m: " " * len(m.group(0)), "".join(masked))
        for m in pattern.finditer(masked_line):
            found.append(Use(no, m.start(), m.end(), by_form[m.group(0)], m.group(0), False))
    found.sort(key=lambda u: (u.line, u.start))
    return found


def first_uses(text: str, entries: list[Entry]) -> dict[str, Use]:
    """Chinese term -> its first use on the page."""
    first: dict[str, Use] = {}
    for u in uses(text, entries):
        first.setdefault(u.entry.zh, u)
    return first


ENTRIES = glossary_entries()


def test_glossary_entries_are_complete():
    assert len(ENTRIES) >= 50
    zh = [e.zh for e in ENTRIES]
    assert len(set(zh)) == len(zh), "a term is defined twice"
    for e in ENTRIES:
        assert len(e.terms) == 2, f"{e.terms}: need a Chinese term line and an English term line"
        chinese, english = e.terms
        assert _CJK.search(chinese) or chinese.isascii(), chinese
        assert english.isascii() and re.search(r"[a-z]", english), f"{chinese}: {english!r}"
        assert len(e.definition) == 1, f"{chinese}: the definition should be one line"
        assert _CJK.search(e.definition[0]) and e.definition[0].endswith("。"), chinese


def test_glossary_covers_the_books_core_vocabulary():
    core = [
        "循环神经网络",
        "隐状态",
        "时间步",
        "展开",
        "共享参数",
        "随时间反向传播",
        "截断的随时间反向传播",
        "梯度消失",
        "梯度爆炸",
        "梯度裁剪",
        "长期依赖",
        "谱半径",
        "雅可比矩阵",
        "长短期记忆",
        "细胞状态",
        "遗忘门",
        "输入门",
        "输出门",
        "恒定误差传送带",
        "门控循环单元",
        "更新门",
        "重置门",
        "深度循环网络",
        "双向循环网络",
        "一对多",
        "多对一",
        "多对多",
        "编码器-解码器",
        "序列到序列",
        "上下文向量",
        "注意力",
        "教师强制",
        "自由运行",
        "暴露偏差",
        "语言模型",
        "困惑度",
        "交叉熵",
        "独热编码",
        "词嵌入",
        "softmax",
        "温度",
        "贪心解码",
        "梯度检验",
        "回声状态网络",
        "储备池",
        "历史压缩器",
        "藏头诗",
        "对联",
    ]
    core += ["Hopfield 网络", "Jordan 网络", "Elman 网络"]
    zh = {e.zh for e in ENTRIES}
    assert not [t for t in core if t not in zh]
    abbreviations = {f for e in ENTRIES for f in e.forms[1:]}
    assert {"RNN", "BPTT", "LSTM", "GRU", "seq2seq", "IndRNN", "ESN", "CEC"} <= abbreviations


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(BOOK).as_posix() for p in PAGES])
def test_first_use_of_every_term_links_to_the_glossary(page):
    text = page.read_text(encoding="utf-8")
    first = first_uses(text, ENTRIES)
    rel = page.relative_to(BOOK).as_posix()
    unlinked = [f"{rel}:{u.line}: {u.form}" for u in first.values() if not u.is_link]
    assert not unlinked, "first use of a glossary term is not a {term} link:\n" + "\n".join(
        unlinked
    )
    at = {(u.line, u.start) for u in first.values()}
    twice = [u for u in uses(text, ENTRIES) if u.is_link and (u.line, u.start) not in at]
    assert not twice, f"{rel}: linked again after its first use: " + ", ".join(
        f"{u.line}: {u.form}" for u in twice
    )


def test_pages_use_the_glossary():
    linked = {p.name: len(first_uses(p.read_text(encoding="utf-8"), ENTRIES)) for p in PAGES}
    assert all(n > 0 for n in linked.values()), linked
    assert sum(linked.values()) >= 150, linked


def test_the_check_sees_a_planted_unlinked_first_use():
    text = (
        "---\nkernelspec: {}\n---\n# 遗忘门与 LSTM\n\n"
        "```{code-cell} ipython3\n# 遗忘门\n```\n\n"
        "正文先说 LSTM 的遗忘门，再说 $遗忘门$ 与 `遗忘门`。\n\n"
        "```{glue:figure} f\n遗忘门的图题\n```\n\n"
        "截断的随时间反向传播不是随时间反向传播的一次使用。\n"
    )
    first = first_uses(text, ENTRIES)
    assert first["长短期记忆"].line == 10 and first["遗忘门"].line == 10
    assert not first["遗忘门"].is_link
    assert first["截断的随时间反向传播"].line == 16
    assert first["随时间反向传播"].start > first["截断的随时间反向传播"].start
    linked = text.replace("说 LSTM 的遗忘门", "说 {term}`LSTM <长短期记忆>` 的{term}`遗忘门`")
    first = first_uses(linked, ENTRIES)
    assert first["长短期记忆"].is_link and first["遗忘门"].is_link
    with pytest.raises(KeyError):
        uses("一个 {term}`没有的术语`。\n", ENTRIES)


def relink(text: str, entries: list[Entry] = ENTRIES) -> str:
    """The page with each term linked at its first use only (other helpers' edits move it)."""
    first = first_uses(text, entries)
    at = {(u.line, u.start) for u in first.values()}
    edits = []
    for u in uses(text, entries):
        if u.is_link and (u.line, u.start) not in at:  # a link that is no longer the first use
            shown = re.sub(r"\s*<[^<>]+>\s*$", "", u.form)
            edits.append((u.line, u.start, u.end, shown))
        elif not u.is_link and (u.line, u.start) in at:
            target = "" if u.form == u.entry.zh else f" <{u.entry.zh}>"
            edits.append((u.line, u.start, u.end, f"{{term}}`{u.form}{target}`"))
    lines = text.split("\n")
    for no, start, end, new in sorted(edits, reverse=True):
        lines[no - 1] = lines[no - 1][:start] + new + lines[no - 1][end:]
    return "\n".join(lines)


def test_relink_moves_a_link_to_the_new_first_use():
    text = "新加的一句提到遗忘门。\n\n原来的 {term}`LSTM <长短期记忆>` 与{term}`遗忘门`。\n"
    fixed = relink(text)
    assert (
        fixed == "新加的一句提到{term}`遗忘门`。\n\n原来的 {term}`LSTM <长短期记忆>` 与遗忘门。\n"
    )
    assert relink(fixed) == fixed


if __name__ == "__main__":  # python tests/test_glossary.py: relink every page in place
    for page in PAGES:
        old = page.read_text(encoding="utf-8")
        new = relink(old)
        if new != old:
            page.write_text(new, encoding="utf-8")
            print("relinked", page.relative_to(BOOK))
