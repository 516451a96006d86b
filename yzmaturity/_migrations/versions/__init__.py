"""The migration scripts, oldest first (Alembic loads them by file)."""

__all__: list[str] = []
