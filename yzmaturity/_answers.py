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
import json
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

from ._codes import Code
from ._enterprise import Enterprise
from ._exceptions import AnswerValidationError, ErrorDetail, details_from_pydantic
from ._text import CleanLine, CleanStr

__all__ = ["NA_TOKEN", "Answer", "AnswerSheet", "Assessor", "json_data", "parse_sheet", "parse_sheet_parts"]

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
    note: CleanStr | None = Field(default=None, max_length=4000)
    evidence: list[CleanLine] = Field(default_factory=list, max_length=50)

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
    name: CleanLine | None = Field(default=None, max_length=200)
    organisation: CleanLine | None = Field(default=None, max_length=200)


class AnswerSheet(BaseModel):
    """One enterprise's answers to a questionnaire version.

    >>> sheet = AnswerSheet.model_validate({
    ...     "questionnaire": "yangzhou-2022", "questionnaire_version": "1.0",
    ...     "enterprise": {"name": "示例"}, "answers": {"S1": "partial"}})
    >>> sheet.answers["S1"].value
    'partial'
    """

    model_config = ConfigDict(defer_build=True, extra="forbid")

    questionnaire: CleanLine = Field(min_length=1, max_length=64)
    questionnaire_version: CleanLine | None = Field(default=None, max_length=32)
    enterprise: Enterprise
    answers: dict[str, Answer] = Field(default_factory=dict, max_length=5000)
    date: dt.date | None = None
    assessor: Assessor = Field(default_factory=Assessor)
    note: CleanStr | None = Field(default=None, max_length=20000)

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

    def to_json(self, indent: int | None = 2) -> str:
        """The sheet as JSON text (what :meth:`dump` gives); :meth:`from_json` reads it back."""
        return json.dumps(self.dump(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> AnswerSheet:
        """A sheet from JSON text (``to_json()`` or ``model_dump_json()`` output, or a JSON file's text).

        >>> sheet = AnswerSheet.model_validate({"questionnaire": "q", "enterprise": {"name": "x"},
        ...                                     "answers": {"A": ["a", "b"], "B": "n/a"}})
        >>> AnswerSheet.from_json(sheet.to_json()) == sheet == AnswerSheet.from_json(sheet.model_dump_json())
        True
        """
        return parse_sheet(json_data(text))

    def with_answers(self, **changes: Any) -> AnswerSheet:
        """A copy with some answers replaced (``None`` removes one): for what-if analysis."""
        answers = dict(self.answers)
        for qid, value in changes.items():
            if value is None:
                answers.pop(qid, None)
            else:
                answers[qid] = Answer.model_validate(value)
        return self.model_copy(update={"answers": answers})


def json_data(text: str | bytes) -> Any:
    """Plain data from JSON text; :class:`AnswerValidationError` (``bad_json``) if it is not JSON."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise AnswerValidationError(
            "not valid JSON", [ErrorDetail(Code.BAD_JSON, (), f"not valid JSON: {exc}"[:300])]
        ) from None


def parse_sheet(sheet: AnswerSheet | Mapping[str, Any]) -> AnswerSheet:
    """A sheet as given, or plain data checked into one (:class:`AnswerValidationError` if malformed)."""
    if isinstance(sheet, AnswerSheet):
        return sheet
    try:
        return AnswerSheet.model_validate(sheet)
    except Exception as exc:
        raise AnswerValidationError("the answer sheet is malformed", details_from_pydantic(exc)) from None


_PLACEHOLDER_NAME = "?"


def parse_sheet_parts(data: Any) -> tuple[AnswerSheet | None, list[ErrorDetail], set[str]]:
    """Check a sheet's shape and keep what is usable, so its answers can be checked in the same pass.

    Returns the sheet made of the valid parts (None when not even the
    questionnaire id is usable), every shape problem, and the ids of the
    answers dropped for a shape problem (they are reported already).

    >>> sheet, problems, dropped = parse_sheet_parts({
    ...     "questionnaire": "yangzhou-2022", "date": "2024-13-45",
    ...     "enterprise": {"name": "", "employees": -3}, "answers": {"S1": {"valu": 1}}})
    >>> sorted(p.loc for p in problems)
    [('answers', 'S1', 'valu'), ('date',), ('enterprise', 'employees'), ('enterprise', 'name')]
    >>> sheet.questionnaire, dropped
    ('yangzhou-2022', {'S1'})
    """
    if isinstance(data, AnswerSheet):
        return data, [], set()
    try:
        return AnswerSheet.model_validate(data), [], set()
    except Exception as exc:
        problems = details_from_pydantic(exc)
    if not isinstance(data, Mapping):
        return None, problems, set()
    bad: dict[str, set[Any]] = {}
    for p in problems:
        if p.loc and isinstance(p.loc[0], str):
            bad.setdefault(p.loc[0], set()).add(p.loc[1] if len(p.loc) > 1 else None)
    repaired: dict[str, Any] = {}
    dropped: set[str] = set()
    for key, value in data.items():
        if key == "enterprise" and isinstance(value, Mapping):
            fields = {k: v for k, v in value.items() if k not in bad.get(key, set())}
            fields.setdefault("name", _PLACEHOLDER_NAME)
            repaired[key] = fields
        elif key == "answers" and isinstance(value, Mapping):
            dropped = {str(k) for k in bad.get(key, set()) if k is not None}
            repaired[key] = {k: v for k, v in value.items() if k not in dropped}
        elif key not in bad:
            repaired[key] = value
    if "enterprise" not in repaired:
        repaired["enterprise"] = {"name": _PLACEHOLDER_NAME}
    try:
        return AnswerSheet.model_validate(repaired), problems, dropped
    except Exception:
        return None, problems, dropped
