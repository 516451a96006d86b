"""The cohort report's front door: resolve the policy catalog, match the cohort, build the page.

The page itself is built in the presentation layer (``_render.cohort``), which
never loads a catalog; this face module does, as ``Assessment.report`` does for
one enterprise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._loading import default_catalog, load_catalog
from ._matching import CohortMatch, match_batch
from ._policy import PolicyCatalog
from ._render.cohort import build_cohort_report
from ._render.labels import check_lang
from ._render.report import Report
from ._scoring import BatchScores

__all__ = ["cohort_report"]


def cohort_report(
    scores: BatchScores,
    profile: Mapping[str, Any] | None = None,
    catalog: PolicyCatalog | str | None = None,
    lang: str = "zh",
    *,
    match: CohortMatch | None = None,
    city: str | None = None,
    synthetic: bool | None = None,
    weakest: int = 8,
) -> Report:
    """The cohort report of a city (or district, park ...): one self-contained HTML page.

    Levels by district and by industry (stacked bars and tables, see
    :func:`levels_by`), the demand per funding category (the rows in each
    eligibility state, fit at least 0.5, ranked first:
    :meth:`CohortMatch.counts`), and the ``weakest`` dimensions (see
    :func:`weakest_dimensions`); charts are inline SVG, every name escaped.
    ``profile`` gives or overrides profile columns (field -> array), e.g. a
    ``region`` column.  ``catalog`` is a policy catalog or its id/path
    (default: the questionnaire's built-in one); ``match`` reuses a
    :func:`~yzmaturity.match_batch` result.  ``city`` names the cohort
    (default 扬州市 / Yangzhou).  ``synthetic`` marks the data as synthetic
    (default: when the names carry the mark of :mod:`yzmaturity.datasets`).
    Counts are of valid rows; the invalid ones are counted on the cover.

    ``.to_html()`` gives the page, ``.to_markdown()`` its tables as Markdown,
    ``.save(path)`` writes either (by the extension) atomically.

    >>> import yzmaturity as yz
    >>> from yzmaturity.datasets import make_cohort
    >>> report = yz.cohort_report(make_cohort(200, seed=2).score(), lang="en")
    >>> html = report.to_html()
    >>> "Synthetic data, not real enterprises" in html, html.count('<svg class="chart stacked"')
    (True, 2)
    """
    check_lang(lang)
    if match is None:
        q = scores.questionnaire
        if isinstance(catalog, PolicyCatalog):
            cat: PolicyCatalog | None = catalog
        elif catalog is not None:
            cat = load_catalog(catalog, q)
        else:
            cat = default_catalog(q.id)
        match = None if cat is None else match_batch(cat, scores)
    return build_cohort_report(
        scores, match, lang, profile=profile, city=city, synthetic=synthetic, weakest=weakest
    )
