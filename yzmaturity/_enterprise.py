"""The enterprise profile: who is being assessed, with derived size and status (rules in ``_profile``)."""

from __future__ import annotations

import math
import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator

from ._profile import (
    DIVISION_FLAGS,
    PROFILE_DERIVED_KINDS,
    PROFILE_INPUT_KINDS,
    PROFILE_SET_FIELDS,
    CmmmAssessor,
    Role,
    above_designated_size,
    check_credit_code,
    division_in,
    fields_of_kind,
    in_jiangsu,
    in_yangzhou,
    industry_division,
    normalise_certifications,
    normalise_industry,
    set_value,
    size_class,
)
from ._text import CleanLine

__all__ = [
    "PROFILE_DERIVED_FIELDS",
    "PROFILE_FIELDS",
    "PROFILE_INPUT_FIELDS",
    "TEXT_LIMITS",
    "WHOLE_FIELDS",
    "Enterprise",
    "field_bounds",
    "field_constraint",
]


_DERIVED = frozenset(PROFILE_DERIVED_KINDS)


class Enterprise(BaseModel):
    """An enterprise profile.

    Derived (read-only) fields: ``size_class`` (NBS 2017), ``above_designated_size``
    (revenue >= 20 million yuan, 规模以上), ``industry_division``,
    ``is_manufacturing``, ``is_equipment_maker`` (GB/T 4754 divisions 33-40) and
    ``in_yangzhou`` (a known district, or a credit code registered in Yangzhou)
    and ``in_jiangsu`` (a Jiangsu region, or a credit code of 32xxxx; else unknown).

    >>> e = Enterprise(name="扬州示例机械有限公司", industry="C34", employees=320, revenue_yuan=1.5e8)
    >>> e.size_class, e.above_designated_size, e.is_equipment_maker
    ('medium', True, True)
    """

    model_config = ConfigDict(defer_build=True, extra="forbid", validate_assignment=True)

    name: CleanLine = Field(min_length=1, max_length=200)
    credit_code: str | None = Field(default=None, description="Unified social credit code (GB 32100).")
    region: CleanLine | None = Field(
        default=None, max_length=100, description="District or county, e.g. 江都区."
    )
    industry: str | None = Field(default=None, description="GB/T 4754-2017 code, e.g. C36 or C3670.")
    employees: int | None = Field(default=None, ge=0, le=10_000_000)
    revenue_yuan: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="Annual main-business revenue, yuan."
    )
    roles: list[Role] = Field(default_factory=lambda: [Role.MANUFACTURER])
    rnd: bool | None = Field(default=None, description="Does own R&D (研发).")
    diagnosed: bool | None = Field(
        default=None,
        description="Has had a 智改数转 diagnosis already (unknown if not given; reconciled with the "
        "questionnaire's answer to the same fact).",
    )
    planned_investment_yuan: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    years_operating: int | None = Field(default=None, ge=0, le=500)
    cmmm_level: int | None = Field(
        default=None, ge=0, le=5, description="CMMM level reached (GB/T 39116-2020), 0 = none, 1-5."
    )
    cmmm_assessed_by: CmmmAssessor | None = Field(
        default=None,
        description="Who established cmmm_level: 'self' (self-assessment on the official platform) "
        "or 'third_party' (an assessment body).",
    )
    js_selftest_score: float | None = Field(
        default=None,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="Score in Jiangsu's general-capability self-test (数字化转型通用能力自测), 0-100; "
        "not the composite of this library.",
    )
    no_major_incident: bool | None = Field(
        default=None,
        description="No major (较大及以上) safety, environmental or quality incident in the last three "
        "years (a manual check; unknown if not given).",
    )
    good_credit: bool | None = Field(
        default=None,
        description="Not on a list of seriously dishonest entities, no bad credit record (a manual check).",
    )
    certifications: list[CleanLine] = Field(
        default_factory=list, description="E.g. 'dcmm-2', 'cmmm-2', 'liangrong-aa' (两化融合)."
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        # ``model_dump()`` writes the derived fields too; loading that back recomputes them.
        if isinstance(data, dict) and any(k in _DERIVED for k in data):
            return {k: v for k, v in data.items() if k not in _DERIVED}
        return data

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
        return normalise_certifications(value)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def size_class(self) -> str | None:
        return size_class(self.employees, self.revenue_yuan)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def above_designated_size(self) -> bool | None:
        return above_designated_size(self.revenue_yuan)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def industry_division(self) -> int | None:
        return industry_division(self.industry)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_manufacturing(self) -> bool | None:
        return division_in(self.industry_division, DIVISION_FLAGS["is_manufacturing"])

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_equipment_maker(self) -> bool | None:
        return division_in(self.industry_division, DIVISION_FLAGS["is_equipment_maker"])

    @computed_field  # type: ignore[prop-decorator]
    @property
    def in_yangzhou(self) -> bool | None:
        return in_yangzhou(self.region, self.credit_code)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def in_jiangsu(self) -> bool | None:
        return in_jiangsu(self.region, self.credit_code)

    def profile_value(self, field: str) -> Any:
        """A profile field by name, as conditions see it (roles as a set of strings)."""
        value = getattr(self, field)
        if field in PROFILE_SET_FIELDS:
            return set_value(value)
        return str(value) if isinstance(value, CmmmAssessor) else value

    def dump(self) -> dict[str, Any]:
        """The input fields only (no derived ones), for saving."""
        return self.model_dump(mode="json", exclude_defaults=True, exclude=set(PROFILE_DERIVED_FIELDS)) | {
            "name": self.name
        }


PROFILE_INPUT_FIELDS = tuple(Enterprise.model_fields)
PROFILE_DERIVED_FIELDS = tuple(Enterprise.model_computed_fields)
PROFILE_FIELDS = PROFILE_INPUT_FIELDS + PROFILE_DERIVED_FIELDS
if (tuple(PROFILE_INPUT_KINDS), tuple(PROFILE_DERIVED_KINDS)) != (
    PROFILE_INPUT_FIELDS,
    PROFILE_DERIVED_FIELDS,
):
    raise AssertionError("Enterprise's fields and _profile.PROFILE_KINDS disagree")  # pragma: no cover


# --------------------------------------------------------------------------- the fields' constraints
def field_constraint(name: str, attr: str) -> float | None:
    """A constraint (``ge``, ``le``, ``max_length`` ...) of an ``Enterprise`` field, None if it has none."""
    for item in Enterprise.model_fields[name].metadata:
        value = getattr(item, attr, None)
        if value is not None:
            return float(value)
    return None


TEXT_LIMITS = {
    name: int(limit)
    for name in fields_of_kind("text", derived=False)
    if (limit := field_constraint(name, "max_length")) is not None
}
"""Text fields with a maximum length -> that length."""
WHOLE_FIELDS = tuple(
    name
    for name in fields_of_kind("numeric", derived=False)
    if int
    in (
        typing.get_args(Enterprise.model_fields[name].annotation)
        or (Enterprise.model_fields[name].annotation,)
    )
)
"""Numeric fields that take whole numbers only."""


def field_bounds(name: str) -> tuple[float, float]:
    """The lower and upper bound of a numeric field (infinite where it has none)."""
    lo, hi = field_constraint(name, "ge"), field_constraint(name, "le")
    return (-math.inf if lo is None else lo), (math.inf if hi is None else hi)
