"""yzmaturity: enterprise digital-maturity self-assessment for Yangzhou's 智改数转 programme."""

from ._answers import Answer, AnswerSheet, Assessor
from ._api import assess, check_answers, load_assessment, score_batch, validate_answers
from ._assessment import Assessment, DimensionResult, LevelInfo, OfficialResult, QuestionResult
from ._encode import AnswerMatrix
from ._enterprise import Enterprise
from ._exceptions import (
    AnswerValidationError,
    ComparisonError,
    ErrorDetail,
    FileLoadError,
    FileWriteError,
    MissingDependencyError,
    NotFoundError,
    QuestionnaireError,
    ReportError,
    RowProblems,
    TableError,
    YzMaturityError,
)
from ._lint import lint
from ._loading import (
    example_path,
    list_catalogs,
    list_examples,
    list_questionnaires,
    load_answers,
    load_catalog,
    load_questionnaire,
    save_answers,
)
from ._model import Dimension, Level, Option, Question, Questionnaire
from ._policy import Category, PolicyCatalog
from ._profile import CmmmAssessor, Role, check_credit_code, credit_code_check_char, size_class
from ._scoring import BatchScores, encode
from ._synthetic import example_answers
from ._text import Text
from ._version import __version__

# Loaded on first use, to keep `import yzmaturity` light (PEP 562).
_LAZY = {
    "AmountResult": "._funding",
    "CohortMatch": "._matching",
    "Comparison": "._compare",
    "FileResult": "._tables",
    "FormImport": "._forms.importing",
    "FundingEstimate": "._funding",
    "GroupLevels": "._render",
    "PeerPercentiles": "._cohort",
    "Position": "._cohort",
    "Recommendation": "._matching",
    "Report": "._render",
    "Roadmap": "._roadmap",
    "RoadmapStep": "._roadmap",
    "Store": "._store",
    "StoreError": "._store",
    "StoredAssessment": "._store",
    "TableResult": "._tables",
    "TierResult": "._matching",
    "answers_from_odk": "._forms.importing",
    "answers_from_surveyjs": "._forms.importing",
    "build_progress_report": "._render",
    "build_report": "._render",
    "cohort_report": "._cohort_report",
    "cohort_summary": "._cohort",
    "compare": "._compare",
    "escape_formulas": "._tables",
    "form_html": "._forms.page",
    "import_platform_response": "._platform",
    "match_batch": "._matching",
    "levels_by": "._render",
    "output_meta": "._tables",
    "peer_percentiles": "._cohort",
    "plot_archetypes": "._render",
    "plot_levels": "._render",
    "plot_percentiles": "._render",
    "position": "._cohort",
    "read_table": "._tables",
    "score_file": "._tables",
    "score_partition": "._tables",
    "score_table": "._tables",
    "table_columns": "._tables",
    "table_header": "._tables",
    "table_template": "._tables",
    "to_surveyjs": "._forms.surveyjs",
    "to_xlsform": "._forms.xlsform",
    "weakest_dimensions": "._render",
    "write_table": "._tables",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'yzmaturity' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AmountResult",
    "Answer",
    "AnswerMatrix",
    "AnswerSheet",
    "AnswerValidationError",
    "Assessment",
    "Assessor",
    "BatchScores",
    "Category",
    "CmmmAssessor",
    "CohortMatch",
    "Comparison",
    "ComparisonError",
    "Dimension",
    "DimensionResult",
    "Enterprise",
    "ErrorDetail",
    "FileLoadError",
    "FileResult",
    "FileWriteError",
    "FormImport",
    "FundingEstimate",
    "GroupLevels",
    "Level",
    "LevelInfo",
    "MissingDependencyError",
    "NotFoundError",
    "OfficialResult",
    "Option",
    "PeerPercentiles",
    "PolicyCatalog",
    "Position",
    "Question",
    "QuestionResult",
    "Questionnaire",
    "QuestionnaireError",
    "Recommendation",
    "Report",
    "ReportError",
    "Roadmap",
    "RoadmapStep",
    "Role",
    "RowProblems",
    "Store",
    "StoreError",
    "StoredAssessment",
    "TableError",
    "TableResult",
    "Text",
    "TierResult",
    "YzMaturityError",
    "__version__",
    "answers_from_odk",
    "answers_from_surveyjs",
    "assess",
    "build_progress_report",
    "build_report",
    "check_answers",
    "check_credit_code",
    "cohort_report",
    "cohort_summary",
    "compare",
    "credit_code_check_char",
    "encode",
    "escape_formulas",
    "example_answers",
    "example_path",
    "form_html",
    "import_platform_response",
    "levels_by",
    "lint",
    "list_catalogs",
    "list_examples",
    "list_questionnaires",
    "load_answers",
    "load_assessment",
    "load_catalog",
    "load_questionnaire",
    "match_batch",
    "output_meta",
    "peer_percentiles",
    "plot_archetypes",
    "plot_levels",
    "plot_percentiles",
    "position",
    "read_table",
    "save_answers",
    "score_batch",
    "score_file",
    "score_partition",
    "score_table",
    "size_class",
    "table_columns",
    "table_header",
    "table_template",
    "to_surveyjs",
    "to_xlsform",
    "validate_answers",
    "weakest_dimensions",
    "write_table",
]
