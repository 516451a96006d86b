"""The wide format's header: its columns, the result columns, and the check of a table's header."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._codes import Code
from .._enterprise import PROFILE_INPUT_FIELDS
from .._exceptions import ErrorDetail, TableError

if TYPE_CHECKING:
    from .._compile import CompiledQuestionnaire
    from .._model import Questionnaire
    from .._policy import PolicyCatalog

__all__ = ["check_header", "result_names", "table_header"]


def table_header(questionnaire: Questionnaire) -> list[str]:
    """The columns of the wide format: the profile fields, then every question id."""
    return list(PROFILE_INPUT_FIELDS) + list(questionnaire.compiled().qids)


def result_names(cq: CompiledQuestionnaire, catalog: PolicyCatalog | None) -> list[str]:
    names = ["valid", "errors", "warnings", "error_summary"]
    names += [f"score:{d}" for d in cq.dim_ids] + ["overall", "level", "level_name"]
    if cq.questionnaire.official is not None:
        names += ["official_overall", "official_level", "official_level_name"]
    if catalog is not None:
        for c in catalog.categories:
            names += [f"fit:{c.id}", f"eligibility:{c.id}"]
            if c.tiers:
                names.append(f"tier:{c.id}")
        names.append("top_category")
    return names


def check_header(
    columns: Sequence[Any], cq: CompiledQuestionnaire, id_columns: Sequence[str], reserved: Sequence[str]
) -> None:
    known = set(PROFILE_INPUT_FIELDS) | set(cq.qids)
    details: list[ErrorDetail] = []
    names = [str(c) for c in columns]
    for name, count in Counter(names).items():
        if count > 1:
            details.append(
                ErrorDetail(
                    Code.DUPLICATE_COLUMN,
                    ("column", name),
                    f"column {name!r} appears {count} times",
                    expected="each column once",
                    got=count,
                )
            )
    for raw, name in zip(columns, names, strict=True):
        if not isinstance(raw, str):
            details.append(
                ErrorDetail(
                    Code.UNKNOWN_COLUMN,
                    ("column", name),
                    f"column names are text, not {type(raw).__name__}",
                    expected="a profile field, a question id, a name starting with '_' or an id column",
                    got=raw,
                )
            )
            continue
        if name in known or name.startswith("_") or name in id_columns:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        details.append(
            ErrorDetail(
                Code.UNKNOWN_COLUMN,
                ("column", name),
                f"unknown column {name!r}{hint} (prefix passthrough columns with '_' or list them in id_columns)",
                expected="a profile field, a question id, a name starting with '_' or an id column",
                got=name,
            )
        )
    present = set(names)
    needed = ["name"] + [qid for qid, qq in zip(cq.qids, cq.questions, strict=True) if qq.required]
    for name in needed:
        if name not in present:
            what = "the enterprise name" if name == "name" else f"required question {name!r}"
            details.append(
                ErrorDetail(
                    Code.MISSING_COLUMN,
                    ("column", name),
                    f"no column {name!r} ({what})",
                    expected=f"a column {name!r}",
                    got=None,
                )
            )
    for name in id_columns:
        if name not in present:
            details.append(
                ErrorDetail(
                    Code.MISSING_COLUMN, ("column", name), f"id column {name!r} is not in the table", got=None
                )
            )
        if name in reserved:
            details.append(
                ErrorDetail(
                    Code.COLUMN_CLASH,
                    ("column", name),
                    f"id column {name!r} has the name of a result column; rename it",
                    got=name,
                )
            )
    if details:
        raise TableError(f"the table does not fit {cq.questionnaire.id!r}", details)
