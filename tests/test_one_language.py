"""One language at a time: no ids, Python values or rule syntax in what a person reads (zh or en).

Scans every CLI output and report for the bundled examples, and the summaries
and Markdown reports of 200 random sheets.  Ids are shown only where asked:
``--ids``, JSON, and the report's appendix for consultants.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest
import yaml

import yzmaturity as yz
from yzmaturity._cli import main
from yzmaturity._loading import default_catalog

Q = yz.load_questionnaire("yangzhou-2022")
EXAMPLES = [yz.example_path(n) for n in yz.list_examples()]

# Python's own spellings of values and objects, and the syntax of the rules.
PYTHON = re.compile(r"\b(?:True|False|None|nan|NaN|inf)\b|\['|'\]|\{'|<root>|Code\.|<[A-Za-z]+ object")
RULES = re.compile(
    r">=|<=|==|!=|\bat >=|\b(?:gte|lte|value_gte|score_gte|not_in|in_)\b|\w\+\w+ at\b|\bmetric \w"
)


def _ids(q: yz.Questionnaire, snake_only: bool) -> set[str]:
    """Question, option, dimension, category and level ids (with ``_`` only, for English text)."""
    cq = q.compiled()
    ids = set(cq.qids) | set(cq.dim_ids) | {lv.id for lv in q.levels.levels}
    catalog = default_catalog(q.id)
    if catalog is not None:
        ids |= {c.id for c in catalog.categories}
    for question in q.questions:
        ids |= {o.id for o in question.options}
    ids = {i for i in ids if len(i) > 2 and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", i)}
    return {i for i in ids if "_" in i} if snake_only else ids


def _labels(q: yz.Questionnaire, lang: str) -> list[str]:
    found = {o.label.of(lang) for x in q.questions for o in x.options}
    found |= {p.label.of(lang) for x in q.questions for p in x.points}
    return sorted(found, key=len, reverse=True)


IDS: dict[tuple[str, str], set[str]] = {}
LABELS: dict[tuple[str, str], list[str]] = {}
for _qid in yz.list_questionnaires():
    _q = yz.load_questionnaire(_qid)
    for _lang in ("zh", "en"):
        IDS[(_qid, _lang)] = _ids(_q, snake_only=_lang == "en")
        # Labels may be words such as "None" (an option "none of these"): they are not Python's None.
        LABELS[(_qid, _lang)] = _labels(_q, _lang)
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def problems(text: str, lang: str, qid: str = Q.id) -> list[str]:
    for label in LABELS[(qid, lang)]:
        text = text.replace(label, " ")
    found = [m.group(0) for m in PYTHON.finditer(text)] + [m.group(0) for m in RULES.finditer(text)]
    found += [w for w in WORD.findall(text) if w in IDS[(qid, lang)]]
    return found


# A source's page address (e.g. smejs.cn/policy_show.aspx?id=...) is cited as written, not an id shown.
URL = re.compile(r"(?:[A-Za-z0-9-]+\.)+[a-z]{2,}/\S*")


def assert_clean(text: str, lang: str, what: str, qid: str = Q.id) -> None:
    text = URL.sub(" ", text.replace(qid, " "))
    catalog = default_catalog(qid)
    if catalog is not None:  # the report's header names the catalog as it names the questionnaire
        text = text.replace(catalog.id, " ")
    bad = problems(text, lang, qid)
    assert not bad, f"{what} ({lang}): {sorted(set(bad))[:12]}"


class _Text(HTMLParser):
    """The text a reader sees, without <style>/<script> and without the consultants' id spans."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("style", "script") or "id" in classes:
            self._skip.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    return " ".join(p.parts)


def md_without_appendix(md: str, lang: str) -> str:
    heading = "## 附录" if lang == "zh" else "## Appendix"
    head, _, rest = md.partition(heading)
    metadata = rest.partition("\n## ")[2]  # the metadata after the appendix
    return head + metadata.partition("\n")[2]


def test_the_scan_catches_what_it_should():
    assert problems("差距: count scene+mandatory at >= 3 0 / 8", "zh")
    assert problems("strat_plan: False -> True", "en")
    assert problems("「战略」: written", "zh")
    assert not problems("「企业是否制定了规划？」：有书面规划 → 战略规划（总分 +1.2）", "zh")


# ---------------------------------------------------------------- the CLI over the examples
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_cli_outputs_of_the_examples(capsys, tmp_path, example, lang):
    def run(*args: str) -> str:
        code = main([*args, "--lang", lang])
        out, err = capsys.readouterr()
        assert code in (0, 1), err
        return out + err

    path = str(example)
    a = yz.assess(yz.load_answers(example))
    q = a.questionnaire
    qid = q.id

    def clean(text: str, what: str) -> None:
        assert_clean(text, lang, what, qid)

    clean(run("assess", path), "assess")
    clean(run("recommend", path), "recommend")
    # a later sheet of the same enterprise, with answers changed in both directions
    choice = next(x for x in q.questions if x.type == "single_choice" and x.id in a.sheet.answers)
    optional = next((x.id for x in q.questions if not x.required and x.id in a.sheet.answers), None)
    changes: dict[str, object] = {choice.id: choice.options[-1].id}
    if optional is not None and optional != choice.id:
        changes[optional] = None
    later = a.what_if(**changes)
    later_path = tmp_path / "later.yaml"
    yz.save_answers(later.sheet, later_path)
    clean(run("compare", path, str(later_path)), "compare")
    clean(run("validate", str(later_path)), "validate")
    bad = yaml.safe_load(example.read_text(encoding="utf-8"))
    bad["answers"][choice.id] = "writen"
    yes_no = next((x.id for x in q.questions if x.type == "yes_no"), None)
    if yes_no is not None:
        bad["answers"][yes_no] = "maybe"
    bad["enterprise"]["employees"] = -1
    bad_path = tmp_path / "bad.yaml"
    bad_path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    clean(run("validate", str(bad_path)), "validate (errors)")
    clean(run("assess", str(bad_path)), "assess (errors)")
    md = run("report", path)
    clean(md_without_appendix(md, lang), "report (Markdown)")
    html_path = tmp_path / "r.html"
    run("report", path, "-o", str(html_path))
    clean(html_text(html_path.read_text(encoding="utf-8")), "report (HTML)")
    run("report", str(later_path), "--compare", path, "-o", str(html_path))
    clean(html_text(html_path.read_text(encoding="utf-8")), "progress report (HTML)")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_template_comments_in_one_language(capsys, lang):
    assert main(["template", "--lang", lang]) == 0
    out = capsys.readouterr().out
    comments = "\n".join(line.split("#", 1)[1] for line in out.splitlines() if "#" in line)
    # option ids are written beside their labels (they are what the file takes): take them out
    for question in Q.questions:
        for o in question.options:
            comments = comments.replace(f" {o.id}: ", " ")
    comments = comments.replace("validate", " ").replace("assess", " ")  # the commands to run
    assert_clean(comments, lang, "template comments")
    if lang == "zh":
        assert "Fill in" not in out and "optional" not in out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_show_and_ids_on_request(capsys, lang):
    main(["show", "yangzhou-2022", "--lang", lang])
    out = capsys.readouterr().out
    assert_clean(out, lang, "show")
    main(["show", "yangzhou-2022", "--lang", lang, "--ids"])
    assert "strat_plan" in capsys.readouterr().out
    main(["assess", str(yz.example_path("yangzhou-autoparts")), "--lang", lang, "--ids"])
    assert "strat_" in capsys.readouterr().out


# ---------------------------------------------------------------- 200 random sheets
def random_sheet(rng: np.random.Generator, i: int) -> yz.AnswerSheet:
    answers: dict[str, object] = {}
    for question in Q.questions:
        if not question.required and rng.random() < 0.25:
            continue
        if question.allow_na and rng.random() < 0.1:
            answers[question.id] = "n/a"
            continue
        t = question.type
        if t == "single_choice":
            answers[question.id] = question.options[int(rng.integers(len(question.options)))].id
        elif t == "multiple_choice":
            plain = [o.id for o in question.options if not o.exclusive]
            exclusive = [o.id for o in question.options if o.exclusive]
            if exclusive and rng.random() < 0.15:
                answers[question.id] = [exclusive[0]]
            else:
                k = int(rng.integers(1, len(plain) + 1))
                answers[question.id] = [str(x) for x in rng.choice(plain, size=k, replace=False)]
        elif t == "yes_no":
            answers[question.id] = bool(rng.random() < 0.5)
        elif t in ("scale", "scene_level"):
            answers[question.id] = int(rng.integers(int(question.min or 0), int(question.max or 0) + 1))
        else:
            lo = question.min if question.min is not None else 0.0
            hi = question.max if question.max is not None else 1000.0
            answers[question.id] = round(float(rng.uniform(lo, hi)), 1)
    enterprise = {
        "name": f"扬州随机{i}有限公司",
        "industry": str(rng.choice(["C36", "C34", "C39", "C26", "C17"])),
        "employees": int(rng.integers(5, 3000)),
        "revenue_yuan": float(rng.integers(1, 500)) * 1e6,
        "rnd": bool(rng.random() < 0.5),
    }
    return yz.AnswerSheet.model_validate(
        {
            "questionnaire": Q.id,
            "questionnaire_version": Q.version,
            "enterprise": enterprise,
            "answers": answers,
        }
    )


def test_summaries_and_reports_of_200_random_sheets():
    rng = np.random.default_rng(13)
    for i in range(200):
        a = yz.assess(random_sheet(rng, i))
        lang = "zh" if i % 2 == 0 else "en"
        assert_clean(a.summary(lang), lang, f"summary of sheet {i}")
        assert_clean(
            md_without_appendix(a.report(lang).to_markdown(), lang), lang, f"Markdown report of sheet {i}"
        )
        for w in a.warnings:
            assert_clean(w.text(lang), lang, f"warning of sheet {i}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_batch_summary(capsys, tmp_path, lang):
    pytest.importorskip("pandas", reason="tables need pandas")
    from yzmaturity.datasets import make_cohort

    src = tmp_path / "cohort.csv"
    make_cohort(40, seed=3).to_frame().to_csv(src, index=False)
    assert main(["batch", str(src), "-o", str(tmp_path / "out.csv"), "--no-progress", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert_clean(out.replace(str(tmp_path), " "), lang, "batch")
    assert ("有效" in out) == (lang == "zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cohort_report(capsys, tmp_path, lang):
    pytest.importorskip("pandas", reason="tables need pandas")
    from yzmaturity.datasets import make_cohort

    src = tmp_path / "cohort.csv"
    cohort = make_cohort(60, seed=3)
    cohort.to_frame().to_csv(src, index=False)
    out = tmp_path / "cohort.html"
    assert main(["cohort-report", str(src), "-o", str(out), "--lang", lang]) == 0
    capsys.readouterr()
    text = html_text(out.read_text(encoding="utf-8"))
    assert_clean(text, lang, "cohort report (HTML)")
    assert ("扬州市" in text) == (lang == "zh")
    assert_clean(yz.cohort_report(cohort.score(), lang=lang).to_markdown(), lang, "cohort report (Markdown)")
