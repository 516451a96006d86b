"""The one bilingual label table (yzmaturity/_render/labels.yaml): complete, well-formed, and every key used exists."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
import yaml

import yzmaturity._render as render
from yzmaturity import ReportError
from yzmaturity._policy import STATES
from yzmaturity._render.labels import _check, groups, labels, pair

PACKAGE = Path(render.__file__).parent
RAW = yaml.safe_load((PACKAGE / "labels.yaml").read_text(encoding="utf-8"))

# Which group a bare ``t[...]`` reads in each module (``t = labels("report", lang)`` etc.).
T_GROUP = {
    "context.py": "report",
    "fmt.py": "report",
    "funding.py": "report",
    "progress.py": "report",
    "text.py": "text",
    "cohort.py": "report",
}
# Keys read with a computed name: ``t.get(f"effort_{step.effort}", ...)``, ``t.get(f"note_{code}", ...)``.
DYNAMIC = {"report": ("effort_", "note_", "subject_", "op_"), "text": ("type_",)}


def test_every_label_has_chinese_and_english():
    assert set(RAW) == {"report", "display", "text", "state", "size", "role", "profile", "kind"}
    for group, entries in RAW.items():
        assert entries, group
        for key, entry in entries.items():
            assert set(entry) == {"zh", "en"}, f"{group}.{key}"
            assert all(isinstance(entry[lang], str) and entry[lang].strip() for lang in ("zh", "en")), key
    assert groups() == {group: set(entries) for group, entries in RAW.items()}


def test_labels_and_pairs_read_the_file():
    entry = RAW["report"]["report_title"]
    assert labels("report", "zh")["report_title"] == entry["zh"]
    assert labels("report", "en")["report_title"] == entry["en"]
    assert pair("state", "not_eligible") == (
        RAW["state"]["not_eligible"]["zh"],
        RAW["state"]["not_eligible"]["en"],
    )
    with pytest.raises(ReportError, match="unknown report language 'fr'"):
        labels("report", "fr")


def test_the_eligibility_states_are_the_engines_in_its_order():
    assert tuple(RAW["state"]) == STATES


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a mapping of groups"),
        ({"g": {}}, "g: expected a mapping of labels"),
        ({"g": {"k": {"zh": "是"}}}, r"g\.k: expected exactly the keys 'zh' and 'en', got \['zh'\]"),
        ({"g": {"k": {"zh": "是", "en": "yes", "fr": "oui"}}}, "g.k: expected exactly the keys"),
        ({"g": {"k": "yes"}}, "got 'str'"),
        ({"g": {"k": {"zh": "是", "en": ""}}}, r"g\.k\.en: expected a non-empty string, got ''"),
        ({"g": {"k": {"zh": 1, "en": "one"}}}, r"g\.k\.zh: expected a non-empty string, got 1"),
    ],
)
def test_a_malformed_table_is_refused(data, message):
    with pytest.raises(ReportError, match=message):
        _check(data)


def _used() -> dict[str, set[str]]:
    """Every (group, key) the presentation code and the templates read with a literal key."""
    used: dict[str, set[str]] = {}

    def add(group: str, key: str) -> None:
        used.setdefault(group, set()).add(key)

    q = r"""["'](\w+)["']"""
    for path in sorted(PACKAGE.glob("*.py")):
        src = path.read_text(encoding="utf-8")
        for group, key in re.findall(rf"labels\({q}, [^()]*\)\[{q}\]", src):
            add(group, key)
        for group, key in re.findall(rf"pair\({q}, {q}\)", src):
            add(group, key)
        for key in re.findall(rf"\b_label\({q}\)", src):
            add("display", key)
        for key in re.findall(rf"\bkinds\[{q}\]", src):
            add("kind", key)
        if path.name in T_GROUP:
            for key in re.findall(rf"\bt\[{q}\]", src):
                add(T_GROUP[path.name], key)
            for key in re.findall(rf"\bt\.get\({q}", src):
                add(T_GROUP[path.name], key)
    for path in sorted((PACKAGE / "templates").iterdir()):
        src = path.read_text(encoding="utf-8")
        for key in re.findall(r"\bt\.(\w+)", src) + re.findall(rf"\bt\[{q}\]", src):
            add("report", key)
    return used


def test_every_label_used_exists():
    used = _used()
    # the scan sees every kind of use: reports, templates, display and text
    assert len(used.get("report", ())) > 80 and len(used.get("display", ())) > 20
    assert len(used.get("text", ())) > 15 and used.get("kind")
    table = groups()
    missing = sorted(f"{g}.{k}" for g, keys in used.items() for k in keys - table.get(g, set()))
    assert not missing, missing


def test_every_label_is_used():
    used = _used()
    table = groups()
    unused = sorted(
        f"{g}.{k}"
        for g in ("report", "display", "text")
        for k in table[g] - used.get(g, set())
        if not k.startswith(DYNAMIC.get(g, ()))
    )
    assert not unused, unused


@pytest.mark.parametrize(
    "name", sorted(m.name for m in pkgutil.iter_modules(render.__path__, "yzmaturity._render."))
)
def test_render_docstring_examples_run(name):
    # tests/test_docs.py runs the top-level modules' examples; these live one level down
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0, f"{result.failed} failing example(s) in {name}"
