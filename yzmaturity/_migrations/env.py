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

config = context.config
VERSION_TABLE = "yz_alembic_version"  # not alembic_version: the embedding app may have its own
connection = config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, transactional_ddl=True, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()
else:  # by hand: the URL from `-x url=...` or sqlalchemy.url
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("give the database with -x url=...")
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, transactional_ddl=True, version_table=VERSION_TABLE)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
