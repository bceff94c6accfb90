"""Chinese full-text search for the book (registered in ``book/_config.yml``).

Sphinx's own Chinese search (``sphinx.search.zh``) segments page text with jieba and loads the
user dictionary named by ``html_search_options["dict"]``. This extension changes three things:

* the index also holds every dictionary word inside a longer word (``门控`` inside
  ``门控循环单元``, ``反向传播`` inside ``随时间反向传播``), not only the 2- and 3-character ones
  that ``jieba.cut_for_search`` adds; tokens without a Chinese character (spaces, punctuation)
  are left out, Latin words are indexed as before;
* the browser splits a Chinese query the same way (``zh_search.js``, put into
  ``language_data.js``): the stock splitter keeps ``遗忘门的作用`` as one term, which matches
  nothing;
* jieba stays quiet (it logs "Building prefix dict ..." to stderr), and a ``dict`` path is read
  relative to the book folder and must exist, instead of being silently skipped.

jieba caches its parsed main dictionary as ``jieba.cache`` in the system temp folder
(``tempfile.gettempdir()``); nothing is written into the checkout.
"""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path

from sphinx.errors import ConfigError
from sphinx.search.zh import SearchChinese

with warnings.catch_warnings():
    # Older setuptools warn when jieba imports pkg_resources; that is not the book's concern.
    warnings.simplefilter("ignore")
    import jieba

jieba.setLogLevel(logging.WARNING)

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
SPLITTER_JS = Path(__file__).with_name("zh_search.js").read_text(encoding="utf-8")


def index_words(text: str) -> list[str]:
    """Chinese words of ``text`` for the index: jieba's words plus the dictionary words inside them."""
    words = []
    for token in jieba.cut(text):
        if not HAN.search(token):
            continue
        words.append(token)
        for size in range(2, len(token)):
            for start in range(len(token) - size + 1):
                part = token[start : start + size]
                if jieba.dt.FREQ.get(part):
                    words.append(part)
    return words


class BookChineseSearch(SearchChinese):
    """``sphinx.search.zh.SearchChinese`` with sub-word indexing and a matching query splitter."""

    js_splitter_code = SPLITTER_JS

    def init(self, options: dict[str, str]) -> None:
        super().init(options)  # loads the user dictionary, if any
        jieba.initialize()
        self.latin_terms = set()  # the parent's class-wide list grows with every text node

    def split(self, input: str) -> list[str]:
        latin = [term.strip() for term in self.latin1_letters.findall(input)]
        self.latin_terms.update(latin)
        return index_words(input) + latin


def resolve_dict_path(app, config) -> None:
    options = dict(config.html_search_options or {})
    if "dict" not in options:
        return
    path = Path(app.confdir, options["dict"]).resolve()
    if not path.is_file():
        raise ConfigError(f"html_search_options: user dictionary {path} does not exist")
    options["dict"] = str(path)
    config.html_search_options = options


def setup(app):
    app.add_search_language(BookChineseSearch)
    app.connect("config-inited", resolve_dict_path)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
