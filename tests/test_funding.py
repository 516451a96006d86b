"""Funding advice that follows the sources: profile inputs, the diagnosed fact, smart-factory tiers,
provenance and the subsidy calculator (issue 10)."""

from __future__ import annotations

import pydantic
import pytest

import yzmaturity as yz


def valid_code(first17: str) -> str:
    return first17 + yz.credit_code_check_char(first17)


# --------------------------------------------------------------------------- profile inputs
def test_cmmm_and_selftest_inputs_are_validated():
    e = yz.Enterprise(name="x", cmmm_level=3, cmmm_assessed_by="third_party", js_selftest_score=59.5)
    assert (e.cmmm_level, str(e.cmmm_assessed_by), e.js_selftest_score) == (3, "third_party", 59.5)
    assert e.profile_value("cmmm_assessed_by") == "third_party"
    for bad in ({"cmmm_level": 6}, {"cmmm_level": -1}, {"cmmm_assessed_by": "auditor"}):
        with pytest.raises(pydantic.ValidationError):
            yz.Enterprise(name="x", **bad)
    for bad_score in (100.5, -1, float("nan")):
        with pytest.raises(pydantic.ValidationError):
            yz.Enterprise(name="x", js_selftest_score=bad_score)


def test_unknown_manual_checks_and_diagnosis_stay_unknown():
    e = yz.Enterprise(name="x")
    assert e.diagnosed is None and e.no_major_incident is None and e.good_credit is None
    assert e.cmmm_level is None and e.js_selftest_score is None
    # Only what was given is saved.
    assert yz.Enterprise(name="x", no_major_incident=False).dump() == {
        "name": "x",
        "no_major_incident": False,
    }


@pytest.mark.parametrize(
    ("region", "code", "expected"),
    [
        ("江都区", None, True),
        ("苏州工业园区", None, True),
        ("江苏省南京市", None, True),
        ("上海市浦东新区", None, None),  # a region we cannot place: unknown, never a silent no
        (None, valid_code("91320100MA1X4PQE2"), True),  # Nanjing 3201
        (None, valid_code("91310100MA1X4PQE2"), False),  # Shanghai 3101
        ("上海市浦东新区", valid_code("91310100MA1X4PQE2"), False),
        (None, None, None),
    ],
)
def test_in_jiangsu(region, code, expected):
    assert yz.Enterprise(name="x", region=region, credit_code=code).in_jiangsu is expected


def test_tables_read_the_new_profile_columns_and_reject_bad_values():
    pd = pytest.importorskip("pandas")
    from yzmaturity._tables.profile import ProfileBuilder

    frame = pd.DataFrame(
        {
            "name": ["a", "b", "c", "d"],
            "region": ["江都区", "苏州市", None, "上海"],
            "cmmm_level": [2, 3.5, None, 7],
            "cmmm_assessed_by": ["self", " Third_Party ", None, "auditor"],
            "js_selftest_score": [60, 59.9, None, 101],
            "no_major_incident": ["是", "false", None, "maybe"],
            "diagnosed": [None, "true", "0", None],
        }
    )
    problems: dict[int, list] = {}
    arrays = ProfileBuilder(pd, frame, 4, lambda row, e: problems.setdefault(row, []).append(e)).build()

    def col(name):
        value = arrays[name]
        return (value() if callable(value) else value).tolist()

    assert col("cmmm_assessed_by") == ["self", "third_party", None, None]
    assert col("cmmm_level")[0] == 2 and all(v != v for v in col("cmmm_level")[1:])
    assert col("js_selftest_score")[:2] == [60, 59.9]
    assert (
        col("no_major_incident")[:2] == [1.0, 0.0]
        and col("no_major_incident")[2] != col("no_major_incident")[2]
    )
    # A blank "diagnosed" is unknown (NaN), not false.
    d = col("diagnosed")
    assert d[0] != d[0] and d[1:3] == [1.0, 0.0]
    assert col("in_jiangsu")[:2] == [1.0, 1.0] and col("in_jiangsu")[3] != col("in_jiangsu")[3]
    codes = {(row, e.loc[-1]): e.code for row, errs in problems.items() for e in errs}
    assert codes == {
        (1, "cmmm_level"): "wrong_type",
        (3, "cmmm_level"): "out_of_range",
        (3, "cmmm_assessed_by"): "unknown_option",
        (3, "js_selftest_score"): "out_of_range",
        (3, "no_major_incident"): "wrong_type",
    }


# --------------------------------------------------------------------------- one fact for "diagnosed"
Q_ID = "yangzhou-2022"


@pytest.fixture(scope="module")
def q() -> yz.Questionnaire:
    return yz.load_questionnaire(Q_ID)


def answers_at(q: yz.Questionnaire, frac: float, **overrides: object) -> dict:
    """Every relevant question answered at about ``frac`` of its way from worst to best."""
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


YANGZHOU_FIRM = {
    "name": "扬州测试企业",
    "region": "江都区",
    "industry": "C3670",
    "employees": 400,
    "revenue_yuan": 3e8,
    "years_operating": 10,
    "planned_investment_yuan": 5e6,
}


def assess(q, answers: dict, **profile: object) -> yz.Assessment:
    enterprise = {k: v for k, v in (YANGZHOU_FIRM | profile).items() if v is not None}
    sheet = {"questionnaire": Q_ID, "enterprise": enterprise, "answers": answers}
    a = yz.assess(sheet, q)
    skipped = [w.loc[-1] for w in a.warnings if w.code == "not_relevant"]
    if skipped:
        for qid in skipped:
            answers.pop(qid)
        a = yz.assess(sheet, q)
    return a


def recs(a: yz.Assessment) -> dict[str, yz.Recommendation]:
    return {r.category: r for r in a.recommendations}


def requirement(rec: yz.Recommendation, rid: str):
    return next(r for r in rec.requirements if r.id == rid)


@pytest.mark.parametrize("profile_says", [None, True])
def test_answered_diagnosed_is_never_refused_for_lack_of_a_diagnosis(q, profile_says):
    # The case: the sheet answers strat_diagnosed: true, the profile does not repeat it.
    a = assess(q, answers_at(q, 0.3, strat_diagnosed=True), diagnosed=profile_says)
    assert not [w for w in a.warnings if w.code == "contradiction"]
    by = recs(a)
    for rec in by.values():
        assert "diagnosed" not in [u.id for u in rec.unmet]
        for r in rec.requirements:
            if r.id == "diagnosed":
                assert r.status == "met"
    assert "not_diagnosed" not in [r.rule for r in by["diagnosis_service"].reasons]


def test_answered_not_diagnosed_means_diagnosis_first(q):
    a = assess(q, answers_at(q, 0.3, strat_diagnosed=False))
    by = recs(a)
    assert "not_diagnosed" in [r.rule for r in by["diagnosis_service"].reasons]
    assert requirement(by["intelligent_upgrade"], "diagnosed").status == "unmet"


def test_a_contradiction_is_a_warning_and_leaves_the_fact_to_check(q):
    a = assess(q, answers_at(q, 0.3, strat_diagnosed=True), diagnosed=False)
    clash = [w for w in a.warnings if w.code == "contradiction"]
    assert len(clash) == 1 and clash[0].loc == ("answers", "strat_diagnosed")
    assert clash[0].severity == "warning" and "diagnosed" in clash[0].message
    by = recs(a)
    assert requirement(by["intelligent_upgrade"], "diagnosed").status == "unknown"
    assert "not_diagnosed" not in [r.rule for r in by["diagnosis_service"].reasons]


def test_neither_answer_nor_profile_leaves_the_fact_unknown(q):
    import numpy as np

    from yzmaturity._encode import Encoder

    cq = q.compiled()
    m = Encoder(cq).columns(
        {"strat_diagnosed": [True, None, False, None]}, profile={"diagnosed": [None, None, None, True]}
    )
    fact = m.profile.get("diagnosed")
    assert fact[0] == 1.0 and np.isnan(fact[1]) and fact[2] == 0.0 and fact[3] == 1.0
    assert not [w for i in range(4) for w in m.warnings[i] if w.code == "contradiction"]


def test_tables_reconcile_the_fact_too(q):
    pd = pytest.importorskip("pandas")
    answers = answers_at(q, 0.3)
    rows = []
    for answered, stated in ((True, None), (True, False), (False, None)):
        row = {"name": f"企业{len(rows)}", "region": "江都区", "industry": "C36"}
        row |= {k: (";".join(v) if isinstance(v, list) else v) for k, v in answers.items()}
        row["strat_diagnosed"] = answered
        row["diagnosed"] = stated
        rows.append(row)
    frame = pd.DataFrame(rows)
    skipped = [c for c in frame.columns if c in ("ii_platform_depth", "ii_5g_apps")]
    frame = frame.drop(columns=skipped)
    result = yz.score_table(q, frame, catalog="yangzhou-zgsz-2022")
    warnings = (
        result.errors[result.errors["code"] == "contradiction"] if len(result.errors) else result.errors
    )
    assert list(warnings["row"]) == [2]


# --------------------------------------------------------------------------- provenance
CATALOG_ID = "yangzhou-zgsz-2022"


def _catalog_data() -> dict:
    import yaml
    from conftest import ROOT

    return yaml.safe_load((ROOT / f"questionnaires/policies/{CATALOG_ID}.yaml").read_text(encoding="utf-8"))


def test_every_rule_of_the_catalog_names_its_source_and_status():
    catalog = yz.load_catalog(CATALOG_ID)
    rules = []
    for c in catalog.categories:
        rules += [("requirement", c.id, r) for r in c.eligibility]
        rules += [("fit", c.id, r) for r in c.fit]
        for t in c.tiers:
            rules.append(("tier", c.id, t))
            rules += [("tier requirement", c.id, r) for r in t.eligibility]
        rules += [("amount", c.id, a) for a in c.amounts]
    assert len(rules) > 60
    for kind, cid, rule in rules:
        assert rule.source.strip(), (kind, cid, rule.id)
        assert rule.status in ("verified", "to_check", "project"), (kind, cid, rule.id)
        if rule.status == "project":
            assert rule.source.startswith("project"), (kind, cid, rule.id)
    statuses = {rule.status for _, _, rule in rules}
    assert statuses == {"verified", "to_check", "project"}


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("eligibility", 0, "status"), None, "status"),
        (("eligibility", 0, "source"), None, "source"),
        (("fit", 0, "status"), "certain", "status"),
        (("eligibility", 0, "source"), "my reading", "project"),  # status project needs source project
    ],
)
def test_the_catalog_model_refuses_a_rule_without_provenance(path, value, message):
    data = _catalog_data()
    node = data["categories"][0]
    for key in path[:-1]:
        node = node[key]
    if value is None:
        node.pop(path[-1])
    else:
        node[path[-1]] = value
    with pytest.raises(pydantic.ValidationError) as info:
        yz.PolicyCatalog.model_validate(data)
    assert message in str(info.value)


def test_amounts_name_an_existing_tier_and_a_district_its_regions():
    data = _catalog_data()
    bench = next(c for c in data["categories"] if c["id"] == "benchmark_demo")
    bench["amounts"][0]["tier"] = "smart_factory_platinum"
    with pytest.raises(pydantic.ValidationError, match="smart_factory_platinum"):
        yz.PolicyCatalog.model_validate(data)
    data = _catalog_data()
    bench = next(c for c in data["categories"] if c["id"] == "benchmark_demo")
    bench["amounts"][0]["regions"] = []
    with pytest.raises(pydantic.ValidationError, match="regions"):
        yz.PolicyCatalog.model_validate(data)


def test_the_builtin_catalog_validates_against_the_committed_schema():
    import json

    jsonschema = pytest.importorskip("jsonschema")
    from conftest import ROOT

    schema = json.loads(
        (ROOT / "questionnaires/schema/policy-catalog.schema.json").read_text(encoding="utf-8")
    )
    jsonschema.validate(_catalog_data(), schema)
    tier = schema["$defs"]["Tier"]
    assert {"recognised_by", "source", "status"} <= set(tier["required"])
    assert {"scope", "year", "source", "status"} <= set(schema["$defs"]["Amount"]["required"])
    bad = _catalog_data()
    del bad["categories"][0]["fit"][0]["status"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


# --------------------------------------------------------------------------- the smart-factory gradient
ETDZ = "扬州经济技术开发区"
KNOWN_GOOD = {"region": ETDZ, "no_major_incident": True, "good_credit": True}
TIERS = ["smart_factory_basic", "smart_factory_advanced", "smart_factory_excellent", "smart_factory_leading"]


def bench(q, frac: float = 0.6, **profile: object) -> yz.Recommendation:
    return recs(assess(q, answers_at(q, frac), **(KNOWN_GOOD | profile)))["benchmark_demo"]


def test_every_tier_is_listed_with_id_eligibility_reasons_and_unmet(q):
    r = bench(q, cmmm_level=2, cmmm_assessed_by="self", js_selftest_score=70)
    assert [t.id for t in r.tiers] == TIERS
    for word, t in zip(("basic", "advanced", "excellent", "leading"), r.tiers, strict=True):
        assert word in t.id
        assert t.eligibility in ("eligible", "needs_checking", "not_eligible")
        assert t.reasons  # every state says why
        assert t.source and t.status
    data = r.to_dict()["tiers"]
    assert [d["id"] for d in data] == TIERS
    assert set(data[0]) >= {"id", "eligibility", "reasons", "unmet", "to_check", "source", "status"}
    excellent = r.tier_result("smart_factory_excellent")
    assert excellent.eligibility == "not_eligible"
    assert [u.id for u in excellent.unmet] == ["cmmm_3", "cmmm_third_party"]
    with pytest.raises(yz.NotFoundError):
        r.tier_result("smart_factory_platinum")


@pytest.mark.parametrize(
    ("level", "by", "basic", "excellent_unmet"),
    [
        (1, "self", "not_eligible", ["cmmm_3", "cmmm_third_party"]),
        (1, "third_party", "not_eligible", ["cmmm_3"]),
        (2, "self", "needs_checking", ["cmmm_3", "cmmm_third_party"]),
        (2, "third_party", "needs_checking", ["cmmm_3"]),
        (3, "self", "needs_checking", ["cmmm_third_party"]),
        (3, "third_party", "needs_checking", []),
    ],
)
def test_cmmm_levels_self_and_third_party(q, level, by, basic, excellent_unmet):
    r = bench(q, cmmm_level=level, cmmm_assessed_by=by, js_selftest_score=70)
    assert r.tier_result("smart_factory_basic").eligibility == basic  # a self-assessment suffices
    excellent = r.tier_result("smart_factory_excellent")
    assert [u.id for u in excellent.unmet] == excellent_unmet
    # CMMM 3 is binding for the excellent tier; "third party" is a reading: unmet, but only to check.
    assert excellent.eligibility == ("not_eligible" if level < 3 else "needs_checking")


def test_a_national_selection_is_never_eligible_outright(q):
    r = bench(q, 0.95, cmmm_level=5, cmmm_assessed_by="third_party", js_selftest_score=100)
    for tier_id in ("smart_factory_excellent", "smart_factory_leading"):
        t = r.tier_result(tier_id)
        assert t.recognised_by == "national" and t.eligibility == "needs_checking" and not t.unmet
        assert any("national selection" in x.en for x in t.reasons)
    # A catalog whose national tier has nothing to check still only reaches "needs checking".
    data = _catalog_data()
    cat = next(c for c in data["categories"] if c["id"] == "benchmark_demo")
    leading = next(t for t in cat["tiers"] if t["id"] == "smart_factory_leading")
    leading["eligibility"] = []
    a = assess(q, answers_at(q, 0.95), **KNOWN_GOOD)
    r = {x.category: x for x in a.recommend(yz.PolicyCatalog.model_validate(data))}["benchmark_demo"]
    assert r.tier_result("smart_factory_leading").eligibility == "needs_checking"


@pytest.mark.parametrize(("score", "met"), [(59, False), (59.99, False), (60, True), (60.0001, True)])
def test_the_provincial_self_test_bar_is_60(q, score, met):
    r = bench(q, cmmm_level=2, cmmm_assessed_by="self", js_selftest_score=score)
    advanced = r.tier_result("smart_factory_advanced")
    assert advanced.eligibility == ("needs_checking" if met else "not_eligible")
    assert ("selftest_60" in [u.id for u in advanced.unmet]) is not met


def test_the_self_test_bar_reads_the_province_score_not_our_composite(q):
    # A high composite does not stand in for the provincial self-test: unknown stays to check.
    r = bench(q, 0.95, cmmm_level=2, cmmm_assessed_by="self")
    advanced = r.tier_result("smart_factory_advanced")
    assert "selftest_60" in [x.id for x in advanced.to_check]


@pytest.mark.parametrize(
    ("revenue", "above"), [(19_990_000, False), (19_999_999.99, False), (20_000_000, True)]
)
def test_revenue_at_the_designated_size_line(q, revenue, above):
    a = assess(
        q, answers_at(q, 0.6), revenue_yuan=revenue, cmmm_level=2, cmmm_assessed_by="self", **KNOWN_GOOD
    )
    assert a.enterprise.above_designated_size is above
    basic = recs(a)["benchmark_demo"].tier_result("smart_factory_basic")
    assert ("above_designated_size" in [u.id for u in basic.unmet]) is not above
    assert basic.eligibility == ("needs_checking" if above else "not_eligible")
    upgrade = recs(a)["intelligent_upgrade"]
    assert upgrade.eligibility == "needs_checking"  # a reading: never a refusal
    assert ("above_designated_size" in [u.id for u in upgrade.unmet]) is not above


def test_outside_yangzhou_the_city_fund_refuses_but_provincial_tiers_stay_open(q):
    a = assess(
        q,
        answers_at(q, 0.6),
        region="苏州工业园区",
        cmmm_level=2,
        cmmm_assessed_by="self",
        js_selftest_score=75,
        no_major_incident=True,
        good_credit=True,
    )
    by = recs(a)
    for cid in ("diagnosis_service", "intelligent_upgrade", "digital_transformation", "benchmark_demo"):
        assert by[cid].eligibility == "not_eligible"
        assert any("扬州" in w.zh for w in by[cid].why_not)
    advanced = by["benchmark_demo"].tier_result("smart_factory_advanced")
    assert advanced.eligibility == "needs_checking" and not advanced.unmet
    # The ETDZ's awards are for the ETDZ only.
    for f in by["benchmark_demo"].funding:
        assert all(x.applies == "no" for x in f.items)
    # Registered outside Jiangsu (a Shanghai credit code): the provincial tier is refused too.
    shanghai = valid_code("91310100MA1X4PQE2")
    b = assess(q, answers_at(q, 0.6), region=None, credit_code=shanghai, js_selftest_score=75, cmmm_level=2)
    advanced = recs(b)["benchmark_demo"].tier_result("smart_factory_advanced")
    assert advanced.eligibility == "not_eligible" and [u.id for u in advanced.unmet] == ["in_jiangsu"]


@pytest.mark.parametrize(
    ("profile", "tier"),
    [
        ({"cmmm_level": 1, "cmmm_assessed_by": "self", "js_selftest_score": 80}, None),
        ({"cmmm_level": 2, "cmmm_assessed_by": "self", "js_selftest_score": 59}, "smart_factory_basic"),
        ({"cmmm_level": 2, "cmmm_assessed_by": "self", "js_selftest_score": 60}, "smart_factory_advanced"),
        ({"cmmm_level": 3, "cmmm_assessed_by": "self", "js_selftest_score": 80}, "smart_factory_advanced"),
        (
            {"cmmm_level": 3, "cmmm_assessed_by": "third_party", "js_selftest_score": 80},
            "smart_factory_excellent",
        ),
        (
            {"cmmm_level": 4, "cmmm_assessed_by": "third_party", "js_selftest_score": 80},
            "smart_factory_leading",
        ),
    ],
)
def test_enterprise_x_should_aim_at_tier_t(q, profile, tier):
    r = bench(q, **profile)
    assert (None if r.tier is None else r.tier.id) == tier


# --------------------------------------------------------------------------- the subsidy calculator
def funding(r: yz.Recommendation, tier: str | None = None):
    return next(f for f in r.funding if f.tier == tier)


def item(f, amount_id: str):
    return next(x for x in f.items if x.id == amount_id)


@pytest.mark.parametrize(
    ("level", "by", "expected"),
    [
        (1, "third_party", {}),
        (2, "self", {}),  # a self-assessment does not earn the award
        (2, "third_party", {"cmmm_level_2": 80_000}),
        (3, "self", {}),
        (3, "third_party", {"cmmm_level_3": 150_000}),
        (4, "third_party", {"cmmm_level_4": 250_000}),
        (5, "third_party", {}),  # level 5 has no amount in the policy: not invented
    ],
)
def test_cmmm_awards_in_the_development_zone(q, level, by, expected):
    r = bench(q, cmmm_level=level, cmmm_assessed_by=by, js_selftest_score=70)
    f = funding(r)
    applying = {x.id: x.high_yuan for x in f.items if x.id.startswith("cmmm_") and x.applies == "yes"}
    assert applying == expected
    for x in f.items:
        assert x.scope == "district" and x.year == 2024 and "smejs.cn" in x.source


def test_cmmm_award_unknown_assessor_is_to_check_but_a_known_wrong_level_is_no(q):
    r = bench(q, cmmm_level=2, js_selftest_score=70)
    f = funding(r)
    assert item(f, "cmmm_level_2").applies == "unknown"
    assert item(f, "cmmm_level_3").applies == "no"  # level 2 is known: the level-3 award cannot apply


def test_awards_are_paid_on_recognition_and_tier_awards_follow_the_tier(q):
    r = bench(q, cmmm_level=2, cmmm_assessed_by="self", js_selftest_score=70)
    lighthouse = item(funding(r), "lighthouse")
    assert lighthouse.applies == "unknown" and lighthouse.high_yuan == 2_000_000 and lighthouse.low_yuan == 0
    assert any("recognition" in w.en for w in lighthouse.why)
    province = item(funding(r, "smart_factory_advanced"), "province_factory")
    assert province.applies == "unknown" and province.status == "to_check"
    assert item(funding(r, "smart_factory_excellent"), "national_benchmark_excellent").applies == "no"
    # The advanced tier's range: up to the award (a cap), nothing certain.
    f = funding(r, "smart_factory_advanced")
    assert (f.low_yuan, f.high_yuan, f.complete) == (0.0, 1_000_000, True)


def _calculator_catalog() -> yz.PolicyCatalog:
    data = _catalog_data()
    cat = next(c for c in data["categories"] if c["id"] == "intelligent_upgrade")
    common = {"year": 2025, "source": "project", "status": "project"}
    cat["amounts"] = [
        {"id": "a_rate", "item": {"en": "10 % of investment"}, "rate": 0.1, "max_yuan": 500_000,
         "scope": "city", "stacks": True} | common,
        {"id": "b_cap", "item": {"en": "provincial cap"}, "max_yuan": 200_000, "scope": "province",
         "stacks": False} | common,
        {"id": "c_cap", "item": {"en": "national cap"}, "max_yuan": 100_000, "scope": "national"} | common,
        {"id": "d_unknown", "item": {"en": "an amount nobody published"}, "scope": "city"} | common,
        {"id": "e_district", "item": {"en": "ETDZ only"}, "max_yuan": 1_000_000, "scope": "district",
         "regions": [ETDZ]} | common,
        {"id": "f_big_projects", "item": {"en": "projects of 5 million or more"}, "max_yuan": 50_000,
         "min_investment_yuan": 5_000_000, "scope": "national", "stacks": True} | common,
    ]  # fmt: skip
    return yz.PolicyCatalog.model_validate(data)


@pytest.mark.parametrize(
    ("investment", "low", "high", "stacked"),
    [
        # A 300k (10 % of 3M, stacks) + the largest of B 200k / C 100k; F needs 5M. If C stacks: +100k.
        (3_000_000, 300_000, 500_000, 600_000),
        # A capped at 500k (certain) + F up to 50k (both stack) + B up to 200k; if C stacks: +100k.
        (6_000_000, 500_000, 750_000, 850_000),
        # A's share is unknown (left out); F may apply (50k, stacks) + B 200k.
        (None, 0, 250_000, 350_000),
    ],
)
def test_ranges_add_stacking_amounts_and_keep_unknown_ones_unknown(q, investment, low, high, stacked):
    a = assess(q, answers_at(q, 0.3), region="江都区", planned_investment_yuan=investment)
    r = {x.category: x for x in a.recommend(_calculator_catalog())}["intelligent_upgrade"]
    f = funding(r)
    assert (f.low_yuan, f.high_yuan, f.high_if_stacked_yuan) == (low, high, stacked)
    assert f.complete is False  # d_unknown may apply and has no known amount
    d = item(f, "d_unknown")
    assert d.applies == "yes" and d.high_yuan is None and d.basis == "unknown"
    assert item(f, "e_district").applies == "no"
    assert item(f, "a_rate").basis == ("unknown" if investment is None else "rate")
    assert item(f, "a_rate").high_yuan == (None if investment is None else min(0.1 * investment, 500_000))
    data = f.to_dict()
    assert data["high_yuan"] == high and {x["id"] for x in data["items"]} == {
        "a_rate", "b_cap", "c_cap", "d_unknown", "e_district", "f_big_projects"
    }  # fmt: skip


def test_region_unknown_leaves_a_district_amount_to_check(q):
    a = assess(q, answers_at(q, 0.3), region=None, planned_investment_yuan=1e6)
    r = {x.category: x for x in a.recommend(_calculator_catalog())}["intelligent_upgrade"]
    f = funding(r)
    assert item(f, "e_district").applies == "unknown"
    assert item(f, "a_rate").applies == "unknown"  # in Yangzhou? unknown without region or credit code
    assert item(f, "c_cap").applies == "yes"


# --------------------------------------------------------------------------- JSON and CLI
def test_json_carries_tiers_why_not_funding_and_provenance(q):
    import json

    a = assess(q, answers_at(q, 0.6), cmmm_level=3, cmmm_assessed_by="third_party", **KNOWN_GOOD)
    data = json.loads(json.dumps(a.to_dict(recommendations=True), ensure_ascii=False))
    bench_data = next(r for r in data["recommendations"] if r["category"] == "benchmark_demo")
    assert [t["id"] for t in bench_data["tiers"]] == TIERS
    assert {f["tier"] for f in bench_data["funding"]} == {None, *TIERS[1:]}
    untied = next(f for f in bench_data["funding"] if f["tier"] is None)
    cmmm3 = next(x for x in untied["items"] if x["id"] == "cmmm_level_3")
    assert (cmmm3["applies"], cmmm3["high_yuan"], cmmm3["scope"], cmmm3["year"]) == (
        "yes",
        150000,
        "district",
        2024,
    )
    assert cmmm3["stacks"] is None and cmmm3["status"] == "verified"
    for rec in data["recommendations"]:
        for x in rec["requirements"]:
            assert x["source"] and x["rule_status"] in ("verified", "to_check", "project")
        for x in rec["reasons"]:
            assert x["source"] and x["status"]
        if rec["eligibility"] in ("not_eligible", "not_applicable") or rec["fit"] == 0:
            assert rec["why_not"], rec["category"]


def test_cli_recommend_shows_tiers_amounts_and_sources(tmp_path, capsys, q):
    import yaml

    from yzmaturity._cli import main

    sheet = {
        "questionnaire": Q_ID,
        "enterprise": YANGZHOU_FIRM | KNOWN_GOOD | {"cmmm_level": 2, "cmmm_assessed_by": "third_party"},
        "answers": answers_at(q, 0.6),
    }
    a = yz.assess(sheet, q)
    for w in a.warnings:
        if w.code == "not_relevant":
            sheet["answers"].pop(w.loc[-1])
    path = tmp_path / "sheet.yaml"
    path.write_text(yaml.safe_dump(sheet, allow_unicode=True), encoding="utf-8")
    assert main(["recommend", str(path), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Basic-tier smart factory: needs checking" in out
    assert (
        "Passed the national CMMM assessment at level 2: up to CNY 80,000 (district 2024, stacking unknown; applies)"
        in out
    )
    assert "Sources and status:" in out and "smejs.cn/policy_show.aspx" in out and "(verified)" in out
    assert main(["recommend", str(path), "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    recs_json = data["recommendations"] if isinstance(data, dict) else data
    assert any(r.get("tiers") for r in recs_json)


@pytest.mark.parametrize("catalog_id", [CATALOG_ID, "yangzhou-zgsz-2024"])
def test_the_docs_table_of_rules_follows_the_catalog(catalog_id):
    # One table serves both catalogs: yangzhou-zgsz-2024 shares every requirement, tier and amount.
    from conftest import ROOT

    text = (ROOT / "docs/recommendations.md").read_text(encoding="utf-8")
    rows = set()
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[1].startswith("`") and cells[0].startswith("`"):
            rows.add((cells[0].strip("`"), cells[1].strip("`"), cells[3]))
    expected = set()
    for c in yz.load_catalog(catalog_id).categories:
        expected |= {(c.id, r.id, r.status) for r in c.eligibility}
        for t in c.tiers:
            expected.add((c.id, t.id, t.status))
            expected |= {(c.id, f"{t.id}.{r.id}", r.status) for r in t.eligibility}
        expected |= {(c.id, a.id, a.status) for a in c.amounts}
    assert rows == expected


def test_a_condition_naming_an_impossible_assessor_fails_at_load(tmp_path):
    import yaml

    data = _catalog_data()
    bench_data = next(c for c in data["categories"] if c["id"] == "benchmark_demo")
    excellent = next(t for t in bench_data["tiers"] if t["id"] == "smart_factory_excellent")
    req = next(r for r in excellent["eligibility"] if r["id"] == "cmmm_third_party")
    req["condition"] = {"profile": "cmmm_assessed_by", "eq": "third-party"}  # a typo: would never match
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(yz.QuestionnaireError) as info:
        yz.load_catalog(path)
    assert "third-party" in str(info.value) and "third_party" in str(info.value)


def test_why_not_says_already_diagnosed_only_when_it_is_known(q):
    done = recs(assess(q, answers_at(q, 0.9, strat_diagnosed=True)))["diagnosis_service"]
    assert done.fit == 0
    assert any(w.en.startswith("does not fit: Already diagnosed") for w in done.why_not)
    # A contradiction leaves the fact unknown: no "already diagnosed", only the generic line.
    unsure = recs(assess(q, answers_at(q, 0.9, strat_diagnosed=True), diagnosed=False))["diagnosis_service"]
    assert not any("Already diagnosed" in w.en for w in unsure.why_not)
    assert any("No diagnosis yet" in w.en and "diagnosed = ?" in w.en for w in unsure.why_not)


def test_score_table_names_the_tier_to_aim_at(q):
    pd = pytest.importorskip("pandas")
    answers = answers_at(q, 0.6)
    answers.pop("ii_platform_depth", None)
    answers.pop("ii_5g_apps", None)
    flat = {k: (";".join(v) if isinstance(v, list) else v) for k, v in answers.items()}
    base = {
        "name": "x",
        "region": "江都区",
        "industry": "C36",
        "revenue_yuan": 3e8,
        "no_major_incident": True,
        "good_credit": True,
    }
    rows = [
        base | flat | {"name": "a", "cmmm_level": 1, "cmmm_assessed_by": "self", "js_selftest_score": 80},
        base | flat | {"name": "b", "cmmm_level": 2, "cmmm_assessed_by": "self", "js_selftest_score": 59},
        base | flat | {"name": "c", "cmmm_level": 2, "cmmm_assessed_by": "self", "js_selftest_score": 60},
        base
        | flat
        | {"name": "d", "cmmm_level": 3, "cmmm_assessed_by": "third_party", "js_selftest_score": 80},
    ]
    frame = pd.DataFrame(rows)
    result = yz.score_table(q, frame, catalog=CATALOG_ID)
    assert (
        "tier:benchmark_demo" in result.frame.columns
        and "tier:intelligent_upgrade" not in result.frame.columns
    )
    tiers = [None if pd.isna(v) else v for v in result.frame["tier:benchmark_demo"]]
    # The same as one by one.
    one_by_one = []
    for row in rows:
        profile = {k: row[k] for k in base | {"cmmm_level": 0, "cmmm_assessed_by": 0, "js_selftest_score": 0}}
        r = recs(assess(q, answers_at(q, 0.6), **profile))["benchmark_demo"]
        one_by_one.append(None if r.tier is None else r.tier.id)
    assert tiers == one_by_one
    assert tiers == [None, "smart_factory_basic", "smart_factory_advanced", "smart_factory_excellent"]


def test_the_equipment_example_in_the_development_zone():
    a = yz.assess(yz.load_answers(yz.example_path("yangzhou-equipment")))
    bench_rec = recs(a)["benchmark_demo"]
    assert bench_rec.tier is not None and bench_rec.tier.id == "smart_factory_excellent"
    assert bench_rec.tier_result("smart_factory_excellent").eligibility == "needs_checking"
    cmmm3 = item(funding(bench_rec), "cmmm_level_3")
    assert (cmmm3.applies, cmmm3.high_yuan) == ("yes", 150_000)
    province = item(funding(bench_rec, "smart_factory_advanced"), "province_factory")
    assert province.applies == "unknown"  # paid once the title is granted
