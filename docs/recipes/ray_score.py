"""docs/batch.md's Ray recipe, runnable: a partitioned Parquet dataset scored with ``map_batches``.

Run (needs ray; yzmaturity importable):

    python docs/recipes/ray_score.py [--n 20000] [--files 4] [--workdir DIR]

Writes a synthetic dataset (recipe_data.py), scores it on a local Ray (2 CPUs,
no dashboard): the computed columns with ``_row_id`` kept, and the error table
(``partition_errors``), both written as Parquet by Ray; then checks them
against one machine's ``score_table`` on the whole dataset and prints the
counts and timings as JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
import ray
from recipe_data import Q, check, write_dataset

from yzmaturity import partition_errors, score_partition


# ---- the recipe (docs/batch.md) ------------------------------------------------------------
def score(pdf):
    out = score_partition(pdf, Q)
    out = out.astype({c: "string" for c in out.columns if str(out[c].dtype) == "category"})
    out.insert(0, "_row_id", pdf["_row_id"].to_numpy())
    return out.reset_index(drop=True)


def errors(pdf):
    return partition_errors(pdf, Q, key="_row_id")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--workdir")
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="yz-ray-"))
    dataset = write_dataset(workdir / "dataset", args.n, args.files)
    t0 = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=256 * 2**20)
    t1 = time.perf_counter()
    try:
        ds = ray.data.read_parquet(str(dataset))
        ds.map_batches(score, batch_format="pandas").write_parquet(str(workdir / "scored"))
        ds.map_batches(errors, batch_format="pandas").write_parquet(str(workdir / "errors"))
    finally:
        ray.shutdown()
    t2 = time.perf_counter()
    result = check(
        dataset,
        pq.read_table(workdir / "scored").to_pandas(),
        pq.read_table(workdir / "errors").to_pandas(),
    )
    result.update(
        engine=f"ray {ray.__version__}, 2 CPUs", start_s=round(t1 - t0, 2), score_s=round(t2 - t1, 2)
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
