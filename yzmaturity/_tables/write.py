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
    "escape_formulas",
    "plain_for_arrow",
    "write_table",
    "xlsx_value",
]

EXCEL_MAX_ROWS = 1_048_576
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
    safe = escape_formulas(frame)
    if fmt == "xlsx":
        _write_xlsx(pd, safe, p)
        return p
    pa = deps.pyarrow()
    with atomic_write(p) as handle:
        if bom:
            handle.write("\ufeff".encode())
        if pa is not None:
            import pyarrow.csv as pcsv  # type: ignore[import-untyped,unused-ignore]

            table = pa.Table.from_pandas(plain_for_arrow(pd, safe), preserve_index=False)
            pcsv.write_csv(table, handle)
        else:
            text = safe.copy(deep=False)
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
