"""Table cells: what a cell means (blank, number, yes/no, answer) and columns split by distinct value."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._answers import NA_TOKEN
from .._arrow_checks import arrow_numbers
from .._factorize import factorize_cells, factorize_objects
from .._lenient import FALSE_WORDS, MULTI_SEPARATOR, TRUE_WORDS
from .._model import KIND_NUMERIC
from . import deps
from .read import arrow_to_pandas

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from .._compile import CompiledQuestionnaire

__all__ = [
    "FALSE_WORDS",
    "FEW_VALUES",
    "NUMBER",
    "NUMBER_PATTERN",
    "TRUE_WORDS",
    "YES_NO_EXPECTED",
    "SplitColumn",
    "answer_value",
    "arrow_text",
    "bool_of",
    "cell_value",
    "got_text",
    "integral_text",
    "is_blank",
    "is_none",
    "is_number",
    "is_string_dtype",
    "number_text",
    "pd_na",
    "split_column",
    "split_dictionary",
    "wants_numbers",
]

YES_NO_EXPECTED = "true or false (also 1/0, 是/否, yes/no)"
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
NUMBER_PATTERN = NUMBER.pattern


def number_text(text: str) -> float | None:
    """A decimal number written as text (``35``, ``-1.5``, ``2e6``), else None."""
    return float(text) if NUMBER.fullmatch(text) else None


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def integral_text(value: Any) -> str | None:
    """The decimal text of an integer-valued number (a spreadsheet number in a text column)."""
    if is_number(value) and math.isfinite(float(value)) and float(value).is_integer():
        return str(int(value))
    return None


def bool_of(value: Any) -> bool | None:
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
    if is_number(value) and float(value) in (0.0, 1.0):
        return float(value) == 1.0
    return None


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    if isinstance(value, str):
        return not value.strip()
    return value is pd_na()


def pd_na() -> Any:
    pd = sys.modules.get("pandas")
    return None if pd is None else pd.NA


def answer_value(qtype: str, raw: Any) -> Any:
    """A distinct table cell as the encoder takes it; what the table format rejects passes unchanged."""
    if is_blank(raw):
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if text.lower() == NA_TOKEN:
            return NA_TOKEN
        if qtype == "yes_no":
            flag = bool_of(text)
            return raw if flag is None else flag
        if qtype in ("numeric", "scale", "scene_level"):
            number = number_text(text)
            return raw if number is None else number
        return text
    if isinstance(raw, bool | np.bool_):
        return bool(raw)
    if is_number(raw):
        if qtype == "yes_no":
            flag = bool_of(raw)
            return raw if flag is None else flag
        if qtype in ("single_choice", "multiple_choice"):
            digits = integral_text(raw)
            return raw if digits is None else digits
        return float(raw)
    if isinstance(raw, list | tuple) and qtype == "multiple_choice":
        return list(raw)
    return raw


@dataclass
class SplitColumn:
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
            flags = np.array([is_blank(v) for v in self.others], dtype=bool)
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


def is_string_dtype(pd: Any, dtype: Any) -> bool:
    if isinstance(dtype, pd.StringDtype):
        return True
    if isinstance(dtype, pd.ArrowDtype):
        pa = deps.pyarrow()
        return pa is not None and (
            pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype)
        )
    return False


def _arrow_backed(pd: Any, dtype: Any) -> bool:
    """Whether a text dtype keeps its values in Arrow (pandas' default ``str`` does, with pyarrow)."""
    return isinstance(dtype, pd.ArrowDtype) or getattr(dtype, "storage", None) == "pyarrow"


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


def split_column(pd: Any, series: pd.Series, want_numbers: bool) -> SplitColumn:
    """Split one column: numbers apart (when wanted), every other cell by distinct value."""
    n = len(series)
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories
        if pd.api.types.infer_dtype(categories, skipna=True) in ("string", "empty"):
            # Already split by distinct value (a CSV read with dictionary columns): codes are the rows' values.
            texts = pd.Index(pd.array(categories, dtype=_text_dtype(pd, categories.dtype)))
            inverse = np.asarray(series.cat.codes.to_numpy(), dtype=np.intp)
            return _split_distinct(pd, inverse, texts, want_numbers)
        series = series.astype(object)
        dtype = series.dtype
    if dtype.kind == "b" or str(dtype) == "boolean":
        flags = series.to_numpy(dtype=object, na_value=None)
        inverse = np.fromiter((-1 if v is None else int(bool(v)) for v in flags), dtype=np.intp, count=n)
        return SplitColumn(inverse, others=[False, True])
    if dtype.kind in "iuf" or str(dtype) in _NULLABLE_NUMBERS:
        floats = series.to_numpy(dtype=np.float64, na_value=np.nan)
        if want_numbers:
            return SplitColumn(np.full(n, -1, dtype=np.intp), floats)
        codes, uniques = pd.factorize(floats, use_na_sentinel=True)
        return SplitColumn(np.asarray(codes, dtype=np.intp), others=list(np.asarray(uniques).tolist()))
    if is_string_dtype(pd, dtype):
        return _split_text(pd, series, want_numbers)
    if dtype.kind == "O":
        split = _split_object_text(pd, series, want_numbers)
        if split is not None:
            return split
    cells = series.tolist()
    numbers = None
    if want_numbers:
        numeric = np.fromiter((is_number(v) for v in cells), dtype=bool, count=n)
        if numeric.any():
            numbers = np.full(n, np.nan)
            numbers[numeric] = [float(v) for v, hit in zip(cells, numeric.tolist(), strict=True) if hit]
            cells = [None if hit else v for v, hit in zip(cells, numeric.tolist(), strict=True)]
    na = pd_na()
    cells = [None if v is na else v for v in cells]
    fc = factorize_cells(cells)
    return SplitColumn(fc.inverse, numbers, others=list(fc.values))


def _split_text(pd: Any, series: pd.Series, want_numbers: bool) -> SplitColumn:
    """Split a text column by distinct value: one hash pass, then every check per distinct value.

    Numbers are parsed once per distinct text (the same rule as a whole-column
    parse: a pyarrow cast if every value is a number, else the exact pattern),
    so a column of a million cells and five distinct values parses five.
    """
    pa = deps.pyarrow()
    if pa is not None and _arrow_backed(pd, series.dtype):  # Arrow text: hashed where it lies, no copy
        array = arrow_text(series)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        if array is not None:
            numbers = arrow_numbers(array) if want_numbers else None
            if numbers is not None:  # amounts, head counts: nothing to split by distinct value
                return SplitColumn(np.full(len(series), -1, dtype=np.intp), numbers)
            return split_dictionary(pd, array.dictionary_encode(), want_numbers)
    # Python strings: pandas' object hash (cached per string) is faster than a copy into Arrow.
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = pd.Index(pd.array(uniques, dtype=_text_dtype(pd, series.dtype)))
    return _split_distinct(pd, np.asarray(codes, dtype=np.intp), texts, want_numbers)


def _split_object_text(pd: Any, series: pd.Series, want_numbers: bool) -> SplitColumn | None:
    """An object column of text (or of nothing) split by distinct value; None if it holds anything else.

    One hash pass over the cells, then the type checked per distinct value: a
    scan of every cell's type first (``infer_dtype``) cost as much as a fourth
    of the hashing (0.15 s for the 82 columns of 100,000 rows).
    """
    values = series.to_numpy()
    try:
        found = factorize_objects(pd, values, distinct=not want_numbers)
        if found is None:  # amounts, head counts: mostly distinct, read in one cast if all are numbers
            numbers = _arrow_numbers_of(series)
            if numbers is not None:
                return SplitColumn(np.full(len(series), -1, dtype=np.intp), numbers)
            found = factorize_objects(pd, values)
    except TypeError:  # unhashable cells (lists of options): not text
        return None
    assert found is not None  # distinct objects are hashed by value
    codes, uniques = found
    if not len(uniques):  # nothing but blanks
        return SplitColumn(np.full(len(series), -1, dtype=np.intp))
    if pd.api.types.infer_dtype(uniques, skipna=True) != "string":
        return None
    texts = pd.Index(pd.array(uniques, dtype="string"))
    return _split_distinct(pd, codes, texts, want_numbers)


def _arrow_numbers_of(series: pd.Series) -> np.ndarray | None:
    """An object column's numbers (NaN where blank) in one pyarrow cast, if every cell is a plain number."""
    array = arrow_text(series)
    return None if array is None else arrow_numbers(array)


FEW_VALUES = 256
"""Up to this many distinct values a column's values are read in Python; above, with vectorised checks."""


def split_dictionary(pd: Any, array: Any, want_numbers: bool) -> SplitColumn:
    """A dictionary-encoded pyarrow text column (one chunk), split as :func:`split_column` splits its text.

    The reader has split it by distinct value already: its dictionary is the
    distinct texts, its indices (null: no value) each row's.  A few distinct
    values (the answers to a question) are read in Python, with the rules of
    :func:`number_text` and :func:`is_blank`: no pandas object per column.
    """
    inverse = np.asarray(array.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.intp)
    if len(array.dictionary) > FEW_VALUES:  # many (names, amounts): vectorised checks pay
        pa = deps.require_pyarrow("dictionary columns")
        texts = pd.Index(arrow_to_pandas(pd, pa.table({"text": array.dictionary}))["text"])
        return _split_distinct(pd, inverse, texts, want_numbers)
    values: list[Any] = array.dictionary.to_pylist()
    if not want_numbers:
        return SplitColumn(inverse, None, others=values)
    if not values:
        return SplitColumn(inverse, np.full(len(inverse), np.nan))
    parsed = _numbers_of(array.dictionary, values)
    numbers = np.append(parsed, np.nan)[inverse]  # slot -1: no value
    other = np.isnan(parsed)
    others = [v for v, o in zip(values, other.tolist(), strict=True) if o]
    return SplitColumn(_renumbered(inverse, other), numbers, others=others)


def _numbers_of(dictionary: Any, values: list[str]) -> np.ndarray:
    """:func:`_parse_numbers` of distinct texts: one cast when all are numbers, else value by value."""
    pa = deps.require_pyarrow("numbers")
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    try:
        out = np.array(pc.cast(dictionary, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        out = np.array([number_text(v.strip()) for v in values], dtype=np.float64)  # None -> NaN
    out[~np.isfinite(out)] = np.nan  # nan, inf, overflow: left to the cell check
    return out


def wants_numbers(cq: CompiledQuestionnaire, col: int) -> bool:
    """Does question ``col`` read numbers from a text column (numeric, scale and scene-level questions)?"""
    return bool(cq.kind[col] == KIND_NUMERIC or cq.questions[col].type in ("scale", "scene_level"))


def _text_dtype(pd: Any, dtype: Any) -> Any:
    return dtype if is_string_dtype(pd, dtype) else "string"


def _split_distinct(pd: Any, inverse: np.ndarray, texts: Any, want_numbers: bool) -> SplitColumn:
    """A text column given as its distinct values (``texts``) and each row's index into them (-1: none)."""
    n = len(inverse)
    if not len(texts):
        return SplitColumn(np.full(n, -1, dtype=np.intp), np.full(n, np.nan) if want_numbers else None)
    if not want_numbers:
        return SplitColumn(inverse, None, texts=texts)
    parsed = _parse_numbers(pd, pd.Series(texts), np.ones(len(texts), dtype=bool))
    numbers = np.append(parsed, np.nan)[inverse]  # slot -1: no value
    other = np.isnan(parsed)
    if other.all():
        return SplitColumn(inverse, numbers, texts=texts)
    return SplitColumn(_renumbered(inverse, other), numbers, texts=texts[other])


def _renumbered(inverse: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Each row's index among the ``kept`` distinct values only (in their order); -1 for the others."""
    remap = np.full(len(kept) + 1, -1, dtype=np.intp)
    remap[np.flatnonzero(kept)] = np.arange(int(kept.sum()), dtype=np.intp)
    return np.asarray(remap[inverse])


def arrow_text(series: pd.Series) -> Any | None:
    """The column as a pyarrow string array, if it is a text column and pyarrow is installed.

    A text dtype converts without a copy; an object column of Python strings
    (and blanks) is copied once into Arrow, so that its checks run in C.
    """
    pa = deps.pyarrow()
    if pa is None:
        return None
    pd = sys.modules["pandas"]
    try:
        if is_string_dtype(pd, series.dtype):
            return pa.array(series, from_pandas=True)
        if series.dtype.kind == "O" and pd.api.types.infer_dtype(series, skipna=True) == "string":
            return pa.array(series.to_numpy(), type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):  # a lone surrogate: the exact path
        return None
    return None


def _parse_numbers(pd: Any, series: pd.Series, present: np.ndarray) -> np.ndarray:
    """Float values of the cells that are plain decimal numbers (NaN elsewhere), vectorised.

    A plain decimal is ``[+-]digits[.digits][e[+-]digits]`` with optional
    spaces around; ``nan``, ``inf``, ``1,000`` or ``0x10`` are not numbers.
    """
    array = arrow_text(series)
    if array is not None:
        pa = deps.require_pyarrow("numbers")
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
    ok = text.str.fullmatch(NUMBER_PATTERN).fillna(False).to_numpy(dtype=bool)
    out = np.full(len(series), np.nan)
    if ok.any():
        with np.errstate(over="ignore"):
            out[ok] = text[ok].astype(np.float64).to_numpy()
        out[~np.isfinite(out)] = np.nan  # overflow (1e400): left to the cell check, as above
    return out


def is_none(values: np.ndarray) -> np.ndarray:
    """Where an object array holds None."""
    pd = sys.modules.get("pandas")
    if pd is not None:
        return np.asarray(pd.isna(values), dtype=bool)
    return np.fromiter((v is None for v in values.tolist()), dtype=bool, count=len(values))


def cell_value(frame: pd.DataFrame, name: str, row: int) -> Any:
    value = frame[name].iloc[row]
    return value.item() if isinstance(value, np.generic) else value


def got_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return MULTI_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)
