"""Show the package version in the footer of every page (registered in ``book/_config.yml``).

The version has one source, ``__version__`` in ``src/rnn_book/__init__.py`` (``pyproject.toml``
reads it from there too). It is read from the file, not imported, so the footer shows the
version of the checkout being built even when an older copy of the package is installed.
"""

from __future__ import annotations

import ast
from pathlib import Path

INIT = Path(__file__).resolve().parents[2] / "src" / "rnn_book" / "__init__.py"


def package_version(init: Path = INIT) -> str:
    """The string assigned to ``__version__`` in ``init``."""
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise RuntimeError(f"no __version__ assignment in {init}")


def _add_version(app, config) -> None:
    version = package_version()
    config.version = config.release = version
    options = dict(config.html_theme_options or {})
    footer = options.get("extra_footer", "")
    options["extra_footer"] = f'{footer}<p class="rnn-book-version">rnn_book 版本 {version}</p>'
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _add_version)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
