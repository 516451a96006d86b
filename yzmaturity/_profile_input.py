"""Profile columns given as arrays (``score_batch(..., profile={...})``), read by the Enterprise model's rules.

Typed columns, as an analyst holds them: numbers as numbers (or text
holding one), yes/no as booleans (or 1/0, ``true``/``false``, ``是``/``否``), a
set (``roles``, ``certifications``) as a list or a frozenset, or as text with
``;`` between items, as in the wide format.  Each value is
checked as :class:`~yzmaturity.Enterprise` checks it (bounds, whole numbers,
the credit code's check character, the industry code, the roles): a value
that does not fit is a problem of its row (the row is invalid, the others are
scored) and is left unknown.  Each distinct value is checked once.  The
derived fields (size class, industry division, in Yangzhou ...) are derived
from the columns by the rules of ``yzmaturity._profile`` unless given (a
caller that computed them vouches for them).  A column of any other name is
refused: it would otherwise be silently ignored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import numpy as np

from ._arrow_checks import arrow_numbers, bad_code_message, check_credit_codes, check_text
from ._codes import Code
from ._compile import ProfileColumns
from ._enterprise import TEXT_LIMITS, WHOLE_FIELDS, field_bounds
from ._exceptions import AnswerValidationError, ErrorDetail, RowProblems
from ._factorize import FactorizedColumn, arrow_text_array, arrow_text_split, factorize_cells, series_values
from ._lenient import MULTI_SEPARATOR, number_text, yes_no
from ._profile import (
    DEFAULT_ROLES,
    DIVISION_FLAGS,
    PROFILE_CHOICES,
    PROFILE_INPUT_KINDS,
    PROFILE_KINDS,
    above_designated_size_array,
    code_in_jiangsu,
    code_in_yangzhou,
    credit_code_problem,
    division_in_array,
    in_jiangsu_array,
    in_yangzhou_array,
    industry_division,
    normalise_certifications,
    normalise_industry,
    region_in_jiangsu,
    region_in_yangzhou,
    size_class_array,
    unknown_roles,
    valid_credit_codes,
)
from ._text import control_message, first_control

__all__ = [
    "NAME_REQUIRED",
    "BuiltProfile",
    "choice_value",
    "derive_profile",
    "number_problems",
    "read_profile_columns",
    "set_field_value",
    "text_value",
]


NAME_REQUIRED = "'name' is required"  # what a blank name is told: Enterprise and a table require one


class BuiltProfile(ProfileColumns):
    """Profile columns already built (a callable: built on first use); a field not given is unknown."""

    def __init__(self, arrays: Mapping[str, np.ndarray | Callable[[], np.ndarray]], n: int) -> None:
        super().__init__(n)
        self._arrays = dict(arrays)

    def _build(self, name: str) -> np.ndarray:
        value = self._arrays.get(name)
        if value is None:
            return super()._build(name)
        return value() if callable(value) else value


def read_profile_columns(n: int, columns: Mapping[str, Any], problems: RowProblems) -> BuiltProfile:
    """The profile of ``n`` rows from typed columns; each value that does not fit is a problem of its row."""
    unknown = [str(name) for name in columns if name not in PROFILE_KINDS]
    if unknown:
        expected = "a profile field: " + ", ".join(PROFILE_KINDS)
        raise AnswerValidationError(
            f"{len(unknown)} profile column(s) of no profile field",
            [
                ErrorDetail(
                    Code.UNKNOWN_FIELD, ("profile", name), f"no profile field {name!r}", expected, name
                )
                for name in unknown
            ],
        )
    arrays: dict[str, np.ndarray] = {}
    places: list[np.ndarray] | None = None  # each row's credit code in Yangzhou, in Jiangsu
    for name, column in columns.items():
        # Arrow text (polars, pyarrow) of free text, codes or amounts: checked in C, as the table path does.
        array = arrow_text_array(column) if name in _ARROW_FIELDS else None
        if array is None:
            arrays[name] = _read(name, PROFILE_KINDS[name], column, problems)
        elif name == "credit_code":
            checked = check_credit_codes(array)
            for row in checked.bad.tolist():
                got = array[row].as_py()
                detail = ErrorDetail(Code.BAD_CREDIT_CODE, ("row", row, name), bad_code_message(got), got=got)
                problems.add(row, detail)
            arrays[name] = checked.values()
            places = [checked.in_yangzhou, checked.in_jiangsu]
        elif PROFILE_KINDS[name] == "numeric":
            numbers = arrow_numbers(array)
            if numbers is None:  # not all plain numbers: each distinct value by the rule
                arrays[name] = _read(name, "numeric", array, problems)  # split where it lies
            else:
                arrays[name] = _number_checks(name, numbers, problems)
        else:
            arrays[name] = _text_arrow(name, array, problems)
    if "name" in arrays:  # given: required on every row, as Enterprise and the table require it
        for row in np.flatnonzero(np.equal(arrays["name"], np.array(None, dtype=object))).tolist():
            if not any(e.loc[-1] == "name" for e in problems.get(row, ())):  # blank, not refused
                problems.add(row, ErrorDetail(Code.MISSING_REQUIRED, ("row", row, "name"), NAME_REQUIRED))
    for name in ("name", "credit_code", "region", "industry"):
        arrays.setdefault(name, np.full(n, None, dtype=object))
    for name in ("employees", "revenue_yuan"):
        arrays.setdefault(name, np.full(n, np.nan))
    if "roles" not in arrays:  # as Enterprise and the wide table: a manufacturer unless told otherwise
        arrays["roles"] = np.empty(n, dtype=object)
        arrays["roles"][:] = [DEFAULT_ROLES] * n
    if places is None:
        places = _per_distinct(
            arrays["credit_code"], lambda c: float(code_in_yangzhou(c)), lambda c: float(code_in_jiangsu(c))
        )
    yangzhou, jiangsu = places
    derive_profile(arrays, yangzhou, jiangsu, given=set(columns))
    return BuiltProfile(arrays, n)


def derive_profile(
    arrays: dict[str, Any],
    code_in_yangzhou: np.ndarray,
    code_in_jiangsu: np.ndarray,
    given: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Add the derived fields (but those in ``given``) to ``arrays``, by the array rules of ``_profile``.

    ``code_in_*`` are 0/1 per row (NaN without a valid credit code).  The table
    path and the columnar path share it.
    """

    def eager(name: str) -> np.ndarray:
        value = arrays[name]
        return np.asarray(value() if callable(value) else value)

    derived: dict[str, Any] = {}
    revenue = eager("revenue_yuan")
    derived["size_class"] = size_class_array(eager("employees"), revenue)
    derived["above_designated_size"] = above_designated_size_array(revenue)
    (division,) = _per_distinct(eager("industry"), lambda code: float(cast(int, industry_division(code))))
    derived["industry_division"] = division
    for key, divisions in DIVISION_FLAGS.items():
        derived[key] = division_in_array(division, divisions)
    region = eager("region")
    has_region = np.not_equal(region, np.array(None, dtype=object)).astype(bool)
    region_hit, region_js = _per_distinct(
        region, lambda text: float(region_in_yangzhou(text)), lambda text: float(region_in_jiangsu(text))
    )
    derived["in_yangzhou"] = in_yangzhou_array(region_hit, has_region, code_in_yangzhou)
    derived["in_jiangsu"] = in_jiangsu_array(region_js, code_in_jiangsu)
    arrays.update({k: v for k, v in derived.items() if k not in given})


def _text_arrow(name: str, array: Any, problems: RowProblems) -> np.ndarray:
    """A free text field from Arrow text: :func:`text_value`'s rule over the column, in C."""
    checked = check_text(name, array)
    for row in checked.too_long.tolist():
        message = checked.too_long_message(row)
        problems.add(row, ErrorDetail(Code.TOO_LONG, ("row", row, name), message, got=array[row].as_py()))
    for row, message in checked.controls:
        detail = ErrorDetail(Code.CONTROL_CHARACTER, ("row", row, name), message, got=array[row].as_py())
        problems.add(row, detail)
    return checked.values()


def _per_distinct(values: np.ndarray, *fns: Callable[[Any], float]) -> list[np.ndarray]:
    """Each ``fn`` of each distinct non-blank value of an object array, spread to its rows (NaN where blank)."""
    split = factorize_cells(values)
    codes, distinct = np.asarray(split.inverse), list(split.values)
    return [np.array([fn(v) for v in distinct] + [np.nan], dtype=np.float64)[codes] for fn in fns]


def _as_array(column: Any) -> np.ndarray:
    """A column (list, numpy array, pandas, polars or pyarrow column) as a numpy array, blanks as None or NaN."""
    if type(column).__module__.startswith("polars") and column.dtype.is_nested():
        items = column.to_list()  # lists of roles stay lists (numpy would make arrays of them)
    else:
        values = series_values(column)
        if isinstance(values, np.ndarray):
            return values
        items = list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _read(name: str, kind: str, column: Any, problems: RowProblems) -> np.ndarray:
    """One field's column, each distinct value read once by its kind's rule; problems on their rows.

    Polars and pyarrow text is split by Arrow (in C); numbers and booleans as
    numpy arrays are read whole; anything else is split by :func:`factorize_cells`.
    """
    split = arrow_text_split(column)
    if split is None:
        values = _as_array(column)
        if values.dtype.kind in ("iuf" if kind == "numeric" else "b" if kind == "bool" else ""):
            numbers = values.astype(np.float64)
            return _number_checks(name, numbers, problems) if kind == "numeric" else numbers
        split = factorize_cells(values)
    if kind == "numeric":
        return _numbers(name, split, problems)
    rule = _FIELD_RULES.get(name, _RULES[kind])
    default: Any = math.nan if kind == "bool" else None
    if kind == "set":
        default = DEFAULT_ROLES if name == "roles" else frozenset()
    codes, raws = np.asarray(split.inverse), list(split.values)
    if name == "credit_code":
        results = _credit_codes(raws)
    else:  # spaces only: a blank, as in a table
        results = [(default, "", "") if _spaces(raw) else rule(name, raw) for raw in raws]
    table: list[Any] = []
    found: dict[int, ErrorDetail] = {}
    for u, (raw, (value, code, message)) in enumerate(zip(raws, results, strict=True)):
        if code:
            found[u] = ErrorDetail(code, ("row", -1, name), message, got=raw)
            value = default
        table.append(value)
    table.append(default)  # slot -1: a blank
    _spread(problems, name, codes, found)
    if kind == "bool":
        return np.asarray(np.array(table, dtype=np.float64)[codes])
    lookup = np.empty(len(table), dtype=object)
    lookup[:] = table
    return np.asarray(lookup[codes])


def _numbers(name: str, split: FactorizedColumn, problems: RowProblems) -> np.ndarray:
    """A numeric field from its distinct values: numbers (or text holding one), NaN where blank."""
    codes, raws = np.asarray(split.inverse), list(split.values)
    table = np.full(len(raws) + 1, np.nan)
    found: dict[int, ErrorDetail] = {}
    for u, raw in enumerate(raws):
        if _spaces(raw):
            continue  # a blank, as in a table
        if isinstance(raw, str) and (parsed := number_text(raw, None)) is not None:
            table[u] = parsed
        elif isinstance(raw, bool | np.bool_) or not isinstance(raw, int | float | np.integer | np.floating):
            message = f"{name!r} takes a number, not {type(raw).__name__}"
            found[u] = ErrorDetail(Code.WRONG_TYPE, ("row", -1, name), message, got=raw)
        else:
            table[u] = float(raw)
    _spread(problems, name, codes, found)
    return _number_checks(name, table[codes], problems)


def _number_checks(name: str, numbers: np.ndarray, problems: RowProblems) -> np.ndarray:
    """The numbers, with those ``Enterprise`` refuses reported on their rows and left unknown (NaN)."""
    for rows, code, message, got in number_problems(name, numbers):
        for row, value in zip(rows.tolist(), got.tolist(), strict=True):
            problems.add(row, ErrorDetail(code, ("row", row, name), message, got=value))
    return numbers


def number_problems(name: str, values: np.ndarray) -> Sequence[tuple[np.ndarray, str, str, np.ndarray]]:
    """The values of a numeric field that ``Enterprise`` refuses, by problem: (rows, code, message, values).

    Infinite, not whole (where the field takes whole numbers) or out of the
    field's bounds; those values are set to NaN (unknown) in ``values``.
    """
    lo, hi = field_bounds(name) if name in PROFILE_INPUT_KINDS else (-math.inf, math.inf)
    known = ~np.isnan(values)
    with np.errstate(invalid="ignore"):
        infinite = known & ~np.isfinite(values)
        fraction = (
            known & ~infinite & (values != np.floor(values))
            if name in WHOLE_FIELDS
            else np.zeros(len(values), dtype=bool)
        )
        outside = known & ~infinite & ~fraction & ((values < lo) | (values > hi))
    found = [
        (np.flatnonzero(rows), code, message, values[rows])
        for rows, code, message in (
            (infinite, Code.NOT_FINITE, f"{name!r} needs a finite number"),
            (fraction, Code.WRONG_TYPE, f"{name!r} takes a whole number"),
            (outside, Code.OUT_OF_RANGE, f"{name!r} is out of range"),
        )
    ]
    values[infinite | fraction | outside] = np.nan
    return found


def _spread(problems: RowProblems, name: str, codes: np.ndarray, found: dict[int, ErrorDetail]) -> None:
    """Each distinct value's problem to every row that holds it (one pass over the rows)."""
    if not found:
        return
    flagged = np.zeros(int(codes.max(initial=-1)) + 2, dtype=bool)
    flagged[list(found)] = True
    for row in np.flatnonzero(flagged[codes]).tolist():
        problems.add(row, found[int(codes[row])].at(("row", row, name)))


def _spaces(raw: Any) -> bool:
    return isinstance(raw, str) and not raw.strip()


def text_value(name: str, raw: Any) -> tuple[Any, str, str]:
    """A text field's value by the ``Enterprise`` rules: (stripped text or None, error code, message)."""
    if not isinstance(raw, str):
        return None, Code.WRONG_TYPE, f"{name!r} is text, not {type(raw).__name__}"
    text = raw.strip()
    limit = TEXT_LIMITS.get(name)
    if limit is not None and len(text) > limit:
        return None, Code.TOO_LONG, f"{name!r} has {len(text)} characters, more than {limit}"
    at = first_control(text)
    if at >= 0:
        return None, Code.CONTROL_CHARACTER, control_message(name, text, at)
    return text or None, "", ""


def choice_value(name: str, raw: Any) -> tuple[Any, str, str]:
    """A text field with a fixed list of values (``PROFILE_CHOICES``): any case, spaces around ignored."""
    value, code, message = text_value(name, raw)
    if code or value is None:
        return value, code, message
    choices = PROFILE_CHOICES[name]
    value = value.lower()
    if value not in choices:
        return None, Code.UNKNOWN_OPTION, f"{name!r} is one of {', '.join(choices)}, not {value!r}"
    return value, "", ""


def _credit_codes(raws: list[Any]) -> list[tuple[Any, str, str]]:
    """The credit code rule over the distinct codes at once (the check characters in numpy)."""
    texts = [text_value("credit_code", raw) for raw in raws]
    upper = np.empty(len(texts), dtype=object)
    upper[:] = [None if code or value is None else value.upper() for value, code, _ in texts]
    ok = valid_credit_codes(upper).tolist()
    return [
        text
        if text[1] or code is None
        else (code, "", "")
        if good
        else (None, Code.BAD_CREDIT_CODE, credit_code_problem(code))
        for text, code, good in zip(texts, upper.tolist(), ok, strict=True)
    ]


def _checked(check: Callable[[str], str], code: str) -> Callable[[str, Any], tuple[Any, str, str]]:
    def rule(name: str, raw: Any) -> tuple[Any, str, str]:
        value, problem, message = text_value(name, raw)
        if problem or value is None:
            return value, problem, message
        try:
            return check(value), "", ""
        except ValueError as exc:
            return None, code, str(exc)

    return rule


def _bool(name: str, raw: Any) -> tuple[Any, str, str]:
    flag = yes_no(raw.item() if isinstance(raw, np.generic) else raw)
    if flag is None:
        return math.nan, Code.WRONG_TYPE, f"{name!r} is true or false (also 1/0, 是/否), not {raw!r}"
    return float(flag), "", ""


def set_field_value(name: str, raw: Any) -> tuple[Any, str, str]:
    """A set field's value (``roles``, ``certifications``) by the ``Enterprise`` rules, from text with ``;``
    between items or a list of text: (frozenset, error code, message); the default where refused."""
    default = DEFAULT_ROLES if name == "roles" else frozenset()
    if isinstance(raw, str):
        items = [v.strip() for v in raw.split(MULTI_SEPARATOR) if v.strip()]
    elif isinstance(raw, list | tuple | set | frozenset) and all(isinstance(v, str) for v in raw):
        items = [v.strip() for v in raw if v.strip()]
    else:
        message = f"{name!r} is text with ';' between items (or a list of text), not {type(raw).__name__}"
        return default, Code.WRONG_TYPE, message
    if name == "certifications":
        return frozenset(normalise_certifications(items)), "", ""
    unknown = unknown_roles(items)
    if unknown:  # the row is invalid; the default keeps the conditions computable
        return default, Code.UNKNOWN_OPTION, f"unknown role {', '.join(map(repr, unknown))}"
    return frozenset(items) if items else default, "", ""


_RULES: dict[str, Callable[[str, Any], tuple[Any, str, str]]] = {
    "text": text_value,
    "bool": _bool,
    "set": set_field_value,
}
_FIELD_RULES = {"industry": _checked(normalise_industry, Code.BAD_INDUSTRY)} | {
    name: choice_value for name in PROFILE_CHOICES if PROFILE_INPUT_KINDS.get(name) == "text"
}
_ARROW_FIELDS = frozenset(
    name
    for name, kind in PROFILE_KINDS.items()
    if name in PROFILE_INPUT_KINDS and (kind == "numeric" or (kind == "text" and name not in _FIELD_RULES))
) | {"credit_code"}
"""Fields whose Arrow text is checked whole (free text, credit codes, numbers): many distinct values."""
