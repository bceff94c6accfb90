"""The book's search finds Chinese words.

Sphinx cuts page text into words with jieba and the book's user dictionary
(``book/search/userdict.txt``, loaded by ``book/_ext/zh_search.py``); the browser cuts a query
with the splitter that extension puts into ``language_data.js``. Checked here:

- the segmentation itself (no built book needed): the book's terms stay whole, the dictionary
  words inside them are indexed too, punctuation is left out;
- the built ``searchindex.js`` holds the book's terms, each on the pages that use it;
- in headless Chromium, ``search.html?q=...`` lists the right chapters for 遗忘门, 困惑度 and
  藏头诗, a query without spaces such as 遗忘门的作用 is cut into words, and every word must be
  on a listed page.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from conftest import REPO_ROOT

BOOK = REPO_ROOT / "book"
USERDICT = BOOK / "search" / "userdict.txt"

# query -> pages (docnames) that must be among its results
EXPECTED = {
    "遗忘门": {"chapters/lstm"},
    "困惑度": {"chapters/structures_poems"},
    "藏头诗": {"chapters/structures_poems"},
}


def userdict_words() -> list[str]:
    lines = USERDICT.read_text(encoding="utf-8").splitlines()
    return [line.split()[0] for line in lines if line.strip()]


@pytest.fixture(scope="module")
def zh_search():
    """The book's search extension module, with its user dictionary loaded."""
    pytest.importorskip("jieba")
    sys.path.insert(0, str(BOOK / "_ext"))
    try:
        import zh_search
    finally:
        sys.path.remove(str(BOOK / "_ext"))
    zh_search.BookChineseSearch({"dict": str(USERDICT)})  # init() loads the dictionary
    return zh_search


def load_index(html_dir: Path) -> dict:
    text = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def pages_with(index: dict, word: str) -> set[str]:
    """Docnames whose text or titles hold ``word`` as an indexed term."""
    pages = set()
    for table in (index["terms"], index["titleterms"]):
        files = table.get(word, [])
        for f in [files] if isinstance(files, int) else files:
            pages.add(index["docnames"][f])
    return pages


# ---------------------------------------------------------------- segmentation (no build)
def test_userdict_is_jieba_format():
    words = userdict_words()
    assert len(words) == len(set(words)), "duplicate entries"
    for line in USERDICT.read_text(encoding="utf-8").splitlines():
        assert re.fullmatch(r"\S+ \d+ [a-z]+", line), f"not 'word freq tag': {line!r}"
    for term in EXPECTED:
        assert term in words


def test_book_terms_stay_whole(zh_search):
    sentence = "遗忘门决定细胞状态保留多少，困惑度越低越好；藏头诗用门控循环单元写。"
    words = zh_search.index_words(sentence)
    for term in ("遗忘门", "细胞状态", "困惑度", "藏头诗", "门控循环单元"):
        assert term in words, words
    # dictionary words inside a longer word are indexed as well
    assert {"门控", "循环", "单元"} <= set(words)
    # punctuation and other tokens without a Chinese character are not
    assert not any(w in "，；。 " for w in words)


def test_latin_words_still_indexed(zh_search):
    lang = zh_search.BookChineseSearch({})
    assert {"LSTM", "BPTT", "GRU"} <= set(lang.split("LSTM 与 GRU 都用 BPTT 训练"))


def test_missing_user_dictionary_is_an_error(zh_search, tmp_path):
    from sphinx.errors import ConfigError

    app = SimpleNamespace(confdir=str(tmp_path))
    with pytest.raises(ConfigError):
        config = SimpleNamespace(html_search_options={"dict": "search/userdict.txt"})
        zh_search.resolve_dict_path(app, config)
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "userdict.txt").write_text("遗忘门 2000 n\n", encoding="utf-8")
    config = SimpleNamespace(html_search_options={"dict": "search/userdict.txt"})
    zh_search.resolve_dict_path(app, config)
    assert Path(config.html_search_options["dict"]).is_absolute()


# ---------------------------------------------------------------- the built index
@pytest.mark.parametrize("term", sorted(EXPECTED))
def test_searchindex_holds_term(term, book_html_dir):
    found = pages_with(load_index(book_html_dir), term)
    assert EXPECTED[term] <= found, f"{term}: indexed on {sorted(found)}"


def test_searchindex_holds_every_book_term(book_html_dir):
    """Each user-dictionary word that the book's pages use is a search term."""
    index = load_index(book_html_dir)
    sources = [BOOK / "intro.md", *sorted((BOOK / "chapters").glob("*.md"))]
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    used = [w for w in userdict_words() if w in text]
    missing = [w for w in used if not pages_with(index, w)]
    assert len(used) > 80
    assert missing == [], f"book terms missing from searchindex.js: {missing}"


# ---------------------------------------------------------------- in the browser
def run_search(page, base: str, query: str) -> list[str]:
    """Docnames listed by the book's search page for ``query`` (in result order, unique)."""
    page.goto(base + "search.html?q=" + quote(query), wait_until="load")
    page.wait_for_function(
        "() => { const s = document.querySelector('#search-results .search-summary');"
        " return s !== null && s.innerText.trim() !== ''; }",
        timeout=30_000,
    )
    hrefs = page.eval_on_selector_all(
        "#search-results ul.search li a", "links => links.map(a => a.getAttribute('href'))"
    )
    docs = [re.sub(r"\.html(#.*)?$", "", h) for h in hrefs]
    return list(dict.fromkeys(docs))


@pytest.mark.parametrize("query", sorted(EXPECTED))
def test_search_page_finds_chinese_term(query, book_server, browser_page):
    page, blocked, errors = browser_page
    results = run_search(page, book_server, query)
    assert EXPECTED[query] <= set(results), f"{query}: results {results}"
    assert blocked == [] and errors == [], blocked + errors


def test_query_without_spaces_is_cut_into_words(book_server, browser_page, book_html_dir):
    page, blocked, errors = browser_page
    results = run_search(page, book_server, "遗忘门的作用")
    assert page.evaluate("() => splitQuery('遗忘门的作用')") == ["遗忘门", "作用"]
    assert "chapters/lstm" in results
    # every listed page holds both words (Sphinx alone would also list pages with only 作用)
    index = load_index(book_html_dir)
    both = pages_with(index, "遗忘门") & pages_with(index, "作用")
    assert set(results) <= both, f"results {results}, pages with both words {sorted(both)}"
    # an unknown word is not shortened to a known part of it
    assert page.evaluate("() => splitQuery('量子力学')") == ["量子力学"]
    assert blocked == [] and errors == [], blocked + errors
