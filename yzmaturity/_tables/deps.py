"""The optional packages the table code uses, imported on use; one switch says whether pyarrow is there."""

from __future__ import annotations

from typing import Any

from .._exceptions import MissingDependencyError
from .._optional import available, require

__all__ = ["openpyxl", "pandas", "pyarrow", "require_pyarrow"]


def pandas(feature: str = "tables") -> Any:
    """pandas, or :class:`MissingDependencyError` naming ``feature`` and the ``frames`` extra."""
    return require("pandas", feature, "frames")


def pyarrow() -> Any | None:
    """pyarrow if installed, else None (the fast paths fall back to pandas)."""
    return require("pyarrow", "Arrow tables", "parquet") if available("pyarrow") else None


def require_pyarrow(feature: str) -> Any:
    """pyarrow, or :class:`MissingDependencyError` naming ``feature`` and the ``parquet`` extra."""
    if pyarrow() is None:  # one switch, so a test can act as if pyarrow were absent
        raise MissingDependencyError(feature, "pyarrow", "parquet")
    return require("pyarrow", feature, "parquet")


def openpyxl(feature: str) -> Any:
    """openpyxl, or :class:`MissingDependencyError` naming ``feature`` and the ``excel`` extra."""
    return require("openpyxl", feature, "excel")
