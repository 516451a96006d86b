"""Compare two assessments of one enterprise (T0 -> T1): what moved, and what it changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._codes import Code
from ._exceptions import ComparisonError, ErrorDetail, YzMaturityError
from ._text import check_lang

if TYPE_CHECKING:
    from collections.abc import Container

    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from ._assessment import Assessment
    from ._render.report import Report

__all__ = ["Comparison", "compare"]


@dataclass(frozen=True)
class Delta:
    """A value before and after; ``None`` where undefined."""

    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 4)

    def to_dict(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after, "change": self.change}


@dataclass(frozen=True)
class CategoryChange:
    category: str
    fit: Delta
    eligibility_before: str
    eligibility_after: str

    @property
    def eligibility_changed(self) -> bool:
        return self.eligibility_before != self.eligibility_after

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "fit": self.fit.to_dict(),
            "eligibility": {"before": self.eligibility_before, "after": self.eligibility_after},
        }


@dataclass(frozen=True)
class Comparison:
    """T0 -> T1 for one enterprise: overall, level, dimensions, answers and categories."""

    before: Assessment
    after: Assessment
    overall: Delta
    level_before: int
    level_after: int
    dimensions: dict[str, Delta]
    answers_changed: dict[str, tuple[Any, Any]]
    categories: list[CategoryChange]
    notes: list[ErrorDetail] = field(default_factory=list)

    @property
    def level_change(self) -> int:
        return self.level_after - self.level_before

    @property
    def categories_changed(self) -> list[CategoryChange]:
        """Categories whose fit moved by 0.05 or more, or whose eligibility changed."""
        return [c for c in self.categories if c.eligibility_changed or abs(c.fit.change or 0.0) >= 0.05]

    def to_dict(self) -> dict[str, Any]:
        return {
            "enterprise": self.after.enterprise.name,
            "dates": [_date(self.before), _date(self.after)],
            "overall": self.overall.to_dict(),
            "level": {"before": self.level_before, "after": self.level_after, "change": self.level_change},
            "dimensions": {k: v.to_dict() for k, v in self.dimensions.items()},
            "answers_changed": {k: {"before": b, "after": a} for k, (b, a) in self.answers_changed.items()},
            "categories_changed": [c.to_dict() for c in self.categories_changed],
            "notes": [n.to_dict() for n in self.notes],
        }

    def summary(self, lang: str = "zh", ids: bool = False) -> str:
        """Overall, level, every dimension and the categories that changed, as text (``ids=True`` adds ids)."""
        from ._render.text import comparison_summary

        check_lang(lang)
        return comparison_summary(self, lang, ids)

    def report(self, lang: str = "zh") -> Report:
        """The progress report T0 -> T1 (``to_html()``, ``to_markdown()``, ``save(path)``)."""
        from ._render.report import build_progress_report

        after = self.after  # its catalog source ranked the categories compared here
        catalog = after.catalog()
        return build_progress_report(self, lang, catalog=catalog)

    def to_frame(self) -> pd.DataFrame:
        """One row per dimension: id, titles, depth, before, after, change (needs pandas)."""
        from ._render.frames import comparison_frame

        return comparison_frame(self)

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> dict[str, str]:
        """Rich display in Jupyter: overall and level change, every dimension before/after/change."""
        from ._render.display import comparison_html, mimebundle

        return mimebundle(self, comparison_html, include, exclude)

    def __repr__(self) -> str:
        ch = self.overall.change
        return (
            f"<Comparison {self.after.enterprise.name!r}: "
            f"overall {self.overall.before} -> {self.overall.after} "
            f"({'+' if (ch or 0) >= 0 else ''}{ch}), L{self.level_before} -> L{self.level_after}, "
            f"{len(self.answers_changed)} answers changed>"
        )


def _date(a: Assessment) -> str | None:
    return None if a.sheet.date is None else a.sheet.date.isoformat()


def compare(before: Assessment, after: Assessment, *, force: bool = False) -> Comparison:
    """Compare two assessments of the same enterprise on the same questionnaire.

    Raises :class:`YzMaturityError` for different questionnaires, and
    :class:`ComparisonError` for two enterprises whose name or credit code
    differ, unless ``force`` (then it is a note in the comparison).  A
    questionnaire version change is a note.
    """
    if before.questionnaire_id != after.questionnaire_id:
        raise YzMaturityError(
            f"cannot compare assessments on different questionnaires "
            f"({before.questionnaire_id!r} and {after.questionnaire_id!r})"
        )
    notes: list[ErrorDetail] = []
    if before.questionnaire_hash != after.questionnaire_hash:
        notes.append(
            ErrorDetail(
                Code.QUESTIONNAIRE_CHANGED,
                ("questionnaire",),
                "the two assessments used different questionnaire versions; only common items are compared",
                severity="warning",
                expected=before.questionnaire_version,
                got=after.questionnaire_version,
                params={"allowed": before.questionnaire_version, "got": after.questionnaire_version},
            )
        )
    e0, e1 = before.enterprise, after.enterprise
    if (e0.credit_code and e1.credit_code and e0.credit_code != e1.credit_code) or (
        not (e0.credit_code and e1.credit_code) and e0.name != e1.name
    ):
        different = ErrorDetail(
            Code.DIFFERENT_ENTERPRISE,
            ("enterprise",),
            "the two assessments seem to be of different enterprises",
            severity="warning" if force else "error",
            expected=e0.credit_code or e0.name,
            got=e1.credit_code or e1.name,
            params={"allowed": e0.name, "got": e1.name},
        )
        if not force:
            raise ComparisonError(
                "cannot compare two different enterprises (use force=True to compare anyway)", [different]
            )
        notes.append(different)
    dims = {
        did: Delta(d.score, after.dimensions[did].score)
        for did, d in before.dimensions.items()
        if did in after.dimensions
    }
    changed: dict[str, tuple[Any, Any]] = {}
    for qid in sorted(set(before.sheet.answers) | set(after.sheet.answers)):
        a0, a1 = before.sheet.answers.get(qid), after.sheet.answers.get(qid)
        v0 = None if a0 is None else a0.model_dump(mode="json")
        v1 = None if a1 is None else a1.model_dump(mode="json")
        if v0 != v1:
            changed[qid] = (v0, v1)
    rec0 = {r.category: r for r in before.recommendations}
    rec1 = {r.category: r for r in after.recommendations}
    categories = [
        CategoryChange(
            cid,
            Delta(round(rec0[cid].fit, 4), round(rec1[cid].fit, 4)),
            rec0[cid].eligibility,
            rec1[cid].eligibility,
        )
        for cid in rec0
        if cid in rec1
    ]
    return Comparison(
        before=before,
        after=after,
        overall=Delta(round(before.overall, 2), round(after.overall, 2)),
        level_before=before.level.number,
        level_after=after.level.number,
        dimensions=dims,
        answers_changed=changed,
        categories=categories,
        notes=notes,
    )
