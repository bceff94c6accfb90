"""Shared fixtures for the tests that look at the built HTML book.

The book is built by ``bash scripts/build_book.sh`` (``scripts/test.sh`` builds it before running
pytest) into ``book/_build/html``. Tests that need it use these fixtures:

- ``book_html_dir`` -> ``pathlib.Path`` of ``book/_build/html``.
- ``book_server`` -> base URL ``"http://127.0.0.1:<port>/"`` of a static HTTP server over that
  folder, running in a background thread for the whole session.
- ``browser_page`` -> ``(page, blocked_requests, console_errors)``: a fresh Playwright page in
  headless Debian Chromium (``/usr/bin/chromium``) whose every request to a host other than
  127.0.0.1 is aborted and recorded in ``blocked_requests`` (list of URLs), and whose console
  errors, uncaught page errors and HTTP responses >= 400 are collected in ``console_errors``
  (list of str). A test asserts on both lists after it has done its work, e.g.::

      def test_widgets(book_server, browser_page):
          page, blocked, errors = browser_page
          page.goto(book_server + "chapters/structures.html")
          ...
          assert blocked == []
          assert errors == []

When something is missing (book not built, Playwright or Chromium not installed) these fixtures
skip with the reason. ``scripts/test.sh`` sets ``RNN_BOOK_REQUIRE_BOOK=1`` after building the book
and installing Chromium, which turns those skips into failures so CI cannot pass vacuously.

PyTorch is the reference of the parity tests. Tests that need it call
``pytest.importorskip("torch")`` or take the ``torch`` fixture below, so they skip where torch is
not installed. With ``RNN_BOOK_REQUIRE_TORCH=1`` (set by ``scripts/test.sh``) every such skip is
turned into a failure by ``pytest_runtest_makereport`` below: CI cannot pass with the parity
tests silently skipped. sacrebleu, the reference of ``tests/test_bleu.py``, is in the same test
extra and follows the same rule (the ``sacrebleu`` fixture; a missing sacrebleu fails under
``RNN_BOOK_REQUIRE_TORCH=1``).

Hypothesis (``tests/test_properties.py``) runs under the profile ``"rnn_book"`` registered here:
derandomized and without an example database, so every run draws the same examples and a
failure on CI reproduces locally. ``HYPOTHESIS_PROFILE=dev`` selects a randomized profile with
more examples for exploring by hand.
"""

from __future__ import annotations

import functools
import http.server
import importlib.metadata
import os
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
BOOK_HTML_DIR = REPO_ROOT / "book" / "_build" / "html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# sphinx-thebe writes `const THEBE_JS_URL = ...` twice into every page; the second declaration
# raises a SyntaxError in the console that changes nothing on the page.
HARMLESS_CONSOLE_ERRORS = ("THEBE_JS_URL",)


# ---------------------------------------------------------------- hypothesis profiles
try:
    from hypothesis import HealthCheck, settings
except ImportError:  # only tests/test_properties.py needs it, and it skips without it
    settings = None
else:
    settings.register_profile(
        "rnn_book",
        derandomize=True,  # the same examples on every run and machine
        database=None,  # no .hypothesis/ folder: nothing carried over between runs
        deadline=None,  # timing on a shared 2-core machine is no correctness criterion
        max_examples=40,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile(
        "dev", parent=settings.get_profile("rnn_book"), derandomize=False, max_examples=300
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "rnn_book"))


# ---------------------------------------------------------------- torch: skip or fail
REQUIRE_TORCH = "RNN_BOOK_REQUIRE_TORCH"
# The reasons pytest.importorskip("torch") gives (module missing, or older than minversion);
# sacrebleu (the BLEU reference, same test extra) is required under the same flag.
_TORCH_SKIP = re.compile(r"(could not import|module) '(torch|sacrebleu)'")


def torch_required() -> bool:
    """True when the run promised PyTorch (``RNN_BOOK_REQUIRE_TORCH=1``, set by scripts/test.sh)."""
    return os.environ.get(REQUIRE_TORCH) == "1"


def _fail_torch_skip(report) -> None:
    """Turn a skip for missing torch (or sacrebleu) into a failure when torch is required."""
    if not (report.skipped and torch_required()) or hasattr(report, "wasxfail"):
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    match = _TORCH_SKIP.search(reason)
    if not match:
        return
    what = "PyTorch" if match.group(2) == "torch" else match.group(2)
    report.outcome = "failed"
    report.longrepr = (
        f"{reason}\n{REQUIRE_TORCH}=1: {what} is required for this run, so this test must "
        "run, not skip. Install the test extra (pip install -e '.[test]') or unset "
        f"{REQUIRE_TORCH} to allow the skip."
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    _fail_torch_skip(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    # a module-level importorskip("torch") skips the whole file at collection
    report = yield
    _fail_torch_skip(report)
    return report


def pytest_report_header(config):
    try:
        version = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        version = "not installed"
    mode = "required" if torch_required() else "optional (tests skip without it)"
    profile = settings.get_current_profile_name() if settings else "(hypothesis not installed)"
    return f"rnn_book: torch {version}, {mode}; hypothesis profile {profile}"


@pytest.fixture(scope="session")
def torch():
    """The ``torch`` module; skips without it (fails under ``RNN_BOOK_REQUIRE_TORCH=1``)."""
    return pytest.importorskip("torch")


@pytest.fixture(scope="session")
def sacrebleu():
    """The ``sacrebleu`` module; skips without it (fails under ``RNN_BOOK_REQUIRE_TORCH=1``)."""
    return pytest.importorskip("sacrebleu")


# ---------------------------------------------------------------- the built book
def _missing(reason: str) -> None:
    """Skip, or fail when scripts/test.sh promised that the book and browser are there."""
    if os.environ.get("RNN_BOOK_REQUIRE_BOOK") == "1":
        pytest.fail(reason + " (RNN_BOOK_REQUIRE_BOOK=1: scripts/test.sh should have provided it)")
    pytest.skip(reason)


def built_pages(html_dir: Path = BOOK_HTML_DIR) -> list[Path]:
    """All HTML pages of the built book (theme templates under _static/ excluded), sorted."""
    if not (html_dir / "index.html").is_file():
        return []
    return sorted(
        p for p in html_dir.rglob("*.html") if not p.relative_to(html_dir).parts[0].startswith("_")
    )


@pytest.fixture(scope="session")
def book_html_dir() -> Path:
    """Path of the built HTML book, ``book/_build/html``; skips if the book is not built."""
    if not (BOOK_HTML_DIR / "index.html").is_file():
        _missing(
            f"the book is not built ({BOOK_HTML_DIR / 'index.html'} is missing); "
            "run `bash scripts/build_book.sh` first"
        )
    return BOOK_HTML_DIR


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # signature fixed by the base class
        pass


@pytest.fixture(scope="session")
def book_server(book_html_dir: Path):
    """Base URL (``"http://127.0.0.1:<port>/"``) of a static server over the built book.

    The server binds a free port on 127.0.0.1 only and serves from a daemon thread; it is shut
    down at the end of the test session.
    """
    handler = functools.partial(_QuietHandler, directory=str(book_html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def _chromium():
    """One headless Debian Chromium for the session (Playwright's own browsers are not used)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.is_file():
        _missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(_chromium, book_server):
    """``(page, blocked_requests, console_errors)`` for one test, in a fresh browser context.

    - ``page``: a Playwright ``Page``; navigate with ``page.goto(book_server + "intro.html")``.
    - ``blocked_requests``: URLs of every request the page attempted to any host other than
      127.0.0.1 (each one was aborted). An offline book leaves this empty.
    - ``console_errors``: console messages of type "error", uncaught page errors and
      "HTTP <status> <url>" for every response >= 400 (e.g. a missing vendored font), excluding
      only the known harmless duplicate ``THEBE_JS_URL`` declaration.
    """
    blocked_requests: list[str] = []
    console_errors: list[str] = []

    def route(route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
            blocked_requests.append(url)
            route.abort()
        else:
            route.continue_()

    def keep(text: str) -> bool:
        return not any(marker in text for marker in HARMLESS_CONSOLE_ERRORS)

    def on_console(msg):
        if msg.type == "error" and keep(msg.text):
            console_errors.append(f"console: {msg.text} ({msg.location.get('url', '')})")

    def on_page_error(exc):
        text = f"pageerror: {exc}"
        if keep(text):
            console_errors.append(text)

    def on_response(response):
        if response.status >= 400:
            console_errors.append(f"HTTP {response.status} {response.url}")

    context = _chromium.new_context()
    context.route("**/*", route)
    page = context.new_page()
    # Generous waits: a loaded 2-core machine (CI shares it) can take well over Playwright's
    # 30 s default to typeset a long page; these are guards against hangs, not speed checks.
    page.set_default_timeout(180_000)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("response", on_response)
    try:
        yield page, blocked_requests, console_errors
    finally:
        context.close()
