"""The form exports checked by the tools' own engines.

* SurveyJS: ``survey-core`` (npm, pinned in tests/js/package.json, installed by
  .ci/run) loads the survey under node and fills it page by page as a person
  would; the import of ``survey.data`` must validate without a relevance
  warning, show exactly our relevant questions, and assess exactly as the same
  answers given directly.
* XLSForm: ``pyxform`` converts the form without errors or warnings, and ODK
  Validate accepts it; then JavaRosa (the engine of ODK Collect, in the same
  jar; driver tests/java/FillXForm.java) steps through the XForm for random
  plans as a person would, and the submissions, read as ODK Central CSV rows,
  import to the same sheets as the answers given directly.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from forms_fill import (
    JS_DIR,
    NODE,
    direct_answers,
    random_plan,
    relevance_warnings,
    run_node,
    same_assessment,
)

import yzmaturity as yz

DATA = Path(__file__).resolve().parent / "data"
QUESTIONNAIRES = {"builtin": "yangzhou-2022", "fixture": str(DATA / "forms.yaml")}
FILLINGS = 110  # per questionnaire: 220 in all


def _need_survey_core() -> None:
    if NODE is None:
        pytest.skip("node is not installed")
    if not (JS_DIR / "node_modules" / "survey-core").is_dir():
        pytest.skip("survey-core is not installed: (cd tests/js && npm ci)")


@pytest.mark.parametrize("which", sorted(QUESTIONNAIRES))
def test_surveyjs_random_fillings_round_trip(which: str) -> None:
    _need_survey_core()
    q = yz.load_questionnaire(QUESTIONNAIRES[which])
    survey = q.to_surveyjs()
    rng = random.Random(20260 + len(which))
    plans = [random_plan(q, rng) for _ in range(FILLINGS)]
    out = run_node(survey, plans, locale=None)
    assert out["jsonErrors"] == []
    assert len(out["results"]) == FILLINGS
    seen_relevant: set[str] = set()
    seen_skipped: set[str] = set()
    for i, (plan, res) in enumerate(zip(plans, out["results"], strict=True)):
        assert res["completed"], (i, res["errors"])
        sheet = yz.answers_from_surveyjs(q, res["data"])
        assert relevance_warnings(q, sheet) == [], i
        # The questions SurveyJS showed (the answer field, or its 'not applicable' box).
        visible = set(res["visible"])
        shown = {qq.id for qq in q.questions if qq.id in visible or qq.id + "__na" in visible}
        result = yz.assess(sheet, q)
        ours = {qid for qid, r in result.questions.items() if r.relevant}
        assert shown == ours, (i, sorted(shown ^ ours))
        # The same answers given directly (asked in order, relevance decided by the engine).
        ent, answers = direct_answers(q, plan)
        direct = yz.AnswerSheet(
            questionnaire=q.id, questionnaire_version=q.version, enterprise=ent, answers=answers
        )
        assert {k: a.model_dump(mode="json") for k, a in sheet.answers.items()} == {
            k: a.model_dump(mode="json") for k, a in yz.validate_answers(direct, q).answers.items()
        }, i
        assert sheet.enterprise.dump() == ent.dump(), i
        assert same_assessment(result, yz.assess(direct, q)), i
        seen_relevant |= ours
        seen_skipped |= {qq.id for qq in q.questions} - ours
    # The fillings exercised every condition both ways.
    conditional = {qq.id for qq in q.questions if qq.relevant is not None}
    assert conditional <= seen_relevant
    assert conditional <= seen_skipped


def test_surveyjs_english_locale_fills_too() -> None:
    _need_survey_core()
    q = yz.load_questionnaire(QUESTIONNAIRES["fixture"])
    plans = [random_plan(q, random.Random(7))]
    out = run_node(q.to_surveyjs(), plans, locale="en")
    assert out["results"][0]["completed"]
    yz.answers_from_surveyjs(q, out["results"][0]["data"])


def test_surveyjs_refuses_bad_profile_codes_before_the_next_page() -> None:
    _need_survey_core()
    q = yz.load_questionnaire(QUESTIONNAIRES["fixture"])
    good = random_plan(q, random.Random(8))
    bad_industry = good | {"enterprise_industry": "C99"}  # no division 99 in GB/T 4754-2017
    bad_code = good | {"enterprise_credit_code": "91321012MA1OOOOO00"}  # O is not in the alphabet
    no_name = {k: v for k, v in good.items() if k != "enterprise_name"}
    out = run_node(q.to_surveyjs(), [good, bad_industry, bad_code, no_name])
    first, *refused = out["results"]
    assert first["completed"]
    assert [[name for name, _ in r["errors"]] for r in refused] == [
        ["enterprise_industry"],
        ["enterprise_credit_code"],
        ["enterprise_name"],
    ]
    assert not any(r["completed"] for r in refused)


@pytest.mark.parametrize("which", sorted(QUESTIONNAIRES))
def test_pyxform_converts_without_warnings(which: str, tmp_path: Path) -> None:
    pyxform = pytest.importorskip("pyxform.xls2xform", reason="pyxform (extra 'test') is not installed")
    pytest.importorskip("openpyxl", reason="openpyxl (extra 'excel') is not installed")
    q = yz.load_questionnaire(QUESTIONNAIRES[which])
    path = tmp_path / "form.xlsx"
    q.to_xlsform(path)
    result = pyxform.convert(xlsform=str(path), validate=False)
    assert result.warnings == []
    # ODK Validate (JavaRosa, what ODK Collect runs; shipped with pyxform) parses every expression.
    if shutil.which("java") is None:
        pytest.skip("java is not installed: ODK Validate cannot run (Debian: default-jre-headless)")
    validated = pyxform.convert(xlsform=str(path), validate=True)
    assert validated.warnings == []
    assert "<h:title>" in result.xform
    for qq in q.questions:
        assert f'nodeset="/{q.id.replace(".", "_")}' in result.xform or qq.id in result.xform


def _odk_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _javarosa(
    tmp_path: Path, xform: str, plans: list[dict]
) -> list[tuple[set[str], list[str], dict[str, str]]]:
    """Run tests/java/FillXForm.java (compiled here) against pyxform's ODK_Validate.jar."""
    import subprocess

    from pyxform.validators.odk_validate import ODK_VALIDATE_PATH

    if shutil.which("javac") is None or shutil.which("java") is None:
        pytest.skip("a JDK is not installed (Debian: default-jdk-headless)")
    classes = tmp_path / "classes"
    classes.mkdir()
    source = Path(__file__).resolve().parent / "java" / "FillXForm.java"
    subprocess.run(
        ["javac", "-cp", ODK_VALIDATE_PATH, "-d", str(classes), str(source)], check=True, timeout=300
    )
    form = tmp_path / "form.xml"
    form.write_text(xform, encoding="utf-8")
    lines = []
    for plan in plans:
        for name, value in plan.items():
            lines.append(f"{name}\t{'na' if name.endswith('__na') else _odk_text(value)}")
        lines.append("---")
    proc = subprocess.run(
        ["java", "-cp", f"{ODK_VALIDATE_PATH}:{classes}", "FillXForm", str(form)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = []
    for block in proc.stdout.split("---\n")[:-1]:
        shown, errors, row = set(), [], {}
        for line in block.splitlines():
            kind, _, rest = line.partition("\t")
            if kind == "R":
                shown.add(rest)
            elif kind == "E":
                errors.append(rest)
            elif kind == "V":
                path, _, value = rest.partition("\t")
                row[path] = value
        out.append((shown, errors, row))
    return out


@pytest.mark.parametrize("which", sorted(QUESTIONNAIRES))
def test_xlsform_random_fillings_in_javarosa_round_trip(which: str, tmp_path: Path) -> None:
    pyxform = pytest.importorskip("pyxform.xls2xform", reason="pyxform (extra 'test') is not installed")
    pytest.importorskip("openpyxl", reason="openpyxl (extra 'excel') is not installed")
    q = yz.load_questionnaire(QUESTIONNAIRES[which])
    q.to_xlsform(tmp_path / "form.xlsx")
    xform = pyxform.convert(xlsform=str(tmp_path / "form.xlsx"), validate=False).xform
    rng = random.Random(4711 + len(which))
    plans = [random_plan(q, rng) for _ in range(FILLINGS)]
    filled = _javarosa(tmp_path, xform, plans)
    assert len(filled) == FILLINGS
    # The submissions as ODK Central exports them: one CSV row each, group paths joined by '-'.
    result = yz.answers_from_odk(q, [row for _, _, row in filled])
    assert result.problems.rows() == []
    seen_relevant: set[str] = set()
    seen_skipped: set[str] = set()
    for i, (plan, (shown_names, errors, _row), sheet) in enumerate(
        zip(plans, filled, result.sheets, strict=True)
    ):
        assert errors == [], (i, errors)
        assert sheet is not None
        assert relevance_warnings(q, sheet) == [], i
        shown = {qq.id for qq in q.questions if qq.id in shown_names or qq.id + "__na" in shown_names}
        assessed = yz.assess(sheet, q)
        assert shown == {qid for qid, r in assessed.questions.items() if r.relevant}, i
        ent, answers = direct_answers(q, plan)
        direct = yz.AnswerSheet(
            questionnaire=q.id, questionnaire_version=q.version, enterprise=ent, answers=answers
        )
        assert {k: a.model_dump(mode="json") for k, a in sheet.answers.items()} == {
            k: a.model_dump(mode="json") for k, a in yz.validate_answers(direct, q).answers.items()
        }, i
        assert same_assessment(assessed, yz.assess(direct, q)), i
        seen_relevant |= shown
        seen_skipped |= {qq.id for qq in q.questions} - shown
    conditional = {qq.id for qq in q.questions if qq.relevant is not None}
    assert conditional <= seen_relevant and conditional <= seen_skipped


def test_javarosa_refuses_bad_profile_codes_by_constraint(tmp_path: Path) -> None:
    pyxform = pytest.importorskip("pyxform.xls2xform", reason="pyxform (extra 'test') is not installed")
    pytest.importorskip("openpyxl", reason="openpyxl (extra 'excel') is not installed")
    q = yz.load_questionnaire(QUESTIONNAIRES["fixture"])
    q.to_xlsform(tmp_path / "form.xlsx")
    xform = pyxform.convert(xlsform=str(tmp_path / "form.xlsx"), validate=False).xform
    good = random_plan(q, random.Random(8))
    plans = [
        good | {"enterprise_industry": "C99"},
        good | {"enterprise_credit_code": "91321012MA1OOOOO00"},
        good | {"enterprise_employees": -3},
        good | {"A3": ["none", "erp"]},  # an exclusive option with another
    ]
    filled = _javarosa(tmp_path, xform, plans)
    constraint = "2"  # FormEntryController.ANSWER_CONSTRAINT_VIOLATED
    assert [errors for _, errors, _ in filled] == [
        [f"enterprise_industry\t{constraint}"],
        [f"enterprise_credit_code\t{constraint}"],
        [f"enterprise_employees\t{constraint}"],
        [f"A3\t{constraint}"],
    ]
