"""A slow, obvious scorer in plain Python: the specification the fast path must equal.

It reads the questionnaire as plain data (dicts), walks the tree recursively
and evaluates conditions one sheet at a time.  It shares no code with the
library's scoring engine.
"""

from __future__ import annotations

import math
from typing import Any

EPS = 1e-9


def _questions(dim: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(dim.get("questions", []))
    for child in dim.get("dimensions", []):
        out += _questions(child)
    return out


def all_questions(q: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for d in q["dimensions"]:
        out += _questions(d)
    return out


def _value(answers: dict[str, Any], qid: str) -> Any:
    v = answers.get(qid)
    if isinstance(v, dict) and "counts" in v:  # a percentage given as [part, whole]
        part, whole = v["counts"]
        return 100 * part / whole
    return None if v == "n/a" or v == [] else v  # an empty selection is no answer (issue 11)


def max_points(question: dict[str, Any]) -> float | None:
    """The most points a question can earn, from the options' or bands' points (None: no points)."""
    items = question.get("options") or question.get("bands") or []
    if not any("points" in item for item in items):
        return None
    if question["type"] == "numeric":
        return max(b["points"] for b in items)
    combine = question.get("combine", "sum_capped")
    if question["type"] == "single_choice" or combine == "max":
        return max(o["points"] for o in items)
    if combine == "mean":
        return sum(o["points"] for o in items)
    return sum(o["points"] for o in items if not o.get("exclusive"))


def question_points(question: dict[str, Any], value: Any) -> float:
    """Points earned by an answer, counted directly (a question scored in points)."""
    t = question["type"]
    if t == "single_choice":
        return next(o["points"] for o in question["options"] if o["id"] == value)
    if t == "multiple_choice":
        chosen = [o["points"] for o in question["options"] if o["id"] in value]
        combine = question.get("combine", "sum_capped")
        if combine == "max":
            return max(chosen, default=0.0)
        top = max_points(question) or 0.0
        return min(top, sum(chosen))
    return _band(question, value)["points"] if _band(question, value) else 0.0


def _band(question: dict[str, Any], value: float) -> dict[str, Any] | None:
    """The band holding ``value``: [min, next) by default, (min, next] when right-closed."""
    bands = sorted(question["bands"], key=lambda b: b["min"])
    found = None
    for k, band in enumerate(bands):
        if question.get("closed") == "right":
            inside = value > band["min"] or (k == 0 and value == band["min"])
        else:
            inside = value >= band["min"]
        if inside:
            found = band
    return found


def _item_score(question: dict[str, Any], item: dict[str, Any]) -> float:
    if "points" in item:
        top = max_points(question) or 0.0
        return min(1.0, item["points"] / top) if top else 0.0
    return item["score"]


def question_score(question: dict[str, Any], value: Any) -> float:
    t = question["type"]
    if t == "single_choice":
        return next(_item_score(question, o) for o in question["options"] if o["id"] == value)
    if t == "multiple_choice":
        chosen = [_item_score(question, o) for o in question["options"] if o["id"] in value]
        combine = question.get("combine", "sum_capped")
        if combine == "max":
            return max(chosen, default=0.0)
        if combine == "mean":
            total = sum(_item_score(question, o) for o in question["options"])
            return sum(chosen) / total if total else 0.0
        return min(1.0, sum(chosen))
    if t == "numeric":
        band = _band(question, value)
        return 0.0 if band is None else _item_score(question, band)
    if t == "yes_no":
        return question.get("score_yes", 1.0) if value else question.get("score_no", 0.0)
    lo = question.get("min", 0)
    hi = question.get("max", 4)
    return (value - lo) / (hi - lo)


def condition(cond: dict[str, Any], ctx: dict[str, Any]) -> bool:
    if "all" in cond:
        return all(condition(c, ctx) for c in cond["all"])
    if "any" in cond:
        return any(condition(c, ctx) for c in cond["any"])
    if "not" in cond:
        return not condition(cond["not"], ctx)
    if "count" in cond:
        spec = cond["count"]
        n = 0
        for question in ctx["questions"]:
            if not all(t in question.get("tags", []) for t in spec.get("tags", [])) and question[
                "id"
            ] not in spec.get("questions", []):
                continue
            if not ctx["relevant"].get(question["id"], True):
                continue
            v = _value(ctx["answers"], question["id"])
            if v is None:
                continue
            if "value_gte" in spec and v >= spec["value_gte"] - EPS:
                n += 1
            if "score_gte" in spec and question_score(question, v) >= spec["score_gte"] - EPS:
                n += 1
        return n >= spec["at_least"]
    if "question" in cond:
        qid = cond["question"]
        v = _value(ctx["answers"], qid)
        if "answered" in cond:
            return (v is not None) == cond["answered"]
        if v is None:
            return False
        if "eq" in cond:
            return v == cond["eq"]
        if "in" in cond:
            return any(x in v for x in cond["in"]) if isinstance(v, list) else v in cond["in"]
        if "contains" in cond:
            return cond["contains"] in v
        if "gte" in cond:
            return v >= cond["gte"] - EPS
        raise NotImplementedError(cond)
    if "metric" in cond:
        value = ctx["metrics"][cond["metric"]]
    elif "dimension" in cond:
        value = ctx["dimensions"][cond["dimension"]]
    else:
        raise NotImplementedError(cond)
    if value is None:
        return False
    return value >= cond["gte"] - EPS


def score(q: dict[str, Any], sheet: dict[str, Any]) -> dict[str, Any]:
    """Per-question scores, dimension scores (0-100 or None), overall and level."""
    answers = sheet["answers"]
    questions = all_questions(q)
    missing_zero = q.get("scoring", {}).get("missing", "zero") == "zero"
    relevant: dict[str, bool] = {}
    ctx: dict[str, Any] = {"answers": answers, "questions": questions, "relevant": relevant}
    for question in questions:
        cond = question.get("relevant")
        relevant[question["id"]] = True if cond is None else condition(cond, {**ctx, "relevant": {}})
    per_question: dict[str, float | None] = {}
    dims: dict[str, float | None] = {}

    def applicable_score(question: dict[str, Any]) -> float | None:
        qid = question["id"]
        if not relevant[qid] or answers.get(qid) == "n/a":
            return None
        v = _value(answers, qid)
        if v is None:
            return 0.0 if missing_zero else None
        return question_score(question, v)

    by_points = q.get("scoring", {}).get("method") == "points"

    def dim_points(dim: dict[str, Any]) -> tuple[float, float]:
        """Scoring by points: (earned, available) below a dimension, summed directly."""
        earned = available = 0.0
        if dim.get("dimensions"):
            for child in dim["dimensions"]:
                e, a = dim_points(child)
                if child.get("scored", True):
                    earned, available = earned + e, available + a
        else:
            for question in dim["questions"]:
                s = applicable_score(question)
                per_question[question["id"]] = s
                if question.get("judged"):
                    continue
                v = _value(answers, question["id"])
                earned += 0.0 if v is None else question_points(question, v)
                available += max_points(question) or 0.0
        dims[dim["id"]] = 100.0 * earned / available if available > 0 else None
        return earned, available

    def dim_score(dim: dict[str, Any]) -> float | None:
        if dim.get("dimensions"):
            parts = [(dim_score(c), c.get("weight", 1.0)) for c in dim["dimensions"]]
            result = _mean(parts)
        else:
            items = []
            for question in dim["questions"]:
                s = applicable_score(question)
                per_question[question["id"]] = s
                if s is not None and not question.get("judged"):
                    items.append((100.0 * s, question.get("weight", 1.0)))
            result = _mean(items)
        dims[dim["id"]] = result
        return result

    if by_points:
        tops = [(d, dim_points(d)) for d in q["dimensions"]]
        earned = sum(e for d, (e, _) in tops if d.get("scored", True))
        available = sum(a for d, (_, a) in tops if d.get("scored", True))
        overall = 100.0 * earned / available if available > 0 else None
    else:
        overall = _mean([(dim_score(d), d.get("weight", 1.0)) for d in q["dimensions"]])
    ctx.update(dimensions=dims, metrics={"overall": overall})
    rules = [lv["rule"] for lv in q["levels"]["levels"][1:]]
    passes = [condition(rule, ctx) for rule in rules]
    if q["levels"].get("cumulative", True):
        level = next((i for i, ok in enumerate(passes) if not ok), len(passes))
    else:
        level = max((i + 1 for i, ok in enumerate(passes) if ok), default=0)
    return {"questions": per_question, "dimensions": dims, "overall": overall, "level": level}


def _mean(items: list[tuple[float | None, float]]) -> float | None:
    defined = [(v, w) for v, w in items if v is not None and not math.isnan(v)]
    total = sum(w for _, w in defined)
    if not defined or total <= 0:
        return None
    return sum(v * w for v, w in defined) / total
