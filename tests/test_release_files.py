"""The files an adopter looks for: licence, citation, changelog, and the version everywhere.

The version has one source, ``rnn_book.__version__``; the citation file, the changelog's newest
entry and the footer of every built page must all show it.
"""

from __future__ import annotations

import re

import pytest
from conftest import REPO_ROOT

import rnn_book


def test_licence_states_code_text_and_vendored_licences():
    text = (REPO_ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in text
    assert "CC BY 4.0" in text
    for vendored in ("book/assets/vendor/", "OFL", "src/rnn_book/data/SOURCE.md"):
        assert vendored in text, vendored


def test_citation_file_has_the_package_version():
    text = (REPO_ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(r"^cff-version: 1\.2\.0$", text, re.MULTILINE)
    assert re.search(rf"^version: {re.escape(rnn_book.__version__)}$", text, re.MULTILINE)


def test_changelog_newest_entry_is_the_package_version():
    text = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## (\d+\.\d+\.\d+)", text, re.MULTILINE)
    assert versions, "CHANGELOG.md has no '## X.Y.Z' entry"
    assert versions[0] == rnn_book.__version__


def test_pyproject_reads_the_version_from_the_package():
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in text
    assert 'attr = "rnn_book.__version__"' in text


def test_every_page_footer_shows_the_version(book_html_dir):
    pages = sorted(book_html_dir.rglob("*.html"))
    pages = [p for p in pages if "_static" not in p.parts and p.name not in ("search.html",)]
    assert pages
    expected = f"rnn_book 版本 {rnn_book.__version__}"
    missing = [
        str(p.relative_to(book_html_dir))
        for p in pages
        if "http-equiv" not in p.read_text(encoding="utf-8")[:600]
        and expected not in p.read_text(encoding="utf-8")
    ]
    assert missing == [], f"pages without '{expected}' in the footer: {missing}"


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(pytest.main([__file__, "-q"]))
