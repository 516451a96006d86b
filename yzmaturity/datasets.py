"""Synthetic cohorts of Yangzhou enterprises, for examples, tests and benchmarks.

Everything here is **synthetic**: made by a seeded random generator, labelled
synthetic in every name (``合成企业-000123 (synthetic)``), attribute
(``Cohort.synthetic``) and frame (``frame.attrs["synthetic"]``), and not a
description of any real enterprise.

>>> from yzmaturity.datasets import make_cohort
>>> cohort = make_cohort(200, seed=1)
>>> cohort.synthetic, len(cohort), cohort.profile["name"][0]
(True, 200, '合成企业-000000 (synthetic)')
>>> bool(cohort.score().valid.all())
True

How a cohort is made (so that analyses have something true to find):

1. **Profile.** An industry division of GB/T 4754-2017 drawn with weights
   after Yangzhou's industry mix (``INDUSTRY_WEIGHTS``: auto parts C36,
   machinery C34/C35, electrical equipment C38, chemicals C26, textiles and
   garments C17/C18, toothbrushes and daily goods C41/C24, shipbuilding C37 ...,
   and 3 % software and IT solution providers, I64/I65); employees and
   revenue log-normal with industry effects, classed by the NBS 2017 rules
   (about two thirds above designated size: the diagnosis programme is aimed
   at 规上 enterprises); a Yangzhou district; roles; R&D; planned
   investment; the ``diagnosed`` flag, likelier for larger firms.
2. **Archetype.** Each enterprise belongs to one of four planted archetypes
   (``ARCHETYPES``): automated but disconnected (strong equipment, weak data
   and systems), digital office (strong systems and strategy, weak
   equipment), laggard (weak everywhere) and integrated leader (strong
   everywhere); larger enterprises are likelier leaders. ``Cohort.archetype``
   keeps the true label.
3. **Latent maturity** per top-level dimension = the archetype's profile +
   a size effect + a common factor (so dimensions correlate) + noise.
4. **Answers.** Every question is answered from its dimension's latent value
   plus question noise, harder for high-effort questions: an option, a value
   in a numeric band, a scale point or a set of options. Conditions
   (``relevant``) are respected: a question skipped by its condition is left
   blank; ``n/a`` only where allowed (robots in process industries more
   often). Every row validates.
5. **Funding history.** For each of the seven categories of the city's
   catalog, ``funded`` (N x 7) is drawn from a known logistic rule of the
   dimension scores and the profile (``FUNDING_RULES``; e.g. intelligent
   upgrading is likelier with weak equipment and planned investment), zero
   where the category does not apply to the enterprise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ._cohort import division_code
from ._compile import CompiledQuestionnaire, EvalContext, ProfileColumns
from ._enterprise import PROFILE_DERIVED_FIELDS, PROFILE_INPUT_FIELDS
from ._loading import load_questionnaire
from ._model import KIND_MULTIPLE
from ._optional import require
from ._profile import (
    PROFILE_SET_FIELDS,
    above_designated_size_array,
    division_in_array,
    size_class_array,
)
from ._reference import EQUIPMENT_DIVISIONS, MANUFACTURING_DIVISIONS
from ._scoring import score_batch
from ._text import Text

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from ._model import Questionnaire
    from ._scoring import BatchScores

__all__ = [
    "ARCHETYPES",
    "FUNDING_CATEGORIES",
    "FUNDING_RULES",
    "SYNTHETIC_NOTE",
    "Archetype",
    "Cohort",
    "make_cohort",
]

SYNTHETIC_NOTE = (
    "合成数据，非真实企业 / synthetic data, not real enterprises: made by yzmaturity.datasets.make_cohort"
)

# GB/T 4754-2017 divisions with weights after Yangzhou's industry mix (an approximation for
# synthetic data, not a statistic): auto and parts, machinery (incl. metal-forming machine
# tools), electrical equipment, chemicals (Yizheng), textiles and garments, toothbrushes and
# hotel supplies (Hangji: C41 brushes, C24 daily goods), ships (Jiangdu, Yizheng), ...
INDUSTRY_WEIGHTS: dict[int, float] = {
    36: 0.13, 34: 0.10, 35: 0.08, 38: 0.11, 37: 0.04, 26: 0.08, 17: 0.05, 18: 0.04,
    41: 0.04, 24: 0.03, 33: 0.07, 29: 0.04, 30: 0.03, 39: 0.04, 27: 0.02, 13: 0.02,
    14: 0.02, 31: 0.01, 32: 0.02, 40: 0.02, 22: 0.01, 21: 0.01, 28: 0.01,
    65: 0.025, 64: 0.005,
}  # fmt: skip
SOLUTION_PROVIDER_DIVISIONS = (63, 64, 65)
PROCESS_DIVISIONS = frozenset({13, 14, 15, 22, 25, 26, 27, 28, 30, 31, 32})
# log-employees and log-revenue-per-employee shifts by division (bigger shipyards, car makers;
# labour-intensive garments; capital-intensive chemicals).
_EMPLOYEE_SHIFT = {37: 0.7, 36: 0.35, 38: 0.15, 18: 0.25, 17: 0.15, 64: -0.4, 65: -0.4}
_PRODUCTIVITY_SHIFT = {26: 0.6, 25: 0.7, 31: 0.5, 32: 0.5, 18: -0.5, 17: -0.2, 41: -0.3, 24: -0.3}

# Yangzhou districts and zones with rough shares of industrial enterprises (synthetic weights).
REGION_WEIGHTS: dict[str, float] = {
    "江都区": 0.22, "邗江区": 0.18, "仪征市": 0.13, "高邮市": 0.13, "宝应县": 0.12,
    "广陵区": 0.09, "扬州经济技术开发区": 0.09, "生态科技新城": 0.04,
}  # fmt: skip


@dataclass(frozen=True)
class Archetype:
    """A planted archetype: latent offsets per top-level dimension (others use ``default``)."""

    id: str
    title: Text
    offsets: Mapping[str, float]
    default: float
    share: float  # base share before the size effect
    size_effect: float  # log-odds per standard deviation of log size


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype(
        "automated_but_disconnected",
        Text(zh="自动化但未互联", en="automated but disconnected"),
        {
            "strategy": -0.2,
            "equipment": 1.3,
            "industrial_internet": -0.6,
            "data": -1.2,
            "systems": -1.2,
            "operations": 0.0,
            "security": -0.6,
            "results": 0.3,
        },
        0.0,
        0.25,
        0.2,
    ),
    Archetype(
        "digital_office",
        Text(zh="办公数字化", en="digital office"),
        {
            "strategy": 1.0,
            "equipment": -1.2,
            "industrial_internet": 0.2,
            "data": 0.5,
            "systems": 1.2,
            "operations": 0.1,
            "security": 0.5,
            "results": -0.3,
        },
        0.0,
        0.20,
        0.1,
    ),
    Archetype("laggard", Text(zh="全面落后", en="laggard"), {}, -1.0, 0.35, -0.8),
    Archetype("integrated_leader", Text(zh="集成领先", en="integrated leader"), {}, 1.0, 0.20, 0.9),
)

# The seven categories of the Yangzhou catalog (yangzhou-zgsz-2022), in catalog order.
FUNDING_CATEGORIES: tuple[str, ...] = (
    "diagnosis_service",
    "intelligent_upgrade",
    "digital_transformation",
    "industrial_internet",
    "smart_equipment_rnd",
    "benchmark_demo",
    "leading_provider",
)
# The known rule behind ``funded``: log-odds = intercept + sum(coef * feature), with dimension
# scores as fractions (score / 100) and profile flags as 0/1; 0 where the category does not apply.
FUNDING_RULES: dict[str, dict[str, float]] = {
    "diagnosis_service": {"intercept": -3.5, "diagnosed": 5.0, "low_level": 1.0},
    "intelligent_upgrade": {
        "intercept": -3.0,
        "equipment_gap": 4.0,  # 0.5 - equipment / 100
        "investment_planned": 1.5,
        "above_designated_size": 1.0,
        "diagnosed": 1.2,
    },
    "digital_transformation": {
        "intercept": -3.8,
        "systems_gap": 4.0,  # 0.5 - systems / 100
        "strategy": 2.0,
        "diagnosed": 1.5,
        "above_designated_size": 0.6,
    },
    "industrial_internet": {
        "intercept": -4.0,
        "equipment": 3.0,
        "industrial_internet_gap": 2.5,  # 0.5 - industrial_internet / 100
        "diagnosed": 1.2,
        "above_designated_size": 0.6,
    },
    "smart_equipment_rnd": {"intercept": -3.6, "rnd": 1.8, "equipment": 2.5, "roles_equipment_maker": 0.8},
    "benchmark_demo": {
        "intercept": -8.0,
        "overall": 8.0,
        "above_designated_size": 1.0,
        "large_or_medium": 0.8,
    },
    "leading_provider": {"intercept": -2.0, "overall": 3.0},
}
_APPLIES = {
    "smart_equipment_rnd": "equipment_maker",
    "leading_provider": "solution_provider",
}  # the others apply to manufacturers

_EFFORT_DIFFICULTY = {"low": -0.3, "medium": 0.0, "high": 0.35}


@dataclass(eq=False)
class Cohort:
    """A synthetic cohort: columnar answers and profile, the planted truth, a funding history.

    ``answers`` (question id -> array) and ``profile`` (field -> array) are the
    columnar input of :func:`yzmaturity.score_batch`; multiple choice is a
    ``;``-joined string of option ids, ``"n/a"`` marks not applicable, None or
    NaN a blank.  ``archetype`` (N,) is the true archetype index into
    ``archetype_names``; ``latent`` (N, D) the latent maturity per dimension of
    ``latent_dimensions``; ``funded`` (N, 7) bool whether the enterprise was
    funded in each of ``categories``.  Synthetic: see the module doc.
    """

    questionnaire: Questionnaire
    answers: dict[str, np.ndarray]
    profile: dict[str, np.ndarray]
    archetype: np.ndarray
    archetype_names: list[str]
    archetype_titles: list[Text]
    latent: np.ndarray
    latent_dimensions: list[str]
    funded: np.ndarray
    categories: list[str]
    seed: int
    synthetic: bool = True
    note: str = SYNTHETIC_NOTE
    _scores: BatchScores | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return int(self.archetype.shape[0])

    def score(self) -> BatchScores:
        """Scores of every row (``yz.score_batch(q, answers, profile=profile)``; computed once)."""
        if self._scores is None:
            self._scores = score_batch(self.questionnaire, self.answers, profile=self.profile)
        return self._scores

    def to_frame(self, *, derived: bool = False, truth: bool = False) -> pd.DataFrame:
        """The cohort as a wide table (the format of ``yzmaturity._tables``: docs/batch.md).

        Profile columns named as the :class:`~yzmaturity.Enterprise` input
        fields (roles and certifications ``;``-joined), then one column per
        question (option ids, ``;``-joined multiple choice, ``"n/a"``, blanks
        as None/NaN).  Extra columns start with ``_`` (passed through by the
        table reader): with ``derived``, the derived profile fields
        (``_size_class``, ``_above_designated_size`` ...); with ``truth``,
        ``_archetype`` (the true archetype id) and ``_funded_<category>``.
        ``frame.attrs`` says the data are synthetic (``synthetic``, ``note``,
        ``seed``, ``questionnaire``).
        """
        pd = require("pandas", "Cohort.to_frame", "frames")

        columns: dict[str, Any] = {}
        for name in PROFILE_INPUT_FIELDS:
            if name not in self.profile:
                continue
            values = self.profile[name]
            if name in PROFILE_SET_FIELDS:
                values = np.array([";".join(sorted(v)) or None for v in values], dtype=object)
            columns[name] = values
        columns.update(self.answers)
        if derived:
            for name in PROFILE_DERIVED_FIELDS:
                if name in self.profile:
                    columns[f"_{name}"] = self.profile[name]
        if truth:
            columns["_archetype"] = np.asarray(self.archetype_names, dtype=object)[self.archetype]
            for j, cat in enumerate(self.categories):
                columns[f"_funded_{cat}"] = self.funded[:, j]
        frame = pd.DataFrame(columns)
        frame.attrs.update(
            synthetic=True, note=self.note, seed=self.seed, questionnaire=self.questionnaire.id
        )
        return frame

    def __repr__(self) -> str:
        counts = np.bincount(self.archetype, minlength=len(self.archetype_names))
        mix = ", ".join(f"{n}={c}" for n, c in zip(self.archetype_names, counts, strict=True))
        return f"<Cohort (synthetic) {len(self)} enterprises on {self.questionnaire.id}, seed {self.seed}: {mix}>"


def make_cohort(n: int = 1000, seed: int = 0, questionnaire: Questionnaire | str = "yangzhou-2022") -> Cohort:
    """A seeded synthetic cohort of ``n`` Yangzhou enterprises with planted archetypes.

    The same ``n`` and ``seed`` give the same cohort (same numpy version).
    See the module documentation for how it is made.
    """
    if n < 1:
        raise ValueError(f"a cohort needs at least one enterprise (got n={n})")
    if isinstance(questionnaire, str):
        questionnaire = load_questionnaire(questionnaire)
    cq = questionnaire.compiled()
    rng = np.random.default_rng(seed)
    profile, size_z = _profile(n, rng)
    archetype = _archetypes(n, rng, size_z, profile)
    top_ids = [cq.dim_ids[d] for d in cq.top_dims]
    latent = _latent(n, rng, archetype, size_z, top_ids)
    # A diagnosis is likelier for larger and more mature enterprises (the programme asks 规上 first).
    maturity = latent.mean(axis=1)
    logit = -0.3 + 0.9 * profile["above_designated_size"] + 0.4 * size_z + 0.4 * maturity
    profile["diagnosed"] = rng.random(n) < _sigmoid(logit)
    planned = rng.random(n) < _sigmoid(0.2 + 0.5 * profile["above_designated_size"] + 0.5 * maturity)
    amount = profile["revenue_yuan"] * np.exp(rng.normal(math.log(0.03), 0.7, n))
    profile["planned_investment_yuan"] = np.where(planned, np.round(np.maximum(amount, 1e5), -4), 0.0)
    codes, na = _answers(cq, rng, latent, top_ids, profile)
    answers = _raw_columns(cq, codes, na)
    cohort = Cohort(
        questionnaire=questionnaire,
        answers=answers,
        profile=profile,
        archetype=archetype,
        archetype_names=[a.id for a in ARCHETYPES],
        archetype_titles=[a.title for a in ARCHETYPES],
        latent=latent,
        latent_dimensions=top_ids,
        funded=np.zeros((n, len(FUNDING_CATEGORIES)), dtype=bool),
        categories=list(FUNDING_CATEGORIES),
        seed=seed,
    )
    cohort.funded = _funding(cohort.score(), profile, rng)
    return cohort


# --------------------------------------------------------------------------- profile
def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def _profile(n: int, rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
    divisions = np.array(list(INDUSTRY_WEIGHTS), dtype=np.int64)
    weights = np.array(list(INDUSTRY_WEIGHTS.values()))
    division = rng.choice(divisions, size=n, p=weights / weights.sum())
    emp_shift = np.array([_EMPLOYEE_SHIFT.get(int(d), 0.0) for d in division])
    prod_shift = np.array([_PRODUCTIVITY_SHIFT.get(int(d), 0.0) for d in division])
    log_emp = rng.normal(math.log(90.0), 1.0, n) + emp_shift
    employees = np.clip(np.round(np.exp(log_emp)), 3, 30_000).astype(np.int64)
    # Revenue per employee around 0.35 million yuan, log-normal.
    revenue = employees * np.exp(rng.normal(math.log(3.5e5), 0.6, n) + prod_shift)
    revenue = np.round(revenue, -4)
    log_size = np.log(revenue)
    size_z = (log_size - log_size.mean()) / max(float(log_size.std()), 1e-9)

    size = size_class_array(employees.astype(np.float64), revenue)
    manufacturing = division_in_array(division.astype(np.float64), MANUFACTURING_DIVISIONS) == 1.0
    equipment = division_in_array(division.astype(np.float64), EQUIPMENT_DIVISIONS) == 1.0
    provider = np.isin(division, SOLUTION_PROVIDER_DIVISIONS)
    maker_role = equipment & (rng.random(n) < 0.6)
    roles = np.empty(n, dtype=object)
    for i in range(n):
        if provider[i]:
            roles[i] = frozenset({"solution_provider"})
        elif maker_role[i]:
            roles[i] = frozenset({"manufacturer", "equipment_maker"})
        else:
            roles[i] = frozenset({"manufacturer"})
    regions = np.array(list(REGION_WEIGHTS), dtype=object)
    region_p = np.array(list(REGION_WEIGHTS.values()))
    rnd = rng.random(n) < _sigmoid(-0.9 + 0.6 * size_z + 0.9 * equipment + 1.0 * provider)
    years = np.clip(1 + np.round(rng.gamma(2.0, 7.0, n)), 1, 60).astype(np.int64)
    profile: dict[str, np.ndarray] = {
        "name": np.array([f"合成企业-{i:06d} (synthetic)" for i in range(n)], dtype=object),
        "region": rng.choice(regions, size=n, p=region_p / region_p.sum()),
        "industry": np.array([division_code(int(d)) for d in division], dtype=object),
        "employees": employees,
        "revenue_yuan": revenue,
        "roles": roles,
        "rnd": rnd,
        "years_operating": years,
        "certifications": np.array([frozenset()] * n, dtype=object),
        "size_class": size,
        "above_designated_size": above_designated_size_array(revenue) == 1.0,
        "industry_division": division,
        "is_manufacturing": manufacturing,
        "is_equipment_maker": equipment,
        "in_yangzhou": np.ones(n, dtype=bool),
    }
    return profile, size_z


def _archetypes(
    n: int, rng: np.random.Generator, size_z: np.ndarray, profile: Mapping[str, np.ndarray]
) -> np.ndarray:
    base = np.log(np.array([a.share for a in ARCHETYPES]))
    effect = np.array([a.size_effect for a in ARCHETYPES])
    logits = base[None, :] + size_z[:, None] * effect[None, :]
    # Equipment makers lean to automation, solution providers to the digital office.
    division = profile["industry_division"]
    logits[:, 0] += 0.4 * np.isin(division, list(EQUIPMENT_DIVISIONS))
    logits[:, 1] += 1.5 * np.isin(division, SOLUTION_PROVIDER_DIVISIONS)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    u = rng.random(n)[:, None]
    return np.asarray((u > np.cumsum(p, axis=1)).sum(axis=1), dtype=np.int64)


def _latent(
    n: int, rng: np.random.Generator, archetype: np.ndarray, size_z: np.ndarray, dims: list[str]
) -> np.ndarray:
    means = np.array([[a.offsets.get(d, a.default) for d in dims] for a in ARCHETYPES])
    common = rng.normal(0.0, 0.3, n)
    noise = rng.normal(0.0, 0.4, (n, len(dims)))
    return np.asarray(means[archetype] + 0.25 * size_z[:, None] + common[:, None] + noise)


# --------------------------------------------------------------------------- answers
def _answers(
    cq: CompiledQuestionnaire,
    rng: np.random.Generator,
    latent: np.ndarray,
    top_ids: list[str],
    profile: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Codes (N, Q) and the N/A mask, drawn from the latent maturity of each question's dimension."""
    n, n_q = latent.shape[0], cq.n_questions
    top_of = np.empty(cq.n_dimensions, dtype=np.intp)
    for d in range(cq.n_dimensions):
        t = d
        while cq.parent[t] >= 0:
            t = int(cq.parent[t])
        top_of[d] = top_ids.index(cq.dim_ids[t])
    # A small extra effect per sub-dimension, then noise per answer.
    sub = rng.normal(0.0, 0.25, (n, cq.n_dimensions))
    difficulty = np.array([_EFFORT_DIFFICULTY.get(q.effort, 0.0) for q in cq.questions])
    z = (
        latent[:, top_of[cq.question_dim]]
        + sub[:, cq.question_dim]
        - difficulty[None, :]
        + rng.normal(0.0, 0.7, (n, n_q))
    )
    u = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))  # standard normal CDF
    codes = np.full((n, n_q), np.nan)
    for col, q in enumerate(cq.questions):
        codes[:, col] = _codes_for(q, cq, col, u[:, col], rng)
    if "strat_diagnosed" in cq.index:  # the answer agrees with the profile flag
        codes[:, cq.index["strat_diagnosed"]] = profile["diagnosed"].astype(np.float64)
    na = np.zeros((n, n_q), dtype=bool)
    process = np.isin(profile["industry_division"], list(PROCESS_DIVISIONS))
    for col, q in enumerate(cq.questions):
        if not q.allow_na:
            continue
        p = np.full(n, 0.03)
        if "robots" in q.tags:
            p = np.where(process, 0.5, 0.03)
        na[:, col] = rng.random(n) < p
    codes[na] = np.nan
    # Conditions in question order (they read earlier answers only): blank what is skipped.
    profile_columns = ProfileColumns(n, columns=profile)
    for col, fn in cq.relevance:
        relevant = fn(EvalContext(cq, codes, na, profile_columns))
        q = cq.questions[col]
        skip = ~relevant
        if not q.required:  # an optional question is sometimes left blank
            skip |= rng.random(n) < 0.08
        codes[skip, col] = np.nan
        na[skip, col] = False
    return codes, na


def _erf(x: np.ndarray) -> np.ndarray:
    # numpy has no erf; the Abramowitz-Stegun 7.1.26 approximation (error < 1.5e-7) is plenty here.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return np.asarray(sign * (1.0 - poly * np.exp(-x * x)))


def _codes_for(
    q: Any, cq: CompiledQuestionnaire, col: int, u: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Codes of one question from quantiles ``u`` in (0, 1): higher u, better answer."""
    n = u.shape[0]
    if q.type == "single_choice":
        order = np.argsort([q.option_score(o) for o in q.options], kind="stable")
        k = len(order)
        return np.asarray(order[np.clip((u * k).astype(np.int64), 0, k - 1)], dtype=np.float64)
    if q.type == "yes_no":
        yes = u > 0.5 if q.score_yes >= q.score_no else u <= 0.5
        return yes.astype(np.float64)
    if q.type in ("scale", "scene_level"):
        steps = int(cq.n_codes[col])
        return np.clip((u * steps).astype(np.int64), 0, steps - 1).astype(np.float64)
    if cq.kind[col] == KIND_MULTIPLE:
        normal = [i for i, o in enumerate(q.options) if not o.exclusive]
        exclusive = [i for i, o in enumerate(q.options) if o.exclusive]
        m = len(normal)
        count = np.clip(np.round(u * m + rng.normal(0.0, 0.5, n)), 0, m).astype(np.int64)
        if not exclusive:
            count = np.maximum(count, 1)  # never an empty selection (a blank would be "unanswered")
        # Earlier options are the more basic ones: picked first, with some shuffling.
        priority = np.arange(m)[None, :] / m + rng.normal(0.0, 0.35, (n, m))
        rank = np.argsort(np.argsort(priority, axis=1), axis=1)
        chosen = rank < count[:, None]
        bits = chosen.astype(np.int64) @ (np.int64(1) << np.array(normal, dtype=np.int64))
        if exclusive:
            bits = np.where(count == 0, 1 << exclusive[0], bits)
        return bits.astype(np.float64)
    # numeric: a band by quantile, then a value inside the band
    bands = sorted(q.bands, key=lambda b: b.min)
    edges = [float(b.min) for b in bands]
    lo_bound = -math.inf if q.min is None else float(q.min)
    hi_bound = math.inf if q.max is None else float(q.max)
    uppers = [*edges[1:], min(hi_bound, edges[-1] * 2.0 if edges[-1] > 0 else edges[-1] + 10.0)]
    k = len(edges)
    pos = np.clip(u * k, 0.0, k - 1e-9)
    band = pos.astype(np.int64)
    frac = pos - band
    lo = np.maximum(np.array(edges)[band], lo_bound)
    hi = np.minimum(np.array(uppers)[band], hi_bound)
    value = lo + frac * (hi - lo)
    value = np.floor(value * 10.0) / 10.0  # one decimal, never rounded up into the next band
    return np.asarray(np.clip(value, lo_bound, hi_bound))


def _raw_columns(cq: CompiledQuestionnaire, codes: np.ndarray, na: np.ndarray) -> dict[str, np.ndarray]:
    """Codes back to the table form: option ids, ';'-joined multiple choice, 'n/a', None."""
    out: dict[str, np.ndarray] = {}
    for col, q in enumerate(cq.questions):
        column = codes[:, col]
        blank = np.isnan(column)
        ordinal = q.type in ("numeric", "scale", "scene_level")
        if ordinal and not na[:, col].any():
            out[q.id] = np.where(blank, np.nan, column + cq.offset[col])
            continue
        cache: dict[float, Any] = {}
        values = np.empty(column.shape[0], dtype=object)
        for i, code in enumerate(column.tolist()):
            if na[i, col]:
                values[i] = "n/a"
            elif blank[i]:
                values[i] = None
            else:
                if code not in cache:
                    value = cq.value_of(col, code)
                    cache[code] = ";".join(value) if isinstance(value, list) else value
                values[i] = cache[code]
        out[q.id] = values
    return out


# --------------------------------------------------------------------------- funding history
def _funding(scores: BatchScores, profile: Mapping[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """The synthetic funding history (N, 7) from ``FUNDING_RULES`` (see the module doc)."""
    n = len(scores)
    ids = scores.dimension_ids

    def dim(name: str) -> np.ndarray:
        values = scores.dimensions[:, ids.index(name)] if name in ids else scores.overall
        return np.asarray(np.nan_to_num(values, nan=0.0) / 100.0)

    roles = profile["roles"]
    has_role = {
        r: np.fromiter((r in s for s in roles), dtype=bool, count=n)
        for r in ("manufacturer", "equipment_maker", "solution_provider")
    }
    features: dict[str, np.ndarray] = {
        "diagnosed": profile["diagnosed"].astype(np.float64),
        "above_designated_size": profile["above_designated_size"].astype(np.float64),
        "investment_planned": (profile["planned_investment_yuan"] > 0).astype(np.float64),
        "rnd": profile["rnd"].astype(np.float64),
        "roles_equipment_maker": has_role["equipment_maker"].astype(np.float64),
        "large_or_medium": np.isin(profile["size_class"], ["large", "medium"]).astype(np.float64),
        "low_level": (scores.level <= 1).astype(np.float64),
        "overall": np.nan_to_num(scores.overall, nan=0.0) / 100.0,
        "strategy": dim("strategy"),
        "equipment": dim("equipment"),
        "equipment_gap": 0.5 - dim("equipment"),
        "systems_gap": 0.5 - dim("systems"),
        "industrial_internet_gap": 0.5 - dim("industrial_internet"),
    }
    applies_equipment = profile["is_equipment_maker"].astype(bool) | has_role["equipment_maker"]
    funded = np.zeros((n, len(FUNDING_CATEGORIES)), dtype=bool)
    for j, cat in enumerate(FUNDING_CATEGORIES):
        rule = FUNDING_RULES[cat]
        logit = np.full(n, rule["intercept"])
        for name, coef in rule.items():
            if name != "intercept":
                logit = logit + coef * features[name]
        applies = {
            "equipment_maker": applies_equipment,
            "solution_provider": has_role["solution_provider"],
        }.get(_APPLIES.get(cat, ""), has_role["manufacturer"])
        funded[:, j] = applies & (rng.random(n) < _sigmoid(logit)) & scores.valid
    return funded
