"""The error table of a scored table: one row per problem, each kind of problem worded once.

A million rows share a few hundred kinds of problem (a question, its code,
the value given ...) that differ only in the row: each kind is worded once,
with a slot where the row's number goes, and the table's columns are taken
from the kinds (with pyarrow, in C; without, with numpy).  A problem whose
sentence has no clear slot (the value given holds the slot character) is
worded alone; tests/test_stream.py checks every sentence against the problem's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np

from .._exceptions import ErrorDetail, RepeatedProblem
from .._messages import item_text, item_words
from .._text import terminal_safe
from . import deps
from .cells import got_text

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from .._scoring import BatchScores

__all__ = ["ERROR_COLUMNS", "error_frame"]

ERROR_COLUMNS = ("row", "column", "code", "message", "expected", "got", "severity", "text")
_ROW_SLOT = "\ue000"  # a private-use character: where a row's number goes in a shared sentence
_KIND_FIELDS = ("column", "code", "message", "expected", "got", "severity", "before", "after")


def _safe(text: str | None) -> str | None:
    """A value as the error table shows it: control characters visible (``\\u001b``), so that the
    error table itself can always be written (XLSX refuses them) and printed."""
    return None if text is None else terminal_safe(text)


@dataclass
class _Kinds:
    """Problems sorted into kinds: each kind's cells, and per problem its kind and row to show."""

    lang: str
    row_offset: int
    index: dict[tuple[Any, ...], int] = field(default_factory=dict)
    cells: list[tuple[str | None, ...]] = field(default_factory=list)
    slotted: list[bool] = field(default_factory=list)
    shared: list[bool] = field(default_factory=list)  # a kind other problems reuse (worded without their row)
    shown_rows: list[int] = field(default_factory=list)

    def __call__(self, e: ErrorDetail) -> int:
        loc = e.loc
        if not (len(loc) >= 2 and loc[0] == "row" and isinstance(loc[1], int)):
            self.shown_rows.append(0)
            return self._add(None, e, terminal_safe(e.text(self.lang)), slotted=False)
        row = loc[1] + self.row_offset
        self.shown_rows.append(row + 1)
        origin = e.origin()
        key: tuple[Any, ...] | None
        if origin is not None:  # a copy of one problem: everything but the row is the origin's
            key = (id(origin), loc[2:])  # the problems are alive: ids are not reused
        else:
            params = id(e.params) if e.params else ()
            key = (e.code, loc[2:], e.message, e.expected, type(e.got), e.got, e.severity, e.allowed, params)
        try:
            known = self.index.get(key)
        except TypeError:  # an unhashable value given (a list of options)
            key, known = None, None
        if known is not None:
            return known
        own = terminal_safe(e.at(("row", row, *loc[2:])).text(self.lang))
        if _ROW_SLOT in own:  # the value given holds the slot character: this problem is worded alone
            return self._add(None, e, own, slotted=False)
        sentence = terminal_safe(e.at(("row", _ROW_SLOT, *loc[2:])).text(self.lang))
        if sentence == own:  # the sentence does not name the row
            return self._add(key, e, own, slotted=False)
        if sentence.count(_ROW_SLOT) == 1:
            return self._add(key, e, sentence, slotted=True)
        return self._add(None, e, own, slotted=False)

    def repeated(self, group: RepeatedProblem) -> np.ndarray:
        """The kind of each of a repeated problem's rows: one kind for all, unless its sentence must be
        worded for each row alone."""
        named = group.named.tolist()
        first = self(group.at(named[0]))
        if not self.shared[first]:
            return np.array([first, *(self(group.at(row)) for row in named[1:])], dtype=np.intp)
        self.shown_rows.extend((group.named[1:] + (self.row_offset + 1)).tolist())
        return np.full(len(named), first, dtype=np.intp)

    def _add(self, key: tuple[Any, ...] | None, e: ErrorDetail, sentence: str, slotted: bool) -> int:
        before, _, after = sentence.partition(_ROW_SLOT) if slotted else (sentence, "", "")
        column = str(e.loc[-1]) if len(e.loc) > 2 else ""
        self.cells.append(
            (column, e.code, e.message, e.expected, _safe(got_text(e.got)), e.severity, before, after)
        )
        self.slotted.append(slotted)
        self.shared.append(key is not None)
        k = len(self.cells) - 1
        if key is not None:
            self.index[key] = k
        return k


def error_frame(
    pd: Any, scores: BatchScores, header: Sequence[Any], lang: str = "zh", row_offset: int = 0
) -> pd.DataFrame:
    """Every error and warning of ``scores``, by row (errors first, in the table's column order).

    ``row`` is the 1-based data row (plus ``row_offset``, the rows before this
    batch); ``text`` the problem as a sentence in ``lang``.
    """
    kinds = _Kinds(lang, row_offset)
    row_parts: list[np.ndarray] = []
    kind_parts: list[np.ndarray] = []
    for problems in (scores.errors, scores.warnings):
        # A row's own problems first, then the repeated ones: the order reading the row gives.
        own, repeated = problems.parts()
        sizes = np.fromiter(map(len, own.values()), dtype=np.int64, count=len(own))
        row_parts.append(np.repeat(np.fromiter(own.keys(), dtype=np.int64, count=len(own)), sizes))
        details = chain.from_iterable(own.values())
        kind_parts.append(np.fromiter(map(kinds, details), dtype=np.intp, count=int(sizes.sum())))
        for group in repeated:
            row_parts.append(group.rows)
            kind_parts.append(kinds.repeated(group))
    rows = np.concatenate(row_parts)
    if not len(rows):
        return pd.DataFrame(
            {"row": np.array([], dtype=np.int64)}
            | {k: pd.array([], dtype="string") for k in ERROR_COLUMNS[1:]}
        )
    which = np.concatenate(kind_parts)
    # By row, errors first, in the table's column order; a stable sort keeps each row's own order.
    # A kind has one column and one severity: both are looked up per kind, not per problem.
    position = {str(c): i for i, c in enumerate(header)}
    place = np.array([position.get(cells[0] or "", -1) for cells in kinds.cells], dtype=np.int64)
    later = np.array([cells[5] != "error" for cells in kinds.cells], dtype=bool)  # warnings after errors
    order = np.lexsort((place[which], later[which], rows))
    which = which[order]
    shown = np.array(kinds.shown_rows, dtype=np.int64)[order]
    columns = _columns(pd, kinds, which, shown)
    return pd.DataFrame({"row": rows[order] + (1 + row_offset)} | columns)


def _columns(pd: Any, kinds: _Kinds, which: np.ndarray, shown: np.ndarray) -> dict[str, Any]:
    """The text columns: each kind's cells taken per problem, the row's words put in the slot."""
    pa = deps.pyarrow()
    by_field = list(zip(*kinds.cells, strict=True))
    slotted = np.array(kinds.slotted, dtype=bool)[which]
    if pa is None:
        taken = {
            name: np.array(values, dtype=object)[which]
            for name, values in zip(_KIND_FIELDS, by_field, strict=True)
        }
        words = [
            item_text(int(r) - 1, kinds.lang) if s else ""
            for r, s in zip(shown.tolist(), slotted.tolist(), strict=True)
        ]
        text = [b + w + a for b, w, a in zip(taken.pop("before"), words, taken.pop("after"), strict=True)]
        out = {name: pd.array(values, dtype="string") for name, values in taken.items()}
        return out | {"text": pd.array(text, dtype="string")}
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    indices = pa.array(which.astype(np.int32))
    taken = {
        name: pa.array(values, type=pa.string()).take(indices)
        for name, values in zip(_KIND_FIELDS, by_field, strict=True)
    }
    number = pc.cast(pa.array(shown), pa.string())
    before, after = item_words(kinds.lang)
    words = pc.binary_join_element_wise(before, number, after, "")
    words = pc.if_else(pa.array(slotted), words, "")
    text = pc.binary_join_element_wise(taken.pop("before"), words, taken.pop("after"), "")
    out = {name: pd.array(values, dtype="string") for name, values in taken.items()}
    return out | {"text": pd.array(text, dtype="string")}
