"""Roadmap to the next level: the lowest-effort set of answer improvements that reaches it.

Algorithm (greedy, then pruned):

1. From the current answers, every *one-step improvement* is a candidate: the
   next option up in score for a choice, no -> yes, +1 on a scale or scene
   level, the next band for a numeric question, one more option for a multiple
   choice.  Questions not asked (condition false) or answered N/A are left alone.
2. All candidates are scored at once (one vectorised batch).  The step that
   most reduces the *shortfall* of the target level's rules per unit of effort
   is taken (effort cost low 1, medium 2, high 4).  The shortfall sums, over the
   rules' comparisons, how far each value is below its bar (dimension and
   overall points / 100; counts: missing items / needed items); ``any`` takes the
   smallest child shortfall.  When no step reduces it, the step with the largest
   overall gain per effort is taken.  Repeat until the target level is reached.
3. Pruning: each planned question is reverted, then lowered step by step, as
   long as the target is still reached, so no step in the plan is redundant.

Every step strictly raises one answer's score, and the best answers reach the
top level (the questionnaire lint checks this), so the loop ends with the target
reached.  The plan is irredundant but not always the cheapest possible: finding
the cheapest is a covering problem.  On small random questionnaires the tests
compare it with an exhaustive search (see docs/recommendations.md for figures).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._compile import CompiledQuestionnaire, EvalContext, ProfileColumns
from ._conditions import All, AnyOf, Compare, Condition, Count, CountSpec, walk
from ._exceptions import YzMaturityError
from ._model import EFFORT_COST, KIND_MULTIPLE, KIND_NUMERIC
from ._text import Text

if TYPE_CHECKING:
    from ._assessment import Assessment

__all__ = ["Roadmap", "RoadmapStep", "roadmap"]

ShortfallFn = Callable[[EvalContext], np.ndarray]


@dataclass(frozen=True)
class RoadmapStep:
    """Improve one question from its current answer to a target answer."""

    question: str
    dimension: str
    text: Text
    current: Any
    target: Any
    score_from: float
    score_to: float
    overall_gain: float
    effort: str
    cost: float
    guidance: tuple[Text, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "dimension": self.dimension,
            "current": self.current,
            "target": self.target,
            "score_from": round(self.score_from, 4),
            "score_to": round(self.score_to, 4),
            "overall_gain": round(self.overall_gain, 2),
            "effort": self.effort,
            "cost": self.cost,
            "guidance": [g.model_dump(exclude_none=True) for g in self.guidance],
        }


@dataclass(frozen=True)
class Gap:
    """A bar of the target level's rules and where the enterprise stands."""

    kind: str
    ref: str
    current: float | None
    required: float

    @property
    def gap(self) -> float:
        return max(0.0, self.required - (self.current or 0.0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "current": self.current,
            "required": self.required,
            "gap": round(self.gap, 2),
        }


@dataclass(frozen=True)
class Roadmap:
    """Ordered steps from the current level to ``target_level``, with the gaps they close."""

    current_level: int
    target_level: int
    reached: bool
    steps: tuple[RoadmapStep, ...]
    gaps: tuple[Gap, ...]
    overall_before: float
    overall_after: float

    @property
    def total_cost(self) -> float:
        return sum(s.cost for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {
            "current_level": self.current_level,
            "target_level": self.target_level,
            "reached": self.reached,
            "total_cost": self.total_cost,
            "overall_before": round(self.overall_before, 2),
            "overall_after": round(self.overall_after, 2),
            "steps": [s.to_dict() for s in self.steps],
            "gaps": [g.to_dict() for g in self.gaps],
        }

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return (
            f"<Roadmap L{self.current_level} -> L{self.target_level}: {len(self.steps)} steps, "
            f"cost {self.total_cost:g}, overall {self.overall_before:.1f} -> {self.overall_after:.1f}>"
        )


class Planner:
    """Plans improvements for one enterprise against a compiled questionnaire."""

    def __init__(self, cq: CompiledQuestionnaire) -> None:
        self.cq = cq
        self._score_cache: dict[tuple[int, float], float] = {}
        self.ladders = [self._ladder(col) for col in range(cq.n_questions)]
        self.costs = np.array([EFFORT_COST[q.effort] for q in cq.questions])

    # ------------------------------------------------------------------ answer ladders
    def _ladder(self, col: int) -> list[float]:
        """Codes of a question's answers from worst to best (multiple choice: none)."""
        cq = self.cq
        if cq.kind[col] == KIND_MULTIPLE:
            return []
        if cq.kind[col] == KIND_NUMERIC:
            _, edges, scores, right = next(x for x in cq.numeric if x[0] == col)
            q = cq.questions[col]
            lo = q.min if q.min is not None else -np.inf
            entry = [max(float(e), lo) for e in edges]  # the least value in each band
            if right:  # (min, next]: the first band holds its min; the others start above it
                entry = [entry[0]] + [_right_entry(edges, k, q.max) for k in range(1, len(edges))]
            pairs = sorted({(float(s), e) for e, s in zip(entry, scores, strict=True)})
            return [code for _, code in pairs]
        table = cq.table[list(cq.discrete_cols).index(col)]
        n = int(cq.n_codes[col])
        return [float(c) for c in sorted(range(n), key=lambda c: (table[c], c))]

    def next_steps(self, col: int, code: float) -> list[float]:
        """One-step improvements of the answer coded ``code`` (NaN = unanswered)."""
        cq = self.cq
        if cq.kind[col] == KIND_MULTIPLE:
            _, scores, exclusive, _ = next(x for x in cq.multiple if x[0] == col)
            bits = 0 if np.isnan(code) else int(code)
            if bits & exclusive:
                bits = 0
            return [
                float(bits | (1 << i))
                for i in range(len(scores))
                if not (bits >> i) & 1 and not (exclusive >> i) & 1
            ]
        ladder = self.ladders[col]
        if not ladder:
            return []
        current = self._score(col, code)
        for candidate in ladder:
            if self._score(col, candidate) > current + 1e-12 and (
                cq.kind[col] != KIND_NUMERIC or np.isnan(code) or candidate > code
            ):
                return [float(candidate)]
        return []

    def _score(self, col: int, code: float) -> float:
        """The score of one answer code, memoised (the planner asks often)."""
        key = (col, code)
        hit = self._score_cache.get(key)
        if hit is None:
            if np.isnan(code):
                hit = 0.0
            else:
                probe = np.full((1, self.cq.n_questions), np.nan)
                probe[0, col] = code
                hit = float(self.cq.question_scores(probe)[0, col])
            self._score_cache[key] = hit
        return hit

    # ------------------------------------------------------------------ shortfall
    def shortfall_fn(self, cond: Condition) -> ShortfallFn:
        cq = self.cq
        if isinstance(cond, All):
            parts = [self.shortfall_fn(c) for c in cond.all]
            return lambda ctx: np.sum([p(ctx) for p in parts], axis=0)
        if isinstance(cond, AnyOf):
            parts = [self.shortfall_fn(c) for c in cond.any]
            return lambda ctx: np.min([p(ctx) for p in parts], axis=0)
        if isinstance(cond, Count):
            counts = cq.count_fn(cond.count)
            need = cond.count.at_least
            return lambda ctx: np.maximum(0.0, need - counts(ctx)) / max(need, 1)
        if isinstance(cond, Compare):
            kind, ref = cond.subject
            if kind != "profile" and (cond.gte is not None or cond.gt is not None):
                get = cq.subject_fn(kind, ref)
                bar = float(cond.gte if cond.gte is not None else cond.gt)  # type: ignore[arg-type]
                scale = (
                    100.0
                    if kind in ("dimension", "metric") and ref in ("overall", *cq.dim_ids)
                    else max(abs(bar), 1.0)
                )
                holds = cq.compile_condition(cond)
                return lambda ctx: np.where(
                    holds(ctx), 0.0, np.maximum(np.nan_to_num(bar - get(ctx), nan=bar), 1e-6) / scale
                )
        holds_fn = cq.compile_condition(cond)
        return lambda ctx: np.where(holds_fn(ctx), 0.0, 1.0)

    # ------------------------------------------------------------------ planning
    def plan(self, a: Assessment, target_level: int) -> Roadmap:
        cq = self.cq
        q = a.questionnaire
        top = len(q.levels.levels) - 1
        if not 0 <= target_level <= top:
            raise YzMaturityError(f"target_level must be 0..{top} (got {target_level})")
        row = a._scores.matrix
        assert row is not None
        codes0 = row.codes[a._row].copy()
        na = row.na[a._row].copy()
        enterprise = a.enterprise
        rules = [lv.rule for lv in q.levels.levels[1 : target_level + 1] if lv.rule is not None]
        if not q.levels.cumulative:
            rules = rules[-1:]
        shortfall = [self.shortfall_fn(r) for r in rules]

        one_profile = ProfileColumns(1, enterprises=[enterprise])

        def evaluate(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            n = batch.shape[0]
            na_b = np.broadcast_to(na, batch.shape).copy()
            profile = one_profile.view(np.zeros(n, dtype=np.intp))  # the same enterprise n times
            res = cq.score_chunk(batch, na_b, profile, keep_questions=False)
            ctx = EvalContext(
                cq,
                batch,
                na_b,
                profile,
                dimensions=res.dimensions,
                relevant=res.relevant,
            )
            ctx.metrics = dict(res.metrics) | {"overall": res.overall}
            deficit = np.sum([f(ctx) for f in shortfall], axis=0) if shortfall else np.zeros(n)
            return res.level, np.nan_to_num(res.overall), deficit

        def reached(level: np.ndarray) -> np.ndarray:
            return level >= target_level

        codes = codes0.copy()
        level, overall, deficit = evaluate(codes[None, :])
        overall_before = float(overall[0])
        chosen_order: list[int] = []
        for _ in range(10 * cq.n_questions + 100):
            if reached(level)[0]:
                break
            relevant = self._relevant(codes, na, enterprise)
            cands: list[tuple[int, float]] = []
            for col in range(cq.n_questions):
                if na[col] or not relevant[col]:
                    continue
                for new in self.next_steps(col, codes[col]):
                    cands.append((col, new))
            if not cands:
                break
            batch = np.repeat(codes[None, :], len(cands), axis=0)
            for i, (col, new) in enumerate(cands):
                batch[i, col] = new
            c_level, c_overall, c_deficit = evaluate(batch)
            cost = self.costs[[c for c, _ in cands]]
            reduction = (deficit[0] - c_deficit) / cost
            gain = (c_overall - overall[0]) / cost
            finishing = reached(c_level)
            if finishing.any():
                pick = int(np.flatnonzero(finishing)[np.argmin(cost[finishing])])
            elif (reduction > 1e-12).any():
                pick = int(np.argmax(np.where(reduction > 1e-12, reduction, -np.inf)))
            else:
                pick = int(np.argmax(gain))
            col, new = cands[pick]
            codes[col] = new
            chosen_order.append(col)
            level, overall, deficit = (
                c_level[pick : pick + 1],
                c_overall[pick : pick + 1],
                c_deficit[pick : pick + 1],
            )

        ok = bool(reached(level)[0])
        if ok:
            codes = self._prune(codes0, codes, chosen_order, evaluate, reached)
        final_level, final_overall, _ = evaluate(codes[None, :])
        steps = self._steps(a, codes0, codes, chosen_order, evaluate)
        return Roadmap(
            current_level=a.level.number,
            target_level=target_level,
            reached=bool(reached(final_level)[0]),
            steps=tuple(steps),
            gaps=tuple(self.gaps(a, target_level)),
            overall_before=overall_before,
            overall_after=float(final_overall[0]),
        )

    def _relevant(self, codes: np.ndarray, na: np.ndarray, enterprise: Any) -> np.ndarray:
        cq = self.cq
        if not cq.relevance:
            return np.ones(cq.n_questions, dtype=bool)
        batch = codes[None, :]
        ctx = EvalContext(cq, batch, na[None, :], ProfileColumns(1, enterprises=[enterprise]))
        return np.asarray(cq.relevance_mask(ctx)[0])

    def _prune(
        self, codes0: np.ndarray, codes: np.ndarray, order: list[int], evaluate: Any, reached: Any
    ) -> np.ndarray:
        """Undo or lower planned answers while the target holds, biggest saving first (batched)."""
        planned = list(dict.fromkeys(order))
        while True:
            trials: list[tuple[int, float, float]] = []  # (col, code, saving)
            for col in planned:
                if _same(codes0[col], codes[col]):
                    continue
                full = self._distance(col, codes0[col], codes[col]) * self.costs[col]
                trials.append((col, codes0[col], full))
                for lower in self._one_down(col, codes0[col], codes[col]):
                    trials.append((col, lower, float(self.costs[col])))
            if not trials:
                return codes
            batch = np.repeat(codes[None, :], len(trials), axis=0)
            for i, (col, code, _) in enumerate(trials):
                batch[i, col] = code
            ok = reached(evaluate(batch)[0])
            if not ok.any():
                return codes
            best = max((i for i in np.flatnonzero(ok)), key=lambda i: (trials[i][2], -i))
            col, code, _ = trials[best]
            codes = codes.copy()
            codes[col] = code

    def _one_down(self, col: int, start: float, code: float) -> list[float]:
        """Answers one step below ``code`` that are still above ``start``."""
        if _same(start, code):
            return []
        if self.cq.kind[col] == KIND_MULTIPLE:
            base = 0 if np.isnan(start) else int(start)
            added = int(code) & ~base
            return [
                float(int(code) & ~(1 << i))
                for i in range(added.bit_length())
                if (added >> i) & 1 and (int(code) & ~(1 << i)) != base
            ]
        ladder = self.ladders[col]
        if code not in ladder:
            return []
        idx = ladder.index(code)
        floor = self._score(col, start)
        if idx > 0 and self._score(col, ladder[idx - 1]) > floor + 1e-12:
            return [ladder[idx - 1]]
        return []

    def _steps(
        self, a: Assessment, codes0: np.ndarray, codes: np.ndarray, order: list[int], evaluate: Any
    ) -> list[RoadmapStep]:
        cq = self.cq
        changed = [c for c in dict.fromkeys(order) if not _same(codes0[c], codes[c])]
        steps = []
        running = codes0.copy()
        _, prev_overall, _ = evaluate(running[None, :])
        for col in changed:
            running[col] = codes[col]
            _, new_overall, _ = evaluate(running[None, :])
            q = cq.questions[col]
            n_steps = max(1, self._distance(col, codes0[col], codes[col]))
            steps.append(
                RoadmapStep(
                    question=q.id,
                    dimension=cq.dim_ids[cq.question_dim[col]],
                    text=q.text,
                    current=cq.value_of(col, codes0[col]),
                    target=cq.value_of(col, codes[col]),
                    score_from=self._score(col, codes0[col]),
                    score_to=self._score(col, codes[col]),
                    overall_gain=float(new_overall[0] - prev_overall[0]),
                    effort=q.effort,
                    cost=float(self.costs[col] * n_steps),
                    guidance=self._guidance(col, codes0[col], codes[col]),
                )
            )
            prev_overall = new_overall
        return steps

    def _distance(self, col: int, start: float, end: float) -> int:
        if self.cq.kind[col] == KIND_MULTIPLE:
            a = 0 if np.isnan(start) else int(start)
            return bin(int(end) & ~a).count("1")
        ladder = self.ladders[col]
        i = -1 if np.isnan(start) else _index(ladder, start, self._score(col, start), self, col)
        j = _index(ladder, end, self._score(col, end), self, col)
        return max(1, j - i)

    def _guidance(self, col: int, start: float, end: float) -> tuple[Text, ...]:
        q = self.cq.questions[col]
        out: list[Text] = []
        if q.type == "single_choice" and not np.isnan(start):
            g = q.options[int(start)].guidance
            if g is not None:
                out.append(g)
        elif q.type in ("scale", "scene_level") and not np.isnan(start):
            value = int(start + self.cq.offset[col])
            point = next((p for p in q.points if p.value == value), None)
            if point is not None and point.guidance is not None:
                out.append(point.guidance)
        elif q.type == "numeric" and not np.isnan(start):
            band = q.band_of(float(start))
            if band is not None and band.guidance is not None:
                out.append(band.guidance)
        elif q.type == "multiple_choice":
            added = int(end) & ~(0 if np.isnan(start) else int(start))
            for i, o in enumerate(q.options):
                if (added >> i) & 1 and o.guidance is not None:
                    out.append(o.guidance)
        if q.guidance is not None:
            out.append(q.guidance)
        return tuple(out)

    # ------------------------------------------------------------------ gaps
    def gaps(self, a: Assessment, target_level: int) -> list[Gap]:
        """The bars of the target level (and, cumulatively, those below) with current values."""
        q = a.questionnaire
        levels = q.levels.levels[1 : target_level + 1]
        if not q.levels.cumulative:
            levels = levels[-1:]
        ctx = a._scores.context(slice(a._row, a._row + 1))
        bars: dict[tuple[str, str], Gap] = {}
        for lv in levels:
            if lv.rule is None:
                continue
            for leaf in _gte_leaves(lv.rule):
                if isinstance(leaf, Compare):
                    kind, ref = leaf.subject
                    if kind == "profile":
                        continue
                    value = float(self.cq.subject_fn(kind, ref)(ctx)[0])
                    bar = float(leaf.gte if leaf.gte is not None else leaf.gt)  # type: ignore[arg-type]
                    bars[(kind, ref)] = Gap(kind, ref, None if np.isnan(value) else round(value, 2), bar)
                else:
                    spec = leaf
                    ref = "+".join(spec.tags) if spec.tags else ",".join(spec.questions)
                    bar_value = spec.value_gte if spec.value_gte is not None else spec.score_gte
                    key = ("count", f"{ref} at >= {bar_value:g}")
                    bars[key] = Gap(
                        "count", key[1], float(self.cq.count_fn(spec)(ctx)[0]), float(spec.at_least)
                    )
        return list(bars.values())


def _gte_leaves(cond: Condition) -> list[Compare | CountSpec]:
    """The bars a rule sets: counts, and ``gte``/``gt`` comparisons outside ``not``."""
    return [
        leaf
        for leaf in walk(cond, negated=False)
        if isinstance(leaf, CountSpec) or leaf.gte is not None or leaf.gt is not None
    ]


def _same(a: float, b: float) -> bool:
    return (np.isnan(a) and np.isnan(b)) or a == b


def _index(ladder: list[float], code: float, score: float, planner: Planner, col: int) -> int:
    if code in ladder:
        return ladder.index(code)
    # numeric values between band minimums: position of the band they score in
    return max((i for i, c in enumerate(ladder) if planner._score(col, c) <= score + 1e-12), default=-1)


def roadmap(a: Assessment, target_level: int | None = None) -> Roadmap:
    """Plan the improvements that take ``a`` to ``target_level`` (default: the next level)."""
    cq = a.questionnaire.compiled()
    planner = cq.__dict__.get("_planner")
    if planner is None:
        planner = Planner(cq)
        cq.__dict__["_planner"] = planner
    top = len(a.questionnaire.levels.levels) - 1
    target = min(a.level.number + 1, top) if target_level is None else target_level
    return planner.plan(a, target)


def _right_entry(edges: np.ndarray, k: int, top: float | None) -> float:
    """A value that reaches right-closed band k, (edges[k], edges[k+1]]: its upper end, a round
    number (or, for the last band, one unit above its start, kept within ``top``)."""
    if k + 1 < len(edges):
        return float(edges[k + 1])
    start = float(edges[k])
    if top is None or start + 1 <= top:
        return start + 1
    return (start + top) / 2
