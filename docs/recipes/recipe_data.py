"""The dataset and the check shared by the scale-out recipes (spark_score.py, ray_score.py).

``write_dataset`` writes a synthetic cohort (``yzmaturity.datasets``, every row
valid) with planted invalid rows as a partitioned Parquet dataset (typed
columns where a column is uniform, text where it mixes numbers and ``n/a``);
``check`` compares a recipe's scored table and error table with one machine's
``score_table`` on the whole dataset, keyed by ``_row_id``.  Synthetic data only.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import yzmaturity as yz
from yzmaturity.datasets import make_cohort

Q = "yangzhou-2022"


def planted_rows(n: int) -> dict[str, list[int]]:
    """Rows made invalid on purpose: an unknown option, a negative head count, an empty row."""
    return {
        "unknown_option": [0, n // 3, n - 1],
        "employees": [n // 2],
        "empty_row": [n // 4, (2 * n) // 3],
    }


def write_dataset(folder: Path, n: int, files: int, seed: int = 7) -> Path:
    """``files`` Parquet files of consecutive rows of a synthetic cohort; returns the folder."""
    df = make_cohort(n, seed=seed).to_frame()
    df.insert(0, "_row_id", [f"r{i:07d}" for i in range(n)])
    planted = planted_rows(n)
    df = df.astype({c: object for c in df.columns if c != "_row_id"})
    df.loc[planted["unknown_option"], "strat_plan"] = "maybe"
    df.loc[planted["employees"], "employees"] = -3
    df.loc[planted["empty_row"], [c for c in df.columns if c != "_row_id"]] = None
    arrays = {}
    for name in df.columns:
        values = df[name].tolist()
        try:
            arrays[name] = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays[name] = pa.array([None if v is None else str(v) for v in values], pa.string())
        if pa.types.is_null(arrays[name].type):  # an all-blank column: text (Spark reads no null type)
            arrays[name] = arrays[name].cast(pa.string())
    table = pa.table(arrays)
    folder.mkdir(parents=True, exist_ok=True)
    bounds = np.linspace(0, n, files + 1).astype(np.int64).tolist()
    for i, (start, stop) in enumerate(itertools.pairwise(bounds)):
        pq.write_table(table.slice(start, stop - start), folder / f"part-{i:04d}.parquet")
    return folder


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as float64 (NaN missing), everything else as objects (None missing): engines differ in dtypes."""
    out = {}
    for name in frame.columns:
        s = frame[name]
        if s.dtype.kind in "fiu" or str(s.dtype) in ("Int64", "Float64"):
            out[name] = pd.to_numeric(s).astype("float64").to_numpy()
        else:
            values = s.astype(object).to_numpy()
            out[name] = np.where(pd.isna(values), None, values)
    return pd.DataFrame(out)


def check(dataset: Path, scored: pd.DataFrame, errors: pd.DataFrame) -> dict[str, Any]:
    """``scored`` and ``errors`` (any row order) against one machine's ``score_table`` on the whole dataset.

    Scored: every computed column equal, row for row by ``_row_id``.  Errors:
    every column but ``row`` and ``text`` (those count rows from the start
    of each partition when no offset is known) equal, row id by row id.
    Raises AssertionError on a difference; returns counts.
    """
    whole = pq.read_table(dataset)
    one = yz.score_table(Q, whole, progress=False)
    row_ids = whole["_row_id"].to_pandas()
    expected = one.frame[one.result_columns].reset_index(drop=True)
    expected.insert(0, "_row_id", row_ids)
    got = scored.sort_values("_row_id", kind="stable").reset_index(drop=True)
    assert len(got) == len(expected) and got["_row_id"].tolist() == row_ids.tolist(), "rows differ"
    pd.testing.assert_frame_equal(_plain(got[expected.columns]), _plain(expected), check_exact=True)
    want_errors = one.errors.drop(columns=["row", "text"]).reset_index(drop=True)
    want_errors.insert(0, "_row_id", row_ids.iloc[one.errors["row"] - 1].to_numpy())
    got_errors = errors.sort_values("_row_id", kind="stable").reset_index(drop=True)[want_errors.columns]
    pd.testing.assert_frame_equal(_plain(got_errors), _plain(want_errors), check_exact=True)
    invalid = sorted(int(r[1:]) for r in got.loc[~got["valid"].astype(bool), "_row_id"])
    planted = sorted(i for rows in planted_rows(len(got)).values() for i in rows)
    assert invalid == planted, (invalid, planted)
    return {"rows": len(got), "invalid": len(invalid), "problems": len(got_errors), "equal": True}
