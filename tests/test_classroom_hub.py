"""The classroom server really works: JupyterHub + nbgitpuller + JupyterLab, driven as a student.

``deploy/local_hub.py`` starts the local hub (pinned packages from ``deploy/install_hub.sh``,
TEST configuration ``deploy/test/jupyterhub_config.py``: any password, 127.0.0.1 only) with
this checkout's HEAD served as a git remote. Then, in headless Chromium with every request to
another host blocked (the classroom works offline):

1. student1 logs in through the login form, follows the nbgitpuller link a teacher hands out
   for the chapter ``unroll`` (to its notebook twin ``unroll.ipynb``, as the pages' JupyterHub
   button does), lands in JupyterLab with the chapter open as a notebook, runs all cells, finds
   no error or stderr output, and moves the live-kernel slider ``W[0,1]`` of the unrolled-RNN
   widget: the widget's figures change (the kernel recomputed them);
2. student1's copy of ``unroll.md`` is changed; student2 logs in, follows the link to the MyST
   page ``unroll.md`` (JupyterLab opens it as a notebook through jupytext) and gets an
   independent copy: its own folder, the teacher's version of the page, none of student1's
   change, and no access to student1's server.

The hub and every process it started are stopped at the end, pass or fail, and the test checks
that none is left. Needs ``bash deploy/install_hub.sh`` (``scripts/test.sh`` runs it); skips
without it, fails instead under ``RNN_BOOK_REQUIRE_BOOK=1``.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import REPO_ROOT, _missing

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the _chromium fixture skips (or fails) without Playwright
    PlaywrightTimeout = TimeoutError

sys.path.insert(0, str(REPO_ROOT / "deploy"))
import local_hub

CHAPTER = "unroll"
LIVE_SLIDER = "W[0,1]"  # the slider that only a running kernel serves (see unroll.md)
STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
# Generous: a loaded 2-core machine is slow; these guard against hangs, they time nothing.
LONG = 240_000


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A running local classroom hub; stopped (and checked for leftovers) at the end."""
    if not (local_hub.JUPYTERHUB.exists() and local_hub.PROXY.exists()):
        _missing("the classroom hub is not installed; run `bash deploy/install_hub.sh`")
    server = local_hub.LocalHub(tmp_path_factory.mktemp("hub"))
    try:
        server.start()
        yield server
    finally:
        killed = server.stop()
        left = server.leftover_pids()
    # stop() SIGKILLs what the hub did not stop itself (reported, not fatal: a kernel on a
    # loaded machine can be slow to exit); nothing of the hub may survive that
    if killed:
        print(f"processes of the hub that needed SIGKILL: {killed}")
    assert left == [], f"processes of the hub still running after stop: {left}"


def _student_page(browser, blocked: list[str]):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def route(route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("http", "ws")) and host != local_hub.HOST:
            blocked.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(LONG)
    return context, page


def _login(page, hub, user: str) -> None:
    page.goto(hub.url + "hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", "any password: test configuration")
    page.click("#login_submit")
    page.wait_for_url(re.compile(r".*/(hub/(spawn|home)|user/).*"))


def _open_chapter(page, hub, user: str, ext: str) -> None:
    """Follow the teacher's nbgitpuller link; wait for the chapter opened as a notebook."""
    page.goto(hub.git_pull_url(CHAPTER, ext=ext))
    name = re.escape(f"{CHAPTER}{ext}")
    page.wait_for_url(re.compile(rf".*/user/{user}/lab/tree/rnn_book/book/chapters/{name}"))
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-CodeCell")
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell:first-child .jp-MarkdownOutput")


def _kernel_idle(page) -> None:
    """Wait until the notebook's kernel is started, connected and idle (status bar and toolbar)."""
    page.wait_for_function(
        """() => {
            const s = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');
            const bar = [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                .map(e => e.textContent);
            return s && s.getAttribute('data-status') === 'idle'
                && bar.some(t => /Python 3.*\\|\\s*Idle/.test(t));
        }"""
    )


def _run_all(page) -> int:
    """Run → Run All Cells; wait until every code cell has an execution count. Returns them."""
    prompts_js = """() => [...document.querySelectorAll(
        '.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent)"""
    for attempt in range(3):
        _kernel_idle(page)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:  # a click that reached a kernel still connecting runs nothing: then click again
            page.wait_for_function(
                f"() => ({prompts_js})().some(t => /[*\\d]/.test(t))", timeout=30_000
            )
            break
        except PlaywrightTimeout:
            print(f"Run All started nothing (attempt {attempt + 1}); retrying")
    # done when nothing is queued or running ([*]) any more and some cell has run; a cell that
    # raises stops Run All, which the caller then sees as cells without an execution count
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll(
                '.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent);
            return prompts.some(t => /\\[\\d+\\]/.test(t)) && !prompts.some(t => t.includes('*'));
        }""",
        timeout=LONG,
    )
    _kernel_idle(page)
    prompts = page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
    not_run = [i for i, t in enumerate(prompts) if not re.search(r"\[\d+\]", t)]
    assert not not_run, f"code cells {not_run} of {len(prompts)} did not run: " + _errors(page)
    return len(prompts)


def _errors(page) -> str:
    return "\n---\n".join(page.locator(STDERR_OUTPUT).all_inner_texts()) or "(no error output)"


def _debug(page, hub, screenshot: Path) -> None:
    """On failure: a screenshot and the end of the hub's log (pytest shows captured stdout)."""
    try:
        page.screenshot(path=str(screenshot), full_page=True)
        print(f"screenshot: {screenshot}\npage: {page.url}")
    except Exception as exc:  # noqa: BLE001 (debug output must not hide the real failure)
        print(f"no screenshot: {exc}")
    print("---- end of the hub's log ----\n" + hub.log_tail(8000))


def test_students_pull_run_and_get_independent_copies(hub, _chromium, tmp_path):
    t0 = time.monotonic()
    blocked: list[str] = []
    home = hub.state / "home"
    chapter_rel = Path("rnn_book", "book", "chapters", f"{CHAPTER}.md")
    # what the git remote serves: the checkout's committed HEAD
    teacher_text = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "show", f"HEAD:book/chapters/{CHAPTER}.md"],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")

    # ---- student1: log in, follow the link, run everything
    ctx1, page1 = _student_page(_chromium, blocked)
    try:
        _login(page1, hub, "student1")
        _open_chapter(page1, hub, "student1", ".ipynb")
        assert (home / "student1" / chapter_rel).is_file()
        n_cells = _run_all(page1)
        assert n_cells > 5
        assert page1.locator(STDERR_OUTPUT).count() == 0, "error output: " + _errors(page1)
        # the live widget: the first unrolled-RNN widget's kernel-only slider
        slider = page1.locator(".widget-slider", has_text=LIVE_SLIDER).first
        slider.scroll_into_view_if_needed()
        box = slider.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][1]")
        # the figures (HTML widgets: the U/W/V heatmaps and the unrolled frames), not the sliders
        figures_js = (
            "el => [...el.querySelectorAll('.widget-html-content')].map(e => e.innerHTML).join('')"
        )
        before = box.evaluate(figures_js)
        readout = slider.locator(".widget-readout")
        old_value = readout.inner_text().strip()
        new_value = "+2.50" if old_value != "+2.50" else "-2.50"
        readout.click()
        page1.keyboard.press("Control+A")
        page1.keyboard.type(new_value.lstrip("+"))
        page1.keyboard.press("Enter")
        # the kernel recomputes every frame and sends the new figures back
        page1.wait_for_function(
            f"([el, before]) => ({figures_js})(el) !== before",
            arg=[box.element_handle(), before],
            timeout=LONG,
        )
        _kernel_idle(page1)
        after = box.evaluate(figures_js)
        assert readout.inner_text().strip() == new_value
        # the W heatmap (scale 1) now shows the new entry
        assert new_value in after and after.count(new_value) > before.count(new_value)
        assert page1.locator(STDERR_OUTPUT).count() == 0
    except BaseException:
        _debug(page1, hub, tmp_path / "student1_failed.png")
        raise
    finally:
        ctx1.close()
    t1 = time.monotonic()

    # ---- student1 changes their copy; student2 must not see it
    mine = home / "student1" / chapter_rel
    mine.write_text(mine.read_text(encoding="utf-8") + "\nstudent1 was here\n", encoding="utf-8")
    ctx2, page2 = _student_page(_chromium, blocked)
    try:
        _login(page2, hub, "student2")
        _open_chapter(page2, hub, "student2", ".md")
        theirs = home / "student2" / chapter_rel
        assert theirs.is_file()
        assert theirs.read_text(encoding="utf-8") == teacher_text
        assert "student1 was here" not in page2.locator(".jp-NotebookPanel").inner_text()
        assert not theirs.samefile(mine)
        # and student2 cannot reach student1's server
        response = page2.goto(hub.url + "user/student1/api/contents/" + chapter_rel.as_posix())
        assert response is None or response.status in (403, 404) or "/user/student2/" in page2.url
        assert "student1 was here" not in page2.content()
    except BaseException:
        _debug(page2, hub, tmp_path / "student2_failed.png")
        raise
    finally:
        ctx2.close()
    assert "student1 was here" in mine.read_text(encoding="utf-8")
    assert blocked == [], f"the classroom tried to reach other hosts: {blocked}"
    print(
        f"student1: {t1 - t0:.0f} s (login, pull, run all, widget); student2: {time.monotonic() - t1:.0f} s"
    )
