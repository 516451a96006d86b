"""Answers collected by form tools, read back as validated answer sheets.

* :func:`answers_from_surveyjs`: a SurveyJS ``survey.data`` object (or the file
  the offline page saves, which wraps it with the questionnaire's id);
* :func:`answers_from_odk`: an ODK Central or KoboToolbox CSV export of the
  XLSForm, one answer sheet per submission, problems listed by row and question.

Everything that comes in is checked like any answer sheet (the engine's
validation); an unknown SurveyJS field is an error, while the meta columns of
ODK Central and Kobo exports (``KEY``, ``SubmissionDate``, ``_uuid`` ...) are
not fields of the form and are ignored.
Other formats plug in with :func:`register_importer` (the CLI's ``import
--format`` reads the registry).
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from .._answers import NA_TOKEN, AnswerSheet
from .._codes import Code
from .._enterprise import PROFILE_INPUT_FIELDS, Enterprise
from .._exceptions import (
    AnswerValidationError,
    ErrorDetail,
    FileLoadError,
    RowProblems,
    details_from_pydantic,
)
from .._files import MAX_FILE_BYTES, check_size, read_data_file
from .._scoring import encode_sheet
from .common import PROFILE_FIELDS
from .expressions import NA_CHOICE, NA_SUFFIX

if TYPE_CHECKING:
    from .._model import Questionnaire

__all__ = [
    "PAGE_FORMAT",
    "FormImport",
    "answers_from_odk",
    "answers_from_surveyjs",
    "importers",
    "register_importer",
]

PAGE_FORMAT = "yzmaturity-surveyjs"
MAX_FIELDS = 20_000
MAX_ROWS = 100_000

EnterpriseLike = Enterprise | Mapping[str, Any] | AnswerSheet | None


# --------------------------------------------------------------------------- SurveyJS
def answers_from_surveyjs(
    q: Questionnaire, data: Mapping[str, Any], enterprise: EnterpriseLike = None
) -> AnswerSheet:
    """An answer sheet from SurveyJS results, validated against ``q``.

    ``data`` is ``survey.data`` of the survey :func:`to_surveyjs` made (or the
    JSON the offline page saves).  ``enterprise`` (a profile, a mapping or an
    answer sheet) fills the profile fields the form left blank.  Raises
    :class:`~yzmaturity.AnswerValidationError` listing every problem.

    >>> import yzmaturity as yz
    >>> q = yz.load_questionnaire("yangzhou-2022")
    >>> data = {"enterprise_name": "示例", "diagnosed": False}
    >>> yz.answers_from_surveyjs(q, data)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    yzmaturity._exceptions.AnswerValidationError: ...
    """
    if not isinstance(data, Mapping):
        raise AnswerValidationError(
            "SurveyJS results must be an object",
            [
                ErrorDetail(
                    Code.WRONG_TYPE, (), "not an object", expected="an object", got=type(data).__name__
                )
            ],
        )
    if data.get("format") == PAGE_FORMAT:
        data = _unwrap_page(q, data)
    values = {k: v for k, v in data.items() if v is not None}
    sheet, problems = _sheet_from_fields(q, values, _from_surveyjs, enterprise, loc=())
    if problems:
        raise AnswerValidationError("the SurveyJS results do not fit the questionnaire", problems)
    assert sheet is not None
    return sheet


def _unwrap_page(q: Questionnaire, wrapper: Mapping[str, Any]) -> Mapping[str, Any]:
    qid = wrapper.get("questionnaire")
    if qid != q.id:
        raise AnswerValidationError(
            "the saved form belongs to another questionnaire",
            [
                ErrorDetail(
                    "wrong_questionnaire",
                    ("questionnaire",),
                    "not this questionnaire",
                    expected=q.id,
                    got=qid,
                )
            ],
        )
    inner = wrapper.get("data")
    if not isinstance(inner, Mapping):
        raise AnswerValidationError(
            "the saved form has no data",
            [ErrorDetail(Code.WRONG_TYPE, ("data",), "no answers object", expected="an object", got=inner)],
        )
    return inner


def _from_surveyjs(kind: str, value: Any) -> Any:
    """A SurveyJS value as the answer sheet stores it (numbers may come as text from old browsers)."""
    if kind == "number" and isinstance(value, str):
        return _number(value)
    return value


# --------------------------------------------------------------------------- ODK / Kobo
@dataclass
class FormImport:
    """Sheets read from a table of submissions: one per row (None where the row has errors)."""

    sheets: list[AnswerSheet | None]
    problems: RowProblems = field(default_factory=RowProblems)

    @property
    def valid(self) -> list[AnswerSheet]:
        return [s for s in self.sheets if s is not None]

    def __repr__(self) -> str:
        return f"<FormImport {len(self.sheets)} rows, {len(self.valid)} sheets, {len(self.problems.rows())} with problems>"


def answers_from_odk(
    q: Questionnaire,
    table: str | os.PathLike[str] | Iterable[Mapping[str, Any]],
    enterprise: EnterpriseLike = None,
) -> FormImport:
    """Answer sheets from an ODK Central / KoboToolbox CSV export of :func:`to_xlsform`'s form.

    ``table`` is the CSV file (comma or semicolon separated; group prefixes
    ``group-`` or ``group/`` in headers are understood; meta columns such as
    ``KEY``, ``SubmissionDate`` or ``_uuid`` are ignored) or rows as mappings.
    Every row is accounted for: a sheet, or its problems under its row number
    (0 = the first submission).
    """
    rows = _read_rows(table) if isinstance(table, str | os.PathLike) else list(table)
    if len(rows) > MAX_ROWS:
        raise FileLoadError("<table>", Code.TOO_MANY_ROWS, f"more than {MAX_ROWS} submissions")
    names = _field_names(q)
    out = FormImport(sheets=[])
    for i, row in enumerate(rows):
        values: dict[str, Any] = {}
        for header, raw in row.items():
            name = _match_header(str(header), names)
            if name is None or raw is None or (isinstance(raw, str) and raw.strip() == ""):
                continue
            values[name] = raw
        sheet, problems = _sheet_from_fields(q, values, _from_odk, enterprise, loc=("row", i))
        out.sheets.append(sheet)
        if problems:
            out.problems.add(i, *problems)
    return out


def _read_rows(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    p = Path(path)
    if not p.is_file():
        raise FileLoadError(str(p), Code.FILE_NOT_FOUND, "no such regular file")
    check_size(p, MAX_FILE_BYTES)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileLoadError(str(p), Code.BAD_ENCODING, f"not UTF-8 text: {exc.reason}") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[dict[str, str]] = []
    for row in reader:
        if None in row:
            raise FileLoadError(str(p), Code.BAD_CSV, f"row {len(rows)} has more cells than the header")
        rows.append(row)
    return rows


def _field_names(q: Questionnaire) -> set[str]:
    names = {f.name for f in PROFILE_FIELDS}
    for qq in q.questions:
        names.add(qq.id)
        if qq.allow_na:
            names.add(qq.id + NA_SUFFIX)
    return names


def _match_header(header: str, names: set[str]) -> str | None:
    """A CSV header to a field name: exact, or after a group path (``grp-x`` Central, ``grp/x`` Kobo)."""
    if header in names:
        return header
    for sep in ("/", "-"):
        parts = header.split(sep)
        for k in range(1, len(parts)):
            tail = sep.join(parts[k:])
            if tail in names:
                # ``field/option`` (Kobo's split select_multiple columns) is not the field ``option``.
                if any(sep.join(parts[j:k]) in names for j in range(k)):
                    return None
                return tail
    return None


def _from_odk(kind: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if kind == "multi":
        return text.split()
    if kind == "bool":
        lowered = text.lower()
        if lowered in ("yes", "true", "1"):
            return True
        if lowered in ("no", "false", "0"):
            return False
        return text
    if kind == "number":
        return _number(text)
    return text


def _number(text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


# --------------------------------------------------------------------------- shared
_PROFILE_KIND = {
    "text": "text",
    "integer": "number",
    "decimal": "number",
    "roles": "multi",
    "certifications": "multi",
    "bool": "bool",
}
_QUESTION_KIND = {
    "single_choice": "text",
    "multiple_choice": "multi",
    "yes_no": "bool",
    "numeric": "number",
    "scale": "number",
    "scene_level": "number",
}


def _sheet_from_fields(
    q: Questionnaire,
    values: Mapping[str, Any],
    convert: Callable[[str, Any], Any],
    enterprise: EnterpriseLike,
    loc: tuple[str | int, ...],
) -> tuple[AnswerSheet | None, list[ErrorDetail]]:
    problems: list[ErrorDetail] = []
    if len(values) > MAX_FIELDS:
        return None, [ErrorDetail(Code.TOO_MANY_FIELDS, loc, f"more than {MAX_FIELDS} fields")]
    known = _field_names(q)
    for key in values:
        if key not in known:
            problems.append(
                ErrorDetail(
                    Code.UNKNOWN_FIELD, (*loc, str(key)), "not a field of this questionnaire's form", got=key
                )
            )
    # The profile: the form's values, then what ``enterprise`` gives for the rest.
    profile: dict[str, Any] = dict(_base_profile(enterprise))
    for f in PROFILE_FIELDS:
        if f.name in values:
            profile[f.field] = convert(_PROFILE_KIND[f.kind], values[f.name])
    if "roles" not in profile:
        profile["roles"] = []  # the form asks the roles: none ticked means none
    try:
        ent = Enterprise.model_validate(profile)
    except ValidationError as exc:
        problems.extend(details_from_pydantic(exc, (*loc, "enterprise")))
        # Check the answers too, against the profile without its bad fields.
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        try:
            ent = Enterprise.model_validate(
                {k: v for k, v in profile.items() if k not in bad} | {"name": "?"}
            )
        except ValidationError:
            ent = None
    answers: dict[str, Any] = {}
    for qq in q.questions:
        na_value = values.get(qq.id + NA_SUFFIX) if qq.allow_na else None
        if _is_na(na_value):
            answers[qq.id] = NA_TOKEN
            continue
        if qq.id in values:
            answers[qq.id] = convert(_QUESTION_KIND[qq.type], values[qq.id])
    if ent is None:
        return None, problems
    try:
        sheet = AnswerSheet(
            questionnaire=q.id, questionnaire_version=q.version, enterprise=ent, answers=answers
        )
        encode_sheet(q, sheet)
    except ValidationError as exc:
        return None, [*problems, *details_from_pydantic(exc, loc)]
    except AnswerValidationError as exc:
        return None, [*problems, *(_relocate(d, loc) for d in exc.details)]
    return (None, problems) if problems else (sheet, [])


def _is_na(value: Any) -> bool:
    if value is True:
        return True
    if isinstance(value, str):
        return NA_CHOICE in value.split()
    if isinstance(value, list):
        return NA_CHOICE in value
    return False


def _relocate(detail: ErrorDetail, loc: tuple[str | int, ...]) -> ErrorDetail:
    if not loc:
        return detail
    where = detail.loc[1:] if detail.loc[:1] == ("answers",) else detail.loc
    return ErrorDetail(
        detail.code, (*loc, *where), detail.message, detail.expected, detail.got, detail.severity
    )


def _base_profile(enterprise: EnterpriseLike) -> dict[str, Any]:
    if enterprise is None:
        return {}
    if isinstance(enterprise, AnswerSheet):
        return enterprise.enterprise.dump()
    if isinstance(enterprise, Enterprise):
        return enterprise.dump()
    if isinstance(enterprise, Mapping):
        inner = enterprise.get("enterprise")
        if isinstance(inner, Mapping) and "answers" in enterprise:
            return {k: v for k, v in inner.items() if k in PROFILE_INPUT_FIELDS}
        return {k: v for k, v in enterprise.items() if k in PROFILE_INPUT_FIELDS}
    return {}


# --------------------------------------------------------------------------- registry
Importer = Callable[..., Any]
_IMPORTERS: dict[str, tuple[str, Importer]] = {}


def register_importer(name: str, description: str, reader: Importer) -> None:
    """Register ``reader(q, path, enterprise) -> list[AnswerSheet] | FormImport`` under ``--format name``."""
    _IMPORTERS[name] = (description, reader)


def importers() -> dict[str, tuple[str, Importer]]:
    return dict(_IMPORTERS)


def _surveyjs_file(q: Questionnaire, path: str | os.PathLike[str], enterprise: EnterpriseLike) -> FormImport:
    data = read_data_file(path)
    return FormImport(sheets=[answers_from_surveyjs(q, data, enterprise)])


def _odk_file(q: Questionnaire, path: str | os.PathLike[str], enterprise: EnterpriseLike) -> FormImport:
    return answers_from_odk(q, path, enterprise)


register_importer(
    "surveyjs", "SurveyJS results (survey.data) or a file saved by the offline page (JSON)", _surveyjs_file
)
register_importer("odk", "ODK Central or KoboToolbox CSV export of the XLSForm", _odk_file)
