"""Write the effective Jupyter Book config of one build (book/_config.yml plus switches).

    python scripts/book_config.py OUT.yml [--publish-config FILE] [--student] [--no-execute]
                                          [--book DIR]

* ``--publish-config`` (default ``book/publish.yml``): with a ``repository_url`` set, turns on the
  Binder, Colab and JupyterHub launch buttons (``launch_buttons``, ``repository``) and the web
  links of the downloadable notebooks; with it empty, nothing changes.
* ``--student``: the student edition (notebooks built without solutions; launch buttons off,
  since they open the repository's notebooks, which carry the solutions).
* ``--no-execute``: Sphinx only, no notebook execution (the tests' quick builds).

``jupyter-book build book --config OUT.yml`` then uses it (paths in it stay relative to the book).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "book" / "_ext"))

import nb_export

COLAB = "https://colab.research.google.com"
BINDER = "https://mybinder.org"


def effective_config(
    publish: Path, student: bool = False, execute: bool = True, book: Path = REPO / "book"
) -> dict:
    cfg = yaml.safe_load((REPO / "book" / "_config.yml").read_text(encoding="utf-8"))
    # Jupyter Book reads local extension folders relative to the config file: make them absolute
    # (the config is written elsewhere, and the student edition builds a copy of the book).
    local = cfg["sphinx"].get("local_extensions") or {}
    for name, folder in local.items():
        local[name] = str((Path(book) / folder).resolve())
    pub = nb_export.read_publish(publish)
    extra = cfg["sphinx"].setdefault("config", {})
    repo_url = pub.get("repository_url", "")
    if repo_url and not student:
        if not repo_url.startswith("https://github.com/"):
            raise SystemExit(
                f"repository_url must be https://github.com/OWNER/REPO, got {repo_url}"
            )

        def url(key, default):
            v = pub.get(key, "")
            return "" if v == "none" else (v or default).rstrip("/")

        cfg["repository"]["url"] = repo_url.rstrip("/")
        cfg["repository"]["branch"] = pub.get("branch") or "main"
        lb = cfg["launch_buttons"]
        lb["binderhub_url"] = url("binderhub_url", BINDER)
        lb["colab_url"] = url("colab_url", COLAB)
        lb["jupyterhub_url"] = url("hub_url", "")
        lb["thebe"] = False
        cfg["html"]["use_repository_button"] = True
    extra["nb_export_book_url"] = pub.get("book_url", "")
    extra["nb_export_repo_url"] = repo_url
    extra["nb_export_branch"] = pub.get("branch") or "main"
    extra["nb_export_student"] = bool(student)
    if student:
        cfg["title"] = cfg["title"] + "（学生版）"
    if not execute:
        cfg["execute"]["execute_notebooks"] = "off"
    return cfg


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--publish-config", type=Path, default=REPO / "book" / "publish.yml")
    ap.add_argument("--student", action="store_true")
    ap.add_argument("--no-execute", action="store_true")
    ap.add_argument("--book", type=Path, default=REPO / "book", help="the book folder built")
    args = ap.parse_args(argv)
    cfg = effective_config(args.publish_config, args.student, not args.no_execute, args.book)
    args.out.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
