"""The enterprise profile: who is being assessed, with derived size and status."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from ._reference import (
    ABOVE_DESIGNATED_SIZE_REVENUE,
    CREDIT_CODE_ALPHABET,
    CREDIT_CODE_WEIGHTS,
    EQUIPMENT_DIVISIONS,
    MANUFACTURING_DIVISIONS,
    SECTION_OF_DIVISION,
    SIZE_CLASSES_INDUSTRY,
    YANGZHOU_AREAS,
    YANGZHOU_AREAS_EN,
    YANGZHOU_DIVISION_PREFIX,
)

__all__ = [
    "PROFILE_DERIVED_FIELDS",
    "PROFILE_INPUT_FIELDS",
    "PROFILE_KINDS",
    "Enterprise",
    "Role",
    "check_credit_code",
    "credit_code_check_char",
    "normalise_industry",
    "size_class",
]

_INDUSTRY = re.compile(r"^([A-T])?(\d{2})(\d{1,2})?$")


class Role(StrEnum):
    """What the enterprise does in the programme."""

    MANUFACTURER = "manufacturer"
    EQUIPMENT_MAKER = "equipment_maker"
    SOLUTION_PROVIDER = "solution_provider"


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a code."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(code: str) -> str:
    """Validate a unified social credit code; return it upper-cased or raise ValueError."""
    code = code.strip().upper()
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


def size_class(employees: int | None, revenue_yuan: float | None) -> str | None:
    """NBS 2017 industrial size class; both lower bounds of a class must hold."""
    if employees is None or revenue_yuan is None:
        return None
    for name, min_employees, min_revenue in SIZE_CLASSES_INDUSTRY:
        if employees >= min_employees and revenue_yuan >= min_revenue:
            return name
    return "micro"


def normalise_industry(code: str) -> str:
    """'c36', 'C3670', '36' -> 'C36..' with the section letter; ValueError if not GB/T 4754 form."""
    raw = code.strip().upper()
    match = _INDUSTRY.match(raw)
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


class Enterprise(BaseModel):
    """An enterprise profile.

    Derived (read-only) fields: ``size_class`` (NBS 2017), ``above_designated_size``
    (revenue >= 20 million yuan, 规模以上), ``industry_division``,
    ``is_manufacturing``, ``is_equipment_maker`` (GB/T 4754 divisions 33-40) and
    ``in_yangzhou`` (a known district, or a credit code registered in Yangzhou).

    >>> e = Enterprise(name="扬州示例机械有限公司", industry="C34", employees=320, revenue_yuan=1.5e8)
    >>> e.size_class, e.above_designated_size, e.is_equipment_maker
    ('medium', True, True)
    """

    model_config = ConfigDict(defer_build=True, extra="forbid", validate_assignment=True)

    name: str = Field(min_length=1, max_length=200)
    credit_code: str | None = Field(default=None, description="Unified social credit code (GB 32100).")
    region: str | None = Field(default=None, max_length=100, description="District or county, e.g. 江都区.")
    industry: str | None = Field(default=None, description="GB/T 4754-2017 code, e.g. C36 or C3670.")
    employees: int | None = Field(default=None, ge=0, le=10_000_000)
    revenue_yuan: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="Annual main-business revenue, yuan."
    )
    roles: list[Role] = Field(default_factory=lambda: [Role.MANUFACTURER])
    rnd: bool | None = Field(default=None, description="Does own R&D (研发).")
    diagnosed: bool = Field(default=False, description="Has had a 智改数转 diagnosis already.")
    planned_investment_yuan: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    years_operating: int | None = Field(default=None, ge=0, le=500)
    certifications: list[str] = Field(
        default_factory=list, description="E.g. 'dcmm-2', 'cmmm-2', 'liangrong-aa' (两化融合)."
    )

    @field_validator("credit_code")
    @classmethod
    def _credit_code(cls, value: str | None) -> str | None:
        return None if value is None else check_credit_code(value)

    @field_validator("industry")
    @classmethod
    def _industry(cls, value: str | None) -> str | None:
        return None if value is None else normalise_industry(value)

    @field_validator("roles")
    @classmethod
    def _roles_unique(cls, value: list[Role]) -> list[Role]:
        return sorted(set(value), key=list(Role).index)

    @field_validator("certifications")
    @classmethod
    def _certs(cls, value: list[str]) -> list[str]:
        return sorted({v.strip().lower() for v in value if v.strip()})

    @computed_field  # type: ignore[prop-decorator]
    @property
    def size_class(self) -> str | None:
        return size_class(self.employees, self.revenue_yuan)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def above_designated_size(self) -> bool | None:
        if self.revenue_yuan is None:
            return None
        return self.revenue_yuan >= ABOVE_DESIGNATED_SIZE_REVENUE

    @computed_field  # type: ignore[prop-decorator]
    @property
    def industry_division(self) -> int | None:
        return None if self.industry is None else int(self.industry[1:3])

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_manufacturing(self) -> bool | None:
        div = self.industry_division
        return None if div is None else div in MANUFACTURING_DIVISIONS

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_equipment_maker(self) -> bool | None:
        div = self.industry_division
        return None if div is None else div in EQUIPMENT_DIVISIONS

    @computed_field  # type: ignore[prop-decorator]
    @property
    def in_yangzhou(self) -> bool | None:
        if self.region:
            text = self.region.strip()
            if "扬州" in text or text in YANGZHOU_AREAS or text.lower() in YANGZHOU_AREAS_EN:
                return True
            if "yangzhou" in text.lower():
                return True
        if self.credit_code:
            return self.credit_code[2:6] == YANGZHOU_DIVISION_PREFIX
        return None if not self.region else False

    def profile_value(self, field: str) -> Any:
        """A profile field by name, as conditions see it (roles as a set of strings)."""
        value = getattr(self, field)
        if field == "roles":
            return {str(r) for r in value}
        if field == "certifications":
            return set(value)
        return value

    def dump(self) -> dict[str, Any]:
        """The input fields only (no derived ones), for saving."""
        return self.model_dump(mode="json", exclude_defaults=True, exclude=set(PROFILE_DERIVED_FIELDS)) | {
            "name": self.name
        }


PROFILE_INPUT_FIELDS = tuple(Enterprise.model_fields)
PROFILE_DERIVED_FIELDS = tuple(Enterprise.model_computed_fields)
PROFILE_FIELDS = PROFILE_INPUT_FIELDS + PROFILE_DERIVED_FIELDS
PROFILE_SET_FIELDS = ("roles", "certifications")

# Profile fields by how conditions compare them.
PROFILE_NUMERIC = (
    "employees",
    "revenue_yuan",
    "planned_investment_yuan",
    "years_operating",
    "industry_division",
)
PROFILE_BOOL = (
    "rnd",
    "diagnosed",
    "above_designated_size",
    "is_manufacturing",
    "is_equipment_maker",
    "in_yangzhou",
)
PROFILE_TEXT = ("name", "credit_code", "region", "industry", "size_class")
PROFILE_SET = PROFILE_SET_FIELDS
PROFILE_KINDS: dict[str, str] = (
    dict.fromkeys(PROFILE_NUMERIC, "numeric")
    | dict.fromkeys(PROFILE_BOOL, "bool")
    | dict.fromkeys(PROFILE_TEXT, "text")
    | dict.fromkeys(PROFILE_SET, "set")
)
