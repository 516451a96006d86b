"""The HTTP service: the library and a store of assessments behind a small JSON API.

``yzmaturity serve`` (or :func:`run`) serves :func:`create_app`'s ASGI app with
uvicorn; FastAPI, uvicorn and SQLAlchemy (the ``serve`` extra) are imported
only here.  See the docs page "HTTP service and store".
"""

from __future__ import annotations

from ._app import TOKEN_ENV, Limits, create_app, run

__all__ = ["TOKEN_ENV", "Limits", "create_app", "run"]
