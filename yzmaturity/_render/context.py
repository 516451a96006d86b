"""The template context of the diagnosis report: plain dicts of already-formatted, language-specific values.

``assessment_context`` feeds ``assessment.html``/``.md``; ``level_names``,
``radar_chart`` and ``metadata_rows`` are shared with the progress report
(``progress.py``).  The policy catalog is given by the caller (the report never
loads one itself).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .._version import __version__
from . import fmt, svg
from .funding import Footnotes, funding_context
from .labels import labels
from .levels import dimension_references, target_level

if TYPE_CHECKING:
    from .._assessment import Assessment
    from .._matching import Recommendation
    from .._model import Question, Questionnaire
    from .._policy import PolicyCatalog

__all__ = ["assessment_context", "level_names", "metadata_rows", "radar_chart"]


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


def level_names(a: Assessment, lang: str) -> list[tuple[int, str]]:
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


def radar_chart(
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


def _recommendation(
    r: Recommendation, rank: int, q: Questionnaire, lang: str, notes: Footnotes
) -> dict[str, Any]:
    states = labels("state", lang)
    spec = r.category_spec
    extra = funding_context(r, notes, lang, lambda c: fmt.citation_text(c, q, lang))
    return extra | {
        "rank": rank,
        "id": r.category,
        "name": r.name.of(lang),
        "description": spec.description.of(lang),
        "funds": spec.funds.of(lang),
        "fit": f"{round(r.fit * 100)}%",
        "fit_pct": round(max(0.0, min(1.0, r.fit)) * 100),
        "eligibility": r.eligibility,
        "eligibility_text": states[r.eligibility],
        "priority": f"{round(r.priority * 100)}",
        "not_applicable_reason": fmt.text(spec.not_applicable_reason, lang)
        if r.eligibility == "not_applicable"
        else "",
        "reasons": [
            {
                "text": reason.text.of(lang),
                "weight": f"{reason.weight:+.2f}",
                "cites": [fmt.citation_text(c, q, lang) for c in reason.cites],
                "fn": fn,
            }
            for reason, fn in zip(r.reasons, extra["reason_fns"], strict=True)
        ],
        "unmet": [
            {
                "text": req.text.of(lang),
                "cites": [fmt.citation_text(c, q, lang) for c in req.cites],
                "fn": extra["requirement_fns"][req.id],
            }
            for req in r.unmet
        ],
        "to_check": [
            {
                "text": req.text.of(lang),
                "manual": req.manual,
                "cites": [fmt.citation_text(c, q, lang) for c in req.cites],
                "fn": extra["requirement_fns"][req.id],
            }
            for req in r.to_check
        ],
        "tier": "" if r.tier is None else r.tier.name.of(lang),
        "tier_note": "" if r.tier is None else fmt.text(r.tier.note, lang),
        "actions": [x.of(lang) for x in dict.fromkeys(r.actions)],
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
        cost=fmt.effort_text([s.effort for s in rm.steps], lang),
        before=fmt.num(rm.overall_before),
        after=fmt.num(rm.overall_after),
    )
    gaps = []
    for g in rm.gaps:
        if g.kind == "dimension":
            label = fmt.dimension_title(q, g.ref, lang)
        elif g.kind == "metric":
            label = fmt.metric_title(q, g.ref, lang)
        elif g.kind == "count":
            label = fmt.count_label(g.ref, lang)
        else:
            label = fmt.gap_text(g.kind, g.ref, g.current, g.required, q, lang)
        gaps.append(
            {
                "label": label,
                "sentence": fmt.gap_text(g.kind, g.ref, g.current, g.required, q, lang),
                "current": fmt.number(g.current if g.kind != "count" else (g.current or 0.0)),
                "required": fmt.number(g.required),
                "gap": t["met"] if g.gap <= 0 else fmt.number(g.gap),
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


def _change(question: Any, current: Any, target: Any, lang: str) -> str:
    """A step's change on the boss's page.  A level's long text (e.g. an MIIT scene's) is left to
    the roadmap section: here the levels alone, so the page holds the official result too."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (current, target))
    if question.type in ("scale", "scene_level") and question.points and numbers:
        return f"{fmt.g(float(current))} → {fmt.g(float(target))}"
    return f"{fmt.value_text(question, current, lang)} → {fmt.value_text(question, target, lang)}"


def _executive(a: Assessment, lang: str, recs: list[Recommendation]) -> dict[str, Any]:
    """The boss's page: three priorities, what doing them brings, and the support to apply for."""
    t = labels("report", lang)
    q = a.questionnaire
    priorities: list[dict[str, str]] = []
    gain_line = ""
    if a.level.number < len(q.levels.levels) - 1:
        rm = a.roadmap()
        top = sorted(rm.steps, key=lambda s: (-s.overall_gain, s.cost))[:3]
        for s in top:
            question = q.question(s.question)
            priorities.append(
                {
                    "text": s.text.of(lang),
                    "change": _change(question, s.current, s.target, lang),
                    "gain": t["exec_points"].format(points=f"{s.overall_gain:.1f}"),
                }
            )
        if top:
            after = a.what_if(**{s.question: s.target for s in top}).overall
            gain_line = t["exec_gain"].format(
                n=len(top), before=fmt.num(a.overall), after=fmt.num(after), gain=fmt.num(after - a.overall)
            )
    chosen = {p["text"] for p in priorities}
    for gap in a.top_gaps(6):  # fewer than three steps (or the top level): the largest gaps
        text = q.question(gap.id).text.of(lang)
        if len(priorities) < 3 and text not in chosen:
            priorities.append(
                {"text": text, "change": "", "gain": t["exec_points"].format(points=f"{gap.points_lost:.1f}")}
            )
    funding = []
    for r in [r for r in recs if r.eligibility == "eligible"][:3]:
        caps = [x.max_yuan for x in r.category_spec.amounts if x.max_yuan is not None]
        funding.append(
            {
                "name": r.name.of(lang),
                "fit": f"{round(r.fit * 100)}%",
                "amount": t["exec_up_to"].format(amount=fmt.yuan(max(caps), lang)) if caps else "",
                "brings": r.category_spec.funds.of(lang),
            }
        )
    return {"priorities": priorities, "gain": gain_line, "funding": funding}


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


def _official(a: Assessment, lang: str) -> dict[str, str] | None:
    """The official instrument's total and level, when the questionnaire contains one."""
    official = a.official
    if official is None:
        return None
    t = labels("report", lang)
    if official.overall is None or official.level is None:
        value = t["official_missing"].format(n=len(official.problems))
    else:
        value = f"{official.overall:.2f} / 100 · L{official.level.number} {official.level.name.of(lang)}"
    return {"title": official.title.of(lang), "value": value, "note": t["official_note"]}


def _documents(a: Assessment, lang: str) -> list[dict[str, Any]]:
    """The evidence each question asks for (the documents to prepare), in questionnaire order."""
    return [
        {
            "id": question.id,
            "text": question.text.of(lang),
            "docs": [doc.of(lang) for doc in question.evidence],
        }
        for question in a.questionnaire.questions
        if question.evidence
    ]


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


def metadata_rows(a: Assessment, lang: str, catalog: PolicyCatalog | None) -> list[tuple[str, str]]:

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
    radar = radar_chart(
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
    notes = Footnotes(lang)
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
                level_names(a, lang),
                level.number,
                target=None if level.number >= top else target,
                here=t["you_are_here"],
                title=t["level_ladder"],
            )
        ),
        "ladder_rows": [
            {"number": n, "name": name, "current": n == level.number} for n, name in level_names(a, lang)
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
        "executive": _executive(a, lang, recs),
        "recommendations": [_recommendation(r, i, q, lang, notes) for i, r in enumerate(recs, start=1)],
        "sources": notes.rows(),
        "roadmap": _roadmap(a, lang),
        "answer_groups": _answers(a, lang),
        "documents": _documents(a, lang),
        "official": _official(a, lang),
        "metadata": metadata_rows(a, lang, catalog),
        "warnings": [w.text(lang) for w in a.warnings],
        "disclaimer": t["disclaimer"],
    }
