"""yzmaturity: enterprise digital-maturity self-assessment for Yangzhou's 智改数转 programme."""

from ._answers import Answer, AnswerSheet, Assessor
from ._assessment import Assessment, DimensionResult, LevelInfo, QuestionResult
from ._encode import AnswerMatrix
from ._enterprise import Enterprise, Role, check_credit_code, credit_code_check_char, size_class
from ._exceptions import (
    AnswerValidationError,
    ErrorDetail,
    FileLoadError,
    MissingDependencyError,
    NotFoundError,
    QuestionnaireError,
    YzMaturityError,
)
from ._lint import lint
from ._loading import (
    example_path,
    list_examples,
    list_questionnaires,
    load_answers,
    load_questionnaire,
    save_answers,
)
from ._model import Dimension, Level, Option, Question, Questionnaire
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
    "Question",
    "QuestionResult",
    "Questionnaire",
    "QuestionnaireError",
    "Role",
    "Text",
    "YzMaturityError",
    "__version__",
    "assess",
    "check_credit_code",
    "credit_code_check_char",
    "encode",
    "example_answers",
    "example_path",
    "lint",
    "list_examples",
    "list_questionnaires",
    "load_answers",
    "load_questionnaire",
    "save_answers",
    "score_batch",
    "size_class",
    "validate_answers",
]
