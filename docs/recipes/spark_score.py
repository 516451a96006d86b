"""docs/batch.md's Spark recipe, runnable: a partitioned Parquet dataset scored with ``mapInPandas``.

Run (needs pyspark and Java 17 or later; yzmaturity importable):

    python docs/recipes/spark_score.py [--n 20000] [--files 4] [--workdir DIR]

Writes a synthetic dataset (recipe_data.py), scores it on a local Spark
(``local[2]``): the computed columns with ``_row_id`` kept, and the error table
(``partition_errors``), both written as Parquet by Spark; then checks them
against one machine's ``score_table`` on the whole dataset and prints the
counts and timings as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
from pyspark.sql import SparkSession
from recipe_data import Q, check, write_dataset

from yzmaturity import errors_meta, output_meta, partition_errors, score_partition

# ---- the recipe (docs/batch.md) ------------------------------------------------------------
SPARK_TYPES = {"f": "double", "i": "bigint", "b": "boolean"}


def spark_schema(meta):
    """A Spark DDL schema for a meta frame (categories and text as string)."""
    return ", ".join(
        f"`{name}` {SPARK_TYPES.get(dtype.kind, 'string')}" for name, dtype in meta.dtypes.items()
    )


def plain(out):
    """Categories as text, for Arrow."""
    return out.astype({c: "string" for c in out.columns if str(out[c].dtype) == "category"})


def score(batches):
    for pdf in batches:
        out = plain(score_partition(pdf, Q))
        out.insert(0, "_row_id", pdf["_row_id"].to_numpy())
        yield out


def errors(batches):
    for pdf in batches:
        yield partition_errors(pdf, Q, key="_row_id")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--workdir")
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="yz-spark-"))
    dataset = write_dataset(workdir / "dataset", args.n, args.files)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    t0 = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("yzmaturity-recipe")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    t1 = time.perf_counter()
    try:
        df = spark.read.parquet(str(dataset))
        meta = output_meta(Q)
        scored_schema = "_row_id string, " + spark_schema(meta)
        df.mapInPandas(score, schema=scored_schema).write.mode("overwrite").parquet(str(workdir / "scored"))
        df.mapInPandas(errors, schema=spark_schema(errors_meta("_row_id"))).write.mode("overwrite").parquet(
            str(workdir / "errors")
        )
        partitions = df.rdd.getNumPartitions()
    finally:
        spark.stop()
    t2 = time.perf_counter()
    result = check(
        dataset,
        pq.read_table(workdir / "scored").to_pandas(),
        pq.read_table(workdir / "errors").to_pandas(),
    )
    import pyspark

    result.update(
        engine=f"pyspark {pyspark.__version__}, local[2]",
        partitions=partitions,
        start_s=round(t1 - t0, 2),
        score_s=round(t2 - t1, 2),
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
