"""The template context of the progress report (T0 -> T1): plain dicts of formatted values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import fmt, svg
from .context import level_names, metadata_rows, radar_chart
from .labels import labels
from .levels import dimension_references, target_level

if TYPE_CHECKING:
    from .._compare import Comparison
    from .._policy import PolicyCatalog

__all__ = ["progress_context"]


def _pct(value: float | None, signed: bool = False) -> str:
    """A fit (0-1) as a whole percentage: one precision for every fit shown."""
    if value is None:
        return "—"
    pct = round(value * 100)
    return (f"{pct:+d}%" if pct else "±0%") if signed else f"{pct}%"


def _relevance(c: Comparison, lang: str) -> list[dict[str, str]]:
    """Questions the new answers made relevant or skipped: what changed besides the answers themselves."""
    t = labels("report", lang)
    q = c.after.questionnaire
    out = []
    for qid, r1 in c.after.questions.items():
        r0 = c.before.questions.get(qid)
        if r0 is None or r0.relevant == r1.relevant:
            continue
        question = fmt.question_or_none(q, qid)
        text = qid if question is None else question.text.of(lang)
        if r1.relevant:
            change = t["became_relevant"] if r1.answered else t["became_relevant_unanswered"]
        else:
            change = t["became_irrelevant"]
        out.append({"text": text, "change": change})
    return out


def progress_context(c: Comparison, lang: str, catalog: PolicyCatalog | None) -> dict[str, Any]:
    """The context of ``progress.html``/``.md``; category names come from ``catalog``."""

    t = labels("report", lang)
    a0, a1 = c.before, c.after
    q = a1.questionnaire
    top = len(q.levels.levels) - 1
    target = target_level(a1)
    refs = dimension_references(q, target)
    tops = [d for d in a1.dimensions.values() if d.depth == 0]
    d0, d1 = fmt.date(a0.sheet), fmt.date(a1.sheet)
    radar = radar_chart(
        a1,
        lang,
        [
            (
                t["series_target"].format(target=target),
                [refs[d.id][0] if d.id in refs else None for d in tops],
                svg.TARGET,
                True,
            ),
            (
                t["series_before"].format(date=d0),
                [c.dimensions[d.id].before if d.id in c.dimensions else None for d in tops],
                svg.BEFORE,
                True,
            ),
            (t["series_after"].format(date=d1), [d.score for d in tops], svg.ACCENT, False),
        ],
        t["radar"],
    )
    dims = []
    for did, delta in c.dimensions.items():
        d = a1.dimensions[did]
        title = d.title.of(lang)
        dims.append(
            {
                "title": title,
                "depth": d.depth,
                "before": fmt.num(delta.before),
                "after": fmt.num(delta.after),
                "change": fmt.signed(delta.change),
                "direction": "up"
                if (delta.change or 0) > 0.05
                else "down"
                if (delta.change or 0) < -0.05
                else "same",
                "bar": fmt.markup(svg.bar(delta.after, before=delta.before, label=title)),
                "text_bar": fmt.text_bar(delta.after),
            }
        )
    states = labels("state", lang)
    names = {} if catalog is None else {cat.id: cat.name.of(lang) for cat in catalog.categories}
    categories = [
        {
            "id": cat.category,
            "name": names.get(cat.category, cat.category),
            "fit_before": _pct(cat.fit.before),
            "fit_after": _pct(cat.fit.after),
            "fit_change": _pct(cat.fit.change, signed=True),
            "eligibility_before": states.get(cat.eligibility_before, cat.eligibility_before),
            "eligibility_after": states.get(cat.eligibility_after, cat.eligibility_after),
            "eligibility_changed": cat.eligibility_changed,
        }
        for cat in c.categories_changed
    ]
    answers = []
    for qid in c.answers_changed:
        question = fmt.question_or_none(q, qid) or fmt.question_or_none(a0.questionnaire, qid)
        ans0, ans1 = a0.sheet.answers.get(qid), a1.sheet.answers.get(qid)
        r0, r1 = a0.questions.get(qid), a1.questions.get(qid)
        answers.append(
            {
                "id": qid,
                "text": qid if question is None else question.text.of(lang),
                "before": fmt.answer_or_value(question, ans0, lang),
                "after": fmt.answer_or_value(question, ans1, lang),
                "score_before": "—" if r0 is None or r0.score is None else f"{r0.score:.2f}",
                "score_after": "—" if r1 is None or r1.score is None else f"{r1.score:.2f}",
                "note": "" if ans1 is None or ans1.note is None else ans1.note,
            }
        )
    e = a1.enterprise
    header_rows = [
        (t["enterprise"], e.name),
        (t["credit_code"], e.credit_code or "—"),
        (t["region"], e.region or "—"),
        (t["industry"], e.industry or "—"),
        (t["period"], f"{d0} → {d1}"),
    ]
    lv0, lv1 = a0.level, a1.level
    metadata = metadata_rows(a1, lang, catalog)
    if a0.questionnaire_hash != a1.questionnaire_hash:
        metadata.insert(
            3, (t["questionnaire_version"] + " (T0)", f"{a0.questionnaire_version} · {a0.questionnaire_hash}")
        )
    return {
        "header": {"name": e.name, "rows": header_rows},
        "subtitle": t["subtitle"].format(questionnaire=q.title.of(lang)),
        "overall_before": fmt.num(c.overall.before),
        "overall_after": fmt.num(c.overall.after),
        "overall_change": fmt.signed(c.overall.change),
        "overall_direction": "up"
        if (c.overall.change or 0) > 0.05
        else "down"
        if (c.overall.change or 0) < -0.05
        else "same",
        "level_before": f"L{lv0.number} {lv0.name.of(lang)}",
        "level_after": f"L{lv1.number} {lv1.name.of(lang)}",
        "level_change": f"{c.level_change:+d}" if c.level_change else "±0",
        "ladder": fmt.markup(
            svg.ladder(
                level_names(a1, lang),
                lv1.number,
                target=None if lv1.number >= top else target,
                previous=lv0.number,
                here="T1",
                before_label="T0",
                title=t["level_ladder"],
            )
        ),
        "radar": radar,
        "radar_note": t["progress_radar_note"].format(target=target),
        "dimension_rows": dims,
        "categories": categories,
        "answers": answers,
        "notes": [n.text(lang) for n in c.notes] + [w.text(lang) for w in a1.warnings],
        "relevance": _relevance(c, lang),
        "metadata": metadata,
        "disclaimer": t["disclaimer"],
        "date_before": d0,
        "date_after": d1,
    }
