"""The template contexts of the reports: plain dicts of already-formatted, language-specific values.

``assessment_context`` feeds ``assessment.html``/``.md``, ``progress_context``
``progress.html``/``.md``.  The policy catalog is given by the caller (the
report never loads one itself).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from . import fmt, svg
from .labels import labels
from .levels import dimension_references, target_level

if TYPE_CHECKING:
    from .._assessment import Assessment
    from .._compare import Comparison
    from .._matching import Recommendation
    from .._model import Question, Questionnaire
    from .._policy import PolicyCatalog

__all__ = ["assessment_context", "progress_context"]


def _header(a: Assessment, lang: str) -> dict[str, Any]:
    t = labels("report", lang)
    e = a.enterprise
    assessor = a.sheet.assessor
    who = [t["assessor_self"] if assessor.kind == "self" else t["assessor_consultant"]]
    who += [x for x in (assessor.name, assessor.organisation) if x]
    size = labels("size", lang).get(e.size_class or "", "—")
    if e.above_designated_size:
        size += f"（{t['above_designated_size']}）" if lang == "zh" else f" ({t['above_designated_size']})"
    rows = [
        (t["enterprise"], e.name),
        (t["credit_code"], e.credit_code or "—"),
        (t["region"], e.region or "—"),
        (t["industry"], e.industry or "—"),
        (t["size_class"], size),
        (t["date"], fmt.date(a.sheet)),
        (t["assessor"], " · ".join(who)),
    ]
    return {"name": e.name, "rows": rows}


def _levels(a: Assessment, lang: str) -> list[tuple[int, str]]:
    return [(lv.number, lv.name.of(lang)) for lv in a.questionnaire.levels.levels]


def _dimension_rows(a: Assessment, lang: str, refs: dict[str, tuple[float, bool]]) -> list[dict[str, Any]]:
    rows = []
    for d in a.dimensions.values():
        ref = refs.get(d.id)
        title = d.title.of(lang)
        rows.append(
            {
                "id": d.id,
                "title": title,
                "depth": d.depth,
                "score": fmt.num(d.score),
                "bar": fmt.markup(svg.bar(d.score, target=None if ref is None else ref[0], label=title)),
                "text_bar": fmt.text_bar(d.score),
                "reference": "—"
                if ref is None
                else fmt.g(ref[0]) + (labels("report", lang)["required_mark"] if ref[1] else ""),
                "level": "—" if d.level is None else f"L{d.level}",
                "answered": f"{d.answered}/{d.questions}",
            }
        )
    return rows


def _radar(
    a: Assessment, lang: str, series: list[tuple[str, list[float | None], str, bool]], title: str
) -> Any:
    tops = [d for d in a.dimensions.values() if d.depth == 0]
    axes = [d.title.of(lang) for d in tops]
    return fmt.markup(
        svg.radar(
            axes,
            [
                svg.Series(label, values, color, dashed, 0.06 if dashed else 0.2)
                for label, values, color, dashed in series
            ],
            title=title,
        )
    )


def _recommendation(r: Recommendation, rank: int, q: Questionnaire, lang: str) -> dict[str, Any]:
    states = labels("state", lang)
    spec = r.category_spec
    return {
        "rank": rank,
        "id": r.category,
        "name": r.name.of(lang),
        "description": spec.description.of(lang),
        "funds": spec.funds.of(lang),
        "fit": f"{r.fit:.2f}",
        "fit_pct": round(max(0.0, min(1.0, r.fit)) * 100),
        "eligibility": r.eligibility,
        "eligibility_text": states[r.eligibility],
        "priority": f"{r.priority:.2f}",
        "not_applicable_reason": fmt.text(spec.not_applicable_reason, lang)
        if r.eligibility == "not_applicable"
        else "",
        "reasons": [
            {
                "text": reason.text.of(lang),
                "weight": f"{reason.weight:+.2f}",
                "cites": [fmt.citation_text(c, q, lang) for c in reason.cites],
            }
            for reason in r.reasons
        ],
        "unmet": [
            {"text": req.text.of(lang), "cites": [fmt.citation_text(c, q, lang) for c in req.cites]}
            for req in r.unmet
        ],
        "to_check": [
            {
                "text": req.text.of(lang),
                "manual": req.manual,
                "cites": [fmt.citation_text(c, q, lang) for c in req.cites],
            }
            for req in r.to_check
        ],
        "tier": "" if r.tier is None else r.tier.name.of(lang),
        "tier_note": "" if r.tier is None else fmt.text(r.tier.note, lang),
        "actions": [x.of(lang) for x in dict.fromkeys(r.actions)],
        "amounts": [
            {
                "item": amount.item.of(lang),
                "max": "—" if amount.max_yuan is None else fmt.yuan(amount.max_yuan, lang),
                "note": fmt.text(amount.note, lang),
                "source": amount.source + ("" if amount.year is None else f" ({amount.year})"),
            }
            for amount in spec.amounts
        ],
    }


def _roadmap(a: Assessment, lang: str) -> dict[str, Any]:
    t = labels("report", lang)
    q = a.questionnaire
    levels = q.levels.levels
    top = len(levels) - 1
    if a.level.number >= top:
        return {"top": True, "head": t["roadmap_top"], "reached": True, "gaps": [], "steps": []}
    rm = a.roadmap()
    head = t["roadmap_head"].format(
        current=rm.current_level,
        current_name=levels[rm.current_level].name.of(lang),
        target=rm.target_level,
        target_name=levels[rm.target_level].name.of(lang),
        n=len(rm.steps),
        cost=fmt.g(rm.total_cost),
        before=fmt.num(rm.overall_before),
        after=fmt.num(rm.overall_after),
    )
    gaps = []
    for g in rm.gaps:
        if g.kind == "dimension":
            label = f"{labels('kind', lang)['dimension']} {fmt.dimension_title(q, g.ref, lang)}"
        elif g.kind == "metric":
            label = fmt.metric_title(q, g.ref, lang)
        elif g.kind == "count":
            label = fmt.count_label(g.ref, lang)
        else:
            label = f"{g.kind} {g.ref}"
        digits = 0 if g.kind == "count" else 1
        gaps.append(
            {
                "label": label,
                "current": fmt.num(g.current, digits),
                "required": fmt.num(g.required, digits),
                "gap": t["met"] if g.gap <= 0 else fmt.num(g.gap, digits),
                "met": g.gap <= 0,
            }
        )
    steps = []
    for i, s in enumerate(rm.steps, start=1):
        question = q.question(s.question)
        steps.append(
            {
                "n": i,
                "id": s.question,
                "text": s.text.of(lang),
                "dimension": fmt.dimension_title(q, s.dimension, lang),
                "current": fmt.value_text(question, s.current, lang),
                "target": fmt.value_text(question, s.target, lang),
                "score": f"{s.score_from:.2f} → {s.score_to:.2f}",
                "gain": f"+{s.overall_gain:.1f}",
                "effort": t.get(f"effort_{s.effort}", s.effort),
                "cost": fmt.g(s.cost),
                "guidance": [g.of(lang) for g in s.guidance],
            }
        )
    return {"top": False, "head": head, "reached": rm.reached, "gaps": gaps, "steps": steps}


def _answers(a: Assessment, lang: str) -> list[dict[str, Any]]:
    """Every question by leaf dimension: answer labels, score, note and evidence."""
    t = labels("report", lang)
    q = a.questionnaire
    results = a.questions
    groups = []
    for dim, questions in _leaf_groups(q):
        rows = []
        for question in questions:
            res = results[question.id]
            answer = a.sheet.answers.get(question.id)
            shown = t["not_relevant"] if not res.relevant else fmt.answer_text(question, answer, lang)
            rows.append(
                {
                    "id": question.id,
                    "text": question.text.of(lang),
                    "answer": shown,
                    "score": "—" if res.score is None or not res.applicable else f"{res.score:.2f}",
                    "note": "" if answer is None or answer.note is None else answer.note,
                    "evidence": [] if answer is None else list(answer.evidence),
                }
            )
        groups.append({"id": dim.id, "title": _path_title(q, dim.id, lang), "rows": rows})
    return groups


def _leaf_groups(q: Questionnaire) -> list[tuple[Any, list[Question]]]:
    return [(d, list(d.questions)) for d in q.walk_dimensions() if d.questions]


def _path_title(q: Questionnaire, did: str, lang: str) -> str:
    cq = q.compiled()
    parts = []
    d = cq.dim_index[did]
    while d >= 0:
        parts.append(cq.dims[d].title.of(lang))
        d = int(cq.parent[d])
    return " / ".join(reversed(parts))


def _metadata(a: Assessment, lang: str, catalog: PolicyCatalog | None) -> list[tuple[str, str]]:
    from .. import __version__  # the package root, complete by the time a report is made

    t = labels("report", lang)
    q = a.questionnaire
    rows = [
        (t["questionnaire"], f"{q.id} · {q.title.of(lang)}"),
        (t["questionnaire_version"], q.version),
        (t["questionnaire_hash"], a.questionnaire_hash),
    ]
    if catalog is not None:
        rows.append((t["catalog"], f"{catalog.id} v{catalog.version} · {catalog.title.of(lang)}"))
    rows += [
        (t["generator"], f"yzmaturity {__version__}"),
        (t["generated"], dt.date.today().isoformat()),
    ]
    return rows


def assessment_context(a: Assessment, lang: str, catalog: PolicyCatalog | None) -> dict[str, Any]:
    """The context of ``assessment.html``/``.md``; the support categories are ``catalog``'s (none if None)."""
    t = labels("report", lang)
    q = a.questionnaire
    target = target_level(a)
    top = len(q.levels.levels) - 1
    refs = dimension_references(q, target)
    tops = [d for d in a.dimensions.values() if d.depth == 0]
    radar = _radar(
        a,
        lang,
        [
            (
                t["series_target"].format(target=target),
                [refs[d.id][0] if d.id in refs else None for d in tops],
                svg.TARGET,
                True,
            ),
            (t["series_enterprise"], [d.score for d in tops], svg.ACCENT, False),
        ],
        t["radar"],
    )
    level = a.level
    recs = [] if catalog is None else a.recommend(catalog)
    return {
        "header": _header(a, lang),
        "subtitle": t["subtitle"].format(questionnaire=q.title.of(lang)),
        "overall": fmt.num(a.overall),
        "level_number": level.number,
        "level_name": level.name.of(lang),
        "level_description": fmt.text(level.description, lang),
        "next_level": "" if level.number >= top else f"L{target} {q.levels.levels[target].name.of(lang)}",
        "is_top": level.number >= top,
        "ladder": fmt.markup(
            svg.ladder(
                _levels(a, lang),
                level.number,
                target=None if level.number >= top else target,
                here=t["you_are_here"],
                title=t["level_ladder"],
            )
        ),
        "ladder_rows": [
            {"number": n, "name": name, "current": n == level.number} for n, name in _levels(a, lang)
        ],
        "target": target,
        "radar": radar,
        "radar_note": t["radar_note"].format(target=target),
        "radar_rows": [
            {
                "title": d.title.of(lang),
                "score": fmt.num(d.score),
                "reference": "—" if d.id not in refs else fmt.g(refs[d.id][0]),
            }
            for d in tops
        ],
        "dimension_rows": _dimension_rows(a, lang, refs),
        "required_note": t["required_note"].format(target=target),
        "has_catalog": bool(recs),
        "recommendations": [_recommendation(r, i, q, lang) for i, r in enumerate(recs, start=1)],
        "roadmap": _roadmap(a, lang),
        "answer_groups": _answers(a, lang),
        "metadata": _metadata(a, lang, catalog),
        "warnings": [str(w) for w in a.warnings],
        "disclaimer": t["disclaimer"],
    }


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
    radar = _radar(
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
            "fit_before": fmt.num(cat.fit.before, 2),
            "fit_after": fmt.num(cat.fit.after, 2),
            "fit_change": fmt.signed(cat.fit.change, 2),
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
    metadata = _metadata(a1, lang, catalog)
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
                _levels(a1, lang),
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
        "notes": [
            t.get(f"note_{n.code}", n.message)
            + (f" ({n.expected} → {n.got})" if n.expected is not None else "")
            for n in c.notes
        ],
        "metadata": metadata,
        "disclaimer": t["disclaimer"],
        "date_before": d0,
        "date_after": d1,
    }
