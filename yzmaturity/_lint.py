"""Lint a questionnaire: every finding with a stable code.

Errors (the questionnaire cannot be used):

==========================  ===========================================================
``duplicate_id``            two questions, dimensions, options, levels or metrics share an id
``unknown_reference``       a condition or metric names a question, option, dimension,
                            metric, tag or profile field that does not exist
``forward_reference``       a question's ``relevant`` reads itself or a later question
``condition_cycle``         relevance conditions form a cycle, or a level rule reads ``level``
``bad_condition``           an operator that does not fit its subject (``gte`` on a choice ...)
``non_positive_weight``     a weight <= 0
``non_increasing_thresholds``  bands, dimension thresholds or level thresholds that go down
``option_without_score``    an option or band without a score
``empty_dimension``         a leaf dimension without questions
``mixed_dimension``         a dimension with both sub-dimensions and questions
``bad_point``               a scale point outside the scale, or twice
``unreachable_level``       a level not reached even when every answer is the best one
``mixed_scoring``           a question's options or bands mix ``score`` and ``points``
``points_required``         scoring by points: a scored question without points
``points_not_applicable``   scoring by points: a scored question that may not apply
``weight_with_points``      scoring by points: a declared weight (points decide weights)
==========================  ===========================================================

Warnings: ``missing_translation`` (a text without zh or en), ``missing_source``
(a question without a framework citation), ``band_gap`` (numeric values between
``min`` and the first band score 0), ``points_total`` (scoring by points: the
points do not add up to 100).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from ._codes import Code
from ._compile import ProfileColumns
from ._conditions import Condition
from ._exceptions import ErrorDetail
from ._model import DISCRETE, ORDINAL
from ._profile import PROFILE_KINDS
from ._structure import condition_findings, raise_for_structure, structure_findings

if TYPE_CHECKING:
    from ._model import Questionnaire
    from ._policy import PolicyCatalog, Requirement

__all__ = ["catalog_findings", "engine_findings", "lint", "raise_for_structure", "structure_findings"]


def engine_findings(q: Questionnaire) -> list[ErrorDetail]:
    """Findings that need the compiled questionnaire: unreachable levels."""
    cq = q.compiled()
    codes = cq.extreme_codes(best=True)[None, :]
    profile = ProfileColumns(1)
    result = cq.score_chunk(codes, np.zeros_like(codes, dtype=bool), profile, keep_questions=False)
    reached = int(result.level[0])
    out = []
    for lv in q.levels.levels[reached + 1 :]:
        out.append(
            ErrorDetail(
                Code.UNREACHABLE_LEVEL,
                ("levels", lv.id),
                f"level {lv.number} is not reached even when every answer is the best one "
                f"(best answers reach level {reached}; profile conditions count as unknown)",
            )
        )
    return out


def catalog_findings(catalog: PolicyCatalog, questionnaire: Questionnaire) -> list[ErrorDetail]:
    """Every dimension, question, tag, metric and profile field a catalog names must exist."""
    out: list[ErrorDetail] = []
    if catalog.questionnaire != questionnaire.id:
        out.append(
            ErrorDetail(
                Code.QUESTIONNAIRE_MISMATCH,
                ("questionnaire",),
                "the catalog is written for another questionnaire",
                expected=questionnaire.id,
                got=catalog.questionnaire,
            )
        )
        return out
    questions = questionnaire.questions
    by_id = {q.id: q for q in questions}
    dim_ids = {d.id for d in questionnaire.walk_dimensions()}
    tags = {t for q in questions for t in q.tags}
    metric_ids = [m.id for m in questionnaire.metrics]
    for dup in sorted(k for k, n in Counter(c.id for c in catalog.categories).items() if n > 1):
        out.append(
            ErrorDetail(Code.DUPLICATE_ID, ("category", dup), f"category id {dup!r} is used more than once")
        )
    for c in catalog.categories:
        conditions: list[tuple[tuple[str | int, ...], Condition]] = []
        if c.applies_to is not None:
            conditions.append((("category", c.id, "applies_to"), c.applies_to))
        requirements: list[tuple[tuple[str | int, ...], Requirement]] = [
            (("category", c.id, "eligibility", r.id), r) for r in c.eligibility
        ]
        requirements += [
            (("category", c.id, "tiers", t.id, "eligibility", r.id), r)
            for t in c.tiers
            for r in t.eligibility
        ]
        for loc, req in requirements:
            if req.condition is not None:
                conditions.append((loc, req.condition))
            elif not req.manual:
                out.append(
                    ErrorDetail(
                        Code.BAD_CONDITION, loc, "a requirement needs a 'condition' or 'manual: true'"
                    )
                )
        for rule in c.fit:
            conditions.append((("category", c.id, "fit", rule.id), rule.when))
        for amount in c.amounts:
            if amount.when is not None:
                conditions.append((("category", c.id, "amounts", amount.id), amount.when))
        for kind, ids in (("rule", [r.id for r in c.fit]), ("requirement", [r.id for r in c.eligibility])):
            for dup in sorted(k for k, n in Counter(ids).items() if n > 1):
                out.append(
                    ErrorDetail(
                        Code.DUPLICATE_ID, ("category", c.id, kind, dup), f"{kind} id {dup!r} repeats"
                    )
                )
        for loc, cond in conditions:
            out.extend(
                condition_findings(
                    cond,
                    loc,
                    questionnaire,
                    by_id,
                    dim_ids,
                    tags,
                    metric_ids,
                    PROFILE_KINDS,
                    DISCRETE,
                    ORDINAL,
                )
            )
    return out


def lint(q: Questionnaire) -> list[ErrorDetail]:
    """All findings, errors first; the engine checks run only on a sound structure."""
    findings = structure_findings(q)
    if not any(f.severity == "error" for f in findings):
        findings += engine_findings(q)
    return sorted(findings, key=lambda f: (f.severity != "error", f.code, f.where))
