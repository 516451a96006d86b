"""The yzmaturity command: readable output, JSON, and clear errors without tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import DATA, ROOT

import yzmaturity as yz
from yzmaturity._cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_questionnaires_lists_builtins(capsys):
    code, out, _ = run(capsys, "questionnaires")
    assert code == 0
    assert "yangzhou-2022" in out


def test_show_outlines_in_both_languages(capsys):
    code, out, _ = run(capsys, "show", "yangzhou-2022", "--lang", "en")
    assert code == 0 and "Levels:" in out and "Leading" in out
    code, out, _ = run(capsys, "show", "yangzhou-2022")
    assert "引领级" in out


def test_validate_questionnaire_and_sheet(capsys, tmp_path):
    code, out, _ = run(capsys, "validate", str(DATA / "mini.yaml"), "--lang", "en")
    assert code == 0 and "0 error(s)" in out
    code, out, _ = run(capsys, "validate", str(DATA / "mini.yaml"))
    assert code == 0 and "0 个错误" in out
    bad = yaml.safe_load((DATA / "mini.yaml").read_text(encoding="utf-8"))
    bad["dimensions"][0]["weight"] = 0
    bad["dimensions"][1]["questions"][0]["relevant"] = {"question": "nope", "answered": True}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1
    assert "non_positive_weight" in out and "unknown_reference" in out
    assert "Traceback" not in out + err


def test_validate_sheet_lists_every_error(capsys, tmp_path, mini_sheet):
    mini_sheet["answers"]["E1"] = "lots"
    mini_sheet["answers"]["E2"] = 500
    path = tmp_path / "sheet.yaml"
    path.write_text(yaml.safe_dump(mini_sheet, allow_unicode=True), encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(path), "-q", str(DATA / "mini.yaml"), "--json")
    assert code == 1
    found = {(e["loc"][-1], e["code"]) for e in json.loads(out)}
    assert found == {("E1", "unknown_option"), ("E2", "out_of_range")}


def test_assess_example_text_and_json(capsys):
    example = str(yz.example_path("yangzhou-autoparts"))
    code, out, _ = run(capsys, "assess", example, "--lang", "en")
    assert code == 0 and "Overall" in out and "Maturity level" in out
    code, out, _ = run(capsys, "assess", example, "--json")
    data = json.loads(out)
    assert {"overall", "level", "dimensions"} <= set(data)
    assert data["level"]["number"] == yz.assess(yz.load_answers(example)).level.number


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "no such file"),
        ("questionnaire: [", "not valid YAML"),
        ("questionnaire: nope\nenterprise: {name: x}\n", "unknown questionnaire 'nope'"),
        ("!!python/object/apply:os.system ['true']", "tag not allowed"),
    ],
)
def test_bad_input_exits_nonzero_without_traceback(capsys, tmp_path, content, needle):
    path = tmp_path / "x.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "assess", str(path), "--lang", "en")
    assert code == 1
    assert needle in err
    assert "Traceback" not in err


def test_template_is_a_loadable_skeleton(capsys, tmp_path):
    out_path = tmp_path / "t.yaml"
    code, _, _ = run(capsys, "template", "yangzhou-2022", "-o", str(out_path))
    assert code == 0
    text = out_path.read_text(encoding="utf-8")
    q = yz.load_questionnaire("yangzhou-2022")
    for question in q.questions:
        assert f"\n  {question.id}:" in text
        for option in question.options:
            assert f"{option.id}: {option.label.zh}" in text
    # Filling the name and every answer with the best one gives a valid sheet.
    data = yaml.safe_load(text)
    assert set(data["answers"]) == {x.id for x in q.questions}
    data["enterprise"]["name"] = "扬州模板测试"
    data["answers"] = yz.example_answers(q, "best").dump()["answers"]
    assert yz.assess(data).level.number == 5


def test_schema_command(capsys):
    code, out, _ = run(capsys, "schema", "questionnaire")
    assert code == 0 and json.loads(out)["title"] == "yzmaturity questionnaire"


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["assess"])
    assert info.value.code == 2


@pytest.mark.skipif(shutil.which("yzmaturity") is None, reason="the package is not installed with its script")
def test_installed_command_finds_builtins_from_anywhere(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        ["yzmaturity", "questionnaires"], cwd=tmp_path, capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "yangzhou-2022" in result.stdout
    example = ROOT / "examples" / "yangzhou-autoparts.yaml"
    result = subprocess.run(
        ["yzmaturity", "assess", str(example), "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_module_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "yzmaturity", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0 and "yzmaturity" in result.stdout
