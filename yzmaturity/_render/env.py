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
_WWW = re.compile(r"(www)\.", re.IGNORECASE)
_ORDERED = re.compile(r"([0-9]{1,9})[.)](?=\s|$)")
_BLOCK_START = re.compile(r"#{1,6}(?=\s|$)|[-+](?![0-9])|=+\s*$")


def md_escape(value: object) -> str:
    """Text safe inside Markdown (tables included): one line, no markup, no raw HTML, no links.

    Backslash-escapes ``\\ ` * _ [ ] | ~ $`` and writes ``& < >`` as entities,
    so user text can neither format, link, break a table nor inject HTML.  The
    autolinks of GitHub-flavoured Markdown (bare ``http://`` URLs, ``www.``
    addresses, e-mail addresses) are broken by a zero-width space, so a name
    such as ``www.evil.example`` stays text:

    >>> md_escape("see www.evil.example or a@b.example") == "see www\u200b.evil.example or a\u200b@b.example"
    True
    """
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_BACKSLASH.sub(r"\\\1", text)
    text = text.replace("://", ":\u200b//").replace("@", "\u200b@")
    text = _WWW.sub("\\1\u200b.", text)
    # At the start of a line these would open a heading, a list or a rule: escape them there
    # (a number such as -1.5 or 82.25 stays as it is).
    numbered = _ORDERED.match(text)
    if numbered is not None:
        return f"{numbered.group(1)}\\{text[numbered.end(1) :]}"
    if _BLOCK_START.match(text):
        return "\\" + text
    return text


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
