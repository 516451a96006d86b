"""Structured conditions: skip logic, level gates, eligibility and fit rules.

A condition is a small tree of plain data, never a string handed to ``eval``::

    all: [cond, ...]          every child holds
    any: [cond, ...]          at least one child holds
    not: cond                 the child does not hold
    {<subject>: ref, <op>: value, ...}    a comparison (several ops are AND-ed)
    count: {at_least: n, tags: [...], value_gte: k}   a gate over many questions

Subjects of a comparison:

``question``        the answer (option id, number, bool, or the selected options)
``question_score``  the question's score in [0, 1]
``profile``         a field of the enterprise profile (``employees``, ``roles`` ...)
``dimension``       a dimension's score in [0, 100]
``metric``          ``overall`` (0-100), ``level`` (0-5) or a metric the questionnaire defines

Operators: ``eq``, ``ne``, ``in``, ``not_in``, ``gt``, ``gte``, ``lt``, ``lte``,
``contains`` (a multiple-choice answer or a set-valued profile field holds the
value), ``answered`` (true/false) and ``not_applicable`` (true/false).

A comparison on a missing value is false (``not`` turns it true), as in SQL.
The same tree evaluates one sheet, compiles to numpy masks for a batch
(:mod:`yzmaturity._compile`), and exports to XLSForm/SurveyJS expressions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

__all__ = ["All", "AnyOf", "Compare", "Condition", "Count", "CountSpec", "Not", "walk"]

# An integer a condition compares with is bounded (10**400 would overflow the float the engine compares).
Scalar = str | Annotated[int, Field(ge=-(10**15), le=10**15)] | float | bool
SUBJECTS = ("question", "question_score", "profile", "dimension", "metric")
OPERATORS = (
    "eq",
    "ne",
    "in_",
    "not_in",
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "answered",
    "not_applicable",
)
_MODEL = ConfigDict(
    defer_build=True,
    extra="forbid",
    frozen=True,
    populate_by_name=True,
    serialize_by_alias=True,
    strict=True,
    allow_inf_nan=False,
)


class Compare(BaseModel):
    """Compare one subject (a question, profile field, dimension or metric) with values."""

    model_config = _MODEL

    question: str | None = None
    question_score: str | None = None
    profile: str | None = None
    dimension: str | None = None
    metric: str | None = None

    eq: Scalar | None = None
    ne: Scalar | None = None
    in_: list[Scalar] | None = Field(default=None, alias="in", min_length=1)
    not_in: list[Scalar] | None = Field(default=None, min_length=1)
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    contains: str | None = None
    answered: bool | None = None
    not_applicable: bool | None = None

    @model_validator(mode="after")
    def _one_subject_some_operator(self) -> Compare:
        subjects = [s for s in SUBJECTS if getattr(self, s) is not None]
        if len(subjects) != 1:
            raise ValueError(
                f"a comparison needs exactly one subject of {', '.join(SUBJECTS)}; got {subjects or 'none'}"
            )
        if not self.operators():
            raise ValueError(
                "a comparison needs at least one operator: eq, ne, in, not_in, gt, gte, lt, "
                "lte, contains, answered, not_applicable"
            )
        if (self.answered is not None or self.not_applicable is not None) and self.subject[0] not in (
            "question",
        ):
            raise ValueError("'answered' and 'not_applicable' apply to a question only")
        return self

    @property
    def subject(self) -> tuple[str, str]:
        for name in SUBJECTS:
            value = getattr(self, name)
            if value is not None:
                return name, value
        raise AssertionError("validated to have a subject")

    def operators(self) -> list[tuple[str, Any]]:
        return [(op, getattr(self, op)) for op in OPERATORS if getattr(self, op) is not None]


class CountSpec(BaseModel):
    """Count the questions (by tags or by id) whose answer passes a bar."""

    model_config = _MODEL

    at_least: int = Field(ge=0, le=100_000)
    tags: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)
    value_gte: float | None = None
    score_gte: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _selection_and_bar(self) -> CountSpec:
        if not self.tags and not self.questions:
            raise ValueError("a count needs 'tags' or 'questions' to select what it counts")
        if (self.value_gte is None) == (self.score_gte is None):
            raise ValueError("a count needs exactly one bar: 'value_gte' or 'score_gte'")
        return self


class Count(BaseModel):
    model_config = _MODEL
    count: CountSpec


class All(BaseModel):
    model_config = _MODEL
    all: list[Condition] = Field(min_length=1)


class AnyOf(BaseModel):
    model_config = _MODEL
    any: list[Condition] = Field(min_length=1)


class Not(BaseModel):
    model_config = _MODEL
    not_: Condition = Field(alias="not")


def _kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in ("all", "any", "not", "count"):
            if key in value:
                return key
        return "compare"
    if isinstance(value, BaseModel):
        kinds: dict[type[BaseModel], str] = {
            All: "all",
            AnyOf: "any",
            Not: "not",
            Count: "count",
            Compare: "compare",
        }
        return kinds.get(type(value))
    return None


Condition = Annotated[
    Annotated[All, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Count, Tag("count")]
    | Annotated[Compare, Tag("compare")],
    Discriminator(
        _kind,
        custom_error_type="condition",
        custom_error_message="a condition must be a mapping: all, any, not, count or a comparison",
    ),
]

All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


def walk(cond: Condition, negated: bool = True) -> Iterator[Compare | CountSpec]:
    """Yield every leaf (comparison or count) of a condition tree; without ``negated``, skip ``not`` parts."""
    stack: list[Any] = [cond]
    while stack:
        node = stack.pop()
        if isinstance(node, All):
            stack.extend(reversed(node.all))
        elif isinstance(node, AnyOf):
            stack.extend(reversed(node.any))
        elif isinstance(node, Not):
            if negated:
                stack.append(node.not_)
        elif isinstance(node, Count):
            yield node.count
        else:
            yield node


def references(cond: Condition) -> Iterator[tuple[str, str]]:
    """Yield (subject kind, id) for everything a condition reads.

    A count over tags yields ``("tag", tag)``; over ids, ``("question", id)``.
    """
    for leaf in walk(cond):
        if isinstance(leaf, CountSpec):
            for tag in leaf.tags:
                yield "tag", tag
            for qid in leaf.questions:
                yield "question", qid
        else:
            yield leaf.subject


ConditionKind = Literal["all", "any", "not", "count", "compare"]
