"""The analyst's view of a cohort: PeerPercentiles in a notebook, levels by district and industry,
the cohort plots, the cohort report and its command.  Every number is checked against a count
made here, from the profile arrays, with collections.Counter."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from html.parser import HTMLParser

import numpy as np
import pytest

import yzmaturity as yz
from yzmaturity._cli import main
from yzmaturity._cohort import division_code
from yzmaturity.datasets import make_cohort

HOSTILE = "<script>alert(1)</script>区"
# Yangzhou's county-level division codes (GB/T 2260), written out here for the test.
CODES = {"321012": "江都区", "321084": "高邮市"}


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def cohort():
    return make_cohort(300, seed=4)  # synthetic


@pytest.fixture(scope="module")
def broken(cohort):
    """The cohort's scores with five invalid rows, and a profile with blank, coded and hostile regions."""
    q = cohort.questionnaire
    answers = {k: v.copy() for k, v in cohort.answers.items()}
    choice = next(x.id for x in q.questions if x.type == "single_choice" and x.required)
    answers[choice][:5] = "no-such-option"
    scores = yz.score_batch(q, answers, profile=cohort.profile)
    region = np.array(cohort.profile["region"], dtype=object)
    credit = np.full(len(region), None, dtype=object)
    region[5:15] = None
    credit[5:10] = "91321012MA1XXXXXX1"  # 江都区
    credit[10:12] = "91321084MA1XXXXXX2"  # 高邮市
    credit[12:14] = "91320100MA1XXXXXX3"  # Nanjing: kept as its code
    region[20:46] = HOSTILE  # rows 14 and 15: no region, no code: unknown
    return scores, {"region": region, "credit_code": credit}


def district_of(region, credit) -> str | None:
    if region:
        return region
    if credit is None:
        return None
    return CODES.get(credit[2:8], credit[2:8])


def expected_levels(scores, keys) -> Counter:
    return Counter(
        (k, int(lv))
        for k, lv, ok in zip(keys, scores.level.tolist(), scores.valid.tolist(), strict=True)
        if ok
    )


class Tables(HTMLParser):
    """Every <table> as a list of rows of cell texts (th and td), and the text of <b> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.bold: list[str] = []
        self._cell: list[str] | None = None
        self._in_b = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "b":
            self._in_b = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "b":
            self._in_b = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_b:
            self.bold.append(data)


def parse(html: str) -> Tables:
    p = Tables()
    p.feed(html)
    return p


# --------------------------------------------------------------------------- levels by group
def test_levels_by_district_counts_every_valid_row_once(broken):
    scores, profile = broken
    keys = [district_of(r, c) for r, c in zip(profile["region"], profile["credit_code"], strict=True)]
    table = yz.levels_by(scores, "district", profile)
    want = expected_levels(scores, keys)
    got = {
        (g, lv): int(c)
        for g, row in zip(table.groups, table.counts, strict=True)
        for lv, c in zip(table.levels, row, strict=True)
        if c
    }
    assert got == dict(want)
    assert int(table.counts.sum()) == int(scores.valid.sum()) == len(scores) - 5
    assert table.groups[-1] is None and "江都区" in table.groups and "320100" in table.groups
    assert list(table.totals[:-1]) == sorted(table.totals[:-1], reverse=True)  # largest first, unknown last
    labels = dict(zip(table.groups, table.labels("en"), strict=True))
    assert labels["江都区"] == "Jiangdu" and labels[None] == "unknown" and labels[HOSTILE] == HOSTILE
    assert table.to_dict()[""] == {
        f"L{lv}": int(c) for lv, c in zip(table.levels, table.counts[-1], strict=True)
    }


def test_levels_by_industry_and_by_any_field(cohort):
    scores = cohort.score()
    keys = [division_code(int(d)) for d in cohort.profile["industry_division"]]
    table = yz.levels_by(scores, "industry")
    got = {(g, lv): int(c) for g, row in zip(table.groups, table.counts, strict=True) for lv, c in zip(table.levels, row, strict=True) if c}  # fmt: skip
    assert got == dict(expected_levels(scores, keys))
    zh = dict(zip(table.groups, table.labels("zh"), strict=True))
    assert zh["C36"] == "C36 汽车制造业"
    size = yz.levels_by(scores, "size_class")
    assert dict(zip(size.groups, size.totals.tolist(), strict=True)) == dict(
        Counter(cohort.profile["size_class"])
    )
    with pytest.raises(yz.ReportError, match="language"):
        table.labels("fr")


def test_weakest_dimensions_are_the_lowest_means(cohort):
    scores = cohort.score()
    cq = scores.questionnaire.compiled()
    means = {d.id: float(np.nanmean(scores.dimension(d.id))) for d in cq.dims}
    weakest = yz.weakest_dimensions(scores, 4)
    assert [w["id"] for w in weakest] == sorted(means, key=means.get)[:4]
    assert [round(w["mean"], 9) for w in weakest] == [round(means[w["id"]], 9) for w in weakest]


# --------------------------------------------------------------------------- PeerPercentiles in a notebook
def test_peer_percentiles_display(broken):
    scores, profile = broken
    pp = yz.peer_percentiles(scores, profile={"region": profile["region"]}, by=("region",), min_group=20)
    bundle = pp._repr_mimebundle_()
    assert bundle["text/plain"] == repr(pp)
    html = bundle["text/html"]
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    valid = scores.valid
    sizes = Counter(r for r, ok in zip(profile["region"], valid, strict=True) if ok and r)
    small = {r for r, n in sizes.items() if n < 20}
    fell = sum(1 for r, ok in zip(profile["region"], valid, strict=True) if ok and (not r or r in small))
    page = parse(html)
    assert page.bold[:3] == [str(len(scores)), str(int(valid.sum())), str(fell)]
    groups, columns = page.tables
    placed = {row[0].split(" ")[0]: (int(row[2]), int(row[3])) for row in groups[1:]}  # "邗江区 Hanjiang"
    for region, n in sizes.items():
        if region not in small:
            assert placed[region] == (n, n)
    assert placed["全部参评企业"] == (fell, int(valid.sum()))
    assert len(groups) - 1 == len(sizes) - len(small) + 1
    # one row per column, its title and the number of rows ranked
    assert [row[0] for row in columns[1:]] == [
        " ".join(f"{pp.titles[c].zh} {pp.titles[c].en}".split()) for c in pp.columns
    ]
    assert {row[1] for row in columns[1:]} == {str(int(valid.sum()))}
    assert pp._repr_mimebundle_(include={"text/plain"}) == {"text/plain": repr(pp)}
    assert set(pp._repr_mimebundle_(exclude={"text/plain"})) == {"text/html"}


# --------------------------------------------------------------------------- plots
@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def shown(lang: str) -> str:
    from yzmaturity._render.plot import cjk_font

    return "zh" if lang == "zh" and cjk_font() is not None else "en"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plot_levels_bars_are_the_counts(broken, plt, lang):
    scores, profile = broken
    keys = [district_of(r, c) for r, c in zip(profile["region"], profile["credit_code"], strict=True)]
    want = expected_levels(scores, keys)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Glyph missing": Chinese falls back to English without a font
        ax = yz.plot_levels(scores, "district", profile, lang=lang)
        ax.figure.canvas.draw()
    table = yz.levels_by(scores, "district", profile)
    key_of = dict(zip([t.get_text() for t in ax.get_xticklabels()], table.groups, strict=True))
    levels = [lv.number for lv in scores.questionnaire.levels.levels]
    assert len(ax.containers) == len(levels)
    for lv, container in zip(levels, ax.containers, strict=True):
        heights = [p.get_height() for p in container]
        assert heights == [want.get((key_of[t.get_text()], lv), 0) for t in ax.get_xticklabels()]
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert names == [f"L{lv.number} {lv.name.of(shown(lang))}" for lv in scores.questionnaire.levels.levels]
    assert "Jiangdu" in key_of or "江都区" in key_of


def test_plot_percentiles_of_a_position_and_of_rows(cohort, plt):
    scores = cohort.score()
    pos = yz.position(7, scores)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = yz.plot_percentiles(pos, lang="en")
        ax.figure.canvas.draw()
    widths = [p.get_width() for p in ax.containers[0]]
    assert widths == pytest.approx([pos.percentiles[c] for c in pos.percentiles])
    assert [t.get_text() for t in ax.get_yticklabels()] == [pos.titles[c].en for c in pos.percentiles]
    pp = yz.peer_percentiles(scores)
    _, ax2 = plt.subplots()
    assert yz.plot_percentiles(pp, rows=[3, 11], names=["A", "B"], ax=ax2, lang="en") is ax2
    for k, row in enumerate((3, 11)):
        assert [p.get_width() for p in ax2.containers[k]] == pytest.approx(list(pp.percentiles[row]))
    assert [t.get_text() for t in ax2.get_legend().get_texts()] == ["A", "B"]
    with pytest.raises(ValueError, match="rows"):
        yz.plot_percentiles(pp)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_archetype_map(cohort, plt, lang):
    pytest.importorskip("sklearn")
    from sklearn.decomposition import PCA

    from yzmaturity.ml import ArchetypeClustering, dimension_matrix

    scores = cohort.score()
    model = ArchetypeClustering(4, random_state=0, n_init=3).fit(scores)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = yz.plot_archetypes(model, scores, lang=lang)
        ax.figure.canvas.draw()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [n.of(shown(lang)) for n in model.archetype_names_]
    sizes = [len(c.get_offsets()) for c in ax.collections]
    assert sizes == np.bincount(model.labels_, minlength=4).tolist()
    # the points are the first two principal components of the standardised rows (up to sign)
    X = dimension_matrix(scores, as_frame=False)
    pcs = PCA(2).fit_transform((X - X.mean(axis=0)) / X.std(axis=0))
    for k, c in enumerate(ax.collections):
        got = np.asarray(c.get_offsets())
        ref = pcs[model.labels_ == k]
        assert np.allclose(np.abs(got), np.abs(ref), atol=1e-6)
    with pytest.raises(ValueError, match="NaN"):
        X2 = X.copy()
        X2[0, 0] = np.nan
        yz.plot_archetypes(model, X2)
    with pytest.raises(ValueError, match="fitted"):
        yz.plot_archetypes(ArchetypeClustering(2), scores)


def test_plots_without_matplotlib(monkeypatch, cohort):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(yz.MissingDependencyError) as info:
        yz.plot_levels(cohort.score())
    assert (info.value.package, info.value.extra) == ("matplotlib", "plot")


# --------------------------------------------------------------------------- the cohort report
def group_rows(html: str, heading: str) -> dict[str, list[int]]:
    """The rows of the group table after ``heading``: label -> counts per level and the total."""
    section = html.split(heading, 1)[1]
    table = parse(section).tables[0]
    return {row[0]: [int(x) for x in row[1:]] for row in table[1:]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_tables_are_the_counts(broken, lang):
    scores, profile = broken
    report = yz.cohort_report(scores, profile, lang=lang)
    html = report.to_html()
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    keys = [district_of(r, c) for r, c in zip(profile["region"], profile["credit_code"], strict=True)]
    want = expected_levels(scores, keys)
    levels = [lv.number for lv in scores.questionnaire.levels.levels]
    t = yz.levels_by(scores, "district", profile)
    label = dict(zip(t.groups, t.labels(lang), strict=True))
    heading = "各区县的成熟度等级" if lang == "zh" else "Maturity levels by district"
    rows = group_rows(html, f">{heading}</h2>")
    assert rows == {
        label[g]: [want.get((g, lv), 0) for lv in levels] + [sum(want.get((g, lv), 0) for lv in levels)]
        for g in {k for k, _ in want}
    }
    # the cover counts every row, valid or not
    cover = parse(html.split("</header>")[0])
    assert cover.tables == []
    invalid = re.search(r"<dt>(?:无效|Invalid)[^<]*</dt><dd>(\d+)</dd>", html)
    assert invalid is not None and int(invalid.group(1)) == 5
    # demand per category: CohortMatch.counts() of the questionnaire's catalog
    match = yz.match_batch(yz.load_catalog("yangzhou-zgsz-2022"), scores)
    names = {c.id: c.name.of(lang) for c in match.catalog.categories}
    demand = parse(html.split('id="demand"')[1]).tables[0]
    assert {row[0]: [int(x) for x in row[1:]] for row in demand[1:]} == {
        names[cid]: [
            c["eligible"], c["needs_checking"], c["not_eligible"], c["not_applicable"],
            c["fit_at_least_half"], c["top_choice"],
        ]
        for cid, c in match.counts().items()
    }  # fmt: skip
    # the synthetic data are labelled
    assert ("合成数据，非真实企业" in html) == (lang == "zh") and ("Synthetic data" in html) == (lang == "en")


def test_report_without_catalog_named_cohort_and_real_names(broken, tmp_path):
    scores, profile = broken
    names = np.array([f"扬州企业{i}" for i in range(len(scores))], dtype=object)
    report = yz.cohort_report(scores, {**profile, "name": names}, catalog=None, lang="en", city="Hanjiang")
    assert report.title == "Digital-maturity cohort report: Hanjiang"
    html = report.to_html()
    assert "Synthetic data" not in html  # no synthetic mark in the names
    path = report.save(tmp_path / "city.html")
    assert path.read_text(encoding="utf-8") == html
    md = report.save(tmp_path / "city.md").read_text(encoding="utf-8")
    assert "| Jiangdu |" in md and "<svg" not in md and "&lt;script&gt;" in md
    with pytest.raises(yz.ReportError, match="extension"):
        report.save(tmp_path / "city.pdf")
    with pytest.raises(yz.ReportError, match="language"):
        yz.cohort_report(scores, lang="fr")


def test_cohort_report_command(tmp_path, capsys):
    pytest.importorskip("pandas")
    frame = make_cohort(80, seed=5).to_frame()
    q = yz.load_questionnaire("yangzhou-2022")
    choice = next(x.id for x in q.questions if x.type == "single_choice" and x.required)
    frame.loc[0, choice] = "no-such-option"
    src = tmp_path / "city.csv"
    frame.to_csv(src, index=False)
    out = tmp_path / "city.html"
    assert main(["cohort-report", str(src), "-o", str(out), "--lang", "en", "--city", "Yangzhou <test>"]) == 0
    assert "Digital-maturity cohort report: Yangzhou <test>" in capsys.readouterr().err
    html = out.read_text(encoding="utf-8")
    assert "Yangzhou &lt;test&gt;" in html and "Synthetic data" in html
    rows = group_rows(html, ">Maturity levels by district</h2>")
    want = Counter(r for i, r in enumerate(frame["region"]) if i != 0)
    label = {"江都区": "Jiangdu", "邗江区": "Hanjiang", "仪征市": "Yizheng", "高邮市": "Gaoyou", "宝应县": "Baoying",
             "广陵区": "Guangling", "扬州经济技术开发区": "Yangzhou Economic and Technological Development Zone",
             "生态科技新城": "Eco-Tech New Town"}  # fmt: skip
    assert {k: v[-1] for k, v in rows.items()} == {label[r]: n for r, n in want.items()}
    # the input is never the output
    assert main(["cohort-report", str(src), "-o", str(src)]) == 1
    assert "city.csv" in capsys.readouterr().err


def test_a_bad_grouping_is_a_clear_error_naming_the_argument(cohort):
    """``by``, ``profile`` and ``min_group`` that cannot be used: an AnswerValidationError (a ValueError)
    naming the argument, what was expected and what came; one field may be named alone."""
    scores = cohort.score()
    one = yz.peer_percentiles(scores, by="region")
    np.testing.assert_array_equal(one["overall"], yz.peer_percentiles(scores, by=["region"])["overall"])
    cases = [
        (lambda: yz.peer_percentiles(scores, by=["nosuch"]), "by", "unknown_field", "nosuch"),
        (lambda: yz.levels_by(scores, ["region"]), "by", "wrong_type", ["region"]),
        (lambda: yz.levels_by(scores, "nosuch"), "by", "unknown_field", "nosuch"),
        (lambda: yz.peer_percentiles(scores, min_group=0), "min_group", "out_of_range", 0),
        (
            lambda: yz.peer_percentiles(scores, by=["zone"], profile={"zone": ["a", "b"]}),
            "profile",
            "wrong_type",
            (2,),
        ),
    ]
    for call, argument, code, got in cases:
        with pytest.raises(yz.AnswerValidationError) as info:
            call()
        detail = info.value.details[0]
        assert (detail.loc, detail.code, detail.got) == ((argument,), code, got)
        assert detail.expected
    q2024 = yz.load_questionnaire("yangzhou-2024")
    other = yz.assess(yz.example_answers(q2024))
    with pytest.raises(yz.ComparisonError) as info:
        yz.position(other, scores)
    assert info.value.details[0].code == "questionnaire_mismatch"
