"""The offline fill-in page: one HTML file with the survey and SurveyJS inlined.

A consultant opens it on a laptop without a network, fills it in Chinese or
English (switchable at any time), and saves the answers as a JSON file (the
"Save" button, and on completion) that ``yzmaturity import --format surveyjs``
reads.  A saved file can be opened again in the page to go on filling.  The
SurveyJS builds are vendored in ``vendor/`` (MIT licence, see the notice there).
"""

from __future__ import annotations

import gzip
import html
import json
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

from .._version import __version__
from .surveyjs import ZH_LOCALE, to_surveyjs

if TYPE_CHECKING:
    from .._model import Questionnaire

__all__ = ["SURVEYJS_VERSION", "VENDORED", "form_html"]

SURVEYJS_VERSION = "2.5.38"
VENDORED = (
    "survey.core.min.js",
    "survey-js-ui.min.js",
    "survey-core.fontless.min.css",
    "simplified-chinese.min.js",
)


def _vendored(name: str) -> str:
    data = resources.files(__package__).joinpath("vendor", name + ".gz").read_bytes()
    text = gzip.decompress(data).decode("utf-8")
    if "</script" in text.lower() or "</style" in text.lower():
        raise AssertionError(f"vendored {name} cannot be inlined")
    return text


def _json_for_script(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` as such."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def form_html(q: Questionnaire, lang: str = "zh") -> str:
    """The self-contained fill-in page of ``q`` (an HTML string, about 2 MB), opening in ``lang``."""
    template = resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")
    locale = "en" if lang == "en" else ZH_LOCALE
    meta = {
        "questionnaire": q.id,
        "questionnaire_version": q.version,
        "title": q.title.of(lang),
        "locale": locale,
    }
    parts = {
        "html_lang": "en" if lang == "en" else "zh-CN",
        "version": __version__,
        "title": html.escape(q.title.of(lang)),
        "surveyjs_version": SURVEYJS_VERSION,
        "survey_json": _json_for_script(to_surveyjs(q)),
        "meta_json": _json_for_script(meta),
        "css": _vendored("survey-core.fontless.min.css"),
        "survey_core": _vendored("survey.core.min.js"),
        "survey_i18n": _vendored("simplified-chinese.min.js"),
        "survey_ui": _vendored("survey-js-ui.min.js"),
    }
    # One pass: the inserted texts (the vendored code) are never scanned for placeholders.
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], template)
