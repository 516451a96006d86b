"""The HTTP service: the library and a store of assessments behind a small JSON API.

``yzmaturity serve`` (or :func:`run`) serves :func:`create_app`'s ASGI app with
uvicorn; FastAPI, uvicorn and SQLAlchemy (the ``serve`` extra) are imported
only here.  See the docs page "HTTP service and store".
"""

from __future__ import annotations

from .._optional import require

for _package in ("fastapi", "uvicorn", "sqlalchemy", "alembic", "python_multipart"):
    require(_package, "the HTTP service", "serve")

from ._app import Limits, create_app, run  # noqa: E402

__all__ = ["Limits", "create_app", "run"]
