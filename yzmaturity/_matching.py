"""Match assessments to a policy catalog: fit, eligibility, reasons; one enterprise or a cohort.

Eligibility of a category, in order:

1. ``not_applicable``: its ``applies_to`` condition is false (e.g. a
   manufacturing-upgrade category for a pure solution provider);
2. ``not_eligible``: some requirement is decidedly unmet;
3. ``needs_checking``: no requirement is unmet, but one reads a profile field
   that is unknown, or is a ``manual`` check;
4. ``eligible``: every requirement is met.

Fit is the sum of the weights of the fit rules that hold, clipped to [0, 1];
each rule that holds gives a reason citing its inputs and their values.
Categories are ranked by ``priority = fit × factor(eligibility)`` with the
factors in ``ELIGIBILITY_FACTOR`` (eligible 1, needs checking 0.8, not
eligible 0.3, not applicable 0), ties in catalog order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ._compile import CompiledQuestionnaire, EvalContext
from ._conditions import Compare, Condition, CountSpec, walk
from ._exceptions import QuestionnaireError
from ._lint import catalog_findings
from ._policy import STATES, Category, Eligibility, PolicyCatalog, Tier
from ._profile import PROFILE_KINDS
from ._text import Text

if TYPE_CHECKING:
    from collections.abc import Container

    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from ._model import Questionnaire
    from ._scoring import BatchScores

__all__ = ["Citation", "CohortMatch", "Recommendation", "compiled_catalog", "match_batch"]

ELIGIBLE, NEEDS_CHECKING, NOT_ELIGIBLE, NOT_APPLICABLE = range(4)
ELIGIBILITY_FACTOR = np.array([1.0, 0.8, 0.3, 0.0])
MET, UNMET, UNKNOWN = 1, 0, -1


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Citation:
    """An input a reason or requirement rests on, with the value it had."""

    kind: str
    ref: str
    value: Any
    op: str | None = None
    threshold: Any = None

    def describe(self, lang: str = "zh") -> str:
        op = {
            "gte": "≥",
            "gt": ">",
            "lte": "≤",
            "lt": "<",
            "eq": "=",
            "ne": "≠",
            "in_": "∈",
            "not_in": "∉",
        }.get(self.op or "", self.op or "")
        bar = f" ({op} {_fmt(self.threshold)})" if self.op else ""
        value = "?" if self.value is None else _fmt(self.value)
        return f"{self.kind} {self.ref} = {value}{bar}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "value": _jsonable(self.value),
            "op": None if self.op is None else self.op.rstrip("_"),
            "threshold": _jsonable(self.threshold),
        }


@dataclass(frozen=True)
class Reason:
    """Why a category fits: a rule that held, its weight, and the inputs it cites."""

    rule: str
    text: Text
    weight: float
    cites: tuple[Citation, ...]
    action: Text | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "text": self.text.model_dump(exclude_none=True),
            "weight": self.weight,
            "cites": [c.to_dict() for c in self.cites],
        }


@dataclass(frozen=True)
class RequirementResult:
    """One eligibility requirement and where the enterprise stands: met, unmet or unknown."""

    id: str
    text: Text
    status: Literal["met", "unmet", "unknown"]
    manual: bool
    cites: tuple[Citation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text.model_dump(exclude_none=True),
            "status": self.status,
            "manual": self.manual,
            "cites": [c.to_dict() for c in self.cites],
        }


@dataclass(frozen=True)
class Recommendation:
    """A support category for one enterprise: fit, eligibility, reasons and next actions."""

    category: str
    name: Text
    fit: float
    eligibility: Eligibility
    priority: float
    reasons: tuple[Reason, ...]
    requirements: tuple[RequirementResult, ...]
    actions: tuple[Text, ...]
    tier: Tier | None
    category_spec: Category = field(repr=False)

    @property
    def eligible(self) -> bool:
        return self.eligibility == "eligible"

    @property
    def unmet(self) -> list[RequirementResult]:
        return [r for r in self.requirements if r.status == "unmet"]

    @property
    def to_check(self) -> list[RequirementResult]:
        return [r for r in self.requirements if r.status == "unknown"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "name": self.name.model_dump(exclude_none=True),
            "fit": round(self.fit, 4),
            "eligibility": self.eligibility,
            "priority": round(self.priority, 4),
            "reasons": [r.to_dict() for r in self.reasons],
            "requirements": [r.to_dict() for r in self.requirements],
            "actions": [a.model_dump(exclude_none=True) for a in self.actions],
            "tier": None if self.tier is None else {"id": self.tier.id, "name": self.tier.name.model_dump()},
            "amounts": [a.model_dump(mode="json", exclude_none=True) for a in self.category_spec.amounts],
        }

    def __repr__(self) -> str:
        n = len(self.reasons)
        return f"<Recommendation {self.category}: fit {self.fit:.2f}, {self.eligibility}, {n} reason(s)>"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if not value.is_integer() else f"{value:.0f}"
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(_fmt(v) for v in sorted(value, key=str)) + "]"
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float):
        return round(value, 4)
    return value


# --------------------------------------------------------------------------- engine
@dataclass
class CatalogArrays:
    """Matching results for N rows and C categories (catalog order)."""

    fit: np.ndarray  # (N, C) float in [0, 1]
    state: np.ndarray  # (N, C) int: ELIGIBLE, NEEDS_CHECKING, NOT_ELIGIBLE, NOT_APPLICABLE
    priority: np.ndarray  # (N, C)
    requirement_status: list[np.ndarray]  # per category (N, R) int8: MET, UNMET, UNKNOWN
    rule_hits: list[np.ndarray]  # per category (N, K) bool
    tier: np.ndarray  # (N, C) int, -1 = none


@dataclass
class _CompiledRequirement:
    fn: Callable[[EvalContext], np.ndarray] | None
    profile_fields: list[str]
    manual: bool


@dataclass
class _CompiledCategory:
    spec: Category
    applies: Callable[[EvalContext], np.ndarray] | None
    requirements: list[_CompiledRequirement]
    rules: list[Callable[[EvalContext], np.ndarray]]
    weights: np.ndarray
    tiers: list[Callable[[EvalContext], np.ndarray]]


class CompiledCatalog:
    """A catalog compiled against a questionnaire: numpy masks for any number of rows."""

    def __init__(self, catalog: PolicyCatalog, questionnaire: Questionnaire) -> None:
        errors = [f for f in catalog_findings(catalog, questionnaire) if f.severity == "error"]
        if errors:
            raise QuestionnaireError(
                f"policy catalog {catalog.id!r} does not fit {questionnaire.id!r}", errors
            )
        self.catalog = catalog
        self.questionnaire = questionnaire
        cq = questionnaire.compiled()
        self.cq: CompiledQuestionnaire = cq
        self.categories: list[_CompiledCategory] = []
        for c in catalog.categories:
            requirements = [
                _CompiledRequirement(
                    fn=None if r.condition is None else cq.compile_condition(r.condition),
                    profile_fields=sorted(
                        {
                            leaf.subject[1]
                            for leaf in _leaves(r.condition)
                            if isinstance(leaf, Compare) and leaf.subject[0] == "profile"
                        }
                    ),
                    manual=r.manual,
                )
                for r in c.eligibility
            ]
            self.categories.append(
                _CompiledCategory(
                    spec=c,
                    applies=None if c.applies_to is None else cq.compile_condition(c.applies_to),
                    requirements=requirements,
                    rules=[cq.compile_condition(rule.when) for rule in c.fit],
                    weights=np.array([rule.weight for rule in c.fit]),
                    tiers=[cq.compile_condition(t.when) for t in c.tiers],
                )
            )

    def evaluate(self, ctx: EvalContext) -> CatalogArrays:
        n, n_c = ctx.n, len(self.categories)
        fit = np.zeros((n, n_c))
        state = np.zeros((n, n_c), dtype=np.int8)
        tier = np.full((n, n_c), -1, dtype=np.int64)
        req_status: list[np.ndarray] = []
        hits_all: list[np.ndarray] = []
        known_cache: dict[str, np.ndarray] = {}
        for j, c in enumerate(self.categories):
            hits = np.column_stack([f(ctx) for f in c.rules]) if c.rules else np.zeros((n, 0), dtype=bool)
            hits_all.append(hits)
            fit[:, j] = np.clip(hits @ c.weights, 0.0, 1.0)
            status = np.full((n, len(c.requirements)), MET, dtype=np.int8)
            for r, req in enumerate(c.requirements):
                if req.manual or req.fn is None:
                    status[:, r] = UNKNOWN
                    continue
                known = np.ones(n, dtype=bool)
                for name in req.profile_fields:
                    if name not in known_cache:
                        known_cache[name] = _known(ctx, name)
                    known &= known_cache[name]
                holds = req.fn(ctx)
                status[:, r] = np.where(~known, UNKNOWN, np.where(holds, MET, UNMET))
            req_status.append(status)
            applies = c.applies(ctx) if c.applies is not None else np.ones(n, dtype=bool)
            any_unmet = (status == UNMET).any(axis=1)
            any_unknown = (status == UNKNOWN).any(axis=1)
            state[:, j] = np.select(
                [~applies, any_unmet, any_unknown], [NOT_APPLICABLE, NOT_ELIGIBLE, NEEDS_CHECKING], ELIGIBLE
            )
            for t, tier_fn in enumerate(c.tiers):
                tier[:, j] = np.where(tier_fn(ctx), t, tier[:, j])
        priority = fit * ELIGIBILITY_FACTOR[state]
        return CatalogArrays(fit, state, priority, req_status, hits_all, tier)

    # ----------------------------------------------------------------- one row, explained
    def recommendations(self, ctx: EvalContext, row: int = 0) -> list[Recommendation]:
        arrays = self.evaluate(ctx)
        out = []
        for j, c in enumerate(self.categories):
            spec = c.spec
            reasons = []
            actions: list[Text] = []
            for k, rule in enumerate(spec.fit):
                if not arrays.rule_hits[j][row, k]:
                    continue
                cites = tuple(self._cite(rule.when, ctx, row))
                reasons.append(Reason(rule.id, _fill(rule.reason, cites), rule.weight, cites, rule.action))
                if rule.action is not None:
                    actions.append(rule.action)
            requirements = tuple(
                RequirementResult(
                    id=req.id,
                    text=req.text,
                    status={MET: "met", UNMET: "unmet", UNKNOWN: "unknown"}[
                        int(arrays.requirement_status[j][row, r])
                    ],  # type: ignore[arg-type]
                    manual=req.manual,
                    cites=tuple(self._cite(req.condition, ctx, row)) if req.condition is not None else (),
                )
                for r, req in enumerate(spec.eligibility)
            )
            t = int(arrays.tier[row, j])
            out.append(
                Recommendation(
                    category=spec.id,
                    name=spec.name,
                    fit=float(arrays.fit[row, j]),
                    eligibility=STATES[int(arrays.state[row, j])],
                    priority=float(arrays.priority[row, j]),
                    reasons=tuple(sorted(reasons, key=lambda r: -r.weight)),
                    requirements=requirements,
                    actions=tuple(actions) + tuple(spec.actions),
                    tier=spec.tiers[t] if t >= 0 else None,
                    category_spec=spec,
                )
            )
        order = sorted(range(len(out)), key=lambda j: (-out[j].priority, -out[j].fit, j))
        return [out[j] for j in order]

    def _cite(self, cond: Condition | None, ctx: EvalContext, row: int) -> list[Citation]:
        cites: list[Citation] = []
        seen: set[tuple[str, str, str | None]] = set()
        for leaf in _leaves(cond):
            if isinstance(leaf, CountSpec):
                value = int(self.cq.count_fn(leaf)(ctx)[row])
                ref = "+".join(leaf.tags) if leaf.tags else ",".join(leaf.questions)
                bar = leaf.value_gte if leaf.value_gte is not None else leaf.score_gte
                count_key: tuple[str, str, str | None] = ("count", ref, "gte")
                if count_key not in seen:
                    seen.add(count_key)
                    cites.append(Citation("count", f"{ref} at >= {_fmt(bar)}", value, "gte", leaf.at_least))
                continue
            kind, ref = leaf.subject
            ops = leaf.operators()
            op, threshold = ops[0] if ops else (None, None)
            key = (kind, ref, op)
            if key in seen:
                continue
            seen.add(key)
            cites.append(Citation(kind, ref, self._value(kind, ref, ctx, row), op, threshold))
        return cites

    def _value(self, kind: str, ref: str, ctx: EvalContext, row: int) -> Any:
        if kind == "profile":
            v = ctx.profile.get(ref)[row]
            if PROFILE_KINDS[ref] in ("numeric", "bool"):
                if np.isnan(v):
                    return None
                return bool(v) if PROFILE_KINDS[ref] == "bool" else float(v)
            return v
        if kind == "question":
            col = self.cq.index[ref]
            if ctx.na[row, col]:
                return "n/a"
            return self.cq.value_of(col, float(ctx.codes[row, col]))
        v = float(self.cq.subject_fn(kind, ref)(ctx)[row])
        return None if np.isnan(v) else round(v, 2)


def _leaves(cond: Condition | None) -> list[Compare | CountSpec]:
    return [] if cond is None else list(walk(cond))


def _known(ctx: EvalContext, name: str) -> np.ndarray:
    """Rows where a profile field has a value (numbers and flags: not NaN; text: not None)."""
    values = ctx.profile.get(name)
    if values.dtype.kind == "f":
        return np.asarray(~np.isnan(values))
    return ctx.profile.map_values(name, lambda v: v is not None)


def _fill(text: Text, cites: tuple[Citation, ...]) -> Text:
    """Fill ``{value}`` and ``{threshold}`` from the first citation (plain replace, no format())."""
    if not cites:
        return text
    value = "?" if cites[0].value is None else _fmt(cites[0].value)
    threshold = "" if cites[0].threshold is None else _fmt(cites[0].threshold)

    def fill(s: str | None) -> str | None:
        return None if s is None else s.replace("{value}", value).replace("{threshold}", threshold)

    return Text(zh=fill(text.zh), en=fill(text.en))


# --------------------------------------------------------------------------- cohort
@dataclass
class CohortMatch:
    """Category fit and eligibility for every row of a batch."""

    catalog: PolicyCatalog
    arrays: CatalogArrays
    valid: np.ndarray

    @property
    def category_ids(self) -> list[str]:
        return [c.id for c in self.catalog.categories]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per category: how many valid rows are in each eligibility state, and how many fit (>= 0.5)."""
        out: dict[str, dict[str, int]] = {}
        state = self.arrays.state[self.valid]
        fit = self.arrays.fit[self.valid]
        for j, cid in enumerate(self.category_ids):
            col = np.bincount(state[:, j], minlength=4)
            out[cid] = {s: int(col[i]) for i, s in enumerate(STATES)}
            out[cid]["fit_at_least_half"] = int((fit[:, j] >= 0.5).sum())
            out[cid]["top_choice"] = int((np.argmax(self.arrays.priority[self.valid], axis=1) == j).sum())
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per batch row: valid, ``fit:<category>`` and ``state:<category>`` (needs pandas)."""
        from ._render.frames import cohort_frame

        return cohort_frame(self)

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> dict[str, str]:
        """Rich display in Jupyter: per category, the rows in each eligibility state."""
        from ._render.display import cohort_html, mimebundle

        return mimebundle(self, cohort_html, include, exclude)

    def __repr__(self) -> str:
        n, c = int(self.valid.sum()), len(self.category_ids)
        return f"<CohortMatch {self.catalog.id}: {n} valid rows x {c} categories>"


def match_batch(catalog: PolicyCatalog, scores: BatchScores) -> CohortMatch:
    """Fit and eligibility of every category for every row of ``scores`` (one vectorised pass)."""
    compiled = compiled_catalog(catalog, scores.questionnaire)
    arrays = compiled.evaluate(scores.context())
    invalid = ~scores.valid
    arrays.fit[invalid] = np.nan
    arrays.priority[invalid] = np.nan
    return CohortMatch(catalog, arrays, scores.valid)


def compiled_catalog(catalog: PolicyCatalog, questionnaire: Questionnaire) -> CompiledCatalog:
    cached = catalog._compiled
    if cached is None or cached.questionnaire is not questionnaire:
        cached = CompiledCatalog(catalog, questionnaire)
        catalog._compiled = cached
    return cached  # type: ignore[no-any-return]
