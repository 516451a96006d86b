"""JSON Schemas of the file formats, generated from the pydantic models.

The committed copies under ``questionnaires/schema/`` let editors complete and
check questionnaire files (``# yaml-language-server: $schema=...``); a test
keeps them equal to what the models generate.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ._answers import AnswerSheet
from ._assessment import RESULT_FORMAT_VERSION
from ._model import Questionnaire
from ._policy import PolicyCatalog

__all__ = ["AssessmentResult", "json_schema_text"]

SCHEMA_FILES = {
    "questionnaire": "questionnaire.schema.json",
    "answers": "answer-sheet.schema.json",
    "catalog": "policy-catalog.schema.json",
    "assessment": "assessment.schema.json",
}


# The layout of Assessment.to_dict(), for the JSON Schema of a result (``yzmaturity assess --json``).
class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _QuestionnaireRef(_Out):
    id: str
    version: str
    hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")


class _Level(_Out):
    number: int = Field(ge=0)
    id: str
    name: dict[str, str]


class _Dimension(_Out):
    score: float | None = Field(ge=0, le=100)
    level: int | None
    answered: int = Field(ge=0)
    applicable: int = Field(ge=0)
    questions: int = Field(ge=0)
    parent: str | None


class _Question(_Out):
    dimension: str
    answer: Any = Field(description="The answer in the sheet's short form; null when unanswered.")
    score: float | None = Field(ge=0, le=1)
    applicable: bool
    contribution: float = Field(ge=0, description="Points (of 100) the answer adds to the overall.")
    points_lost: float = Field(ge=0, description="Points the overall would gain with the best answer.")


class _Problem(_Out):
    code: str
    loc: list[str | int]
    message: str
    expected: str | None
    got: Any
    severity: str
    allowed: list[Any] | None


class AssessmentResult(_Out):
    """One assessed enterprise: what ``Assessment.to_dict()`` gives."""

    format_version: int = Field(ge=1, le=RESULT_FORMAT_VERSION)
    questionnaire: _QuestionnaireRef
    enterprise: dict[str, Any]
    date: str | None
    assessor: dict[str, Any]
    note: str | None
    overall: float = Field(ge=0, le=100)
    level: _Level
    dimensions: dict[str, _Dimension]
    metrics: dict[str, float | None]
    questions: dict[str, _Question]
    warnings: list[_Problem]
    recommendations: list[dict[str, Any]] = Field(
        default_factory=list, description="With recommendations=True: support categories, best first."
    )
    official: dict[str, Any] | None = Field(
        default=None, description="For a questionnaire linked to an official instrument: its total and level."
    )
    roadmap: dict[str, Any] | None = Field(
        default=None, description="With recommendations=True: the steps to the next level (null at the top)."
    )


def json_schema(kind: str = "questionnaire") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a questionnaire, answer-sheet or policy-catalog file, or of a result."""
    model: type[BaseModel]
    if kind == "questionnaire":
        model, title = Questionnaire, "yzmaturity questionnaire"
    elif kind == "answers":
        model, title = AnswerSheet, "yzmaturity answer sheet"
    elif kind == "catalog":
        model, title = PolicyCatalog, "yzmaturity policy catalog"
    elif kind == "assessment":
        model, title = AssessmentResult, f"yzmaturity assessment result, format {RESULT_FORMAT_VERSION}"
    else:
        raise ValueError(f"kind must be one of {', '.join(SCHEMA_FILES)} (got {kind!r})")
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    if kind != "assessment":
        # Files may name their schema for editors.
        schema.setdefault("properties", {})["$schema"] = {"type": "string"}
    return schema


def json_schema_text(kind: str = "questionnaire") -> str:
    return json.dumps(json_schema(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
