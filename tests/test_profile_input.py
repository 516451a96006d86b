"""Profile columns given to score_batch: read by the Enterprise model's rules, as the wide table reads them."""

from __future__ import annotations

import numpy as np
import pytest
from test_tables import CODE, CODE_ELSEWHERE

import yzmaturity as yz
from yzmaturity._profile import PROFILE_INPUT_KINDS
from yzmaturity.datasets import make_cohort

Q = yz.load_questionnaire("yangzhou-2022")


def _same_scores(a: yz.BatchScores, b: yz.BatchScores) -> None:
    np.testing.assert_array_equal(a.valid, b.valid)
    np.testing.assert_array_equal(a.overall, b.overall)
    np.testing.assert_array_equal(a.level, b.level)
    np.testing.assert_array_equal(a.dimensions, b.dimensions)
    for problems, others in ((a.errors, b.errors), (a.warnings, b.warnings)):
        assert problems.rows() == others.rows()
        for row in problems.rows():
            assert [(e.code, e.loc) for e in problems[row]] == [(e.code, e.loc) for e in others[row]]


def test_typed_input_columns_score_as_the_wide_table_does():
    """Only the input fields: the derived ones (size, industry division, in Yangzhou) are derived, so the
    conditions on them (an equipment maker's questions) read what the table path reads."""
    pd = pytest.importorskip("pandas")
    cohort = make_cohort(400, seed=4)
    table = yz.score_table(Q, cohort.to_frame(), match=False, progress=False).scores
    inputs = {k: v for k, v in cohort.profile.items() if k in PROFILE_INPUT_KINDS}
    assert "is_equipment_maker" not in inputs and "roles" in inputs
    _same_scores(yz.score_batch(Q, cohort.answers, profile=inputs), table)
    _same_scores(yz.score_batch(Q, cohort.answers, profile=cohort.profile), table)  # derived ones given too
    # The wide table's own columns (sets as ';' text, pandas and polars series) mean the same.
    frame = cohort.to_frame()
    answers = {c: frame[c] for c in frame.columns if c in Q.compiled().index}
    profile = {c: frame[c] for c in frame.columns if c in PROFILE_INPUT_KINDS}
    assert isinstance(profile["roles"], pd.Series) and profile["roles"].dropna().str.contains(";").any()
    _same_scores(yz.score_batch(Q, answers, profile=profile), table)
    pl = pytest.importorskip("polars")
    polars_frame = pl.from_pandas(frame[list(profile)])
    _same_scores(yz.score_batch(Q, answers, profile={c: polars_frame[c] for c in profile}), table)


def test_each_bad_profile_value_is_a_problem_of_its_row():
    """Not a ValueError from deep inside, not a guess: the row is invalid, named, the others scored."""
    cohort = make_cohort(6, seed=1)
    profile = {
        "name": ["a", "b", "c", "d", "e", 7],
        "rnd": [True, "yes", "maybe", 1, np.nan, None],
        "employees": [10, "12", "abc", np.inf, 3.5, -1],
        "roles": ["manufacturer;equipment_maker", ["manufacturer"], "wizard", None, 5, frozenset()],
        "industry": ["C34", "zzz", None, "C3670", "c34", "C99"],
        "credit_code": [CODE, CODE_ELSEWHERE, "not a code", None, CODE.lower(), CODE[:-1] + "?"],
    }
    scores = yz.score_batch(Q, cohort.answers, profile=profile)
    assert len(scores) == 6  # every row accounted for

    def codes(row: int) -> dict[str, str]:
        return {e.loc[-1]: e.code for e in scores.errors[row] if e.loc[-1] in profile}

    assert codes(0) == {}
    assert codes(1) == {"industry": "bad_industry"}  # "yes" and "12" read as the table reads them
    assert codes(2) == {
        "rnd": "wrong_type",
        "employees": "wrong_type",
        "roles": "unknown_option",
        "credit_code": "bad_credit_code",
    }
    assert codes(3) == {"employees": "not_finite"}
    assert codes(4) == {"employees": "wrong_type", "roles": "wrong_type"}  # 3.5 people: a whole number
    assert codes(5) == {
        "name": "wrong_type",
        "employees": "out_of_range",
        "industry": "bad_industry",
        "credit_code": "bad_credit_code",
    }
    assert not scores.valid[2:].any() and scores.valid[0]
    detail = next(e for e in scores.errors[2] if e.loc[-1] == "rnd")
    assert detail.loc == ("row", 2, "rnd") and detail.got == "maybe" and "true or false" in detail.message
    profile_of = scores.matrix.profile
    assert profile_of.get("employees")[:3].tolist()[:2] == [10.0, 12.0] and np.isnan(
        profile_of.get("employees")[2]
    )
    assert profile_of.get("roles")[0] == frozenset({"manufacturer", "equipment_maker"})
    assert profile_of.get("roles")[3] == frozenset({"manufacturer"})  # blank: the Enterprise default
    assert profile_of.get("is_equipment_maker")[0] == 1.0  # C34, derived
    assert profile_of.get("in_yangzhou")[0] == 1.0 and profile_of.get("in_yangzhou")[1] == 0.0  # by the code


def test_a_column_of_no_profile_field_is_refused():
    cohort = make_cohort(3, seed=2)
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.score_batch(Q, cohort.answers, profile={"employees": [1, 2, 3], "head_count": [1, 2, 3]})
    (detail,) = info.value.details
    assert detail.code == "unknown_field" and detail.loc == ("profile", "head_count")
