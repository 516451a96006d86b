"""Bilingual text: every label a person reads exists in Chinese and English."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Text"]

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


class Text(BaseModel):
    """A text in Chinese (``zh``) and English (``en``).

    At least one language must be given; the questionnaire lint warns when one
    is missing.  ``Text.of(lang)`` falls back to the other language.
    """

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    zh: str | None = Field(default=None, min_length=1, max_length=4000)
    en: str | None = Field(default=None, min_length=1, max_length=4000)

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
