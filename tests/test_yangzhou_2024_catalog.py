"""The policy catalog of yangzhou-2024: the 2022 fund's categories, re-pointed at the 2024 questions."""

from __future__ import annotations

import itertools

import pytest
import yaml
from conftest import ROOT

import yzmaturity as yz
from yzmaturity._conditions import Compare, CountSpec, walk
from yzmaturity._loading import default_catalog

OLD, NEW = "yangzhou-zgsz-2022", "yangzhou-zgsz-2024"
# The fit rules whose condition names something yangzhou-2024 lacks or renames, or that now read
# the official MIIT result (total, level, scenes), by category.
REPOINTED = {
    "diagnosis_service": {"low_level", "low_overall", "no_plan"},
    "intelligent_upgrade": {"low_equipment", "low_digitisation_rate", "low_automation", "room_to_grow"},
    "digital_transformation": {"weak_integration", "no_erp", "no_mes"},
    "industrial_internet": {"low_networking", "weak_industrial_internet", "no_5g"},
    "benchmark_demo": {"integrated_level", "optimised_level"},
}
CONSTRAINT = [
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
GUIDING = [
    "scene_process_design",
    "scene_after_sales",
    "scene_planning",
    "scene_hr",
    "scene_office",
    "scene_decision_support",
]


def _raw(catalog_id: str) -> dict:
    path = ROOT / "questionnaires" / "policies" / f"{catalog_id}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_default_catalog_of_each_diagnosis():
    assert default_catalog("yangzhou-2024").id == NEW
    assert default_catalog("yangzhou-2022").id == OLD  # unchanged: earlier assessments keep their catalog
    assert default_catalog("miit-sme-2024") is None
    a = yz.assess(yz.load_answers(ROOT / "examples" / "yangzhou-2024-example.yaml"))
    assert a.catalog().id == NEW
    assert [r.category for r in a.recommendations] and len(a.recommendations) == 7


def test_the_two_catalogs_agree_except_the_repointed_conditions():
    old, new = _raw(OLD), _raw(NEW)
    for key in ("id", "version", "questionnaire"):
        assert old.pop(key) != new.pop(key)
    assert (old.keys(), [c["id"] for c in old["categories"]]) == (
        new.keys(),
        [c["id"] for c in new["categories"]],
    )
    changed: dict[str, set[str]] = {}
    for c_old, c_new in zip(old["categories"], new["categories"], strict=True):
        assert [r["id"] for r in c_old["fit"]] == [r["id"] for r in c_new["fit"]]
        for r_old, r_new in zip(c_old["fit"], c_new["fit"], strict=True):
            if r_old["when"] != r_new["when"]:
                changed.setdefault(c_old["id"], set()).add(r_old["id"])
            # Weight, status, action and "why not" stay; only the condition, its reason and source may move.
            for key in ("when", "reason", "source"):
                r_old.pop(key), r_new.pop(key)
            assert r_old == r_new, (c_old["id"], r_old["id"])
    assert old == new  # categories, eligibility, tiers, amounts, sources and statuses are the same
    assert changed == REPOINTED


def test_every_2022_condition_naming_what_2024_lacks_was_repointed():
    q24 = yz.load_questionnaire("yangzhou-2024")
    qids = {x.id for x in q24.questions}
    dims = {d.id for d in q24.walk_dimensions()}
    missing: set[tuple[str, str]] = set()
    for c in yz.load_catalog(OLD).categories:
        for rule in c.fit:
            for leaf in walk(rule.when):
                if isinstance(leaf, Compare):
                    kind, ref = leaf.subject
                    if (kind == "question" and ref not in qids) or (kind == "dimension" and ref not in dims):
                        missing.add((c.id, rule.id))
                    if (
                        kind == "metric"
                    ):  # 2024's `level` is the composite's; the official one is read instead
                        missing.add((c.id, rule.id))
    repointed = {(cid, rid) for cid, rids in REPOINTED.items() for rid in rids}
    assert missing <= repointed
    # A re-pointed rule reading the official result says so in its reason.
    new = yz.load_catalog(NEW)
    for cid, rid in sorted(repointed):
        rule = next(r for r in new.category(cid).fit if r.id == rid)
        reads_official = any(
            isinstance(leaf, CountSpec)
            or (isinstance(leaf, Compare) and leaf.subject == ("dimension", "miit"))
            for leaf in walk(rule.when)
        )
        if reads_official and rid != "weak_integration":
            assert "官方" in rule.reason.zh and "official" in rule.reason.en.lower(), rid


def _sheet(frac: float, scenes: dict[str, int]) -> dict:
    from test_recommend import answers_at

    q = yz.load_questionnaire("yangzhou-2024")
    answers = answers_at(q, frac) | scenes
    answers.pop("ii_platform_depth", None)
    return {
        "questionnaire": "yangzhou-2024",
        "enterprise": {"name": "扬州测试", "region": "江都区"},
        "answers": answers,
    }


SCENE_CASES = [
    dict.fromkeys(CONSTRAINT + GUIDING, 4),
    dict.fromkeys(CONSTRAINT + GUIDING, 3),
    dict.fromkeys(CONSTRAINT + GUIDING, 2),
    dict.fromkeys(CONSTRAINT + GUIDING, 1),
    # 8 scenes at 3 but only 4 constraint ones: the official level 3 fails on constraint scenes.
    dict.fromkeys(CONSTRAINT + GUIDING, 2)
    | dict.fromkeys(GUIDING + CONSTRAINT[:2], 3)
    | {CONSTRAINT[2]: 3, CONSTRAINT[3]: 3},
    # 10 scenes at 4, 6 of them constraint: the official level 4 gate on scenes holds.
    dict.fromkeys(CONSTRAINT + GUIDING, 3) | dict.fromkeys(CONSTRAINT[:6] + GUIDING[:4], 4),
    # 10 at 4 with only 5 constraint ones.
    dict.fromkeys(CONSTRAINT + GUIDING, 3) | dict.fromkeys(CONSTRAINT[:5] + GUIDING[:5], 4),
]


@pytest.mark.parametrize(("frac", "scenes"), list(itertools.product([0.0, 0.3, 0.5, 0.7, 1.0], SCENE_CASES)))
def test_rules_reading_the_official_result_follow_it(frac, scenes):
    a = yz.assess(_sheet(frac, scenes))
    official = a.official
    assert official is not None and official.level is not None
    held = {(r.category, x.rule) for r in a.recommendations for x in r.reasons}
    level, total = official.level.number, official.overall
    assert (("diagnosis_service", "low_level") in held) == (level <= 1)
    assert (("diagnosis_service", "low_overall") in held) == (total < 40)
    assert (("benchmark_demo", "integrated_level") in held) == (level >= 3)
    assert (("benchmark_demo", "optimised_level") in held) == (level == 4)


def test_the_levels_and_totals_cover_the_cases():
    seen = set()
    for frac, scenes in itertools.product([0.0, 0.3, 0.5, 0.7, 1.0], SCENE_CASES):
        seen.add(yz.assess(_sheet(frac, scenes)).official.level.number)
    assert seen == {0, 1, 2, 3, 4}


def test_answered_diagnosed_is_never_refused_for_lack_of_a_diagnosis():
    sheet = _sheet(0.3, dict.fromkeys(CONSTRAINT + GUIDING, 2))
    sheet["answers"]["strat_diagnosed"] = True
    recs = {r.category: r for r in yz.assess(sheet).recommendations}
    assert not any(x.rule == "not_diagnosed" for x in recs["diagnosis_service"].reasons)
    for cid in ("intelligent_upgrade", "digital_transformation", "industrial_internet"):
        diagnosed = next(r for r in recs[cid].requirements if r.id == "diagnosed")
        assert diagnosed.status == "met", cid
