"""Empty wide tables to fill in (CSV, or XLSX with drop-down lists) and the documentation of every column."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._answers import NA_TOKEN
from .._enterprise import PROFILE_INPUT_FIELDS
from .._fs import write_bytes
from .._loading import load_questionnaire
from .._profile import PROFILE_KINDS
from . import deps
from .cells import YES_NO_EXPECTED
from .fields import BOOL_FIELDS, CHOICE_FIELDS, expected_text
from .header import table_header
from .read import table_format
from .write import EXCEL_MAX_ROWS, xlsx_value

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from .._model import Questionnaire

__all__ = ["table_columns", "table_template"]

_PROFILE_DOCS: dict[str, tuple[str, str]] = {
    "name": ("企业名称（必填）", "Enterprise name (required)"),
    "credit_code": ("统一社会信用代码（18位，GB 32100-2015）", "Unified social credit code (18 characters)"),
    "region": ("所在区县，如 江都区", "District or county, e.g. 江都区"),
    "industry": ("国民经济行业分类代码（GB/T 4754-2017），如 C36", "GB/T 4754-2017 industry code, e.g. C36"),
    "employees": ("从业人数", "Employees"),
    "revenue_yuan": ("年主营业务收入（元）", "Annual main-business revenue (yuan)"),
    "roles": ("角色，用 ; 分隔；空白 = manufacturer", "Roles separated by ';'; blank = manufacturer"),
    "rnd": ("是否自主研发", "Does own R&D"),
    "diagnosed": (
        "是否已开展智改数转诊断；空白 = 未知（与问卷答案合并判断）",
        "Has had a diagnosis already; blank = unknown (reconciled with the answer)",
    ),
    "cmmm_level": ("智能制造能力成熟度（CMMM）等级，0-5", "CMMM level reached (GB/T 39116-2020), 0-5"),
    "cmmm_assessed_by": (
        "CMMM等级由谁评定：self（自评估）或 third_party（第三方评估）",
        "Who established the CMMM level: self or third_party",
    ),
    "js_selftest_score": (
        "江苏省数字化转型通用能力自测得分，0-100",
        "Score in Jiangsu's general-capability self-test, 0-100",
    ),
    "no_major_incident": (
        "近三年无较大及以上安全、环保、质量事故；空白 = 待核实",
        "No major safety, environmental or quality incident in three years; blank = to check",
    ),
    "good_credit": (
        "无不良信用记录、未列入严重失信主体名单；空白 = 待核实",
        "No bad credit record; blank = to check",
    ),
    "planned_investment_yuan": ("计划投资（元）", "Planned investment (yuan)"),
    "years_operating": ("经营年限", "Years in operation"),
    "certifications": ("已获认证，用 ; 分隔，如 dcmm-2;cmmm-2", "Certifications separated by ';'"),
}


def table_columns(questionnaire: Questionnaire | str, lang: str = "zh") -> pd.DataFrame:
    """Every column of the wide format, documented: kind, type, required, allowed values, text zh/en."""
    pd = deps.pandas("table_columns")
    q = load_questionnaire(questionnaire)
    cq = q.compiled()
    records: list[dict[str, Any]] = []
    for name in PROFILE_INPUT_FIELDS:
        kind = PROFILE_KINDS[name]
        zh, en = _PROFILE_DOCS.get(name, ("", ""))
        records.append(
            {
                "column": name,
                "kind": "profile",
                "dimension": "",
                "type": {"numeric": "number", "bool": "yes_no", "text": "text", "set": "list"}[kind],
                "required": name == "name",
                "na_allowed": False,
                "allowed": expected_text(name),
                "text_zh": zh,
                "text_en": en,
            }
        )
    for col, question in enumerate(cq.questions):
        dim = cq.dim_ids[int(cq.question_dim[col])]
        if question.type in ("single_choice", "multiple_choice"):
            allowed = "; ".join(f"{o.id} = {o.label.of(lang)}" for o in question.options)
            if question.type == "multiple_choice":
                allowed = "option ids separated by ';': " + allowed
        elif question.type == "yes_no":
            allowed = YES_NO_EXPECTED
        elif question.type in ("scale", "scene_level"):
            allowed = f"an integer from {question.min:g} to {question.max:g}"
            if question.points:
                allowed += ": " + "; ".join(f"{p.value} = {p.label.of(lang)}" for p in question.points)
        else:
            lo = "-inf" if question.min is None else f"{question.min:g}"
            hi = "inf" if question.max is None else f"{question.max:g}"
            allowed = f"a number from {lo} to {hi}" + (f" ({question.unit})" if question.unit else "")
        if question.allow_na:
            allowed += "; or n/a"
        records.append(
            {
                "column": question.id,
                "kind": "question",
                "dimension": dim,
                "type": question.type,
                "required": question.required,
                "na_allowed": question.allow_na,
                "allowed": allowed,
                "text_zh": question.text.zh or "",
                "text_en": question.text.en or "",
            }
        )
    return pd.DataFrame.from_records(records)


def table_template(
    questionnaire: Questionnaire | str,
    path: str | os.PathLike[str] | None = None,
    *,
    fmt: str | None = None,
    lang: str = "zh",
) -> bytes:
    """An empty wide table: the header row (CSV or XLSX); XLSX adds a sheet documenting every column.

    The format is ``fmt`` (``"csv"`` or ``"xlsx"``), else the extension of
    ``path``, else CSV.  Returns the file's bytes, and writes them to ``path`` if given.
    """
    q = load_questionnaire(questionnaire)
    if fmt is None:
        fmt = table_format(Path(os.fspath(path))) if path is not None else "csv"
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"fmt must be 'csv' or 'xlsx' (got {fmt!r})")
    header = table_header(q)
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(header)
        data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    else:
        data = _xlsx_template(q, header, lang)
    if path is not None:
        write_bytes(path, data)
    return data


def _xlsx_template(q: Questionnaire, header: list[str], lang: str) -> bytes:
    openpyxl = deps.openpyxl("XLSX templates")
    from openpyxl.styles import Font  # type: ignore[import-untyped,unused-ignore]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped,unused-ignore]
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped,unused-ignore]

    docs = table_columns(q, lang)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "data"
    ws.append(header)
    bold = Font(bold=True)
    for i, _ in enumerate(header, start=1):
        ws.cell(row=1, column=i).font = bold
        ws.column_dimensions[get_column_letter(i)].width = 16
    ws.freeze_panes = "B2"
    lists = book.create_sheet("lists")
    lists.sheet_state = "hidden"
    n_lists = 0
    yes_no = ["是", "否"] if lang == "zh" else ["yes", "no"]
    cq = q.compiled()
    for i, name in enumerate(header, start=1):
        # Drop-downs show labels: a label reads back as its option (the one leniency), so nothing maps ids by hand.
        choices: list[str] | None = None
        prompt = _PROFILE_DOCS.get(name, ("", ""))[0 if lang == "zh" else 1]
        if name in cq.index:
            question = cq.questions[cq.index[name]]
            prompt = question.text.of(lang)
            if question.type == "single_choice":
                choices = [o.label.of(lang) for o in question.options]
            elif question.type == "yes_no":
                choices = list(yes_no)
            elif question.type == "multiple_choice":
                sep = "；" if lang == "zh" else "; "
                hint = "可多选，用；分隔：" if lang == "zh" else "Several allowed, separated by ';': "
                prompt += "\n" + hint + sep.join(o.label.of(lang) for o in question.options)
            if choices is not None and question.allow_na:
                choices.append(NA_TOKEN)
        elif name in BOOL_FIELDS:
            choices = list(yes_no)
        elif name in CHOICE_FIELDS:
            choices = list(CHOICE_FIELDS[name])
        letter = get_column_letter(i)
        rule = None
        if choices:
            n_lists += 1
            column = get_column_letter(n_lists)
            for row, label in enumerate(choices, start=1):
                lists.cell(row=row, column=n_lists, value=label)
            rule = DataValidation(
                type="list", formula1=f"lists!${column}$1:${column}${len(choices)}", allow_blank=True
            )
        elif prompt:
            rule = DataValidation(allow_blank=True)
        if rule is not None:
            if prompt:
                rule.promptTitle = name[:32]
                rule.prompt = prompt[:250]
                rule.showInputMessage = True
            rule.add(f"{letter}2:{letter}{EXCEL_MAX_ROWS}")
            ws.add_data_validation(rule)
    doc = book.create_sheet("columns", 1)
    doc.append(list(docs.columns))
    for record in docs.itertuples(index=False):
        doc.append([xlsx_value(v) for v in record])
    for i in range(1, len(docs.columns) + 1):
        doc.cell(row=1, column=i).font = bold
    for letter, width in zip("ABCDEFGHI", (26, 9, 20, 16, 9, 10, 60, 40, 50), strict=True):
        doc.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
