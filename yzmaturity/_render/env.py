"""The two Jinja2 environments of the reports (HTML, autoescaped; Markdown, escaped by :func:`md_escape`).

Jinja2 and MarkupSafe are imported inside the functions: only when a report is
rendered, so ``import yzmaturity`` stays light.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["environment", "md_escape"]

_MD_BACKSLASH = re.compile(r"([\\`*_\[\]|~$])")


def md_escape(value: object) -> str:
    """Text safe inside Markdown (tables included): one line, no markup, no raw HTML.

    Backslash-escapes ``\\ ` * _ [ ] | ~ $`` and writes ``& < >`` as entities,
    so user text can neither format, link, break a table nor inject HTML.
    """
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_BACKSLASH.sub(r"\\\1", text)


def _md_finalize(value: Any) -> Any:
    from markupsafe import Markup

    if isinstance(value, Markup):  # trusted Markdown built by the report code
        return str(value)
    return md_escape(value)


def _md_code(value: object) -> Any:
    """An identifier as a code span (ids are restricted to ``[A-Za-z0-9_.-]``)."""
    from markupsafe import Markup

    text = str(value)
    return Markup(f"`{text}`") if "`" not in text and text.strip() == text and text else md_escape(text)


@lru_cache(maxsize=2)
def environment(kind: Literal["html", "md"]) -> Environment:
    """The Jinja2 environment of ``templates/``: autoescaped HTML, or Markdown escaped by :func:`md_escape`."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    templates = resources.files(__package__ or "yzmaturity._render") / "templates"
    loader = FileSystemLoader(str(templates))
    if kind == "html":
        env = Environment(
            loader=loader,
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
    else:
        env = Environment(
            loader=loader,
            autoescape=False,
            finalize=_md_finalize,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.filters["code"] = _md_code
    return env
