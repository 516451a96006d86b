"""The facade: what ``yz.assess``, ``yz.validate_answers`` and ``yz.score_batch`` do.

It resolves a questionnaire given as a built-in id or a path (I/O), then hands
a :class:`Questionnaire` and the answers to the engine, so the engine itself
never reads files.  Assessments made here find their policy catalogs through
``_loading.find_catalog``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._answers import AnswerSheet, parse_sheet
from ._assessment import Assessment, assess_sheet
from ._encode import AnswerMatrix
from ._loading import PathLike, find_catalog, load_questionnaire, resolve_questionnaire
from ._model import Questionnaire
from ._scoring import DEFAULT_CHUNK, BatchScores, encode_sheet
from ._scoring import score_batch as _score_batch

__all__ = ["assess", "score_batch", "validate_answers"]


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
    sheet = parse_sheet(sheet)
    q = resolve_questionnaire(sheet, questionnaire)
    return assess_sheet(q, sheet, catalogs=find_catalog, officials=load_questionnaire)


def validate_answers(
    sheet: AnswerSheet | Mapping[str, Any], questionnaire: Questionnaire | None = None
) -> AnswerSheet:
    """Check a sheet against its questionnaire; raise :class:`AnswerValidationError` with every problem."""
    sheet = parse_sheet(sheet)
    encode_sheet(resolve_questionnaire(sheet, questionnaire), sheet)
    return sheet


def score_batch(
    questionnaire: Questionnaire | PathLike,
    answers: Sequence[AnswerSheet | Mapping[str, Any]] | Mapping[str, Any] | AnswerMatrix,
    *,
    profile: Mapping[str, Any] | None = None,
    keep_questions: bool = True,
    chunk_size: int = DEFAULT_CHUNK,
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
        :class:`AnswerMatrix`.
    profile
        With columnar answers: enterprise profile columns (``employees`` ...).
    keep_questions
        Keep the (N, Q) per-question arrays (off for the lowest memory).
    chunk_size, workers
        Rows per chunk and threads scoring chunks in parallel (default one
        thread; results do not depend on either).

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
