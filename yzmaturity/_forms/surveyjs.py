"""A questionnaire as a SurveyJS survey (JSON): pages, locales, validators and ``visibleIf``.

The survey has an enterprise-profile page, then one page per top-level
dimension with a panel per leaf dimension.  Values are stored as the answer
sheet stores them (option ids, lists of ids, true/false, numbers); a question
that allows "not applicable" gets a companion check box ``<id>__na`` which hides
the answer field.  Hidden values are cleared at once (``clearInvisibleValues:
onHidden``), so a condition never reads an answer to a skipped question.
Scores, weights and level rules are not exported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    REGION_SUGGESTIONS,
    YES,
    ProfileField,
    certification_choices,
    form_names,
    leaf_groups,
    role_choices,
)
from .expressions import NA_SUFFIX, SURVEYJS, Translator

if TYPE_CHECKING:
    from .._model import Question, Questionnaire

__all__ = ["ZH_LOCALE", "loc", "to_surveyjs"]

ZH_LOCALE = "zh-cn"
RATING_MAX_POINTS = 11


def loc(text: Text) -> dict[str, str]:
    """A SurveyJS localizable string: English as the default, Simplified Chinese as ``zh-cn``."""
    return {"default": text.of("en"), ZH_LOCALE: text.of("zh")}


def to_surveyjs(q: Questionnaire) -> dict[str, Any]:
    """The questionnaire as a SurveyJS survey definition (a JSON-ready dict).

    >>> import yzmaturity as yz
    >>> survey = yz.load_questionnaire("yangzhou-2022").to_surveyjs()
    >>> survey["pages"][0]["name"], survey["locale"]
    ('enterprise', 'zh-cn')
    """
    form_names(q)
    tr = Translator(q, SURVEYJS)
    tr.check()
    pages: list[dict[str, Any]] = [
        {"name": "enterprise", "title": loc(PROFILE_PAGE), "elements": _profile_elements(q)}
    ]
    for top, groups in leaf_groups(q):
        elements: list[dict[str, Any]] = []
        for leaf, questions in groups:
            items = [el for qq in questions for el in _question_elements(qq, tr)]
            if leaf is top:
                elements.extend(items)
            else:
                elements.append(
                    {"type": "panel", "name": f"panel_{leaf.id}", "title": loc(leaf.title), "elements": items}
                )
        pages.append({"name": f"page_{top.id}", "title": loc(top.title), "elements": elements})
    survey: dict[str, Any] = {
        "title": loc(q.title),
        "locale": ZH_LOCALE,
        "clearInvisibleValues": "onHidden",
        "showQuestionNumbers": "off",
        "showProgressBar": "top",
        "checkErrorsMode": "onValueChanged",
        "pages": pages,
    }
    if q.description is not None:
        survey["description"] = loc(q.description)
    return survey


def _profile_elements(q: Questionnaire) -> list[dict[str, Any]]:
    return [el for f in PROFILE_FIELDS if (el := _profile_element(f, q)) is not None]


def _profile_element(f: ProfileField, q: Questionnaire) -> dict[str, Any] | None:
    el: dict[str, Any] = {"name": f.name, "title": loc(f.label)}
    if f.hint is not None:
        el["description"] = loc(f.hint)
    if f.required:
        el["isRequired"] = True
    if f.kind == "text":
        el |= {"type": "text", "maxLength": 200}
        if f.field == "credit_code":
            el |= {"maxLength": 18, "validators": [_regex(CREDIT_CODE_REGEX, CREDIT_CODE_MESSAGE)]}
        elif f.field == "industry":
            el |= {"maxLength": 5, "validators": [_regex(INDUSTRY_REGEX, INDUSTRY_MESSAGE)]}
        elif f.field == "region":
            el["dataList"] = list(REGION_SUGGESTIONS)
    elif f.kind in ("integer", "decimal"):
        el |= {"type": "text", "inputType": "number"}
        if f.minimum is not None:
            el["min"] = f.minimum
        if f.maximum is not None:
            el["max"] = f.maximum
        if f.kind == "integer":
            el["step"] = 1
    elif f.kind == "bool":
        el |= {"type": "boolean", "renderAs": "radio", "labelTrue": loc(YES), "labelFalse": loc(NO)}
        if f.field == "diagnosed":
            el["defaultValue"] = False
    elif f.kind == "roles":
        el |= {
            "type": "checkbox",
            "choices": [{"value": r, "text": loc(label)} for r, label in role_choices()],
            "defaultValue": ["manufacturer"],
        }
    else:  # certifications: exactly the values the conditions read
        choices = certification_choices(q)
        if not choices:
            return None
        el |= {"type": "checkbox", "choices": choices}
    return el


def _regex(pattern: str, message: Text) -> dict[str, Any]:
    return {"type": "regex", "regex": pattern, "text": loc(message)}


def _question_elements(qq: Question, tr: Translator) -> list[dict[str, Any]]:
    el: dict[str, Any] = {"name": qq.id, "title": loc(qq.text)}
    if qq.help is not None:
        el["description"] = loc(qq.help)
    if qq.required:
        el["isRequired"] = True
    shown = tr.shown(qq)
    if shown is not None:
        el["visibleIf"] = shown
    t = qq.type
    if t == "single_choice":
        el |= {"type": "radiogroup", "choices": [{"value": o.id, "text": loc(o.label)} for o in qq.options]}
    elif t == "multiple_choice":
        choices = []
        for o in qq.options:
            choice: dict[str, Any] = {"value": o.id, "text": loc(o.label)}
            if o.exclusive:
                choice["isExclusive"] = True
            choices.append(choice)
        el |= {"type": "checkbox", "choices": choices}
    elif t == "yes_no":
        el |= {"type": "boolean", "renderAs": "radio", "labelTrue": loc(YES), "labelFalse": loc(NO)}
    elif t == "numeric":
        el |= {"type": "text", "inputType": "number"}
        if qq.min is not None:
            el["min"] = qq.min
        if qq.max is not None:
            el["max"] = qq.max
        if qq.unit:
            el["placeholder"] = qq.unit
    else:  # scale, scene level
        lo, hi = int(qq.min or 0), int(qq.max or 0)
        labels = {p.value: p.label for p in qq.points}
        if labels or hi - lo + 1 > RATING_MAX_POINTS:
            el |= {
                "type": "radiogroup" if hi - lo + 1 <= RATING_MAX_POINTS else "dropdown",
                "choices": [
                    {"value": v, "text": loc(labels[v])} if v in labels else {"value": v, "text": str(v)}
                    for v in range(lo, hi + 1)
                ],
            }
        else:
            el |= {"type": "rating", "rateMin": lo, "rateMax": hi}
    out = [el]
    if qq.allow_na:
        na: dict[str, Any] = {
            "type": "boolean",
            "name": qq.id + NA_SUFFIX,
            "title": loc(NA_LABEL),
            "renderAs": "checkbox",
            "titleLocation": "hidden",
            "label": loc(NA_LABEL),
        }
        rel = tr.relevant(qq)
        if rel is not None:
            na["visibleIf"] = rel
        out.append(na)
    return out
