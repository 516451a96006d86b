"""Plain-text rendering for the terminal (the CLI's readable output).

One language at a time (any language other than ``en`` reads as Chinese, the
CLI's default): questions, options, dimensions and categories by their names,
values as labels, conditions as sentences.  ``ids=True`` adds the ids (and the
error codes) for consultants and scripts.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from . import fmt
from .funding import Footnotes, funding_lines, sources_lines, worded
from .labels import labels

if TYPE_CHECKING:
    from .._assessment import Assessment
    from .._compare import Comparison
    from .._matching import Recommendation
    from .._model import Questionnaire
    from .._roadmap import Roadmap
__all__ = [
    "answer_template",
    "assessment_summary",
    "comparison_summary",
    "questionnaire_outline",
    "recommendations_text",
    "roadmap_text",
]


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def _labels(lang: str) -> dict[str, str]:
    return labels("text", _lang(lang))


def _bar(score: float | None, width: int = 20) -> str:
    if score is None:
        return " " * width
    filled = round(score / 100 * width)
    return "█" * filled + "·" * (width - filled)


def _width(text: str) -> int:
    """Display width, counting CJK and full-width characters as two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """Pad to a display width, counting CJK characters as two columns."""
    return text + " " * max(0, width - _width(text))


def _id(ident: str, ids: bool) -> str:
    return f" [{ident}]" if ids else ""


def _pct(fit: float | None) -> str:
    return "—" if fit is None else f"{round(fit * 100)}%"


def assessment_summary(a: Assessment, lang: str = "zh", with_plan: bool = True, ids: bool = False) -> str:
    lang = _lang(lang)
    t = _labels(lang)
    e = a.enterprise
    q = a.questionnaire
    source = f"{q.title.of(lang)} v{a.questionnaire_version}"
    if ids:
        source += f" [{a.questionnaire_id} {a.questionnaire_hash[:19]}]"
    lines = [
        f"{e.name}",
        f"{t['questionnaire']}: {source}",
        "",
        f"{t['overall']}: {a.overall:.1f} / 100",
        f"{t['level']}: L{a.level.number} {a.level.name.of(lang)}",
    ]
    official = a.official
    if official is not None:
        if official.overall is None or official.level is None:
            shown = t["official_missing"].format(n=len(official.problems))
        else:
            shown = f"{official.overall:.2f} / 100, L{official.level.number} {official.level.name.of(lang)}"
        lines.append(f"{t['official']} ({official.title.of(lang)}): {shown}")
    lines += [
        "",
        f"{t['dimensions']}:",
    ]
    judged = {
        d.id for d in a.questionnaire.walk_dimensions() if all(qq.judged for _, qq in _questions_below(d))
    }
    titles = {d.id: "  " * (d.depth + 1) + d.title.of(lang) + _id(d.id, ids) for d in a.dimensions.values()}
    width = max(_width(x) for x in titles.values()) + 2
    for d in a.dimensions.values():
        blank = t["judged"] if d.id in judged else t["na"]
        score = f"{d.score:5.1f}" if d.score is not None else f"{blank:>5}"
        level = f"L{d.level}" if d.level is not None else "  "
        answered = t["answered_of"].format(answered=d.answered, total=d.questions)
        lines.append(f"{_pad(titles[d.id], width)}{score} {_bar(d.score)}  {level}  {answered}")
    gaps = a.top_gaps(5)
    if gaps:
        lines += ["", f"{t['gaps']}:"]
        for gap in gaps:
            text = q.question(gap.id).text.of(lang)
            points = t["points"].format(points=f"{gap.points_lost:.1f}")
            lines.append(f"  {_pad(points, 10)}{text}{_id(gap.id, ids)}")
    if a.warnings:
        lines += ["", f"{t['warnings']}:"]
        lines += [f"  - {w.text(lang)}" + (f"  [{w.code}] {w.where}" if ids else "") for w in a.warnings]
    if with_plan:
        recs = a.recommendations
        if recs:
            lines += ["", t["recommendations"]]
            lines.append(recommendations_text(recs, lang, limit=3, ids=ids, questionnaire=q))
        top = len(q.levels.levels) - 1
        if a.level.number < top:
            lines += ["", roadmap_text(a.roadmap(), lang, ids=ids, questionnaire=q)]
    return "\n".join(lines)


_TYPES = ("single_choice", "multiple_choice", "yes_no", "scale", "scene_level", "numeric")


def questionnaire_outline(q: Questionnaire, lang: str = "zh", ids: bool = False) -> str:
    lang = _lang(lang)
    t = _labels(lang)
    head = f"{q.title.of(lang)} v{q.version}"
    lines = [head + (f" [{q.id}]" if ids else "")]
    if q.source is not None:
        lines.append(f"  {q.source.citation}")
    lines.append("")
    cq = q.compiled()
    types = {k: t[f"type_{k}"] for k in _TYPES}
    type_width = max(_width(v) for v in types.values()) + 2
    id_width = max(len(x) for x in cq.qids) + 2 if ids else 0
    for dim in q.walk_dimensions():
        depth = int(cq.dim_depth[cq.dim_index[dim.id]])
        weight = t["weight"].format(weight=fmt.g(dim.weight))
        lines.append(f"{'  ' * depth}{dim.title.of(lang)}{_id(dim.id, ids)}  ({weight})")
        for question in dim.questions:
            flags = []
            if not question.required:
                flags.append(t["optional"])
            if question.allow_na:
                flags.append(t["na_allowed"])
            if question.relevant is not None:
                flags.append(t["conditional"])
            suffix = f"  ({t['sep'].join(flags)})" if flags else ""
            ident = question.id.ljust(id_width) if ids else ""
            lines.append(
                f"{'  ' * (depth + 1)}{ident}{_pad(types[question.type], type_width)}"
                f"{question.text.of(lang)}{suffix}"
            )
    lines.append("")
    lines.append(f"{t['levels']}:")
    for lv in q.levels.levels:
        lines.append(f"  L{lv.number} {lv.name.of(lang)}{_id(lv.id, ids)}")
    return "\n".join(lines)


def comparison_summary(c: Comparison, lang: str = "zh", ids: bool = False) -> str:
    lang = _lang(lang)
    t = _labels(lang)
    lines = [f"{c.after.enterprise.name}: {t['progress']}"]
    before = fmt.num(c.overall.before)
    after = fmt.num(c.overall.after)
    lines.append(f"{t['overall']}: {before} → {after} ({fmt.signed(c.overall.change)})")
    lv0 = c.before.level
    lv1 = c.after.level
    lines.append(f"{t['level_short']}: L{lv0.number} {lv0.name.of(lang)} → L{lv1.number} {lv1.name.of(lang)}")
    lines.append("")
    titles = {}
    for did in c.dimensions:
        d = c.after.dimensions[did]
        titles[did] = "  " * (d.depth + 1) + d.title.of(lang) + _id(did, ids)
    width = max((_width(x) for x in titles.values()), default=0) + 2
    for did, delta in c.dimensions.items():
        lines.append(
            f"{_pad(titles[did], width)}{fmt.num(delta.before):>5} → {fmt.num(delta.after):>5}"
            f"  {fmt.signed(delta.change):>6}"
        )
    if c.categories_changed:
        states = labels("state", lang)
        names = {r.category: r.name.of(lang) for r in c.after.recommendations}
        lines += ["", t["categories_changed"]]
        for cat in c.categories_changed:
            name = names.get(cat.category, cat.category) + _id(cat.category, ids)
            state = states.get(cat.eligibility_after, cat.eligibility_after)
            if cat.eligibility_changed:
                state = f"{states.get(cat.eligibility_before, cat.eligibility_before)} → {state}"
            lines.append(f"  {name}: {t['fit']} {_pct(cat.fit.before)} → {_pct(cat.fit.after)}, {state}")
    notes = [*c.notes, *c.after.warnings]
    if notes:
        lines += ["", f"{t['warnings']}:"]
        lines += [f"  - {n.text(lang)}" + (f"  [{n.code}]" if ids else "") for n in notes]
    return "\n".join(lines)


def recommendations_text(
    recs: list[Recommendation],
    lang: str = "zh",
    limit: int | None = None,
    ids: bool = False,
    questionnaire: Questionnaire | None = None,
) -> str:
    """The ranked categories as terminal text; with the ``questionnaire``, cited inputs read as sentences."""
    lang = _lang(lang)
    q = questionnaire
    describe = None if q is None or ids else (lambda c: fmt.citation_text(c, q, lang))
    t = _labels(lang)
    states = labels("state", lang)
    notes = Footnotes(lang)
    lines = []
    for i, r in enumerate(recs[:limit] if limit else recs, start=1):
        lines.append(
            f"{i}. {r.name.of(lang)}{_id(r.category, ids)}  {t['fit']} {_pct(r.fit)}  {states[r.eligibility]}"
        )
        if r.eligibility == "not_applicable":
            lines.extend(f"     - {worded(w, lang, describe)}" for w in r.why_not)
            continue
        for reason in r.reasons:
            lines.append(f"     + {reason.text.of(lang)} [{notes.mark(reason.source, reason.status)}]")
        for req in r.unmet:
            lines.append(
                f"     x {t['unmet']}{req.text.of(lang)} [{notes.mark(req.source, req.rule_status)}]"
            )
        for req in r.to_check:
            lines.append(
                f"     ? {t['to_check']}{req.text.of(lang)} [{notes.mark(req.source, req.rule_status)}]"
            )
        if r.tier is not None:
            lines.append(f"     > {t['tier']}{r.tier.name.of(lang)}")
        lines.extend(funding_lines(r, notes, lang, describe))
        for action in r.actions[:2]:
            lines.append(f"     → {action.of(lang)}")
    lines.extend(sources_lines(notes))
    return "\n".join(lines)


def roadmap_text(
    rm: Roadmap, lang: str = "zh", ids: bool = False, questionnaire: Questionnaire | None = None
) -> str:
    lang = _lang(lang)
    t = _labels(lang)
    effort = fmt.effort_text([s.effort for s in rm.steps], lang)
    head = t["roadmap_head"].format(
        current=rm.current_level,
        target=rm.target_level,
        n=len(rm.steps),
        effort=effort,
        before=f"{rm.overall_before:.1f}",
        after=f"{rm.overall_after:.1f}",
    )
    lines = [head]
    if not rm.reached:
        lines.append("  " + t["roadmap_unreached"])
    q = questionnaire
    if q is not None:
        needs = [g for g in rm.gaps if g.gap > 0]
        if needs:
            lines.append(f"  {t['needed']}:")
            for g in needs:
                lines.append(f"    - {fmt.gap_text(g.kind, g.ref, g.current, g.required, q, lang)}")
    report = labels("report", lang)
    for i, s in enumerate(rm.steps, start=1):
        question = None if q is None else fmt.question_or_none(q, s.question)
        current = fmt.value_text(question, s.current, lang)
        target = fmt.value_text(question, s.target, lang)
        gain = t["gain"].format(gain=f"{s.overall_gain:.1f}", effort=report[f"effort_{s.effort}"])
        lines.append(f"  {i:>2}. {s.text.of(lang)}{_id(s.question, ids)}")
        lines.append(f"      {current} → {target}  {gain}")
        if s.guidance:
            lines.append(f"      {s.guidance[0].of(lang)}")
    return "\n".join(lines)


def _questions_below(d: Any) -> list[tuple[Any, Any]]:
    """(leaf dimension, question) under a dimension: its judged-only parts are shown as judged, not n/a."""
    return [(leaf, qq) for leaf in d.walk() for qq in leaf.questions]


def answer_template(q: Questionnaire, lang: str = "zh") -> str:
    """An answer-sheet skeleton: every question, its choices as comments (in ``lang``), values empty.

    The keys are the file format's (question and option ids); the comments say
    what each one is in one language.
    """
    lang = _lang(lang)
    t = _labels(lang)

    def comment(text: str) -> str:
        return "# " + " ".join(text.split())

    lines = [
        comment(t["tpl_head"].format(title=q.title.of(lang), version=q.version)),
        comment(t["tpl_fill"]),
        comment(t["tpl_check"]),
        f"questionnaire: {q.id}",
        f"questionnaire_version: {json.dumps(q.version)}",
        f"date: {dt.date.today().isoformat()}",
        "assessor:",
        f"  kind: self            # {t['tpl_kind']}",
        "  # name: ",
        "enterprise:",
        f'  name: ""              # {t["tpl_required"]}',
        f"  # credit_code:        # {t['tpl_credit_code']}",
        "  # region: 江都区",
        f"  # industry: C36       # {t['tpl_industry']}",
        "  # employees: 0",
        f"  # revenue_yuan: 0     # {t['tpl_revenue']}",
        "  # roles: [manufacturer]   # manufacturer | equipment_maker | solution_provider",
        "  # rnd: false",
        f"  # diagnosed: false        # {t['tpl_diagnosed']}",
        "  # planned_investment_yuan: 0",
        "  # years_operating: 0",
        f"  # cmmm_level: 0           # {t['tpl_cmmm_level']}",
        f"  # cmmm_assessed_by: self  # {t['tpl_cmmm_by']}",
        f"  # js_selftest_score: 0    # {t['tpl_selftest']}",
        f"  # no_major_incident: true # {t['tpl_incident']}",
        f"  # good_credit: true       # {t['tpl_credit']}",
        "answers:",
    ]
    cq = q.compiled()
    for dim in q.walk_dimensions():
        depth = int(cq.dim_depth[cq.dim_index[dim.id]])
        title = f"【{dim.title.of(lang)}】" if lang == "zh" else f"--- {dim.title.of(lang)} ---"
        lines.append("  " + comment("  " * depth + title))
        for question in dim.questions:
            flags: list[str] = [t[f"type_{question.type}"]]
            if not question.required:
                flags.append(t["optional"])
            if question.allow_na:
                flags.append(t["na_allowed"])
            if question.relevant is not None:
                flags.append(t["conditional"])
            lines.append("  " + comment(f"{question.text.of(lang)} ({t['sep'].join(flags)})"))
            if question.help is not None:
                lines.append("  " + comment(f"  {question.help.of(lang)}"))
            for o in question.options:
                lines.append("  " + comment(f"  {o.id}: {o.label.of(lang)}"))
            if question.type == "multiple_choice":
                lines.append("  " + comment("  " + t["tpl_list"]))
            if question.type == "numeric":
                lo = "" if question.min is None else f"{question.min:g}"
                hi = "" if question.max is None else f"{question.max:g}"
                lines.append("  " + comment(f"  {lo}..{hi} {question.unit or ''}"))
                if question.counts is not None:
                    part, whole = question.counts.part.of(lang), question.counts.whole.of(lang)
                    lines.append("  " + comment("  " + t["tpl_counts"].format(part=part, whole=whole)))
                for band in question.bands:
                    if band.label is not None:
                        lines.append("  " + comment(f"  {band.label.of(lang)}"))
            if question.judged:
                lines.append("  " + comment("  " + t["tpl_judged"]))
            for doc in question.evidence:
                lines.append("  " + comment(f"  {t['tpl_evidence']}: {doc.of(lang)}"))
            if question.type == "yes_no":
                lines.append("  " + comment("  " + t["tpl_yes_no"]))
            if question.type in ("scale", "scene_level"):
                lines.append("  " + comment(f"  {question.min:g}..{question.max:g}"))
                for pt in question.points:
                    lines.append("  " + comment(f"  {pt.value}: {pt.label.of(lang)}"))
            lines.append(f"  {question.id}:")
    return "\n".join(lines) + "\n"
