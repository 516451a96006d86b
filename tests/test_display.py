"""Notebook display: rich HTML of every result class, DataFrames, and the radar plot."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings
from html.parser import HTMLParser

import numpy as np
import pytest
import yaml
from conftest import DATA, ROOT

import yzmaturity as yz

HOSTILE = "<script>alert(1)</script>"
ALLOWED_TAGS = {"div", "span", "b", "code", "table", "thead", "tbody", "tr", "th", "td", "ul", "li"}


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def q():
    return yz.load_questionnaire("yangzhou-2022")


@pytest.fixture(scope="module")
def a():
    return yz.assess(yz.load_answers(ROOT / "examples" / "yangzhou-autoparts.yaml"))


@pytest.fixture(scope="module")
def comparison(a):
    rm = a.roadmap()
    return yz.compare(a, a.what_if(**{s.question: s.target for s in rm.steps}))


@pytest.fixture(scope="module")
def batch(q):
    sheets = [yz.load_answers(yz.example_path(name)) for name in yz.list_examples()]
    sheets = [s for s in sheets if s.questionnaire == q.id]  # the examples of this questionnaire
    broken = sheets[0].with_answers(strat_plan="nope")
    broken = broken.model_copy(update={"enterprise": broken.enterprise.model_copy(update={"name": HOSTILE})})
    return yz.score_batch(q, [*sheets, broken])


@pytest.fixture(scope="module")
def cohort(batch):
    return yz.match_batch(yz.load_catalog("yangzhou-zgsz-2022"), batch)


# --------------------------------------------------------------------------- an HTML reader
class _Reader(HTMLParser):
    """Collects tags and tables (rows of cell texts) of a fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._styles.append(dict(attrs).get("style") or "")
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def styles(self) -> list[str]:
        return self._styles


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def bundle_html(obj) -> str:
    b = obj._repr_mimebundle_()
    assert set(b) == {"text/plain", "text/html"}
    assert b["text/plain"] == repr(obj)
    html = b["text/html"]
    tags = read(html).tags
    assert set(tags) <= ALLOWED_TAGS, set(tags) - ALLOWED_TAGS  # no script, link, image, style sheet
    assert "http" not in html and "url(" not in html
    return html


def rows_by_first_cell(table: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row for row in table[1:]}


def fmt(value: float | None) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1f}"


# --------------------------------------------------------------------------- mime bundles
def test_questionnaire_html(q):
    html = bundle_html(q)
    r = read(html)
    assert q.id in html and q.version in html and q.title.zh in html and q.title.en in html
    dims = {row[1]: row for row in r.tables[0][1:]}
    assert list(dims) == [d.id for d in q.walk_dimensions()]
    for d in q.walk_dimensions():
        n_q = sum(len(x.questions) for x in d.walk())
        assert dims[d.id][2:] == [f"{d.weight:g}", str(n_q)]
    levels = r.tables[1][1:]
    assert [row[1] for row in levels] == [lv.id for lv in q.levels.levels]
    assert all(
        lv.name.zh in row[2] and lv.name.en in row[2] for lv, row in zip(q.levels.levels, levels, strict=True)
    )


def test_assessment_html(a):
    html = bundle_html(a)
    r = read(html)
    text = " ".join("".join(r.text).split())
    assert a.enterprise.name in text
    assert f"{a.overall:.1f} / 100" in text
    assert f"L{a.level.number} {a.level.name.zh}" in text
    dims, recs = r.tables
    assert len(dims) == 1 + len(a.dimensions)
    for row, d in zip(dims[1:], a.dimensions.values(), strict=True):
        assert d.title.zh in row[0]
        assert row[1] == fmt(d.score)
        assert row[3] == ("" if d.level is None else f"L{d.level}")
        assert row[4] == f"{d.answered}/{d.questions}"
    # the bars: one per dimension, as wide as the score
    widths = [s for s in r.styles if s.startswith("width:") and "%" in s.split(";")[0]]
    assert [float(s.split(";")[0][6:-1]) for s in widths] == [
        pytest.approx(d.score, abs=0.05) for d in a.dimensions.values()
    ]
    top = a.recommendations[:3]
    assert len(recs) == 4
    for i, (row, rec) in enumerate(zip(recs[1:], top, strict=True), start=1):
        assert row[0] == str(i)
        assert rec.name.zh in row[1] and rec.reasons[0].text.zh in row[1]
        assert row[2] == f"{round(rec.fit * 100)}%"
        assert rec.eligibility.replace("_", " ") in row[3]


def test_comparison_html(comparison):
    c = comparison
    html = bundle_html(c)
    r = read(html)
    text = " ".join("".join(r.text).split())
    assert f"{c.overall.before:.1f} → {c.overall.after:.1f} (+{c.overall.change:.1f})" in text
    assert f"L{c.level_before}" in text and f"L{c.level_after} {c.after.level.name.zh}" in text
    assert f"{len(c.answers_changed)}" in text
    table = r.tables[0]
    assert len(table) == 1 + len(c.dimensions)
    for row, (did, delta) in zip(table[1:], c.dimensions.items(), strict=True):
        assert c.after.dimensions[did].title.zh in row[0]
        assert row[1:] == [fmt(delta.before), fmt(delta.after), f"{delta.change:+.1f}"]
    changed = r.tables[1][1:]
    assert len(changed) == len(c.categories_changed) > 0


def test_batch_html(batch, q):
    html = bundle_html(batch)
    r = read(html)
    text = " ".join("".join(r.text).split())
    assert "Rows: 4" in text and "Invalid: 1" in text
    assert f"Mean overall: {np.mean(batch.overall[batch.valid]):.1f}" in text
    levels = r.tables[0][1:]
    counts = batch.level_counts()
    assert [int(row[1]) for row in levels] == [counts[lv.number] for lv in q.levels.levels]
    assert sum(int(row[1]) for row in levels) == 3
    means = r.tables[1][1:]
    tops = [d for d in q.dimensions]
    assert len(means) == len(tops)
    for row, d in zip(means, tops, strict=True):
        assert d.title.zh in row[0]
        assert row[1] == f"{np.mean(batch.dimension(d.id)[batch.valid]):.1f}"
    # the invalid row is listed with its (escaped) name and first problem
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and HOSTILE not in html
    assert "unknown_option" in html


def test_cohort_html(cohort):
    html = bundle_html(cohort)
    r = read(html)
    counts = cohort.counts()
    table = r.tables[0]
    assert len(table) == 1 + len(cohort.category_ids)
    for row, cat in zip(table[1:], cohort.catalog.categories, strict=True):
        c = counts[cat.id]
        assert cat.name.zh in row[0]
        expected = [c["eligible"], c["needs_checking"], c["not_eligible"], c["not_applicable"]]
        assert [int(x) for x in row[1:]] == [*expected, c["fit_at_least_half"], c["top_choice"]]
        assert sum(expected) == 3  # the three valid rows


def test_include_and_exclude(a, q):
    assert set(a._repr_mimebundle_(include={"text/html"})) == {"text/html"}
    assert set(q._repr_mimebundle_(exclude={"text/html"})) == {"text/plain"}
    assert a._repr_mimebundle_(include={"image/png"}) == {}


def test_ipython_uses_the_bundle(a):
    formatters = pytest.importorskip("IPython.core.formatters")
    data, _ = formatters.DisplayFormatter().format(a)
    assert data["text/html"] == a._repr_mimebundle_()["text/html"]


def test_user_text_is_escaped(q, mini, mini_sheet):
    sheet = yz.load_answers(ROOT / "examples" / "yangzhou-autoparts.yaml")
    hostile = sheet.model_copy(update={"enterprise": sheet.enterprise.model_copy(update={"name": HOSTILE})})
    a = yz.assess(hostile)
    c = yz.compare(a, a.what_if(strat_plan="none"))
    for obj in (a, c):
        html = bundle_html(obj)
        assert HOSTILE not in html and "<script" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # texts of a questionnaire are data too
    raw = yaml.safe_load((DATA / "mini.yaml").read_text(encoding="utf-8"))
    raw["title"] = {"zh": HOSTILE, "en": '"><img src=x onerror=alert(1)>'}
    raw["dimensions"][0]["title"]["zh"] = "<b>bold</b> & co"
    evil = yz.Questionnaire.model_validate(raw)
    html = bundle_html(evil)
    assert (
        "&lt;script&gt;" in html
        and "&quot;&gt;&lt;img" in html
        and "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    )
    sheet = {**mini_sheet, "enterprise": {"name": HOSTILE}}
    html = bundle_html(yz.assess(sheet, evil))
    assert "<script" not in html and "<img" not in html


def test_rendering_imports_nothing_heavy():
    code = (
        "import sys, json, yzmaturity as yz; "
        "a = yz.assess(yz.load_answers(yz.example_path('yangzhou-autoparts'))); "
        "s = yz.score_batch(a.questionnaire, [a.sheet]); "
        "objs = [a.questionnaire, a, yz.compare(a, a), s, yz.match_batch(yz.load_catalog('yangzhou-zgsz-2022'), s)]; "
        "assert all('text/html' in o._repr_mimebundle_() for o in objs); "
        "print(json.dumps(sorted(m for m in ('pandas', 'matplotlib', 'jinja2') if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(out.stdout) == []


# --------------------------------------------------------------------------- frames
def test_assessment_frame(a):
    pd = pytest.importorskip("pandas")
    df = a.to_frame()
    assert list(df.columns) == [
        "id",
        "title_zh",
        "title_en",
        "parent",
        "depth",
        "score",
        "level",
        "answered",
        "applicable",
        "questions",
    ]
    assert df.shape == (len(a.dimensions), 10)
    for row in df.itertuples(index=False):
        d = a.dimensions[row.id]
        assert (row.title_zh, row.title_en, row.parent, row.depth) == (
            d.title.zh,
            d.title.en,
            d.parent,
            d.depth,
        )
        assert row.score == pytest.approx(d.score)
        assert (None if pd.isna(row.level) else int(row.level)) == d.level
        assert (row.answered, row.applicable, row.questions) == (d.answered, d.applicable, d.questions)
    assert df["level"].isna().sum() == sum(d.level is None for d in a.dimensions.values()) > 0


def test_questions_frame(a):
    pytest.importorskip("pandas")
    df = a.questions_frame()
    assert list(df.columns) == [
        "id",
        "dimension",
        "answer",
        "score",
        "applicable",
        "contribution",
        "points_lost",
    ]
    assert df.shape == (len(a.questions), 7)
    assert list(df["id"]) == list(a.questions)
    # contributions add up to the overall, and with the points lost to 100
    assert df["contribution"].sum() == pytest.approx(a.overall, abs=0.01)
    assert (df["contribution"] + df["points_lost"]).sum() == pytest.approx(100, abs=0.01)
    row = df.set_index("id").loc["strat_diagnosed"]  # an answer with a note: the frame shows the value
    assert row["answer"] is True and row["score"] == 1.0 and row["dimension"] == "strategy"
    assert df.set_index("id").loc["ii_networking_rate", "answer"] == 35
    gaps = df.sort_values(["points_lost", "id"], ascending=[False, True]).head(5)
    assert list(gaps["id"]) == [g.id for g in a.top_gaps(5)]


def test_batch_frame(batch):
    pd = pytest.importorskip("pandas")
    df = batch.to_frame()
    dims = [f"dim:{d}" for d in batch.dimension_ids]
    assert list(df.columns) == ["row_id", "valid", "errors", "overall", "level", *dims]
    assert df.shape == (4, 5 + len(dims))
    assert list(df["row_id"]) == batch.row_ids
    assert list(df["valid"]) == [True, True, True, False]
    assert list(df["errors"]) == [len(batch.errors[i]) for i in range(4)]
    assert df["errors"].iloc[3] > 0
    np.testing.assert_array_equal(df["overall"].to_numpy(), batch.overall)
    assert list(df["level"].iloc[:3]) == batch.level[:3].tolist() and df["level"].iloc[3] is pd.NA
    np.testing.assert_array_equal(df[dims].to_numpy(), batch.dimensions)


def test_batch_frame_without_row_ids(q):
    pytest.importorskip("pandas")
    best = yz.example_answers(q, "best")
    s = yz.score_batch(q, [best, best])
    s.row_ids = None
    df = s.to_frame()
    assert "row_id" not in df.columns and list(df["overall"]) == [100.0, 100.0]


def test_comparison_frame(comparison):
    pytest.importorskip("pandas")
    df = comparison.to_frame()
    assert list(df.columns) == ["id", "title_zh", "title_en", "depth", "before", "after", "change"]
    assert list(df["id"]) == list(comparison.dimensions)
    for row in df.itertuples(index=False):
        delta = comparison.dimensions[row.id]
        assert (row.before, row.after, row.change) == pytest.approx((delta.before, delta.after, delta.change))
    np.testing.assert_allclose(df["change"], df["after"] - df["before"], atol=1e-9)


def test_cohort_frame(cohort):
    pytest.importorskip("pandas")
    from yzmaturity._matching import STATES

    df = cohort.to_frame()
    ids = cohort.category_ids
    assert list(df.columns) == ["valid", *(f"fit:{c}" for c in ids), *(f"state:{c}" for c in ids)]
    assert df.shape == (4, 1 + 2 * len(ids))
    for j, cid in enumerate(ids):
        np.testing.assert_array_equal(df[f"fit:{cid}"].to_numpy(), cohort.arrays.fit[:, j])
        states = df[f"state:{cid}"]
        assert list(states.cat.categories) == list(STATES)
        assert list(states.iloc[:3]) == [STATES[k] for k in cohort.arrays.state[:3, j]]
        assert states.isna().tolist() == [False, False, False, True]
    # the frame agrees with counts()
    for cid, c in cohort.counts().items():
        assert (df[f"state:{cid}"] == "eligible").sum() == c["eligible"]
        assert (df[f"fit:{cid}"] >= 0.5).sum() == c["fit_at_least_half"]


def test_frames_without_pandas(monkeypatch, a, comparison, batch, cohort):
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now fails
    for make in (a.to_frame, a.questions_frame, comparison.to_frame, batch.to_frame, cohort.to_frame):
        with pytest.raises(yz.MissingDependencyError) as info:
            make()
        err = info.value
        assert isinstance(err, ImportError)
        assert (err.feature, err.package, err.extra) == ("to_frame()", "pandas", "frames")
        assert "pip install 'yzmaturity[frames]'" in str(err)


# --------------------------------------------------------------------------- the radar
@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plot_radar(a, plt, lang):
    from yzmaturity._render.plot import cjk_font

    tops = [d for d in a.dimensions.values() if d.depth == 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Glyph ... missing from font": none
        ax = a.plot(lang=lang)
        ax.figure.canvas.draw()
    assert ax.name == "polar"
    assert len(ax.lines) == 1 and len(ax.patches) == 1  # one series: its outline and its fill
    y = ax.lines[0].get_ydata()
    assert list(y) == pytest.approx([d.score for d in tops] + [tops[0].score])
    assert ax.get_ylim() == (0, 100)
    labels = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    shown = "zh" if lang == "zh" and cjk_font() is not None else "en"
    assert labels == [d.title.of(shown) for d in tops]
    assert f"{a.overall:.1f}" in ax.get_title()


def test_plot_on_given_axes(a, plt):
    fig, (left, right) = plt.subplots(1, 2, subplot_kw={"projection": "polar"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert a.plot(ax=right, lang="en") is right
        fig.canvas.draw()
    assert len(right.lines) == 1 and len(left.lines) == 0
    _, flat = plt.subplots()
    with pytest.raises(ValueError, match="polar"):
        a.plot(ax=flat)
    with pytest.raises(ValueError, match="lang"):
        a.plot(lang="fr")


def test_plot_without_matplotlib(monkeypatch, a):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(yz.MissingDependencyError) as info:
        a.plot()
    assert (info.value.feature, info.value.package, info.value.extra) == ("plot()", "matplotlib", "plot")
