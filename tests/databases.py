"""Databases for the store and service tests: a SQLite file, and PostgreSQL when CI started one.

``.ci/run`` starts a throwaway PostgreSQL cluster and passes its URL in
``YZ_TEST_POSTGRES_URL`` (a superuser URL to the ``postgres`` database); each
test gets a database of its own, dropped afterwards.  Without the variable the
PostgreSQL tests skip (and, under ``YZ_REQUIRE_ALL=1``, fail).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ENV = "YZ_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


def _admin_engine(url: str):
    import sqlalchemy as sa

    return sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )


def database_url(backend: str, folder: Path) -> Iterator[str]:
    """A fresh, empty database of ``backend``; dropped (PostgreSQL) when the test ends."""
    pytest.importorskip("sqlalchemy")
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'assessments.db'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV} (.ci/run starts one)")
    import sqlalchemy as sa

    name = "yz_test_" + uuid.uuid4().hex[:12]
    admin = _admin_engine(base)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(base.replace("postgresql://", "postgresql+psycopg://", 1)).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
