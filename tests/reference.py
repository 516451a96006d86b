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
    return None if v == "n/a" else v


def question_score(question: dict[str, Any], value: Any) -> float:
    t = question["type"]
    if t == "single_choice":
        return next(o["score"] for o in question["options"] if o["id"] == value)
    if t == "multiple_choice":
        chosen = [o["score"] for o in question["options"] if o["id"] in value]
        combine = question.get("combine", "sum_capped")
        if combine == "max":
            return max(chosen, default=0.0)
        if combine == "mean":
            total = sum(o["score"] for o in question["options"])
            return sum(chosen) / total if total else 0.0
        return min(1.0, sum(chosen))
    if t == "numeric":
        result = 0.0
        for band in sorted(question["bands"], key=lambda b: b["min"]):
            if value >= band["min"]:
                result = band["score"]
        return result
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

    def dim_score(dim: dict[str, Any]) -> float | None:
        if dim.get("dimensions"):
            parts = [(dim_score(c), c.get("weight", 1.0)) for c in dim["dimensions"]]
            result = _mean(parts)
        else:
            items = []
            for question in dim["questions"]:
                s = applicable_score(question)
                per_question[question["id"]] = s
                if s is not None:
                    items.append((100.0 * s, question.get("weight", 1.0)))
            result = _mean(items)
        dims[dim["id"]] = result
        return result

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
