"""Benchmark: a partitioned Parquet dataset on a dask.distributed LocalCluster against one machine (issue #12).

Run:  python bench/bench_distributed.py [--n 1000000] [--files 8] [--repeat 3] [--keep DIR] [--json FILE]

One synthetic city table (``bench_tables.synthetic_table``: plausible answers,
0.1 % of rows with a planted error; every cell text) is written as a
partitioned Parquet dataset of ``--files`` files, and as one Parquet file of
the same rows.  Each path runs in a fresh subprocess; wall time, CPU time (user
+ system of the child and every process it started and reaped: the dask
workers included) and peak memory (the RSS of the child's whole process tree,
sampled every 0.1 s) are recorded:

* ``score_file``: ``yz.score_file`` on the one file -> scored Parquet (streaming,
  two batches at once): the library's one-machine path, and the reference;
* ``score_file_and_errors``: the same, with the error table written too (as the
  ``batch`` command does; the synthetic table's conditions make many
  ``contradiction`` warnings, so it is large);
* ``score_table``: the dataset read whole (``pyarrow.parquet.read_table``) ->
  ``yz.score_table`` -> scored Parquet and error table;
* ``dask_cluster``: a ``LocalCluster`` of 2 worker processes (1 thread each,
  ``--memory-limit`` each): ``dd.read_parquet`` -> ``map_partitions`` with
  docs/batch.md's recipe (``score_partition`` with ``_row_id`` kept) ->
  ``to_parquet``, the workers reading and writing their own partitions; wall
  time includes starting and closing the cluster (``compute_s`` excludes it);
* ``dask_threads``: the same graph on dask's threaded scheduler (2 threads, one
  process).

With ``--repeat R`` the paths run in R rounds and the run of median wall time
of each is reported (its CPU and compute time with it), with the highest peak.
The scored outputs of the dask paths are compared with ``score_file``'s, row
for row and column for column.  The machine has 2 cores shared with other jobs:
the load average is recorded before and after, and wall times move with it.
Synthetic data only.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from bench_tables import PRELUDE, QID, synthetic_table  # noqa: E402

SCORE_FILE = r"""
import json, sys, time
sys.path.insert(0, {root!r})
exec({prelude!r})
import yzmaturity as yz
t0 = time.perf_counter()
result = yz.score_file({qid!r}, {src!r}, {out!r}, errors={errors}, progress=False)
print(json.dumps({{"compute_s": time.perf_counter() - t0, "rows": result.rows, "invalid": result.n_invalid,
    "peak_mb": peak_mb()}}))
"""

SCORE_TABLE = r"""
import json, sys, time
sys.path.insert(0, {root!r})
exec({prelude!r})
import pyarrow.parquet as pq
import yzmaturity as yz
t0 = time.perf_counter()
result = yz.score_table({qid!r}, pq.read_table({dataset!r}), progress=False)
yz.write_table(result.frame, {out!r})
yz.write_table(result.errors, {errors!r})
print(json.dumps({{"compute_s": time.perf_counter() - t0, "rows": len(result.frame), "invalid": result.n_invalid,
    "peak_mb": peak_mb()}}))
"""

DASK_CLUSTER = r"""
import json, logging, sys, time
sys.path.insert(0, {root!r})
exec({prelude!r})
import dask.dataframe as dd
import pandas as pd
from distributed import Client, LocalCluster
import yzmaturity as yz

def score_with_id(df):
    out = yz.score_partition(df, {qid!r})
    out.insert(0, "_row_id", df["_row_id"])
    return out

if __name__ == "__main__":
    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit={memory!r},
                           dashboard_address=None, silence_logs=logging.ERROR)
    client = Client(cluster)
    t1 = time.perf_counter()
    ddf = dd.read_parquet({dataset!r})
    meta = yz.output_meta({qid!r})
    meta.insert(0, "_row_id", pd.Series([], dtype=ddf["_row_id"].dtype))
    ddf.map_partitions(score_with_id, meta=meta).to_parquet({out!r}, write_index=False)
    t2 = time.perf_counter()
    peak = peak_mb()
    client.close()
    cluster.close()
    print(json.dumps({{"compute_s": t2 - t1, "start_s": t1 - t0, "partitions": ddf.npartitions, "peak_mb": peak}}))
"""

DASK_THREADS = r"""
import json, sys, time
sys.path.insert(0, {root!r})
exec({prelude!r})
import dask, dask.dataframe as dd
import pandas as pd
import yzmaturity as yz

def score_with_id(df):
    out = yz.score_partition(df, {qid!r})
    out.insert(0, "_row_id", df["_row_id"])
    return out

t0 = time.perf_counter()
ddf = dd.read_parquet({dataset!r})
meta = yz.output_meta({qid!r})
meta.insert(0, "_row_id", pd.Series([], dtype=ddf["_row_id"].dtype))
with dask.config.set(scheduler="threads", num_workers=2):
    ddf.map_partitions(score_with_id, meta=meta).to_parquet({out!r}, write_index=False)
print(json.dumps({{"compute_s": time.perf_counter() - t0, "partitions": ddf.npartitions, "peak_mb": peak_mb()}}))
"""


def write_dataset(folder: Path, whole: Path, n: int, files: int) -> None:
    """``files`` Parquet files of consecutive rows (and ``whole``: all of them in one file), every cell text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    bounds = np.linspace(0, n, files + 1).astype(np.int64).tolist()
    writer = None
    try:
        for i, (start, stop) in enumerate(itertools.pairwise(bounds)):
            cols = synthetic_table(stop - start, seed=start)
            cols["_row_id"] = np.char.add("r", np.char.zfill(np.arange(start, stop).astype(str), 8))
            cols["name"] = np.char.add(
                np.char.add("合成企业-", np.char.zfill(np.arange(start, stop).astype(str), 7)), " (synthetic)"
            )
            table = pa.table(
                {k: pa.array(np.where(v == "", None, v).tolist(), pa.string()) for k, v in cols.items()}
            )
            pq.write_table(table, folder / f"part-{i:04d}.parquet")
            if writer is None:
                writer = pq.ParquetWriter(whole, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def run(code: str) -> dict[str, Any]:
    """Wall and CPU time (the child and every process it reaped) of a fresh child, and what it printed."""
    env = dict(os.environ, BENCH_POLL_TREE="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-4000:])
    figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["wall_s"] = wall
    figures["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return figures


def pq_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def compare(reference: Path, other: Path) -> dict[str, Any]:
    """Row for row, column for column: the computed columns of two scored outputs."""
    import pandas as pd
    import pyarrow.parquet as pq

    def read(path: Path) -> pd.DataFrame:
        if not path.is_dir():
            return pq.read_table(path).to_pandas()
        # dask's part.0.parquet, part.1.parquet ...: in the partitions' order (not the names')
        files = sorted(path.glob("*.parquet"), key=lambda p: int("".join(filter(str.isdigit, p.name)) or 0))
        return pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)

    a, b = read(reference), read(other)
    columns = ["_row_id", *(c for c in b.columns if c != "_row_id")]
    out: dict[str, Any] = {
        "rows": [len(a), len(b)],
        "same_row_ids": a["_row_id"].tolist() == b["_row_id"].tolist(),
    }
    a, b = a[columns].reset_index(drop=True), b[columns].reset_index(drop=True)
    try:
        pd.testing.assert_frame_equal(a, b, check_dtype=False, check_categorical=False, check_exact=True)
        out["equal"] = True
    except AssertionError as exc:
        out["equal"] = False
        out["difference"] = str(exc)[:500]
    out["invalid"] = [int((~a["valid"]).sum()), int((~b["valid"]).sum())]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=8, help="Parquet files (= dask partitions)")
    parser.add_argument("--memory-limit", default="2GiB", help="per dask worker")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of all paths (the median is reported)")
    parser.add_argument("--keep", help="directory for the generated files (default: a temporary one)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="yz-dist-"))
    dataset = workdir / f"dataset-{args.n}-{args.files}"
    whole = workdir / f"whole-{args.n}.parquet"
    if not dataset.exists() or not whole.exists():
        t0 = time.perf_counter()
        write_dataset(dataset, whole, args.n, args.files)
        print(f"generated {dataset} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    fmt = {"prelude": PRELUDE, "root": str(ROOT), "qid": QID, "dataset": str(dataset)}
    load_before = os.getloadavg()
    res: dict[str, dict[str, Any]] = {}
    paths = {
        "score_file": SCORE_FILE.format(
            **fmt, src=str(whole), out=str(workdir / "file.parquet"), errors=None
        ),
        "score_file_and_errors": SCORE_FILE.format(
            **fmt,
            src=str(whole),
            out=str(workdir / "file2.parquet"),
            errors=repr(str(workdir / "file-errors.parquet")),
        ),
        "score_table": SCORE_TABLE.format(
            **fmt, out=str(workdir / "table.parquet"), errors=str(workdir / "table-errors.parquet")
        ),
        "dask_cluster": DASK_CLUSTER.format(**fmt, out=str(workdir / "cluster"), memory=args.memory_limit),
        "dask_threads": DASK_THREADS.format(**fmt, out=str(workdir / "threads")),
    }
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in paths}
    for _ in range(args.repeat):  # in rounds, so that a change of load touches every path alike
        for name, code in paths.items():
            runs[name].append(run(code))
            print(f"{name}: {json.dumps(runs[name][-1])}", file=sys.stderr)
    for name, figures in runs.items():  # the median run by wall time; the highest peak of all runs
        res[name] = dict(sorted(figures, key=lambda f: f["wall_s"])[len(figures) // 2])
        res[name]["peak_mb"] = max(f["peak_mb"] for f in figures)
        res[name]["all_wall_s"] = [round(f["wall_s"], 2) for f in figures]
    load_after = os.getloadavg()

    import dask
    import distributed
    import pandas as pd
    import pyarrow as pa

    one = res["score_file"]
    summary: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared with other jobs), "
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"pyarrow {pa.__version__}, dask {dask.__version__}, distributed {distributed.__version__}",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "n": args.n,
        "files": args.files,
        "dataset_mb": round(sum(p.stat().st_size for p in dataset.iterdir()) / 1e6, 1),
        "dask_worker_memory_limit": args.memory_limit,
        "repeat": args.repeat,
        "wall_s": {k: round(v["wall_s"], 2) for k, v in res.items()},
        "wall_s_every_run": {k: v["all_wall_s"] for k, v in res.items()},
        "compute_s": {k: round(v["compute_s"], 2) for k, v in res.items()},
        "cpu_s": {k: round(v["cpu_s"], 2) for k, v in res.items()},
        "peak_mb_all_processes": {k: round(v["peak_mb"], 1) for k, v in res.items()},
        "dask_cluster_start_s": round(res["dask_cluster"]["start_s"], 2),
        "dask_cluster_vs_score_file": round(res["dask_cluster"]["wall_s"] / one["wall_s"], 2),
        "dask_cluster_vs_score_file_cpu": round(res["dask_cluster"]["cpu_s"] / one["cpu_s"], 2),
        "dask_cluster_compute_vs_score_file_compute": round(
            res["dask_cluster"]["compute_s"] / one["compute_s"], 2
        ),
        "dask_threads_vs_score_file": round(res["dask_threads"]["wall_s"] / one["wall_s"], 2),
        "score_table_vs_score_file": round(res["score_table"]["wall_s"] / one["wall_s"], 2),
        "score_file_and_errors_vs_score_file": round(
            res["score_file_and_errors"]["wall_s"] / one["wall_s"], 2
        ),
        "error_table_rows": pq_rows(workdir / "file-errors.parquet"),
        "equal_to_score_file": {
            "score_file_and_errors": compare(workdir / "file.parquet", workdir / "file2.parquet"),
            "score_table": compare(workdir / "file.parquet", workdir / "table.parquet"),
            "dask_cluster": compare(workdir / "file.parquet", workdir / "cluster"),
            "dask_threads": compare(workdir / "file.parquet", workdir / "threads"),
        },
    }
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
