"""Hostile corpus, family 1: questionnaire and catalog files (issue 11).

Each case is a reproduction: a file a hostile or careless author could write.
Only a YzMaturityError with the documented code may come out; nothing hangs,
nothing is accepted in silence.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
import yaml
from conftest import DATA
from hostile import dimension, mini_data, no_hang, question, write_yaml

import yzmaturity as yz
from yzmaturity._files import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, read_data_file

# ----------------------------------------------------------------------------- numbers and strict types
INF, NAN = math.inf, math.nan


def _set(path: tuple, value):
    def change(data):
        target = data
        for part in path[:-1]:
            if isinstance(part, tuple):  # ("q", id) or ("d", id)
                target = question(data, part[1]) if part[0] == "q" else dimension(data, part[1])
            else:
                target = target[part]
        target[path[-1]] = value

    return change


MUTATIONS = {
    "question weight .nan": _set((("q", "E1"), "weight"), NAN),
    "question weight .inf": _set((("q", "E1"), "weight"), INF),
    "question weight -.inf": _set((("q", "E1"), "weight"), -INF),
    "question weight 1e308": _set((("q", "E1"), "weight"), 1e308),
    "question weight 10**400": _set((("q", "E1"), "weight"), 10**400),
    "question weight true": _set((("q", "E1"), "weight"), True),
    "question weight '1'": _set((("q", "E1"), "weight"), "1"),
    "required 'no'": _set((("q", "E1"), "required"), "no"),
    "required 0": _set((("q", "E1"), "required"), 0),
    "allow_na 'yes'": _set((("q", "E1"), "allow_na"), "yes"),
    "dimension weight .nan": _set((("d", "equip"), "weight"), NAN),
    "dimension weight 1e308": _set((("d", "equip"), "weight"), 1e308),
    "dimension weight '2'": _set((("d", "base"), "weight"), "2"),
    "threshold .nan": _set((("d", "base"), "level_thresholds"), [NAN, 40, 60, 80, 95]),
    "threshold 1000": _set((("d", "base"), "level_thresholds"), [20, 40, 60, 80, 1000]),
    "threshold -50": _set((("d", "base"), "level_thresholds"), [-50, 40, 60, 80, 95]),
    "threshold .inf": _set((("d", "base"), "level_thresholds"), [20, 40, 60, 80, INF]),
    "band min .nan": _set((("q", "E2"), "bands", 1, "min"), NAN),
    "band min .inf": _set((("q", "E2"), "bands", 4, "min"), INF),
    "band min 1e300": _set((("q", "E2"), "bands", 4, "min"), 1e300),
    "band score .nan": _set((("q", "E2"), "bands", 1, "score"), NAN),
    "band score '0.25'": _set((("q", "E2"), "bands", 1, "score"), "0.25"),
    "numeric min .nan": _set((("q", "E2"), "min"), NAN),
    "numeric max .inf": _set((("q", "E2"), "max"), INF),
    "scale max .inf": _set((("q", "O3"), "max"), INF),
    "scale min '1'": _set((("q", "O3"), "min"), "1"),
    "scale max 10**30": _set((("q", "O3"), "max"), 10**30),
    "option score .nan": _set((("q", "E1"), "options", 1, "score"), NAN),
    "option score '0.5'": _set((("q", "E1"), "options", 1, "score"), "0.5"),
    "option exclusive 'true'": _set((("q", "S1"), "options", 3, "exclusive"), "true"),
    "score_yes .nan": _set((("q", "S2"), "score_yes"), NAN),
    "level number '1'": _set(("levels", "levels", 1, "number"), "1"),
    "rule gte .nan": _set(("levels", "levels", 1, "rule"), {"metric": "overall", "gte": NAN}),
    "rule gte .inf": _set(("levels", "levels", 1, "rule"), {"metric": "overall", "gte": INF}),
    "rule gte '20'": _set(("levels", "levels", 1, "rule"), {"metric": "overall", "gte": "20"}),
    "source year 10**5": _set(("source", "year"), 10**5),
    "title with ESC": _set(("title", "zh"), "迷你\x1b]0;owned\x07"),
    "title with NUL": _set(("title", "en"), "Mini\x00"),
    "title with C1 CSI": _set(("title", "en"), "Mini\x9b2J"),
    "label with bidi override": _set((("q", "E1"), "options", 0, "label", "en"), "None\u202etxt.exe"),
    "unit with a line break": _set((("q", "E2"), "unit"), "%\nX"),
    "source with BEL": _set((("q", "E1"), "source"), "CMMM\x07"),
    "scoring.missing 1": _set(("scoring", "missing"), 1),
}


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_a_broken_questionnaire_is_refused_with_a_clear_error(case, tmp_path):
    data = mini_data()
    data.setdefault("scoring", {"missing": "zero"})
    MUTATIONS[case](data)
    for path in (tmp_path / "q.yaml", tmp_path / "q.json"):
        if path.suffix == ".json":
            if any(isinstance(v, float) and not math.isfinite(v) for v in _numbers(data)):
                continue  # JSON has no NaN/Infinity (refused as bad_json, tested below)
            path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        with pytest.raises(yz.YzMaturityError) as info:
            yz.load_questionnaire(path)
        assert isinstance(info.value, yz.QuestionnaireError | yz.FileLoadError), info.value
        assert info.value.details, info.value


def _numbers(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, float):
        yield value


def test_the_unbroken_fixture_loads(tmp_path):
    """The control: the same round trip without a mutation is accepted (so the cases test the mutation)."""
    path = write_yaml(tmp_path / "q.yaml", yaml.safe_dump(mini_data(), allow_unicode=True))
    assert yz.load_questionnaire(path).id == "mini"


def test_a_weight_of_1e308_no_longer_gives_an_infinite_overall(tmp_path):
    data = mini_data()
    question(data, "E1")["weight"] = 1e308
    with pytest.raises(yz.QuestionnaireError) as info:
        yz.load_questionnaire(write_yaml(tmp_path / "q.yaml", yaml.safe_dump(data)))
    assert any(d.loc[-1] == "weight" for d in info.value.details)


# ----------------------------------------------------------------------------- catalogs
def _catalog_data() -> dict:
    path = Path(yz.__file__).resolve().parent.parent / "questionnaires" / "policies"
    if not path.is_dir():
        path = Path(yz.__file__).resolve().parent / "_builtin" / "policies"
    return yaml.safe_load(next(path.glob("*.yaml")).read_text(encoding="utf-8"))


CATALOG_MUTATIONS = {
    "fit weight .nan": lambda c: c["categories"][0]["fit"][0].__setitem__("weight", NAN),
    "fit weight '0.5'": lambda c: c["categories"][0]["fit"][0].__setitem__("weight", "0.5"),
    "amount .inf": lambda c: c["categories"][0].__setitem__(
        "amounts", [{"item": {"zh": "x", "en": "x"}, "max_yuan": INF, "source": "s"}]
    ),
    "amount 1e300": lambda c: c["categories"][0].__setitem__(
        "amounts", [{"item": {"zh": "x", "en": "x"}, "max_yuan": 1e300, "source": "s"}]
    ),
    "amount year 10**6": lambda c: c["categories"][0].__setitem__(
        "amounts", [{"item": {"zh": "x", "en": "x"}, "max_yuan": 1, "source": "s", "year": 10**6}]
    ),
    "name with ESC": lambda c: c["categories"][0]["name"].__setitem__("zh", "\x1b[2J清屏"),
}


@pytest.mark.parametrize("case", sorted(CATALOG_MUTATIONS))
def test_a_broken_catalog_is_refused(case, tmp_path):
    data = _catalog_data()
    CATALOG_MUTATIONS[case](data)
    path = write_yaml(tmp_path / "c.yaml", yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(yz.QuestionnaireError):
        yz.load_catalog(path)


# ----------------------------------------------------------------------------- the file itself
RAW_YAML = {
    "integer of 5000 digits": ("w: " + "9" * 5000, "number_too_large"),
    "anchor and alias": ("a: &x [1]\nb: *x", "yaml_alias"),
    "merge key": ("a: {x: 1}\nb:\n  <<: {x: 2}", "yaml_alias"),
    "python tag": ("!!python/object/apply:os.system ['true']", "unsafe_tag"),
    "python name tag": ("a: !!python/name:os.system", "unsafe_tag"),
    "binary tag": ("a: !!binary aGVsbG8=", "unsafe_tag"),
    "set tag": ("a: !!set {x: null}", "unsafe_tag"),
    "local tag": ("a: !custom 1", "unsafe_tag"),
    "duplicate key": ("a: 1\na: 2", "duplicate_key"),
    "two documents": ("a: 1\n---\nb: 2", "bad_yaml"),
    "complex key": ("? [a, b]\n: 1", "bad_yaml"),
    "nesting 41 deep": ("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "too_deep"),
    "unclosed flow": ("a: [1, 2", "bad_yaml"),
    "tab indentation": ("a:\n\t- 1", "bad_yaml"),
}


@pytest.mark.parametrize("case", sorted(RAW_YAML))
def test_hostile_yaml_is_refused_with_its_code(case, tmp_path):
    text, code = RAW_YAML[case]
    with pytest.raises(yz.FileLoadError) as info:
        read_data_file(write_yaml(tmp_path / "x.yaml", text))
    assert info.value.code == code, info.value


RAW_JSON = {
    "integer of 5000 digits": ('{"w": ' + "9" * 5000 + "}", "number_too_large"),
    "NaN": ('{"w": NaN}', "bad_json"),
    "Infinity": ('{"w": -Infinity}', "bad_json"),
    "duplicate key": ('{"a": 1, "a": 2}', "duplicate_key"),
    "a million brackets": ("[" * 1_000_000 + "]" * 1_000_000, "too_deep"),
    "2.6 million values": ("[" + "[]," * 2_600_000 + "[]]", "too_many_nodes"),
    "brackets inside strings are not nesting": ('{"a": "' + "[" * 100 + '", "b": {}}', None),
    "truncated": ('{"a": [1, 2', "bad_json"),
}


@pytest.mark.parametrize("case", sorted(RAW_JSON))
def test_hostile_json_is_refused_with_its_code(case, tmp_path):
    text, code = RAW_JSON[case]
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    if code is None:
        assert read_data_file(path)["b"] == {}
        return
    with pytest.raises(yz.FileLoadError) as info:
        read_data_file(path)
    assert info.value.code == code, info.value


def test_yaml_keeps_plain_types_and_dates_as_text(tmp_path):
    path = write_yaml(
        tmp_path / "x.yaml",
        "a: 1\nb: 1.5\nc: true\nd: null\ne: 2024-05-01\nf: '07'\ng: 0x1F\nh: .inf\ni: [x, {y: z}]\n",
    )
    data = read_data_file(path)
    assert data == {
        "a": 1,
        "b": 1.5,
        "c": True,
        "d": None,
        "e": "2024-05-01",
        "f": "07",
        "g": 31,
        "h": math.inf,
        "i": ["x", {"y": "z"}],
    }
    assert yaml.safe_load(path.read_text())["i"] == data["i"]  # the same as PyYAML's safe loader


def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "q.yaml"
    os.mkfifo(fifo)
    with no_hang(20), pytest.raises(yz.FileLoadError) as info:
        yz.load_questionnaire(fifo)
    assert info.value.code == "not_a_regular_file"


def test_a_symlink_to_the_zero_device_is_refused(tmp_path):
    link = tmp_path / "q.yaml"
    link.symlink_to("/dev/zero")
    with no_hang(20), pytest.raises(yz.FileLoadError) as info:
        yz.load_questionnaire(link)
    assert info.value.code == "not_a_regular_file"


def test_a_sheet_naming_the_zero_device_as_its_questionnaire_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    sheet = {"questionnaire": "zero.yaml", "enterprise": {"name": "x"}, "answers": {}}
    with no_hang(20), pytest.raises(yz.FileLoadError) as info:
        yz.assess(sheet)
    assert info.value.code == "not_a_regular_file"


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "q.yaml"
    folder.mkdir()
    with pytest.raises(yz.FileLoadError) as info:
        yz.load_questionnaire(folder)
    assert info.value.code == "is_a_folder"


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(yz.FileLoadError) as info:
        yz.load_questionnaire(tmp_path / "missing.yaml")
    assert info.value.code == "file_not_found"


def test_the_size_limit_counts_bytes_read(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: '" + b"x" * MAX_FILE_BYTES + b"'\n")
    with pytest.raises(yz.FileLoadError) as info:
        read_data_file(path)
    assert info.value.code == "file_too_large"


def test_not_utf8_is_refused_and_a_bom_is_ignored(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes("a: 扬州".encode("gb18030"))
    with pytest.raises(yz.FileLoadError) as info:
        read_data_file(bad)
    assert info.value.code == "bad_encoding"
    bom = tmp_path / "bom.json"
    bom.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert read_data_file(bom) == {"a": 1}


def test_a_7_8_mb_yaml_list_is_refused_by_its_node_count(tmp_path):
    path = tmp_path / "list.yaml"
    lines = ["answers:\n"] + ["  - a\n"] * (7_800_000 // 6)
    path.write_text("".join(lines), encoding="utf-8")
    assert path.stat().st_size < MAX_FILE_BYTES
    with no_hang(60), pytest.raises(yz.FileLoadError) as info:
        read_data_file(path)
    assert info.value.code == "too_many_nodes"


def test_a_600k_key_mapping_is_refused_by_its_node_count(tmp_path):
    path = tmp_path / "keys.yaml"
    path.write_text("".join(f"k{i}: 1\n" for i in range(600_000)), encoding="utf-8")
    with no_hang(60), pytest.raises(yz.FileLoadError) as info:
        read_data_file(path)
    assert info.value.code == "too_many_nodes"


def test_a_document_at_the_node_limit_is_read(tmp_path):
    path = tmp_path / "at.yaml"
    n = MAX_NODES - 2  # the root mapping, the list, then the items
    path.write_text("answers:\n" + "  - a\n" * (n - 1), encoding="utf-8")
    with no_hang(60):
        assert len(read_data_file(path)["answers"]) == n - 1


def test_builtin_files_still_read_as_pyyaml_reads_them():
    """The event-based reader builds the same data as PyYAML's safe loader (dates kept as text)."""
    for path in sorted(DATA.glob("*.yaml")):
        ours = read_data_file(path)
        theirs = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # all text
        assert _shape(ours) == _shape(theirs), path


def _shape(value):
    if isinstance(value, dict):
        return {str(k): _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return "scalar"
