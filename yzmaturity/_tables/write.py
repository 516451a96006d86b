"""Writing tables safely: CSV, XLSX and Parquet by extension, text cells guarded against formula injection."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._codes import Code
from .._exceptions import ErrorDetail, TableError
from .._fs import atomic_write
from . import deps
from .cells import NUMBER, NUMBER_PATTERN, got_text, is_blank, is_string_dtype, pd_na
from .read import table_format

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "EXCEL_MAX_ROWS",
    "FORMULA_PREFIXES",
    "csv_table",
    "escape_formulas",
    "plain_for_arrow",
    "write_table",
    "xlsx_value",
]

EXCEL_MAX_ROWS = 1_048_576
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PREFIX_BYTES = np.frombuffer("".join(FORMULA_PREFIXES).encode("ascii"), dtype=np.uint8)


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and column names) cannot run as spreadsheet formulas.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
    return gets a leading ``'`` (OWASP CSV-injection guidance), unless it is a
    plain decimal number such as ``-12.5``; numeric columns are untouched.
    """
    pd = deps.pandas("escape_formulas")
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
        elif is_string_dtype(pd, dtype):
            risky = np.array(s.str.startswith(FORMULA_PREFIXES).fillna(False), dtype=bool)
            if risky.any():
                numeric = s[risky].str.fullmatch(NUMBER_PATTERN).fillna(False).to_numpy(dtype=bool)
                risky[np.flatnonzero(risky)[numeric]] = False
            if risky.any():
                values = s.copy()
                values[risky] = "'" + s[risky]
                out[name] = values
        elif dtype.kind == "O":
            out[name] = pd.Series([_guard(v) for v in s.tolist()], index=s.index, dtype=object)
    out.columns = [_guard(c) if isinstance(c, str) else c for c in out.columns]
    return out


def csv_table(frame: pd.DataFrame) -> Any:
    """The frame as a pyarrow table for the CSV writer: what :func:`escape_formulas`, then
    :func:`plain_for_arrow` give, built column by column.

    Without pandas' conversion metadata, and with the guard's first test (does
    the text start with a formula character?) done on Arrow's buffers in
    numpy: only the cells it flags meet the exact rule, one by one.  A batch of
    a large file costs a few milliseconds, not a pandas call per column.
    """
    pd = deps.pandas("csv_table")
    pa = deps.require_pyarrow("writing CSV tables")
    plain = plain_for_arrow(pd, frame)
    columns = [_csv_column(pa, pd, plain.iloc[:, i]) for i in range(plain.shape[1])]
    return pa.table(columns, names=[_guard(c) for c in plain.columns])


def _csv_column(pa: Any, pd: Any, series: pd.Series) -> Any:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):  # guarded per category
        codes = np.asarray(series.cat.codes.to_numpy(), dtype=np.int32)
        categories = pa.array([_guard(c) for c in dtype.categories.tolist()])
        return pa.DictionaryArray.from_arrays(
            pa.array(codes, mask=codes < 0), categories, ordered=dtype.ordered
        )
    array = pa.array(series, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return _guard_text(pa, array)
    return array


def _guard_text(pa: Any, array: Any) -> Any:
    """A pyarrow text array with :func:`_guard` applied to every cell (only flagged cells are read)."""
    n = len(array)
    _, offset_buffer, data_buffer = array.buffers()
    if n == 0 or data_buffer is None:
        return array
    wide = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(offset_buffer, dtype=wide)[array.offset : array.offset + n + 1].astype(np.int64)
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    starts = offsets[:-1]
    filled = offsets[1:] > starts
    first = np.zeros(n, dtype=np.uint8)
    first[filled] = data[starts[filled]]
    flagged = filled & np.isin(first, _PREFIX_BYTES)
    if array.null_count:
        flagged &= np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    rows = np.flatnonzero(flagged)
    if not len(rows):
        return array
    values = array.take(pa.array(rows)).to_pylist()
    guarded = [_guard(v) for v in values]
    changed = [i for i, (v, g) in enumerate(zip(values, guarded, strict=True)) if g is not v]
    if not changed:
        return array
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    mask = np.zeros(n, dtype=bool)
    mask[rows[changed]] = True
    replacements = pa.array([guarded[i] for i in changed], type=array.type)
    return pc.replace_with_mask(array, pa.array(mask), replacements)


def _guard(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_table(frame: pd.DataFrame, path: str | os.PathLike[str], *, bom: bool = True) -> Path:
    """Write a frame as CSV, XLSX or Parquet (by extension); CSV and XLSX are formula-guarded.

    CSV is UTF-8 with a byte-order mark by default (``bom=False`` to drop it),
    so that Excel opens Chinese text correctly.  XLSX holds at most
    1,048,575 data rows (Excel's limit).  The index is not written.

    The file is written atomically (a temporary file in the same folder, then
    renamed): an error or Ctrl-C on the way leaves the old file whole and no
    partial output.  A folder that does not exist, a full disk or a read-only
    target is a :class:`FileWriteError` naming the path.
    """
    pd = deps.pandas("write_table")
    p = Path(os.fspath(path))
    fmt = table_format(p)
    if fmt == "parquet":
        deps.require_pyarrow("writing Parquet tables")
        with atomic_write(p) as handle:
            frame.to_parquet(handle, index=False)
        return p
    if fmt == "xlsx":
        _write_xlsx(pd, escape_formulas(frame), p)
        return p
    pa = deps.pyarrow()
    with atomic_write(p) as handle:
        if bom:
            handle.write("\ufeff".encode())
        if pa is not None:
            import pyarrow.csv as pcsv  # type: ignore[import-untyped,unused-ignore]

            pcsv.write_csv(csv_table(frame), handle)
        else:
            text = escape_formulas(frame).copy(deep=False)
            for name in text.columns:
                if text[name].dtype.kind == "b":
                    text[name] = text[name].map({True: "true", False: "false"})
            text.to_csv(handle, index=False, encoding="utf-8", lineterminator="\n")
    return p


def plain_for_arrow(pd: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns (mixed Python values) as text, which pyarrow's CSV writer takes."""
    out = frame.copy(deep=False)
    out.columns = [str(c) for c in out.columns]
    for name in out.columns:
        s = out[name]
        if isinstance(s.dtype, pd.CategoricalDtype) or is_string_dtype(pd, s.dtype) or s.dtype.kind != "O":
            continue
        if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
            out[name] = s.astype("string")
        else:
            out[name] = pd.array([None if is_blank(v) else got_text(v) for v in s.tolist()], dtype="string")
    return out


def xlsx_value(value: Any) -> Any:
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
    if value is pd_na():
        return None
    return str(value)


def _write_xlsx(pd: Any, frame: pd.DataFrame, path: Path, sheet_title: str = "data") -> None:
    openpyxl = deps.openpyxl("writing XLSX tables")
    if len(frame) >= EXCEL_MAX_ROWS:
        raise TableError(
            f"cannot write {path}",
            [
                ErrorDetail(
                    Code.TOO_MANY_ROWS,
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
            ws.append([xlsx_value(v) for v in row])
        except IllegalCharacterError:
            bad = next(c for c, v in zip(frame.columns, row, strict=True) if _illegal_xlsx(v))
            raise TableError(
                f"cannot write {path}",
                [
                    ErrorDetail(
                        Code.ILLEGAL_CHARACTER,
                        ("row", i + 1, str(bad)),
                        "a control character cannot be stored in an XLSX cell",
                        got=row[list(frame.columns).index(bad)],
                    )
                ],
            ) from None
    with atomic_write(path) as handle:
        book.save(handle)


def _illegal_xlsx(value: Any) -> bool:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped,unused-ignore]

    return isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value) is not None
