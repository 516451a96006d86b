"""The result of assessing one enterprise: scores, level and where points were lost."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from ._answers import AnswerSheet, json_data, parse_sheet
from ._codes import Code
from ._exceptions import AnswerValidationError, ErrorDetail, NotFoundError
from ._policy import PolicyCatalog
from ._scoring import encode_sheet, score_matrix
from ._text import Text, check_lang

if TYPE_CHECKING:
    from collections.abc import Callable, Container

    import pandas as pd  # type: ignore[import-untyped,unused-ignore]
    from matplotlib.axes import Axes

    from ._enterprise import Enterprise
    from ._matching import Recommendation
    from ._model import Questionnaire
    from ._render.report import Report
    from ._roadmap import Roadmap
    from ._scoring import BatchScores

    # Finds a policy catalog: None -> the questionnaire's default, an id or path -> that catalog.
    CatalogSource = Callable[[str | None, Questionnaire], PolicyCatalog | None]

__all__ = [
    "RESULT_FORMAT_VERSION",
    "Assessment",
    "DimensionResult",
    "LevelInfo",
    "OfficialResult",
    "QuestionResult",
    "assess_sheet",
    "sheet_of_result",
]

# The version of :meth:`Assessment.to_dict`'s layout (and of its JSON Schema): raised on a breaking change.
RESULT_FORMAT_VERSION = 1


def _num(value: float, digits: int = 4) -> float | None:
    return None if math.isnan(value) else round(float(value), digits)


@dataclass(frozen=True)
class LevelInfo:
    """A maturity level: number (0 = not yet level 1), id, names and description."""

    number: int
    id: str
    name: Text
    description: Text | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "id": self.id,
            "name": self.name.model_dump(exclude_none=True),
        }

    def __str__(self) -> str:
        return f"L{self.number} {self.name}"


@dataclass(frozen=True)
class OfficialResult:
    """The official instrument's result from the same sheet (e.g. the MIIT 2024 total and level).

    ``overall`` and ``level`` are None when the sheet does not answer the
    official questions validly; ``problems`` then names what is missing.
    """

    questionnaire_id: str
    questionnaire_version: str
    title: Text
    overall: float | None
    level: LevelInfo | None
    problems: tuple[ErrorDetail, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "questionnaire": {"id": self.questionnaire_id, "version": self.questionnaire_version},
            "overall": None if self.overall is None else round(self.overall, 4),
            "level": None if self.level is None else self.level.to_dict(),
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass(frozen=True)
class DimensionResult:
    """One dimension's score (0-100, None when nothing in it applies) and counts."""

    id: str
    title: Text
    score: float | None
    level: int | None
    answered: int
    applicable: int
    questions: int
    parent: str | None
    depth: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "level": self.level,
            "answered": self.answered,
            "applicable": self.applicable,
            "questions": self.questions,
            "parent": self.parent,
        }


@dataclass(frozen=True)
class QuestionResult:
    """One question: the answer, its score in [0, 1] and its share of the overall.

    ``contribution`` is the points (of 100) the answer adds to the overall;
    ``points_lost`` what the overall would gain with the best answer (the
    raw material of gaps and the roadmap).  Both are 0 when not applicable.
    """

    id: str
    dimension: str
    answer: Any
    score: float | None
    applicable: bool
    answered: bool
    relevant: bool
    not_applicable: bool
    weight: float
    contribution: float
    points_lost: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "answer": self.answer,
            "score": self.score,
            "applicable": self.applicable,
            "contribution": self.contribution,
            "points_lost": self.points_lost,
        }


class Assessment:
    """A scored, levelled assessment of one enterprise.

    Attributes: ``overall`` (0-100), ``level`` (:class:`LevelInfo`),
    ``dimensions`` (id -> :class:`DimensionResult`), ``questions``
    (id -> :class:`QuestionResult`), ``metrics``, ``warnings``, and the
    questionnaire's ``questionnaire_id``, ``questionnaire_version`` and
    ``questionnaire_hash``.
    """

    def __init__(
        self,
        questionnaire: Questionnaire,
        sheet: AnswerSheet,
        scores: BatchScores,
        row: int,
        *,
        catalogs: CatalogSource | None = None,
        officials: Callable[[str], Questionnaire] | None = None,
    ) -> None:
        self.questionnaire = questionnaire
        self._catalogs = catalogs
        self._officials = officials
        self.sheet = sheet
        self._scores = scores
        self._row = row
        cq = questionnaire.compiled()
        self.overall: float = float(scores.overall[row])
        number = int(scores.level[row])
        lv = cq.levels[number]
        self.level = LevelInfo(number, lv.id, lv.name, lv.description)
        self.metrics: dict[str, float | None] = {k: _num(float(v[row])) for k, v in scores.metrics.items()}
        self.warnings: list[ErrorDetail] = list(scores.warnings[row]) + self._unanswered()

    def _unanswered(self) -> list[ErrorDetail]:
        """Conditional questions the answers make relevant, left blank: each scores 0, which nothing else says."""
        out = []
        for qid, qr in self.questions.items():
            if qr.relevant and not qr.answered and not qr.not_applicable and qr.points_lost > 0:
                question = self.questionnaire.question(qid)
                if question.relevant is None:
                    continue  # an optional question always asked: leaving it blank is a choice, not a surprise
                points = round(qr.points_lost, 1)
                out.append(
                    ErrorDetail(
                        Code.RELEVANT_UNANSWERED,
                        ("answers", qid),
                        f"{qid!r} applies given the earlier answers; unanswered it scores 0 "
                        f"(up to {points:g} points lost)",
                        got=None,
                        severity="warning",
                        params={
                            "subject": {"zh": question.text.of("zh"), "en": question.text.of("en")},
                            "points": points,
                        },
                    )
                )
        return out

    @property
    def enterprise(self) -> Enterprise:
        return self.sheet.enterprise

    @property
    def questionnaire_id(self) -> str:
        return self.questionnaire.id

    @property
    def questionnaire_version(self) -> str:
        return self.questionnaire.version

    @cached_property
    def questionnaire_hash(self) -> str:
        return self.questionnaire.content_hash

    @cached_property
    def dimensions(self) -> dict[str, DimensionResult]:
        cq = self.questionnaire.compiled()
        s, r = self._scores, self._row
        member = cq.subtree_member
        assert s.applicable is not None and s.answered is not None
        relevant = s.relevant[r] if s.relevant is not None else np.ones(cq.n_questions, dtype=bool)
        app = s.applicable[r].astype(np.float64) @ member
        ans = (s.answered[r] & relevant).astype(np.float64) @ member
        total = member.sum(axis=0)
        depth = cq.dim_depth
        out = {}
        for d, dim in enumerate(cq.dims):
            lv = int(s.dimension_levels[r, d])
            parent = int(cq.parent[d])
            out[dim.id] = DimensionResult(
                id=dim.id,
                title=dim.title,
                score=_num(float(s.dimensions[r, d]), 2),
                level=None if lv < 0 else lv,
                answered=int(ans[d]),
                applicable=int(app[d]),
                questions=int(total[d]),
                parent=None if parent < 0 else cq.dim_ids[parent],
                depth=int(depth[d]),
            )
        return out

    @cached_property
    def questions(self) -> dict[str, QuestionResult]:
        cq = self.questionnaire.compiled()
        s, r = self._scores, self._row
        assert s.applicable is not None and s.answered is not None and s.question_scores is not None
        applicable = s.applicable[r]
        eff = cq.effective_weights(applicable[None, :], s.dimensions[r][None, :])[0]
        scores = np.nan_to_num(s.question_scores[r], nan=0.0)
        relevant = s.relevant[r] if s.relevant is not None else np.ones(cq.n_questions, dtype=bool)
        out = {}
        for col, qid in enumerate(cq.qids):
            answer = self.sheet.answers.get(qid)
            score = s.question_scores[r, col]
            out[qid] = QuestionResult(
                id=qid,
                dimension=cq.dim_ids[cq.question_dim[col]],
                answer=None if answer is None else answer.model_dump(mode="json"),
                score=_num(float(score)),
                applicable=bool(applicable[col]),
                answered=bool(s.answered[r, col]),
                relevant=bool(relevant[col]),
                not_applicable=bool(answer is not None and answer.not_applicable),
                weight=float(cq.weights[col]),
                contribution=round(float(eff[col] * scores[col]), 4),
                points_lost=round(float(eff[col] * (1.0 - scores[col])), 4),
            )
        return out

    # ------------------------------------------------------------------ policy and plans
    @cached_property
    def recommendations(self) -> list[Recommendation]:
        """All categories of the questionnaire's default policy catalog, best first."""
        return _recommend(self)

    def catalog(self, catalog: PolicyCatalog | str | None = None) -> PolicyCatalog | None:
        """The policy catalog recommendations are made against: the default one, or ``catalog`` (an id or a path)."""
        if isinstance(catalog, PolicyCatalog):
            return catalog
        if self._catalogs is not None:
            return self._catalogs(catalog, self.questionnaire)
        if catalog is None:
            return None  # built without a catalog source (not through yz.assess): no default catalog
        raise NotFoundError("policy catalog", str(catalog), [])

    def recommend(self, catalog: PolicyCatalog | str | None = None) -> list[Recommendation]:
        """Recommendations against another catalog (an id or a path), best first."""
        return _recommend(self, catalog)

    def roadmap(self, target_level: int | None = None) -> Roadmap:
        """The lowest-effort answer improvements that reach ``target_level`` (default: next level)."""
        from ._roadmap import roadmap  # loaded on first use: keeps `import yzmaturity` light

        return roadmap(self, target_level)

    def what_if(self, **answers: Any) -> Assessment:
        """Re-assess with some answers changed (``None`` removes one): ``a.what_if(E1="full")``."""
        return assess_sheet(
            self.questionnaire,
            self.sheet.with_answers(**answers),
            catalogs=self._catalogs,
            officials=self._officials,
        )

    # ------------------------------------------------------------------ output
    def to_dict(self, recommendations: bool = False) -> dict[str, Any]:
        """Plain, JSON-ready data; deterministic for the same inputs.

        With ``recommendations``, also the ranked support categories and the
        roadmap to the next level.
        """
        out = {
            "format_version": RESULT_FORMAT_VERSION,
            "questionnaire": {
                "id": self.questionnaire_id,
                "version": self.questionnaire_version,
                "hash": self.questionnaire_hash,
            },
            "enterprise": self.enterprise.model_dump(mode="json"),
            "date": None if self.sheet.date is None else self.sheet.date.isoformat(),
            "assessor": self.sheet.assessor.model_dump(mode="json", exclude_none=True),
            "note": self.sheet.note,
            "overall": _num(self.overall, 2),
            "level": self.level.to_dict(),
            "dimensions": {k: v.to_dict() for k, v in self.dimensions.items()},
            "metrics": self.metrics,
            "questions": {k: v.to_dict() for k, v in self.questions.items()},
            "warnings": [w.to_dict() for w in self.warnings],
        }
        if self.questionnaire.official is not None:
            official = self.official
            out["official"] = None if official is None else official.to_dict()
        if recommendations:
            out["recommendations"] = [r.to_dict() for r in self.recommendations]
            top = len(self.questionnaire.levels.levels) - 1
            out["roadmap"] = self.roadmap().to_dict() if self.level.number < top else None
        return out

    @cached_property
    def official(self) -> OfficialResult | None:
        """The official instrument's total and level from this same sheet (``official`` in the questionnaire)."""
        link = self.questionnaire.official
        if link is None:
            return None
        if self._officials is None:
            raise NotFoundError("official questionnaire source", link.questionnaire, [])
        oq = self._officials(link.questionnaire)
        answers = {}
        for question in oq.questions:
            ours = link.questions.get(question.id, question.id)
            if ours in self.sheet.answers:
                answers[question.id] = self.sheet.answers[ours]
        sub = AnswerSheet(
            questionnaire=oq.id,
            questionnaire_version=oq.version,
            enterprise=self.sheet.enterprise,
            answers=answers,
            date=self.sheet.date,
            assessor=self.sheet.assessor,
        )
        try:
            a = assess_sheet(oq, sub)
        except AnswerValidationError as exc:
            return OfficialResult(oq.id, oq.version, oq.title, None, None, tuple(exc.details))
        return OfficialResult(oq.id, oq.version, oq.title, a.overall, a.level)

    def to_json(self, indent: int | None = 2, recommendations: bool = False) -> str:
        """:meth:`to_dict` as JSON text (its JSON Schema: ``yzmaturity schema assessment``)."""
        return json.dumps(self.to_dict(recommendations), ensure_ascii=False, indent=indent, sort_keys=False)

    @classmethod
    def from_json(
        cls,
        text: str | bytes,
        questionnaire: Questionnaire,
        *,
        catalogs: CatalogSource | None = None,
        officials: Callable[[str], Questionnaire] | None = None,
    ) -> Assessment:
        """Re-read a result written by :meth:`to_json`: its sheet is re-scored with ``questionnaire``.

        The result records its questionnaire's id, version and content hash; a
        result for another questionnaire id raises :class:`AnswerValidationError`.
        ``yz.load_assessment`` finds the built-in questionnaire by itself.
        """
        data = json_data(text)
        sheet = sheet_of_result(data, questionnaire)
        return assess_sheet(questionnaire, sheet, catalogs=catalogs, officials=officials)

    def top_gaps(self, n: int = 5) -> list[QuestionResult]:
        """The questions where the most overall points were lost, largest first."""
        ranked = sorted(self.questions.values(), key=lambda x: (-x.points_lost, x.id))
        return [x for x in ranked if x.points_lost > 0][:n]

    def summary(self, lang: str = "zh", with_plan: bool = True, ids: bool = False) -> str:
        """A readable multi-line summary: scores, gaps, warnings, top recommendations, roadmap (the CLI's output).

        One language (``zh`` or ``en``), names instead of ids; ``ids=True`` adds the ids.
        """
        from ._render.text import assessment_summary

        check_lang(lang)
        return assessment_summary(self, lang, with_plan, ids)

    def report(self, lang: str = "zh", cohort: BatchScores | None = None) -> Report:
        """The diagnosis report (``to_html()``, ``to_markdown()``, ``save(path)``) in ``zh`` or ``en``.

        With a ``cohort`` of scores, the report also says where the enterprise
        stands among its peers (same industry division and size class).
        """
        from ._render.report import build_report

        catalog = self.catalog()
        return build_report(self, lang, cohort, catalog=catalog)

    # ------------------------------------------------------------------ notebooks
    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> dict[str, str]:
        """Rich display in Jupyter: scores, a bar per dimension, the top three support categories."""
        from ._render.display import assessment_html, mimebundle

        return mimebundle(self, assessment_html, include, exclude)

    def to_frame(self) -> pd.DataFrame:
        """One row per dimension: id, titles, parent, depth, score, level, counts (needs pandas)."""
        from ._render.frames import assessment_frame

        return assessment_frame(self)

    def questions_frame(self) -> pd.DataFrame:
        """One row per question: dimension, answer, score, applicable, contribution, points lost."""
        from ._render.frames import questions_frame

        return questions_frame(self)

    def plot(self, ax: Axes | None = None, lang: str = "zh") -> Axes:
        """A radar of the top-level dimension scores on polar ``ax`` (new figure if None; needs matplotlib)."""
        from ._render.plot import radar

        return radar(self, ax, lang)

    def __repr__(self) -> str:
        tops = [d for d in self.dimensions.values() if d.depth == 0]
        dims = ", ".join(f"{d.id}={d.score:.0f}" if d.score is not None else f"{d.id}=n/a" for d in tops)
        return (
            f"<Assessment {self.enterprise.name!r} on {self.questionnaire_id} v{self.questionnaire_version}: "
            f"overall {self.overall:.1f}, {self.level}; {dims}>"
        )


def _recommend(a: Assessment, catalog: PolicyCatalog | str | None = None) -> list[Recommendation]:
    cat = a.catalog(catalog)
    if cat is None:
        return []
    from ._matching import compiled_catalog  # loaded on first use: keeps `import yzmaturity` light

    compiled = compiled_catalog(cat, a.questionnaire)
    return compiled.recommendations(a._scores.context(slice(a._row, a._row + 1)), 0)


def sheet_of_result(data: Any, questionnaire: Questionnaire) -> AnswerSheet:
    """The answer sheet recorded in an assessment result (:meth:`Assessment.to_dict` data)."""
    if not isinstance(data, dict) or not isinstance(data.get("questionnaire"), dict):
        raise AnswerValidationError(
            "not an assessment result",
            [
                ErrorDetail(
                    Code.WRONG_TYPE, (), "an assessment result is a mapping with a questionnaire", got=None
                )
            ],
        )
    qid = data["questionnaire"].get("id")
    if qid != questionnaire.id:
        raise AnswerValidationError(
            "the result is for another questionnaire",
            [
                ErrorDetail(
                    Code.QUESTIONNAIRE_MISMATCH,
                    ("questionnaire", "id"),
                    "the result is for another questionnaire",
                    expected=questionnaire.id,
                    got=qid,
                    params={"allowed": questionnaire.id},
                )
            ],
        )
    questions = data.get("questions") or {}
    sheet = {
        "questionnaire": qid,
        "questionnaire_version": data["questionnaire"].get("version"),
        "enterprise": data.get("enterprise"),
        "date": data.get("date"),
        "assessor": data.get("assessor") or {},
        "note": data.get("note"),
        "answers": {
            k: v["answer"]
            for k, v in questions.items()
            if isinstance(v, dict) and v.get("answer") is not None
        },
    }
    return parse_sheet(sheet)


def assess_sheet(
    questionnaire: Questionnaire,
    sheet: AnswerSheet,
    *,
    catalogs: CatalogSource | None = None,
    officials: Callable[[str], Questionnaire] | None = None,
) -> Assessment:
    """Score one checked sheet against ``questionnaire``: the batch path with N = 1."""
    scores = score_matrix(questionnaire, encode_sheet(questionnaire, sheet), chunk_size=1)
    return Assessment(questionnaire, sheet, scores, 0, catalogs=catalogs, officials=officials)
