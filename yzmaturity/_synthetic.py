"""Answer sheets made by the library: the best and worst possible answers.

Useful to see what 100 looks like, to test a questionnaire's levels, and as
the two ends of a roadmap.
"""

from __future__ import annotations

from typing import Literal

from ._answers import Answer, AnswerSheet
from ._enterprise import Enterprise
from ._model import Questionnaire

__all__ = ["example_answers"]


def example_answers(
    questionnaire: Questionnaire,
    kind: Literal["best", "worst"] = "best",
    enterprise: Enterprise | None = None,
) -> AnswerSheet:
    """A complete sheet with the best (or worst) answer to every question.

    >>> import yzmaturity as yz
    >>> q = yz.load_questionnaire("yangzhou-2022")
    >>> yz.assess(yz.example_answers(q, "best")).level.number
    5
    """
    if kind not in ("best", "worst"):
        raise ValueError(f"kind must be 'best' or 'worst' (got {kind!r})")
    cq = questionnaire.compiled()
    codes = cq.extreme_codes(best=kind == "best")
    answers = {qid: Answer(value=cq.value_of(col, codes[col])) for col, qid in enumerate(cq.qids)}
    return AnswerSheet(
        questionnaire=questionnaire.id,
        questionnaire_version=questionnaire.version,
        enterprise=enterprise or Enterprise(name=f"{kind} answers"),
        answers=answers,
    )
