"""National level rules expressed as data only: GB/T 39117 (MIIT 2024: tests/test_miit.py)."""

from __future__ import annotations

import pytest
from conftest import DATA

import yzmaturity as yz


@pytest.fixture(scope="module")
def cmmm():
    return yz.load_questionnaire(DATA / "cmmm-cumulative.yaml")


def cmmm_sheet(per_level: list[str]) -> dict:
    answers = {f"r{lv}_{j}": per_level[lv - 1] for lv in range(1, 6) for j in (1, 2)}
    return {"questionnaire": "cmmm-cumulative", "enterprise": {"name": "F"}, "answers": answers}


@pytest.mark.parametrize(
    ("levels", "total", "number"),
    [
        (["fully", "mostly", "partly", "fully", "fully"], 1.0 + 0.8 + 0.5, 2),
        (["fully", "partly", "fully", "fully", "fully"], 1.0 + 0.5, 1),
        (["mostly", "mostly", "mostly", "mostly", "mostly"], 4.0, 4),
        (["fully"] * 5, 5.0, 5),
        (["partly", "fully", "fully", "fully", "fully"], 0.5, 0),
    ],
)
def test_cmmm_cumulative_total_and_level(cmmm, levels, total, number):
    a = yz.assess(cmmm_sheet(levels), cmmm)
    assert a.metrics["cmmm_total"] == pytest.approx(total)
    assert a.level.number == number
