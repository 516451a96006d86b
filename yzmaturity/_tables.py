"""Tables of enterprises: one wide format, validated all at once, scored, written safely.

The wide format (see docs/batch.md) has one row per enterprise and these columns:

* **profile** columns named as the :class:`~yzmaturity.Enterprise` input fields:
  ``name`` (required), ``credit_code``, ``region``, ``industry``,
  ``employees``, ``revenue_yuan``, ``roles`` and ``certifications``
  (``;``-separated), ``rnd``, ``diagnosed``, ``planned_investment_yuan``,
  ``years_operating``;
* one column per **question id**: a single choice is the option id; a multiple
  choice option ids separated by ``;``; a yes/no ``true``/``false`` (also
  ``1``/``0`` and ``是``/``否``, any case); numbers as numbers (``35``, ``35.5``,
  ``1e6``); a blank cell is unanswered and ``n/a`` (any case) not applicable;
* **passthrough** columns, kept in the output unchanged: any column whose name
  starts with ``_``, and the columns named in ``id_columns``.

Any other column makes the whole table unusable (:class:`TableError` naming
it), as does a missing ``name`` column or a missing column of a required
question.  Spaces around a cell are ignored.  Anything else is an error of its
row, never a guess: every row is accounted for (invalid rows are in the output
with ``valid`` false, NaN scores and their problems in the error table).

Row numbers in errors are **1-based data rows**: row 1 is the first row under
the header (line 2 of a CSV file without multi-line cells, row 2 of a sheet).

Writing to CSV and XLSX guards against spreadsheet formula injection (OWASP):
a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'``, unless it is a plain decimal number; numbers are
never altered.

pandas is needed (the ``frames`` extra); XLSX needs openpyxl (``excel``),
Parquet and the fast CSV path pyarrow (``parquet``), progress bars tqdm
(``progress``).  All are imported on use only.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import os
import re
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._answers import NA_TOKEN
from ._compile import CompiledQuestionnaire, ProfileColumns
from ._encode import MULTI_SEPARATOR, Encoder, FactorizedColumn, factorize_cells
from ._enterprise import (
    PROFILE_INPUT_FIELDS,
    PROFILE_KINDS,
    Enterprise,
    Role,
    check_credit_code,
    normalise_industry,
)
from ._exceptions import (
    ErrorDetail,
    FileLoadError,
    MissingDependencyError,
    RowProblems,
    TableError,
)
from ._files import check_size
from ._model import KIND_NUMERIC
from ._optional import available, require
from ._policy import STATES
from ._reference import (
    ABOVE_DESIGNATED_SIZE_REVENUE,
    CREDIT_CODE_ALPHABET,
    CREDIT_CODE_WEIGHTS,
    EQUIPMENT_DIVISIONS,
    MANUFACTURING_DIVISIONS,
    SIZE_CLASSES_INDUSTRY,
    YANGZHOU_AREAS,
    YANGZHOU_AREAS_EN,
    YANGZHOU_DIVISION_PREFIX,
)

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from ._matching import CohortMatch
    from ._model import Questionnaire
    from ._policy import PolicyCatalog
    from ._scoring import BatchScores

__all__ = [
    "MAX_TABLE_BYTES",
    "MAX_XLSX_BYTES",
    "TableError",
    "TableResult",
    "check_table_path",
    "escape_formulas",
    "output_meta",
    "read_table",
    "score_partition",
    "score_table",
    "table_columns",
    "table_header",
    "table_template",
    "write_table",
]

MAX_TABLE_BYTES = 2 * 1024**3
"""CSV and Parquet files larger than this (2 GiB: about 3 million rows of yangzhou-2022) are refused."""
MAX_XLSX_BYTES = 200 * 1024**2
"""XLSX files larger than this (200 MiB) are refused; so are those inflating to more than 2 GiB."""
MAX_XLSX_UNPACKED_BYTES = 2 * 1024**3
EXCEL_MAX_ROWS = 1_048_576
AUTO_PROGRESS_ROWS = 100_000
LIST_SEPARATOR = MULTI_SEPARATOR
TRUE_WORDS = frozenset({"true", "1", "是"})
FALSE_WORDS = frozenset({"false", "0", "否"})
YES_NO_EXPECTED = "true or false (also 1/0, 是/否)"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NUMBER_PATTERN = _NUMBER.pattern
TEXT_FIELDS = ("name", "credit_code", "region", "industry")
BOOL_FIELDS = ("rnd", "diagnosed")
NUMBER_FIELDS = ("employees", "revenue_yuan", "planned_investment_yuan", "years_operating")
SET_FIELDS = ("roles", "certifications")
_TEXT_LIMITS = {"name": 200, "region": 100}
_ROLE_VALUES = tuple(str(r) for r in Role)
_DEFAULT_ROLES = frozenset({str(Role.MANUFACTURER)})


# --------------------------------------------------------------------------- optional packages
def _pandas(feature: str = "tables") -> Any:
    return require("pandas", feature, "frames")


def _pyarrow() -> Any | None:
    return require("pyarrow", "Arrow tables", "parquet") if available("pyarrow") else None


def _require_pyarrow(feature: str) -> Any:
    if _pyarrow() is None:  # one switch, so a test can act as if pyarrow were absent
        raise MissingDependencyError(feature, "pyarrow", "parquet")
    return require("pyarrow", feature, "parquet")


def _openpyxl(feature: str) -> Any:
    return require("openpyxl", feature, "excel")


# --------------------------------------------------------------------------- reading
def _table_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise FileLoadError(
        str(path),
        "bad_extension",
        f"expected a .csv, .xlsx or .parquet file, got {suffix or 'no extension'!r}",
    )


def check_table_path(path: str | os.PathLike[str]) -> str:
    """The format of a table path by its extension (``csv``, ``xlsx``, ``parquet``), its package present.

    Raises :class:`FileLoadError` (``bad_extension``) or :class:`MissingDependencyError`.
    """
    fmt = _table_format(Path(os.fspath(path)))
    _pandas("tables")
    if fmt == "xlsx":
        _openpyxl("XLSX tables")
    elif fmt == "parquet":
        _require_pyarrow("Parquet tables")
    return fmt


def read_table(
    source: str | os.PathLike[str] | Any,
    *,
    sheet: str | int | None = None,
    encoding: str = "auto",
    max_bytes: int | None = None,
) -> pd.DataFrame:
    """Read a wide table: a CSV, XLSX or Parquet file (by extension), or a data frame.

    Every CSV cell is read as text (the validator decides what it means; no
    type guessing, and ``NA``/``N/A``/``null`` are not turned into blanks);
    XLSX and Parquet cells keep their types.  Trailing empty rows are dropped;
    an empty row between rows is kept (and reported as ``empty_row``) so that
    row numbers match the file.

    Parameters
    ----------
    source
        A path; or a pandas, polars or pyarrow table (returned as a pandas frame).
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
        return frame
    pd = _pandas("reading tables")
    path = Path(os.fspath(source))
    fmt = _table_format(path)
    limit = max_bytes if max_bytes is not None else (MAX_XLSX_BYTES if fmt == "xlsx" else MAX_TABLE_BYTES)
    check_size(path, limit)
    if fmt == "xlsx":
        frame = _read_xlsx(pd, path, sheet)
    elif fmt == "parquet":
        frame = _read_parquet(pd, path)
    else:
        frame = _read_csv(pd, path, encoding)
    frame.attrs["source"] = str(path)
    return frame


def _as_frame(source: Any) -> pd.DataFrame | None:
    """A pandas frame for an in-memory table, None for a path."""
    if isinstance(source, str | os.PathLike):
        return None
    module = type(source).__module__.split(".")[0]
    if module == "pandas":
        pd = _pandas()
        if isinstance(source, pd.DataFrame):
            return source
    if module == "polars" and hasattr(source, "to_pandas"):
        pd = _pandas()
        if _pyarrow() is not None:
            return source.to_pandas()
        return pd.DataFrame(source.to_dict(as_series=False))
    if module == "pyarrow" and hasattr(source, "to_pandas"):
        return source.to_pandas()
    raise TypeError(f"expected a path or a pandas/polars/pyarrow table, not {type(source).__name__}")


def _decode_header(path: Path, encoding: str) -> list[str]:
    """The header row, decoded strictly (a UnicodeDecodeError means: not this encoding)."""
    limit = 1 << 20
    with open(path, "rb") as handle:
        head = handle.read(limit)
    if len(head) == limit:
        end = head.rfind(b"\n")
        if end < 0:
            raise FileLoadError(str(path), "bad_csv", f"no end of the header row in the first {limit} bytes")
        head = head[: end + 1]
    text = head.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    return next(csv.reader(io.StringIO(text)), [])


def _read_csv(pd: Any, path: Path, encoding: str) -> pd.DataFrame:
    candidates = ["utf-8", "gb18030"] if encoding == "auto" else [encoding]
    last: Exception | None = None
    for enc in candidates:
        try:
            names = _decode_header(path, enc)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        except LookupError:
            raise FileLoadError(str(path), "bad_encoding", f"unknown encoding {enc!r}") from None
        if not names:
            raise FileLoadError(str(path), "empty_file", "no header row")
        try:
            frame = _read_csv_with(pd, path, enc, names)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        frame.attrs["encoding"] = enc
        return frame
    raise FileLoadError(
        str(path), "bad_encoding", f"not {' or '.join(candidates)} text ({last}); pass encoding=..."
    )


def _read_csv_with(pd: Any, path: Path, encoding: str, names: list[str]) -> pd.DataFrame:
    pa = _pyarrow()
    if pa is not None:
        import pyarrow.csv as pcsv  # type: ignore[import-untyped,unused-ignore]

        try:
            table = pcsv.read_csv(
                path,
                read_options=pcsv.ReadOptions(encoding="utf8" if encoding == "utf-8" else encoding),
                parse_options=pcsv.ParseOptions(ignore_empty_lines=False, newlines_in_values=True),
                convert_options=pcsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.large_string()),
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                ),
            )
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc) or "utf-8" in str(exc).lower():
                raise UnicodeDecodeError(encoding, b"", 0, 1, str(exc)) from None
            raise FileLoadError(str(path), "bad_csv", f"not a valid CSV table: {exc}") from None
        except UnicodeDecodeError:
            raise
        except (OSError, ValueError) as exc:
            raise FileLoadError(str(path), "bad_csv", f"not a valid CSV table: {exc}") from None
        table = _drop_trailing_empty_arrow(pa, table)
        frame = _arrow_to_pandas(pd, table)
    else:
        try:
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,
                encoding="utf-8-sig" if encoding == "utf-8" else encoding,
            )
        except UnicodeDecodeError:
            raise
        except (ValueError, OSError) as exc:
            raise FileLoadError(str(path), "bad_csv", f"not a valid CSV table: {exc}") from None
        frame = _drop_trailing_empty(frame)
    frame.columns = names if len(names) == frame.shape[1] else frame.columns
    return frame


def _arrow_to_pandas(pd: Any, table: Any) -> pd.DataFrame:
    if int(pd.__version__.split(".")[0]) >= 3:
        return table.to_pandas()
    pa = _require_pyarrow("reading tables")
    dtype = pd.StringDtype("pyarrow")
    return table.to_pandas(types_mapper={pa.string(): dtype, pa.large_string(): dtype}.get)


def _drop_trailing_empty_arrow(pa: Any, table: Any) -> Any:
    if table.num_rows == 0 or table.num_columns == 0:
        return table
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    empty: Any = None
    for column in table.columns:
        nulls = pc.is_null(column)
        empty = nulls if empty is None else pc.and_(empty, nulls)
    flags = np.asarray(empty.to_numpy(zero_copy_only=False), dtype=np.bool_)
    keep = len(flags) - _trailing_true(flags)
    return table.slice(0, keep) if keep < table.num_rows else table


def _trailing_true(flags: np.ndarray) -> int:
    if not flags.size or not flags[-1]:
        return 0
    false = np.flatnonzero(~flags)
    return int(flags.size if not false.size else flags.size - 1 - false[-1])


def _drop_trailing_empty(frame: pd.DataFrame) -> pd.DataFrame:
    if not len(frame):
        return frame
    flags = frame.isna().all(axis=1).to_numpy()
    n_drop = _trailing_true(flags)
    return frame.iloc[: len(frame) - n_drop] if n_drop else frame


def _read_xlsx(pd: Any, path: Path, sheet: str | int | None) -> pd.DataFrame:
    openpyxl = _openpyxl("reading XLSX tables")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileLoadError(str(path), "bad_xlsx", f"not an XLSX workbook: {exc}") from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise FileLoadError(
            str(path), "file_too_large", f"unpacks to {unpacked} bytes, more than {MAX_XLSX_UNPACKED_BYTES}"
        )
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise FileLoadError(str(path), "bad_xlsx", f"not a readable XLSX workbook: {exc}") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(book.worksheets):
                raise FileLoadError(str(path), "no_sheet", f"no sheet number {sheet}")
            ws = book.worksheets[sheet]
        else:
            if sheet not in book.sheetnames:
                raise FileLoadError(
                    str(path), "no_sheet", f"no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}"
                )
            ws = book[sheet]
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise FileLoadError(str(path), "empty_file", "the sheet has no header row")
        header = list(header_row)
        while header and header[-1] is None:
            header.pop()
        width = len(header)
        data: list[tuple[Any, ...]] = []
        for number, row in enumerate(rows, start=2):
            if len(row) > width and any(v is not None for v in row[width:]):
                raise FileLoadError(
                    str(path), "bad_xlsx", f"row {number} has values beyond the header's {width} columns"
                )
            cells = tuple(row[:width])
            data.append(cells + (None,) * (width - len(cells)))
    finally:
        book.close()
    names = ["" if h is None else str(h) for h in header]
    # Cells keep their spreadsheet types (text, number, boolean): no inference per column.
    frame = pd.DataFrame(data, columns=range(width), dtype=object)
    frame.columns = names
    return _drop_trailing_empty(frame)


def _read_parquet(pd: Any, path: Path) -> pd.DataFrame:
    _require_pyarrow("reading Parquet tables")
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    try:
        meta = pq.ParquetFile(path).metadata
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if unpacked > 2 * MAX_TABLE_BYTES:
            raise FileLoadError(str(path), "file_too_large", f"unpacks to {unpacked} bytes")
        table = pq.read_table(path)
    except FileLoadError:
        raise
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError ... for a broken file
        raise FileLoadError(str(path), "bad_parquet", f"not a readable Parquet file: {exc}") from None
    return _arrow_to_pandas(pd, table)


# --------------------------------------------------------------------------- cells
def _number_text(text: str) -> float | None:
    """A decimal number written as text (``35``, ``-1.5``, ``2e6``), else None."""
    return float(text) if _NUMBER.fullmatch(text) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _integral_text(value: Any) -> str | None:
    """The decimal text of an integer-valued number (a spreadsheet number in a text column)."""
    if _is_number(value) and math.isfinite(float(value)) and float(value).is_integer():
        return str(int(value))
    return None


def _bool_of(value: Any) -> bool | None:
    """True/False for the accepted yes/no spellings, None for anything else."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
        return None
    if _is_number(value) and float(value) in (0.0, 1.0):
        return float(value) == 1.0
    return None


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, str):
        return not value.strip()
    return value is _pd_na()


def _pd_na() -> Any:
    pd = sys.modules.get("pandas")
    return None if pd is None else pd.NA


def _answer_value(qtype: str, raw: Any) -> Any:
    """A distinct table cell as the encoder takes it; what the table format rejects passes unchanged."""
    if _blank(raw):
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if text.lower() == NA_TOKEN:
            return NA_TOKEN
        if qtype == "yes_no":
            flag = _bool_of(text)
            return raw if flag is None else flag
        if qtype in ("numeric", "scale", "scene_level"):
            number = _number_text(text)
            return raw if number is None else number
        return text
    if isinstance(raw, bool | np.bool_):
        return bool(raw)
    if _is_number(raw):
        if qtype == "yes_no":
            flag = _bool_of(raw)
            return raw if flag is None else flag
        if qtype in ("single_choice", "multiple_choice"):
            digits = _integral_text(raw)
            return raw if digits is None else digits
        return float(raw)
    if isinstance(raw, list | tuple) and qtype == "multiple_choice":
        return list(raw)
    return raw


@dataclass
class _Split:
    """A column split into numbers (float64, NaN elsewhere) and distinct other cells.

    Row ``i`` holds ``numbers[i]`` if that is not NaN, else distinct value
    ``inverse[i]`` (-1: no value).  Text columns keep their distinct values as
    a pandas Index (``texts``), for vectorised checks; other columns as a list.
    """

    inverse: np.ndarray
    numbers: np.ndarray | None = None
    others: list[Any] = field(default_factory=list)
    texts: Any = None
    _stripped: Any = None

    @property
    def values(self) -> list[Any]:
        return list(self.texts.tolist()) if self.texts is not None else self.others

    @property
    def n_values(self) -> int:
        return len(self.texts) if self.texts is not None else len(self.others)

    def stripped(self) -> Any:
        """The distinct text values without surrounding spaces (a pandas Index); text columns only."""
        if self._stripped is None:
            self._stripped = self.texts.str.strip()
        return self._stripped

    def blank_values(self) -> np.ndarray:
        """Per distinct value (and a last slot for -1): is it blank?"""
        if self.texts is not None:
            flags = np.asarray(self.stripped().str.len() == 0, dtype=bool)
        else:
            flags = np.array([_blank(v) for v in self.others], dtype=bool)
        return np.append(flags, True)

    def blank(self) -> np.ndarray:
        """Rows whose cell is blank (missing, or spaces only)."""
        out = self.blank_values()[self.inverse]
        if self.numbers is not None:
            out &= np.isnan(self.numbers)
        return np.asarray(out)

    def take(self, table: Sequence[Any] | np.ndarray, fill: Any = None) -> np.ndarray:
        """Row values from one value per distinct value (``fill`` where there is none)."""
        full = np.empty(self.n_values + 1, dtype=object)
        full[: self.n_values] = table
        full[self.n_values] = fill
        return np.asarray(full[self.inverse])


def _is_string_dtype(pd: Any, dtype: Any) -> bool:
    if isinstance(dtype, pd.StringDtype):
        return True
    if isinstance(dtype, pd.ArrowDtype):
        pa = _pyarrow()
        return pa is not None and (
            pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype)
        )
    return False


_NULLABLE_NUMBERS = (
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "Float32",
    "Float64",
)


def _split(pd: Any, series: pd.Series, want_numbers: bool) -> _Split:
    """Split one column: numbers apart (when wanted), every other cell by distinct value."""
    n = len(series)
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        series = series.astype(object)
        dtype = series.dtype
    if dtype.kind == "b" or str(dtype) == "boolean":
        flags = series.to_numpy(dtype=object, na_value=None)
        inverse = np.fromiter((-1 if v is None else int(bool(v)) for v in flags), dtype=np.intp, count=n)
        return _Split(inverse, others=[False, True])
    if dtype.kind in "iuf" or str(dtype) in _NULLABLE_NUMBERS:
        floats = series.to_numpy(dtype=np.float64, na_value=np.nan)
        if want_numbers:
            return _Split(np.full(n, -1, dtype=np.intp), floats)
        codes, uniques = pd.factorize(floats, use_na_sentinel=True)
        return _Split(np.asarray(codes, dtype=np.intp), others=list(np.asarray(uniques).tolist()))
    if _is_string_dtype(pd, dtype):
        return _split_text(pd, series, want_numbers)
    if dtype.kind == "O":
        kind = pd.api.types.infer_dtype(series, skipna=True)
        if kind == "string":
            return _split_text(pd, series.astype(pd.StringDtype()), want_numbers)
        if kind == "empty":
            return _Split(np.full(n, -1, dtype=np.intp))
    cells = series.tolist()
    numbers = None
    if want_numbers:
        is_number = np.fromiter((_is_number(v) for v in cells), dtype=bool, count=n)
        if is_number.any():
            numbers = np.full(n, np.nan)
            numbers[is_number] = [float(v) for v, hit in zip(cells, is_number.tolist(), strict=True) if hit]
            cells = [None if hit else v for v, hit in zip(cells, is_number.tolist(), strict=True)]
    na = _pd_na()
    cells = [None if v is na else v for v in cells]
    fc = factorize_cells(cells)
    return _Split(fc.inverse, numbers, others=list(fc.values))


def _split_text(pd: Any, series: pd.Series, want_numbers: bool) -> _Split:
    n = len(series)
    present = series.notna().to_numpy()
    numbers = None
    rest = present
    if want_numbers:
        numbers = _parse_numbers(pd, series, present)
        rest = present & np.isnan(numbers)
    if not rest.any():
        return _Split(np.full(n, -1, dtype=np.intp), numbers)
    if rest.all():
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        inverse = np.asarray(codes, dtype=np.intp)
    else:
        codes, uniques = pd.factorize(series[rest], use_na_sentinel=True)
        inverse = np.full(n, -1, dtype=np.intp)
        inverse[rest] = codes
    return _Split(inverse, numbers, texts=pd.Index(uniques))


def _arrow_text(series: pd.Series) -> Any | None:
    """The column as a pyarrow string array, if it is a text column and pyarrow is installed."""
    pa = _pyarrow()
    if pa is None or not _is_string_dtype(sys.modules["pandas"], series.dtype):
        return None
    try:
        return pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _parse_numbers(pd: Any, series: pd.Series, present: np.ndarray) -> np.ndarray:
    """Float values of the cells that are plain decimal numbers (NaN elsewhere), vectorised.

    A plain decimal is ``[+-]digits[.digits][e[+-]digits]`` with optional
    spaces around; ``nan``, ``inf``, ``1,000`` or ``0x10`` are not numbers.
    """
    array = _arrow_text(series)
    if array is not None:
        pa = _require_pyarrow("numbers")
        import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

        try:
            values = pc.cast(array, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            values = None  # some cell is not a number: the slower, exact path below
        if values is not None:
            out = np.array(values.to_numpy(zero_copy_only=False), dtype=np.float64)
            # pyarrow also reads "nan", "inf", "Infinity": leave those (and overflow) to the cell check.
            out[present & ~np.isfinite(out)] = np.nan
            return out
    text = series.str.strip()
    ok = text.str.fullmatch(_NUMBER_PATTERN).fillna(False).to_numpy(dtype=bool)
    out = np.full(len(series), np.nan)
    if ok.any():
        out[ok] = text[ok].astype(np.float64).to_numpy()
    return out


# --------------------------------------------------------------------------- header
def table_header(questionnaire: Questionnaire) -> list[str]:
    """The columns of the wide format: the profile fields, then every question id."""
    return list(PROFILE_INPUT_FIELDS) + list(questionnaire.compiled().qids)


def _result_names(cq: CompiledQuestionnaire, catalog: PolicyCatalog | None) -> list[str]:
    names = ["valid", "errors", "warnings", "error_summary"]
    names += [f"score:{d}" for d in cq.dim_ids] + ["overall", "level", "level_name"]
    if catalog is not None:
        for c in catalog.categories:
            names += [f"fit:{c.id}", f"eligibility:{c.id}"]
        names.append("top_category")
    return names


def _check_header(
    columns: Sequence[Any], cq: CompiledQuestionnaire, id_columns: Sequence[str], reserved: Sequence[str]
) -> None:
    known = set(PROFILE_INPUT_FIELDS) | set(cq.qids)
    details: list[ErrorDetail] = []
    names = [str(c) for c in columns]
    for name, count in Counter(names).items():
        if count > 1:
            details.append(
                ErrorDetail(
                    "duplicate_column",
                    ("column", name),
                    f"column {name!r} appears {count} times",
                    expected="each column once",
                    got=count,
                )
            )
    for raw, name in zip(columns, names, strict=True):
        if not isinstance(raw, str):
            details.append(
                ErrorDetail(
                    "unknown_column",
                    ("column", name),
                    f"column names are text, not {type(raw).__name__}",
                    expected="a profile field, a question id, a name starting with '_' or an id column",
                    got=raw,
                )
            )
            continue
        if name in known or name.startswith("_") or name in id_columns:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        details.append(
            ErrorDetail(
                "unknown_column",
                ("column", name),
                f"unknown column {name!r}{hint} (prefix passthrough columns with '_' or list them in id_columns)",
                expected="a profile field, a question id, a name starting with '_' or an id column",
                got=name,
            )
        )
    present = set(names)
    needed = ["name"] + [qid for qid, qq in zip(cq.qids, cq.questions, strict=True) if qq.required]
    for name in needed:
        if name not in present:
            what = "the enterprise name" if name == "name" else f"required question {name!r}"
            details.append(
                ErrorDetail(
                    "missing_column",
                    ("column", name),
                    f"no column {name!r} ({what})",
                    expected=f"a column {name!r}",
                    got=None,
                )
            )
    for name in id_columns:
        if name not in present:
            details.append(
                ErrorDetail(
                    "missing_column", ("column", name), f"id column {name!r} is not in the table", got=None
                )
            )
        if name in reserved:
            details.append(
                ErrorDetail(
                    "column_clash",
                    ("column", name),
                    f"id column {name!r} has the name of a result column; rename it",
                    got=name,
                )
            )
    if details:
        raise TableError(f"the table does not fit {cq.questionnaire.id!r}", details)


# --------------------------------------------------------------------------- profile
def _field_bounds(name: str) -> tuple[float, float]:
    lo, hi = -math.inf, math.inf
    for item in Enterprise.model_fields[name].metadata:
        if getattr(item, "ge", None) is not None:
            lo = float(item.ge)
        if getattr(item, "le", None) is not None:
            hi = float(item.le)
    return lo, hi


def _expected(name: str) -> str:
    if name in _TEXT_LIMITS:
        low = 1 if name == "name" else 0
        return f"text of {low} to {_TEXT_LIMITS[name]} characters"
    if name == "credit_code":
        return "an 18-character unified social credit code (GB 32100-2015)"
    if name == "industry":
        return "a GB/T 4754-2017 industry code such as C36 or C3670"
    if name in BOOL_FIELDS:
        return YES_NO_EXPECTED
    if name == "roles":
        return f"roles separated by ';': {', '.join(_ROLE_VALUES)}"
    if name == "certifications":
        return "labels separated by ';', e.g. dcmm-2;cmmm-2"
    lo, hi = _field_bounds(name)
    whole = name in ("employees", "years_operating")
    kind = "a whole number" if whole else "a number"
    if math.isfinite(hi):
        return f"{kind} from {lo:g} to {hi:g}"
    return f"{kind} >= {lo:g}" + (" (yuan)" if name.endswith("_yuan") else "")


class _ProfileBuilder:
    """Validate the profile columns (per distinct value, vectorised for text) and build their arrays."""

    def __init__(self, pd: Any, frame: pd.DataFrame, n: int, add: Callable[[int, ErrorDetail], None]):
        self.pd = pd
        self.frame = frame
        self.n = n
        self.add = add
        self.arrays: dict[str, np.ndarray | Callable[[], np.ndarray]] = {}
        self.blank = np.ones(n, dtype=bool)
        self.code_in_yangzhou = np.full(n, np.nan)

    def error(self, rows: Sequence[int] | np.ndarray, name: str, code: str, message: str, got: Any) -> None:
        for row in np.asarray(rows, dtype=np.intp).tolist():
            self.add(row, ErrorDetail(code, ("row", row, name), message, expected=_expected(name), got=got))

    def spread(self, part: _Split, name: str, problems: Mapping[int, tuple[str, str]]) -> None:
        """Report the problem (code, message) of each bad distinct value on every row that holds it."""
        if not problems:
            return
        flagged = np.zeros(part.n_values + 1, dtype=bool)
        flagged[list(problems)] = True
        rows = np.flatnonzero(flagged[part.inverse])
        values = part.values
        for row, u in zip(rows.tolist(), part.inverse[rows].tolist(), strict=True):
            code, message = problems[u]
            self.add(
                row, ErrorDetail(code, ("row", row, name), message, expected=_expected(name), got=values[u])
            )

    def split(self, name: str, want_numbers: bool = False) -> _Split | None:
        if name not in self.frame.columns:
            return None
        part = _split(self.pd, self.frame[name], want_numbers)
        self.blank &= part.blank()
        return part

    def per_value(
        self, part: _Split, name: str, convert: Callable[[Any], tuple[Any, str, str]]
    ) -> np.ndarray:
        """Map each distinct value through ``convert`` -> (value, error code, message); spread to rows."""
        return part.take(self.converted(part, name, convert))

    def converted(self, part: _Split, name: str, convert: Callable[[Any], tuple[Any, str, str]]) -> list[Any]:
        """``convert`` of each distinct value; problems reported on their rows."""
        out: list[Any] = []
        problems: dict[int, tuple[str, str]] = {}
        for u, raw in enumerate(part.values):
            value, code, message = convert(raw)
            if code:
                problems[u] = (code, message)
            out.append(value)
        self.spread(part, name, problems)
        return out

    def build(self) -> dict[str, np.ndarray | Callable[[], np.ndarray]]:
        for name in ("name", "region"):
            self._text(name)
        self._credit_code()
        self._industry()
        for name in NUMBER_FIELDS:
            self._number(name)
        for name in BOOL_FIELDS:
            self._bool(name)
        self._set("roles")
        self._set("certifications")
        self._derived()
        return self.arrays

    # ----------------------------------------------------------------- fields
    def _text_value(self, name: str, raw: Any) -> tuple[Any, str, str]:
        if _blank(raw):
            return None, "", ""
        if not isinstance(raw, str):
            digits = _integral_text(raw)
            if digits is None:
                return None, "wrong_type", f"{name!r} is text, not {type(raw).__name__}"
            raw = digits
        text = raw.strip()
        limit = _TEXT_LIMITS.get(name)
        if limit is not None and len(text) > limit:
            return None, "too_long", f"{name!r} has {len(text)} characters, more than {limit}"
        return text, "", ""

    def _texts(self, part: _Split, name: str) -> np.ndarray:
        """Distinct values of a text field, stripped (None when blank or rejected); errors reported."""
        if part.texts is None:
            texts = self.converted(part, name, lambda raw: self._text_value(name, raw))
            return np.array([None, *texts], dtype=object)[1:]
        stripped = part.stripped()
        values = stripped.to_numpy(dtype=object, na_value=None)
        lengths = stripped.str.len().to_numpy()
        values[lengths == 0] = None
        limit = _TEXT_LIMITS.get(name)
        if limit is not None:
            long = np.flatnonzero(lengths > limit)
            self.spread(
                part,
                name,
                {
                    int(u): ("too_long", f"{name!r} has {int(lengths[u])} characters, more than {limit}")
                    for u in long
                },
            )
            values[long] = None
        return np.asarray(values, dtype=object)

    def _text(self, name: str) -> None:
        series = self.frame[name] if name in self.frame.columns else None
        array = None if series is None else _arrow_text(series)
        if array is not None:
            self._text_arrow(name, array)
            return
        part = self.split(name)
        if part is None:
            self.arrays[name] = np.full(self.n, None, dtype=object)
        else:
            self.arrays[name] = part.take(self._texts(part, name))
        if name == "name":
            blank = part.blank() if part is not None else np.ones(self.n, dtype=bool)
            self.error(np.flatnonzero(blank), name, "missing_required", "'name' is required", None)

    def _text_arrow(self, name: str, array: Any) -> None:
        """A text field of a text column, checked in pyarrow (no Python object per row)."""
        import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

        stripped = pc.utf8_trim_whitespace(array)
        length = np.asarray(pc.fill_null(pc.utf8_length(stripped), 0).to_numpy(zero_copy_only=False))
        blank = length == 0
        self.blank &= blank
        rejected = blank.copy()
        limit = _TEXT_LIMITS.get(name)
        if limit is not None:
            long = length > limit
            for row in np.flatnonzero(long).tolist():
                message = f"{name!r} has {int(length[row])} characters, more than {limit}"
                self.error([row], name, "too_long", message, _cell(self.frame, name, row))
            rejected |= long
        if name == "name":
            self.error(np.flatnonzero(blank), name, "missing_required", "'name' is required", None)

        def build() -> np.ndarray:
            out = np.asarray(stripped.to_numpy(zero_copy_only=False), dtype=object)
            out[rejected] = None
            return out

        self.arrays[name] = build

    def _credit_code(self) -> None:
        name = "credit_code"
        series = self.frame[name] if name in self.frame.columns else None
        array = None if series is None else _arrow_text(series)
        if array is not None:
            self._credit_code_arrow(array)
            return
        part = self.split(name)
        if part is None:
            self.arrays[name] = np.full(self.n, None, dtype=object)
            return
        texts = self._texts(part, name)
        known = ~_none(texts)
        upper = np.full(len(texts), None, dtype=object)
        if known.any():
            upper[known] = [t.upper() for t in texts[known].tolist()]
        ok = _valid_credit_codes(upper)
        problems: dict[int, tuple[str, str]] = {}
        for u in np.flatnonzero(~ok).tolist():
            problems[u] = ("bad_credit_code", _credit_code_problem(upper[u]))
            upper[u] = None
        self.spread(part, name, problems)
        self.arrays[name] = part.take(upper)
        in_yangzhou = np.full(len(upper) + 1, np.nan)
        for u, code in enumerate(upper.tolist()):
            if code is not None:
                in_yangzhou[u] = float(code[2:6] == YANGZHOU_DIVISION_PREFIX)
        self.code_in_yangzhou = in_yangzhou[part.inverse]

    def _credit_code_arrow(self, array: Any) -> None:
        """Credit codes of a text column, checked in pyarrow and numpy (GB 32100-2015)."""
        pa = _require_pyarrow("credit codes")
        import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

        name = "credit_code"
        upper = pc.utf8_upper(pc.utf8_trim_whitespace(array))
        chars = np.asarray(pc.fill_null(pc.utf8_length(upper), 0).to_numpy(zero_copy_only=False))
        blank = chars == 0
        self.blank &= blank
        n_bytes = np.asarray(pc.fill_null(pc.binary_length(upper), 0).to_numpy(zero_copy_only=False))
        candidates = n_bytes == 18
        ok = np.zeros(self.n, dtype=bool)
        if candidates.any():
            fixed = pc.cast(pc.filter(upper, pa.array(candidates)), pa.binary(18))
            if isinstance(fixed, pa.ChunkedArray):
                fixed = fixed.combine_chunks()
            data = np.frombuffer(
                fixed.buffers()[1], dtype=np.uint8, count=len(fixed) * 18, offset=fixed.offset * 18
            ).reshape(-1, 18)
            ok[candidates] = _credit_check(data)
        bad = ~blank & ~ok
        for row in np.flatnonzero(bad).tolist():
            got = _cell(self.frame, name, row)
            text = got.strip().upper() if isinstance(got, str) else str(got)
            self.error([row], name, "bad_credit_code", _credit_code_problem(text), got)
        prefix = pc.fill_null(pc.equal(pc.utf8_slice_codeunits(upper, 2, 6), YANGZHOU_DIVISION_PREFIX), False)
        in_yangzhou = np.asarray(prefix.to_numpy(zero_copy_only=False), dtype=np.float64)
        in_yangzhou[~ok] = np.nan
        self.code_in_yangzhou = in_yangzhou

        def build() -> np.ndarray:
            out = np.asarray(upper.to_numpy(zero_copy_only=False), dtype=object)
            out[~ok] = None
            return out

        self.arrays[name] = build

    def _industry(self) -> None:
        name = "industry"

        def convert(raw: Any) -> tuple[Any, str, str]:
            value, code, message = self._text_value(name, raw)
            if code or value is None:
                return value, code, message
            try:
                return normalise_industry(value), "", ""
            except ValueError as exc:
                return None, "bad_industry", str(exc)

        part = self.split(name)
        self.arrays[name] = (
            np.full(self.n, None, dtype=object) if part is None else self.per_value(part, name, convert)
        )

    def _number(self, name: str) -> None:
        part = self.split(name, want_numbers=True)
        values = np.full(self.n, np.nan)
        if part is None:
            self.arrays[name] = values
            return
        if part.numbers is not None:
            values[:] = part.numbers
        table = np.full(part.n_values + 1, np.nan)
        problems: dict[int, tuple[str, str]] = {}
        for u, raw in enumerate(part.values):
            if _blank(raw):
                continue
            number = _number_text(raw.strip()) if isinstance(raw, str) else None
            if number is None:
                what = f"{raw!r}" if isinstance(raw, str) else type(raw).__name__
                problems[u] = ("wrong_type", f"{name!r} takes a number, not {what}")
                continue
            table[u] = number
        self.spread(part, name, problems)
        from_text = part.inverse >= 0
        values[from_text] = table[part.inverse[from_text]]
        lo, hi = _field_bounds(name)
        whole = name in ("employees", "years_operating")
        known = ~np.isnan(values)
        with np.errstate(invalid="ignore"):
            infinite = known & ~np.isfinite(values)
            fraction = (
                known & ~infinite & (values != np.floor(values)) if whole else np.zeros(self.n, dtype=bool)
            )
            outside = known & ~infinite & ~fraction & ((values < lo) | (values > hi))
        for rows, code, message in (
            (infinite, "not_finite", f"{name!r} needs a finite number"),
            (fraction, "wrong_type", f"{name!r} takes a whole number"),
            (outside, "out_of_range", f"{name!r} is out of range"),
        ):
            for row in np.flatnonzero(rows).tolist():
                self.error([row], name, code, message, _cell(self.frame, name, row))
        values[infinite | fraction | outside] = np.nan
        self.arrays[name] = values

    def _bool(self, name: str) -> None:
        part = self.split(name)
        values = np.full(self.n, np.nan)
        rejected = np.zeros(self.n, dtype=bool)
        if part is not None:
            table = np.full(part.n_values + 1, np.nan)
            bad = np.zeros(part.n_values + 1, dtype=bool)
            problems: dict[int, tuple[str, str]] = {}
            for u, raw in enumerate(part.values):
                if _blank(raw):
                    continue
                flag = _bool_of(raw)
                if flag is None:
                    problems[u] = ("wrong_type", f"{name!r} is true or false (also 1/0, 是/否), not {raw!r}")
                    bad[u] = True
                else:
                    table[u] = float(flag)
            self.spread(part, name, problems)
            values = table[part.inverse]
            rejected = bad[part.inverse]
        if name == "diagnosed":
            # The Enterprise default: a blank (or absent) "diagnosed" is false.
            values[np.isnan(values) & ~rejected] = 0.0
        self.arrays[name] = values

    def _set(self, name: str) -> None:
        default = _DEFAULT_ROLES if name == "roles" else frozenset()

        def convert(raw: Any) -> tuple[Any, str, str]:
            if _blank(raw):
                return default, "", ""
            if isinstance(raw, str):
                items = [v.strip() for v in raw.split(LIST_SEPARATOR) if v.strip()]
            elif isinstance(raw, list | tuple) and all(isinstance(v, str) for v in raw):
                items = [v.strip() for v in raw if v.strip()]
            else:
                return (
                    default,
                    "wrong_type",
                    f"{name!r} is text with ';' between items, not {type(raw).__name__}",
                )
            if name == "certifications":
                return frozenset(v.lower() for v in items), "", ""
            unknown = [v for v in items if v not in _ROLE_VALUES]
            if unknown:
                # The row is invalid; the default keeps the conditions computable.
                return default, "unknown_option", f"unknown role {', '.join(map(repr, unknown))}"
            return frozenset(items) if items else default, "", ""

        part = self.split(name)
        if part is None:
            out = np.empty(self.n, dtype=object)
            out[:] = [default] * self.n
        else:
            out = part.take(self.converted(part, name, convert), fill=default)
        self.arrays[name] = out

    def eager(self, name: str) -> np.ndarray:
        value = self.arrays[name]
        return value() if callable(value) else value

    def _derived(self) -> None:
        a = self.arrays
        employees, revenue = self.eager("employees"), self.eager("revenue_yuan")
        size = np.full(self.n, None, dtype=object)
        known = ~np.isnan(employees) & ~np.isnan(revenue)
        size[known] = "micro"
        done = ~known
        for label, min_employees, min_revenue in SIZE_CLASSES_INDUSTRY:
            with np.errstate(invalid="ignore"):
                hit = ~done & (employees >= min_employees) & (revenue >= min_revenue)
            size[hit] = label
            done |= hit
        a["size_class"] = size
        with np.errstate(invalid="ignore"):
            a["above_designated_size"] = np.where(
                np.isnan(revenue), np.nan, (revenue >= ABOVE_DESIGNATED_SIZE_REVENUE).astype(np.float64)
            )
        division = self._per_distinct(self.eager("industry"), lambda code: float(int(code[1:3])))
        a["industry_division"] = division
        for key, divisions in (
            ("is_manufacturing", MANUFACTURING_DIVISIONS),
            ("is_equipment_maker", EQUIPMENT_DIVISIONS),
        ):
            lo, hi = divisions.start, divisions.stop - 1
            with np.errstate(invalid="ignore"):
                a[key] = np.where(
                    np.isnan(division), np.nan, ((division >= lo) & (division <= hi)).astype(np.float64)
                )
        region_hit = self._per_distinct(self.eager("region"), _region_in_yangzhou)
        has_region = ~_none(self.eager("region"))
        by_code = self.code_in_yangzhou
        # As Enterprise.in_yangzhou: a Yangzhou region; else the credit code's division; else unknown.
        a["in_yangzhou"] = np.where(
            region_hit == 1.0,
            1.0,
            np.where(~np.isnan(by_code), by_code, np.where(has_region, 0.0, np.nan)),
        )

    def _per_distinct(self, values: np.ndarray, fn: Callable[[Any], float]) -> np.ndarray:
        """``fn`` of each distinct non-None value of an object array (NaN for None), as floats."""
        codes, uniques = self.pd.factorize(values, use_na_sentinel=True)
        table = np.array(
            [fn(v) for v in np.asarray(uniques, dtype=object).tolist()] + [np.nan], dtype=np.float64
        )
        return np.asarray(table[codes])


def _none(values: np.ndarray) -> np.ndarray:
    """Where an object array holds None."""
    pd = sys.modules.get("pandas")
    if pd is not None:
        return np.asarray(pd.isna(values), dtype=bool)
    return np.fromiter((v is None for v in values.tolist()), dtype=bool, count=len(values))


def _cell(frame: pd.DataFrame, name: str, row: int) -> Any:
    value = frame[name].iloc[row]
    return value.item() if isinstance(value, np.generic) else value


def _region_in_yangzhou(region: str | None) -> float:
    if not region:
        return 0.0
    text = region.strip()
    hit = "扬州" in text or text in YANGZHOU_AREAS or text.lower() in YANGZHOU_AREAS_EN
    return 1.0 if hit or "yangzhou" in text.lower() else 0.0


_CREDIT_LUT = np.full(256, -1, dtype=np.int8)
for _i, _ch in enumerate(CREDIT_CODE_ALPHABET):
    _CREDIT_LUT[ord(_ch)] = _i
_CREDIT_WEIGHTS = np.array(CREDIT_CODE_WEIGHTS, dtype=np.float64)


def _credit_check(data: np.ndarray) -> np.ndarray:
    """Which rows of an (N, 18) array of character codes (< 256) are valid GB 32100-2015 codes."""
    values = _CREDIT_LUT[data]
    good_chars = (values >= 0).all(axis=1)
    # Exact in float64: at most 17 x 30 x 30 = 15,300.
    total = (values[:, :17] @ _CREDIT_WEIGHTS).astype(np.int64)
    check = (31 - total % 31) % 31
    return np.asarray(good_chars & (values[:, 17] == check))


def _credit_code_problem(code: str) -> str:
    try:
        check_credit_code(code)
    except ValueError as exc:
        return str(exc)
    return "not a valid unified social credit code"


def _valid_credit_codes(codes: np.ndarray) -> np.ndarray:
    """GB 32100-2015 check of an object array of upper-cased codes (None: nothing to check)."""
    n = len(codes)
    ok = np.ones(n, dtype=bool)
    present = np.flatnonzero(~_none(codes))
    if not present.size:
        return ok
    lengths = np.fromiter(map(len, codes[present].tolist()), dtype=np.int64, count=present.size)
    ok[present[lengths != 18]] = False
    rows = present[lengths == 18]
    if rows.size:
        points = codes[rows].astype("<U18").view(np.uint32).reshape(-1, 18)
        ok[rows] = _credit_check(np.where(points < 256, points, 0).astype(np.uint8)) & (points < 256).all(
            axis=1
        )
    return ok


class _TableProfile(ProfileColumns):
    """Profile columns already built (every field of ``PROFILE_KINDS``), some on first use only."""

    def __init__(self, arrays: Mapping[str, np.ndarray | Callable[[], np.ndarray]], n: int) -> None:
        super().__init__(n)
        self._arrays = dict(arrays)

    def _build(self, name: str) -> np.ndarray:
        value = self._arrays[name]
        return value() if callable(value) else value


# --------------------------------------------------------------------------- progress
class _Progress:
    def __init__(self, enabled: bool | None, n_rows: int, total: int) -> None:
        if enabled is None:
            enabled = n_rows > AUTO_PROGRESS_ROWS and _stderr_is_terminal() and _has_tqdm()
        self.bar: Any = None
        if enabled:
            tqdm = require("tqdm.auto", "progress bars", "progress").tqdm
            self.bar = tqdm(total=total, desc="validate", unit="step", file=sys.stderr, leave=False)

    def step(self, stage: str, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.set_description(stage, refresh=False)
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _stderr_is_terminal() -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty()) if callable(isatty) else False


def _has_tqdm() -> bool:
    import importlib.util

    return importlib.util.find_spec("tqdm") is not None


# --------------------------------------------------------------------------- scoring
@dataclass
class TableResult:
    """The scored table: ``frame`` (one row per input row, in order), ``errors``, ``scores``, ``match``.

    ``frame`` holds the passthrough and profile columns as given, then
    ``valid``, ``errors`` (count), ``warnings`` (count), ``error_summary``,
    ``score:<dimension>``, ``overall``, ``level``, ``level_name`` and per
    category of the catalog ``fit:<category>`` and ``eligibility:<category>``,
    then ``top_category``.  ``errors`` is a frame of every problem: ``row``
    (1-based data row), ``column``, ``code``, ``message``, ``expected``,
    ``got`` and ``severity`` (``error``, or ``warning`` for an answer to a
    question its condition skips, which is not scored).
    """

    questionnaire: Questionnaire
    frame: pd.DataFrame
    errors: pd.DataFrame
    scores: BatchScores
    match: CohortMatch | None
    catalog: PolicyCatalog | None
    source: str | None = None
    result_columns: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def n_invalid(self) -> int:
        return int((~self.scores.valid).sum())

    def summary(self) -> dict[str, Any]:
        """Rows, valid, invalid, problems by code, levels (valid rows), mean overall: JSON-ready."""
        s = self.scores
        codes = self.errors.loc[self.errors["severity"] == "error", "code"].value_counts()
        warnings = int((self.errors["severity"] == "warning").sum())
        valid_overall = s.overall[s.valid]
        q = self.questionnaire
        return {
            "questionnaire": f"{q.id} v{q.version}",
            "catalog": None if self.catalog is None else self.catalog.id,
            "source": self.source,
            "rows": len(s),
            "valid": int(s.valid.sum()),
            "invalid": self.n_invalid,
            "errors": int(codes.sum()),
            "warnings": warnings,
            "error_codes": {str(k): int(v) for k, v in codes.items()},
            "levels": {int(k): v for k, v in s.level_counts().items()},
            "mean_overall": round(float(valid_overall.mean()), 2) if valid_overall.size else None,
        }

    def summary_text(self, lang: str = "zh") -> str:
        info = self.summary()
        levels = self.questionnaire.levels.levels
        lines = [
            f"{info['questionnaire']}: {info['rows']} rows, {info['valid']} valid, {info['invalid']} invalid"
            f" ({info['errors']} error(s), {info['warnings']} warning(s))",
        ]
        if info["error_codes"]:
            lines.append("errors: " + ", ".join(f"{k} {v}" for k, v in info["error_codes"].items()))
        lines.append(
            "levels: " + " | ".join(f"L{k} {levels[k].name.of(lang)} {v}" for k, v in info["levels"].items())
        )
        if info["mean_overall"] is not None:
            lines.append(f"mean overall: {info['mean_overall']:.1f}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<TableResult {self.questionnaire.id}: {len(self)} rows, {self.n_invalid} invalid>"


def _resolve(
    questionnaire: Questionnaire | str, catalog: PolicyCatalog | str | None, match: bool
) -> tuple[Questionnaire, PolicyCatalog | None]:
    from ._loading import default_catalog, load_catalog, load_questionnaire

    q = load_questionnaire(questionnaire)
    if not match:
        return q, None
    if catalog is None:
        return q, default_catalog(q.id)
    return q, load_catalog(catalog, questionnaire=q)


def score_table(
    questionnaire: Questionnaire | str,
    table: Any,
    catalog: PolicyCatalog | str | None = None,
    *,
    id_columns: Sequence[str] = (),
    lazy: bool = True,
    progress: bool | None = None,
    lang: str = "zh",
    match: bool = True,
) -> TableResult:
    """Validate every row of a wide table at once, score the valid rows, match them to a catalog.

    Parameters
    ----------
    questionnaire
        A :class:`Questionnaire`, a built-in id or a path.
    table
        A path (CSV, XLSX, Parquet) or a pandas/polars/pyarrow table (see :func:`read_table`).
    catalog
        A policy catalog or its id/path; default: the questionnaire's built-in catalog.
    id_columns
        Columns kept in the output unchanged (besides those starting with ``_``).
    lazy
        True (the default): collect every problem of every row and score the
        valid rows; False: raise :class:`TableError` if any row is invalid.
    progress
        A progress bar on standard error (needs tqdm); None: only for more than
        100,000 rows when standard error is a terminal and tqdm is installed.
    lang
        Language of ``level_name`` (``zh`` or ``en``).
    match
        False to skip the catalog (no ``fit:``/``eligibility:`` columns).

    Raises
    ------
    TableError
        The table as a whole does not fit (unknown, missing or duplicate columns).
    """
    from ._matching import match_batch
    from ._scoring import score_matrix

    pd = _pandas("score_table")
    frame = read_table(table)
    source = os.fspath(table) if isinstance(table, str | os.PathLike) else frame.attrs.get("source")
    owned = isinstance(table, str | os.PathLike)  # read here: ours to free as we go
    header = list(frame.columns)
    q, cat = _resolve(questionnaire, catalog, match)
    cq = q.compiled()
    id_columns = list(id_columns)
    result_names = _result_names(cq, cat)
    _check_header(list(frame.columns), cq, id_columns, result_names)
    n = len(frame)
    steps = 1 + cq.n_questions + 3
    bar = _Progress(progress, n, steps)
    try:
        profile_problems = RowProblems()
        builder = _ProfileBuilder(pd, frame, n, profile_problems.add)
        arrays = builder.build()
        bar.step("profile")
        blank = builder.blank
        encoder = Encoder(cq)
        matrix = encoder.empty(n, _TableProfile(arrays, n))
        for col, qid in enumerate(cq.qids):
            if qid in frame.columns:
                ordinal = cq.kind[col] == KIND_NUMERIC or cq.questions[col].type in ("scale", "scene_level")
                part = _split(pd, frame[qid], want_numbers=ordinal)
                blank &= part.blank()
                qtype = cq.questions[col].type
                values = [_answer_value(qtype, v) for v in part.values]
                encoder.add_column(matrix, qid, FactorizedColumn(values, part.inverse, part.numbers))
                if owned:
                    del frame[qid]  # a table read here: free each column once encoded
            bar.step(f"encode {qid}")
        encoder.check_relevance(matrix, loc_prefix=None)
        for row, errs in profile_problems.items():
            matrix.errors.add(row, *errs)
        position = {str(c): i for i, c in enumerate(header)}
        for errs in matrix.errors.values():
            if len(errs) > 1:  # in the table's column order, as the error frame
                errs.sort(key=lambda e: position.get(str(e.loc[-1]), -1))
        for row in np.flatnonzero(blank).tolist():
            matrix.errors[row] = [
                ErrorDetail("empty_row", ("row", row), "the row has no profile value and no answer", got=None)
            ]
            matrix.warnings.pop(row, None)
        if not lazy and matrix.errors:
            details = [e for i in matrix.errors.rows() for e in matrix.errors[i]]
            raise TableError(
                f"{len(matrix.errors.rows())} of {n} rows do not fit {q.id!r}", _row_numbers(details)
            )
        scores = score_matrix(q, matrix, keep_questions=False)
        bar.step("score")
        cohort = match_batch(cat, scores) if cat is not None else None
        bar.step("match")
        kept = [
            c for c in frame.columns if c in id_columns or str(c).startswith("_") or c in PROFILE_INPUT_FIELDS
        ]
        out = _result_frame(pd, frame, kept, q, scores, cohort, cat, lang)
        errors = _error_frame(pd, scores, header)
        bar.step("assemble")
    finally:
        bar.close()
    return TableResult(q, out, errors, scores, cohort, cat, source, result_names)


def _row_numbers(details: list[ErrorDetail]) -> list[ErrorDetail]:
    """Details with 1-based data row numbers, for messages."""
    out = []
    for d in details:
        loc = d.loc
        if len(loc) >= 2 and loc[0] == "row" and isinstance(loc[1], int):
            loc = ("row", loc[1] + 1, *loc[2:])
        out.append(ErrorDetail(d.code, loc, d.message, d.expected, d.got, d.severity))
    return out


def _result_frame(
    pd: Any,
    frame: pd.DataFrame,
    kept: list[str],
    q: Questionnaire,
    scores: BatchScores,
    cohort: CohortMatch | None,
    catalog: PolicyCatalog | None,
    lang: str,
) -> pd.DataFrame:
    cq = q.compiled()
    n = len(scores)
    valid = np.asarray(scores.valid, dtype=bool)
    cols: dict[str, Any] = {c: frame[c] for c in kept}
    n_errors = np.zeros(n, dtype=np.int64)
    summary = np.full(n, None, dtype=object)
    for row, errs in scores.errors.items():
        if errs:
            n_errors[row] = len(errs)
            summary[row] = _short_summary(errs)
    n_warnings = np.zeros(n, dtype=np.int64)
    for row, warns in scores.warnings.items():
        n_warnings[row] = len(warns)
    cols["valid"] = valid
    cols["errors"] = n_errors
    cols["warnings"] = n_warnings
    cols["error_summary"] = pd.array(summary, dtype="string")
    for d, did in enumerate(cq.dim_ids):
        cols[f"score:{did}"] = np.ascontiguousarray(scores.dimensions[:, d], dtype=np.float64)
    cols["overall"] = np.asarray(scores.overall, dtype=np.float64)
    level = np.where(valid, scores.level, 0).astype(np.int64)
    cols["level"] = pd.arrays.IntegerArray(level, ~valid)
    names = [lv.name.of(lang) for lv in q.levels.levels]
    cols["level_name"] = _categorical(pd, np.where(valid, scores.level, -1), names, ordered=True)
    if cohort is not None and catalog is not None:
        arrays = cohort.arrays
        for j, c in enumerate(catalog.categories):
            cols[f"fit:{c.id}"] = np.ascontiguousarray(arrays.fit[:, j], dtype=np.float64)
            state = np.where(valid, arrays.state[:, j].astype(np.int64), -1)
            cols[f"eligibility:{c.id}"] = _categorical(pd, state, list(STATES))
        priority = np.where(np.isnan(arrays.priority), -1.0, arrays.priority)
        best = np.argmax(priority, axis=1) if priority.shape[1] else np.zeros(n, dtype=np.int64)
        top = priority[np.arange(n), best] if priority.shape[1] else np.zeros(n)
        codes = np.where(valid & (top > 0), best, -1)
        cols["top_category"] = _categorical(pd, codes, [c.id for c in catalog.categories])
    return pd.DataFrame(cols, index=frame.index)


def _categorical(pd: Any, codes: np.ndarray, categories: list[str], ordered: bool = False) -> Any:
    if len(set(categories)) == len(categories):
        return pd.Categorical.from_codes(codes.astype(np.int64), categories=categories, ordered=ordered)
    labels = np.array([None, *categories], dtype=object)[codes.astype(np.int64) + 1]
    return pd.array(labels, dtype="string")


def _short_summary(errs: list[ErrorDetail], limit: int = 3) -> str:
    parts = []
    for e in errs[:limit]:
        where = str(e.loc[-1]) if len(e.loc) > 2 else "row"
        parts.append(f"{where}: {e.code}")
    more = f" (+{len(errs) - limit} more)" if len(errs) > limit else ""
    return "; ".join(parts) + more


def _got_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


def _error_frame(pd: Any, scores: BatchScores, header: list[str]) -> pd.DataFrame:
    position = {str(c): i for i, c in enumerate(header)}
    records: list[tuple[int, int, int, str, str, str, str | None, str | None, str]] = []
    for problems in (scores.errors, scores.warnings):
        for row, details in problems.items():
            for k, e in enumerate(details):
                column = str(e.loc[-1]) if len(e.loc) > 2 else ""
                records.append(
                    (
                        row + 1,
                        position.get(column, -1),
                        k,
                        column,
                        e.code,
                        e.message,
                        e.expected,
                        _got_text(e.got),
                        e.severity,
                    )
                )
    records.sort(key=lambda r: (r[0], r[8] != "error", r[1], r[2]))
    names = ("row", "column", "code", "message", "expected", "got", "severity")
    if not records:
        return pd.DataFrame(
            {"row": np.array([], dtype=np.int64)} | {k: pd.array([], dtype="string") for k in names[1:]}
        )
    columns: dict[str, Any] = {"row": np.array([r[0] for r in records], dtype=np.int64)}
    for k, name in enumerate(names[1:], start=3):
        columns[name] = pd.array([r[k] for r in records], dtype="string")
    return pd.DataFrame(columns)


# --------------------------------------------------------------------------- scale-out
def score_partition(
    df: pd.DataFrame,
    questionnaire_id_or_path: str,
    catalog: str | None = None,
    *,
    id_columns: Sequence[str] = (),
    lang: str = "zh",
) -> pd.DataFrame:
    """Score one partition of a wide table: a pure function for dask, Spark or Ray.

    The result has the computed columns only (``valid`` ... ``top_category``,
    as in :class:`TableResult`), in a fixed order with fixed dtypes given the
    questionnaire and catalog (:func:`output_meta`), and the partition's index,
    so that it can be joined back to the input.  Arguments are plain strings:
    picklable, and nothing global is changed.

    >>> import dask.dataframe as dd                                  # doctest: +SKIP
    >>> ddf = dd.read_csv("table.csv", dtype=str, keep_default_na=False, na_values=[""])  # doctest: +SKIP
    >>> scored = ddf.map_partitions(score_partition, "yangzhou-2022", meta=output_meta("yangzhou-2022"))  # doctest: +SKIP
    """
    result = score_table(
        questionnaire_id_or_path, df, catalog, id_columns=id_columns, progress=False, lang=lang
    )
    return result.frame[result.result_columns]


def output_meta(
    questionnaire: Questionnaire | str, catalog: PolicyCatalog | str | None = None, *, lang: str = "zh"
) -> pd.DataFrame:
    """An empty frame with the columns and dtypes :func:`score_partition` returns (dask's ``meta=``)."""
    pd = _pandas("output_meta")
    q, cat = _resolve(questionnaire, catalog, True)
    empty = pd.DataFrame({name: pd.Series([], dtype=object) for name in table_header(q)})
    result = score_table(q, empty, cat, progress=False, lang=lang)
    return result.frame[result.result_columns]


# --------------------------------------------------------------------------- writing
def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) cannot run as spreadsheet formulas.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
    return gets a leading ``'`` (OWASP CSV-injection guidance), unless it is a
    plain decimal number such as ``-12.5``; numeric columns are untouched.
    """
    pd = _pandas("escape_formulas")
    out = frame.copy(deep=False)
    for name in list(out.columns):
        s = out[name]
        dtype = s.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            categories = list(dtype.categories)
            guarded = [_guard(c) for c in categories]
            if guarded != categories:
                if len(set(guarded)) == len(guarded):
                    out[name] = s.cat.rename_categories(guarded)
                else:
                    out[name] = s.astype(object).map(_guard)
        elif _is_string_dtype(pd, dtype):
            risky = np.array(s.str.startswith(FORMULA_PREFIXES).fillna(False), dtype=bool)
            if risky.any():
                numeric = s[risky].str.fullmatch(_NUMBER_PATTERN).fillna(False).to_numpy(dtype=bool)
                risky[np.flatnonzero(risky)[numeric]] = False
            if risky.any():
                values = s.copy()
                values[risky] = "'" + s[risky]
                out[name] = values
        elif dtype.kind == "O":
            out[name] = pd.Series([_guard(v) for v in s.tolist()], index=s.index, dtype=object)
    out.columns = [_guard(c) if isinstance(c, str) else c for c in out.columns]
    return out


def _guard(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str], *, bom: bool = True) -> Path:
    """Write a frame as CSV, XLSX or Parquet (by extension); CSV and XLSX are formula-guarded.

    CSV is UTF-8 with a byte-order mark by default (``bom=False`` to drop it),
    so that Excel opens Chinese text correctly.  XLSX holds at most
    1,048,575 data rows (Excel's limit).  The index is not written.
    """
    pd = _pandas("write_table")
    p = Path(os.fspath(path))
    fmt = _table_format(p)
    if fmt == "parquet":
        _require_pyarrow("writing Parquet tables")
        frame.to_parquet(p, index=False)
        return p
    safe = escape_formulas(frame)
    if fmt == "xlsx":
        _write_xlsx(pd, safe, p)
        return p
    pa = _pyarrow()
    with open(p, "wb") as handle:
        if bom:
            handle.write("\ufeff".encode())
        if pa is not None:
            import pyarrow.csv as pcsv  # type: ignore[import-untyped,unused-ignore]

            table = pa.Table.from_pandas(_plain_for_arrow(pd, safe), preserve_index=False)
            pcsv.write_csv(table, handle)
        else:
            text = safe.copy(deep=False)
            for name in text.columns:
                if text[name].dtype.kind == "b":
                    text[name] = text[name].map({True: "true", False: "false"})
            text.to_csv(handle, index=False, encoding="utf-8", lineterminator="\n")
    return p


def _plain_for_arrow(pd: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns (mixed Python values) as text, which pyarrow's CSV writer takes."""
    out = frame.copy(deep=False)
    out.columns = [str(c) for c in out.columns]
    for name in out.columns:
        s = out[name]
        if isinstance(s.dtype, pd.CategoricalDtype) or _is_string_dtype(pd, s.dtype) or s.dtype.kind != "O":
            continue
        if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
            out[name] = s.astype("string")
        else:
            out[name] = pd.array([None if _blank(v) else _got_text(v) for v in s.tolist()], dtype="string")
    return out


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, str | int):
        return value
    if value is _pd_na():
        return None
    return str(value)


def _write_xlsx(pd: Any, frame: pd.DataFrame, path: Path, sheet_title: str = "data") -> None:
    openpyxl = _openpyxl("writing XLSX tables")
    if len(frame) >= EXCEL_MAX_ROWS:
        raise TableError(
            f"cannot write {path}",
            [
                ErrorDetail(
                    "too_many_rows",
                    (),
                    f"an XLSX sheet holds at most {EXCEL_MAX_ROWS - 1} data rows; write CSV or Parquet",
                    expected=f"at most {EXCEL_MAX_ROWS - 1} rows",
                    got=len(frame),
                )
            ],
        )
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(sheet_title)
    ws.append([str(c) for c in frame.columns])
    columns = [frame[c].tolist() for c in frame.columns]
    from openpyxl.utils.exceptions import IllegalCharacterError  # type: ignore[import-untyped,unused-ignore]

    for i, row in enumerate(zip(*columns, strict=True)):
        try:
            ws.append([_xlsx_value(v) for v in row])
        except IllegalCharacterError:
            bad = next(c for c, v in zip(frame.columns, row, strict=True) if _illegal_xlsx(v))
            raise TableError(
                f"cannot write {path}",
                [
                    ErrorDetail(
                        "illegal_character",
                        ("row", i + 1, str(bad)),
                        "a control character cannot be stored in an XLSX cell",
                        got=row[list(frame.columns).index(bad)],
                    )
                ],
            ) from None
    book.save(path)


def _illegal_xlsx(value: Any) -> bool:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped,unused-ignore]

    return isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value) is not None


# --------------------------------------------------------------------------- template
_PROFILE_DOCS: dict[str, tuple[str, str]] = {
    "name": ("企业名称（必填）", "Enterprise name (required)"),
    "credit_code": ("统一社会信用代码（18位，GB 32100-2015）", "Unified social credit code (18 characters)"),
    "region": ("所在区县，如 江都区", "District or county, e.g. 江都区"),
    "industry": ("国民经济行业分类代码（GB/T 4754-2017），如 C36", "GB/T 4754-2017 industry code, e.g. C36"),
    "employees": ("从业人数", "Employees"),
    "revenue_yuan": ("年主营业务收入（元）", "Annual main-business revenue (yuan)"),
    "roles": ("角色，用 ; 分隔；空白 = manufacturer", "Roles separated by ';'; blank = manufacturer"),
    "rnd": ("是否自主研发", "Does own R&D"),
    "diagnosed": ("是否已开展智改数转诊断；空白 = 否", "Has had a diagnosis already; blank = false"),
    "planned_investment_yuan": ("计划投资（元）", "Planned investment (yuan)"),
    "years_operating": ("经营年限", "Years in operation"),
    "certifications": ("已获认证，用 ; 分隔，如 dcmm-2;cmmm-2", "Certifications separated by ';'"),
}


def table_columns(questionnaire: Questionnaire | str, lang: str = "zh") -> pd.DataFrame:
    """Every column of the wide format, documented: kind, type, required, allowed values, text zh/en."""
    from ._loading import load_questionnaire

    pd = _pandas("table_columns")
    q = load_questionnaire(questionnaire)
    cq = q.compiled()
    records: list[dict[str, Any]] = []
    for name in PROFILE_INPUT_FIELDS:
        kind = PROFILE_KINDS[name]
        zh, en = _PROFILE_DOCS.get(name, ("", ""))
        records.append(
            {
                "column": name,
                "kind": "profile",
                "dimension": "",
                "type": {"numeric": "number", "bool": "yes_no", "text": "text", "set": "list"}[kind],
                "required": name == "name",
                "na_allowed": False,
                "allowed": _expected(name),
                "text_zh": zh,
                "text_en": en,
            }
        )
    for col, question in enumerate(cq.questions):
        dim = cq.dim_ids[int(cq.question_dim[col])]
        if question.type in ("single_choice", "multiple_choice"):
            allowed = "; ".join(f"{o.id} = {o.label.of(lang)}" for o in question.options)
            if question.type == "multiple_choice":
                allowed = "option ids separated by ';': " + allowed
        elif question.type == "yes_no":
            allowed = YES_NO_EXPECTED
        elif question.type in ("scale", "scene_level"):
            allowed = f"an integer from {question.min:g} to {question.max:g}"
            if question.points:
                allowed += ": " + "; ".join(f"{p.value} = {p.label.of(lang)}" for p in question.points)
        else:
            lo = "-inf" if question.min is None else f"{question.min:g}"
            hi = "inf" if question.max is None else f"{question.max:g}"
            allowed = f"a number from {lo} to {hi}" + (f" ({question.unit})" if question.unit else "")
        if question.allow_na:
            allowed += "; or n/a"
        records.append(
            {
                "column": question.id,
                "kind": "question",
                "dimension": dim,
                "type": question.type,
                "required": question.required,
                "na_allowed": question.allow_na,
                "allowed": allowed,
                "text_zh": question.text.zh or "",
                "text_en": question.text.en or "",
            }
        )
    return pd.DataFrame.from_records(records)


def table_template(
    questionnaire: Questionnaire | str,
    path: str | os.PathLike[str] | None = None,
    *,
    fmt: str | None = None,
    lang: str = "zh",
) -> bytes:
    """An empty wide table: the header row (CSV or XLSX); XLSX adds a sheet documenting every column.

    The format is ``fmt`` (``"csv"`` or ``"xlsx"``), else the extension of
    ``path``, else CSV.  Returns the file's bytes, and writes them to ``path`` if given.
    """
    from ._loading import load_questionnaire

    q = load_questionnaire(questionnaire)
    if fmt is None:
        fmt = _table_format(Path(os.fspath(path))) if path is not None else "csv"
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"fmt must be 'csv' or 'xlsx' (got {fmt!r})")
    header = table_header(q)
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(header)
        data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    else:
        data = _xlsx_template(q, header, lang)
    if path is not None:
        Path(os.fspath(path)).write_bytes(data)
    return data


def _xlsx_template(q: Questionnaire, header: list[str], lang: str) -> bytes:
    openpyxl = _openpyxl("XLSX templates")
    from openpyxl.styles import Font  # type: ignore[import-untyped,unused-ignore]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped,unused-ignore]
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped,unused-ignore]

    docs = table_columns(q, lang)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "data"
    ws.append(header)
    bold = Font(bold=True)
    for i, _ in enumerate(header, start=1):
        ws.cell(row=1, column=i).font = bold
        ws.column_dimensions[get_column_letter(i)].width = 16
    ws.freeze_panes = "B2"
    cq = q.compiled()
    for i, name in enumerate(header, start=1):
        choices: list[str] | None = None
        if name in cq.index:
            question = cq.questions[cq.index[name]]
            if question.type == "single_choice":
                choices = [o.id for o in question.options]
            elif question.type == "yes_no":
                choices = ["true", "false"]
            if choices is not None and question.allow_na:
                choices.append(NA_TOKEN)
        elif name in BOOL_FIELDS:
            choices = ["true", "false"]
        if choices and len(",".join(choices)) < 250:
            letter = get_column_letter(i)
            rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            rule.add(f"{letter}2:{letter}{EXCEL_MAX_ROWS}")
            ws.add_data_validation(rule)
    doc = book.create_sheet("columns")
    doc.append(list(docs.columns))
    for record in docs.itertuples(index=False):
        doc.append([_xlsx_value(v) for v in record])
    for i in range(1, len(docs.columns) + 1):
        doc.cell(row=1, column=i).font = bold
    for letter, width in zip("ABCDEFGHI", (26, 9, 20, 16, 9, 10, 60, 40, 50), strict=True):
        doc.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
