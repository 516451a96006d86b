"""yzmaturity.ml: archetypes, the funding recommender, nearest better peers (on synthetic cohorts)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT

pytest.importorskip("sklearn")
pd = pytest.importorskip("pandas")

from sklearn.base import clone  # noqa: E402
from sklearn.metrics import adjusted_rand_score, roc_auc_score  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import yzmaturity as yz  # noqa: E402
from yzmaturity.datasets import make_cohort  # noqa: E402
from yzmaturity.ml import (  # noqa: E402
    ArchetypeClustering,
    FundingRecommender,
    blend,
    cross_validate_recommender,
    dimension_matrix,
    funding_features,
    nearest_peers,
)


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # Small matrices: BLAS threads only contend with each other on a busy machine.
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def cohort():
    return make_cohort(2000, seed=0)  # synthetic


@pytest.fixture(scope="module")
def scores(cohort):
    return cohort.score()


@pytest.fixture(scope="module")
def xy(cohort, scores):
    X = funding_features(scores)
    y = pd.DataFrame(cohort.funded.astype(int), columns=cohort.categories)
    return X, y


# --------------------------------------------------------------------------- imports
def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return out.stdout.strip()


def test_import_yzmaturity_does_not_import_sklearn():
    assert _run("import sys, yzmaturity; print('sklearn' in sys.modules, 'pandas' in sys.modules)") == (
        "False False"
    )


def test_missing_sklearn_gives_missing_dependency_error():
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "import yzmaturity as yz\n"
        "try:\n"
        "    import yzmaturity.ml\n"
        "except yz.MissingDependencyError as e:\n"
        "    print(e.package, e.extra, isinstance(e, ImportError))\n"
    )
    assert _run(code) == "scikit-learn ml True"


# --------------------------------------------------------------------------- features
def test_dimension_matrix(scores):
    X = dimension_matrix(scores)
    assert list(X.columns) == [d.id for d in scores.questionnaire.dimensions]
    np.testing.assert_array_equal(X["data"].to_numpy(), scores.dimension("data"))
    assert dimension_matrix(scores, top_level=False, as_frame=False).shape == (
        2000,
        len(scores.dimension_ids),
    )


def test_funding_features(scores, cohort, xy):
    X, _ = xy
    assert X.shape == (2000, 19) and not X.isna().any().any()
    assert list(X.columns[:9]) == [*(d.id for d in scores.questionnaire.dimensions), "overall"]
    np.testing.assert_allclose(X["log10_revenue"], np.log10(cohort.profile["revenue_yuan"]))
    np.testing.assert_array_equal(X["diagnosed"], cohort.profile["diagnosed"].astype(float))
    assert X["solution_provider"].sum() == sum("solution_provider" in r for r in cohort.profile["roles"])
    given = funding_features(scores, {"roles": np.array(["solution_provider"] * 2000, dtype=object)})
    assert (given["solution_provider"] == 1).all()  # the profile argument wins over the scores' own


# --------------------------------------------------------------------------- archetypes
def test_archetypes_recover_the_planted_clusters(cohort, scores):
    model = ArchetypeClustering(4, random_state=0).fit(scores)
    ari = adjusted_rand_score(cohort.archetype, model.labels_)
    # Measured ARI 0.837 (seed 0; 0.838 and 0.858 with seeds 1 and 2, 2,000 enterprises).
    assert ari > 0.8, ari
    assert list(model.feature_names_in_) == [d.id for d in scores.questionnaire.dimensions]
    assert model.cluster_centers_.shape == (4, 8)
    # Numbered lowest first: the laggards are archetype 0, the leaders 3.
    means = model.cluster_centers_.mean(axis=1)
    assert list(np.argsort(means)) == [0, 1, 2, 3]
    found = {
        a: np.bincount(model.labels_[cohort.archetype == k]).argmax()
        for k, a in enumerate(cohort.archetype_names)
    }
    assert sorted(found.values()) == [0, 1, 2, 3]
    auto, office = (
        model.archetype_names_[found["automated_but_disconnected"]],
        model.archetype_names_[found["digital_office"]],
    )
    assert auto.zh.startswith("强: 装备 / 弱: ") and auto.en.startswith("strong equipment, weak ")
    assert office.zh.endswith("/ 弱: 装备") and office.en.endswith("weak equipment")
    assert model.archetype_names_[found["laggard"]].en.startswith("behind overall (")
    assert model.archetype_names_[found["integrated_leader"]].zh.startswith("整体领先（")
    # predict and transform agree with the fit.
    np.testing.assert_array_equal(model.predict(scores), model.labels_)
    assert model.transform(dimension_matrix(scores)).shape == (2000, 4)
    assert list(model.get_feature_names_out()) == [f"archetypeclustering{i}" for i in range(4)]


def test_archetype_names_without_feature_names():
    X = np.array([[90.0, 10.0], [88.0, 12.0], [10.0, 90.0], [12.0, 88.0]])
    model = ArchetypeClustering(2, random_state=0, n_init=2).fit(X)
    assert not hasattr(model, "feature_names_in_")
    assert {t.en for t in model.archetype_names_} == {"strong x0, weak x1", "strong x1, weak x0"}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_archetype_clustering_follows_sklearn_conventions(scores):
    from sklearn.utils.estimator_checks import check_estimator

    model = ArchetypeClustering(3, random_state=1, n_init=2, standardize=False)
    assert model.get_params() == {
        "n_archetypes": 3,
        "n_init": 2,
        "questionnaire": "yangzhou-2022",
        "random_state": 1,
        "standardize": False,
    }
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
    assert copy.set_params(n_archetypes=5) is copy and copy.n_archetypes == 5
    fitted = model.fit(dimension_matrix(scores))
    assert fitted is model and not hasattr(clone(model), "labels_")
    with pytest.raises(ValueError, match="n_archetypes"):
        ArchetypeClustering(0).fit(dimension_matrix(scores))
    check_estimator(ArchetypeClustering(random_state=0, n_init=2))  # every scikit-learn check


def test_archetype_clustering_in_pipeline_and_grid_search(scores):
    X = dimension_matrix(scores).iloc[:600]
    pipe = make_pipeline(StandardScaler(), ArchetypeClustering(random_state=0, n_init=2))
    labels = pipe.fit_predict(X)
    assert labels.shape == (600,) and set(labels) == {0, 1, 2, 3}
    search = GridSearchCV(pipe, {"archetypeclustering__n_archetypes": [2, 4]}, cv=3).fit(X)
    assert search.best_params_["archetypeclustering__n_archetypes"] in (2, 4)


# --------------------------------------------------------------------------- recommender
def test_recommender_beats_the_baseline_on_held_out_data(xy):
    X, y = xy
    train, test = slice(0, 1500), slice(1500, 2000)
    model = FundingRecommender().fit(X.iloc[train], y.iloc[train])
    assert model.categories_ == list(y.columns) and model.calibrated_.all()
    proba = model.predict_proba(X.iloc[test])
    assert proba.shape == (500, 7) and ((proba >= 0) & (proba <= 1)).all()
    truth = y.iloc[test].to_numpy()
    aucs = {
        c: roc_auc_score(truth[:, j], proba[:, j]) for j, c in enumerate(y.columns) if truth[:, j].sum() > 0
    }
    # Measured mean ROC AUC 0.88 (5-fold CV, seed 0), every category 0.80-0.99; a majority
    # baseline has AUC 0.5.
    assert np.mean(list(aucs.values())) > 0.8, aucs
    assert min(aucs.values()) > 0.7, aucs
    brier = ((proba - truth) ** 2).mean(axis=0)
    base = ((y.iloc[train].to_numpy().mean(axis=0) - truth) ** 2).mean(axis=0)
    # Better than predicting the training rate in every category but the rare one (leading
    # providers, about 1 % positives, a handful in 500 rows): there the Brier score is noise.
    common = y.iloc[train].to_numpy().mean(axis=0) >= 0.05
    assert (brier[common] < base[common]).all(), (brier, base)
    pred = model.predict(X.iloc[test])
    majority = (y.iloc[train].to_numpy().mean(axis=0) >= 0.5).astype(int)
    assert (pred == truth).mean() > (majority == truth).mean() + 0.05


def test_cross_validate_recommender(xy):
    X, y = xy
    ev = cross_validate_recommender(X.iloc[:1200], y.iloc[:1200], cv=3, random_state=0)
    assert ev.categories == list(y.columns) and ev.n_splits == 3
    assert ev.proba.shape == (1200, 7) and not np.isnan(ev.proba).any()
    assert ev.mean_roc_auc > 0.8 and ev.mean_brier_skill > 0.2
    for m in ev.per_category.values():
        assert set(m) == {"prevalence", "roc_auc", "brier", "brier_baseline", "accuracy", "majority_accuracy"}
        assert m["brier"] < m["brier_baseline"]
    assert list(ev.to_frame().index) == list(y.columns)


def test_recommender_edge_cases(xy):
    X, y = xy
    Y = y.iloc[:300].to_numpy().copy()
    Y[:, 0] = 0  # never funded: a constant rate
    Y[:, 1] = 0
    Y[:2, 1] = 1  # two positives: fewer than the calibration folds
    model = FundingRecommender(cv=3).fit(X.iloc[:300].to_numpy(), Y)
    assert model.estimators_[0] is None and not model.calibrated_[1] and model.calibrated_[2]
    proba = model.predict_proba(X.iloc[:300].to_numpy())
    assert (proba[:, 0] == 0).all()
    assert model.categories_ == [f"y{j}" for j in range(7)]
    with pytest.raises(ValueError, match="method"):
        FundingRecommender(method="beta").fit(X.iloc[:50], y.iloc[:50])
    with pytest.raises(ValueError):
        FundingRecommender().fit(X.iloc[:50], np.full((50, 2), 2.5))
    # A 1-D target is an ordinary classifier: (N, 2) probabilities, labels out.
    single = FundingRecommender().fit(X.iloc[:300], y.iloc[:300, 1])
    assert single.predict_proba(X.iloc[:5]).shape == (5, 2) and set(single.predict(X)) <= {0, 1}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_recommender_follows_sklearn_conventions(xy):
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils.estimator_checks import check_estimator

    X, y = xy
    base = make_pipeline(StandardScaler(), LogisticRegression(C=0.5))
    model = FundingRecommender(base_estimator=base, method="isotonic", cv=2)
    assert model.get_params(deep=False) == {"base_estimator": base, "method": "isotonic", "cv": 2}
    assert model.get_params()["base_estimator__logisticregression__C"] == 0.5
    copy = clone(model)
    assert copy.base_estimator is not base and copy.base_estimator[-1].C == 0.5
    assert model.fit(X.iloc[:400], y.iloc[:400]) is model and not hasattr(copy, "estimators_")
    pipe = make_pipeline(StandardScaler(), FundingRecommender(cv=2)).fit(X.iloc[:400], y.iloc[:400])
    assert pipe.predict_proba(X.iloc[400:450]).shape == (50, 7)
    search = GridSearchCV(FundingRecommender(), {"method": ["sigmoid", "isotonic"]}, cv=2, scoring="roc_auc")
    search.fit(X.iloc[:600], y.iloc[:600])
    assert search.best_params_["method"] in ("sigmoid", "isotonic") and search.best_score_ > 0.75
    check_estimator(FundingRecommender())  # every scikit-learn check (1-D targets included)


def test_blend(scores, xy):
    X, y = xy
    proba = np.array([[0.2, 0.8], [1.0, 0.0]])
    rule = np.array([[0.6, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(blend(proba, rule), [[0.4, 0.4], [0.5, 0.5]])
    np.testing.assert_allclose(blend(proba, rule, 1.0), proba)
    np.testing.assert_allclose(blend(proba, rule, [0.0, 0.25]), [[0.6, 0.2], [0.0, 0.75]])
    with pytest.raises(ValueError, match="shape"):
        blend(proba, rule[:, :1])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        blend(proba, rule, 1.5)
    match = yz.match_batch(yz.load_catalog("yangzhou-zgsz-2022"), scores)
    model = FundingRecommender().fit(X.iloc[:500], y.iloc[:500])
    p = model.predict_proba(X)
    mixed = blend(p, match, 0.3, categories=model.categories_)
    np.testing.assert_allclose(mixed, 0.3 * p + 0.7 * match.arrays.fit)
    reordered = list(reversed(model.categories_))
    np.testing.assert_allclose(
        blend(p[:, ::-1], match, 0.3, categories=reordered),
        0.3 * p[:, ::-1] + 0.7 * match.arrays.fit[:, ::-1],
    )


# --------------------------------------------------------------------------- nearest peers
def test_nearest_peers(cohort, scores):
    division = cohort.profile["industry_division"]
    row = int(np.flatnonzero((scores.level == 1) & (division == 36))[0])
    result = nearest_peers(scores, cohort.profile, row, n=5)
    assert result.level == 1 and result.target_level == 2
    assert len(result.peers) == 5 and row not in result.peers
    assert (scores.level[result.peers] == 2).all()
    assert result.same_division and (division[result.peers] == 36).all() and result.division == "C36"
    assert np.all(np.diff(result.distances) >= 0)
    # The nearest: no other level-2 C36 enterprise is closer than the farthest chosen one.
    ids = [d.id for d in scores.questionnaire.dimensions]
    X = np.column_stack([scores.dimension(d) for d in ids])
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    others = np.flatnonzero((scores.level == 2) & (division == 36))
    dist = np.sqrt(((Z[others] - Z[row]) ** 2).sum(axis=1))
    assert np.sort(dist)[:5] == pytest.approx(result.distances)
    # Differences: mean peer score minus own, largest first.
    diffs = list(result.differences.values())
    assert diffs == sorted(diffs, reverse=True)
    top, gap = result.learn_from(1)[0]
    assert gap == pytest.approx(X[result.peers, ids.index(top)].mean() - X[row, ids.index(top)])
    title = scores.questionnaire.compiled().dimension(top).title
    assert f"{title.zh}（+{gap:.1f}分）" in result.sentence("zh")
    assert result.sentence("zh").startswith("与您最相近的5家同行业（C36）L2 规范级企业在")
    assert result.sentence("en").startswith("The 5 nearest C36 peers at L2 Standardised are ahead in ")
    json.dumps(result.to_dict(), ensure_ascii=False)


def test_nearest_peers_fall_back_and_top_level(cohort, scores):
    division = cohort.profile["industry_division"]
    level3 = scores.level == 3
    few = [i for i in np.flatnonzero(scores.level == 2) if (level3 & (division == division[i])).sum() < 5]
    result = nearest_peers(scores, None, int(few[0]), n=5)
    assert not result.same_division and len(result.peers) == 5
    assert (scores.level[result.peers] == 3).all()
    assert result.sentence("en").startswith("The 5 nearest enterprises at L3 Integrated")
    top = int(np.flatnonzero(scores.level == 5)[0])
    none = nearest_peers(scores, None, top)
    assert len(none.peers) == 0 and none.target_level == 6
    assert none.sentence("en").startswith("No enterprise at L6")
    two_up = nearest_peers(scores, None, int(np.flatnonzero(scores.level == 0)[0]), n=3, level_up=2)
    assert (scores.level[two_up.peers] == 2).all()
    with pytest.raises(IndexError):
        nearest_peers(scores, None, 10_000)


def test_invalid_rows_get_a_clear_error_naming_their_count(scores, xy):
    """An invalid row has NaN scores: the estimators say how many and how to keep the valid ones."""
    X = dimension_matrix(scores, top_level=True).to_numpy().copy()
    X[[3, 7, 11]] = np.nan  # as three invalid rows of a cohort
    with pytest.raises(ValueError, match=r"3 of 2000 rows have NaN features.*scores\.valid"):
        ArchetypeClustering(n_archetypes=3, random_state=0).fit(X)
    model = ArchetypeClustering(n_archetypes=3, random_state=0).fit(X[~np.isnan(X).any(axis=1)])
    with pytest.raises(ValueError, match="3 of 2000 rows"):
        model.transform(X)
    features, y = xy
    bad = features.copy()
    bad.iloc[[5]] = np.nan
    with pytest.raises(ValueError, match="1 of 2000 rows have NaN features"):
        FundingRecommender().fit(bad, y)
