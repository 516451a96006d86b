from __future__ import annotations

import os
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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (YZ_REQUIRE_ALL=1) a skipped test is a failure: the browser, notebook and docs must run."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("YZ_REQUIRE_ALL") and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {reason}"
