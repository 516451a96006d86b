"""Form tools: SurveyJS and XLSForm (ODK, KoboToolbox) exports, their imports, and an offline page."""

from .importing import FormImport, answers_from_odk, answers_from_surveyjs, register_importer
from .page import form_html
from .surveyjs import to_surveyjs
from .xlsform import to_xlsform

__all__ = [
    "FormImport",
    "answers_from_odk",
    "answers_from_surveyjs",
    "form_html",
    "register_importer",
    "to_surveyjs",
    "to_xlsform",
]
