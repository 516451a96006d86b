"""Validate answers against a compiled questionnaire and encode them as a matrix.

Every problem is collected (never the first only) as an :class:`ErrorDetail`
with a stable code:

``unknown_question``, ``unknown_option``, ``wrong_type``, ``out_of_range``,
``not_finite``, ``duplicate_option``, ``exclusive_option``, ``na_not_allowed``,
``missing_required``, ``questionnaire_mismatch``, ``version_mismatch``,
``bad_counts`` (a percentage given as counts that are negative, not finite, or
whose part exceeds the whole); and the
warning ``not_relevant`` (an answer to a question its conditions skip: kept in
the sheet, reported, and not scored).  Values are read with the one leniency of
:mod:`yzmaturity._lenient`; each problem carries its ``allowed`` values and the
question's text, for :meth:`ErrorDetail.text`.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _factorize
from ._answers import NA_TOKEN, Answer, AnswerSheet
from ._codes import Code
from ._compile import CompiledQuestionnaire, EvalContext, ProfileColumns
from ._exceptions import AnswerValidationError, ErrorDetail, RowProblems
from ._factorize import (
    FLOAT_TYPES,
    FactorizedColumn,
    arrow_text_split,
    cells_of,
    factorize_cells,
    is_blank_cell,
    series_values,
)
from ._lenient import OptionLookup, normalise, number_text, split_options, yes_no
from ._model import KIND_NUMERIC
from ._profile_input import read_profile_columns

if TYPE_CHECKING:
    from ._enterprise import Enterprise

__all__ = ["AnswerMatrix", "Encoder"]

COUNTS_SEPARATOR = "/"  # a percentage as counts in a table cell: "30/120"
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


def _labels(options: Sequence[Any]) -> dict[str, list[str]]:
    return {lang: [o.label.of(lang) for o in options] for lang in ("zh", "en")}


def _range_text(lo: float | None, hi: float | None, unit: str | None) -> dict[str, str]:
    if lo is None and hi is None:
        zh, en = "数字", "a number"
    elif hi is None:
        zh, en = f"不小于 {lo:g} 的数字", f"a number of at least {lo:g}"
    elif lo is None:
        zh, en = f"不大于 {hi:g} 的数字", f"a number of at most {hi:g}"
    else:
        zh, en = f"{lo:g} 到 {hi:g} 之间的数字", f"a number from {lo:g} to {hi:g}"
    if unit:
        zh, en = f"{zh}（单位：{unit}）", f"{en} ({unit})"
    return {"zh": zh, "en": en}


MEMO_VALUES = 100_000
"""Distinct answer values remembered per questionnaire (then values are read again each time)."""
_MEMOS: weakref.WeakKeyDictionary[CompiledQuestionnaire, dict[tuple[int, type, Any], Any]] = (
    weakref.WeakKeyDictionary()
)


class Encoder:
    """Turns answer values into codes for one compiled questionnaire.

    Values are read with the one leniency of :mod:`yzmaturity._lenient`
    (是/否, option labels, full-width text, ``2.5%``); every problem carries
    the accepted values (``allowed``) and the question's text for its sentence.
    """

    def __init__(self, cq: CompiledQuestionnaire) -> None:
        self.cq = cq
        self.memo = _MEMOS.setdefault(cq, {})
        self.expected: list[str] = []
        self.allowed: list[tuple[Any, ...] | None] = []
        self.params: list[dict[str, Any]] = []
        self.lookups: list[OptionLookup | None] = []
        for qq in cq.questions:
            subject = {"zh": qq.text.of("zh"), "en": qq.text.of("en")}
            allowed: tuple[Any, ...] | None = None
            lookup = None
            if qq.type in ("single_choice", "multiple_choice"):
                allowed = tuple(o.id for o in qq.options)
                lookup = OptionLookup(qq.options)
                labels = _labels(qq.options)
                if qq.type == "single_choice":
                    self.expected.append("one of " + ", ".join(allowed))
                    shown = {
                        "zh": "以下之一：" + "、".join(labels["zh"]),
                        "en": "one of: " + ", ".join(labels["en"]),
                    }
                else:
                    self.expected.append("a list of " + ", ".join(allowed))
                    shown = {
                        "zh": "以下若干项：" + "、".join(labels["zh"]),
                        "en": "some of: " + ", ".join(labels["en"]),
                    }
            elif qq.type == "yes_no":
                allowed = (True, False)
                self.expected.append("true or false (also 1/0, 是/否)")
                shown = {"zh": "是或否", "en": "yes or no"}
            elif qq.type in ("scale", "scene_level"):
                lo, hi = int(qq.min or 0), int(qq.max or 0)
                allowed = tuple(range(lo, hi + 1))
                self.expected.append(f"an integer from {lo} to {hi}")
                shown = {"zh": f"{lo} 到 {hi} 的整数", "en": f"a whole number from {lo} to {hi}"}
            else:
                lo_s = "-inf" if qq.min is None else f"{qq.min:g}"
                hi_s = "inf" if qq.max is None else f"{qq.max:g}"
                text = f"a number from {lo_s} to {hi_s}" + (f" ({qq.unit})" if qq.unit else "")
                if qq.counts is not None:
                    text += " or counts 'part/whole'"
                self.expected.append(text)
                shown = _range_text(qq.min, qq.max, qq.unit)
            self.allowed.append(allowed)
            self.lookups.append(lookup)
            self.params.append({"subject": subject, "allowed": shown, "allowed_text": shown})

    def _distinct_value(self, col: int, raw: Any) -> tuple[float, tuple[ErrorDetail, ...]]:
        """:meth:`value` of a distinct table value (at row -1), remembered for the next batches.

        A file read in batches of rows meets the same few values of a question
        in every batch: each is read (and its problems worded) once per file.
        """
        key: tuple[int, type, Any] | None = (col, type(raw), raw)
        try:
            known = self.memo.get(key)  # type: ignore[arg-type]
        except TypeError:  # unhashable (a list of options): not remembered
            key, known = None, None
        if known is None:
            errs: list[ErrorDetail] = []
            known = (self.value(col, raw, ("row", -1, self.cq.qids[col]), errs), tuple(errs))
            if key is not None and len(self.memo) < MEMO_VALUES:
                self.memo[key] = known
        return known

    def detail(self, col: int, code: str, loc: Loc, message: str, got: Any, **params: Any) -> ErrorDetail:
        """A problem with question ``col``'s answer, with its accepted values and its sentence's words."""
        return ErrorDetail(
            code,
            loc,
            message,
            expected=self.expected[col],
            got=got,
            allowed=self.allowed[col],
            params=self.params[col] | params,
        )

    def _option(self, col: int, value: Any, loc: Loc, errors: list[ErrorDetail], whole: Any) -> int | None:
        qq = self.cq.questions[col]
        lookup = self.lookups[col]
        assert lookup is not None
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() <= 64:
            value = str(value)  # an option id that is a number, as a spreadsheet gives it
        elif isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
            value = str(int(value))
        if not isinstance(value, str):
            errors.append(
                self.detail(
                    col,
                    Code.WRONG_TYPE,
                    loc,
                    f"a choice of {qq.id!r} is an option id, not {_type_name(value)}",
                    whole,
                )
            )
            return None
        hit = lookup.find(value)
        if hit is None:
            near = lookup.suggest(value)
            message = f"{qq.id!r} has no option {value!r}"
            suggestion = None
            if near is not None:
                message += f"; did you mean {near.id!r}?"
                suggestion = {"zh": near.label.of("zh"), "en": near.label.of("en")}
            errors.append(self.detail(col, Code.UNKNOWN_OPTION, loc, message, value, suggestion=suggestion))
        return hit

    def value(self, col: int, value: Any, loc: Loc, errors: list[ErrorDetail]) -> float:
        """The code of one answer value, or NaN (with an error appended)."""
        cq = self.cq
        qq = cq.questions[col]
        t = qq.type

        def fail(code: str, message: str) -> float:
            errors.append(self.detail(col, code, loc, message, value))
            return math.nan

        if t == "single_choice":
            hit = self._option(col, value, loc, errors, value)
            return math.nan if hit is None else float(hit)
        if t == "multiple_choice":
            items: Any = value
            if isinstance(value, str):
                lookup = self.lookups[col]
                one = None if lookup is None else lookup.find(value)  # a label may hold a separator
                items = [value] if one is not None else split_options(value)
            if not isinstance(items, list | tuple):
                return fail(Code.WRONG_TYPE, f"{qq.id!r} takes a list of option ids")
            if not items:  # an empty selection ("", ";" or []) is no answer: required questions miss it
                return math.nan
            hits: list[int] = []
            n_errors = len(errors)
            for item in items:
                hit = self._option(col, item, loc, errors, value)
                if hit is not None:
                    hits.append(hit)
            if len(errors) > n_errors:
                return math.nan
            if len(set(hits)) != len(hits):
                twice = next(qq.options[h].label for h in hits if hits.count(h) > 1)
                errors.append(
                    self.detail(
                        col,
                        Code.DUPLICATE_OPTION,
                        loc,
                        f"an option of {qq.id!r} is selected twice",
                        value,
                        option={"zh": twice.of("zh"), "en": twice.of("en")},
                    )
                )
                return math.nan
            exclusive = [h for h in hits if qq.options[h].exclusive]
            if exclusive and len(hits) > 1:
                label = qq.options[exclusive[0]].label
                errors.append(
                    self.detail(
                        col,
                        Code.EXCLUSIVE_OPTION,
                        loc,
                        f"option {qq.options[exclusive[0]].id!r} of {qq.id!r} cannot be combined with others",
                        value,
                        option={"zh": label.of("zh"), "en": label.of("en")},
                    )
                )
                return math.nan
            return float(sum(1 << h for h in hits))
        if t == "yes_no":
            flag = yes_no(value)
            if flag is None:
                return fail(Code.WRONG_TYPE, f"{qq.id!r} is answered yes or no (true/false, 是/否, 1/0)")
            return 1.0 if flag else 0.0
        # numeric, scale, scene level
        if qq.counts is not None and isinstance(value, str) and COUNTS_SEPARATOR in value:
            part, _, whole = value.partition(COUNTS_SEPARATOR)
            try:
                numbers = (float(normalise(part)), float(normalise(whole)))
            except ValueError:
                return fail(Code.WRONG_TYPE, f"{qq.id!r} takes a percentage or counts 'part/whole'")
            return self.counts(col, numbers, loc, errors)
        number: float | None
        if isinstance(value, str):
            number = number_text(value, qq.unit)
            if number is None:
                return fail(Code.WRONG_TYPE, f"{qq.id!r} takes a number")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            return fail(Code.WRONG_TYPE, f"{qq.id!r} takes a number")
        else:
            try:
                number = float(value)
            except OverflowError:  # an integer beyond float range (10**400)
                return fail(Code.NOT_FINITE, f"{qq.id!r} needs a finite number")
        if not math.isfinite(number):
            return fail(Code.NOT_FINITE, f"{qq.id!r} needs a finite number")
        if t in ("scale", "scene_level"):
            if not number.is_integer():
                return fail(Code.WRONG_TYPE, f"{qq.id!r} takes a whole number")
            if not (qq.min or 0) <= number <= (qq.max or 0):
                return fail(Code.OUT_OF_RANGE, f"{qq.id!r} is out of range")
            return number - float(cq.offset[col])
        if (qq.min is not None and number < qq.min) or (qq.max is not None and number > qq.max):
            return fail(Code.OUT_OF_RANGE, f"{qq.id!r} is out of range")
        return number

    def counts(self, col: int, counts: tuple[float, float], loc: Loc, errors: list[ErrorDetail]) -> float:
        """A percentage from its counts (part of whole), checked: finite, 0 <= part <= whole, whole > 0."""
        qq = self.cq.questions[col]
        part, whole = (float(c) for c in counts)
        problem = None
        if qq.counts is None:
            problem = f"{qq.id!r} is not answered by counts"
        elif not (math.isfinite(part) and math.isfinite(whole)):
            problem = f"the counts of {qq.id!r} must be finite numbers"
        elif part < 0 or whole < 0:
            problem = f"the counts of {qq.id!r} must not be negative"
        elif whole == 0:
            problem = f"the whole of {qq.id!r} is 0: no percentage"
        elif part > whole:
            problem = f"the part of {qq.id!r} exceeds the whole ({part:g} > {whole:g})"
        if problem is not None:
            errors.append(
                ErrorDetail(
                    Code.BAD_COUNTS,
                    loc,
                    problem,
                    expected="[part, whole] with 0 <= part <= whole and whole > 0",
                    got=list(counts),
                    params={
                        "subject": self.params[col]["subject"],
                        "got": "/".join(f"{c:g}" for c in counts),
                    },
                )
            )
            return math.nan
        # 100 * part first: an exact boundary (1 of 5 = 20 %) stays exact.
        return self.value(col, (100.0 * part) / whole, loc, errors)

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
                        Code.UNKNOWN_QUESTION,
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
                        self.detail(
                            col,
                            Code.NA_NOT_ALLOWED,
                            (*loc, qid),
                            f"{qid!r} cannot be answered 'not applicable'",
                            NA_TOKEN,
                        )
                    )
                else:
                    na[col] = True
                continue
            if answer.counts is not None:
                codes[col] = self.counts(col, answer.counts, (*loc, qid), errors)
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
                            Code.QUESTIONNAIRE_MISMATCH,
                            ("questionnaire",),
                            "the sheet answers another questionnaire",
                            expected=q.id,
                            got=sheet.questionnaire,
                        )
                    )
                elif sheet.questionnaire_version is not None and sheet.questionnaire_version != q.version:
                    errs.append(
                        ErrorDetail(
                            Code.VERSION_MISMATCH,
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
        self.finish(matrix, loc_prefix=("answers",))
        return matrix

    def columns(
        self,
        columns: Mapping[str, Any],
        profile: Mapping[str, Any] | ProfileColumns | None = None,
        enterprises: Sequence[Enterprise] | None = None,
    ) -> AnswerMatrix:
        """Encode a columnar table: question id -> array of raw values (None/NaN = blank).

        A column is a sequence, a numpy array, a pandas or polars series, or a
        :class:`FactorizedColumn`.  ``profile`` is a mapping of profile columns
        or a ready :class:`ProfileColumns`.
        """
        lengths = {len(v) for v in columns.values()}
        if isinstance(profile, ProfileColumns):
            lengths.add(profile.n)
        elif profile:
            lengths |= {len(v) for v in profile.values()}
        if enterprises is not None:
            lengths.add(len(enterprises))
        if len(lengths) > 1:
            raise AnswerValidationError(
                "columns have different lengths",
                [
                    ErrorDetail(
                        Code.RAGGED_COLUMNS, (), "every column needs one value per row", got=sorted(lengths)
                    )
                ],
            )
        n = lengths.pop() if lengths else 0
        problems = RowProblems()  # of the profile's values: after the answers', as in a table
        if isinstance(profile, ProfileColumns):
            profile_columns = profile
        elif profile:
            profile_columns = read_profile_columns(n, profile, problems)
        else:
            profile_columns = ProfileColumns(n, enterprises=enterprises)
        matrix = self.empty(n, profile_columns)
        for qid, column in columns.items():
            self.add_column(matrix, qid, column)
        self.finish(matrix, loc_prefix=None)
        for row, errs in problems.items():
            matrix.errors.add(row, *errs)
        return matrix

    def empty(self, n: int, profile: ProfileColumns) -> AnswerMatrix:
        """A matrix of ``n`` unanswered rows, to fill with :meth:`add_column` (then :meth:`finish`)."""
        n_q = self.cq.n_questions
        # Column-major: the encoder writes one question (a column) at a time, and a
        # contiguous column is several times faster to fill than a strided one.
        codes = np.full((n, n_q), np.nan, order="F")
        return AnswerMatrix(codes, np.zeros((n, n_q), dtype=bool, order="F"), profile)

    def add_column(self, matrix: AnswerMatrix, qid: str, column: Any) -> None:
        """Validate one question's column (one value per row) and encode it into ``matrix``.

        :meth:`columns` is this for every column, then :meth:`finish`;
        a caller with a large table may encode (and free) its columns one at a time.
        """
        col = self.cq.index.get(qid)
        if col is None:
            problem = ErrorDetail(
                Code.UNKNOWN_QUESTION,
                ("row", -1, qid),
                f"the questionnaire has no question {qid!r}",
                expected="a question id of the questionnaire",
                got=qid,
            )
            matrix.errors.add_repeated(range(len(matrix)), problem)
            return
        self._column(col, column, matrix.codes, matrix.na, matrix.errors)

    def _column(self, col: int, column: Any, codes: np.ndarray, na: np.ndarray, errors: RowProblems) -> None:
        cq = self.cq
        if isinstance(column, FactorizedColumn):
            self._factorized(col, column, codes, na, errors)
            return
        split = arrow_text_split(column)  # polars or pyarrow text: split in Arrow, no Python string per cell
        if split is not None:
            self._factorized(col, split, codes, na, errors)
            return
        column = series_values(column)  # a pandas, polars or pyarrow column as numpy
        ordinal = cq.kind[col] == KIND_NUMERIC or cq.questions[col].type in ("scale", "scene_level")
        if isinstance(column, np.ndarray) and column.dtype.kind in "iuf" and ordinal:
            self._numbers(col, column.astype(np.float64), codes, errors)
            return
        cells = cells_of(column)
        types = set(map(type, cells)) if ordinal and len(cells) >= _factorize.FAST_MIN else None
        if types is not None and types <= FLOAT_TYPES:
            # Floats and blanks only: the numeric path (NaN and None are blanks there too).
            floats = (
                cells.astype(np.float64)
                if isinstance(cells, np.ndarray)
                else np.array(cells, dtype=np.float64)
            )
            self._numbers(col, floats, codes, errors)
            return
        self._factorized(col, factorize_cells(cells, types), codes, na, errors)

    def _numbers(self, col: int, values: np.ndarray, codes: np.ndarray, errors: RowProblems) -> None:
        """Encode a float column (NaN = blank) of a numeric, scale or scene-level question."""
        cq = self.cq
        qid = cq.qids[col]
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

    def _factorized(
        self, col: int, column: FactorizedColumn, codes: np.ndarray, na: np.ndarray, errors: RowProblems
    ) -> None:
        """Validate each distinct value once, then spread codes, N/A marks and errors to the rows."""
        cq = self.cq
        qid = cq.qids[col]
        inverse = np.asarray(column.inverse, dtype=np.intp)
        if column.numbers is not None:
            numbers = np.where(inverse >= 0, np.nan, np.asarray(column.numbers, dtype=np.float64))
            self._numbers(col, numbers, codes, errors)
        n_values = len(column.values)
        if n_values == 0:
            return
        # One slot more than the values, NaN, for index -1 (a blank).
        table = np.full(n_values + 1, np.nan)
        marked_na = np.zeros(n_values + 1, dtype=bool)
        value_errors: dict[int, list[ErrorDetail]] = {}
        for u, raw in enumerate(column.values):
            if is_blank_cell(raw):
                continue
            if isinstance(raw, str) and raw == NA_TOKEN:
                if cq.allow_na[col]:
                    marked_na[u] = True
                else:
                    value_errors[u] = [
                        self.detail(
                            col,
                            Code.NA_NOT_ALLOWED,
                            ("row", -1, qid),
                            f"{qid!r} cannot be answered 'not applicable'",
                            raw,
                        )
                    ]
                continue
            code, errs = self._distinct_value(col, raw)
            table[u] = code
            if errs:
                value_errors[u] = list(errs)
        present = inverse >= 0
        if column.numbers is None:
            codes[:, col] = table[inverse]
        else:
            codes[present, col] = table[inverse[present]]
        if marked_na.any():
            na[:, col] |= marked_na[inverse]
        if value_errors:
            flagged = np.zeros(n_values + 1, dtype=bool)
            flagged[list(value_errors)] = True
            for row in np.flatnonzero(flagged[inverse]).tolist():
                errors.add(
                    row,
                    *(e.at(("row", row, qid)) for e in value_errors[int(inverse[row])]),
                )

    def finish(self, matrix: AnswerMatrix, loc_prefix: Loc | None) -> None:
        """After the last column: reconcile answered profile facts, then check relevance."""
        self.reconcile_profile(matrix, loc_prefix)
        self.check_relevance(matrix, loc_prefix)

    def reconcile_profile(self, matrix: AnswerMatrix, loc_prefix: Loc | None, warn: bool = True) -> None:
        """One fact from a yes/no answer and the profile field it states (``Question.profile_field``).

        Either alone decides; both agreeing decide; neither leaves the fact
        unknown (NaN: *needs checking*).  A contradiction is a warning on the
        row (unless ``warn`` is false) and leaves the fact unknown: never a silent "no".
        """
        cq = self.cq
        for col, question in enumerate(cq.questions):
            name = question.profile_field
            if name is None:
                continue
            answer = np.where(matrix.na[:, col], np.nan, matrix.codes[:, col])
            stated = np.asarray(matrix.profile.get(name), dtype=np.float64)
            both = ~np.isnan(answer) & ~np.isnan(stated)
            clash = both & (answer != stated)
            fact = np.where(np.isnan(stated), answer, stated)
            fact[clash] = np.nan
            if warn and clash.any():
                qid = cq.qids[col]
                said_yes = answer != 0
                for flag in (False, True):
                    rows = np.flatnonzero(clash & (said_yes == flag))
                    self._place(matrix.warnings, rows, self._contradiction(qid, name, flag), loc_prefix)
            matrix.profile.override(name, fact)

    @staticmethod
    def _contradiction(qid: str, name: str, said_yes: bool) -> ErrorDetail:
        """The warning for an answer ``said_yes`` to ``qid`` that contradicts profile field ``name``."""
        said, profile_said = ("yes", "no") if said_yes else ("no", "yes")
        return ErrorDetail(
            Code.CONTRADICTION,
            ("row", -1, qid),
            f"the answer to {qid!r} ({said}) contradicts the profile field {name!r} "
            f"({profile_said}): the fact is left unknown, to check",
            expected=profile_said,
            got=said,
            severity="warning",
        )

    def check_relevance(self, matrix: AnswerMatrix, loc_prefix: Loc | None) -> None:
        """Flag missing required answers and answers to skipped questions.

        Question by question (a column of the matrix at a time): no (N, Q)
        temporaries, which a large batch pays for in page faults.
        """
        cq = self.cq
        codes, na = matrix.codes, matrix.na
        relevant = cq.relevance_mask(EvalContext(cq, codes, na, matrix.profile)) if cq.relevance else None
        conditional = {col for col, _ in cq.relevance}
        # A value that failed validation is reported already; do not call it missing too.
        failed = {(i, e.loc[-1]) for i, errs in matrix.errors.items() for e in errs}
        for col, qid in enumerate(cq.qids):
            asked = relevant[:, col] if relevant is not None and col in conditional else None
            answered = ~np.isnan(codes[:, col])
            if cq.required[col]:
                missing = ~answered & ~na[:, col]
                if asked is not None:
                    missing &= asked
                rows = [i for i in np.flatnonzero(missing).tolist() if (i, qid) not in failed]
                if rows:  # one problem per question, placed at each row it concerns
                    problem = self.detail(
                        col, Code.MISSING_REQUIRED, ("row", -1, qid), f"{qid!r} is required", None
                    )
                    self._place(matrix.errors, rows, problem, loc_prefix)
            if asked is None:
                continue
            rows = np.flatnonzero(answered & ~asked).tolist()
            if rows:
                problem = ErrorDetail(
                    Code.NOT_RELEVANT,
                    ("row", -1, qid),
                    f"{qid!r} is skipped by its condition; the answer is not scored",
                    severity="warning",
                    params={"subject": self.params[col]["subject"]},
                )
                self._place(matrix.warnings, rows, problem, loc_prefix)

    @staticmethod
    def _place(
        problems: RowProblems, rows: Sequence[int] | np.ndarray, problem: ErrorDetail, loc_prefix: Loc | None
    ) -> None:
        """``problem`` (its loc ``("row", -1, qid)``) at each of ``rows``: at ``(*loc_prefix, qid)`` when
        given (one sheet), else at ``("row", row, qid)``, kept as one problem and its rows."""
        if loc_prefix is None:
            problems.add_repeated(rows, problem)
            return
        for i in np.asarray(rows).tolist():
            problems.add(i, problem.at((*loc_prefix, *problem.loc[2:])))
