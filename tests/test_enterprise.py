"""Enterprise profile: credit code, size class, industry, Yangzhou location."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import yzmaturity as yz
from yzmaturity._reference import CREDIT_CODE_ALPHABET

REAL_CODE = "91350100M000100Y43"  # a published example code with a valid check character


def test_known_valid_code():
    assert yz.check_credit_code(REAL_CODE.lower()) == REAL_CODE


@given(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
def test_check_character_round_trip(first17):
    code = first17 + yz.credit_code_check_char(first17)
    assert yz.check_credit_code(code) == code
    wrong = next(c for c in CREDIT_CODE_ALPHABET if c != code[17])
    with pytest.raises(ValueError, match="check character"):
        yz.check_credit_code(code[:17] + wrong)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("12345", "18 characters"),
        ("91350100M000100YI3", "not allowed"),
        ("91350100M000100Y44", "should be '3'"),
    ],
)
def test_bad_codes_say_why(code, message):
    with pytest.raises(ValueError, match=message):
        yz.check_credit_code(code)


@pytest.mark.parametrize(
    ("employees", "revenue", "expected"),
    [
        (1000, 4e8, "large"),
        (1000, 3.99e8, "medium"),  # both bounds must hold, else a class lower
        (5000, 1e7, "small"),
        (300, 2e7, "medium"),
        (20, 3e6, "small"),
        (19, 1e9, "micro"),
        (0, 0, "micro"),
        (None, 1e6, None),
    ],
)
def test_size_class(employees, revenue, expected):
    assert yz.size_class(employees, revenue) == expected


def test_derived_fields():
    e = yz.Enterprise(name="扬州某机械", industry="c3491", employees=400, revenue_yuan=2.5e7, region="江都区")
    assert e.industry == "C3491"
    assert (e.size_class, e.above_designated_size, e.industry_division) == ("medium", True, 34)
    assert e.is_manufacturing and e.is_equipment_maker and e.in_yangzhou
    small = yz.Enterprise(name="小厂", industry="C17", employees=30, revenue_yuan=1.9e7, region="Suzhou")
    assert small.above_designated_size is False
    assert small.is_equipment_maker is False
    assert small.in_yangzhou is False


def test_location_from_credit_code():
    first17 = "91321012MA1ABCDE0"
    code = first17 + yz.credit_code_check_char(first17)
    assert yz.Enterprise(name="x", credit_code=code).in_yangzhou is True
    assert yz.Enterprise(name="x").in_yangzhou is None


@pytest.mark.parametrize(
    ("industry", "message"),
    [
        ("X12", "GB/T 4754 form"),
        ("C99", "does not exist"),
        ("A36", "belongs to section C"),
        ("steel", "GB/T 4754"),
    ],
)
def test_bad_industry_codes(industry, message):
    with pytest.raises(ValueError, match=message):
        yz.Enterprise(name="x", industry=industry)


def test_bad_numbers_name_the_field():
    with pytest.raises(ValueError) as info:
        yz.Enterprise(name="x", employees=-3, revenue_yuan=float("inf"))
    text = str(info.value)
    assert "employees" in text and "revenue_yuan" in text


def test_roles_are_a_set():
    e = yz.Enterprise(name="x", roles=["solution_provider", "manufacturer", "solution_provider"])
    assert [str(r) for r in e.roles] == ["manufacturer", "solution_provider"]
    with pytest.raises(ValueError, match="roles"):
        yz.Enterprise(name="x", roles=["bank"])
