"""The documentation: docstring examples run, and the Sphinx site builds without warnings."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import subprocess
import sys

import pytest
from conftest import ROOT

import yzmaturity

MODULES = sorted(
    m.name
    for m in pkgutil.iter_modules(yzmaturity.__path__, "yzmaturity.")
    if m.name != "yzmaturity.__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, monkeypatch):
    monkeypatch.chdir(ROOT)
    try:
        module = importlib.import_module(name)
    except ImportError as exc:  # an optional extra is missing
        pytest.skip(f"{name} needs an optional package: {exc}")
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.failed == 0, f"{result.failed} failing example(s) in {name}"


@pytest.mark.parametrize("page", ["errors.md", "embedding.md", "analytics.md"])
def test_doc_page_examples_run(page, monkeypatch):
    """The messages shown in the docs are the code's own: the pages' examples run."""
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(
        str(ROOT / "docs" / page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 0 and result.failed == 0


def test_public_functions_have_docstrings():
    missing = [
        name
        for name in yzmaturity.__all__
        if not name.startswith("__") and not getattr(yzmaturity, name).__doc__
    ]
    assert missing == []


def test_sphinx_builds_without_warnings(tmp_path):
    try:
        import furo  # noqa: F401
        import myst_parser  # noqa: F401
        import numpydoc  # noqa: F401
        import sphinx  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"the docs extra is not installed: {exc}")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(ROOT / "docs"),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "api.html").is_file()
    assert "yzmaturity.assess" in (tmp_path / "api.html").read_text(encoding="utf-8")
