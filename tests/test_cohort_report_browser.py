"""The cohort report in a real browser (playwright driving the system Chromium): what it shows is
what the scores say, it loads nothing from the network, logs no error, and fits the page width.

The numbers are read from the rendered page (table cells, and the SVG bars' sizes as laid out)
and compared with counts made here from the cohort's profile arrays.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from browser import find_chromium

import yzmaturity as yz
from yzmaturity._cohort import division_code
from yzmaturity.datasets import make_cohort

CHROMIUM = find_chromium()
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

READ = """() => {
    const table = (sel) => [...document.querySelectorAll(sel + ' tbody tr')].map(
        tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim()));
    const bars = (section) => {
        const svg = document.querySelector(section + ' svg.stacked');
        const box = svg.getBoundingClientRect();
        return {
            width: box.width, height: box.height,
            segs: [...svg.querySelectorAll('rect.seg')].map(r => ({
                group: +r.dataset.group, series: +r.dataset.series, count: +r.dataset.count,
                width: r.getBoundingClientRect().width})),
            labels: [...svg.querySelectorAll('text.row-label')].map(t => t.querySelector('title').textContent),
        };
    };
    const visible = (sel) => { const e = document.querySelector(sel);
        return !!e && e.getBoundingClientRect().height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
    return {
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        title: document.querySelector('h1').innerText,
        districts: table('#districts table.groups'),
        industries: table('#industries table.groups'),
        demand: table('#demand table.demand'),
        weakest: table('#weakest table.weakest'),
        districtBars: bars('#districts'),
        industryBars: bars('#industries'),
        synthetic: visible('#synthetic'),
        sections: [...document.querySelectorAll('section[id]')].map(s => s.id),
    };
}"""


@pytest.fixture(scope="module")
def cohort():
    return make_cohort(400, seed=6)  # synthetic


@pytest.fixture(scope="module")
def sync_api():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


def render(sync_api, path: Path, widths=(1000, 420)) -> list[dict]:
    """The page read at each viewport width; errors, dialogs and non-file requests collected."""
    errors: list[str] = []
    out = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": widths[0], "height": 1200})
            page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
            page.on(
                "request",
                lambda r: (
                    errors.append(f"request: {r.url}") if not r.url.startswith(("file:", "data:")) else None
                ),
            )
            page.goto(path.as_uri(), wait_until="load")
            for width in widths:
                page.set_viewport_size({"width": width, "height": 1200})
                out.append(page.evaluate(READ))
        finally:
            browser.close()
    assert errors == [], errors
    return out


def expected(scores, keys) -> dict[str, list[int]]:
    levels = [lv.number for lv in scores.questionnaire.levels.levels]
    c = Counter((k, int(lv)) for k, lv, ok in zip(keys, scores.level, scores.valid, strict=True) if ok)
    groups = {k for k, _ in c}
    return {g: [c.get((g, lv), 0) for lv in levels] for g in groups}


def check_bars(bars: dict, rows: list[list[str]]) -> None:
    """Each bar's segments carry the table's counts, and their drawn widths are proportional to them."""
    assert bars["width"] > 300 and bars["height"] > 50, bars
    by_group: dict[int, dict[int, int]] = {}
    for s in bars["segs"]:
        by_group.setdefault(s["group"], {})[s["series"]] = s["count"]
    for i, row in enumerate(rows):
        counts = [int(x) for x in row[1:-1]]
        assert by_group.get(i, {}) == {k: c for k, c in enumerate(counts) if c}, (i, row)
    per_unit = [s["width"] / s["count"] for s in bars["segs"]]
    assert max(per_unit) - min(per_unit) < 0.05 * max(per_unit), (
        "segment widths are not proportional to counts"
    )
    assert [label.split(" ")[0] for label in bars["labels"]] == [row[0].split(" ")[0] for row in rows]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cohort_report_shows_the_counts(sync_api, cohort, tmp_path, lang):
    scores = cohort.score()
    report = yz.cohort_report(scores, lang=lang)
    path = report.save(tmp_path / f"cohort-{lang}.html")
    wide, narrow = render(sync_api, path)
    assert set(wide["sections"]) >= {"levels", "districts", "industries", "demand", "weakest"}
    assert wide["title"] == report.title and wide["synthetic"]
    for page in (wide, narrow):  # nothing wider than the window, on a desktop or a phone
        assert page["scrollWidth"] <= page["clientWidth"], (page["scrollWidth"], page["clientWidth"])

    # levels by district: the table rows (label, counts per level, total) and the bars
    t = yz.levels_by(scores, "district")
    label = dict(zip(t.groups, t.labels(lang), strict=True))
    want = expected(scores, cohort.profile["region"])
    rows = {row[0]: [int(x) for x in row[1:]] for row in wide["districts"]}
    assert rows == {label[g]: [*c, sum(c)] for g, c in want.items()}
    totals = [int(row[-1]) for row in wide["districts"]]
    assert totals == sorted(totals, reverse=True)
    check_bars(wide["districtBars"], wide["districts"])

    # levels by industry
    keys = [division_code(int(d)) for d in cohort.profile["industry_division"]]
    want = expected(scores, keys)
    rows = {row[0].split(" ")[0]: [int(x) for x in row[1:]] for row in wide["industries"]}
    assert rows == {g: [*c, sum(c)] for g, c in want.items()}
    check_bars(wide["industryBars"], wide["industries"])

    # demand per funding category: the rows in each state, fit >= 0.5, ranked first
    match = yz.match_batch(yz.load_catalog("yangzhou-zgsz-2022"), scores)
    state = match.arrays.state[match.valid]
    fit = match.arrays.fit[match.valid]
    first = np.argmax(match.arrays.priority[match.valid], axis=1)
    names = [c.name.of(lang) for c in match.catalog.categories]
    got = {row[0]: [int(x) for x in row[1:]] for row in wide["demand"]}
    for j, cid in enumerate(match.category_ids):
        col = state[:, j]
        name = names[[c.id for c in match.catalog.categories].index(cid)]
        assert got[name] == [
            int((col == 0).sum()), int((col == 1).sum()), int((col == 2).sum()), int((col == 3).sum()),
            int((fit[:, j] >= 0.5).sum()), int((first == j).sum()),
        ]  # fmt: skip

    # the weakest dimensions: the lowest means over valid rows, weakest first
    cq = scores.questionnaire.compiled()
    means = sorted(
        (float(np.nanmean(scores.dimensions[scores.valid, d])), dim.title.of(lang))
        for d, dim in enumerate(cq.dims)
    )
    shown = [(float(row[2]), row[0]) for row in wide["weakest"]]
    assert [round(m, 1) for m, _ in shown] == [round(m, 1) for m, _ in means[: len(shown)]]
    assert all(row_title.startswith(title) for (_, row_title), (_, title) in zip(shown, means, strict=False))


def test_hostile_names_render_as_text(sync_api, cohort, tmp_path):
    scores = cohort.score()
    region = np.array(cohort.profile["region"], dtype=object)
    region[:50] = '<img src="http://127.0.0.1:9/x.png" onerror="alert(1)">'
    report = yz.cohort_report(scores, {"region": region}, lang="en", city="<script>alert(2)</script>")
    (page,) = render(sync_api, report.save(tmp_path / "hostile.html"), widths=(1000,))
    assert page["title"] == "Digital-maturity cohort report: <script>alert(2)</script>"
    assert any(row[0].startswith("<img") for row in page["districts"])
