"""The questionnaire model: dimensions, questions, levels and metrics as data.

A questionnaire file is plain YAML or JSON; this module gives it a validated,
typed shape (pydantic v2).  Structure problems (a wrong type, a missing field)
are caught here; cross-references (unknown ids, cycles, unreachable levels) are
caught by :mod:`yzmaturity._lint`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Container, Iterator
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    model_validator,
)

from ._conditions import Condition
from ._text import CleanLine, CleanStr, Text

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._compile import CompiledQuestionnaire

__all__ = [
    "DISCRETE",
    "EFFORT_COST",
    "KIND_MULTIPLE",
    "KIND_NUMERIC",
    "ORDINAL",
    "Band",
    "Dimension",
    "Id",
    "Level",
    "OfficialLink",
    "Option",
    "Question",
    "Questionnaire",
    "SourceRef",
    "content_hash",
    "dimension_weight",
    "question_weight",
]

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$")]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=128)]
REF_DESCRIPTION = (
    "The item's id in its official source (e.g. the platform's UUID), for traceability and imports."
)
QuestionType = Literal["single_choice", "multiple_choice", "numeric", "yes_no", "scale", "scene_level"]
Effort = Literal["low", "medium", "high"]
EFFORT_COST: dict[str, float] = {"low": 1.0, "medium": 2.0, "high": 4.0}
FORMAT_VERSION = 1
MAX_MULTIPLE_OPTIONS = 52  # selections are stored as bits of a float64 (53-bit mantissa)

# How question types are encoded and compared (see _compile): they describe questions, so they live here.
DISCRETE = ("single_choice", "yes_no", "scale", "scene_level")
ORDINAL = ("numeric", "scale", "scene_level")
KIND_DISCRETE, KIND_MULTIPLE, KIND_NUMERIC = 0, 1, 2

# Files are hostile: no coercion ("1" is not a number, "no" is not a boolean, true is not a weight)
# and no NaN or infinity anywhere (a NaN weight would drop its dimension in silence).
_STRICT = ConfigDict(
    defer_build=True,
    extra="forbid",
    frozen=True,
    populate_by_name=True,
    serialize_by_alias=True,
    strict=True,
    allow_inf_nan=False,
)
# Documented ranges (docs/authoring.md, "Limits"): big enough for any real questionnaire, small
# enough that sums and products of them stay exact and finite.
MAX_WEIGHT = 1000.0
MAX_BOUND = 1e15  # numeric bounds, band minimums, scale ends
Weight = Annotated[float, Field(ge=-MAX_WEIGHT, le=MAX_WEIGHT)]  # <= 0 is a lint error (non_positive_weight)
Bound = Annotated[float, Field(ge=-MAX_BOUND, le=MAX_BOUND)]
Threshold = Annotated[float, Field(ge=0, le=100)]


def content_hash(model: BaseModel) -> str:
    """``sha256:`` of a model's canonical JSON: what an assessment records it was scored against."""
    payload = json.dumps(
        model.model_dump(mode="json", by_alias=True, exclude_none=True),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()


class Option(BaseModel):
    """One choice of a single- or multiple-choice question."""

    model_config = _STRICT

    id: Id
    label: Text
    score: float | None = Field(default=None, ge=0, le=1)
    points: float | None = Field(
        default=None,
        ge=0,
        description="Official points for this option (instead of 'score'); the question's score is "
        "points / the question's maximum points.",
    )
    ref: Ref | None = Field(default=None, description=REF_DESCRIPTION)
    exclusive: bool = Field(
        default=False, description="Multiple choice: this option cannot be combined (e.g. 'none')."
    )
    description: Text | None = None
    guidance: Text | None = Field(
        default=None, description="How to get from this answer to the next step up (roadmap)."
    )


class Band(BaseModel):
    """A numeric band starting at ``min``; which side is closed is the question's ``closed``.

    Left-closed (the default): ``[min, next band's min)``.  Right-closed:
    ``(min, next band's min]``, the first band also holding its ``min``, as
    the MIIT rate bands ``[0-10%], (10%,20%], ...``.
    """

    model_config = _STRICT

    min: Bound
    score: float | None = Field(default=None, ge=0, le=1)
    points: float | None = Field(default=None, ge=0, description="Official points (instead of 'score').")
    ref: Ref | None = Field(default=None, description=REF_DESCRIPTION)
    label: Text | None = None
    guidance: Text | None = None


class Counts(BaseModel):
    """A percentage that may also be answered as its two counts (``part / whole * 100``)."""

    model_config = _STRICT

    part: Text = Field(description="What the numerator counts (e.g. networked production equipment).")
    whole: Text = Field(description="What the denominator counts (e.g. all production equipment).")
    unit: Text | None = None


class Point(BaseModel):
    """A labelled point of a scale or scene-level question."""

    model_config = _STRICT

    value: int = Field(ge=-int(MAX_BOUND), le=int(MAX_BOUND))
    label: Text
    ref: Ref | None = Field(default=None, description=REF_DESCRIPTION)
    guidance: Text | None = None


class Question(BaseModel):
    """A question in a leaf dimension.

    Types and how an answer turns into a score in [0, 1]:

    * ``single_choice``: the chosen option's ``score``;
    * ``multiple_choice``: the selected options' scores combined by ``combine``
      (``sum_capped`` = sum capped at 1, ``max``, or ``mean`` of all options'
      share); an ``exclusive`` option (e.g. "none of these") stands alone;
    * ``numeric``: the score of the band the value falls in (``bands`` sorted by ``min``);
    * ``yes_no``: ``score_yes`` or ``score_no``;
    * ``scale`` and ``scene_level``: linear from ``min`` (0) to ``max`` (1);
      a scene level runs 0-4 as the MIIT business scenes.

    Options and bands may carry official ``points`` instead of a ``score``:
    the score is then ``points / max_points``, and in a questionnaire scored
    by points (``scoring.method: points``) the question weighs its
    ``max_points``.  A ``judged`` question adds nothing to any score; its
    answer is read by level rules only (the MIIT scenes).
    """

    model_config = _STRICT

    id: Id
    type: QuestionType
    text: Text
    help: Text | None = None
    ref: Ref | None = Field(default=None, description=REF_DESCRIPTION)
    weight: Weight = 1.0
    judged: bool = Field(
        default=False, description="Judged, not scored: the answer gates levels and adds no score."
    )
    required: bool = True
    allow_na: bool = False
    tags: list[Id] = Field(default_factory=list)
    source: CleanLine | None = Field(default=None, description="Framework item the question draws on.")
    effort: Effort = "medium"
    relevant: Condition | None = Field(
        default=None, description="Ask this question only when the condition holds."
    )
    guidance: Text | None = Field(default=None, description="General advice to improve this item.")
    profile_field: str | None = Field(
        default=None,
        description="A yes/no profile field this answer states too (e.g. 'diagnosed'): the answer and "
        "the profile make one fact; a contradiction is a warning and leaves the fact unknown.",
    )

    options: list[Option] = Field(default_factory=list)
    combine: Literal["sum_capped", "max", "mean"] = "sum_capped"

    bands: list[Band] = Field(default_factory=list)
    closed: Literal["left", "right"] = Field(
        default="left", description="Which end of each band is closed: [min, next) or (min, next]."
    )
    counts: Counts | None = Field(
        default=None, description="The percentage may be answered as two counts: part / whole * 100."
    )
    unit: CleanLine | None = Field(default=None, max_length=40)

    min: Bound | None = None
    max: Bound | None = None
    points: list[Point] = Field(default_factory=list)

    score_yes: float = Field(default=1.0, ge=0, le=1)
    score_no: float = Field(default=0.0, ge=0, le=1)

    evidence: list[Text] = Field(
        default_factory=list, max_length=50, description="Documents to prepare to support the answer."
    )
    form_fields: list[Text] = Field(
        default_factory=list,
        max_length=20,
        description="Raw figures the official form asks beside the answer (recorded, not scored).",
    )

    @model_validator(mode="after")
    def _fields_fit_type(self) -> Question:
        t = self.type
        if t in ("single_choice", "multiple_choice"):
            if len(self.options) < 2:
                raise ValueError(f"a {t} question needs at least two options")
            if t == "multiple_choice" and len(self.options) > MAX_MULTIPLE_OPTIONS:
                raise ValueError(f"a multiple_choice question has at most {MAX_MULTIPLE_OPTIONS} options")
        elif self.options:
            raise ValueError(f"'options' do not apply to a {t} question")
        if t == "numeric":
            if not self.bands:
                raise ValueError("a numeric question needs 'bands' (value -> score)")
        elif self.bands:
            raise ValueError(f"'bands' do not apply to a {t} question")
        if t == "scene_level":
            lo = 0 if self.min is None else self.min
            hi = 4 if self.max is None else self.max
            object.__setattr__(self, "min", lo)
            object.__setattr__(self, "max", hi)
        if t in ("scale", "scene_level"):
            if self.min is None or self.max is None:
                raise ValueError("a scale question needs integer 'min' and 'max'")
            if self.min != int(self.min) or self.max != int(self.max) or self.max <= self.min:
                raise ValueError(
                    f"'min' and 'max' must be integers with min < max (got {self.min}, {self.max})"
                )
            if self.max - self.min > 100:
                raise ValueError("a scale has at most 101 points")
        elif self.points:
            raise ValueError(f"'points' do not apply to a {t} question")
        if t == "yes_no" and self.score_yes < self.score_no:
            raise ValueError("'score_yes' must not be below 'score_no'")
        if self.profile_field is not None and t != "yes_no":
            raise ValueError("'profile_field' applies to a yes_no question only")
        if self.combine != "sum_capped" and t != "multiple_choice":
            raise ValueError("'combine' applies to a multiple_choice question only")
        if self.closed != "left" and t != "numeric":
            raise ValueError("'closed' applies to a numeric question's bands only")
        if self.counts is not None and t != "numeric":
            raise ValueError("'counts' applies to a numeric (percentage) question only")
        return self

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def scored_in_points(self) -> bool:
        """Whether the options or bands carry official ``points``."""
        return any(o.points is not None for o in self.options) or any(
            b.points is not None for b in self.bands
        )

    @property
    def max_points(self) -> float | None:
        """The most points an answer can earn; None when the question is not scored in points."""
        if not self.scored_in_points:
            return None
        if self.type == "numeric":
            return max((b.points or 0.0) for b in self.bands)
        pts = [o.points or 0.0 for o in self.options]
        if self.type == "single_choice" or self.combine == "max":
            return max(pts)
        if self.combine == "mean":
            return sum(pts)
        return sum(p for p, o in zip(pts, self.options, strict=True) if not o.exclusive)

    def band_of(self, value: float) -> Band | None:
        """The band a numeric value falls in (``closed`` respected); None below every band."""
        bands = sorted(self.bands, key=lambda b: b.min)
        if not bands or value < bands[0].min:
            return None
        if self.closed == "right":
            return next((b for b in reversed(bands) if value > b.min), bands[0])
        return next(b for b in reversed(bands) if value >= b.min)

    def option_score(self, item: Option | Band) -> float:
        """An option's or band's score in [0, 1]: its ``score``, or its points over ``max_points``."""
        if item.points is None:
            return float(item.score or 0.0)
        top = self.max_points or 0.0
        return min(1.0, item.points / top) if top > 0 else 0.0


class Dimension(BaseModel):
    """A node of the dimension tree: either sub-dimensions or questions (a leaf)."""

    model_config = _STRICT

    id: Id
    title: Text
    description: Text | None = None
    ref: Ref | None = Field(default=None, description=REF_DESCRIPTION)
    weight: Weight = 1.0
    scored: bool = Field(
        default=True,
        description="False: the dimension is scored and shown but does not count in its parent "
        "(e.g. the MIIT business scenes, judged by level gates only).",
    )
    source: CleanLine | None = None
    level_thresholds: list[Threshold] | None = Field(
        default=None,
        description="Score (0-100) needed for dimension level 1, 2, ... (increasing).",
    )
    dimensions: list[Dimension] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.dimensions

    def walk(self) -> Iterator[Dimension]:
        """This dimension and every descendant, depth first (pre-order)."""
        yield self
        for child in self.dimensions:
            yield from child.walk()


def question_weight(qq: Question, by_points: bool) -> float:
    """A question's weight in its leaf: 0 when judged; its maximum points when scoring by points."""
    if qq.judged:
        return 0.0
    if by_points:
        return float(qq.max_points or 0.0)
    return float(qq.weight)


def dimension_weight(d: Dimension, by_points: bool) -> float:
    """A dimension's weight in its parent: declared, or the points that count below it."""
    if not by_points:
        return float(d.weight)
    if d.is_leaf:
        return float(sum(question_weight(qq, True) for qq in d.questions))
    return float(sum(dimension_weight(c, True) for c in d.dimensions if c.scored))


class Level(BaseModel):
    """One maturity level; level 0 ("not yet level 1") has no rule."""

    model_config = _STRICT

    number: int = Field(ge=0, le=20)
    id: Id
    name: Text
    description: Text | None = None
    rule: Condition | None = None


class LevelScheme(BaseModel):
    """Ordered levels; with ``cumulative`` a level also needs every lower level's rule."""

    model_config = _STRICT

    cumulative: bool = True
    levels: list[Level] = Field(min_length=1)

    @model_validator(mode="after")
    def _numbered_from_zero(self) -> LevelScheme:
        numbers = [lv.number for lv in self.levels]
        if numbers != list(range(len(numbers))):
            raise ValueError(f"levels must be numbered 0, 1, 2, ... in order (got {numbers})")
        if self.levels[0].rule is not None:
            raise ValueError("level 0 is 'not yet level 1' and takes no rule")
        missing = [lv.number for lv in self.levels[1:] if lv.rule is None]
        if missing:
            raise ValueError(f"levels {missing} need a 'rule'")
        return self


class GroupMean(BaseModel):
    """Weighted mean score (0-1) of the applicable questions selected by tags or ids."""

    model_config = _STRICT
    tags: list[Id] = Field(default_factory=list)
    questions: list[Id] = Field(default_factory=list)

    @model_validator(mode="after")
    def _selects(self) -> GroupMean:
        if not self.tags and not self.questions:
            raise ValueError("a group_mean needs 'tags' or 'questions'")
        return self


class Cumulative(BaseModel):
    """GB/T 39117 style: add part scores in order up to and including the first below ``pass_score``."""

    model_config = _STRICT
    parts: list[Id] = Field(min_length=1)
    pass_score: float = Field(default=0.8, gt=0, le=1)


class Metric(BaseModel):
    """A named derived score usable in level rules and fit rules (``metric: id``)."""

    model_config = _STRICT

    id: Id
    title: Text
    group_mean: GroupMean | None = None
    cumulative: Cumulative | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Metric:
        if (self.group_mean is None) == (self.cumulative is None):
            raise ValueError("a metric needs exactly one of 'group_mean' or 'cumulative'")
        return self


class Scoring(BaseModel):
    """Scoring settings: weights or official points, and how a missing optional answer counts."""

    model_config = _STRICT
    method: Literal["weights", "points"] = Field(
        default="weights",
        description="'weights': declared weights, scores in [0, 1]; 'points': every scored question "
        "weighs its maximum points and every dimension the points below it, so the overall is "
        "the share of points earned (the official total when the points add up to 100).",
    )
    missing: Literal["zero", "exclude"] = Field(
        default="zero",
        description="'zero': an unanswered optional question scores 0; 'exclude': it leaves the denominator.",
    )


class SourceRef(BaseModel):
    model_config = _STRICT
    citation: CleanStr = Field(min_length=1, max_length=2000)
    url: CleanLine | None = Field(default=None, max_length=2000)
    year: int | None = Field(default=None, ge=1000, le=9999)


class OfficialLink(BaseModel):
    """An official instrument this questionnaire contains: one sheet also gives its official result.

    Every question of the official questionnaire is answered by the question
    of this one with the same id, or the id given in ``questions``
    (official id -> this questionnaire's id).
    """

    model_config = _STRICT
    questionnaire: Id = Field(description="The official questionnaire's id (a built-in, e.g. miit-sme-2024).")
    questions: dict[Id, Id] = Field(default_factory=dict, description="Official question id -> our id.")


class Questionnaire(BaseModel):
    """A maturity questionnaire: identity, dimension tree, levels and metrics.

    Load one with :func:`yzmaturity.load_questionnaire`; build one in code with
    ``Questionnaire.model_validate(dict)``.  ``content_hash`` identifies the exact
    content an assessment was scored against.
    """

    model_config = _STRICT

    format: Literal[1] = Field(default=1, description="File format version.")
    id: Id
    version: CleanLine = Field(min_length=1, max_length=32)
    title: Text
    description: Text | None = None
    ref: Ref | None = Field(default=None, description=REF_DESCRIPTION)
    source: SourceRef | None = None
    scoring: Scoring = Field(default_factory=Scoring)
    dimensions: list[Dimension] = Field(min_length=1)
    levels: LevelScheme
    metrics: list[Metric] = Field(default_factory=list)
    official: OfficialLink | None = Field(
        default=None, description="The official instrument answered along (its total and level beside ours)."
    )

    _compiled: Any = PrivateAttr(default=None)
    _hash: tuple[int, str] | None = PrivateAttr(default=None)

    # ------------------------------------------------------------------ walking
    def walk_dimensions(self) -> Iterator[Dimension]:
        for dim in self.dimensions:
            yield from dim.walk()

    def leaf_dimensions(self) -> list[Dimension]:
        return [d for d in self.walk_dimensions() if d.is_leaf]

    def iter_questions(self) -> Iterator[tuple[Dimension, Question]]:
        """(leaf dimension, question) in questionnaire order."""
        for dim in self.walk_dimensions():
            for q in dim.questions:
                yield dim, q

    @property
    def questions(self) -> list[Question]:
        return [q for _, q in self.iter_questions()]

    def question(self, qid: str) -> Question:
        return self.compiled().question(qid)

    def dimension(self, did: str) -> Dimension:
        return self.compiled().dimension(did)

    # ------------------------------------------------------------------ JSON
    def to_json(self, indent: int | None = 2) -> str:
        """The questionnaire as JSON text in its file format; :meth:`from_json` reads it back.

        >>> import yzmaturity as yz
        >>> q = yz.load_questionnaire("yangzhou-2022")
        >>> Questionnaire.from_json(q.to_json()).content_hash == q.content_hash
        True
        """
        return self.model_dump_json(indent=indent, by_alias=True, exclude_none=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Questionnaire:
        """A questionnaire from JSON text (``to_json()`` or ``model_dump_json()``); checks the model only.

        Raises pydantic's ``ValidationError``; :func:`yzmaturity.load_questionnaire`
        also lints a file and says every problem as an ``ErrorDetail``.
        """
        return cls.model_validate_json(text)

    # ------------------------------------------------------------------ identity
    @property
    def content_hash(self) -> str:
        """``sha256:`` of the canonical JSON of the content (key order, whitespace ignored).

        Computed once per object (a questionnaire is frozen; a copy, which may
        differ, computes its own).
        """
        if self._hash is None or self._hash[0] != id(self):
            self._hash = (id(self), content_hash(self))
        return self._hash[1]

    # The engine registers its compiler here (dependency inversion: the model never imports the engine).
    _compiler: ClassVar[Callable[[Questionnaire], CompiledQuestionnaire] | None] = None

    def compiled(self) -> CompiledQuestionnaire:
        """The numpy form used for scoring, built once and cached (see ``_compile``)."""
        if self._compiled is None:
            compiler = type(self)._compiler
            if compiler is None:  # only if the engine was never imported (yzmaturity's __init__ imports it)
                raise RuntimeError("the scoring engine is not loaded: import yzmaturity first")
            self._compiled = compiler(self)
        compiled: CompiledQuestionnaire = self._compiled
        return compiled

    def to_surveyjs(self) -> dict[str, Any]:
        """This questionnaire as a SurveyJS survey definition (see :func:`yzmaturity.to_surveyjs`)."""
        from ._forms.surveyjs import to_surveyjs

        return to_surveyjs(self)

    def to_xlsform(self, path: str | os.PathLike[str]) -> None:
        """Write this questionnaire as an XLSForm ``.xlsx`` (see :func:`yzmaturity.to_xlsform`)."""
        from ._forms.xlsform import to_xlsform

        to_xlsform(self, path)

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> dict[str, str]:
        """Rich display in Jupyter: identity, the dimension tree and the levels."""
        from ._render.display import mimebundle, questionnaire_html

        return mimebundle(self, questionnaire_html, include, exclude)

    def __repr__(self) -> str:
        n_q = sum(1 for _ in self.iter_questions())
        return (
            f"<Questionnaire {self.id} v{self.version}: {len(self.dimensions)} dimensions, "
            f"{n_q} questions, {len(self.levels.levels) - 1} levels>"
        )

    __str__ = __repr__
