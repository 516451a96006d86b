"""pandas DataFrames of results (the ``frames`` extra); pandas is imported only here, on use.

Every frame keeps ids as plain columns (a RangeIndex), undefined scores as NaN
and undefined levels as ``<NA>`` (pandas' nullable ``Int64``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._optional import require
from .._policy import STATES

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from .._assessment import Assessment
    from .._compare import Comparison
    from .._matching import CohortMatch
    from .._scoring import BatchScores

__all__ = [
    "assessment_frame",
    "batch_arrow",
    "batch_frame",
    "cohort_frame",
    "comparison_frame",
    "questions_frame",
]


def _pandas() -> Any:
    return require("pandas", "to_frame()", "frames")


def _float(value: float | None) -> float:
    return np.nan if value is None else float(value)


def assessment_frame(a: Assessment) -> pd.DataFrame:
    """One row per dimension (questionnaire order)."""
    pd = _pandas()
    dims = list(a.dimensions.values())
    return pd.DataFrame(
        {
            "id": [d.id for d in dims],
            "title_zh": [d.title.of("zh") for d in dims],
            "title_en": [d.title.of("en") for d in dims],
            "parent": pd.Series([d.parent for d in dims], dtype=object),
            "depth": np.array([d.depth for d in dims], dtype=np.int64),
            "score": np.array([_float(d.score) for d in dims]),
            "level": pd.array([d.level for d in dims], dtype="Int64"),
            "answered": np.array([d.answered for d in dims], dtype=np.int64),
            "applicable": np.array([d.applicable for d in dims], dtype=np.int64),
            "questions": np.array([d.questions for d in dims], dtype=np.int64),
        }
    )


def questions_frame(a: Assessment) -> pd.DataFrame:
    """One row per question: the answer (``"n/a"``, or None when blank), score and points."""
    pd = _pandas()
    qs = list(a.questions.values())
    answers = a.sheet.answers

    def answer(qid: str) -> Any:
        ans = answers.get(qid)
        if ans is None:
            return None
        return "n/a" if ans.not_applicable else ans.value

    return pd.DataFrame(
        {
            "id": [x.id for x in qs],
            "dimension": [x.dimension for x in qs],
            "answer": pd.Series([answer(x.id) for x in qs], dtype=object),
            "score": np.array([_float(x.score) for x in qs]),
            "applicable": np.array([x.applicable for x in qs], dtype=bool),
            "contribution": np.array([x.contribution for x in qs]),
            "points_lost": np.array([x.points_lost for x in qs]),
        }
    )


def batch_frame(s: BatchScores) -> pd.DataFrame:
    """One row per input row: row id (if any), validity, error count, overall, level and ``dim:<id>``."""
    pd = _pandas()
    cols: dict[str, Any] = {}
    for name, (values, missing) in _batch_columns(s).items():
        if name == "row_id":
            cols[name] = pd.Series(values, dtype=object)
        elif missing is not None:
            cols[name] = pd.arrays.IntegerArray(values, missing)
        else:
            cols[name] = values
    return pd.DataFrame(cols)


def batch_arrow(s: BatchScores) -> Any:
    """:func:`batch_frame`'s columns as a ``pyarrow.Table`` (no pandas: for polars, DuckDB, Parquet)."""
    pa = require("pyarrow", "to_arrow()", "parquet")
    columns = {
        name: pa.array(values, mask=missing) if missing is not None else pa.array(values)
        for name, (values, missing) in _batch_columns(s).items()
    }
    return pa.table(columns)


def _batch_columns(s: BatchScores) -> dict[str, tuple[Any, np.ndarray | None]]:
    """The columns of a batch's table: (values, mask of missing values, for the nullable level)."""
    n = len(s)
    valid = np.asarray(s.valid, dtype=bool)
    errors = s.errors.counts(n)
    cols: dict[str, tuple[Any, np.ndarray | None]] = {}
    if s.row_ids is not None:
        cols["row_id"] = (list(s.row_ids), None)
    cols["valid"] = (valid, None)
    cols["errors"] = (errors, None)
    cols["overall"] = (np.asarray(s.overall, dtype=np.float64), None)
    cols["level"] = (np.where(valid, s.level, 0).astype(np.int64), ~valid)
    for d, did in enumerate(s.dimension_ids):
        cols[f"dim:{did}"] = (np.ascontiguousarray(s.dimensions[:, d], dtype=np.float64), None)
    return cols


def comparison_frame(c: Comparison) -> pd.DataFrame:
    """One row per dimension: before, after and change (NaN where undefined)."""
    pd = _pandas()
    after = c.after.dimensions
    ids = list(c.dimensions)
    return pd.DataFrame(
        {
            "id": ids,
            "title_zh": [after[i].title.of("zh") for i in ids],
            "title_en": [after[i].title.of("en") for i in ids],
            "depth": np.array([after[i].depth for i in ids], dtype=np.int64),
            "before": np.array([_float(c.dimensions[i].before) for i in ids]),
            "after": np.array([_float(c.dimensions[i].after) for i in ids]),
            "change": np.array([_float(c.dimensions[i].change) for i in ids]),
        }
    )


def cohort_frame(m: CohortMatch) -> pd.DataFrame:
    """One row per batch row: ``valid``, then ``fit:<category>`` and ``state:<category>`` columns.

    The state is a categorical of the four eligibility states; invalid rows
    have NaN fit and a missing state.
    """
    pd = _pandas()
    valid = np.asarray(m.valid, dtype=bool)
    cols: dict[str, Any] = {"valid": valid}
    for j, cid in enumerate(m.category_ids):
        cols[f"fit:{cid}"] = np.asarray(m.arrays.fit[:, j], dtype=np.float64)
    for j, cid in enumerate(m.category_ids):
        codes = np.where(valid, m.arrays.state[:, j].astype(np.int64), -1)
        cols[f"state:{cid}"] = pd.Categorical.from_codes(codes, categories=list(STATES))
    return pd.DataFrame(cols)
