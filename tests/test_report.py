"""Diagnosis and progress reports: sections, languages, escaping, no network resources, SVG, saving, CLI."""

from __future__ import annotations

import html as _html
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import DATA
from test_recommend import answers_at
from test_recommend import assess as assess_profile

import yzmaturity as yz
from yzmaturity._cli import main
from yzmaturity._render import md_escape
from yzmaturity._render import svg as _svg

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_REGION = "<img src=x onerror=alert(1)>"
HOSTILE_NOTE = (
    'ok</td></tr></table><script>alert("note")</script> | *bold* [x](https://evil.example/a.png) `c`'
)
SECTIONS = ("header", "summary", "radar", "dimensions", "recommendations", "roadmap", "answers", "metadata")


# --------------------------------------------------------------------------- helpers
class Tags(HTMLParser):
    """Collects every start tag with its attributes, the text, and <style> contents."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        (self.styles if self._in_style else self.text).append(data)

    def names(self) -> set[str]:
        return {t for t, _ in self.tags}

    def ids(self) -> set[str]:
        return {a["id"] for _, a in self.tags if a.get("id")}

    def all_text(self) -> str:
        return "".join(self.text)


def parse(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    p.close()
    return p


def svgs(html: str, cls: str) -> list[ET.Element]:
    """Every inline <svg class="chart {cls}"> parsed as XML (so it must be well-formed)."""
    found = re.findall(rf'<svg class="chart {cls}".*?</svg>', html, flags=re.S)
    return [ET.fromstring(s) for s in found]


def assert_no_remote_resources(html: str, strict: bool = True) -> None:
    """No element or CSS loads anything; with ``strict`` no URL appears at all (user text may hold one)."""
    p = parse(html)
    banned = {
        "script",
        "link",
        "iframe",
        "object",
        "embed",
        "img",
        "image",
        "use",
        "video",
        "audio",
        "source",
    }
    assert not (p.names() & banned), p.names() & banned
    for tag, attrs in p.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset"):
                assert not re.match(r"\s*(https?:)?//", value or "", re.I), (tag, name, value)
    css = "".join(p.styles) + " ".join(a.get("style") or "" for _, a in p.tags)
    assert "@import" not in css and "url(" not in css.lower()
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", html, re.I)
    if strict:
        assert "http://" not in html and "https://" not in html


def cells(html: str, table_class: str) -> list[list[str]]:
    """The text of each body row's cells of the tables with a class."""

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.rows: list[list[str]] = []
            self.depth = 0
            self.in_body = False
            self.cell: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "table" and table_class in (a.get("class") or "").split():
                self.depth = 1
            elif self.depth and tag == "tbody":
                self.in_body = True
            elif self.in_body and tag == "tr":
                self.rows.append([])
            elif self.in_body and tag == "td":
                self.cell = []
            elif tag in ("br", "p", "li") and self.cell is not None:
                self.cell.append(" ")

        def handle_endtag(self, tag):
            if tag == "td" and self.cell is not None:
                self.rows[-1].append(" ".join("".join(self.cell).split()))
                self.cell = None
            elif tag == "table" and self.depth:
                self.depth = 0
                self.in_body = False

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    r = Rows()
    r.feed(html)
    return r.rows


@pytest.fixture(scope="module")
def autoparts() -> yz.Assessment:
    return yz.assess(yz.load_answers(yz.example_path("yangzhou-autoparts")))


@pytest.fixture(scope="module")
def report_zh(autoparts) -> yz.Report:
    return autoparts.report()


@pytest.fixture(scope="module")
def html_zh(report_zh) -> str:
    return report_zh.to_html()


@pytest.fixture(scope="module")
def html_en(autoparts) -> str:
    return autoparts.report("en").to_html()


@pytest.fixture(scope="module")
def progress(autoparts) -> yz.Comparison:
    rm = autoparts.roadmap()
    after_sheet = autoparts.sheet.with_answers(**{s.question: s.target for s in rm.steps}).model_copy(
        update={"date": autoparts.sheet.date.replace(year=autoparts.sheet.date.year + 1)}
    )
    return yz.compare(autoparts, yz.assess(after_sheet))


@pytest.fixture(scope="module")
def hostile() -> yz.Assessment:
    sheet = yz.load_answers(yz.example_path("yangzhou-autoparts"))
    data = sheet.dump()
    data["enterprise"]["name"] = HOSTILE_NAME
    data["enterprise"]["region"] = HOSTILE_REGION
    data["assessor"] = {"kind": "consultant", "name": '"><svg onload=alert(1)>', "organisation": "A & B <i>"}
    data["answers"]["strat_plan"] = {"value": "written", "note": HOSTILE_NOTE, "evidence": ["<b>x</b>.pdf"]}
    return yz.assess(data)


# --------------------------------------------------------------------------- content
def test_html_has_every_section_and_the_header_facts(autoparts, html_zh):
    assert html_zh.startswith("<!DOCTYPE html>")
    p = parse(html_zh)
    assert set(SECTIONS) <= p.ids()
    text = p.all_text()
    e = autoparts.enterprise
    for fact in (e.name, e.credit_code, e.region, e.industry, "中型", "2026-03-15", "陈立"):
        assert fact in text, fact
    assert f"{autoparts.overall:.1f}" in text
    assert f"L{autoparts.level.number} {autoparts.level.name.zh}" in text
    # metadata: questionnaire id, version, hash, package version, and the self-assessment note
    assert autoparts.questionnaire_hash in text and autoparts.questionnaire_version in text
    assert f"yzmaturity {yz.__version__}" in text and "自评估结果" in text
    # print layout for A4
    assert "@page { size: A4; margin: 15mm; }" in html_zh
    assert "break-before: page" in html_zh and "break-inside: avoid" in html_zh


def test_every_dimension_has_a_bar_row(autoparts, html_zh):
    rows = cells(html_zh, "dimensions")
    assert [r[0] for r in rows] == [d.title.zh for d in autoparts.dimensions.values()]
    bars = svgs(html_zh, "bar")
    assert len(bars) == len(autoparts.dimensions)
    data = autoparts.dimensions["data"]
    row = rows[list(autoparts.dimensions).index("data")]
    assert row[1] == f"{data.score:.1f}" and row[-1] == f"{data.answered}/{data.questions}"
    # the integration bar carries the L3 rule's bar (50) as a required reference
    integration = rows[list(autoparts.dimensions).index("integration")]
    assert integration[3] == "50*"


def test_recommendations_rank_every_category_with_reasons_and_amounts(autoparts, html_zh):
    recs = autoparts.recommendations
    p = parse(html_zh)
    order = [a["id"][4:] for t, a in p.tags if t == "article" and (a.get("id") or "").startswith("rec-")]
    assert order == [r.category for r in recs]
    text = p.all_text()
    top = recs[0]
    assert top.reasons and all(reason.text.zh in text for reason in top.reasons)
    # a reason's cited input with its value: the industry division 36 (>= 33)
    assert "行业大类：36（条件：不低于33）" in text
    benchmark = next(r for r in recs if r.category == "benchmark_demo")
    # Every smart-factory tier with its state, and why the category does not fit (fit 0).
    assert len(benchmark.tiers) == 4 and all(t.name.zh in text for t in benchmark.tiers)
    assert benchmark.fit == 0 and benchmark.why_not and "成熟度达到L…（集成级及以上）" in text
    # Amounts with their judgement (a Jiangdu firm: the ETDZ's awards do not apply) and provenance.
    assert "200万元" in text and "仅适用于扬州经济技术开发区、扬州经开区（企业在江都区）" in text
    assert "smejs.cn/policy_show.aspx?id=b6c09ba98e4c4c1cb6537b5a825f6fe1" in text
    assert "已核实" in text and "待核实" in text and "本项目设定" in text
    na = next(r for r in recs if r.eligibility == "not_applicable")
    assert na.category_spec.not_applicable_reason.zh in text


def test_roadmap_lists_steps_and_gaps(autoparts, html_zh):
    rm = autoparts.roadmap()
    steps = cells(html_zh, "steps")
    assert len(steps) == len(rm.steps)
    q = autoparts.questionnaire
    first = rm.steps[0]
    assert q.question(first.question).text.zh in steps[0][1]
    assert first.guidance[0].zh in steps[0][1]
    # current -> target as labels: ii_cloud office -> deep
    cloud = next(r for r in steps if q.question("ii_cloud").text.zh in r[1])
    question = q.question("ii_cloud")
    assert cloud[2] == f"{question.option('office').label.zh} → {question.option('deep').label.zh}"
    gaps = cells(html_zh, "gaps")
    assert len(gaps) == len(rm.gaps)
    assert ["总分", "50.8", "60", "9.2"] in gaps


def test_appendix_shows_every_answer_as_labels_with_notes(autoparts, html_zh):
    rows = cells(html_zh, "answers")
    q = autoparts.questionnaire
    assert len(rows) == len(q.questions)
    by_id = {r[0].rsplit(" ", 1)[-1]: r for r in rows}
    assert set(by_id) == {x.id for x in q.questions}
    plan = by_id["strat_plan"]
    assert plan[1] == q.question("strat_plan").option("written").label.zh
    assert plan[2] == "0.67"
    networks = by_id["ii_network"]  # multiple choice: every selected label
    for opt in ("office", "industrial", "wifi"):
        assert q.question("ii_network").option(opt).label.zh in networks[1]
    assert by_id["strat_diagnosed"][1] == "是"
    assert by_id["eq_robots"][3].startswith("焊接车间有12台焊接机器人工作站")
    assert by_id["ii_networking_rate"][1] == "35%"


def test_english_and_chinese_reports_differ(autoparts, html_zh, html_en):
    en, zh = parse(html_en).all_text(), parse(html_zh).all_text()
    for label in ("Summary", "Support categories", "Roadmap", "Appendix: all answers", "About this report"):
        assert label in en and label not in zh
    for label in ("总体评估", "资助方向建议", "提升路线图", "附录：全部答案", "报告信息"):
        assert label in zh and label not in en
    assert 'lang="en"' in html_en and 'lang="zh-CN"' in html_zh
    assert "Who leads the transformation work?" in en and "智改数转工作由谁牵头？" in zh
    assert autoparts.level.name.en in en
    assert autoparts.report("en").lang == "en" and autoparts.report().lang == "zh"
    assert autoparts.report("en").title == f"Digital-maturity diagnosis report: {autoparts.enterprise.name}"
    with pytest.raises(yz.ReportError, match="unknown report language"):
        autoparts.report("fr")


# --------------------------------------------------------------------------- safety
def test_hostile_text_is_escaped_in_html(hostile):
    html = hostile.report().to_html()
    p = parse(html)
    # nothing injected: no script, img, or svg with handlers; every user text shows as text
    assert "script" not in p.names() and "img" not in p.names() and "i" not in p.names()
    assert all(not k.startswith("on") for _, attrs in p.tags for k in attrs)
    text = p.all_text()
    for raw in (HOSTILE_NAME, HOSTILE_REGION, '"><svg onload=alert(1)>', "A & B <i>", "<b>x</b>.pdf"):
        assert raw in text, raw
    assert " ".join(HOSTILE_NOTE.split()) in " ".join(text.split())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html and "<img" not in html
    assert f"<title>{'&lt;script&gt;alert(1)&lt;/script&gt;'}" in html
    # the note's </table> did not close the appendix early: every question still has its row
    assert len(cells(html, "answers")) == len(hostile.questionnaire.questions)
    assert_no_remote_resources(html, strict=False)


def test_hostile_questionnaire_texts_are_escaped_in_svg(tmp_path):
    data = yaml.safe_load((DATA / "mini.yaml").read_text(encoding="utf-8"))
    data["dimensions"][0]["title"] = {"zh": "<script>alert(1)</script>", "en": "A </text><script>x</script>"}
    data["levels"]["levels"][1]["name"] = {"zh": "<b onmouseover=alert(1)>规划</b>", "en": "x"}
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    q = yz.load_questionnaire(path)
    a = yz.assess(
        {
            "questionnaire": "mini",
            "enterprise": {"name": "x"},
            "answers": {"E1": "some", "E2": 35, "S1": ["erp"], "S2": True, "O1": 2, "O2": "n/a"},
        },
        q,
    )
    for lang in ("zh", "en"):
        html = a.report(lang).to_html()
        p = parse(html)
        assert "script" not in p.names() and "b" not in p.names()
        (radar,) = svgs(html, "radar")  # still well-formed XML
        labels = ["".join(t.itertext()) for t in radar.iter("text") if t.get("class") == "axis-label"]
        assert labels[0].replace(" ", "") == data["dimensions"][0]["title"][lang].replace(" ", "")
        assert svgs(html, "ladder")
        assert_no_remote_resources(html)


def test_no_network_resources_in_any_report(html_zh, html_en, progress):
    for html in (html_zh, html_en, progress.report().to_html(), progress.report("en").to_html()):
        assert_no_remote_resources(html)


def test_markdown_has_the_same_content_with_escaped_user_text(autoparts, hostile):
    md = autoparts.report().to_markdown()
    for heading in (
        "# ",
        "## 总体评估",
        "## 各维度得分",
        "## 资助方向建议",
        "## 提升路线图",
        "## 附录：全部答案",
        "## 报告信息",
    ):
        assert f"\n{heading}" in "\n" + md, heading
    assert "| 维度 | 得分 |" in md and "|---|" in md
    assert autoparts.questionnaire_hash in md
    assert "有书面规划和项目清单" in md  # option labels, not ids
    assert "`strat_plan`" in md
    en = autoparts.report("en").to_markdown()
    assert "## Support categories" in en and "## Roadmap" in en

    hostile_md = hostile.report().to_markdown()
    assert "<script>" not in hostile_md and "<img" not in hostile_md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_md
    assert "\\*bold\\*" in hostile_md and "\\[x\\]" in hostile_md and "\\`c\\`" in hostile_md
    # the note's pipe does not add a column: every appendix row has as many cells as its header
    unescaped = re.compile(r"(?<!\\)\|")
    appendix = hostile_md[hostile_md.index("## 附录") : hostile_md.index("## 报告信息")].splitlines()
    table = [line for line in appendix if "`strat_" in line]
    header = next(line for line in appendix if line.startswith("| 题目 | 答案 |"))
    assert table and all(len(unescaped.findall(line)) == len(unescaped.findall(header)) for line in table)


def test_md_escape():
    assert md_escape("a|b") == "a\\|b"
    assert md_escape("<b>&") == "&lt;b&gt;&amp;"
    assert (
        md_escape("*x* _y_ [z](u) `c` ~s~ $m$ \\")
        == "\\*x\\* \\_y\\_ \\[z\\](u) \\`c\\` \\~s\\~ \\$m\\$ \\\\"
    )
    assert md_escape("two\nlines\r\n  here") == "two lines here"


# --------------------------------------------------------------------------- charts
def test_radar_svg_is_well_formed_with_one_polygon_per_series(autoparts, html_zh):
    (radar,) = svgs(html_zh, "radar")
    polygons = radar.findall("polygon")
    assert len(polygons) == 2 and all(p.get("class") == "series" for p in polygons)
    tops = [d for d in autoparts.dimensions.values() if d.depth == 0]
    labels = ["".join(t.itertext()) for t in radar.iter("text") if t.get("class") == "axis-label"]
    assert labels == [d.title.zh for d in tops]
    for polygon in polygons:
        assert len(polygon.get("points").split()) == len(tops)
    # the target series is the next level's bars: industrial_internet 50 in the L3 rule
    svg = _svg.radar(["a", "b", "c"], [_svg.Series("s", [100, 50, None])], title="t")
    root = ET.fromstring(svg)
    (poly,) = root.findall("polygon")
    pts = [tuple(map(float, p.split(","))) for p in poly.get("points").split()]
    cx = float(root.get("viewBox").split()[2]) / 2
    assert pts[0][0] == pytest.approx(cx) and pts[2] == pytest.approx(pts[2])  # undefined -> centre
    with pytest.raises(ValueError, match="values for 3 axes"):
        _svg.radar(["a", "b", "c"], [_svg.Series("s", [1, 2])])


def test_radar_targets_are_the_next_level_bars(autoparts):
    from yzmaturity._render import dimension_references, level_bars

    q = autoparts.questionnaire
    overall, bars = level_bars(q, 3)
    assert overall == 60
    # cumulative: bars of L1..L3, the highest per subject
    assert bars == {
        "strategy": 20,
        "equipment": 35,
        "systems": 55,
        "data": 50,
        "integration": 50,
        "industrial_internet": 50,
    }
    refs = dimension_references(q, 3)
    assert refs["systems"] == (55, True)
    assert refs["operations"] == (60, False)  # not in the rule: the dimension's own L3 threshold
    assert level_bars(q, 0) == (None, {})


def test_ladder_marks_current_and_target(autoparts):
    svg = _svg.ladder([(0, "a"), (1, "b"), (2, "c")], 1, target=2, here="now", title="t")
    root = ET.fromstring(svg)
    rects = root.findall("rect")
    assert len(rects) == 3 and [r.get("class") for r in rects] == ["step", "step current", "step"]
    assert rects[2].get("stroke-dasharray")
    assert any("now" in "".join(t.itertext()) for t in root.iter("text"))


def test_bar_svg(autoparts):
    root = ET.fromstring(_svg.bar(50, target=60, before=40, label="x"))
    assert root.find("rect[@class='value']").get("width") == "120"
    assert root.find("rect[@class='before']").get("width") == "96"
    assert root.find("line[@class='target']").get("x1") == "144"
    assert ET.fromstring(_svg.bar(None)).find("rect[@class='value']") is None


# --------------------------------------------------------------------------- progress
def test_progress_report(progress):
    assert progress.level_change == 1
    report = progress.report()
    html = report.to_html()
    p = parse(html)
    assert {"header", "summary", "radar", "dimensions", "categories", "answers", "metadata"} <= p.ids()
    text = p.all_text()
    assert "L2 规范级 → L3 集成级 (+1)" in text
    assert f"{progress.overall.before:.1f} → {progress.overall.after:.1f}" in text
    assert "2026-03-15 → 2027-03-15" in text
    (radar,) = svgs(html, "radar")
    assert len(radar.findall("polygon")) == 3  # next-level reference, T0, T1
    rows = cells(html, "dimension-changes")
    assert len(rows) == len(progress.dimensions)
    integration = rows[list(progress.dimensions).index("integration")]
    delta = progress.dimensions["integration"]
    assert integration[1:4] == [f"{delta.before:.1f}", f"{delta.after:.1f}", f"{delta.change:+.1f}"]
    assert len(svgs(html, "bar")) == len(progress.dimensions)
    changes = cells(html, "changes")
    assert len(changes) == len(progress.answers_changed)
    q = progress.after.questionnaire
    cloud = next(r for r in changes if r[0].endswith("ii_cloud"))
    assert cloud[1:3] == [
        q.question("ii_cloud").option("office").label.zh,
        q.question("ii_cloud").option("deep").label.zh,
    ]
    changed = progress.categories_changed
    assert changed
    cats = cells(html, "categories")
    assert len(cats) == len(changed)
    en = progress.report("en")
    assert en.title.startswith("Progress report") and "Answers that changed" in en.to_html()
    md = report.to_markdown()
    assert "## 答案变化" in md and "`ii_cloud`" in md


def test_progress_report_notes_a_different_enterprise():
    a = yz.assess(yz.load_answers(yz.example_path("yangzhou-autoparts")))
    b = yz.assess(yz.load_answers(yz.example_path("yangzhou-toothbrush")))
    text = parse(yz.compare(b, a, force=True).report().to_html()).all_text()
    assert "两次评估似乎不是同一家企业" in text


def test_top_level_has_no_roadmap():
    q = yz.load_questionnaire("yangzhou-2022")
    a = assess_profile(q, answers_at(q, 1.0))
    assert a.level.number == len(q.levels.levels) - 1
    report = a.report("en")
    text = parse(report.to_html()).all_text()
    assert "The enterprise is at the top level" in text
    assert "The enterprise is at the top level" in report.to_markdown()


def test_questionnaire_without_catalog(mini, mini_sheet):
    a = yz.assess(mini_sheet, mini)
    html = a.report().to_html()
    assert "该问卷没有对应的资助政策目录。" in parse(html).all_text()
    assert_no_remote_resources(html)
    assert "# " in a.report("en").to_markdown()


# --------------------------------------------------------------------------- saving, notebooks
def test_save_by_extension(report_zh, tmp_path):
    for name, start in (("r.html", "<!DOCTYPE html>"), ("r.HTM", "<!DOCTYPE html>"), ("r.md", "# ")):
        path = report_zh.save(tmp_path / name)
        assert path == tmp_path / name
        assert path.read_text(encoding="utf-8").startswith(start)
    assert report_zh.save(str(tmp_path / "r.txt"), format="md").read_text(encoding="utf-8").startswith("# ")
    for bad in ("r.pdf", "r", "r.docx"):
        with pytest.raises(yz.ReportError, match=r"use \.html, \.htm or \.md") as info:
            report_zh.save(tmp_path / bad)
        assert isinstance(info.value, ValueError) and isinstance(info.value, yz.YzMaturityError)
        assert not (tmp_path / bad).exists()


def test_repr_html_is_a_scoped_fragment(report_zh):
    fragment = report_zh._repr_html_()
    assert not fragment.lstrip().lower().startswith(("<!doctype", "<html"))
    assert fragment.lstrip().startswith('<div class="yzr"')
    assert "<style>" in fragment and "@page" not in fragment
    css = re.sub(r"/\*.*?\*/", "", "".join(parse(fragment).styles), flags=re.S)
    selectors = [s.strip() for block in re.findall(r"(?:^|})\s*([^{}@]+)\{", css) for s in block.split(",")]
    assert selectors and all(
        s.startswith(".yzr") for s in selectors if s and not s.startswith(("from", "to"))
    ), selectors
    assert repr(report_zh).startswith("<Report assessment")


def test_report_does_not_load_jinja_on_import():
    import subprocess

    code = "import sys, yzmaturity; print('jinja2' in sys.modules, 'yzmaturity._render' in sys.modules)"
    root = str(Path(__file__).resolve().parent.parent)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert out.stdout.split() == ["False", "False"]


# --------------------------------------------------------------------------- CLI
def test_cli_report_writes_html_and_markdown(capsys, tmp_path):
    sheet = str(yz.example_path("yangzhou-autoparts"))
    out = tmp_path / "report.html"
    assert main(["report", sheet, "-o", str(out), "--lang", "en"]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Support categories" in html
    assert "report.html" in capsys.readouterr().err
    assert main(["report", sheet]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# 扬州江都示例汽车零部件有限公司 智改数转诊断报告")
    assert main(["report", sheet, "--format", "html"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
    md_path = tmp_path / "r.md"
    assert main(["report", sheet, "-o", str(md_path)]) == 0
    assert md_path.read_text(encoding="utf-8").startswith("# ")


def test_cli_progress_report_and_errors(capsys, tmp_path):
    new = str(yz.example_path("yangzhou-autoparts"))
    old = tmp_path / "old.yaml"
    data = yaml.safe_load(Path(new).read_text(encoding="utf-8"))
    data["answers"]["ii_cloud"] = "none"
    data["date"] = "2025-03-15"
    old.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "progress.html"
    assert main(["report", new, "--compare", str(old), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "智改数转诊断对比报告" in html and "2025-03-15 → 2026-03-15" in html
    capsys.readouterr()
    code = main(["report", new, "-o", str(tmp_path / "r.pdf")])
    err = capsys.readouterr().err
    assert code == 1 and "错误" in err and ".pdf" in err and "Traceback" not in err
    assert not (tmp_path / "r.pdf").exists()


def test_report_given_a_cohort_says_where_the_enterprise_stands(tmp_path):
    pytest.importorskip("pandas")
    from yzmaturity.datasets import make_cohort

    cohort = make_cohort(400, seed=3)
    scores = cohort.score()
    a = yz.assess(yz.load_answers(yz.example_path("yangzhou-autoparts")))
    report = a.report(lang="en", cohort=scores)
    html = report.to_html()
    assert "Among peers" in html
    position = yz.position(a, scores)
    for sentence in position.sentences("en"):
        assert _html.escape(sentence, quote=False) in html
    assert "Among peers" in report.to_markdown()
    assert "Among peers" not in a.report(lang="en").to_html()
    # and from the command line, with the cohort as a table
    table = tmp_path / "cohort.csv"
    yz.write_table(cohort.to_frame(), table)
    out = tmp_path / "r.md"
    assert (
        main(
            [
                "report",
                str(yz.example_path("yangzhou-autoparts")),
                "--cohort",
                str(table),
                "-o",
                str(out),
                "--lang",
                "en",
            ]
        )
        == 0
    )
    assert "Among peers" in out.read_text(encoding="utf-8")
