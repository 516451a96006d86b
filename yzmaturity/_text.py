"""Bilingual text: every label a person reads exists in Chinese and English."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from ._codes import Code
from ._exceptions import ReportError

__all__ = [
    "LINE_CONTROLS_RE2",
    "CleanLine",
    "CleanStr",
    "Text",
    "check_clean",
    "check_lang",
    "control_message",
    "first_control",
    "strip_controls",
    "terminal_safe",
]

# C0 controls but tab/newline/carriage return, DEL, C1 controls (0x9b is a one-byte CSI),
# and the bidirectional embeddings/overrides/isolates that can reorder what a reader sees.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check_clean(value: str, *, line: bool = False) -> str:
    """``value`` unchanged, or ValueError naming the first control character in it.

    Control characters (NUL, ESC, BEL, C1, bidirectional overrides) are refused in
    every text a person reads: they would reach a terminal, a report or a spreadsheet.
    With ``line`` a line break or tab is refused too (a name is one line).

    >>> check_clean("扬州示例 Ltd.")
    '扬州示例 Ltd.'
    >>> check_clean("evil\x1b]0;owned\x07")
    Traceback (most recent call last):
    ...
    ValueError: control character U+001B at position 4 is not allowed in text
    """
    found = (_LINE_CONTROLS if line else _CONTROLS).search(value)
    if found is not None:
        raise ValueError(
            f"control character U+{ord(found.group()):04X} at position {found.start()} is not allowed in text"
        )
    return value


def _pydantic_clean(value: str, line: bool = False) -> str:
    try:
        return check_clean(value, line=line)
    except ValueError as exc:
        raise PydanticCustomError(Code.CONTROL_CHARACTER, str(exc)) from None


def _check_text(value: str) -> str:
    return _pydantic_clean(value)


def _check_line(value: str) -> str:
    return _pydantic_clean(value, line=True)


LINE_CONTROLS_RE2 = "[\\x{00}-\\x{1f}\\x{7f}-\\x{9f}\\x{2028}\\x{2029}\\x{202a}-\\x{202e}\\x{2066}-\\x{2069}]"
"""The characters :data:`CleanLine` refuses, as an RE2 class (pyarrow's regular expressions)."""


def first_control(value: str) -> int:
    """The position of the first character a one-line text refuses, -1 if none."""
    found = _LINE_CONTROLS.search(value)
    return -1 if found is None else found.start()


CleanStr = Annotated[str, AfterValidator(_check_text)]
"""A text field without control characters (tab and line breaks allowed)."""
CleanLine = Annotated[str, AfterValidator(_check_line)]
"""A one-line text field without control characters: names, ids, file names."""


def control_message(name: str, text: str, at: int) -> str:
    """What a field holding a control character (at ``at``, from :func:`first_control`) is told."""
    return f"{name!r} holds the control character U+{ord(text[at]):04X} at position {at}"


def strip_controls(value: str) -> str:
    """``value`` without its control characters (tab and line breaks kept)."""
    return _CONTROLS.sub("", value)


def terminal_safe(value: str) -> str:
    r"""Text safe to print on a terminal: every control character shown as ``\u00XX``.

    Line feeds and tabs are kept; a carriage return (which could overwrite a
    line) is shown too.  The escape is also valid inside a JSON string.

    >>> print(terminal_safe("name\x1b[2J\r"))
    name\u001b[2J\u000d
    """
    return _TERMINAL.sub(lambda m: f"\\u{ord(m.group()):04x}", value.replace("\r\n", "\n"))


Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


def check_lang(lang: str) -> str:
    """``lang`` if it is ``zh`` or ``en``; :class:`~yzmaturity.ReportError` otherwise.

    Summaries, reports and tables refuse an unknown language alike (no silent fallback).

    >>> check_lang("fr")
    Traceback (most recent call last):
    ...
    yzmaturity._exceptions.ReportError: unknown language 'fr'; expected 'zh' or 'en'
    """
    if lang not in LANGS:
        raise ReportError(f"unknown language {lang!r}; expected 'zh' or 'en'")
    return lang


class Text(BaseModel):
    """A text in Chinese (``zh``) and English (``en``).

    At least one language must be given; the questionnaire lint warns when one
    is missing.  ``Text.of(lang)`` falls back to the other language.
    """

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    zh: CleanStr | None = Field(default=None, min_length=1, max_length=4000)
    en: CleanStr | None = Field(default=None, min_length=1, max_length=4000)

    @model_validator(mode="after")
    def _one_language(self) -> Text:
        if self.zh is None and self.en is None:
            raise ValueError("a text needs at least one of 'zh' or 'en'")
        return self

    def of(self, lang: str = "zh") -> str:
        if lang == "en":
            return self.en or self.zh or ""
        return self.zh or self.en or ""

    def __str__(self) -> str:
        if self.zh and self.en:
            return f"{self.zh} / {self.en}"
        return self.of("zh")


def text(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


def as_text(value: Any) -> Text:
    return value if isinstance(value, Text) else Text.model_validate(value)
