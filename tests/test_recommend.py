"""Recommendations of the seven funded categories: each expected semantic with its own enterprise."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml
from conftest import ROOT

import yzmaturity as yz

Q = "yangzhou-2022"


@pytest.fixture(scope="module")
def q() -> yz.Questionnaire:
    return yz.load_questionnaire(Q)


def answers_at(q: yz.Questionnaire, frac: float, **overrides: object) -> dict:
    """Every question answered at about ``frac`` of its way from worst to best."""
    out: dict = {}
    for question in q.questions:
        t = question.type
        if t == "single_choice":
            opts = sorted(question.options, key=lambda o: o.score or 0)
            out[question.id] = opts[round(frac * (len(opts) - 1))].id
        elif t == "multiple_choice":
            normal = [o.id for o in question.options if not o.exclusive]
            k = round(frac * len(normal))
            none = [o.id for o in question.options if o.exclusive]
            out[question.id] = normal[:k] if k or not none else none[:1]
        elif t == "numeric":
            out[question.id] = round(frac * (question.max if question.max is not None else 100), 1)
        elif t == "yes_no":
            out[question.id] = frac >= 0.5
        else:
            lo, hi = int(question.min or 0), int(question.max or 4)
            out[question.id] = lo + round(frac * (hi - lo))
    out.update(overrides)
    return out


def assess(q, answers: dict, **profile: object) -> yz.Assessment:
    enterprise = {
        "name": "扬州测试企业",
        "region": "江都区",
        "industry": "C3670",
        "employees": 400,
        "revenue_yuan": 3e8,
        "diagnosed": True,
        "years_operating": 10,
    } | profile
    sheet = {"questionnaire": Q, "enterprise": enterprise, "answers": answers}
    a = yz.assess(sheet, q)
    # Drop answers to skipped questions so the sheets stay clean.
    if any(w.code == "not_relevant" for w in a.warnings):
        for w in a.warnings:
            if w.code == "not_relevant":
                answers.pop(w.loc[-1])
        a = yz.assess(sheet, q)
    return a


def by_id(a: yz.Assessment) -> dict[str, yz.Recommendation]:
    return {r.category: r for r in a.recommendations}


def test_all_seven_categories_are_ranked(q):
    a = assess(q, answers_at(q, 0.5))
    recs = a.recommendations
    assert [r.category for r in recs] != []
    assert sorted(r.category for r in recs) == sorted(
        [
            "intelligent_upgrade",
            "digital_transformation",
            "industrial_internet",
            "smart_equipment_rnd",
            "diagnosis_service",
            "benchmark_demo",
            "leading_provider",
        ]
    )
    priorities = [r.priority for r in recs]
    assert priorities == sorted(priorities, reverse=True)
    for r in recs:
        assert 0.0 <= r.fit <= 1.0


def test_low_maturity_without_diagnosis_means_diagnosis_first(q):
    a = assess(q, answers_at(q, 0.1), diagnosed=False)
    first = a.recommendations[0]
    assert first.category == "diagnosis_service"
    assert first.eligibility == "eligible"
    cited = {(c.kind, c.ref) for r in first.reasons for c in r.cites}
    assert ("profile", "diagnosed") in cited and ("metric", "level") in cited
    # "Diagnosis first" is a reading of the policy (binding: false): the project categories name
    # the missing diagnosis as unmet, and need checking rather than refusing.
    upgrade = by_id(a)["intelligent_upgrade"]
    assert upgrade.eligibility == "needs_checking"
    assert "diagnosed" in [u.id for u in upgrade.unmet]
    assert not next(u for u in upgrade.unmet if u.id == "diagnosed").binding


def test_low_equipment_with_investment_means_intelligent_upgrade(q):
    answers = answers_at(
        q,
        0.8,
        eq_digitisation_rate=15,
        eq_automation="manual",
        eq_cnc="lt30",
        eq_robots="none",
        eq_smart="none",
        eq_workshop="none",
    )
    a = assess(q, answers, planned_investment_yuan=5e6)
    assert a.dimensions["equipment"].score < 50
    top = a.recommendations[0]
    assert top.category == "intelligent_upgrade"
    assert top.eligibility == "needs_checking"  # the project filing is checked by hand
    assert [r.id for r in top.to_check] == ["project_filed"]
    rules = {r.rule: r for r in top.reasons}
    assert {"low_equipment", "low_digitisation_rate", "low_automation", "investment_planned"} <= set(rules)
    cite = rules["low_digitisation_rate"].cites[0]
    assert (cite.kind, cite.ref, cite.value) == ("question", "eq_digitisation_rate", 15)
    assert "15" in rules["low_digitisation_rate"].text.zh


def test_weak_systems_and_data_mean_digital_transformation(q):
    weak = {
        qq.id: v
        for qq in q.questions
        for v in [None]
        if q.compiled().dim_ids[q.compiled().question_dim[q.compiled().index[qq.id]]]
        in (
            "business_systems",
            "design_systems",
            "integration",
            "data_collection",
            "data_governance",
            "data_application",
        )
    }
    answers = answers_at(q, 0.8) | {k: answers_at(q, 0.1)[k] for k in weak}
    a = assess(q, answers)
    assert a.recommendations[0].category == "digital_transformation"
    reasons = {r.rule for r in a.recommendations[0].reasons}
    assert {"weak_systems", "weak_data", "weak_integration"} <= reasons


def test_low_networking_and_no_platform_mean_industrial_internet(q):
    answers = answers_at(
        q,
        0.8,
        ii_networking_rate=8,
        ii_platform="none",
        ii_identifier="none",
        ii_network=["office"],
        ii_cloud="none",
    )
    answers.pop("ii_platform_depth", None)
    answers.pop("ii_5g_apps", None)
    a = assess(q, answers)
    top = a.recommendations[0]
    assert top.category == "industrial_internet"
    assert {"low_networking", "no_platform"} <= {r.rule for r in top.reasons}


def test_equipment_maker_doing_rnd_fits_smart_equipment_rnd(q):
    a = assess(q, answers_at(q, 0.6), industry="C3424", rnd=True, roles=["manufacturer", "equipment_maker"])
    r = by_id(a)["smart_equipment_rnd"]
    assert r.eligibility == "eligible"
    assert r.fit >= 0.7
    assert any(c.ref == "industry_division" and c.value == 34 for x in r.reasons for c in x.cites)
    textile = assess(q, answers_at(q, 0.6), industry="C1713", rnd=True)
    assert by_id(textile)["smart_equipment_rnd"].eligibility == "not_applicable"


def test_high_maturity_above_size_means_benchmark_with_a_tier(q):
    a = assess(q, answers_at(q, 0.95), employees=1500, revenue_yuan=2e9)
    assert a.level.number >= 3
    top = a.recommendations[0]
    assert top.category == "benchmark_demo"
    assert top.eligibility == "eligible"  # the city fund asks only for a Yangzhou registration
    assert top.unmet == []
    # The smart-factory gradient: without a CMMM level or the province's self-test, every tier
    # needs checking, and the tier to aim at is the first rung.
    assert [t.id for t in top.tiers] == [
        "smart_factory_basic",
        "smart_factory_advanced",
        "smart_factory_excellent",
        "smart_factory_leading",
    ]
    assert {t.eligibility for t in top.tiers} == {"needs_checking"}
    assert top.tier is not None and top.tier.id == "smart_factory_basic"
    assert top.category_spec.amounts and all(x.source and x.status for x in top.category_spec.amounts)


def test_solution_provider_gets_leading_provider_and_manufacturing_categories_do_not_apply(q):
    a = assess(q, answers_at(q, 0.7, ii_platform="own"), industry="I6531", roles=["solution_provider"])
    recs = by_id(a)
    assert a.recommendations[0].category == "leading_provider"
    assert recs["leading_provider"].eligibility == "needs_checking"
    assert {"provider", "software_division", "own_platform"} == {
        r.rule for r in recs["leading_provider"].reasons
    }
    for cid in (
        "intelligent_upgrade",
        "digital_transformation",
        "industrial_internet",
        "diagnosis_service",
        "benchmark_demo",
    ):
        assert recs[cid].eligibility == "not_applicable"
        assert recs[cid].priority == 0


def test_below_designated_size_is_told_which_categories_need_it(q):
    a = assess(q, answers_at(q, 0.5), employees=60, revenue_yuan=1.2e7, planned_investment_yuan=1e6)
    assert a.enterprise.above_designated_size is False
    needing = {r.category for r in a.recommendations if "above_designated_size" in [u.id for u in r.unmet]}
    assert needing == {"intelligent_upgrade"}
    text = next(u.text.zh for r in a.recommendations for u in r.unmet if u.id == "above_designated_size")
    assert "规模以上" in text
    # A reading of the policy: it is named, but does not refuse the category.
    assert by_id(a)["intelligent_upgrade"].eligibility == "needs_checking"
    # The basic-tier smart factory does require it (verified): that tier is refused.
    basic = by_id(a)["benchmark_demo"].tier_result("smart_factory_basic")
    assert basic.eligibility == "not_eligible" and "above_designated_size" in [u.id for u in basic.unmet]


def test_unknown_profile_fields_mean_needs_checking(q):
    sheet = {
        "questionnaire": Q,
        "enterprise": {"name": "未知企业"},
        "answers": answers_at(q, 0.3, strat_diagnosed=True),  # the answer alone decides "diagnosed"
    }
    a = yz.assess(sheet, q)
    for w in a.warnings:
        if w.code == "not_relevant":
            sheet["answers"].pop(w.loc[-1])
    a = yz.assess(sheet, q)
    dt = by_id(a)["digital_transformation"]
    assert dt.eligibility == "needs_checking"
    assert {r.id for r in dt.to_check} == {"in_yangzhou", "industrial_enterprise"}


def test_no_reason_without_input_and_no_fit_without_reason(q):
    rng = np.random.default_rng(7)
    for _ in range(15):
        a = assess(q, answers_at(q, float(rng.uniform(0, 1))), diagnosed=bool(rng.integers(0, 2)))
        for r in a.recommendations:
            if r.fit > 0:
                assert r.reasons
            for reason in r.reasons:
                assert reason.cites, reason
                assert all(c.value is not None for c in reason.cites)
            assert r.fit == pytest.approx(min(1.0, max(0.0, sum(x.weight for x in r.reasons))))


def test_cohort_matching_equals_one_by_one(q):
    rng = np.random.default_rng(3)
    sheets = []
    for i in range(12):
        answers = answers_at(q, float(rng.uniform(0, 1)))
        profile = {
            "name": f"企业{i}",
            "region": "江都区",
            "industry": "C3670",
            "employees": 400,
            "revenue_yuan": float(rng.choice([1e7, 3e8])),
            "diagnosed": bool(rng.integers(0, 2)),
        }
        sheet = {"questionnaire": Q, "enterprise": profile, "answers": answers}
        for w in yz.assess(sheet, q).warnings:
            if w.code == "not_relevant":
                answers.pop(w.loc[-1])
        sheets.append(sheet)
    sheets.append({"questionnaire": Q, "enterprise": {"name": "坏行"}, "answers": {"strat_plan": "x"}})
    batch = yz.score_batch(q, sheets)
    cohort = yz.match_batch(yz.load_catalog("yangzhou-zgsz-2022"), batch)
    counts = cohort.counts()
    for j, cid in enumerate(cohort.category_ids):
        assert (
            sum(counts[cid][s] for s in ("eligible", "needs_checking", "not_eligible", "not_applicable"))
            == 12
        )
        for i, sheet in enumerate(sheets[:-1]):
            one = by_id(yz.assess(sheet, q))[cid]
            assert cohort.arrays.fit[i, j] == pytest.approx(one.fit)
            assert ["eligible", "needs_checking", "not_eligible", "not_applicable"][
                cohort.arrays.state[i, j]
            ] == one.eligibility
    assert np.isnan(cohort.arrays.fit[-1]).all()


def test_a_catalog_naming_a_missing_dimension_fails_at_load(tmp_path):
    data = yaml.safe_load(
        (ROOT / "questionnaires/policies/yangzhou-zgsz-2022.yaml").read_text(encoding="utf-8")
    )
    bad = copy.deepcopy(data)
    bad["categories"][1]["fit"][0]["when"] = {"dimension": "robotics", "lt": 50}
    bad["categories"][2]["fit"][0]["when"] = {"count": {"at_least": 2, "tags": ["quantum"], "value_gte": 1}}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(yz.QuestionnaireError) as info:
        yz.load_catalog(path)
    messages = " ".join(d.message for d in info.value.details)
    assert "robotics" in messages and "quantum" in messages
    assert set(info.value.codes) == {"unknown_reference"}


def test_a_district_catalog_loads_from_a_path_without_code_changes(tmp_path, q):
    data = yaml.safe_load(
        (ROOT / "questionnaires/policies/yangzhou-zgsz-2022.yaml").read_text(encoding="utf-8")
    )
    data["id"] = "jiangdu-2025"
    data["categories"] = [c for c in data["categories"] if c["id"] != "leading_provider"]
    diag = next(c for c in data["categories"] if c["id"] == "diagnosis_service")
    diag["eligibility"].append(
        {
            "id": "in_jiangdu",
            "text": {"zh": "注册在江都区", "en": "In Jiangdu"},
            "condition": {"profile": "region", "eq": "江都区"},
            "source": "project",
            "status": "project",
        }
    )
    path = tmp_path / "jiangdu.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    a = assess(q, answers_at(q, 0.2), diagnosed=False, region="广陵区")
    recs = {r.category: r for r in a.recommend(str(path))}
    assert "leading_provider" not in recs
    assert [u.id for u in recs["diagnosis_service"].unmet] == ["in_jiangdu"]


def test_recommendation_json_is_plain_data(q):
    import json

    a = assess(q, answers_at(q, 0.4))
    data = json.loads(json.dumps(a.to_dict(recommendations=True), ensure_ascii=False))
    assert len(data["recommendations"]) == 7
    assert data["roadmap"]["target_level"] == a.level.number + 1


def test_a_fit_is_its_rules_weights_summed_exactly_so_alike_categories_tie():
    """0.35 + 0.25 + 0.25 is 0.85, not 0.8499999999999999: the fit is the decimal sum of the weights of
    the rules that hit, so two categories that fit alike tie and ``top_category`` takes the first."""
    from fractions import Fraction

    from yzmaturity.datasets import make_cohort

    cohort = make_cohort(400, seed=3)
    scores = yz.score_batch(yz.load_questionnaire(Q), cohort.answers, profile=cohort.profile)
    catalog = yz.load_catalog("yangzhou-zgsz-2022")
    match = yz.match_batch(catalog, scores)
    sums = set()
    for j, category in enumerate(catalog.categories):
        weights = [Fraction(str(rule.weight)) for rule in category.fit]
        for row in np.flatnonzero(scores.valid).tolist():
            hits = match.arrays.rule_hits[j][row]
            exact = sum((w for w, hit in zip(weights, hits.tolist(), strict=True) if hit), Fraction(0))
            assert match.arrays.fit[row, j] == float(min(exact, Fraction(1))), (category.id, row)
            sums.add(sum(hits.tolist()))
    assert max(sums) >= 3  # sums of three weights and more were checked
