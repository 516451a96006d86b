"""Policy catalogs: the funded support categories, their eligibility and fit rules, as data.

A catalog (``questionnaires/policies/*.yaml``) names the questionnaire its rules
read.  Each category has:

* ``eligibility``: requirements, each a condition on the profile (or on the
  assessment); all must hold.  A requirement reading a profile field that is
  unknown is *needs checking*, not failed.  ``manual`` requirements cannot be
  decided from the data and are always *needs checking*.  A requirement with
  ``binding: false`` (a reading of a policy, not a documented rule) makes an
  unmet case *needs checking*, never a refusal.
* ``applies_to``: whether the category concerns this kind of enterprise at all
  (e.g. the manufacturing categories do not apply to a pure solution provider).
* ``fit``: rules ``when`` -> ``weight`` with a bilingual ``reason``; the fit is
  the sum of the weights of the rules that hold, clipped to [0, 1].  Every
  reason cites the inputs of its condition with their values.
* ``tiers`` (optional): named grades to aim at (e.g. the smart-factory
  gradient basic / advanced / excellent / leading), each with its own
  eligibility requirements and who recognises it; a tier recognised by a
  national selection is never *eligible* outright, at best *needs checking*.
* ``amounts``: known amounts or caps, each with its scope (city, district,
  province, national), year, source, status and whether it stacks; optionally
  tied to a tier, a condition, or a rate of the planned investment.

Provenance: every requirement, fit rule, tier and amount names its ``source``
(a document, page address or public code file id; ``project`` for our own
choices) and a ``status``: ``verified`` (read in the cited public source),
``to_check`` (a reading, or found only in third-party material) or
``project`` (the project's own rule).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from ._conditions import Condition
from ._exceptions import NotFoundError
from ._model import Id, SourceRef, content_hash
from ._text import CleanLine, CleanStr, Text

__all__ = [
    "SCOPE_TEXT",
    "STATES",
    "STATUS_TEXT",
    "Amount",
    "Category",
    "Eligibility",
    "FitRule",
    "PolicyCatalog",
    "Requirement",
    "Tier",
]

# As questionnaires (see _model): no coercion, no NaN or infinity.
_STRICT = ConfigDict(
    defer_build=True,
    extra="forbid",
    frozen=True,
    populate_by_name=True,
    serialize_by_alias=True,
    strict=True,
    allow_inf_nan=False,
)
MAX_AMOUNT_YUAN = 1e13  # documented in docs/limits.md

# The eligibility states of a category for an enterprise, in ranking order (see _matching).
Eligibility = Literal["eligible", "needs_checking", "not_eligible", "not_applicable"]
STATES: tuple[Eligibility, ...] = ("eligible", "needs_checking", "not_eligible", "not_applicable")
CategoryId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Status = Literal["verified", "to_check", "project"]
Scope = Literal["city", "district", "province", "national"]
Recogniser = Literal["self", "city", "district", "province", "national"]
STATUS_TEXT = {
    "verified": ("已核实", "verified"),
    "to_check": ("待核实", "to check"),
    "project": ("本项目设定", "project's own"),
}
SCOPE_TEXT = {
    "self": ("企业自评", "self-assessed"),
    "city": ("市级", "city"),
    "district": ("区（县）级", "district"),
    "province": ("省级", "province"),
    "national": ("国家级", "national"),
}
_SOURCE = Field(
    min_length=1, max_length=500, description="Document, page address, code file id or 'project'."
)
_STATUS = Field(description="verified | to_check | project")


def _project_source(source: str, status: str) -> None:
    if (
        status == "project"
        and source.strip().lower() != "project"
        and not source.lower().startswith("project")
    ):
        raise ValueError("a rule with status 'project' has source 'project' (optionally 'project: why')")


class Requirement(BaseModel):
    """One eligibility requirement: a condition, or a manual check."""

    model_config = _STRICT

    id: Id
    text: Text
    condition: Condition | None = None
    manual: bool = Field(
        default=False, description="Cannot be decided from the data: always 'needs checking'."
    )
    binding: bool = Field(
        default=True,
        description="False for a reading of a policy that no document states: unmet means "
        "'needs checking', not a refusal.",
    )
    source: CleanStr = _SOURCE
    status: Status = _STATUS

    @model_validator(mode="after")
    def _provenance(self) -> Requirement:
        _project_source(self.source, self.status)
        return self


class FitRule(BaseModel):
    """When ``when`` holds, the category gains ``weight`` of fit, for ``reason``.

    ``reason`` may use ``{value}`` (the first cited input's value) and
    ``{threshold}`` (its bar) placeholders; they are filled with plain numbers.
    """

    model_config = _STRICT

    id: Id
    when: Condition
    weight: float = Field(gt=-1, le=1)
    reason: Text
    action: Text | None = Field(default=None, description="A suggested next action when the rule holds.")
    why_not: Text | None = Field(
        default=None,
        description="What it means when the rule does not hold on known inputs (e.g. 'already diagnosed').",
    )
    source: CleanStr = _SOURCE
    status: Status = _STATUS

    @model_validator(mode="after")
    def _provenance(self) -> FitRule:
        _project_source(self.source, self.status)
        return self


class Amount(BaseModel):
    """A known amount or cap of support, with its scope, year, source, status and stacking.

    ``max_yuan`` is a cap (不超过); ``rate`` a share of the planned investment
    (capped by ``max_yuan`` if both).  Neither: the amount is unknown and stays
    unknown.  ``regions`` (district scope) names the areas it applies in;
    ``tier`` the tier it rewards; ``when`` a further condition.
    """

    model_config = _STRICT

    id: Id
    item: Text
    max_yuan: float | None = Field(default=None, ge=0, le=MAX_AMOUNT_YUAN, allow_inf_nan=False)
    rate: float | None = Field(default=None, gt=0, le=1, allow_inf_nan=False)
    min_investment_yuan: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    scope: Scope
    regions: list[str] = Field(
        default_factory=list, description="For a district scope: the areas it applies in (any match)."
    )
    year: int = Field(ge=1990, le=2100)
    stacks: bool | None = Field(
        default=None, description="Does it add to the category's other amounts? None: unknown."
    )
    tier: Id | None = None
    when: Condition | None = None
    requires_recognition: bool = Field(
        default=False,
        description="Paid only once a title or recognition is granted: at best 'unknown' before that.",
    )
    note: Text | None = None
    source: CleanStr = _SOURCE
    status: Status = _STATUS

    @model_validator(mode="after")
    def _check(self) -> Amount:
        _project_source(self.source, self.status)
        if self.scope == "district" and not self.regions:
            raise ValueError("a district amount names the 'regions' it applies in")
        return self


class Tier(BaseModel):
    """A grade to aim at within a category (e.g. an advanced-tier smart factory), with its own rules."""

    model_config = _STRICT

    id: Id
    name: Text
    recognised_by: Recogniser = Field(
        description="Who recognises the tier: self (self-built and self-assessed), city, district, "
        "province or national (a national selection is never 'eligible' outright)."
    )
    eligibility: list[Requirement] = Field(default_factory=list)
    note: Text | None = None
    source: CleanStr = _SOURCE
    status: Status = _STATUS

    @model_validator(mode="after")
    def _provenance(self) -> Tier:
        _project_source(self.source, self.status)
        return self


class Category(BaseModel):
    """A funded support category."""

    model_config = _STRICT

    id: CategoryId
    name: Text
    description: Text
    funds: Text = Field(description="What the category pays for.")
    applies_to: Condition | None = Field(
        default=None, description="Does the category concern this enterprise at all?"
    )
    not_applicable_reason: Text | None = None
    eligibility: list[Requirement] = Field(default_factory=list)
    fit: list[FitRule] = Field(min_length=1)
    tiers: list[Tier] = Field(default_factory=list)
    actions: list[Text] = Field(default_factory=list, description="General next steps for this category.")
    amounts: list[Amount] = Field(default_factory=list)
    source: CleanStr | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _references(self) -> Category:
        from collections import Counter

        for kind, ids in (
            ("tier", [t.id for t in self.tiers]),
            ("amount", [a.id for a in self.amounts]),
            ("requirement", [r.id for r in self.eligibility]),
            ("fit rule", [r.id for r in self.fit]),
        ):
            dup = sorted(k for k, n in Counter(ids).items() if n > 1)
            if dup:
                raise ValueError(f"{kind} id {dup[0]!r} is used more than once in category {self.id!r}")
        tiers = {t.id for t in self.tiers}
        for a in self.amounts:
            if a.tier is not None and a.tier not in tiers:
                raise ValueError(f"amount {a.id!r} names tier {a.tier!r}, which category {self.id!r} lacks")
        return self


class PolicyCatalog(BaseModel):
    """A catalog of support categories for one questionnaire."""

    model_config = _STRICT

    format: Literal[1] = 1
    id: Id
    version: CleanLine = Field(min_length=1, max_length=32)
    title: Text
    description: Text | None = None
    questionnaire: Id = Field(
        description="The questionnaire whose dimensions, questions and tags the rules name."
    )
    source: SourceRef
    categories: list[Category] = Field(min_length=1)

    _compiled: Any = PrivateAttr(default=None)

    def category(self, category_id: str) -> Category:
        for c in self.categories:
            if c.id == category_id:
                return c
        raise NotFoundError("category", category_id, [c.id for c in self.categories])

    @property
    def content_hash(self) -> str:
        return content_hash(self)

    def __repr__(self) -> str:
        n = len(self.categories)
        return f"<PolicyCatalog {self.id} v{self.version}: {n} categories for {self.questionnaire}>"

    __str__ = __repr__
