"""What each profile column of the wide format accepts, read from the ``Enterprise`` model's constraints."""

from __future__ import annotations

import math

from .._enterprise import TEXT_LIMITS, WHOLE_FIELDS, field_bounds, field_constraint
from .._profile import PROFILE_CHOICES, ROLE_VALUES, fields_of_kind
from .cells import YES_NO_EXPECTED

__all__ = [
    "BOOL_FIELDS",
    "CHOICE_FIELDS",
    "NUMBER_FIELDS",
    "SET_FIELDS",
    "TEXT_LIMITS",
    "WHOLE_FIELDS",
    "expected_text",
    "field_bounds",
]

BOOL_FIELDS = fields_of_kind("bool", derived=False)
NUMBER_FIELDS = fields_of_kind("numeric", derived=False)
SET_FIELDS = fields_of_kind("set", derived=False)
CHOICE_FIELDS = {
    name: PROFILE_CHOICES[name] for name in fields_of_kind("text", derived=False) if name in PROFILE_CHOICES
}
"""Text fields that take one of a fixed list of values -> the values."""


def expected_text(name: str) -> str:
    """What a profile column accepts, in words (the ``expected`` of its errors, the ``allowed`` of its docs)."""
    if name in TEXT_LIMITS:
        low = field_constraint(name, "min_length") or 0
        return f"text of {low:g} to {TEXT_LIMITS[name]} characters"
    if name == "credit_code":
        return "an 18-character unified social credit code (GB 32100-2015)"
    if name == "industry":
        return "a GB/T 4754-2017 industry code such as C36 or C3670"
    if name in BOOL_FIELDS:
        return YES_NO_EXPECTED
    if name in CHOICE_FIELDS:
        return "one of " + ", ".join(CHOICE_FIELDS[name])
    if name == "roles":
        return f"roles separated by ';': {', '.join(ROLE_VALUES)}"
    if name == "certifications":
        return "labels separated by ';', e.g. dcmm-2;cmmm-2"
    lo, hi = field_bounds(name)
    kind = "a whole number" if name in WHOLE_FIELDS else "a number"
    if math.isfinite(hi):
        return f"{kind} from {lo:g} to {hi:g}"
    return f"{kind} >= {lo:g}" + (" (yuan)" if name.endswith("_yuan") else "")
