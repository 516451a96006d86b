"""Error responses of the service: always ``{"title": ..., "detail": [ErrorDetail dicts]}``.

The library's own exceptions carry :class:`ErrorDetail` already; FastAPI's
request-validation errors (a bad query parameter, a form without its file)
are turned into the same shape, so a client reads one format.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .._codes import Code
from .._exceptions import ErrorDetail

__all__ = ["ServiceError", "details_from_request_errors", "error_body"]


class ServiceError(Exception):
    """An error answer: HTTP status, a title and details (raised inside handlers)."""

    def __init__(
        self,
        status: int,
        title: str,
        details: Sequence[ErrorDetail] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.details = list(details)
        self.headers = headers or {}


def error_body(title: str, details: Iterable[ErrorDetail]) -> dict[str, Any]:
    return {"title": title, "detail": [d.to_dict() for d in details]}


def details_from_request_errors(errors: Sequence[Any]) -> list[ErrorDetail]:
    """FastAPI's (pydantic-shaped) request errors as :class:`ErrorDetail`."""
    out = []
    for err in errors:
        ctx = err.get("ctx") or {}
        expected = (
            str(ctx["expected"])
            if "expected" in ctx
            else ("a value" if err.get("type") == "missing" else None)
        )
        got = err.get("input")
        if not isinstance(got, str | int | float | bool | type(None)):
            got = repr(got)[:200]
        out.append(
            ErrorDetail(
                str(err.get("type", Code.INVALID)),
                tuple(err.get("loc", ())),
                str(err.get("msg", "invalid")).removeprefix("Value error, "),
                expected=expected,
                got=got,
            )
        )
    return out
