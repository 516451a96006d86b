"""Guards in front of the service (pure ASGI, before any parsing): a token for writes, body limits.

:class:`TokenGuard`: when a token is set, a write (any method but GET, HEAD
and OPTIONS) needs ``Authorization: Bearer <token>``; it is checked before the
body is read, in constant time.

:class:`BodyLimit`:
A declared ``Content-Length`` over the limit is answered ``413`` at once; a
body sent without one (chunked) is counted as it arrives and cut off at the
limit.  The limit depends on the path: answer sheets are small, batch uploads
are tables.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .._codes import Code
from .._exceptions import ErrorDetail
from ._errors import error_body

__all__ = ["BodyLimit", "BodyTooLarge", "TokenGuard"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(Exception):
    """The body grew past its limit while it was being read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body over {limit} bytes")
        self.limit = limit


def too_large_detail(limit: int, got: int | None) -> ErrorDetail:
    return ErrorDetail(
        Code.BODY_TOO_LARGE,
        ("body",),
        "the request body is too large",
        expected=f"at most {limit} bytes",
        got=got,
    )


class BodyLimit:
    """Limit request bodies: ``limit_for(path)`` gives the byte limit of a path."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None
        if declared is not None and declared > limit:
            await _send_413(send, limit, declared)
            return
        seen = 0
        overflow = False
        answered = False

        async def limited_receive() -> Message:
            nonlocal seen, overflow
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    overflow = True
                    raise BodyTooLarge(limit)
            return message

        async def guarded_send(message: Message) -> None:
            # A framework may turn the error into its own answer (FastAPI: 400 "error
            # parsing the body"): once the body overflowed, the answer is ours.
            nonlocal answered
            if overflow:
                if not answered:
                    answered = True
                    await _send_413(send, limit, seen)
                return
            if message["type"] == "http.response.start":
                answered = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            if not answered:
                answered = True
                await _send_413(send, limit, seen)


async def _send_413(send: Send, limit: int, got: int | None) -> None:
    await _send_error(send, 413, "request body too large", too_large_detail(limit, got))


async def _send_error(
    send: Send, status: int, title: str, detail: ErrorDetail, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    body = json.dumps(error_body(title, [detail]), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenGuard:
    """Writes need ``Authorization: Bearer <token>`` (no token: everything is open)."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token.encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.token is None or scope["type"] != "http" or scope.get("method", "GET") in READ_METHODS:
            await self.app(scope, receive, send)
            return
        given = b""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, rest = value.partition(b" ")
                if scheme.lower() == b"bearer":
                    given = rest.strip()
        if hmac.compare_digest(given, self.token):
            await self.app(scope, receive, send)
            return
        detail = ErrorDetail(
            Code.UNAUTHORIZED,
            ("header", "authorization"),
            "writing needs the service's token",
            expected="Bearer <token>",
            got="a wrong token" if given else None,
        )
        await _send_error(send, 401, "unauthorized", detail, ((b"www-authenticate", b"Bearer"),))
