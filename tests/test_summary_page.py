"""The boss's page: headless Chromium shows the report's first A4 page with the level, three
priorities and the support to apply for, and prints the whole report without half-empty pages."""

from __future__ import annotations

import re

import pytest
from test_report_browser import ACCENT, ARGS, CHROMIUM, decode_png, near

import yzmaturity as yz

# A4 with the report's 15 mm margins, in CSS pixels (96 per inch): the printable box of one page.
PAGE_W = round(180 / 25.4 * 96)
PAGE_H = round(267 / 25.4 * 96)
EXAMPLES = yz.list_examples()


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian package chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _printed(browser, html_path):
    page = browser.new_page(viewport={"width": PAGE_W, "height": PAGE_H})
    page.goto(html_path.as_uri())
    page.emulate_media(media="print")
    return page


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", EXAMPLES)
def test_summary_is_the_first_page(browser, tmp_path, name, lang):
    a = yz.assess(yz.load_answers(yz.example_path(name)))
    path = tmp_path / "report.html"
    a.report(lang).save(path)
    page = _printed(browser, path)
    try:
        box = page.evaluate(
            """() => { const r = document.querySelector('section#summary').getBoundingClientRect();
                       return {top: r.top, bottom: r.bottom}; }"""
        )
        assert box["bottom"] <= PAGE_H, (
            f"the summary runs over the first page: {box['bottom']:.0f} > {PAGE_H}"
        )
        items = page.locator("ol.priorities li")
        assert items.count() == 3
        first_page = page.evaluate("() => document.querySelector('section#summary').innerText")
        assert f"L{a.level.number} {a.level.name.of(lang)}" in first_page
        assert f"{a.overall:.1f}" in first_page
        # the three priorities are the roadmap's three largest gains, by their questions' text
        steps = sorted(a.roadmap().steps, key=lambda s: (-s.overall_gain, s.cost))[:3]
        for step in steps:
            assert step.text.of(lang) in first_page
        eligible = [r for r in a.recommendations if r.eligibility == "eligible"][:3]
        for r in eligible:
            assert r.name.of(lang) in first_page
        png = page.screenshot(clip={"x": 0, "y": 0, "width": PAGE_W, "height": PAGE_H})
    finally:
        page.close()
    pixels = decode_png(png)
    assert pixels.shape[:2] == (PAGE_H, PAGE_W)
    grey = pixels[..., :3].mean(axis=-1)
    assert grey.std() > 15, "the first page is (nearly) blank"
    assert near(pixels, ACCENT) > 500, "the level ladder and score are not drawn"
    # the bottom fifth of the first page is not all white: the page is used, not half empty
    assert (grey[int(PAGE_H * 0.55) :] < 200).mean() > 0.002


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a4_print_has_no_half_empty_pages(browser, tmp_path, lang):
    """The autoparts report printed on A4: no more pages than its content fills, but for the two
    deliberate breaks (after the summary, before the appendix). Before that rule the report took
    14 (zh) / 16 (en) pages with a forced break before every section; with it, 12 / 13; the funding
    tiers, amounts and sources added since make it longer, not emptier."""
    a = yz.assess(yz.load_answers(yz.example_path("yangzhou-autoparts")))
    path = tmp_path / "report.html"
    a.report(lang).save(path)
    page = _printed(browser, path)
    try:
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        height = page.evaluate("() => document.documentElement.scrollHeight")
    finally:
        page.close()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    # two deliberate breaks (after the summary, before the appendix) may leave two part-filled pages
    assert pages <= height / PAGE_H + 2.5, (pages, height / PAGE_H)
