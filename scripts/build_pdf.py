"""Print the built HTML book to one PDF, ``book/_build/pdf/rnn_book.pdf``.

Every page of ``book/_toc.yml`` is opened in headless Chromium (Debian's ``/usr/bin/chromium``
driven by Playwright) from a local server over ``book/_build/html``, after MathJax has typeset
its formulas and the widgets have drawn their first frame; solutions are unfolded. Chromium
prints each page with the book's own fonts (Noto Sans CJK SC subsets, MathJax's fonts), so the
Chinese text and the formulas are real text in the PDF. The pages are joined with pypdf and
get one bookmark each, in the order of the table of contents.

Usage (after ``bash scripts/build_book.sh``)::

    .venv/bin/python scripts/build_pdf.py [--html book/_build/html] [--out book/_build/pdf/rnn_book.pdf]

``bash scripts/build_pdf.sh`` does both steps.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import threading
import time
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright
from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# What a printed page does not need: the site's navigation, buttons and the search box.
PRINT_CSS = """
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .header-article-items__end,
.prev-next-area, .bd-footer, .bd-footer-article, .bd-header-article, #pst-back-to-top,
.headerlink, .copybtn { display: none !important; }
.bd-main .bd-content .bd-article-container { max-width: 100% !important; }
details > summary { list-style: none; }
pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
"""


def toc_pages(toc: Path) -> list[str]:
    """Page paths (without suffix) in reading order: the root, then every chapter and section."""
    data = yaml.safe_load(toc.read_text(encoding="utf-8"))
    pages = [data["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))

    for part in data.get("parts", [{"chapters": data.get("chapters")}]):
        walk(part.get("chapters"))
    return pages


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # signature fixed by the base class
        pass


def _serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def _print_page(page, url: str) -> tuple[bytes, str]:
    page.goto(url, wait_until="networkidle", timeout=180_000)
    # MathJax 3 typesets asynchronously: wait until its startup promise has settled (Sphinx
    # loads MathJax only on pages that have a formula).
    if page.evaluate("() => !!document.querySelector('script[src*=mathjax]')"):
        page.wait_for_function("() => window.MathJax && MathJax.startup", timeout=120_000)
        page.evaluate("() => MathJax.startup.promise")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.add_style_tag(content=PRINT_CSS)
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    title = page.evaluate("() => (document.querySelector('main h1') || {}).textContent || ''")
    pdf = page.pdf(
        format="A4",
        print_background=True,
        margin={"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
        display_header_footer=True,
        header_template="<span></span>",
        footer_template=(
            '<div style="font-size:8px;width:100%;text-align:center;color:#666">'
            '<span class="title"></span> · <span class="pageNumber"></span></div>'
        ),
    )
    return pdf, title.replace("#", "").strip()


def build_pdf(html: Path, out: Path) -> dict:
    """Print every page of the table of contents into ``out``; returns page counts per page."""
    pages = toc_pages(ROOT / "book" / "_toc.yml")
    missing = [p for p in pages if not (html / f"{p}.html").is_file()]
    if missing:
        raise SystemExit(f"pages missing from {html} (build the book first): {missing}")
    server, base = _serve(html)
    writer = PdfWriter()
    counts = {}
    start = time.perf_counter()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            page.emulate_media(media="print")
            # The book is offline: a request to another host is a bug, never a wait.
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(base) else route.abort()
                ),
            )
            for name in pages:
                data, title = _print_page(page, f"{base}{name}.html")
                reader = PdfReader(io.BytesIO(data))
                first = len(writer.pages)
                for pdf_page in reader.pages:
                    writer.add_page(pdf_page)
                writer.add_outline_item(title or name, first)
                counts[name] = len(reader.pages)
                print(f"    {name}: {counts[name]} pages", flush=True)
            browser.close()
    finally:
        server.shutdown()
    writer.add_metadata({"/Title": "循环神经网络：从原理到实现", "/Author": "rnn_book 编写组"})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        writer.write(fh)
    total = sum(counts.values())
    print(
        f"==> {out}: {total} pages from {len(pages)} book pages "
        f"in {time.perf_counter() - start:.0f} s"
    )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "book" / "_build" / "html")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "book" / "_build" / "pdf" / "rnn_book.pdf"
    )
    args = parser.parse_args()
    build_pdf(args.html, args.out)


if __name__ == "__main__":
    main()
