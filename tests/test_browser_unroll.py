"""The unroll widget in the built, static HTML book: headless Chromium, no kernel, no network.

Loads chapters/unroll.html from a server on 127.0.0.1 (every other request is blocked by the
``browser_page`` fixture of conftest.py), then drives the sliders the way a reader does, with
the keyboard on the slider handles, and checks that the precomputed frame shown changes.
"""

from __future__ import annotations

import os
import shutil

import pytest

PAGE = "chapters/unroll.html"
# JS: titles of the widget SVGs that are actually laid out (a Stack hides the other children)
VISIBLE_TITLES = """(prefix) => [...document.querySelectorAll('svg > title')]
    .filter(t => t.textContent.startsWith(prefix))
    .filter(t => { const r = t.parentElement.getBoundingClientRect(); return r.width > 0 && r.height > 0; })
    .map(t => t.textContent)"""


def _visible(page, prefix: str) -> list[str]:
    return page.evaluate(VISIBLE_TITLES, prefix)


def _wait_visible(page, prefix: str, expected: str, timeout: float = 15_000) -> None:
    page.wait_for_function(
        f"(args) => ({VISIBLE_TITLES})(args[0]).length === 1"
        " && ({VISIBLE_TITLES})(args[0])[0] === args[1]".replace(
            "{VISIBLE_TITLES}", VISIBLE_TITLES
        ),
        arg=[prefix, expected],
        timeout=timeout,
    )


def _handle(page, description: str):
    slider = page.locator(".widget-slider", has=page.locator("label", has_text=description))
    assert slider.count() == 1, f"expected one slider described {description!r}"
    return slider.locator(".noUi-handle")


def test_unroll_widget_scrubs_time_steps_offline(browser_page, book_server, tmp_path):
    page, blocked, errors = browser_page
    page.set_viewport_size({"width": 1200, "height": 1000})
    page.goto(book_server + PAGE, wait_until="load")
    page.wait_for_selector("label:has-text('当前时间步 t')", timeout=60_000)

    # every control carries a visible description
    for desc in ("当前时间步 t", "序列长度 T", "W 缩放 s", "仅限运行中的内核：W[0,1]"):
        assert page.locator("label.widget-label", has_text=desc).count() == 1, desc

    # one frame and one set of matrices on screen: scale 1, all T = 4 steps, step 1
    _wait_visible(page, "展开的 RNN", "展开的 RNN，W 缩放 1，T = 4，第 1 步")
    assert _visible(page, "U、W、V（W 缩放") == ["U、W、V（W 缩放 1）"]
    frame = page.locator("svg:visible", has_text="展开的 RNN，W 缩放 1，T = 4，第 1 步")
    before = frame.screenshot()

    # scrub: step t 1 -> 2 -> 3 with the keyboard on the handle, as a reader would
    handle = _handle(page, "当前时间步 t")
    handle.focus()
    handle.press("ArrowRight")
    _wait_visible(page, "展开的 RNN", "展开的 RNN，W 缩放 1，T = 4，第 2 步")
    handle.press("ArrowRight")
    _wait_visible(page, "展开的 RNN", "展开的 RNN，W 缩放 1，T = 4，第 3 步")
    shown = page.locator("svg:visible", has_text="展开的 RNN，W 缩放 1，T = 4，第 3 步")
    assert "h3 = tanh(U x3 + W h2 + b)" in shown.text_content()
    after = shown.screenshot()
    assert after != before  # the pixels on screen changed, not only the DOM

    # the shared-weight control switches every step at once, and the matrices with it
    scale = _handle(page, "W 缩放 s")
    scale.focus()
    scale.press("ArrowRight")
    _wait_visible(page, "展开的 RNN", "展开的 RNN，W 缩放 2，T = 4，第 3 步")
    assert _visible(page, "U、W、V（W 缩放") == ["U、W、V（W 缩放 2）"]

    # a shorter sequence keeps the step (and the parameter count, printed in every frame)
    length = _handle(page, "序列长度 T")
    length.focus()
    length.press("ArrowLeft")
    _wait_visible(page, "展开的 RNN", "展开的 RNN，W 缩放 2，T = 3，第 3 步")
    text = page.locator("svg:visible", has_text="T = 3，第 3 步").text_content()
    assert "3 个 U 箭头、2 个 W 箭头、3 个 V 箭头" in text

    widget = page.locator(".jupyter-widgets.widget-vbox", has=handle).first
    shot = tmp_path / "unroll.png"
    widget.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("RNN_BOOK_SCREENSHOTS"):
        out = os.environ["RNN_BOOK_SCREENSHOTS"]
        os.makedirs(out, exist_ok=True)
        shutil.copy(shot, os.path.join(out, "unroll.png"))

    assert blocked == []
    assert errors == []


@pytest.mark.parametrize("page_name", [PAGE])
def test_unroll_page_stays_small(book_html_dir, page_name):
    size = (book_html_dir / page_name).stat().st_size
    assert size < 3_000_000, f"{page_name}: {size} bytes"
