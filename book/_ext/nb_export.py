"""The book's pages as plain Jupyter notebooks: MyST in, nothing but Markdown and code out.

The chapters are MyST Markdown notebooks. Opened outside the book (the exported ``.ipynb`` in
JupyterLab or Colab, or the ``.md`` with *Open With → Notebook*), every MyST directive and role
shows as raw text. This module converts a page into a notebook that reads like the web page:

* admonitions (learning goals, "与课程原文不同") become block quotes with a bold title;
* ``{exercise}`` becomes a heading ``### 练习 N：title`` (N numbered through the book like the
  web pages); a solution's prose is folded in ``<details><summary>解答</summary>``, a solution's
  code cells follow it in plain view with a first line ``# 解答（练习 N）`` (a code cell cannot sit
  inside ``<details>``); the student edition has no solution at all;
* cross references ({doc}, {ref}, {numref}) become links: to the web book when a base URL is
  configured (``book_url`` in ``book/publish.yml``), otherwise to the sibling notebook;
  {term} and {py:...} roles become their text (code font for API names); ``{footcite}`` becomes a
  number and ``{footbibliography}`` the numbered list of those references;
  ``{glue:text}`` becomes the glued value when an executed notebook is at hand (the downloads of a
  full build), else the glue name in code font (the committed twins, which are not executed);
* ``(label)=`` targets disappear; figure captions (code-cell metadata) become a Markdown cell
  under the figure; ``{literalinclude}`` becomes the included code in a fenced block;
* notebooks carry no outputs; the first cell after the title is a setup cell that, in Colab
  only, clones the repository and installs the package (when a repository URL is configured).

Used in three places: ``scripts/export_notebooks.py`` (the committed twins next to the sources,
``book/**/X.ipynb``, and the student-edition source stripping), the Sphinx hook at the end of this
file (every page's ``.ipynb`` in the download menu and the zip of all notebooks), and the tests.
Not part of the ``rnn_book`` package: it is book tooling.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import jupytext
import nbformat
import yaml

# Pages converted: every page under the toc whose source is a MyST notebook (has a kernelspec).
NOTEBOOK_MARK = "format_name: myst"
ZIP_NAME = "rnn_book_notebooks.zip"
SOLUTION_SUMMARY = "解答"

# admonition directives -> their default title (a block quote with it in bold)
ADMONITIONS = {
    "admonition": "",
    "note": "注意",
    "tip": "提示",
    "hint": "提示",
    "important": "重要",
    "warning": "警告",
    "caution": "当心",
    "attention": "注意",
    "danger": "危险",
    "error": "错误",
    "seealso": "另见",
}
FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*?)\s*$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
TARGET = re.compile(r"^\((?P<label>[^()\s]+)\)=\s*$")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
ROLE = re.compile(r"\{(?P<name>[a-z][\w:.-]*)\}`(?P<content>[^`]*)`")
# a role, or an inline code span (whose text is left alone: `_l{l}` is code, not a role)
ROLE_OR_CODE = re.compile(ROLE.pattern + r"|(?P<code>`+)[^`].*?(?P=code)")
TEXT_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)


# ------------------------------------------------------------------ solution stripping
def strip_solutions(text: str) -> str:
    """A MyST page without its solutions (student edition).

    Removes every ``solution-start`` ... ``solution-end`` span (the prose and code cells between
    them) and every ``{solution}`` directive, fences included.
    """
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i].rstrip("\n"))
        if m and m["name"] == "solution-start":
            j = _fence_end(lines, i, m["fence"])
            # skip to the end of the matching solution-end directive
            k = j + 1
            while k < len(lines):
                m2 = FENCE_OPEN.match(lines[k].rstrip("\n"))
                if m2 and m2["name"] == "solution-end":
                    k = _fence_end(lines, k, m2["fence"])
                    break
                k += 1
            else:
                raise ValueError(f"solution-start at line {i + 1} has no solution-end")
            i = k + 1
            continue
        if m and m["name"] == "solution":
            i = _fence_end(lines, i, m["fence"]) + 1
            continue
        out.append(lines[i])
        i += 1
    return re.sub(r"\n{3,}", "\n\n", "".join(out))


def solution_texts(text: str) -> list[list[str]]:
    """Per solution of a page, its distinctive lines (for the student-edition leak test)."""
    found: list[list[str]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if m and m["name"] in ("solution-start", "solution"):
            if m["name"] == "solution":
                end = _fence_end(lines, i, m["fence"])
                body = lines[i + 1 : end]
            else:
                end = i + 1
                while not (
                    FENCE_OPEN.match(lines[end])
                    and FENCE_OPEN.match(lines[end])["name"] == "solution-end"
                ):
                    end += 1
                body = lines[_fence_end(lines, i, m["fence"]) + 1 : end]
            keep = [
                ln.strip()
                for ln in body
                if len(ln.strip()) >= 12
                and not ln.strip().startswith(("```", ":", "$$", "#", "glue(", "assert"))
                and not ROLE.search(ln)
                and "\\" not in ln
            ]
            found.append(keep)
            i = end + 1
            continue
        i += 1
    return found


def _fence_end(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing the fence opened at ``start``."""
    ch = fence[0]
    for k in range(start + 1, len(lines)):
        s = lines[k].strip()
        if s and set(s) == {ch} and len(s) >= len(fence):
            return k
    raise ValueError(f"fence {fence!r} opened at line {start + 1} is never closed")


# ------------------------------------------------------------------ the book's index
@dataclass
class Target:
    doc: str  # docname, e.g. "chapters/lstm"
    anchor: str  # HTML id on the web page
    text: str  # link text ({ref} without explicit text, {numref})
    heading: str = ""  # heading text on the notebook side (JupyterLab anchor), if any


@dataclass
class BookIndex:
    """What cross references need: page titles, labels, figure and exercise numbers."""

    root: Path
    docs: list[str] = field(default_factory=list)  # toc order
    titles: dict[str, str] = field(default_factory=dict)
    notebooks: set[str] = field(default_factory=set)
    targets: dict[str, Target] = field(default_factory=dict)
    bib: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, book: Path) -> BookIndex:
        book = Path(book)
        idx = cls(root=book)
        toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))

        def walk(entries):
            for e in entries or []:
                if "file" in e:
                    idx.docs.append(str(Path(e["file"]).with_suffix("")))
                walk(e.get("sections"))
                for part in e.get("parts") or []:
                    walk(part.get("chapters"))

        idx.docs.append(toc["root"])
        walk(toc.get("chapters"))
        for part in toc.get("parts") or []:
            walk(part.get("chapters"))
        n_fig = n_ex = 0
        for doc in idx.docs:
            src = book / f"{doc}.md"
            if not src.is_file():
                continue
            text = src.read_text(encoding="utf-8")
            if NOTEBOOK_MARK in text:
                idx.notebooks.add(doc)
            lines = text.splitlines()
            pending: list[str] = []
            for i, line in enumerate(lines):
                t = TARGET.match(line)
                if t:
                    pending.append(t["label"])
                    continue
                h = HEADING.match(line)
                if h and not _inside_code(lines, i):
                    title = _plain_inline(h["text"])
                    if doc not in idx.titles:
                        idx.titles[doc] = title
                    for label in pending:
                        idx.targets[label] = Target(doc, _anchor(label), title, title)
                    pending = []
                    continue
                if line.strip():
                    for label in pending:  # a target before a non-heading: link text = label
                        idx.targets[label] = Target(doc, _anchor(label), label)
                    pending = []
                m = re.match(r"^\s+name:\s*(fig-[\w-]+)\s*$", line)
                if m:
                    n_fig += 1
                    idx.targets[m[1]] = Target(doc, m[1], f"图 {n_fig}")
                m = FENCE_OPEN.match(line)
                if m and m["name"] == "exercise":
                    n_ex += 1
                    label = ""
                    for opt in lines[i + 1 : i + 4]:
                        o = OPTION.match(opt)
                        if o and o["key"] == "label":
                            label = o["value"]
                    heading = (
                        f"练习 {n_ex}：{_plain_inline(m['arg'])}" if m["arg"] else f"练习 {n_ex}"
                    )
                    if label:
                        idx.targets[label] = Target(doc, label, f"练习 {n_ex}", heading)
        bib = book / "references.bib"
        if bib.is_file():
            idx.bib = _read_bib(bib)
        return idx

    def exercise_heading(self, label: str) -> str:
        return self.targets[label].heading


def _inside_code(lines: list[str], i: int) -> bool:
    """True when line i sits inside a fenced block (``#`` there is a Python comment)."""
    fence = None
    for line in lines[:i]:
        s = line.strip()
        if fence is None:
            m = re.match(r"^(`{3,}|~{3,})", s)
            if m:
                fence = m[1]
        elif s and set(s) == {fence[0]} and len(s) >= len(fence):
            fence = None
    return fence is not None


def _anchor(label: str) -> str:
    return re.sub(r"[^\w-]+", "-", label.lower()).strip("-")


def _plain_inline(text: str) -> str:
    """Heading or title text without roles (a role's shown text kept)."""

    def repl(m):
        content = m["content"]
        t = TEXT_TARGET.match(content)
        return t["text"] if t else content

    return ROLE.sub(repl, text).strip()


def _read_bib(path: Path) -> dict[str, str]:
    """key -> "Authors. Title. Publisher/journal, year." (plain text, one line)."""
    from pybtex.database import parse_file

    db = parse_file(str(path))
    out = {}
    for key, e in db.entries.items():
        authors = [
            " ".join(str(p).strip("{}") for p in (*pers.first_names, *pers.last_names)) or str(pers)
            for pers in e.persons.get("author", [])
        ]
        f = e.fields

        def clean(s):
            return re.sub(r"[{}]", "", str(s)).strip()

        parts = [", ".join(clean(a) for a in authors)] if authors else []
        parts.append(clean(f.get("title", key)))
        where = f.get("journal") or f.get("booktitle") or f.get("publisher") or ""
        if where:
            parts.append(clean(where))
        parts.append(clean(f.get("year", "")))
        text = ". ".join(p for p in parts if p) + "."
        if f.get("url"):
            text += f" <{f['url']}>"
        elif f.get("doi"):
            text += f" <https://doi.org/{f['doi']}>"
        out[key] = text
    return out


# ------------------------------------------------------------------ the converter
@dataclass
class Options:
    """How one page is converted."""

    book_url: str = ""  # web book base URL ("https://x.github.io/rnn_book/"), "" = relative
    repo_url: str = ""  # repository URL for the Colab setup cell, "" = no clone
    branch: str = "main"
    student: bool = False
    glue: dict[str, str] = field(default_factory=dict)  # name -> text/plain value


class _Page:
    def __init__(self, index: BookIndex, doc: str, opts: Options):
        self.index, self.doc, self.opts = index, doc, opts
        self.cites: list[str] = []

    # ---- links
    def link(self, target_doc: str, anchor: str = "", heading: str = "") -> str | None:
        if self.opts.book_url:
            url = self.opts.book_url.rstrip("/") + "/" + target_doc + ".html"
            return url + (f"#{anchor}" if anchor else "")
        if target_doc not in self.index.notebooks:
            return None
        rel = _relpath(target_doc + ".ipynb", str(Path(self.doc).parent))
        if target_doc == self.doc:
            return "#" + quote(heading.replace(" ", "-")) if heading else None
        if heading:
            return rel + "#" + quote(heading.replace(" ", "-"))
        return rel

    def md_link(self, text: str, url: str | None) -> str:
        return f"[{text}]({url})" if url else text

    # ---- roles
    def _role_or_code(self, m: re.Match) -> str:
        return m[0] if m["code"] else self.role(m)

    def role(self, m: re.Match) -> str:
        name, content = m["name"], m["content"]
        t = TEXT_TARGET.match(content)
        text, target = (t["text"], t["target"]) if t else (None, content)
        if name == "term":
            return text or target
        if name.startswith("py:"):
            shown = text or target.lstrip("~")
            if not text and content.startswith("~"):
                shown = target.lstrip("~").rsplit(".", 1)[-1]
            return f"`{shown}`"
        if name == "doc":
            doc = _resolve_doc(self.doc, target)
            shown = text or self.index.titles.get(doc, target)
            return self.md_link(shown, self.link(doc))
        if name in ("ref", "numref"):
            tg = self.index.targets.get(target)
            if tg is None:
                raise KeyError(f"{self.doc}: unknown reference target {target!r}")
            shown = text or tg.text
            if name == "numref" and text and "%s" in text:
                shown = text.replace("%s", tg.text.split()[-1])
            return self.md_link(shown, self.link(tg.doc, tg.anchor, tg.heading))
        if name == "footcite":
            nums = []
            for key in [k.strip() for k in content.split(",")]:
                if key not in self.cites:
                    self.cites.append(key)
                nums.append(str(self.cites.index(key) + 1))
            return "<sup>[" + ",".join(nums) + "]</sup>"
        if name == "glue:text" or name == "glue":
            gname, _, fmt = content.partition(":")
            value = self.opts.glue.get(gname)
            if value is None:
                return f"`{gname}`"
            return _format_glue(value, fmt)
        if name == "math":
            return f"${content}$"
        if name == "eq":
            return f"({target})"
        if name in ("download", "abbr", "kbd", "sub", "sup", "index"):
            return text or target
        raise ValueError(f"{self.doc}: role {{{name}}} has no notebook form")

    def inline(self, text: str) -> str:
        out, fence = [], None
        for line in text.split("\n"):
            s = line.strip()
            if fence is None and re.match(r"^(`{3,}|~{3,})", s):
                fence = re.match(r"^(`{3,}|~{3,})", s)[1]
                out.append(line)
                continue
            if fence is not None:
                if s and set(s) == {fence[0]} and len(s) >= len(fence):
                    fence = None
                out.append(line)
                continue
            out.append(ROLE_OR_CODE.sub(self._role_or_code, line))
        return "\n".join(out)

    # ---- directives in a Markdown cell
    def markdown(self, source: str) -> str:
        lines = source.split("\n")
        out: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if TARGET.match(line):
                i += 1
                continue
            m = FENCE_OPEN.match(line)
            if not m:
                out.append(line)
                i += 1
                continue
            end = _fence_end(lines, i, m["fence"])
            opts, body = _split_options(lines[i + 1 : end])
            out.append(self.directive(m["name"], m["arg"], opts, body))
            i = end + 1
        return self.inline("\n".join(out))

    def directive(self, name: str, arg: str, opts: dict, body: list[str]) -> str:
        inner = self.markdown("\n".join(body)).strip("\n")
        if name in ADMONITIONS or name in ("margin", "sidebar", "topic", "epigraph"):
            title = arg or ADMONITIONS.get(name, "")
            if not title:
                return "\n".join(">" + (" " + ln if ln else "") for ln in inner.split("\n"))
            quoted = "\n".join(">" + (" " + ln if ln else "") for ln in inner.split("\n"))
            return f"> **{self.inline(title)}**\n>\n{quoted}"
        if name == "dropdown":
            return f"<details>\n<summary>{self.inline(arg)}</summary>\n\n{inner}\n\n</details>"
        if name == "math":
            return "$$\n" + "\n".join(body).strip("\n") + "\n$$"
        if name in ("figure", "image"):
            alt = opts.get("alt", "")
            caption = f"\n\n{inner}" if inner.strip() else ""
            return f"![{alt}]({arg}){caption}"
        if name == "exercise":
            heading = self.index.exercise_heading(opts["label"]) if "label" in opts else "练习"
            return f"### {self.inline(heading)}\n\n{inner}"
        if name == "solution":
            if self.opts.student:
                return ""
            n = self.index.targets[arg].text
            return (
                f"<details>\n<summary>{SOLUTION_SUMMARY}（{n}）</summary>\n\n{inner}\n\n</details>"
            )
        if name == "footbibliography":
            items = [f"{k}. {self.index.bib.get(key, key)}" for k, key in enumerate(self.cites, 1)]
            return "\n".join(items)
        if name == "literalinclude":
            return "```python\n" + _literalinclude(self.index.root / self.doc, arg, opts) + "\n```"
        if name == "tableofcontents":
            items = []
            for doc in self.index.docs[1:]:
                depth = 0 if doc.count("/") <= 1 else 1
                title = self.index.titles.get(doc, doc)
                items.append("  " * depth + "- " + self.md_link(title, self.link(doc)))
            return "\n".join(items)
        if name == "code-block" or name == "code":
            return f"```{arg}\n" + "\n".join(body) + "\n```"
        raise ValueError(f"{self.doc}: directive {{{name}}} has no notebook form")


def _split_options(body: list[str]) -> tuple[dict, list[str]]:
    opts: dict[str, str] = {}
    i = 0
    if body and body[0].strip() == "---":
        end = body.index("---", 1)
        opts = yaml.safe_load("\n".join(body[1:end])) or {}
        i = end + 1
    while i < len(body) and OPTION.match(body[i]):
        o = OPTION.match(body[i])
        opts[o["key"]] = o["value"]
        i += 1
    return opts, body[i:]


def _relpath(path: str, start: str) -> str:
    import os.path

    return os.path.relpath(path, start or ".").replace("\\", "/")


def _resolve_doc(current: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    import posixpath

    return posixpath.normpath(posixpath.join(posixpath.dirname(current), target))


def _format_glue(value: str, fmt: str) -> str:
    try:
        v = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value
    if fmt:
        try:
            return format(v, fmt)
        except (ValueError, TypeError):
            return str(v)
    return str(v)


def _literalinclude(page: Path, arg: str, opts: dict) -> str:
    src = (page.parent / arg).resolve()
    text = src.read_text(encoding="utf-8")
    if "pyobject" in opts:
        tree = ast.parse(text)
        node = tree
        for part in opts["pyobject"].split("."):
            node = next(
                n
                for n in ast.iter_child_nodes(node)
                if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == part
            )
        lines = text.splitlines()
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        return "\n".join(lines[start - 1 : node.end_lineno])
    return text.rstrip("\n")


def _setup_cell(opts: Options, subdir: str) -> nbformat.NotebookNode:
    if opts.repo_url:
        name = opts.repo_url.rstrip("/").rsplit("/", 1)[-1]
        body = (
            "# 在 Colab 中运行时先取得本书的仓库并安装 rnn_book；在本地、Binder 或 JupyterHub 上什么也不做。\n"
            "import os\n"
            "import sys\n"
            "\n"
            'if "google.colab" in sys.modules and not os.path.isdir("/content/' + name + '"):\n'
            f'    os.system("git clone --depth 1 --branch {opts.branch} {opts.repo_url} /content/{name}")\n'
            f'    os.system("pip install -q /content/{name} myst-nb")  # myst-nb: glue()\n'
            'if "google.colab" in sys.modules:\n'
            f'    os.chdir("/content/{name}/{subdir}")'
        )
    else:
        body = (
            "# 本笔记本需要 rnn_book 包：在仓库根目录（或解压后的笔记本压缩包中）运行 pip install -e . 即可。\n"
            "import rnn_book  # noqa: F401"
        )
    cell = nbformat.v4.new_code_cell(body)
    cell.metadata["tags"] = ["setup"]
    return cell


def convert(index: BookIndex, doc: str, opts: Options | None = None) -> nbformat.NotebookNode:
    """The plain notebook of page ``doc`` (docname, e.g. ``"chapters/lstm"``)."""
    opts = opts or Options()
    text = (index.root / f"{doc}.md").read_text(encoding="utf-8")
    if opts.student:
        text = strip_solutions(text)
    src = jupytext.reads(text, fmt="md:myst")
    page = _Page(index, doc, opts)
    cells: list = []
    in_solution: str | None = None  # exercise number of the open solution-start
    first_md = True
    for cell in src.cells:
        if cell.cell_type == "markdown":
            for kind, payload in _solution_segments(cell.source):
                if kind == "start":
                    in_solution = index.targets[payload].text
                    continue
                if kind == "end":
                    in_solution = None
                    continue
                md = page.markdown(payload).strip("\n")
                if not md.strip():
                    continue
                if in_solution:
                    md = (
                        f"<details>\n<summary>{SOLUTION_SUMMARY}（{in_solution}）</summary>\n\n"
                        f"{md}\n\n</details>"
                    )
                cells.append(nbformat.v4.new_markdown_cell(md))
                if first_md:
                    first_md = False
                    subdir = "/".join(("book", *Path(doc).parent.parts))
                    cells.append(_setup_cell(opts, subdir))
        elif cell.cell_type == "code":
            code = nbformat.v4.new_code_cell(cell.source)
            meta = cell.metadata
            if meta.get("tags"):
                code.metadata["tags"] = list(meta["tags"])
            if in_solution:
                code.source = f"# {SOLUTION_SUMMARY}（{in_solution}）\n" + code.source
            cells.append(code)
            caption = (meta.get("mystnb") or {}).get("figure") or {}
            if caption.get("caption"):
                tg = index.targets.get(caption.get("name", ""))
                label = tg.text if tg else "图"
                cap = page.markdown(str(caption["caption"]).strip())
                cells.append(nbformat.v4.new_markdown_cell(f"**{label}**：{cap}"))
        else:
            cells.append(copy.deepcopy(cell))
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for k, c in enumerate(nb.cells):  # stable ids: identical output on every run
        c["id"] = f"c{k:03d}"
    nbformat.validate(nb)
    return nb


def _solution_segments(source: str):
    """Split a Markdown cell into ("md", text), ("start", label), ("end", None) pieces."""
    lines = source.split("\n")
    buf: list[str] = []
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if m and m["name"] in ("solution-start", "solution-end"):
            if buf:
                yield "md", "\n".join(buf)
                buf = []
            end = _fence_end(lines, i, m["fence"])
            yield ("start", m["arg"]) if m["name"] == "solution-start" else ("end", None)
            i = end + 1
            continue
        buf.append(lines[i])
        i += 1
    if buf:
        yield "md", "\n".join(buf)


def dumps(nb: nbformat.NotebookNode) -> str:
    """Deterministic JSON text of a notebook (what the twins hold)."""
    return json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def glue_values(executed: Path) -> dict[str, str]:
    """name -> text/plain of every glued value of an executed page.

    myst-nb keeps them in ``<page>.glue.json`` beside the executed ``<page>.ipynb`` (in
    ``_build/jupyter_execute``); older versions left them as outputs in the notebook.
    """
    out = {}
    store = executed.with_suffix(".glue.json")
    if store.is_file():
        for name, o in json.loads(store.read_text(encoding="utf-8")).items():
            v = (o.get("data") or {}).get("text/plain")
            if v is not None:
                out[name] = "".join(v) if isinstance(v, list) else v
    if not executed.is_file():
        return out
    nb = json.loads(executed.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        for o in cell.get("outputs", []):
            sb = (o.get("metadata") or {}).get("scrapbook")
            if sb and "text/plain" in (o.get("data") or {}):
                v = o["data"]["text/plain"]
                out[sb["name"]] = "".join(v) if isinstance(v, list) else v
    return out


def read_publish(path: Path) -> dict:
    """The publishing settings (book/publish.yml); missing file = everything off."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) if Path(path).is_file() else {}
    data = data or {}
    return {k: (str(v).strip() if v is not None else "") for k, v in data.items()}


def write_zip(dest: Path, notebooks: dict[str, str], repo: Path, book: Path) -> None:
    """Zip: every page's notebook, the results files they read, the package, a README."""
    readme = (
        "# 《循环神经网络：从原理到实现》的笔记本\n\n"
        "本压缩包含有书中每一页的 Jupyter 笔记本（`intro.ipynb`、`chapters/*.ipynb`）、"
        "它们读取的结果文件（`results/`）以及运行它们所需的 `rnn_book` 包（`src/`、`pyproject.toml`）。\n\n"
        "```bash\n"
        "python -m venv .venv && . .venv/bin/activate\n"
        "pip install -r requirements.txt   # 含本目录下的 rnn_book 包（pip install -e .）\n"
        "jupyter lab                        # 打开 chapters/ 下的任一笔记本\n"
        "```\n\n"
        "笔记本从 `chapters/` 目录运行（部分章节读取 `../results/` 下的文件）。\n"
    )
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as z:

        def add(arcname: str, data: bytes | str):
            info = zipfile.ZipInfo(arcname, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)

        add("README.md", readme)
        for doc, text in sorted(notebooks.items()):
            add(f"{doc}.ipynb", text)
        for f in sorted((book / "results").glob("*.json")):
            add(f"results/{f.name}", f.read_bytes())
        for name in ("pyproject.toml", "requirements.txt", "LICENSE"):
            if (repo / name).is_file():
                add(name, (repo / name).read_bytes())
        for f in sorted((repo / "src" / "rnn_book").rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts and not f.name.endswith(".pyc"):
                add(str(f.relative_to(repo)).replace("\\", "/"), f.read_bytes())


# ------------------------------------------------------------------ Sphinx hook
def _on_page_context(app, pagename, templatename, context, doctree):
    """Offer the page's notebook in the download menu (the theme reads ``ipynb_source``)."""
    if pagename in _exported(app):
        context["ipynb_source"] = pagename + ".ipynb"


def _exported(app) -> set[str]:
    env = app.env
    if not hasattr(env, "_nb_export_docs"):
        env._nb_export_docs = {
            d
            for d in env.found_docs
            if Path(env.doc2path(d)).suffix == ".md"
            and NOTEBOOK_MARK in Path(env.doc2path(d)).read_text(encoding="utf-8")
        }
    return env._nb_export_docs


def _on_build_finished(app, exc):
    if exc is not None or app.builder.format != "html":
        return
    book = Path(app.srcdir)
    repo = book.parent
    out = Path(app.outdir)
    index = BookIndex.load(book)
    cfg = app.config
    texts = {}
    for doc in sorted(_exported(app)):
        opts = Options(
            book_url=cfg.nb_export_book_url,
            repo_url=cfg.nb_export_repo_url,
            branch=cfg.nb_export_branch,
            student=cfg.nb_export_student,
            glue=glue_values(out.parent / "jupyter_execute" / f"{doc}.ipynb"),
        )
        text = dumps(convert(index, doc, opts))
        texts[doc] = text
        for dest in (out / "_sources" / f"{doc}.ipynb", out / "notebooks" / f"{doc}.ipynb"):
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
    write_zip(out / ZIP_NAME, texts, repo, book)


def setup(app):
    app.add_config_value("nb_export_book_url", "", "html")
    app.add_config_value("nb_export_repo_url", "", "html")
    app.add_config_value("nb_export_branch", "main", "html")
    app.add_config_value("nb_export_student", False, "html")
    # before sphinx-book-theme's header buttons (priority 501) read ipynb_source
    app.connect("html-page-context", _on_page_context, priority=500)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
