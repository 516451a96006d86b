from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def mini():
    import yzmaturity as yz

    return yz.load_questionnaire(DATA / "mini.yaml")


@pytest.fixture
def mini_sheet() -> dict:
    return {
        "questionnaire": "mini",
        "questionnaire_version": "1.0",
        "enterprise": {"name": "扬州测试有限公司", "employees": 120, "revenue_yuan": 5e7},
        "answers": {"E1": "some", "E2": 35, "S1": ["erp", "mes"], "S2": True, "O1": 2, "O2": "n/a"},
    }
