"""Compile a questionnaire into numpy arrays, once, for vectorised scoring.

An answer batch is encoded as a float64 matrix ``codes`` of shape (N, Q):

* single choice: the option's index; yes/no: 0 (no) or 1 (yes);
* scale and scene level: ``value - min`` (so a 1-5 scale is coded 0-4);
* multiple choice: the bit mask of the selected options (bit i = option i);
* numeric: the value itself;
* NaN: no value (unanswered, or not applicable, which ``na`` marks).

Discrete types (choice, yes/no, scale, scene level) score by one gather from a
padded table; multiple choice by unpacking bits; numeric by a band search.
See docs/concepts.md for the formulas.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from ._conditions import All, AnyOf, Compare, Condition, Count, CountSpec, Not
from ._exceptions import NotFoundError, QuestionnaireError
from ._model import KIND_MULTIPLE, KIND_NUMERIC, Questionnaire, dimension_weight, question_weight
from ._profile import PROFILE_KINDS
from ._row_sums import row_sums, weighted_mean
from ._structure import raise_for_structure

if TYPE_CHECKING:
    from ._model import Dimension, Question

__all__ = ["CompiledQuestionnaire", "EvalContext", "ProfileColumns", "profile_known"]


Mask = np.ndarray
ConditionFn = Callable[["EvalContext"], Mask]


class ProfileColumns:
    """Profile fields as arrays, built on demand from enterprises or given columns.

    Numeric and boolean fields become float arrays (NaN = unknown, bool as 0/1);
    text fields object arrays; set fields (``roles``) object arrays of frozensets.
    ``view(rows)`` gives the same fields for a chunk of rows.
    """

    def __init__(
        self,
        n: int,
        enterprises: Sequence[Any] | None = None,
        columns: Mapping[str, Any] | None = None,
    ) -> None:
        self.n = n
        self._enterprises = enterprises
        self._columns = dict(columns or {})
        self._cache: dict[str, np.ndarray] = {}
        self._factors: dict[str, tuple[np.ndarray, list[Any]]] = {}

    def get(self, name: str) -> np.ndarray:
        if name not in self._cache:
            self._cache[name] = self._build(name)
        return self._cache[name]

    def map_values(self, name: str, predicate: Callable[[Any], bool]) -> np.ndarray:
        """``predicate`` of each row's value of a text or set field, evaluated once per distinct value."""
        inverse, uniques = self._factorized(name)
        table = np.fromiter((predicate(u) for u in uniques), dtype=bool, count=len(uniques))
        return np.asarray(table[inverse])

    def _factorized(self, name: str) -> tuple[np.ndarray, list[Any]]:
        key = "__factorized__" + name
        if key not in self._factors:
            index: dict[Any, int] = {}
            values = self.get(name).tolist()
            n = len(values)
            # Each row's code is the row of the first value equal to it, then made dense.
            first = np.fromiter(map(index.setdefault, values, range(n)), dtype=np.intp, count=n)
            heads = np.flatnonzero(first == np.arange(n))
            lookup = np.empty(n, dtype=np.intp)
            lookup[heads] = np.arange(len(heads), dtype=np.intp)
            self._factors[key] = (lookup[first], [values[i] for i in heads.tolist()])
        return self._factors[key]

    def view(self, rows: slice | np.ndarray) -> ProfileView:
        return ProfileView(self, rows)

    def override(self, name: str, values: np.ndarray) -> None:
        """Replace a field's values (e.g. a fact reconciled from the profile and an answer)."""
        self._cache[name] = values
        self._factors.pop("__factorized__" + name, None)

    def _build(self, name: str) -> np.ndarray:
        kind = PROFILE_KINDS[name]
        if name in self._columns:
            raw = list(self._columns[name])
        elif self._enterprises is not None:
            raw = [None if e is None else e.profile_value(name) for e in self._enterprises]
        else:  # unknown on every row: built at once, no loop
            unknown: Any = np.nan if kind in ("numeric", "bool") else frozenset() if kind == "set" else None
            return np.full(self.n, unknown, dtype=np.float64 if unknown is np.nan else object)
        if kind in ("numeric", "bool"):
            return np.array([np.nan if v is None else float(v) for v in raw], dtype=np.float64)
        out = np.empty(self.n, dtype=object)
        out[:] = [frozenset(v or ()) for v in raw] if kind == "set" else raw
        return out


class ProfileView:
    """The profile fields of some rows (a scoring chunk, or one row repeated)."""

    def __init__(self, root: ProfileColumns, rows: slice | np.ndarray) -> None:
        self.root = root
        self.rows = rows

    def get(self, name: str) -> np.ndarray:
        return self.root.get(name)[self.rows]

    def map_values(self, name: str, predicate: Callable[[Any], bool]) -> np.ndarray:
        inverse, uniques = self.root._factorized(name)
        codes = inverse[self.rows]
        # The predicate for the distinct values of these rows only (once each); a count beats a
        # sort-or-hash unique while the values are few against the rows.
        if len(uniques) <= 4 * len(codes):
            present = np.flatnonzero(np.bincount(codes, minlength=len(uniques)))
        else:
            present = np.unique(codes)
        table = np.zeros(len(uniques), dtype=bool)
        table[present] = [bool(predicate(uniques[u])) for u in present.tolist()]
        return np.asarray(table[codes])


@dataclass
class EvalContext:
    """What a condition can read, for a chunk of n rows."""

    cq: CompiledQuestionnaire
    codes: np.ndarray
    na: np.ndarray
    profile: ProfileColumns | ProfileView
    dimensions: np.ndarray | None = None
    metrics: dict[str, np.ndarray] = field(default_factory=dict)
    relevant: np.ndarray | None = None
    zero_filled: np.ndarray | None = None  # question scores with 0 for no value, if known
    cache: dict[Any, np.ndarray] = field(default_factory=dict)
    _raw: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(self.codes.shape[0])

    @property
    def raw_scores(self) -> np.ndarray:
        """Question scores with NaN where there is no value (computed on first use)."""
        if self._raw is None:
            if self.zero_filled is not None:
                self._raw = np.where(np.isnan(self.codes), np.nan, self.zero_filled)
            else:
                self._raw = self.cq.question_scores(self.codes)
        return self._raw

    def values(self, col: int) -> np.ndarray:
        return np.asarray(self.codes[:, col] + self.cq.offset[col])

    def metric(self, name: str) -> np.ndarray:
        if name not in self.metrics:
            raise QuestionnaireError(f"metric {name!r} is read before it is computed")
        return self.metrics[name]


class CompiledQuestionnaire:
    """The numpy form of a questionnaire; build with ``questionnaire.compiled()`` (structure checked first)."""

    def __init__(self, q: Questionnaire) -> None:
        self.questionnaire = q
        pairs = list(q.iter_questions())
        self.questions: list[Question] = [question for _, question in pairs]
        self.qids: list[str] = [question.id for question in self.questions]
        self.index: dict[str, int] = {qid: i for i, qid in enumerate(self.qids)}
        self.dims: list[Dimension] = list(q.walk_dimensions())
        self.dim_ids: list[str] = [d.id for d in self.dims]
        self.dim_index: dict[str, int] = {d: i for i, d in enumerate(self.dim_ids)}
        self.question_dim = np.array([self.dim_index[d.id] for d, _ in pairs], dtype=np.intp)
        n_q, n_d = len(self.qids), len(self.dims)
        self.n_questions, self.n_dimensions = n_q, n_d

        self.by_points = q.scoring.method == "points"
        self.weights = np.array(
            [question_weight(qq, self.by_points) for qq in self.questions], dtype=np.float64
        )
        self.offset = np.zeros(n_q)
        self.kind = np.zeros(n_q, dtype=np.int8)
        self.n_codes = np.zeros(n_q, dtype=np.int64)
        tables: list[list[float]] = []
        discrete_cols: list[int] = []
        self.multiple: list[tuple[int, np.ndarray, int, str]] = []
        self.numeric: list[tuple[int, np.ndarray, np.ndarray, bool]] = []
        self.option_index: list[dict[str, int]] = [{} for _ in range(n_q)]
        for col, qq in enumerate(self.questions):
            if qq.type in ("single_choice", "multiple_choice"):
                self.option_index[col] = {o.id: i for i, o in enumerate(qq.options)}
            if qq.type == "single_choice":
                table = [qq.option_score(o) for o in qq.options]
            elif qq.type == "yes_no":
                table = [qq.score_no, qq.score_yes]
            elif qq.type in ("scale", "scene_level"):
                lo, hi = int(qq.min or 0), int(qq.max or 0)
                self.offset[col] = lo
                table = [(v - lo) / (hi - lo) for v in range(lo, hi + 1)]
            elif qq.type == "multiple_choice":
                self.kind[col] = KIND_MULTIPLE
                scores = np.array([qq.option_score(o) for o in qq.options])
                exclusive = sum(1 << i for i, o in enumerate(qq.options) if o.exclusive)
                self.multiple.append((col, scores, exclusive, qq.combine))
                self.n_codes[col] = 1 << len(qq.options)
                continue
            else:  # numeric
                self.kind[col] = KIND_NUMERIC
                bands = sorted(qq.bands, key=lambda b: b.min)
                edges = np.array([b.min for b in bands], dtype=np.float64)
                scores = np.array([qq.option_score(b) for b in bands])
                self.numeric.append((col, edges, scores, qq.closed == "right"))
                continue
            self.n_codes[col] = len(table)
            discrete_cols.append(col)
            tables.append(table)
        width = max((len(t) for t in tables), default=1)
        self.discrete_cols = np.array(discrete_cols, dtype=np.intp)
        self.table = np.full((len(tables), width), np.nan)
        for i, t in enumerate(tables):
            self.table[i, : len(t)] = t
        # One flat table over *all* columns for a single gather: column q's row starts at
        # q * (width + 1); its last slot is NaN, where a missing answer (code NaN) points.
        # Multiple-choice and numeric columns gather garbage there and are overwritten.
        full = np.full((n_q, width + 1), np.nan)
        full[self.discrete_cols, :width] = self.table
        self._table_flat = full.ravel()
        self._table_zero = np.nan_to_num(self._table_flat, nan=0.0)
        # Multiple choice: a lookup table over every selection mask when it is small.
        self._multiple_scorers: list[tuple[int, np.ndarray | None, np.ndarray, str]] = []
        for col, scores, _exclusive, combine in self.multiple:
            lut = None
            if len(scores) <= 14:
                masks = np.arange(1 << len(scores))
                selected = ((masks[:, None] >> np.arange(len(scores))) & 1).astype(np.float64)
                lut = _combine(selected, scores, combine)
            self._multiple_scorers.append((col, lut, scores, combine))
        self._table_base = np.arange(n_q, dtype=np.intp) * (width + 1)
        self._nan_slot = float(width)

        # Leaf membership with weights: (Q, D); dimension tree in post-order.
        self.leaf_weights = np.zeros((n_q, n_d))
        self.leaf_weights[np.arange(n_q), self.question_dim] = self.weights
        self.parent = np.full(n_d, -1, dtype=np.intp)
        # An unscored dimension weighs nothing in its parent (it is still scored itself).
        self.dim_weight = np.array(
            [dimension_weight(d, self.by_points) if d.scored else 0.0 for d in self.dims], dtype=np.float64
        )
        for i, d in enumerate(self.dims):
            for child in d.dimensions:
                self.parent[self.dim_index[child.id]] = i
        # Depth in the tree (0 = top level); dims are in pre-order, so parents come first.
        self.dim_depth = np.zeros(n_d, dtype=np.intp)
        for k in range(n_d):
            if self.parent[k] >= 0:
                self.dim_depth[k] = self.dim_depth[self.parent[k]] + 1
        self.children: list[np.ndarray] = [
            np.array([self.dim_index[c.id] for c in d.dimensions], dtype=np.intp) for d in self.dims
        ]
        self.leaf_dims = np.array([i for i, d in enumerate(self.dims) if d.is_leaf], dtype=np.intp)
        self.internal_postorder = [i for i in reversed(range(n_d)) if not self.dims[i].is_leaf]
        self.top_dims = np.array([self.dim_index[d.id] for d in q.dimensions], dtype=np.intp)
        self.dim_thresholds: list[np.ndarray | None] = [
            None if d.level_thresholds is None else np.asarray(d.level_thresholds, dtype=np.float64)
            for d in self.dims
        ]
        self.missing_counts = q.scoring.missing == "zero"
        self.required = np.array([qq.required for qq in self.questions], dtype=bool)
        self.allow_na = np.array([qq.allow_na for qq in self.questions], dtype=bool)
        conditional = np.array([qq.relevant is not None for qq in self.questions], dtype=bool)
        # Columns whose weight may leave the denominator: N/A allowed, conditional,
        # or (policy 'exclude') optional.  Validation guarantees the rest applies.
        can_leave = self.allow_na | conditional | (~self.required if not self.missing_counts else False)
        self.excludable = np.flatnonzero(can_leave)
        # (dimension, question, weight, column among the excludable or -1); always applicable weights.
        where = {int(q): k for k, q in enumerate(self.excludable)}
        self._sum_plan = [
            (int(d), q, float(self.weights[q]), where.get(q, -1)) for q, d in enumerate(self.question_dim)
        ]
        fixed = [sum(w for e, _, w, k in self._sum_plan if e == d and k < 0) for d in range(n_d)]
        self._fixed_weight = np.array(fixed, dtype=np.float64)[:, None]

        self.tags: dict[str, list[int]] = {}
        for col, qq in enumerate(self.questions):
            for tag in qq.tags:
                self.tags.setdefault(tag, []).append(col)

        self.relevance: list[tuple[int, ConditionFn]] = [
            (col, self.compile_condition(qq.relevant))
            for col, qq in enumerate(self.questions)
            if qq.relevant is not None
        ]
        self.metric_ids = [m.id for m in q.metrics]
        self.metric_fns: list[tuple[str, Callable[[EvalContext, np.ndarray, np.ndarray], np.ndarray]]] = [
            (m.id, self._compile_metric(m)) for m in q.metrics
        ]
        self.levels = q.levels.levels
        self.level_fns = [self.compile_condition(lv.rule) for lv in self.levels[1:] if lv.rule]

    # ------------------------------------------------------------------ lookups
    def question(self, qid: str) -> Question:
        try:
            return self.questions[self.index[qid]]
        except KeyError:
            raise NotFoundError("question", qid, self.qids) from None

    def dimension(self, did: str) -> Dimension:
        try:
            return self.dims[self.dim_index[did]]
        except KeyError:
            raise NotFoundError("dimension", did, self.dim_ids) from None

    def select(self, tags: Sequence[str] = (), questions: Sequence[str] = ()) -> np.ndarray:
        """Columns of the questions listed, or carrying every one of ``tags``."""
        cols = {self.index[qid] for qid in questions}
        if tags:
            sets = [set(self.tags.get(tag, ())) for tag in tags]
            cols |= set.intersection(*sets)
        return np.array(sorted(cols), dtype=np.intp)

    def extreme_codes(self, best: bool) -> np.ndarray:
        """Codes of the best (or worst) valid answer to every question."""
        pick = np.nanargmax if best else np.nanargmin
        out = np.empty(self.n_questions)
        for i, col in enumerate(self.discrete_cols):
            out[col] = pick(self.table[i])
        for col, scores, exclusive, _combine in self.multiple:
            n_opt = len(scores)
            candidates = [1 << i for i in range(n_opt)]  # an empty selection is no answer
            candidates.append(sum(1 << i for i in range(n_opt) if not (exclusive >> i) & 1))
            codes = np.array(candidates, dtype=np.float64)[:, None]
            probe = np.zeros((len(candidates), self.n_questions))
            probe[:, col] = codes[:, 0]
            got = self.question_scores(probe)[:, col]
            out[col] = candidates[int(pick(got))]
        for col, edges, _scores, right in self.numeric:
            # Band minimums (just above them when bands are right-closed) and the allowed
            # bound; best = highest score, then highest value.
            qq = self.questions[col]
            bound = qq.max if best else qq.min
            lo = -np.inf if qq.min is None else qq.min
            hi = np.inf if qq.max is None else qq.max
            probes = {float(e) for e in edges}
            if right:
                probes |= {float(np.nextafter(e, np.inf)) for e in edges}
            values = sorted(
                v for v in probes | ({float(bound)} if bound is not None else set()) if lo <= v <= hi
            )
            probe = np.zeros((len(values), self.n_questions))
            probe[:, col] = values
            scores_at = self.question_scores(probe)[:, col]
            sign = 1.0 if best else -1.0
            out[col] = max(zip(sign * scores_at, [sign * v for v in values], values, strict=True))[2]
        return out

    def value_of(self, col: int, code: float) -> Any:
        """The answer value a code stands for (the inverse of encoding)."""
        qq = self.questions[col]
        if np.isnan(code):
            return None
        if qq.type == "single_choice":
            return qq.options[int(code)].id
        if qq.type == "multiple_choice":
            bits = int(code)
            return [o.id for i, o in enumerate(qq.options) if (bits >> i) & 1]
        if qq.type == "yes_no":
            return bool(code)
        if qq.type in ("scale", "scene_level"):
            return int(code + self.offset[col])
        return int(code) if float(code).is_integer() else float(code)

    @cached_property
    def subtree_member(self) -> np.ndarray:
        """(Q, D) 0/1: question q lies in dimension d or below it."""
        member = np.zeros((self.n_questions, self.n_dimensions))
        for col in range(self.n_questions):
            d = int(self.question_dim[col])
            while d >= 0:
                member[col, d] = 1.0
                d = int(self.parent[d])
        return member

    # ------------------------------------------------------------------ scoring
    def question_scores(self, codes: np.ndarray, missing: float = np.nan) -> np.ndarray:
        """Score in [0, 1] of every answer; ``missing`` (NaN by default) where there is no value."""
        n = codes.shape[0]
        out = np.empty((n, self.n_questions))
        if len(self.discrete_cols):
            # fmin maps NaN to the missing slot; the cast to int is exact for valid codes.
            idx = np.empty(codes.shape, dtype=np.intp)
            np.fmin(codes, self._nan_slot, out=idx, casting="unsafe")
            idx += self._table_base
            table = self._table_flat if np.isnan(missing) else self._table_zero
            np.take(table, idx, mode="clip", out=out)
        for col, lut, scores, combine in self._multiple_scorers:
            column = codes[:, col]
            absent = np.isnan(column)
            bits = np.where(absent, 0, column).astype(np.intp)
            if lut is not None:
                value = lut[bits]
            else:
                selected = ((bits[:, None] >> np.arange(len(scores))) & 1).astype(np.float64)
                value = _combine(selected, scores, combine)
            value[absent] = missing
            out[:, col] = value
        for col, edges, scores, right_closed in self.numeric:
            column = codes[:, col]
            if right_closed:  # (min, next min]; the first band also holds its min
                pos = np.searchsorted(edges, column, side="left") - 1
                pos[column == edges[0]] = 0
            else:  # [min, next min)
                pos = np.searchsorted(edges, column, side="right") - 1
            value = np.where(pos < 0, 0.0, scores[np.maximum(pos, 0)])
            value[np.isnan(column)] = missing
            out[:, col] = value
        return out

    def _applicable_sums(
        self, scored: np.ndarray | None, excluded: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(D, n) points (without ``scored``: zeros) and weights of each dimension's applicable
        questions, added in one order per row (see ``_row_sums``): the always applicable ones first."""
        num = np.zeros((self.n_dimensions, len(excluded)))
        den = num + self._fixed_weight  # then the questions that may not apply, in order
        for d, q, w, k in self._sum_plan:
            if k >= 0:
                kept = ~excluded[:, k]
                den[d] += kept * w
                if scored is not None:
                    num[d] += scored[:, q] * w * kept
            elif scored is not None:
                num[d] += scored[:, q] * w
        return num, den

    def relevance_mask(self, ctx: EvalContext) -> np.ndarray:
        relevant = np.ones((ctx.n, self.n_questions), dtype=bool, order="F")  # filled column by column
        for col, fn in self.relevance:
            relevant[:, col] = fn(ctx)
        return relevant

    def score_chunk(
        self,
        codes: np.ndarray,
        na: np.ndarray,
        profile: ProfileColumns | ProfileView,
        keep_questions: bool = True,
    ) -> ChunkScores:
        scored = self.question_scores(codes, missing=0.0)
        ctx = EvalContext(self, codes, na, profile, zero_filled=scored)
        relevant = self.relevance_mask(ctx) if self.relevance else None
        ctx.relevant = relevant
        # Applicable: asked (relevant), not marked N/A, and either answered or
        # counted as zero when the questionnaire scores missing answers as 0.
        # Only the "excludable" columns can ever be inapplicable: the others'
        # weights are summed once (_applicable_sums).
        cols = self.excludable
        excluded = na[:, cols]  # a copy (fancy index)
        if relevant is not None:
            excluded |= ~relevant[:, cols]
        if not self.missing_counts:
            excluded |= np.isnan(codes[:, cols])
        n = codes.shape[0]
        num, den = self._applicable_sums(scored, excluded)
        dims = np.full((n, self.n_dimensions), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            dims[:, self.leaf_dims] = np.clip((100.0 * num / den)[self.leaf_dims].T, 0.0, 100.0)
        applicable = np.ones((0, 0), dtype=bool)  # built only when asked for
        if keep_questions or self.metric_fns:
            applicable = np.ones((n, self.n_questions), dtype=bool)
            applicable[:, cols] = ~excluded
        for d in self.internal_postorder:
            dims[:, d] = weighted_mean(dims[:, self.children[d]], self.dim_weight[self.children[d]])
        overall = weighted_mean(dims[:, self.top_dims], self.dim_weight[self.top_dims])
        ctx.dimensions = dims
        ctx.metrics["overall"] = overall
        if self.metric_fns:
            applied = np.where(applicable, scored, 0.0)
            for metric_id, fn in self.metric_fns:
                ctx.metrics[metric_id] = fn(ctx, applied, applicable)
        level = self._levels(ctx)
        ctx.metrics["level"] = level.astype(np.float64)
        return ChunkScores(
            question_scores=np.where(applicable, scored, np.nan) if keep_questions else None,
            applicable=applicable if keep_questions else None,
            answered=~np.isnan(codes) if keep_questions else None,
            relevant=relevant,
            dimensions=dims,
            overall=overall,
            level=level,
            metrics={k: ctx.metrics[k] for k in self.metric_ids},
        )

    def _levels(self, ctx: EvalContext) -> np.ndarray:
        n = ctx.n
        if not self.level_fns:
            return np.zeros(n, dtype=np.int64)
        passes = np.column_stack([fn(ctx) for fn in self.level_fns])
        if self.questionnaire.levels.cumulative:
            return np.asarray(np.cumprod(passes, axis=1).sum(axis=1), dtype=np.int64)
        top = passes.shape[1] - np.argmax(passes[:, ::-1], axis=1)
        return np.where(passes.any(axis=1), top, 0).astype(np.int64)

    def dimension_levels(self, dims: np.ndarray) -> np.ndarray:
        """Level of each dimension with ``level_thresholds``; -1 where undefined."""
        out = np.full(dims.shape, -1, dtype=np.int64)
        for d, thresholds in enumerate(self.dim_thresholds):
            if thresholds is None:
                continue
            col = dims[:, d]
            lv = np.searchsorted(thresholds, col, side="right")
            out[:, d] = np.where(np.isnan(col), -1, lv)
        return out

    def effective_weights(self, applicable: np.ndarray, dims: np.ndarray) -> np.ndarray:
        """Points (0-100 of the overall) each question carries for each row.

        ``sum(effective * score) == overall``; ``effective * (1 - score)`` is
        what the overall would gain if that answer were the best one.
        """
        n = applicable.shape[0]
        defined = ~np.isnan(dims)
        share = np.zeros((n, self.n_dimensions))
        top = self.top_dims
        w_top = self.dim_weight[top] * defined[:, top]
        total = row_sums(w_top)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            share[:, top] = np.where(total > 0, w_top / total, 0.0)
            for d in range(self.n_dimensions):  # pre-order: parents before children
                kids = self.children[d]
                if len(kids) == 0:
                    continue
                w = self.dim_weight[kids] * defined[:, kids]
                tot = row_sums(w)[:, None]
                share[:, kids] = share[:, [d]] * np.where(tot > 0, w / tot, 0.0)
            app_w = applicable * self.weights
            den = self._applicable_sums(None, ~applicable[:, self.excludable])[1].T  # others always apply
            den_q = den[:, self.question_dim]
            eff = np.where(den_q > 0, 100.0 * share[:, self.question_dim] * app_w / den_q, 0.0)
        return eff

    # ------------------------------------------------------------------ conditions
    def compile_condition(self, cond: Condition | None) -> ConditionFn:
        if cond is None:
            return lambda ctx: np.ones(ctx.n, dtype=bool)
        if isinstance(cond, All):
            fns = [self.compile_condition(c) for c in cond.all]
            return lambda ctx: _reduce(np.logical_and, [f(ctx) for f in fns])
        if isinstance(cond, AnyOf):
            fns = [self.compile_condition(c) for c in cond.any]
            return lambda ctx: _reduce(np.logical_or, [f(ctx) for f in fns])
        if isinstance(cond, Not):
            inner = self.compile_condition(cond.not_)
            return lambda ctx: ~inner(ctx)
        if isinstance(cond, Count):
            return self._compile_count(cond.count)
        return self._compile_compare(cond)

    def _compile_count(self, spec: CountSpec) -> ConditionFn:
        counts = self.count_fn(spec)
        at_least = spec.at_least
        return lambda ctx: np.asarray(counts(ctx) >= at_least)

    def count_fn(self, spec: CountSpec) -> Callable[[EvalContext], np.ndarray]:
        """How many selected questions pass the count's bar, per row (applicable ones only)."""
        cols = self.select(spec.tags, spec.questions)
        offsets = self.offset[cols]
        by_score = spec.score_gte is not None
        bar = float(spec.score_gte if spec.score_gte is not None else spec.value_gte or 0.0)

        key = ("count", by_score, cols.tobytes())

        def counts(ctx: EvalContext) -> np.ndarray:
            # The selected values, NaN where not counted, are shared by every count over them.
            values = ctx.cache.get(key)
            if values is None:
                values = ctx.raw_scores[:, cols] if by_score else ctx.codes[:, cols] + offsets
                skip = ctx.na[:, cols]
                if ctx.relevant is not None:
                    skip = skip | ~ctx.relevant[:, cols]
                values = np.where(skip, np.nan, values)
                ctx.cache[key] = values
            return np.asarray((values >= bar - 1e-12).sum(axis=1))

        return counts

    def subject_fn(self, kind: str, ref: str) -> Callable[[EvalContext], np.ndarray]:
        """The values a comparison reads: answer values (option index for choices), scores, profile."""
        if kind == "question":
            col = self.index[ref]
            return lambda ctx: ctx.values(col)
        if kind == "question_score":
            col = self.index[ref]
            return lambda ctx: ctx.raw_scores[:, col]
        if kind == "dimension":
            d = self.dim_index[ref]
            return lambda ctx: _dims(ctx)[:, d]
        if kind == "metric":
            return lambda ctx: ctx.metric(ref)
        return lambda ctx: ctx.profile.get(ref)

    def _compile_compare(self, cmp: Compare) -> ConditionFn:
        kind, ref = cmp.subject
        tests = [self._compile_op(kind, ref, op, value) for op, value in cmp.operators()]
        if len(tests) == 1:
            return tests[0]
        return lambda ctx: _reduce(np.logical_and, [t(ctx) for t in tests])

    def _compile_op(self, kind: str, ref: str, op: str, value: Any) -> ConditionFn:
        if kind == "question":
            return self._question_op(self.index[ref], op, value)
        if kind == "profile":
            return _profile_op(ref, op, value)
        return _numeric_op(self.subject_fn(kind, ref), op, value)

    def _question_op(self, col: int, op: str, value: Any) -> ConditionFn:
        qq = self.questions[col]
        if op == "answered":
            want = bool(value)
            return lambda ctx: ~np.isnan(ctx.codes[:, col]) == want
        if op == "not_applicable":
            want = bool(value)
            return lambda ctx: ctx.na[:, col] == want
        if qq.type == "multiple_choice":
            if op == "contains":
                bit = self.option_index[col][str(value)]
                return lambda ctx: _has_bit(ctx.codes[:, col], bit)
            if op in ("in", "in_", "not_in"):
                mask = sum(1 << self.option_index[col][str(v)] for v in value)

                def any_of(ctx: EvalContext) -> Mask:
                    column = ctx.codes[:, col]
                    hit = (np.where(np.isnan(column), 0, column).astype(np.int64) & mask) != 0
                    return np.asarray(hit if op != "not_in" else (~hit & ~np.isnan(column)))

                return any_of
            raise AssertionError(f"lint lets no {op!r} reach a multiple_choice question")
        if op == "contains":
            op, value = "eq", value
        if qq.type in ("single_choice", "yes_no") and op in ("eq", "ne", "in_", "not_in"):
            values = value if isinstance(value, list) else [value]
            codes = [self._code_of(col, v) for v in values]
            return _numeric_op(
                lambda ctx: ctx.codes[:, col], op, codes if isinstance(value, list) else codes[0]
            )
        return _numeric_op(lambda ctx: ctx.values(col), op, value)

    def _code_of(self, col: int, value: Any) -> float:
        qq = self.questions[col]
        if qq.type == "yes_no":
            return 1.0 if value is True else 0.0
        return float(self.option_index[col][str(value)])

    def _compile_metric(self, metric: Any) -> Callable[[EvalContext, np.ndarray, np.ndarray], np.ndarray]:
        if metric.group_mean is not None:
            cols = self.select(metric.group_mean.tags, metric.group_mean.questions)
            w = self.weights[cols]

            def group_mean(ctx: EvalContext, scored: np.ndarray, applicable: np.ndarray) -> np.ndarray:
                return weighted_mean(np.where(applicable[:, cols], scored[:, cols], np.nan), w)

            return group_mean
        parts = list(metric.cumulative.parts)
        bar = metric.cumulative.pass_score

        def cumulative(ctx: EvalContext, scored: np.ndarray, applicable: np.ndarray) -> np.ndarray:
            values = np.column_stack([ctx.metric(p) for p in parts])
            values = np.nan_to_num(values, nan=0.0)
            passed = values >= bar - 1e-12
            included = np.ones_like(passed)
            included[:, 1:] = np.cumprod(passed, axis=1)[:, :-1]
            return row_sums(values * included)

        return cumulative


@dataclass
class ChunkScores:
    question_scores: np.ndarray | None
    applicable: np.ndarray | None
    answered: np.ndarray | None
    relevant: np.ndarray | None
    dimensions: np.ndarray
    overall: np.ndarray
    level: np.ndarray
    metrics: dict[str, np.ndarray]


def _combine(selected: np.ndarray, scores: np.ndarray, combine: str) -> np.ndarray:
    """Score of multiple-choice selections (rows of 0/1 over the options)."""
    if combine == "max":
        return np.asarray((selected * scores).max(axis=1))
    total = row_sums(selected * scores)
    if combine == "mean":
        return np.asarray(np.minimum(total / max(float(scores.sum()), 1e-12), 1.0))
    return np.asarray(np.minimum(total, 1.0))


def _dims(ctx: EvalContext) -> np.ndarray:
    if ctx.dimensions is None:
        raise QuestionnaireError("a dimension score is read before scores are computed")
    return ctx.dimensions


def _reduce(fn: Any, arrays: list[np.ndarray]) -> np.ndarray:
    out = arrays[0].copy()
    for a in arrays[1:]:
        fn(out, a, out=out)
    return out


def _has_bit(column: np.ndarray, bit: int) -> np.ndarray:
    bits = np.where(np.isnan(column), 0, column).astype(np.int64)
    return ((bits >> bit) & 1).astype(bool)


_EPS = 1e-9


def _numeric_op(get: Callable[[EvalContext], np.ndarray], op: str, value: Any) -> ConditionFn:
    """A comparison of a float array; NaN (missing) compares false except under ``not``."""
    if op in ("in_", "in", "not_in"):
        targets = np.array([float(v) for v in value])

        def member(ctx: EvalContext) -> Mask:
            arr = get(ctx)
            hit = np.isin(arr, targets)
            return hit if op != "not_in" else (~hit & ~np.isnan(arr))

        return member
    v = float(value)
    if op == "eq":
        return lambda ctx: np.abs(get(ctx) - v) <= _EPS
    if op == "ne":
        return lambda ctx: (lambda a: (np.abs(a - v) > _EPS) & ~np.isnan(a))(get(ctx))
    if op == "gte":
        return lambda ctx: get(ctx) >= v - _EPS
    if op == "gt":
        return lambda ctx: get(ctx) > v + _EPS
    if op == "lte":
        return lambda ctx: get(ctx) <= v + _EPS
    if op == "lt":
        return lambda ctx: get(ctx) < v - _EPS
    raise AssertionError(f"lint lets no {op!r} reach a numeric comparison")


def _profile_op(name: str, op: str, value: Any) -> ConditionFn:
    kind = PROFILE_KINDS[name]
    if kind in ("numeric", "bool"):
        if kind == "bool" and op in ("eq", "ne"):
            value = 1.0 if value else 0.0
        if kind == "bool" and op in ("in_", "not_in"):
            value = [1.0 if v else 0.0 for v in value]
        return _numeric_op(lambda ctx: ctx.profile.get(name), op, value)
    # Text and set fields: the predicate runs once per distinct value, then a gather.
    predicate: Callable[[Any], bool]
    if kind == "set" and op == "contains":
        predicate = lambda s: value in s  # noqa: E731
    elif kind == "set" and op in ("in_", "not_in"):
        wanted = set(value)
        predicate = lambda s: bool(s & wanted) == (op == "in_")  # noqa: E731
    elif kind == "text" and op in ("eq", "ne"):
        predicate = lambda a: a is not None and (a == value) == (op == "eq")  # noqa: E731
    elif kind == "text" and op in ("in_", "not_in"):
        wanted_text = set(value)
        predicate = lambda a: a is not None and (a in wanted_text) == (op == "in_")  # noqa: E731
    else:
        raise AssertionError(f"lint lets no {op!r} reach a {kind} field")
    return lambda ctx: ctx.profile.map_values(name, predicate)


def compile_questionnaire(q: Questionnaire) -> CompiledQuestionnaire:
    """Check the structure (raising :class:`QuestionnaireError` with every problem), then compile."""
    raise_for_structure(q)
    return CompiledQuestionnaire(q)


# ``Questionnaire.compiled()`` builds through this (the model layer does not import the engine).
Questionnaire._compiler = compile_questionnaire


def profile_known(ctx: EvalContext, name: str) -> np.ndarray:
    """Rows where a profile field has a value (numbers and flags: not NaN; text: not None)."""
    values = ctx.profile.get(name)
    if values.dtype.kind == "f":
        return np.asarray(~np.isnan(values))
    return ctx.profile.map_values(name, lambda v: v is not None)
