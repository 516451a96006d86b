"""Validate answers against a compiled questionnaire and encode them as a matrix.

Every problem is collected (never the first only) as an :class:`ErrorDetail`
with a stable code:

``unknown_question``, ``unknown_option``, ``wrong_type``, ``out_of_range``,
``not_finite``, ``duplicate_option``, ``exclusive_option``, ``na_not_allowed``,
``missing_required``, ``questionnaire_mismatch``, ``version_mismatch``; and the
warning ``not_relevant`` (an answer to a question its conditions skip: kept in
the sheet, reported, and not scored).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ._answers import NA_TOKEN, Answer, AnswerSheet
from ._compile import KIND_MULTIPLE, KIND_NUMERIC, CompiledQuestionnaire, EvalContext, ProfileColumns
from ._exceptions import ErrorDetail, RowProblems

if TYPE_CHECKING:
    from ._enterprise import Enterprise

MULTI_SEPARATOR = ";"
Loc = tuple[str | int, ...]


@dataclass
class AnswerMatrix:
    """A validated, encoded batch: ``codes`` (N, Q), ``na`` (N, Q) and the profiles.

    ``errors[i]`` lists row i's errors (the row is not scored when any);
    ``warnings[i]`` its warnings; both are sparse (:class:`RowProblems`).
    Every input row has a place: nothing is dropped.
    """

    codes: np.ndarray
    na: np.ndarray
    profile: ProfileColumns
    errors: RowProblems = field(default_factory=RowProblems)
    warnings: RowProblems = field(default_factory=RowProblems)
    row_ids: list[str] | None = None

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    @property
    def valid(self) -> np.ndarray:
        valid = np.ones(len(self), dtype=bool)
        valid[self.errors.rows()] = False
        return valid


def _type_name(value: Any) -> str:
    return type(value).__name__


class Encoder:
    """Turns answer values into codes for one compiled questionnaire."""

    def __init__(self, cq: CompiledQuestionnaire) -> None:
        self.cq = cq
        self.expected: list[str] = []
        for qq in cq.questions:
            if qq.type == "single_choice":
                self.expected.append("one of " + ", ".join(o.id for o in qq.options))
            elif qq.type == "multiple_choice":
                self.expected.append("a list of " + ", ".join(o.id for o in qq.options))
            elif qq.type == "yes_no":
                self.expected.append("true or false")
            elif qq.type in ("scale", "scene_level"):
                self.expected.append(f"an integer from {qq.min:g} to {qq.max:g}")
            else:
                lo = "-inf" if qq.min is None else f"{qq.min:g}"
                hi = "inf" if qq.max is None else f"{qq.max:g}"
                self.expected.append(f"a number from {lo} to {hi}" + (f" ({qq.unit})" if qq.unit else ""))

    def value(self, col: int, value: Any, loc: Loc, errors: list[ErrorDetail]) -> float:
        """The code of one answer value, or NaN (with an error appended)."""
        cq = self.cq
        qq = cq.questions[col]
        t = qq.type
        expected = self.expected[col]

        def fail(code: str, message: str) -> float:
            errors.append(ErrorDetail(code, loc, message, expected=expected, got=value))
            return math.nan

        if t == "single_choice":
            if not isinstance(value, str):
                return fail("wrong_type", f"a choice of {qq.id!r} is an option id, not {_type_name(value)}")
            code = cq.option_index[col].get(value)
            if code is None:
                return fail("unknown_option", f"{qq.id!r} has no option {value!r}")
            return float(code)
        if t == "multiple_choice":
            if isinstance(value, str):
                value = [v.strip() for v in value.split(MULTI_SEPARATOR) if v.strip()]
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                return fail("wrong_type", f"{qq.id!r} takes a list of option ids")
            index = cq.option_index[col]
            unknown = [v for v in value if v not in index]
            if unknown:
                return fail("unknown_option", f"{qq.id!r} has no option {', '.join(map(repr, unknown))}")
            if len(set(value)) != len(value):
                return fail("duplicate_option", f"an option of {qq.id!r} is selected twice")
            exclusive = [v for v in value if qq.options[index[v]].exclusive]
            if exclusive and len(value) > 1:
                return fail(
                    "exclusive_option", f"option {exclusive[0]!r} of {qq.id!r} cannot be combined with others"
                )
            return float(sum(1 << index[v] for v in value))
        if t == "yes_no":
            if not isinstance(value, bool):
                return fail("wrong_type", f"{qq.id!r} is answered true or false, not {_type_name(value)}")
            return 1.0 if value else 0.0
        # numeric, scale, scene level
        if isinstance(value, bool) or not isinstance(value, int | float):
            return fail("wrong_type", f"{qq.id!r} takes a number, not {_type_name(value)}")
        number = float(value)
        if not math.isfinite(number):
            return fail("not_finite", f"{qq.id!r} needs a finite number")
        if t in ("scale", "scene_level"):
            if not number.is_integer():
                return fail("wrong_type", f"{qq.id!r} takes a whole number")
            if not (qq.min or 0) <= number <= (qq.max or 0):
                return fail("out_of_range", f"{qq.id!r} is out of range")
            return number - float(cq.offset[col])
        if (qq.min is not None and number < qq.min) or (qq.max is not None and number > qq.max):
            return fail("out_of_range", f"{qq.id!r} is out of range")
        return number

    def answers(
        self,
        answers: Mapping[str, Answer],
        loc: Loc,
        codes: np.ndarray,
        na: np.ndarray,
        errors: list[ErrorDetail],
    ) -> None:
        """Encode one sheet's answers into a row of ``codes`` and ``na``."""
        index = self.cq.index
        for qid, answer in answers.items():
            col = index.get(qid)
            if col is None:
                errors.append(
                    ErrorDetail(
                        "unknown_question",
                        (*loc, qid),
                        f"the questionnaire has no question {qid!r}",
                        expected="a question id of the questionnaire",
                        got=qid,
                    )
                )
                continue
            if answer.not_applicable:
                if not self.cq.allow_na[col]:
                    errors.append(
                        ErrorDetail(
                            "na_not_allowed",
                            (*loc, qid),
                            f"{qid!r} cannot be answered 'not applicable'",
                            expected=self.expected[col],
                            got=NA_TOKEN,
                        )
                    )
                else:
                    na[col] = True
                continue
            if answer.value is None:
                continue
            codes[col] = self.value(col, answer.value, (*loc, qid), errors)

    def sheets(self, sheets: Sequence[AnswerSheet], *, questionnaire_check: bool = True) -> AnswerMatrix:
        cq = self.cq
        n, n_q = len(sheets), cq.n_questions
        codes = np.full((n, n_q), np.nan)
        na = np.zeros((n, n_q), dtype=bool)
        errors = RowProblems()
        q = cq.questionnaire
        for i, sheet in enumerate(sheets):
            errs: list[ErrorDetail] = []
            if questionnaire_check:
                if sheet.questionnaire != q.id:
                    errs.append(
                        ErrorDetail(
                            "questionnaire_mismatch",
                            ("questionnaire",),
                            "the sheet answers another questionnaire",
                            expected=q.id,
                            got=sheet.questionnaire,
                        )
                    )
                elif sheet.questionnaire_version is not None and sheet.questionnaire_version != q.version:
                    errs.append(
                        ErrorDetail(
                            "version_mismatch",
                            ("questionnaire_version",),
                            "the sheet answers another version",
                            expected=q.version,
                            got=sheet.questionnaire_version,
                        )
                    )
            self.answers(sheet.answers, ("answers",), codes[i], na[i], errs)
            errors.add(i, *errs)
        enterprises: list[Enterprise] = [s.enterprise for s in sheets]
        matrix = AnswerMatrix(
            codes,
            na,
            ProfileColumns(n, enterprises=enterprises),
            errors,
            row_ids=[e.name for e in enterprises],
        )
        self.check_relevance(matrix, loc_prefix=("answers",))
        return matrix

    def columns(
        self,
        columns: Mapping[str, Any],
        profile: Mapping[str, Any] | None = None,
        enterprises: Sequence[Enterprise] | None = None,
    ) -> AnswerMatrix:
        """Encode a columnar table: question id -> array of raw values (None/NaN = blank)."""
        cq = self.cq
        lengths = {len(v) for v in columns.values()}
        if profile:
            lengths |= {len(v) for v in profile.values()}
        if enterprises is not None:
            lengths.add(len(enterprises))
        if len(lengths) > 1:
            from ._exceptions import AnswerValidationError

            raise AnswerValidationError(
                "columns have different lengths",
                [
                    ErrorDetail(
                        "ragged_columns", (), "every column needs one value per row", got=sorted(lengths)
                    )
                ],
            )
        n = lengths.pop() if lengths else 0
        codes = np.full((n, cq.n_questions), np.nan)
        na = np.zeros((n, cq.n_questions), dtype=bool)
        errors = RowProblems()
        for qid, column in columns.items():
            col = cq.index.get(qid)
            if col is None:
                for i in range(n):
                    errors.add(
                        i,
                        ErrorDetail(
                            "unknown_question",
                            ("row", i, qid),
                            f"the questionnaire has no question {qid!r}",
                            expected="a question id of the questionnaire",
                            got=qid,
                        ),
                    )
                continue
            self._column(col, column, codes, na, errors)
        matrix = AnswerMatrix(codes, na, ProfileColumns(n, enterprises=enterprises, columns=profile), errors)
        self.check_relevance(matrix, loc_prefix=None)
        return matrix

    def _column(self, col: int, column: Any, codes: np.ndarray, na: np.ndarray, errors: RowProblems) -> None:
        cq = self.cq
        qid = cq.qids[col]
        if not isinstance(column, np.ndarray) and hasattr(column, "dtype"):
            column = np.asarray(column)  # a pandas or polars series
        ordinal = cq.kind[col] == KIND_NUMERIC or cq.questions[col].type in ("scale", "scene_level")
        if isinstance(column, np.ndarray) and column.dtype.kind in "iuf" and ordinal:
            values = column.astype(np.float64)
            blank = np.isnan(values)
            bad = ~blank & ~np.isfinite(values)
            qq = cq.questions[col]
            if qq.type != "numeric":
                bad |= ~blank & (values != np.round(values))
            lo = qq.min if qq.min is not None else -np.inf
            hi = qq.max if qq.max is not None else np.inf
            with np.errstate(invalid="ignore"):
                bad |= ~blank & ((values < lo) | (values > hi))
            codes[:, col] = values - cq.offset[col]
            for row in np.flatnonzero(bad).tolist():  # the slow path only for bad cells, for their messages
                cell_errors: list[ErrorDetail] = []
                codes[row, col] = self.value(col, float(values[row]), ("row", row, qid), cell_errors)
                errors.add(row, *cell_errors)
            return
        cache: dict[Any, tuple[float, bool, list[ErrorDetail]]] = {}
        multiple = cq.kind[col] == KIND_MULTIPLE
        cells = column.tolist() if isinstance(column, np.ndarray) else list(column)
        for i, raw in enumerate(cells):
            if raw is None or (isinstance(raw, float) and math.isnan(raw)) or raw == "":
                continue
            if raw == NA_TOKEN:
                if cq.allow_na[col]:
                    na[i, col] = True
                else:
                    errors.add(
                        i,
                        ErrorDetail(
                            "na_not_allowed",
                            ("row", i, qid),
                            f"{qid!r} cannot be answered 'not applicable'",
                            expected=self.expected[col],
                            got=raw,
                        ),
                    )
                continue
            key = tuple(raw) if multiple and isinstance(raw, list) else raw
            try:
                hit = cache.get(key)
            except TypeError:
                hit = None
            if hit is None:
                errs: list[ErrorDetail] = []
                code = self.value(col, raw, ("row", -1, qid), errs)
                hit = (code, False, errs)
                with contextlib.suppress(TypeError):  # unhashable cells are not cached
                    cache[key] = hit
            codes[i, col] = hit[0]
            errors.add(
                i, *(ErrorDetail(e.code, ("row", i, qid), e.message, e.expected, e.got) for e in hit[2])
            )

    def check_relevance(self, matrix: AnswerMatrix, loc_prefix: Loc | None) -> None:
        """Flag missing required answers and answers to skipped questions."""
        cq = self.cq
        codes, na = matrix.codes, matrix.na
        answered = ~np.isnan(codes)
        if cq.relevance:
            ctx = EvalContext(cq, codes, na, matrix.profile)
            relevant = cq.relevance_mask(ctx)
        else:
            relevant = np.ones_like(answered)
        missing = cq.required & relevant & ~answered & ~na
        # A value that failed validation is reported already; do not call it missing too.
        failed = {(i, e.loc[-1]) for i, errs in matrix.errors.items() for e in errs}
        skipped = answered & ~relevant
        for i, col in zip(*np.nonzero(missing), strict=True):
            qid = cq.qids[col]
            if (int(i), qid) in failed:
                continue
            loc = (*loc_prefix, qid) if loc_prefix is not None else ("row", int(i), qid)
            matrix.errors.add(
                int(i),
                ErrorDetail(
                    "missing_required", loc, f"{qid!r} is required", expected=self.expected[col], got=None
                ),
            )
        for i, col in zip(*np.nonzero(skipped), strict=True):
            qid = cq.qids[col]
            loc = (*loc_prefix, qid) if loc_prefix is not None else ("row", int(i), qid)
            matrix.warnings.add(
                int(i),
                ErrorDetail(
                    "not_relevant",
                    loc,
                    f"{qid!r} is skipped by its condition; the answer is not scored",
                    severity="warning",
                ),
            )
