"""Diagnosis reports for the enterprise: a self-contained HTML page (print it to A4 PDF) or Markdown.

``build_report(assessment)`` gives the diagnosis of one assessment: header,
overall score and level ladder, radar of the top-level dimensions against the
next level's bars, per-dimension bars, ranked support categories with their
reasons, the roadmap, every answer, and metadata.
``build_progress_report(comparison)`` gives T0 -> T1.

The page has inline CSS and inline SVG only: no scripts, fonts, images or any
other network resource.  Every text from data (the enterprise's name, notes,
questionnaire and catalog texts) is escaped: by Jinja2's autoescaping in HTML,
and by :func:`md_escape` in Markdown.  Jinja2 is imported only when a report is
rendered, so ``import yzmaturity`` stays light.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._cohort import position
from .._exceptions import ReportError
from .._fs import write_text
from .context import assessment_context
from .env import environment
from .labels import check_lang, labels
from .progress import progress_context

if TYPE_CHECKING:
    from .._assessment import Assessment
    from .._compare import Comparison
    from .._policy import PolicyCatalog
    from .._scoring import BatchScores

__all__ = ["Report", "build_progress_report", "build_report"]

ReportKind = Literal["assessment", "progress", "cohort"]
FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}


class Report:
    """A rendered-on-demand diagnosis (or progress) report.

    ``to_html()`` gives a self-contained page (inline CSS and SVG, no network
    resources; print it to PDF on A4), ``to_markdown()`` the same content as
    Markdown, ``save(path)`` writes either by the file extension, and in a
    notebook the report shows itself (``_repr_html_``).
    """

    def __init__(self, kind: ReportKind, lang: str, title: str, context: dict[str, Any]) -> None:
        self.kind: ReportKind = kind
        self.lang: str = check_lang(lang)
        self.title: str = title
        self.context: dict[str, Any] = context

    def _render(self, fmt: Literal["html", "md"], full: bool = True) -> str:
        env = environment(fmt)
        template = env.get_template(f"{self.kind}.{fmt}")
        return template.render(
            **self.context, t=labels("report", self.lang), lang=self.lang, title=self.title, full=full
        )

    def to_html(self) -> str:
        """The whole report as one self-contained HTML document."""
        return self._render("html")

    def to_markdown(self) -> str:
        """The report as Markdown (GitHub-flavoured tables; user text escaped)."""
        return self._render("md")

    def _repr_html_(self) -> str:
        """A fragment for notebooks: the report body with its CSS scoped to ``.yzr``."""
        return self._render("html", full=False)

    def save(self, path: str | os.PathLike[str], format: str | None = None) -> Path:
        """Write the report; the format comes from the extension (.html, .htm, .md) unless given."""
        target = Path(path)
        fmt = format or FORMATS.get(target.suffix.lower())
        if fmt not in ("html", "md"):
            given = f"format {format!r}" if format else f"extension {target.suffix or '(none)'!r}"
            raise ReportError(
                f"cannot write a report as {given} ({target}); use .html, .htm or .md "
                "(for PDF, open the HTML report in a browser and print it: the page is laid out for A4)"
            )
        text = self.to_html() if fmt == "html" else self.to_markdown()
        write_text(target, text)  # atomic: an interrupted save leaves the old file whole
        return target

    def __repr__(self) -> str:
        return f"<Report {self.kind} {self.title!r} ({self.lang})>"


def build_report(
    assessment: Assessment,
    lang: str = "zh",
    cohort: BatchScores | None = None,
    by: Sequence[str] = ("industry_division", "size_class"),
    *,
    catalog: PolicyCatalog | None = None,
) -> Report:
    """The diagnosis report of one assessment, in Chinese (``zh``) or English (``en``).

    With a ``cohort`` (the scores of many enterprises, e.g. ``score_table(...).scores``)
    the report says where the enterprise stands among its peers grouped ``by``
    profile fields (see :func:`yzmaturity.position`).  The support categories
    are ranked from ``catalog`` (e.g. ``load_catalog(...)``); without one the
    report says that no policy catalog is available.
    :meth:`Assessment.report` passes the questionnaire's default catalog.
    """
    check_lang(lang)
    context = assessment_context(assessment, lang, catalog)
    context["peers"] = []
    if cohort is not None:
        pos = position(assessment, cohort, by=by)
        context["peers"] = pos.sentences(lang)
    title = labels("report", lang)["report_title"].format(name=assessment.enterprise.name)
    return Report("assessment", lang, title, context)


def build_progress_report(
    comparison: Comparison, lang: str = "zh", *, catalog: PolicyCatalog | None = None
) -> Report:
    """The progress report of a comparison (T0 -> T1) of one enterprise.

    ``catalog`` names the support categories that changed and is listed in the
    metadata; :meth:`Comparison.report` passes the questionnaire's default catalog.
    """
    check_lang(lang)
    context = progress_context(comparison, lang, catalog)
    title = labels("report", lang)["progress_title"].format(name=comparison.after.enterprise.name)
    return Report("progress", lang, title, context)
