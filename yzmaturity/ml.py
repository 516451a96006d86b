"""Machine learning on a cohort: archetypes, funding from past decisions, better peers to learn from.

Needs the ``ml`` extra (scikit-learn, pandas): ``pip install 'yzmaturity[ml]'``.
Importing this module imports scikit-learn's base classes; ``import
yzmaturity`` does not import this module, and the heavier parts (k-means,
logistic regression, calibration, metrics) load when first used.

The estimators follow scikit-learn's conventions: ``__init__`` stores its
parameters unchanged, learned attributes end in ``_``, ``fit`` returns
``self``; they clone, work in a :class:`~sklearn.pipeline.Pipeline` and in
:class:`~sklearn.model_selection.GridSearchCV`.

- :class:`ArchetypeClustering`: k-means on standardised dimension profiles,
  each archetype named from its strongest and weakest dimension;
- :class:`FundingRecommender`: a calibrated multi-label classifier of past
  funding decisions, one probability per category, to :func:`blend` with the
  rule-based fit of the policy catalog; :func:`cross_validate_recommender`
  measures it (ROC AUC and Brier score per category against a baseline);
- :func:`nearest_peers`: the most similar enterprises one level up and the
  dimensions where they are ahead ("learn from neighbours").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ._cohort import OVERALL, encode_key, lower_first, profile_column
from ._exceptions import MissingDependencyError
from ._loading import load_questionnaire
from ._matching import CohortMatch
from ._optional import require
from ._scoring import BatchScores
from ._text import Text

try:
    from sklearn.base import (  # type: ignore[import-untyped, unused-ignore]
        BaseEstimator,
        ClassifierMixin,
        ClassNamePrefixFeaturesOutMixin,
        ClusterMixin,
        TransformerMixin,
        clone,
    )
    from sklearn.utils import metadata_routing  # type: ignore[import-untyped, unused-ignore]
    from sklearn.utils.validation import (  # type: ignore[import-untyped, unused-ignore]
        check_is_fitted,
        validate_data,
    )
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise MissingDependencyError("yzmaturity.ml", "scikit-learn", "ml") from exc

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from ._matching import CohortMatch
    from ._model import Questionnaire
    from ._scoring import BatchScores

__all__ = [
    "ArchetypeClustering",
    "FundingRecommender",
    "NearestPeers",
    "RecommenderEvaluation",
    "blend",
    "cross_validate_recommender",
    "dimension_matrix",
    "funding_features",
    "nearest_peers",
]


def _pandas(feature: str) -> Any:
    return require("pandas", feature, "ml")


# --------------------------------------------------------------------------- features
def _top_level_ids(scores: BatchScores) -> list[str]:
    cq = scores.questionnaire.compiled()
    return [cq.dim_ids[d] for d in cq.top_dims]


def dimension_matrix(scores: BatchScores, top_level: bool = True, *, as_frame: bool = True) -> Any:
    """The (N, D) dimension scores of a cohort, one row per input row (NaN for invalid rows).

    ``top_level`` keeps the top-level dimensions only (default), else every
    dimension.  A pandas frame whose columns are the dimension ids (so that
    estimators learn ``feature_names_in_``), or with ``as_frame=False`` a
    numpy array.  Select valid rows with ``X[scores.valid]``.
    """
    ids = _top_level_ids(scores) if top_level else scores.dimension_ids
    values = np.column_stack([scores.dimension(d) for d in ids])
    if not as_frame:
        return values
    pd = _pandas("dimension_matrix")
    return pd.DataFrame(values, columns=ids)


FUNDING_PROFILE_FEATURES: tuple[str, ...] = (
    "log10_revenue",
    "above_designated_size",
    "is_equipment_maker",
    "equipment_maker_role",
    "solution_provider",
    "diagnosed",
    "rnd",
    "investment_planned",
    "log10_planned_investment",
)


def _has_role(values: np.ndarray, role: str) -> np.ndarray:
    def has(v: Any) -> bool:
        if v is None:
            return False
        if isinstance(v, str):
            return role in {part.strip() for part in v.split(";")}
        return role in {str(x) for x in v}

    return np.fromiter((has(v) for v in values.tolist()), dtype=bool, count=values.shape[0])


def _flag(values: np.ndarray) -> np.ndarray:
    """0/1 from a boolean-ish column; unknown (None, NaN) counts as 0."""
    if values.dtype.kind in "fiub":
        return np.asarray(np.nan_to_num(values.astype(np.float64), nan=0.0) > 0, dtype=np.float64)
    return np.array([1.0 if v is True or v == 1 else 0.0 for v in values.tolist()])


def funding_features(
    scores: BatchScores, profile: Mapping[str, Any] | None = None, *, as_frame: bool = True
) -> Any:
    """Features for :class:`FundingRecommender`: dimension scores and a few profile facts.

    Columns: the top-level dimension scores, ``overall``, ``level``, then
    ``FUNDING_PROFILE_FEATURES``: log10 of revenue (unknown revenue: the
    cohort's median), above designated size, equipment maker by industry and
    by role, solution provider, diagnosed, R&D, investment planned (> 0) and
    log10(1 + planned investment).  Unknown flags count as 0.  Profile fields
    come from ``profile`` (field -> array) or else from the scores' own
    profile.  Invalid rows have NaN scores: select ``X[scores.valid]``.
    """

    def col(name: str) -> np.ndarray:
        return profile_column(scores, name, profile)

    revenue = col("revenue_yuan").astype(np.float64)
    log_rev = np.log10(np.where(revenue > 0, revenue, np.nan))
    known = ~np.isnan(log_rev)
    log_rev = np.where(known, log_rev, float(np.median(log_rev[known])) if known.any() else 0.0)
    planned = np.nan_to_num(col("planned_investment_yuan").astype(np.float64), nan=0.0)
    roles = col("roles")
    columns: dict[str, np.ndarray] = {d: scores.dimension(d) for d in _top_level_ids(scores)}
    columns[OVERALL] = scores.overall
    columns["level"] = np.where(scores.valid, scores.level, np.nan).astype(np.float64)
    columns.update(
        {
            "log10_revenue": log_rev,
            "above_designated_size": _flag(col("above_designated_size")),
            "is_equipment_maker": _flag(col("is_equipment_maker")),
            "equipment_maker_role": _has_role(roles, "equipment_maker").astype(np.float64),
            "solution_provider": _has_role(roles, "solution_provider").astype(np.float64),
            "diagnosed": _flag(col("diagnosed")),
            "rnd": _flag(col("rnd")),
            "investment_planned": (planned > 0).astype(np.float64),
            "log10_planned_investment": np.log10(1.0 + np.maximum(planned, 0.0)),
        }
    )
    if not as_frame:
        return np.column_stack(list(columns.values()))
    pd = _pandas("funding_features")
    return pd.DataFrame(columns)


def _as_features(X: Any) -> Any:
    """A BatchScores becomes its top-level dimension frame; anything else passes through."""
    if isinstance(X, BatchScores):
        return _no_invalid_rows(dimension_matrix(X, top_level=True))
    return _no_invalid_rows(X)


def _no_invalid_rows(X: Any) -> Any:
    """X unchanged, or a ValueError that counts the rows with NaN features and says how to drop them.

    An invalid row of a cohort has no scores (NaN); an estimator cannot use it,
    and a silent drop would misalign the rows with ``y``.
    """
    try:
        values = np.asarray(X)
    except (TypeError, ValueError):
        return X
    if values.dtype.kind != "f":
        return X  # not floats (no NaN), or not numbers: scikit-learn's own check says what is wrong
    if values.ndim == 2 and values.size:
        bad = np.isnan(values).any(axis=1)
        if bad.any():
            raise ValueError(
                f"{int(bad.sum())} of {len(values)} rows have NaN features (an invalid row of a cohort has "
                "no scores): keep the valid ones, e.g. scores.valid_only(), X[scores.valid] or TableResult.valid_frame"
            )
    return X


def _dimension_titles(names: Sequence[str], questionnaire: Questionnaire | str | None) -> list[Text]:
    dims: dict[str, Text] = {}
    if questionnaire is not None:
        try:
            if isinstance(questionnaire, str):
                questionnaire = load_questionnaire(questionnaire)
            dims = {d.id: d.title for d in questionnaire.walk_dimensions()}
        except Exception:  # titles are a nicety: fall back to the feature names
            dims = {}
    dims.setdefault(OVERALL, Text(zh="总分", en="Overall"))
    return [dims.get(name, Text(zh=name, en=name)) for name in names]


# --------------------------------------------------------------------------- archetypes
class ArchetypeClustering(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, BaseEstimator):  # type: ignore[misc]
    """Archetypes of enterprises: k-means on standardised dimension profiles.

    Parameters
    ----------
    n_archetypes
        Number of archetypes (clusters).
    random_state
        Seed of the k-means initialisation (None: not reproducible).
    n_init
        k-means restarts; the best (lowest inertia) is kept.
    standardize
        Scale every dimension to mean 0 and standard deviation 1 first (so that
        a dimension's spread, not its unit, counts).
    questionnaire
        Where the dimension titles of ``archetype_names_`` come from (an id, a
        path or a Questionnaire); features with another name keep their name.

    ``X`` is an (N, D) array or frame of dimension scores, or a
    :class:`~yzmaturity.BatchScores` (its top-level dimensions, see
    :func:`dimension_matrix`).

    Attributes
    ----------
    labels_ : ndarray of shape (N,)
        The archetype of each training row; archetypes are numbered by the
        mean of their standardised centre, lowest first.
    cluster_centers_ : ndarray of shape (k, D)
        The centres in score units.
    cluster_centers_std_ : ndarray of shape (k, D)
        The centres in standardised units.
    mean_, scale_ : ndarray of shape (D,)
        The standardisation.
    archetype_names_ : list of Text
        One name per archetype, from its centre's strongest and weakest
        dimension (relative to the cohort): ``强: 装备 / 弱: 数据`` and
        ``strong equipment, weak data``, inside ``整体领先（…）`` /
        ``leading overall (…)`` or ``整体落后（…）`` / ``behind overall (…)``
        when the centre is on average more than half a standard deviation
        above or below the cohort.
    inertia_ : float
        Sum of squared standardised distances to the nearest centre (k-means).
    n_iter_ : int
        k-means iterations.
    feature_names_in_ : ndarray of str
        The column names, when X has them.
    """

    def __init__(
        self,
        n_archetypes: int = 4,
        *,
        random_state: int | np.random.RandomState | None = None,
        n_init: int = 10,
        standardize: bool = True,
        questionnaire: Questionnaire | str | None = "yangzhou-2022",
    ) -> None:
        self.n_archetypes = n_archetypes
        self.random_state = random_state
        self.n_init = n_init
        self.standardize = standardize
        self.questionnaire = questionnaire

    def fit(self, X: Any, y: Any = None) -> ArchetypeClustering:
        from sklearn.cluster import KMeans  # type: ignore[import-untyped, unused-ignore]

        X = validate_data(self, _as_features(X), dtype=np.float64, ensure_min_samples=2)
        if not isinstance(self.n_archetypes, int | np.integer) or self.n_archetypes < 1:
            raise ValueError(f"n_archetypes must be a positive integer (got {self.n_archetypes!r})")
        if self.n_archetypes > X.shape[0]:
            raise ValueError(f"n_archetypes={self.n_archetypes} is more than the {X.shape[0]} samples")
        if self.standardize:
            self.mean_ = X.mean(axis=0)
            scale = X.std(axis=0)
            self.scale_ = np.where(scale > 0, scale, 1.0)
        else:
            self.mean_ = np.zeros(X.shape[1])
            self.scale_ = np.ones(X.shape[1])
        Z = (X - self.mean_) / self.scale_
        km = KMeans(n_clusters=self.n_archetypes, n_init=self.n_init, random_state=self.random_state).fit(Z)
        order = np.argsort(km.cluster_centers_.mean(axis=1), kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        self.cluster_centers_std_ = km.cluster_centers_[order]
        self.cluster_centers_ = self.cluster_centers_std_ * self.scale_ + self.mean_
        self.labels_ = rank[km.labels_]
        self.inertia_ = float(km.inertia_)
        self.n_iter_ = int(km.n_iter_)
        self._n_features_out = self.n_archetypes
        self.archetype_names_ = self._names()
        return self

    def _names(self) -> list[Text]:
        names = (
            [str(c) for c in self.feature_names_in_]
            if hasattr(self, "feature_names_in_")
            else [f"x{j}" for j in range(self.n_features_in_)]
        )
        titles = _dimension_titles(names, self.questionnaire)
        out = []
        for centre in self.cluster_centers_std_:
            strong, weak = titles[int(np.argmax(centre))], titles[int(np.argmin(centre))]
            mean = float(centre.mean())
            zh = f"强: {strong.of('zh')} / 弱: {weak.of('zh')}"
            en = f"strong {lower_first(strong.of('en'))}, weak {lower_first(weak.of('en'))}"
            if mean > 0.5:
                zh, en = f"整体领先（{zh}）", f"leading overall ({en})"
            elif mean < -0.5:
                zh, en = f"整体落后（{zh}）", f"behind overall ({en})"
            out.append(Text(zh=zh, en=en))
        return out

    def _standardised(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, _as_features(X), dtype=np.float64, reset=False)
        return np.asarray((X - self.mean_) / self.scale_)

    def transform(self, X: Any) -> np.ndarray:
        """(N, k) distance of each row to each archetype centre, in standardised units."""
        Z = self._standardised(X)
        diff = Z[:, None, :] - self.cluster_centers_std_[None, :, :]
        return np.asarray(np.sqrt((diff**2).sum(axis=2)))

    def predict(self, X: Any) -> np.ndarray:
        """(N,) the nearest archetype of each row."""
        return np.asarray(np.argmin(self.transform(X), axis=1))

    def score(self, X: Any, y: Any = None) -> float:
        """Minus the sum of squared distances to the nearest centre (higher is better, as k-means)."""
        d = self.transform(X)
        return -float((d.min(axis=1) ** 2).sum())


# --------------------------------------------------------------------------- funding
def _default_base_estimator() -> Any:
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped, unused-ignore]
    from sklearn.pipeline import make_pipeline  # type: ignore[import-untyped, unused-ignore]
    from sklearn.preprocessing import StandardScaler  # type: ignore[import-untyped, unused-ignore]

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def _n_splits(cv: Any) -> int:
    if cv is None:
        return 5
    if isinstance(cv, int | np.integer):
        return int(cv)
    get = getattr(cv, "get_n_splits", None)
    return int(get()) if callable(get) else 2


class FundingRecommender(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Which support categories an enterprise is likely to be funded in, learnt from past decisions.

    A calibrated multi-label classifier: for each category (a column of
    ``y``), ``CalibratedClassifierCV(base_estimator, method, cv)``.  A
    category whose training column has fewer positives (or negatives) than
    calibration folds is fitted uncalibrated; one with a single class
    predicts its constant rate.

    Parameters
    ----------
    base_estimator
        A scikit-learn classifier with ``predict_proba`` or
        ``decision_function``; default ``StandardScaler`` + ``LogisticRegression``.
    method
        Calibration: ``"sigmoid"`` (Platt; the default, steady with few
        positives) or ``"isotonic"`` (needs more data).
    cv
        Calibration folds (an int or a splitter).

    ``X``: features, e.g. :func:`funding_features`.  ``y``: an (N, C) 0/1
    matrix, one column per category (multi-label mode; a frame's column
    names become ``categories_``): ``predict_proba`` gives (N, C)
    probabilities of 1 (like scikit-learn's ``MLPClassifier`` on
    multi-label data) and ``predict`` (N, C) 0/1 at 0.5.  A 1-D ``y`` (or
    one column) is an ordinary classification target: ``predict_proba`` is
    (N, n_classes) in the order of ``classes_`` and ``predict`` returns labels.

    Attributes
    ----------
    estimators_ : list
        Per category the fitted (calibrated) estimator, or None for a
        single-class target.
    categories_ : list of str
        Category names (``y``'s columns, or ``y0`` ...).
    multilabel_ : bool
        Whether ``y`` was a multi-label matrix.
    prevalence_ : ndarray
        Share of positives per category (multi-label), or of each class.
    calibrated_ : ndarray of bool
        Whether each model is calibrated.
    classes_ : ndarray
        ``[0, 1]`` per category (multi-label: shape (C, 2)), or the class labels.
    n_outputs_ : int
        Number of categories (1 for a 1-D target).
    feature_names_in_ : ndarray of str
        The column names, when X has them.
    """

    # score(X, y, sample_weight=None) is ClassifierMixin's; no generated set_score_request method.
    __metadata_request__score: ClassVar[dict[str, Any]] = {"sample_weight": metadata_routing.UNUSED}

    def __init__(self, base_estimator: Any = None, method: str = "sigmoid", cv: Any = 3) -> None:
        self.base_estimator = base_estimator
        self.method = method
        self.cv = cv

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: Any, y: Any) -> FundingRecommender:
        from sklearn.utils.multiclass import (  # type: ignore[import-untyped, unused-ignore]
            check_classification_targets,
            type_of_target,
        )

        if self.method not in ("sigmoid", "isotonic"):
            raise ValueError(f"method must be 'sigmoid' or 'isotonic' (got {self.method!r})")
        names: list[str] | None = None
        if hasattr(y, "columns"):
            names = [str(c) for c in y.columns]
        elif getattr(y, "name", None) is not None:
            names = [str(y.name)]
        X, Y = validate_data(self, _no_invalid_rows(X), y, multi_output=True, dtype=np.float64)
        Y = np.asarray(Y)
        if Y.ndim == 2 and Y.shape[1] == 1:
            Y = Y.ravel()  # one column is one ordinary target
        base = _default_base_estimator() if self.base_estimator is None else self.base_estimator
        self.estimators_: list[Any] = []
        if Y.ndim == 1:
            check_classification_targets(Y)
            self.multilabel_ = False
            self.classes_, encoded = np.unique(Y, return_inverse=True)
            self.categories_ = names or ["y0"]
            self.n_outputs_ = 1
            self.prevalence_ = np.bincount(encoded, minlength=self.classes_.size) / encoded.size
            model, is_calibrated = self._fit_one(base, X, encoded, self.classes_.size)
            self.estimators_.append(model)
            self.calibrated_ = np.array([is_calibrated])
            return self
        kind = type_of_target(Y)
        if kind != "multilabel-indicator":
            raise ValueError(f"a 2-D y must be a 0/1 matrix, one column per category (got {kind!r} targets)")
        self.multilabel_ = True
        Y = Y.astype(np.int64)
        self.categories_ = names or [f"y{j}" for j in range(Y.shape[1])]
        self.n_outputs_ = Y.shape[1]
        self.prevalence_ = Y.mean(axis=0)
        self.classes_ = np.tile(np.array([0, 1]), (Y.shape[1], 1))
        calibrated: list[bool] = []
        for j in range(Y.shape[1]):
            present = np.unique(Y[:, j])
            model, cal = self._fit_one(base, X, Y[:, j], present.size)
            self.estimators_.append(model)
            calibrated.append(cal)
        self.calibrated_ = np.array(calibrated)
        return self

    def _fit_one(self, base: Any, X: np.ndarray, target: np.ndarray, n_classes: int) -> tuple[Any, bool]:
        """A calibrated model; uncalibrated when a class is rarer than the folds; None for one class."""
        from sklearn.calibration import CalibratedClassifierCV  # type: ignore[import-untyped, unused-ignore]

        if n_classes < 2:
            return None, False
        rarest = int(np.bincount(target).astype(np.int64)[np.unique(target)].min())
        if rarest < _n_splits(self.cv):
            return clone(base).fit(X, target), False
        model = CalibratedClassifierCV(clone(base), method=self.method, cv=self.cv)
        return model.fit(X, target), True

    def predict_proba(self, X: Any) -> np.ndarray:
        """(N, C) probability of being funded in each category (columns as ``categories_``).

        For a 1-D target: (N, n_classes), columns as ``classes_``.
        """
        check_is_fitted(self)
        X = validate_data(self, _no_invalid_rows(X), dtype=np.float64, reset=False)
        if not self.multilabel_:
            est = self.estimators_[0]
            if est is None:
                return np.ones((X.shape[0], 1))
            return np.asarray(est.predict_proba(X))
        out = np.empty((X.shape[0], self.n_outputs_))
        for j, est in enumerate(self.estimators_):
            if est is None:
                out[:, j] = self.prevalence_[j]
                continue
            classes = list(est.classes_)
            out[:, j] = est.predict_proba(X)[:, classes.index(1)] if 1 in classes else 0.0
        return out

    def predict(self, X: Any) -> np.ndarray:
        """(N, C) 0/1 at probability 0.5 (multi-label); the most likely class for a 1-D target."""
        proba = self.predict_proba(X)
        if not self.multilabel_:
            return np.asarray(self.classes_[np.argmax(proba, axis=1)])
        return np.asarray(proba >= 0.5, dtype=np.int64)


def blend(
    proba: np.ndarray,
    rule_fit: np.ndarray | CohortMatch,
    weight: float | Sequence[float] | np.ndarray = 0.5,
    *,
    categories: Sequence[str] | None = None,
) -> np.ndarray:
    """Blend learnt probabilities with the catalog's rule-based fit.

    ``blended = weight * proba + (1 - weight) * rule_fit``, element-wise; both
    (N, C) in [0, 1] with the same category order.  ``rule_fit`` may be a
    :class:`~yzmaturity.CohortMatch` (its ``arrays.fit``); with
    ``categories`` (the recommender's ``categories_``) its columns are taken
    in that order.  ``weight`` is a number in [0, 1] or one per category.

    When to trust which: the model (weight near 1) where the history is
    plentiful and recent, and its cross-validated AUC for the category is
    good; the rules (weight near 0) for rare categories, for a new or
    changed catalog, for enterprises unlike the training cohort, and
    whenever a decision must be explained (rules cite their inputs, the
    model does not).  Past decisions also carry past biases (who applied,
    who was favoured): the model learns what *was* funded, not what should be.
    """
    if isinstance(rule_fit, CohortMatch):
        fit = np.asarray(rule_fit.arrays.fit, dtype=np.float64)
        if categories is not None:
            ids = list(rule_fit.category_ids)
            missing = [c for c in categories if c not in ids]
            if missing:
                raise ValueError(f"categories {missing} are not in the catalog {ids}")
            fit = fit[:, [ids.index(c) for c in categories]]
    else:
        fit = np.asarray(rule_fit, dtype=np.float64)
    p = np.asarray(proba, dtype=np.float64)
    if p.shape != fit.shape:
        raise ValueError(f"proba {p.shape} and rule fit {fit.shape} have different shapes")
    w = np.asarray(weight, dtype=np.float64)
    if w.ndim > 1 or (w.ndim == 1 and w.shape[0] != p.shape[1]):
        raise ValueError(f"weight is a number or one per category ({p.shape[1]}), not shape {w.shape}")
    if ((w < 0) | (w > 1)).any():
        raise ValueError("weight must lie in [0, 1]")
    return np.asarray(w * p + (1.0 - w) * fit)


@dataclass
class RecommenderEvaluation:
    """Cross-validated quality of a :class:`FundingRecommender`, per category.

    ``per_category[c]``: ``prevalence``, ``roc_auc`` (NaN when a category has
    one class only), ``brier`` and ``brier_baseline`` (predicting the training
    folds' rate), ``accuracy`` (at 0.5) and ``majority_accuracy`` (always the
    training folds' majority class).  ``proba`` holds the out-of-fold
    probabilities.
    """

    categories: list[str]
    per_category: dict[str, dict[str, float]]
    proba: np.ndarray = field(repr=False)
    n_splits: int

    @property
    def mean_roc_auc(self) -> float:
        values = [m["roc_auc"] for m in self.per_category.values() if not np.isnan(m["roc_auc"])]
        return float(np.mean(values)) if values else float("nan")

    @property
    def mean_brier_skill(self) -> float:
        """Mean over categories of 1 - brier / brier_baseline (0 = no better than the base rate)."""
        values = [
            1.0 - m["brier"] / m["brier_baseline"]
            for m in self.per_category.values()
            if m["brier_baseline"] > 0
        ]
        return float(np.mean(values)) if values else float("nan")

    def to_frame(self) -> pd.DataFrame:
        pd = _pandas("RecommenderEvaluation.to_frame")
        return pd.DataFrame.from_dict(self.per_category, orient="index")


def cross_validate_recommender(
    X: Any,
    y: Any,
    *,
    estimator: FundingRecommender | None = None,
    cv: int = 5,
    random_state: int | None = 0,
) -> RecommenderEvaluation:
    """Out-of-fold evaluation of a recommender: per-category ROC AUC and Brier score.

    Shuffled k-fold (``cv`` folds, ``random_state``); the estimator (default
    ``FundingRecommender()``) is cloned and refitted on each training part.
    """
    from sklearn.metrics import brier_score_loss, roc_auc_score  # type: ignore[import-untyped, unused-ignore]
    from sklearn.model_selection import KFold  # type: ignore[import-untyped, unused-ignore]

    names = [str(c) for c in y.columns] if hasattr(y, "columns") else None
    Xa = X
    Y = np.asarray(y)
    if Y.ndim == 1:
        Y = Y[:, None]
    Y = Y.astype(np.int64)
    categories = names or [f"y{j}" for j in range(Y.shape[1])]
    model = FundingRecommender() if estimator is None else estimator
    proba = np.full(Y.shape, np.nan)
    base_rate = np.full(Y.shape, np.nan)
    splitter = KFold(n_splits=cv, shuffle=True, random_state=random_state)
    for train, test in splitter.split(np.zeros(Y.shape[0])):
        fitted = clone(model).fit(_rows(Xa, train), _rows(y, train) if names else Y[train])
        proba[test] = fitted.predict_proba(_rows(Xa, test))
        base_rate[test] = Y[train].mean(axis=0)
    per: dict[str, dict[str, float]] = {}
    for j, cat in enumerate(categories):
        t, p, b = Y[:, j], proba[:, j], base_rate[:, j]
        two_classes = 0 < t.sum() < t.shape[0]
        per[cat] = {
            "prevalence": round(float(t.mean()), 4),
            "roc_auc": float(roc_auc_score(t, p)) if two_classes else float("nan"),
            "brier": float(brier_score_loss(t, p)),
            "brier_baseline": float(brier_score_loss(t, b)),
            "accuracy": float(((p >= 0.5) == t).mean()),
            "majority_accuracy": float(((b >= 0.5) == t).mean()),
        }
    return RecommenderEvaluation(categories, per, proba, cv)


def _rows(data: Any, index: np.ndarray) -> Any:
    return data.iloc[index] if hasattr(data, "iloc") else np.asarray(data)[index]


# --------------------------------------------------------------------------- nearest better peers
@dataclass
class NearestPeers:
    """The enterprises most like one enterprise among those ``level_up`` level(s) higher.

    ``peers`` (row numbers, nearest first) and their ``distances`` in the
    standardised top-level dimension space; ``same_division``: whether they
    were taken from the enterprise's own industry division (when it has at
    least ``n`` such peers); ``differences``: per top-level dimension, the
    peers' mean score minus the enterprise's, largest first.
    """

    row: int
    level: int
    target_level: int
    target_level_name: Text
    peers: np.ndarray
    distances: np.ndarray
    same_division: bool
    division: str | None
    differences: dict[str, float]
    titles: dict[str, Text]

    def learn_from(self, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` dimensions where the peers are most ahead (positive differences only)."""
        return [(d, v) for d, v in self.differences.items() if v > 0][:k]

    def sentence(self, lang: str = "zh", k: int = 3) -> str:
        lv = f"L{self.target_level} {self.target_level_name.of(lang)}"
        n = len(self.peers)
        if n == 0:
            if lang == "zh":
                return f"没有{lv}的企业可供对标"
            return f"No enterprise at {lv} to learn from"
        gaps = self.learn_from(k)
        if lang == "zh":
            who = (
                f"同行业（{self.division}）{lv}企业" if self.same_division and self.division else f"{lv}企业"
            )
            if not gaps:
                return f"与您最相近的{n}家{who}在各维度上并不比您高"
            items = "、".join(f"{self.titles[d].of('zh')}（+{v:.1f}分）" for d, v in gaps)
            return f"与您最相近的{n}家{who}在{items}上领先，可重点学习"
        who = f"{self.division} peers" if self.same_division and self.division else "enterprises"
        if not gaps:
            return f"The {n} nearest {who} at {lv} score no higher than you in any dimension"
        items = ", ".join(f"{lower_first(self.titles[d].of('en'))} (+{v:.1f})" for d, v in gaps)
        return f"The {n} nearest {who} at {lv} are ahead in {items}: learn from them"

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "level": self.level,
            "target_level": self.target_level,
            "peers": self.peers.tolist(),
            "distances": [round(float(d), 4) for d in self.distances],
            "same_division": self.same_division,
            "division": self.division,
            "differences": {k: round(v, 2) for k, v in self.differences.items()},
            "sentences": {"zh": self.sentence("zh"), "en": self.sentence("en")},
        }


def nearest_peers(
    scores: BatchScores,
    profile: Mapping[str, Any] | None,
    i: int,
    n: int = 5,
    level_up: int = 1,
) -> NearestPeers:
    """The ``n`` enterprises nearest to row ``i`` among those exactly ``level_up`` level(s) higher.

    Distances are Euclidean in the top-level dimension scores standardised
    over the cohort's valid rows.  Peers come from row ``i``'s industry
    division when it has at least ``n`` candidates, else from the whole
    cohort.  ``profile`` (field -> array, or None) supplies
    ``industry_division`` when the scores do not carry it.
    """
    if not 0 <= i < len(scores):
        raise IndexError(f"row {i} is outside the cohort of {len(scores)}")
    if n < 1 or level_up < 1:
        raise ValueError("n and level_up must be at least 1")
    if not scores.valid[i]:
        raise ValueError(f"row {i} is invalid: it has no scores")
    q = scores.questionnaire
    ids = _top_level_ids(scores)
    X = np.column_stack([scores.dimension(d) for d in ids])
    valid = np.asarray(scores.valid, dtype=bool) & ~np.isnan(X).any(axis=1)
    mean = X[valid].mean(axis=0)
    std = X[valid].std(axis=0)
    Z = (X - mean) / np.where(std > 0, std, 1.0)
    level = int(scores.level[i])
    target = level + level_up
    candidates = valid & (scores.level == target)
    candidates[i] = False
    division: str | None = None
    same = False
    try:
        codes, labels = encode_key("industry_division", profile_column(scores, "industry_division", profile))
    except ValueError:
        codes, labels = np.full(len(scores), -1), []
    if codes[i] >= 0:
        division = labels[int(codes[i])]
        in_division = candidates & (codes == codes[i])
        if int(in_division.sum()) >= n:
            candidates, same = in_division, True
    rows = np.flatnonzero(candidates)
    dist = np.sqrt(((Z[rows] - Z[i]) ** 2).sum(axis=1))
    order = np.argsort(dist, kind="stable")[:n]
    peers, distances = rows[order], dist[order]
    diffs: dict[str, float] = {}
    if peers.size:
        delta = np.nanmean(X[peers], axis=0) - X[i]
        diffs = {ids[j]: float(delta[j]) for j in np.argsort(-delta, kind="stable")}
    levels = q.levels.levels
    name = levels[target].name if target < len(levels) else Text(zh="（无此等级）", en="(no such level)")
    return NearestPeers(
        row=i,
        level=level,
        target_level=target,
        target_level_name=name,
        peers=peers,
        distances=distances,
        same_division=same,
        division=division,
        differences=diffs,
        titles=dict(zip(ids, _dimension_titles(ids, q), strict=True)),
    )
