"""Profile columns given to score_batch: read by the Enterprise model's rules, as the wide table reads them."""

from __future__ import annotations

import numpy as np
import pytest
from test_tables import CODE, CODE_ELSEWHERE

import yzmaturity as yz
from yzmaturity._enterprise import TEXT_LIMITS
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


def test_a_profile_without_roles_is_a_manufacturers_as_in_the_table():
    cohort = make_cohort(3, seed=2)
    scores = yz.score_batch(Q, cohort.answers, profile={"employees": [1, 2, 3]})
    assert scores.matrix.profile.get("roles").tolist() == [frozenset({"manufacturer"})] * 3


def test_a_column_of_no_profile_field_is_refused():
    cohort = make_cohort(3, seed=2)
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.score_batch(Q, cohort.answers, profile={"employees": [1, 2, 3], "head_count": [1, 2, 3]})
    (detail,) = info.value.details
    assert detail.code == "unknown_field" and detail.loc == ("profile", "head_count")


def _as_text_frame(frame):
    """The frame's cells as text or None (what a CSV reader gives polars or pyarrow)."""
    return frame.astype(object).where(frame.notna(), None).map(lambda v: v if v is None else str(v))


@pytest.mark.parametrize("library", ["pandas", "pandas-nullable", "polars", "pyarrow"])
def test_a_data_frame_scores_as_score_table_scores_it(library):
    """Its question columns are the answers, its profile columns the profile: every row, valid or not, with
    the problems score_table finds (but the profile's wording), without pandas for polars and pyarrow."""
    pd = pytest.importorskip("pandas")
    from test_stream import messy_frame

    frame = messy_frame()
    frame.loc[36, "rnd"] = "maybe"
    frame.loc[37, "name"] = "长" * (TEXT_LIMITS["name"] + 1)  # too long
    frame.loc[38, "credit_code"] = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")  # a wrong check character
    frame.loc[38, "region"] = None  # so the code alone would place it
    frame.loc[39, "name"] = "   "  # blank: the name is required
    table = yz.score_table(Q, frame, match=False, progress=False).scores
    given = _as_text_frame(frame)
    if library == "pandas-nullable":  # pandas' nullable dtypes: pd.NA for a blank
        given = given.convert_dtypes()
        given["employees"] = pd.array([None if i % 9 == 0 else i for i in range(len(given))], dtype="Int64")
        frame = frame.assign(employees=[None if i % 9 == 0 else str(i) for i in range(len(frame))])
        table = yz.score_table(Q, frame, match=False, progress=False).scores
    elif library == "polars":
        given = pytest.importorskip("polars").from_pandas(given)
    elif library == "pyarrow":
        given = pytest.importorskip("pyarrow").Table.from_pandas(given, preserve_index=False)
    scores = yz.score_batch(Q, given)
    assert len(scores) == len(frame) and 0 < scores.n_invalid < len(frame)
    np.testing.assert_array_equal(scores.valid, table.valid)
    np.testing.assert_array_equal(scores.overall, table.overall)
    assert scores.errors.rows() == table.errors.rows()
    for row in table.errors.rows():
        assert {(e.code, e.loc[-1]) for e in scores.errors[row]} == {
            (e.code, e.loc[-1]) for e in table.errors[row]
        }
    assert any(e.code == "too_long" for e in scores.errors[37])
    assert [(e.code, e.loc[-1]) for e in scores.errors[39]] == [("missing_required", "name")]
    assert scores.matrix is not None and table.matrix is not None
    for field in ("in_yangzhou", "in_jiangsu", "size_class", "industry_division", "credit_code", "name"):
        ours, theirs = scores.matrix.profile.get(field), table.matrix.profile.get(field)
        if ours.dtype == object:
            assert ours.tolist() == theirs.tolist(), field
        else:
            np.testing.assert_array_equal(ours, theirs, err_msg=field)


def test_a_frame_with_columns_of_nothing_is_refused():
    pd = pytest.importorskip("pandas")
    cohort = make_cohort(2, seed=2)
    frame = cohort.to_frame()
    frame["head_count"] = [1, 2]
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.score_batch(Q, frame)
    assert [(d.code, d.loc) for d in info.value.details] == [("unknown_column", ("answers", "head_count"))]
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.score_batch(Q, frame.drop(columns="head_count"), profile={"employees": [1, 2]})
    assert [d.code for d in info.value.details] == ["column_clash"]
    numbered = frame.drop(columns="head_count")
    numbered[7] = [1, 2]  # a label that is not text: named as text, refused as unknown
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.score_batch(Q, numbered)
    assert [(d.code, d.loc) for d in info.value.details] == [("unknown_column", ("answers", "7"))]
    doubled = pd.concat([frame[["name"]], frame.drop(columns="head_count")], axis=1)
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.score_batch(Q, doubled)
    assert [d.code for d in info.value.details] == ["duplicate_column"]


def test_polars_scores_without_pandas(tmp_path):
    """A polars user without pandas: a frame in, ``to_arrow()`` out (pandas is made unimportable)."""
    pytest.importorskip("polars")
    pytest.importorskip("pandas")
    import json
    import subprocess
    import sys

    cohort = make_cohort(30, seed=6)
    frame = cohort.to_frame()
    frame.loc[4, "employees"] = -3  # an invalid row
    frame.to_csv(tmp_path / "t.csv", index=False)
    expected = yz.score_table(Q, frame, match=False, progress=False).scores
    code = f"""
import importlib.abc, json, sys


class NoPandas(importlib.abc.MetaPathFinder):  # as if pandas were not installed
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] == "pandas":
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)


sys.meta_path.insert(0, NoPandas())
import polars as pl
import yzmaturity as yz
frame = pl.read_csv({str(tmp_path / "t.csv")!r}, infer_schema=False)
scores = yz.score_batch("yangzhou-2022", frame)
out = pl.from_arrow(scores.to_arrow())
assert "pandas" not in sys.modules
print(json.dumps({{"valid": out["valid"].to_list(), "overall": out["overall"].to_list(),
                  "level": out["level"].to_list(), "errors": out["errors"].to_list()}}))
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    assert got["valid"] == expected.valid.tolist() and got["valid"][4] is False
    np.testing.assert_array_equal(np.array(got["overall"], dtype=float), expected.overall)
    assert got["level"] == [
        int(v) if ok else None for v, ok in zip(expected.level, expected.valid, strict=True)
    ]
    assert got["errors"][4] >= 1 and sum(got["errors"]) == sum(
        len(expected.errors[r]) for r in expected.errors.rows()
    )


def test_a_choice_field_reads_any_case_as_the_table_does():
    cohort = make_cohort(3, seed=2)
    profile = {"cmmm_assessed_by": ["self", " Third_Party ", "auditor"]}
    scores = yz.score_batch(Q, cohort.answers, profile=profile)
    assert scores.matrix.profile.get("cmmm_assessed_by").tolist() == ["self", "third_party", None]
    assert [e.code for e in scores.errors[2] if e.loc[-1] == "cmmm_assessed_by"] == ["unknown_option"]


def test_the_valid_rows_of_a_batch_match_and_compare_as_in_the_whole():
    """``valid_only()`` (``take`` of a mask): scores, problems, answers and profile go along, so matching
    gives each row what it had in the whole batch, and estimators get no NaN rows."""
    cohort = make_cohort(300, seed=9)
    profile = dict(cohort.profile)
    profile["employees"] = np.where(np.arange(300) % 7 == 0, -1, profile["employees"])  # every 7th invalid
    scores = yz.score_batch(Q, cohort.answers, profile=profile)
    assert scores.n_invalid == 43
    valid = scores.valid_only()
    kept = np.flatnonzero(scores.valid)
    assert len(valid) == 257 and valid.valid.all() and valid.n_invalid == 0
    np.testing.assert_array_equal(valid.overall, scores.overall[kept])
    np.testing.assert_array_equal(valid.dimensions, scores.dimensions[kept])
    np.testing.assert_array_equal(valid.question_scores, scores.question_scores[kept])
    assert valid.warnings.rows() == [i for i, old in enumerate(kept.tolist()) if scores.warnings[old]]
    catalog = yz.load_catalog("yangzhou-zgsz-2022")
    whole, part = yz.match_batch(catalog, scores), yz.match_batch(catalog, valid)
    np.testing.assert_array_equal(part.arrays.fit, whole.arrays.fit[kept])
    np.testing.assert_array_equal(part.arrays.state, whole.arrays.state[kept])
    invalid = scores.take(~scores.valid)
    assert len(invalid) == 43 and not invalid.valid.any()
    assert [e.loc for e in invalid.errors[0]] == [("row", 0, "employees")]  # the input row, named
    assert not np.isnan(valid.to_frame()[["overall"]].to_numpy()).any()
    for bad in (np.ones(5, dtype=bool), [0, 300], [[0, 1]]):
        with pytest.raises(yz.AnswerValidationError) as info:
            scores.take(bad)
        assert info.value.details[0].loc == ("rows",)


def test_columns_of_pandas_nullable_dtypes_or_pyarrow_read_their_nulls_as_blanks():
    """The encoder and the profile read any pandas, polars or pyarrow column the same way: ``pd.NA`` or an
    Arrow null is a blank (a missing answer, an unknown fact), never a value of the wrong type."""
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    cohort = make_cohort(3, seed=2)
    answers = {k: list(v) for k, v in cohort.answers.items()}
    answers["strat_training"][1] = None
    training, employees, rnd = answers["strat_training"], [5, None, 7], [True, None, False]
    expected = yz.score_batch(Q, answers, profile={"employees": employees, "rnd": rnd})
    assert [e.code for e in expected.errors[1] if e.loc[-1] == "strat_training"] == ["missing_required"]
    nullable = (
        pd.Series(training, dtype="Int64"),
        {"employees": pd.Series(employees, dtype="Int64"), "rnd": pd.Series(rnd, dtype="boolean")},
    )
    arrow = (pa.array(training), {"employees": pa.array(employees), "rnd": pa.chunked_array([rnd])})
    for column, profile in (nullable, arrow):
        _same_scores(yz.score_batch(Q, dict(answers, strat_training=column), profile=profile), expected)


def test_a_profile_field_nobody_gave_is_unknown_on_every_row_without_a_loop():
    """Answers without a profile: each field built at once (NaN, None, an empty set), as the row loop
    gives them; taking the valid rows of a million no longer loops over each field."""
    from yzmaturity._compile import ProfileColumns
    from yzmaturity._profile import PROFILE_KINDS

    n = 5
    given, looped = ProfileColumns(n), ProfileColumns(n, enterprises=[None] * n)
    for name in PROFILE_KINDS:
        fast, slow = given.get(name), looped.get(name)
        assert fast.dtype == slow.dtype and fast.shape == slow.shape == (n,), name
        if fast.dtype.kind == "f":
            assert np.isnan(fast).all() and np.isnan(slow).all(), name
        else:
            assert fast.tolist() == slow.tolist(), name
    cohort = make_cohort(20, seed=3)
    scores = yz.score_batch(Q, cohort.answers)  # no profile: every field unknown
    taken = scores.valid_only()
    assert taken.matrix.profile.get("roles").tolist() == [frozenset()] * len(taken)
    assert np.isnan(taken.matrix.profile.get("employees")).all()
