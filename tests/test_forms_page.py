"""The offline fill-in page in headless Chromium (playwright): open, fill by clicking, save, import, assess.

The page is opened from a file with every network request refused; a person's
clicks fill the enterprise page and every visible question page by page (the
language is switched to English half way); "Complete" downloads the JSON, which
the CLI imports and assesses.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest
from browser import fill_page, find_chromium

import yzmaturity as yz
from yzmaturity._cli import main

DATA = Path(__file__).resolve().parent / "data"
JS_DIR = Path(__file__).resolve().parent / "js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


CHROMIUM = find_chromium()
# What the person types into the enterprise page (the rest is clicked by fill_page).
TYPED = {
    "enterprise_name": "扬州页面测试有限公司",
    "enterprise_industry": "C34",
    "enterprise_employees": "420",
    "enterprise_revenue_yuan": "60000000",
}


def test_offline_page_open_fill_save_import_assess(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    q = yz.load_questionnaire(DATA / "forms.yaml")
    html_path = tmp_path / "form.html"
    assert main(["form", str(DATA / "forms.yaml"), "-o", str(html_path)]) == 0
    assert html_path.stat().st_size < 3_000_000
    assert "<script src=" not in html_path.read_text(encoding="utf-8")  # everything inlined
    rng = random.Random(5)
    requests: list[str] = []
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        except Exception as exc:
            pytest.skip(f"playwright cannot launch {CHROMIUM}: {exc}")
        try:
            context = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 1400})
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(("file:", "data:", "blob:"))
                    else (requests.append(route.request.url), route.abort())
                ),
            )
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(html_path.as_uri())
            page.wait_for_selector('.sd-question[data-name="enterprise_name"]')
            assert page.locator("#yz-save").inner_text() == "保存答案（JSON）"
            pages = 0
            while True:
                pages += 1
                if pages == 2:
                    with page.expect_download() as download:
                        page.click("#yz-save")  # save part-way, as before a break
                    download.value.save_as(tmp_path / "partial.json")
                    partial = json.loads((tmp_path / "partial.json").read_text(encoding="utf-8"))
                    page.click("#yz-lang-en")
                    assert page.locator("#yz-save").inner_text() == "Save answers (JSON)"
                fill_page(page, rng, TYPED)
                visible = page.evaluate("() => window.yzSurvey.getAllQuestions(true).map(q => q.name)")
                if page.locator(".sd-navigation__complete-btn").is_visible():
                    with page.expect_download() as download:
                        page.click(".sd-navigation__complete-btn")
                    saved = tmp_path / "saved.json"
                    download.value.save_as(saved)
                    break
                page.click(".sd-navigation__next-btn")
                assert pages < 20
            data_in_page = page.evaluate("() => window.yzSurvey.data")
            # A saved file opens again in a fresh page, to go on filling.
            page.reload()
            page.wait_for_selector('.sd-question[data-name="enterprise_name"]')
            page.set_input_files("#yz-load", str(tmp_path / "partial.json"))
            page.wait_for_function("() => window.yzSurvey.data.enterprise_name !== undefined")
            reopened = page.evaluate("() => window.yzSurvey.data")
        finally:
            browser.close()
    assert errors == []
    assert requests == []
    payload = json.loads(saved.read_text(encoding="utf-8"))
    assert payload["format"] == "yzmaturity-surveyjs" and payload["questionnaire"] == q.id
    assert payload["locale"] == "en" and payload["complete"] is True
    assert payload["data"] == data_in_page
    assert reopened == partial["data"]
    # Import with the CLI, then assess the sheet it wrote.
    sheet_path = tmp_path / "sheet.yaml"
    assert (
        main(
            [
                "import",
                str(saved),
                "--format",
                "surveyjs",
                "-q",
                str(DATA / "forms.yaml"),
                "-o",
                str(sheet_path),
            ]
        )
        == 0
    )
    sheet = yz.load_answers(sheet_path)
    assert sheet.enterprise.name == "扬州页面测试有限公司" and sheet.enterprise.industry == "C34"
    result = yz.assess(sheet, q)
    # The page showed exactly the questions our engine deems relevant, and the person answered them all.
    shown = {qq.id for qq in q.questions if qq.id in visible or qq.id + "__na" in visible}
    assert shown == {qid for qid, r in result.questions.items() if r.relevant}
    assert set(sheet.answers) == shown
    assert partial["data"]["enterprise_name"] == "扬州页面测试有限公司" and partial["complete"] is False
    assert result.level.number >= 0 and 0 <= result.overall <= 100


def test_vendored_surveyjs_is_the_tested_version() -> None:
    """The page inlines the same survey-core the node tests run (tests/js/package.json)."""
    from yzmaturity._forms import page

    pinned = json.loads((JS_DIR / "package.json").read_text())["dependencies"]
    assert pinned["survey-core"] == pinned["survey-js-ui"] == page.SURVEYJS_VERSION
    vendor = Path(page.__file__).parent / "vendor"
    installed = {
        "survey.core.min.js": JS_DIR / "node_modules/survey-core/survey.core.min.js",
        "survey-core.fontless.min.css": JS_DIR / "node_modules/survey-core/survey-core.fontless.min.css",
        "simplified-chinese.min.js": JS_DIR / "node_modules/survey-core/i18n/simplified-chinese.min.js",
        "survey-js-ui.min.js": JS_DIR / "node_modules/survey-js-ui/survey-js-ui.min.js",
    }
    for name in page.VENDORED:
        data = gzip.decompress((vendor / (name + ".gz")).read_bytes())
        assert name.endswith(".css") or f"v{page.SURVEYJS_VERSION}" in data[:400].decode("utf-8", "replace")
        if installed[name].is_file():  # byte for byte what npm installs (tests/js, CI)
            assert data == installed[name].read_bytes(), name
    assert "MIT License" in (vendor / "LICENSE-SurveyJS.txt").read_text()
