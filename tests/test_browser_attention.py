"""The alignment widget in the built, static HTML book: headless Chromium, no kernel, no network.

Loads chapters/attention.html from a server on 127.0.0.1 (every other request is blocked by the
``browser_page`` fixture of conftest.py), scrubs the output steps with the keyboard on the
slider handle and picks another example in the menu, and checks that the precomputed frame on
screen changes each time, with no console error.
"""

from __future__ import annotations

PAGE = "chapters/attention.html"
TITLE = "注意力权重，第 "
# JS: titles of the alignment SVGs that are laid out (a Stack hides the other children)
VISIBLE = """(prefix) => [...document.querySelectorAll('svg > title')]
    .filter(t => t.textContent.startsWith(prefix))
    .filter(t => { const r = t.parentElement.getBoundingClientRect(); return r.width > 0 && r.height > 0; })
    .map(t => t.textContent)"""


def _wait_step(page, step: int, timeout: float = 15_000) -> str:
    prefix = f"{TITLE}{step} 步"
    page.wait_for_function(
        f"(p) => {{ const v = ({VISIBLE})('{TITLE}'); return v.length === 1 && v[0].startsWith(p); }}",
        arg=prefix,
        timeout=timeout,
    )
    return page.locator("svg:visible", has_text=prefix).first.text_content()


def test_alignment_widget_scrubs_output_steps_offline(browser_page, book_server):
    page, blocked, errors = browser_page
    page.set_viewport_size({"width": 1200, "height": 1000})
    page.goto(book_server + PAGE, wait_until="load")
    page.wait_for_selector("label:has-text('输出步 t')", timeout=60_000)
    for desc in ("输出步 t", "例子", "仅限运行中的内核：自己输入"):
        assert page.locator("label.widget-label", has_text=desc).count() == 1, desc

    first = _wait_step(page, 1)
    slider = page.locator(".widget-slider", has=page.locator("label", has_text="输出步 t"))
    handle = slider.locator(".noUi-handle")
    handle.focus()
    handle.press("ArrowRight")
    second = _wait_step(page, 2)
    handle.press("ArrowRight")
    third = _wait_step(page, 3)
    assert len({first, second, third}) == 3

    # another example: same step, another source
    menu = page.locator(".widget-dropdown", has=page.locator("label", has_text="例子"))
    menu.locator("select").select_option(index=1)
    page.wait_for_function(
        f"(old) => {{ const v = ({VISIBLE})('{TITLE}'); return v.length === 1 && "
        "[...document.querySelectorAll('svg')].some(s => s.getBoundingClientRect().width > 0 "
        "&& s.textContent.includes('第 3 步，写出') && s.textContent !== old); }",
        arg=third,
    )
    other = _wait_step(page, 3)
    assert other != third

    assert blocked == []
    assert errors == []
