"""Scoring: one vectorised path for one enterprise and for a million.

``score_batch`` encodes answers (sheets or columns) into a matrix and scores it
in chunks; assessing one enterprise is the same path with N = 1 (see
``_assessment.assess_sheet``).  The formulas are in docs/concepts.md.  This
module works on a :class:`Questionnaire` and an :class:`AnswerMatrix` only:
resolving built-in ids and paths is the facade's job (``_api``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from ._answers import AnswerSheet
from ._batch_mode import CACHE_CHUNK, batch_mode, chunk_plan, run_chunks
from ._codes import Code
from ._compile import CompiledQuestionnaire, EvalContext, ProfileColumns
from ._encode import AnswerMatrix, Encoder
from ._exceptions import AnswerValidationError, ErrorDetail, RowProblems, details_from_pydantic
from ._profile import PROFILE_KINDS
from ._profile_input import BuiltProfile

if TYPE_CHECKING:
    from collections.abc import Container

    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from ._model import Questionnaire

__all__ = ["BatchScores", "encode", "encode_sheet", "score_batch", "score_matrix"]


@dataclass(repr=False)
class BatchScores:
    """Scores of N enterprises as arrays (rows in input order).

    ``overall`` (N,) 0-100, ``level`` (N,) int, ``dimensions`` (N, D) 0-100,
    ``dimension_levels`` (N, D) int (-1 where undefined), and with
    ``keep_questions`` the per-question ``question_scores`` (N, Q) in [0, 1]
    (NaN where not applicable), ``applicable`` and ``answered``, made on first use.  Invalid rows
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
    relevant: np.ndarray | None = None
    row_ids: list[str] | None = None
    matrix: AnswerMatrix | None = field(default=None)
    keep_questions: bool = False
    chunk_size: int = CACHE_CHUNK
    _questions: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return int(self.overall.shape[0])

    @property
    def question_scores(self) -> np.ndarray | None:
        """(N, Q) per-question scores in [0, 1], NaN where not applicable (with ``keep_questions``).

        Computed from the answer matrix on first use, then kept: scoring a large
        batch does not pay for the three (N, Q) arrays unless they are read.
        """
        arrays = self._question_arrays()
        return None if arrays is None else arrays[0]

    @property
    def applicable(self) -> np.ndarray | None:
        """(N, Q) bool: the question counts for the row (asked, not N/A); with ``keep_questions``."""
        arrays = self._question_arrays()
        return None if arrays is None else arrays[1]

    @property
    def answered(self) -> np.ndarray | None:
        """(N, Q) bool: the row has a value for the question; with ``keep_questions``."""
        arrays = self._question_arrays()
        return None if arrays is None else arrays[2]

    def _question_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        if self._questions is None and self.keep_questions and self.matrix is not None:
            self._questions = _question_arrays(self.questionnaire, self.matrix, self.valid, self.chunk_size)
        return self._questions

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

    def take(self, rows: Any) -> BatchScores:
        """The scores of some rows, renumbered from 0 in the order given: an index array or a boolean mask.

        Each row keeps its scores, problems (whose ``loc`` still names the input
        row) and, with ``row_ids``, its id; the answers and profile go along, so
        matching, percentiles and the reports work on the subset as on the whole.
        ``np.flatnonzero(mask)`` maps the new rows back to the old.
        """
        try:
            index = np.arange(len(self))[np.asarray(rows)]
            if index.ndim != 1:
                raise IndexError(f"one dimension expected, got shape {index.shape}")
        except (IndexError, TypeError, ValueError) as exc:
            expected = f"a boolean mask of {len(self)} rows, or row numbers below {len(self)}"
            raise AnswerValidationError(
                f"rows to take: {exc}",
                [ErrorDetail(Code.WRONG_TYPE, ("rows",), str(exc), expected, type(rows).__name__)],
            ) from None

        taken: dict[int, RowProblems] = {}  # the matrix's problems are often the scores' own

        def problems(found: RowProblems) -> RowProblems:
            if id(found) not in taken:
                taken[id(found)] = found.take(index)
            return taken[id(found)]

        matrix = self.matrix
        if matrix is not None:
            profile = {name: matrix.profile.get(name)[index] for name in PROFILE_KINDS}
            matrix = AnswerMatrix(
                matrix.codes[index],
                matrix.na[index],
                BuiltProfile(profile, len(index)),
                problems(matrix.errors),
                problems(matrix.warnings),
                None if matrix.row_ids is None else [matrix.row_ids[i] for i in index.tolist()],
            )
        return dataclasses.replace(
            self,
            overall=self.overall[index],
            level=self.level[index],
            dimensions=self.dimensions[index],
            metrics={k: v[index] for k, v in self.metrics.items()},
            valid=self.valid[index],
            errors=problems(self.errors),
            warnings=problems(self.warnings),
            relevant=None if self.relevant is None else self.relevant[index],
            row_ids=None if self.row_ids is None else [self.row_ids[i] for i in index.tolist()],
            matrix=matrix,
            _questions=None if self._questions is None else tuple(a[index] for a in self._questions),
        )

    def valid_only(self) -> BatchScores:
        """The valid rows only (:meth:`take` of ``valid``): what an analysis or an estimator should take."""
        return self.take(self.valid)

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
        return _frames().batch_frame(self)

    def to_arrow(self) -> Any:
        """:meth:`to_frame`'s columns as a ``pyarrow.Table``, without pandas (``polars.from_arrow`` takes it)."""
        return _frames().batch_arrow(self)

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
    check_answers_type(answers)
    items, profile = from_frame(cq, answers, profile)
    encoder = Encoder(cq)
    if isinstance(items, Mapping):
        return encoder.columns(items, profile=profile)
    sheets: list[AnswerSheet | None] = []
    shape_errors: dict[int, list[ErrorDetail]] = {}
    for i, item in enumerate(items):
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
    chunk_size: int | None = None,
    workers: int | None = None,
) -> BatchScores:
    """Score an encoded matrix in chunks of ``chunk_size`` rows (bounded memory).

    With ``keep_questions`` the (N, Q) per-question arrays of the result are
    made when first read (``question_scores``, ``applicable``, ``answered``).
    ``workers`` threads score chunks in parallel (default: two for a large
    batch, else one; results do not depend on it); ``chunk_size`` None picks
    the rows per chunk for the threads (``chunk_plan``).
    """
    cq: CompiledQuestionnaire = questionnaire.compiled()
    n, n_q, n_d = len(matrix), cq.n_questions, cq.n_dimensions
    chunk_size, threads = chunk_plan(n, chunk_size, workers)
    overall = np.empty(n)
    level = np.empty(n, dtype=np.int64)
    dims = np.empty((n, n_d))
    metrics = {m: np.empty(n) for m in cq.metric_ids}
    rel = np.ones((n, n_q), dtype=bool) if cq.relevance else None
    # One chunk (one enterprise, a small batch): the per-question arrays in the same pass.
    eager = keep_questions and n <= chunk_size
    questions: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def run(start: int) -> None:
        nonlocal questions
        rows = slice(start, min(start + chunk_size, n))
        part = cq.score_chunk(matrix.codes[rows], matrix.na[rows], matrix.profile.view(rows), eager)
        if eager:
            assert part.question_scores is not None and part.applicable is not None
            assert part.answered is not None
            questions = (part.question_scores, part.applicable, part.answered)
        overall[rows] = part.overall
        level[rows] = part.level
        dims[rows] = part.dimensions
        for m, values in part.metrics.items():
            metrics[m][rows] = values
        if rel is not None and part.relevant is not None:
            rel[rows] = part.relevant

    starts = range(0, n, chunk_size)
    with batch_mode(n):
        # numpy releases the GIL in its kernels: chunks on several cores, each writing its own rows.
        run_chunks(run, starts, threads)
    valid = matrix.valid
    if not valid.all():
        bad = ~valid
        overall[bad] = np.nan
        level[bad] = -1
        dims[bad] = np.nan
        for values in metrics.values():
            values[bad] = np.nan
        if questions is not None:
            questions[0][bad] = np.nan
    if eager and questions is None:  # no rows
        questions = (np.empty((0, n_q)), np.empty((0, n_q), dtype=bool), np.empty((0, n_q), dtype=bool))
    return BatchScores(
        questionnaire=questionnaire,
        overall=overall,
        level=level,
        dimensions=dims,
        metrics=metrics,
        valid=valid,
        errors=matrix.errors,
        warnings=matrix.warnings,
        relevant=rel,
        row_ids=matrix.row_ids,
        matrix=matrix,
        keep_questions=keep_questions,
        chunk_size=min(chunk_size, CACHE_CHUNK),  # the per-question arrays are made on one thread
        _questions=questions,
    )


def _question_arrays(
    questionnaire: Questionnaire, matrix: AnswerMatrix, valid: np.ndarray, chunk_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-question scores, applicable and answered (N, Q) of a scored matrix, chunk by chunk."""
    cq = questionnaire.compiled()
    n, n_q = len(matrix), cq.n_questions
    qs = np.empty((n, n_q))
    app = np.empty((n, n_q), dtype=bool)
    ans = np.empty((n, n_q), dtype=bool)
    with batch_mode(n):
        for start in range(0, n, chunk_size):
            rows = slice(start, min(start + chunk_size, n))
            part = cq.score_chunk(matrix.codes[rows], matrix.na[rows], matrix.profile.view(rows), True)
            assert part.question_scores is not None and part.applicable is not None
            assert part.answered is not None
            qs[rows] = part.question_scores
            app[rows] = part.applicable
            ans[rows] = part.answered
    qs[~valid] = np.nan
    return qs, app, ans


def score_batch(
    questionnaire: Questionnaire,
    answers: Sequence[AnswerSheet | Mapping[str, Any]] | Mapping[str, Any] | AnswerMatrix,
    *,
    profile: Mapping[str, Any] | None = None,
    keep_questions: bool = True,
    chunk_size: int | None = None,
    workers: int | None = None,
) -> BatchScores:
    """Encode and score many enterprises (the engine behind :func:`yzmaturity.score_batch`)."""
    check_answers_type(answers)
    answers, profile = from_frame(questionnaire.compiled(), answers, profile)
    with batch_mode(len(answers) if isinstance(answers, AnswerMatrix | Sequence) else _n_rows(answers)):
        matrix = encode(questionnaire, answers, profile=profile)
        return score_matrix(
            questionnaire, matrix, keep_questions=keep_questions, chunk_size=chunk_size, workers=workers
        )


def _frames() -> Any:
    """The tables of results (``_render.frames``), imported on first use: pandas and pyarrow are optional."""
    from ._render import frames

    return frames


def check_answers_type(answers: object) -> None:
    """Refuse, with what is accepted, answers that are neither sheets, columns, a data frame nor a matrix."""
    if isinstance(answers, AnswerMatrix | Mapping) or _is_frame(answers):
        return
    if isinstance(answers, Sequence) and not isinstance(answers, str | bytes):
        return
    kind = f"{type(answers).__module__.split('.')[0]}.{type(answers).__name__}"
    hint = (
        "a path is read by score_table or score_file"
        if isinstance(answers, str | bytes | os.PathLike)
        else "a sequence of answer sheets, a mapping of question id to column, a data frame "
        "(pandas, polars, pyarrow) or an AnswerMatrix"
    )
    raise AnswerValidationError(
        f"score_batch cannot score answers of type {kind}",
        [
            ErrorDetail(
                Code.WRONG_TYPE,
                ("answers",),
                f"answers cannot be a {kind}: {hint}",
                expected="a sequence of answer sheets, a mapping of columns, a data frame, or an AnswerMatrix",
                got=kind,
            )
        ],
    )


def _is_frame(value: object) -> bool:
    """A pandas or polars data frame, or a pyarrow table or record batch (not a series)."""
    module = type(value).__module__.split(".")[0]
    if module == "pyarrow":
        return hasattr(value, "column_names")
    return module in ("pandas", "polars") and len(getattr(value, "shape", ())) == 2


def from_frame(cq: CompiledQuestionnaire, answers: Any, profile: Mapping[str, Any] | None) -> tuple[Any, Any]:
    """A data frame's columns as answers (question ids) and profile (profile fields); anything else as given.

    Columns starting with ``_`` are passed over (ids, as in a wide table); any
    other column is refused, as is a profile column given twice.
    """
    if not _is_frame(answers):
        return answers, profile
    if type(answers).__module__.startswith("pyarrow"):
        names = [str(n) for n in answers.column_names]
        columns = {n: answers.column(i) for i, n in enumerate(names)}
    else:
        labels = list(answers.columns)
        names = [str(label) for label in labels]
        if len(set(names)) == len(names):
            columns = {name: answers[label] for name, label in zip(names, labels, strict=True)}
        else:  # refused below: duplicates
            columns = dict.fromkeys(names)
    given = dict(profile or {})
    problems = [
        ErrorDetail(Code.DUPLICATE_COLUMN, ("answers", n), f"column {n!r} appears twice", got=n)
        for n in sorted({n for n in names if names.count(n) > 1})
    ]
    problems += [
        ErrorDetail(Code.UNKNOWN_COLUMN, ("answers", n), f"{n!r} is no question id nor profile field", got=n)
        for n in columns
        if n not in cq.index and n not in PROFILE_KINDS and not n.startswith("_")
    ]
    problems += [
        ErrorDetail(
            Code.COLUMN_CLASH, ("profile", n), f"profile field {n!r} is in the frame and in profile=", got=n
        )
        for n in columns
        if n in PROFILE_KINDS and n in given
    ]
    if problems:
        raise AnswerValidationError("the frame's columns do not fit the questionnaire", problems)
    answer_columns = {n: c for n, c in columns.items() if n in cq.index}
    given.update({n: c for n, c in columns.items() if n in PROFILE_KINDS})
    return answer_columns, given or None


def _n_rows(columns: Mapping[str, Any]) -> int:
    """Rows of a mapping of columns (0 when it has none, or not of a length)."""
    for values in columns.values():
        return len(values) if hasattr(values, "__len__") else 0
    return 0


def encode_sheet(questionnaire: Questionnaire, sheet: AnswerSheet) -> AnswerMatrix:
    """Encode one sheet; raise :class:`AnswerValidationError` with every problem it has."""
    matrix = Encoder(questionnaire.compiled()).sheets([sheet])
    if matrix.errors[0]:
        raise AnswerValidationError(f"answers of {sheet.enterprise.name!r} are invalid", matrix.errors[0])
    return matrix
