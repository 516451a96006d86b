"""Answer validation: every problem at once, each naming question, expectation and value."""

from __future__ import annotations

import pytest

import yzmaturity as yz


def errors_of(sheet, q) -> dict[str, yz.ErrorDetail]:
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.validate_answers(sheet, q)
    assert isinstance(info.value, ValueError)
    return {d.loc[-1] if d.loc else "": d for d in info.value.details}


def test_valid_sheet_passes(mini, mini_sheet):
    assert yz.validate_answers(mini_sheet, mini).enterprise.name == "扬州测试有限公司"


def test_every_problem_is_reported(mini, mini_sheet):
    mini_sheet["answers"] |= {
        "E1": "most",  # unknown option
        "E2": 120,  # out of range
        "S1": ["erp", "erp"],  # duplicate
        "O1": 2.5,  # not a whole number
        "O3": "five",  # wrong type
        "Z9": 1,  # unknown question
    }
    found = errors_of(mini_sheet, mini)
    assert {k: v.code for k, v in found.items()} == {
        "E1": "unknown_option",
        "E2": "out_of_range",
        "S1": "duplicate_option",
        "O1": "wrong_type",
        "O3": "wrong_type",
        "Z9": "unknown_question",
    }
    assert found["E1"].expected == "one of none, some, full"
    assert found["E1"].got == "most"
    assert found["E2"].expected == "a number from 0 to 100 (%)"
    assert "E2" in str(found["E2"]) and "120" in str(found["E2"])


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_inf_are_errors(mini, mini_sheet, bad):
    mini_sheet["answers"]["E2"] = bad
    assert errors_of(mini_sheet, mini)["E2"].code == "not_finite"


def test_bool_is_not_a_number_and_other_numbers_are_not_yes_no(mini, mini_sheet):
    mini_sheet["answers"]["E2"] = True
    mini_sheet["answers"]["S2"] = 2  # 1/0 mean yes/no; 2 means nothing
    found = errors_of(mini_sheet, mini)
    assert found["E2"].code == "wrong_type" and found["S2"].code == "wrong_type"
    assert found["S2"].allowed == (True, False)


def test_missing_required_and_na_not_allowed(mini, mini_sheet):
    del mini_sheet["answers"]["E1"]
    mini_sheet["answers"]["O1"] = "n/a"
    found = errors_of(mini_sheet, mini)
    assert found["E1"].code == "missing_required"
    assert found["O1"].code == "na_not_allowed"


def test_optional_question_may_be_left_out(mini, mini_sheet):
    assert "O3" not in mini_sheet["answers"]
    yz.validate_answers(mini_sheet, mini)


def test_exclusive_option(mini, mini_sheet):
    mini_sheet["answers"]["S1"] = ["none", "mes"]
    assert errors_of(mini_sheet, mini)["S1"].code == "exclusive_option"


def test_sheet_for_another_questionnaire_or_version(mini, mini_sheet):
    mini_sheet["questionnaire_version"] = "0.9"
    found = errors_of(mini_sheet, mini)
    assert found["questionnaire_version"].code == "version_mismatch"
    assert found["questionnaire_version"].expected == "1.0"
    mini_sheet["questionnaire"] = "other"
    assert errors_of(mini_sheet, mini)["questionnaire"].code == "questionnaire_mismatch"


def test_assess_raises_with_every_problem(mini, mini_sheet):
    mini_sheet["answers"]["E1"] = 3  # read as the option id "3", as a spreadsheet cell is
    mini_sheet["answers"]["E2"] = "lots"
    del mini_sheet["answers"]["O1"]
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.assess(mini_sheet, mini)
    assert sorted(info.value.codes) == ["missing_required", "unknown_option", "wrong_type"]
    assert info.value.errors()[0]["loc"][0] == "answers"


def test_with_answers_for_what_if(mini, mini_sheet):
    sheet = yz.AnswerSheet.model_validate(mini_sheet)
    better = sheet.with_answers(E1="full", O3=5)
    assert yz.assess(better, mini).overall > yz.assess(sheet, mini).overall
    assert sheet.answers["E1"].value == "some"  # the original is unchanged
    assert "O3" not in better.with_answers(O3=None).answers
