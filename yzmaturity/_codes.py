"""The registry of error codes: one home for every stable ``ErrorDetail.code``.

A code is part of the public contract (JSON output, ``errors()``, the error
tables), so its string never changes; :class:`Code` is a ``StrEnum``, so
``Code.UNKNOWN_OPTION == "unknown_option"`` and JSON output is plain text.
Errors that pydantic finds in a file's shape keep pydantic's own error type as
their code (``missing``, ``string_type`` ...): those are pydantic's registry.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Code"]


class Code(StrEnum):
    """Every code yzmaturity gives a problem it finds, grouped by where it is found."""

    # files (FileLoadError)
    FILE_NOT_FOUND = "file_not_found"
    FILE_UNREADABLE = "file_unreadable"
    NOT_A_REGULAR_FILE = "not_a_regular_file"
    IS_A_FOLDER = "is_a_folder"
    NO_SUCH_FILE_OR_FOLDER = "no_such_file_or_folder"
    NAME_TOO_LONG = "name_too_long"
    PERMISSION_DENIED = "permission_denied"
    DISK_FULL = "disk_full"
    FILE_UNWRITABLE = "file_unwritable"
    OUTPUT_IS_INPUT = "output_is_input"
    OUTPUT_CLASH = "output_clash"
    TOO_MANY_NODES = "too_many_nodes"
    NUMBER_TOO_LARGE = "number_too_large"
    FILE_TOO_LARGE = "file_too_large"
    BAD_EXTENSION = "bad_extension"
    BAD_ENCODING = "bad_encoding"
    BAD_YAML = "bad_yaml"
    BAD_JSON = "bad_json"
    UNSAFE_TAG = "unsafe_tag"
    YAML_ALIAS = "yaml_alias"
    DUPLICATE_KEY = "duplicate_key"
    TOO_DEEP = "too_deep"
    INVALID = "invalid"
    WOULD_OVERWRITE_INPUT = "would_overwrite_input"

    # questionnaires and catalogs (lint; QuestionnaireError)
    DUPLICATE_ID = "duplicate_id"
    UNKNOWN_REFERENCE = "unknown_reference"
    FORWARD_REFERENCE = "forward_reference"
    CONDITION_CYCLE = "condition_cycle"
    BAD_CONDITION = "bad_condition"
    NON_POSITIVE_WEIGHT = "non_positive_weight"
    NON_INCREASING_THRESHOLDS = "non_increasing_thresholds"
    OPTION_WITHOUT_SCORE = "option_without_score"
    EMPTY_DIMENSION = "empty_dimension"
    MIXED_DIMENSION = "mixed_dimension"
    BAD_POINT = "bad_point"
    UNREACHABLE_LEVEL = "unreachable_level"
    MISSING_TRANSLATION = "missing_translation"
    MISSING_SOURCE = "missing_source"
    BAND_GAP = "band_gap"
    MIXED_SCORING = "mixed_scoring"
    POINTS_REQUIRED = "points_required"
    POINTS_NOT_APPLICABLE = "points_not_applicable"
    WEIGHT_WITH_POINTS = "weight_with_points"
    POINTS_TOTAL = "points_total"

    # answers (AnswerValidationError)
    UNKNOWN_QUESTION = "unknown_question"
    UNKNOWN_OPTION = "unknown_option"
    WRONG_TYPE = "wrong_type"
    ANSWER_TYPE = "answer_type"
    OUT_OF_RANGE = "out_of_range"
    NOT_FINITE = "not_finite"
    DUPLICATE_OPTION = "duplicate_option"
    EXCLUSIVE_OPTION = "exclusive_option"
    NA_NOT_ALLOWED = "na_not_allowed"
    MISSING_REQUIRED = "missing_required"
    QUESTIONNAIRE_MISMATCH = "questionnaire_mismatch"
    VERSION_MISMATCH = "version_mismatch"
    RAGGED_COLUMNS = "ragged_columns"
    NOT_RELEVANT = "not_relevant"
    RELEVANT_UNANSWERED = "relevant_unanswered"
    BAD_COUNTS = "bad_counts"
    CONTRADICTION = "contradiction"

    # platform imports (AnswerValidationError)
    OPTION_OF_OTHER_QUESTION = "option_of_other_question"
    WRONG_COUNT = "wrong_count"
    DUPLICATE_ANSWER = "duplicate_answer"
    BAD_LEVEL = "bad_level"

    # enterprise profile
    BAD_CREDIT_CODE = "bad_credit_code"
    BAD_INDUSTRY = "bad_industry"
    TOO_LONG = "too_long"
    CONTROL_CHARACTER = "control_character"

    # tables (TableError and row problems)
    BAD_CSV = "bad_csv"
    BAD_XLSX = "bad_xlsx"
    BAD_PARQUET = "bad_parquet"
    DATASET_MISMATCH = "dataset_mismatch"
    TOO_MANY_FILES = "too_many_files"
    EMPTY_FILE = "empty_file"
    NO_SHEET = "no_sheet"
    TOO_MANY_ROWS = "too_many_rows"
    TOO_MANY_COLUMNS = "too_many_columns"
    UNKNOWN_COLUMN = "unknown_column"
    MISSING_COLUMN = "missing_column"
    DUPLICATE_COLUMN = "duplicate_column"
    COLUMN_CLASH = "column_clash"
    EMPTY_ROW = "empty_row"
    ILLEGAL_CHARACTER = "illegal_character"

    # form tools (exports and imports)
    FORM_UNSUPPORTED_CONDITION = "form_unsupported_condition"
    FORM_NAME_CLASH = "form_name_clash"
    UNKNOWN_FIELD = "unknown_field"
    TOO_MANY_FIELDS = "too_many_fields"

    # comparisons
    DIFFERENT_ENTERPRISE = "different_enterprise"
    QUESTIONNAIRE_CHANGED = "questionnaire_changed"
    NOT_COMPARABLE = "not_comparable"

    # the HTTP service and the store
    UNKNOWN_QUESTIONNAIRE = "unknown_questionnaire"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNAUTHORIZED = "unauthorized"
    BODY_TOO_LARGE = "body_too_large"
    STORE_ERROR = "store_error"
    INTERNAL_ERROR = "internal_error"
