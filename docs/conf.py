"""Sphinx configuration: furo theme, MyST Markdown pages, numpydoc API reference."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yzmaturity  # noqa: E402

project = "yzmaturity"
author = "yzmaturity developers"
copyright = "2026, yzmaturity developers"
release = yzmaturity.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "api-generated.md"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
html_theme = "furo"
html_title = f"yzmaturity {release}"
language = "en"

autodoc_member_order = "bysource"
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()
intersphinx_mapping: dict[str, tuple[str, None]] = {}
# Type names in signatures are not all resolvable (numpy, pydantic internals).
nitpicky = False
suppress_warnings = ["myst.header", "ref.python"]


def _write_api_page(app: object) -> None:
    """The API reference lists exactly the public names of ``yzmaturity.__all__`` (never stale)."""
    lines = [
        "# API reference",
        "",
        "Everything below is importable as `yzmaturity.<name>`; every other module is private.",
        "Optional modules: `yzmaturity.datasets`, `yzmaturity.ml` (extra `ml`).",
        "",
    ]
    for name in sorted(yzmaturity.__all__, key=str.lower):
        if name.startswith("__"):
            continue
        obj = getattr(yzmaturity, name)
        kind = "autoclass" if isinstance(obj, type) else "autofunction"
        options = "\n   :members:" if kind == "autoclass" else ""
        lines += [f"## `{name}`", "", "```{eval-rst}", f".. {kind}:: yzmaturity.{name}{options}", "```", ""]
    for module in ("yzmaturity.datasets", "yzmaturity.ml"):
        try:
            __import__(module)
        except ImportError:
            continue
        lines += [f"## `{module}`", "", "```{eval-rst}", f".. automodule:: {module}\n   :members:", "```", ""]
    target = Path(__file__).parent / "api.md"
    text = "\n".join(lines)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


def setup(app: object) -> None:
    app.connect("builder-inited", _write_api_page)  # type: ignore[attr-defined]
