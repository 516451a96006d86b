"""The fast paths (per distinct value, column-major, chunked, lazy) against the plain ones.

Each fast path has a plain twin in the library that the fast one replaced:
encoding cell by cell, a row-major matrix, matching every row in one pass,
the per-question arrays made while scoring.  Random tables with valid and
invalid cells of every kind go through both; every output must be equal,
errors included, and every row accounted for.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import yzmaturity as yz
from yzmaturity import _encode, _factorize
from yzmaturity._compile import ProfileColumns
from yzmaturity._encode import Encoder
from yzmaturity._factorize import factorize_cells
from yzmaturity._matching import match_batch

QID = "yangzhou-2022"

cells = st.one_of(
    st.sampled_from(["a", "b", "n/a", "", " a", "erp;mes"]),
    st.none(),
    st.just(math.nan),
    st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.sampled_from(["a", "b"]), max_size=2),
)


def _same_cells(a: list[Any], b: list[Any]) -> bool:
    return len(a) == len(b) and all(
        type(x) is type(y) and (x is y or x == y or (x != x and y != y)) for x, y in zip(a, b, strict=True)
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(cells, min_size=0, max_size=200),
    st.sampled_from(["mixed", "str", "float", "int", "bool"]),
)
def test_factorize_per_distinct_value_equals_the_cell_loop(data, only):
    keep = {
        "mixed": object,
        "str": (str, type(None)),
        "float": (float, type(None)),
        "int": (int, type(None)),
        "bool": (bool, type(None)),
    }[only]
    data = [c for c in data if isinstance(c, keep) and (only != "int" or not isinstance(c, bool))]
    data = data * (1 + _factorize.FAST_MIN // max(1, len(data)))  # long enough for the fast path
    fast = factorize_cells(data)
    plain = _factorize._factorize_loop(data)
    assert _same_cells(list(fast.values), list(plain.values))
    np.testing.assert_array_equal(fast.inverse, plain.inverse)


text_cells = st.one_of(
    st.sampled_from(["a", "b", "", " a", "erp;mes", "\ue000"]),
    st.none(),
    st.just(math.nan),
    st.just(np.float64("nan")),  # a numpy NaN: the plain path decides
    st.just(1.5),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(text_cells, min_size=1, max_size=120), st.booleans(), st.integers(0, 3))
def test_text_hashed_by_pandas_equals_the_cell_loop(data, text_only, na_at):
    """Large text columns go to ``pandas.factorize``: the same values, in the same order, as the loop;
    a pd.NA (pandas' missing value, no blank here) or a cell of another type leaves the column to the loop."""
    pd = pytest.importorskip("pandas")
    if text_only:
        data = [c for c in data if c is None or isinstance(c, str) or (type(c) is float and c != c)]
    cells = np.empty(len(data) * (1 + _factorize.FAST_MIN // max(1, len(data))), dtype=object)
    cells[:] = (data * (1 + _factorize.FAST_MIN // max(1, len(data))))[: len(cells)]
    if na_at >= 2 and len(cells):  # past the cells looked at first: only the exact check sees it
        cells[-1] = pd.NA if na_at == 3 else np.float64("nan")
    fast = _factorize._factorize_text_pandas(cells)
    plain = _factorize._factorize_loop(list(cells))
    simple = all(c is None or type(c) is str or (type(c) is float and c != c) for c in cells.tolist())
    assert (fast is not None) == simple
    if fast is not None:
        assert _same_cells(list(fast.values), list(plain.values))
        np.testing.assert_array_equal(fast.inverse, plain.inverse)
    # The public entry takes the pandas path from PANDAS_MIN cells on, with the same result.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_factorize, "PANDAS_MIN", 0)
        entry = factorize_cells(cells)
    assert _same_cells(list(entry.values), list(plain.values))
    np.testing.assert_array_equal(entry.inverse, plain.inverse)


object_cells = st.one_of(
    st.sampled_from(["a", "b", "", " a", "erp;mes", "\ue000"]),
    st.none(),
    st.just(math.nan),
    st.integers(-2, 2),
    st.booleans(),
    st.just(1.0),
)


def _hashing_spy(pd: Any) -> tuple[Any, list[int]]:
    """A stand-in for the pandas module whose ``factorize`` records the length of each object array hashed."""
    hashed: list[int] = []

    def factorize(values: np.ndarray, **kwargs: Any) -> Any:
        if values.dtype == object:
            hashed.append(len(values))
        return pd.factorize(values, **kwargs)

    return SimpleNamespace(factorize=factorize), hashed


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(object_cells, st.booleans()), min_size=1, max_size=80),
    st.integers(1, 6),
    st.booleans(),
    st.booleans(),
)
def test_objects_told_apart_by_address_first_factorize_as_pandas(pool, repeat, na_object, unhashable):
    """``factorize_objects`` gives pandas' codes and uniques: cells that are one object (repeated) and
    equal cells that are objects of their own (fresh copies), blanks, numbers of several types, pd.NA;
    an unhashable cell raises pandas' TypeError.  Few distinct objects take the address pass, many the
    value pass: both run here."""
    pd = pytest.importorskip("pandas")
    values: list[Any] = []
    for cell, fresh in pool * repeat:
        values.append("".join(list(cell)) if fresh and isinstance(cell, str) else cell)  # an equal new object
    if na_object:
        values[len(values) // 2] = pd.NA
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    if unhashable:
        cells[-1] = ["a", "b"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_factorize, "IDENTITY_MIN", 0)
        try:
            expected = pd.factorize(cells, use_na_sentinel=True)
        except TypeError:
            with pytest.raises(TypeError):
                _factorize.factorize_objects(pd, cells)
            return
        spy, hashed = _hashing_spy(pd)
        codes, uniques = _factorize.factorize_objects(spy, cells)
    objects = len(set(map(id, values)))
    # Few distinct objects: only they are hashed by value; many: every cell is.
    assert hashed == [objects if 2 * objects <= len(values) else len(values)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_factorize, "IDENTITY_MIN", 0)
        assert _factorize.shared_objects(pd, cells) == (2 * objects <= len(values))
    assert not _factorize.shared_objects(pd, cells)  # too few cells to look
    np.testing.assert_array_equal(codes, expected[0])
    assert codes.dtype == np.intp
    assert _same_cells(list(uniques), list(expected[1]))


def test_a_look_at_the_first_cells_decides_how_objects_are_hashed(monkeypatch):
    """The first ``IDENTITY_MIN`` cells decide: objects of their own there, every cell is hashed by value
    (names); shared there, by address first.  Either way the codes are pandas'."""
    pd = pytest.importorskip("pandas")
    monkeypatch.setattr(_factorize, "IDENTITY_MIN", 8)
    shared = ["a", "b", None]
    fresh_first = np.array([f"n{i}" for i in range(8)] + shared * 10, dtype=object)
    shared_first = np.array(shared * 10 + [f"n{i}" for i in range(8)], dtype=object)
    for cells, by_address in ((fresh_first, False), (shared_first, True)):
        spy, hashed = _hashing_spy(pd)
        codes, uniques = _factorize.factorize_objects(spy, cells)
        expected = pd.factorize(cells, use_na_sentinel=True)
        np.testing.assert_array_equal(codes, expected[0])
        assert list(uniques) == list(expected[1])
        assert hashed == ([len(set(map(id, cells)))] if by_address else [len(cells)])
        assert _factorize.shared_objects(pd, cells) is by_address
        assert (_factorize.factorize_objects(pd, cells, distinct=False) is None) is not by_address


def _random_columns(q: yz.Questionnaire, n: int, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Columns of every question with good values, blanks, N/A and every kind of bad cell."""
    cq = q.compiled()
    rng = np.random.default_rng(seed)
    columns: dict[str, Any] = {}
    for question in cq.questions:
        t = question.type
        style = rng.integers(0, 3)  # 0: clean text/numbers, 1: with blanks of every kind, 2: dirty
        if t == "single_choice":
            good = [o.id for o in question.options]
            bad = ["zzz", 3, True]
        elif t == "multiple_choice":
            good = [o.id for o in question.options if not o.exclusive]
            good = [*good, ";".join(good[:2]), [good[0]]]
            bad = ["zzz", f"{good[0]};{good[0]}", 7]
        elif t == "yes_no":
            good, bad = [True, False], ["yes", 1]
        elif t in ("scale", "scene_level"):
            lo, hi = int(question.min or 0), int(question.max or 0)
            good = [float(v) for v in range(lo, hi + 1)]
            bad = [hi + 1.0, 1.5, math.inf, "x"]
        else:
            lo = question.min if question.min is not None else 0.0
            hi = question.max if question.max is not None else 1000.0
            good = [float(v) for v in np.round(rng.uniform(lo, hi, 5), 2)]
            bad = [hi + 10.0, -math.inf, "x"]
        blanks: list[Any] = []
        if style >= 1:
            blanks = [None, math.nan, ""] + (["n/a"] if question.allow_na or style == 2 else [])
        if style < 2:
            bad = []
        # Mostly good cells; blanks and bad cells rare enough that about half the rows stay valid.
        kind = rng.choice(3, n, p=[0.97 - 0.01 * len(bad), 0.03, 0.01 * len(bad)])
        values = np.empty(n, dtype=object)
        values[:] = [
            good[rng.integers(len(good))]
            if k == 0 or (k == 1 and not blanks)
            else blanks[rng.integers(len(blanks))]
            if k == 1
            else bad[rng.integers(len(bad))]
            for k in kind.tolist()
        ]
        if t in ("scale", "scene_level", "numeric") and style == 0 and rng.random() < 0.5:
            columns[question.id] = values.astype(np.float64)  # a numeric array
        else:
            columns[question.id] = values
    profile = {
        "employees": rng.integers(1, 5000, n).astype(np.float64),
        "revenue_yuan": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(1e6, 1e9, n)),
        "region": np.array(["江都区", "邗江区", None], dtype=object)[rng.integers(0, 3, n)],
        "industry": np.array(["C13", "C35", "I64", None], dtype=object)[rng.integers(0, 4, n)],
    }
    return columns, profile


def _plain_empty(self: Encoder, n: int, profile: ProfileColumns) -> Any:
    n_q = self.cq.n_questions
    return _encode.AnswerMatrix(np.full((n, n_q), np.nan), np.zeros((n, n_q), dtype=bool), profile)


def _assert_same_problems(a: yz.RowProblems, b: yz.RowProblems) -> None:
    assert a.rows() == b.rows()
    for row in a.rows():
        assert [(e.code, e.loc, e.message, e.expected, repr(e.got), e.severity) for e in a[row]] == [
            (e.code, e.loc, e.message, e.expected, repr(e.got), e.severity) for e in b[row]
        ]


@pytest.mark.parametrize("seed", range(6))
def test_fast_columnar_scoring_equals_the_plain_path(seed, monkeypatch):
    q = yz.load_questionnaire(QID)
    catalog = yz.load_catalog("yangzhou-zgsz-2022")
    n = 400
    columns, profile = _random_columns(q, n, seed)
    fast = yz.score_batch(q, columns, profile=profile)
    fast_match = match_batch(catalog, fast, chunk_size=37, workers=2)  # 11 chunks, on two threads
    with monkeypatch.context() as patch:
        patch.setattr(_factorize, "FAST_MIN", 10**12)  # the cell-by-cell loop
        patch.setattr(Encoder, "empty", _plain_empty)  # a row-major matrix
        plain = yz.score_batch(q, columns, profile=profile)
    plain_match = match_batch(catalog, plain, chunk_size=10**9)

    assert len(fast) == len(plain) == n  # every row accounted for
    assert 0 < int(fast.valid.sum()) < n  # valid and invalid rows
    np.testing.assert_array_equal(fast.valid, plain.valid)
    _assert_same_problems(fast.errors, plain.errors)
    _assert_same_problems(fast.warnings, plain.warnings)
    np.testing.assert_array_equal(fast.matrix.codes, plain.matrix.codes)
    np.testing.assert_array_equal(fast.matrix.na, plain.matrix.na)
    for name in ("overall", "level", "dimensions", "question_scores", "applicable", "answered"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(plain, name), err_msg=name)
    for name in ("fit", "state", "priority", "tier"):
        np.testing.assert_array_equal(
            getattr(fast_match.arrays, name), getattr(plain_match.arrays, name), err_msg=name
        )
    for a, b in zip(fast_match.arrays.requirement_status, plain_match.arrays.requirement_status, strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(fast_match.arrays.rule_hits, plain_match.arrays.rule_hits, strict=True):
        np.testing.assert_array_equal(a, b)


def test_fast_columnar_scoring_equals_the_sheets_on_valid_rows():
    """The columns against the sheet path (cell by cell through pydantic sheets), an independent route."""
    q = yz.load_questionnaire(QID)
    cq = q.compiled()
    n = 120
    columns, _ = _random_columns(q, n, 11)
    batch = yz.score_batch(q, columns)
    sheets = []
    for i in range(n):
        answers: dict[str, Any] = {}
        for qid, values in columns.items():
            v = values[i]
            if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
                continue
            if cq.questions[cq.index[qid]].type == "multiple_choice" and isinstance(v, str) and v != "n/a":
                v = [p for p in v.split(";") if p]
            if isinstance(v, float) and v.is_integer() and cq.questions[cq.index[qid]].type != "numeric":
                v = int(v)
            answers[qid] = v
        sheets.append({"questionnaire": QID, "enterprise": {"name": f"e{i}"}, "answers": answers})
    by_sheet = yz.score_batch(q, sheets)
    assert by_sheet.valid.tolist() == batch.valid.tolist()
    assert batch.valid.any()
    np.testing.assert_allclose(batch.overall[batch.valid], by_sheet.overall[batch.valid], rtol=0, atol=1e-9)
    np.testing.assert_array_equal(batch.level, by_sheet.level)


def test_question_arrays_are_made_on_first_read_and_equal_the_eager_ones(monkeypatch):
    q = yz.load_questionnaire(QID)
    columns, profile = _random_columns(q, 300, 3)
    lazy = yz.score_batch(q, columns, profile=profile, chunk_size=64)  # 300 rows > one chunk: lazy
    assert lazy._questions is None
    eager = yz.score_batch(q, columns, profile=profile, chunk_size=4096)  # one chunk: in the same pass
    assert eager._questions is not None
    for name in ("question_scores", "applicable", "answered"):
        np.testing.assert_array_equal(getattr(lazy, name), getattr(eager, name), err_msg=name)
    assert yz.score_batch(q, columns, keep_questions=False).question_scores is None


def _old_split_text(pd: Any, series: Any, want_numbers: bool) -> Any:
    """The text split before issue #12: numbers parsed over every cell, the rest factorized again."""
    from yzmaturity._tables.cells import SplitColumn, _parse_numbers

    n = len(series)
    present = series.notna().to_numpy()
    numbers = None
    rest = present
    if want_numbers:
        numbers = _parse_numbers(pd, series, present)
        rest = present & np.isnan(numbers)
    if not rest.any():
        return SplitColumn(np.full(n, -1, dtype=np.intp), numbers)
    codes, uniques = pd.factorize(series[rest], use_na_sentinel=True)
    inverse = np.full(n, -1, dtype=np.intp)
    inverse[rest] = codes
    return SplitColumn(inverse, numbers, texts=pd.Index(uniques))


TEXT_CELLS = [
    "3",
    " 4 ",
    "4",
    "n/a",
    "N/A",
    "x",
    "",
    "  ",
    "1e400",
    "nan",
    "inf",
    "-0",
    "2.5",
    "+7",
    ".5",
    "1,000",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(TEXT_CELLS), st.none()), min_size=0, max_size=60),
    st.booleans(),
    st.sampled_from(["object", "str"]),
)
def test_text_split_per_distinct_value_equals_the_old_split(cells_, want_numbers, dtype):
    pd = pytest.importorskip("pandas")
    from yzmaturity._tables.cells import split_column

    if dtype == "object":
        series = pd.Series(cells_, dtype=object)
        if pd.api.types.infer_dtype(series, skipna=True) != "string":
            return  # not a text column: another branch of split_column
        old = _old_split_text(pd, series.astype(pd.StringDtype()), want_numbers)
    else:
        series = pd.Series(cells_, dtype="str")
        old = _old_split_text(pd, series, want_numbers)
    new = split_column(pd, series, want_numbers)
    np.testing.assert_array_equal(new.inverse, old.inverse)
    assert new.values == old.values
    if want_numbers:
        np.testing.assert_array_equal(new.numbers, old.numbers)
    np.testing.assert_array_equal(new.blank(), old.blank())


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(TEXT_CELLS),
            st.none(),
            st.sampled_from([1, 2.5, True, False, 0, float("nan"), ["a", "b"], ("c",)]),
        ),
        max_size=40,
    ),
    st.booleans(),
    st.booleans(),
)
@example(["3", "4", None], True, True)  # mostly distinct numbers: the one cast
def test_an_object_column_hashed_first_splits_as_the_cell_by_cell_split(cells_, want_numbers, by_address):
    """Text found per distinct value after one hash pass, not by a scan of every cell's type first: a text
    column splits as text, any other as the cell-by-cell split reads it.  ``by_address``: cells told apart
    by object first, and a column of mostly distinct numbers read in one Arrow cast, as in a large table."""
    pd = pytest.importorskip("pandas")
    from yzmaturity._tables import cells as cells_module

    series = pd.Series(cells_, dtype=object)
    with pytest.MonkeyPatch.context() as patch:
        if by_address:
            patch.setattr(_factorize, "IDENTITY_MIN", 0)
        new = cells_module.split_column(pd, series, want_numbers)
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind == "string":
        old = cells_module._split_text(pd, series, want_numbers)
    elif kind == "empty":
        old = cells_module.SplitColumn(np.full(len(series), -1, dtype=np.intp))
    else:
        with pytest.MonkeyPatch.context() as patch:  # every object column read cell by cell
            patch.setattr(cells_module, "_split_object_text", lambda *args: None)
            old = cells_module.split_column(pd, series, want_numbers)

    def rows(part):
        values = part.values
        return [None if i < 0 else values[i] for i in part.inverse.tolist()]

    assert rows(new) == rows(old)
    if want_numbers:
        np.testing.assert_array_equal(
            np.nan if new.numbers is None else new.numbers, np.nan if old.numbers is None else old.numbers
        )
    np.testing.assert_array_equal(new.blank(), old.blank())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(TEXT_CELLS), st.none()), min_size=0, max_size=60), st.booleans())
def test_a_dictionary_column_splits_as_its_text_column(cells_, want_numbers):
    """A column read dictionary-encoded (by the CSV reader, as a categorical or an Arrow dictionary of few or
    many values) means, row by row, what the text column means."""
    pd = pytest.importorskip("pandas")
    from yzmaturity._tables.cells import split_column

    text = pd.Series(cells_, dtype="str")
    categorical = text.astype("category")
    if len(categorical.cat.categories):  # a category no row holds any more must not matter either
        categorical = categorical.cat.add_categories(["unused"])
    old = split_column(pd, text, want_numbers)
    pa = pytest.importorskip("pyarrow")
    from yzmaturity._tables import cells as cells_module

    encoded = pa.array(cells_, type=pa.string()).dictionary_encode()
    few = cells_module.split_dictionary(pd, encoded, want_numbers)
    with pytest.MonkeyPatch.context() as patch:  # as a column of many distinct values is split
        patch.setattr(cells_module, "FEW_VALUES", 0)
        many = cells_module.split_dictionary(pd, encoded, want_numbers)

    def rows(part):
        values = part.values
        return [None if i < 0 else values[i] for i in part.inverse.tolist()]

    for new in (split_column(pd, categorical, want_numbers), few, many):
        assert rows(new) == rows(old)
        if want_numbers:
            np.testing.assert_array_equal(
                np.nan if new.numbers is None else new.numbers, np.nan if old.numbers is None else old.numbers
            )
        np.testing.assert_array_equal(new.blank(), old.blank())


@pytest.mark.parametrize(
    "cells_",
    [
        ["12", None, "3.5", "-0", "+7", ".5"],  # every cell a number: one cast, no split
        ["12", None, "nan"],  # a text pyarrow would read as a number
        ["12", "1e400"],  # an overflow
        ["12", " 4 "],  # spaces: the exact rule
        ["12", "1,000"],
    ],
)
@pytest.mark.parametrize("dtype", ["object", "str"])
def test_a_column_of_numbers_is_read_in_one_cast_as_the_split_reads_it(cells_, dtype):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from yzmaturity._tables.cells import split_column

    series = pd.Series(cells_ * 40, dtype=dtype)
    old = _old_split_text(pd, series.astype(pd.StringDtype()), True)
    new = split_column(pd, series, True)
    np.testing.assert_array_equal(new.inverse, old.inverse)
    assert new.values == old.values
    np.testing.assert_array_equal(new.numbers, old.numbers)
    np.testing.assert_array_equal(new.blank(), old.blank())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from([*TEXT_CELLS, "written", "none", " written "]), st.none()), max_size=80
    ),
    st.sampled_from(
        ["strat_plan", "strat_training", "ii_5g_apps", "strat_diagnosed", "eq_digitisation_rate"]
    ),
)
def test_arrow_text_columns_encode_as_their_cells(cells_, qid):
    """A polars or pyarrow text column (plain, string view, dictionary) is split in Arrow: the same codes,
    N/A marks and problems as the list of its cells."""
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    cq = yz.load_questionnaire(QID).compiled()
    plain = Encoder(cq).columns({qid: list(cells_)})
    arrow = pa.array(cells_, type=pa.string())
    for column in (
        pl.Series(cells_, dtype=pl.String),
        arrow,
        pa.chunked_array([arrow]),
        arrow.dictionary_encode(),
    ):
        got = Encoder(cq).columns({qid: column})
        np.testing.assert_array_equal(got.codes, plain.codes)
        np.testing.assert_array_equal(got.na, plain.na)
        _assert_same_problems(got.errors, plain.errors)
