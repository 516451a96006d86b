"""Match assessments to a policy catalog: fit, eligibility, reasons; one enterprise or a cohort.

Eligibility of a category, in order:

1. ``not_applicable``: its ``applies_to`` condition is false (e.g. a
   manufacturing-upgrade category for a pure solution provider);
2. ``not_eligible``: some binding requirement is decidedly unmet;
3. ``needs_checking``: no binding requirement is unmet, but one reads a
   profile field that is unknown, is a ``manual`` check, or is a non-binding
   reading that is unmet;
4. ``eligible``: every requirement is met.

Tiers of a category are judged the same way with their own requirements
(``Recommendation.tiers``); a tier recognised by a national selection is at
best ``needs_checking``.  ``Recommendation.tier`` is the tier to aim at: the
highest one the known data support (nothing unmet, only checks by hand or
the selection itself left open), else the first one left to check.

Fit is the sum of the weights of the fit rules that hold, clipped to [0, 1], to ``FIT_DECIMALS`` places
(so alike fits tie); each rule that holds gives a reason citing its inputs and their values.
Categories are ranked by ``priority = fit × factor(eligibility)`` with the
factors in ``ELIGIBILITY_FACTOR`` (eligible 1, needs checking 0.8, not
eligible 0.3, not applicable 0), ties in catalog order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ._batch_mode import batch_mode, chunk_threads, run_chunks
from ._compile import CompiledQuestionnaire, EvalContext, profile_known
from ._conditions import All, Compare, Condition, CountSpec, walk
from ._exceptions import NotFoundError, QuestionnaireError
from ._funding import FundingEstimate, Why, estimate_funding, explained
from ._lint import catalog_findings
from ._policy import STATES, Category, Eligibility, PolicyCatalog, Requirement, Tier
from ._profile import PROFILE_KINDS
from ._row_sums import row_sums
from ._text import Text

if TYPE_CHECKING:
    from collections.abc import Container

    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from ._model import Questionnaire
    from ._scoring import BatchScores

__all__ = [
    "MATCH_CHUNK",
    "Citation",
    "CohortMatch",
    "CompiledCatalog",
    "Recommendation",
    "RequirementResult",
    "TierResult",
    "compiled_catalog",
    "match_batch",
    "profile_fields",
    "requirement_reason",
]

ELIGIBLE, NEEDS_CHECKING, NOT_ELIGIBLE, NOT_APPLICABLE = range(4)
ELIGIBILITY_FACTOR = np.array([1.0, 0.8, 0.3, 0.0])
MET, UNMET, UNKNOWN = 1, 0, -1
FIT_DECIMALS = 12  # a fit is a sum of decimal weights: kept to 12 places, free of binary residue


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
    source: str = "project"
    status: str = "project"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "text": self.text.model_dump(exclude_none=True),
            "weight": self.weight,
            "cites": [c.to_dict() for c in self.cites],
            "source": self.source,
            "status": self.status,
        }


@dataclass(frozen=True)
class RequirementResult:
    """One eligibility requirement and where the enterprise stands: met, unmet or unknown."""

    id: str
    text: Text
    status: Literal["met", "unmet", "unknown"]
    manual: bool
    cites: tuple[Citation, ...]
    binding: bool = True
    source: str = "project"
    rule_status: str = "project"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text.model_dump(exclude_none=True),
            "status": self.status,
            "manual": self.manual,
            "binding": self.binding,
            "cites": [c.to_dict() for c in self.cites],
            "source": self.source,
            "rule_status": self.rule_status,
        }


class _Requirements:
    """Requirements judged for one enterprise, read by state (shared by categories and tiers)."""

    requirements: tuple[RequirementResult, ...]

    @property
    def unmet(self) -> list[RequirementResult]:
        return [r for r in self.requirements if r.status == "unmet"]

    @property
    def to_check(self) -> list[RequirementResult]:
        return [r for r in self.requirements if r.status == "unknown"]


@dataclass(frozen=True)
class TierResult(_Requirements):
    """Where an enterprise stands for one tier of a category: eligibility, reasons, what is unmet."""

    id: str
    name: Text
    eligibility: Eligibility
    recognised_by: str
    requirements: tuple[RequirementResult, ...]
    notes: tuple[Text, ...]
    source: str
    status: str

    @property
    def reasons(self) -> tuple[Text, ...]:
        """Why the tier stands where it does: each unmet or open requirement with its inputs, then notes."""
        if self.eligibility == "not_applicable":
            return self.notes
        return tuple(requirement_reason(r) for r in self.requirements if r.status != "met") + self.notes

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name.model_dump(exclude_none=True),
            "eligibility": self.eligibility,
            "recognised_by": self.recognised_by,
            "reasons": [r.model_dump(exclude_none=True) for r in self.reasons],
            "unmet": [r.id for r in self.unmet],
            "to_check": [r.id for r in self.to_check],
            "requirements": [r.to_dict() for r in self.requirements],
            "source": self.source,
            "status": self.status,
        }


@dataclass(frozen=True)
class Recommendation(_Requirements):
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
    tiers: tuple[TierResult, ...] = ()
    why_not: tuple[Text, ...] = ()
    funding: tuple[FundingEstimate, ...] = ()

    def tier_result(self, tier_id: str) -> TierResult:
        """The result of one tier by id."""
        for t in self.tiers:
            if t.id == tier_id:
                return t
        raise NotFoundError("tier", tier_id, [t.id for t in self.tiers])

    @property
    def eligible(self) -> bool:
        return self.eligibility == "eligible"

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
            "tiers": [t.to_dict() for t in self.tiers],
            "why_not": [w.model_dump(exclude_none=True) for w in self.why_not],
            "funding": [f.to_dict() for f in self.funding],
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
    tier: np.ndarray  # (N, C) int, -1 = none: the highest tier not refused
    tier_state: list[np.ndarray] = field(default_factory=list)  # per category (N, T) int
    tier_requirement_status: list[list[np.ndarray]] = field(default_factory=list)  # per category, tier


@dataclass
class _CompiledRequirement:
    fn: Callable[[EvalContext], np.ndarray] | None
    profile_fields: list[str]
    manual: bool
    binding: bool = True


@dataclass
class _CompiledCategory:
    spec: Category
    applies: Callable[[EvalContext], np.ndarray] | None
    requirements: list[_CompiledRequirement]
    rules: list[Callable[[EvalContext], np.ndarray]]
    weights: np.ndarray
    tiers: list[list[_CompiledRequirement]]
    national: np.ndarray  # (T,) bool: tiers recognised by a national selection


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
            self.categories.append(
                _CompiledCategory(
                    spec=c,
                    applies=None if c.applies_to is None else cq.compile_condition(c.applies_to),
                    requirements=self._requirements(c.eligibility),
                    rules=[cq.compile_condition(rule.when) for rule in c.fit],
                    weights=np.array([rule.weight for rule in c.fit]),
                    tiers=[self._requirements(t.eligibility) for t in c.tiers],
                    national=np.array([t.recognised_by == "national" for t in c.tiers], dtype=bool),
                )
            )
        # An amount's condition, part by part (the parts of an 'all'): a part that fails on known
        # inputs refuses the amount even when another part reads an unknown field.
        self.amount_fns: dict[
            tuple[str, str], list[tuple[Callable[[EvalContext], np.ndarray], list[str]]]
        ] = {
            (c.id, a.id): [
                (cq.compile_condition(part), profile_fields(part))
                for part in (a.when.all if isinstance(a.when, All) else [a.when])
            ]
            for c in catalog.categories
            for a in c.amounts
            if a.when is not None
        }

    def _requirements(self, reqs: list[Requirement]) -> list[_CompiledRequirement]:
        return [
            _CompiledRequirement(
                fn=None if r.condition is None else self.cq.compile_condition(r.condition),
                profile_fields=profile_fields(r.condition),
                manual=r.manual,
                binding=r.binding,
            )
            for r in reqs
        ]

    def evaluate(self, ctx: EvalContext) -> CatalogArrays:
        n, n_c = ctx.n, len(self.categories)
        fit = np.zeros((n, n_c))
        state = np.zeros((n, n_c), dtype=np.int8)
        tier = np.full((n, n_c), -1, dtype=np.int64)
        req_status: list[np.ndarray] = []
        hits_all: list[np.ndarray] = []
        tier_state: list[np.ndarray] = []
        tier_status: list[list[np.ndarray]] = []
        known_cache: dict[str, np.ndarray] = {}
        for j, c in enumerate(self.categories):
            hits = np.zeros((n, len(c.rules)), dtype=bool, order="F")
            for k, rule in enumerate(c.rules):
                hits[:, k] = rule(ctx)
            hits_all.append(hits)
            fit[:, j] = np.clip(np.round(row_sums(hits * c.weights), FIT_DECIMALS), 0.0, 1.0)
            status = requirement_status(ctx, c.requirements, known_cache)
            req_status.append(status)
            applies = c.applies(ctx) if c.applies is not None else np.ones(n, dtype=bool)
            state[:, j] = eligibility_state(status, c.requirements, applies)
            t_states = np.zeros((n, len(c.tiers)), dtype=np.int8, order="F")
            t_status = []
            first_to_check = np.full(n, -1, dtype=np.int64)
            for t, reqs in enumerate(c.tiers):
                st = requirement_status(ctx, reqs, known_cache)
                t_status.append(st)
                t_states[:, t] = eligibility_state(st, reqs, applies)
                if c.national[t]:  # a national selection is never certain
                    t_states[:, t] = np.where(t_states[:, t] == ELIGIBLE, NEEDS_CHECKING, t_states[:, t])
                # The tier to aim at: the highest one the known data support (nothing unmet, only
                # checks by hand or the selection itself left open); else the first one left to check.
                by_data = np.array([not r.manual for r in reqs], dtype=bool)
                data_open = ((st == UNKNOWN) & by_data).any(axis=1) | (st == UNMET).any(axis=1)
                open_state = t_states[:, t] == NEEDS_CHECKING
                supported = (t_states[:, t] == ELIGIBLE) | (open_state & ~data_open)
                tier[:, j] = np.where(supported, t, tier[:, j])
                first_to_check = np.where((first_to_check < 0) & open_state, t, first_to_check)
            tier[:, j] = np.where(tier[:, j] < 0, first_to_check, tier[:, j])
            tier_state.append(t_states)
            tier_status.append(t_status)
        priority = fit * ELIGIBILITY_FACTOR[state]
        return CatalogArrays(fit, state, priority, req_status, hits_all, tier, tier_state, tier_status)

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
                reason = Reason(
                    rule.id,
                    _fill(rule.reason, cites),
                    rule.weight,
                    cites,
                    rule.action,
                    rule.source,
                    rule.status,
                )
                reasons.append(reason)
                if rule.action is not None:
                    actions.append(rule.action)
            requirements = self._requirement_results(spec.eligibility, arrays.requirement_status[j], ctx, row)
            tiers = tuple(
                self._tier_result(tier, int(arrays.tier_state[j][row, t]), arrays, j, t, ctx, row)
                for t, tier in enumerate(spec.tiers)
            )
            t = int(arrays.tier[row, j])
            eligibility = STATES[int(arrays.state[row, j])]
            fit = float(arrays.fit[row, j])
            out.append(
                Recommendation(
                    category=spec.id,
                    name=spec.name,
                    fit=fit,
                    eligibility=eligibility,
                    priority=float(arrays.priority[row, j]),
                    reasons=tuple(sorted(reasons, key=lambda r: -r.weight)),
                    requirements=requirements,
                    actions=tuple(actions) + tuple(spec.actions),
                    tier=spec.tiers[t] if t >= 0 else None,
                    category_spec=spec,
                    tiers=tiers,
                    why_not=self._why_not(j, eligibility, fit, requirements, arrays, ctx, row),
                    funding=estimate_funding(
                        spec,
                        tiers,
                        ctx,
                        row,
                        {a.id: self.amount_fns[(spec.id, a.id)] for a in spec.amounts if a.when is not None},
                        lambda cond: self._cite(cond, ctx, row),
                    ),
                )
            )
        order = sorted(range(len(out)), key=lambda j: (-out[j].priority, -out[j].fit, j))
        return [out[j] for j in order]

    def _requirement_results(
        self, reqs: list[Requirement], status: np.ndarray, ctx: EvalContext, row: int
    ) -> tuple[RequirementResult, ...]:
        names = {MET: "met", UNMET: "unmet", UNKNOWN: "unknown"}
        return tuple(
            RequirementResult(
                id=req.id,
                text=req.text,
                status=names[int(status[row, r])],  # type: ignore[arg-type]
                manual=req.manual,
                cites=tuple(self._cite(req.condition, ctx, row)) if req.condition is not None else (),
                binding=req.binding,
                source=req.source,
                rule_status=req.status,
            )
            for r, req in enumerate(reqs)
        )

    def _tier_result(
        self, tier: Tier, state: int, arrays: CatalogArrays, j: int, t: int, ctx: EvalContext, row: int
    ) -> TierResult:
        requirements = self._requirement_results(
            tier.eligibility, arrays.tier_requirement_status[j][t], ctx, row
        )
        eligibility = STATES[state]
        notes: list[Text] = []
        if eligibility == "not_applicable":
            why = self.categories[j].spec.not_applicable_reason
            notes.append(why if why is not None else Text(zh="不适用于本企业", en="Does not apply"))
        if tier.recognised_by == "national" and eligibility == "needs_checking":
            notes.append(
                Text(
                    zh="国家级遴选：结果取决于评审，不能据此判定为符合",
                    en="A national selection: the outcome rests with the reviewers, never certain",
                )
            )
        if eligibility == "eligible":
            notes.append(Text(zh="各项条件均已满足", en="Every requirement is met"))
        return TierResult(
            id=tier.id,
            name=tier.name,
            eligibility=eligibility,
            recognised_by=tier.recognised_by,
            requirements=requirements,
            notes=tuple(notes),
            source=tier.source,
            status=tier.status,
        )

    def _why_not(
        self,
        j: int,
        eligibility: str,
        fit: float,
        requirements: tuple[RequirementResult, ...],
        arrays: CatalogArrays,
        ctx: EvalContext,
        row: int,
    ) -> tuple[Text, ...]:
        """Why a category is not applicable, not eligible, or does not fit (fit 0)."""
        spec = self.categories[j].spec
        out: list[Text] = []
        if eligibility == "not_applicable":
            why = spec.not_applicable_reason or Text(zh="不适用于本企业", en="Does not apply")
            out.append(_explained(("不适用", "not applicable"), why, self._cite(spec.applies_to, ctx, row)))
            return tuple(out)
        if eligibility == "not_eligible":
            for r in requirements:
                if r.status == "unmet" and r.binding:
                    out.append(_explained(("未满足", "unmet"), r.text, r.cites))
        if fit <= 0.0:
            for k, rule in enumerate(spec.fit):
                if rule.weight <= 0 or arrays.rule_hits[j][row, k]:
                    continue
                cites = self._cite(rule.when, ctx, row)
                if rule.why_not is not None and all(c.value is not None for c in cites):
                    out.append(_explained(("不适配", "does not fit"), rule.why_not, cites))
                    continue
                plain = Text(zh=_plain(rule.reason.zh), en=_plain(rule.reason.en))
                out.append(_explained(("适配条件不成立", "Fit rule does not hold"), plain, cites))
        return tuple(out)

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


def profile_fields(cond: Condition | None) -> list[str]:
    """The profile fields a condition reads (sorted)."""
    return sorted(
        {
            leaf.subject[1]
            for leaf in _leaves(cond)
            if isinstance(leaf, Compare) and leaf.subject[0] == "profile"
        }
    )


def requirement_status(
    ctx: EvalContext, reqs: list[_CompiledRequirement], known_cache: dict[str, np.ndarray]
) -> np.ndarray:
    """(N, R) MET, UNMET or UNKNOWN: unknown when a profile field read is unknown, or a manual check."""
    n = ctx.n
    # Column-major: the row-wise any() of the states reads each row's few columns (100x faster).
    status = np.full((n, len(reqs)), MET, dtype=np.int8, order="F")
    for r, req in enumerate(reqs):
        if req.manual or req.fn is None:
            status[:, r] = UNKNOWN
            continue
        known = np.ones(n, dtype=bool)
        for name in req.profile_fields:
            if name not in known_cache:
                known_cache[name] = profile_known(ctx, name)
            known &= known_cache[name]
        holds = req.fn(ctx)
        status[:, r] = np.where(~known, UNKNOWN, np.where(holds, MET, UNMET))
    return status


def eligibility_state(
    status: np.ndarray, reqs: list[_CompiledRequirement], applies: np.ndarray
) -> np.ndarray:
    """(N,) state from the requirement statuses: a non-binding unmet requirement only needs checking."""
    binding = np.array([r.binding for r in reqs], dtype=bool)
    unmet = status == UNMET
    any_unmet = (unmet & binding).any(axis=1)
    any_unknown = (status == UNKNOWN).any(axis=1) | (unmet & ~binding).any(axis=1)
    return np.select(
        [~applies, any_unmet, any_unknown], [NOT_APPLICABLE, NOT_ELIGIBLE, NEEDS_CHECKING], ELIGIBLE
    ).astype(np.int8)


def _leaves(cond: Condition | None) -> list[Compare | CountSpec]:
    return [] if cond is None else list(walk(cond))


def requirement_reason(r: RequirementResult) -> Why:
    """An unmet or open requirement as a reason: what, and the inputs it read (worded by the reader's view)."""
    if r.status == "unmet":
        head = ("未满足", "unmet") if r.binding else ("未满足（解读，待核实）", "unmet (a reading, to check)")
    elif r.status == "unknown":
        head = ("待核实", "to check")
    else:
        head = ("已满足", "met")
    return _explained(head, r.text, r.cites)


def _explained(head: tuple[str, str], text: Text, cites: Sequence[Citation]) -> Why:
    """A why-not reason: ``head`` and ``text``, with the inputs it read (worded later by the reader's view)."""
    return explained(_prefixed(head, text), cites)


def _prefixed(head: tuple[str, str], text: Text) -> Text:
    zh, en = head
    return Text(
        zh=None if text.zh is None else f"{zh}：{text.zh}",
        en=None if text.en is None else f"{en}: {text.en}",
    )


def _plain(text: str | None) -> str:
    """A reason template without its placeholders (for a rule that did not hold)."""
    return (text or "").replace("{value}", "…").replace("{threshold}", "…")


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


MATCH_CHUNK = 65_536  # rows per matching pass: the per-rule temporaries stay small


def match_batch(
    catalog: PolicyCatalog, scores: BatchScores, *, chunk_size: int = MATCH_CHUNK, workers: int | None = None
) -> CohortMatch:
    """Fit and eligibility of every category for every row of ``scores``.

    Rows are matched in chunks of ``chunk_size`` (each a vectorised pass), so
    the temporaries of the rules stay bounded however many rows there are;
    the results do not depend on the chunk size.  ``workers`` threads match
    chunks in parallel (default: two from two chunks on; one where the caller
    runs batches in parallel already); the results do not depend on it.
    """
    compiled = compiled_catalog(catalog, scores.questionnaire)
    n = len(scores)
    chunk_size = max(1, int(chunk_size))
    with batch_mode(n):
        if n <= chunk_size:
            arrays = compiled.evaluate(scores.context())
        else:
            arrays = _evaluate_chunks(compiled, scores, n, chunk_size, workers)
    invalid = ~scores.valid
    arrays.fit[invalid] = np.nan
    arrays.priority[invalid] = np.nan
    return CohortMatch(catalog, arrays, scores.valid)


MATCH_THREADS_FROM = 2  # two threads from two chunks on (1,000,000 rows: 0.59 s, one thread 1.09 s)


def _evaluate_chunks(
    compiled: CompiledCatalog, scores: BatchScores, n: int, chunk_size: int, workers: int | None
) -> CatalogArrays:
    def part(start: int) -> CatalogArrays:
        return compiled.evaluate(scores.context(slice(start, min(start + chunk_size, n))))

    def like(a: np.ndarray) -> np.ndarray:
        return np.empty((n, *a.shape[1:]), dtype=a.dtype)

    first = part(0)  # its shapes size the whole
    out = CatalogArrays(
        like(first.fit),
        like(first.state),
        like(first.priority),
        [like(a) for a in first.requirement_status],
        [like(a) for a in first.rule_hits],
        like(first.tier),
    )

    def put(start: int, piece: CatalogArrays) -> None:
        rows = slice(start, min(start + chunk_size, n))
        out.fit[rows] = piece.fit
        out.state[rows] = piece.state
        out.priority[rows] = piece.priority
        out.tier[rows] = piece.tier
        for whole, status in zip(out.requirement_status, piece.requirement_status, strict=True):
            whole[rows] = status
        for whole, hits in zip(out.rule_hits, piece.rule_hits, strict=True):
            whole[rows] = hits

    put(0, first)
    rest = range(chunk_size, n, chunk_size)
    threads = chunk_threads(workers, len(rest) + 1, auto_from=MATCH_THREADS_FROM)
    # numpy releases the GIL in its kernels: chunks on several cores, each writing its own rows.
    run_chunks(lambda start: put(start, part(start)), rest, threads)
    return out


def compiled_catalog(catalog: PolicyCatalog, questionnaire: Questionnaire) -> CompiledCatalog:
    cached = catalog._compiled
    if cached is None or cached.questionnaire is not questionnaire:
        cached = CompiledCatalog(catalog, questionnaire)
        catalog._compiled = cached
    return cached  # type: ignore[no-any-return]
