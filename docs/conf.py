"""Sphinx configuration: furo theme, MyST Markdown pages, numpydoc API reference."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yzmaturity  # noqa: E402

project = "yzmaturity"
author = "yzmaturity developers"
copyright = "2026, yzmaturity developers"
release = yzmaturity.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "api-generated.md"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
html_theme = "furo"
html_title = f"yzmaturity {release}"
language = "en"

autodoc_member_order = "bysource"
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()
intersphinx_mapping: dict[str, tuple[str, None]] = {}
# Type names in signatures are not all resolvable (numpy, pydantic internals).
nitpicky = False
suppress_warnings = ["myst.header", "ref.python"]


# The API reference by topic; a public name missing here is listed under "Other".
API_TOPICS: dict[str, list[str]] = {
    "Assess one enterprise": [
        "assess",
        "check_answers",
        "validate_answers",
        "Assessment",
        "DimensionResult",
        "QuestionResult",
        "LevelInfo",
        "OfficialResult",
        "load_assessment",
    ],
    "Answer sheets and enterprises": [
        "AnswerSheet",
        "Answer",
        "Assessor",
        "Enterprise",
        "Role",
        "load_answers",
        "save_answers",
        "import_platform_response",
        "example_path",
        "list_examples",
        "example_answers",
        "check_credit_code",
        "credit_code_check_char",
        "size_class",
    ],
    "Questionnaires": [
        "Questionnaire",
        "Dimension",
        "Question",
        "Option",
        "Level",
        "Text",
        "load_questionnaire",
        "list_questionnaires",
        "lint",
    ],
    "Support categories and roadmaps": [
        "PolicyCatalog",
        "Category",
        "Recommendation",
        "Roadmap",
        "RoadmapStep",
        "load_catalog",
        "list_catalogs",
        "match_batch",
    ],
    "Progress over time": ["compare", "Comparison"],
    "Reports": ["Report", "build_report", "build_progress_report"],
    "Many enterprises": [
        "score_batch",
        "BatchScores",
        "AnswerMatrix",
        "encode",
        "score_table",
        "score_partition",
        "TableResult",
        "read_table",
        "write_table",
        "table_template",
        "table_columns",
        "table_header",
        "escape_formulas",
        "output_meta",
        "partition_errors",
        "errors_meta",
    ],
    "Cohorts and peers": [
        "cohort_summary",
        "peer_percentiles",
        "PeerPercentiles",
        "position",
        "Position",
        "CohortMatch",
        "levels_by",
        "GroupLevels",
        "weakest_dimensions",
        "cohort_report",
        "plot_levels",
        "plot_percentiles",
        "plot_archetypes",
    ],
    "Errors": [
        "YzMaturityError",
        "ErrorDetail",
        "RowProblems",
        "RepeatedProblem",
        "AnswerValidationError",
        "TableError",
        "QuestionnaireError",
        "FileLoadError",
        "NotFoundError",
        "ComparisonError",
        "MissingDependencyError",
        "ReportError",
    ],
}


def _entry(name: str) -> list[str]:
    obj = getattr(yzmaturity, name)
    kind = "autoclass" if isinstance(obj, type) else "autofunction"
    options = "\n   :members:" if kind == "autoclass" else ""
    return [f"### `{name}`", "", "```{eval-rst}", f".. {kind}:: yzmaturity.{name}{options}", "```", ""]


def _write_if_changed(target: Path, text: str) -> None:
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


def _write_api_page(app: object) -> None:
    """The API reference lists exactly the public names of ``yzmaturity.__all__`` (never stale), by topic."""
    lines = [
        "# API reference",
        "",
        "Everything below is importable as `yzmaturity.<name>`; every other module is private.",
        "Optional modules: `yzmaturity.datasets`, `yzmaturity.ml` (extra `ml`).",
        "",
    ]
    public = [n for n in yzmaturity.__all__ if not n.startswith("__")]
    grouped = {n for names in API_TOPICS.values() for n in names}
    topics = {k: [n for n in v if n in public] for k, v in API_TOPICS.items()}
    other = sorted((n for n in public if n not in grouped), key=str.lower)
    if other:
        topics["Other"] = other
    for topic, names in topics.items():
        if names:
            lines += [f"## {topic}", ""]
            for name in names:
                lines += _entry(name)
    for module in ("yzmaturity.datasets", "yzmaturity.ml"):
        try:
            __import__(module)
        except ImportError:
            continue
        lines += [f"## `{module}`", "", "```{eval-rst}", f".. automodule:: {module}\n   :members:", "```", ""]
    _write_if_changed(Path(__file__).parent / "api.md", "\n".join(lines))


def _write_error_codes_page(app: object) -> None:
    """Every error code with its sentence in Chinese and English, read from the code (never stale)."""
    from yzmaturity._codes import Code
    from yzmaturity._messages import MESSAGES

    lines = [
        "# Error codes",
        "",
        "Every `ErrorDetail.code` yzmaturity gives, with the sentence `ErrorDetail.text(lang)` makes of it.",
        "`{subject}` is the question (by its text) or the field, `{got}` the value given, `{allowed}` what",
        "is accepted; codes without a sentence of their own (questionnaire lint) keep their English message.",
        "Codes not in `Code` are pydantic's error types for a file's shape.",
        "See [errors.md](errors.md) for how to read them.",
        "",
        "| code | 中文 | English |",
        "|---|---|---|",
    ]
    codes = [str(c) for c in Code] + sorted(k for k in MESSAGES if k not in set(Code))
    for code in codes:
        zh, en = MESSAGES.get(code, ("", ""))
        cells = [f"`{code}`", zh, en]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    _write_if_changed(Path(__file__).parent / "error-codes.md", "\n".join(lines) + "\n")


def setup(app: object) -> None:
    app.connect("builder-inited", _write_api_page)  # type: ignore[attr-defined]
    app.connect("builder-inited", _write_error_codes_page)  # type: ignore[attr-defined]
