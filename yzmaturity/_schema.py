"""JSON Schemas of the file formats, generated from the pydantic models.

The committed copies under ``questionnaires/schema/`` let editors complete and
check questionnaire files (``# yaml-language-server: $schema=...``); a test
keeps them equal to what the models generate.
"""

from __future__ import annotations

import json
from typing import Any

from ._answers import AnswerSheet
from ._model import Questionnaire
from ._policy import PolicyCatalog

__all__ = ["json_schema_text"]

SCHEMA_FILES = {
    "questionnaire": "questionnaire.schema.json",
    "answers": "answer-sheet.schema.json",
    "catalog": "policy-catalog.schema.json",
}


def json_schema(kind: str = "questionnaire") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a questionnaire, answer-sheet or policy-catalog file."""
    model: type[Questionnaire] | type[AnswerSheet] | type[PolicyCatalog]
    if kind == "questionnaire":
        model, title = Questionnaire, "yzmaturity questionnaire"
    elif kind == "answers":
        model, title = AnswerSheet, "yzmaturity answer sheet"
    elif kind == "catalog":
        model, title = PolicyCatalog, "yzmaturity policy catalog"
    else:
        raise ValueError(f"kind must be one of {', '.join(SCHEMA_FILES)} (got {kind!r})")
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    # Files may name their schema for editors.
    schema.setdefault("properties", {})["$schema"] = {"type": "string"}
    return schema


def json_schema_text(kind: str = "questionnaire") -> str:
    return json.dumps(json_schema(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
