"""Benchmark: batch scoring of synthetic enterprises (issue #2, section 7).

Run:  python bench/bench_scoring.py [--n 1000000] [--json bench/results/scoring.json]

Reports throughput of the vectorised path, its ratio to ``numpy.copy`` of the
same answer matrix (the memory-bandwidth floor), peak memory, the one-by-one
path (``assess`` per sheet), ``import yzmaturity`` time and the p50 of one
``assess`` with a compiled questionnaire.  Synthetic data only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yzmaturity as yz
from yzmaturity._compile import KIND_MULTIPLE, KIND_NUMERIC, ProfileColumns
from yzmaturity._encode import AnswerMatrix


def synthetic_matrix(q: yz.Questionnaire, n: int, seed: int = 0) -> AnswerMatrix:
    """A valid random answer matrix: every question answered, 5 % N/A where allowed."""
    cq = q.compiled()
    rng = np.random.default_rng(seed)
    codes = np.empty((n, cq.n_questions))
    for col, question in enumerate(cq.questions):
        if cq.kind[col] == KIND_NUMERIC:
            lo = question.min if question.min is not None else 0.0
            hi = question.max if question.max is not None else 100.0
            codes[:, col] = rng.uniform(lo, hi, n)
        elif cq.kind[col] == KIND_MULTIPLE:
            normal = [i for i, o in enumerate(question.options) if not o.exclusive]
            bits = rng.integers(0, 2, (n, len(normal)))
            codes[:, col] = bits @ (1 << np.array(normal))
        else:
            codes[:, col] = rng.integers(0, cq.n_codes[col], n)
    na = np.zeros((n, cq.n_questions), dtype=bool)
    na[:, cq.allow_na] = rng.random((n, int(cq.allow_na.sum()))) < 0.05
    codes[na] = np.nan
    return AnswerMatrix(codes, na, ProfileColumns(n))


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def import_time(runs: int = 7) -> dict[str, float]:
    """Median import time in a fresh interpreter, with bytecode caches as after an install."""
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def once(code: str) -> float:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root, env=env
        )
        return float(out.stdout)

    subprocess.run([sys.executable, "-c", "import yzmaturity"], check=True, cwd=root, env=env)  # warm caches

    probe = "import time; t = time.perf_counter(); {imp}; print(time.perf_counter() - t)"
    return {
        "import_yzmaturity_s": statistics.median(
            once(probe.format(imp="import yzmaturity")) for _ in range(runs)
        ),
        "import_numpy_pydantic_s": statistics.median(
            once(probe.format(imp="import numpy, pydantic, yaml")) for _ in range(runs)
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--one-by-one", type=int, default=2000, help="sheets for the one-by-one path")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    q = yz.load_questionnaire("yangzhou-2022")
    cq = q.compiled()
    matrix = synthetic_matrix(q, args.n)
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {platform.python_version()}, numpy {np.__version__}",
        "questionnaire": f"{q.id} v{q.version}: {cq.n_questions} questions, {cq.n_dimensions} dimensions",
        "n": args.n,
        "matrix_mb": round(matrix.codes.nbytes / 1e6, 1),
    }
    copy_s = timed(lambda: np.copy(matrix.codes))
    results["numpy_copy_s"] = round(copy_s, 4)
    for keep in (False, True):
        t = timed(lambda keep=keep: yz._scoring.score_matrix(q, matrix, keep_questions=keep), repeat=3)
        key = "batch_full_s" if keep else "batch_s"
        results[key] = round(t, 3)
        results[key.replace("_s", "_rows_per_s")] = round(args.n / t)
        results[key.replace("_s", "_vs_copy")] = round(t / copy_s, 2)

    # Peak memory of one scoring run (numpy allocations are traced).
    tracemalloc.start()
    yz._scoring.score_matrix(q, matrix, keep_questions=False)
    results["batch_peak_traced_mb"] = round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
    tracemalloc.reset_peak()
    yz._scoring.score_matrix(q, matrix, keep_questions=True)
    results["batch_full_peak_traced_mb"] = round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
    tracemalloc.stop()

    # One by one: assess() per sheet, the same sheets.
    m = min(args.one_by_one, args.n)
    sheets = [
        yz.AnswerSheet(
            questionnaire=q.id,
            enterprise=yz.Enterprise(name=f"e{i}"),
            answers={
                qid: yz.Answer(not_applicable=True)
                if matrix.na[i, col]
                else yz.Answer(value=cq.value_of(col, matrix.codes[i, col]))
                for col, qid in enumerate(cq.qids)
            },
        )
        for i in range(m)
    ]
    start = time.perf_counter()
    one = [yz.assess(s, q) for s in sheets]
    per_sheet = (time.perf_counter() - start) / m
    check = yz._scoring.score_matrix(q, AnswerMatrix(matrix.codes[:m], matrix.na[:m], ProfileColumns(m)))
    assert np.allclose([a.overall for a in one], check.overall, equal_nan=True), (
        "one-by-one differs from batch"
    )
    results["one_by_one_per_sheet_ms"] = round(per_sheet * 1e3, 3)
    results["batch_speedup_vs_one_by_one"] = round(per_sheet * args.n / float(results["batch_s"]), 1)

    # assess() latency, compiled questionnaire (p50 / p90 of 2000 calls).
    sheet = sheets[0]
    lat = []
    for _ in range(2000):
        t0 = time.perf_counter()
        yz.assess(sheet, q)
        lat.append(time.perf_counter() - t0)
    lat.sort()
    results["assess_p50_ms"] = round(lat[len(lat) // 2] * 1e3, 3)
    results["assess_p90_ms"] = round(lat[int(len(lat) * 0.9)] * 1e3, 3)
    results.update({k: round(v, 3) for k, v in import_time().items()})
    results["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
