"""Scoring a wide table: validate every row at once, score, match, and assemble the result and error frames."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._batch_mode import BATCH_ROWS, batch_mode, run_alongside
from .._codes import Code
from .._compile import ProfileColumns
from .._encode import Encoder
from .._enterprise import PROFILE_INPUT_FIELDS
from .._exceptions import ErrorDetail, RowProblems, TableError
from .._factorize import FactorizedColumn
from .._loading import default_catalog, load_catalog, load_questionnaire
from .._matching import match_batch
from .._policy import STATES
from .._profile_input import BuiltProfile
from .._scoring import score_matrix
from . import deps
from .arrow import arrow_input, split_answers, split_arrow
from .cells import SplitColumn, answer_value, split_column, wants_numbers
from .header import check_header, result_names, table_header
from .problems import error_frame
from .profile import ProfileBuilder
from .progress import Progress
from .read import cell_problems, check_width, read_table

if TYPE_CHECKING:
    from collections.abc import Container

    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from .._encode import AnswerMatrix
    from .._matching import CohortMatch
    from .._model import Questionnaire
    from .._policy import PolicyCatalog
    from .._scoring import BatchScores

__all__ = [
    "TableResult",
    "output_meta",
    "resolve",
    "score_frame",
    "score_partition",
    "score_table",
    "summary_text",
]


@dataclass
class TableResult:
    """The scored table: ``frame`` (one row per input row, in order), ``errors``, ``scores``, ``match``.

    ``frame`` holds the passthrough and profile columns as given, then
    ``valid``, ``errors`` (count), ``warnings`` (count), ``error_summary``,
    ``score:<dimension>``, ``overall``, ``level``, ``level_name`` and per
    category of the catalog ``fit:<category>`` and ``eligibility:<category>``
    (and ``tier:<category>``, the tier to aim at, for a category with tiers),
    then ``top_category``.  ``errors`` is a frame of every problem: ``row``
    (1-based data row), ``column``, ``code``, ``message``, ``expected``,
    ``got``, ``severity`` (``error``, or ``warning`` for an answer to a
    question its condition skips, which is not scored) and ``text`` (the
    problem as a sentence in ``lang``, the question named by its text).
    """

    questionnaire: Questionnaire
    frame: pd.DataFrame
    errors: pd.DataFrame
    scores: BatchScores
    match: CohortMatch | None
    catalog: PolicyCatalog | None
    source: str | None = None
    result_columns: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def n_invalid(self) -> int:
        return int((~self.scores.valid).sum())

    @property
    def valid_frame(self) -> pd.DataFrame:
        """The rows that passed validation (what an analysis or an estimator should take)."""
        return self.frame[self.frame["valid"].to_numpy(dtype=bool)]

    def to_arrow(self, *, valid_only: bool = False) -> Any:
        """The scored table as a ``pyarrow.Table`` (needs pyarrow), e.g. for polars or DuckDB without a copy."""
        pa = deps.require_pyarrow("TableResult.to_arrow")
        frame = self.valid_frame if valid_only else self.frame
        return pa.Table.from_pandas(frame, preserve_index=False)

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> dict[str, str]:
        """Rich display in Jupyter: rows, invalid rows and their problems, levels, dimension means."""
        from .._render.display import batch_html, mimebundle

        html = batch_html(self.scores)
        bundle = mimebundle(self, lambda _: html, include, exclude)
        return bundle

    def summary(self) -> dict[str, Any]:
        """Rows, valid, invalid, problems by code, levels (valid rows), mean overall: JSON-ready."""
        s = self.scores
        codes = self.errors.loc[self.errors["severity"] == "error", "code"].value_counts()
        warnings = int((self.errors["severity"] == "warning").sum())
        valid_overall = s.overall[s.valid]
        q = self.questionnaire
        return {
            "questionnaire": f"{q.id} v{q.version}",
            "catalog": None if self.catalog is None else self.catalog.id,
            "source": self.source,
            "rows": len(s),
            "valid": int(s.valid.sum()),
            "invalid": self.n_invalid,
            "errors": int(codes.sum()),
            "warnings": warnings,
            "error_codes": {str(k): int(v) for k, v in codes.items()},
            "levels": {int(k): v for k, v in s.level_counts().items()},
            "mean_overall": round(float(valid_overall.mean()), 2) if valid_overall.size else None,
        }

    def summary_text(self, lang: str = "zh") -> str:
        return summary_text(self.questionnaire, self.summary(), lang)

    def __repr__(self) -> str:
        return f"<TableResult {self.questionnaire.id}: {len(self)} rows, {self.n_invalid} invalid>"


def summary_text(q: Questionnaire, info: dict[str, Any], lang: str = "zh") -> str:
    """A :meth:`TableResult.summary`: rows, problems by code, levels and the mean, in one language."""
    levels = q.levels.levels
    zh = lang != "en"
    head = f"{q.title.of('zh' if zh else 'en')} v{q.version}"
    if zh:
        lines = [
            f"{head}：共 {info['rows']} 行，有效 {info['valid']} 行，无效 {info['invalid']} 行"
            f"（{info['errors']} 个错误，{info['warnings']} 个警告）"
        ]
    else:
        lines = [
            f"{head}: {info['rows']} rows, {info['valid']} valid, {info['invalid']} invalid"
            f" ({info['errors']} error(s), {info['warnings']} warning(s))"
        ]
    if info["error_codes"]:
        codes = ", ".join(f"{k} {v}" for k, v in info["error_codes"].items())
        lines.append(
            ("错误代码（详见 --errors 文件）：" if zh else "errors by code (see --errors): ") + codes
        )
    sep = "：" if zh else ": "
    lines.append(
        ("等级分布" if zh else "levels")
        + sep
        + " | ".join(f"L{k} {levels[k].name.of('zh' if zh else 'en')} {v}" for k, v in info["levels"].items())
    )
    if info["mean_overall"] is not None:
        lines.append(("平均总分" if zh else "mean overall") + sep + f"{info['mean_overall']:.1f}")
    return "\n".join(lines)


def resolve(
    questionnaire: Questionnaire | str, catalog: PolicyCatalog | str | None, match: bool
) -> tuple[Questionnaire, PolicyCatalog | None]:
    q = load_questionnaire(questionnaire)
    if not match:
        return q, None
    if catalog is None:
        return q, default_catalog(q.id)
    return q, load_catalog(catalog, questionnaire=q)


def score_table(
    questionnaire: Questionnaire | str,
    table: Any,
    catalog: PolicyCatalog | str | None = None,
    *,
    id_columns: Sequence[str] = (),
    lazy: bool = True,
    progress: bool | None = None,
    lang: str = "zh",
    match: bool = True,
    row_offset: int = 0,
) -> TableResult:
    """Validate every row of a wide table at once, score the valid rows, match them to a catalog.

    Parameters
    ----------
    questionnaire
        A :class:`Questionnaire`, a built-in id or a path.
    table
        A path (CSV, XLSX, Parquet, a folder of Parquet files) or a pandas/polars/pyarrow table
        (see :func:`read_table`).
    catalog
        A policy catalog or its id/path; default: the questionnaire's built-in catalog.
    id_columns
        Columns kept in the output unchanged (besides those starting with ``_``).
    lazy
        True (the default): collect every problem of every row and score the
        valid rows; False: raise :class:`TableError` if any row is invalid.
    progress
        A progress bar on standard error (needs tqdm); None: only for more than
        100,000 rows when standard error is a terminal and tqdm is installed.
    lang
        Language of ``level_name`` (``zh`` or ``en``).
    match
        False to skip the catalog (no ``fit:``/``eligibility:`` columns).
    row_offset
        Rows before this table (a batch of a larger file): added to the row
        numbers of the error table and its messages.

    Raises
    ------
    TableError
        The table as a whole does not fit (unknown, missing or duplicate columns).
    """
    q, cat = resolve(questionnaire, catalog, match)
    arrow = arrow_input(table)
    if arrow is not None:  # the answers split in Arrow, only the other columns in pandas
        check_width(arrow.num_columns, "<frame>")
        pd = deps.pandas("score_table")
        encode = set(q.compiled().qids) - set(id_columns)
        batch = split_arrow(deps.pyarrow(), pd, arrow, arrow.column_names, encode)
        frame, answers, header = batch.frame, split_answers(pd, q.compiled(), batch), batch.header
        source = None
    else:
        frame, answers, header = read_table(table), None, None
        source = os.fspath(table) if isinstance(table, str | os.PathLike) else frame.attrs.get("source")
    return score_frame(
        q,
        frame,
        cat,
        id_columns=id_columns,
        lazy=lazy,
        progress=progress,
        lang=lang,
        row_offset=row_offset,
        source=source,
        owned=isinstance(table, str | os.PathLike),  # read here: ours to free as we go
        answers=answers,
        header=header,
    )


def score_frame(
    q: Questionnaire,
    frame: pd.DataFrame,
    cat: PolicyCatalog | None,
    *,
    id_columns: Sequence[str] = (),
    lazy: bool = True,
    progress: bool | None = None,
    lang: str = "zh",
    row_offset: int = 0,
    source: str | None = None,
    owned: bool = False,
    answers: Mapping[str, SplitColumn] | None = None,
    header: Sequence[Any] | None = None,
    workers: int | None = None,
) -> TableResult:
    """:func:`score_table` of a frame, some of whose answer columns may come already split.

    ``answers`` holds question columns split by distinct value elsewhere (a
    dictionary-encoded Arrow column, :func:`~yzmaturity._tables.cells.split_dictionary`),
    absent from ``frame``; ``header`` is then the table's whole header.
    ``owned``: the frame is ours to free column by column.  ``workers``: threads
    scoring the matrix (one where the caller runs batches in parallel already).
    """
    pd = deps.pandas("score_table")
    answers = answers or {}
    header = list(frame.columns) if header is None else list(header)
    cq = q.compiled()
    id_columns = list(id_columns)
    result_columns = result_names(cq, cat)
    check_header(header, cq, id_columns, result_columns)
    n = len(frame)
    steps = 1 + cq.n_questions + 3
    bar = Progress(progress, n, steps)
    try:
        with batch_mode(n):
            profile_problems = RowProblems()
            builder = ProfileBuilder(pd, frame, n, profile_problems.add)
            encoder = Encoder(cq)
            matrix = encoder.empty(n, ProfileColumns(n))  # the table's profile once built
            blank = np.ones(n, dtype=bool)

            def encode_answers() -> None:
                for col, qid in enumerate(cq.qids):
                    part = answers.get(qid)
                    if part is None and qid in frame.columns:
                        part = split_column(pd, frame[qid], want_numbers=wants_numbers(cq, col))
                    if part is not None:
                        np.logical_and(blank, part.blank(), out=blank)
                        qtype = cq.questions[col].type
                        values = [answer_value(qtype, v) for v in part.values]
                        encoder.add_column(matrix, qid, FactorizedColumn(values, part.inverse, part.numbers))
                        if owned and qid in frame.columns:
                            del frame[qid]  # a table read here: free each column once encoded
                    bar.step(f"encode {qid}")

            # A frame only read (not the CLI's batches, which free its columns): two stages at once, twice.
            alongside = not owned and n > BATCH_ROWS and workers != 1
            # The profile columns checked on a helper while the answers are encoded.
            arrays, _ = run_alongside(builder.build, encode_answers, together=alongside)
            bar.step("profile")
            blank &= builder.blank
            matrix.profile = BuiltProfile(arrays, n)
            for cell in cell_problems(frame):  # too long to keep: the row is invalid, the table is not
                matrix.errors.add(
                    cell.row,
                    ErrorDetail(cell.code, ("row", cell.row, cell.column), cell.message, got=cell.got),
                )
            encoder.finish(matrix, loc_prefix=None)
            matrix.errors.extend(profile_problems)  # repeated problems stay kept (sorted below)
            blank_rows = np.flatnonzero(blank).tolist()
            matrix.warnings.discard_rows(blank_rows)
            matrix.errors.discard_rows(blank_rows)
            matrix.errors.add_repeated(
                blank_rows,
                ErrorDetail(
                    Code.EMPTY_ROW, ("row", -1), "the row has no profile value and no answer", got=None
                ),
            )
            _sort_by_column(matrix.errors, header)
            if not lazy and matrix.errors:
                details = [e for i in matrix.errors.rows() for e in matrix.errors[i]]
                raise TableError(
                    f"{len(matrix.errors.rows())} of {n} rows do not fit {q.id!r}", _row_numbers(details)
                )
            scores = score_matrix(q, matrix, keep_questions=False, workers=workers)
            official = official_scores(q, matrix, workers)
            bar.step("score")
            kept = [
                c
                for c in frame.columns
                if c in id_columns or str(c).startswith("_") or c in PROFILE_INPUT_FIELDS
            ]

            def matched() -> tuple[Any, CohortMatch | None]:  # the result frame, the matches
                cohort = match_batch(cat, scores, workers=workers) if cat is not None else None
                bar.step("match")
                out = _result_frame(pd, frame, kept, q, scores, cohort, cat, lang)
                if official is not None:
                    _official_columns(pd, out, official, scores.valid, lang)
                return out, cohort

            def problems() -> Any:  # the error frame
                return error_frame(pd, scores, header, lang, row_offset)

            # The error table built on a helper while the rows are matched.
            errors, (out, cohort) = run_alongside(problems, matched, together=alongside)
            bar.step("assemble")
    finally:
        bar.close()
    return TableResult(q, out, errors, scores, cohort, cat, source, result_columns)


def _row_numbers(details: list[ErrorDetail]) -> list[ErrorDetail]:
    """Details with 1-based data row numbers, for messages."""
    out = []
    for d in details:
        loc = d.loc
        if len(loc) >= 2 and loc[0] == "row" and isinstance(loc[1], int):
            loc = ("row", loc[1] + 1, *loc[2:])
        out.append(dataclasses.replace(d, loc=loc))
    return out


def _result_frame(
    pd: Any,
    frame: pd.DataFrame,
    kept: list[str],
    q: Questionnaire,
    scores: BatchScores,
    cohort: CohortMatch | None,
    catalog: PolicyCatalog | None,
    lang: str,
) -> pd.DataFrame:
    cq = q.compiled()
    n = len(scores)
    valid = np.asarray(scores.valid, dtype=bool)
    cols: dict[str, Any] = {c: frame[c] for c in kept}
    summary = _error_summaries(scores.errors, n)
    cols["valid"] = valid
    cols["errors"] = scores.errors.counts(n)
    cols["warnings"] = scores.warnings.counts(n)
    cols["error_summary"] = pd.array(summary, dtype="string")
    for d, did in enumerate(cq.dim_ids):
        cols[f"score:{did}"] = np.ascontiguousarray(scores.dimensions[:, d], dtype=np.float64)
    cols["overall"] = np.array(scores.overall, dtype=np.float64)  # a copy: no alias of the scores
    level = np.where(valid, scores.level, 0).astype(np.int64)
    cols["level"] = pd.arrays.IntegerArray(level, ~valid)
    names = [lv.name.of(lang) for lv in q.levels.levels]
    cols["level_name"] = _categorical(pd, np.where(valid, scores.level, -1), names, ordered=True)
    if cohort is not None and catalog is not None:
        arrays = cohort.arrays
        for j, c in enumerate(catalog.categories):
            cols[f"fit:{c.id}"] = np.ascontiguousarray(arrays.fit[:, j], dtype=np.float64)
            state = np.where(valid, arrays.state[:, j].astype(np.int64), -1)
            cols[f"eligibility:{c.id}"] = _categorical(pd, state, list(STATES))
            if c.tiers:  # the tier to aim at (Recommendation.tier), blank where none
                tier = np.where(valid, arrays.tier[:, j], -1)
                cols[f"tier:{c.id}"] = _categorical(pd, tier, [t.id for t in c.tiers])
        priority = np.where(np.isnan(arrays.priority), -1.0, arrays.priority)
        best = np.argmax(priority, axis=1) if priority.shape[1] else np.zeros(n, dtype=np.int64)
        top = priority[np.arange(n), best] if priority.shape[1] else np.zeros(n)
        codes = np.where(valid & (top > 0), best, -1)
        cols["top_category"] = _categorical(pd, codes, [c.id for c in catalog.categories])
    # copy=False: each column stays its own block, not copied into one 2-D block per dtype
    # (pandas' consolidation: about a second at 1,000,000 rows); the arrays are ours alone.
    return pd.DataFrame(cols, index=frame.index, copy=False)


def official_scores(
    q: Questionnaire, matrix: AnswerMatrix, workers: int | None = None
) -> tuple[Questionnaire, BatchScores] | None:
    """The official instrument's scores of the same rows (``official`` in the questionnaire), or None.

    The official questions are answered by ours of the same ids (or as mapped):
    identical questions share their codes; any other is decoded and encoded again.
    """
    link = q.official
    if link is None:
        return None
    oq = load_questionnaire(link.questionnaire)
    ocq, cq = oq.compiled(), q.compiled()
    n = len(matrix)
    encoder = Encoder(ocq)
    sub = encoder.empty(n, matrix.profile)
    for col, question in enumerate(ocq.questions):
        ours = cq.index[link.questions.get(question.id, question.id)]
        same = cq.questions[ours].model_dump(exclude={"weight"}) == question.model_dump(exclude={"weight"})
        if same:
            sub.codes[:, col] = matrix.codes[:, ours]
            sub.na[:, col] = matrix.na[:, ours]
        else:
            values = [cq.value_of(ours, c) for c in matrix.codes[:, ours]]
            encoder.add_column(sub, question.id, values)
    encoder.check_relevance(sub, loc_prefix=None)
    sub.errors.extend(matrix.errors)  # a row invalid for ours is not scored officially either
    return oq, score_matrix(oq, sub, keep_questions=False, workers=workers)


def _official_columns(
    pd: Any, out: pd.DataFrame, official: tuple[Questionnaire, BatchScores], valid_ours: np.ndarray, lang: str
) -> None:
    """``official_overall``, ``official_level`` and ``official_level_name`` (missing where not computed)."""
    oq, scores = official
    valid = np.asarray(scores.valid, dtype=bool) & np.asarray(valid_ours, dtype=bool)
    out["official_overall"] = np.where(valid, np.asarray(scores.overall, dtype=np.float64), np.nan)
    out["official_level"] = pd.arrays.IntegerArray(np.where(valid, scores.level, 0).astype(np.int64), ~valid)
    names = [lv.name.of(lang) for lv in oq.levels.levels]
    out["official_level_name"] = _categorical(pd, np.where(valid, scores.level, -1), names, ordered=True)


def _categorical(pd: Any, codes: np.ndarray, categories: list[str], ordered: bool = False) -> Any:
    if len(set(categories)) == len(categories):
        return pd.Categorical.from_codes(
            codes.astype(np.int64), dtype=_category_type(pd, tuple(categories), ordered)
        )
    labels = np.array([None, *categories], dtype=object)[codes.astype(np.int64) + 1]
    return pd.array(labels, dtype="string")


@functools.lru_cache(maxsize=256)
def _category_type(pd: Any, categories: tuple[str, ...], ordered: bool) -> Any:
    """One dtype per set of categories: pandas checks the categories once, not once per batch."""
    return pd.CategoricalDtype(list(categories), ordered=ordered)


def _sort_by_column(errors: RowProblems, header: Sequence[Any]) -> None:
    """Each row's errors in the table's column order, as the error frame has them.

    A repeated problem (one question missing on many rows) stays kept except
    at the rows that have errors of their own, where it is sorted with them.
    """
    position = {str(c): i for i, c in enumerate(header)}

    def column(e: ErrorDetail) -> int:
        return position.get(str(e.loc[-1]), -1)

    own, _ = errors.parts()
    errors.place(row for row, errs in own.items() if errs)  # their repeated problems, sorted with them
    for errs in errors.parts()[0].values():
        if len(errs) > 1:
            errs.sort(key=column)
    errors.sort_repeated(column)  # the rows that have only repeated problems read them in this order


_SUMMARY_LIMIT = 3  # problems named in a row's error_summary


def _error_summaries(errors: RowProblems, n: int) -> np.ndarray:
    """(n,) each row's ``error_summary``, None where it has no error; the problems read as kept.

    A row reads its own problems, then the repeated ones in the order added: the
    first few of them are noted per row, and the rows with only repeated
    problems are summarised once per distinct combination, not once per row.
    """
    own, repeated = errors.parts()
    summary = np.full(n, None, dtype=object)
    count = np.zeros(n, dtype=np.int64)
    first = np.full((n, _SUMMARY_LIMIT), -1, dtype=np.int64)  # a row's first repeated problems
    for g, group in enumerate(repeated):
        slot = count[group.rows]
        for k in range(_SUMMARY_LIMIT):
            first[group.rows[slot == k], k] = g
        count[group.rows] += 1
    only_repeated = np.flatnonzero(count)
    if own:
        only_repeated = only_repeated[~np.isin(only_repeated, np.fromiter(own, dtype=np.int64))]
    if len(only_repeated):
        keys, inverse = np.unique(
            np.column_stack([first[only_repeated], count[only_repeated]]), axis=0, return_inverse=True
        )
        texts = np.array(
            [_short_summary([repeated[g].problem for g in key[:-1] if g >= 0], int(key[-1])) for key in keys],
            dtype=object,
        )
        summary[only_repeated] = texts[inverse.ravel()]
    for row, errs in own.items():
        if errs:
            extra = [repeated[g].problem for g in first[row] if g >= 0]
            summary[row] = _short_summary([*errs[:_SUMMARY_LIMIT], *extra], len(errs) + int(count[row]))
    return summary


def _short_summary(errs: list[ErrorDetail], total: int) -> str:
    """The first problems of ``errs`` as ``column: code``, and how many more of ``total`` there are."""
    parts = []
    for e in errs[:_SUMMARY_LIMIT]:
        where = str(e.loc[-1]) if len(e.loc) > 2 else "row"
        parts.append(f"{where}: {e.code}")
    more = f" (+{total - _SUMMARY_LIMIT} more)" if total > _SUMMARY_LIMIT else ""
    return "; ".join(parts) + more


def score_partition(
    df: pd.DataFrame,
    questionnaire_id_or_path: str,
    catalog: str | None = None,
    *,
    id_columns: Sequence[str] = (),
    lang: str = "zh",
) -> pd.DataFrame:
    """Score one partition of a wide table: a pure function for dask, Spark or Ray.

    The result has the computed columns only (``valid`` ... ``top_category``,
    as in :class:`TableResult`), in a fixed order with fixed dtypes given the
    questionnaire and catalog (:func:`output_meta`), and the partition's index,
    so that it can be joined back to the input.  Arguments are plain strings:
    picklable, and nothing global is changed.

    >>> import dask.dataframe as dd                                  # doctest: +SKIP
    >>> ddf = dd.read_csv("table.csv", dtype=str, keep_default_na=False, na_values=[""])  # doctest: +SKIP
    >>> scored = ddf.map_partitions(score_partition, "yangzhou-2022", meta=output_meta("yangzhou-2022"))  # doctest: +SKIP
    """
    result = score_table(
        questionnaire_id_or_path, df, catalog, id_columns=id_columns, progress=False, lang=lang
    )
    return result.frame[result.result_columns]


def output_meta(
    questionnaire: Questionnaire | str, catalog: PolicyCatalog | str | None = None, *, lang: str = "zh"
) -> pd.DataFrame:
    """An empty frame with the columns and dtypes :func:`score_partition` returns (dask's ``meta=``)."""
    pd = deps.pandas("output_meta")
    q, cat = resolve(questionnaire, catalog, True)
    empty = pd.DataFrame({name: pd.Series([], dtype=object) for name in table_header(q)})
    result = score_table(q, empty, cat, progress=False, lang=lang)
    return result.frame[result.result_columns]
