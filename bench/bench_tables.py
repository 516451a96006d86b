"""Benchmark: a city table of enterprises, CSV in -> scored CSV out (issue #5, section 5).

Run:  python bench/bench_tables.py [--n 1000000] [--json bench/results/tables.json] [--keep DIR]

1. Generates a synthetic wide CSV for ``yangzhou-2022`` (plausible random
   answers driven by a latent maturity per enterprise, conditions respected,
   3 % ``n/a`` where allowed, 0.1 % of rows with a planted error) in a
   temporary directory, once.  Synthetic data only: the names say so.
2. Measures, each in a fresh subprocess (wall time and peak RSS, including
   any worker processes):

   * ``library``: ``read_table`` -> ``score_table`` -> ``write_table`` (with
     stage timings): validation of every cell, scores, levels, the catalog;
   * ``naive``: what an analyst would write in pandas: ``read_csv``, a dict
     ``.map`` of option ids to scores per column, weighted sums per dimension,
     ``to_csv``; no validation, no levels rules, no catalog;
   * ``dask``: ``dask.dataframe.read_csv`` (64 MB blocks) -> ``map_partitions(score_partition)``
     with 2 workers, on the processes scheduler and on the threads scheduler ->
     ``compute`` -> ``write_table``.

3. Checks that the naive overall equals the library's on the valid rows, and
   prints (and saves) the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QID = "yangzhou-2022"


# --------------------------------------------------------------------------- data
def _check_chars(first17: np.ndarray) -> np.ndarray:
    """GB 32100-2015 check characters for an (N, 17) array of alphabet indexes."""
    from yzmaturity._reference import CREDIT_CODE_ALPHABET, CREDIT_CODE_WEIGHTS

    total = (first17 * np.array(CREDIT_CODE_WEIGHTS)).sum(axis=1)
    return np.array(list(CREDIT_CODE_ALPHABET))[(31 - total % 31) % 31]


def synthetic_table(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Columns (name -> array of str, '' = blank) of a plausible synthetic city table."""
    import yzmaturity as yz
    from yzmaturity._compile import KIND_MULTIPLE, KIND_NUMERIC, EvalContext
    from yzmaturity._profile_input import BuiltProfile
    from yzmaturity._reference import CREDIT_CODE_ALPHABET, YANGZHOU_AREAS
    from yzmaturity._tables.deps import pandas as _pandas
    from yzmaturity._tables.profile import ProfileBuilder

    rng = np.random.default_rng(seed)
    q = yz.load_questionnaire(QID)
    cq = q.compiled()
    cols: dict[str, np.ndarray] = {}
    cols["_row_id"] = np.char.add("r", np.arange(n).astype(str))
    cols["name"] = np.char.add(
        np.char.add("合成企业-", np.char.zfill(np.arange(n).astype(str), 7)), " (synthetic)"
    )
    alphabet = np.array(list(CREDIT_CODE_ALPHABET))
    divisions = np.array(["321002", "321003", "321012", "321023", "321081", "321084", "320100", "320500"])
    which = rng.choice(len(divisions), n, p=[0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05])
    index = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}
    head = np.array([[index[c] for c in "91" + d] for d in divisions])[which]
    org = rng.integers(0, 31, (n, 9))
    first17 = np.concatenate([head, org], axis=1)
    text = alphabet[first17]
    codes = np.array(["".join(row) for row in text.tolist()])
    cols["credit_code"] = np.char.add(codes, _check_chars(first17))
    cols["credit_code"][rng.random(n) < 0.1] = ""
    regions = np.array([*YANGZHOU_AREAS[:6], ""])
    cols["region"] = regions[rng.integers(0, len(regions), n)]
    division_no = rng.choice(np.r_[13:44, 64, 65], n)
    section = np.where(division_no >= 63, "I", "C")
    cols["industry"] = np.char.add(section, division_no.astype(str))
    employees = np.round(np.exp(rng.normal(5, 1.2, n))).astype(np.int64)
    revenue = np.round(employees * np.exp(rng.normal(13, 0.6, n)), -3)
    cols["employees"] = employees.astype(str)
    cols["revenue_yuan"] = revenue.astype(np.int64).astype(str)
    roles = np.array(["manufacturer", "manufacturer;equipment_maker", "solution_provider", ""])
    cols["roles"] = roles[rng.choice(4, n, p=[0.7, 0.15, 0.05, 0.1])]
    cols["rnd"] = np.array(["true", "false", ""])[rng.choice(3, n, p=[0.4, 0.5, 0.1])]
    cols["diagnosed"] = np.array(["true", "false"])[rng.choice(2, n, p=[0.3, 0.7])]
    cols["planned_investment_yuan"] = np.where(
        rng.random(n) < 0.5, "", (revenue * 0.05).astype(np.int64).astype(str)
    )
    cols["years_operating"] = rng.integers(1, 60, n).astype(str)
    certs = np.array(["", "dcmm-2", "liangrong-aa", "cmmm-2;dcmm-3"])
    cols["certifications"] = certs[rng.choice(4, n, p=[0.8, 0.1, 0.05, 0.05])]

    # Answers from a latent maturity per enterprise (and per question noise).
    maturity = rng.beta(2.0, 2.5, n)
    answer_codes = np.full((n, cq.n_questions), np.nan)
    for col, question in enumerate(cq.questions):
        m = np.clip(maturity + rng.normal(0, 0.15, n), 0, 1)
        if cq.kind[col] == KIND_NUMERIC:
            lo = question.min if question.min is not None else 0.0
            hi = question.max if question.max is not None else 100.0
            hi = min(hi, lo + 100.0)
            answer_codes[:, col] = np.round(lo + (hi - lo) * m, 1)
        elif cq.kind[col] == KIND_MULTIPLE:
            normal = np.array([i for i, o in enumerate(question.options) if not o.exclusive])
            picked = rng.random((n, len(normal))) < m[:, None]
            mask = picked.astype(np.int64) @ (1 << normal)
            none = [i for i, o in enumerate(question.options) if o.exclusive]
            if none:
                mask = np.where(mask == 0, 1 << none[0], mask)
            answer_codes[:, col] = mask
        else:
            k = int(cq.n_codes[col])
            answer_codes[:, col] = rng.binomial(k - 1, m)
    na = np.zeros_like(answer_codes, dtype=bool)
    na[:, cq.allow_na] = rng.random((n, int(cq.allow_na.sum()))) < 0.03
    pd = _pandas()
    profile_frame = pd.DataFrame(
        {
            k: pd.array(np.where(v == "", None, v), dtype="string")
            for k, v in cols.items()
            if not k.startswith("_")
        }
    )
    arrays = ProfileBuilder(pd, profile_frame, n, lambda row, detail: None).build()
    ctx = EvalContext(cq, np.where(na, np.nan, answer_codes), na, BuiltProfile(arrays, n))
    relevant = cq.relevance_mask(ctx) if cq.relevance else np.ones_like(na)
    for col, question in enumerate(cq.questions):
        blank = ~relevant[:, col]
        values = answer_codes[:, col]
        if question.type == "single_choice":
            text = np.array([o.id for o in question.options])[values.astype(np.int64)]
        elif question.type == "multiple_choice":
            uniques, inverse = np.unique(values.astype(np.int64), return_inverse=True)
            labels = np.array(
                [
                    ";".join(o.id for i, o in enumerate(question.options) if (u >> i) & 1)
                    for u in uniques.tolist()
                ]
            )
            text = labels[inverse]
        elif question.type == "yes_no":
            text = np.where(values > 0, "true", "false")
        elif question.type in ("scale", "scene_level"):
            text = (values + cq.offset[col]).astype(np.int64).astype(str)
        else:
            text = np.char.mod("%.1f", values)
        text = text.astype(object)
        text[na[:, col]] = "n/a"
        text[blank] = ""
        cols[question.id] = text
    # 0.1 % rows with a planted error: an unknown option, or a broken credit code.
    bad = rng.choice(n, max(1, n // 1000), replace=False)
    half = len(bad) // 2
    cols["strat_plan"] = cols["strat_plan"].copy()
    cols["strat_plan"][bad[:half]] = "maybe"
    cc = cols["credit_code"].astype(object)
    cc[bad[half:]] = "91321000MA1X4PQE20"
    cols["credit_code"] = cc
    return cols


def write_synthetic_csv(path: Path, n: int, seed: int = 0, chunk: int = 250_000) -> None:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    with open(path, "wb") as handle:
        first = True
        for start in range(0, n, chunk):
            size = min(chunk, n - start)
            cols = synthetic_table(size, seed + start)
            if start:
                cols["_row_id"] = np.char.add("r", np.arange(start, start + size).astype(str))
                cols["name"] = np.char.add(
                    np.char.add("合成企业-", np.char.zfill(np.arange(start, start + size).astype(str), 7)),
                    " (synthetic)",
                )
            table = pa.table(
                {k: pa.array(np.where(v == "", None, v).tolist(), pa.string()) for k, v in cols.items()}
            )
            pcsv.write_csv(table, handle, pcsv.WriteOptions(include_header=first))
            first = False


# --------------------------------------------------------------------------- the three paths
# Peak memory of a child: its own high-water mark (VmHWM), and for dask the sum of the RSS of the
# process and its workers, sampled every 0.1 s.  (ru_maxrss is not used: on Linux a child started
# by fork + exec inherits the parent's figure.)
PRELUDE = r"""
import os, threading, time

def _status(pid, key):
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

def _tree(root):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, stack = [], [root]
    while stack:
        pid = stack.pop()
        out.append(pid)
        stack.extend(children.get(pid, []))
    return out

_PEAK = [0]

def _poll():
    while True:
        _PEAK[0] = max(_PEAK[0], sum(_status(p, "VmRSS:") for p in _tree(os.getpid())))
        time.sleep(0.1)

if os.environ.get("BENCH_POLL_TREE"):
    threading.Thread(target=_poll, daemon=True).start()

def peak_mb():
    return max(_PEAK[0], _status(os.getpid(), "VmHWM:")) / 1024
"""

LIBRARY = r"""
import json, sys, time
sys.path.insert(0, {root!r})
exec({prelude!r})
import yzmaturity._tables as t
t0 = time.perf_counter()
result = t.score_table("yangzhou-2022", {src!r}, progress=False)
t1 = time.perf_counter()
t.write_table(result.frame, {out!r})
t.write_table(result.errors, {errors!r})
t2 = time.perf_counter()
print(json.dumps({{"score_s": t1 - t0, "write_s": t2 - t1, "rows": len(result.frame),
    "invalid": result.n_invalid, "peak_mb": peak_mb()}}))
"""

READ_ONLY = r"""
import json, sys, time
sys.path.insert(0, {root!r})
exec({prelude!r})
import yzmaturity._tables as t
t0 = time.perf_counter()
frame = t.read_table({src!r})
print(json.dumps({{"read_s": time.perf_counter() - t0, "peak_mb": peak_mb()}}))
"""

NAIVE = r"""
import json, sys, time
import numpy as np, pandas as pd, yaml
exec({prelude!r})
t0 = time.perf_counter()
spec = yaml.safe_load(open({qpath!r}, encoding="utf-8"))
df = pd.read_csv({src!r}, keep_default_na=False, na_values=[""])

def question_scores(q, col):
    t = q["type"]
    if t == "single_choice":
        return col.map({{o["id"]: o.get("score", 0.0) for o in q["options"]}})
    if t == "multiple_choice":
        scores = {{o["id"]: o.get("score", 0.0) for o in q["options"]}}
        dummies = col.str.get_dummies(sep=";")
        total = sum(dummies[c] * scores.get(c, 0.0) for c in dummies.columns)
        return total.clip(upper=1.0).where(col.notna() & (col != "n/a"))
    if t == "yes_no":
        # read_csv turned true/false into booleans (n/a would keep them text)
        return col.astype(str).str.lower().map({{"true": q.get("score_yes", 1.0), "false": q.get("score_no", 0.0)}})
    values = pd.to_numeric(col, errors="coerce")
    if t == "numeric":
        edges = np.array([b["min"] for b in q["bands"]])
        points = np.array([b["score"] for b in q["bands"]])
        idx = np.searchsorted(edges, values.to_numpy(), side="right") - 1
        out = np.where(idx >= 0, points[np.clip(idx, 0, None)], 0.0)
        return pd.Series(np.where(values.isna(), np.nan, out), index=col.index)
    lo, hi = q.get("min", 0), q.get("max", 4)
    return (values - lo) / (hi - lo)

def dimension(d):
    if "questions" in d and d["questions"]:
        num = 0.0
        den = 0.0
        for q in d["questions"]:
            s = question_scores(q, df[q["id"]])
            w = q.get("weight", 1.0)
            num = num + s.fillna(0.0) * w
            den = den + s.notna() * w
        score = 100 * num / den.replace(0, np.nan)
    else:
        parts = [(dimension(c), c.get("weight", 1.0) * (1.0 if c.get("scored", True) else 0.0)) for c in d["dimensions"]]
        num = sum(s.fillna(0.0) * w for s, w in parts)
        den = sum(s.notna() * w for s, w in parts)
        score = num / den.replace(0, np.nan)
    out[f"score:{{d['id']}}"] = score
    return score

out = pd.DataFrame({{"_row_id": df["_row_id"], "name": df["name"]}})
top = [(dimension(d), d.get("weight", 1.0) * (1.0 if d.get("scored", True) else 0.0)) for d in spec["dimensions"]]
out["overall"] = sum(s.fillna(0.0) * w for s, w in top) / sum(s.notna() * w for s, w in top)
out["level"] = pd.cut(out["overall"], [-1, 20, 40, 60, 80, 90, 101], labels=False)
t1 = time.perf_counter()
out.to_csv({out!r}, index=False)
t2 = time.perf_counter()
print(json.dumps({{"score_s": t1 - t0, "write_s": t2 - t1, "rows": len(out), "peak_mb": peak_mb()}}))
"""

DASK = r"""
import json, sys, time
sys.path.insert(0, {root!r})
exec({prelude!r})
import dask, dask.dataframe as dd
import yzmaturity._tables as t
t0 = time.perf_counter()
ddf = dd.read_csv({src!r}, dtype=str, keep_default_na=False, na_values=[""], blocksize="64MB")
meta = t.output_meta("yangzhou-2022")
with dask.config.set(scheduler={scheduler!r}, num_workers=2):
    scored = ddf.map_partitions(t.score_partition, "yangzhou-2022", meta=meta).compute()
t1 = time.perf_counter()
t.write_table(scored, {out!r})
t2 = time.perf_counter()
print(json.dumps({{"score_s": t1 - t0, "write_s": t2 - t1, "rows": len(scored), "partitions": ddf.npartitions,
    "peak_mb": peak_mb()}}))
"""


def run(code: str, poll_tree: bool = False) -> dict[str, float]:
    env = dict(os.environ)
    if poll_tree:
        env["BENCH_POLL_TREE"] = "1"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(proc.stderr)
    figures: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["wall_s"] = wall
    return figures


def naive_check(library_out: Path, naive_out: Path) -> float:
    """Max |overall difference| between the naive and the library results on the valid rows."""
    import pandas as pd

    lib = pd.read_csv(library_out, usecols=["_row_id", "valid", "overall"])
    naive = pd.read_csv(naive_out, usecols=["_row_id", "overall"])
    merged = lib.merge(naive, on="_row_id", suffixes=("", "_naive"))
    valid = merged["valid"].astype(str).str.lower() == "true"
    return float((merged.loc[valid, "overall"] - merged.loc[valid, "overall_naive"]).abs().max())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--keep", help="directory for the generated files (default: a temporary one)")
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()

    import yzmaturity as yz
    from yzmaturity._loading import builtin_dir

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="yz-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    src = workdir / f"table-{args.n}.csv"
    if not src.exists():
        start = time.perf_counter()
        write_synthetic_csv(src, args.n)
        print(f"generated {src} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    q = yz.load_questionnaire(QID)
    out = workdir / "scored.csv"
    errors = workdir / "errors.csv"
    naive_out = workdir / "naive.csv"
    dask_out = workdir / "dask.csv"
    fmt = {"root": str(ROOT), "prelude": PRELUDE, "src": str(src)}
    load_before = os.getloadavg()[0]
    read_only = run(READ_ONLY.format(**fmt))
    library = run(LIBRARY.format(**fmt, out=str(out), errors=str(errors)))
    print(f"library: {library}", file=sys.stderr)
    qpath = str(builtin_dir() / f"{QID}.yaml")
    naive = run(NAIVE.format(prelude=PRELUDE, src=str(src), out=str(naive_out), qpath=qpath))
    print(f"naive: {naive}", file=sys.stderr)
    dask_figs: dict[str, dict[str, float]] = {}
    if not args.skip_dask:
        for scheduler in ("processes", "threads"):
            dask_figs[scheduler] = run(
                DASK.format(**fmt, out=str(dask_out), scheduler=scheduler), poll_tree=True
            )
            print(f"dask {scheduler}: {dask_figs[scheduler]}", file=sys.stderr)
    import dask
    import pandas as pd
    import pyarrow as pa

    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}, pandas {pd.__version__}, pyarrow {pa.__version__}, dask {dask.__version__}",
        "load_average_at_start": round(load_before, 2),
        "questionnaire": f"{q.id} v{q.version}: {q.compiled().n_questions} questions",
        "n": args.n,
        "csv_mb": round(src.stat().st_size / 1e6, 1),
        "invalid_rows": library["invalid"],
        "library_total_s": round(library["wall_s"], 2),
        "library_read_only_s": round(read_only["read_s"], 2),
        "library_read_validate_score_match_s": round(library["score_s"], 2),
        "library_write_s": round(library["write_s"], 2),
        "library_peak_rss_mb": round(library["peak_mb"], 1),
        "library_rows_per_s": round(args.n / library["wall_s"]),
        "naive_total_s": round(naive["wall_s"], 2),
        "naive_peak_rss_mb": round(naive["peak_mb"], 1),
        "library_vs_naive_time": round(library["wall_s"] / naive["wall_s"], 2),
        "naive_max_overall_diff_on_valid_rows": naive_check(out, naive_out),
        "goal_total_s": 30,
        "goal_peak_rss_mb": 4096,
    }
    for scheduler, fig in dask_figs.items():
        results[f"dask_{scheduler}_2_workers_total_s"] = round(fig["wall_s"], 2)
        results[f"dask_{scheduler}_peak_rss_mb_all_processes"] = round(fig["peak_mb"], 1)
        results["dask_partitions"] = fig["partitions"]
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
