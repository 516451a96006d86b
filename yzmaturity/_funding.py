"""The subsidy calculator: which known amounts could apply to an enterprise, and the expected range.

For one enterprise (one row) and one category, every amount of the catalog is
judged:

* **where**: ``regions`` (if named) must appear in the enterprise's region; else a
  ``city`` amount needs the enterprise in Yangzhou, a ``province`` amount in
  Jiangsu, a ``national`` amount applies anywhere;
* **tier**: an amount rewarding a tier applies only while the tier is not refused;
* **when** and ``min_investment_yuan``: a further condition and a floor on the
  planned investment;
* **how much**: ``rate`` x planned investment (capped by ``max_yuan``), or the
  cap ``max_yuan`` ("up to"); with neither the amount is **unknown** and stays so.

Each judgement is ``yes``, ``unknown`` (an input is missing, or it depends on a
check by hand) or ``no``, with the reason.  The estimate of a tier (and of the
category's amounts tied to no tier) adds the amounts that stack and takes the
largest of those that do not; when stacking is unknown it gives both figures.
Awards are caps: the range runs from what is certain (a rate on a known
investment that surely applies) to the cap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
from pydantic import Field

from ._compile import EvalContext, profile_known
from ._conditions import Condition
from ._policy import SCOPE_TEXT, Amount, Category
from ._text import Text

if TYPE_CHECKING:
    from ._matching import TierResult

__all__ = [
    "AmountResult",
    "FundingEstimate",
    "Why",
    "combine",
    "estimate_funding",
    "explained",
    "judge_amount",
]

Applies = Literal["yes", "unknown", "no"]
ConditionPart = tuple[Callable[[EvalContext], np.ndarray], list[str]]


class _Cited(Protocol):
    def describe(self, lang: str = "zh") -> str: ...


Cite = Callable[[Condition], Sequence[_Cited]]


class Why(Text):
    """A reason that rests on cited inputs: the text with them (``zh``/``en``, as JSON shows it),
    and, for readers, the reason without them (``base``) and the inputs (``cites``) to word in their language.
    """

    base: Text | None = Field(default=None, exclude=True)
    cites: tuple[Any, ...] = Field(default=(), exclude=True)

    def worded(self, lang: str, describe: Callable[[Any], str] | None = None) -> str:
        """The reason in ``lang``, each cited input put by ``describe`` (default: as the JSON has it)."""
        if describe is None or self.base is None:
            return self.of(lang)
        cited = ("；" if lang == "zh" else "; ").join(describe(c) for c in self.cites)
        if not cited:
            return self.base.of(lang)
        return f"{self.base.of(lang)}（{cited}）" if lang == "zh" else f"{self.base.of(lang)} ({cited})"


def explained(base: Text, cites: Sequence[_Cited]) -> Why:
    """A :class:`Why` from a reason and the inputs it read."""
    cited = "; ".join(c.describe() for c in cites)
    zh = None if base.zh is None else (f"{base.zh}（{cited}）" if cited else base.zh)
    en = None if base.en is None else (f"{base.en} ({cited})" if cited else base.en)
    return Why(zh=zh, en=en, base=base, cites=tuple(cites))


@dataclass(frozen=True)
class AmountResult:
    """One amount judged for one enterprise: does it apply, how much, and on what it rests."""

    id: str
    item: Text
    applies: Applies
    why: tuple[Text, ...]
    low_yuan: float | None
    high_yuan: float | None
    basis: Literal["cap", "rate", "unknown"]
    scope: str
    year: int
    stacks: bool | None
    tier: str | None
    source: str
    status: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "item": self.item.model_dump(exclude_none=True),
            "applies": self.applies,
            "why": [w.model_dump(exclude_none=True) for w in self.why],
            "low_yuan": self.low_yuan,
            "high_yuan": self.high_yuan,
            "basis": self.basis,
            "scope": self.scope,
            "year": self.year,
            "stacks": self.stacks,
            "tier": self.tier,
            "source": self.source,
            "status": self.status,
        }


@dataclass(frozen=True)
class FundingEstimate:
    """The expected range of support for a category's tier (or its amounts tied to no tier).

    ``low_yuan`` .. ``high_yuan`` over the amounts that apply or may apply;
    ``high_if_stacked_yuan`` when some amounts' stacking is unknown (the sum,
    should they stack); ``complete`` is false when an amount that may apply has
    no known value (the range then leaves it out: it is not invented).
    """

    category: str
    tier: str | None
    items: tuple[AmountResult, ...]
    low_yuan: float
    high_yuan: float
    high_if_stacked_yuan: float | None
    complete: bool

    @property
    def candidates(self) -> list[AmountResult]:
        return [a for a in self.items if a.applies != "no"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "tier": self.tier,
            "low_yuan": self.low_yuan,
            "high_yuan": self.high_yuan,
            "high_if_stacked_yuan": self.high_if_stacked_yuan,
            "complete": self.complete,
            "items": [a.to_dict() for a in self.items],
        }


def _flag(ctx: EvalContext, name: str, row: int) -> bool | None:
    v = float(ctx.profile.get(name)[row])
    return None if np.isnan(v) else bool(v)


def _region_judgement(amount: Amount, ctx: EvalContext, row: int) -> tuple[Applies, Text | None]:
    zh_scope, en_scope = SCOPE_TEXT[amount.scope]
    if amount.regions:
        region = ctx.profile.get("region")[row]
        names = "、".join(amount.regions)
        if region is None:
            return "unknown", Text(
                zh=f"仅适用于{names}：企业所在地区未填写", en=f"Only in {names}: the region is not given"
            )
        if any(r in str(region) for r in amount.regions):
            return "yes", None
        return "no", Text(
            zh=f"仅适用于{names}（企业在{region}）", en=f"Only in {names} (the enterprise: {region})"
        )
    if amount.scope == "national":
        return "yes", None
    field, zh_place, en_place = (
        ("in_yangzhou", "扬州市", "Yangzhou")
        if amount.scope == "city"
        else ("in_jiangsu", "江苏省", "Jiangsu")
    )
    inside = _flag(ctx, field, row)
    if inside is None:
        return "unknown", Text(
            zh=f"{zh_scope}奖补限{zh_place}企业：注册地待核实",
            en=f"A {en_scope} award for {en_place}: where, to check",
        )
    if not inside:
        return "no", Text(
            zh=f"{zh_scope}奖补限{zh_place}企业，企业不在{zh_place}",
            en=f"A {en_scope} award for {en_place}; the enterprise is elsewhere",
        )
    return "yes", None


def _worst(a: Applies, b: Applies) -> Applies:
    order = {"yes": 0, "unknown": 1, "no": 2}
    return a if order[a] >= order[b] else b


def judge_amount(
    amount: Amount,
    tiers: Mapping[str, TierResult],
    ctx: EvalContext,
    row: int,
    parts: Sequence[ConditionPart] = (),
    cite: Cite | None = None,
) -> AmountResult:
    """Does one amount apply to the enterprise of ``row``, and how much could it bring?

    ``parts`` is the amount's ``when`` condition compiled part by part (the parts
    of an ``all``) with the profile fields each reads; ``cite`` describes its inputs.
    """
    applies, why_region = _region_judgement(amount, ctx, row)
    why: list[Text] = [why_region] if why_region is not None else []
    if amount.tier is not None:
        tier = tiers[amount.tier]
        if tier.eligibility in ("not_eligible", "not_applicable"):
            applies = "no"
            why.append(
                Text(zh=f"未达到{tier.name.of('zh')}条件", en=f"Not within reach of {tier.name.of('en')}")
            )
        elif tier.eligibility == "needs_checking":
            applies = _worst(applies, "unknown")
            why.append(
                Text(zh=f"{tier.name.of('zh')}待核实或待评审", en=f"{tier.name.of('en')}: to check or review")
            )
    if amount.when is not None:
        verdict: Applies = "yes"
        for fn, fields in parts:
            if bool(fn(ctx)[row]):
                continue
            known = all(bool(profile_known(ctx, f)[row]) for f in fields)
            verdict = _worst(verdict, "no" if known else "unknown")
        cites = cite(amount.when) if cite is not None else ()
        if verdict == "unknown":
            applies = _worst(applies, "unknown")
            why.append(explained(Text(zh="条件待核实", en="Condition to check"), cites))
        elif verdict == "no":
            applies = "no"
            why.append(explained(Text(zh="条件不满足", en="Condition not met"), cites))
    if amount.requires_recognition and applies == "yes":
        applies = "unknown"
        why.append(Text(zh="获评（认定）后才兑现", en="Paid once the recognition is granted"))
    investment = float(ctx.profile.get("planned_investment_yuan")[row])
    has_investment = not np.isnan(investment)
    if amount.min_investment_yuan is not None:
        if not has_investment:
            applies = _worst(applies, "unknown")
            why.append(Text(zh="计划投资额未填写", en="Planned investment not given"))
        elif investment < amount.min_investment_yuan:
            applies = "no"
            why.append(
                Text(
                    zh=f"计划投资{investment:,.0f}元，低于{amount.min_investment_yuan:,.0f}元",
                    en=f"Planned investment {investment:,.0f} yuan, below {amount.min_investment_yuan:,.0f}",
                )
            )
    low: float | None
    high: float | None
    if amount.rate is not None and has_investment:
        value = amount.rate * investment
        if amount.max_yuan is not None:
            value = min(value, amount.max_yuan)
        basis: Literal["cap", "rate", "unknown"] = "rate"
        low = value if applies == "yes" else 0.0
        high = value
    elif amount.max_yuan is not None and amount.rate is None:
        basis, low, high = "cap", 0.0, amount.max_yuan
    else:
        basis, low, high = "unknown", None, None
        why.append(
            Text(zh="金额未知（不作估算）", en="Amount unknown (not estimated)")
            if amount.rate is None
            else Text(
                zh="按投资比例计算，计划投资额未填写", en="A share of the investment, which is not given"
            )
        )
    return AmountResult(
        id=amount.id,
        item=amount.item,
        applies=applies,
        why=tuple(why),
        low_yuan=low,
        high_yuan=high,
        basis=basis,
        scope=amount.scope,
        year=amount.year,
        stacks=amount.stacks,
        tier=amount.tier,
        source=amount.source,
        status=amount.status,
    )


def combine(category: str, tier: str | None, items: tuple[AmountResult, ...]) -> FundingEstimate:
    """The range of a group of judged amounts: stacking ones add up, of the others the largest counts.

    An amount whose stacking is unknown counts as not stacking in ``high_yuan``;
    ``high_if_stacked_yuan`` is the total should those stack after all.
    """
    live = [a for a in items if a.applies != "no"]
    valued = [a for a in live if a.high_yuan is not None]

    def total(values: list[tuple[float, bool | None]], unknown_stacks: bool = False) -> float:
        adds = sum(v for v, s in values if s or (unknown_stacks and s is None))
        alone = max((v for v, s in values if not (s or (unknown_stacks and s is None))), default=0.0)
        return adds + alone

    lows = [(a.low_yuan or 0.0, a.stacks) for a in valued]
    highs = [(a.high_yuan or 0.0, a.stacks) for a in valued]
    high = total(highs)
    stacked = total(highs, unknown_stacks=True)
    return FundingEstimate(
        category=category,
        tier=tier,
        items=items,
        low_yuan=total(lows),
        high_yuan=high,
        high_if_stacked_yuan=stacked if stacked > high else None,
        complete=len(valued) == len(live),
    )


def estimate_funding(
    category: Category,
    tiers: Sequence[TierResult],
    ctx: EvalContext,
    row: int,
    amount_parts: Mapping[str, Sequence[ConditionPart]],
    cite: Cite | None = None,
) -> tuple[FundingEstimate, ...]:
    """Per tier of the category (and for its amounts tied to no tier): the judged amounts and range.

    ``amount_parts`` maps an amount id to its compiled ``when`` parts.
    """
    if not category.amounts:
        return ()
    by_id = {t.id: t for t in tiers}
    judged = [judge_amount(a, by_id, ctx, row, amount_parts.get(a.id, ()), cite) for a in category.amounts]
    out = []
    untied = tuple(a for a in judged if a.tier is None)
    if untied:
        out.append(combine(category.id, None, untied))
    for t in tiers:
        tied = tuple(a for a in judged if a.tier == t.id)
        if tied:
            out.append(combine(category.id, t.id, tied))
    return tuple(out)
