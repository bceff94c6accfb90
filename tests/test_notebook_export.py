"""The pages as plain notebooks: twins in sync, no MyST left, launch links, downloads, student edition.

Fast tests (seconds) check the converter itself (``book/_ext/nb_export.py``): the committed
twins ``book/**/X.ipynb`` equal what ``scripts/export_notebooks.py`` writes now, no notebook
Markdown cell (teacher or student edition) still holds MyST syntax once rendered, and the student
notebooks hold no solution.

Two Sphinx-only builds (execution off, into temporary folders, a minute or two each on a loaded
machine) check what ``scripts/build_book.sh`` makes of the publishing switch and ``--student``:
every chapter page's Binder / Colab / JupyterHub links in the formats those services document,
and its ``.ipynb`` in the download menu; the student build contains no line of any solution in
any file (HTML, ``_sources``, notebooks, the zip's members, ``searchindex.js``).

The last test needs the full book (``book/_build/html``, ``RNN_BOOK_REQUIRE_BOOK=1`` after
``scripts/build_book.sh``): it unpacks ``rnn_book_notebooks.zip`` and executes every notebook in
it, with the package from the zip on the path.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from conftest import BOOK_HTML_DIR, REPO_ROOT, _missing

sys.path.insert(0, str(REPO_ROOT / "book" / "_ext"))
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import export_notebooks
import nb_export

BOOK = REPO_ROOT / "book"
EXAMPLE = {
    "repository_url": "https://github.com/example-org/rnn-book",
    "branch": "main",
    "hub_url": "https://hub.example.edu",
    "book_url": "https://example-org.github.io/rnn-book/",
}
INDEX = nb_export.BookIndex.load(BOOK)
PAGES = sorted(INDEX.notebooks)


def _solution_lines() -> dict[str, list[str]]:
    """Page -> distinctive lines of all its solutions (what must not leak).

    A line also found outside the solutions (in a page without its solutions, an API page or
    the package source, all legitimately in the student edition) is not distinctive.
    """
    allowed = [nb_export.strip_solutions(p.read_text(encoding="utf-8")) for p in BOOK.rglob("*.md")]
    allowed += [p.read_text(encoding="utf-8") for p in (REPO_ROOT / "src").rglob("*.py")]
    out = {}
    for doc in PAGES:
        text = (BOOK / f"{doc}.md").read_text(encoding="utf-8")
        lines = [ln for sol in nb_export.solution_texts(text) for ln in sol]
        out[doc] = [ln for ln in lines if not any(ln in a for a in allowed)]
    return out


SOLUTIONS = _solution_lines()


# ------------------------------------------------------------------ twins and converter
def test_twins_are_in_sync_with_the_sources():
    stale = [
        str(path.relative_to(REPO_ROOT))
        for path, text in export_notebooks.twins(BOOK, BOOK / "publish.yml").items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"stale notebook twins {stale}: run python scripts/export_notebooks.py"
    # and no twin without a page
    twins = {p.relative_to(BOOK) for p in BOOK.rglob("*.ipynb") if "_build" not in p.parts}
    assert twins == {Path(f"{d}.ipynb") for d in PAGES}


# What MyST leaves when a plain Markdown renderer (JupyterLab, Colab) does not know it.
LEFTOVER = [
    (re.compile(r"\{[a-z][\w:.-]*\}(`|<code)"), "a role"),
    (re.compile(r"language-\{"), "a directive (rendered as a code block)"),
    (re.compile(r"(^|>)\s*\([^()\s]+\)=\s*($|<)", re.MULTILINE), "a (label)= target"),
    (re.compile(r"^\s*:(class|label|name|tags|caption):", re.MULTILINE), "a directive option"),
    (re.compile(r"`{3,}\{|:{3,}\{"), "a directive fence"),
]


def _leftovers(markdown: str) -> list[str]:
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(markdown)
    # code the page shows as code is not MyST syntax: drop <code> contents (keep their classes)
    text = re.sub(r"(<code[^>]*>).*?</code>", r"\1</code>", html, flags=re.DOTALL)
    return [what for rx, what in LEFTOVER if rx.search(text)]


def test_the_myst_detector_finds_raw_myst():
    """Sanity check of _leftovers: each kind of MyST a raw page holds is reported."""
    raw = (BOOK / "chapters" / "lstm.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    found = set(_leftovers(raw))
    assert {"a role", "a directive (rendered as a code block)", "a (label)= target"} <= found
    assert _leftovers("见 {numref}`fig-x`。") == ["a role"]
    assert _leftovers("(chap-x)=\n# 标题") == ["a (label)= target"]
    assert _leftovers("```{exercise} 题\n:label: x\n正文\n```") == [
        "a directive (rendered as a code block)"
    ]
    assert _leftovers("`{term}` 在代码里不算") == []


@pytest.mark.parametrize("student", [False, True], ids=["teacher", "student"])
@pytest.mark.parametrize("book_url", ["", EXAMPLE["book_url"]], ids=["relative", "web"])
def test_notebooks_hold_no_myst(student, book_url):
    for doc in PAGES:
        nb = nb_export.convert(INDEX, doc, nb_export.Options(book_url=book_url, student=student))
        for k, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":
                found = _leftovers(cell.source)
                assert not found, f"{doc} cell {k}: {found} left in\n{cell.source[:500]}"
        for cell in nb.cells:
            assert "mystnb" not in cell.metadata


def test_notebooks_read_like_the_page():
    nb = nb_export.convert(INDEX, "chapters/lstm", nb_export.Options(book_url=EXAMPLE["book_url"]))
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert md.startswith("# 长短期记忆网络")
    assert "> **学习目标**" in md
    assert re.search(r"### 练习 \d+：参数个数", md)
    assert "<summary>解答（练习" in md
    # references are links to the web book; captions sit under their figures
    assert "](https://example-org.github.io/rnn-book/chapters/lstm.html#fig-lstm-profiles)" in md
    assert re.search(r"^\*\*图 \d+\*\*：", md, re.MULTILINE)
    # solution code follows its exercise in plain view, marked
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any(c.startswith("# 解答（练习") for c in code)
    # with a repository URL, the setup cell clones and installs it in Colab (valid Python)
    opts = nb_export.Options(repo_url=EXAMPLE["repository_url"], branch="main")
    setup = nb_export.convert(INDEX, "chapters/lstm", opts).cells[1]
    assert setup.metadata["tags"] == ["setup"]
    compile(setup.source, "setup", "exec")
    assert f"git clone --depth 1 --branch main {EXAMPLE['repository_url']}" in setup.source
    assert 'os.chdir("/content/rnn-book/book/chapters")' in setup.source


def test_student_notebooks_hold_no_solution():
    for doc in PAGES:
        nb = nb_export.convert(INDEX, doc, nb_export.Options(student=True))
        text = json.dumps(nb, ensure_ascii=False)
        assert "<summary>解答" not in text and "# 解答（" not in text, doc
        for line in SOLUTIONS[doc]:
            assert json.dumps(line, ensure_ascii=False)[1:-1] not in text, (doc, line)
    assert sum(len(v) for v in SOLUTIONS.values()) > 50  # the grep has something to find


def test_check_answer(capsys):
    import rnn_book as rb

    assert rb.check_answer("ex-lstm-params", 4 * (2 * 32 + 32 * 32 + 2 * 32))
    assert "正确" in capsys.readouterr().out
    assert not rb.check_answer("ex-lstm-params", 4608 + 1)
    assert "再想想" in capsys.readouterr().out
    assert not rb.check_answer("ex-lstm-params", None)
    assert "还没有作答" in capsys.readouterr().out
    with pytest.raises(KeyError, match="expected one of"):
        rb.check_answer("no-such-exercise", 1)
    with pytest.raises(TypeError, match="got str"):
        rb.check_answer("ex-lstm-params", "4608")


def test_every_self_check_is_run_by_its_solution():
    """Each self-check cell's label is checked in that exercise's solution (the build runs it)."""
    from rnn_book.selfcheck import _ANSWERS

    for label in _ANSWERS:
        doc = INDEX.targets[label].doc
        text = (BOOK / f"{doc}.md").read_text(encoding="utf-8")
        assert f'rb.check_answer("{label}", answer)' in text, label
        assert f'assert rb.check_answer("{label}",' in text, label


# ------------------------------------------------------------------ Sphinx-only builds
def _build(tmp: Path, *args: str) -> Path:
    env = dict(os.environ, RNN_BOOK_SKIP_VENV="1")
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO_ROOT / "src"), env.get("PYTHONPATH")])
    )
    r = subprocess.run(
        [
            "bash",
            str(REPO_ROOT / "scripts" / "build_book.sh"),
            "--no-execute",
            "--path-output",
            str(tmp),
            *args,
        ],
        check=False,
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return tmp / "_build" / "html"


def _links(html: str) -> list[str]:
    return [unquote(h).replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)]


@pytest.fixture(scope="module")
def published_build(tmp_path_factory):
    if not (REPO_ROOT / ".venv" / "bin" / "jupyter-book").exists():
        _missing("no .venv with jupyter-book (scripts/test.sh makes it)")
    tmp = tmp_path_factory.mktemp("published")
    cfg = tmp / "publish.yml"
    cfg.write_text("".join(f"{k}: {v}\n" for k, v in EXAMPLE.items()), encoding="utf-8")
    return _build(tmp, "--publish-config", str(cfg))


def test_launch_buttons_follow_the_documented_formats(published_build):
    org_repo = "example-org/rnn-book"
    for doc in PAGES:
        html = (published_build / f"{doc}.html").read_text(encoding="utf-8")
        links = _links(html)
        path = f"book/{doc}.ipynb"
        assert (REPO_ROOT / path).is_file()
        # https://mybinder.org/v2/gh/<org>/<repo>/<ref>?urlpath=lab/tree/<path in repo>
        binder = [u for u in links if u.startswith("https://mybinder.org/")]
        assert binder == [f"https://mybinder.org/v2/gh/{org_repo}/main?urlpath=lab/tree/{path}"], (
            doc
        )
        # https://colab.research.google.com/github/<org>/<repo>/blob/<branch>/<path>.ipynb
        colab = [u for u in links if u.startswith("https://colab.research.google.com/")]
        assert colab == [f"https://colab.research.google.com/github/{org_repo}/blob/main/{path}"], (
            doc
        )
        # <hub>/hub/user-redirect/git-pull?repo=<url>&branch=<b>&urlpath=lab/tree/<repo dir>/<path>
        hub = [u for u in links if u.startswith("https://hub.example.edu/")]
        assert len(hub) == 1, doc
        parts = urlsplit(hub[0])
        assert parts.path == "/hub/user-redirect/git-pull"
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert q == {
            "repo": EXAMPLE["repository_url"],
            "branch": "main",
            "urlpath": f"lab/tree/rnn-book/{path}",
        }, doc
        # Thebe stays off (it loads from a CDN): no "Live Code" launch entry
        assert "launch-thebe" not in html and "initThebeSBT()" not in html, doc


def test_every_page_offers_its_notebook(published_build):
    for doc in PAGES:
        html = (published_build / f"{doc}.html").read_text(encoding="utf-8")
        m = re.search(
            r'<a href="([^"]+)"[^>]*?class="[^"]*btn-download-notebook-button', html, re.DOTALL
        )
        assert m, f"{doc}: no .ipynb in the download menu"
        target = (published_build / doc).parent / m[1]
        assert m[1].endswith(f"{doc}.ipynb") and target.resolve().is_file(), (doc, m[1])
        nb = json.loads(target.read_text(encoding="utf-8"))
        assert nb["nbformat"] == 4 and all(c.get("outputs", []) == [] for c in nb["cells"])
    with zipfile.ZipFile(published_build / nb_export.ZIP_NAME) as z:
        names = set(z.namelist())
    assert {f"{d}.ipynb" for d in PAGES} <= names
    assert {"README.md", "pyproject.toml", "requirements.txt", "src/rnn_book/__init__.py"} <= names
    intro = (published_build / "intro.html").read_text(encoding="utf-8")
    assert f'href="{nb_export.ZIP_NAME}"' in intro


def test_student_build_holds_no_solution(tmp_path):
    if not (REPO_ROOT / ".venv" / "bin" / "jupyter-book").exists():
        _missing("no .venv with jupyter-book (scripts/test.sh makes it)")
    html = _build(tmp_path, "--student")
    needles = [(doc, ln) for doc, lines in SOLUTIONS.items() for ln in lines]
    files = [
        p
        for p in html.rglob("*")
        if p.is_file() and p.suffix in (".html", ".txt", ".md", ".ipynb", ".js")
    ]
    assert any(p.name == "searchindex.js" for p in files)
    texts = {
        str(p.relative_to(html)): p.read_text(encoding="utf-8", errors="replace") for p in files
    }
    with zipfile.ZipFile(html / nb_export.ZIP_NAME) as z:
        for name in z.namelist():
            texts[f"zip:{name}"] = z.read(name).decode("utf-8", errors="replace")
    assert any(k.startswith("_sources/") for k in texts)
    for name, text in texts.items():
        if name.endswith(".ipynb") or name.startswith("zip:"):
            text = text + json.loads(json.dumps(text))  # both raw and JSON-escaped forms
        for doc, line in needles:
            assert line not in text and json.dumps(line, ensure_ascii=False)[1:-1] not in text, (
                f"solution of {doc} leaks into {name}: {line!r}"
            )
    assert "chapters/lstm.html" in str(sorted(texts))


# ------------------------------------------------------------------ the full build's zip
def _execute_notebook(path: str) -> tuple[str, float, list]:
    """Run one notebook in a fresh kernel; its wall time and the error outputs (worker process)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(Path(path).parent)}},
    ).execute()
    errors = [
        o.get("ename", "") + ": " + o.get("evalue", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    return path, time.perf_counter() - t0, errors


def test_downloaded_notebooks_execute(tmp_path, monkeypatch):
    """Every notebook of the full build's zip runs from top to bottom with the zip's package.

    Two notebooks run at a time (one kernel per core of the CI machine); each must finish
    within the 300 s cell timeout, the whole zip within 1800 s.
    """
    from concurrent.futures import ProcessPoolExecutor

    zpath = BOOK_HTML_DIR / nb_export.ZIP_NAME
    if not zpath.is_file():
        _missing(f"{zpath} missing: build the book with scripts/build_book.sh")
    with zipfile.ZipFile(zpath) as z:
        z.extractall(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "src"))
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    start, times, failures = time.perf_counter(), {}, {}
    paths = [str(p) for p in sorted(tmp_path.rglob("*.ipynb"))]
    with ProcessPoolExecutor(max_workers=2) as pool:
        for path, seconds, errors in pool.map(_execute_notebook, paths):
            name = str(Path(path).relative_to(tmp_path))
            times[name] = seconds
            if errors:
                failures[name] = errors
    assert failures == {}, failures
    assert time.perf_counter() - start < 1800, times
    assert len(times) == len(PAGES), times


def test_student_pages_glue_nothing_from_solutions():
    """No text left in the student edition shows a number glued only inside a solution.

    (The student build would then miss the glue key and fail; e.g. an exercise statement quoting
    how long its solution's training took.)
    """
    glue_def = re.compile(r'glue\(\s*"(\w+)"')
    glue_use = re.compile(r"\{glue(?::text)?\}`(\w+)")
    for doc in PAGES:
        text = (BOOK / f"{doc}.md").read_text(encoding="utf-8")
        student = nb_export.strip_solutions(text)
        only_in_solutions = set(glue_def.findall(text)) - set(glue_def.findall(student))
        used = set(glue_use.findall(student)) & only_in_solutions
        assert not used, f"{doc}: the student edition uses {sorted(used)}, glued in solutions only"


def test_student_pages_reference_no_label_inside_a_solution():
    """A {ref}/{numref} left in the student edition must not point into a removed solution."""
    label = re.compile(r"(?:name:\s*([\w-]+)|^\(([\w-]+)\)=|:label:\s*([\w-]+))", re.MULTILINE)
    ref = re.compile(r"\{(?:ref|numref)\}`(?:[^`<]*<)?([\w-]+)>?`")
    full, kept, refs = set(), set(), set()
    for md in BOOK.rglob("*.md"):
        if "_build" in md.parts:
            continue
        text = md.read_text(encoding="utf-8")
        student = nb_export.strip_solutions(text)
        full |= {next(g for g in m.groups() if g) for m in label.finditer(text)}
        kept |= {next(g for g in m.groups() if g) for m in label.finditer(student)}
        refs |= set(ref.findall(student))
    assert not refs & (full - kept)


def _numbers(html: str, kind: str) -> list[str]:
    return re.findall(rf'<span class="caption-number">{kind} (\d+)', html)


def _twin_numbers(doc: str, kind: str) -> list[str]:
    nb = nb_export.convert(INDEX, doc)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    if kind == "练习":
        return re.findall(r"^### 练习 (\d+)", md, re.MULTILINE)
    return re.findall(r"^\*\*图 (\d+)\*\*：", md, re.MULTILINE)


def test_exercise_numbers_match_the_web_pages(published_build):
    for doc in PAGES:
        html = (published_build / f"{doc}.html").read_text(encoding="utf-8")
        assert _twin_numbers(doc, "练习") == _numbers(html, "练习"), doc


def test_figure_numbers_match_the_full_build():
    """Figures exist only in an executed build: compare with book/_build/html."""
    if not (BOOK_HTML_DIR / "index.html").is_file():
        _missing(f"{BOOK_HTML_DIR} missing: build the book with scripts/build_book.sh")
    for doc in PAGES:
        html = (BOOK_HTML_DIR / f"{doc}.html").read_text(encoding="utf-8")
        assert _twin_numbers(doc, "图") == _numbers(html, "图"), doc
        assert _twin_numbers(doc, "练习") == _numbers(html, "练习"), doc


def test_downloads_of_an_executed_build_show_the_glued_numbers(tmp_path):
    """With myst-nb's glue store (<page>.glue.json) at hand, prose shows values, formatted."""
    store = {
        "params_lstm": {"data": {"text/plain": "4608"}},
        "lstm_jacobian_error": {"data": {"text/plain": "1.234e-10"}},
    }
    (tmp_path / "lstm.glue.json").write_text(json.dumps(store), encoding="utf-8")
    glue = nb_export.glue_values(tmp_path / "lstm.ipynb")
    assert glue == {"params_lstm": "4608", "lstm_jacobian_error": "1.234e-10"}
    nb = nb_export.convert(INDEX, "chapters/lstm", nb_export.Options(glue=glue))
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "两者的相对误差为 1.2e-10" in md
    assert "LSTM 有 4608 个参数" in md and "`params_lstm`" not in md
