"""The words of every problem yzmaturity reports, in Chinese and English.

An :class:`~yzmaturity.ErrorDetail` carries a stable ``code`` and structured
``params`` (the question's text, the allowed values, a suggestion ...); this
module turns them into a sentence in one language.  Nothing here shows a
Python value as Python would (``True``, ``None``, ``'x'``): values are written
as a person reads them.

>>> from yzmaturity._messages import render_message
>>> print(render_message("unknown_option", "zh", {"subject": {"zh": "战略规划", "en": "Strategy"},
...                                                "got": "strateg", "suggestion": {"zh": "战略", "en": "strategic"}}))
「战略规划」没有选项“strateg”，您是否想填“战略”？
>>> print(render_message("unknown_option", "en", {"subject": {"zh": "战略规划", "en": "Strategy"},
...                                                "got": "strateg", "suggestion": {"zh": "战略", "en": "strategic"}}))
"Strategy" has no option "strateg"; did you mean "strategic"?
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "FIELD_LABELS",
    "MESSAGES",
    "item_text",
    "item_words",
    "render_message",
    "show_value",
    "where_text",
]

# code -> (zh, en); {subject} is the question or field, {got} the value given,
# {allowed} what is accepted, {suggestion} the closest accepted value.
MESSAGES: dict[str, tuple[str, str]] = {
    # answers
    "unknown_question": ("问卷中没有题目“{got}”", 'the questionnaire has no question "{got}"'),
    "unknown_option": ("「{subject}」没有选项“{got}”", '"{subject}" has no option "{got}"'),
    "wrong_type": ("「{subject}」应填{allowed}，收到“{got}”", '"{subject}" takes {allowed}, not "{got}"'),
    "out_of_range": ("「{subject}」应为{allowed}，收到{got}", '"{subject}" takes {allowed}, not {got}'),
    "not_finite": (
        "「{subject}」应为有限的数字，收到“{got}”",
        '"{subject}" needs a finite number, not "{got}"',
    ),
    "duplicate_option": (
        "「{subject}」的选项“{option}”重复选择",
        'an option of "{subject}" is selected twice: "{option}"',
    ),
    "exclusive_option": (
        "「{subject}」的选项“{option}”不能与其他选项同时选择",
        'option "{option}" of "{subject}" cannot be combined with others',
    ),
    "bad_counts": (
        "「{subject}」的计数应为“部分/总数”，且 0 ≤ 部分 ≤ 总数、总数大于 0，收到“{got}”",
        '"{subject}" takes counts "part/whole" with 0 ≤ part ≤ whole and a whole above 0, not "{got}"',
    ),
    "na_not_allowed": ("「{subject}」不能填“不适用”", '"{subject}" cannot be answered "not applicable"'),
    "missing_required": ("「{subject}」为必答题，尚未作答", '"{subject}" is required and not answered'),
    "questionnaire_mismatch": (
        "答卷对应的是另一份问卷“{got}”，应为“{allowed}”",
        'the sheet answers another questionnaire, "{got}" instead of "{allowed}"',
    ),
    "version_mismatch": (
        "答卷对应的问卷版本为“{got}”，应为“{allowed}”",
        'the sheet answers version "{got}", not "{allowed}"',
    ),
    "not_relevant": (
        "「{subject}」按前面的回答无需作答，该回答不计分",
        '"{subject}" is skipped by the earlier answers; this answer is not scored',
    ),
    "relevant_unanswered": (
        "「{subject}」根据前面的回答需要作答；未答按0分计，最多少得{points}分",
        '"{subject}" applies given the earlier answers; unanswered it scores 0 (up to {points} points lost)',
    ),
    "different_enterprise": (
        "两次评估似乎不是同一家企业：“{allowed}”与“{got}”",
        'the two assessments seem to be of different enterprises: "{allowed}" and "{got}"',
    ),
    "questionnaire_changed": (
        "两次评估使用了不同的问卷版本（{allowed} 与 {got}），只比较共同的题目",
        "the two assessments used different questionnaire versions ({allowed} and {got}); "
        "only common items are compared",
    ),
    # shape (pydantic's error types)
    "missing": ("缺少{subject}", "{subject} is missing"),
    "string_too_short": ("{subject}不能为空", "{subject} cannot be empty"),
    "string_too_long": ("{subject}太长", "{subject} is too long"),
    "too_long": ("{subject}太长", "{subject} is too long"),
    "greater_than_equal": (
        "{subject}应不小于{limit}，收到{got}",
        "{subject} must be at least {limit}, not {got}",
    ),
    "greater_than": ("{subject}应大于{limit}，收到{got}", "{subject} must be more than {limit}, not {got}"),
    "less_than_equal": (
        "{subject}应不大于{limit}，收到{got}",
        "{subject} must be at most {limit}, not {got}",
    ),
    "less_than": ("{subject}应小于{limit}，收到{got}", "{subject} must be less than {limit}, not {got}"),
    "date_from_datetime_parsing": (
        "{subject}应为日期（如 2024-05-31），收到“{got}”",
        '{subject} must be a date such as 2024-05-31, not "{got}"',
    ),
    "date_parsing": (
        "{subject}应为日期（如 2024-05-31），收到“{got}”",
        '{subject} must be a date such as 2024-05-31, not "{got}"',
    ),
    "date_type": (
        "{subject}应为日期（如 2024-05-31），收到“{got}”",
        '{subject} must be a date such as 2024-05-31, not "{got}"',
    ),
    "int_parsing": ("{subject}应为整数，收到“{got}”", '{subject} must be a whole number, not "{got}"'),
    "int_type": ("{subject}应为整数，收到“{got}”", '{subject} must be a whole number, not "{got}"'),
    "int_from_float": ("{subject}应为整数，收到“{got}”", '{subject} must be a whole number, not "{got}"'),
    "float_parsing": ("{subject}应为数字，收到“{got}”", '{subject} must be a number, not "{got}"'),
    "float_type": ("{subject}应为数字，收到“{got}”", '{subject} must be a number, not "{got}"'),
    "finite_number": ("{subject}应为有限的数字", "{subject} must be a finite number"),
    "bool_parsing": ("{subject}应填是或否，收到“{got}”", '{subject} must be yes or no, not "{got}"'),
    "bool_type": ("{subject}应填是或否，收到“{got}”", '{subject} must be yes or no, not "{got}"'),
    "string_type": ("{subject}应为文字，收到“{got}”", '{subject} must be text, not "{got}"'),
    "list_type": ("{subject}应为列表，收到“{got}”", '{subject} must be a list, not "{got}"'),
    "dict_type": (
        "{subject}应为键值对，收到“{got}”",
        '{subject} must be a mapping of names to values, not "{got}"',
    ),
    "model_type": (
        "{subject}应为键值对，收到“{got}”",
        '{subject} must be a mapping of names to values, not "{got}"',
    ),
    "extra_forbidden": ("{subject}中有无法识别的字段“{field}”", '{subject} has an unknown field "{field}"'),
    "answer_type": (
        "{subject}应为是/否、数字、文字或文字列表，收到“{got}”",
        '{subject} must be yes/no, a number, a text or a list of texts, not "{got}"',
    ),
    "literal_error": (
        "{subject}应为{allowed}之一，收到“{got}”",
        '{subject} must be one of {allowed}, not "{got}"',
    ),
    "enum": ("{subject}应为{allowed}之一，收到“{got}”", '{subject} must be one of {allowed}, not "{got}"'),
    "value_error": ("{subject}无效：“{got}”", '{subject} is not valid: "{got}"'),
    "invalid": ("内容无效", "the content is not valid"),
    # files (the English message keeps the parser's own details)
    "file_not_found": ("找不到文件", "file not found"),
    "file_unreadable": ("无法读取文件", "the file cannot be read"),
    "file_too_large": ("文件太大", "the file is too large"),
    "bad_extension": ("文件扩展名不受支持", "the file's extension is not supported"),
    "would_overwrite_input": ("输出会覆盖输入文件", "the output would overwrite the input"),
    "bad_encoding": ("文件不是 UTF-8 编码", "the file is not UTF-8 text"),
    "bad_yaml": ("文件不是有效的 YAML", "the file is not valid YAML"),
    "bad_json": ("文件不是有效的 JSON", "the file is not valid JSON"),
    "unsafe_tag": ("文件含有不安全的 YAML 标签", "the file has an unsafe YAML tag"),
    "yaml_alias": ("文件含有 YAML 别名（不支持）", "the file uses YAML aliases, which are not accepted"),
    "duplicate_key": ("文件中有重复的键", "the file repeats a key"),
    "too_deep": ("文件嵌套太深", "the file is nested too deeply"),
}

# How a person calls the fields of an answer-sheet file.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "questionnaire": ("问卷", "the questionnaire"),
    "questionnaire_version": ("问卷版本", "the questionnaire version"),
    "date": ("评估日期", "the date"),
    "assessor": ("评估人", "the assessor"),
    "kind": ("类型", "kind"),
    "organisation": ("所属机构", "organisation"),
    "enterprise": ("企业信息", "the enterprise"),
    "name": ("名称", "name"),
    "credit_code": ("统一社会信用代码", "credit code"),
    "region": ("所在区县", "district"),
    "industry": ("行业代码", "industry code"),
    "employees": ("从业人数", "employees"),
    "revenue_yuan": ("营业收入（元）", "revenue (yuan)"),
    "roles": ("企业角色", "roles"),
    "rnd": ("是否自主研发", "own R&D"),
    "diagnosed": ("是否已诊断", "diagnosed already"),
    "planned_investment_yuan": ("计划投资（元）", "planned investment (yuan)"),
    "years_operating": ("经营年限", "years operating"),
    "certifications": ("资质认证", "certifications"),
    "answers": ("答案", "the answers"),
    "note": ("备注", "note"),
    "evidence": ("佐证材料", "evidence"),
    "value": ("取值", "value"),
    "not_applicable": ("不适用", "not applicable"),
}

_NOTHING = ("空", "nothing")
_YES_NO = (("是", "否"), ("yes", "no"))


def _lang_index(lang: str) -> int:
    return 1 if lang == "en" else 0


def _pick(value: Any, lang: str) -> Any:
    """A ``{"zh": ..., "en": ...}`` mapping in one language; anything else as it is."""
    if isinstance(value, Mapping) and ("zh" in value or "en" in value):
        other = "zh" if lang == "en" else "en"
        return value.get(lang) or value.get(other) or ""
    return value


def show_value(value: Any, lang: str = "zh", limit: int | None = None) -> str:
    """A value as a person writes it: 是/否 (yes/no), numbers without ``.0``, lists joined.

    >>> show_value(True), show_value(None, "en"), show_value(2.0), show_value(["a", "b"], "en")
    ('是', 'nothing', '2', 'a, b')
    """
    i = _lang_index(lang)
    value = _pick(value, lang)
    if value is None:
        return _NOTHING[i]
    if isinstance(value, bool):
        return _YES_NO[i][0 if value else 1]
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return f"{value:g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ("、" if i == 0 else ", ").join(show_value(v, lang) for v in value)
    if isinstance(value, Mapping):
        return ("、" if i == 0 else ", ").join(str(k) for k in value)
    text = str(value)
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


_ITEM_WORDS = (("第", "项"), ("item ", ""))


def item_words(lang: str = "zh") -> tuple[str, str]:
    """What goes before and after a 1-based position: (第, 项) or (item , )."""
    return _ITEM_WORDS[_lang_index(lang)]


def item_text(index: int, lang: str = "zh") -> str:
    """A 0-based position as words: 第3项 (item 3)."""
    before, after = item_words(lang)
    return f"{before}{index + 1}{after}"


def where_text(loc: Sequence[str | int], lang: str = "zh") -> str:
    """A field path as words: ``("enterprise", "employees")`` -> 企业信息 › 从业人数."""
    i = _lang_index(lang)
    parts = []
    for part in loc:
        if isinstance(part, int):
            parts.append(item_text(part, lang))
        elif part in FIELD_LABELS:
            parts.append(FIELD_LABELS[part][i])
        else:
            parts.append(str(part))
    if not parts:
        return "文件" if i == 0 else "the file"
    return " › ".join(parts)


def render_message(code: str, lang: str, params: Mapping[str, Any]) -> str | None:
    """The sentence for ``code`` in ``lang`` with ``params``, or None when there is none."""
    templates = MESSAGES.get(code)
    if templates is None:
        return None
    template = templates[_lang_index(lang)]
    words = {k: show_value(v, lang, 80 if k == "got" else None) for k, v in params.items()}
    try:
        text = template.format_map(words)
    except KeyError:
        return None
    suggestion = params.get("suggestion")
    if suggestion is not None and code in ("unknown_option", "unknown_question"):
        shown = show_value(suggestion, lang)
        text += f"，您是否想填“{shown}”？" if lang != "en" else f'; did you mean "{shown}"?'
    elif "allowed_text" in params and code in ("unknown_option", "na_not_allowed"):
        shown = show_value(params["allowed_text"], lang)
        text += f"（可填：{shown}）" if lang != "en" else f" (accepted: {shown})"
    return text
