"""Presentation: every view of a result (notebook HTML, pandas frames, terminal text, SVG charts, reports).

The top layer below the public face.  It imports the model, engine, results and
I/O layers, never the other way round (those reach it only inside their
rich-result methods: ``to_frame``, ``_repr_mimebundle_``, ``summary``,
``report``, ``plot``).  Every fixed word it shows comes from one bilingual
table, ``labels.yaml``; the report templates live in ``templates/``.

- ``labels``: the bilingual label table (``labels.yaml``)
- ``display``: notebook HTML (``_repr_mimebundle_``)
- ``plot``: the matplotlib radar (``Assessment.plot``)
- ``frames``: pandas DataFrames (``to_frame``)
- ``text``: plain text for the terminal
- ``svg``: dependency-free SVG charts for the reports
- ``env``: the Jinja2 environments and Markdown escaping
- ``fmt``: formatting of numbers, answers and cited inputs
- ``funding``: tiers, "why not", the subsidy range and the sources' footnotes
- ``levels``: the level-bar maths behind the reports' reference lines
- ``context``, ``progress``: the template contexts of the two reports
- ``report``: :class:`Report`, :func:`build_report`, :func:`build_progress_report`
- ``cohort``: levels by district and industry, the weakest dimensions, the cohort report
- ``cohort_plot``: the matplotlib cohort charts (levels by group, percentiles, archetype map)
"""

from __future__ import annotations

from .cohort import GroupLevels, build_cohort_report, levels_by, weakest_dimensions
from .cohort_plot import plot_archetypes, plot_levels, plot_percentiles
from .display import (
    assessment_html,
    batch_html,
    cohort_html,
    comparison_html,
    mimebundle,
    percentiles_html,
    questionnaire_html,
)
from .env import md_escape
from .frames import assessment_frame, batch_frame, cohort_frame, comparison_frame, questions_frame
from .levels import dimension_references, level_bars
from .plot import radar
from .report import Report, build_progress_report, build_report
from .text import (
    assessment_summary,
    comparison_summary,
    questionnaire_outline,
    recommendations_text,
    roadmap_text,
)

__all__ = [
    "GroupLevels",
    "Report",
    "assessment_frame",
    "assessment_html",
    "assessment_summary",
    "batch_frame",
    "batch_html",
    "build_cohort_report",
    "build_progress_report",
    "build_report",
    "cohort_frame",
    "cohort_html",
    "comparison_frame",
    "comparison_html",
    "comparison_summary",
    "dimension_references",
    "level_bars",
    "levels_by",
    "md_escape",
    "mimebundle",
    "percentiles_html",
    "plot_archetypes",
    "plot_levels",
    "plot_percentiles",
    "questionnaire_html",
    "questionnaire_outline",
    "questions_frame",
    "radar",
    "recommendations_text",
    "roadmap_text",
    "weakest_dimensions",
]
