"""Fuzzing the entry points (issue 11): only YzMaturityError escapes, every row is accounted for,
outputs stay escaped.  About 11,000 generated inputs per run in all (see ``EXAMPLES``)."""

from __future__ import annotations

import copy
import io
import json
import math
import zipfile
from typing import Any

import pytest
import yaml
from hostile import mini_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import yzmaturity as yz
from yzmaturity._files import parse_text
from yzmaturity._loading import questionnaire_from_data
from yzmaturity._text import terminal_safe

EXAMPLES = {
    "yaml": 3500,
    "json": 600,
    "questionnaire": 1000,
    "sheet": 2500,
    "terminal": 3000,
    "table": 250,
    "csv": 400,
    "xlsx": 500,
}


def _settings(name: str) -> settings:
    return settings(
        max_examples=EXAMPLES[name],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        database=None,
    )


CONTROL = "\x00\x07\x08\x1b\x7f\x9b\u202e\u2066\r\n\t"
hostile_text = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list(CONTROL)), max_size=40)
hostile_value = st.one_of(
    st.sampled_from(
        [
            math.nan,
            math.inf,
            -math.inf,
            1e308,
            -1e308,
            10**400,
            -(10**30),
            True,
            False,
            None,
            "",
            "1",
            "no",
            ";",
            "n/a",
            [],
            {},
            [None],
            {"zh": None},
            "x" * 5000,
        ]
    ),
    st.integers(),
    st.floats(),
    hostile_text,
    st.lists(hostile_text, max_size=3),
)

# ----------------------------------------------------------------------------- files
YAML_TOKENS = [
    *"ab01 :-[]{},&*!|>'\"#?%@`\n\t.~\\<=",
    "!!python/object",
    "\x00",
    "\ufeff",
    "  ",
    "- ",
    ": ",
    "<<",
]
yaml_text = st.lists(st.sampled_from(YAML_TOKENS), max_size=80).map("".join)


@_settings("yaml")
@given(yaml_text)
def test_any_yaml_text_parses_or_is_a_file_error(text):
    try:
        ours = parse_text(text, fmt="yaml")
    except yz.FileLoadError:
        return
    # What is read is what libyaml's safe loader reads (dates kept as text): the guards change nothing else.
    assert repr(ours) == repr(yaml.load(text, Loader=_NoDates))


class _NoDates(yaml.CSafeLoader):  # type: ignore[name-defined,misc]
    pass


_NoDates.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if not tag.endswith(":timestamp")]
    for k, v in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30,
)


@_settings("json")
@given(json_values, st.integers(0, 200), st.sampled_from(["", "]", "{", "NaN", '"', "\\", "9" * 500, ",,"]))
def test_any_json_text_parses_or_is_a_file_error(value, cut, junk):
    text = json.dumps(value)
    text = text[:cut] + junk + text[cut:]
    try:
        ours = parse_text(text, fmt="json")
    except yz.FileLoadError:
        return
    assert ours == json.loads(text)  # the guards refuse; they never change what is read


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


MINI = mini_data()
MINI_PATHS = _paths(MINI)


@_settings("questionnaire")
@given(st.lists(st.tuples(st.sampled_from(MINI_PATHS), hostile_value), min_size=1, max_size=3))
def test_a_mutated_questionnaire_is_valid_or_a_questionnaire_error(changes):
    data = copy.deepcopy(MINI)
    for path, value in changes:
        target = data
        try:
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        q = questionnaire_from_data(data)
    except yz.YzMaturityError:
        return
    sheet = {"questionnaire": q.id, "enterprise": {"name": "E"}, "answers": {}}
    try:
        a = yz.assess(sheet, q)
    except yz.YzMaturityError:
        return
    assert math.isfinite(a.overall) and 0 <= a.overall <= 100


MINI_QUESTIONS = ["E1", "E2", "S1", "S2", "O1", "O2", "O3", "X9"]
PROFILE_FIELDS = ["name", "region", "industry", "credit_code", "employees", "revenue_yuan", "roles"]


@_settings("sheet")
@given(
    st.dictionaries(
        st.sampled_from(MINI_QUESTIONS), hostile_value | st.sampled_from(["some", ["erp"], 35, 2])
    ),
    st.dictionaries(st.sampled_from(PROFILE_FIELDS), hostile_value, max_size=3),
)
def test_a_hostile_sheet_scores_or_is_an_answer_error(mini, answers, profile):
    sheet = {
        "questionnaire": "mini",
        "enterprise": {"name": "扬州"} | profile,
        "answers": answers,
    }
    try:
        a = yz.assess(sheet, mini)
    except yz.YzMaturityError:
        return
    assert math.isfinite(a.overall) and 0 <= a.overall <= 100
    summary = a.summary("en")
    assert "\x1b" not in summary and "\x00" not in summary


@_settings("terminal")
@given(hostile_text)
def test_terminal_output_never_carries_a_control_character(text):
    safe = terminal_safe(text)
    assert not any((ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in safe)
    assert "\u202e" not in safe and "\u2066" not in safe


# ----------------------------------------------------------------------------- tables
pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
pytest.importorskip("openpyxl")

from yzmaturity._tables import read_table, score_table  # noqa: E402

COLUMNS = ["name", "industry", "employees", "E1", "E2", "S1", "S2", "O1", "O2", "O3"]
cell = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "some",
            "full",
            "erp;mes",
            ";",
            "none;erp",
            "35",
            "1e400",
            "9" * 400,
            "true",
            "n/a",
            "C36",
            "Ｃ３６",
            "=cmd()",
        ]
    ),
    hostile_text,
    st.floats(),
    st.integers(-(10**20), 10**20),
    st.booleans(),
)


@_settings("table")
@given(st.lists(st.fixed_dictionaries({c: cell for c in COLUMNS}), min_size=1, max_size=6))
def test_every_row_of_a_hostile_table_is_accounted_for(mini, rows):
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    try:
        result = score_table(mini, frame, progress=False, match=False)
    except yz.YzMaturityError:
        return
    assert len(result) == len(rows)
    valid = result.frame["valid"].to_numpy()
    errors = result.errors[result.errors["severity"] == "error"]
    with_errors = set(errors["row"].tolist())
    assert with_errors <= set(range(1, len(rows) + 1))
    assert {i + 1 for i in range(len(rows)) if not valid[i]} == with_errors
    overall = result.frame.loc[result.frame["valid"], "overall"]
    assert overall.between(0, 100).all()


@_settings("csv")
@given(st.binary(max_size=300) | st.text(max_size=200).map(lambda t: t.encode("utf-8")))
def test_any_csv_bytes_read_or_are_a_file_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(b"name,E1\n" + data)
    try:
        frame = read_table(path)
    except yz.YzMaturityError:
        return
    assert list(frame.columns)[:1] == ["name"] or frame.shape[1] >= 1


def _xlsx_bytes(sheet_xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="a"/></sheets></workbook>',
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>E2</t></is></c></row>'
    b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2"><v>35</v></c></row>'
    b"</sheetData></worksheet>"
)


@_settings("xlsx")
@given(st.integers(0, len(SHEET)), st.integers(0, 30), st.binary(max_size=12))
def test_a_mutated_xlsx_reads_or_is_a_clear_error(tmp_path_factory, at, cut, junk):
    path = tmp_path_factory.mktemp("xlsx") / "t.xlsx"
    path.write_bytes(_xlsx_bytes(SHEET[:at] + junk + SHEET[at + cut :]))
    try:
        frame = read_table(path)
    except yz.YzMaturityError:
        return
    assert frame.shape[1] <= 2


def test_the_fuzz_budget_is_at_least_ten_thousand_inputs():
    assert sum(EXAMPLES.values()) >= 10_000
