"""The API reference (book/api/) covers every public name, and every public name is documented.

Public names: ``__all__`` of ``rnn_book``, ``rnn_book.data``, ``rnn_book.figures`` and of each
``rnn_book.chapters`` module. A name counts as documented in the pages when an ``automodule``
directive with ``:members:`` renders it (the defining module lists it in its ``__all__``; a
constant also needs a ``#:`` comment or docstring there, which is what autodoc shows), or when
an explicit ``autofunction``/``autoclass``/``autodata`` directive names it.
"""

import functools
import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sphinx.pycode import ModuleAnalyzer

import rnn_book
import rnn_book.chapters

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "book" / "api"

PACKAGES = ["rnn_book", "rnn_book.data", "rnn_book.figures"] + [
    f"rnn_book.chapters.{m.name}" for m in pkgutil.iter_modules(rnn_book.chapters.__path__)
]

DIRECTIVE = re.compile(r"^\.\. (auto\w+):: (\S+)\n((?:   :.*\n)*)", re.MULTILINE)


def public_names():
    for modname in PACKAGES:
        module = importlib.import_module(modname)
        for name in module.__all__:
            yield modname, name


@functools.cache
def api_directives():
    """{module: set of excluded names} for automodule :members:, and explicit full names."""
    automodules, explicit, all_modules = {}, set(), set()
    for page in sorted(API.glob("*.md")):
        for kind, target, opts in DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            options = dict(
                re.match(r"\s*:([\w-]+):\s*(.*)", line).groups() for line in opts.splitlines()
            )
            if kind == "automodule":
                all_modules.add(target)
                if "members" in options:
                    assert not options["members"], f"{target}: list members in __all__ instead"
                    excluded = options.get("exclude-members", "")
                    automodules[target] = {n.strip() for n in excluded.split(",") if n.strip()}
            else:
                explicit.add(target)
    return automodules, explicit, all_modules


@functools.cache
def attr_docs(modname):
    return {name for (ns, name) in ModuleAnalyzer.for_module(modname).find_attr_docs() if not ns}


def is_constant(obj):
    return not (inspect.ismodule(obj) or inspect.isclass(obj) or callable(obj))


def documented_in(modname, name, obj, automodules, explicit):
    """Full names under which the API pages render ``obj`` (looked up from ``modname``)."""
    places = []
    for target, excluded in automodules.items():
        module = importlib.import_module(target)
        listed = name in getattr(module, "__all__", ()) and name not in excluded
        has_doc = not is_constant(obj) or name in attr_docs(target)
        if listed and getattr(module, name) is obj and has_doc:
            places.append(f"{target}.{name}")
    places += [t for t in explicit if t.rsplit(".", 1)[-1] == name and _resolve(t) is obj]
    return places


def _resolve(full):
    modname, attr = full.rsplit(".", 1)
    return getattr(importlib.import_module(modname), attr, None)


def test_there_are_public_names():
    names = list(public_names())
    assert len(names) > 200
    assert len({(m, n) for m, n in names}) == len(names)


@pytest.mark.parametrize(("modname", "name"), list(public_names()))
def test_public_name_has_a_docstring(modname, name):
    obj = getattr(importlib.import_module(modname), name)
    if is_constant(obj):
        # a constant is documented by a "#:" comment where it is assigned
        homes = [m for m, _ in _homes(name, obj)]
        assert homes, f"{modname}.{name}: constant without a '#:' comment in any module"
    else:
        doc = inspect.getdoc(obj)
        assert doc and doc.strip(), f"{modname}.{name} has no docstring"


def _homes(name, obj):
    """(module, name) pairs of rnn_book modules that assign ``obj`` with an attribute doc."""
    for modname in _all_modules():
        module = importlib.import_module(modname)
        if getattr(module, name, None) is obj and name in attr_docs(modname):
            yield modname, name


def _all_modules():
    names = ["rnn_book"]
    for info in pkgutil.walk_packages(rnn_book.__path__, "rnn_book."):
        names.append(info.name)
    return names


@pytest.mark.parametrize(("modname", "name"), list(public_names()))
def test_public_name_is_in_the_api_pages(modname, name):
    automodules, explicit, all_modules = api_directives()
    obj = getattr(importlib.import_module(modname), name)
    if inspect.ismodule(obj):
        assert obj.__name__ in all_modules, f"{modname}.{name}: module has no automodule"
        return
    places = documented_in(modname, name, obj, automodules, explicit)
    assert places, f"{modname}.{name} appears on no page of book/api/"


def test_api_pages_are_in_the_toc():
    toc = (ROOT / "book" / "_toc.yml").read_text(encoding="utf-8")
    for page in API.glob("*.md"):
        assert f"file: api/{page.stem}" in toc, page.name


def test_importing_the_package_is_silent():
    # autodoc imports every documented module during the build, where stderr output fails it
    code = (
        "import importlib, pkgutil, rnn_book\n"
        "for m in pkgutil.walk_packages(rnn_book.__path__, 'rnn_book.'):\n"
        "    importlib.import_module(m.name)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True
    )
    assert done.stderr == ""
    assert done.stdout == ""
