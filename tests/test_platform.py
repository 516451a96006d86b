"""Reading MIIT platform responses (option and scene UUIDs) into answer sheets."""

from __future__ import annotations

import json

import pytest
from test_miit import CONSTRAINT, GUIDING

import yzmaturity as yz
from yzmaturity._cli import main


@pytest.fixture(scope="module")
def miit():
    return yz.load_questionnaire("miit-sme-2024")


def response(miit, picks: dict[str, list[str]], scenes: dict[str, int]) -> dict:
    """A response in the platform's shape from option ids (ours) -> their UUIDs."""
    questions = []
    for qid, option_ids in picks.items():
        q = miit.question(qid)
        by_id = {o.id: o.ref for o in q.options} | {str(i): b.ref for i, b in enumerate(q.bands)}
        questions.append({"questionId": q.ref, "optionIds": [by_id[o] for o in option_ids]})
    scene_list = [{"scenariosId": miit.question(s).ref, "scenariosLevel": lv} for s, lv in scenes.items()]
    return {
        "questionnaireId": miit.ref,
        "enterpriseName": "导入企业",
        "questionList": questions,
        "digitalScenariosList": scene_list,
    }


# The worked example of test_miit (82.25 points), as platform option picks; bands by their index.
PICKS = {
    "network": ["control_network", "application_network", "industrial_5g", "full_coverage"],  # 8
    "equipment_digitisation": ["4"],  # (60%,100%]: 6
    "equipment_networking": ["1"],  # (10%,20%]: 1.5
    "data_collection": ["product_design", "hr"],  # 0.7 + 0.9 = 1.6
    "information_systems": ["all"],  # 10
    "network_security": ["none"],  # 0
    "data_security": ["policy", "inventory"],  # 2.5
    "awareness": ["planned"],  # 3
    "management_rules": ["workflow"],  # 1.875
    "talent": ["staff", "training"],  # 3
    "investment": ["2"],  # (20%,40%]: 3.75
    "energy": ["flat"],  # 3.5
    "pass_rate": ["better"],  # 7
    "revenue_per_head": ["worse"],  # 0
    "cost": ["better"],  # 3
}
# 8 + 6 + 1.5 + 1.6 + 10 + 0 + 2.5 = 29.6; 3 + 1.875 + 3 + 3.75 = 11.625; 3.5 + 7 + 0 + 3 = 13.5
TOTAL = 29.6 + 11.625 + 13.5  # 54.725
SCENES = dict.fromkeys(CONSTRAINT, 2) | dict.fromkeys(GUIDING, 1)  # 10 at >= 2, all constraint: L2 (>= 40)


def test_import_scores_as_the_platform(miit):
    sheet = yz.import_platform_response(response(miit, PICKS, SCENES), miit)
    assert sheet.enterprise.name == "导入企业"
    assert sheet.answers["network"].value == PICKS["network"]
    # A band answer takes the band's closed end: (10%,20%] -> 20, and says so.
    assert sheet.answers["equipment_networking"].value == 20
    assert "(10%,20%]" in (sheet.answers["equipment_networking"].note or "")
    a = yz.assess(sheet, miit)
    assert a.overall == pytest.approx(TOTAL)
    assert a.level.number == 2


@pytest.mark.parametrize(("band", "points"), [("0", 0.0), ("1", 1.5), ("2", 3.0), ("3", 4.5), ("4", 6.0)])
def test_every_band_option_scores_its_points(miit, band, points):
    picks = {qid: [miit.question(qid).options[0].id] for qid in PICKS if miit.question(qid).options}
    picks |= {"equipment_digitisation": ["0"], "investment": ["0"], "equipment_networking": [band]}
    picks["energy"], picks["cost"] = ["worse"], ["worse"]
    a = yz.assess(yz.import_platform_response(response(miit, picks, SCENES), miit), miit)
    assert a.overall == pytest.approx(points)


def test_every_problem_is_named(miit):
    data = response(miit, PICKS, SCENES)
    data["questionList"][0]["optionIds"].append("no-such-uuid")  # unknown option
    data["questionList"][3]["optionIds"] = [
        miit.question("network").options[1].ref
    ]  # another question's option
    data["questionList"][4]["optionIds"] = [o.ref for o in miit.question("information_systems").options[:2]]
    data["questionList"].append({"questionId": "not-a-question", "optionIds": []})
    data["digitalScenariosList"][0]["scenariosLevel"] = 5
    data["digitalScenariosList"].append(dict(data["digitalScenariosList"][1]))  # answered twice
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.import_platform_response(data, miit)
    codes = info.value.codes
    for code in (
        "unknown_option",
        "option_of_other_question",
        "wrong_count",
        "unknown_question",
        "bad_level",
        "duplicate_answer",
    ):
        assert code in codes, code
    locs = {d.code: d.loc for d in info.value.details}
    assert locs["unknown_option"] == ("questionList", 0, "optionIds", 4)
    assert locs["bad_level"] == ("digitalScenariosList", 0, "scenariosLevel")


def test_missing_answers_are_named(miit):
    data = response(miit, {k: v for k, v in PICKS.items() if k != "talent"}, SCENES)
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.import_platform_response(data, miit)
    assert [(d.code, d.loc[-1]) for d in info.value.details] == [("missing_required", "talent")]


def test_cli_import(tmp_path, miit, capsys):
    src = tmp_path / "response.json"
    src.write_text(json.dumps(response(miit, PICKS, SCENES), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "sheet.yaml"
    assert main(["import", str(src), "--format", "miit", "-o", str(out)]) == 0
    assert yz.assess(yz.load_answers(out)).overall == pytest.approx(TOTAL)
    assert main(["import", str(src), "--format", "miit", "-o", str(src)]) == 1  # never overwrite the input
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"questionList": [{"questionId": "x", "optionIds": []}]}), encoding="utf-8")
    assert main(["import", str(bad), "--format", "miit", "--ids"]) == 1  # --ids: the codes too
    assert "unknown_question" in capsys.readouterr().err


def test_scene_level_by_its_uuid_and_form_fields_kept(miit):
    data = response(miit, PICKS, SCENES)
    finance = miit.question("scene_finance")
    data["digitalScenariosList"] = [
        e for e in data["digitalScenariosList"] if e["scenariosId"] != finance.ref
    ] + [{"sceneId": finance.ref, "optionIds": [finance.points[2].ref]}]  # the level-3 text's UUID
    data["questionList"][2]["formField"] = [{"name": "其中实现联网的生产设备数量为（台）", "value": "24"}]
    sheet = yz.import_platform_response(data, miit)
    assert sheet.answers["scene_finance"].value == 3
    assert "其中实现联网的生产设备数量为（台）: 24" in sheet.answers["equipment_networking"].note
