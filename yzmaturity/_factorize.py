"""Splitting a column of cells into its distinct values and each row's index: per distinct value, not per cell.

The encoder validates each distinct value of a column once (:class:`FactorizedColumn`);
the columnar profile reads each distinct value of a profile column once.  No pandas is
needed; where it is installed, a large column of Python strings is hashed by it (faster).
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._optional import available

__all__ = [
    "FAST_MIN",
    "FLOAT_TYPES",
    "FactorizedColumn",
    "arrow_text_array",
    "arrow_text_split",
    "cells_of",
    "factorize_cells",
    "factorize_objects",
    "is_blank_cell",
    "series_values",
    "shared_objects",
]


@dataclass(frozen=True)
class FactorizedColumn:
    """A column split into its distinct cells, for fast encoding of large tables.

    Row ``i`` holds ``values[inverse[i]]``, or no value when ``inverse[i]`` is
    -1.  For numeric, scale and scene-level questions ``numbers`` may carry the
    cells that are numbers already (float64, NaN elsewhere): a row uses
    ``numbers[i]`` where ``inverse[i]`` is -1.  Each distinct value is
    validated once; its errors go to every row that holds it.
    """

    values: Sequence[Any]
    inverse: np.ndarray
    numbers: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.inverse.shape[0])


def is_blank_cell(raw: Any) -> bool:
    """None, NaN or the empty string: no value."""
    return raw is None or (isinstance(raw, float) and math.isnan(raw)) or (isinstance(raw, str) and raw == "")


def factorize_cells(cells: Sequence[Any] | np.ndarray, types: set[type] | None = None) -> FactorizedColumn:
    """Split plain cells into distinct values and row indexes (blanks: -1); no pandas needed.

    Values are told apart by type as well as by value, so ``True`` and ``1``
    stay distinct; unhashable cells (lists of options) are keyed by their tuple.
    Columns of plain strings, numbers of one type and blanks (the usual case)
    are split with one dictionary pass in C and numpy, per distinct value
    rather than per cell; anything else takes the per-cell loop.  ``types``:
    the set of the cells' types, when the caller has it already.
    """
    seq = cells_of(cells)
    if len(seq) >= FAST_MIN:
        fast = _factorize_text_pandas(seq) if len(seq) >= PANDAS_MIN else None
        if fast is None:
            fast = _factorize_fast(seq, types)
        if fast is not None:
            return fast
    return _factorize_loop(seq)


def cells_of(column: Sequence[Any] | np.ndarray) -> list[Any] | np.ndarray:
    """The cells to hash: an object array as it is (iterated without a list), else a list."""
    if isinstance(column, np.ndarray):
        return column if column.dtype == object and column.ndim == 1 else column.tolist()
    return column if isinstance(column, list) else list(column)


FAST_MIN = 64  # below this the plain loop is as fast
_SIMPLE_TYPES = frozenset({str, int, float, bool, type(None)})
_NUMBER_TYPES = frozenset({int, float, bool})  # equal across types (True == 1 == 1.0): one at most
FLOAT_TYPES = frozenset({float, type(None)})
_TEXT_TYPES = frozenset({str, type(None)})
_TEXT_OR_NAN = frozenset({str, type(None), float})


PANDAS_MIN = 100_000
"""From this many cells a column of Python strings is hashed by pandas, if installed: its hash
table is in C (1,000,000 cells of five answers: 41 ms against 71 ms for the dict pass, measured)."""


def _factorize_text_pandas(seq: list[Any] | np.ndarray) -> FactorizedColumn | None:
    """Text cells (str; None, NaN or "" blank) split by ``pandas.factorize``; None for any other column.

    What :func:`_factorize_fast` gives, the same values in the same order: pandas
    also numbers values in order of first appearance.  pandas takes ``pd.NA`` or
    ``NaT`` for missing too, which are no blanks here: the cells it left out must
    all be None or NaN, and its values all text.
    """
    if not isinstance(seq, np.ndarray) or not all(type(v) in _TEXT_OR_NAN for v in seq[:FAST_MIN]):
        return None  # booleans, numbers, lists: not for this path (checked exactly below)
    if not available("pandas"):
        return None
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    found = factorize_objects(pd, seq)
    assert found is not None  # distinct objects are hashed by value
    codes, uniques = found
    values = uniques.tolist()
    if not all(type(v) is str for v in values):
        return None
    missing = codes < 0
    if missing.any() and not set(map(type, seq[missing])) <= FLOAT_TYPES:
        return None  # pd.NA, NaT or a numpy float NaN: the plain path decides
    if "" not in values:
        return FactorizedColumn(values, codes)
    empty = values.index("")  # a blank, as None
    codes[codes == empty] = -1
    codes[codes > empty] -= 1
    return FactorizedColumn(values[:empty] + values[empty + 1 :], codes)


def factorize_objects(pd: Any, values: np.ndarray, *, distinct: bool = True) -> tuple[np.ndarray, Any] | None:
    """``pandas.factorize(values, use_na_sentinel=True)`` of an object array: the same codes and uniques.

    Cells that are one object (a CSV reader or a generator reuses one string
    object per distinct text) are told apart by address first, a hash of
    integers; then the distinct objects alone are hashed by value.  The 82
    object columns of 100,000 rows read by ``pandas.read_csv``: 0.53-0.56 s ->
    0.28-0.31 s.  When most cells are objects of their own (names, codes), the
    value pass alone runs; or, with ``distinct`` False, None is returned (the
    caller has a faster way).
    """
    if len(values) < IDENTITY_MIN:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return np.asarray(codes, dtype=np.intp), uniques
    values = np.ascontiguousarray(values, dtype=object)
    split = _by_object(pd, values)
    if split is None:
        if not distinct:
            return None
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return np.asarray(codes, dtype=np.intp), uniques
    by_object, heads = split
    codes, uniques = pd.factorize(values[heads], use_na_sentinel=True)
    return np.asarray(codes, dtype=np.intp)[by_object], uniques


def shared_objects(pd: Any, values: np.ndarray) -> bool:
    """Is a large object array made of few objects, each in many cells (a few distinct texts, as read)?"""
    return (
        len(values) >= IDENTITY_MIN and _by_object(pd, np.ascontiguousarray(values, dtype=object)) is not None
    )


def _by_object(pd: Any, values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Each cell's code by object, in order of first appearance, and each code's first row (``heads``);
    None when most cells are objects of their own (in the first ``IDENTITY_MIN`` cells, or in all)."""
    # An object array holds one PyObject pointer per cell: read as integers, not as objects.
    addresses = np.ctypeslib.as_array((ctypes.c_ssize_t * len(values)).from_address(values.ctypes.data))
    if 2 * len(pd.factorize(addresses[:IDENTITY_MIN])[1]) > min(len(values), IDENTITY_MIN):
        return None  # a look at the first cells spares a pass over a column of names
    # A small hash table to start with (pandas sizes it for every cell): 0.7 s -> 0.4 s for 40 columns of 1M.
    by_object = np.asarray(pd.factorize(addresses, size_hint=IDENTITY_MIN)[0], dtype=np.intp)
    # Codes count up in order of first appearance: a code's first row is where the running maximum rises.
    highest = np.maximum.accumulate(by_object)
    heads = np.flatnonzero(np.concatenate(([True], highest[1:] > highest[:-1])))
    return None if 2 * len(heads) > len(values) else (by_object, heads)


IDENTITY_MIN = 4_096
"""From this many cells :func:`factorize_objects` tells cells apart by object first (below, one pass)."""


def _factorize_fast(seq: list[Any] | np.ndarray, types: set[type] | None = None) -> FactorizedColumn | None:
    n = len(seq)
    index: dict[Any, int] = {}
    # Each cell's code is the row of the first cell equal to it, then made dense.
    try:
        first = np.fromiter(map(index.setdefault, seq, range(n)), dtype=np.intp, count=n)
    except TypeError:  # an unhashable cell (a list of options)
        return None
    heads = np.flatnonzero(first == np.arange(n))
    values = [seq[i] for i in heads.tolist()]
    if not set(map(type, values)) <= _TEXT_TYPES:
        # Numbers are equal across types (True == 1 == 1.0), so every cell's type decides;
        # text alone (the usual case) needs no check per cell.  A NaN is unequal to itself
        # and heads a slot of its own: each such slot is blank below.
        types = set(map(type, seq)) if types is None else types
        if not types <= _SIMPLE_TYPES or len(types & _NUMBER_TYPES) > 1:
            return None
    blank = np.fromiter((is_blank_cell(v) for v in values), dtype=bool, count=len(values))
    dense = np.full(len(values), -1, dtype=np.intp)
    dense[~blank] = np.arange(int((~blank).sum()), dtype=np.intp)
    lookup = np.empty(n, dtype=np.intp)
    lookup[heads] = dense
    return FactorizedColumn([v for v, b in zip(values, blank.tolist(), strict=True) if not b], lookup[first])


def _factorize_loop(cells: Sequence[Any] | np.ndarray) -> FactorizedColumn:
    index: dict[Any, int] = {}
    values: list[Any] = []
    inverse = np.empty(len(cells), dtype=np.intp)
    for i, raw in enumerate(cells):
        if is_blank_cell(raw):
            inverse[i] = -1
            continue
        key = (type(raw), tuple(raw) if isinstance(raw, list) else raw)
        try:
            code = index.get(key)
        except TypeError:  # unhashable: a slot of its own
            values.append(raw)
            inverse[i] = len(values) - 1
            continue
        if code is None:
            code = index[key] = len(values)
            values.append(raw)
        inverse[i] = code
    return FactorizedColumn(values, inverse)


_ARROW_TEXT = ("string", "large_string")


def _arrow_of(column: Any) -> Any | None:
    """A polars text series or a pyarrow array as one Arrow array (text views as large strings); else None."""
    module = type(column).__module__.split(".")[0]
    if module == "polars" and str(getattr(column, "dtype", "")) in ("String", "Utf8", "Categorical"):
        array = column.to_arrow()
    elif module == "pyarrow" and hasattr(column, "type"):
        array = column
    else:
        return None
    if str(array.type) == "string_view":
        array = array.cast("large_string")
    if hasattr(array, "combine_chunks"):
        array = array.combine_chunks()
    return array


def arrow_text_array(column: Any) -> Any | None:
    """A polars text series or a pyarrow text array as one Arrow text array, to check in C; else None."""
    array = _arrow_of(column)
    if array is None:
        return None
    if str(array.type).startswith("dictionary<") and str(array.type.value_type) in _ARROW_TEXT:
        return array.dictionary_decode()
    return array if str(array.type) in _ARROW_TEXT else None


def arrow_text_split(column: Any) -> FactorizedColumn | None:
    """A polars text series or a pyarrow text array split by Arrow's dictionary encoding (in C); else None.

    The distinct values are the cells as given (a blank ``""`` among them is
    a blank to the encoder, as in :func:`factorize_cells`); a null is -1.
    Nothing is imported: an Arrow array brings its own methods.
    """
    array = _arrow_of(column)
    if array is None:
        return None
    kind = str(array.type)
    if kind.startswith("dictionary<"):
        if str(array.type.value_type) not in _ARROW_TEXT:
            return None
        encoded = array
    elif kind in _ARROW_TEXT:
        encoded = array.dictionary_encode()
    else:
        return None
    inverse = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.intp)
    return FactorizedColumn(encoded.dictionary.to_pylist(), inverse)


def series_values(column: Any) -> Any:
    """A pandas, polars or pyarrow column as a numpy array, a blank as None or NaN; anything else as it is.

    A pandas nullable dtype (``Int64``, ``boolean``) holds ``pd.NA`` for a
    blank, which is no blank to :func:`is_blank_cell`: it becomes None here.
    A pyarrow array (no ``dtype``) converts with its nulls as None or NaN.
    """
    module = type(column).__module__.split(".")[0]
    if module == "pyarrow" and hasattr(column, "to_numpy"):
        return np.asarray(column.to_numpy(zero_copy_only=False))
    if isinstance(column, np.ndarray) or not hasattr(column, "dtype"):
        return column
    if module == "pandas" and not isinstance(column.dtype, np.dtype) and column.hasnans:
        return column.to_numpy(dtype=object, na_value=None)
    return np.asarray(column)
