"""Hypothesis strategies: random questionnaires and answer sheets for them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

TYPES = ("single_choice", "multiple_choice", "numeric", "yes_no", "scale", "scene_level")
scores = st.sampled_from([0.0, 0.1, 0.25, 0.4, 0.5, 0.8, 1.0])
weights = st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0])


def _text(s: str) -> dict[str, str]:
    return {"zh": s, "en": s}


@st.composite
def questions(
    draw: st.DrawFn, qid: str, earlier: list[dict[str, Any]], with_conditions: bool
) -> dict[str, Any]:
    qtype = draw(st.sampled_from(TYPES))
    q: dict[str, Any] = {
        "id": qid,
        "type": qtype,
        "text": _text(qid),
        "weight": draw(weights),
        "required": draw(st.booleans()),
        "allow_na": draw(st.booleans()),
        "tags": draw(st.lists(st.sampled_from(["t1", "t2"]), unique=True, max_size=2)),
        "source": "test",
    }
    if qtype in ("numeric", "scale", "scene_level") and draw(st.booleans()):
        q["tags"].append("scene")
    if qtype in ("single_choice", "multiple_choice"):
        n = draw(st.integers(2, 5))
        q["options"] = [{"id": f"o{i}", "label": _text(f"o{i}"), "score": draw(scores)} for i in range(n)]
        if qtype == "multiple_choice":
            q["combine"] = draw(st.sampled_from(["sum_capped", "max", "mean"]))
            if draw(st.booleans()):
                q["options"].append({"id": "none", "label": _text("none"), "score": 0.0, "exclusive": True})
    elif qtype == "numeric":
        mins = sorted(draw(st.lists(st.integers(0, 90), min_size=1, max_size=4, unique=True)))
        mins[0] = 0
        mins = sorted(set(mins))
        band_scores = sorted(draw(st.lists(scores, min_size=len(mins), max_size=len(mins))))
        q["bands"] = [{"min": m, "score": s} for m, s in zip(mins, band_scores, strict=True)]
        q["min"], q["max"] = 0, 100
    elif qtype == "scale":
        lo = draw(st.integers(0, 2))
        q["min"], q["max"] = lo, lo + draw(st.integers(1, 5))
    elif qtype == "yes_no":
        q["score_no"] = draw(st.sampled_from([0.0, 0.2]))
    if with_conditions and earlier and draw(st.integers(0, 3)) == 0:
        target = draw(st.sampled_from(earlier))
        q["relevant"] = draw(condition_on(target))
        q["required"] = False
    return q


@st.composite
def condition_on(draw: st.DrawFn, target: dict[str, Any]) -> dict[str, Any]:
    t, qid = target["type"], target["id"]
    if t == "single_choice":
        ids = [o["id"] for o in target["options"]]
        return draw(
            st.sampled_from(
                [
                    {"question": qid, "eq": ids[0]},
                    {"question": qid, "in": ids[:2]},
                    {"not": {"question": qid, "eq": ids[-1]}},
                ]
            )
        )
    if t == "multiple_choice":
        return {"question": qid, "contains": target["options"][0]["id"]}
    if t == "yes_no":
        return {"question": qid, "eq": draw(st.booleans())}
    if t == "numeric":
        return {"question": qid, "gte": draw(st.integers(0, 100))}
    lo = target.get("min", 0)
    return {"any": [{"question": qid, "gte": lo + 1}, {"question": qid, "answered": False}]}


@st.composite
def questionnaires(
    draw: st.DrawFn, with_conditions: bool = True, missing: str | None = None
) -> dict[str, Any]:
    counter = iter(range(10_000))
    all_questions: list[dict[str, Any]] = []
    dim_ids: list[str] = []

    def leaf(did: str) -> dict[str, Any]:
        qs = []
        for _ in range(draw(st.integers(1, 4))):
            q = draw(questions(f"q{next(counter)}", list(all_questions), with_conditions))
            all_questions.append(q)
            qs.append(q)
        dim_ids.append(did)
        return {"id": did, "title": _text(did), "weight": draw(weights), "questions": qs}

    tops = []
    for i in range(draw(st.integers(1, 3))):
        did = f"d{i}"
        if draw(st.booleans()):
            children = [leaf(f"d{i}_{j}") for j in range(draw(st.integers(1, 3)))]
            dim_ids.append(did)
            tops.append({"id": did, "title": _text(did), "weight": draw(weights), "dimensions": children})
        else:
            tops.append(leaf(did))
    levels: list[dict[str, Any]] = [{"number": 0, "id": "L0", "name": _text("L0")}]
    bar = 0
    dim_bar: dict[str, int] = {}
    scene_count = sum(1 for q in all_questions if "scene" in q["tags"])
    for k in range(1, draw(st.integers(1, 4)) + 1):
        bar = min(100, bar + draw(st.integers(1, 30)))
        parts: list[dict[str, Any]] = [{"metric": "overall", "gte": bar}]
        if draw(st.booleans()):
            did = draw(st.sampled_from(dim_ids))
            dim_bar[did] = max(dim_bar.get(did, 0), draw(st.integers(0, bar)))
            parts.append({"dimension": did, "gte": dim_bar[did]})
        if scene_count and draw(st.booleans()):
            parts.append(
                {"count": {"at_least": draw(st.integers(0, scene_count)), "tags": ["scene"], "value_gte": 1}}
            )
        levels.append({"number": k, "id": f"L{k}", "name": _text(f"L{k}"), "rule": {"all": parts}})
    return {
        "id": "random",
        "version": "1",
        "title": _text("random"),
        "scoring": {"missing": missing or draw(st.sampled_from(["zero", "exclude"]))},
        "dimensions": tops,
        "levels": {"cumulative": draw(st.booleans()), "levels": levels},
    }


points = st.sampled_from([0.0, 0.5, 0.7, 0.9, 1.25, 1.5, 1.875, 2.0, 3.0, 7.5])


@st.composite
def point_questions(draw: st.DrawFn, qid: str) -> dict[str, Any]:
    """A question scored in official points (MIIT style), or a judged scene level."""
    qtype = draw(st.sampled_from(["single_choice", "multiple_choice", "numeric", "scene_level"]))
    q: dict[str, Any] = {"id": qid, "type": qtype, "text": _text(qid), "source": "test", "tags": []}
    if qtype == "scene_level":
        q.update(judged=True, min=1, max=4, tags=["scene"])
        if draw(st.booleans()):
            q["tags"].append("constraint")
        return q
    if qtype in ("single_choice", "multiple_choice"):
        n = draw(st.integers(2, 5))
        pts = draw(st.lists(points, min_size=n, max_size=n))
        pts[-1] = max(pts[-1], 0.5)  # something to earn
        q["options"] = [{"id": f"o{i}", "label": _text(f"o{i}"), "points": p} for i, p in enumerate(pts)]
        if qtype == "multiple_choice":
            q["combine"] = draw(st.sampled_from(["sum_capped", "max", "mean"]))
            if draw(st.booleans()):
                q["options"].insert(
                    0, {"id": "none", "label": _text("none"), "points": 0.0, "exclusive": True}
                )
        return q
    mins = sorted({0, *draw(st.lists(st.sampled_from([5, 10, 20, 40, 60, 80]), max_size=4, unique=True))})
    band_points = sorted(draw(st.lists(points, min_size=len(mins), max_size=len(mins))))
    band_points[-1] = max(band_points[-1], 0.5)
    q["bands"] = [{"min": m, "points": p} for m, p in zip(mins, band_points, strict=True)]
    q["closed"] = draw(st.sampled_from(["left", "right"]))
    q["min"], q["max"] = 0, 100
    q["counts"] = {"part": _text("part"), "whole": _text("whole")}
    return q


@st.composite
def points_questionnaires(draw: st.DrawFn) -> dict[str, Any]:
    """A questionnaire scored by points, with judged scenes gating the levels (MIIT 2024 style)."""
    counter = iter(range(10_000))
    all_questions: list[dict[str, Any]] = []

    def leaf(did: str) -> dict[str, Any]:
        qs = [draw(point_questions(f"q{next(counter)}")) for _ in range(draw(st.integers(1, 4)))]
        all_questions.extend(qs)
        return {"id": did, "title": _text(did), "questions": qs}

    tops = []
    for i in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            children = [leaf(f"d{i}_{j}") for j in range(draw(st.integers(1, 3)))]
            tops.append({"id": f"d{i}", "title": _text(f"d{i}"), "dimensions": children})
        else:
            tops.append(leaf(f"d{i}"))
    n_scenes = sum(1 for q in all_questions if q.get("judged"))
    n_constraint = sum(1 for q in all_questions if "constraint" in q["tags"])
    levels: list[dict[str, Any]] = [{"number": 0, "id": "L0", "name": _text("L0")}]
    for k in range(1, draw(st.integers(1, 4)) + 1):
        parts: list[dict[str, Any]] = [{"metric": "overall", "gte": 20 * k}]
        if n_scenes:
            parts.append(
                {"count": {"at_least": draw(st.integers(0, n_scenes)), "tags": ["scene"], "value_gte": k}}
            )
        if n_constraint:
            parts.append(
                {
                    "count": {
                        "at_least": draw(st.integers(0, n_constraint)),
                        "tags": ["constraint"],
                        "value_gte": k,
                    }
                }
            )
        levels.append({"number": k, "id": f"L{k}", "name": _text(f"L{k}"), "rule": {"all": parts}})
    return {
        "id": "random-points",
        "version": "1",
        "title": _text("random-points"),
        "scoring": {"method": "points"},
        "dimensions": tops,
        "levels": {"cumulative": draw(st.booleans()), "levels": levels},
    }


def valid_value(draw: st.DrawFn, q: dict[str, Any]) -> Any:
    t = q["type"]
    if t == "single_choice":
        return draw(st.sampled_from([o["id"] for o in q["options"]]))
    if t == "multiple_choice":
        normal = [o["id"] for o in q["options"] if not o.get("exclusive")]
        exclusive = [o["id"] for o in q["options"] if o.get("exclusive")]
        if exclusive and draw(st.integers(0, 4)) == 0:
            return [exclusive[0]]
        return draw(st.lists(st.sampled_from(normal), unique=True, min_size=1))  # [] is no answer
    if t == "numeric":
        edges = [b["min"] for b in q["bands"]]
        value = draw(
            st.one_of(st.integers(0, 100), st.floats(0, 100, allow_nan=False), st.sampled_from(edges))
        )
        if q.get("counts") and draw(st.booleans()):
            whole = draw(st.integers(1, 400))
            return {"counts": [draw(st.integers(0, whole)), whole]}
        return value
    if t == "yes_no":
        return draw(st.booleans())
    lo, hi = q.get("min", 0), q.get("max", 4)
    return draw(st.integers(lo, hi))


@st.composite
def sheets(draw: st.DrawFn, qdata: dict[str, Any], complete: bool = False) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in iter_questions(qdata):
        choice = "value" if complete else draw(st.sampled_from(["value", "value", "value", "missing", "na"]))
        if choice == "missing" and not q["required"]:
            continue
        if choice == "na" and q["allow_na"]:
            answers[q["id"]] = "n/a"
            continue
        answers[q["id"]] = valid_value(draw, q)
    return {"questionnaire": qdata["id"], "enterprise": {"name": "E"}, "answers": answers}


def iter_questions(qdata: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def walk(d: dict[str, Any]) -> None:
        out.extend(d.get("questions", []))
        for c in d.get("dimensions", []):
            walk(c)

    for d in qdata["dimensions"]:
        walk(d)
    return out
