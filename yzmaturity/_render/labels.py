"""The one bilingual label table of the output (``labels.yaml`` beside this module).

Reports, the notebook display and the terminal text take every fixed word they
show from here: ``labels(group, lang)`` gives one group in one language (a dict
``key -> text``), ``pair(group, key)`` gives ``(zh, en)``.  The file is read and
checked once, on first use: every entry has exactly a non-empty ``zh`` and ``en``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from .._exceptions import ReportError

__all__ = ["LANGS", "check_lang", "groups", "labels", "pair"]

LANGS = ("zh", "en")
_FILE = "labels.yaml"

# group -> lang -> key -> text
_Table = dict[str, dict[str, dict[str, str]]]


def _check(data: Any) -> _Table:
    """The parsed file as group -> lang -> key -> text; a malformed entry raises ``ReportError``."""

    def bad(where: str, expected: str, got: Any) -> ReportError:
        return ReportError(f"{_FILE}: {where}: expected {expected}, got {got!r}")

    if not isinstance(data, dict) or not data:
        raise bad("<root>", "a mapping of groups", type(data).__name__)
    table: _Table = {}
    for group, entries in data.items():
        if not isinstance(entries, dict) or not entries:
            raise bad(str(group), "a mapping of labels", type(entries).__name__)
        by_lang: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
        for key, entry in entries.items():
            where = f"{group}.{key}"
            if not isinstance(entry, dict) or set(entry) != set(LANGS):
                got = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
                raise bad(where, "exactly the keys 'zh' and 'en'", got)
            for lang in LANGS:
                text = entry[lang]
                if not isinstance(text, str) or not text:
                    raise bad(f"{where}.{lang}", "a non-empty string", text)
                by_lang[lang][str(key)] = text
        table[str(group)] = by_lang
    return table


@lru_cache(maxsize=1)
def _table() -> _Table:
    text = (resources.files(__package__ or "yzmaturity._render") / _FILE).read_text(encoding="utf-8")
    return _check(yaml.safe_load(text))


def check_lang(lang: str) -> str:
    """``lang`` if it is ``zh`` or ``en``; else a ``ReportError``."""
    if lang not in LANGS:
        raise ReportError(f"unknown report language {lang!r}; expected 'zh' or 'en'")
    return lang


def labels(group: str, lang: str) -> dict[str, str]:
    """The labels of ``group`` in ``lang`` (``zh`` or ``en``), ``key -> text``; do not modify it.

    >>> labels("state", "en")["needs_checking"]
    'needs checking'
    """
    return _table()[group][check_lang(lang)]


def pair(group: str, key: str) -> tuple[str, str]:
    """One label in both languages, ``(zh, en)``.

    >>> pair("display", "overall")
    ('总分', 'Overall')
    """
    table = _table()[group]
    return table["zh"][key], table["en"][key]


def groups() -> dict[str, set[str]]:
    """Every group with its keys (for the tests: each key has both languages)."""
    return {group: set(by_lang["zh"]) for group, by_lang in _table().items()}
