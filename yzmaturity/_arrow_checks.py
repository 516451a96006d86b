"""Profile checks on an Arrow text column, in C: no Python object per cell.

A million names, credit codes or amounts are as many distinct values: read
one Python call each they take seconds.  The table path (``_tables.profile``)
and the columnar path (``_profile_input``) both check such columns here, by
the rules of :class:`~yzmaturity.Enterprise` (``_profile_input.text_value``
for one value), and report the problems each in its own way.  An Arrow array
in hand means pyarrow is installed: it is imported where used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._enterprise import TEXT_LIMITS
from ._profile import (
    codes_in_jiangsu_array,
    codes_in_yangzhou_array,
    credit_code_chars_valid,
    credit_code_problem,
)
from ._text import LINE_CONTROLS_RE2, control_message, first_control

__all__ = [
    "CheckedCodes",
    "CheckedText",
    "arrow_numbers",
    "bad_code_message",
    "check_credit_codes",
    "check_text",
]


def _numpy(array: Any, fill: Any) -> np.ndarray:
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    return np.asarray(pc.fill_null(array, fill).to_numpy(zero_copy_only=False))


@dataclass(frozen=True)
class CheckedText:
    """A text field's column checked: ``blank`` rows, rows ``too_long``, rows with a control character
    (``controls``: row and message); :meth:`values` the stripped texts, None where blank or refused."""

    name: str
    stripped: Any
    length: np.ndarray
    blank: np.ndarray
    too_long: np.ndarray
    controls: list[tuple[int, str]]
    rejected: np.ndarray

    def too_long_message(self, row: int) -> str:
        return f"{self.name!r} has {int(self.length[row])} characters, more than {TEXT_LIMITS[self.name]}"

    def values(self) -> np.ndarray:
        out = np.asarray(self.stripped.to_numpy(zero_copy_only=False), dtype=object)
        out[self.rejected] = None
        return out


def check_text(name: str, array: Any) -> CheckedText:
    """Strip, measure against ``TEXT_LIMITS`` and look for control characters, in pyarrow."""
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    stripped = pc.utf8_trim_whitespace(array)
    length = _numpy(pc.utf8_length(stripped), 0)
    blank = length == 0
    rejected = blank.copy()
    limit = TEXT_LIMITS.get(name)
    too_long = np.flatnonzero(length > limit) if limit is not None else np.zeros(0, dtype=np.intp)
    rejected[too_long] = True
    bad = np.asarray(_numpy(pc.match_substring_regex(stripped, LINE_CONTROLS_RE2), False), dtype=bool)
    controls = []
    for row in np.flatnonzero(bad & ~rejected).tolist():
        text = str(stripped[row].as_py())
        controls.append((row, control_message(name, text, first_control(text))))
    rejected |= bad
    return CheckedText(name, stripped, length, blank, too_long, controls, rejected)


@dataclass(frozen=True)
class CheckedCodes:
    """Credit codes checked (GB 32100-2015): ``blank`` and ``ok`` rows, each valid code's place
    (``in_yangzhou``, ``in_jiangsu``: 0/1, NaN where not valid); :meth:`values` the codes in upper case,
    None where not valid."""

    upper: Any
    blank: np.ndarray
    ok: np.ndarray
    in_yangzhou: np.ndarray
    in_jiangsu: np.ndarray

    @property
    def bad(self) -> np.ndarray:
        """Rows with a code that is not valid."""
        return np.flatnonzero(~self.blank & ~self.ok)

    def values(self) -> np.ndarray:
        out = np.asarray(self.upper.to_numpy(zero_copy_only=False), dtype=object)
        out[~self.ok] = None
        return out


def bad_code_message(got: Any) -> str:
    """What a cell of :attr:`CheckedCodes.bad` is told: the code as checked (stripped, upper case)."""
    return credit_code_problem(got.strip().upper() if isinstance(got, str) else str(got))


def check_credit_codes(array: Any) -> CheckedCodes:
    """Each cell stripped and upper-cased; the 18 characters and the check character in numpy."""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    n = len(array)
    upper = pc.utf8_upper(pc.utf8_trim_whitespace(array))
    blank = _numpy(pc.utf8_length(upper), 0) == 0
    candidates = _numpy(pc.binary_length(upper), 0) == 18
    ok = np.zeros(n, dtype=bool)
    in_yangzhou = np.full(n, np.nan)
    in_jiangsu = np.full(n, np.nan)
    if candidates.any():
        fixed = pc.cast(pc.filter(upper, pa.array(candidates)), pa.binary(18))
        if isinstance(fixed, pa.ChunkedArray):
            fixed = fixed.combine_chunks()
        data = np.frombuffer(
            fixed.buffers()[1], dtype=np.uint8, count=len(fixed) * 18, offset=fixed.offset * 18
        ).reshape(-1, 18)
        ok[candidates] = credit_code_chars_valid(data)
        in_yangzhou[candidates] = codes_in_yangzhou_array(data)
        in_jiangsu[candidates] = codes_in_jiangsu_array(data)
    in_yangzhou[~ok] = np.nan
    in_jiangsu[~ok] = np.nan
    return CheckedCodes(upper, blank, ok, in_yangzhou, in_jiangsu)


def arrow_numbers(array: Any) -> np.ndarray | None:
    """The column's numbers (NaN where blank) if every cell is a plain finite number; else None.

    One cast in pyarrow, the parse a distinct text would get; a cell that is
    not a number (spaces, ``nan``, ``1,000``) leaves the column to the
    per-distinct-value reading.
    """
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    try:
        values = pc.cast(array, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    out = np.array(values.to_numpy(zero_copy_only=False), dtype=np.float64)
    blank = np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    if not (np.isfinite(out) | blank).all():
        return None  # "nan", "inf" or an overflow: text to report, not a number
    return out
