"""Level-bar maths: which overall and dimension scores the next level needs (the reports' reference lines)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._conditions import CountSpec, walk

if TYPE_CHECKING:
    from .._assessment import Assessment
    from .._model import Questionnaire

__all__ = ["dimension_references", "level_bars", "target_level"]


def level_bars(q: Questionnaire, target: int) -> tuple[float | None, dict[str, float]]:
    """The overall bar and the dimension bars (``gte``/``gt``) that reaching ``target`` needs.

    With a cumulative scheme the bars of every level up to ``target`` count
    (the highest bar of each subject); otherwise only the target's own rule.
    """
    levels = q.levels.levels
    if target <= 0:
        return None, {}
    chosen = levels[1 : target + 1] if q.levels.cumulative else [levels[target]]
    overall: float | None = None
    dims: dict[str, float] = {}
    for lv in chosen:
        if lv.rule is None:
            continue
        for leaf in walk(lv.rule, negated=False):
            if isinstance(leaf, CountSpec):
                continue
            bar = leaf.gte if leaf.gte is not None else leaf.gt
            if bar is None:
                continue
            kind, ref = leaf.subject
            if kind == "metric" and ref == "overall":
                overall = bar if overall is None else max(overall, bar)
            elif kind == "dimension":
                dims[ref] = max(dims.get(ref, bar), bar)
    return overall, dims


def dimension_references(q: Questionnaire, target: int) -> dict[str, tuple[float, bool]]:
    """Per dimension: (reference score for ``target``, whether the level rule requires it).

    The reference is the rule's bar where there is one; else the dimension's own
    threshold for that level number; for a top-level dimension with neither,
    the rule's overall bar.
    """
    overall, bars = level_bars(q, target)
    out: dict[str, tuple[float, bool]] = {}
    top_ids = {d.id for d in q.dimensions}
    for dim in q.walk_dimensions():
        if dim.id in bars:
            out[dim.id] = (bars[dim.id], True)
        elif target >= 1 and dim.level_thresholds and len(dim.level_thresholds) >= target:
            out[dim.id] = (float(dim.level_thresholds[target - 1]), False)
        elif dim.id in top_ids and overall is not None:
            out[dim.id] = (overall, False)
    return out


def target_level(a: Assessment) -> int:
    top = len(a.questionnaire.levels.levels) - 1
    return min(a.level.number + 1, top)
