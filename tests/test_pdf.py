"""The printable book: ``book/_build/pdf/rnn_book.pdf`` (``scripts/build_pdf.py``).

``scripts/test.sh`` prints the PDF after building the HTML book; these tests read it with
pypdf: one bookmark per page of the table of contents in reading order, a plausible page count,
the Chinese text and a formula (LSTM's cell update, typeset by MathJax) present as text, and the
figures embedded as images.
"""

from __future__ import annotations

import importlib.util
import re

import pytest
from conftest import REPO_ROOT, _missing

PDF = REPO_ROOT / "book" / "_build" / "pdf" / "rnn_book.pdf"


def _load_builder():
    spec = importlib.util.spec_from_file_location(
        "build_pdf", REPO_ROOT / "scripts" / "build_pdf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reader():
    pypdf = pytest.importorskip("pypdf")
    if not PDF.is_file():
        _missing(f"{PDF} is missing; run `bash scripts/build_pdf.sh`")
    return pypdf.PdfReader(PDF)


def _text(reader, pages) -> str:
    return re.sub(r"\s+", "", "".join(reader.pages[i].extract_text() for i in pages))


def test_toc_pages_in_reading_order():
    pages = _load_builder().toc_pages(REPO_ROOT / "book" / "_toc.yml")
    assert pages[0] == "intro"
    assert pages.index("chapters/unroll") < pages.index("chapters/lstm")
    assert pages[-1] == "bibliography"
    assert len(pages) == len(set(pages))


def test_one_bookmark_per_page_and_plausible_length(reader):
    toc = _load_builder().toc_pages(REPO_ROOT / "book" / "_toc.yml")
    outline = reader.outline
    assert len(outline) == len(toc)
    starts = [reader.get_destination_page_number(item) for item in outline]
    assert starts == sorted(starts) and len(set(starts)) == len(starts), starts
    # every book page prints to at least one PDF page; the whole book is a book, not a leaflet
    assert 3 * len(toc) <= len(reader.pages) <= 3000, len(reader.pages)


def test_chinese_text_and_a_formula_are_text(reader):
    titles = [item.title for item in reader.outline]
    assert "循环神经网络简史" in titles
    lstm = next(i for i, t in enumerate(titles) if t.startswith("长短期记忆网络"))
    first = reader.get_destination_page_number(reader.outline[lstm])
    last = reader.get_destination_page_number(reader.outline[lstm + 1])
    text = _text(reader, range(first, last))
    assert "细胞状态" in text
    # equation (5) of the LSTM page, c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t, as MathJax typeset it
    assert "ct=ft⊙ct−1+it⊙gt" in text


def test_figures_are_embedded(reader):
    images = 0
    for page in reader.pages:  # image XObjects, counted without decoding them
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        images += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
    html_images = sum(
        len(re.findall(r'<img[^>]+src="\.\./_images/', page.read_text(encoding="utf-8")))
        for page in (REPO_ROOT / "book" / "_build" / "html" / "chapters").glob("*.html")
    )
    assert html_images > 0
    assert images >= html_images, (images, html_images)
