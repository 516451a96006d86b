"""Answer sheets: one enterprise's answers to one questionnaire version.

The pydantic model checks the sheet's shape; :meth:`Questionnaire`-aware checks
(unknown options, ranges, required answers ...) are done by
:func:`yzmaturity.validate_answers`, which gathers every problem at once.

In YAML an answer is written in short form when it has no note::

    answers:
      S1: partial                 # single choice: option id
      E3: [mes, erp]              # multiple choice: option ids
      E2: 35                      # numeric, scale or scene level
      N1: true                    # yes/no
      G4: n/a                     # not applicable (where allowed)
      E5: {counts: [30, 120]}     # a percentage as its counts (30 of 120 = 25 %)
      D2: {value: basic, note: "from the 2024 audit", evidence: [audit-2024.pdf]}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_serializer,
    model_validator,
)

from ._enterprise import Enterprise
from ._exceptions import AnswerValidationError, details_from_pydantic

__all__ = ["NA_TOKEN", "Answer", "AnswerSheet", "Assessor", "parse_sheet"]

NA_TOKEN = "n/a"
AnswerValue = StrictBool | StrictInt | StrictFloat | StrictStr | list[StrictStr]


class Answer(BaseModel):
    """An answer: a value, or ``not_applicable``; optionally a note and evidence."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    value: AnswerValue | None = None
    counts: tuple[StrictInt | StrictFloat, StrictInt | StrictFloat] | None = Field(
        default=None,
        description="A percentage question answered by its counts: [part, whole] (e.g. networked, all).",
    )
    not_applicable: bool = False
    note: str | None = Field(default=None, max_length=4000)
    evidence: list[str] = Field(default_factory=list, max_length=50)

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        if isinstance(data, Answer):
            return data
        if isinstance(data, dict):
            if data.get("value") == NA_TOKEN:
                data = {k: v for k, v in data.items() if k != "value"} | {"not_applicable": True}
            return data
        if data == NA_TOKEN:
            return {"not_applicable": True}
        if isinstance(data, tuple | set | frozenset):
            data = list(data)
        return {"value": data}

    @model_validator(mode="after")
    def _value_or_na(self) -> Answer:
        if self.not_applicable and self.value is not None:
            raise ValueError("an answer is either a value or not applicable, not both")
        if self.counts is not None and (self.value is not None or self.not_applicable):
            raise ValueError("an answer is either a value, counts or not applicable, not two of them")
        return self

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        # Files use the short form most of the time: a bare value, a list, or "n/a".
        long_form = handler(core_schema)
        return {
            "anyOf": [
                {"type": ["string", "number", "boolean", "null"]},
                {"type": "array", "items": {"type": "string"}},
                long_form,
            ]
        }

    @model_serializer(mode="wrap")
    def _dump_short(self, handler: Any) -> Any:
        if self.note is None and not self.evidence and self.counts is None:
            return NA_TOKEN if self.not_applicable else self.value
        data = handler(self)
        out: dict[str, Any] = {}
        if self.not_applicable:
            out["value"] = NA_TOKEN
        elif self.value is not None:
            out["value"] = self.value
        elif self.counts is not None:
            out["counts"] = list(self.counts)
        if self.note is not None:
            out["note"] = self.note
        if self.evidence:
            out["evidence"] = data["evidence"]
        return out


class Assessor(BaseModel):
    """Who filled in the sheet: the enterprise itself, or a named consultant."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    kind: Literal["self", "consultant"] = "self"
    name: str | None = Field(default=None, max_length=200)
    organisation: str | None = Field(default=None, max_length=200)


class AnswerSheet(BaseModel):
    """One enterprise's answers to a questionnaire version.

    >>> sheet = AnswerSheet.model_validate({
    ...     "questionnaire": "yangzhou-2022", "questionnaire_version": "1.0",
    ...     "enterprise": {"name": "示例"}, "answers": {"S1": "partial"}})
    >>> sheet.answers["S1"].value
    'partial'
    """

    model_config = ConfigDict(defer_build=True, extra="forbid")

    questionnaire: str = Field(min_length=1, max_length=64)
    questionnaire_version: str | None = Field(default=None, max_length=32)
    enterprise: Enterprise
    answers: dict[str, Answer] = Field(default_factory=dict, max_length=5000)
    date: dt.date | None = None
    assessor: Assessor = Field(default_factory=Assessor)
    note: str | None = Field(default=None, max_length=20000)

    def dump(self) -> dict[str, Any]:
        """Plain data in a stable order, ready for YAML or JSON."""
        out: dict[str, Any] = {"questionnaire": self.questionnaire}
        if self.questionnaire_version is not None:
            out["questionnaire_version"] = self.questionnaire_version
        if self.date is not None:
            out["date"] = self.date.isoformat()
        out["assessor"] = self.assessor.model_dump(mode="json", exclude_none=True)
        out["enterprise"] = self.enterprise.dump()
        if self.note is not None:
            out["note"] = self.note
        out["answers"] = {qid: a.model_dump(mode="json") for qid, a in self.answers.items()}
        return out

    def with_answers(self, **changes: Any) -> AnswerSheet:
        """A copy with some answers replaced (``None`` removes one): for what-if analysis."""
        answers = dict(self.answers)
        for qid, value in changes.items():
            if value is None:
                answers.pop(qid, None)
            else:
                answers[qid] = Answer.model_validate(value)
        return self.model_copy(update={"answers": answers})


def parse_sheet(sheet: AnswerSheet | Mapping[str, Any]) -> AnswerSheet:
    """A sheet as given, or plain data checked into one (:class:`AnswerValidationError` if malformed)."""
    if isinstance(sheet, AnswerSheet):
        return sheet
    try:
        return AnswerSheet.model_validate(sheet)
    except Exception as exc:
        raise AnswerValidationError("the answer sheet is malformed", details_from_pydantic(exc)) from None
