"""A folder of Parquet files (a dataset, as Spark, dask or pyarrow write it) read and scored as one table."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from test_tables import CODE, Q, random_sheets, table_of

from yzmaturity._cli import main
from yzmaturity._exceptions import FileLoadError
from yzmaturity._tables import dataset as dataset_module
from yzmaturity._tables import read_table, score_file, score_table, write_table

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    """90 rows over four districts, some rows invalid, a passthrough id column."""
    frame = table_of(random_sheets(90, seed=11))
    frame["region"] = [["广陵区", "邗江区", "江都区", "宝应 县/东"][i % 4] for i in range(len(frame))]
    frame.loc[4, "credit_code"] = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    frame.loc[9, "strat_plan"] = "maybe"
    frame.insert(0, "_row_id", [f"r{i}" for i in range(len(frame))])
    return frame


def _write_dataset(frame: pd.DataFrame, root: Path) -> Path:
    """The frame as a Hive-partitioned dataset by ``region``, with a writer's bookkeeping files beside."""
    pq.write_to_dataset(pa.Table.from_pandas(frame, preserve_index=False), root, partition_cols=["region"])
    (root / "_SUCCESS").write_bytes(b"")
    (root / ".part-0.parquet.crc").write_bytes(b"crc")
    return root


def _in_path_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows as the dataset holds them: by partition folder name (as the writer encodes it), then as given;
    the partition column last."""
    folder = frame["region"].map(lambda v: quote(str(v), safe=""))
    order = np.argsort(folder.to_numpy(dtype=str), kind="stable")
    ordered = frame.iloc[order].reset_index(drop=True)
    return ordered[[c for c in ordered.columns if c != "region"] + ["region"]]


def test_a_partitioned_dataset_reads_as_the_table_it_holds(tmp_path, cohort):
    root = _write_dataset(cohort, tmp_path / "cohort.parquet")
    assert len(list(root.rglob("*.parquet"))) == 4
    got = read_table(root)
    expected = _in_path_order(cohort)
    assert list(got.columns) == list(expected.columns)
    assert got["region"].tolist() == expected["region"].tolist()  # percent-decoded, spaces and slashes too
    assert got["_row_id"].tolist() == expected["_row_id"].tolist()  # every row, in path order
    assert got.attrs["source"] == str(root)


def test_a_dataset_scores_as_its_rows_would_in_one_table(tmp_path, cohort):
    root = _write_dataset(cohort, tmp_path / "cohort")
    expected = score_table(Q, _in_path_order(cohort), progress=False)
    got = score_table(Q, root, progress=False)
    assert len(got) == len(cohort) and got.n_invalid == expected.n_invalid >= 2
    for column in ("valid", "overall", "level", "errors"):
        np.testing.assert_array_equal(got.frame[column].to_numpy(), expected.frame[column].to_numpy())
    assert got.errors["code"].tolist() == expected.errors["code"].tolist()


@pytest.mark.parametrize(
    ("suffix", "block", "batches"), [("csv", 1 << 12, 4), ("parquet", 1 << 12, 4), ("csv", 1 << 24, 1)]
)
def test_score_file_streams_a_dataset_file_after_file(tmp_path, cohort, suffix, block, batches):
    """A batch per file (small batches), or one spanning every file: the bytes of the whole-table path."""
    root = _write_dataset(cohort, tmp_path / "cohort")
    streamed = score_file(
        Q, root, tmp_path / f"s.{suffix}", errors=tmp_path / f"e.{suffix}", block_bytes=block, progress=False
    )
    assert streamed.batches == batches and streamed.rows == len(cohort)
    whole = score_table(Q, root, progress=False)
    write_table(whole.frame, tmp_path / f"w.{suffix}")
    write_table(whole.errors, tmp_path / f"we.{suffix}")
    if suffix == "csv":
        assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "w.csv").read_bytes()
        assert (tmp_path / "e.csv").read_bytes() == (tmp_path / "we.csv").read_bytes()
    else:
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "s.parquet"),
            pd.read_parquet(tmp_path / "w.parquet"),
            check_dtype=False,
        )
    assert streamed.summary() == whole.summary()


def test_files_with_other_types_unify_and_the_cli_scores_a_folder(tmp_path, cohort, capsys):
    """Plain files, no partitions: a column typed int64 in one file and float64 in another unifies."""
    root = tmp_path / "plain"
    root.mkdir()
    first, second = cohort.iloc[:40].copy(), cohort.iloc[40:].copy()
    first["_batch"], second["_batch"] = 1, 2.5
    pq.write_table(pa.Table.from_pandas(first, preserve_index=False), root / "part-0.parquet")
    pq.write_table(pa.Table.from_pandas(second, preserve_index=False), root / "part-1.pq")
    assert read_table(root)["_batch"].tolist() == [1.0] * 40 + [2.5] * 50
    code = main(["batch", str(root), "-o", str(tmp_path / "out.csv"), "--no-progress"])
    assert code == 0
    assert len(pd.read_csv(tmp_path / "out.csv")) == len(cohort)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda root: (root / "notes.csv").write_text("a,b\n"), "bad_extension"),
        (
            lambda root: (root / "link.parquet").symlink_to(root / "x=1" / "part-0.parquet"),
            "not_a_regular_file",
        ),
        (lambda root: _fifo(root / "pipe.parquet"), "not_a_regular_file"),
        (
            lambda root: (
                (root / "x=2" / "y=3").mkdir(parents=True)
                or (root / "x=2" / "y=3" / "p.parquet").write_bytes(
                    (root / "x=1" / "part-0.parquet").read_bytes()
                )
            ),
            "dataset_mismatch",
        ),
        (
            lambda root: (
                (root / "x=2").mkdir()
                or pq.write_table(pa.table({"name": ["a"]}), root / "x=2" / "p.parquet")
            ),
            "dataset_mismatch",
        ),
        (
            lambda root: (
                (root / "x=2").mkdir() or (root / "x=2" / "p.parquet").write_bytes(b"PAR1 not parquet")
            ),
            "bad_parquet",
        ),
    ],
)
def test_a_dataset_folder_refuses_what_it_cannot_read_whole(tmp_path, cohort, make, code):
    """Never a file silently left out: each is refused, named, before anything is written."""
    root = tmp_path / "d"
    (root / "x=1").mkdir(parents=True)
    pq.write_table(
        pa.Table.from_pandas(cohort.head(5), preserve_index=False), root / "x=1" / "part-0.parquet"
    )
    make(root)
    for read in (lambda: read_table(root), lambda: score_file(Q, root, tmp_path / "o.csv", progress=False)):
        with pytest.raises(FileLoadError) as info:
            read()
        assert info.value.code == code
    assert not (tmp_path / "o.csv").exists()


def test_dataset_limits(tmp_path, cohort, monkeypatch):
    root = tmp_path / "d"
    deep = root / "a" / "b" / "c"
    deep.mkdir(parents=True)
    pq.write_table(pa.Table.from_pandas(cohort.head(3), preserve_index=False), deep / "p.parquet")
    assert len(read_table(root)) == 3  # plain folders add no column
    monkeypatch.setattr(dataset_module, "MAX_DATASET_DEPTH", 2)
    with pytest.raises(FileLoadError) as info:
        read_table(root)
    assert info.value.code == "too_deep"
    monkeypatch.setattr(dataset_module, "MAX_DATASET_DEPTH", 16)
    pq.write_table(pa.Table.from_pandas(cohort.head(3), preserve_index=False), deep / "q.parquet")
    monkeypatch.setattr(dataset_module, "MAX_DATASET_FILES", 1)
    with pytest.raises(FileLoadError) as info:
        read_table(root)
    assert info.value.code == "too_many_files"
    monkeypatch.setattr(dataset_module, "MAX_DATASET_FILES", 10)
    with pytest.raises(FileLoadError) as info:
        read_table(root, max_bytes=(deep / "p.parquet").stat().st_size + 1)  # the two files together
    assert info.value.code == "file_too_large"
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "_SUCCESS").write_bytes(b"")
    with pytest.raises(FileLoadError) as info:
        read_table(empty)
    assert info.value.code == "empty_file"


def test_an_output_inside_the_dataset_folder_is_refused(tmp_path, cohort):
    root = _write_dataset(cohort, tmp_path / "cohort")
    with pytest.raises(FileLoadError) as info:
        score_file(Q, root, root / "scored.csv", progress=False)
    assert info.value.code == "output_is_input"
    assert not (root / "scored.csv").exists()


def test_a_folder_named_like_a_csv_is_still_not_a_table(tmp_path):
    folder = tmp_path / "d.csv"
    folder.mkdir()
    with pytest.raises(FileLoadError) as info:
        read_table(folder)
    assert info.value.code == "is_a_folder"
