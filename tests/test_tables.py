"""Wide tables of enterprises: read, validate every row at once, score, match, write safely, scale out."""

from __future__ import annotations

import csv
import io
import math
import pickle
import re
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

import yzmaturity as yz
from yzmaturity._cli import main
from yzmaturity._compile import ProfileColumns
from yzmaturity._encode import Encoder
from yzmaturity._exceptions import FileLoadError, MissingDependencyError
from yzmaturity._factorize import FactorizedColumn
from yzmaturity._matching import STATES, match_batch
from yzmaturity._profile import PROFILE_KINDS
from yzmaturity._tables import (
    TableError,
    escape_formulas,
    output_meta,
    read_table,
    score_partition,
    score_table,
    table_columns,
    table_header,
    table_template,
    write_table,
)
from yzmaturity._tables.profile import ProfileBuilder

pd = pytest.importorskip("pandas")
Q = yz.load_questionnaire("yangzhou-2022")
CQ = Q.compiled()


def valid_code(first17: str) -> str:
    return first17 + yz.credit_code_check_char(first17)


CODE = valid_code("91321000MA1X4PQE2")  # a Yangzhou (3210) registration
CODE_ELSEWHERE = valid_code("91320100MA1X4PQE2")  # Nanjing


def random_sheets(n: int, seed: int = 0) -> list[yz.AnswerSheet]:
    """Valid random sheets: every question answered (skipped ones too: they warn, as in a table)."""
    rng = np.random.default_rng(seed)
    sheets = []
    industries = ["C36", "C34", "C26", "I65", None]
    for i in range(n):
        answers: dict[str, yz.Answer] = {}
        for question in CQ.questions:
            if question.allow_na and rng.random() < 0.1:
                answers[question.id] = yz.Answer(not_applicable=True)
                continue
            t = question.type
            if t == "single_choice":
                value: object = question.options[int(rng.integers(len(question.options)))].id
            elif t == "multiple_choice":
                normal = [o.id for o in question.options if not o.exclusive]
                picked = [o for o in normal if rng.random() < 0.4]
                none = [o.id for o in question.options if o.exclusive]
                value = picked or none[:1]
            elif t == "yes_no":
                value = bool(rng.random() < 0.5)
            elif t in ("scale", "scene_level"):
                value = int(rng.integers(int(question.min or 0), int(question.max or 0) + 1))
            else:
                value = round(float(rng.uniform(question.min or 0, min(question.max or 100, 100))), 1)
            answers[question.id] = yz.Answer(value=value)
        enterprise = yz.Enterprise(
            name=f"测试企业{i}",
            credit_code=[CODE, CODE_ELSEWHERE, None][i % 3],
            region=["江都区", "Nanjing", None, "邗江区"][i % 4],
            industry=industries[i % len(industries)],
            employees=int(rng.integers(5, 3000)) if i % 5 else None,
            revenue_yuan=float(rng.integers(1, 500)) * 1e6 if i % 7 else None,
            roles=[["manufacturer"], ["manufacturer", "equipment_maker"], ["solution_provider"]][i % 3],
            rnd=[True, False, None][i % 3],
            diagnosed=bool(i % 2),
            planned_investment_yuan=[None, 5e6][i % 2],
            years_operating=[None, 12][i % 2],
            certifications=[[], ["dcmm-2"], ["cmmm-2", "liangrong-aa"]][i % 3],
        )
        sheets.append(yz.AnswerSheet(questionnaire=Q.id, enterprise=enterprise, answers=answers))
    return sheets


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(map(str, value))
    return str(value)


def table_of(sheets: list[yz.AnswerSheet]) -> pd.DataFrame:
    """The wide-format table of some sheets, every cell as text (as a CSV reads)."""
    rows = []
    for s in sheets:
        e = s.enterprise
        row = {
            "name": e.name,
            "credit_code": cell(e.credit_code),
            "region": cell(e.region),
            "industry": cell(e.industry),
            "employees": cell(e.employees),
            "revenue_yuan": cell(e.revenue_yuan),
            "roles": ";".join(str(r) for r in e.roles),
            "rnd": cell(e.rnd),
            "diagnosed": cell(e.diagnosed),
            "planned_investment_yuan": cell(e.planned_investment_yuan),
            "years_operating": cell(e.years_operating),
            "certifications": ";".join(e.certifications),
        }
        for qid in CQ.qids:
            answer = s.answers.get(qid)
            row[qid] = "" if answer is None else ("n/a" if answer.not_applicable else cell(answer.value))
        rows.append(row)
    return pd.DataFrame(rows, dtype=object).replace("", None)


@pytest.fixture(scope="module")
def sheets() -> list[yz.AnswerSheet]:
    return random_sheets(40)


@pytest.fixture(scope="module")
def table(sheets) -> pd.DataFrame:
    return table_of(sheets)


def computed(result) -> pd.DataFrame:
    return result.frame[result.result_columns].reset_index(drop=True)


# --------------------------------------------------------------------------- the same numbers
def test_table_scores_equal_the_sheet_path(sheets, table):
    result = score_table(Q, table)
    batch = yz.score_batch(Q, sheets)
    assert batch.valid.all() and result.scores.valid.all(), result.errors
    frame = result.frame
    assert len(frame) == len(sheets)
    np.testing.assert_allclose(frame["overall"], batch.overall)
    assert frame["level"].tolist() == batch.level.tolist()
    for d, did in enumerate(CQ.dim_ids):
        np.testing.assert_allclose(frame[f"score:{did}"], batch.dimensions[:, d], equal_nan=True)
    names = [lv.name.zh for lv in Q.levels.levels]
    assert frame["level_name"].tolist() == [names[lv] for lv in batch.level]
    # Recommendations: the same as matching the sheets' scores.
    catalog = yz.load_catalog("yangzhou-zgsz-2022")
    cohort = match_batch(catalog, batch)
    for j, c in enumerate(catalog.categories):
        np.testing.assert_allclose(frame[f"fit:{c.id}"], cohort.arrays.fit[:, j])
        assert frame[f"eligibility:{c.id}"].tolist() == [STATES[s] for s in cohort.arrays.state[:, j]]
    # Warnings (answers to skipped questions) are the sheets' too.
    sheet_warnings = sorted((i + 1, e.loc[-1]) for i in batch.warnings for e in batch.warnings[i])
    table_warnings = sorted(zip(result.errors["row"], result.errors["column"], strict=True))
    assert table_warnings == sheet_warnings
    assert set(result.errors["severity"]) <= {"warning"}


def test_profile_arrays_equal_the_enterprise_model(sheets, table):
    added = []
    arrays = ProfileBuilder(pd, table, len(table), lambda row, e: added.append((row, e))).build()
    assert added == []
    reference = ProfileColumns(len(sheets), enterprises=[s.enterprise for s in sheets])
    for name, kind in PROFILE_KINDS.items():
        value = arrays[name]
        got = value() if callable(value) else value
        want = reference.get(name)
        if kind in ("numeric", "bool"):
            np.testing.assert_array_equal(got, want, err_msg=name)
        else:
            assert got.tolist() == want.tolist(), name


def _credit_code(division: str) -> str:
    first17 = "91" + division + "00MA1XXXX01"
    return first17 + yz.credit_code_check_char(first17)


@pytest.mark.parametrize("arrow", [True, False])
@pytest.mark.parametrize("dtype", ["string", "object"])
def test_profile_rules_agree_scalar_and_vectorised(monkeypatch, arrow, dtype):
    # Yangzhou by region, by credit code (Yangzhou: 3210; Nanjing: 3201), both, neither, unknown.
    yangzhou, nanjing = _credit_code("3210"), _credit_code("3201")
    cells = [
        (yangzhou, None),
        (nanjing, None),
        (yangzhou.lower(), "江都区"),
        (None, "Yangzhou city"),
        (None, "Nanjing"),
        (yangzhou, "Nanjing"),
        (nanjing, "扬州市广陵区"),
        (None, None),
    ]
    sizes = [(3, 1e5), (30, 3e6), (300, 3e7), (1500, 5e8), (None, 2e7), (50, None), (1000, 1e8), (0, 0.0)]
    industries = ["C34", "36", "c3670", None, "I65", "C13", "C40", "C41"]
    rows = [
        {
            "name": f"e{i}",
            "credit_code": code,
            "region": region,
            "industry": industry,
            "employees": None if employees is None else str(employees),
            "revenue_yuan": None if revenue is None else str(revenue),
            "roles": "equipment_maker;manufacturer" if i % 2 else None,
            "certifications": " DCMM-2;cmmm-2 ;dcmm-2" if i % 3 else None,
        }
        for i, ((code, region), (employees, revenue), industry) in enumerate(
            zip(cells, sizes, industries, strict=True)
        )
    ]
    enterprises = [
        yz.Enterprise(
            **{k: v for k, v in row.items() if v is not None and k not in ("roles", "certifications")},
            roles=(row["roles"] or "manufacturer").split(";"),
            certifications=(row["certifications"] or "").split(";"),
        )
        for row in rows
    ]
    frame = pd.DataFrame(rows).astype("string" if dtype == "string" else object)
    if not arrow:
        monkeypatch.setattr("yzmaturity._tables.deps.pyarrow", lambda: None)
    added = []
    arrays = ProfileBuilder(pd, frame, len(frame), lambda row, e: added.append((row, e))).build()
    assert added == []
    reference = ProfileColumns(len(rows), enterprises=enterprises)
    assert [e.in_yangzhou for e in enterprises] == [True, False, True, True, False, True, True, None]
    for name, kind in PROFILE_KINDS.items():
        value = arrays[name]
        got = value() if callable(value) else value
        want = reference.get(name)
        if kind in ("numeric", "bool"):
            np.testing.assert_array_equal(np.asarray(got, dtype=np.float64), want, err_msg=name)
        else:
            assert got.tolist() == want.tolist(), name


# --------------------------------------------------------------------------- formats
def test_round_trips_csv_xlsx_parquet_pandas_polars(tmp_path, table):
    reference = computed(score_table(Q, table))
    for suffix in ("csv", "xlsx", "parquet"):
        path = tmp_path / f"t.{suffix}"
        write_table(table, path)
        got = computed(score_table(Q, path))
        pd.testing.assert_frame_equal(got, reference, obj=suffix)
    polars = pytest.importorskip("polars")
    got = computed(score_table(Q, polars.from_pandas(table.astype("string"))))
    pd.testing.assert_frame_equal(got, reference, obj="polars")


def test_typed_cells_from_parquet_and_xlsx(tmp_path, sheets, table):
    """Numbers, booleans and integers as typed cells (not text) give the same scores."""
    typed = table.copy()
    for name in ("employees", "years_operating"):
        typed[name] = pd.to_numeric(typed[name]).astype("Int64")
    for name in ("revenue_yuan", "planned_investment_yuan"):
        typed[name] = pd.to_numeric(typed[name])
    for qid, question in zip(CQ.qids, CQ.questions, strict=True):
        if question.type == "yes_no":
            typed[qid] = typed[qid].map({"true": True, "false": False}).astype("boolean")
        if question.type == "numeric" and not question.allow_na:
            typed[qid] = pd.to_numeric(typed[qid])
    typed["diagnosed"] = typed["diagnosed"].map({"true": True, "false": False})
    reference = computed(score_table(Q, table))
    pd.testing.assert_frame_equal(computed(score_table(Q, typed)), reference)
    typed.to_parquet(tmp_path / "typed.parquet", index=False)
    pd.testing.assert_frame_equal(computed(score_table(Q, tmp_path / "typed.parquet")), reference)
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(list(typed.columns))
    for record in typed.astype(object).itertuples(index=False):
        ws.append(
            [
                None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v
                for v in record
            ]
        )
    book.save(tmp_path / "typed.xlsx")
    pd.testing.assert_frame_equal(computed(score_table(Q, tmp_path / "typed.xlsx")), reference)


def test_csv_text_is_read_as_text_never_guessed(tmp_path):
    header = ["name", *[q for q in CQ.qids]]
    best = yz.example_answers(Q, "best")
    values = [cell(best.answers[q].value) for q in CQ.qids]
    lines = [header, ["NA", *values], ["N/A", *values], ["null", *values]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    path = tmp_path / "t.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    frame = score_table(Q, path).frame
    assert frame["name"].tolist() == ["NA", "N/A", "null"]  # names, not blanks
    assert frame["valid"].all()


def test_gb18030_csv_is_read_and_reported(tmp_path, table):
    path = tmp_path / "gbk.csv"
    path.write_bytes(table.to_csv(index=False).encode("gb18030"))
    frame = read_table(path)
    assert frame.attrs["encoding"] == "gb18030"
    assert frame["name"].iloc[0] == "测试企业0"
    with pytest.raises(FileLoadError) as info:
        read_table(path, encoding="utf-8")
    assert info.value.code == "bad_encoding"


def test_empty_lines_keep_row_numbers_and_trailing_ones_are_dropped(tmp_path, table):
    text = table.head(3).to_csv(index=False)
    lines = text.splitlines()
    path = tmp_path / "gaps.csv"
    path.write_text("\n".join([*lines[:2], "", *lines[2:]]) + "\n\n\n", encoding="utf-8")
    result = score_table(Q, path)
    assert len(result.frame) == 4  # three enterprises and the empty line between them
    assert result.frame["valid"].tolist() == [True, False, True, True]
    errors = result.errors[result.errors["severity"] == "error"]
    assert errors[["row", "code"]].values.tolist() == [[2, "empty_row"]]


def test_size_limits(tmp_path, table, monkeypatch):
    path = tmp_path / "t.csv"
    write_table(table, path)
    with pytest.raises(FileLoadError) as info:
        read_table(path, max_bytes=100)
    assert info.value.code == "file_too_large"
    xlsx = tmp_path / "t.xlsx"
    write_table(table, xlsx)
    monkeypatch.setattr("yzmaturity._tables.xlsx.MAX_XLSX_UNPACKED_BYTES", 1000)
    with pytest.raises(FileLoadError) as info:
        read_table(xlsx)
    assert info.value.code == "file_too_large"
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip")
    with pytest.raises(FileLoadError) as info:
        read_table(tmp_path / "fake.xlsx")
    assert info.value.code == "bad_xlsx"
    with pytest.raises(FileLoadError) as info:
        read_table(tmp_path / "t.json")
    assert info.value.code == "bad_extension"
    with pytest.raises(FileLoadError) as info:
        read_table(tmp_path / "missing.csv")
    assert info.value.code == "file_not_found"


def test_duplicate_header_in_a_csv(tmp_path, table):
    path = tmp_path / "dup.csv"
    text = table.head(2).to_csv(index=False)
    header, rest = text.split("\n", 1)
    path.write_text(header + ",name\n" + "\n".join(line + ",x" for line in rest.splitlines()) + "\n")
    with pytest.raises(TableError) as info:
        score_table(Q, path)
    assert [(d.code, d.loc[-1]) for d in info.value.details] == [("duplicate_column", "name")]


# --------------------------------------------------------------------------- validation
def test_a_large_frame_runs_two_stages_at_once_with_the_same_results(table, monkeypatch):
    """Above ``BATCH_ROWS`` rows the profile columns are checked on a helper thread while the answers are
    encoded, and the error table is built on one while the rows are matched: the same scores, rows and
    problems as one stage after the other."""
    import threading

    from yzmaturity._batch_mode import BATCH_ROWS
    from yzmaturity._tables import score as score_module

    big = pd.concat([table] * (BATCH_ROWS // len(table) + 1), ignore_index=True)
    big.loc[::7, "credit_code"] = "91321000MA1XXXX01X"  # a bad check character
    big.loc[::11, "employees"] = "many"
    question = next(q.id for q in yz.load_questionnaire(Q).questions if q.options and q.id in big.columns)
    big.loc[::13, question] = "no such option"
    threads: dict[str, list[str]] = {"profile": [], "errors": []}
    build, error_frame = ProfileBuilder.build, score_module.error_frame

    def built(self: ProfileBuilder) -> Any:
        threads["profile"].append(threading.current_thread().name)
        return build(self)

    def errors(*args: Any) -> Any:
        threads["errors"].append(threading.current_thread().name)
        return error_frame(*args)

    monkeypatch.setattr(ProfileBuilder, "build", built)
    monkeypatch.setattr(score_module, "error_frame", errors)
    alongside = score_table(Q, big)
    monkeypatch.setattr(score_module, "BATCH_ROWS", len(big))  # one stage after the other
    alone = score_table(Q, big)
    here = threading.current_thread().name
    assert threads == {"profile": [threads["profile"][0], here], "errors": [threads["errors"][0], here]}
    assert here not in (threads["profile"][0], threads["errors"][0])
    pd.testing.assert_frame_equal(alongside.frame, alone.frame)
    pd.testing.assert_frame_equal(alongside.errors, alone.errors)
    assert {"bad_credit_code", "wrong_type", "unknown_option"} <= set(alongside.errors["code"])


def test_lazy_validation_reports_every_problem_and_keeps_every_row(table):
    bad = table.head(9).copy()
    bad.loc[1, "credit_code"] = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")  # row 2: check character
    bad.loc[2, "strat_invest"] = "nan"  # row 3: text, not a number
    bad.loc[3, "strat_plan"] = None  # row 4: a required answer missing
    bad.loc[4, "eq_automation"] = "robots"  # row 5: unknown option
    bad.loc[4, "employees"] = "-5"  # ... and a negative head count, same row
    bad.loc[5, "strat_diagnosed"] = "maybe"  # row 6: not an accepted yes/no spelling
    bad.loc[6, "ii_network"] = "office;none"  # row 7: exclusive option combined
    bad.loc[7, "scene_quality"] = "n/a"  # row 8: n/a where it is not allowed
    bad.loc[8, "industry"] = "C99"  # row 9: no such division
    result = score_table(Q, bad)
    frame = result.frame
    assert len(frame) == len(bad)
    assert frame["valid"].tolist() == [True] + [False] * 8
    errors = result.errors[result.errors["severity"] == "error"]
    found = [tuple(r) for r in errors[["row", "column", "code"]].itertuples(index=False)]
    assert found == [
        (2, "credit_code", "bad_credit_code"),
        (3, "strat_invest", "wrong_type"),
        (4, "strat_plan", "missing_required"),
        (5, "employees", "out_of_range"),
        (5, "eq_automation", "unknown_option"),
        (6, "strat_diagnosed", "wrong_type"),
        (7, "ii_network", "exclusive_option"),
        (8, "scene_quality", "na_not_allowed"),
        (9, "industry", "bad_industry"),
    ]
    first = errors.iloc[0]
    assert "should be" in first["message"] and first["got"] == bad.loc[1, "credit_code"]
    assert "unified social credit code" in first["expected"]
    assert errors.iloc[4]["got"] == "robots" and "manual" in errors.iloc[4]["expected"]
    assert frame["errors"].tolist() == [0, 1, 1, 1, 2, 1, 1, 1, 1]
    assert frame.loc[4, "error_summary"] == "employees: out_of_range; eq_automation: unknown_option"
    assert frame.loc[1:, "overall"].isna().all() and frame.loc[1:, "level"].isna().all()
    assert frame.loc[1:, "eligibility:diagnosis_service"].isna().all()
    assert frame.loc[0, "overall"] == pytest.approx(score_table(Q, table.head(1)).frame.loc[0, "overall"])
    with pytest.raises(TableError) as info:
        score_table(Q, bad, lazy=False)
    assert "8 of 9 rows" in str(info.value)
    assert ("row", 2, "credit_code") in [d.loc for d in info.value.details]


@pytest.mark.parametrize(
    ("question", "text", "ok"),
    [
        ("strat_diagnosed", "TRUE", True),
        ("strat_diagnosed", "1", True),
        ("strat_diagnosed", "是", True),
        ("strat_diagnosed", "否", True),
        ("strat_diagnosed", " false ", True),
        ("strat_diagnosed", "yes", True),  # as the English drop-down shows it
        ("strat_diagnosed", "maybe", False),
        ("strat_diagnosed", "2", False),
        ("strat_invest", " 35 ", True),
        ("strat_invest", "3.5e1", True),
        ("strat_invest", "1,000", False),
        ("strat_invest", "inf", False),
        ("strat_invest", "1e400", False),
        ("strat_invest", "500", False),
        ("strat_invest", "３５", True),  # full-width digits: one leniency everywhere
        ("strat_training", "3", True),
        ("strat_training", "3.5", False),
        ("strat_plan", " written ", True),
        ("strat_plan", "Written", True),  # any case
        ("strat_plan", "writen", False),
        ("strat_invest", "35%", True),  # the unit is %
        ("strat_training", "3%", False),  # a percentage where the unit is not %
        ("ii_network", "office; industrial", True),
        ("ii_network", "office;office", False),
        ("ii_5g_apps", "N/A", True),
    ],
)
def test_cell_spellings(table, question, text, ok):
    one = table.head(1).copy()
    one.loc[0, question] = text
    result = score_table(Q, one)
    assert bool(result.frame.loc[0, "valid"]) is ok, result.errors


def test_na_and_blank_mean_what_the_format_says(table):
    one = table.head(2).copy()
    one.loc[0, "eq_robots"] = "n/a"
    one.loc[1, "eq_robots"] = None
    result = score_table(Q, one)
    assert result.frame.loc[0, "valid"]
    assert result.scores.matrix is not None
    col = CQ.index["eq_robots"]
    assert result.scores.matrix.na[0, col] and not result.scores.matrix.na[1, col]
    assert result.errors.query("row == 2 and severity == 'error'")["code"].tolist() == ["missing_required"]


def test_table_errors_name_every_bad_column(table):
    bad = table.head(2).copy()
    bad["strat_pln"] = "x"
    bad["notes"] = "y"
    bad["_kept"] = "z"
    bad = bad.drop(columns=["eq_automation"])
    with pytest.raises(TableError) as info:
        score_table(Q, bad)
    found = {(d.code, d.loc[-1]) for d in info.value.details}
    assert found == {
        ("unknown_column", "strat_pln"),
        ("unknown_column", "notes"),
        ("missing_column", "eq_automation"),
    }
    assert "did you mean 'strat_plan'" in str(info.value)
    assert isinstance(info.value, yz.YzMaturityError)


def test_passthrough_columns_are_kept_and_id_columns_checked(table):
    t = table.head(3).copy()
    t.insert(0, "_row", ["a", "b", "c"])
    t["survey_id"] = [7, 8, 9]
    result = score_table(Q, t, id_columns=["survey_id"])
    assert result.frame["_row"].tolist() == ["a", "b", "c"]
    assert result.frame["survey_id"].tolist() == [7, 8, 9]
    assert list(result.frame.columns[:2]) == ["_row", "name"]
    with pytest.raises(TableError, match="appears 2 times"):
        score_table(Q, pd.concat([t, t[["name"]]], axis=1), id_columns=["survey_id"])
    with pytest.raises(TableError, match="result column"):
        score_table(Q, t.rename(columns={"survey_id": "overall"}), id_columns=["overall"])
    with pytest.raises(TableError, match="not in the table"):
        score_table(Q, t, id_columns=["survey_id", "batch"])


def test_the_result_frame_shares_no_memory_with_the_scores_or_the_input(table):
    """The result frame is built without consolidating its columns: editing it must still leave the
    scores (and the input) alone."""
    t = table.head(5).copy()
    result = score_table(Q, t)
    overall = result.scores.overall.copy()
    dimensions = result.scores.dimensions.copy()
    name = t["name"].copy()
    result.frame.loc[:, "overall"] = -1.0
    result.frame.iloc[0, result.frame.columns.get_loc(f"score:{Q.compiled().dim_ids[0]}")] = -1.0
    result.frame.loc[:, "name"] = "changed"
    np.testing.assert_array_equal(result.scores.overall, overall)
    np.testing.assert_array_equal(result.scores.dimensions, dimensions)
    assert t["name"].equals(name)
    assert (result.frame["overall"] == -1.0).all()


def test_summary(table):
    bad = table.head(4).copy()
    bad.loc[3, "strat_plan"] = "maybe"
    info = score_table(Q, bad).summary()
    assert info["rows"] == 4 and info["valid"] == 3 and info["invalid"] == 1
    assert info["error_codes"] == {"unknown_option": 1}
    assert sum(info["levels"].values()) == 3


# --------------------------------------------------------------------------- writing
def test_formula_injection_is_guarded_in_csv_and_xlsx(tmp_path, table):
    t = table.head(3).copy()
    t.loc[0, "name"] = '=HYPERLINK("http://evil.example","click")'
    t.loc[1, "name"] = "@SUM(A1:A9)"
    t.loc[2, "name"] = "-5"  # a plain number: harmless, kept
    t["_note"] = ["+86 514 000", "\t=1+1", "ok"]
    t["_count"] = [-3, 4, 5]  # numbers are never altered
    result = score_table(Q, t)
    path = tmp_path / "out.csv"
    write_table(result.frame, path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0]["name"] == "'" + t.loc[0, "name"]
    assert rows[1]["name"] == "'@SUM(A1:A9)"
    assert rows[2]["name"] == "-5"
    assert [r["_note"] for r in rows] == ["'+86 514 000", "'\t=1+1", "ok"]
    assert [r["_count"] for r in rows] == ["-3", "4", "5"]
    openpyxl = pytest.importorskip("openpyxl")
    xlsx = tmp_path / "out.xlsx"
    write_table(result.frame, xlsx)
    ws = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in ws[1]]
    name = ws.cell(row=2, column=header.index("name") + 1)
    assert name.value == "'" + t.loc[0, "name"] and name.data_type == "s"
    assert ws.cell(row=3, column=header.index("name") + 1).value == "'@SUM(A1:A9)"
    count = ws.cell(row=2, column=header.index("_count") + 1)
    assert count.value == -3 and count.data_type == "n"
    overall = ws.cell(row=2, column=header.index("overall") + 1)
    assert overall.data_type == "n" and overall.value == pytest.approx(result.frame.loc[0, "overall"])
    # The frame itself is left alone; Parquet is not a spreadsheet and is not touched.
    assert result.frame.loc[0, "name"] == t.loc[0, "name"]
    write_table(result.frame, tmp_path / "out.parquet")
    assert pd.read_parquet(tmp_path / "out.parquet").loc[0, "name"] == t.loc[0, "name"]


def test_xlsx_refuses_control_characters_with_their_cell(tmp_path, table):
    pytest.importorskip("openpyxl")
    t = table.head(2).copy()
    t.loc[1, "name"] = "bad\x07name"
    with pytest.raises(TableError) as info:
        write_table(t, tmp_path / "x.xlsx")
    assert info.value.details[0].loc == ("row", 2, "name")


def test_escape_formulas_guards_headers_and_categories():
    frame = pd.DataFrame({"=cmd": ["a"], "c": pd.Categorical(["=x"]), "o": pd.Series(["@y"], dtype=object)})
    safe = escape_formulas(frame)
    assert list(safe.columns) == ["'=cmd", "c", "o"]
    assert safe["c"].tolist() == ["'=x"] and safe["o"].tolist() == ["'@y"]


_FORMULA_TEXT = st.text(alphabet="=+-@\t\r'a1.e中 ", max_size=5)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(_FORMULA_TEXT, st.none()), min_size=1, max_size=30))
def test_csv_table_guards_as_escape_formulas(cells):
    """The CSV writer's table (guarded on Arrow buffers) says what escape_formulas then pyarrow say."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.csv as pcsv

    from yzmaturity._tables.write import _guard, _guard_text, csv_table, plain_for_arrow

    frame = pd.DataFrame(
        {
            "str": pd.array(cells, dtype="str"),
            "object": pd.Series(cells, dtype=object),
            "category": pd.Categorical(cells),
            "=name": np.arange(len(cells)),
        }
    )
    expected = pa.Table.from_pandas(plain_for_arrow(pd, escape_formulas(frame)), preserve_index=False)
    got = csv_table(frame)
    assert got.column_names == expected.column_names
    for name in got.column_names:
        assert got.column(name).to_pylist() == expected.column(name).to_pylist(), name
    written = [pa.BufferOutputStream(), pa.BufferOutputStream()]
    pcsv.write_csv(expected, written[0])
    pcsv.write_csv(got, written[1])
    assert written[0].getvalue() == written[1].getvalue()
    # Text that starts inside its buffers (a batch sliced from a larger table), in both offset widths.
    for text_type in (pa.string(), pa.large_string()):
        sliced = pa.array(["=before", *cells, "@after"], type=text_type).slice(1, len(cells))
        assert _guard_text(pa, sliced).to_pylist() == [_guard(v) for v in cells]


# --------------------------------------------------------------------------- templates
def test_templates_have_the_header_and_document_every_column(tmp_path, table):
    header = table_header(Q)
    n_profile = len(yz.Enterprise.model_fields)
    assert header[:n_profile] == list(yz.Enterprise.model_fields) and header[n_profile:] == CQ.qids
    for field in ("cmmm_level", "cmmm_assessed_by", "js_selftest_score", "no_major_incident"):
        assert field in header
    data = table_template(Q, tmp_path / "t.csv")
    assert data.startswith("\ufeff".encode())
    assert next(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == header
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.utils import get_column_letter

    table_template(Q, tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["data", "columns", "lists"] and book["lists"].sheet_state == "hidden"
    rules = {str(r.sqref).split(":")[0]: r for r in book["data"].data_validations.dataValidation}
    plan = rules[f"{get_column_letter(header.index('strat_plan') + 1)}2"]
    col, first, last = re.fullmatch(r"lists!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", plan.formula1).groups()
    shown = [book["lists"][f"{col}{r}"].value for r in range(int(first), int(last) + 1)]
    assert shown == [o.label.zh for o in Q.question("strat_plan").options]  # labels, not ids
    assert plan.prompt == Q.question("strat_plan").text.zh and plan.showInputMessage
    # a row filled from the drop-downs (labels, 是/否) scores as the ids would
    one = table.head(1).copy()
    labelled = one.copy()
    for question in Q.questions:
        value = one.loc[0, question.id]
        if question.type == "single_choice" and isinstance(value, str) and value != "n/a":
            labelled.loc[0, question.id] = next(o.label.zh for o in question.options if o.id == value)
        elif question.type == "yes_no" and isinstance(value, bool | np.bool_):
            labelled.loc[0, question.id] = "是" if value else "否"
    assert (labelled != one).sum(axis=1).iloc[0] >= 10  # many cells now hold labels
    assert score_table(Q, labelled).frame["overall"].tolist() == score_table(Q, one).frame["overall"].tolist()
    assert [c.value for c in book["data"][1]] == header
    docs = {row[0]: row for row in book["columns"].iter_rows(min_row=2, values_only=True)}
    assert set(docs) == set(header)
    assert "strategic" in docs["strat_plan"][6] and docs["strat_plan"][7] == Q.questions[0].text.zh
    # An empty template reads back as an empty table: zero rows, no error.
    result = score_table(Q, tmp_path / "t.xlsx")
    assert len(result.frame) == 0 and len(result.errors) == 0
    assert len(table_columns(Q)) == len(header)


# --------------------------------------------------------------------------- CLI
def test_cli_batch_end_to_end(tmp_path, table, capsys):
    bad = table.head(6).copy()
    bad.loc[4, "strat_plan"] = "maybe"
    src = tmp_path / "in.csv"
    write_table(bad, src)
    out, errors = tmp_path / "out.xlsx", tmp_path / "errors.csv"
    code = main(["batch", str(src), "-o", str(out), "--errors", str(errors), "--no-progress"])
    stdout, _ = capsys.readouterr()
    assert code == 0
    assert "共 6 行，有效 5 行，无效 1 行" in stdout and "等级分布" in stdout
    scored = read_table(out)
    assert len(scored) == 6 and scored["valid"].tolist() == [True] * 4 + [False, True]
    problems = read_table(errors)
    assert problems.query("severity == 'error'")[["row", "column", "code"]].values.tolist() == [
        ["5", "strat_plan", "unknown_option"]
    ]
    code = main(["batch", str(src), "-o", str(tmp_path / "o.parquet"), "--json", "--no-progress"])
    assert code == 0 and '"invalid": 1' in capsys.readouterr().out
    # The table itself unusable: exit 1 with the reason, no output written.
    broken = tmp_path / "broken.csv"
    write_table(bad.rename(columns={"strat_plan": "strategy_plan"}), broken)
    code = main(["batch", str(broken), "-o", str(tmp_path / "never.csv")])
    _, stderr = capsys.readouterr()
    assert code == 1 and "strategy_plan" in stderr and not (tmp_path / "never.csv").exists()
    assert main(["batch", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "x.csv")]) == 1
    assert main(["batch", str(src), "-o", str(tmp_path / "x.txt.json"), "--ids"]) == 1
    assert "bad_extension" in capsys.readouterr().err


def test_cli_template_formats(tmp_path, capsys):
    assert main(["template", "yangzhou-2022", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == ",".join(table_header(Q))
    assert main(["template", "yangzhou-2022", "--format", "xlsx", "-o", str(tmp_path / "t.xlsx")]) == 0
    assert read_table(tmp_path / "t.xlsx").columns.tolist() == table_header(Q)
    assert main(["template", "yangzhou-2022", "--format", "xlsx"]) == 2
    assert main(["template", "yangzhou-2022"]) == 0  # the YAML answer sheet, as before
    assert "answers:" in capsys.readouterr().out


# --------------------------------------------------------------------------- scale-out
@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_dask_result_equals_score_table(tmp_path, table, scheduler):
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    bad = table.copy()
    bad.loc[7, "strat_plan"] = "maybe"
    path = tmp_path / "t.csv"
    write_table(bad, path, bom=False)
    expected = computed(score_table(Q, path))
    meta = output_meta("yangzhou-2022")
    assert list(meta.columns) == list(expected.columns)
    assert meta.dtypes.astype(str).tolist() == expected.dtypes.astype(str).tolist()
    with dask.config.set(scheduler=scheduler):
        ddf = dd.from_pandas(read_table(path), npartitions=4)
        got = ddf.map_partitions(score_partition, "yangzhou-2022", meta=meta).compute()
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)
        ddf = dd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], blocksize=4000)
        assert ddf.npartitions > 1
        got = ddf.map_partitions(score_partition, "yangzhou-2022", meta=meta).compute()
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)


def test_score_partition_is_pure_and_picklable(table):
    before = table.copy()
    part = table.head(5)
    a = score_partition(part, "yangzhou-2022")
    b = score_partition(part, "yangzhou-2022")
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(table, before)  # the input is not changed
    assert pickle.loads(pickle.dumps(score_partition)) is score_partition
    assert a.index.equals(part.index)


# --------------------------------------------------------------------------- optional packages
def test_missing_openpyxl_is_a_clear_error(tmp_path, table, monkeypatch):
    write_table(table.head(2), tmp_path / "t.xlsx")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    for call in (
        lambda: read_table(tmp_path / "t.xlsx"),
        lambda: write_table(table, tmp_path / "u.xlsx"),
        lambda: table_template(Q, fmt="xlsx"),
    ):
        with pytest.raises(MissingDependencyError) as info:
            call()
        assert info.value.extra == "excel" and "pip install 'yzmaturity[excel]'" in str(info.value)
    assert main(["batch", str(tmp_path / "t.xlsx"), "-o", str(tmp_path / "o.csv")]) == 1


def test_without_pyarrow_csv_still_works_and_parquet_says_why(tmp_path, table, monkeypatch):
    path = tmp_path / "t.csv"
    bad = table.copy()
    bad.loc[3, "strat_invest"] = "1,5"
    bad.loc[4, "credit_code"] = "12345"
    bad.loc[5, "name"] = "=1+2"
    write_table(bad, path)
    reference = score_table(Q, path)
    monkeypatch.setattr("yzmaturity._tables.deps.pyarrow", lambda: None)  # as if it were not installed
    result = score_table(Q, path)
    pd.testing.assert_frame_equal(computed(result), computed(reference))
    pd.testing.assert_frame_equal(result.errors, reference.errors)
    write_table(result.frame, tmp_path / "again.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "again.csv").read_text(encoding="utf-8-sig"))))
    assert rows[5]["name"] == "'=1+2" and rows[0]["valid"] == "true"
    (tmp_path / "t.parquet").write_bytes(b"PAR1")
    with pytest.raises(MissingDependencyError) as info:
        read_table(tmp_path / "t.parquet")
    assert info.value.extra == "parquet"


def test_import_stays_light():
    code = (
        "import sys, yzmaturity, yzmaturity._tables, yzmaturity._cli; "
        "heavy = {'pandas', 'pyarrow', 'openpyxl', 'dask', 'tqdm', 'polars'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_progress_bar_needs_tqdm(table, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(MissingDependencyError) as info:
        score_table(Q, table.head(2), progress=True)
    assert info.value.extra == "progress"
    assert len(score_table(Q, table.head(2), progress=None).frame) == 2  # auto: no bar, no error


def test_progress_bar_runs(table, capsys):
    pytest.importorskip("tqdm")
    result = score_table(Q, table.head(2), progress=True)
    assert len(result.frame) == 2
    assert "step" in capsys.readouterr().err  # tqdm's bar, on standard error


# --------------------------------------------------------------------------- the encoder's fast path
def test_factorized_column_equals_plain_cells():
    cells = ["erp;mes", None, "erp;mes", ["plm"], "", "none;erp", "n/a", float("nan"), "crm"]
    question = "sys_in_use"
    plain = Encoder(CQ).columns({question: cells})
    from yzmaturity._factorize import factorize_cells

    fast = Encoder(CQ).columns({question: factorize_cells(cells)})
    np.testing.assert_array_equal(plain.codes, fast.codes)
    np.testing.assert_array_equal(plain.na, fast.na)
    assert {i: [str(e) for e in v] for i, v in plain.errors.items()} == {
        i: [str(e) for e in v] for i, v in fast.errors.items()
    }
    codes = {e.code for i in plain.errors for e in plain.errors[i] if e.loc[-1] == question}
    assert codes == {"exclusive_option", "na_not_allowed", "unknown_option", "missing_required"}
    # True and 2 are different cells: the first is a yes, the second a type error for a yes/no question.
    m = Encoder(CQ).columns({"strat_diagnosed": [True, 2, True]})
    assert [e.code for e in m.errors[1] if e.loc[-1] == "strat_diagnosed"] == ["wrong_type"]
    assert not [e for e in m.errors[0] if e.loc[-1] == "strat_diagnosed"]
    numbers = FactorizedColumn(
        ["n/a", "x"], np.array([-1, 0, 1, -1]), np.array([12.0, np.nan, np.nan, 500.0])
    )
    m = Encoder(CQ).columns({"strat_invest": numbers})
    assert m.codes[0, CQ.index["strat_invest"]] == 12.0
    found = {(i, e.code) for i in m.errors for e in m.errors[i] if e.loc[-1] == "strat_invest"}
    assert found == {(1, "na_not_allowed"), (2, "wrong_type"), (3, "out_of_range")}
