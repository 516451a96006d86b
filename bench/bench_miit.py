"""Benchmark: the MIIT 2024 evaluation at city scale, exact to the official points.

Run:  python bench/bench_miit.py [--n 1000000] [--json bench/results/miit.json]

Scores N synthetic enterprises of ``miit-sme-2024`` with the engine and, as the
peer in the same run, a hand-written numpy point sum (each option's official
points looked up and added, bands right-closed): the engine's overall must equal
that sum on every row (max |difference| is reported, expected < 1e-9), and its
time is given as a ratio to the peer and to ``numpy.copy`` of the answer matrix.
Synthetic data only.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scoring import synthetic_matrix, timed

import yzmaturity as yz
from yzmaturity._scoring import score_matrix


def direct_points(q: yz.Questionnaire, codes: np.ndarray) -> np.ndarray:
    """The official total, summed directly from the options' and bands' points (no engine code)."""
    total = np.zeros(codes.shape[0])
    for col, question in enumerate(q.compiled().questions):
        if question.judged:
            continue
        column = codes[:, col]
        if question.type == "single_choice":
            table = np.array([o.points for o in question.options], dtype=np.float64)
            total += table[column.astype(np.intp)]
        elif question.type == "multiple_choice":
            bits = column.astype(np.int64)
            for i, o in enumerate(question.options):
                total += ((bits >> i) & 1) * float(o.points or 0.0)
        else:  # numeric, right-closed bands (min, next]; the first band holds its min
            edges = np.array([b.min for b in question.bands])
            pts = np.array([b.points for b in question.bands], dtype=np.float64)
            pos = np.searchsorted(edges, column, side="left") - 1
            pos[column <= edges[0]] = 0
            total += pts[pos]
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    q = yz.load_questionnaire("miit-sme-2024")
    cq = q.compiled()
    matrix = synthetic_matrix(q, args.n)
    # Scenes are levels 1-4 (codes 0-3): the synthetic matrix draws them already.
    engine = score_matrix(q, matrix, keep_questions=False)
    direct = direct_points(q, matrix.codes)
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {platform.python_version()}, numpy {np.__version__}",
        "questionnaire": f"{q.id} v{q.version}: {cq.n_questions} questions (16 judged scenes)",
        "n": args.n,
        "max_abs_diff_vs_direct_points": float(np.max(np.abs(engine.overall - direct))),
        "levels": {str(k): int(v) for k, v in zip(*np.unique(engine.level, return_counts=True), strict=True)},
    }
    copy_s = timed(lambda: np.copy(matrix.codes))
    direct_s = timed(lambda: direct_points(q, matrix.codes))
    engine_s = timed(lambda: score_matrix(q, matrix, keep_questions=False))
    results |= {
        "numpy_copy_s": round(copy_s, 4),
        "direct_points_s": round(direct_s, 3),
        "engine_s": round(engine_s, 3),
        "engine_rows_per_s": round(args.n / engine_s),
        "engine_vs_direct_points": round(engine_s / direct_s, 2),
        "engine_vs_copy": round(engine_s / copy_s, 1),
    }
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
