"""Policy catalogs: the funded support categories, their eligibility and fit rules, as data.

A catalog (``questionnaires/policies/*.yaml``) names the questionnaire its rules
read.  Each category has:

* ``eligibility``: requirements, each a condition on the profile (or on the
  assessment); all must hold.  A requirement reading a profile field that is
  unknown is *needs checking*, not failed.  ``manual`` requirements cannot be
  decided from the data and are always *needs checking*.
* ``applies_to``: whether the category concerns this kind of enterprise at all
  (e.g. the manufacturing categories do not apply to a pure solution provider).
* ``fit``: rules ``when`` -> ``weight`` with a bilingual ``reason``; the fit is
  the sum of the weights of the rules that hold, clipped to [0, 1].  Every
  reason cites the inputs of its condition with their values.
* ``tiers`` (optional): named grades to aim at (e.g. smart workshop / smart
  factory), each with a condition; the highest tier that holds is named.
* ``amounts``: known amounts or caps, each with its source and year.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints

from ._conditions import Condition
from ._exceptions import NotFoundError
from ._model import Id, SourceRef, content_hash
from ._text import Text

__all__ = ["STATES", "Category", "Eligibility", "PolicyCatalog", "Tier"]

_STRICT = ConfigDict(
    defer_build=True, extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True
)

# The eligibility states of a category for an enterprise, in ranking order (see _matching).
Eligibility = Literal["eligible", "needs_checking", "not_eligible", "not_applicable"]
STATES: tuple[Eligibility, ...] = ("eligible", "needs_checking", "not_eligible", "not_applicable")
CategoryId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class Requirement(BaseModel):
    """One eligibility requirement: a condition, or a manual check."""

    model_config = _STRICT

    id: Id
    text: Text
    condition: Condition | None = None
    manual: bool = Field(
        default=False, description="Cannot be decided from the data: always 'needs checking'."
    )
    source: str | None = None


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


class Amount(BaseModel):
    """A known amount or cap of support, with its source."""

    model_config = _STRICT

    item: Text
    max_yuan: float | None = Field(default=None, ge=0)
    note: Text | None = None
    source: str = Field(min_length=1)
    year: int | None = None


class Tier(BaseModel):
    """A grade to aim at within a category (e.g. provincial smart factory)."""

    model_config = _STRICT

    id: Id
    name: Text
    when: Condition
    note: Text | None = None


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
    source: str | None = None


class PolicyCatalog(BaseModel):
    """A catalog of support categories for one questionnaire."""

    model_config = ConfigDict(
        defer_build=True, extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True
    )

    format: Literal[1] = 1
    id: Id
    version: str = Field(min_length=1, max_length=32)
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
