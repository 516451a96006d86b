"""The built-in MIIT 2024 SME evaluation against worked examples computed by hand.

Every figure below is derived in the comments from the platform's questionnaire
JSON (public code file id 6676784828: the option points) and the level rule of
public code file id 59919421085, not read off the engine's output.
"""

from __future__ import annotations

import numpy as np
import pytest

import yzmaturity as yz

CONSTRAINT = [  # sceneType 1 on the platform
    "scene_product_design",
    "scene_marketing",
    "scene_production_control",
    "scene_quality",
    "scene_equipment",
    "scene_safety",
    "scene_energy",
    "scene_procurement",
    "scene_warehousing",
    "scene_finance",
]
GUIDING = [  # sceneType 2
    "scene_process_design",
    "scene_after_sales",
    "scene_planning",
    "scene_hr",
    "scene_office",
    "scene_decision_support",
]

LOWEST = {
    "network": ["none"],
    "equipment_digitisation": 0,
    "equipment_networking": 0,
    "data_collection": ["none"],
    "information_systems": "none",
    "network_security": ["none"],
    "data_security": ["none"],
    "awareness": "none",
    "management_rules": ["none"],
    "talent": ["none"],
    "investment": 0,
    "energy": "worse",
    "pass_rate": "worse",
    "revenue_per_head": "worse",
    "cost": "worse",
}

AREAS = [
    "product_design",
    "process_design",
    "marketing",
    "after_sales",
    "planning",
    "production_control",
    "quality",
    "equipment",
    "safety",
    "energy",
    "procurement",
    "warehousing",
    "finance",
    "hr",
]
TOP = {
    # network 4 items x 2 = 8; each rate (60,100] = 6 and 6
    "network": ["control_network", "application_network", "industrial_5g", "full_coverage"],
    "equipment_digitisation": 100,
    "equipment_networking": 100,
    # 13 areas x 0.7 + human resources 0.9 = 9.1 + 0.9 = 10
    "data_collection": AREAS,
    "information_systems": "all",  # 10
    "network_security": ["policy", "products", "risk_assessment", "access_control"],  # 4 x 1.25 = 5
    "data_security": ["policy", "products", "risk_assessment", "inventory"],  # 5; foundation 50
    "awareness": "peer_visits",  # 7.5
    "management_rules": ["workflow", "systems_rules", "data_rules", "incentives"],  # 4 x 1.875 = 7.5
    "talent": ["staff", "department", "training", "performance_pay", "pipeline"],  # 5 x 1.5 = 7.5
    "investment": 61,  # (60,100] = 7.5; management 30
    "energy": "better",  # 7
    "pass_rate": "better",  # 7
    "revenue_per_head": "better",  # 3
    "cost": "better",  # 3; results 20
}


@pytest.fixture(scope="module")
def miit():
    return yz.load_questionnaire("miit-sme-2024")


def sheet(answers: dict, scenes: dict[str, int] | None = None, default_scene: int = 1) -> dict:
    levels = dict.fromkeys(CONSTRAINT + GUIDING, default_scene) | (scenes or {})
    return {"questionnaire": "miit-sme-2024", "enterprise": {"name": "SME"}, "answers": answers | levels}


def test_listed_and_clean(miit):
    assert "miit-sme-2024" in yz.list_questionnaires()
    assert not [f for f in yz.lint(miit) if f.severity == "error"]
    scenes = [q for q in miit.questions if q.type == "scene_level"]
    assert len(scenes) == 16 and all(q.judged for q in scenes)
    assert sorted(q.id for q in scenes if "constraint" in q.tags) == sorted(CONSTRAINT)
    # Every question, option, band and scene level carries its platform UUID.
    for q in miit.questions:
        assert q.ref
        assert all(o.ref for o in q.options) and all(b.ref for b in q.bands) and all(p.ref for p in q.points)


def test_all_lowest_is_zero_and_not_rated(miit):
    # Every scored answer earns 0 points; the scenes (at 1) add nothing: total 0 < 20, so level 0.
    a = yz.assess(sheet(LOWEST), miit)
    assert a.overall == 0.0
    assert a.level.number == 0


def test_all_top_with_every_scene_at_4_is_100_and_level_4(miit):
    # 50 + 30 + 20 = 100 (see TOP); 16 scenes at 4 (>= 10), 10 constraint (>= 6): level 4.
    a = yz.assess(sheet(TOP, default_scene=4), miit)
    assert a.overall == pytest.approx(100.0, abs=1e-9)
    assert a.level.number == 4
    for did, points in (("foundation", 50), ("management", 30), ("results", 20)):
        assert a.dimensions[did].score == pytest.approx(100.0)  # a dimension's share of its points
        assert miit.compiled().dim_weight[miit.compiled().dim_index[did]] == points


@pytest.mark.parametrize(
    ("rate", "points"),
    [(10, 0.0), (20, 1.5), (20.5, 3.0), (60, 4.5), (60.1, 6.0)],
)
def test_rate_bands_are_right_closed(miit, rate, points):
    # [0-10%] 0, (10%,20%] 1.5, (20%,40%] 3, (40%,60%] 4.5, (60%,100%] 6; everything else scores 0.
    a = yz.assess(sheet(LOWEST | {"equipment_networking": rate}), miit)
    assert a.overall == pytest.approx(points)


@pytest.mark.parametrize(
    ("counts", "points"),
    # networked / all production equipment: 12/120 = 10 % -> 0; 24/120 = 20 % -> 1.5; 41/200 = 20.5 % -> 3;
    # 72/120 = 60 % -> 4.5; 601/1000 = 60.1 % -> 6.
    [([12, 120], 0.0), ([24, 120], 1.5), ([41, 200], 3.0), ([72, 120], 4.5), ([601, 1000], 6.0)],
)
def test_networking_rate_as_counts(miit, counts, points):
    a = yz.assess(sheet(LOWEST | {"equipment_networking": {"counts": counts}}), miit)
    assert a.overall == pytest.approx(points)


def test_networked_cannot_exceed_all_equipment(miit):
    batch = yz.score_batch(miit, [sheet(LOWEST | {"equipment_networking": {"counts": [130, 120]}})])
    assert not batch.valid[0]
    assert [e.code for e in batch.errors[0]] == ["bad_counts"]


# A sheet worth 82.25 points:
#   foundation all top                                   50
#   awareness "results"                                   6
#   management rules, all four                            7.5
#   talent: staff + department                            3      (2 x 1.5)
#   investment 25 %: (20%,40%]                            3.75
#   energy flat 3.5, pass rate better 7, revenue per head flat 1.5, cost worse 0   12
#   total                                                82.25
MIXED = TOP | {
    "awareness": "results",
    "talent": ["staff", "department"],
    "investment": 25,
    "energy": "flat",
    "revenue_per_head": "flat",
    "cost": "worse",
}


def test_scene_count_passes_but_constraint_count_does_not(miit):
    # 6 guiding + 2 constraint scenes at 3: 8 scenes at >= 3 (L3 asks 8) but only 2 constraint (L3 asks 5);
    # the other 8 constraint scenes at 2: 16 scenes and 10 constraint at >= 2 -> L2. Total 82.25 >= 60.
    scenes = dict.fromkeys(GUIDING, 3) | dict.fromkeys(CONSTRAINT[:2], 3) | dict.fromkeys(CONSTRAINT[2:], 2)
    a = yz.assess(sheet(MIXED, scenes), miit)
    assert a.overall == pytest.approx(82.25)
    assert a.level.number == 2
    # Three more constraint scenes at 3: 11 scenes and 5 constraint at >= 3 -> L3 (L4 needs 10 at 4).
    scenes |= dict.fromkeys(CONSTRAINT[2:5], 3)
    assert yz.assess(sheet(MIXED, scenes), miit).level.number == 3


def test_total_gates_the_level_too(miit):
    # Every scene at 4, the lowest answers except information systems "all" (10) and the four
    # network items (4 x 2 = 8): 18 < 20 -> not rated. Add one security measure (1.25) and the
    # awareness option "learning" (1.5): 20.75 >= 20 -> level 1 (level 2 needs 40).
    base = LOWEST | {"information_systems": "all", "network": TOP["network"]}
    assert yz.assess(sheet(base, default_scene=4), miit).level.number == 0
    more = base | {"network_security": ["policy"], "awareness": "learning"}
    a = yz.assess(sheet(more, default_scene=4), miit)
    assert a.overall == pytest.approx(20.75)
    assert a.level.number == 1


def test_scenes_add_no_points(miit):
    low = yz.assess(sheet(MIXED, default_scene=1), miit)
    high = yz.assess(sheet(MIXED, default_scene=4), miit)
    assert low.overall == high.overall == pytest.approx(82.25)
    assert sum(q.contribution for q in high.questions.values() if q.id.startswith("scene_")) == 0


def test_example_sheet(miit):
    # The derivation is in the example's header: 42.15 + 20.25 + 12 = 74.4, level 3.
    from conftest import ROOT

    a = yz.assess(yz.load_answers(ROOT / "examples" / "miit-sme-2024-example.yaml"))
    assert a.overall == pytest.approx(74.4)
    assert a.level.number == 3


def test_report_lists_the_documents_to_prepare(miit):
    a = yz.assess(sheet(MIXED, default_scene=2), miit)
    md = a.report(lang="zh").to_markdown()
    assert "需准备的证明材料" in md
    assert "网络拓扑图/网络建设方案" in md and "综合能源消费数据（205-1表或财务账目）" in md
    html = a.report(lang="en").to_html()
    assert "Documents to prepare" in html and "Network topology diagram or network construction plan" in html


def _cell(value):
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, dict):
        return "/".join(str(c) for c in value["counts"])
    return value


def test_a_table_scores_exactly_as_one_sheet(miit, tmp_path):
    import csv

    cases = [
        (LOWEST, 1, 0.0, 0),
        (TOP, 4, 100.0, 4),
        (MIXED, 2, 82.25, 2),
        (LOWEST | {"equipment_networking": {"counts": [24, 120]}}, 1, 1.5, 0),  # 20 %: (10%,20%]
        (LOWEST | {"equipment_networking": {"counts": [130, 120]}}, 1, None, None),  # more networked than all
    ]
    path = tmp_path / "miit.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        columns = ["name", *LOWEST, *CONSTRAINT, *GUIDING]
        writer.writerow(columns)
        for i, (answers, scene, _, _) in enumerate(cases):
            row = (
                {"name": f"E{i}"}
                | {k: _cell(v) for k, v in answers.items()}
                | dict.fromkeys(CONSTRAINT + GUIDING, scene)
            )
            writer.writerow([row[c] for c in columns])
    result = yz.score_table(miit, path, match=False)
    frame = result.frame
    for i, (_, _, total, level) in enumerate(cases):
        if total is None:
            assert not bool(frame["valid"][i])
            continue
        assert float(frame["overall"][i]) == pytest.approx(total, abs=1e-9)
        assert int(frame["level"][i]) == level
    assert list(result.errors["column"]) == ["equipment_networking"]


def _diagnosis_with_miit_inside(miit) -> yz.Questionnaire:
    """A Yangzhou-style diagnosis that holds the MIIT questions verbatim plus one question of its own.

    Its own composite uses its own weights (the project's); the official link says the
    MIIT questions are answered by the questions of the same ids.
    """
    data = miit.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    data |= {"id": "yz-diagnosis", "version": "test", "scoring": {"method": "weights"}}
    data["official"] = {"questionnaire": "miit-sme-2024"}
    data["dimensions"].append(
        {
            "id": "yangzhou",
            "title": {"zh": "扬州特色", "en": "Yangzhou"},
            "questions": [
                {
                    "id": "yz_5g_factory",
                    "type": "yes_no",
                    "text": {"zh": "是否建成5G工厂？", "en": "A 5G factory?"},
                    "source": "project",
                }
            ],
        }
    )
    data["levels"] = {
        "levels": [
            {"number": 0, "id": "Y0", "name": {"zh": "起步", "en": "Starting"}},
            {
                "number": 1,
                "id": "Y1",
                "name": {"zh": "提升", "en": "Improving"},
                "rule": {"metric": "overall", "gte": 50},
            },
        ]
    }
    return yz.Questionnaire.model_validate(data)


def test_one_sheet_gives_the_composite_and_the_official_result(miit):
    q = _diagnosis_with_miit_inside(miit)
    scenes = dict.fromkeys(GUIDING, 3) | dict.fromkeys(CONSTRAINT[:2], 3) | dict.fromkeys(CONSTRAINT[2:], 2)
    data = sheet(MIXED | {"yz_5g_factory": True}, scenes) | {"questionnaire": "yz-diagnosis"}
    a = yz.assess(data, q)
    # The official result is the MIIT worked example above: 82.25 points, level 2.
    assert a.official is not None
    assert a.official.overall == pytest.approx(82.25)
    assert a.official.level.number == 2
    # Ours is another number: with the project's weights (all 1 here) every dimension is the plain
    # mean of its parts. Foundation: all top, 100. Management: planning = mean(awareness 6/7.5 = 80,
    # rules 100) = 90, resources = mean(talent 3/7.5 = 40, investment 3.75/7.5 = 50) = 45 -> 67.5.
    # Results: mean(energy 3.5/7 = 50, pass rate 100, market = mean(50, 0) = 25) = 58.33.
    # Yangzhou's own question: yes = 100. Scenes are judged. Overall: mean of the four.
    foundation, management, results = 100.0, (90 + 45) / 2, (50 + 100 + 25) / 3
    assert a.overall == pytest.approx((foundation + management + results + 100) / 4)
    assert a.to_dict()["official"]["overall"] == pytest.approx(82.25)
    assert a.to_dict()["official"]["level"]["number"] == 2
    assert "82.25 / 100, L2" in a.summary("zh")
    md = a.report(lang="zh").to_markdown()
    assert "官方评测结果" in md and "82.25 / 100 · L2 二级" in md


def test_official_result_names_what_is_missing(miit):
    q = _diagnosis_with_miit_inside(miit)
    data = sheet(MIXED | {"yz_5g_factory": True}) | {"questionnaire": "yz-diagnosis"}
    # Map the official talent question to one of ours that answers something else (a yes/no):
    # the official result names the problem instead of guessing a total.
    q = q.model_copy(
        update={"official": q.official.model_copy(update={"questions": {"talent": "yz_5g_factory"}})}
    )
    a = yz.assess(data, q)
    assert a.official.overall is None
    assert [p.code for p in a.official.problems] == ["wrong_type"]


def test_yangzhou_2024_holds_the_official_questions_verbatim(miit):
    yz24 = yz.load_questionnaire("yangzhou-2024")
    assert yz24.official is not None and yz24.official.questionnaire == "miit-sme-2024"
    for official in miit.questions:
        ours = yz24.question(official.id)
        keep = {"weight"}  # ours weigh the official points in the composite; everything else is the same
        assert ours.model_dump(exclude=keep) == official.model_dump(exclude=keep), official.id
    assert not [f for f in yz.lint(yz24) if f.severity == "error"]


def test_yangzhou_2024_example_gives_both_results():
    from conftest import ROOT

    # Derivation in the example's header: official 74.4 / L3; ours 0.6 x 74.4 + 0.4 x 100 = 84.64, Y3.
    a = yz.assess(yz.load_answers(ROOT / "examples" / "yangzhou-2024-example.yaml"))
    assert a.official.overall == pytest.approx(74.4)
    assert a.official.level.number == 3
    assert a.overall == pytest.approx(84.64)
    assert a.level.number == 3 and a.level.id == "Y3"
    assert a.dimensions["miit"].score == pytest.approx(74.4)  # the block weighs the official points


def test_batch_output_has_both_results(tmp_path):
    import csv

    from conftest import ROOT

    sheet_ = yz.load_answers(ROOT / "examples" / "yangzhou-2024-example.yaml")
    q = yz.load_questionnaire("yangzhou-2024")
    row = {"name": sheet_.enterprise.name, "industry": sheet_.enterprise.industry}
    for qid, answer in sheet_.answers.items():
        value = answer.value if answer.counts is None else {"counts": list(answer.counts)}
        row[qid] = _cell(value) if not isinstance(value, bool) else str(value).lower()
    broken = dict(row, talent="no-such-option")
    path = tmp_path / "yz.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row))
        writer.writeheader()
        writer.writerows([row, broken])
    result = yz.score_table(q, path, match=False)
    frame = result.frame
    # The example's derivation: ours 84.64 / Y3, official 74.4 / L3; the broken row has neither.
    assert float(frame["overall"][0]) == pytest.approx(84.64)
    assert float(frame["official_overall"][0]) == pytest.approx(74.4)
    assert int(frame["official_level"][0]) == 3
    assert not bool(frame["valid"][1]) and np.isnan(frame["official_overall"][1])
    assert "official_level_name" in result.result_columns
