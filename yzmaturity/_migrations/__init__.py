"""Alembic migrations of the assessment store (run by :class:`yzmaturity.Store` when it opens a database)."""

__all__: list[str] = []
