"""Hostile corpus, family 4: the command line (issue 11): paths, overwrites, permissions, Ctrl-C.

A user's file is never destroyed; a file-system problem is exit 1 with the
path named (exit 3 is for bugs only); Ctrl-C leaves no partial output; nothing
from the data reaches the terminal as an escape sequence.
"""

from __future__ import annotations

import os
import shutil

import pytest
import yaml
from conftest import DATA
from hostile import no_hang

import yzmaturity as yz
from yzmaturity._cli import main

pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from yzmaturity._tables import table_template


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args] + ["--ids"])  # --ids: the error codes in the messages
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sheet(tmp_path):
    path = tmp_path / "sheet.yaml"
    shutil.copy(DATA.parent.parent / "examples" / "yangzhou-autoparts.yaml", path)
    return path


@pytest.fixture
def table(tmp_path):
    """A small valid wide table: the template header and the example sheet's answers."""
    import csv

    q = yz.load_questionnaire("yangzhou-2022")
    header = table_template(q).decode("utf-8-sig").strip().split(",")
    best = yz.example_answers(q, "best")
    row = {h: "" for h in header}
    row["name"] = "扬州测试"
    for qid, answer in best.answers.items():
        v = answer.value
        row[qid] = "n/a" if answer.not_applicable else ";".join(v) if isinstance(v, list) else str(v).lower()
    path = tmp_path / "in.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerow(row)
        writer.writerow(row | {"name": "第二家"})
    return path


def _unchanged(path, before: bytes) -> None:
    assert path.read_bytes() == before, f"{path} was changed"


# ----------------------------------------------------------------------------- outputs over inputs
def test_batch_output_over_its_input_is_refused(capsys, table):
    before = table.read_bytes()
    code, _, err = run(capsys, "batch", table, "-o", table, "--no-progress")
    assert code == 1 and "output_is_input" in err
    _unchanged(table, before)


def test_batch_errors_over_the_input_is_refused(capsys, table, tmp_path):
    before = table.read_bytes()
    code, _, err = run(capsys, "batch", table, "-o", tmp_path / "o.csv", "--errors", table, "--no-progress")
    assert code == 1 and "output_is_input" in err
    _unchanged(table, before)
    assert not (tmp_path / "o.csv").exists()


def test_batch_errors_over_the_output_is_refused(capsys, table, tmp_path):
    code, out, err = run(
        capsys, "batch", table, "-o", tmp_path / "o.csv", "--errors", tmp_path / "o.csv", "--no-progress"
    )
    assert code == 1 and "output_clash" in err and "wrote" not in out


def test_an_output_through_a_symlink_or_hard_link_to_the_input_is_refused(capsys, table, tmp_path):
    before = table.read_bytes()
    (tmp_path / "link.csv").symlink_to(table)
    os.link(table, tmp_path / "hard.csv")
    for target in ("link.csv", "hard.csv"):
        code, _, err = run(capsys, "batch", table, "-o", tmp_path / target, "--no-progress")
        assert code == 1 and "output_is_input" in err, target
    _unchanged(table, before)


def test_a_report_over_its_answer_sheet_is_refused(capsys, sheet, tmp_path):
    before = sheet.read_bytes()
    code, _, err = run(capsys, "report", sheet, "-o", sheet, "--format", "md")
    assert code == 1 and "output_is_input" in err
    _unchanged(sheet, before)
    old = tmp_path / "old.yaml"
    shutil.copy(sheet, old)
    code, _, err = run(capsys, "report", sheet, "--compare", old, "-o", old, "--format", "md")
    assert code == 1 and "output_is_input" in err


def test_a_template_over_its_questionnaire_is_refused(capsys, tmp_path):
    q = tmp_path / "q.yaml"
    shutil.copy(DATA / "mini.yaml", q)
    before = q.read_bytes()
    code, _, err = run(capsys, "template", q, "-o", q)
    assert code == 1 and "output_is_input" in err
    _unchanged(q, before)


def test_a_report_may_replace_an_earlier_report(capsys, sheet, tmp_path):
    out = tmp_path / "r.md"
    out.write_text("old report")
    code, _, _ = run(capsys, "report", sheet, "-o", out)
    assert code == 0 and out.read_text(encoding="utf-8") != "old report"


# ----------------------------------------------------------------------------- file-system errors: exit 1
def _long_name(tmp_path):
    return tmp_path / ("x" * 300 + ".csv")


@pytest.mark.parametrize(
    ("target", "code_name"),
    [
        (lambda p: p / "missing" / "o.csv", "no_such_file_or_folder"),
        (lambda p: (p / "dir.csv").mkdir() or p / "dir.csv", "is_a_folder"),
        (_long_name, "name_too_long"),
    ],
    ids=["missing folder", "a folder as -o", "name over 255 characters"],
)
def test_an_output_that_cannot_be_written_is_exit_1(capsys, table, tmp_path, target, code_name):
    out = target(tmp_path)
    code, _, err = run(capsys, "batch", table, "-o", out, "--no-progress")
    assert code == 1, err
    assert code_name in err and "internal error" not in err


def test_a_read_only_output_is_not_replaced(capsys, table, tmp_path):
    out = tmp_path / "o.csv"
    out.write_text("keep me")
    out.chmod(0o444)
    code, _, err = run(capsys, "batch", table, "-o", out, "--no-progress")
    assert code == 1 and "permission_denied" in err
    assert out.read_text() == "keep me"


def test_a_full_disk_is_exit_1_and_leaves_nothing_behind(capsys, table, tmp_path, monkeypatch):
    import yzmaturity._tables.stream as stream

    out = tmp_path / "o.csv"
    out.write_text("previous result")

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(stream.os, "replace", full)
    code, _, err = run(capsys, "batch", table, "-o", out, "--no-progress")
    assert code == 1 and "disk_full" in err  # the streaming writer does not name the path (yet)
    assert out.read_text() == "previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "o.csv"]


def test_ctrl_c_while_writing_is_exit_130_without_partial_output(capsys, table, tmp_path, monkeypatch):
    import yzmaturity._tables.stream as stream

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(stream.os, "replace", interrupted)
    out = tmp_path / "o.csv"
    code, _, err = run(capsys, "batch", table, "-o", out, "--errors", tmp_path / "e.csv", "--no-progress")
    assert code == 130 and "interrupted" in err
    assert not out.exists() and not (tmp_path / "e.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.parametrize("kind", ["fifo", "folder", "zero device", "missing"])
def test_an_input_that_is_not_a_readable_file_is_exit_1(capsys, tmp_path, kind):
    for command, name in (("assess", "s.yaml"), ("batch", "t.csv")):
        path = tmp_path / kind.replace(" ", "_") / name
        path.parent.mkdir(exist_ok=True)
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        elif kind == "zero device":
            path.symlink_to("/dev/zero")
        args = [command, path] + (["-o", tmp_path / "o.csv", "--no-progress"] if command == "batch" else [])
        with no_hang(30):
            code, _, err = run(capsys, *args)
        assert code == 1, (command, err)
        assert "internal error" not in err and str(path) in err


# ----------------------------------------------------------------------------- terminal escapes
def test_an_escape_in_a_sheet_is_refused_and_never_printed(capsys, sheet):
    data = yaml.safe_load(sheet.read_text(encoding="utf-8"))
    data["enterprise"]["name"] = "扬州\x1b[2J\x1b]0;owned\x07"
    sheet.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for command in ("assess", "validate", "recommend", "report"):
        code, out, err = run(capsys, command, sheet)
        assert code == 1, command
        assert "\x1b" not in out + err and "\x07" not in out + err, command


def test_an_escape_in_a_table_is_a_row_error_and_never_printed(capsys, table, tmp_path):
    text = table.read_text(encoding="utf-8").replace("第二家", "第二家\x1b[2J\x9b1m")
    table.write_text(text, encoding="utf-8")
    code, out, err = run(
        capsys,
        "batch",
        table,
        "-o",
        tmp_path / "o.csv",
        "--errors",
        tmp_path / "e.csv",
        "--no-progress",
        "--json",
    )
    assert code == 0
    assert "\x1b" not in out + err and "\x9b" not in out + err
    assert "control_character" in (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    # The error table shows the value with its control characters visible, so XLSX can hold it too.
    code, _, err = run(
        capsys, "batch", table, "-o", tmp_path / "o.csv", "--errors", tmp_path / "e.xlsx", "--no-progress"
    )
    assert code == 0, err
    errors = yz.read_table(tmp_path / "e.xlsx")
    got = errors.loc[errors["code"] == "control_character", "got"].tolist()
    assert got and all("\\u001b" in g and "\x1b" not in g for g in got)


def test_a_bug_is_still_exit_3(capsys, monkeypatch, sheet):
    monkeypatch.setattr("yzmaturity._cli.assess", lambda *a, **k: 1 / 0)
    code, _, err = run(capsys, "assess", sheet)
    assert code == 3 and "internal error" in err
