"""Synthetic cohorts (yzmaturity.datasets) and cohort benchmarks (peer percentiles, summary, position).

All cohorts here are synthetic (made by make_cohort), not real enterprises.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import ROOT

import yzmaturity as yz
from yzmaturity._cohort import cohort_summary, peer_percentiles, position
from yzmaturity._reference import YANGZHOU_AREAS
from yzmaturity._scoring import BatchScores
from yzmaturity.datasets import ARCHETYPES, FUNDING_CATEGORIES, SYNTHETIC_NOTE, make_cohort


@pytest.fixture(scope="module")
def cohort():
    return make_cohort(1000, seed=7)


@pytest.fixture(scope="module")
def scores(cohort):
    return cohort.score()


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return [_norm(x) for x in a.tolist()] == [_norm(x) for x in b.tolist()]


def _norm(x: object) -> object:
    return "nan" if isinstance(x, float) and np.isnan(x) else x


# --------------------------------------------------------------------------- make_cohort
def test_make_cohort_is_deterministic_for_a_seed(cohort):
    again = make_cohort(1000, seed=7)
    other = make_cohort(1000, seed=8)
    for qid, column in cohort.answers.items():
        assert _same(column, again.answers[qid]), qid
    for name, column in cohort.profile.items():
        assert _same(column, again.profile[name]), name
    assert np.array_equal(cohort.archetype, again.archetype)
    assert np.array_equal(cohort.funded, again.funded)
    assert not all(_same(c, other.answers[q]) for q, c in cohort.answers.items())
    assert not np.array_equal(cohort.archetype, other.archetype)


def test_every_row_validates_and_respects_conditions(cohort, scores):
    assert len(scores) == len(cohort) == 1000
    assert scores.valid.all() and scores.n_invalid == 0
    assert not scores.warnings.rows()  # no answer to a question its condition skips
    # Conditions: a skipped question is blank.
    has = lambda qid, opt: np.array([opt in (v or "").split(";") for v in cohort.answers[qid]])  # noqa: E731
    blank = lambda qid: np.array([v is None for v in cohort.answers[qid]])  # noqa: E731
    assert blank("ii_5g_apps")[~has("ii_network", "fiveg")].all()
    assert blank("sys_mes_depth")[~has("sys_in_use", "mes")].all()
    assert blank("eq_rnd")[~cohort.profile["is_equipment_maker"]].all()
    assert not blank("eq_rnd")[cohort.profile["is_equipment_maker"]].all()
    # Required questions are answered (or n/a where allowed) on every row.
    cq = cohort.questionnaire.compiled()
    for q in cq.questions:
        if q.required and q.relevant is None:
            column = cohort.answers[q.id]
            assert not any(v is None or (isinstance(v, float) and np.isnan(v)) for v in column.tolist()), q.id
    # n/a only where allowed, and robots n/a mostly in process industries.
    for q in cq.questions:
        if not q.allow_na:
            assert "n/a" not in [v for v in cohort.answers[q.id].tolist() if isinstance(v, str)], q.id
    robots_na = np.array([v == "n/a" for v in cohort.answers["eq_robots"]])
    process = np.isin(cohort.profile["industry_division"], [13, 14, 15, 22, 25, 26, 27, 28, 30, 31, 32])
    assert robots_na[process].mean() > 0.3 > robots_na[~process].mean()
    # The questionnaire's own diagnosis answer agrees with the profile flag.
    assert np.array_equal(cohort.answers["strat_diagnosed"].astype(bool), cohort.profile["diagnosed"])


def test_cohort_is_labelled_synthetic(cohort):
    assert cohort.synthetic is True
    assert "synthetic" in cohort.note and "合成" in cohort.note and cohort.note == SYNTHETIC_NOTE
    assert all(re.fullmatch(r"合成企业-\d{6} \(synthetic\)", n) for n in cohort.profile["name"])
    assert "synthetic" in repr(cohort)
    frame = cohort.to_frame(truth=True)
    assert frame.attrs["synthetic"] is True and frame.attrs["note"] == SYNTHETIC_NOTE
    assert frame.attrs["seed"] == 7
    assert "credit_code" not in cohort.profile  # no made-up codes that could belong to a real firm


def test_profiles_are_plausible_and_consistent(cohort):
    p = cohort.profile
    above = p["above_designated_size"].mean()
    assert 0.5 < above < 0.85  # the diagnosis programme is aimed at 规上 enterprises
    industries, counts = np.unique(p["industry"].astype(str), return_counts=True)
    assert industries[np.argmax(counts)] == "C36"  # auto parts lead, as in Yangzhou
    assert {"C34", "C35", "C38", "C26", "C17", "C41", "C37"} <= set(industries)
    assert set(p["region"]) <= set(YANGZHOU_AREAS)
    providers = np.array(["solution_provider" in r for r in p["roles"]])
    assert 0 < providers.sum() < 0.1 * len(cohort)
    assert set(p["industry"][providers]) <= {"I63", "I64", "I65"}
    assert 0.3 < p["diagnosed"].mean() < 0.8
    # Derived fields agree with the Enterprise model on a sample of rows.
    for i in range(0, 1000, 97):
        e = yz.Enterprise(
            name=str(p["name"][i]),
            industry=str(p["industry"][i]),
            region=str(p["region"][i]),
            employees=int(p["employees"][i]),
            revenue_yuan=float(p["revenue_yuan"][i]),
            roles=sorted(p["roles"][i]),
        )
        assert e.size_class == p["size_class"][i]
        assert e.above_designated_size == bool(p["above_designated_size"][i])
        assert e.industry_division == int(p["industry_division"][i])
        assert e.is_manufacturing == bool(p["is_manufacturing"][i])
        assert e.is_equipment_maker == bool(p["is_equipment_maker"][i])
        assert e.in_yangzhou is True


def test_planted_structure_shows_in_the_scores(cohort, scores):
    dims = cohort.latent_dimensions
    X = np.column_stack([scores.dimension(d) for d in dims])
    mean = {a.id: X[cohort.archetype == k].mean(axis=0) for k, a in enumerate(ARCHETYPES)}
    at = {d: j for j, d in enumerate(dims)}
    auto, office = mean["automated_but_disconnected"], mean["digital_office"]
    assert auto[at["equipment"]] > auto[at["data"]] + 30 and auto[at["equipment"]] > auto[at["systems"]] + 30
    assert office[at["systems"]] > office[at["equipment"]] + 30
    assert office[at["strategy"]] > office[at["equipment"]] + 30
    assert (mean["laggard"] < 30).all() and (mean["integrated_leader"] > 70).all()
    # Dimensions correlate with each other and with size.
    corr = np.corrcoef(X, rowvar=False)
    assert corr[np.triu_indices(len(dims), 1)].mean() > 0.2
    assert np.corrcoef(np.log(cohort.profile["revenue_yuan"]), scores.overall)[0, 1] > 0.1


def test_funding_history_follows_its_rule(cohort, scores):
    f = cohort.funded
    assert f.shape == (1000, 7) and f.dtype == bool
    assert cohort.categories == list(FUNDING_CATEGORIES)
    catalog = yz.load_catalog("yangzhou-zgsz-2022")
    assert cohort.categories == [c.id for c in catalog.categories]
    assert (f.sum(axis=1) >= 2).any()  # multi-label
    roles = cohort.profile["roles"]
    provider = np.array(["solution_provider" in r for r in roles])
    col = {c: j for j, c in enumerate(cohort.categories)}
    assert not f[provider][:, col["intelligent_upgrade"]].any()  # not applicable: never funded
    assert not f[~provider][:, col["leading_provider"]].any()
    maker = cohort.profile["is_equipment_maker"] | np.array(["equipment_maker" in r for r in roles])
    assert not f[~maker][:, col["smart_equipment_rnd"]].any()
    # Intelligent upgrading: likelier with weak equipment and planned investment.
    weak = (scores.dimension("equipment") < 40) & (cohort.profile["planned_investment_yuan"] > 0) & ~provider
    strong = (scores.dimension("equipment") > 70) & ~provider
    iu = f[:, col["intelligent_upgrade"]]
    assert iu[weak].mean() > iu[strong].mean() + 0.25
    # Every category has positives and negatives.
    assert (f.sum(axis=0) > 0).all() and (f.sum(axis=0) < 1000).all()


def test_to_frame_is_the_table_format_and_scores_the_same(cohort, scores):
    frame = cohort.to_frame(derived=True, truth=True)
    assert list(frame.columns[:3]) == ["name", "region", "industry"]
    assert {"_size_class", "_archetype", "_funded_benchmark_demo"} <= set(frame.columns)
    multi = [v for v in frame["sys_in_use"] if isinstance(v, str)]
    assert any(";" in v for v in multi)
    tables = pytest.importorskip("yzmaturity._tables")
    result = tables.score_table(cohort.questionnaire, frame, match=False)
    assert result.n_invalid == 0
    np.testing.assert_allclose(result.scores.overall, scores.overall)
    assert np.array_equal(result.scores.level, scores.level)


def test_make_cohort_rejects_an_empty_cohort():
    with pytest.raises(ValueError, match="at least one"):
        make_cohort(0)


def test_importing_datasets_and_cohort_stays_light():
    code = (
        "import sys, json, yzmaturity.datasets, yzmaturity._cohort; "
        "print(json.dumps(sorted(m for m in ('sklearn', 'pandas', 'scipy') if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(out.stdout) == []


# --------------------------------------------------------------------------- percentiles
def _reference_percentile(values: list[float], x: float) -> float:
    """The definition, slowly: share strictly below plus half the ties, in %."""
    try:
        from scipy.stats import percentileofscore
    except ImportError:
        below = sum(1 for v in values if v < x)
        ties = sum(1 for v in values if v == x)
        return 100.0 * (below + 0.5 * ties) / len(values)
    return float(percentileofscore(values, x, kind="mean"))


def _slow_percentiles(scores, profile, by, min_group):
    """Group by hand (plain Python), fall back by hand, rank by the reference."""
    n = len(scores)
    columns = [*scores.dimension_ids, "overall"]
    values = {c: (scores.overall if c == "overall" else scores.dimension(c)) for c in columns}
    keys = [[None if v is None else str(v) for v in np.asarray(profile[k]).tolist()] for k in by]
    out = np.full((n, len(columns)), np.nan)
    used = np.zeros(n, dtype=int)
    for i in range(n):
        for level in range(len(by), -1, -1):
            if any(keys[k][i] is None for k in range(level)):
                continue
            members = [
                j for j in range(n) if scores.valid[j] and all(keys[k][j] == keys[k][i] for k in range(level))
            ]
            if len(members) >= min_group or level == 0:
                break
        used[i] = level
        if not scores.valid[i]:
            continue
        for c, col in enumerate(columns):
            peers = [float(values[col][j]) for j in members if not np.isnan(values[col][j])]
            if peers and not np.isnan(values[col][i]):
                out[i, c] = _reference_percentile(peers, float(values[col][i]))
    return out, used


@pytest.mark.parametrize(
    ("by", "min_group"),
    [(("industry_division", "size_class"), 10), (("region",), 40), (("industry_division", "region"), 25)],
)
def test_peer_percentiles_agree_with_the_reference(by, min_group):
    small = make_cohort(300, seed=3)
    scores = small.score()
    fast = peer_percentiles(scores, small.profile, by=by, min_group=min_group)
    slow, used = _slow_percentiles(scores, small.profile, by, min_group)
    assert fast.columns == [*scores.dimension_ids, "overall"]
    np.testing.assert_allclose(fast.percentiles, slow, rtol=0, atol=1e-9)
    assert np.array_equal(fast.keys_used, used)
    assert len(np.unique(used)) >= 2  # some groups fell back
    assert ((fast.percentiles > 0) & (fast.percentiles <= 100)).all()


def test_peer_percentiles_read_the_scores_own_profile(cohort, scores):
    given = peer_percentiles(scores, cohort.profile)
    own = peer_percentiles(scores)  # from score_batch(profile=...)
    np.testing.assert_array_equal(given.percentiles, own.percentiles)


def test_small_groups_fall_back_to_coarser_groups(cohort, scores):
    pp = peer_percentiles(scores, by=("industry_division", "size_class"), min_group=10)
    division = cohort.profile["industry_division"]
    size = cohort.profile["size_class"]
    for i in range(len(cohort)):
        same_div = division == division[i]
        full = int((same_div & (size == size[i])).sum())
        if full >= 10:
            assert pp.keys_used[i] == 2 and pp.group_size[i] == full
            assert pp.group[i] == (cohort.profile["industry"][i], size[i])
        elif same_div.sum() >= 10:
            assert pp.keys_used[i] == 1 and pp.group_size[i] == int(same_div.sum())
        else:
            assert pp.keys_used[i] == 0 and pp.group_size[i] == len(cohort)
    assert pp.fell_back.any() and not pp.fell_back.all()
    i = int(np.flatnonzero(pp.keys_used == 1)[0])
    assert "，" not in pp.group_label(i, "zh") and pp.group_label(i, "en").startswith(("C", "I"))
    # min_group above the cohort: everyone is ranked in the whole cohort.
    everyone = peer_percentiles(scores, by=("industry_division",), min_group=10_000)
    assert (everyone.keys_used == 0).all()
    assert everyone.group_label(0, "zh") == "全部参评企业"
    ranks = np.argsort(np.argsort(scores.overall))
    assert np.array_equal(np.argsort(np.argsort(everyone["overall"])), ranks)


def test_unknown_keys_and_invalid_rows(cohort):
    answers = {q: c.copy() for q, c in cohort.answers.items()}
    answers["strat_plan"][0] = "no_such_option"  # row 0 becomes invalid
    profile = dict(cohort.profile)
    profile["region"] = profile["region"].copy()
    profile["region"][1] = None  # row 1's region unknown
    scores = yz.score_batch(cohort.questionnaire, answers, profile=profile)
    assert not scores.valid[0] and scores.valid[1:].all()
    pp = peer_percentiles(scores, by=("region",))
    assert np.isnan(pp.percentiles[0]).all()
    assert pp.keys_used[1] == 0 and pp.group[1] == ()  # unknown key: the whole cohort
    # The invalid row is no one's peer: same numbers as without it.
    rest = yz.score_batch(
        cohort.questionnaire,
        {q: c[1:] for q, c in answers.items()},
        profile={k: v[1:] for k, v in profile.items()},
    )
    np.testing.assert_allclose(peer_percentiles(rest, by=("region",)).percentiles, pp.percentiles[1:])


def test_nan_scores_are_left_out():
    q = yz.load_questionnaire("yangzhou-2022")
    n = 6
    dims = np.tile(np.array([10.0, 20.0, 20.0, 30.0, np.nan, 40.0])[:, None], (1, len(q.compiled().dim_ids)))
    fake = BatchScores(
        questionnaire=q,
        overall=dims[:, 0].copy(),
        level=np.zeros(n, dtype=np.int64),
        dimensions=dims,
        metrics={},
        valid=np.ones(n, dtype=bool),
        errors=yz.RowProblems(),
        warnings=yz.RowProblems(),
    )
    pp = peer_percentiles(
        fake, {"region": np.array(["江都区"] * n, dtype=object)}, by=("region",), min_group=1
    )
    got = pp["strategy"]
    peers = [10.0, 20.0, 20.0, 30.0, 40.0]
    expected = [_reference_percentile(peers, x) for x in peers]
    np.testing.assert_allclose(got[[0, 1, 2, 3, 5]], expected)
    assert np.isnan(got[4])
    assert expected[1] == pytest.approx(40.0)  # 1 below + half of 2 ties, of 5


def test_peer_percentiles_are_fast_on_100k_rows():
    q = yz.load_questionnaire("yangzhou-2022")
    n = 100_000
    rng = np.random.default_rng(0)
    dims = np.round(rng.uniform(0, 100, (n, len(q.compiled().dim_ids))), 1)  # many ties, as real scores
    fake = BatchScores(
        questionnaire=q,
        overall=dims.mean(axis=1),
        level=np.zeros(n, dtype=np.int64),
        dimensions=dims,
        metrics={},
        valid=np.ones(n, dtype=bool),
        errors=yz.RowProblems(),
        warnings=yz.RowProblems(),
    )
    profile = {
        "industry_division": rng.choice([13, 17, 26, 34, 35, 36, 37, 38, 41, 99], n),
        "size_class": rng.choice(np.array(["large", "medium", "small", "micro"], dtype=object), n),
    }
    start = time.perf_counter()
    pp = peer_percentiles(fake, profile)
    elapsed = time.perf_counter() - start
    # Measured about 0.3 s on the 2-core development machine; the bound leaves room for a busy CI.
    assert elapsed < 2.0, f"{elapsed:.2f} s"
    assert np.isfinite(pp.percentiles).all()


# --------------------------------------------------------------------------- summary and position
def test_cohort_summary(scores):
    catalog = yz.load_catalog("yangzhou-zgsz-2022")
    match = yz.match_batch(catalog, scores)
    summary = cohort_summary(scores, match)
    json.dumps(summary, ensure_ascii=False)  # plain data
    assert summary["n"] == summary["valid"] == 1000 and summary["invalid"] == 0
    assert sum(v["count"] for v in summary["levels"].values()) == 1000
    assert summary["levels"]["L0"]["name"]["zh"] == "未达级"
    for stats in [summary["overall"], *summary["dimensions"].values()]:
        assert stats["min"] <= stats["q1"] <= stats["median"] <= stats["q3"] <= stats["max"]
    assert summary["dimensions"]["data"]["mean"] == pytest.approx(
        float(scores.dimension("data").mean()), abs=0.01
    )
    assert summary["categories"] == match.counts()
    assert "categories" not in cohort_summary(scores)


def test_position_of_a_row_matches_peer_percentiles(cohort, scores):
    pp = peer_percentiles(scores)
    for row in (0, 5, 123):
        pos = position(row, scores)
        assert pos.row == row and pos.name == cohort.profile["name"][row]
        for col, pct in pos.percentiles.items():
            assert pct == pytest.approx(pp[col][row])
        assert pos.group == pp.group[row] and pos.group_size == pp.group_size[row]
        assert list(pos.percentiles) == [*[d.id for d in cohort.questionnaire.dimensions], "overall"]


def test_position_sentences(cohort, scores):
    pp = peer_percentiles(scores)
    row = int(np.flatnonzero((pp.keys_used == 2) & (cohort.profile["industry_division"] == 36))[0])
    pos = position(row, scores)
    pct = round(pos.percentiles["data"])
    size_zh = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}[
        cohort.profile["size_class"][row]
    ]
    size_en = cohort.profile["size_class"][row]
    assert pos.sentence("data", "zh") == f"数据维度优于{pct}%的同行（C36，{size_zh}）"
    assert pos.sentence("data", "en") == f"better than {pct} % of automotive peers (C36, {size_en}) in data"
    assert pos.sentence("overall", "zh").startswith("总分优于")
    assert pos.sentence("overall", "en").endswith(") overall")
    assert len(pos.sentences("en")) == 9
    d = pos.to_dict()
    assert d["group"] == {"industry_division": "C36", "size_class": size_en}
    json.dumps(d, ensure_ascii=False)
    by_region = position(row, scores, by=("region",))
    region = cohort.profile["region"][row]
    assert by_region.sentence("equipment", "zh").endswith(f"的企业（{region}）")
    whole = position(row, scores, by=("region",), min_group=10_000)
    assert whole.fell_back and whole.sentence("data", "zh").endswith("的参评企业")
    assert "of the whole cohort in data" in whole.sentence("data", "en")


def test_position_of_an_assessment(cohort, scores):
    a = yz.assess(yz.load_answers(yz.example_path("yangzhou-autoparts")))
    pos = position(a, scores)
    assert pos.row is None and pos.name == a.enterprise.name
    div = cohort.profile["industry_division"] == a.enterprise.industry_division
    same = div & (cohort.profile["size_class"] == a.enterprise.size_class)
    peers = same if same.sum() >= 10 else div
    assert pos.group_size == int(peers.sum())
    expected = _reference_percentile(scores.dimension("data")[peers].tolist(), a.dimensions["data"].score)
    assert pos.percentiles["data"] == pytest.approx(expected)
    assert pos.scores["overall"] == pytest.approx(a.overall)
    with pytest.raises(IndexError):
        position(len(scores), scores)
