"""National level rules expressed as data only: MIIT 2024 and GB/T 39117."""

from __future__ import annotations

import pytest
from conftest import DATA

import yzmaturity as yz


@pytest.fixture(scope="module")
def miit():
    return yz.load_questionnaire(DATA / "miit-2024-rule.yaml")


@pytest.fixture(scope="module")
def cmmm():
    return yz.load_questionnaire(DATA / "cmmm-cumulative.yaml")


MANDATORY = ["planning", "control", "quality", "equipment", "safety", "procurement", "warehouse"]
OTHER = ["design", "process", "marketing", "aftersales", "energy", "finance", "hr", "office", "decision"]


def miit_sheet(choice: str, rate: float, scenes: dict[str, int]) -> dict:
    answers = {
        qid: choice
        for qid in [
            "network",
            "collect",
            "systems",
            "sec",
            "plan",
            "talent",
            "funding",
            "green_q",
            "quality_q",
            "market_q",
        ]
    }
    answers |= {"digitisation": rate, "networking": rate}
    answers |= {f"scene_{k}": scenes.get(k, 0) for k in MANDATORY + OTHER}
    return {"questionnaire": "miit-2024-rule", "enterprise": {"name": "SME"}, "answers": answers}


def test_miit_level_needs_score_and_scene_counts(miit):
    scenes = dict.fromkeys(MANDATORY[:5], 3) | dict.fromkeys(OTHER[:3], 3)
    a = yz.assess(miit_sheet("l2", 45, scenes), miit)
    assert 60 <= a.overall < 80
    assert a.level.number == 3
    # One mandatory scene fewer at level 3: only 4 mandatory -> level 2 (>= 6 scenes at 2, 3 mandatory).
    scenes[MANDATORY[0]] = 2
    scenes[OTHER[3]] = 3
    assert yz.assess(miit_sheet("l2", 45, scenes), miit).level.number == 2


def test_miit_score_alone_is_not_enough(miit):
    a = yz.assess(miit_sheet("l3", 80, dict.fromkeys(MANDATORY[:2], 4)), miit)
    assert a.overall == pytest.approx(100.0)
    assert a.level.number == 0  # not 6 scenes at level >= 1


def test_miit_scenes_are_judged_not_scored(miit):
    low = yz.assess(miit_sheet("l2", 45, dict.fromkeys(MANDATORY, 1)), miit)
    high = yz.assess(miit_sheet("l2", 45, dict.fromkeys(MANDATORY + OTHER, 4)), miit)
    assert low.overall == pytest.approx(high.overall)
    assert high.dimensions["operations"].score == pytest.approx(100.0)
    assert low.dimensions["operations"].score == pytest.approx(100 * 7 * 0.25 / 16, abs=0.01)
    assert sum(q.contribution for q in high.questions.values() if q.id.startswith("scene_")) == 0


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
