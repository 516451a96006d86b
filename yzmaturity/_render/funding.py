"""Funding advice as people read it: tiers, "why not", the subsidy range and provenance footnotes.

Shared by the report context and the terminal text.  Every rule shown
(requirement, fit rule, tier, amount) gets a footnote number pointing to its
source and status; the list of sources closes the section.  Every word comes
from the label table (``labels.yaml``, group ``report``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._funding import Why
from .._matching import requirement_reason
from .._text import Text
from .fmt import yuan
from .labels import labels

if TYPE_CHECKING:
    from .._funding import AmountResult, FundingEstimate
    from .._matching import Citation, Recommendation, TierResult

__all__ = ["Footnotes", "funding_context", "funding_lines", "range_text", "sources_lines", "worded"]

Describe = Callable[["Citation"], str]


def _status(status: str, lang: str) -> str:
    t = labels("report", lang)
    return {
        "verified": t["status_verified"],
        "to_check": t["status_to_check"],
        "project": t["status_project"],
    }[status]


def _scope(scope: str, lang: str) -> str:
    t = labels("report", lang)
    return {
        "self": t["scope_self"],
        "city": t["scope_city"],
        "district": t["scope_district"],
        "province": t["scope_province"],
        "national": t["scope_national"],
    }[scope]


def _applies(applies: str, lang: str) -> str:
    t = labels("report", lang)
    return {"yes": t["applies_yes"], "unknown": t["applies_unknown"], "no": t["applies_no"]}[applies]


def _stacks(stacks: bool | None, lang: str) -> str:
    t = labels("report", lang)
    return t["stacks_unknown"] if stacks is None else t["stacks_yes"] if stacks else t["stacks_no"]


@dataclass
class Footnotes:
    """Sources numbered in order of first use; the same source and status keep one number."""

    lang: str = "zh"
    entries: dict[tuple[str, str], int] = field(default_factory=dict)

    def mark(self, source: str, status: str) -> int:
        return self.entries.setdefault((source, status), len(self.entries) + 1)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"n": n, "source": source, "status": _status(status, self.lang), "status_id": status}
            for (source, status), n in self.entries.items()
        ]


def range_text(f: FundingEstimate, lang: str) -> str:
    """The expected range of an estimate in words, e.g. ``预计 0元 – 100万元``."""
    t = labels("report", lang)
    if not f.candidates:
        return t["funding_none"]
    if f.high_yuan == 0 and not f.complete:
        return t["amount_unknown"]
    text = f"{t['funding_expected']} {yuan(f.low_yuan, lang)} – {yuan(f.high_yuan, lang)}"
    if f.high_if_stacked_yuan is not None:
        text += f" ({t['funding_if_stacked']} {yuan(f.high_if_stacked_yuan, lang)})"
    if not f.complete:
        text += f"; {t['funding_incomplete']}"
    return text


def worded(text: Text, lang: str, describe: Describe | None) -> str:
    """A reason in ``lang``; one that cites inputs has them worded by ``describe``."""
    return text.worded(lang, describe) if isinstance(text, Why) else text.of(lang)


def _amount_row(a: AmountResult, notes: Footnotes, lang: str, describe: Describe | None) -> dict[str, Any]:
    t = labels("report", lang)
    if a.high_yuan is None:
        value = t["amount_unknown"]
    elif a.basis == "cap":
        value = f"{t['amount_up_to']} {yuan(a.high_yuan, lang)}"
    else:
        value = yuan(a.high_yuan, lang)
    return {
        "item": a.item.of(lang),
        "applies": a.applies,
        "applies_text": _applies(a.applies, lang),
        "value": value,
        "scope": _scope(a.scope, lang),
        "year": a.year,
        "stacks": _stacks(a.stacks, lang),
        "why": ("；" if lang == "zh" else "; ").join(worded(x, lang, describe) for x in a.why),
        "fn": notes.mark(a.source, a.status),
    }


def _tier_reasons(t: TierResult, notes: Footnotes, lang: str, describe: Describe | None) -> list[str]:
    lines = []
    if t.eligibility != "not_applicable":
        for r in t.requirements:
            if r.status != "met":
                text = worded(requirement_reason(r), lang, describe)
                lines.append(f"{text} [{notes.mark(r.source, r.rule_status)}]")
    return lines + [x.of(lang) for x in t.notes]


def _tier_row(t: TierResult, notes: Footnotes, lang: str, describe: Describe | None) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name.of(lang),
        "eligibility": t.eligibility,
        "eligibility_text": labels("state", lang)[t.eligibility],
        "recognised_by": _scope(t.recognised_by, lang),
        "reasons": _tier_reasons(t, notes, lang, describe),
        "fn": notes.mark(t.source, t.status),
    }


def funding_context(
    r: Recommendation, notes: Footnotes, lang: str, describe: Describe | None = None
) -> dict[str, Any]:
    """What a report shows of one recommendation beyond fit and reasons.

    ``describe`` turns a cited input into text (the report's labels); default: its plain form.
    """
    names = {t.id: t.name.of(lang) for t in r.tiers}
    untied = labels("report", lang)["funding_untied"]
    return {
        "why_not": [worded(x, lang, describe) for x in r.why_not],
        "tiers": [_tier_row(t, notes, lang, describe) for t in r.tiers],
        "funding": [
            {
                "tier": untied if f.tier is None else names.get(f.tier, f.tier),
                "range": range_text(f, lang),
                "rows": [_amount_row(a, notes, lang, describe) for a in f.items],
            }
            for f in r.funding
        ],
        "reason_fns": [notes.mark(x.source, x.status) for x in r.reasons],
        "requirement_fns": {
            x.id: notes.mark(x.source, x.rule_status) for x in r.requirements if x.status != "met"
        },
    }


def funding_lines(
    r: Recommendation, notes: Footnotes, lang: str, describe: Describe | None = None
) -> list[str]:
    """The terminal text: why not, the tiers, the range per tier, each rule with its footnote."""
    ctx = funding_context(r, notes, lang, describe)
    lines = [f"     ! {x}" for x in ctx["why_not"]]
    for tier in ctx["tiers"]:
        lines.append(f"     * {tier['name']}: {tier['eligibility_text']} [{tier['fn']}]")
        lines.extend(f"         {reason}" for reason in tier["reasons"])
    for f in ctx["funding"]:
        lines.append(f"     $ {f['tier']}: {f['range']}")
        for item in f["rows"]:
            if item["applies"] == "no":
                continue
            lines.append(
                f"         {item['item']}: {item['value']} ({item['scope']} {item['year']}, "
                f"{item['stacks']}; {item['applies_text']}) [{item['fn']}]"
            )
    return lines


def sources_lines(notes: Footnotes) -> list[str]:
    """The numbered list of sources with their status (the footnotes of the terminal text)."""
    if not notes.entries:
        return []
    title = labels("report", notes.lang)["sources_title"]
    return [f"{title}:"] + [f"  [{row['n']}] {row['source']} ({row['status']})" for row in notes.rows()]
