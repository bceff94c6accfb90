"""Widget pages load cleanly, every time: no console error, no page error, every widget drawn.

The widgets of the static book are rendered in the browser from the state myst-nb embeds in the
page, by the vendored ipywidgets HTML manager (``embed-amd.js`` with require.js, glued to
MathJax 3 by ``book/assets/widgets-offline.js``). Several scripts start at once on such a page
(MathJax, require.js, the manager), so an ordering bug shows up only on some loads. This test
loads every built page that holds widgets ``LOADS_PER_PAGE`` times in headless Chromium, with
every request to a host other than 127.0.0.1 aborted (as ``tests/test_book_offline.py``), and
requires of every single load:

- no console error and no uncaught page error (the harmless duplicate ``THEBE_JS_URL`` of
  sphinx-thebe excepted, as in conftest.py), no HTTP error, no request to another host;
- all widgets drawn: the number of widget views on the page equals the number the embedded
  state asks for (a Box shows all its children, a Stack only its ``selected_index`` child), no
  "Error displaying widget", and MathJax finished typesetting;
- the same after a burst: every slider is moved several steps and back inside one task (key
  events dispatched on its handle), so each Stack linked to it switches frames several times
  before the frame views it asked for exist. This is what makes the manager's late steps
  (inserting or resizing a child view that a newer switch already removed) meet a removed
  view on every load, instead of only when timing happens to line up; before the fix in
  ``book/assets/widgets-offline.js`` it logged "Cannot read properties of null (reading
  'processLuminoMessage')" and "Could not add child view to box".

To keep the run short the loads go in parallel: ``PARALLEL`` browser contexts of one Chromium
at a time, each a fresh profile (cold cache, as a reader's first visit).
"""

from __future__ import annotations

import json
import os
import re
import time
from urllib.parse import urlsplit

import pytest
from conftest import BOOK_HTML_DIR, HARMLESS_CONSOLE_ERRORS, built_pages

# loads of each widget page; RNN_BOOK_WIDGET_LOADS overrides it for a quick look by hand
LOADS_PER_PAGE = int(os.environ.get("RNN_BOOK_WIDGET_LOADS", "20"))
PARALLEL = 4  # contexts loading at the same time
LOAD_TIMEOUT_MS = 120_000  # one load, on a busy 2-core machine
# after everything is drawn, keep listening this long for late errors (a message posted to a
# widget is delivered on a later animation frame)
SETTLE_MS = 400

STATE_SCRIPT = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>', re.DOTALL
)
VIEW_SCRIPT = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.DOTALL
)
MODEL_REF = "IPY_MODEL_"


def expected_views(html: str) -> tuple[int, int]:
    """(top-level widgets, widget views in total) that the embedded state of a page describes.

    Walks from every displayed model through ``children``: a Box shows all of its children, a
    Stack only the child at ``selected_index`` (none when it is None). Layout and style models
    and links are not views and are never reached this way.
    """
    states = [json.loads(s) for s in STATE_SCRIPT.findall(html)]
    assert len(states) == 1, f"expected one embedded widget state, found {len(states)}"
    models = states[0]["state"]
    tops = [json.loads(v)["model_id"] for v in VIEW_SCRIPT.findall(html)]

    def count(model_id: str) -> int:
        state = models[model_id]["state"]
        children = [c.removeprefix(MODEL_REF) for c in state.get("children", [])]
        if models[model_id]["model_name"] == "StackModel":
            k = state.get("selected_index")
            children = [] if k is None else [children[k]]
        return 1 + sum(count(c) for c in children)

    return len(tops), sum(count(m) for m in tops)


def test_expected_views_walks_boxes_and_stacks():
    state = {
        "version_major": 2,
        "version_minor": 0,
        "state": {
            "box": {
                "model_name": "VBoxModel",
                "state": {"children": ["IPY_MODEL_s", "IPY_MODEL_k"]},
            },
            "s": {"model_name": "SelectionSliderModel", "state": {"index": 1}},
            "k": {
                "model_name": "StackModel",
                "state": {"children": ["IPY_MODEL_a", "IPY_MODEL_b"], "selected_index": 1},
            },
            "a": {"model_name": "HTMLModel", "state": {}},
            "b": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_a", "IPY_MODEL_s"]}},
            "l": {"model_name": "LinkModel", "state": {"source": ["IPY_MODEL_s", "index"]}},
        },
    }
    html = (
        f'<script type="application/vnd.jupyter.widget-state+json">{json.dumps(state)}</script>'
        '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "box"}</script>'
    )
    # box, slider, stack, and of the stack only child b (a VBox of two)
    assert expected_views(html) == (1, 6)


# ---------------------------------------------------------------- the browser check

WIDGET_PAGES = [
    p for p in built_pages() if "application/vnd.jupyter.widget-view+json" in p.read_text("utf-8")
]

# In the page: how far rendering got. Every widget view is a Lumino widget (class lm-Widget)
# inside the .widget-subarea the manager creates for each displayed widget.
PROGRESS_JS = """() => ({
    subareas: document.querySelectorAll('.widget-subarea').length,
    views: document.querySelectorAll('.widget-subarea .lm-Widget').length,
    broken: [...document.querySelectorAll('.widget-subarea, .jupyter-widgets')]
        .filter(e => /Error (displaying|creating) widget/.test(e.textContent.slice(0, 200))).length,
    mathjax: !!(window.MathJax && MathJax.startup && MathJax.startup.promise),
})"""
MATHJAX_DONE_JS = "() => MathJax.startup.promise.then(() => true)"
# Move every slider BURST steps right, BURST steps left, then back to where it started, all in
# one task (synchronous keydown events on the noUiSlider handles); returns the number of moves.
BURST = 3
BURST_JS = """(burst) => {
    const key = (h, k) => h.dispatchEvent(new KeyboardEvent('keydown', {key: k, bubbles: true}));
    const now = (h) => Number(h.getAttribute('aria-valuenow'));
    let moves = 0;
    for (const h of document.querySelectorAll('.widget-subarea .noUi-handle')) {
        const start = now(h);
        for (let i = 0; i < burst; i++) { key(h, 'ArrowRight'); moves++; }
        for (let i = 0; i < 2 * burst; i++) { key(h, 'ArrowLeft'); moves++; }
        for (let i = 0; i < 4 * burst && now(h) < start; i++) {
            const before = now(h);
            key(h, 'ArrowRight'); moves++;
            if (now(h) > start) { key(h, 'ArrowLeft'); break; }  // slider off its step grid
            if (now(h) === before) break;
        }
    }
    return moves;
}"""
# two animation frames: messages the widgets posted to themselves have been delivered
FRAMES_JS = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


class _Load:
    """One load of one page in a fresh browser context, collecting everything that goes wrong."""

    def __init__(self, browser, url: str):
        self.url = url
        self.problems: list[str] = []
        self.context = browser.new_context()
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(LOAD_TIMEOUT_MS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self._problem(f"pageerror: {exc}"))
        self.page.on(
            "response",
            lambda r: self._problem(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
        )
        self.started = time.monotonic()
        # "commit" returns as soon as the navigation starts: the loads run side by side
        self.page.goto(url, wait_until="commit")

    def _route(self, route):
        parts = urlsplit(route.request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
            self._problem(f"blocked request to {route.request.url}")
            route.abort()
        else:
            route.continue_()

    def _problem(self, text: str) -> None:
        if not any(marker in text for marker in HARMLESS_CONSOLE_ERRORS):
            self.problems.append(text)

    def _console(self, msg) -> None:
        if msg.type == "error":
            self._problem(f"console: {msg.text} ({msg.location.get('url', '')})")

    def _check_views(self, subareas: int, views: int, when: str) -> None:
        got = self.page.evaluate(PROGRESS_JS)
        if (got["subareas"], got["views"], got["broken"]) != (subareas, views, 0):
            self._problem(
                f"{when}: expected {subareas} widget areas with {views} widget views and no "
                f"broken widget, found {got['subareas']} areas, {got['views']} views, "
                f"{got['broken']} broken"
            )

    def finish(self, subareas: int, views: int) -> float:
        """Wait until every widget is drawn and MathJax is done; returns the seconds taken."""
        from playwright.sync_api import Error as PlaywrightError  # timeouts included

        page = self.page
        try:
            page.wait_for_function(
                f"() => ({PROGRESS_JS})().views >= {views} && ({PROGRESS_JS})().mathjax"
            )
            page.evaluate(MATHJAX_DONE_JS)
            page.evaluate(FRAMES_JS)
            page.wait_for_timeout(SETTLE_MS)
            seconds = time.monotonic() - self.started
            self._check_views(subareas, views, "after loading")
            if page.evaluate(BURST_JS, BURST) == 0:
                self._problem("no slider handle found for the burst")
            page.wait_for_function(f"() => ({PROGRESS_JS})().views === {views}")
            page.evaluate(FRAMES_JS)
            page.wait_for_timeout(SETTLE_MS)
            self._check_views(subareas, views, "after a burst of slider moves and back")
        except PlaywrightError as exc:  # a timeout: report it with whatever else went wrong
            seconds = time.monotonic() - self.started
            progress = "?"
            try:
                progress = page.evaluate(PROGRESS_JS)
            except PlaywrightError as inner:
                progress = f"unknown ({inner})"
            self._problem(f"not rendered: {type(exc).__name__}: {exc}; progress {progress}")
        finally:
            self.context.close()
        return seconds


@pytest.mark.parametrize(
    "page_file",
    WIDGET_PAGES or [None],
    ids=[str(p.relative_to(BOOK_HTML_DIR)) for p in WIDGET_PAGES] or ["book-not-built"],
)
def test_widget_page_loads_cleanly_every_time(page_file, book_html_dir, book_server, _chromium):
    if page_file is None:
        pytest.fail("no built page holds widgets (the book's widget chapters should)")
    rel = page_file.relative_to(book_html_dir).as_posix()
    subareas, views = expected_views(page_file.read_text(encoding="utf-8"))
    failed: list[str] = []
    times: list[float] = []
    pending: list[_Load] = []
    for i in range(LOADS_PER_PAGE):
        pending.append(_Load(_chromium, book_server + rel))
        if len(pending) == PARALLEL or i == LOADS_PER_PAGE - 1:
            for load in pending:
                times.append(load.finish(subareas, views))
                if load.problems:
                    failed.append(f"load {len(times)}: " + "\n    ".join(load.problems))
            pending = []
    summary = (
        f"{rel}: {len(failed)} of {LOADS_PER_PAGE} loads went wrong "
        f"(each load {min(times):.1f}-{max(times):.1f} s, {views} widget views expected)"
    )
    print(summary)
    assert not failed, summary + ":\n  " + "\n  ".join(failed)
