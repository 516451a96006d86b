"""Beyond one machine: a partitioned Parquet dataset scored on a dask.distributed LocalCluster.

Two worker processes (one thread each, a small memory limit) score the
partitions with the recipe of docs/batch.md (``read_parquet`` ->
``map_partitions(score_with_id)``, and ``partition_errors`` per partition
with the rows before it);
the results must be one machine's (``score_table`` on the whole dataset, and
``score_file`` on one Parquet file of the same rows) row for row: every row
accounted for, the invalid ones kept with their errors.
"""

from __future__ import annotations

import itertools
import os
import sys
import time

import numpy as np
import pandas as pd
import pytest

import yzmaturity as yz
from yzmaturity.datasets import make_cohort

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")  # a dependency of distributed
cloudpickle = pytest.importorskip("cloudpickle")  # a dependency of distributed

Q = "yangzhou-2022"
N = 3000
BOUNDS = [0, 400, 1100, 1900, 2500, N]  # five files of unequal sizes
BLANK_ROWS = [1100, 1899]  # an empty row first and last in a file
UNKNOWN_OPTION_ROWS = [0, 399, 2999]  # 'maybe' for strat_plan, at file edges
NEGATIVE_EMPLOYEES_ROWS = [1500]


def score_with_id(df: pd.DataFrame) -> pd.DataFrame:
    """docs/batch.md's dask recipe: the computed columns with the row id kept beside them."""
    out = yz.score_partition(df, Q)
    out.insert(0, "_row_id", df["_row_id"])
    return out


# Functions of this module reach the workers by value, as a notebook's do (the workers cannot import tests/).
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def cohort_frame() -> pd.DataFrame:
    """A synthetic cohort (every row valid), then planted invalid rows whose problems are known."""
    df = make_cohort(N, seed=12).to_frame()
    df.insert(0, "_row_id", [f"r{i:05d}" for i in range(N)])
    df["strat_plan"] = df["strat_plan"].astype(object)
    df.loc[UNKNOWN_OPTION_ROWS, "strat_plan"] = "maybe"
    df.loc[NEGATIVE_EMPLOYEES_ROWS, "employees"] = -3
    df = df.astype({c: object for c in df.columns if c != "_row_id"})
    df.loc[BLANK_ROWS, [c for c in df.columns if c != "_row_id"]] = None
    return df


def arrow_table(df: pd.DataFrame) -> pa.Table:
    """Typed columns where they are uniform (numbers, booleans, text), text where they mix ("n/a" and 3)."""
    arrays = {}
    for name in df.columns:
        values = df[name].tolist()
        try:
            arrays[name] = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays[name] = pa.array([None if v is None else str(v) for v in values], pa.string())
    return pa.table(arrays)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dist")
    table = arrow_table(cohort_frame())
    parts = folder / "dataset"
    parts.mkdir()
    for i, (start, stop) in enumerate(itertools.pairwise(BOUNDS)):
        pq.write_table(table.slice(start, stop - start), parts / f"part-{i:03d}.parquet")
    whole = folder / "whole.parquet"
    pq.write_table(table, whole)
    return parts, whole


def _children() -> set[int]:
    """Child processes, except multiprocessing's resource tracker (it lives as long as this interpreter)."""
    out = set()
    for p in psutil.Process().children(recursive=True):
        try:
            if "multiprocessing.resource_tracker" not in " ".join(p.cmdline()):
                out.add(p.pid)
        except psutil.Error:
            continue
    return out


@pytest.fixture(scope="module")
def client():
    before = _children()
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        memory_limit="1GiB",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    workers = set(client.run(os.getpid).values())
    try:
        yield client
    finally:
        client.close()
        cluster.close()
    # No process left behind: the nannies' workers are gone, and nothing else the cluster started.
    deadline = time.monotonic() + 30
    while (left := _children() - before) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"processes left by the cluster: {left}"
    assert not any(psutil.pid_exists(pid) for pid in workers)


def test_workers_are_separate_processes(client):
    pids = client.run(os.getpid)
    assert len(pids) == 2 and len(set(pids.values())) == 2 and os.getpid() not in pids.values()


def test_local_cluster_scores_like_one_machine(client, dataset, tmp_path):
    parts, whole = dataset
    ddf = dd.read_parquet(parts)
    assert ddf.npartitions == len(BOUNDS) - 1
    meta = yz.output_meta(Q)
    meta.insert(0, "_row_id", pd.Series([], dtype=ddf["_row_id"].dtype))
    scored = ddf.map_partitions(score_with_id, meta=meta)
    # The error table: each partition told how many rows come before it, as docs/batch.md does.
    lengths = client.compute(ddf.map_partitions(len), sync=True).tolist()
    offsets = np.cumsum([0, *lengths[:-1]]).tolist()
    assert lengths == np.diff(BOUNDS).tolist()
    errors = dd.from_delayed(
        [
            dask.delayed(yz.partition_errors)(part, Q, row_offset=offset)
            for part, offset in zip(ddf.to_delayed(), offsets, strict=True)
        ],
        meta=yz.errors_meta("_row_id", ddf["_row_id"].dtype),
    )
    got, got_errors = client.compute([scored, errors], sync=True)
    assert client.run(lambda: "yzmaturity._tables" in sys.modules) == dict.fromkeys(
        client.scheduler_info()["workers"], True
    )  # the scoring ran on the workers

    # One machine: the whole dataset at once, and the streaming file path on one file of the same rows.
    one = yz.score_table(Q, pq.read_table(parts))
    expected = one.frame[one.result_columns].reset_index(drop=True)
    got = got.reset_index(drop=True)
    assert len(got) == N and got["_row_id"].tolist() == [f"r{i:05d}" for i in range(N)]
    pd.testing.assert_frame_equal(got.drop(columns="_row_id"), expected)
    streamed = yz.score_file(Q, whole, tmp_path / "scored.parquet", errors=tmp_path / "errors.parquet")
    assert (streamed.rows, streamed.n_invalid) == (N, one.n_invalid)
    on_file = pd.read_parquet(tmp_path / "scored.parquet")
    assert on_file["_row_id"].tolist() == got["_row_id"].tolist()
    assert on_file["valid"].tolist() == got["valid"].tolist()
    np.testing.assert_array_equal(on_file["overall"].to_numpy(), got["overall"].to_numpy())
    assert on_file["level"].astype("Int64").tolist() == got["level"].tolist()

    # The planted rows, and only they, are invalid; every other row of the cohort is valid and scored.
    planted = sorted(BLANK_ROWS + UNKNOWN_OPTION_ROWS + NEGATIVE_EMPLOYEES_ROWS)
    assert np.flatnonzero(~got["valid"].to_numpy()).tolist() == planted
    assert got.loc[got["valid"], "overall"].notna().all() and got.loc[~got["valid"], "overall"].isna().all()
    assert got.loc[got["valid"], "level"].notna().all() and got.loc[~got["valid"], "level"].isna().all()
    assert (got.loc[planted, "errors"] >= 1).all() and got.loc[planted, "error_summary"].notna().all()

    # The partitions' error tables concatenated are the whole dataset's, row numbers and words included.
    got_errors = got_errors.reset_index(drop=True)
    assert got_errors.dtypes.to_dict() == yz.errors_meta("_row_id", ddf["_row_id"].dtype).dtypes.to_dict()
    pd.testing.assert_frame_equal(got_errors.drop(columns="_row_id"), one.errors.reset_index(drop=True))
    assert (got_errors["_row_id"] == got["_row_id"].to_numpy()[got_errors["row"] - 1]).all()
    errs = got_errors[got_errors["severity"] == "error"]
    by_row = errs.groupby("_row_id")["code"].apply(set).to_dict()
    assert set(by_row) == {f"r{i:05d}" for i in planted}
    for i in BLANK_ROWS:
        assert by_row[f"r{i:05d}"] == {"empty_row"}
    for i in UNKNOWN_OPTION_ROWS:
        assert "unknown_option" in by_row[f"r{i:05d}"]
        assert errs.loc[errs["_row_id"] == f"r{i:05d}", "column"].tolist() == ["strat_plan"]
    for i in NEGATIVE_EMPLOYEES_ROWS:
        assert errs.loc[errs["_row_id"] == f"r{i:05d}", "column"].tolist() == ["employees"]
    counts = errs.groupby("_row_id").size().reindex(got["_row_id"], fill_value=0).to_numpy()
    assert (counts == got["errors"].to_numpy()).all()  # the per-row count agrees with the error table


def test_partition_errors_needs_its_key():
    df = make_cohort(2, seed=0).to_frame()
    with pytest.raises(yz.TableError) as info:
        yz.partition_errors(df, Q, key="_row_id")
    assert [(d.code, d.loc) for d in info.value.details] == [("missing_column", ("column", "_row_id"))]


def test_partition_errors_without_a_key_is_the_error_table_with_an_offset():
    df = make_cohort(6, seed=1).to_frame()
    df["strat_plan"] = df["strat_plan"].astype(object)
    df.loc[4, "strat_plan"] = "maybe"
    whole = yz.score_table(Q, df).errors
    assert whole["row"].tolist() == [5]
    tail = yz.partition_errors(df.iloc[3:], Q, key=None, row_offset=3)
    assert list(tail.columns) == list(yz.errors_meta(None).columns) == list(whole.columns)
    pd.testing.assert_frame_equal(tail, whole)
    # without the offset, the row counts within the partition
    alone = yz.partition_errors(df.iloc[3:], Q, key=None)
    assert alone["row"].tolist() == [2] and alone["code"].tolist() == ["unknown_option"]
