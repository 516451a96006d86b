"""The service's fill-in form in headless Chromium (playwright): open ``/`` on a real server, answer by
clicking, submit, give the token when asked, land on the report; the stored assessment is what the
library makes of the same answers."""

from __future__ import annotations

import random
import re

import pytest
from browser import fill_page, find_chromium

import yzmaturity as yz

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")

from servers import Server  # noqa: E402  (needs httpx)

TOKEN = "form-test-token"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
NAME = "扬州表单服务测试有限公司"


def new_credit_code(rng: random.Random) -> str:
    body = "91321" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(12))
    return body + yz.credit_code_check_char(body)


def test_form_fill_submit_see_the_report(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    rng = random.Random(15)
    code = new_credit_code(rng)
    q = yz.load_questionnaire("yangzhou-2022")
    server = Server(f"sqlite:///{tmp_path / 'a.db'}", tmp_path, token=TOKEN)
    errors: list[str] = []
    foreign: list[str] = []
    dialogs: list[str] = []
    with server, sync_api.sync_playwright() as p:
        with httpx.Client(base_url=server.base, timeout=60) as c:
            survey_json = c.get("/api/questionnaires/yangzhou-2022/form").json()
            assert survey_json == yz.to_surveyjs(q)
            assert c.get("/", params={"questionnaire": "nope"}).status_code == 422
        try:
            browser = p.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        except Exception as exc:
            pytest.skip(f"playwright cannot launch {chromium}: {exc}")
        try:
            context = browser.new_context(viewport={"width": 1100, "height": 1400})
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith((server.base, "data:", "blob:"))
                    else (foreign.append(route.request.url), route.abort())
                ),
            )
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.accept(TOKEN)))
            page.goto(server.base + "/?lang=en")
            page.wait_for_selector('.sd-question[data-name="enterprise_name"]')
            for _ in range(30):
                fill_page(
                    page,
                    rng,
                    {
                        "enterprise_name": NAME,
                        "enterprise_credit_code": code,
                        "enterprise_industry": "C34",
                        "enterprise_employees": "420",
                        "enterprise_revenue_yuan": "60000000",
                    },
                )
                if page.locator(".sd-navigation__complete-btn").is_visible():
                    break
                page.click(".sd-navigation__next-btn")
            data = page.evaluate("() => window.yzSurvey.data")
            page.click(".sd-navigation__complete-btn")
            page.wait_for_url(re.compile(r"/api/assessments/[0-9a-f]{32}/report\?lang=en$"))
            report_text = page.locator("body").inner_text()
            report_lang = page.evaluate("() => document.documentElement.lang")
            report_url = page.url
        finally:
            browser.close()
        assert errors == [] and foreign == []
        assert len(dialogs) == 1  # the token, asked once
        assert NAME in report_text and report_lang.startswith("en")
        key = report_url.split("/api/assessments/")[1].split("/")[0]
        with httpx.Client(base_url=server.base, timeout=60) as c:
            stored = c.get(f"/api/assessments/{key}").json()
            history = c.get(f"/api/enterprises/{code}/assessments").json()
    expected = yz.assess(yz.answers_from_surveyjs(q, data), q)  # the library, from the same answers
    assert stored["overall"] == round(expected.overall, 2)
    assert stored["level"]["number"] == expected.level.number
    assert stored["enterprise"]["name"] == NAME and history["count"] == 1
