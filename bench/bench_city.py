"""Benchmark: city scale against the peers, in one run (issue #12).

Run:  python bench/bench_city.py [--n 1000000] [--keep DIR] [--baseline REV] [--json FILE] [--repeat R]

Every figure comes from the same run, on the same synthetic CSV, each path in a
fresh subprocess (wall time, and peak RSS as the child's VmHWM).  With ``--repeat R``
every path runs R times, in turn (round after round), and each figure is the
median of its R runs (``wall_s_each_round`` keeps them all):

* ``floor``: pyarrow reads the CSV and writes it back (an output of the same size);
* ``duckdb``: SQL, ``CASE WHEN`` per question, the overall score only, CSV -> CSV;
* ``polars``: lazy ``scan_csv`` -> the same formulas -> ``sink_csv``;
* ``library``: ``yzmaturity batch`` (full validation, scores, levels, catalog matching,
  the scored table and the error table written), at N and at N/10 (memory flat in N?);
* ``dict``: a dict of object arrays (str, bool, float; ``None`` blanks) -> ``score_batch``;
* ``frame``: a pandas DataFrame of text -> ``score_table``;
* ``matrix``: the pre-encoded matrix -> ``score_batch``, against ``numpy.copy`` of it, at
  N/100, N/10 and N (growth linear?);
* ``start``: ``load_questionnaire("yangzhou-2022")`` in a fresh interpreter (cache warm);
* ``parquet`` / ``dataset``: ``score_file`` of the same rows as one Parquet file and as a
  Hive-partitioned dataset (a folder per ``region``), to Parquet outputs (reported, no goal);
* ``polars_batch`` / ``polars_table``: a polars frame of text (``read_csv(infer_schema=False)``)
  -> ``score_batch`` (no pandas on the way) and -> ``score_table`` (reported, no goal).

``dict``, ``frame``, ``library`` and ``start`` also run on the ``--baseline``
revision of the library (default: the commit before issue #12's work), checked
out with ``git archive`` into a temporary folder: "x times faster than before"
is measured, not remembered.  Peers compute the overall score only, without
validation, relevance or levels: they are the speed a hand-written query
reaches, and the bench checks that their overall equals the library's on the
valid rows.  Synthetic data only.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from bench_tables import PRELUDE, QID, synthetic_table, write_synthetic_csv  # noqa: E402

BASELINE = "779ab62"  # main when issue #12's work started


# --------------------------------------------------------------------------- the overall, as a peer writes it
def _questions(dim: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(dim.get("questions", []))
    for child in dim.get("dimensions", []):
        out += _questions(child)
    return out


def _sql_score(q: dict[str, Any]) -> str:
    c = f'"{q["id"]}"'
    t = q["type"]
    if t == "single_choice":
        whens = " ".join(f"WHEN '{o['id']}' THEN {float(o.get('score', 0))}" for o in q["options"])
        return f"CASE {c} {whens} END"
    if t == "multiple_choice":
        wrapped = f"(';' || {c} || ';')"
        total = " + ".join(
            f"(CASE WHEN contains({wrapped}, ';{o['id']};') THEN {float(o.get('score', 0))} ELSE 0 END)"
            for o in q["options"]
        )
        return f"CASE WHEN {c} IS NULL OR {c} = 'n/a' THEN NULL ELSE least(1.0, {total}) END"
    if t == "yes_no":
        yes, no = float(q.get("score_yes", 1.0)), float(q.get("score_no", 0.0))
        return f"CASE lower({c}) WHEN 'true' THEN {yes} WHEN 'false' THEN {no} END"
    v = f"TRY_CAST({c} AS DOUBLE)"
    if t == "numeric":
        # Left-closed [min, next) by default; right-closed (min, next], the first band holding its min.
        op = ">" if q.get("closed") == "right" else ">="
        bands = sorted(q["bands"], key=lambda b: -b["min"])
        whens = " ".join(f"WHEN {v} {op} {float(b['min'])} THEN {float(b['score'])}" for b in bands[:-1])
        last = bands[-1]
        whens += f" WHEN {v} >= {float(last['min'])} THEN {float(last['score'])}"
        return f"CASE WHEN {v} IS NULL THEN NULL {whens} ELSE 0.0 END"
    lo, hi = float(q.get("min", 0)), float(q.get("max", 4))
    return f"({v} - {lo}) / {hi - lo}"


def duckdb_sql(spec: dict[str, Any], src: str, out: str) -> str:
    """One SELECT: question scores, then dimensions bottom-up, then the overall (weighted means of non-NULL)."""
    scores = [f'{_sql_score(q)} AS "s:{q["id"]}"' for d in spec["dimensions"] for q in _questions(d)]
    layers: list[list[str]] = [scores]
    dims_by_depth: dict[int, list[str]] = {}

    def visit(d: dict[str, Any], depth: int) -> None:
        for child in d.get("dimensions", []):
            visit(child, depth + 1)
        if d.get("questions"):
            num = " + ".join(
                f'coalesce("s:{q["id"]}", 0) * {float(q.get("weight", 1))}' for q in d["questions"]
            )
            den = " + ".join(
                f'(CASE WHEN "s:{q["id"]}" IS NULL THEN 0 ELSE {float(q.get("weight", 1))} END)'
                for q in d["questions"]
            )
            expr = f"100.0 * ({num}) / nullif({den}, 0)"
        else:
            kids = d["dimensions"]
            num = " + ".join(f'coalesce("d:{k["id"]}", 0) * {float(k.get("weight", 1))}' for k in kids)
            den = " + ".join(
                f'(CASE WHEN "d:{k["id"]}" IS NULL THEN 0 ELSE {float(k.get("weight", 1))} END)' for k in kids
            )
            expr = f"({num}) / nullif({den}, 0)"
        dims_by_depth.setdefault(depth, []).append(f'{expr} AS "d:{d["id"]}"')

    for d in spec["dimensions"]:
        visit(d, 0)
    for depth in sorted(dims_by_depth, reverse=True):
        layers.append(dims_by_depth[depth])
    top = spec["dimensions"]
    num = " + ".join(f'coalesce("d:{d["id"]}", 0) * {float(d.get("weight", 1))}' for d in top)
    den = " + ".join(
        f'(CASE WHEN "d:{d["id"]}" IS NULL THEN 0 ELSE {float(d.get("weight", 1))} END)' for d in top
    )
    query = f"SELECT * FROM read_csv('{src}', all_varchar = true, header = true)"
    for layer in layers:
        query = f"SELECT *, {', '.join(layer)} FROM ({query})"
    final = f'SELECT "_row_id", "name", ({num}) / nullif({den}, 0) AS overall FROM ({query})'
    return f"COPY ({final}) TO '{out}' (HEADER, DELIMITER ',')"


PEER_DUCKDB = r"""
import json, sys
exec({prelude!r})
import duckdb
con = duckdb.connect()
con.execute("SET threads TO 2")
con.execute({sql!r})
print(json.dumps({{"peak_mb": peak_mb()}}))
"""

PEER_POLARS = r"""
import json, sys
exec({prelude!r})
sys.path.insert(0, {bench!r})
import polars as pl, yaml
from bench_city import polars_plan
spec = yaml.safe_load(open({qpath!r}, encoding="utf-8"))
polars_plan(pl, spec, {src!r}).sink_csv({out!r})
print(json.dumps({{"peak_mb": peak_mb()}}))
"""


def polars_plan(pl: Any, spec: dict[str, Any], src: str) -> Any:
    """The same formulas as :func:`duckdb_sql`, as a lazy polars plan."""

    def score(q: dict[str, Any]) -> Any:
        c = pl.col(q["id"])
        t = q["type"]
        if t == "single_choice":
            mapping = {o["id"]: float(o.get("score", 0)) for o in q["options"]}
            return c.replace_strict(mapping, default=None, return_dtype=pl.Float64)
        if t == "multiple_choice":
            wrapped = pl.lit(";") + c + pl.lit(";")
            total = sum(
                pl.when(wrapped.str.contains(f";{o['id']};", literal=True))
                .then(float(o.get("score", 0)))
                .otherwise(0.0)
                for o in q["options"]
            )
            return pl.when(c.is_null() | (c == "n/a")).then(None).otherwise(pl.min_horizontal(total, 1.0))
        if t == "yes_no":
            low = c.str.to_lowercase()
            yes, no = float(q.get("score_yes", 1.0)), float(q.get("score_no", 0.0))
            return pl.when(low == "true").then(yes).when(low == "false").then(no).otherwise(None)
        v = c.cast(pl.Float64, strict=False)
        if t == "numeric":
            right = q.get("closed") == "right"
            bands = sorted(q["bands"], key=lambda b: -b["min"])
            expr = pl.when(v.is_null()).then(None)
            for band in bands[:-1]:
                above = v > float(band["min"]) if right else v >= float(band["min"])
                expr = expr.when(above).then(float(band["score"]))
            expr = expr.when(v >= float(bands[-1]["min"])).then(float(bands[-1]["score"]))
            return expr.otherwise(0.0)
        lo, hi = float(q.get("min", 0)), float(q.get("max", 4))
        return (v - lo) / (hi - lo)

    def mean(items: list[tuple[Any, float]], scale: float) -> Any:
        num = sum(e.fill_null(0.0) * w for e, w in items)
        den = sum(e.is_not_null().cast(pl.Float64) * w for e, w in items)
        return scale * num / pl.when(den == 0).then(None).otherwise(den)

    frame = pl.scan_csv(src, infer_schema=False)
    questions = [q for d in spec["dimensions"] for q in _questions(d)]
    frame = frame.with_columns([score(q).alias(f"s:{q['id']}") for q in questions])

    def dim(d: dict[str, Any]) -> Any:
        if d.get("questions"):
            return mean([(pl.col(f"s:{q['id']}"), float(q.get("weight", 1))) for q in d["questions"]], 100.0)
        return mean([(dim(k), float(k.get("weight", 1))) for k in d["dimensions"]], 1.0)

    overall = mean([(dim(d), float(d.get("weight", 1))) for d in spec["dimensions"]], 1.0)
    return frame.select(pl.col("_row_id"), pl.col("name"), overall.alias("overall"))


FLOOR = r"""
import json, sys
exec({prelude!r})
import pyarrow.csv as pcsv
table = pcsv.read_csv({src!r}, convert_options=pcsv.ConvertOptions(column_types=None, strings_can_be_null=True))
pcsv.write_csv(table, {out!r})
print(json.dumps({{"peak_mb": peak_mb()}}))
"""

LIBRARY = r"""
import json, sys
sys.path.insert(0, {root!r})
exec({prelude!r})
from yzmaturity._cli import main
code = main(["batch", {src!r}, "-o", {out!r}, "--errors", {errors!r}, "--no-progress", "--json"])
assert code == 0, code
print(json.dumps({{"peak_mb": peak_mb()}}))
"""

FILE_PATH = r"""
import json, sys
sys.path.insert(0, {root!r})
exec({prelude!r})
import yzmaturity as yz
r = yz.score_file("yangzhou-2022", {src!r}, {out!r}, errors={errors!r}, progress=False)
print(json.dumps({{"rows": r.rows, "batches": r.batches, "valid": r.valid, "peak_mb": peak_mb()}}))
"""

POLARS_PATH = r"""
import json, sys, time
sys.path.insert(0, {root!r})
exec({prelude!r})
import polars as pl
import yzmaturity as yz
frame = pl.read_csv({src!r}, infer_schema=False)
q = yz.load_questionnaire("yangzhou-2022")
t0, c0 = time.perf_counter(), time.process_time()
if {batch!r}:
    invalid = yz.score_batch(q, frame, keep_questions=False).n_invalid
else:
    invalid = yz.score_table(q, frame, progress=False).n_invalid
print(json.dumps({{"s": time.perf_counter() - t0, "call_cpu_s": time.process_time() - c0, "invalid": int(invalid),
    "peak_mb": peak_mb()}}))
"""

DICT_PATH = r"""
import json, pickle, sys, time
sys.path.insert(0, {root!r})
exec({prelude!r})
import numpy as np
with open({columns!r}, "rb") as handle:
    columns = pickle.load(handle)
import yzmaturity as yz
q = yz.load_questionnaire("yangzhou-2022")
t0, c0 = time.perf_counter(), time.process_time()
batch = yz.score_batch(q, columns)
print(json.dumps({{"s": time.perf_counter() - t0, "call_cpu_s": time.process_time() - c0, "invalid": int((~batch.valid).sum()),
    "mean": float(np.nanmean(batch.overall)), "peak_mb": peak_mb()}}))
"""

FRAME_PATH = r"""
import json, sys, time
sys.path.insert(0, {root!r})
exec({prelude!r})
import pandas as pd
frame = pd.read_csv({src!r}, dtype=object, keep_default_na=False, na_values=[""])
from yzmaturity._tables import score_table
t0, c0 = time.perf_counter(), time.process_time()
result = score_table("yangzhou-2022", frame, progress=False)
print(json.dumps({{"s": time.perf_counter() - t0, "call_cpu_s": time.process_time() - c0, "invalid": int(result.n_invalid), "peak_mb": peak_mb()}}))
"""

MATRIX_PATH = r"""
import json, sys, time
sys.path.insert(0, {root!r})
sys.path.insert(1, {bench!r})
import numpy as np
import yzmaturity as yz
from bench_scoring import synthetic_matrix
q = yz.load_questionnaire("yangzhou-2022")
out = {{}}
for n in {sizes!r}:
    m = synthetic_matrix(q, n)
    best_copy = min(_t for _t in [(lambda t0: (np.copy(m.codes), time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(3)])
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        yz.score_batch(q, m)
        best = min(best, time.perf_counter() - t0)
    out[str(n)] = {{"score_s": best, "copy_s": best_copy}}
print(json.dumps(out))
"""

START = r"""
import sys, time
sys.path.insert(0, {root!r})
import yzmaturity
t0 = time.perf_counter()
yzmaturity.load_questionnaire("yangzhou-2022")
print(time.perf_counter() - t0)
"""


def typed_columns(n: int) -> dict[str, np.ndarray]:
    """The answers of :func:`bench_tables.synthetic_table` as an analyst's typed object columns."""
    import yzmaturity as yz

    cq = yz.load_questionnaire(QID).compiled()
    cols = synthetic_table(n)
    out: dict[str, np.ndarray] = {}
    for question in cq.questions:
        text = cols[question.id]
        values = np.empty(n, dtype=object)
        blank = text == ""
        na = text == "n/a"
        if question.type == "yes_no":
            values[:] = text == "true"
        elif question.type in ("numeric", "scale", "scene_level"):
            numbers = np.where(blank | na, "nan", text).astype(np.float64)
            values[:] = numbers.tolist()
        else:
            values[:] = text.tolist()
        values[blank] = None
        values[na] = "n/a"
        out[question.id] = values
    return out


def run(code: str) -> dict[str, Any]:
    """Wall time and CPU time (user + system, all threads) of a fresh child, and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-4000:])
    figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if isinstance(figures, dict):
        figures["wall_s"] = wall
        figures["cpu_s"] = cpu
    return figures


def start_time(root: str, runs: int = 7) -> float:
    """Median time to load the built-in questionnaire in a fresh interpreter (caches warm)."""
    code = START.format(root=root)
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=ROOT)  # warm
    times = [
        float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(times)


def arrow_inputs(src: Path, workdir: Path) -> tuple[Path, Path]:
    """The CSV's rows as one Parquet file and as a dataset partitioned by region (made once, kept)."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    parquet, dataset = workdir / f"{src.stem}.parquet", workdir / f"{src.stem}-by-region"
    if not parquet.exists() or not dataset.exists():
        options = pcsv.ConvertOptions(null_values=[""], strings_can_be_null=True)
        table = pcsv.read_csv(src, convert_options=options)
        pq.write_table(table, parquet, row_group_size=len(table))
        shutil.rmtree(dataset, ignore_errors=True)
        # One chunk: a row group per file and district, as pandas' or Spark's writers make them (the CSV
        # reader's chunks would split into 4,500 row groups of 220 rows, slow for any Parquet reader).
        pq.write_to_dataset(table.combine_chunks(), dataset, partition_cols=["region"])
    return parquet, dataset


def checkout(rev: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="yz-baseline-"))
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def head_of_csv(src: Path, dst: Path, rows: int) -> None:
    with open(src, "rb") as inp, open(dst, "wb") as out:
        for i, line in enumerate(inp):
            if i > rows:
                break
            out.write(line)


def overall_diff(library_out: Path, peer_out: Path) -> float:
    import pyarrow.csv as pcsv

    lib = pcsv.read_csv(library_out).select(["_row_id", "valid", "overall"]).to_pandas()
    peer = pcsv.read_csv(peer_out).select(["_row_id", "overall"]).to_pandas()
    merged = lib.merge(peer, on="_row_id", suffixes=("", "_peer"))
    valid = merged["valid"].astype(str).str.lower() == "true"
    return float((merged.loc[valid, "overall"] - merged.loc[valid, "overall_peer"]).abs().max())


def _median_figures(found: list[dict[str, Any]]) -> dict[str, Any]:
    """Each number the median of the rounds' (the others as the first round gave them)."""
    out = dict(found[0])
    for key, value in out.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = statistics.median(f[key] for f in found)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--keep", help="directory for the generated files (default: a temporary one)")
    parser.add_argument("--baseline", default=BASELINE, help="git revision to compare with ('' to skip)")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip (dict,frame,matrix,...)")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run every path this many times, in turn (each round runs them all), and report the medians",
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    from yzmaturity._loading import builtin_dir

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="yz-city-"))
    workdir.mkdir(parents=True, exist_ok=True)
    src = workdir / f"table-{args.n}.csv"
    if not src.exists():
        t0 = time.perf_counter()
        write_synthetic_csv(src, args.n)
        print(f"generated {src} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    small = workdir / f"table-{args.n}-head-{args.n // 10}.csv"
    if not small.exists():
        head_of_csv(src, small, args.n // 10)
    qpath = str(builtin_dir() / f"{QID}.yaml")
    spec = yaml.safe_load(Path(qpath).read_text(encoding="utf-8"))
    base = str(checkout(args.baseline)) if args.baseline else None
    fmt = {"prelude": PRELUDE, "bench": str(BENCH)}
    load_before = os.getloadavg()
    res: dict[str, Any] = {}

    plan: list[tuple[str, str]] = []

    def step(name: str, code: str) -> None:
        plan.append((name, code))

    step("floor", FLOOR.format(**fmt, src=str(src), out=str(workdir / "floor.csv")))
    step("duckdb", PEER_DUCKDB.format(**fmt, sql=duckdb_sql(spec, str(src), str(workdir / "duckdb.csv"))))
    step("polars", PEER_POLARS.format(**fmt, qpath=qpath, src=str(src), out=str(workdir / "polars.csv")))
    lib = {"root": str(ROOT), "src": str(src), "out": str(workdir / "scored.csv")}
    step("library", LIBRARY.format(**fmt, **lib, errors=str(workdir / "errors.csv")))
    step(
        "library_n_over_10",
        LIBRARY.format(
            **fmt,
            root=str(ROOT),
            src=str(small),
            out=str(workdir / "s10.csv"),
            errors=str(workdir / "e10.csv"),
        ),
    )
    if base and "baseline_library" not in skip:
        step(
            "baseline_library",
            LIBRARY.format(
                **fmt, root=base, src=str(src), out=str(workdir / "b.csv"), errors=str(workdir / "be.csv")
            ),
        )
    if "dict" not in skip:
        typed = workdir / f"typed-{args.n}.pkl"
        if not typed.exists():
            with open(typed, "wb") as handle:
                pickle.dump(typed_columns(args.n), handle, protocol=pickle.HIGHEST_PROTOCOL)
        step("dict", DICT_PATH.format(**fmt, root=str(ROOT), columns=str(typed)))
        if base:
            step("baseline_dict", DICT_PATH.format(**fmt, root=base, columns=str(typed)))
    if "frame" not in skip:
        step("frame", FRAME_PATH.format(**fmt, root=str(ROOT), src=str(src)))
        if base:
            step("baseline_frame", FRAME_PATH.format(**fmt, root=base, src=str(src)))
    if "arrow" not in skip:
        parquet, dataset = arrow_inputs(src, workdir)
        for name, source in (("parquet", parquet), ("dataset", dataset)):
            out = {
                "out": str(workdir / f"{name}-out.parquet"),
                "errors": str(workdir / f"{name}-err.parquet"),
            }
            step(name, FILE_PATH.format(**fmt, root=str(ROOT), src=str(source), **out))
        for name, batch in (("polars_batch", True), ("polars_table", False)):
            step(name, POLARS_PATH.format(**fmt, root=str(ROOT), src=str(src), batch=batch))
    runs: dict[str, list[dict[str, Any]]] = {}
    for round_ in range(max(1, args.repeat)):  # in turn: a slow minute of the machine hits every path alike
        for name, code in plan:
            figures = run(code)
            print(f"{name} (round {round_ + 1}): {json.dumps(figures)}", file=sys.stderr)
            runs.setdefault(name, []).append(figures)
    res.update({name: _median_figures(found) for name, found in runs.items()})
    if "matrix" not in skip:
        sizes = sorted({max(10_000, args.n // 100), max(10_000, args.n // 10), args.n})
        res["matrix"] = run(MATRIX_PATH.format(**fmt, root=str(ROOT), sizes=sizes))
        res["matrix"] = {k: v for k, v in res["matrix"].items() if isinstance(v, dict)}
        print(f"matrix: {res['matrix']}", file=sys.stderr)
    res["start_s"] = start_time(str(ROOT))
    if base:
        res["baseline_start_s"] = start_time(base)
        shutil.rmtree(base, ignore_errors=True)

    import duckdb
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    lib_s = res["library"]["wall_s"]
    summary: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, pandas {pd.__version__}, pyarrow {pa.__version__}, "
        f"polars {pl.__version__}, duckdb {duckdb.__version__}",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "n": args.n,
        "csv_mb": round(src.stat().st_size / 1e6, 1),
        "rounds": max(1, args.repeat),
        "wall_s": {k: round(v["wall_s"], 2) for k, v in res.items() if isinstance(v, dict) and "wall_s" in v},
        "wall_s_each_round": {k: [round(f["wall_s"], 2) for f in v] for k, v in runs.items()},
        "peak_mb": {
            k: round(v["peak_mb"], 1) for k, v in res.items() if isinstance(v, dict) and "peak_mb" in v
        },
        "cpu_s": {k: round(v["cpu_s"], 2) for k, v in res.items() if isinstance(v, dict) and "cpu_s" in v},
        "library_vs_duckdb": round(lib_s / res["duckdb"]["wall_s"], 2),
        "library_vs_duckdb_cpu": round(res["library"]["cpu_s"] / res["duckdb"]["cpu_s"], 2),
        "library_vs_floor_cpu": round(res["library"]["cpu_s"] / res["floor"]["cpu_s"], 2),
        "library_vs_floor": round(lib_s / res["floor"]["wall_s"], 2),
        "library_vs_polars": round(lib_s / res["polars"]["wall_s"], 2),
        "library_peak_n_vs_n_over_10": round(
            res["library"]["peak_mb"] / res["library_n_over_10"]["peak_mb"], 2
        ),
        "overall_max_diff_duckdb": overall_diff(workdir / "scored.csv", workdir / "duckdb.csv"),
        "overall_max_diff_polars": overall_diff(workdir / "scored.csv", workdir / "polars.csv"),
        "start_s": round(res["start_s"], 4),
    }
    if "baseline_library" in res:
        summary["library_speedup_vs_baseline"] = round(res["baseline_library"]["wall_s"] / lib_s, 2)
    for part in ("dict", "frame"):
        if part in res:
            summary[f"{part}_s"] = round(res[part]["s"], 2)
        if f"baseline_{part}" in res:
            summary[f"baseline_{part}_s"] = round(res[f"baseline_{part}"]["s"], 2)
            summary[f"{part}_speedup_vs_baseline"] = round(res[f"baseline_{part}"]["s"] / res[part]["s"], 2)
            summary[f"{part}_cpu_speedup_vs_baseline"] = round(
                res[f"baseline_{part}"]["call_cpu_s"] / res[part]["call_cpu_s"], 2
            )
    for part in ("polars_batch", "polars_table"):
        if part in res:
            summary[f"{part}_s"] = round(res[part]["s"], 2)
    if "dataset" in res:
        summary["dataset_vs_parquet"] = round(res["dataset"]["wall_s"] / res["parquet"]["wall_s"], 2)
    if "matrix" in res:
        summary["matrix"] = {
            n: {
                "score_s": round(v["score_s"], 4),
                "vs_copy": round(v["score_s"] / v["copy_s"], 2),
                "us_per_row": round(1e6 * v["score_s"] / int(n), 3),
            }
            for n, v in res["matrix"].items()
        }
    if "baseline_start_s" in res:
        summary["baseline_start_s"] = round(res["baseline_start_s"], 4)
    summary["goals"] = {
        "library_vs_duckdb <= 1.0": summary["library_vs_duckdb"] <= 1.0,
        "library_vs_floor <= 1.5": summary["library_vs_floor"] <= 1.5,
        "library_peak_mb <= 1024": res["library"]["peak_mb"] <= 1024,
        "dict_speedup >= 4": summary.get("dict_speedup_vs_baseline", 0) >= 4,
        "frame_speedup >= 4": summary.get("frame_speedup_vs_baseline", 0) >= 4,
        "matrix_vs_copy <= 10": all(v["vs_copy"] <= 10 for v in summary.get("matrix", {}).values()),
        "start_s <= 0.030": summary["start_s"] <= 0.030,
        # The peers are a fair comparison only if they compute the same overall.
        "peers_agree (max diff <= 1e-9)": max(
            summary["overall_max_diff_duckdb"], summary["overall_max_diff_polars"]
        )
        <= 1e-9,
    }
    text = json.dumps(summary, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
