"""Structure checks of a questionnaire: what can be checked without the scoring engine.

They run before a questionnaire is compiled (``_compile`` calls
:func:`raise_for_structure`); :mod:`yzmaturity._lint` adds the checks that need
the compiled engine and reports them all with their stable codes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ._codes import Code
from ._conditions import Compare, Condition, CountSpec, walk
from ._exceptions import ErrorDetail, QuestionnaireError
from ._model import DISCRETE, ORDINAL
from ._profile import PROFILE_CHOICES, PROFILE_KINDS
from ._text import Text

if TYPE_CHECKING:
    from ._model import Question, Questionnaire

__all__ = [
    "RESERVED_METRICS",
    "condition_findings",
    "points_findings",
    "raise_for_structure",
    "structure_findings",
]

RESERVED_METRICS = ("overall", "level")


def _err(code: str, loc: tuple[str | int, ...], message: str, **kw: Any) -> ErrorDetail:
    return ErrorDetail(code, loc, message, **kw)


def _warn(code: str, loc: tuple[str | int, ...], message: str) -> ErrorDetail:
    return ErrorDetail(code, loc, message, severity="warning")


def _duplicates(ids: Iterable[str]) -> list[str]:
    return sorted(k for k, n in Counter(ids).items() if n > 1)


def structure_findings(q: Questionnaire) -> list[ErrorDetail]:
    """Every finding that does not need the scoring engine."""
    out: list[ErrorDetail] = []
    questions = q.questions
    by_id = {qq.id: qq for qq in questions}
    order = {qq.id: i for i, qq in enumerate(questions)}
    dims = list(q.walk_dimensions())
    dim_ids = {d.id for d in dims}
    tags = {t for qq in questions for t in qq.tags}
    metric_ids = [m.id for m in q.metrics]

    for kind, ids in (
        ("question", [qq.id for qq in questions]),
        ("dimension", [d.id for d in dims]),
        ("level", [lv.id for lv in q.levels.levels]),
        ("metric", metric_ids),
    ):
        for dup in _duplicates(ids):
            out.append(_err(Code.DUPLICATE_ID, (kind, dup), f"{kind} id {dup!r} is used more than once"))
    for reserved in RESERVED_METRICS:
        if reserved in metric_ids:
            out.append(_err(Code.DUPLICATE_ID, ("metric", reserved), f"metric id {reserved!r} is reserved"))

    for d in dims:
        loc: tuple[str | int, ...] = ("dimension", d.id)
        if d.weight <= 0:
            out.append(
                _err(Code.NON_POSITIVE_WEIGHT, loc, "weight must be > 0", expected="> 0", got=d.weight)
            )
        if d.dimensions and d.questions:
            out.append(
                _err(Code.MIXED_DIMENSION, loc, "a dimension holds sub-dimensions or questions, not both")
            )
        if not d.dimensions and not d.questions:
            out.append(_err(Code.EMPTY_DIMENSION, loc, "a leaf dimension needs at least one question"))
        if d.level_thresholds is not None and not _increasing(d.level_thresholds):
            out.append(
                _err(
                    Code.NON_INCREASING_THRESHOLDS,
                    (*loc, "level_thresholds"),
                    "thresholds must increase",
                    expected="strictly increasing",
                    got=d.level_thresholds,
                )
            )

    for qq in questions:
        out.extend(_question_findings(qq))
        if qq.profile_field is not None and PROFILE_KINDS.get(qq.profile_field) != "bool":
            out.append(
                _err(
                    Code.UNKNOWN_REFERENCE,
                    ("question", qq.id, "profile_field"),
                    "'profile_field' names a yes/no field of the enterprise profile",
                    expected=", ".join(k for k, v in PROFILE_KINDS.items() if v == "bool"),
                    got=qq.profile_field,
                )
            )

    # Relevance: only answers and the profile, only earlier questions, no cycles.
    graph: dict[str, set[str]] = {}
    for qq in questions:
        if qq.relevant is None:
            continue
        loc = ("question", qq.id, "relevant")
        out.extend(
            condition_findings(
                qq.relevant, loc, q, by_id, dim_ids, tags, metric_ids, PROFILE_KINDS, DISCRETE, ORDINAL
            )
        )
        deps: set[str] = set()
        for leaf in walk(qq.relevant):
            if isinstance(leaf, Compare):
                kind, ref = leaf.subject
                if kind in ("dimension", "metric"):
                    out.append(
                        _err(
                            Code.BAD_CONDITION,
                            loc,
                            f"relevance may read answers and the profile, not a {kind} ({ref!r})",
                        )
                    )
                if kind in ("question", "question_score"):
                    deps.add(ref)
            else:
                deps.update(leaf.questions)
                for tag in leaf.tags:
                    deps.update(x.id for x in questions if tag in x.tags)
        for dep in sorted(deps):
            if dep in order and order[dep] >= order[qq.id]:
                out.append(
                    _err(
                        Code.FORWARD_REFERENCE,
                        loc,
                        f"relevance of {qq.id!r} reads {dep!r}, which is not an earlier question",
                    )
                )
        graph[qq.id] = {d for d in deps if d in by_id}
    for cycle in _cycles(graph):
        out.append(
            _err(
                Code.CONDITION_CYCLE,
                ("question", cycle[0], "relevant"),
                "relevance conditions form a cycle: " + " -> ".join(cycle),
            )
        )

    # Metrics: groups select something; cumulative parts defined earlier.
    seen_metrics: set[str] = set()
    for m in q.metrics:
        loc = ("metric", m.id)
        if m.group_mean is not None:
            for tag in m.group_mean.tags:
                if tag not in tags:
                    out.append(_err(Code.UNKNOWN_REFERENCE, loc, f"no question carries tag {tag!r}"))
            for ref in m.group_mean.questions:
                if ref not in by_id:
                    out.append(_err(Code.UNKNOWN_REFERENCE, loc, f"unknown question {ref!r}"))
        if m.cumulative is not None:
            for part in m.cumulative.parts:
                if part not in metric_ids:
                    out.append(_err(Code.UNKNOWN_REFERENCE, loc, f"unknown metric {part!r}"))
                elif part not in seen_metrics:
                    out.append(
                        _err(Code.FORWARD_REFERENCE, loc, f"metric {part!r} must be defined before {m.id!r}")
                    )
        seen_metrics.add(m.id)

    # Levels: conditions valid, no rule reads the level itself, thresholds do not go down.
    last_bar: dict[tuple[str, str], tuple[float, int]] = {}
    for lv in q.levels.levels[1:]:
        loc = ("levels", lv.id, "rule")
        if lv.rule is None:
            continue
        out.extend(
            condition_findings(
                lv.rule, loc, q, by_id, dim_ids, tags, metric_ids, PROFILE_KINDS, DISCRETE, ORDINAL
            )
        )
        for leaf in walk(lv.rule):
            if isinstance(leaf, Compare):
                subject = leaf.subject
                if subject == ("metric", "level"):
                    out.append(_err(Code.CONDITION_CYCLE, loc, "a level rule cannot read the level itself"))
                if leaf.gte is not None and subject[0] in ("metric", "dimension"):
                    prev = last_bar.get(subject)
                    if prev is not None and leaf.gte < prev[0]:
                        out.append(
                            _err(
                                Code.NON_INCREASING_THRESHOLDS,
                                loc,
                                f"level {lv.number} needs {subject[0]} {subject[1]!r} >= {leaf.gte}, "
                                f"below level {prev[1]}'s {prev[0]}",
                                expected=f">= {prev[0]}",
                                got=leaf.gte,
                            )
                        )
                    last_bar[subject] = (leaf.gte, lv.number)

    out.extend(points_findings(q))
    out.extend(_translation_findings(q))
    return out


def _increasing(values: list[float]) -> bool:
    return all(b > a for a, b in pairwise(values))


def _question_findings(qq: Question) -> Iterator[ErrorDetail]:
    loc: tuple[str | int, ...] = ("question", qq.id)
    if qq.weight <= 0:
        yield _err(Code.NON_POSITIVE_WEIGHT, loc, "weight must be > 0", expected="> 0", got=qq.weight)
    for dup in _duplicates(o.id for o in qq.options):
        yield _err(Code.DUPLICATE_ID, (*loc, "options", dup), f"option id {dup!r} is used more than once")
    for o in qq.options:
        if o.score is None and o.points is None:
            yield _err(
                Code.OPTION_WITHOUT_SCORE,
                (*loc, "options", o.id),
                "option has no score",
                expected="a score in [0, 1] or points",
                got=None,
            )
    yield from _points_findings(qq, loc)
    if qq.bands:
        mins = [b.min for b in qq.bands]
        if not _increasing(mins):
            yield _err(
                Code.NON_INCREASING_THRESHOLDS,
                (*loc, "bands"),
                "band minimums must increase",
                expected="strictly increasing",
                got=mins,
            )
        for i, b in enumerate(qq.bands):
            if b.score is None and b.points is None:
                yield _err(
                    Code.OPTION_WITHOUT_SCORE,
                    (*loc, "bands", i),
                    "band has no score",
                    expected="a score in [0, 1] or points",
                    got=None,
                )
        if qq.min is not None and mins and qq.min < mins[0]:
            yield _warn(
                Code.BAND_GAP,
                (*loc, "bands"),
                f"values from {qq.min} to {mins[0]} fall below every band and score 0",
            )
        if qq.min is not None and qq.max is not None and qq.max <= qq.min:
            yield _err(
                Code.NON_INCREASING_THRESHOLDS,
                loc,
                "'max' must be above 'min'",
                expected=f"> {qq.min}",
                got=qq.max,
            )
    if qq.points:
        values = [p.value for p in qq.points]
        for dup in _duplicates(str(v) for v in values):
            yield _err(Code.BAD_POINT, (*loc, "points"), f"point {dup} is given twice")
        lo, hi = qq.min, qq.max
        for v in values:
            if lo is not None and hi is not None and not lo <= v <= hi:
                yield _err(
                    Code.BAD_POINT,
                    (*loc, "points"),
                    f"point {v} lies outside the scale",
                    expected=f"{lo:g}..{hi:g}",
                    got=v,
                )
    if qq.source is None:
        yield _warn(Code.MISSING_SOURCE, loc, "no framework citation in 'source'")


def _points_findings(qq: Question, loc: tuple[str | int, ...]) -> Iterator[ErrorDetail]:
    """Options and bands score either by ``score`` or by ``points``, never both or a mix."""
    items: list[tuple[str | int, Any]] = [("options", o.id) for o in qq.options] + [
        ("bands", i) for i in range(len(qq.bands))
    ]
    values = list(qq.options) + list(qq.bands)
    with_points = [v.points is not None for v in values]
    if any(with_points) and not all(with_points):
        yield _err(
            Code.MIXED_SCORING,
            loc,
            "options and bands give either 'points' (all of them) or 'score'",
            expected="points on every option or band",
            got=[f"{k}.{i}" for (k, i), has in zip(items, with_points, strict=True) if not has],
        )
    for (kind, key), v in zip(items, values, strict=True):
        if v.points is not None and v.score is not None:
            yield _err(
                Code.MIXED_SCORING,
                (*loc, kind, key),
                "give 'points' or 'score', not both",
                expected="one of them",
                got={"score": v.score, "points": v.points},
            )


def points_findings(q: Questionnaire) -> list[ErrorDetail]:
    """A questionnaire scored by points: every scored question has points and always applies."""
    if q.scoring.method != "points":
        return []
    out: list[ErrorDetail] = []
    if q.scoring.missing != "zero":
        out.append(
            _err(
                Code.POINTS_NOT_APPLICABLE,
                ("scoring", "missing"),
                "scoring by points counts a missing answer as 0 points",
                expected="zero",
                got=q.scoring.missing,
            )
        )
    for d in q.walk_dimensions():
        if "weight" in d.model_fields_set:
            out.append(
                _err(
                    Code.WEIGHT_WITH_POINTS,
                    ("dimension", d.id, "weight"),
                    "scoring by points: a dimension weighs the points below it; remove 'weight'",
                    expected="no weight",
                    got=d.weight,
                )
            )
    total = 0.0
    for _, qq in q.iter_questions():
        loc: tuple[str | int, ...] = ("question", qq.id)
        if qq.judged:
            continue
        if "weight" in qq.model_fields_set:
            out.append(
                _err(
                    Code.WEIGHT_WITH_POINTS,
                    (*loc, "weight"),
                    "scoring by points: a question weighs its maximum points; remove 'weight'",
                    expected="no weight",
                    got=qq.weight,
                )
            )
        if not qq.scored_in_points:
            out.append(
                _err(
                    Code.POINTS_REQUIRED,
                    loc,
                    "scoring by points: a scored question gives 'points' on its options or bands "
                    "(or is 'judged')",
                    expected="points",
                    got=qq.type,
                )
            )
        elif not (qq.max_points or 0) > 0:
            out.append(
                _err(Code.POINTS_REQUIRED, loc, "the question can earn no points", expected="> 0", got=0)
            )
        if qq.allow_na or qq.relevant is not None:
            out.append(
                _err(
                    Code.POINTS_NOT_APPLICABLE,
                    loc,
                    "scoring by points: a scored question always applies (no 'allow_na', no 'relevant')",
                    expected="always applicable",
                    got="allow_na" if qq.allow_na else "relevant",
                )
            )
        total += qq.max_points or 0.0
    if not out and abs(total - 100.0) > 1e-9:
        out.append(
            _warn(
                Code.POINTS_TOTAL,
                ("scoring",),
                f"the points add up to {total:g}, not 100: the overall is the share of points in %, "
                "not the point total",
            )
        )
    return out


def condition_findings(
    cond: Condition,
    loc: tuple[str | int, ...],
    q: Questionnaire,
    by_id: dict[str, Question],
    dim_ids: set[str],
    tags: set[str],
    metric_ids: list[str],
    profile_kinds: dict[str, str],
    discrete: tuple[str, ...],
    ordinal: tuple[str, ...],
) -> Iterator[ErrorDetail]:
    for leaf in walk(cond):
        if isinstance(leaf, CountSpec):
            yield from _count_findings(leaf, loc, by_id, tags, ordinal)
            continue
        kind, ref = leaf.subject
        ops = leaf.operators()
        if kind in ("question", "question_score"):
            question = by_id.get(ref)
            if question is None:
                yield _err(Code.UNKNOWN_REFERENCE, loc, f"unknown question {ref!r}")
                continue
            if kind == "question_score":
                yield from _numeric_ops(ops, loc, f"the score of {ref!r}")
                continue
            yield from _question_op_findings(question, ops, loc, ordinal)
        elif kind == "dimension":
            if ref not in dim_ids:
                yield _err(Code.UNKNOWN_REFERENCE, loc, f"unknown dimension {ref!r}")
            yield from _numeric_ops(ops, loc, f"dimension {ref!r}")
        elif kind == "metric":
            if ref not in RESERVED_METRICS and ref not in metric_ids:
                yield _err(
                    Code.UNKNOWN_REFERENCE,
                    loc,
                    f"unknown metric {ref!r}",
                    expected="overall, level or a defined metric",
                    got=ref,
                )
            yield from _numeric_ops(ops, loc, f"metric {ref!r}")
        else:
            field_kind = profile_kinds.get(ref)
            if field_kind is None:
                yield _err(
                    Code.UNKNOWN_REFERENCE,
                    loc,
                    f"unknown profile field {ref!r}",
                    expected=", ".join(sorted(profile_kinds)),
                    got=ref,
                )
                continue
            for op, value in ops:
                allowed = {
                    "numeric": ("eq", "ne", "in_", "not_in", "gt", "gte", "lt", "lte"),
                    "bool": ("eq", "ne"),
                    "text": ("eq", "ne", "in_", "not_in"),
                    "set": ("contains", "in_", "not_in"),
                }[field_kind]
                if op not in allowed:
                    yield _err(
                        Code.BAD_CONDITION,
                        loc,
                        f"operator {op.rstrip('_')!r} does not apply to {field_kind} field {ref!r}",
                    )
                elif field_kind == "bool" and not isinstance(value, bool):
                    yield _err(
                        Code.BAD_CONDITION,
                        loc,
                        f"{ref!r} is true or false",
                        expected="true or false",
                        got=value,
                    )
                elif field_kind == "numeric" and _not_number(value):
                    yield _err(
                        Code.BAD_CONDITION, loc, f"{ref!r} is a number", expected="a number", got=value
                    )
                else:
                    yield from _choice_findings(ref, value, loc)


def _choice_findings(ref: str, value: Any, loc: tuple[str | int, ...]) -> Iterator[ErrorDetail]:
    """A profile field with a fixed list of values must be compared with one of them."""
    choices = PROFILE_CHOICES.get(ref)
    if choices is None:
        return
    for v in value if isinstance(value, list) else [value]:
        if v not in choices:
            yield _err(
                Code.UNKNOWN_REFERENCE, loc, f"{ref!r} is never {v!r}", expected=", ".join(choices), got=v
            )


def _not_number(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, bool) or not isinstance(v, int | float) for v in values)


def _numeric_ops(ops: list[tuple[str, Any]], loc: tuple[str | int, ...], what: str) -> Iterator[ErrorDetail]:
    for op, value in ops:
        if op in ("contains", "answered", "not_applicable"):
            yield _err(Code.BAD_CONDITION, loc, f"operator {op!r} does not apply to {what}")
        elif _not_number(value):
            yield _err(
                Code.BAD_CONDITION, loc, f"{what} is compared with numbers", expected="a number", got=value
            )


def _question_op_findings(
    question: Question, ops: list[tuple[str, Any]], loc: tuple[str | int, ...], ordinal: tuple[str, ...]
) -> Iterator[ErrorDetail]:
    t = question.type
    option_ids = {o.id for o in question.options}
    for op, value in ops:
        if op in ("answered", "not_applicable"):
            continue
        name = op.rstrip("_")
        if t in ("single_choice", "multiple_choice"):
            if op in ("gt", "gte", "lt", "lte"):
                yield _err(
                    Code.BAD_CONDITION,
                    loc,
                    f"{name!r} does not apply to choice question {question.id!r}; compare its question_score",
                )
                continue
            if t == "multiple_choice" and op in ("eq", "ne"):
                yield _err(
                    Code.BAD_CONDITION,
                    loc,
                    f"use 'contains' or 'in' on multiple-choice question {question.id!r}",
                )
                continue
            for v in value if isinstance(value, list) else [value]:
                if str(v) not in option_ids:
                    yield _err(
                        Code.UNKNOWN_REFERENCE,
                        loc,
                        f"question {question.id!r} has no option {v!r}",
                        expected=", ".join(sorted(option_ids)),
                        got=v,
                    )
        elif t == "yes_no":
            if op not in ("eq", "ne", "contains"):
                yield _err(
                    Code.BAD_CONDITION, loc, f"{name!r} does not apply to yes/no question {question.id!r}"
                )
            elif not isinstance(value, bool):
                yield _err(
                    Code.BAD_CONDITION,
                    loc,
                    f"yes/no question {question.id!r} compares with true or false",
                    expected="true or false",
                    got=value,
                )
        else:
            if op == "contains":
                yield _err(
                    Code.BAD_CONDITION, loc, f"'contains' does not apply to {t} question {question.id!r}"
                )
            elif _not_number(value):
                yield _err(
                    Code.BAD_CONDITION,
                    loc,
                    f"{t} question {question.id!r} compares with numbers",
                    expected="a number",
                    got=value,
                )


def _count_findings(
    spec: CountSpec,
    loc: tuple[str | int, ...],
    by_id: dict[str, Question],
    tags: set[str],
    ordinal: tuple[str, ...],
) -> Iterator[ErrorDetail]:
    for tag in spec.tags:
        if tag not in tags:
            yield _err(Code.UNKNOWN_REFERENCE, loc, f"no question carries tag {tag!r}")
    selected = [by_id[r] for r in spec.questions if r in by_id]
    for ref in spec.questions:
        if ref not in by_id:
            yield _err(Code.UNKNOWN_REFERENCE, loc, f"unknown question {ref!r}")
    selected += [qq for qq in by_id.values() if spec.tags and all(t in qq.tags for t in spec.tags)]
    if spec.value_gte is not None:
        for qq in selected:
            if qq.type not in ordinal:
                yield _err(
                    Code.BAD_CONDITION,
                    loc,
                    f"'value_gte' counts numeric, scale or scene-level answers; {qq.id!r} is {qq.type}",
                )
    if spec.tags or spec.questions:
        distinct = {qq.id for qq in selected}
        if spec.at_least > len(distinct) and all(t in tags for t in spec.tags):
            yield _err(
                Code.UNREACHABLE_LEVEL if loc and loc[0] == "levels" else Code.BAD_CONDITION,
                loc,
                f"needs {spec.at_least} questions but only {len(distinct)} are selected",
                expected=f"<= {len(distinct)}",
                got=spec.at_least,
            )


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def _translation_findings(q: Questionnaire) -> Iterator[ErrorDetail]:
    def texts(model: BaseModel, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Text]]:
        for name in type(model).model_fields:
            value = getattr(model, name)
            if isinstance(value, Text):
                yield (*loc, name), value
            elif isinstance(value, BaseModel):
                yield from texts(value, (*loc, name))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, BaseModel):
                        key = getattr(item, "id", i)
                        yield from texts(item, (*loc, name, key))

    for loc, t in texts(q, ()):
        if t.zh is None or t.en is None:
            missing = "zh" if t.zh is None else "en"
            yield _warn(Code.MISSING_TRANSLATION, loc, f"no {missing!r} text")


def raise_for_structure(q: Questionnaire) -> None:
    errors = [f for f in structure_findings(q) if f.severity == "error"]
    if errors:
        raise QuestionnaireError(f"questionnaire {q.id!r} is invalid", errors)
