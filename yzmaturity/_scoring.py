"""Scoring: one vectorised path for one enterprise and for a million.

``score_batch`` encodes answers (sheets or columns) into a matrix and scores it
in chunks; assessing one enterprise is the same path with N = 1 (see
``_assessment.assess_sheet``).  The formulas are in docs/concepts.md.  This
module works on a :class:`Questionnaire` and an :class:`AnswerMatrix` only:
resolving built-in ids and paths is the facade's job (``_api``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from ._answers import AnswerSheet
from ._compile import CompiledQuestionnaire, EvalContext, ProfileColumns
from ._encode import AnswerMatrix, Encoder
from ._exceptions import AnswerValidationError, ErrorDetail, RowProblems, details_from_pydantic

if TYPE_CHECKING:
    from collections.abc import Container

    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from ._model import Questionnaire

__all__ = ["DEFAULT_CHUNK", "BatchScores", "encode", "encode_sheet", "score_batch", "score_matrix"]

DEFAULT_CHUNK = 4096  # rows per chunk: small enough to stay in cache (measured in bench/)


@dataclass(repr=False)
class BatchScores:
    """Scores of N enterprises as arrays (rows in input order).

    ``overall`` (N,) 0-100, ``level`` (N,) int, ``dimensions`` (N, D) 0-100,
    ``dimension_levels`` (N, D) int (-1 where undefined), and with
    ``keep_questions`` the per-question ``question_scores`` (N, Q) in [0, 1]
    (NaN where not applicable), ``applicable`` and ``answered``.  Invalid rows
    have NaN scores, level -1 and their problems in ``errors``.
    """

    questionnaire: Questionnaire
    overall: np.ndarray
    level: np.ndarray
    dimensions: np.ndarray
    metrics: dict[str, np.ndarray]
    valid: np.ndarray
    errors: RowProblems
    warnings: RowProblems
    question_scores: np.ndarray | None = None
    applicable: np.ndarray | None = None
    answered: np.ndarray | None = None
    relevant: np.ndarray | None = None
    row_ids: list[str] | None = None
    matrix: AnswerMatrix | None = field(default=None)

    def __len__(self) -> int:
        return int(self.overall.shape[0])

    @cached_property
    def dimension_levels(self) -> np.ndarray:
        """(N, D) level of each dimension with ``level_thresholds``; -1 where undefined."""
        return self.questionnaire.compiled().dimension_levels(self.dimensions)

    def context(self, rows: slice | None = None) -> EvalContext:
        """What conditions read (answers, scores, profile), for policy matching on these rows."""
        if self.matrix is None:
            raise ValueError("these scores were made without their answer matrix")
        rows = rows or slice(None)
        cq = self.questionnaire.compiled()
        codes = self.matrix.codes[rows]
        ctx = EvalContext(
            cq,
            codes,
            self.matrix.na[rows],
            self.matrix.profile.view(rows),
            dimensions=self.dimensions[rows],
            relevant=None if self.relevant is None else self.relevant[rows],
        )
        ctx.metrics = {k: v[rows] for k, v in self.metrics.items()}
        ctx.metrics["overall"] = self.overall[rows]
        ctx.metrics["level"] = self.level[rows].astype(np.float64)
        return ctx

    @property
    def question_ids(self) -> list[str]:
        return list(self.questionnaire.compiled().qids)

    @property
    def dimension_ids(self) -> list[str]:
        return list(self.questionnaire.compiled().dim_ids)

    def dimension(self, dimension_id: str) -> np.ndarray:
        """The (N,) scores of one dimension."""
        cq = self.questionnaire.compiled()
        return self.dimensions[:, cq.dim_index[cq.dimension(dimension_id).id]]

    @property
    def n_invalid(self) -> int:
        return int((~self.valid).sum())

    def error_rows(self) -> Iterator[tuple[int, ErrorDetail]]:
        """(row, error) for every problem, in row order."""
        for i in self.errors.rows():
            for e in self.errors[i]:
                yield i, e

    def level_counts(self) -> dict[int, int]:
        """How many valid rows reached each level (every level listed, zeros too)."""
        n_levels = len(self.questionnaire.levels.levels)
        counts = np.bincount(self.level[self.valid], minlength=n_levels)
        return {i: int(c) for i, c in enumerate(counts)}

    def to_frame(self) -> pd.DataFrame:
        """One row per input row: row_id, valid, errors, overall, level and ``dim:<id>`` (needs pandas)."""
        from ._render.frames import batch_frame

        return batch_frame(self)

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> dict[str, str]:
        """Rich display in Jupyter: rows, invalid rows, level distribution, dimension means."""
        from ._render.display import batch_html, mimebundle

        return mimebundle(self, batch_html, include, exclude)

    def __repr__(self) -> str:
        q = self.questionnaire
        valid = self.overall[self.valid]
        mean = f"{np.nanmean(valid):.1f}" if valid.size else "n/a"
        return (
            f"<BatchScores {q.id} v{q.version}: {len(self)} rows, {self.n_invalid} invalid, "
            f"mean overall {mean}, levels {self.level_counts()}>"
        )


def _threads(workers: int | None, n_chunks: int) -> int:
    # One thread by default: on the 2-core benchmark machine threads did not pay
    # (the chunks are memory-bound and the Python between kernels holds the GIL).
    if workers is None or n_chunks < 2:
        return 1
    return max(1, min(workers, os.cpu_count() or 1, n_chunks))


def encode(
    questionnaire: Questionnaire,
    answers: Sequence[AnswerSheet | Mapping[str, Any]] | Mapping[str, Any] | AnswerMatrix,
    *,
    profile: Mapping[str, Any] | None = None,
) -> AnswerMatrix:
    """Validate and encode answers: a sequence of sheets, or columns (question id -> array)."""
    cq: CompiledQuestionnaire = questionnaire.compiled()
    if isinstance(answers, AnswerMatrix):
        return answers
    encoder = Encoder(cq)
    if isinstance(answers, Mapping):
        return encoder.columns(answers, profile=profile)
    sheets: list[AnswerSheet | None] = []
    shape_errors: dict[int, list[ErrorDetail]] = {}
    for i, item in enumerate(answers):
        if isinstance(item, AnswerSheet):
            sheets.append(item)
            continue
        try:
            sheets.append(AnswerSheet.model_validate(item))
        except Exception as exc:  # a row whose shape is wrong: reported, not fatal
            shape_errors[i] = details_from_pydantic(exc)
            sheets.append(None)
    good = [s for s in sheets if s is not None]
    matrix = encoder.sheets(good)
    if not shape_errors:
        return matrix
    # Put the rows back in input order, with the broken rows empty and carrying their errors.
    n = len(sheets)
    codes = np.full((n, cq.n_questions), np.nan)
    na = np.zeros((n, cq.n_questions), dtype=bool)
    errors = RowProblems()
    warnings = RowProblems()
    enterprises: list[Any] = [None] * n
    positions = [i for i, s in enumerate(sheets) if s is not None]
    codes[positions] = matrix.codes
    na[positions] = matrix.na
    for j, i in enumerate(positions):
        errors.add(i, *matrix.errors[j])
        warnings.add(i, *matrix.warnings[j])
        enterprises[i] = good[j].enterprise
    for i, errs in shape_errors.items():
        errors.add(i, *errs)
    ids = [s.enterprise.name if s is not None else f"row {i}" for i, s in enumerate(sheets)]
    out = AnswerMatrix(codes, na, ProfileColumns(n, enterprises=enterprises), errors, warnings, ids)
    encoder.reconcile_profile(out, ("answers",), warn=False)  # the warnings are in already
    return out


def score_matrix(
    questionnaire: Questionnaire,
    matrix: AnswerMatrix,
    *,
    keep_questions: bool = True,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int | None = None,
) -> BatchScores:
    """Score an encoded matrix in chunks of ``chunk_size`` rows (bounded memory).

    ``workers`` threads score chunks in parallel (default 1; results do not
    depend on it).
    """
    cq: CompiledQuestionnaire = questionnaire.compiled()
    n, n_q, n_d = len(matrix), cq.n_questions, cq.n_dimensions
    overall = np.empty(n)
    level = np.empty(n, dtype=np.int64)
    dims = np.empty((n, n_d))
    metrics = {m: np.empty(n) for m in cq.metric_ids}
    qs = np.empty((n, n_q)) if keep_questions else None
    app = np.empty((n, n_q), dtype=bool) if keep_questions else None
    ans = np.empty((n, n_q), dtype=bool) if keep_questions else None
    rel = np.ones((n, n_q), dtype=bool) if cq.relevance else None

    def run(start: int) -> None:
        rows = slice(start, min(start + chunk_size, n))
        part = cq.score_chunk(matrix.codes[rows], matrix.na[rows], matrix.profile.view(rows), keep_questions)
        overall[rows] = part.overall
        level[rows] = part.level
        dims[rows] = part.dimensions
        for m, values in part.metrics.items():
            metrics[m][rows] = values
        if keep_questions:
            assert qs is not None and app is not None and ans is not None
            qs[rows] = part.question_scores
            app[rows] = part.applicable
            ans[rows] = part.answered
        if rel is not None and part.relevant is not None:
            rel[rows] = part.relevant

    starts = range(0, n, chunk_size)
    threads = _threads(workers, len(starts))
    if threads > 1:
        # numpy releases the GIL in its kernels: chunks on several cores, each writing its own rows.
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(run, starts))
    else:
        for start in starts:
            run(start)
    valid = matrix.valid
    if not valid.all():
        bad = ~valid
        overall[bad] = np.nan
        level[bad] = -1
        dims[bad] = np.nan
        for values in metrics.values():
            values[bad] = np.nan
        if qs is not None:
            qs[bad] = np.nan
    return BatchScores(
        questionnaire=questionnaire,
        overall=overall,
        level=level,
        dimensions=dims,
        metrics=metrics,
        valid=valid,
        errors=matrix.errors,
        warnings=matrix.warnings,
        question_scores=qs,
        applicable=app,
        answered=ans,
        relevant=rel,
        row_ids=matrix.row_ids,
        matrix=matrix,
    )


def score_batch(
    questionnaire: Questionnaire,
    answers: Sequence[AnswerSheet | Mapping[str, Any]] | Mapping[str, Any] | AnswerMatrix,
    *,
    profile: Mapping[str, Any] | None = None,
    keep_questions: bool = True,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int | None = None,
) -> BatchScores:
    """Encode and score many enterprises (the engine behind :func:`yzmaturity.score_batch`)."""
    matrix = encode(questionnaire, answers, profile=profile)
    return score_matrix(
        questionnaire, matrix, keep_questions=keep_questions, chunk_size=chunk_size, workers=workers
    )


def encode_sheet(questionnaire: Questionnaire, sheet: AnswerSheet) -> AnswerMatrix:
    """Encode one sheet; raise :class:`AnswerValidationError` with every problem it has."""
    matrix = Encoder(questionnaire.compiled()).sheets([sheet])
    if matrix.errors[0]:
        raise AnswerValidationError(f"answers of {sheet.enterprise.name!r} are invalid", matrix.errors[0])
    return matrix
