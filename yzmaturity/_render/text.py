"""Plain-text rendering for the terminal (the CLI's readable output).

Any language other than ``en`` reads as Chinese here (the CLI's default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .funding import Footnotes, funding_lines, sources_lines
from .labels import labels

if TYPE_CHECKING:
    from .._assessment import Assessment
    from .._compare import Comparison
    from .._matching import Recommendation
    from .._model import Questionnaire
    from .._roadmap import Roadmap
__all__ = [
    "assessment_summary",
    "comparison_summary",
    "questionnaire_outline",
    "recommendations_text",
    "roadmap_text",
]


def _labels(lang: str) -> dict[str, str]:
    return labels("text", "en" if lang == "en" else "zh")


def _bar(score: float | None, width: int = 20) -> str:
    if score is None:
        return " " * width
    filled = round(score / 100 * width)
    return "█" * filled + "·" * (width - filled)


def _pad(text: str, width: int) -> str:
    """Pad to a display width, counting CJK characters as two columns."""
    shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(0, width - shown)


def assessment_summary(a: Assessment, lang: str = "zh", with_plan: bool = True) -> str:
    t = _labels(lang)
    e = a.enterprise
    lines = [
        f"{e.name}",
        f"{t['questionnaire']}: {a.questionnaire_id} v{a.questionnaire_version} "
        f"({a.questionnaire_hash[:19]})",
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
    for d in a.dimensions.values():
        indent = "  " * (d.depth + 1)
        title = _pad(indent + d.title.of(lang), 34)
        blank = t["judged"] if d.id in judged else t["na"]
        score = f"{d.score:5.1f}" if d.score is not None else f"{blank:>5}"
        level = f"  L{d.level}" if d.level is not None else ""
        lines.append(f"{title} {score} {_bar(d.score)}{level}  ({t['answered']} {d.answered}/{d.questions})")
    gaps = a.top_gaps(5)
    if gaps:
        lines += ["", f"{t['gaps']}:"]
        q = a.questionnaire
        for g in gaps:
            text = q.question(g.id).text.of(lang)
            lines.append(f"  {g.id:<6} -{g.points_lost:4.1f}  {text}")
    if a.warnings:
        lines += ["", f"{t['warnings']}:"] + [f"  {w}" for w in a.warnings]
    if with_plan:
        recs = a.recommendations
        if recs:
            lines += ["", t["recommendations"]]
            lines.append(recommendations_text(recs, lang, limit=3))
        top = len(a.questionnaire.levels.levels) - 1
        if a.level.number < top:
            lines += ["", roadmap_text(a.roadmap(), lang)]
    return "\n".join(lines)


def questionnaire_outline(q: Questionnaire, lang: str = "zh") -> str:
    lines = [f"{q.id} v{q.version}: {q.title.of(lang)}"]
    if q.source is not None:
        lines.append(f"  {q.source.citation}")
    lines.append("")
    cq = q.compiled()
    for dim in q.walk_dimensions():
        depth = int(cq.dim_depth[cq.dim_index[dim.id]])
        lines.append(f"{'  ' * depth}[{dim.id}] {dim.title.of(lang)} (w={dim.weight:g})")
        for question in dim.questions:
            flags = []
            if not question.required:
                flags.append("optional")
            if question.allow_na:
                flags.append("n/a ok")
            if question.relevant is not None:
                flags.append("conditional")
            suffix = f"  ({', '.join(flags)})" if flags else ""
            lines.append(
                f"{'  ' * (depth + 1)}{question.id:<6} {question.type:<15} {question.text.of(lang)}{suffix}"
            )
    lines.append("")
    lines.append("levels:")
    for lv in q.levels.levels:
        lines.append(f"  L{lv.number} {lv.id}: {lv.name.of(lang)}")
    return "\n".join(lines)


def comparison_summary(c: Comparison, lang: str = "zh") -> str:
    t = _labels(lang)
    lines = [f"{c.after.enterprise.name}: {t['progress']}"]
    lines.append(
        f"{t['overall']}: {c.overall.before} -> {c.overall.after} ({c.overall.change:+.1f})"
        if c.overall.change is not None
        else f"{t['overall']}: {c.overall.before} -> {c.overall.after}"
    )
    lv0 = c.before.level
    lv1 = c.after.level
    lines.append(
        f"{t['level_short']}: L{lv0.number} {lv0.name.of(lang)} -> L{lv1.number} {lv1.name.of(lang)}"
    )
    lines.append("")
    for did, d in c.dimensions.items():
        title_text = c.after.questionnaire.dimension(did).title.of(lang)
        change = "" if d.change is None else f"{d.change:+6.1f}"
        before = "n/a" if d.before is None else f"{d.before:5.1f}"
        after = "n/a" if d.after is None else f"{d.after:5.1f}"
        lines.append(f"  {_pad(title_text, 30)} {before} -> {after} {change}")
    if c.categories_changed:
        lines += ["", t["categories_changed"]]
        for cat in c.categories_changed:
            lines.append(
                f"  {cat.category}: fit {cat.fit.before:.2f} -> {cat.fit.after:.2f}, "
                f"{cat.eligibility_before} -> {cat.eligibility_after}"
            )
    for n in c.notes:
        lines.append(f"! {n}")
    return "\n".join(lines)


def recommendations_text(recs: list[Recommendation], lang: str = "zh", limit: int | None = None) -> str:
    lang = "en" if lang == "en" else "zh"
    t = _labels(lang)
    states = labels("state", lang)
    notes = Footnotes(lang)
    lines = []
    for i, r in enumerate(recs[:limit] if limit else recs, start=1):
        lines.append(f"{i}. {r.name.of(lang)} [{r.category}]  fit {r.fit:.2f}  {states[r.eligibility]}")
        if r.eligibility == "not_applicable":
            lines.extend(f"     - {w.of(lang)}" for w in r.why_not)
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
        lines.extend(funding_lines(r, notes, lang))
        for action in r.actions[:2]:
            lines.append(f"     -> {action.of(lang)}")
    lines.extend(sources_lines(notes))
    return "\n".join(lines)


def roadmap_text(rm: Roadmap, lang: str = "zh") -> str:
    t = _labels(lang)
    head = (
        f"{t['roadmap']}: L{rm.current_level} -> L{rm.target_level}, "
        f"{len(rm.steps)} {t['steps']}, {t['effort']} {rm.total_cost:g}, "
        f"{t['overall_lower']} {rm.overall_before:.1f} -> {rm.overall_after:.1f}"
    )
    lines = [head]
    if not rm.reached:
        lines.append("  " + t["roadmap_unreached"])
    for g in rm.gaps:
        if g.gap > 0:
            cur = "n/a" if g.current is None else f"{g.current:g}"
            lines.append(f"  {t['gap']}: {g.kind} {g.ref} {cur} / {g.required:g}")
    for i, s in enumerate(rm.steps, start=1):
        lines.append(
            f"  {i:>2}. [{s.question}] {s.text.of(lang)}: {_fmt_answer(s.current)} -> {_fmt_answer(s.target)}  (+{s.overall_gain:.1f}, {s.effort})"
        )
        if s.guidance:
            lines.append(f"      {s.guidance[0].of(lang)}")
    return "\n".join(lines)


def _fmt_answer(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _questions_below(d: Any) -> list[tuple[Any, Any]]:
    """(leaf dimension, question) under a dimension: its judged-only parts are shown as judged, not n/a."""
    return [(leaf, qq) for leaf in d.walk() for qq in leaf.questions]
