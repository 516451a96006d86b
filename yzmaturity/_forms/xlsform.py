"""A questionnaire as an XLSForm (ODK Collect, ODK Central, KoboToolbox, Enketo).

Sheets ``survey``, ``choices`` and ``settings``; labels and hints in
``label::中文 (zh)`` and ``label::English (en)`` columns; the enterprise profile
as the first group (credit code and industry code checked by ``regex()``
constraints); one group per top-level dimension.  Relevance is an ODK XPath
``relevant`` column; "not applicable" is a companion ``select_multiple`` field
``<id>__na``.  Scores, weights and level rules are not exported.
"""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING, Any

from .._optional import require
from .._text import Text
from .common import (
    CREDIT_CODE_MESSAGE,
    CREDIT_CODE_REGEX,
    INDUSTRY_MESSAGE,
    INDUSTRY_REGEX,
    NA_LABEL,
    NO,
    PROFILE_FIELDS,
    PROFILE_PAGE,
    YES,
    ProfileField,
    certification_choices,
    form_names,
    leaf_groups,
    role_choices,
    write_atomic,
)
from .expressions import NA_CHOICE, NA_SUFFIX, XPATH, Translator

if TYPE_CHECKING:
    from .._model import Question, Questionnaire

__all__ = ["to_xlsform", "xlsform_bytes", "xlsform_rows"]

LANGUAGES = (("zh", "中文 (zh)"), ("en", "English (en)"))
SURVEY_COLUMNS = (
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "default",
    "appearance",
)
LOCALISED = ("label", "hint", "constraint_message")
Row = dict[str, Any]


def _header(columns: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for col in columns:
        if col in LOCALISED:
            out += [f"{col}::{name}" for _, name in LANGUAGES]
        else:
            out.append(col)
    return out


def _cells(row: Row, columns: tuple[str, ...]) -> list[Any]:
    out: list[Any] = []
    for col in columns:
        value = row.get(col)
        if col in LOCALISED:
            out += [None if value is None else value.of(lang) for lang, _ in LANGUAGES]
        else:
            out.append(value)
    return out


def xlsform_rows(q: Questionnaire) -> tuple[list[Row], list[Row], Row]:
    """The survey rows, choice rows and settings of the form (plain data; see :func:`to_xlsform`)."""
    form_names(q)
    tr = Translator(q, XPATH)
    tr.check()
    survey: list[Row] = []
    choices: list[Row] = []

    def choice_list(name: str, items: list[tuple[str, Text]]) -> None:
        choices.extend({"list_name": name, "name": value, "label": label} for value, label in items)

    choice_list("yz_yes_no", [("yes", YES), ("no", NO)])
    choice_list("yz_na", [(NA_CHOICE, NA_LABEL)])
    choice_list("yz_roles", role_choices())
    certs = certification_choices(q)
    if certs:
        choice_list("yz_certifications", [(c, Text(zh=c, en=c)) for c in certs])

    survey.append({"type": "begin_group", "name": "enterprise", "label": PROFILE_PAGE})
    survey.extend(row for f in PROFILE_FIELDS if (row := _profile_row(f, bool(certs))) is not None)
    survey.append({"type": "end_group"})

    for top, groups in leaf_groups(q):
        survey.append({"type": "begin_group", "name": f"g_{top.id}", "label": top.title})
        for leaf, questions in groups:
            nested = leaf is not top
            if nested:
                survey.append({"type": "begin_group", "name": f"g_{leaf.id}", "label": leaf.title})
            for qq in questions:
                survey.extend(_question_rows(qq, tr, choice_list))
            if nested:
                survey.append({"type": "end_group"})
        survey.append({"type": "end_group"})
    settings: Row = {
        "form_title": q.title.of("zh"),
        "form_id": q.id.replace(".", "_"),
        "version": q.version,
        "default_language": LANGUAGES[0][1],
    }
    return survey, choices, settings


def _profile_row(f: ProfileField, has_certs: bool) -> Row | None:
    row: Row = {"name": f.name, "label": f.label, "hint": f.hint}
    if f.required:
        row["required"] = "yes"
    if f.kind == "text":
        row["type"] = "text"
        if f.field == "credit_code":
            row |= {
                "constraint": f"regex(., '{CREDIT_CODE_REGEX}')",
                "constraint_message": CREDIT_CODE_MESSAGE,
            }
        elif f.field == "industry":
            row |= {"constraint": f"regex(., '{INDUSTRY_REGEX}')", "constraint_message": INDUSTRY_MESSAGE}
    elif f.kind in ("integer", "decimal"):
        row["type"] = f.kind
        bounds = []
        if f.minimum is not None:
            bounds.append(f". >= {int(f.minimum)}")
        if f.maximum is not None:
            bounds.append(f". <= {int(f.maximum)}")
        if bounds:
            row["constraint"] = " and ".join(bounds)
    elif f.kind == "bool":
        row["type"] = "select_one yz_yes_no"
        if f.field == "diagnosed":
            row["default"] = "no"
    elif f.kind == "roles":
        row |= {"type": "select_multiple yz_roles", "default": "manufacturer"}
    else:
        if not has_certs:
            return None
        row["type"] = "select_multiple yz_certifications"
    return row


def _question_rows(qq: Question, tr: Translator, choice_list: Any) -> list[Row]:
    row: Row = {"name": qq.id, "label": qq.text, "hint": qq.help}
    if qq.required:
        row["required"] = "yes"
    shown = tr.shown(qq)
    if shown is not None:
        row["relevant"] = shown
    t = qq.type
    list_name = f"c_{qq.id}"
    if t in ("single_choice", "multiple_choice"):
        choice_list(list_name, [(o.id, o.label) for o in qq.options])
        row["type"] = ("select_one " if t == "single_choice" else "select_multiple ") + list_name
        exclusive = [o.id for o in qq.options if o.exclusive]
        if t == "multiple_choice" and exclusive:
            row["constraint"] = " and ".join(
                f"(not(selected(., '{x}')) or count-selected(.) = 1)" for x in exclusive
            )
            row["constraint_message"] = Text(
                zh="该选项不能与其他选项同时选择", en="This option cannot be combined with others"
            )
    elif t == "yes_no":
        row["type"] = "select_one yz_yes_no"
    elif t == "numeric":
        row["type"] = "decimal"
        bounds = []
        if qq.min is not None:
            bounds.append(f". >= {qq.min:g}")
        if qq.max is not None:
            bounds.append(f". <= {qq.max:g}")
        if bounds:
            row["constraint"] = " and ".join(bounds)
        if qq.unit and qq.help is None:
            row["hint"] = Text(zh=qq.unit, en=qq.unit)
    else:
        lo, hi = int(qq.min or 0), int(qq.max or 0)
        labels = {p.value: p.label for p in qq.points}
        choice_list(
            list_name, [(str(v), labels.get(v, Text(zh=str(v), en=str(v)))) for v in range(lo, hi + 1)]
        )
        row["type"] = f"select_one {list_name}"
    rows = [row]
    if qq.allow_na:
        na: Row = {"type": "select_multiple yz_na", "name": qq.id + NA_SUFFIX, "label": NA_LABEL}
        rel = tr.relevant(qq)
        if rel is not None:
            na["relevant"] = rel
        rows.append(na)
    return rows


def xlsform_bytes(q: Questionnaire) -> bytes:
    """The XLSForm as .xlsx bytes (needs openpyxl: ``pip install yzmaturity[excel]``)."""
    openpyxl = require("openpyxl", "XLSForm export", "excel")
    survey, choices, settings = xlsform_rows(q)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(_header(SURVEY_COLUMNS))
    for row in survey:
        sheet.append(_cells(row, SURVEY_COLUMNS))
    sheet = book.create_sheet("choices")
    columns = ("list_name", "name", "label")
    sheet.append(_header(columns))
    for row in choices:
        sheet.append(_cells(row, columns))
    sheet = book.create_sheet("settings")
    sheet.append(list(settings))
    sheet.append(list(settings.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_xlsform(q: Questionnaire, path: str | os.PathLike[str]) -> None:
    """Write the questionnaire as an XLSForm ``.xlsx`` (atomically)."""
    write_atomic(path, xlsform_bytes(q))
