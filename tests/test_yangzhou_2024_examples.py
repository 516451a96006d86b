"""The three example enterprises diagnosed with yangzhou-2024: official result, composite and funding advice."""

from __future__ import annotations

import json

import pytest

import yzmaturity as yz
from yzmaturity._cli import main

# The official totals and levels, derived by hand in each example's header from the official points.
OFFICIAL = {"toothbrush": (28.7, 1), "autoparts": (59.8, 2), "equipment": (87.3, 4)}
# The tier to aim at: CMMM unknown -> the basic tier is left to check first; the equipment maker's CMMM 3
# (third party) meets the excellent tier's CMMM minimum, not the leading tier's 4.
TIER = {
    "toothbrush": "smart_factory_basic",
    "autoparts": "smart_factory_basic",
    "equipment": "smart_factory_excellent",
}
GRADIENT = [
    "smart_factory_basic",
    "smart_factory_advanced",
    "smart_factory_excellent",
    "smart_factory_leading",
]


def _path(name: str):
    return yz.example_path(f"yangzhou-2024-{name}")


@pytest.fixture(scope="module", params=sorted(OFFICIAL))
def case(request):
    name = request.param
    return name, yz.assess(yz.load_answers(_path(name)))


def test_examples_are_listed_clean_and_consistent_with_their_2022_sheets():
    for name in OFFICIAL:
        new = yz.load_answers(_path(name))
        old = yz.load_answers(yz.example_path(f"yangzhou-{name}"))
        assert new.questionnaire == "yangzhou-2024" and new.enterprise == old.enterprise
        a = yz.assess(new)
        assert not a.warnings and not a.official.problems
        # Where the questions coincide the answers are the 2022 sheet's (official scenes run 1-4: 0 -> 1).
        shared = set(new.answers) & set(old.answers)
        assert {"eq_robots", "strat_diagnosed", "scene_quality"} <= shared
        for qid in shared:
            before = old.answers[qid].value
            if qid.startswith("scene_") and before == 0:
                before = 1
            assert new.answers[qid].value == before, (name, qid)


def test_assessment_gives_the_official_result_and_the_composite(case):
    name, a = case
    total, level = OFFICIAL[name]
    assert a.official.overall == pytest.approx(total)
    assert a.official.level.number == level
    assert a.dimensions["miit"].score == pytest.approx(total)
    # The composite weighs the official block 60 and the Yangzhou block 40 (the project's own weights).
    assert a.overall == pytest.approx(0.6 * total + 0.4 * a.dimensions["yangzhou"].score, abs=0.01)
    assert a.level.id.startswith("Y")


def test_recommendations_come_from_the_2024_catalog_with_tiers(case):
    name, a = case
    assert a.catalog().id == "yangzhou-zgsz-2024"
    recs = {r.category: r for r in a.recommendations}
    assert len(recs) == 7
    bench = recs["benchmark_demo"]
    assert [t.id for t in bench.tiers] == GRADIENT
    assert bench.tier is not None and bench.tier.id == TIER[name]
    if name == "equipment":
        assert (
            bench.tier_result("smart_factory_excellent").eligibility == "needs_checking"
        )  # a national selection
        assert bench.tier_result("smart_factory_leading").eligibility == "not_eligible"  # CMMM 3 < 4
        held = {x.rule for x in bench.reasons}
        assert {"integrated_level", "optimised_level"} <= held  # official level 4
    else:
        assert bench.tier_result("smart_factory_basic").eligibility == "needs_checking"  # CMMM unknown
    if name == "toothbrush":
        # Not diagnosed, official level 1 and total 28.7 < 40, no plan: diagnosis first, citing the official total.
        top = a.recommendations[0]
        assert top.category == "diagnosis_service"
        assert {x.rule for x in top.reasons} == {"not_diagnosed", "low_level", "low_overall", "no_plan"}
        assert any("official total 28.7" in x.text.en for x in top.reasons)
    if name == "autoparts":
        # Networking over all production equipment: 74 / 437 = 16.9 %, below 40 %.
        ii = {x.rule: x for x in recs["industrial_internet"].reasons}
        assert "16.9 %" in ii["low_networking"].text.en
        assert not any(x.rule == "not_diagnosed" for x in recs["diagnosis_service"].reasons)


def test_json_has_both_results_and_tiers(case):
    name, a = case
    total, level = OFFICIAL[name]
    data = json.loads(a.to_json(recommendations=True))
    assert data["official"]["overall"] == pytest.approx(total)
    assert data["official"]["level"]["number"] == level
    assert data["overall"] == pytest.approx(a.overall, abs=0.01)
    bench = next(r for r in data["recommendations"] if r["category"] == "benchmark_demo")
    assert [t["id"] for t in bench["tiers"]] == GRADIENT


def test_cli_assess_shows_both_results_and_tiers(case, capsys):
    name, a = case
    total, level = OFFICIAL[name]
    assert main(["assess", str(_path(name)), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert f"Overall: {a.overall:.1f} / 100" in out
    assert (
        f"Official result (MIIT SME digital level evaluation indicators (2024 edition)): {total:.2f} / 100, L{level}"
        in out
    )
    # The text lists the top three categories: the tiers show where the benchmark category is among them.
    assert f"1. {a.recommendations[0].name.en}  fit" in out
    shown = [r.category for r in a.recommendations[:3]]
    assert ("Leading-tier smart factory (national):" in out) == ("benchmark_demo" in shown)
    assert ("benchmark_demo" in shown) == (name == "equipment")
    assert main(["assess", str(_path(name)), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["official"]["overall"] == pytest.approx(total)
    assert data["official"]["level"]["number"] == level
    bench = next(r for r in data["recommendations"] if r["category"] == "benchmark_demo")
    assert [t["id"] for t in bench["tiers"]] == GRADIENT
    # `recommend` lists every category, with the gradient's tiers.
    assert main(["recommend", str(_path(name)), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Basic-tier smart factory: " in out and "Leading-tier smart factory (national): " in out


def test_html_report_shows_both_results_and_tiers(case):
    name, a = case
    total, level = OFFICIAL[name]
    html = a.report("en").to_html()
    assert f"{total:.2f} / 100 · L{level}" in html
    assert f"{a.overall:.1f}" in html
    assert "Basic-tier smart factory" in html and "Excellent-tier smart factory (national)" in html


def test_a_table_of_the_examples_matches_as_each_sheet(tmp_path):
    import csv

    pd = pytest.importorskip("pandas")

    def cell(value):
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, list):
            return ";".join(value)
        return value

    rows, singles = [], []
    for name in sorted(OFFICIAL):
        sheet = yz.load_answers(_path(name))
        singles.append(yz.assess(sheet))
        row = {k: cell(v) for k, v in sheet.enterprise.dump().items()}
        for qid, answer in sheet.answers.items():
            row[qid] = "/".join(map(str, answer.counts)) if answer.counts is not None else cell(answer.value)
        rows.append(row)
    columns = sorted({k for r in rows for k in r})
    path = tmp_path / "examples.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    frame = yz.score_table("yangzhou-2024", path).frame  # the default catalog: yangzhou-zgsz-2024
    assert isinstance(frame, pd.DataFrame) and len(frame) == 3
    for i, a in enumerate(singles):
        assert float(frame["official_overall"][i]) == pytest.approx(a.official.overall)
        assert int(frame["official_level"][i]) == a.official.level.number
        for r in a.recommendations:
            assert float(frame[f"fit:{r.category}"][i]) == pytest.approx(r.fit), r.category
            assert frame[f"eligibility:{r.category}"][i] == r.eligibility, r.category
        bench = next(r for r in a.recommendations if r.category == "benchmark_demo")
        assert frame["tier:benchmark_demo"][i] == bench.tier.id
