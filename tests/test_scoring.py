"""The vectorised engine against the plain-Python reference, and scoring properties."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from reference import all_questions
from reference import question_score as ref_question_score
from reference import score as ref_score
from strategies import questionnaires, sheets, valid_value

import yzmaturity as yz

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def build(qdata: dict) -> yz.Questionnaire:
    q = yz.Questionnaire.model_validate(qdata)
    q.compiled()  # structure lint must pass for generated questionnaires
    return q


def close(a: float | None, b: float | None) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and not math.isnan(b) and abs(a - b) < 1e-7


@st.composite
def questionnaire_and_sheets(draw, with_conditions=True, n=3):
    qdata = draw(questionnaires(with_conditions=with_conditions))
    return qdata, [draw(sheets(qdata)) for _ in range(n)]


@SETTINGS
@given(questionnaire_and_sheets())
def test_vectorised_equals_reference(case):
    qdata, sheet_list = case
    q = build(qdata)
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
        # N = 1 goes through the same path and agrees.
        one = yz.assess(sheet, q)
        assert close(expected["overall"], one.overall)
        assert one.level.number == expected["level"]


@SETTINGS
@given(questionnaire_and_sheets(n=2))
def test_scores_are_within_bounds(case):
    qdata, sheet_list = case
    batch = yz.score_batch(build(qdata), sheet_list)
    for arr in (batch.overall, batch.dimensions):
        defined = arr[~np.isnan(arr)]
        assert ((defined >= 0) & (defined <= 100)).all()
    qs = batch.question_scores[~np.isnan(batch.question_scores)]
    assert ((qs >= 0) & (qs <= 1)).all()


@SETTINGS
@given(st.data())
def test_improving_one_answer_never_lowers_any_score(data):
    qdata = data.draw(questionnaires(with_conditions=False))
    q = build(qdata)
    sheet = data.draw(sheets(qdata, complete=True))
    question = data.draw(st.sampled_from(all_questions(qdata)))
    old = sheet["answers"][question["id"]]
    new = valid_value(data.draw, question)
    assume(ref_question_score(question, new) >= ref_question_score(question, old))
    if question["type"] in ("numeric", "scale", "scene_level"):
        assume(new >= old)  # a better answer, not only an equal score (value gates count values)
    better = copy.deepcopy(sheet)
    better["answers"][question["id"]] = new
    batch = yz.score_batch(q, [sheet, better])
    before, after = batch.overall[0], batch.overall[1]
    assert after >= before - 1e-9
    assert batch.level[1] >= batch.level[0]
    d0, d1 = batch.dimensions[0], batch.dimensions[1]
    both = ~np.isnan(d0)
    assert (d1[both] >= d0[both] - 1e-9).all()


@SETTINGS
@given(st.data())
def test_scaling_sibling_weights_changes_nothing(data):
    qdata = data.draw(questionnaires())
    sheet_list = [data.draw(sheets(qdata)) for _ in range(2)]
    factor = data.draw(st.sampled_from([0.1, 2.0, 7.5]))
    scaled = copy.deepcopy(qdata)
    # Scale the top dimensions, and the questions of one leaf.
    for d in scaled["dimensions"]:
        d["weight"] = d.get("weight", 1.0) * factor
    leaf = next(d for d in scaled["dimensions"] if "questions" in d or d.get("dimensions"))
    while "questions" not in leaf:
        leaf = leaf["dimensions"][0]
    for question in leaf["questions"]:
        question["weight"] = question.get("weight", 1.0) * factor
    a = yz.score_batch(build(qdata), sheet_list)
    b = yz.score_batch(build(scaled), sheet_list)
    np.testing.assert_allclose(a.overall, b.overall, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(a.dimensions, b.dimensions, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(a.level, b.level)


@SETTINGS
@given(questionnaire_and_sheets(with_conditions=False, n=1))
def test_contributions_add_up_to_overall(case):
    qdata, sheet_list = case
    a = yz.assess(sheet_list[0], build(qdata))
    total = sum(x.contribution for x in a.questions.values())
    if math.isnan(a.overall):
        assert total == 0
    else:
        assert total == pytest.approx(a.overall, abs=1e-3 * len(a.questions))
        # points lost are what the best answer would add back.
        for x in a.questions.values():
            if x.applicable:
                assert x.contribution + x.points_lost >= -1e-9


@SETTINGS
@given(questionnaires(with_conditions=False))
def test_all_best_answers_reach_100_and_the_top_level(qdata):
    q = build(qdata)
    cq = q.compiled()
    codes = cq.extreme_codes(best=True)[None, :]
    result = cq.score_chunk(codes, np.zeros_like(codes, dtype=bool), _profile())
    best_possible = ref_score(qdata, {"answers": yz.example_answers(q, "best").dump()["answers"]})
    assert float(result.overall[0]) == pytest.approx(best_possible["overall"])
    if all(max(_question_range(x)) == 1.0 for x in all_questions(qdata)):
        assert float(result.overall[0]) == pytest.approx(100.0)
        assert int(result.level[0]) == len(qdata["levels"]["levels"]) - 1


def _profile():
    from yzmaturity._compile import ProfileColumns

    return ProfileColumns(1)


def _question_range(question: dict) -> list[float]:
    t = question["type"]
    if t in ("single_choice",):
        return [o["score"] for o in question["options"]]
    if t == "multiple_choice":
        return [
            0.0,
            ref_question_score(question, [o["id"] for o in question["options"] if not o.get("exclusive")]),
        ]
    if t == "numeric":
        return [b["score"] for b in question["bands"]]
    if t == "yes_no":
        return [question.get("score_no", 0.0), 1.0]
    return [0.0, 1.0]


def test_na_leaves_the_denominator(mini, mini_sheet):
    a = yz.assess(mini_sheet, mini)
    # ops: O1 = 2 of 4 -> 0.5; O2 is n/a; O3 optional and unanswered counts 0.
    assert a.dimensions["ops"].score == pytest.approx(25.0)
    assert a.dimensions["ops"].applicable == 2
    assert not a.questions["O2"].applicable
    assert a.questions["O2"].not_applicable
    mini_sheet["answers"]["O2"] = 4
    assert yz.assess(mini_sheet, mini).dimensions["ops"].score == pytest.approx(50.0)


def test_missing_optional_answer_policy(mini, mini_sheet):
    excluded = mini.model_copy(update={"scoring": mini.scoring.model_copy(update={"missing": "exclude"})})
    excluded._compiled = None
    assert yz.assess(mini_sheet, excluded).dimensions["ops"].score == pytest.approx(50.0)
    assert yz.assess(mini_sheet, mini).dimensions["ops"].score == pytest.approx(25.0)


def test_relevance_skips_a_question(mini, mini_sheet):
    mini_sheet["answers"]["S1"] = ["none"]
    mini_sheet["answers"].pop("S2")
    a = yz.assess(mini_sheet, mini)
    assert not a.questions["S2"].relevant
    assert not a.questions["S2"].applicable
    assert a.dimensions["sys"].score == 0.0
    assert a.warnings == []


def test_answer_to_a_skipped_question_is_reported_not_scored(mini, mini_sheet):
    mini_sheet["answers"]["S1"] = ["none"]  # S2 is asked only with a system in use
    a = yz.assess(mini_sheet, mini)
    assert [w.code for w in a.warnings] == ["not_relevant"]
    assert a.warnings[0].loc == ("answers", "S2")
    assert not a.questions["S2"].applicable


def test_one_bad_row_does_not_sink_the_batch(mini, mini_sheet):
    bad = copy.deepcopy(mini_sheet)
    bad["answers"]["E1"] = "everything"
    broken = {"questionnaire": "mini"}  # no enterprise at all
    batch = yz.score_batch(mini, [mini_sheet, bad, broken, mini_sheet])
    assert len(batch) == 4
    assert batch.valid.tolist() == [True, False, False, True]
    assert batch.level.tolist()[1:3] == [-1, -1]
    assert math.isnan(batch.overall[1])
    assert batch.overall[0] == batch.overall[3]
    rows = {row for row, _ in batch.error_rows()}
    assert rows == {1, 2}
    assert [e.code for e in batch.errors[1]] == ["unknown_option"]
    assert "missing" in [e.code for e in batch.errors[2]]


def test_columnar_input_equals_sheets(mini, mini_sheet):
    other = copy.deepcopy(mini_sheet)
    other["answers"].update({"E1": "full", "E2": 80, "S1": ["plm"], "S2": False, "O1": 4, "O2": 3, "O3": 5})
    sheets_result = yz.score_batch(mini, [mini_sheet, other])
    columns = {
        "E1": ["some", "full"],
        "E2": np.array([35.0, 80.0]),
        "S1": ["erp;mes", ["plm"]],
        "S2": [True, False],
        "O1": np.array([2, 4]),
        "O2": ["n/a", 3],
        "O3": [None, 5],
    }
    cols_result = yz.score_batch(mini, columns)
    assert sheets_result.valid.all() and cols_result.valid.all(), cols_result.errors
    np.testing.assert_allclose(cols_result.overall, sheets_result.overall)
    np.testing.assert_array_equal(cols_result.level, sheets_result.level)


def test_columnar_errors_name_row_and_question(mini):
    columns = {
        "E1": ["some", "lots", "full"],
        "E2": np.array([35.0, np.inf, 500.0]),
        "S1": [["erp"], ["erp"], ["erp"]],
        "S2": [True, True, True],
        "O1": np.array([2, 2, 2]),
        "O2": [1, 1, 1],
    }
    batch = yz.score_batch(mini, columns)
    assert batch.valid.tolist() == [True, False, False]
    found = {(row, e.loc[-1], e.code) for row, e in batch.error_rows()}
    assert found == {(1, "E1", "unknown_option"), (1, "E2", "not_finite"), (2, "E2", "out_of_range")}


def test_chunking_does_not_change_results(mini, mini_sheet):
    rng = np.random.default_rng(0)
    rows = []
    for i in range(50):
        s = copy.deepcopy(mini_sheet)
        s["answers"]["E2"] = float(rng.uniform(0, 100))
        s["answers"]["O1"] = int(rng.integers(0, 5))
        s["enterprise"]["name"] = f"e{i}"
        rows.append(s)
    a = yz.score_batch(mini, rows, chunk_size=7)
    b = yz.score_batch(mini, rows, chunk_size=10_000)
    c = yz.score_batch(mini, rows, chunk_size=5, workers=2)
    d = yz.score_batch(mini, rows, chunk_size=5)  # ten chunks: two threads by default
    for other in (b, c, d):
        np.testing.assert_array_equal(a.overall, other.overall)
        np.testing.assert_array_equal(a.dimensions, other.dimensions)
        np.testing.assert_array_equal(a.question_scores, other.question_scores)


@pytest.mark.parametrize("qid", ["yangzhou-2022", "yangzhou-2024", "miit-sme-2024"])
def test_a_row_scores_the_same_to_the_last_bit_in_any_batch(qid):
    """Alone, in chunks of 3 or in one chunk: the sums run in one order per row (not BLAS's, which
    depends on how many rows it is given), so the scores and the fit to each category are equal."""
    from yzmaturity.datasets import make_cohort

    q = yz.load_questionnaire(qid)
    cohort = make_cohort(64, seed=5, questionnaire=q)
    catalog = yz.load_catalog("yangzhou-zgsz-2022") if qid == "yangzhou-2022" else None  # its questionnaire
    whole = yz.score_batch(q, cohort.answers, profile=cohort.profile)
    assert whole.valid.all()
    fit = yz.match_batch(catalog, whole).arrays.fit if catalog else None
    for chunk in (1, 3):
        part = yz.score_batch(q, cohort.answers, profile=cohort.profile, chunk_size=chunk)
        for name in ("overall", "dimensions", "question_scores", "level"):
            np.testing.assert_array_equal(getattr(part, name), getattr(whole, name), err_msg=name)
        if catalog:
            np.testing.assert_array_equal(yz.match_batch(catalog, part, chunk_size=chunk).arrays.fit, fit)
    for row in (0, 1, 63):
        alone = whole.take([row])
        again = yz.score_batch(q, alone.matrix, keep_questions=False)
        np.testing.assert_array_equal(again.dimensions, whole.dimensions[[row]])
        assert again.overall[0] == whole.overall[row]


def test_large_batches_score_on_two_threads_by_default(monkeypatch):
    from yzmaturity import _batch_mode
    from yzmaturity._batch_mode import AUTO_THREADS_MIN_CHUNKS, chunk_threads

    monkeypatch.setattr(_batch_mode.os, "cpu_count", lambda: 4)
    assert chunk_threads(None, AUTO_THREADS_MIN_CHUNKS) == 2
    assert chunk_threads(None, AUTO_THREADS_MIN_CHUNKS - 1) == 1
    assert chunk_threads(None, 2, auto_from=2) == 2
    assert chunk_threads(3, 10) == 3  # asked for: as many as the cores and chunks allow
    assert chunk_threads(None, 1) == chunk_threads(4, 1) == 1
    monkeypatch.setattr(_batch_mode.os, "cpu_count", lambda: 1)
    assert chunk_threads(None, 100) == 1


@pytest.mark.parametrize("cores", [1, 2, 4])
@pytest.mark.parametrize("workers", [None, 1, 3])
@pytest.mark.parametrize("n", [0, 1, 4095, 8191, 8192, 10_000, 40_000, 16384 * 2 + 1, 1_000_000])
def test_chunks_are_sized_for_the_threads_that_score_them(monkeypatch, n, workers, cores):
    from yzmaturity import _batch_mode
    from yzmaturity._batch_mode import CACHE_CHUNK, THREADED_CHUNK, chunk_plan, chunk_threads

    monkeypatch.setattr(_batch_mode.os, "cpu_count", lambda: cores)
    chunk, threads = chunk_plan(n, None, workers)
    n_chunks = -(-n // chunk)
    assert 1 <= threads <= min(cores, 2 if workers is None else workers)
    if threads == 1:
        assert chunk == CACHE_CHUNK  # one thread: chunks that stay in cache
    else:
        assert n // threads >= CACHE_CHUNK  # each thread has at least a cache chunk to do
        assert chunk <= THREADED_CHUNK and n_chunks % threads == 0  # the threads finish together
        assert chunk * (n_chunks - 1) < n  # no empty chunk
    assert (threads > 1) == (n >= 2 * CACHE_CHUNK and cores > 1 and workers != 1)
    assert chunk_plan(n, 7, workers) == (7, chunk_threads(workers, -(-n // 7)))  # as asked


def test_a_batch_scored_with_the_default_chunks_equals_one_chunk():
    """The default plan (two threads, chunks sized for them) gives the one-chunk scores bit for bit."""
    from yzmaturity.datasets import make_cohort

    q = yz.load_questionnaire("yangzhou-2022")
    cohort = make_cohort(20_000, seed=3, questionnaire=q)
    auto = yz.score_batch(q, cohort.answers, profile=cohort.profile, keep_questions=False)
    whole = yz.score_batch(q, cohort.answers, profile=cohort.profile, keep_questions=False, chunk_size=20_000)
    np.testing.assert_array_equal(auto.overall, whole.overall)
    np.testing.assert_array_equal(auto.dimensions, whole.dimensions)
    np.testing.assert_array_equal(auto.level, whole.level)


@pytest.mark.parametrize(
    ("make", "hint"),
    [
        (lambda: pytest.importorskip("pandas").Series(["written"]), "a data frame"),
        (lambda: "answers.csv", "score_file"),
        (lambda: 42, "a mapping of question id"),
        (lambda: np.array([{"strat_plan": "written"}]), "a mapping of question id"),
    ],
)
def test_answers_of_another_type_get_a_clear_error(make, hint):
    """Not an AttributeError from deep inside: what came and what is accepted (data frames are)."""
    q = yz.load_questionnaire("yangzhou-2022")
    answers = make()
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.score_batch(q, answers)
    (detail,) = info.value.details
    assert detail.code == "wrong_type" and detail.loc == ("answers",)
    assert type(answers).__name__ in detail.got and hint in detail.message
