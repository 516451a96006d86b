"""Reading wide tables: CSV (UTF-8 or GB18030), XLSX and Parquet files, and in-memory frames, bounded in size."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._codes import Code
from .._exceptions import FileLoadError
from .._files import check_size
from .._fs import open_bounded, open_regular
from . import deps
from .dataset import add_partition, dataset_parts, dataset_schema, is_dataset
from .xlsx import MAX_CELL_CHARS, MAX_TABLE_COLUMNS, MAX_XLSX_UNPACKED_BYTES, CellProblem, read_xlsx

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_TABLE_BYTES",
    "MAX_TABLE_COLUMNS",
    "MAX_XLSX_BYTES",
    "MAX_XLSX_UNPACKED_BYTES",
    "arrow_to_pandas",
    "cell_problems",
    "check_table_path",
    "check_width",
    "csv_options",
    "decode_header",
    "empty_rows_arrow",
    "parquet_unpacked",
    "read_table",
    "source_format",
    "table_format",
    "trailing_true",
]

MAX_TABLE_BYTES = 2 * 1024**3
"""CSV and Parquet files larger than this (2 GiB: about 3 million rows of yangzhou-2022) are refused."""
MAX_XLSX_BYTES = 200 * 1024**2
"""XLSX files larger than this (200 MiB) are refused; so are those inflating to more than 2 GiB."""
_CSV_BLOCK = 16 * 1024**2  # pyarrow's CSV block: a cell longer than this is read by pandas instead


def table_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise FileLoadError(
        str(path),
        Code.BAD_EXTENSION,
        f"expected a .csv, .xlsx or .parquet file, got {suffix or 'no extension'!r}",
    )


def source_format(path: Path) -> str:
    """The format of a table to read: ``dataset`` for a folder of Parquet files, else :func:`table_format`."""
    return "dataset" if is_dataset(path) else table_format(path)


def check_table_path(path: str | os.PathLike[str], *, source: bool = False) -> str:
    """The format of a table path by its extension (``csv``, ``xlsx``, ``parquet``), its package present.

    ``source``: a table to read, which may also be a folder of Parquet files (``dataset``).
    Raises :class:`FileLoadError` (``bad_extension``) or :class:`MissingDependencyError`.
    """
    p = Path(os.fspath(path))
    fmt = source_format(p) if source else table_format(p)
    deps.pandas("tables")
    if fmt == "xlsx":
        deps.openpyxl("XLSX tables")
    elif fmt in ("parquet", "dataset"):
        deps.require_pyarrow("Parquet tables")
    return fmt


def read_table(
    source: str | os.PathLike[str] | Any,
    *,
    sheet: str | int | None = None,
    encoding: str = "auto",
    max_bytes: int | None = None,
) -> pd.DataFrame:
    """Read a wide table: a CSV, XLSX or Parquet file (by extension), a folder of Parquet files, or a data frame.

    Every CSV cell is read as text (the validator decides what it means; no
    type guessing, and ``NA``/``N/A``/``null`` are not turned into blanks);
    XLSX and Parquet cells keep their types.  Trailing empty rows are dropped;
    an empty row between rows is kept (and reported as ``empty_row``) so that
    row numbers match the file.

    Parameters
    ----------
    source
        A path; or a pandas, polars or pyarrow table (returned as a pandas frame).  A
        folder is read as a Parquet dataset, its files in path order, a ``key=value``
        folder adding a column ``key`` (see :mod:`yzmaturity._tables.dataset`).
    sheet
        XLSX only: the sheet name or 0-based index (default: the first sheet).
    encoding
        CSV only: ``"auto"`` reads UTF-8 (with or without a BOM) and falls back
        to GB18030 (a superset of GBK, what Excel on Chinese Windows writes)
        only when the file is not valid UTF-8; or name an encoding.  The
        encoding used is in ``frame.attrs["encoding"]``.
    max_bytes
        Refuse larger files (default :data:`MAX_TABLE_BYTES`, :data:`MAX_XLSX_BYTES` for XLSX).

    Raises
    ------
    FileLoadError
        Missing, too large, unreadable or malformed file.
    MissingDependencyError
        pandas (``frames``), openpyxl (``excel``) or pyarrow (``parquet``) is missing.
    """
    frame = _as_frame(source)
    if frame is not None:
        check_width(frame.shape[1], "<frame>")
        return frame
    pd = deps.pandas("reading tables")
    path = Path(os.fspath(source))
    fmt = source_format(path)
    limit = max_bytes if max_bytes is not None else (MAX_XLSX_BYTES if fmt == "xlsx" else MAX_TABLE_BYTES)
    if fmt != "dataset":
        check_size(path, limit)  # a regular file (no FIFO, device or folder) within the limit
    problems: list[CellProblem] = []
    if fmt == "dataset":
        frame = _read_dataset(pd, path, limit)
    elif fmt == "xlsx":
        frame = _read_xlsx(pd, path, sheet, limit, problems)
    elif fmt == "parquet":
        frame = _read_parquet(pd, path)
    else:
        frame = _read_csv(pd, path, encoding, limit)
    if fmt != "xlsx":
        frame = _giant_cells(pd, frame, problems)
    frame.attrs["source"] = str(path)
    if problems:
        frame.attrs["cell_problems"] = problems
    return frame


def cell_problems(frame: pd.DataFrame) -> list[CellProblem]:
    """The cells :func:`read_table` could not keep (longer than :data:`MAX_CELL_CHARS`): blanked,
    each to be reported in its row (the row is invalid, the table is not)."""
    found = frame.attrs.get("cell_problems", [])
    return list(found) if isinstance(found, list) else []


def check_width(width: int, path: str) -> None:
    if width > MAX_TABLE_COLUMNS:
        raise FileLoadError(path, Code.TOO_MANY_COLUMNS, f"{width} columns, more than {MAX_TABLE_COLUMNS}")


def _giant_cells(pd: Any, frame: pd.DataFrame, problems: list[CellProblem]) -> pd.DataFrame:
    """Blank the text cells over :data:`MAX_CELL_CHARS` characters, recording each as a problem."""
    copied = False
    for position, name in enumerate(frame.columns):
        column = frame.iloc[:, position]
        if column.dtype.kind != "O" and not isinstance(column.dtype, pd.StringDtype):
            continue
        try:
            lengths = column.str.len()
        except (AttributeError, TypeError):
            continue
        long = np.asarray((lengths > MAX_CELL_CHARS).fillna(False), dtype=bool)
        if not long.any():
            continue
        rows = np.flatnonzero(long)
        for row in rows.tolist():
            problems.append(
                CellProblem(
                    row,
                    str(name),
                    Code.TOO_LONG,
                    f"the cell holds {int(lengths.iloc[row])} characters, more than {MAX_CELL_CHARS}",
                    got=f"<text of {int(lengths.iloc[row])} characters>",
                )
            )
        if not copied:
            frame, copied = frame.copy(deep=False), True
        values = column.copy()
        values.iloc[rows] = None
        frame.iloc[:, position] = values
    return frame


def _as_frame(source: Any) -> pd.DataFrame | None:
    """A pandas frame for an in-memory table, None for a path."""
    if isinstance(source, str | os.PathLike):
        return None
    module = type(source).__module__.split(".")[0]
    if module == "pandas":
        pd = deps.pandas()
        if isinstance(source, pd.DataFrame):
            return source
    if module == "polars" and hasattr(source, "to_pandas"):
        pd = deps.pandas()
        if deps.pyarrow() is not None:
            return source.to_pandas()
        return pd.DataFrame(source.to_dict(as_series=False))
    if module == "pyarrow" and hasattr(source, "to_pandas"):
        return source.to_pandas()
    raise TypeError(f"expected a path or a pandas/polars/pyarrow table, not {type(source).__name__}")


def decode_header(path: Path, encoding: str) -> list[str]:
    """The header row, decoded strictly (a UnicodeDecodeError means: not this encoding)."""
    limit = 1 << 20
    with open_regular(path) as handle:
        head = handle.read(limit)
    if len(head) == limit:
        end = max(head.rfind(b"\n"), head.rfind(b"\r"))
        if end < 0:
            raise FileLoadError(
                str(path), Code.BAD_CSV, f"no end of the header row in the first {limit} bytes"
            )
        head = head[: end + 1]
    text = head.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    try:  # newline="": the csv module reads \n, \r\n and a lone \r (old Mac files) alike
        names = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        raise FileLoadError(str(path), Code.BAD_CSV, f"the header row is not valid CSV: {exc}") from None
    check_width(len(names), str(path))
    return names


def _read_csv(pd: Any, path: Path, encoding: str, limit: int) -> pd.DataFrame:
    candidates = ["utf-8", "gb18030"] if encoding == "auto" else [encoding]
    last: Exception | None = None
    for enc in candidates:
        try:
            names = decode_header(path, enc)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        except LookupError:
            raise FileLoadError(str(path), Code.BAD_ENCODING, f"unknown encoding {enc!r}") from None
        if not names:
            raise FileLoadError(str(path), Code.EMPTY_FILE, "no header row")
        try:
            frame = _read_csv_with(pd, path, enc, names, limit)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        frame.attrs["encoding"] = enc
        return frame
    raise FileLoadError(
        str(path), Code.BAD_ENCODING, f"not {' or '.join(candidates)} text ({last}); pass encoding=..."
    )


def _read_csv_with(pd: Any, path: Path, encoding: str, names: list[str], limit: int) -> pd.DataFrame:
    pa = deps.pyarrow()
    if pa is not None:
        try:
            return _read_csv_arrow(pd, pa, path, encoding, names, limit)
        except _Straddling:
            pass  # a cell longer than a block: pandas' parser has no such limit
    return _read_csv_pandas(pd, path, encoding, names, limit)


class _Straddling(Exception):
    pass


def _read_csv_arrow(
    pd: Any, pa: Any, path: Path, encoding: str, names: list[str], limit: int
) -> pd.DataFrame:
    import pyarrow.csv as pcsv  # type: ignore[import-untyped,unused-ignore]

    try:
        with open_bounded(path, limit) as handle:
            options = csv_options(pa, encoding, names)
            options["read_options"] = pcsv.ReadOptions(
                encoding="utf8" if encoding == "utf-8" else encoding, block_size=_CSV_BLOCK
            )
            table = pcsv.read_csv(handle, **options)
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "utf-8" in str(exc).lower():
            raise UnicodeDecodeError(encoding, b"", 0, 1, str(exc)) from None
        if "straddl" in str(exc):
            raise _Straddling from None
        raise FileLoadError(str(path), Code.BAD_CSV, f"not a valid CSV table: {exc}") from None
    except (UnicodeDecodeError, FileLoadError):
        raise
    except (OSError, ValueError) as exc:
        raise FileLoadError(str(path), Code.BAD_CSV, f"not a valid CSV table: {exc}") from None
    table = _drop_trailing_empty_arrow(pa, table)
    frame = arrow_to_pandas(pd, table)
    frame.columns = names if len(names) == frame.shape[1] else frame.columns
    return frame


def _read_csv_pandas(pd: Any, path: Path, encoding: str, names: list[str], limit: int) -> pd.DataFrame:
    try:
        with open_bounded(path, limit) as handle:
            frame = pd.read_csv(
                handle,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,
                encoding="utf-8-sig" if encoding == "utf-8" else encoding,
            )
    except (UnicodeDecodeError, FileLoadError):
        raise
    except (ValueError, OSError) as exc:
        raise FileLoadError(str(path), Code.BAD_CSV, f"not a valid CSV table: {exc}") from None
    frame = _drop_trailing_empty(frame)
    frame.columns = names if len(names) == frame.shape[1] else frame.columns
    return frame


def csv_options(
    pa: Any, encoding: str, names: list[str], block_size: int | None = None, dictionary: Collection[str] = ()
) -> dict[str, Any]:
    """pyarrow's CSV options for a wide table: every cell text, blank = null, empty lines kept.

    Columns named in ``dictionary`` are read dictionary-encoded (each distinct
    text once, and per row its index), as the answers to a question are: the
    split by distinct value is done by the reader, on its own thread.
    """
    import pyarrow.csv as pcsv  # type: ignore[import-untyped,unused-ignore]

    read: dict[str, Any] = {"encoding": "utf8" if encoding == "utf-8" else encoding}
    if block_size is not None:
        # Streaming: one block at a time on the caller's thread.  With pyarrow's own threads the
        # reader runs ahead of a slower consumer, and memory grew with the file (1 GB at 1M rows).
        read["block_size"] = block_size
        read["use_threads"] = False
    return {
        "read_options": pcsv.ReadOptions(**read),
        "parse_options": pcsv.ParseOptions(ignore_empty_lines=False, newlines_in_values=True),
        "convert_options": pcsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.large_string())
            | dict.fromkeys(set(dictionary) & set(names), pa.dictionary(pa.int32(), pa.string())),
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    }


def arrow_to_pandas(pd: Any, table: Any) -> pd.DataFrame:
    if int(pd.__version__.split(".")[0]) >= 3:
        return table.to_pandas()
    pa = deps.require_pyarrow("reading tables")
    dtype = pd.StringDtype("pyarrow")
    return table.to_pandas(types_mapper={pa.string(): dtype, pa.large_string(): dtype}.get)


def _drop_trailing_empty_arrow(pa: Any, table: Any) -> Any:
    if table.num_rows == 0 or table.num_columns == 0:
        return table
    flags = empty_rows_arrow(table)
    keep = len(flags) - trailing_true(flags)
    return table.slice(0, keep) if keep < table.num_rows else table


def empty_rows_arrow(table: Any) -> np.ndarray:
    """(N,) bool: the rows of an Arrow table (or record batch) whose every cell is null."""
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    empty: Any = None
    for column in table.columns:
        nulls = pc.is_null(column)
        empty = nulls if empty is None else pc.and_(empty, nulls)
    if empty is None:
        return np.zeros(table.num_rows, dtype=np.bool_)
    return np.asarray(empty.to_numpy(zero_copy_only=False), dtype=np.bool_)


def trailing_true(flags: np.ndarray) -> int:
    if not flags.size or not flags[-1]:
        return 0
    false = np.flatnonzero(~flags)
    return int(flags.size if not false.size else flags.size - 1 - false[-1])


def _drop_trailing_empty(frame: pd.DataFrame) -> pd.DataFrame:
    if not len(frame):
        return frame
    flags = frame.isna().all(axis=1).to_numpy()
    n_drop = trailing_true(flags)
    return frame.iloc[: len(frame) - n_drop] if n_drop else frame


def _read_xlsx(
    pd: Any, path: Path, sheet: str | int | None, limit: int, problems: list[CellProblem]
) -> pd.DataFrame:
    deps.openpyxl("reading XLSX tables")  # the excel extra: the same packages read and write XLSX
    with open_bounded(path, limit) as raw:
        handle = io.BytesIO(raw.read())  # zip needs to seek; the file is within the limit
    read = read_xlsx(handle, str(path), sheet)
    if not read.header:
        raise FileLoadError(str(path), Code.EMPTY_FILE, "the sheet has no header row")
    problems.extend(read.problems)
    width = len(read.header)
    names = ["" if h is None else str(h) for h in read.header]
    # Cells keep their spreadsheet types (text, number, boolean): no inference per column.
    frame = pd.DataFrame(read.rows, columns=range(width), dtype=object)
    frame.columns = names
    return _drop_trailing_empty(frame)


def _read_parquet(pd: Any, path: Path) -> pd.DataFrame:
    deps.require_pyarrow("reading Parquet tables")
    table, _ = _parquet_table(path, 2 * MAX_TABLE_BYTES)
    return arrow_to_pandas(pd, table)


def _parquet_table(path: Path, unpacked_limit: int) -> tuple[Any, int]:
    """A whole Parquet file as a pyarrow table and the bytes its columns unpack to (by its metadata),
    refused if that is more than the limit."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    handle = open_regular(path)
    try:
        parquet = pq.ParquetFile(handle)
        meta = parquet.metadata
        check_width(meta.num_columns, str(path))
        unpacked = parquet_unpacked(path, meta, unpacked_limit)
        return parquet.read(), unpacked
    except FileLoadError:
        raise
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError ... for a broken file
        raise FileLoadError(str(path), Code.BAD_PARQUET, f"not a readable Parquet file: {exc}") from None
    finally:
        handle.close()


def parquet_unpacked(path: Path, meta: Any, limit: int) -> int:
    """The bytes a Parquet file's columns unpack to (by its metadata); ``file_too_large`` over ``limit``."""
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > limit:
        raise FileLoadError(str(path), Code.FILE_TOO_LARGE, f"unpacks to {unpacked} bytes, more than {limit}")
    return int(unpacked)


def _read_dataset(pd: Any, root: Path, limit: int) -> pd.DataFrame:
    """A folder of Parquet files as one frame: the files in path order, with their partition columns."""
    pa = deps.require_pyarrow("reading Parquet datasets")
    parts = dataset_parts(root, limit)
    schema = dataset_schema(pa, root, parts)
    budget = 2 * MAX_TABLE_BYTES  # unpacked bytes for all the files together
    tables = []
    for part in parts:
        table, unpacked = _parquet_table(part.path, budget)
        budget -= unpacked
        tables.append(add_partition(pa, table, part, schema))
    return arrow_to_pandas(pd, pa.concat_tables(tables))
