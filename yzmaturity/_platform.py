"""Read a response exported from the MIIT evaluation platform into an answer sheet.

The platform identifies every question, option and scene by a UUID; the
questionnaire carries them as ``ref`` (see ``questionnaires/miit-sme-2024.yaml``),
so a response is read by matching ids, never by position or wording.  The
accepted shape (JSON or YAML), with the key spellings the platform and the
provider clients use::

    {
      "questionnaireId": "2f6e93d6-...",                  # optional; checked when given
      "enterpriseName": "...",                            # or "enterprise": {"name": ...}
      "questionList": [                                   # or "digitalScoringQuestionList", "answers"
        {"questionId": "<question uuid>", "optionIds": ["<option uuid>", ...],
         "formField": [{"name": "...", "value": "..."}]}  # optional raw figures, kept as a note
      ],
      "sceneList": [                                      # or "digitalScenariosList", "scenes"
        {"sceneId": "<scene uuid>", "level": 3}           # or "scenariosId"/"id", "scenariosLevel"/"levelNumber",
      ]                                                   # or "optionIds": ["<level uuid>"]
    }

A rate question (bands) answered by its band's option takes a value inside that
band (its closed end), and the note says so.  Every problem is named with the
path of the offending entry; nothing is guessed.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._answers import Answer, AnswerSheet
from ._codes import Code
from ._encode import Encoder
from ._exceptions import AnswerValidationError, ErrorDetail, details_from_pydantic
from ._files import read_data_file
from ._loading import load_questionnaire

if TYPE_CHECKING:
    from ._model import Band, Question, Questionnaire

__all__ = ["import_platform_response"]

QUESTION_KEYS = ("questionList", "digitalScoringQuestionList", "answers")
SCENE_KEYS = ("sceneList", "digitalScenariosList", "scenes")
SCENE_ID_KEYS = ("sceneId", "scenariosId", "id")
LEVEL_KEYS = ("level", "scenariosLevel", "levelNumber")
MAX_ENTRIES = 1000

Loc = tuple[str | int, ...]


@dataclass
class _Index:
    """Where each platform id points in the questionnaire."""

    questions: dict[str, Question]
    options: dict[str, tuple[Question, str]]  # option or band ref -> (question, option id or band index)
    points: dict[str, tuple[Question, int]]  # scene level ref -> (question, level)


def _index(q: Questionnaire) -> _Index:
    questions: dict[str, Question] = {}
    options: dict[str, tuple[Question, str]] = {}
    points: dict[str, tuple[Question, int]] = {}
    for question in q.questions:
        if question.ref:
            questions[question.ref] = question
        for o in question.options:
            if o.ref:
                options[o.ref] = (question, o.id)
        for i, b in enumerate(question.bands):
            if b.ref:
                options[b.ref] = (question, str(i))
        for p in question.points:
            if p.ref:
                points[p.ref] = (question, p.value)
    return _Index(questions, options, points)


def _band_value(question: Question, band: Band) -> float:
    """A value inside ``band``: its closed end (right-closed: the upper edge; left-closed: the minimum)."""
    bands = sorted(question.bands, key=lambda b: b.min)
    k = bands.index(band)
    if question.closed == "right" and k > 0:
        upper = bands[k + 1].min if k + 1 < len(bands) else question.max
        if upper is None:
            return math.nextafter(band.min, math.inf)
        return float(upper)
    if question.closed == "right":  # the first band [min, next]
        return float(bands[1].min) if len(bands) > 1 else float(band.min)
    return float(band.min)


def _first(entry: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str | None, Any]:
    for key in keys:
        if key in entry:
            return key, entry[key]
    return None, None


def _form_note(entry: Mapping[str, Any], loc: Loc, errors: list[ErrorDetail]) -> str | None:
    fields = entry.get("formField")
    if fields is None:
        return None
    if not isinstance(fields, list) or len(fields) > 20:
        errors.append(
            ErrorDetail(
                Code.WRONG_TYPE, (*loc, "formField"), "formField must be a list", got=type(fields).__name__
            )
        )
        return None
    parts = []
    for f in fields:
        if isinstance(f, Mapping) and str(f.get("value", "")).strip():
            parts.append(f"{str(f.get('name', ''))[:100]}: {str(f['value'])[:200]}")
    return "; ".join(parts) or None


def import_platform_response(
    source: Mapping[str, Any] | str | os.PathLike[str],
    questionnaire: str | os.PathLike[str] | Questionnaire = "miit-sme-2024",
) -> AnswerSheet:
    """An answer sheet from a platform response (a path to JSON/YAML, or the parsed mapping).

    Every question, option and scene is matched by its ``ref`` (the platform's
    UUID).  Raises :class:`AnswerValidationError` naming every problem:
    ``unknown_question``, ``unknown_option``, ``option_of_other_question``,
    ``duplicate_answer``, ``wrong_count``, ``bad_level``, ``wrong_type``,
    ``questionnaire_mismatch``, and the sheet's own checks (``missing_required`` ...).

    >>> from yzmaturity import load_questionnaire
    >>> q = load_questionnaire("miit-sme-2024")
    >>> net = q.question("network")
    >>> one = {"questionList": [{"questionId": net.ref, "optionIds": [net.options[1].ref]}]}
    >>> try:
    ...     import_platform_response(one, q)
    ... except AnswerValidationError as exc:
    ...     print(exc.codes.count("missing_required"), "answers missing")
    30 answers missing
    """
    q = load_questionnaire(questionnaire)
    data = read_data_file(source) if isinstance(source, str | os.PathLike) else source
    errors: list[ErrorDetail] = []
    if not isinstance(data, Mapping):
        raise AnswerValidationError(
            "not a platform response",
            [
                ErrorDetail(
                    Code.WRONG_TYPE,
                    (),
                    "a response is a mapping",
                    expected="an object",
                    got=type(data).__name__,
                )
            ],
        )
    qid_given = data.get("questionnaireId")
    if qid_given is not None and q.ref is not None and qid_given != q.ref:
        errors.append(
            ErrorDetail(
                Code.QUESTIONNAIRE_MISMATCH,
                ("questionnaireId",),
                f"the response answers another questionnaire than {q.id}",
                expected=q.ref,
                got=qid_given,
            )
        )
    index = _index(q)
    answers: dict[str, Answer] = {}
    seen: dict[str, Loc] = {}

    def put(question: Question, loc: Loc, **fields: Any) -> None:
        if question.id in seen:
            errors.append(
                ErrorDetail(
                    Code.DUPLICATE_ANSWER,
                    loc,
                    f"{question.id!r} is answered twice (also at {'.'.join(map(str, seen[question.id]))})",
                    got=question.ref,
                )
            )
            return
        seen[question.id] = loc
        try:
            answers[question.id] = Answer.model_validate({k: v for k, v in fields.items() if v is not None})
        except ValueError as exc:
            errors.extend(details_from_pydantic(exc, loc))

    key, entries = _first(data, QUESTION_KEYS)
    for i, entry in _entries(entries, key or QUESTION_KEYS[0], errors):
        loc: Loc = (key or QUESTION_KEYS[0], i)
        question = _question(entry, "questionId", index, loc, errors)
        if question is None:
            continue
        option_ids = entry.get("optionIds")
        if not isinstance(option_ids, list) or not all(isinstance(o, str) for o in option_ids):
            errors.append(
                ErrorDetail(
                    Code.WRONG_TYPE, (*loc, "optionIds"), "optionIds must be a list of ids", got=option_ids
                )
            )
            continue
        note = _form_note(entry, loc, errors)
        picked: list[str] = []
        for j, oid in enumerate(option_ids):
            hit = index.options.get(oid)
            if hit is None:
                errors.append(
                    ErrorDetail(
                        Code.UNKNOWN_OPTION,
                        (*loc, "optionIds", j),
                        f"{question.id!r} has no option {oid!r}",
                        got=oid,
                    )
                )
            elif hit[0] is not question:
                errors.append(
                    ErrorDetail(
                        Code.OPTION_OF_OTHER_QUESTION,
                        (*loc, "optionIds", j),
                        f"option {oid!r} belongs to {hit[0].id!r}, not {question.id!r}",
                        got=oid,
                    )
                )
            else:
                picked.append(hit[1])
        if len(picked) != len(option_ids):
            continue
        if question.type == "multiple_choice":
            put(question, loc, value=picked, note=note)
        elif len(picked) != 1:
            errors.append(
                ErrorDetail(
                    Code.WRONG_COUNT,
                    (*loc, "optionIds"),
                    f"{question.id!r} takes exactly one option",
                    expected="one id",
                    got=len(picked),
                )
            )
        elif question.type == "numeric":
            band = question.bands[int(picked[0])]
            label = band.label.of("zh") if band.label is not None else f">= {band.min:g}"
            band_note = f"platform band {label}"
            put(
                question,
                loc,
                value=_band_value(question, band),
                note="; ".join(filter(None, [band_note, note])),
            )
        else:
            put(question, loc, value=picked[0], note=note)

    key, entries = _first(data, SCENE_KEYS)
    for i, entry in _entries(entries, key or SCENE_KEYS[0], errors):
        loc = (key or SCENE_KEYS[0], i)
        id_key, _ = _first(entry, SCENE_ID_KEYS)
        question = _question(entry, id_key or SCENE_ID_KEYS[0], index, loc, errors)
        if question is None:
            continue
        level_key, level = _first(entry, LEVEL_KEYS)
        if level_key is None and isinstance(entry.get("optionIds"), list) and len(entry["optionIds"]) == 1:
            point = index.points.get(entry["optionIds"][0])
            if point is not None and point[0] is question:
                level_key, level = "optionIds", point[1]
        if isinstance(level, str) and level.strip().isdigit():
            level = int(level)
        lo, hi = int(question.min or 0), int(question.max or 0)
        if isinstance(level, bool) or not isinstance(level, int) or not lo <= level <= hi:
            errors.append(
                ErrorDetail(
                    Code.BAD_LEVEL,
                    (*loc, level_key or LEVEL_KEYS[0]),
                    f"the level of {question.id!r} must be a whole number from {lo} to {hi}",
                    expected=f"{lo}..{hi}",
                    got=level,
                )
            )
            continue
        put(question, loc, value=level)

    enterprise = data.get("enterprise")
    if not isinstance(enterprise, Mapping):
        enterprise = {"name": str(data.get("enterpriseName") or "imported")[:200]}
    sheet_data = {
        "questionnaire": q.id,
        "questionnaire_version": q.version,
        "enterprise": dict(enterprise),
        "answers": answers,
    }
    try:
        sheet = AnswerSheet.model_validate(sheet_data)
    except ValueError as exc:
        errors.extend(details_from_pydantic(exc))
        raise AnswerValidationError("the platform response cannot be read", errors) from None
    if not errors:
        errors.extend(Encoder(q.compiled()).sheets([sheet]).errors.get(0, []))
    if errors:
        raise AnswerValidationError("the platform response cannot be read", errors)
    return sheet


def _entries(entries: Any, key: str, errors: list[ErrorDetail]) -> list[tuple[int, Mapping[str, Any]]]:
    """The (position, entry) pairs of a list of objects; anything else is an error."""
    if entries is None:
        return []
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES:
        errors.append(
            ErrorDetail(Code.WRONG_TYPE, (key,), f"{key} must be a list (at most {MAX_ENTRIES})", got=entries)
        )
        return []
    out: list[tuple[int, Mapping[str, Any]]] = []
    for i, entry in enumerate(entries):
        if isinstance(entry, Mapping):
            out.append((i, entry))
        else:
            errors.append(ErrorDetail(Code.WRONG_TYPE, (key, i), "an entry is an object", got=entry))
    return out


def _question(
    entry: Mapping[str, Any], key: str, index: _Index, loc: Loc, errors: list[ErrorDetail]
) -> Question | None:
    ref = entry.get(key)
    question = index.questions.get(ref) if isinstance(ref, str) else None
    if question is None:
        errors.append(
            ErrorDetail(
                Code.UNKNOWN_QUESTION,
                (*loc, key),
                f"no question or scene of the questionnaire has the id {ref!r}",
                expected="a platform id (ref) of the questionnaire",
                got=ref,
            )
        )
    return question
