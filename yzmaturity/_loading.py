"""Loading and saving: built-in questionnaires, files by path, answer sheets.

This is the I/O edge; the core models never touch files.
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ._answers import AnswerSheet
from ._exceptions import AnswerValidationError, ErrorDetail, NotFoundError, QuestionnaireError
from ._files import read_data_file, write_data_file
from ._model import Questionnaire

if TYPE_CHECKING:
    from collections.abc import Iterable

PathLike = str | os.PathLike[str]


def _package_dir(name: str, repo_dir: str) -> Path:
    """A data folder shipped in the wheel (``yzmaturity/<name>``) or, in a checkout, the repo's."""
    shipped = Path(str(resources.files("yzmaturity"))) / name
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parent.parent / repo_dir


def builtin_dir() -> Path:
    """Where the built-in questionnaires live (installed wheel or source checkout)."""
    return _package_dir("_builtin", "questionnaires")


def examples_dir() -> Path:
    return _package_dir("_examples", "examples")


def list_questionnaires() -> list[str]:
    """Ids of the built-in questionnaires, sorted.

    >>> "yangzhou-2022" in list_questionnaires()
    True
    """
    return sorted(p.stem for p in builtin_dir().glob("*.yaml"))


def list_examples() -> list[str]:
    return sorted(p.stem for p in examples_dir().glob("*.yaml"))


def example_path(name: str) -> Path:
    """Path of a bundled example answer sheet (see ``list_examples()``)."""
    path = examples_dir() / f"{name}.yaml"
    if not path.is_file():
        raise NotFoundError("example", name, list_examples())
    return path


def details_from_pydantic(exc: BaseException, prefix: tuple[str | int, ...] = ()) -> list[ErrorDetail]:
    """pydantic's errors as :class:`ErrorDetail` (its error type becomes the code)."""
    if not isinstance(exc, ValidationError):
        return [ErrorDetail("invalid", prefix, str(exc))]
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(part for part in err["loc"] if not (isinstance(part, str) and part in _UNION_TAGS))
        msg = err["msg"].removeprefix("Value error, ")
        expected = None
        ctx = err.get("ctx") or {}
        if "expected" in ctx:
            expected = str(ctx["expected"])
        elif err["type"] in ("missing",):
            expected = "a value"
        got = err.get("input")
        if isinstance(got, dict | list) and len(repr(got)) > 200:
            got = f"<{type(got).__name__} of {len(got)} items>"
        out.append(ErrorDetail(err["type"], prefix + loc, msg, expected=expected, got=got))
    return out


_UNION_TAGS = {
    "all",
    "any",
    "not",
    "count",
    "compare",
    "function-after[_one_subject_some_operator(), Compare]",
}


def questionnaire_from_data(data: Any, source: str = "<data>") -> Questionnaire:
    """Validate plain data as a questionnaire and lint it; raise with every error."""
    from ._lint import lint

    if not isinstance(data, dict):
        raise QuestionnaireError(
            f"{source} is not a questionnaire",
            [
                ErrorDetail(
                    "wrong_type",
                    (),
                    "a questionnaire file holds a mapping",
                    expected="a mapping",
                    got=type(data).__name__,
                )
            ],
        )
    data = {k: v for k, v in data.items() if k != "$schema"}
    try:
        q = Questionnaire.model_validate(data)
    except ValidationError as exc:
        raise QuestionnaireError(
            f"{source} is not a valid questionnaire", details_from_pydantic(exc)
        ) from None
    errors = [f for f in lint(q) if f.severity == "error"]
    if errors:
        raise QuestionnaireError(f"{source} is not a valid questionnaire", errors)
    return q


@functools.lru_cache(maxsize=32)
def _load_builtin(name: str) -> Questionnaire:
    path = builtin_dir() / f"{name}.yaml"
    return questionnaire_from_data(read_data_file(path), source=f"built-in {name!r}")


def load_questionnaire(source: PathLike | Questionnaire) -> Questionnaire:
    """A built-in questionnaire by id, or one from a YAML/JSON file.

    Built-ins are cached (questionnaires are immutable, so sharing is safe).
    Raises :class:`NotFoundError` for an unknown id, :class:`FileLoadError` for
    an unreadable or hostile file, :class:`QuestionnaireError` for an invalid one.
    """
    if isinstance(source, Questionnaire):
        return source
    text = os.fspath(source)
    if text in list_questionnaires():
        return _load_builtin(text)
    if not _looks_like_path(text):
        raise NotFoundError("questionnaire", text, list_questionnaires())
    return questionnaire_from_data(read_data_file(text), source=text)


def _looks_like_path(text: str) -> bool:
    return any(sep in text for sep in ("/", "\\", os.sep)) or text.lower().endswith(
        (".yaml", ".yml", ".json")
    )


def resolve_questionnaire(
    sheet: AnswerSheet, questionnaire: Questionnaire | PathLike | None
) -> Questionnaire:
    """The questionnaire given, or the sheet's built-in one."""
    if questionnaire is not None:
        return load_questionnaire(questionnaire)
    return load_questionnaire(sheet.questionnaire)


def answers_from_data(data: Any, source: str = "<data>") -> AnswerSheet:
    if not isinstance(data, dict):
        raise AnswerValidationError(
            f"{source} is not an answer sheet",
            [
                ErrorDetail(
                    "wrong_type",
                    (),
                    "an answer sheet is a mapping",
                    expected="a mapping",
                    got=type(data).__name__,
                )
            ],
        )
    data = {k: v for k, v in data.items() if k != "$schema"}
    try:
        return AnswerSheet.model_validate(data)
    except ValidationError as exc:
        raise AnswerValidationError(
            f"{source} is not a valid answer sheet", details_from_pydantic(exc)
        ) from None


def load_answers(path: PathLike) -> AnswerSheet:
    """Read an answer sheet from YAML or JSON (shape checked; see ``validate_answers``)."""
    return answers_from_data(read_data_file(path), source=os.fspath(path))


def save_answers(sheet: AnswerSheet, path: PathLike) -> None:
    """Write an answer sheet as YAML or JSON (by extension); loading it gives the same sheet."""
    write_data_file(path, sheet.dump())


def is_questionnaire_data(data: Any) -> bool:
    return isinstance(data, dict) and "dimensions" in data and "levels" in data


def iter_lines(items: Iterable[Any]) -> list[str]:
    return [str(i) for i in items]
