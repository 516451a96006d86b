"""The facade: what ``yz.assess``, ``yz.validate_answers`` and ``yz.score_batch`` do.

It resolves a questionnaire given as a built-in id or a path (I/O), then hands
a :class:`Questionnaire` and the answers to the engine, so the engine itself
never reads files.  Assessments made here find their policy catalogs through
``_loading.find_catalog``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from ._answers import AnswerSheet, parse_sheet_parts
from ._assessment import Assessment, assess_sheet, sheet_of_result
from ._codes import Code
from ._encode import AnswerMatrix, Encoder
from ._exceptions import AnswerValidationError, ErrorDetail
from ._files import read_data_file
from ._loading import PathLike, find_catalog, load_questionnaire, resolve_questionnaire
from ._model import Questionnaire
from ._scoring import BatchScores
from ._scoring import score_batch as _score_batch

__all__ = ["assess", "check_answers", "load_assessment", "score_batch", "validate_answers"]


def _one_pass(
    sheet: AnswerSheet | Mapping[str, Any], questionnaire: Questionnaire | str | None
) -> tuple[AnswerSheet | None, Questionnaire | None, list[ErrorDetail]]:
    """Shape and answers checked together: the sheet, its questionnaire and every problem (errors first)."""
    parsed, problems, dropped = parse_sheet_parts(sheet)
    if parsed is None:
        return None, None, problems
    q = resolve_questionnaire(parsed, questionnaire)
    cq = q.compiled()
    problems = [_name_the_question(p, cq.index, q) for p in problems]
    matrix = Encoder(cq).sheets([parsed])
    errors = [
        e
        for e in matrix.errors[0]
        if not (e.code == Code.MISSING_REQUIRED and e.loc[-1] in dropped)  # its shape problem is listed
    ]
    return parsed, q, problems + errors + list(matrix.warnings[0])


def _name_the_question(p: ErrorDetail, index: Mapping[str, int], q: Questionnaire) -> ErrorDetail:
    """A shape problem inside an answer, said with the question's text rather than its id."""
    if len(p.loc) < 2 or p.loc[0] != "answers" or p.loc[1] not in index:
        return p
    text = q.question(str(p.loc[1])).text
    subject = {"zh": f"「{text.of('zh')}」的回答", "en": f'the answer to "{text.of("en")}"'}
    return dataclasses.replace(p, params={**p.params, "subject": subject})


def check_answers(
    sheet: AnswerSheet | Mapping[str, Any], questionnaire: Questionnaire | str | None = None
) -> list[ErrorDetail]:
    """Every problem of a sheet in one pass: shape and answers, errors then warnings.

    Warnings need no fixing but say what would otherwise go unnoticed: an
    answer to a question the other answers skip (``not_relevant``, not
    scored), an optional question the answers make relevant but left blank
    (``relevant_unanswered``, scored 0, with the points it may cost).

    Examples
    --------
    >>> import yzmaturity as yz
    >>> problems = yz.check_answers({"questionnaire": "yangzhou-2022",
    ...     "enterprise": {"name": "", "employees": -1}, "answers": {"strat_plan": "writen"}})
    >>> [str(p.code) for p in problems][:3]
    ['string_too_short', 'greater_than_equal', 'unknown_option']
    >>> print(problems[2].text("en"))
    "Does the enterprise have a plan for intelligent and digital transformation?" has no option "writen"; \
did you mean "Written plan with a project list"?
    >>> print(problems[0].text("zh"))
    企业信息 › 名称不能为空
    """
    parsed, q, problems = _one_pass(sheet, questionnaire)
    if parsed is None or q is None or any(p.severity == "error" for p in problems):
        return problems
    a = assess_sheet(q, parsed, catalogs=find_catalog, officials=load_questionnaire)
    return a.warnings


def assess(
    sheet: AnswerSheet | Mapping[str, Any],
    questionnaire: Questionnaire | str | None = None,
) -> Assessment:
    """Score one enterprise's answer sheet.

    The questionnaire is the sheet's (a built-in id) unless one is given.
    Raises :class:`AnswerValidationError` listing every problem of the sheet.

    Examples
    --------
    >>> import yzmaturity as yz
    >>> sheet = yz.load_answers(yz.example_path("yangzhou-autoparts"))
    >>> a = yz.assess(sheet)
    >>> 0 <= a.overall <= 100
    True
    """
    parsed, q, problems = _one_pass(sheet, questionnaire)
    errors = [p for p in problems if p.severity == "error"]
    if parsed is None or q is None or errors:
        raise AnswerValidationError("the answer sheet has problems", errors)
    return assess_sheet(q, parsed, catalogs=find_catalog, officials=load_questionnaire)


def validate_answers(
    sheet: AnswerSheet | Mapping[str, Any], questionnaire: Questionnaire | None = None
) -> AnswerSheet:
    """Check a sheet against its questionnaire; raise :class:`AnswerValidationError` with every problem.

    Shape (a missing name, a bad date) and answers are checked in one pass;
    :func:`check_answers` gives the same problems and the warnings as a list.
    """
    parsed, _q, problems = _one_pass(sheet, questionnaire)
    errors = [p for p in problems if p.severity == "error"]
    if parsed is None or errors:
        raise AnswerValidationError("the answer sheet has problems", errors)
    return parsed


def load_assessment(path: PathLike, questionnaire: Questionnaire | str | None = None) -> Assessment:
    """Read a result saved with ``Assessment.to_json()`` (or ``yzmaturity assess --json``) and re-score it.

    The questionnaire is the one the result names (a built-in id) unless one is given.

    Examples
    --------
    >>> import tempfile, pathlib, yzmaturity as yz
    >>> a = yz.assess(yz.load_answers(yz.example_path("yangzhou-autoparts")))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "result.json"
    >>> _ = path.write_text(a.to_json(), encoding="utf-8")
    >>> yz.load_assessment(path).to_dict() == a.to_dict()
    True
    """
    data = read_data_file(path)
    ref = data.get("questionnaire") if isinstance(data, dict) else None
    qid = ref.get("id") if isinstance(ref, dict) else None
    q = load_questionnaire(questionnaire if questionnaire is not None else str(qid))
    return assess_sheet(q, sheet_of_result(data, q), catalogs=find_catalog, officials=load_questionnaire)


def score_batch(
    questionnaire: Questionnaire | PathLike,
    answers: Sequence[AnswerSheet | Mapping[str, Any]] | Mapping[str, Any] | AnswerMatrix,
    *,
    profile: Mapping[str, Any] | None = None,
    keep_questions: bool = True,
    chunk_size: int | None = None,
    workers: int | None = None,
) -> BatchScores:
    """Score many enterprises at once.

    Parameters
    ----------
    questionnaire
        A :class:`Questionnaire` or a built-in id / path.
    answers
        A sequence of :class:`AnswerSheet` (or dicts of that shape); or a
        columnar table: a mapping of question id -> array of raw values, where
        None/NaN/"" is a blank, ``"n/a"`` not applicable, and multiple choice
        is a list or a ``;``-separated string; or an already encoded
        :class:`AnswerMatrix`; or a data frame (pandas, polars, or a pyarrow
        table): its question columns are the answers and its profile columns
        the profile (columns starting with ``_`` are passed over, any other is
        refused: ``unknown_column``), with no pandas needed for polars or pyarrow;
        the scores are :func:`score_table`'s.  Anything else raises
        :class:`AnswerValidationError` (``wrong_type``).
    profile
        With columnar answers: enterprise profile columns, one value per row
        (``employees``, ``industry``, ``roles`` ...), typed as an analyst holds
        them (numbers, booleans, lists or ``;``-separated text for sets; lists,
        numpy arrays, pandas or polars series).  Each value is checked as
        :class:`Enterprise` checks it; one that does not fit is an error of its
        row (``wrong_type``, ``out_of_range``, ``bad_credit_code`` ...), the other
        rows are scored.  The derived fields (``size_class``, ``is_equipment_maker``,
        ``in_yangzhou`` ...) are derived from these unless given.  A column of no
        profile field raises :class:`AnswerValidationError` (``unknown_field``).
    keep_questions
        Keep the (N, Q) per-question arrays (off for the lowest memory).
    chunk_size, workers
        Rows per chunk and threads scoring chunks in parallel (default: two
        threads from 8,192 rows on, else one, and chunks sized for the threads:
        4,096 rows on one, up to 16,384 on more; results do not depend on either).

    Returns
    -------
    BatchScores
        Every input row, in order: invalid rows carry their errors and NaN scores.

    Examples
    --------
    >>> import yzmaturity as yz
    >>> q = yz.load_questionnaire("yangzhou-2022")
    >>> best = yz.example_answers(q, "best")
    >>> scores = yz.score_batch(q, [best, best])
    >>> scores.overall.tolist()
    [100.0, 100.0]
    """
    return _score_batch(
        load_questionnaire(questionnaire),
        answers,
        profile=profile,
        keep_questions=keep_questions,
        chunk_size=chunk_size,
        workers=workers,
    )
