"""yzmaturity: enterprise digital-maturity self-assessment for Yangzhou's 智改数转 programme."""

from ._answers import Answer, AnswerSheet, Assessor
from ._assessment import Assessment, DimensionResult, LevelInfo, QuestionResult
from ._compare import Comparison, compare
from ._encode import AnswerMatrix
from ._enterprise import Enterprise, Role, check_credit_code, credit_code_check_char, size_class
from ._exceptions import (
    AnswerValidationError,
    ErrorDetail,
    FileLoadError,
    MissingDependencyError,
    NotFoundError,
    QuestionnaireError,
    RowProblems,
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
from ._matching import CohortMatch, Recommendation, match_batch
from ._model import Dimension, Level, Option, Question, Questionnaire
from ._policy import Category, PolicyCatalog
from ._roadmap import Roadmap, RoadmapStep
from ._scoring import BatchScores, assess, encode, score_batch, validate_answers
from ._synthetic import example_answers
from ._text import Text

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "AnswerMatrix",
    "AnswerSheet",
    "AnswerValidationError",
    "Assessment",
    "Assessor",
    "BatchScores",
    "Category",
    "CohortMatch",
    "Comparison",
    "Dimension",
    "DimensionResult",
    "Enterprise",
    "ErrorDetail",
    "FileLoadError",
    "Level",
    "LevelInfo",
    "MissingDependencyError",
    "NotFoundError",
    "Option",
    "PolicyCatalog",
    "Question",
    "QuestionResult",
    "Questionnaire",
    "QuestionnaireError",
    "Recommendation",
    "Roadmap",
    "RoadmapStep",
    "Role",
    "RowProblems",
    "Text",
    "YzMaturityError",
    "__version__",
    "assess",
    "check_credit_code",
    "compare",
    "credit_code_check_char",
    "encode",
    "example_answers",
    "example_path",
    "lint",
    "list_catalogs",
    "list_examples",
    "list_questionnaires",
    "load_answers",
    "load_catalog",
    "load_questionnaire",
    "match_batch",
    "save_answers",
    "score_batch",
    "size_class",
    "validate_answers",
]
