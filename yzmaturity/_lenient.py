"""One leniency for every input: YAML and JSON sheets, tables and Python dicts alike.

What is accepted besides the canonical value (an option id, ``true``/``false``,
a number):

- yes/no: ``是``/``否``, ``1``/``0``, ``true``/``false``, ``yes``/``no`` in any case;
- an option by its label, Chinese or English (``有书面规划``), in any case,
  and by its id in any case;
- full-width characters (``２．５``, ``ｍｅｓ``) and full-width separators in a
  list of options (``mes，erp``, ``mes；erp``, ``mes、erp``);
- a percentage written with its sign (``2.5%``) for a question measured in %.

Anything else is an error that lists what is accepted and, for an option, the
closest one (``did you mean``).

>>> yes_no("是"), yes_no("0"), yes_no("maybe")
(True, False, None)
>>> number_text("２．５%", "%"), number_text("2.5%", None)
(2.5, None)
>>> split_options("mes，erp、plm")
['mes', 'erp', 'plm']
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._model import Option

__all__ = [
    "FALSE_WORDS",
    "LIST_SEPARATORS",
    "MULTI_SEPARATOR",
    "TRUE_WORDS",
    "OptionLookup",
    "normalise",
    "number_text",
    "split_options",
    "yes_no",
]

TRUE_WORDS = frozenset({"true", "1", "是", "yes"})
FALSE_WORDS = frozenset({"false", "0", "否", "no"})
LIST_SEPARATORS = ";,、"  # after NFKC, the full-width ；and ，are these
MULTI_SEPARATOR = ";"  # what the wide format writes between items (options, roles), and reads in a set field
_SPLIT = re.compile(f"[{re.escape(LIST_SEPARATORS)}]")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), spaces collapsed and stripped."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def yes_no(value: Any) -> bool | None:
    """True/False for the accepted yes/no spellings (and 1/0 as numbers), None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):  # compared, not converted: 10**400 is no float
        return True if value == 1 else False if value == 0 else None
    if isinstance(value, str):
        low = normalise(value).lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
    return None


def number_text(text: str, unit: str | None) -> float | None:
    """A number written as text (full-width digits too); ``2.5%`` only where the unit is %."""
    clean = normalise(text).replace(" ", "")
    if clean.endswith("%"):
        if unit != "%":
            return None
        clean = clean[:-1]
    return float(clean) if _NUMBER.fullmatch(clean) else None


def split_options(text: str) -> list[str]:
    """A list of options written in one cell or string: ``a;b``, ``a，b``, ``a、b``."""
    return [part.strip() for part in _SPLIT.split(normalise(text)) if part.strip()]


class OptionLookup:
    """Finds an option by id or label, in any case and width; suggests the closest."""

    def __init__(self, options: Sequence[Option]) -> None:
        self.options = list(options)
        self._exact = {o.id: i for i, o in enumerate(self.options)}
        self._loose: dict[str, int] = {}
        for i, o in enumerate(self.options):
            for name in (o.label.zh, o.label.en, o.id):
                if name:
                    self._loose.setdefault(normalise(name).casefold(), i)

    def find(self, value: str) -> int | None:
        """The index of the option ``value`` names, or None."""
        hit = self._exact.get(value)
        if hit is None:
            hit = self._loose.get(normalise(value).casefold())
        return hit

    def suggest(self, value: str) -> Option | None:
        """The option whose id or label is closest to ``value`` (if any is close)."""
        key = normalise(value).casefold()
        close = difflib.get_close_matches(key, list(self._loose), n=1, cutoff=0.6)
        return self.options[self._loose[close[0]]] if close else None
