"""The profile columns of a table: each field checked per distinct value (or in pyarrow) and built as arrays."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._arrow_checks import bad_code_message, check_credit_codes, check_text
from .._codes import Code
from .._exceptions import ErrorDetail
from .._factorize import shared_objects
from .._profile import (
    DEFAULT_ROLES,
    code_in_jiangsu,
    code_in_yangzhou,
    credit_code_problem,
    normalise_industry,
    valid_credit_codes,
)
from .._profile_input import (
    NAME_REQUIRED,
    choice_value,
    derive_profile,
    number_problems,
    set_field_value,
    text_value,
)
from .._text import control_message, first_control
from .cells import (
    SplitColumn,
    arrow_text,
    bool_of,
    cell_value,
    integral_text,
    is_blank,
    is_none,
    number_text,
    split_column,
)
from .fields import (
    BOOL_FIELDS,
    CHOICE_FIELDS,
    NUMBER_FIELDS,
    SET_FIELDS,
    TEXT_LIMITS,
    expected_text,
)

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

__all__ = ["ProfileBuilder"]


class ProfileBuilder:
    """Validate the profile columns (per distinct value, vectorised for text) and build their arrays."""

    def __init__(self, pd: Any, frame: pd.DataFrame, n: int, add: Callable[[int, ErrorDetail], None]):
        self.pd = pd
        self.frame = frame
        self.n = n
        self.add = add
        self.arrays: dict[str, np.ndarray | Callable[[], np.ndarray]] = {}
        self.blank = np.ones(n, dtype=bool)
        self.code_in_yangzhou = np.full(n, np.nan)
        self.code_in_jiangsu = np.full(n, np.nan)

    def error(self, rows: Sequence[int] | np.ndarray, name: str, code: str, message: str, got: Any) -> None:
        problem = ErrorDetail(code, ("row", -1, name), message, expected=expected_text(name), got=got)
        for row in np.asarray(rows, dtype=np.intp).tolist():
            self.add(row, problem.at(("row", row, name)))

    def spread(self, part: SplitColumn, name: str, problems: Mapping[int, tuple[str, str]]) -> None:
        """Report the problem (code, message) of each bad distinct value on every row that holds it."""
        if not problems:
            return
        flagged = np.zeros(part.n_values + 1, dtype=bool)
        flagged[list(problems)] = True
        rows = np.flatnonzero(flagged[part.inverse])
        values = part.values
        found = {
            u: ErrorDetail(code, ("row", -1, name), message, expected=expected_text(name), got=values[u])
            for u, (code, message) in problems.items()
        }
        for row, u in zip(rows.tolist(), part.inverse[rows].tolist(), strict=True):
            self.add(row, found[u].at(("row", row, name)))

    def split(self, name: str, want_numbers: bool = False) -> SplitColumn | None:
        if name not in self.frame.columns:
            return None
        part = split_column(self.pd, self.frame[name], want_numbers)
        self.blank &= part.blank()
        return part

    def per_value(
        self, part: SplitColumn, name: str, convert: Callable[[Any], tuple[Any, str, str]]
    ) -> np.ndarray:
        """Map each distinct value through ``convert`` -> (value, error code, message); spread to rows."""
        return part.take(self.converted(part, name, convert))

    def converted(
        self, part: SplitColumn, name: str, convert: Callable[[Any], tuple[Any, str, str]]
    ) -> list[Any]:
        """``convert`` of each distinct value; problems reported on their rows."""
        out: list[Any] = []
        problems: dict[int, tuple[str, str]] = {}
        for u, raw in enumerate(part.values):
            value, code, message = convert(raw)
            if code:
                problems[u] = (code, message)
            out.append(value)
        self.spread(part, name, problems)
        return out

    def build(self) -> dict[str, np.ndarray | Callable[[], np.ndarray]]:
        for name in ("name", "region"):
            self._text(name)
        self._credit_code()
        self._industry()
        for name in NUMBER_FIELDS:
            self._number(name)
        for name in BOOL_FIELDS:
            self._bool(name)
        for name in CHOICE_FIELDS:
            self._choice(name)
        for name in SET_FIELDS:
            self._set(name)
        self._derived()
        return self.arrays

    # ----------------------------------------------------------------- fields
    def _text_value(self, name: str, raw: Any) -> tuple[Any, str, str]:
        if is_blank(raw):
            return None, "", ""
        digits = None if isinstance(raw, str) else integral_text(raw)  # a spreadsheet number in a text column
        return text_value(name, raw if digits is None else digits)

    def _texts(self, part: SplitColumn, name: str) -> np.ndarray:
        """Distinct values of a text field, stripped (None when blank or rejected); errors reported."""
        if part.texts is None:
            texts = self.converted(part, name, lambda raw: self._text_value(name, raw))
            return np.array([None, *texts], dtype=object)[1:]
        stripped = part.stripped()
        values = stripped.to_numpy(dtype=object, na_value=None)
        lengths = stripped.str.len().to_numpy()
        values[lengths == 0] = None
        limit = TEXT_LIMITS.get(name)
        if limit is not None:
            long = np.flatnonzero(lengths > limit)
            self.spread(
                part,
                name,
                {
                    int(u): (Code.TOO_LONG, f"{name!r} has {int(lengths[u])} characters, more than {limit}")
                    for u in long
                },
            )
            values[long] = None
        controls: dict[int, tuple[str, str]] = {}
        for u, text in enumerate(values.tolist()):
            if text is not None and (at := first_control(text)) >= 0:
                controls[u] = (Code.CONTROL_CHARACTER, control_message(name, text, at))
                values[u] = None
        self.spread(part, name, controls)
        return np.asarray(values, dtype=object)

    def _text(self, name: str) -> None:
        series = self.frame[name] if name in self.frame.columns else None
        # Names are checked in Arrow; a few distinct objects (regions), each once.
        few = series is not None and series.dtype == object and shared_objects(self.pd, series.to_numpy())
        array = None if series is None or few else arrow_text(series)
        if array is not None:
            self._text_arrow(name, array)
            return
        part = self.split(name)
        if part is None:
            self.arrays[name] = np.full(self.n, None, dtype=object)
        else:
            self.arrays[name] = part.take(self._texts(part, name))
        if name == "name":
            blank = part.blank() if part is not None else np.ones(self.n, dtype=bool)
            self.error(np.flatnonzero(blank), name, Code.MISSING_REQUIRED, NAME_REQUIRED, None)

    def _text_arrow(self, name: str, array: Any) -> None:
        """A text field of a text column, checked in pyarrow (no Python object per row)."""
        checked = check_text(name, array)
        self.blank &= checked.blank
        for row in checked.too_long.tolist():
            got = cell_value(self.frame, name, row)
            self.error([row], name, Code.TOO_LONG, checked.too_long_message(row), got)
        for row, message in checked.controls:
            self.error([row], name, Code.CONTROL_CHARACTER, message, cell_value(self.frame, name, row))
        if name == "name":
            self.error(np.flatnonzero(checked.blank), name, Code.MISSING_REQUIRED, NAME_REQUIRED, None)
        self.arrays[name] = checked.values

    def _credit_code(self) -> None:
        name = "credit_code"
        series = self.frame[name] if name in self.frame.columns else None
        array = None if series is None else arrow_text(series)
        if array is not None:
            self._credit_code_arrow(array)
            return
        part = self.split(name)
        if part is None:
            self.arrays[name] = np.full(self.n, None, dtype=object)
            return
        texts = self._texts(part, name)
        known = ~is_none(texts)
        upper = np.full(len(texts), None, dtype=object)
        if known.any():
            upper[known] = [t.upper() for t in texts[known].tolist()]
        ok = valid_credit_codes(upper)
        problems: dict[int, tuple[str, str]] = {}
        for u in np.flatnonzero(~ok).tolist():
            problems[u] = (Code.BAD_CREDIT_CODE, credit_code_problem(upper[u]))
            upper[u] = None
        self.spread(part, name, problems)
        self.arrays[name] = part.take(upper)
        in_yangzhou = np.full(len(upper) + 1, np.nan)
        in_jiangsu = np.full(len(upper) + 1, np.nan)
        for u, code in enumerate(upper.tolist()):
            if code is not None:
                in_yangzhou[u] = float(code_in_yangzhou(code))
                in_jiangsu[u] = float(code_in_jiangsu(code))
        self.code_in_yangzhou = in_yangzhou[part.inverse]
        self.code_in_jiangsu = in_jiangsu[part.inverse]

    def _credit_code_arrow(self, array: Any) -> None:
        """Credit codes of a text column, checked in pyarrow and numpy (GB 32100-2015)."""
        name = "credit_code"
        checked = check_credit_codes(array)
        self.blank &= checked.blank
        for row in checked.bad.tolist():
            got = cell_value(self.frame, name, row)
            self.error([row], name, Code.BAD_CREDIT_CODE, bad_code_message(got), got)
        self.code_in_yangzhou = checked.in_yangzhou
        self.code_in_jiangsu = checked.in_jiangsu
        self.arrays[name] = checked.values

    def _industry(self) -> None:
        name = "industry"

        def convert(raw: Any) -> tuple[Any, str, str]:
            value, code, message = self._text_value(name, raw)
            if code or value is None:
                return value, code, message
            try:
                return normalise_industry(value), "", ""
            except ValueError as exc:
                return None, Code.BAD_INDUSTRY, str(exc)

        part = self.split(name)
        self.arrays[name] = (
            np.full(self.n, None, dtype=object) if part is None else self.per_value(part, name, convert)
        )

    def _number(self, name: str) -> None:
        part = self.split(name, want_numbers=True)
        values = np.full(self.n, np.nan)
        if part is None:
            self.arrays[name] = values
            return
        if part.numbers is not None:
            values[:] = part.numbers
        table = np.full(part.n_values + 1, np.nan)
        problems: dict[int, tuple[str, str]] = {}
        for u, raw in enumerate(part.values):
            if is_blank(raw):
                continue
            number = number_text(raw.strip()) if isinstance(raw, str) else None
            if number is None:
                what = f"{raw!r}" if isinstance(raw, str) else type(raw).__name__
                problems[u] = (Code.WRONG_TYPE, f"{name!r} takes a number, not {what}")
                continue
            table[u] = number
        self.spread(part, name, problems)
        from_text = part.inverse >= 0
        values[from_text] = table[part.inverse[from_text]]
        for rows, code, message, _ in number_problems(name, values):
            for row in rows.tolist():
                self.error([row], name, code, message, cell_value(self.frame, name, row))
        self.arrays[name] = values

    def _bool(self, name: str) -> None:
        """A yes/no field; a blank stays unknown (NaN), as the Enterprise default None."""
        part = self.split(name)
        values = np.full(self.n, np.nan)
        if part is not None:
            table = np.full(part.n_values + 1, np.nan)
            problems: dict[int, tuple[str, str]] = {}
            for u, raw in enumerate(part.values):
                if is_blank(raw):
                    continue
                flag = bool_of(raw)
                if flag is None:
                    problems[u] = (
                        Code.WRONG_TYPE,
                        f"{name!r} is true or false (also 1/0, 是/否), not {raw!r}",
                    )
                else:
                    table[u] = float(flag)
            self.spread(part, name, problems)
            values = table[part.inverse]
        self.arrays[name] = values

    def _choice(self, name: str) -> None:
        """A text field with a fixed list of values (any case, spaces ignored)."""

        def convert(raw: Any) -> tuple[Any, str, str]:
            value, code, message = self._text_value(name, raw)
            return (value, code, message) if code or value is None else choice_value(name, value)

        part = self.split(name)
        self.arrays[name] = (
            np.full(self.n, None, dtype=object) if part is None else self.per_value(part, name, convert)
        )

    def _set(self, name: str) -> None:
        default = DEFAULT_ROLES if name == "roles" else frozenset()

        def convert(raw: Any) -> tuple[Any, str, str]:
            return (default, "", "") if is_blank(raw) else set_field_value(name, raw)

        part = self.split(name)
        if part is None:
            out = np.empty(self.n, dtype=object)
            out[:] = [default] * self.n
        else:
            out = part.take(self.converted(part, name, convert), fill=default)
        self.arrays[name] = out

    def _derived(self) -> None:
        """The derived fields, by the array rules of ``yzmaturity._profile`` (as ``Enterprise`` derives them)."""
        derive_profile(self.arrays, self.code_in_yangzhou, self.code_in_jiangsu)
