"""Roadmap to the next level, what-if, and T0 -> T1 comparison."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from test_recommend import answers_at, assess

import yzmaturity as yz
from yzmaturity._compile import ProfileColumns
from yzmaturity._roadmap import Planner


@pytest.fixture(scope="module")
def q() -> yz.Questionnaire:
    return yz.load_questionnaire("yangzhou-2022")


def apply(a: yz.Assessment, rm: yz.Roadmap) -> yz.Assessment:
    return a.what_if(**{s.question: s.target for s in rm.steps})


@pytest.mark.parametrize("name", ["yangzhou-toothbrush", "yangzhou-autoparts", "yangzhou-equipment"])
def test_examples_reach_the_next_level_with_an_irredundant_plan(name):
    a = yz.assess(yz.load_answers(yz.example_path(name)))
    rm = a.roadmap()
    assert rm.target_level == a.level.number + 1
    assert rm.reached
    after = apply(a, rm)
    assert after.level.number >= rm.target_level
    assert after.overall == pytest.approx(rm.overall_after, abs=0.01)
    # No step can be dropped.
    for step in rm.steps:
        without = a.what_if(**{s.question: s.target for s in rm.steps if s is not step})
        assert without.level.number < rm.target_level, step.question
    for step in rm.steps:
        assert step.score_to > step.score_from
        assert step.guidance, step.question
        assert step.cost > 0


@pytest.mark.parametrize("frac", [0.0, 0.25, 0.5, 0.7])
def test_any_target_level_is_reached(q, frac):
    a = assess(q, answers_at(q, frac))
    for target in range(a.level.number + 1, 6):
        rm = a.roadmap(target_level=target)
        assert rm.reached
        assert apply(a, rm).level.number >= target


def test_gaps_name_the_bars_not_yet_met(q):
    a = yz.assess(yz.load_answers(yz.example_path("yangzhou-autoparts")))
    rm = a.roadmap()
    open_gaps = {(g.kind, g.ref) for g in rm.gaps if g.gap > 0}
    assert ("metric", "overall") in open_gaps
    assert ("dimension", "integration") in open_gaps
    overall = next(g for g in rm.gaps if g.ref == "overall")
    assert overall.current == pytest.approx(a.overall, abs=0.01)
    assert overall.required == 60


def test_no_steps_when_the_target_is_already_reached(q):
    a = assess(q, answers_at(q, 0.5))
    rm = a.roadmap(target_level=a.level.number)
    assert rm.reached and len(rm) == 0
    with pytest.raises(yz.YzMaturityError, match="target_level"):
        a.roadmap(target_level=9)


def _optimal_cost(q: yz.Questionnaire, a: yz.Assessment, target: int) -> float:
    """Exhaustive search over every combination of improved answers (small questionnaires only)."""
    cq = q.compiled()
    planner = Planner(cq)
    codes0 = a._scores.matrix.codes[0]
    options: list[list[tuple[float, float]]] = []
    for col in range(cq.n_questions):
        reach: dict[float, float] = {float(codes0[col]) if not np.isnan(codes0[col]) else -1.0: 0.0}
        frontier = [(codes0[col], 0.0)]
        while frontier:
            code, cost = frontier.pop()
            for nxt in planner.next_steps(col, code):
                if nxt not in reach:
                    reach[nxt] = cost + planner.costs[col]
                    frontier.append((nxt, cost + planner.costs[col]))
        options.append([(np.nan if c == -1.0 else c, cost) for c, cost in reach.items()])
    combos = list(itertools.product(*options))
    batch = np.array([[c for c, _ in combo] for combo in combos])
    cost = np.array([sum(x for _, x in combo) for combo in combos])
    n = len(combos)
    res = cq.score_chunk(batch, np.zeros_like(batch, dtype=bool), ProfileColumns(n), keep_questions=False)
    ok = res.level >= target
    return float(cost[ok].min())


def test_greedy_plan_is_close_to_the_optimum_on_a_small_questionnaire(mini, mini_sheet):
    """Measured against an exhaustive search; the figures are reported in docs/recommendations.md."""
    rng = np.random.default_rng(11)
    ratios = []
    for _ in range(25):
        answers = {
            "E1": str(rng.choice(["none", "some", "full"])),
            "E2": float(rng.choice([0, 12, 25, 45])),
            "S1": list(rng.choice(["erp", "mes", "plm"], size=int(rng.integers(0, 2)), replace=False))
            or ["none"],
            "O1": int(rng.integers(0, 3)),
            "O2": int(rng.integers(0, 3)),
        }
        if answers["S1"] != ["none"]:
            answers["S2"] = bool(rng.integers(0, 2))
        sheet = mini_sheet | {"answers": answers}
        a = yz.assess(sheet, mini)
        top = len(mini.levels.levels) - 1
        for target in range(a.level.number + 1, top + 1):
            rm = a.roadmap(target_level=target)
            assert rm.reached
            optimum = _optimal_cost(mini, a, target)
            assert rm.total_cost >= optimum - 1e-9
            ratios.append(rm.total_cost / optimum)
    assert ratios
    assert max(ratios) <= 2.0
    assert float(np.mean(ratios)) <= 1.25


def test_what_if_is_cheap_and_does_not_touch_the_original(q):
    a = yz.assess(yz.load_answers(yz.example_path("yangzhou-autoparts")))
    b = a.what_if(ii_networking_rate=70, ii_platform="own")
    assert b.dimensions["industrial_internet"].score > a.dimensions["industrial_internet"].score
    assert a.sheet.answers["ii_networking_rate"].value == 35


def test_compare_t0_t1(q):
    a = yz.assess(yz.load_answers(yz.example_path("yangzhou-autoparts")))
    rm = a.roadmap()
    b = apply(a, rm)
    c = yz.compare(a, b)
    assert c.level_before == a.level.number and c.level_after == b.level.number
    assert c.level_change >= 1
    assert c.overall.change == pytest.approx(round(b.overall, 2) - round(a.overall, 2), abs=0.01)
    assert set(c.answers_changed) == {s.question for s in rm.steps}
    assert c.dimensions["integration"].change >= 0
    assert all(d.change is None or d.change >= -1e-9 for d in c.dimensions.values())
    assert c.notes == []
    changed = {x.category for x in c.categories_changed}
    assert changed  # a level up moves at least one category's fit
    assert "L2" in c.summary("en") and "L3" in c.summary("en")
    data = c.to_dict()
    assert data["level"]["change"] == c.level_change


def test_compare_refuses_different_questionnaires_and_enterprises_unless_forced(mini, mini_sheet):
    a = yz.assess(yz.load_answers(yz.example_path("yangzhou-autoparts")))
    m = yz.assess(mini_sheet, mini)
    with pytest.raises(yz.YzMaturityError, match="different questionnaires"):
        yz.compare(a, m)
    other = yz.assess(yz.load_answers(yz.example_path("yangzhou-toothbrush")))
    with pytest.raises(yz.ComparisonError) as info:
        yz.compare(a, other)
    assert info.value.codes == ["different_enterprise"]
    assert other.enterprise.name in info.value.details[0].text("zh")
    assert [n.code for n in yz.compare(a, other, force=True).notes] == ["different_enterprise"]
