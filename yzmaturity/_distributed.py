"""Scale-out beside :func:`score_partition`: each partition's error table, tied to its rows by a key.

:func:`score_partition` gives a partition's computed columns (``valid``,
``errors``, ``error_summary`` ... per row), which concatenate into the whole
dataset's.  The full error table (one row per problem, as
``score_table(...).errors``) numbers rows from the start of its table, which a
partition of a dask, Spark or Ray dataset does not know.  :func:`partition_errors`
gives it with a key column of the input first (a row id such as ``_row_id``),
and row numbers counted from a given offset, so that the partitions' error
tables concatenate into the dataset's and join back to its rows;
:func:`errors_meta` is its empty frame (dask's ``meta=``).  See docs/batch.md, "Scale-out".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._optional import require
from ._tables import score_table

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from ._model import Questionnaire
    from ._policy import PolicyCatalog

__all__ = ["ERROR_COLUMNS", "errors_meta", "partition_errors"]

# The columns of ``TableResult.errors`` after its ``row`` (int64): all pandas "string".
ERROR_COLUMNS = ("column", "code", "message", "expected", "got", "severity", "text")


def partition_errors(
    df: pd.DataFrame,
    questionnaire: Questionnaire | str,
    catalog: PolicyCatalog | str | None = None,
    *,
    key: str | None = "_row_id",
    row_offset: int = 0,
    id_columns: Sequence[str] = (),
    lang: str = "zh",
) -> pd.DataFrame:
    """The error table of one partition, each problem tied to its row by the ``key`` column.

    The rows of ``score_table(questionnaire, df, row_offset=row_offset).errors``
    (every error and warning of every row, in the same order and words),
    after a first column ``key`` with the row's value of that column (same
    dtype); a fresh index.  Like :func:`score_partition` it is a pure
    function of plain arguments (picklable) for dask's ``map_partitions``,
    Spark's ``mapInPandas`` or Ray's ``map_batches``; the columns and dtypes
    are :func:`errors_meta`'s.

    ``row`` (and the row numbers in ``text``) count from the start of the
    partition plus ``row_offset``: given the number of rows before the
    partition, the partitions' tables concatenate into exactly the whole
    dataset's (docs/batch.md shows how with dask); without it, ``key`` says
    which row a problem belongs to.  ``key`` is checked as an id column
    (:class:`TableError` ``missing_column`` if it is absent); None for no key
    column.

    >>> import pandas as pd
    >>> from yzmaturity.datasets import make_cohort
    >>> df = make_cohort(3, seed=0).to_frame()
    >>> df.insert(0, "_row_id", ["a", "b", "c"])
    >>> df.loc[1, "strat_plan"] = "maybe"
    >>> partition_errors(df, "yangzhou-2022", row_offset=100)[["_row_id", "row", "column", "code"]].values.tolist()
    [['b', 102, 'strat_plan', 'unknown_option']]
    """
    require("pandas", "partition_errors", "frames")
    ids = list(id_columns) if key is None or key in id_columns else [*id_columns, key]
    result = score_table(
        questionnaire, df, catalog, id_columns=ids, progress=False, lang=lang, row_offset=row_offset
    )
    out = result.errors.reset_index(drop=True)
    if key is not None:
        rows = out["row"].to_numpy(dtype=np.int64) - 1 - row_offset
        out.insert(0, key, df[key].iloc[rows].reset_index(drop=True))
    return out


def errors_meta(key: str | None = "_row_id", key_dtype: Any = "string") -> pd.DataFrame:
    """An empty frame with the columns and dtypes :func:`partition_errors` returns (dask's ``meta=``).

    ``key_dtype`` is the dtype of the key column in the partitions (for dask,
    ``ddf[key].dtype``).

    >>> errors_meta().dtypes.astype(str).to_dict()
    {'_row_id': 'string', 'row': 'int64', 'column': 'string', 'code': 'string', 'message': 'string', 'expected': 'string', 'got': 'string', 'severity': 'string', 'text': 'string'}
    """
    pd = require("pandas", "errors_meta", "frames")
    columns = {} if key is None else {key: pd.Series([], dtype=key_dtype)}
    columns["row"] = pd.Series([], dtype="int64")
    columns.update({name: pd.Series([], dtype="string") for name in ERROR_COLUMNS})
    return pd.DataFrame(columns)
