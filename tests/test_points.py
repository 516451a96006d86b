"""Scoring by official points, judged questions, right-closed bands, rates as counts.

The engine (weighted means over a tree whose weights are the points) against the
reference (points summed directly), on random MIIT-style questionnaires.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from reference import score as ref_score
from strategies import points_questionnaires, sheets

import yzmaturity as yz

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def close(a: float | None, b: float | None) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and not math.isnan(b) and abs(a - b) < 1e-7


@st.composite
def case(draw, n=3):
    qdata = draw(points_questionnaires())
    return qdata, [draw(sheets(qdata, complete=True)) for _ in range(n)]


@SETTINGS
@given(case())
def test_points_engine_equals_direct_point_sums(case):
    qdata, sheet_list = case
    q = yz.Questionnaire.model_validate(qdata)
    batch = yz.score_batch(q, sheet_list)
    assert batch.valid.all(), batch.errors
    cq = q.compiled()
    for row, sheet in enumerate(sheet_list):
        expected = ref_score(qdata, sheet)
        assert close(expected["overall"], float(batch.overall[row]))
        assert expected["level"] == int(batch.level[row])
        for did, value in expected["dimensions"].items():
            assert close(value, float(batch.dimensions[row, cq.dim_index[did]])), did
        for qid, value in expected["questions"].items():
            assert close(value, float(batch.question_scores[row, cq.index[qid]])), qid
        one = yz.assess(sheet, q)
        assert close(expected["overall"], one.overall)
        assert one.level.number == expected["level"]


@SETTINGS
@given(points_questionnaires())
def test_best_answers_earn_every_point(qdata):
    q = yz.Questionnaire.model_validate(qdata)
    assume(any(not x.judged for x in q.questions))  # with judged scenes only, no points at all
    a = yz.assess(yz.example_answers(q, "best"), q)
    assert a.overall == pytest.approx(100.0)


def _rate_questionnaire(closed: str) -> yz.Questionnaire:
    return yz.Questionnaire.model_validate(_rate_data(closed))


def _rate_data(closed: str) -> dict:
    """One rate question with the MIIT bands and points, and a filler question: 100 points."""
    bands = [{"min": m, "points": p} for m, p in [(0, 0), (10, 1.5), (20, 3), (40, 4.5), (60, 6)]]
    filler = {
        "id": "rest",
        "type": "single_choice",
        "text": {"zh": "其余", "en": "rest"},
        "source": "test",
        "options": [
            {"id": "none", "label": {"zh": "无", "en": "none"}, "points": 0},
            {"id": "all", "label": {"zh": "全部", "en": "all"}, "points": 94},
        ],
    }
    rate = {
        "id": "rate",
        "type": "numeric",
        "text": {"zh": "联网率", "en": "networking rate"},
        "source": "test",
        "min": 0,
        "max": 100,
        "unit": "%",
        "closed": closed,
        "bands": bands,
        "counts": {"part": {"zh": "联网", "en": "networked"}, "whole": {"zh": "全部", "en": "all"}},
    }
    return {
        "id": "rate",
        "version": "1",
        "title": {"zh": "率", "en": "rate"},
        "scoring": {"method": "points"},
        "dimensions": [{"id": "d", "title": {"zh": "d", "en": "d"}, "questions": [rate, filler]}],
        "levels": {"levels": [{"number": 0, "id": "L0", "name": {"zh": "0", "en": "0"}}]},
    }


@pytest.mark.parametrize(
    ("rate", "right_closed", "left_closed"),
    [
        # Right-closed [0-10%], (10,20], (20,40], (40,60], (60,100]: an edge belongs to the band
        # below it. Left-closed (the default) [0,10), [10,20) ...: to the band above it.
        (0, 0.0, 0.0),
        (10, 0.0, 1.5),
        (20, 1.5, 3.0),
        (20.5, 3.0, 3.0),
        (60, 4.5, 6.0),
        (60.1, 6.0, 6.0),
        (100, 6.0, 6.0),
    ],
)
def test_band_closure(rate, right_closed, left_closed):
    for closed, points in (("right", right_closed), ("left", left_closed)):
        q = _rate_questionnaire(closed)
        sheet = {
            "questionnaire": "rate",
            "enterprise": {"name": "E"},
            "answers": {"rate": rate, "rest": "none"},
        }
        # The other question earns 0, the total is 100: the overall is the rate's points.
        assert yz.assess(sheet, q).overall == pytest.approx(points), closed


@pytest.mark.parametrize(
    ("counts", "points"),
    [
        ([1, 10], 0.0),  # 10 %: [0-10%]
        ([1, 5], 1.5),  # 20 % exactly (100 * 1 / 5): (10,20]
        ([41, 200], 3.0),  # 20.5 %
        ([3, 5], 4.5),  # 60 %
        ([601, 1000], 6.0),  # 60.1 %
    ],
)
def test_rate_answered_as_counts(counts, points):
    q = _rate_questionnaire("right")
    long_form = {"rate": {"counts": counts}, "rest": "none"}
    cell = {"rate": f"{counts[0]}/{counts[1]}", "rest": "none"}
    for answers in (long_form, cell):
        sheet = {"questionnaire": "rate", "enterprise": {"name": "E"}, "answers": answers}
        assert yz.assess(sheet, q).overall == pytest.approx(points)


@pytest.mark.parametrize(
    ("counts", "why"),
    [([-1, 10], "negative"), ([11, 10], "exceeds"), ([1, 0], "is 0"), ([1.0, math.inf], "finite")],
)
def test_bad_counts_are_named(counts, why):
    q = _rate_questionnaire("right")
    sheet = {"questionnaire": "rate", "enterprise": {"name": "E"}, "answers": {"rate": {"counts": counts}}}
    batch = yz.score_batch(q, [sheet])
    assert not batch.valid[0]
    problems = [e for e in batch.errors[0] if e.code == "bad_counts"]
    assert problems and why in problems[0].message
    assert problems[0].loc[-1] == "rate"


def test_counts_in_a_table_column():
    q = _rate_questionnaire("right")
    batch = yz.score_batch(q, {"rate": ["1/5", "3/5", "5/4", 61.0], "rest": ["none"] * 4})
    np.testing.assert_allclose(batch.overall[[0, 1, 3]], [1.5, 4.5, 6.0])
    assert not batch.valid[2]
    assert batch.errors[2][0].code == "bad_counts"


def test_points_lint():
    assert not [f for f in yz.lint(_rate_questionnaire("right")) if f.severity == "error"]
    data = _rate_data("right")
    data["dimensions"][0]["questions"][1]["weight"] = 2.0
    data["dimensions"][0]["questions"][1]["options"][0] = {"id": "none", "label": {"zh": "无"}, "score": 0}
    data["dimensions"][0]["questions"][0]["allow_na"] = True
    codes = {f.code for f in yz.lint(yz.Questionnaire.model_validate(data)) if f.severity == "error"}
    assert {"weight_with_points", "mixed_scoring", "points_not_applicable"} <= codes
