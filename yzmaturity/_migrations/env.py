"""Alembic environment of the assessment store.

:class:`yzmaturity.Store` runs the migrations itself when it opens a database,
on its own connection (``config.attributes["connection"]``), inside a
transaction that holds the database's write lock.  By hand, with an
``alembic.ini`` whose ``script_location`` is this folder::

    alembic -x url=sqlite:///assessments.db upgrade head
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

__all__ = ["VERSION_TABLE", "run_migrations"]

VERSION_TABLE = "yz_alembic_version"  # not alembic_version: the embedding app may have its own


def run_migrations() -> None:
    """Run the migrations on the store's connection, or (by hand) on ``-x url=...``."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, transactional_ddl=True, version_table=VERSION_TABLE)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("give the database with -x url=...")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            context.configure(connection=conn, transactional_ddl=True, version_table=VERSION_TABLE)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


def _run_by_alembic() -> bool:
    """True when Alembic runs this file (its context is set up); False on a plain import."""
    try:
        context.config  # noqa: B018
    except (NameError, AttributeError):  # alembic's proxy is not set up
        return False
    return True


if _run_by_alembic():
    run_migrations()
