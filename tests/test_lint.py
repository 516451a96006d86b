"""Questionnaire lint: each finding has a stable code and names where it is."""

from __future__ import annotations

import copy

import pytest
import yaml
from conftest import DATA

import yzmaturity as yz


@pytest.fixture
def data() -> dict:
    return yaml.safe_load((DATA / "mini.yaml").read_text(encoding="utf-8"))


def codes(d: dict) -> set[str]:
    return {f.code for f in yz.lint(yz.Questionnaire.model_validate(d)) if f.severity == "error"}


def q(d: dict, qid: str) -> dict:
    for dim in d["dimensions"]:
        for sub in [dim, *dim.get("dimensions", [])]:
            for question in sub.get("questions", []):
                if question["id"] == qid:
                    return question
    raise KeyError(qid)


def test_clean_file_has_no_findings(data):
    assert yz.lint(yz.Questionnaire.model_validate(data)) == []


def test_duplicate_ids(data):
    q(data, "E2")["id"] = "E1"
    q(data, "E1")["options"][1]["id"] = "none"
    assert "duplicate_id" in codes(data)
    findings = yz.lint(yz.Questionnaire.model_validate(data))
    assert {f.where for f in findings if f.code == "duplicate_id"} == {
        "question.E1",
        "question.E1.options.none",
    }


def test_unknown_references(data):
    q(data, "S2")["relevant"] = {"question": "S9", "answered": True}
    data["levels"]["levels"][3]["rule"]["all"][1] = {"dimension": "nope", "gte": 50}
    q(data, "O1")["relevant"] = {"question": "E1", "eq": "plenty"}
    q(data, "O2")["relevant"] = {"profile": "favourite_colour", "eq": "red"}
    findings = [f for f in yz.lint(yz.Questionnaire.model_validate(data)) if f.code == "unknown_reference"]
    messages = " | ".join(f.message for f in findings)
    for name in ("S9", "nope", "plenty", "favourite_colour"):
        assert name in messages


def test_forward_reference_and_cycle(data):
    q(data, "E1")["relevant"] = {"question": "E2", "gte": 10}
    q(data, "E2")["relevant"] = {"question": "E1", "eq": "full"}
    assert {"forward_reference", "condition_cycle"} <= codes(data)


def test_self_reference_is_a_cycle(data):
    q(data, "E2")["relevant"] = {"question": "E2", "gte": 10}
    assert {"forward_reference", "condition_cycle"} <= codes(data)


def test_bad_conditions(data):
    q(data, "S2")["relevant"] = {"question": "E1", "gte": 1}
    q(data, "O1")["relevant"] = {"question": "S1", "eq": "erp"}
    q(data, "O2")["relevant"] = {"dimension": "equip", "gte": 10}
    findings = [f for f in yz.lint(yz.Questionnaire.model_validate(data)) if f.code == "bad_condition"]
    assert {f.loc[1] for f in findings} == {"S2", "O1", "O2"}


def test_non_positive_weights(data):
    q(data, "E1")["weight"] = 0
    data["dimensions"][1]["weight"] = -1
    findings = [f for f in yz.lint(yz.Questionnaire.model_validate(data)) if f.code == "non_positive_weight"]
    assert {f.where for f in findings} == {"question.E1", "dimension.ops"}


def test_non_increasing_thresholds(data):
    q(data, "E2")["bands"][2]["min"] = 5
    data["dimensions"][0]["level_thresholds"] = [20, 40, 30, 80, 95]
    data["levels"]["levels"][3]["rule"]["all"][0]["gte"] = 30
    findings = [
        f for f in yz.lint(yz.Questionnaire.model_validate(data)) if f.code == "non_increasing_thresholds"
    ]
    assert len(findings) == 3


def test_options_without_scores(data):
    del q(data, "E1")["options"][1]["score"]
    del q(data, "E2")["bands"][0]["score"]
    assert "option_without_score" in codes(data)


def test_unreachable_levels(data):
    data["levels"]["levels"][3]["rule"]["all"][0]["gte"] = 101
    findings = yz.lint(yz.Questionnaire.model_validate(data))
    assert [f.where for f in findings if f.code == "unreachable_level"] == ["levels.L3"]
    too_many = copy.deepcopy(data)
    too_many["levels"]["levels"][2]["rule"]["all"][1]["count"]["at_least"] = 5
    assert "unreachable_level" in codes(too_many)


def test_structure_errors_block_loading(data, tmp_path):
    q(data, "E1")["weight"] = -2
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(yz.QuestionnaireError) as info:
        yz.load_questionnaire(path)
    assert info.value.codes == ["non_positive_weight"]
    # and the engine refuses to compile it even when built in code
    with pytest.raises(yz.QuestionnaireError):
        yz.Questionnaire.model_validate(data).compiled()


def test_warnings_do_not_block(data):
    del q(data, "E1")["source"]
    q(data, "E2")["text"] = {"zh": "联网率"}
    findings = yz.lint(yz.Questionnaire.model_validate(data))
    assert {(f.code, f.severity) for f in findings} == {
        ("missing_source", "warning"),
        ("missing_translation", "warning"),
    }


def test_model_errors_for_type_specific_fields(data):
    q(data, "E2")["options"] = [{"id": "a", "label": {"en": "a"}, "score": 1}]
    with pytest.raises(Exception, match="'options' do not apply to a numeric question"):
        yz.Questionnaire.model_validate(data)


def test_condition_needs_one_subject():
    with pytest.raises(Exception, match="exactly one subject"):
        yz.Questionnaire.model_validate(
            {"id": "x", "version": "1", "title": {"en": "x"}, "dimensions": [], "levels": {"levels": []}}
            | {
                "dimensions": [
                    {
                        "id": "d",
                        "title": {"en": "d"},
                        "questions": [
                            {
                                "id": "a",
                                "type": "yes_no",
                                "text": {"en": "a"},
                                "relevant": {"question": "b", "metric": "c", "eq": 1},
                            }
                        ],
                    }
                ],
                "levels": {"levels": [{"number": 0, "id": "L0", "name": {"en": "0"}}]},
            }
        )
