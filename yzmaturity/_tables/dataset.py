"""A folder of Parquet files read as one table: the datasets Spark, dask, pandas and pyarrow write.

``cohort/district=广陵区/part-0.parquet``, ``cohort/district=邗江区/part-0.parquet`` ...:
the files are taken in the order of their paths (names sorted at every level,
so the rows' order does not depend on the file system), and each
``key=value`` folder on the way adds a column ``key`` holding ``value`` as
text (Hive partitioning, percent-decoded; ``__HIVE_DEFAULT_PARTITION__`` is a
blank).  Names starting with ``.`` or ``_`` are the writers' bookkeeping
(``_SUCCESS``, ``_metadata``, ``.crc`` files) and are skipped, as pyarrow
skips them.  Anything else is refused, never left out: a file that is not
Parquet, a symbolic link, a FIFO; too many files, or folders nested too deep;
more bytes in all than one table file may have; files whose columns differ.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .._codes import Code
from .._exceptions import FileLoadError
from .._fs import open_regular
from .xlsx import MAX_TABLE_COLUMNS

__all__ = [
    "MAX_DATASET_DEPTH",
    "MAX_DATASET_ENTRIES",
    "MAX_DATASET_FILES",
    "DatasetPart",
    "add_partition",
    "dataset_parts",
    "dataset_schema",
    "is_dataset",
]

MAX_DATASET_FILES = 10_000
"""Parquet files in one dataset folder (more is refused, ``too_many_files``)."""
MAX_DATASET_ENTRIES = 100_000
"""Names looked at in a dataset folder, the skipped ones included (a bound on the time to list it)."""
MAX_DATASET_DEPTH = 16
"""Folders nested below the dataset's own (deeper is refused, ``too_deep``)."""

_PARQUET_SUFFIXES = (".parquet", ".pq")
_OTHER_TABLES = (".csv", ".txt", ".xlsx")  # a folder named so is not read as a Parquet dataset
_SKIPPED = (".", "_")
_NO_VALUE = "__HIVE_DEFAULT_PARTITION__"


@dataclass(frozen=True)
class DatasetPart:
    """One Parquet file of a dataset: its size and the ``key=value`` folders above it, outermost first."""

    path: Path
    size: int
    partition: tuple[tuple[str, str | None], ...] = ()


def is_dataset(path: Path) -> bool:
    """Whether ``path`` is a folder to read as a Parquet dataset (any folder not named like a CSV or XLSX file)."""
    return path.is_dir() and path.suffix.lower() not in _OTHER_TABLES


def dataset_parts(root: Path, limit: int) -> list[DatasetPart]:
    """The dataset's Parquet files in path order, each with its partition values; at most ``limit`` bytes in all.

    Raises :class:`FileLoadError`: ``not_a_regular_file`` (a symbolic link,
    FIFO, socket or device inside), ``bad_extension`` (a file that is not
    ``.parquet``/``.pq``), ``too_many_files``, ``too_deep``,
    ``file_too_large`` (all files together), ``empty_file`` (no Parquet file),
    ``dataset_mismatch`` (files under different partition keys).
    """
    parts: list[DatasetPart] = []
    seen = 0
    total = 0

    def walk(folder: Path, depth: int, partition: tuple[tuple[str, str | None], ...]) -> None:
        nonlocal seen, total
        if depth > MAX_DATASET_DEPTH:
            raise FileLoadError(
                str(folder), Code.TOO_DEEP, f"folders nested more than {MAX_DATASET_DEPTH} deep"
            )
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda e: e.name)
        except OSError as exc:
            raise FileLoadError(str(folder), Code.FILE_UNREADABLE, f"cannot list the folder: {exc}") from None
        seen += len(entries)
        if seen > MAX_DATASET_ENTRIES:
            raise FileLoadError(str(root), Code.TOO_MANY_FILES, f"more than {MAX_DATASET_ENTRIES} names")
        for entry in entries:
            if entry.name.startswith(_SKIPPED):
                continue
            path = Path(entry.path)
            if entry.is_symlink():
                raise FileLoadError(str(path), Code.NOT_A_REGULAR_FILE, "a symbolic link in a dataset folder")
            if entry.is_dir(follow_symlinks=False):
                walk(path, depth + 1, (*partition, *_hive(entry.name)))
                continue
            if not entry.is_file(follow_symlinks=False):
                raise FileLoadError(
                    str(path), Code.NOT_A_REGULAR_FILE, "not a regular file (a FIFO, socket or device)"
                )
            if Path(entry.name).suffix.lower() not in _PARQUET_SUFFIXES:
                raise FileLoadError(
                    str(path),
                    Code.BAD_EXTENSION,
                    f"a dataset folder holds .parquet files only, got {entry.name!r} "
                    "(names starting with '.' or '_' are skipped)",
                )
            if len(parts) == MAX_DATASET_FILES:
                raise FileLoadError(
                    str(root), Code.TOO_MANY_FILES, f"more than {MAX_DATASET_FILES} Parquet files"
                )
            size = entry.stat(follow_symlinks=False).st_size
            total += size
            if total > limit:
                raise FileLoadError(str(root), Code.FILE_TOO_LARGE, f"its files hold more than {limit} bytes")
            parts.append(DatasetPart(path, size, partition))

    walk(root, 0, ())
    if not parts:
        raise FileLoadError(str(root), Code.EMPTY_FILE, "no Parquet file in the folder")
    keys = [key for key, _ in parts[0].partition]
    if len(set(keys)) != len(keys):
        raise FileLoadError(
            str(parts[0].path), Code.DATASET_MISMATCH, f"a partition key twice on the path: {keys}"
        )
    for part in parts[1:]:
        if [key for key, _ in part.partition] != keys:
            raise FileLoadError(
                str(part.path),
                Code.DATASET_MISMATCH,
                f"partition folders {[k for k, _ in part.partition]}, unlike {keys} of {parts[0].path}",
            )
    return parts


def _hive(name: str) -> tuple[tuple[str, str | None], ...]:
    """The partition ``key=value`` a folder's name gives (percent-decoded), or none."""
    key, sep, value = name.partition("=")
    if not sep or not key:
        return ()
    text = unquote(value)
    return ((unquote(key), None if text == _NO_VALUE else text),)


def dataset_schema(pa: Any, root: Path, parts: list[DatasetPart]) -> Any:
    """The dataset's columns: the files' own (the same names in every file, types unified), then the partition keys.

    Raises :class:`FileLoadError`: ``bad_parquet``, ``too_many_columns``,
    ``dataset_mismatch`` (a file with other columns, types that do not
    unify, a partition key that is also a column).
    """
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    schemas: list[Any] = []
    for part in parts:
        with open_regular(part.path) as handle:
            try:
                schema = pq.read_schema(handle)
            except Exception as exc:  # pyarrow raises ArrowInvalid, OSError ... for a broken file
                raise FileLoadError(
                    str(part.path), Code.BAD_PARQUET, f"not a readable Parquet file: {exc}"
                ) from None
        if len(schema.names) + len(part.partition) > MAX_TABLE_COLUMNS:
            raise FileLoadError(
                str(part.path), Code.TOO_MANY_COLUMNS, f"more than {MAX_TABLE_COLUMNS} columns"
            )
        if schemas and set(schema.names) != set(schemas[0].names):
            first = set(schemas[0].names)
            missing, extra = sorted(first - set(schema.names)), sorted(set(schema.names) - first)
            raise FileLoadError(
                str(part.path),
                Code.DATASET_MISMATCH,
                f"columns unlike those of {parts[0].path}: missing {missing}, extra {extra}",
            )
        schemas.append(schema.remove_metadata())
    try:
        unified = pa.unify_schemas(schemas, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise FileLoadError(
            str(root), Code.DATASET_MISMATCH, f"the files' column types disagree: {exc}"
        ) from None
    for key, _ in parts[0].partition:
        if key in unified.names:
            raise FileLoadError(
                str(root), Code.DATASET_MISMATCH, f"partition key {key!r} is also a column of the files"
            )
        unified = unified.append(pa.field(key, pa.string()))
    return unified


def add_partition(pa: Any, table: Any, part: DatasetPart, schema: Any) -> Any:
    """A table read from ``part`` with its partition columns, in the dataset's column order and types.

    Raises :class:`FileLoadError` ``dataset_mismatch`` where the file's values do not fit those types.
    """
    n = table.num_rows
    table = table.replace_schema_metadata(None)
    for key, value in part.partition:
        column = pa.nulls(n, pa.string()) if value is None else pa.repeat(pa.scalar(value, pa.string()), n)
        table = table.append_column(key, column)
    try:
        return table.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise FileLoadError(
            str(part.path), Code.DATASET_MISMATCH, f"columns unlike the others': {exc}"
        ) from None
