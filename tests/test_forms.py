"""Form exports and imports without the external engines (those are in test_forms_engines/_page)."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from forms_fill import direct_answers, random_plan

import yzmaturity as yz
from yzmaturity._cli import main

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def fq() -> yz.Questionnaire:
    return yz.load_questionnaire(DATA / "forms.yaml")


def _elements(survey: dict) -> dict[str, dict]:
    out: dict[str, dict] = {}
    stack = [el for page in survey["pages"] for el in page["elements"]]
    while stack:
        el = stack.pop()
        if el.get("type") == "panel":
            stack.extend(el["elements"])
        else:
            out[el["name"]] = el
    return out


def _with_relevant(fq: yz.Questionnaire, condition: dict) -> yz.Questionnaire:
    data = fq.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["dimensions"][1]["questions"][0]["relevant"] = condition
    return yz.Questionnaire.model_validate(data)


# --------------------------------------------------------------------------- SurveyJS export
def test_surveyjs_has_every_question_both_languages_and_no_scores(fq: yz.Questionnaire) -> None:
    survey = fq.to_surveyjs()
    assert yz.to_surveyjs(fq) == survey
    els = _elements(survey)
    assert {qq.id for qq in fq.questions} <= set(els)
    assert survey["pages"][0]["name"] == "enterprise"
    assert els["A1"]["title"] == {"default": "Equipment digitisation", "zh-cn": "设备数字化程度"}
    assert els["A1"]["description"]["zh-cn"] == "按主要生产设备计"
    assert els["A1"]["isRequired"] is True and "isRequired" not in els["A5"]
    assert {c["value"]: c.get("isExclusive", False) for c in els["A3"]["choices"]}["none"] is True
    assert els["A4"]["type"] == "boolean" and els["A4__na"]["type"] == "boolean"
    assert els["B6"]["type"] == "dropdown" and len(els["B6"]["choices"]) == 21  # 0..20
    assert els["A6"]["type"] == "rating" and (els["A6"]["rateMin"], els["A6"]["rateMax"]) == (1, 5)
    # The N/A box hides the answer; both follow the question's own condition.
    assert "{A4__na} = true" in els["A4"]["visibleIf"] and "{A4__na}" not in els["A4__na"]["visibleIf"]
    # Credit code and industry code validated by the form.
    assert els["enterprise_credit_code"]["validators"][0]["type"] == "regex"
    assert els["enterprise_industry"]["validators"][0]["type"] == "regex"
    assert els["enterprise_certifications"]["choices"] == ["dcmm-2"]
    text = json.dumps(survey)
    assert (
        '"score' not in text
        and "weight" not in text
        and "level" not in text.lower().replace("scene_level", "")
    )


def test_industry_regex_accepts_exactly_the_gbt4754_divisions() -> None:
    import re

    from yzmaturity._forms.common import CREDIT_CODE_REGEX, INDUSTRY_REGEX

    ok = ["C34", "C3670", "A01", "T97", "I65", "C13", "C4390"]
    bad = ["c34", "D34", "C99", "34", "C3", "C34567", "Z01", " C34"]
    assert all(re.match(INDUSTRY_REGEX, code) for code in ok)
    assert not any(re.match(INDUSTRY_REGEX, code) for code in bad)
    assert re.match(CREDIT_CODE_REGEX, "91321012MA1XXXXX0X".replace("X", "0"))
    assert not re.match(CREDIT_CODE_REGEX, "91321012MA1OOOOO00")  # O is not a credit-code character


@pytest.mark.parametrize(
    ("condition", "why"),
    [
        ({"profile": "in_yangzhou", "eq": True}, "in_yangzhou"),
        ({"question_score": "A3", "gte": 0.5}, "multiple-choice"),
    ],
)
def test_a_condition_a_tool_cannot_express_is_refused_by_name(
    fq: yz.Questionnaire, condition: dict, why: str, tmp_path: Path
) -> None:
    q = _with_relevant(fq, condition)
    for export in (q.to_surveyjs, lambda: q.to_xlsform(tmp_path / "x.xlsx")):
        with pytest.raises(yz.QuestionnaireError) as info:
            export()
        detail = info.value.details[0]
        assert detail.code == "form_unsupported_condition"
        assert detail.loc == ("question", "P1", "relevant") and why in detail.message
    assert not (tmp_path / "x.xlsx").exists()


def test_options_differing_only_in_case_cannot_be_compared_in_surveyjs(
    fq: yz.Questionnaire, tmp_path: Path
) -> None:
    data = fq.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["dimensions"][0]["dimensions"][0]["questions"][0]["options"][1]["id"] = "None"
    q = yz.Questionnaire.model_validate(data)
    with pytest.raises(yz.QuestionnaireError) as info:
        q.to_surveyjs()
    # A5 compares A1's options; B3 reads A1's score and B5 counts A1 by score (both via option ids).
    assert [d.loc[1] for d in info.value.details] == ["A5", "B3", "B5"]
    assert "ignoring case" in info.value.details[0].message
    q.to_xlsform(tmp_path / "exact.xlsx")  # XPath compares exactly


def test_question_ids_clashing_with_generated_names_are_refused(fq: yz.Questionnaire) -> None:
    data = fq.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["dimensions"][1]["questions"][0]["id"] = "enterprise_name"
    with pytest.raises(yz.QuestionnaireError) as info:
        yz.Questionnaire.model_validate(data).to_surveyjs()
    assert info.value.details[0].code == "form_name_clash"


# --------------------------------------------------------------------------- XLSForm export
def test_xlsform_sheets_languages_relevance_and_constraints(fq: yz.Questionnaire, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "form.xlsx"
    fq.to_xlsform(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["survey", "choices", "settings"]
    rows = list(book["survey"].values)
    header = list(rows[0])
    assert "label::中文 (zh)" in header and "label::English (en)" in header and "hint::English (en)" in header
    by_name = {r[header.index("name")]: dict(zip(header, r, strict=True)) for r in rows[1:] if r[1]}
    assert by_name["A1"]["type"] == "select_one c_A1"
    assert by_name["A3"]["type"] == "select_multiple c_A3"
    assert "count-selected(.) = 1" in by_name["A3"]["constraint"]
    assert by_name["A4"]["relevant"].startswith("((selected(${A3}, 'erp') or selected(${A3}, 'mes'))")
    assert by_name["A4__na"]["type"] == "select_multiple yz_na"
    # industry_division >= 35 and < 60: divisions 35..97 and 01..59 (contiguous across sections).
    d = "int(substr(${enterprise_industry}, 1, 3))"
    known = "${enterprise_industry} != ''"
    assert by_name["P6"]["relevant"] == (
        f"(({known} and ({d} >= 35 and {d} <= 97)) and ({known} and ({d} >= 1 and {d} <= 59)))"
    )
    assert by_name["enterprise_credit_code"]["constraint"].startswith("regex(., '^")
    assert by_name["A2"]["constraint"] == ". >= 0 and . <= 100"
    settings = list(book["settings"].values)
    assert dict(zip(settings[0], settings[1], strict=True))["default_language"] == "中文 (zh)"


# --------------------------------------------------------------------------- SurveyJS import
def test_surveyjs_import_lists_every_problem_by_field(fq: yz.Questionnaire) -> None:
    data = {
        "enterprise_name": "X",
        "enterprise_credit_code": "913210120000000001",
        "A1": "nope",
        "Z9": 1,
        "enterprise_diagnosed": False,
    }
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.answers_from_surveyjs(fq, data)
    where = {(d.code, d.where) for d in info.value.details}
    assert ("unknown_field", "Z9") in where
    assert any(loc.startswith("enterprise.credit_code") for _, loc in where)
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.answers_from_surveyjs(fq, {"format": "yzmaturity-surveyjs", "questionnaire": "other", "data": {}})
    assert info.value.codes == ["wrong_questionnaire"]


def test_surveyjs_import_profile_from_enterprise_fills_blanks(fq: yz.Questionnaire) -> None:
    plan = random_plan(fq, random.Random(3))
    plan.pop("enterprise_region", None)
    _ent, answers = direct_answers(fq, plan)
    data = {k: v for k, v in plan.items() if k.startswith("enterprise_")}
    data |= {k: v for k, v in answers.items() if v != "n/a"}
    data |= {k + "__na": True for k, v in answers.items() if v == "n/a"}
    # (A region that no condition reads: 江都区 would make P10 relevant, and unanswered.)
    given = yz.Enterprise(name="ignored", region="广陵区", employees=1)
    sheet = yz.answers_from_surveyjs(fq, data, enterprise=given)
    assert sheet.enterprise.region == "广陵区"  # the blank filled
    assert sheet.enterprise.name == plan["enterprise_name"]  # the form wins


# --------------------------------------------------------------------------- ODK / Kobo import
def _odk_row(fq: yz.Questionnaire, plan: dict, prefix: bool) -> dict[str, str]:
    """A submission as ODK Central exports it (group paths joined by '-'), from the direct answers."""
    _ent, answers = direct_answers(fq, plan)
    groups = {}
    for top in fq.dimensions:
        for d in top.walk():
            for qq in d.questions:
                groups[qq.id] = f"g_{top.id}-" + (f"g_{d.id}-" if d is not top else "")
    row: dict[str, str] = {
        "SubmissionDate": "2026-12-01T10:00:00Z",
        "KEY": "uuid:1",
        "meta-instanceID": "uuid:1",
    }

    def put(name: str, value: object, group: str) -> None:
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, list):
            text = " ".join(value)
        else:
            text = str(value)
        row[(group if prefix else "") + name] = text

    for k, v in plan.items():
        if k.startswith("enterprise_"):
            put(k, v, "enterprise-")
    for qid, v in answers.items():
        if v == "n/a":
            put(qid + "__na", "na", groups[qid])
        else:
            put(qid, v, groups[qid])
    return row


def test_odk_random_submissions_give_the_direct_sheets(fq: yz.Questionnaire, tmp_path: Path) -> None:
    rng = random.Random(11)
    plans = [random_plan(fq, rng) for _ in range(40)]
    rows = [_odk_row(fq, p, prefix=True) for p in plans]
    headers = sorted({h for r in rows for h in r})
    path = tmp_path / "central.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers)
        writer.writeheader()
        writer.writerows(rows)
    result = yz.answers_from_odk(fq, path)
    assert len(result.sheets) == 40 and not result.problems.rows()
    for plan, sheet in zip(plans, result.sheets, strict=True):
        ent, answers = direct_answers(fq, plan)
        direct = yz.validate_answers(
            yz.AnswerSheet(
                questionnaire=fq.id, questionnaire_version=fq.version, enterprise=ent, answers=answers
            ),
            fq,
        )
        assert sheet is not None
        assert {k: a.model_dump(mode="json") for k, a in sheet.answers.items()} == {
            k: a.model_dump(mode="json") for k, a in direct.answers.items()
        }
        assert yz.assess(sheet, fq).overall == pytest.approx(yz.assess(direct, fq).overall)


def test_kobo_semicolons_slashes_and_bad_rows_by_row_and_question(
    fq: yz.Questionnaire, tmp_path: Path
) -> None:
    rng = random.Random(12)
    good = {k.replace("-", "/"): v for k, v in _odk_row(fq, random_plan(fq, rng), prefix=True).items()}
    bad = dict(good)
    bad["g_base/g_equip/A1"] = "everything"
    bad["enterprise/enterprise_industry"] = "C99"
    headers = [*sorted(set(good) | set(bad)), "_uuid", "_submission_time"]
    path = tmp_path / "kobo.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=headers, delimiter=";")
        writer.writeheader()
        writer.writerows([good, bad, good])
    result = yz.answers_from_odk(fq, path)
    assert [s is not None for s in result.sheets] == [True, False, True]
    # Kobo's split columns of a select_multiple ("A3/erp": 0/1) never pass for a field, even one
    # named like the option.
    from yzmaturity._forms.importing import _match_header

    assert _match_header("g_base/g_equip/A3/A1", {"A1", "A3"}) is None
    assert _match_header("g_base/g_equip/A1", {"A1", "A3"}) == "A1"
    assert _match_header("g_base-g_equip-A-1", {"A-1"}) == "A-1"
    assert result.problems.rows() == [1]
    where = {d.where for d in result.problems[1]}
    assert "row.1.A1" in where and any(w.startswith("row.1.enterprise.industry") for w in where)


# --------------------------------------------------------------------------- CLI
def test_cli_export_import_form(
    fq: yz.Questionnaire, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = str(DATA / "forms.yaml")
    out = tmp_path / "survey.json"
    assert main(["export", src, "--format", "surveyjs", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == fq.to_surveyjs()
    assert main(["export", src, "--format", "xlsform"]) == 2
    assert main(["export", src, "--format", "xlsform", "-o", str(tmp_path / "f.xlsx")]) == 0
    assert main(["form", src, "-o", str(tmp_path / "f.html"), "--lang", "en"]) == 0
    assert '"locale":"en"' in (tmp_path / "f.html").read_text(encoding="utf-8")
    # Import: one submission to a file; never over the input.
    plan = random_plan(fq, random.Random(4))
    _ent, answers = direct_answers(fq, plan)
    data = {k: v for k, v in plan.items() if k.startswith("enterprise_")}
    data |= {k: v for k, v in answers.items() if v != "n/a"} | {
        k + "__na": True for k, v in answers.items() if v == "n/a"
    }
    results = tmp_path / "results.json"
    results.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = results.read_bytes()
    assert main(["import", str(results), "--format", "surveyjs", "-q", src, "-o", str(results), "--ids"]) == 1
    assert results.read_bytes() == before
    assert "would_overwrite_input" in capsys.readouterr().err
    sheet_path = tmp_path / "sheet.yaml"
    assert main(["import", str(results), "--format", "surveyjs", "-q", src, "-o", str(sheet_path)]) == 0
    assert yz.load_answers(sheet_path).enterprise.name == plan["enterprise_name"]
    assert main(["assess", str(sheet_path), "-q", src]) == 0
    # An answer sheet given with --enterprise fills what the form left blank.
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({k: v for k, v in data.items() if k != "enterprise_region"}), encoding="utf-8")
    assert main(["import", str(bare), "--format", "surveyjs", "-q", src, "-o", str(tmp_path / "s2.json"),
                 "--enterprise", str(sheet_path)]) == 0  # fmt: skip
    assert (
        yz.load_answers(tmp_path / "s2.json").enterprise.region
        == yz.load_answers(sheet_path).enterprise.region
    )
    # ODK: several submissions go to a folder, one sheet each; a bad row is reported and exits 1.
    rows = [_odk_row(fq, random_plan(fq, random.Random(s)), prefix=False) for s in range(3)]
    rows[2]["A1"] = "bogus"
    table = tmp_path / "odk.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=sorted({h for r in rows for h in r}))
        writer.writeheader()
        writer.writerows(rows)
    folder = tmp_path / "sheets"
    assert main(["import", str(table), "--format", "odk", "-q", src, "-o", str(folder)]) == 1
    assert sorted(p.name for p in folder.iterdir()) == ["submission-0000.yaml", "submission-0001.yaml"]
    assert "row 2: [unknown_option] row.2.A1" in capsys.readouterr().err
