"""A problem repeated over many rows is kept as one problem and its rows (``RowProblems.add_repeated``).

Reading the problems must give what adding the problem at each row gives: the
same problems, in the same order, by every way of reading (a row, the rows,
counts, the error table).  Each test runs the same steps twice, once with
``add_repeated`` as documented (a loop of ``add``), once as kept, and compares.
"""

from __future__ import annotations

import copy
import pickle
import threading
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import yzmaturity as yz
from yzmaturity._exceptions import ErrorDetail, RowProblems
from yzmaturity._tables.problems import error_frame
from yzmaturity._tables.score import _error_summaries

QID = "yangzhou-2022"
N_ROWS = 12

PROBLEMS = [
    ErrorDetail("contradiction", ("row", -1, "strat_diagnosed"), "clash", "no", "yes", severity="warning"),
    ErrorDetail("missing_required", ("row", -1, "strat_plan"), "'strat_plan' is required"),
    ErrorDetail("not_relevant", ("row", -1, "ii_5g_apps"), "skipped", severity="warning"),
    # A value holding the character the error table puts a row's number in: worded for each row alone.
    ErrorDetail("unknown_option", ("row", -1, "eq_cnc"), "no such option", "an option", "x\ue000y"),
]


def _eager_add_repeated(self: RowProblems, rows: Any, problem: ErrorDetail) -> None:
    """What ``add_repeated`` documents: the problem added at each row."""
    for row in sorted({int(r) for r in np.asarray(list(rows) if not isinstance(rows, np.ndarray) else rows)}):
        self.add(row, problem.at(("row", row, *problem.loc[2:])))


class EagerRowProblems(RowProblems):
    add_repeated = _eager_add_repeated  # type: ignore[assignment]


rows_st = st.lists(st.integers(0, N_ROWS - 1), max_size=N_ROWS)
steps_st = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, N_ROWS - 1), st.integers(0, len(PROBLEMS) - 1)),
        st.tuples(st.just("repeat"), rows_st, st.integers(0, len(PROBLEMS) - 1)),
        st.tuples(st.just("discard"), rows_st, st.just(0)),
        st.tuples(st.just("set"), st.integers(0, N_ROWS - 1), st.integers(0, len(PROBLEMS) - 1)),
        st.tuples(st.just("pop"), st.integers(0, N_ROWS - 1), st.just(0)),
        st.tuples(st.just("read"), st.integers(0, N_ROWS - 1), st.just(0)),
        st.tuples(st.just("place"), rows_st, st.just(0)),
    ),
    max_size=12,
)


def _run(problems: RowProblems, steps: list[tuple[str, Any, int]]) -> list[Any]:
    """Apply ``steps``; what each read saw."""
    seen: list[Any] = []
    for op, rows, k in steps:
        problem = PROBLEMS[k]
        if op == "add":
            problems.add(rows, problem.at(("row", rows, *problem.loc[2:])))
        elif op == "repeat":
            problems.add_repeated(rows, problem)
        elif op == "discard":
            problems.discard_rows(rows)
        elif op == "set":
            problems[rows] = [problem.at(("row", rows, *problem.loc[2:]))]
        elif op == "place":  # some rows' repeated problems placed: no row reads otherwise
            problems.place(rows)
        elif op == "pop":
            seen.append(problems.pop(rows, None))
        else:
            seen.append(list(problems[rows]))
    return seen


def _as_lists(problems: RowProblems) -> list[tuple[int, list[ErrorDetail]]]:
    return [(row, list(found)) for row, found in problems.items()]


@settings(max_examples=300, deadline=None)
@given(steps_st)
def test_kept_repeated_problems_read_as_added_one_by_one(steps):
    kept, eager = RowProblems(), EagerRowProblems()
    assert _run(kept, steps) == _run(eager, steps)
    # Counts and rows without placing the repeated problems; the error table from them as kept.
    np.testing.assert_array_equal(kept.counts(N_ROWS), eager.counts(N_ROWS))
    assert kept.rows() == eager.rows()
    table = error_frame(_pd(), SimpleNamespace(errors=kept, warnings=RowProblems()), [], "en", 0)
    expected = error_frame(_pd(), SimpleNamespace(errors=eager, warnings=RowProblems()), [], "en", 0)
    _pd().testing.assert_frame_equal(table, expected)
    # The result table's error_summary, from the problems as kept.
    assert _error_summaries(kept, N_ROWS).tolist() == _error_summaries(eager, N_ROWS).tolist()
    # Every way of reading it as a dict sees them placed, in the order added (rows placed by
    # ``place`` come earlier in the dict's order: they are compared by row then).
    if any(op == "place" for op, _, _ in steps):
        assert sorted(_as_lists(kept)) == sorted(_as_lists(eager))
    else:
        assert _as_lists(kept) == _as_lists(eager)
    assert kept == eager and len(kept) == len(eager) and sorted(kept) == sorted(eager)


index_st = st.lists(st.integers(0, N_ROWS - 1), max_size=2 * N_ROWS)  # repeats and any order


@settings(max_examples=300, deadline=None)
@given(steps_st, index_st)
def test_taken_rows_keep_their_problems_and_the_rows_they_name(steps, index):
    kept, eager = RowProblems(), EagerRowProblems()
    _run(kept, steps)
    _run(eager, steps)
    taken = kept.take(np.asarray(index, dtype=np.int64))
    # BatchScores.take's documented result: each new row reads its old row's problems, locs unchanged.
    expected = {new: list(eager[old]) for new, old in enumerate(index) if eager[old]}
    np.testing.assert_array_equal(
        taken.counts(len(index)), [len(expected.get(i, [])) for i in range(len(index))]
    )
    assert taken.rows() == sorted(expected)
    own, repeated = taken.parts()
    assert list(own) == sorted(own)  # in row order, as the loop makes them
    assert all((np.diff(group.rows) > 0).all() for group in repeated)  # RepeatedProblem: rows ascending
    # The error table from the kept form: the new rows, each problem still naming its input row.
    twin = RowProblems()
    for row, found in expected.items():
        twin[row] = found
    table = error_frame(_pd(), SimpleNamespace(errors=taken, warnings=RowProblems()), [], "en", 0)
    wanted = error_frame(_pd(), SimpleNamespace(errors=twin, warnings=RowProblems()), [], "en", 0)
    _pd().testing.assert_frame_equal(table, wanted)
    assert {row: list(found) for row, found in taken.items()} == expected
    # Taken again (a subset of a subset) and discarded rows: the same as from the placed problems.
    again = [i for i in range(len(index)) if i % 2 == 0]
    twice = taken.take(np.asarray(again, dtype=np.int64))
    twice.discard_rows([0])
    assert dict(twice) == {new: list(twin[old]) for new, old in enumerate(again) if twin[old] and new != 0}


def test_taking_the_valid_rows_places_no_problem_per_row():
    problems = RowProblems()
    problems.add(7, PROBLEMS[1].at(("row", 7, "strat_plan")))  # before: an add places repeated ones
    problems.add_repeated(range(0, 1000, 2), PROBLEMS[0])
    taken = problems.take(np.arange(999, -1, -1))  # reversed: new row r is old row 999 - r
    own, repeated = taken.parts()
    assert list(own) == [992] and len(repeated) == 1 and len(repeated[0].rows) == 500
    assert taken[992] == [PROBLEMS[1].at(("row", 7, "strat_plan"))]
    assert taken[999] == [PROBLEMS[0].at(("row", 0, "strat_diagnosed"))]
    assert 998 not in taken


def _pd() -> Any:
    return pytest.importorskip("pandas")


def test_a_copy_a_pickle_and_a_dict_hold_the_repeated_problems():
    for read in (copy.copy, copy.deepcopy, lambda p: pickle.loads(pickle.dumps(p)), dict):
        kept = RowProblems()
        kept.add(3, PROBLEMS[1].at(("row", 3, "strat_plan")))
        kept.add_repeated([5, 3, 1], PROBLEMS[0])
        twin = read(kept)
        assert dict(twin) == {
            3: [PROBLEMS[1].at(("row", 3, "strat_plan")), PROBLEMS[0].at(("row", 3, "strat_diagnosed"))],
            5: [PROBLEMS[0].at(("row", 5, "strat_diagnosed"))],
            1: [PROBLEMS[0].at(("row", 1, "strat_diagnosed"))],
        }


def test_a_repeated_problem_is_placed_at_rows():
    with pytest.raises(ValueError, match="starts with"):
        RowProblems().add_repeated([1], ErrorDetail("x", ("answers", "q"), "m"))
    cleared = RowProblems()
    cleared.add_repeated([1, 2], PROBLEMS[0])
    cleared.clear()
    assert not cleared and cleared.counts(3).tolist() == [0, 0, 0]


def _messy_table(seed: int, n: int = 300) -> Any:
    """A table with every repeated problem: contradictions, skipped and missing answers, blank rows."""
    pd = _pd()
    rng = np.random.default_rng(seed)
    q = yz.load_questionnaire(QID)
    cols: dict[str, Any] = {
        "name": [f"企业{i}" for i in range(n)],
        "region": rng.choice(["江都区", "高邮市", ""], n),
        "diagnosed": rng.choice(["true", "false", ""], n),
        "rnd": rng.choice(["true", "false", ""], n),
    }
    for question in q.questions:
        if question.type in ("single_choice", "multiple_choice"):
            choices = [o.id for o in question.options]
        elif question.type == "yes_no":
            choices = ["true", "false"]
        elif question.type == "numeric":
            choices = ["0", "12.5", "80"]
        else:
            choices = [str(v) for v in range(int(question.min), int(question.max) + 1)]
        cells = rng.choice([*choices, "", ""], n).astype(object)
        cols[question.id] = cells
    frame = pd.DataFrame(cols)
    # Errors of a row's own beside the repeated ones: a value no option has, a bad profile value.
    frame.loc[rng.random(n) < 0.1, q.questions[3].id] = "no-such-option"
    frame["employees"] = rng.choice(["120", "-5", "many", ""], n)
    blank = rng.random(n) < 0.05
    frame.loc[blank, :] = ""
    return frame[list(rng.permutation(frame.columns))]  # the header's order is not the questions'


@pytest.mark.parametrize("seed", range(3))
def test_a_table_scores_the_same_with_problems_kept_repeated(seed, monkeypatch):
    frame = _messy_table(seed)
    kept = yz.score_table(QID, frame.copy(), catalog="yangzhou-zgsz-2022")
    with monkeypatch.context() as patch:
        patch.setattr(RowProblems, "add_repeated", _eager_add_repeated)
        eager = yz.score_table(QID, frame.copy(), catalog="yangzhou-zgsz-2022")
    codes = set(kept.errors["code"])
    assert {"contradiction", "missing_required", "empty_row", "unknown_option", "out_of_range"} <= codes, (
        codes
    )
    own, repeated = kept.scores.errors.parts()  # kept: placed only at the rows with errors of their own
    assert sum(len(group.rows) for group in repeated) > len(frame), "missing answers were placed per row"
    assert all(not np.isin(group.rows, list(own)).any() for group in repeated)
    pd = _pd()
    pd.testing.assert_frame_equal(kept.frame, eager.frame)
    pd.testing.assert_frame_equal(kept.errors, eager.errors)
    assert int(kept.frame["warnings"].sum()) == int((kept.errors["severity"] == "warning").sum()) > 0
    for row in range(len(frame)):  # each row's problems, read one by one
        assert list(kept.scores.warnings[row]) == list(eager.scores.warnings[row])
        assert list(kept.scores.errors[row]) == list(eager.scores.errors[row])


def test_threads_reading_at_once_see_every_repeated_problem_placed():
    kept = RowProblems()
    n = 200_000  # long enough to place that the other threads run meanwhile
    kept.add_repeated(range(n), PROBLEMS[0])
    kept.add_repeated(range(0, n, 2), PROBLEMS[2])
    start = threading.Barrier(4)
    seen: list[tuple[int, int]] = []

    def read() -> None:
        start.wait()
        seen.append((len(kept), len(kept[n - 1]) + len(kept[n - 2])))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [(n, 3)] * 4


@settings(max_examples=200, deadline=None)
@given(steps_st, steps_st)
def test_extending_keeps_every_problem_of_both_and_places_none(first, second):
    kept, other = RowProblems(), RowProblems()
    eager, eager_other = EagerRowProblems(), EagerRowProblems()
    for problems, steps in ((kept, first), (other, second), (eager, first), (eager_other, second)):
        _run(problems, steps)
    repeated_before = len(kept.parts()[1]) + len(other.parts()[1])
    kept.extend(other)
    assert len(kept.parts()[1]) == repeated_before  # kept as they were, none placed
    mine, theirs = eager.counts(N_ROWS), eager_other.counts(N_ROWS)
    np.testing.assert_array_equal(kept.counts(N_ROWS), mine + theirs)
    for row in range(N_ROWS):
        both = [*eager[row], *eager_other[row]]
        if not (mine[row] and theirs[row]):  # one side only: exactly that side's problems
            assert list(kept[row]) == both
        else:  # both: the same problems (own ones first, then the repeated ones)
            assert sorted(map(repr, kept[row])) == sorted(map(repr, both))
