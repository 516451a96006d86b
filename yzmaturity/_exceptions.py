"""Exceptions raised by yzmaturity.

Every error the library raises on purpose derives from :class:`YzMaturityError`
and also from the builtin that fits, so ``except ValueError`` keeps working::

    YzMaturityError
    ├── FileLoadError (ValueError)          a file is missing, too large, hostile or not YAML/JSON
    ├── FileWriteError (OSError)            an output cannot be written (folder missing, disk full ...)
    ├── QuestionnaireError (ValueError)     a questionnaire (or catalog) breaks the model or its lint
    ├── AnswerValidationError (ValueError)  an answer sheet does not fit its questionnaire
    │   └── TableError                      a table as a whole cannot be used
    ├── NotFoundError (LookupError)         an unknown built-in id
    ├── MissingDependencyError (ImportError) an optional extra is not installed
    ├── ComparisonError (ValueError)        two assessments that should not be compared
    └── ReportError (ValueError)            a report cannot be made or saved as asked

Errors about data carry a list of :class:`ErrorDetail`: a stable ``code``, the
``loc`` of the offending field (question id, row number, dotted path), what was
``expected`` and what ``got``.  Batches gather every detail instead of stopping
at the first one, in the manner of pandera's lazy validation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError

from ._codes import Code
from ._messages import render_message, show_value, where_text

__all__ = [
    "AnswerValidationError",
    "ComparisonError",
    "ErrorDetail",
    "FileLoadError",
    "FileWriteError",
    "MissingDependencyError",
    "NotFoundError",
    "QuestionnaireError",
    "RepeatedProblem",
    "ReportError",
    "RowProblems",
    "TableError",
    "YzMaturityError",
    "details_from_pydantic",
]


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_ORIGIN = "_origin"  # not a field: equality, repr and fields() ignore it


@dataclass(frozen=True)
class ErrorDetail:
    """One problem found in a file, sheet or row.

    ``code`` is stable across releases (e.g. ``unknown_option``); ``loc`` names
    where the problem is (``("answers", "E2")``, ``("row", 17, "E2")``).
    ``allowed`` lists the accepted values when they are a short list (option
    ids, ``true``/``false``), ``params`` what a sentence needs (the question's
    text, a suggestion ...).  :meth:`text` says it in Chinese or English:

    >>> d = ErrorDetail("missing_required", ("answers", "S1"), "'S1' is required",
    ...                 params={"subject": {"zh": "战略规划", "en": "Strategy"}})
    >>> d.text("zh"), d.text("en")
    ('「战略规划」为必答题，尚未作答', '"Strategy" is required and not answered')
    """

    code: str
    loc: tuple[str | int, ...]
    message: str
    expected: str | None = None
    got: Any = None
    severity: str = "error"
    allowed: tuple[Any, ...] | None = None
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def at(self, loc: tuple[str | int, ...]) -> ErrorDetail:
        """The same problem at another place (another row of a table).

        What ``dataclasses.replace(self, loc=loc)`` gives, five times faster: a
        batch repeats one problem over many rows.  The copy remembers the
        problem it repeats (:meth:`origin`), so that a table of problems can
        word each one once.
        """
        moved = object.__new__(ErrorDetail)
        moved.__dict__.update(self.__dict__)
        moved.__dict__["loc"] = loc
        moved.__dict__[_ORIGIN] = self.__dict__.get(_ORIGIN, self)
        return moved

    def origin(self) -> ErrorDetail | None:
        """The problem this one repeats at another place (made by :meth:`at`), or None.

        Both differ in :attr:`loc` only.
        """
        found: ErrorDetail | None = self.__dict__.get(_ORIGIN)
        return found

    @property
    def where(self) -> str:
        return ".".join(str(part) for part in self.loc) or "(file)"

    def text(self, lang: str = "en") -> str:
        """The problem as one sentence in ``zh`` or ``en``: no ids, no Python values.

        Falls back to :attr:`message` for a problem without a localised sentence.
        """
        params: dict[str, Any] = {"got": self.got}
        if self.allowed is not None:
            params["allowed"] = list(self.allowed)
        params.update(self.params)
        loc = self.loc[:-1] if self.code == "extra_forbidden" else self.loc
        params.setdefault("subject", where_text([p for p in loc if p != "answers"], lang))
        if self.code == "extra_forbidden" and self.loc:
            params.setdefault("field", self.loc[-1])
        rendered = render_message(self.code, lang, params)
        if rendered is not None:
            return rendered
        if lang == "en":
            return self.message
        got = "" if self.got is None else f"（收到“{show_value(self.got, lang, 80)}”）"
        return f"{where_text(self.loc, lang)}：{self.message}{got}"

    def __str__(self) -> str:
        text = f"[{self.code}] {self.where}: {self.message}"
        if self.expected is not None:
            text += f" (expected {self.expected}, got {_short(self.got)})"
        return text

    def to_dict(self) -> dict[str, Any]:
        got = self.got
        if not isinstance(got, str | int | float | bool | type(None) | list | dict):
            got = repr(got)
        return {
            "code": self.code,
            "loc": list(self.loc),
            "message": self.message,
            "expected": self.expected,
            "got": got,
            "severity": self.severity,
            "allowed": None if self.allowed is None else list(self.allowed),
        }


@dataclass(frozen=True, eq=False)  # rows are an array: no field-wise ==
class RepeatedProblem:
    """One problem at each of many rows: at ``rows[i]`` it is ``problem.at(("row", named[i], *problem.loc[2:]))``.

    ``rows`` are distinct and ascending.  ``named`` is ``rows``, or ``locs``
    where given: the input rows the problems name after :meth:`RowProblems.take`
    renumbered the rows.  See :meth:`RowProblems.add_repeated`.
    """

    rows: np.ndarray
    problem: ErrorDetail
    locs: np.ndarray | None = None

    @property
    def named(self) -> np.ndarray:
        """The row each problem's ``loc`` names, one per row of ``rows``."""
        return self.rows if self.locs is None else self.locs

    def at(self, row: int) -> ErrorDetail:
        """The problem naming input row ``row``."""
        return self.problem.at(("row", row, *self.problem.loc[2:]))

    def subset(self, keep: np.ndarray) -> RepeatedProblem:
        """The rows where ``keep`` (a mask over ``rows``) is true."""
        return RepeatedProblem(self.rows[keep], self.problem, None if self.locs is None else self.locs[keep])


class RowProblems(dict[int, list[ErrorDetail]]):
    """Problems by row number; clean rows are absent, so a million clean rows cost nothing.

    Reading a clean row gives an empty list; add problems with :meth:`add`.
    A problem repeated over many rows (:meth:`add_repeated`) is kept as one
    problem and its rows until a row is read as a dict: the error table and
    the counts read it as kept (:meth:`parts`, :meth:`counts`), so a million
    rows with the same warning do not make a million objects.
    """

    _repeated: tuple[RepeatedProblem, ...] = ()  # not yet placed in the dict, in the order added

    def __missing__(self, row: int) -> list[ErrorDetail]:
        return []

    def add(self, row: int, *details: ErrorDetail) -> None:
        if details:
            self.setdefault(row, []).extend(details)

    def add_repeated(self, rows: Iterable[int] | np.ndarray, problem: ErrorDetail) -> None:
        """``problem`` at each of ``rows``: what ``add(r, problem.at(("row", r, *problem.loc[2:])))``
        for each row gives, in one step.  ``problem.loc`` is ``("row", <any>, ...)``."""
        loc = problem.loc
        if len(loc) < 2 or loc[0] != "row":
            raise ValueError(f"a repeated problem's loc starts with ('row', <row>), got {loc!r}")
        found = np.unique(np.asarray(rows if isinstance(rows, np.ndarray) else list(rows), dtype=np.int64))
        if len(found):
            self._repeated = (*self._repeated, RepeatedProblem(found, problem))

    def parts(self) -> tuple[dict[int, list[ErrorDetail]], tuple[RepeatedProblem, ...]]:
        """The problems as kept: rows with their own lists, then repeated problems.

        Within a row, its own problems come first, then the repeated ones in the
        order they were added: the order reading the row gives.
        """
        with _PLACING:  # not while another thread places them
            own = dict(dict.items(self))  # a copy of the rows' lists: reading it places nothing
            return own, self._repeated

    def counts(self, n: int) -> np.ndarray:
        """How many problems each of rows ``0 .. n-1`` has."""
        own, repeated = self.parts()
        out = np.zeros(n, dtype=np.int64)
        if own:
            rows = np.fromiter(own.keys(), dtype=np.int64, count=len(own))
            out[rows] = np.fromiter(map(len, own.values()), dtype=np.int64, count=len(own))
        for group in repeated:
            out[group.rows] += 1  # distinct rows: no two in one step
        return out

    def rows(self) -> list[int]:
        """Rows with at least one problem, in order."""
        own, repeated = self.parts()
        found = {k for k, v in own.items() if v}
        for group in repeated:
            found.update(group.rows.tolist())
        return sorted(found)

    def discard_rows(self, rows: Iterable[int]) -> None:
        """Forget every problem of ``rows``."""
        gone = list(rows)
        for row in gone:
            dict.pop(self, row, None)
        if gone and self._repeated:
            drop = np.asarray(gone, dtype=np.int64)
            kept = (r.subset(~np.isin(r.rows, drop)) for r in self._repeated)
            self._repeated = tuple(r for r in kept if len(r.rows))

    def extend(self, other: RowProblems) -> None:
        """Add every problem of ``other`` to the same rows, repeated ones kept as they are.

        A row then reads its own problems and ``other``'s, then the repeated ones of
        both; for rows with problems only on one side, what ``add`` of each gives.
        """
        own, repeated = other.parts()
        with _PLACING:
            for row, errs in own.items():
                if errs:
                    dict.setdefault(self, row, []).extend(errs)
            self._repeated = (*self._repeated, *repeated)

    def place(self, rows: Iterable[int]) -> None:
        """Put the repeated problems of ``rows`` in those rows' own lists; the others stay kept.

        Reading any row gives what it gave before: its own problems, then the
        repeated ones in the order added (only the rows' order as a dict may
        differ).  For a caller that reorders a few rows' lists without placing
        a problem per row of a large batch.
        """
        wanted = np.unique(np.fromiter(rows, dtype=np.int64))
        with _PLACING:
            kept = []
            for group in self._repeated:
                hit = np.isin(group.rows, wanted, assume_unique=True)
                self._put(group.subset(hit))
                rest = group.subset(~hit) if hit.any() else group
                if len(rest.rows):
                    kept.append(rest)
            self._repeated = tuple(kept)

    def sort_repeated(self, key: Callable[[ErrorDetail], Any]) -> None:
        """Order the repeated problems by ``key`` of each (stable): the order a row reads them in."""
        with _PLACING:
            self._repeated = tuple(sorted(self._repeated, key=lambda group: key(group.problem)))

    def take(self, index: np.ndarray) -> RowProblems:
        """The problems of rows ``index`` (row numbers; repeats and any order allowed), renumbered
        ``0 .. len(index) - 1`` in that order: what ``{new: list(self[old]) for new, old in
        enumerate(index) if self[old]}`` gives, each ``loc`` still naming its input row.

        Repeated problems stay kept (with the rows they name, :attr:`RepeatedProblem.locs`), so
        taking the valid rows of a million does not place a problem per row.
        """
        own, repeated = self.parts()
        out = RowProblems()
        if not own and not repeated:
            return out
        index = np.asarray(index, dtype=np.int64)
        order = np.argsort(index, kind="stable")
        ranked = index[order]

        def positions(old: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """Where each of ``old`` (ascending, distinct) lands: new rows ascending, and which ``old``."""
            lo = np.searchsorted(ranked, old, side="left")
            count = np.searchsorted(ranked, old, side="right") - lo
            source = np.repeat(np.arange(len(old)), count)
            runs = np.repeat(lo - (np.cumsum(count) - count), count)  # a taken row's place in ``ranked``
            new = order[runs + np.arange(len(source))]
            by_new = np.argsort(new, kind="stable")
            return new[by_new], source[by_new]

        rows = sorted(k for k, v in own.items() if v)
        if rows:
            new, source = positions(np.asarray(rows, dtype=np.int64))
            for row, s in zip(new.tolist(), source.tolist(), strict=True):
                dict.__setitem__(out, row, list(own[rows[s]]))
        kept = []
        for group in repeated:
            new, source = positions(group.rows)
            if len(new):
                kept.append(RepeatedProblem(new, group.problem, group.named[source]))
        out._repeated = tuple(kept)
        return out

    def clear(self) -> None:
        self._repeated = ()
        dict.clear(self)

    def _place_repeated(self) -> None:
        """Put the repeated problems in the dict: before any read or change of it as a dict.

        Under a lock, and marked done only once all are placed: a thread that reads
        the same problems meanwhile waits, and never sees them half placed.
        """
        with _PLACING:
            for group in self._repeated:
                self._put(group)
            self._repeated = ()

    def _put(self, group: RepeatedProblem) -> None:
        """Append ``group``'s problem to the list of each of its rows (the caller holds ``_PLACING``)."""
        problem, tail = group.problem, group.problem.loc[2:]
        for row, named in zip(group.rows.tolist(), group.named.tolist(), strict=True):
            dict.setdefault(self, row, []).append(problem.at(("row", named, *tail)))


_PLACING = threading.RLock()


def _placing(name: str) -> Any:
    """``dict``'s method ``name``, after the repeated problems are placed."""
    method = getattr(dict, name)

    def placed(self: RowProblems, *args: Any, **kwargs: Any) -> Any:
        for problems in (self, *args):  # the other of ==, | and update too
            if isinstance(problems, RowProblems) and problems._repeated:
                with _PLACING:
                    if problems._repeated:  # not placed by another thread meanwhile
                        problems._place_repeated()
        return method(self, *args, **kwargs)

    placed.__name__ = placed.__qualname__ = name
    placed.__doc__ = method.__doc__
    return placed


# Every way to read or change the dict sees the repeated problems placed.
for _name in (
    "__contains__",
    "__delitem__",
    "__eq__",
    "__getitem__",
    "__ior__",
    "__iter__",
    "__len__",
    "__ne__",
    "__or__",
    "__repr__",
    "__reversed__",
    "__ror__",
    "__setitem__",
    "copy",
    "get",
    "items",
    "keys",
    "pop",
    "popitem",
    "setdefault",
    "update",
    "values",
):
    setattr(RowProblems, _name, _placing(_name))


class YzMaturityError(Exception):
    """Base class of every error yzmaturity raises on purpose."""


class _DetailedError(YzMaturityError):
    """An error that carries one or more :class:`ErrorDetail`."""

    def __init__(self, title: str, details: Sequence[ErrorDetail] = ()) -> None:
        self.title = title
        self.details: list[ErrorDetail] = list(details)
        super().__init__(self._render())

    def _render(self, limit: int = 50) -> str:
        if not self.details:
            return self.title
        lines = [f"{self.title}: {len(self.details)} problem(s)"]
        lines += [f"  - {d}" for d in self.details[:limit]]
        if len(self.details) > limit:
            lines.append(f"  ... and {len(self.details) - limit} more")
        return "\n".join(lines)

    def text(self, lang: str = "en") -> str:
        """Every problem as a sentence in ``zh`` or ``en``, one a line (no ids; see :meth:`ErrorDetail.text`)."""
        if not self.details:
            return self.title
        head = f"{len(self.details)} 个问题：" if lang == "zh" else f"{len(self.details)} problem(s):"
        return "\n".join([head] + [f"  - {d.text(lang)}" for d in self.details])

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.details]

    def errors(self) -> list[dict[str, Any]]:
        """The details as plain dicts (JSON-ready), like pydantic's ``errors()``."""
        return [d.to_dict() for d in self.details]


class FileLoadError(_DetailedError, ValueError):
    """A file could not be read safely: missing, too large, hostile or malformed."""

    def __init__(self, path: str, code: str, message: str) -> None:
        self.path = path
        self.code = code
        super().__init__(f"cannot load {path}", [ErrorDetail(code, (), message)])


class FileWriteError(_DetailedError, OSError):
    """An output file cannot be written: its folder is missing, it is a folder, read-only, the disk is full,
    or it would overwrite an input (nothing half-written is left behind)."""

    def __init__(self, path: str, code: str, message: str) -> None:
        self.path = path
        self.code = code
        super().__init__(f"cannot write {path}", [ErrorDetail(code, (), message)])

    def __str__(self) -> str:
        return self._render()


class QuestionnaireError(_DetailedError, ValueError):
    """A questionnaire or policy catalog is invalid (model errors or lint errors)."""


class AnswerValidationError(_DetailedError, ValueError):
    """An answer sheet (or a batch of them) does not fit its questionnaire."""


class NotFoundError(YzMaturityError, LookupError):
    """A built-in questionnaire or catalog id that does not exist."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = sorted(known)
        super().__init__(
            f"unknown {kind} {name!r}; expected one of {', '.join(self.known) or '(none)'}"
            " or a path to a .yaml/.json file"
        )


class MissingDependencyError(YzMaturityError, ImportError):
    """An optional feature needs a package that is not installed."""

    def __init__(self, feature: str, package: str, extra: str) -> None:
        self.feature = feature
        self.package = package
        self.extra = extra
        super().__init__(
            f"{feature} needs the optional package {package!r}; "
            f"install it with: pip install 'yzmaturity[{extra}]'"
        )


class ComparisonError(_DetailedError, ValueError):
    """Two assessments that should not be compared as T0 -> T1 (e.g. of different enterprises)."""


class TableError(AnswerValidationError):
    """The table as a whole cannot be used: unknown, missing or duplicate columns (or too big to write)."""


class ReportError(YzMaturityError, ValueError):
    """A report cannot be made or saved as asked (unknown language or file format)."""


# pydantic's tags for the members of a discriminated union: not part of a user's path.
_UNION_TAGS = {
    "all",
    "any",
    "not",
    "count",
    "compare",
    "function-after[_one_subject_some_operator(), Compare]",
}


# The members of an answer value's union (bool | int | float | str | list[str]).
_VALUE_TAGS = {"bool", "int", "float", "str", "list[str]"}


def details_from_pydantic(exc: BaseException, prefix: tuple[str | int, ...] = ()) -> list[ErrorDetail]:
    """pydantic's errors as :class:`ErrorDetail` (its error type becomes the code)."""
    if not isinstance(exc, ValidationError):
        return [ErrorDetail(Code.INVALID, prefix, str(exc))]
    out = []
    seen_values: set[tuple[str | int, ...]] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(part for part in err["loc"] if not (isinstance(part, str) and part in _UNION_TAGS))
        cut = next((i for i, part in enumerate(loc) if isinstance(part, str) and part in _VALUE_TAGS), None)
        if cut is not None:  # one problem for an answer value that fits no member of the union
            loc = loc[:cut]
            if loc in seen_values:
                continue
            seen_values.add(loc)
            value = err.get("input") if cut == len(err["loc"]) - 1 else None
            out.append(
                ErrorDetail(
                    Code.ANSWER_TYPE,
                    prefix + loc,
                    "an answer is yes/no, a number, a text or a list of texts",
                    expected="a boolean, number, string or list of strings",
                    got=value,
                )
            )
            continue
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
        params: dict[str, Any] = {}
        for key in ("ge", "gt", "le", "lt"):
            if key in ctx:
                params["limit"] = ctx[key]
        if expected is not None:
            params["allowed"] = expected
        out.append(ErrorDetail(err["type"], prefix + loc, msg, expected=expected, got=got, params=params))
    return out
