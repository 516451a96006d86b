"""Built-in questionnaires and catalogs load from a validated cache (the CLI's start)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from conftest import ROOT

import yzmaturity as yz
from yzmaturity import _loading
from yzmaturity._files import read_data_file
from yzmaturity._model import Questionnaire


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(_loading.CACHE_ENV, str(tmp_path))
    _loading._load_builtin.cache_clear()
    _loading._load_builtin_catalog.cache_clear()
    yield tmp_path
    _loading._load_builtin.cache_clear()
    _loading._load_builtin_catalog.cache_clear()


def _same(a: Any, b: Any) -> bool:
    """Equal fields (pydantic's == also compares private state such as the compiled form)."""
    return type(a) is type(b) and a.model_dump() == b.model_dump()


def _fresh() -> Questionnaire:
    data = read_data_file(_loading.builtin_dir() / "yangzhou-2022.yaml")
    return _loading.questionnaire_from_data(data)


def test_cached_questionnaire_equals_the_parsed_one(cache):
    first = yz.load_questionnaire("yangzhou-2022")
    files = list(cache.glob("yangzhou-2022-*.json"))
    assert len(files) == 1
    _loading._load_builtin.cache_clear()
    again = yz.load_questionnaire("yangzhou-2022")
    assert again is not first  # read back from the file, not the in-process cache
    assert _same(again, _fresh()) and _same(again, first)
    catalog = yz.load_catalog("yangzhou-zgsz-2022")
    _loading._load_builtin_catalog.cache_clear()
    assert _same(yz.load_catalog("yangzhou-zgsz-2022"), catalog)
    assert len(list(cache.glob("yangzhou-zgsz-2022-*.json"))) == 1


def test_a_damaged_cache_file_is_rebuilt(cache):
    yz.load_questionnaire("yangzhou-2022")
    (path,) = cache.glob("yangzhou-2022-*.json")
    path.write_text('{"id": "yangzhou-2022", "dimensions": "broken"}', encoding="utf-8")
    _loading._load_builtin.cache_clear()
    assert _same(yz.load_questionnaire("yangzhou-2022"), _fresh())
    assert _same(Questionnaire.model_validate_json(path.read_bytes()), _fresh())


def test_the_cache_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv(_loading.CACHE_ENV, "")
    assert _loading.cache_dir() is None
    _loading._load_builtin.cache_clear()
    assert _same(yz.load_questionnaire("yangzhou-2022"), _fresh())
    _loading._load_builtin.cache_clear()


def test_the_cli_starts_from_the_cache(tmp_path):
    env = dict(os.environ, **{_loading.CACHE_ENV: str(tmp_path), "PYTHONPATH": str(ROOT)})
    cmd = [sys.executable, "-m", "yzmaturity", "show", "yangzhou-2022", "--lang", "en"]
    cold = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    assert list(tmp_path.glob("yangzhou-2022-*.json"))
    warm = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    assert warm.stdout == cold.stdout
    assert f"v{yz.load_questionnaire('yangzhou-2022').version}" in warm.stdout
