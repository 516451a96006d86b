"""The enterprise profile's fields and rules, in one place: each field's kind, each rule scalar and over arrays.

:class:`~yzmaturity.Enterprise` uses the scalar rules (one enterprise), the
table reader the array rules (a column of enterprises; numeric and boolean
fields as float arrays, NaN for unknown, a boolean as 0/1), and the condition
compiler the kinds.  Both forms of a rule are written next to each other, so
they cannot drift apart (tests/test_tables.py checks them against each other).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum

import numpy as np

from ._reference import (
    ABOVE_DESIGNATED_SIZE_REVENUE,
    CREDIT_CODE_ALPHABET,
    CREDIT_CODE_WEIGHTS,
    EQUIPMENT_DIVISIONS,
    JIANGSU_CITIES,
    JIANGSU_DIVISION_PREFIX,
    MANUFACTURING_DIVISIONS,
    SECTION_OF_DIVISION,
    SIZE_CLASSES_INDUSTRY,
    YANGZHOU_AREAS,
    YANGZHOU_AREAS_EN,
    YANGZHOU_DIVISION_PREFIX,
)

__all__ = [
    "DEFAULT_ROLES",
    "DIVISION_FLAGS",
    "PROFILE_CHOICES",
    "PROFILE_DERIVED_KINDS",
    "PROFILE_INPUT_KINDS",
    "PROFILE_KINDS",
    "PROFILE_SET_FIELDS",
    "ROLE_VALUES",
    "CmmmAssessor",
    "Role",
    "above_designated_size",
    "above_designated_size_array",
    "check_credit_code",
    "code_in_jiangsu",
    "code_in_yangzhou",
    "codes_in_jiangsu_array",
    "codes_in_yangzhou_array",
    "credit_code_chars_valid",
    "credit_code_check_char",
    "credit_code_problem",
    "division_in",
    "division_in_array",
    "fields_of_kind",
    "in_jiangsu",
    "in_jiangsu_array",
    "in_yangzhou",
    "in_yangzhou_array",
    "industry_division",
    "normalise_certifications",
    "normalise_industry",
    "region_in_jiangsu",
    "region_in_yangzhou",
    "set_value",
    "size_class",
    "size_class_array",
    "unknown_roles",
    "valid_credit_codes",
]

# --------------------------------------------------------------------------- fields and kinds
PROFILE_INPUT_KINDS: dict[str, str] = {
    "name": "text",
    "credit_code": "text",
    "region": "text",
    "industry": "text",
    "employees": "numeric",
    "revenue_yuan": "numeric",
    "roles": "set",
    "rnd": "bool",
    "diagnosed": "bool",
    "planned_investment_yuan": "numeric",
    "years_operating": "numeric",
    "cmmm_level": "numeric",
    "cmmm_assessed_by": "text",
    "js_selftest_score": "numeric",
    "no_major_incident": "bool",
    "good_credit": "bool",
    "certifications": "set",
}
"""The input fields (as :class:`~yzmaturity.Enterprise` declares them, in its order) by how conditions compare them."""
PROFILE_DERIVED_KINDS: dict[str, str] = {
    "size_class": "text",
    "above_designated_size": "bool",
    "industry_division": "numeric",
    "is_manufacturing": "bool",
    "is_equipment_maker": "bool",
    "in_yangzhou": "bool",
    "in_jiangsu": "bool",
}
"""The derived (read-only) fields by kind."""
PROFILE_KINDS: dict[str, str] = PROFILE_INPUT_KINDS | PROFILE_DERIVED_KINDS
"""Every profile field a condition may name -> ``numeric``, ``bool``, ``text`` or ``set``."""


def fields_of_kind(kind: str, *, derived: bool = True) -> tuple[str, ...]:
    """The profile fields of one kind, in declaration order (input fields only with ``derived=False``)."""
    kinds = PROFILE_KINDS if derived else PROFILE_INPUT_KINDS
    return tuple(name for name, k in kinds.items() if k == kind)


PROFILE_SET_FIELDS = fields_of_kind("set")


# --------------------------------------------------------------------------- fields with fixed values
class CmmmAssessor(StrEnum):
    """Who established an enterprise's CMMM level (GB/T 39116-2020)."""

    SELF = "self"
    THIRD_PARTY = "third_party"


# --------------------------------------------------------------------------- set-valued fields
class Role(StrEnum):
    """What the enterprise does in the programme."""

    MANUFACTURER = "manufacturer"
    EQUIPMENT_MAKER = "equipment_maker"
    SOLUTION_PROVIDER = "solution_provider"


ROLE_VALUES = tuple(str(r) for r in Role)
PROFILE_CHOICES: dict[str, tuple[str, ...]] = {
    "cmmm_assessed_by": tuple(str(a) for a in CmmmAssessor),
    "roles": ROLE_VALUES,
}
"""Text and set fields whose values come from a fixed list: conditions must name one of them."""
DEFAULT_ROLES = frozenset({str(Role.MANUFACTURER)})
"""The roles of an enterprise that names none."""


def unknown_roles(items: Iterable[str]) -> list[str]:
    """The items that are not a :class:`Role` value, in order."""
    return [v for v in items if v not in ROLE_VALUES]


def normalise_certifications(items: Iterable[str]) -> list[str]:
    """Certification labels stripped, lower-cased, without blanks and duplicates, sorted."""
    return sorted({v.strip().lower() for v in items if v.strip()})


def set_value(values: Iterable[object]) -> set[str]:
    """A set-valued field as conditions see it: a set of strings."""
    return {str(v) for v in values}


# --------------------------------------------------------------------------- credit code (GB 32100-2015)
_CREDIT_LUT = np.full(256, -1, dtype=np.int8)
for _i, _ch in enumerate(CREDIT_CODE_ALPHABET):
    _CREDIT_LUT[ord(_ch)] = _i
_CREDIT_WEIGHTS = np.array(CREDIT_CODE_WEIGHTS, dtype=np.float64)
_PREFIX_BYTES = np.frombuffer(YANGZHOU_DIVISION_PREFIX.encode("ascii"), dtype=np.uint8)
_JIANGSU_BYTES = np.frombuffer(JIANGSU_DIVISION_PREFIX.encode("ascii"), dtype=np.uint8)


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a code."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(code: str) -> str:
    """Validate a unified social credit code; return it upper-cased or raise ValueError.

    Full-width characters (typed with a Chinese input method) are read as their ASCII forms.
    """
    code = unicodedata.normalize("NFKC", code).strip().upper()
    if len(code) != 18:
        raise ValueError(f"a unified social credit code has 18 characters (got {len(code)})")
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValueError(
            f"characters {''.join(bad)!r} are not allowed in a unified social credit code "
            "(digits and capitals except I, O, S, V, Z)"
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValueError(f"check character is {code[17]!r} but should be {expected!r} (GB 32100-2015)")
    return code


def credit_code_problem(code: str) -> str:
    """Why a code that fails :func:`valid_credit_codes` is not a unified social credit code, in words."""
    try:
        check_credit_code(code)
    except ValueError as exc:
        return str(exc)
    return "not a valid unified social credit code"


def credit_code_chars_valid(data: np.ndarray) -> np.ndarray:
    """:func:`check_credit_code` over an (N, 18) array of character codes (< 256): which rows are valid."""
    values = _CREDIT_LUT[data]
    good_chars = (values >= 0).all(axis=1)
    # Exact in float64: at most 17 x 30 x 30 = 15,300.
    total = (values[:, :17] @ _CREDIT_WEIGHTS).astype(np.int64)
    check = (31 - total % 31) % 31
    return np.asarray(good_chars & (values[:, 17] == check))


def valid_credit_codes(codes: np.ndarray) -> np.ndarray:
    """:func:`check_credit_code` over an object array of upper-cased codes (None: nothing to check, valid)."""
    n = len(codes)
    ok = np.ones(n, dtype=bool)
    present = np.flatnonzero(np.fromiter((c is not None for c in codes.tolist()), dtype=bool, count=n))
    if not present.size:
        return ok
    lengths = np.fromiter(map(len, codes[present].tolist()), dtype=np.int64, count=present.size)
    ok[present[lengths != 18]] = False
    rows = present[lengths == 18]
    if rows.size:
        points = codes[rows].astype("<U18").view(np.uint32).reshape(-1, 18)
        narrow = (points < 256).all(axis=1)
        ok[rows] = credit_code_chars_valid(np.where(points < 256, points, 0).astype(np.uint8)) & narrow
    return ok


def code_in_yangzhou(code: str) -> bool:
    """Is a valid credit code registered in Yangzhou (its administrative division)?"""
    return code[2:6] == YANGZHOU_DIVISION_PREFIX


def codes_in_yangzhou_array(data: np.ndarray) -> np.ndarray:
    """:func:`code_in_yangzhou` over an (N, 18) array of the character codes of valid credit codes."""
    return np.asarray((data[:, 2:6] == _PREFIX_BYTES).all(axis=1))


def codes_in_jiangsu_array(data: np.ndarray) -> np.ndarray:
    """:func:`code_in_jiangsu` over an (N, 18) array of the character codes of valid credit codes."""
    return np.asarray((data[:, 2:4] == _JIANGSU_BYTES).all(axis=1))


# --------------------------------------------------------------------------- industry
_INDUSTRY = re.compile(r"^([A-T])?([0-9]{2})([0-9]{1,2})?$")


def normalise_industry(code: str) -> str:
    """'c36', 'C3670', '36', 'Ｃ３６' -> 'C36..' with the section letter; ValueError if not GB/T 4754 form.

    >>> normalise_industry("Ｃ３６")
    'C36'
    """
    raw = unicodedata.normalize("NFKC", code).strip().upper()  # full-width 'Ｃ３６' -> 'C36'
    match = _INDUSTRY.fullmatch(raw)
    if not match:
        raise ValueError(
            "an industry code has GB/T 4754 form: a section letter and a 2-4 digit class "
            f"such as 'C36' (got {code!r})"
        )
    letter, division_text, rest = match.groups()
    division = int(division_text)
    section = next((s for s, lo, hi in SECTION_OF_DIVISION if lo <= division <= hi), None)
    if section is None:
        raise ValueError(f"division {division_text} does not exist in GB/T 4754-2017")
    if letter and letter != section:
        raise ValueError(f"division {division_text} belongs to section {section}, not {letter}")
    return f"{section}{division_text}{rest or ''}"


def industry_division(industry: str | None) -> int | None:
    """The GB/T 4754 division (two digits) of a normalised industry code."""
    return None if industry is None else int(industry[1:3])


def division_in(division: int | None, divisions: range) -> bool | None:
    """Is a division in a range of divisions (``MANUFACTURING_DIVISIONS``, ``EQUIPMENT_DIVISIONS``)?"""
    return None if division is None else division in divisions


def division_in_array(division: np.ndarray, divisions: range) -> np.ndarray:
    """:func:`division_in` over a float array of divisions (NaN: unknown)."""
    lo, hi = divisions.start, divisions.stop - 1
    with np.errstate(invalid="ignore"):
        hit = ((division >= lo) & (division <= hi)).astype(np.float64)
    return np.where(np.isnan(division), np.nan, hit)


DIVISION_FLAGS: dict[str, range] = {
    "is_manufacturing": MANUFACTURING_DIVISIONS,
    "is_equipment_maker": EQUIPMENT_DIVISIONS,
}
"""The derived fields that say whether the industry division is in a range."""


# --------------------------------------------------------------------------- size
def size_class(employees: int | None, revenue_yuan: float | None) -> str | None:
    """NBS 2017 industrial size class; both lower bounds of a class must hold."""
    if employees is None or revenue_yuan is None:
        return None
    for name, min_employees, min_revenue in SIZE_CLASSES_INDUSTRY:
        if employees >= min_employees and revenue_yuan >= min_revenue:
            return name
    return "micro"


def size_class_array(employees: np.ndarray, revenue_yuan: np.ndarray) -> np.ndarray:
    """:func:`size_class` over float arrays (NaN: unknown); an object array (None: unknown)."""
    size = np.full(len(employees), None, dtype=object)
    known = ~np.isnan(employees) & ~np.isnan(revenue_yuan)
    size[known] = "micro"
    done = ~known
    for label, min_employees, min_revenue in SIZE_CLASSES_INDUSTRY:
        with np.errstate(invalid="ignore"):
            hit = ~done & (employees >= min_employees) & (revenue_yuan >= min_revenue)
        size[hit] = label
        done |= hit
    return size


def above_designated_size(revenue_yuan: float | None) -> bool | None:
    """Revenue at least 20 million yuan (规模以上)."""
    return None if revenue_yuan is None else revenue_yuan >= ABOVE_DESIGNATED_SIZE_REVENUE


def above_designated_size_array(revenue_yuan: np.ndarray) -> np.ndarray:
    """:func:`above_designated_size` over a float array (NaN: unknown)."""
    with np.errstate(invalid="ignore"):
        hit = (revenue_yuan >= ABOVE_DESIGNATED_SIZE_REVENUE).astype(np.float64)
    return np.where(np.isnan(revenue_yuan), np.nan, hit)


# --------------------------------------------------------------------------- in Yangzhou
def region_in_yangzhou(region: str) -> bool:
    """Does a region name a Yangzhou district or county (or Yangzhou itself), in Chinese or English?"""
    text = region.strip()
    hit = "扬州" in text or text in YANGZHOU_AREAS or text.lower() in YANGZHOU_AREAS_EN
    return hit or "yangzhou" in text.lower()


def in_yangzhou(region: str | None, credit_code: str | None) -> bool | None:
    """A Yangzhou region; else the credit code's division; else False if a region is given, else unknown."""
    if region and region_in_yangzhou(region):
        return True
    if credit_code:
        return code_in_yangzhou(credit_code)
    return None if not region else False


def in_yangzhou_array(region_hit: np.ndarray, has_region: np.ndarray, code_hit: np.ndarray) -> np.ndarray:
    """:func:`in_yangzhou` over arrays: ``region_hit`` (1.0 where the region is in Yangzhou),
    ``has_region`` (bool), ``code_hit`` (:func:`code_in_yangzhou` as 0/1, NaN without a valid code)."""
    return np.where(
        region_hit == 1.0,
        1.0,
        np.where(~np.isnan(code_hit), code_hit, np.where(has_region, 0.0, np.nan)),
    )


# --------------------------------------------------------------------------- in Jiangsu
def region_in_jiangsu(region: str) -> bool:
    """Does a region name Jiangsu or one of its 13 cities (Yangzhou's districts included)?"""
    text = region.strip()
    if region_in_yangzhou(text) or "江苏" in text or "jiangsu" in text.lower():
        return True
    return any(city in text for city in JIANGSU_CITIES)


def code_in_jiangsu(code: str) -> bool:
    """Is a valid credit code registered in Jiangsu (province code 32)?"""
    return code[2:4] == JIANGSU_DIVISION_PREFIX


def in_jiangsu(region: str | None, credit_code: str | None) -> bool | None:
    """A Jiangsu region; else the credit code's province; else unknown (a region we cannot place)."""
    if region and region_in_jiangsu(region):
        return True
    if credit_code:
        return code_in_jiangsu(credit_code)
    return None


def in_jiangsu_array(region_hit: np.ndarray, code_hit: np.ndarray) -> np.ndarray:
    """:func:`in_jiangsu` over arrays: ``region_hit`` (1.0 where the region is in Jiangsu) and
    ``code_hit`` (:func:`code_in_jiangsu` as 0/1, NaN without a valid code)."""
    return np.where(region_hit == 1.0, 1.0, np.where(~np.isnan(code_hit), code_hit, np.nan))
