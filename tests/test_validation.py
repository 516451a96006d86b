"""Every problem at once, in the reader's language; nothing silent; one leniency; JSON round trips."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
import yaml
from conftest import ROOT

import yzmaturity as yz
from yzmaturity._cli import main

Q = yz.load_questionnaire("yangzhou-2022")
AUTOPARTS = yz.example_path("yangzhou-autoparts")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def autoparts_data() -> dict:
    return yaml.safe_load(AUTOPARTS.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- one pass
def test_shape_and_answer_problems_come_in_one_pass():
    data = autoparts_data()
    data["date"] = "2024-02-30"
    data["enterprise"]["name"] = ""
    data["enterprise"]["employees"] = -5
    data["answers"]["strat_plan"] = "writen"
    data["answers"]["strat_diagnosed"] = "maybe"
    del data["answers"]["strat_talent"]
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.validate_answers(data)
    where = {d.loc: d.code for d in info.value.details}
    assert where == {
        ("date",): "date_from_datetime_parsing",
        ("enterprise", "name"): "string_too_short",
        ("enterprise", "employees"): "greater_than_equal",
        ("answers", "strat_plan"): "unknown_option",
        ("answers", "strat_diagnosed"): "wrong_type",
        ("answers", "strat_talent"): "missing_required",
    }
    # assess says the same, all at once
    with pytest.raises(yz.AnswerValidationError) as again:
        yz.assess(data)
    assert {d.loc for d in again.value.details} == set(where)


def test_the_blank_template_lists_the_name_and_every_missing_answer(capsys, tmp_path):
    code, _, _ = run(capsys, "template", "-o", str(tmp_path / "blank.yaml"))
    assert code == 0
    blank = yaml.safe_load((tmp_path / "blank.yaml").read_text(encoding="utf-8"))
    problems = yz.check_answers(blank)
    required = [q.id for q in Q.questions if q.required and q.relevant is None]
    codes = [p.code for p in problems]
    assert codes.count("string_too_short") == 1  # the empty name ...
    missing = {p.loc[-1] for p in problems if p.code == "missing_required"}
    assert set(required) <= missing  # ... and every unconditional required question, in the same pass


def test_a_shape_error_in_an_answer_is_not_also_called_missing():
    data = autoparts_data()
    data["answers"]["strat_plan"] = {"valu": "written"}
    problems = yz.check_answers(data)
    assert [(p.code, p.loc[:2]) for p in problems if p.severity == "error"] == [
        ("extra_forbidden", ("answers", "strat_plan"))
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_messages_name_questions_by_their_text_and_show_no_python(lang):
    data = autoparts_data()
    data["answers"]["strat_diagnosed"] = None
    data["answers"]["strat_plan"] = 3
    data["answers"]["sys_in_use"] = ["erp", "nonsense"]
    data["enterprise"]["employees"] = "many"
    problems = yz.check_answers(data)
    assert problems
    for p in problems:
        text = p.text(lang)
        for bad in ("'", "None", "True", "False", "strat_", "sys_", "<root>", "Input should"):
            assert bad not in text, (bad, text)
    plan = next(p for p in problems if p.loc[-1] == "strat_plan")
    assert Q.question("strat_plan").text.of(lang) in plan.text(lang)
    assert plan.allowed == tuple(o.id for o in Q.question("strat_plan").options)


def test_did_you_mean_and_allowed_values_in_json(capsys, tmp_path):
    data = autoparts_data()
    data["answers"]["strat_plan"] = "writen"
    path = tmp_path / "sheet.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, err = run(capsys, "validate", str(path), "--json", "--lang", "en")
    assert code == 1 and err == ""
    (found,) = [d for d in json.loads(out) if d["severity"] == "error"]
    assert found["allowed"] == [o.id for o in Q.question("strat_plan").options]
    assert "did you mean" in found["text"] and "written" in found["message"]


@pytest.mark.parametrize("content", ["answers: [", "- just\n- a list\n", None])
def test_validate_json_is_json_even_for_an_unreadable_file(capsys, tmp_path, content):
    path = tmp_path / "x.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "validate", str(path), "--json")
    assert code == 1 and err == ""
    data = json.loads(out)
    assert data and all(d["severity"] == "error" and d["text"] for d in data)


# ---------------------------------------------------------------- nothing silent
def test_relevant_but_unanswered_questions_are_warned_with_their_points(capsys, tmp_path):
    a = yz.assess(yz.load_answers(AUTOPARTS))
    assert not [w for w in a.warnings if w.code == "relevant_unanswered"]
    # MES stays in use, its two follow-up questions are left blank: they become relevant and score 0.
    b = a.what_if(sys_mes_depth=None, int_mes_erp=None)
    warned = {w.loc[-1]: w for w in b.warnings if w.code == "relevant_unanswered"}
    assert set(warned) == {"sys_mes_depth", "int_mes_erp"}
    for qid, w in warned.items():
        # the points said are what the best answer would add, derived here from the two overalls
        best = b.what_if(**{qid: Q.question(qid).options[-1].id})
        assert w.params["points"] == pytest.approx(best.overall - b.overall, abs=0.06)
        assert f"{w.params['points']:g}" in w.text("zh") and Q.question(qid).text.of("zh") in w.text("zh")
    # validate shows the same warnings (exit 0: they are not errors)
    path = tmp_path / "sheet.yaml"
    yz.save_answers(b.sheet, path)
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0
    assert out.count("警告") >= 2 and "0 个错误，2 个警告" in out


def test_validate_shows_not_relevant_warnings_as_assess_does(capsys, tmp_path):
    data = autoparts_data()
    data["answers"]["sys_in_use"] = ["erp"]  # MES gone: its follow-up answers are not scored
    path = tmp_path / "sheet.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    a = yz.assess(yz.load_answers(path))
    skipped = {w.loc[-1] for w in a.warnings if w.code == "not_relevant"}
    assert "sys_mes_depth" in skipped
    code, out, _ = run(capsys, "validate", str(path), "--json")
    assert code == 0
    assert {d["loc"][-1] for d in json.loads(out) if d["code"] == "not_relevant"} == skipped


# ---------------------------------------------------------------- compare
def test_compare_refuses_two_enterprises_without_force(capsys):
    other = str(yz.example_path("yangzhou-toothbrush"))
    code, _, err = run(capsys, "compare", str(AUTOPARTS), other)
    assert code == 1 and "不是同一家企业" in err
    code, out, _ = run(capsys, "compare", str(AUTOPARTS), other, "--force", "--json")
    assert code == 0 and json.loads(out)["notes"][0]["code"] == "different_enterprise"


# ---------------------------------------------------------------- one leniency
@pytest.mark.parametrize(
    ("question", "given", "same_as"),
    [
        ("strat_diagnosed", "是", True),
        ("strat_diagnosed", "否", False),
        ("strat_diagnosed", 1, True),
        ("strat_diagnosed", "0", False),
        ("strat_plan", "有书面规划和项目清单", "written"),
        ("strat_plan", "WRITTEN", "written"),
        ("strat_plan", "ｗｒｉｔｔｅｎ", "written"),
        ("sys_in_use", "erp，mes、wms；qms;oa,hrm", ["erp", "mes", "wms", "qms", "oa", "hrm"]),
        ("strat_invest", "2.5%", 2.5),
        ("strat_invest", "２．５", 2.5),
    ],
)
def test_yaml_accepts_what_tables_accept(question, given, same_as):
    base = yz.load_answers(AUTOPARTS)
    canonical = yz.assess(base.with_answers(**{question: same_as}))
    lenient = yz.assess(base.with_answers(**{question: given}))
    assert lenient.overall == canonical.overall
    assert lenient.questions[question].score == canonical.questions[question].score


@pytest.mark.parametrize(
    ("question", "given", "code"),
    [
        ("strat_diagnosed", "maybe", "wrong_type"),
        ("strat_diagnosed", 2, "wrong_type"),
        ("strat_plan", "writen", "unknown_option"),
        ("strat_training", "3%", "wrong_type"),  # % only where the unit is %
        ("strat_invest", "1,000", "wrong_type"),
        ("sys_in_use", "erp;erp", "duplicate_option"),
    ],
)
def test_anything_else_is_a_clear_error(question, given, code):
    problems = yz.check_answers(yz.load_answers(AUTOPARTS).with_answers(**{question: given}))
    assert [(p.code, p.loc[-1]) for p in problems if p.severity == "error"] == [(code, question)]


# ---------------------------------------------------------------- JSON round trips
def test_model_dump_loads_back():
    sheet = yz.load_answers(AUTOPARTS)
    a = yz.assess(sheet)
    assert yz.assess(sheet.model_dump(mode="json")).to_dict() == a.to_dict()
    assert yz.AnswerSheet.from_json(sheet.to_json()) == sheet
    assert yz.AnswerSheet.from_json(sheet.model_dump_json()) == sheet
    q2 = yz.Questionnaire.from_json(Q.model_dump_json())
    assert q2.model_dump() == Q.model_dump() and q2.content_hash == Q.content_hash
    assert yz.Questionnaire.model_validate(Q.model_dump(mode="json")).content_hash == Q.content_hash
    assert yz.Assessment.from_json(a.to_json(), Q).to_dict() == a.to_dict()


def test_assessment_json_follows_its_committed_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "questionnaires" / "schema" / "assessment.schema.json").read_text("utf-8"))
    assert schema["properties"]["format_version"]["maximum"] == 1
    for name in yz.list_examples():
        a = yz.assess(yz.load_answers(yz.example_path(name)))
        for recs in (False, True):
            data = json.loads(a.to_json(recommendations=recs))
            assert data["format_version"] == 1
            jsonschema.validate(data, schema)
    bad = json.loads(a.to_json())
    bad["overall"] = 140
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_from_json_refuses_another_questionnaire(mini):
    a = yz.assess(yz.load_answers(AUTOPARTS))
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.Assessment.from_json(a.to_json(), mini)
    assert info.value.codes == ["questionnaire_mismatch"]
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.AnswerSheet.from_json("{not json")
    assert info.value.codes == ["bad_json"]


# ---------------------------------------------------------------- paper cuts
def test_closed_pipe_exits_quietly():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "yzmaturity", "show", "yangzhou-2022"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "BrokenPipe" not in err and "internal error" not in err and "Traceback" not in err


def test_template_defaults_to_the_built_in_questionnaire(capsys):
    code, out, _ = run(capsys, "template")
    assert code == 0 and "questionnaire: yangzhou-2022" in out


def test_every_command_takes_lang_and_ids():
    from yzmaturity._cli import _parser

    sub = next(a for a in _parser()._actions if a.dest == "command")
    for name, command in sub.choices.items():
        dests = {a.dest for a in command._actions}
        assert {"lang", "ids"} <= dests, name


# ---------------------------------------------------------------- thread safety
def test_assess_from_many_threads_gives_the_serial_results():
    """The statement in docs/embedding.md: questionnaires and catalogs are shared read-only."""
    sheets = [yz.load_answers(yz.example_path(n)) for n in yz.list_examples()]
    serial = [yz.assess(s).to_json(recommendations=True) for s in sheets]
    results: dict[tuple[int, int], str] = {}
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i, s in enumerate(sheets):
                results[(t, i)] = yz.assess(s).to_json(recommendations=True)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(results[(t, i)] == serial[i] for t in range(6) for i in range(len(sheets)))


def test_show_columns_are_aligned(capsys):
    from yzmaturity._render.text import _width

    assert main(["show", "yangzhou-2022", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    starts = set()
    for question in Q.questions:
        line = next(
            x for x in out.splitlines() if x.endswith(question.text.zh) or question.text.zh + "  (" in x
        )
        starts.add(_width(line[: line.index(question.text.zh)].lstrip()))
    assert len(starts) == 1, starts  # the question texts start in one column after the type


def test_assess_and_the_progress_report_say_what_became_relevant(capsys, tmp_path):
    a = yz.assess(yz.load_answers(AUTOPARTS))
    later = a.what_if(sys_mes_depth=None, int_mes_erp=None, sys_in_use=["erp"])  # MES gone
    again = later.what_if(sys_in_use=["erp", "mes"])  # MES back, its follow-ups blank
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    yz.save_answers(later.sheet, old)
    yz.save_answers(again.sheet, new)
    assert main(["assess", str(new)]) == 0
    out = capsys.readouterr().out
    for qid in ("sys_mes_depth", "int_mes_erp"):
        assert Q.question(qid).text.zh in out.split("提示:")[1]
    report = tmp_path / "progress.md"
    assert main(["report", str(new), "--compare", str(old), "-o", str(report)]) == 0
    md = report.read_text(encoding="utf-8")
    section = md.split("因答案变化而需要作答或无需作答的题目")[1]
    assert "现需作答，尚未作答（按0分计）" in section and Q.question("sys_mes_depth").text.zh in section


def test_the_batch_error_table_says_each_problem_in_its_language():
    pytest.importorskip("pandas", reason="tables need pandas")
    from yzmaturity._tables import score_table

    rows = [
        {"name": "甲", **{q.id: None for q in Q.questions}},
        {**yz.load_answers(AUTOPARTS).dump()["answers"], "name": "乙", "strat_plan": "writen"},
    ]
    import pandas as pd

    frame = pd.DataFrame(
        [{k: (";".join(v) if isinstance(v, list) else v) for k, v in r.items()} for r in rows]
    )
    for lang in ("zh", "en"):
        errors = score_table(Q, frame, progress=False, lang=lang).errors
        plan = errors[(errors["row"] == 2) & (errors["column"] == "strat_plan")]
        assert plan["code"].tolist() == ["unknown_option"]
        assert Q.question("strat_plan").text.of(lang) in plan["text"].iloc[0]
