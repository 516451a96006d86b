"""The public surface: __all__, exceptions, and a light import."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

import yzmaturity as yz


def test_all_lists_exactly_the_public_names():
    public = {name for name in dir(yz) if not name.startswith("_")} | {"__version__"}
    modules = {name for name in public if type(getattr(yz, name)).__name__ == "module"}
    assert set(yz.__all__) == public - modules
    assert list(yz.__all__) == sorted(yz.__all__)


def test_exception_tree():
    for exc in (yz.FileLoadError, yz.QuestionnaireError, yz.AnswerValidationError):
        assert issubclass(exc, yz.YzMaturityError) and issubclass(exc, ValueError)
    assert issubclass(yz.NotFoundError, LookupError)
    assert issubclass(yz.MissingDependencyError, ImportError)


def test_import_is_light():
    code = (
        "import sys, json, yzmaturity; "
        "heavy = ('sklearn', 'pandas', 'jinja2', 'matplotlib', 'scipy'); "
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(out.stdout) == []


def test_json_schemas_are_current():
    from yzmaturity._schema import SCHEMA_FILES, json_schema_text

    for kind, name in SCHEMA_FILES.items():
        committed = (ROOT / "questionnaires" / "schema" / name).read_text(encoding="utf-8")
        assert committed == json_schema_text(kind), (
            f"regenerate with: yzmaturity schema {kind} > questionnaires/schema/{name}"
        )


def test_builtin_files_validate_against_the_schema():
    import jsonschema

    from yzmaturity._files import parse_text

    schema = json.loads(
        (ROOT / "questionnaires" / "schema" / "questionnaire.schema.json").read_text(encoding="utf-8")
    )
    for path in (ROOT / "questionnaires").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert "$schema=./schema/questionnaire.schema.json" in text.splitlines()[0]
        jsonschema.validate(parse_text(text, fmt="yaml"), schema)
    sheet_schema = json.loads(
        (ROOT / "questionnaires" / "schema" / "answer-sheet.schema.json").read_text(encoding="utf-8")
    )
    for path in (ROOT / "examples").glob("*.yaml"):
        jsonschema.validate(parse_text(path.read_text(encoding="utf-8"), fmt="yaml"), sheet_schema)


def test_assessment_repr_and_json_are_deterministic(mini, mini_sheet):
    a = yz.assess(mini_sheet, mini)
    b = yz.assess(mini_sheet, mini)
    assert a.to_json() == b.to_json()
    assert "扬州测试有限公司" in repr(a) and "overall 55.0" in repr(a)
    data = json.loads(a.to_json())
    assert data["questionnaire"] == {"id": "mini", "version": "1.0", "hash": mini.content_hash}
    assert data["level"]["id"] == "L2"
