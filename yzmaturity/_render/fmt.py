"""Formatting for the reports: numbers, money, answer values as people read them, cited inputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._exceptions import NotFoundError
from .labels import labels

if TYPE_CHECKING:
    from .._answers import Answer, AnswerSheet
    from .._matching import Citation
    from .._model import Question, Questionnaire
    from .._text import Text

__all__ = [
    "answer_or_value",
    "answer_text",
    "citation_text",
    "count_label",
    "date",
    "dimension_title",
    "effort_text",
    "g",
    "gap_text",
    "markup",
    "metric_title",
    "num",
    "number",
    "plain",
    "question_or_none",
    "signed",
    "text",
    "text_bar",
    "value_text",
    "yuan",
]

_OPS = ("gte", "gt", "lte", "lt", "eq", "ne", "in_", "not_in", "contains")


def number(value: float | None) -> str:
    """One precision everywhere: whole numbers as they are, others to one decimal."""
    if value is None:
        return "—"
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def signed(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    rounded = round(value, digits)
    if rounded == 0:
        return f"±{0:.{digits}f}"
    return f"{rounded:+.{digits}f}"


def g(value: float) -> str:
    return f"{value:g}"


def yuan(amount: float, lang: str) -> str:
    if lang == "zh":
        if amount >= 10_000:
            return f"{amount / 10_000:g}万元"
        return f"{amount:g}元"
    return f"CNY {amount:,.0f}"


def text(t: Text | None, lang: str) -> str:
    return "" if t is None else t.of(lang)


def value_text(question: Question | None, value: Any, lang: str) -> str:
    """An answer value as people read it: option labels (not ids), yes/no, numbers with units."""
    t = labels("report", lang)
    if value is None:
        return t["not_answered"]
    if value == "n/a":
        return t["na"]
    if question is None:
        return plain(value, lang)
    kind = question.type
    if kind == "single_choice":
        opt = question.option(str(value))
        return opt.label.of(lang) if opt is not None else str(value)
    if kind == "multiple_choice":
        values = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        if not values:
            return t["none_selected"]
        chosen = []
        for v in values:
            opt = question.option(str(v))
            chosen.append(opt.label.of(lang) if opt is not None else str(v))
        return "；".join(chosen) if lang == "zh" else "; ".join(chosen)
    if kind == "yes_no":
        return t["yes"] if bool(value) else t["no"]
    if kind in ("scale", "scene_level"):
        point = next((p for p in question.points if p.value == value), None)
        shown = g(float(value)) if isinstance(value, int | float) else str(value)
        if point is None:
            return shown
        return f"{shown}（{point.label.of(lang)}）" if lang == "zh" else f"{shown} ({point.label.of(lang)})"
    if kind == "numeric" and isinstance(value, int | float) and not isinstance(value, bool):
        unit = question.unit or ""
        return f"{g(float(value))}{'' if unit in ('', '%') else ' '}{unit}"
    return plain(value, lang)


def plain(value: Any, lang: str) -> str:
    t = labels("report", lang)
    if isinstance(value, bool):
        return t["yes"] if value else t["no"]
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100_000 else f"{value:g}"
    if isinstance(value, set | frozenset | list | tuple):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
        return ", ".join(labels("role", lang).get(str(v), str(v)) for v in items) or "—"
    if isinstance(value, str):
        return labels("role", lang).get(value, labels("size", lang).get(value, value))
    return str(value)


def answer_text(question: Question, answer: Answer | None, lang: str) -> str:
    if answer is None:
        return labels("report", lang)["not_answered"]
    if answer.not_applicable:
        return labels("report", lang)["na"]
    return value_text(question, answer.value, lang)


def question_or_none(q: Questionnaire, qid: str) -> Question | None:
    try:
        return q.question(qid)
    except NotFoundError:  # an id the questionnaire does not have (e.g. another version)
        return None


def dimension_title(q: Questionnaire, did: str, lang: str) -> str:
    try:
        return q.dimension(did).title.of(lang)
    except NotFoundError:
        return did


def metric_title(q: Questionnaire, ref: str, lang: str) -> str:
    if ref in ("overall", "level"):
        return labels("report", lang)[ref]
    metric = next((m for m in q.metrics if m.id == ref), None)
    return ref if metric is None else metric.title.of(lang)


def _count_parts(ref: str, lang: str) -> tuple[str, str]:
    """``scene+mandatory at >= 3`` -> (what is counted, the bar), in words."""
    t = labels("report", lang)
    sel, _, bar = ref.partition(" at >= ")
    if "," in sel or not sel:
        subject = t["count_listed"].format(n=len([x for x in sel.split(",") if x]))
    else:
        key = sel.replace("+", "_")
        subject = t.get(f"subject_{key}", t["subject_tagged"])
    return subject, bar


def count_label(ref: str, lang: str) -> str:
    """``scene+mandatory at >= 3`` -> a readable count label (no tags, no ids)."""
    subject, bar = _count_parts(ref, lang)
    return labels("report", lang)["count_ref"].format(subject=subject, bar=bar)


def gap_text(kind: str, ref: str, current: float | None, required: float, q: Questionnaire, lang: str) -> str:
    """A bar of a level rule as a sentence: where the enterprise stands and what is needed."""
    t = labels("report", lang)
    if kind == "count":
        subject, bar = _count_parts(ref, lang)
        return t["gap_count"].format(
            subject=subject, bar=bar, current=number(current or 0.0), required=number(required)
        )
    if kind == "dimension":
        name = dimension_title(q, ref, lang)
        return t["gap_dimension"].format(name=name, current=number(current), required=number(required))
    name = metric_title(q, ref, lang) if kind == "metric" else ref
    return t["gap_metric"].format(name=name, current=number(current), required=number(required))


def effort_text(efforts: list[str], lang: str) -> str:
    """The effort of a set of steps by class: ``低 9 项、中 7 项、高 1 项`` (no bare effort points)."""
    t = labels("report", lang)
    parts = []
    for level in ("low", "medium", "high"):
        n = efforts.count(level)
        if n:
            parts.append(t["effort_count"].format(effort=t[f"effort_{level}"], n=n))
    return ("、" if lang == "zh" else ", ").join(parts) or "—"


def citation_text(c: Citation, q: Questionnaire, lang: str) -> str:
    """One cited input: what it is, its value and the bar of the condition that read it."""
    kinds = labels("kind", lang)
    question = None
    if c.kind == "dimension":
        label = f"{kinds['dimension']} {dimension_title(q, c.ref, lang)}"
    elif c.kind == "metric":
        label = metric_title(q, c.ref, lang)
    elif c.kind in ("question", "question_score"):
        question = question_or_none(q, c.ref)
        shown = question.text.of(lang) if question is not None else c.ref
        label = f"{kinds[c.kind]} {shown}"
    elif c.kind == "profile":
        label = labels("profile", lang).get(c.ref, c.ref)
    elif c.kind == "count":
        label = count_label(c.ref, lang)
    else:
        label = f"{c.kind} {c.ref}"
    if c.kind == "question":
        value = value_text(question, c.value, lang) if c.value is not None else t_unknown(lang)
    elif c.value is None:
        value = t_unknown(lang)
    elif isinstance(c.value, float) and c.kind != "profile":
        value = number(c.value)
    else:
        value = plain(c.value, lang)
    t = labels("report", lang)
    text = t["cite_value"].format(label=label, value=value)
    if c.op and c.op in _OPS:
        text += t["cite_condition"].format(op=t[f"op_{c.op}"], bar=_threshold_text(c, question, lang))
    return text


def t_unknown(lang: str) -> str:
    return labels("report", lang)["unknown"]


def _threshold_text(c: Citation, question: Question | None, lang: str) -> str:
    """The bar of a cited comparison: option labels for choices, plain numbers for ordinal bars."""
    th = c.threshold
    if th is None:
        return t_unknown(lang)
    ordinal = c.op in ("gt", "gte", "lt", "lte")
    if c.kind == "question" and question is not None and not ordinal:
        if c.op == "contains" or question.type in ("single_choice", "multiple_choice"):
            items = th if isinstance(th, list | tuple) else [th]
            names = []
            for v in items:
                opt = question.option(str(v))
                names.append(opt.label.of(lang) if opt is not None else str(v))
            return ("、" if lang == "zh" else ", ").join(names)
        if isinstance(th, list | tuple):
            return ("、" if lang == "zh" else ", ").join(value_text(question, v, lang) for v in th)
        return value_text(question, th, lang)
    if isinstance(th, list | tuple):
        return ("、" if lang == "zh" else ", ").join(plain(v, lang) for v in th)
    if isinstance(th, bool) or not isinstance(th, int | float):
        return plain(th, lang)
    return plain(float(th), lang) if abs(th) >= 100_000 else g(float(th))


def answer_or_value(question: Question | None, answer: Answer | None, lang: str) -> str:
    if answer is None:
        return labels("report", lang)["not_answered"]
    if answer.not_applicable:
        return labels("report", lang)["na"]
    return value_text(question, answer.value, lang)


def text_bar(score: float | None, width: int = 20) -> str:
    if score is None:
        return "·" * width
    filled = round(max(0.0, min(100.0, score)) / 100 * width)
    return "█" * filled + "·" * (width - filled)


def markup(svg: str) -> Any:
    from markupsafe import Markup

    return Markup(svg)


def date(sheet: AnswerSheet) -> str:
    return "—" if sheet.date is None else sheet.date.isoformat()
