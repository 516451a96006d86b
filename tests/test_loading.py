"""Loading questionnaires and sheets: built-ins, paths, and hostile or broken files."""

from __future__ import annotations

import json
import time

import pytest
import yaml
from conftest import DATA

import yzmaturity as yz
from yzmaturity._files import MAX_DEPTH, MAX_FILE_BYTES, parse_text


def test_builtin_ids_and_paths(tmp_path):
    assert "yangzhou-2022" in yz.list_questionnaires()
    q = yz.load_questionnaire("yangzhou-2022")
    assert q.id == "yangzhou-2022"
    assert yz.load_questionnaire("yangzhou-2022") is q  # cached, immutable
    # The same content from a JSON file loads equal, with the same hash.
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(q.model_dump(mode="json", by_alias=True, exclude_none=True)), encoding="utf-8")
    again = yz.load_questionnaire(path)
    assert again.content_hash == q.content_hash


def test_unknown_builtin_names_the_known_ones():
    with pytest.raises(yz.NotFoundError, match="yangzhou-2022") as info:
        yz.load_questionnaire("nonexistent")
    assert isinstance(info.value, LookupError)


def test_missing_file():
    with pytest.raises(yz.FileLoadError) as info:
        yz.load_questionnaire("no/such/file.yaml")
    assert info.value.code == "file_not_found"


def test_content_hash_ignores_layout_but_not_content(mini, tmp_path):
    data = yaml.safe_load((DATA / "mini.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "mini.json"
    path.write_text(json.dumps(data, indent=4, sort_keys=True), encoding="utf-8")
    assert yz.load_questionnaire(path).content_hash == mini.content_hash
    data["dimensions"][0]["weight"] = 3
    path.write_text(json.dumps(data), encoding="utf-8")
    assert yz.load_questionnaire(path).content_hash != mini.content_hash


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("!!python/object/apply:os.system ['echo hacked']", "unsafe_tag"),
        ("a: !!python/name:os.system", "unsafe_tag"),
        ("a: &x [1, 2]\nb: *x\n", "yaml_alias"),
        ("a: 1\na: 2\n", "duplicate_key"),
        ("a: [1, 2\n", "bad_yaml"),
        ("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5), "too_deep"),
    ],
)
def test_hostile_yaml_is_refused(text, code):
    with pytest.raises(yz.FileLoadError) as info:
        parse_text(text, fmt="yaml")
    assert info.value.code == code
    assert isinstance(info.value, ValueError)


def test_billion_laughs_is_refused_fast():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    start = time.perf_counter()
    with pytest.raises(yz.FileLoadError) as info:
        parse_text("\n".join(lines), fmt="yaml")
    assert info.value.code == "yaml_alias"
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"a": 1, "a": 2}', "duplicate_key"),
        ('{"a": NaN}', "bad_json"),
        ("[" * 100_000, "too_deep"),
        ('{"a": ', "bad_json"),
    ],
)
def test_hostile_json_is_refused(text, code):
    with pytest.raises(yz.FileLoadError) as info:
        parse_text(text, fmt="json")
    assert info.value.code == code


def test_oversized_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * (MAX_FILE_BYTES + 10), encoding="utf-8")
    with pytest.raises(yz.FileLoadError) as info:
        yz.load_questionnaire(path)
    assert info.value.code == "file_too_large"


def test_wrong_extension_and_encoding(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text("id: x", encoding="utf-8")
    with pytest.raises(yz.FileLoadError) as info:
        yz.load_questionnaire(path)
    assert info.value.code == "bad_extension"
    path = tmp_path / "q.yaml"
    path.write_bytes(b"id: \xff\xfe")
    with pytest.raises(yz.FileLoadError) as info:
        yz.load_questionnaire(path)
    assert info.value.code == "bad_encoding"


def test_wrong_types_name_the_field(tmp_path):
    data = yaml.safe_load((DATA / "mini.yaml").read_text(encoding="utf-8"))
    data["dimensions"][0]["dimensions"][0]["questions"][0]["weight"] = "heavy"
    data["dimensions"][1]["questions"][0]["type"] = "essay"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(yz.QuestionnaireError) as info:
        yz.load_questionnaire(path)
    where = {d.where: d for d in info.value.details}
    assert "dimensions.0.dimensions.0.questions.0.weight" in where
    assert where["dimensions.0.dimensions.0.questions.0.weight"].got == "heavy"
    assert "dimensions.1.questions.0.type" in where
    assert "essay" in str(info.value)


def test_a_questionnaire_file_must_be_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(yz.QuestionnaireError, match="mapping"):
        yz.load_questionnaire(path)


def test_answer_sheet_round_trip_is_exact(tmp_path, mini_sheet):
    mini_sheet["answers"]["E1"] = {"value": "some", "note": "审计报告 2024", "evidence": ["audit.pdf"]}
    mini_sheet["date"] = "2026-03-01"
    mini_sheet["assessor"] = {"kind": "consultant", "name": "王工", "organisation": "扬州智造咨询"}
    sheet = yz.AnswerSheet.model_validate(mini_sheet)
    for suffix in ("yaml", "json"):
        path = tmp_path / f"sheet.{suffix}"
        yz.save_answers(sheet, path)
        first = path.read_text(encoding="utf-8")
        loaded = yz.load_answers(path)
        assert loaded == sheet
        yz.save_answers(loaded, path)
        assert path.read_text(encoding="utf-8") == first


def test_malformed_sheet_lists_every_problem(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "questionnaire: mini\nenterprise: {name: '', employees: -3}\n"
        "answers: {E1: {value: x, colour: red}}\n",
        encoding="utf-8",
    )
    with pytest.raises(yz.AnswerValidationError) as info:
        yz.load_answers(path)
    locs = {d.where for d in info.value.details}
    assert {"enterprise.name", "enterprise.employees", "answers.E1.colour"} <= locs
