"""Loading and saving: built-in questionnaires, files by path, answer sheets.

This is the I/O edge; the core models never touch files.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ._answers import AnswerSheet
from ._codes import Code
from ._exceptions import (
    AnswerValidationError,
    ErrorDetail,
    NotFoundError,
    QuestionnaireError,
    details_from_pydantic,
)
from ._files import read_data_file, write_data_file
from ._fs import write_bytes
from ._lint import catalog_findings, lint
from ._model import Questionnaire
from ._policy import PolicyCatalog
from ._version import __version__

__all__ = [
    "PathLike",
    "answers_from_data",
    "cache_dir",
    "catalog_from_data",
    "default_catalog",
    "example_path",
    "find_catalog",
    "is_catalog_data",
    "is_questionnaire_data",
    "list_catalogs",
    "list_examples",
    "list_questionnaires",
    "load_answers",
    "load_catalog",
    "load_questionnaire",
    "questionnaire_from_data",
    "resolve_questionnaire",
    "save_answers",
]

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
    """Names of the bundled example answer sheets (see ``example_path``)."""
    return sorted(p.stem for p in examples_dir().glob("*.yaml"))


def example_path(name: str) -> Path:
    """Path of a bundled example answer sheet (see ``list_examples()``)."""
    path = examples_dir() / f"{name}.yaml"
    if not path.is_file():
        raise NotFoundError("example", name, list_examples())
    return path


M = TypeVar("M", bound=BaseModel)


def _parse(
    model: type[M], data: Any, source: str, what: str, error: type[QuestionnaireError | AnswerValidationError]
) -> M:
    """Validate a file's top-level mapping (without its editor ``$schema`` key) as ``model``.

    Anything else, or a model error, raises ``error`` listing every problem.
    """
    if not isinstance(data, dict):
        raise error(
            f"{source} is not {what}",
            [
                ErrorDetail(
                    Code.WRONG_TYPE,
                    (),
                    f"{what} file holds a mapping",
                    expected="a mapping",
                    got=type(data).__name__,
                )
            ],
        )
    try:
        return model.model_validate({k: v for k, v in data.items() if k != "$schema"})
    except ValidationError as exc:
        raise error(f"{source} is not a valid {what.split(' ', 1)[1]}", details_from_pydantic(exc)) from None


def questionnaire_from_data(data: Any, source: str = "<data>") -> Questionnaire:
    """Validate plain data as a questionnaire and lint it; raise with every error."""
    q = _parse(Questionnaire, data, source, "a questionnaire", QuestionnaireError)
    errors = [f for f in lint(q) if f.severity == "error"]
    if errors:
        raise QuestionnaireError(f"{source} is not a valid questionnaire", errors)
    return q


@functools.lru_cache(maxsize=32)
def _load_builtin(name: str) -> Questionnaire:
    path = builtin_dir() / f"{name}.yaml"
    return _cached(
        Questionnaire,
        path,
        lambda: questionnaire_from_data(read_data_file(path), source=f"built-in {name!r}"),
    )


# --------------------------------------------------------------------------- validated cache
CACHE_ENV = "YZMATURITY_CACHE_DIR"
MAX_CACHE_BYTES = 8 * 1024 * 1024


def cache_dir() -> Path | None:
    """Where validated built-ins are cached: ``$YZMATURITY_CACHE_DIR`` (empty: no cache), else the user cache."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "yzmaturity"


def _cache_key(source: bytes) -> str:
    import hashlib

    import pydantic

    digest = hashlib.sha256(source)
    digest.update(f"\0{__version__}\0{pydantic.VERSION}".encode())
    return digest.hexdigest()[:32]


def _cached(model: type[M], path: Path, build: Callable[[], M]) -> M:
    """A built-in file's model from the cache, else ``build()`` it (parse, validate, lint) and cache it.

    The cache holds the model as JSON, named by a hash of the source file's
    bytes, the library version and the pydantic version: a changed file or
    library misses the cache.  What is read back is validated again by the
    model (its JSON mode, in compiled code: a few milliseconds, where parsing
    the YAML takes over a hundred); anything wrong with the cache file and the
    source is simply read again.
    """
    folder = cache_dir()
    try:
        raw = path.read_bytes()
    except OSError:
        return build()
    if folder is None:
        return build()
    target = folder / f"{path.stem}-{_cache_key(raw)}.json"
    try:
        if target.is_file() and target.stat().st_size <= MAX_CACHE_BYTES:
            return model.model_validate_json(target.read_bytes())
    except (OSError, ValidationError):
        pass  # unreadable or stale: rebuild it
    value = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_bytes(target, value.model_dump_json(by_alias=True, exclude_unset=True).encode())
    except OSError:  # FileWriteError is one too
        pass  # a read-only home: no cache, still correct
    return value


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
    return _parse(AnswerSheet, data, source, "an answer sheet", AnswerValidationError)


def load_answers(path: PathLike) -> AnswerSheet:
    """Read an answer sheet from YAML or JSON (shape checked; see ``validate_answers``)."""
    return answers_from_data(read_data_file(path), source=os.fspath(path))


def save_answers(sheet: AnswerSheet, path: PathLike) -> None:
    """Write an answer sheet as YAML or JSON (by extension); loading it gives the same sheet."""
    write_data_file(path, sheet.dump())


def is_questionnaire_data(data: Any) -> bool:
    return isinstance(data, dict) and "dimensions" in data and "levels" in data


def is_catalog_data(data: Any) -> bool:
    return isinstance(data, dict) and "categories" in data


# --------------------------------------------------------------------------- policy catalogs
def policies_dir() -> Path:
    return builtin_dir() / "policies"


def list_catalogs() -> list[str]:
    """Ids of the built-in policy catalogs, sorted."""
    return sorted(p.stem for p in policies_dir().glob("*.yaml"))


def catalog_from_data(
    data: Any, source: str = "<data>", questionnaire: Questionnaire | None = None
) -> PolicyCatalog:
    """Validate plain data as a policy catalog and check it against its questionnaire."""
    catalog = _parse(PolicyCatalog, data, source, "a policy catalog", QuestionnaireError)
    q = questionnaire if questionnaire is not None else load_questionnaire(catalog.questionnaire)
    errors = [f for f in catalog_findings(catalog, q) if f.severity == "error"]
    if errors:
        raise QuestionnaireError(f"{source} does not fit questionnaire {q.id!r}", errors)
    return catalog


@functools.lru_cache(maxsize=32)
def _load_builtin_catalog(name: str) -> PolicyCatalog:
    path = policies_dir() / f"{name}.yaml"
    return _cached(
        PolicyCatalog,
        path,
        lambda: catalog_from_data(read_data_file(path), source=f"built-in catalog {name!r}"),
    )


def load_catalog(
    source: PathLike | PolicyCatalog, questionnaire: Questionnaire | None = None
) -> PolicyCatalog:
    """A built-in policy catalog by id, or one from a YAML/JSON file (a district's, next year's ...).

    The catalog is checked against its questionnaire when loaded: a catalog
    naming a missing dimension, question or tag fails here, not during matching.
    """
    if isinstance(source, PolicyCatalog):
        return source
    text = os.fspath(source)
    if text in list_catalogs():
        return _load_builtin_catalog(text)
    if not _looks_like_path(text):
        raise NotFoundError("policy catalog", text, list_catalogs())
    return catalog_from_data(read_data_file(text), source=text, questionnaire=questionnaire)


def default_catalog(questionnaire_id: str) -> PolicyCatalog | None:
    """The first built-in catalog written for this questionnaire, if any."""
    for name in list_catalogs():
        catalog = _load_builtin_catalog(name)
        if catalog.questionnaire == questionnaire_id:
            return catalog
    return None


def find_catalog(catalog: PathLike | None, questionnaire: Questionnaire) -> PolicyCatalog | None:
    """``None`` -> the questionnaire's default catalog (if any); an id or a path -> that catalog."""
    if catalog is None:
        return default_catalog(questionnaire.id)
    return load_catalog(catalog, questionnaire)
