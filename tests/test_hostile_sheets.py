"""Hostile corpus, family 2: answer sheets (issue 11).

Answers, profiles, notes and evidence that could break scoring or reach a
terminal: only a YzMaturityError naming the field may come out.
"""

from __future__ import annotations

import copy
import math

import pytest

import yzmaturity as yz
from yzmaturity._files import read_data_file


def _sheet(mini_sheet: dict, **changes) -> dict:
    sheet = copy.deepcopy(mini_sheet)
    for key, value in changes.items():
        target = sheet
        parts = key.split("__")
        for part in parts[:-1]:
            target = target[part]
        target[parts[-1]] = value
    return sheet


# (field path, value, the code expected for it)
ANSWERS = {
    "numeric 10**400": ("answers__E2", 10**400, "not_finite"),
    "numeric -10**400": ("answers__E2", -(10**400), "not_finite"),
    "numeric .inf": ("answers__E2", math.inf, "not_finite"),
    "numeric .nan": ("answers__E2", math.nan, "not_finite"),
    "numeric 1e308 out of range": ("answers__E2", 1e308, "out_of_range"),
    "numeric as words": ("answers__E2", "thirty-five", "wrong_type"),
    "numeric as boolean": ("answers__E2", True, "wrong_type"),
    "scene level 10**400": ("answers__O1", 10**400, "not_finite"),
    "scene level 2.5": ("answers__O1", 2.5, "wrong_type"),
    "empty multiple choice []": ("answers__S1", [], "missing_required"),
    "empty multiple choice ';'": ("answers__S1", ";", "missing_required"),
    "empty multiple choice ''": ("answers__S1", "", "missing_required"),
    "multiple choice with a duplicate": ("answers__S1", ["erp", "erp"], "duplicate_option"),
    "exclusive with another": ("answers__S1", ["none", "erp"], "exclusive_option"),
    "single choice with ESC": ("answers__E1", "some\x1b[2J", "unknown_option"),
    "yes/no as 'maybe'": ("answers__S2", "maybe", "wrong_type"),
}


@pytest.mark.parametrize("case", sorted(ANSWERS))
def test_a_hostile_answer_is_an_error_naming_the_question(case, mini, mini_sheet):
    key, value, code = ANSWERS[case]
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.validate_answers(_sheet(mini_sheet, **{key: value}), mini)
    found = {(d.code, d.loc[-1]) for d in info.value.details}
    assert (code, key.split("__")[-1]) in found, info.value


PROFILE = {
    "name with ESC (clear screen)": ("enterprise__name", "扬州\x1b[2J\x1b[H"),
    "name with OSC title": ("enterprise__name", "x\x1b]0;pwned\x07"),
    "name with NUL": ("enterprise__name", "a\x00b"),
    "name with BEL": ("enterprise__name", "a\x07"),
    "name with C1 CSI": ("enterprise__name", "a\x9b2J"),
    "name with a line break": ("enterprise__name", "a\nFAKE LINE"),
    "name with a bidi override": ("enterprise__name", "abc\u202egnp.exe"),
    "region with ESC": ("enterprise__region", "江都\x1b[31m"),
    "employees 10**400": ("enterprise__employees", 10**400),
    "revenue .inf": ("enterprise__revenue_yuan", math.inf),
    "revenue .nan": ("enterprise__revenue_yuan", math.nan),
    "investment -1": ("enterprise__planned_investment_yuan", -1.0),
    "industry in Arabic-Indic digits": ("enterprise__industry", "C٣٦"),
    "industry with ESC": ("enterprise__industry", "C36\x1b"),
    "credit code with ESC": ("enterprise__credit_code", "91321000MA1\x1b"),
    "note with ESC": ("note", "ok\x1b[2J"),
    "assessor name with NUL": ("assessor", {"kind": "consultant", "name": "a\x00"}),
    "answer note with ESC": ("answers__E1", {"value": "some", "note": "\x1b]8;;http://evil\x07x"}),
    "evidence with NUL": ("answers__E1", {"value": "some", "evidence": ["a\x00.pdf"]}),
    "evidence with a line break": ("answers__E1", {"value": "some", "evidence": ["a\nb.pdf"]}),
    "questionnaire id of 10 kB": ("questionnaire", "q" * 10_000),
    "5001 answers": ("answers", {f"Q{i}": 1 for i in range(5001)}),
}


@pytest.mark.parametrize("case", sorted(PROFILE))
def test_a_hostile_profile_or_note_is_refused(case, mini, mini_sheet):
    key, value = PROFILE[case]
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.validate_answers(_sheet(mini_sheet, **{key: value}), mini)
    assert info.value.details


def test_full_width_codes_are_normalised(mini, mini_sheet):
    a = yz.assess(_sheet(mini_sheet, enterprise__industry="Ｃ３６"), mini)
    assert a.enterprise.industry == "C36"
    prefix = "91321000MA1MXXXXX"
    valid = prefix + yz.credit_code_check_char(prefix)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in valid)
    assert yz.Enterprise(name="x", credit_code=full_width).credit_code == valid


def test_a_clean_sheet_is_the_control(mini, mini_sheet):
    assert yz.assess(mini_sheet, mini).overall >= 0


def test_a_sheet_file_with_a_huge_integer_is_a_file_error(tmp_path):
    path = tmp_path / "sheet.yaml"
    path.write_text("questionnaire: mini\nenterprise: {name: x}\nanswers: {E2: " + "9" * 5000 + "}\n")
    with pytest.raises(yz.FileLoadError) as info:
        read_data_file(path)
    assert info.value.code == "number_too_large"


def test_a_sheet_file_with_10_to_the_400_is_an_answer_error(tmp_path, mini):
    path = tmp_path / "sheet.yaml"
    path.write_text(
        "questionnaire: mini\nquestionnaire_version: '1.0'\nenterprise: {name: x}\n"
        f"answers: {{E2: {10**400}}}\n"
    )
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.validate_answers(yz.load_answers(path), mini)
    assert ("not_finite", "E2") in {(d.code, d.loc[-1]) for d in info.value.details}


def test_an_unknown_language_is_refused_alike(mini, mini_sheet):
    a = yz.assess(mini_sheet, mini)
    with pytest.raises(yz.ReportError):
        a.summary("xx")
    with pytest.raises(yz.ReportError):
        a.report(lang="fr")
