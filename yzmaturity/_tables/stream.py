"""Scoring a table file to a file in row batches: bounded memory, reading and writing beside the compute.

:func:`score_file` reads a CSV or Parquet file with pyarrow in batches of
rows, validates, scores and matches each batch with :func:`score_table` (so
every rule is the same as for a whole table), and writes each scored batch as
soon as it is ready, on a second thread, to a temporary file that replaces the
output at the end (never a half-written output).  Peak memory is a few
batches, whatever the number of rows; the outputs are the same bytes as
``write_table(score_table(...).frame)`` (tests/test_stream.py checks it).

What crosses batches is carried over: the row numbers of the error table,
the summary counts, and empty rows at the end of a batch (dropped only at the
end of the file, as :func:`read_table` does).
"""

from __future__ import annotations

import os
import queue
import tempfile
import threading
from collections import Counter, deque
from collections.abc import Collection, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from .._batch_mode import BATCH_ROWS, batch_mode
from .._codes import Code
from .._exceptions import FileLoadError
from .._files import check_size
from . import deps
from .arrow import ArrowBatch, is_text, split_answers, split_arrow, with_names
from .dataset import DatasetPart, add_partition, dataset_parts, dataset_schema
from .progress import file_bar
from .read import (
    MAX_TABLE_BYTES,
    csv_options,
    decode_header,
    empty_rows_arrow,
    parquet_unpacked,
    read_table,
    source_format,
    table_format,
    trailing_true,
)
from .score import resolve, score_frame, score_table, summary_text
from .write import csv_table, write_table

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from .._model import Questionnaire
    from .._policy import PolicyCatalog

__all__ = ["BLOCK_BYTES", "FileResult", "score_file"]

BLOCK_BYTES = 24 * 1024 * 1024
"""Bytes of CSV read per batch (about 37,000 rows of yangzhou-2022).  Each batch has a fixed cost
in Python (a call per column, per rule); at 1,000,000 rows 16 MB batches took 8.1-8.5 s and
32 MB 7.6-7.7 s, with a peak of 570 MB against 800-850 MB: 24 MB took 7.8-8.0 s at 710-730 MB
(bench/bench_city.py's file, measured with ``score_file(block_bytes=...)``)."""
READ_BLOCK_BYTES = 2 * 1024 * 1024
"""Bytes per read of the CSV reader, which runs ahead of its consumer by dozens of blocks."""
PARQUET_READ_ROWS = 4096
"""Rows per record batch read from Parquet (fewer for a small ``block_bytes``); gathered up to it."""
STREAM_FORMATS = ("csv", "parquet")


@dataclass
class FileResult:
    """What :func:`score_file` wrote: counts and the :meth:`summary` of :class:`TableResult`."""

    questionnaire: Questionnaire
    catalog: PolicyCatalog | None
    source: str
    output: Path
    errors_output: Path | None
    rows: int = 0
    valid: int = 0
    problems: int = 0
    warnings: int = 0
    error_codes: Counter[str] = field(default_factory=Counter)
    levels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    overall_sum: float = 0.0
    batches: int = 0

    def __len__(self) -> int:
        return self.rows

    @property
    def n_invalid(self) -> int:
        return self.rows - self.valid

    def summary(self) -> dict[str, Any]:
        """Rows, valid, invalid, problems by code, levels, mean overall: as ``TableResult.summary()``."""
        q = self.questionnaire
        codes = sorted(self.error_codes.items(), key=lambda kv: -kv[1])
        return {
            "questionnaire": f"{q.id} v{q.version}",
            "catalog": None if self.catalog is None else self.catalog.id,
            "source": self.source,
            "rows": self.rows,
            "valid": self.valid,
            "invalid": self.n_invalid,
            "errors": int(sum(self.error_codes.values())),
            "warnings": self.warnings,
            "error_codes": dict(codes),
            "levels": {i: int(c) for i, c in enumerate(self.levels.tolist())},
            "mean_overall": round(self.overall_sum / self.valid, 2) if self.valid else None,
        }

    def summary_text(self, lang: str = "zh") -> str:
        return summary_text(self.questionnaire, self.summary(), lang)

    def __repr__(self) -> str:
        return f"<FileResult {self.questionnaire.id}: {self.rows} rows, {self.n_invalid} invalid -> {self.output}>"


def score_file(
    questionnaire: Questionnaire | str,
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    catalog: PolicyCatalog | str | None = None,
    *,
    errors: str | os.PathLike[str] | None = None,
    id_columns: Sequence[str] = (),
    lang: str = "zh",
    match: bool = True,
    encoding: str = "auto",
    progress: bool | None = None,
    block_bytes: int = BLOCK_BYTES,
    threads: int | None = None,
) -> FileResult:
    """Validate, score and match a table file into a scored table file, in batches of rows.

    The same result as ``write_table(score_table(...).frame, output)`` (and the
    error table to ``errors``), in memory bounded by the batch size instead of
    the table's.  CSV and Parquet stream (needs pyarrow); XLSX, on either
    side, is read or written whole.

    Parameters
    ----------
    questionnaire, catalog, id_columns, lang, match
        As for :func:`score_table`.
    source
        A CSV or Parquet file (XLSX: read whole), or a folder of Parquet files (a dataset, as
        Spark, dask or pyarrow write it: files in path order, ``key=value`` folders as columns).
    output, errors
        The scored table and (optional) the table of every problem: ``.csv``,
        ``.parquet`` or ``.xlsx``, written atomically.
    encoding
        CSV only, as for :func:`read_table` (``auto``: UTF-8, else GB18030).
    progress
        A progress bar over the input (tqdm, in a terminal or a notebook);
        None: for files over 64 MB when standard error is a terminal.
    block_bytes
        Input bytes per batch (CSV text; Arrow memory for Parquet): memory grows with it, the
        fixed cost per batch shrinks.
    threads
        Batches scored at once (default: 2, or 1 on one core); the results do
        not depend on it.  numpy and pyarrow release the GIL in their kernels,
        so two batches share two cores fairly well.

    Raises
    ------
    TableError
        The table as a whole does not fit (its header), before anything is written.
    FileLoadError
        The file is missing, too large or not a readable table.
    """
    src = Path(os.fspath(source))
    out = Path(os.fspath(output))
    err = Path(os.fspath(errors)) if errors is not None else None
    fmt = source_format(src)
    formats = [table_format(out)] + ([table_format(err)] if err is not None else [])
    for target in (out, err):
        if target is not None and _same_file(target, src):
            raise FileLoadError(str(target), Code.OUTPUT_IS_INPUT, "an output would overwrite the input")
        if target is not None and fmt == "dataset" and _inside(target, src):
            raise FileLoadError(
                str(target), Code.OUTPUT_IS_INPUT, "an output inside the input dataset's folder"
            )
    q, cat = resolve(questionnaire, catalog, match)
    result = FileResult(q, cat, str(src), out, err)
    if (
        fmt not in (*STREAM_FORMATS, "dataset")
        or any(f not in STREAM_FORMATS for f in formats)
        or deps.pyarrow() is None
    ):
        return _whole(result, id_columns, lang, encoding, progress)
    if fmt == "dataset":
        parts = dataset_parts(src, MAX_TABLE_BYTES)
    else:
        parts = [DatasetPart(src, check_size(src, MAX_TABLE_BYTES))]
    n_threads = max(1, threads if threads is not None else min(2, os.cpu_count() or 1))
    candidates = ["utf-8", "gb18030"] if (encoding == "auto" and fmt == "csv") else [encoding]
    for enc in candidates:
        block, read_block = block_bytes, min(block_bytes, READ_BLOCK_BYTES)
        while True:
            try:
                return _stream(
                    result, fmt, parts, enc, id_columns, lang, progress, (block, read_block), n_threads
                )
            except _BlockTooSmall:
                if read_block >= MAX_TABLE_BYTES:
                    raise
                read_block *= 4  # a record longer than a block: read again in larger blocks
                block = max(block, read_block)
                result = FileResult(result.questionnaire, result.catalog, result.source, out, err)
            except UnicodeDecodeError:
                if enc == candidates[-1]:
                    raise FileLoadError(
                        str(src), Code.BAD_ENCODING, f"not {' or '.join(candidates)} text; pass encoding=..."
                    ) from None
                result = FileResult(result.questionnaire, result.catalog, result.source, out, err)
                break
    raise AssertionError("unreachable")


class _BlockTooSmall(Exception):
    """A CSV record (or the header) does not fit in one block."""


def _inside(target: Path, folder: Path) -> bool:
    try:
        return target.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def _whole(
    result: FileResult, id_columns: Sequence[str], lang: str, encoding: str, progress: bool | None
) -> FileResult:
    """XLSX on either side (or no pyarrow): the whole table at once."""
    frame = read_table(result.source, encoding=encoding)
    scored = score_table(
        result.questionnaire,
        frame,
        result.catalog,
        id_columns=id_columns,
        lang=lang,
        progress=progress,
        match=result.catalog is not None,
    )
    scored.source = result.source
    write_table(scored.frame, result.output)  # atomic: a temporary file, then a rename
    if result.errors_output is not None:
        write_table(scored.errors, result.errors_output)
    _count(result, scored)
    result.batches = 1
    return result


def _count(result: FileResult, scored: Any) -> None:
    s = scored.scores
    severity = scored.errors["severity"]
    result.rows += len(s)
    result.valid += int(s.valid.sum())
    result.problems += len(scored.errors)
    result.warnings += int((severity == "warning").sum())
    result.error_codes.update(scored.errors.loc[severity == "error", "code"].tolist())
    counts = np.bincount(s.level[s.valid], minlength=len(result.questionnaire.levels.levels))
    result.levels = counts if not result.levels.size else result.levels + counts
    result.overall_sum += float(s.overall[s.valid].sum())


# --------------------------------------------------------------------------- streaming
def _stream(
    result: FileResult,
    fmt: str,
    parts: list[DatasetPart],
    encoding: str,
    id_columns: Sequence[str],
    lang: str,
    progress: bool | None,
    blocks: tuple[int, int],
    threads: int,
) -> FileResult:
    pa = deps.require_pyarrow("streaming tables")
    pd = deps.pandas("score_file")
    src = Path(result.source)
    bar = file_bar(progress, sum(part.size for part in parts), f"score {src.name}")
    sinks = [_Sink(pa, result.output)]
    if result.errors_output is not None:
        sinks.append(_Sink(pa, result.errors_output))
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="yz-write")
    scorer = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="yz-score")
    pending: Future[None] | None = None
    frames: _Prefetch | None = None
    inflight: deque[tuple[Future[tuple[Any, list[Any]]], int]] = deque()

    cq = result.questionnaire.compiled()

    def work(batch: ArrowBatch, offset: int) -> tuple[Any, list[Any]]:
        answers = split_answers(pd, cq, batch)
        scored = score_frame(
            result.questionnaire,
            batch.frame,
            result.catalog,
            id_columns=id_columns,
            lang=lang,
            progress=False,
            row_offset=offset,
            answers=answers,
            header=batch.header,
            workers=1,  # batches are scored in parallel already
        )
        errors = scored.errors
        tables = [sinks[0].arrow(pd, scored.frame)]
        if result.errors_output is not None:
            tables.append(sinks[1].arrow(pd, errors))
        return scored, tables

    def drain(limit: int) -> None:
        """Hand the oldest scored batches, in input order, to the writer until ``limit`` are left."""
        nonlocal pending
        while len(inflight) > limit:
            future, consumed = inflight.popleft()
            scored, tables = future.result()
            if pending is not None:
                pending.result()  # one batch being written at a time, in order
            pending = writer.submit(_write_all, sinks, tables)
            _count(result, scored)
            result.batches += 1
            if bar is not None:
                bar.update(max(0, min(consumed, bar.total - bar.n)))

    try:
        with batch_mode(BATCH_ROWS + 1):  # once for every scoring thread
            offset = 0
            # The answers to the questions are read dictionary-encoded (not the columns kept as given).
            answers = set(cq.qids) - set(id_columns)
            frames = _Prefetch(_frames(pa, pd, src, fmt, parts, encoding, *blocks, answers))
            for batch, consumed in frames:
                inflight.append((scorer.submit(work, batch, offset), consumed))
                offset += len(batch.frame)
                drain(threads)
            drain(0)
        if pending is not None:
            pending.result()
        if bar is not None:
            bar.update(bar.total - bar.n)
            bar.refresh()
        for sink in sinks:
            sink.commit()
    except BaseException:
        for future, _ in inflight:
            future.cancel()
        scorer.shutdown(wait=True)
        writer.shutdown(wait=True)
        for sink in sinks:
            sink.abort()
        raise
    finally:
        if frames is not None:
            frames.close()
        scorer.shutdown(wait=True)
        writer.shutdown(wait=True)
        if bar is not None:
            bar.close()
    return result


class _Prefetch:
    """Runs an iterator on a thread one item ahead: the next batch is parsed while this one is scored.

    pyarrow parses CSV without holding the GIL, so on two cores reading and
    scoring overlap.  Errors raised by the iterator come out of ``__next__``.
    """

    _END = object()

    def __init__(self, items: Iterator[Any]) -> None:
        self.queue: queue.Queue[tuple[Any, BaseException | None]] = queue.Queue(maxsize=1)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(items,), name="yz-read", daemon=True)
        self.thread.start()

    def _run(self, items: Iterator[Any]) -> None:
        try:
            for item in items:
                if not self._put((item, None)):
                    return
            self._put((self._END, None))
        except BaseException as exc:  # handed to the consumer
            self._put((self._END, exc))

    def _put(self, entry: tuple[Any, BaseException | None]) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> _Prefetch:
        return self

    def __next__(self) -> Any:
        item, exc = self.queue.get()
        if exc is not None:
            raise exc
        if item is self._END:
            raise StopIteration
        return item

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


def _write_all(sinks: list[_Sink], tables: list[Any]) -> None:
    for sink, table in zip(sinks, tables, strict=True):
        sink.write(table)


def _frames(
    pa: Any,
    pd: Any,
    src: Path,
    fmt: str,
    parts: list[DatasetPart],
    encoding: str,
    block_bytes: int,
    read_block: int,
    dictionary: Collection[str] = (),
) -> Iterator[tuple[ArrowBatch, int]]:
    """(batch, input bytes it stands for) per batch; at least one batch (maybe empty, for the header).

    pyarrow's streaming reader keeps dozens of parsed blocks ahead of its
    consumer, so it reads small blocks (``read_block``) and a batch gathers
    them up to ``block_bytes``: memory stays bounded and batches stay large.
    """
    if fmt in ("parquet", "dataset"):
        yield from _parquet_frames(pa, pd, src, parts, fmt == "dataset", block_bytes, dictionary)
        return
    import pyarrow.csv as pcsv  # type: ignore[import-untyped,unused-ignore]

    names = decode_header(src, encoding)  # UnicodeDecodeError: not this encoding
    if not names:
        raise FileLoadError(str(src), Code.EMPTY_FILE, "no header row")
    try:
        reader = pcsv.open_csv(src, **csv_options(pa, encoding, names, read_block, dictionary))
    except pa.ArrowInvalid as exc:
        _raise_csv(src, encoding, exc)
    held: Any = None  # empty rows at the end of the last batch: trailing only if nothing follows
    emitted = False
    per_batch = max(1, block_bytes // read_block)
    done = False
    while not done:
        batches: list[Any] = []
        while len(batches) < per_batch:
            try:
                batches.append(reader.read_next_batch())
            except StopIteration:
                done = True
                break
            except pa.ArrowInvalid as exc:
                _raise_csv(src, encoding, exc)
        if not batches:
            break
        table = pa.Table.from_batches(batches)
        if held is not None:
            table = pa.concat_tables([held, table])
            held = None
        n_trailing = trailing_true(empty_rows_arrow(table))
        if n_trailing:
            held = table.slice(table.num_rows - n_trailing)
            table = table.slice(0, table.num_rows - n_trailing)
        if table.num_rows == 0:
            continue
        emitted = True
        yield split_arrow(pa, pd, table, names, dictionary), read_block * len(batches)  # bytes: about
    if not emitted:
        empty = pd.DataFrame({i: pd.Series([], dtype=object) for i in range(len(names))})
        yield ArrowBatch(with_names(empty, names)), 0


def _raise_csv(src: Path, encoding: str, exc: Exception) -> Any:
    text = str(exc)
    if "straddling" in text or ("cannot infer number of columns" in text and src.stat().st_size):
        raise _BlockTooSmall(text) from None
    if "UTF8" in text or "utf-8" in text.lower():
        raise UnicodeDecodeError(encoding, b"", 0, 1, str(exc)) from None
    raise FileLoadError(str(src), Code.BAD_CSV, f"not a valid CSV table: {exc}") from None


def _parquet_frames(
    pa: Any,
    pd: Any,
    src: Path,
    parts: list[DatasetPart],
    dataset: bool,
    block_bytes: int,
    dictionary: Collection[str],
) -> Iterator[tuple[ArrowBatch, int]]:
    """Batches of about as many rows as ``block_bytes`` of CSV, whatever the row groups or compression.

    Small record batches are gathered by their Arrow size, to two thirds of
    ``block_bytes`` (with the answers dictionary-encoded, Arrow holds a row of
    yangzhou-2022 in 480 bytes, its CSV text takes 680): a batch sized by
    compressed bytes per row would hold ten times the rows meant.  Text answer
    columns are read as dictionaries.  A ``dataset``'s files are read one after
    the other (a batch may span two), each given its partition columns and the
    dataset's column order and types.
    """
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    target = _dictionary_schema(pa, dataset_schema(pa, src, parts), dictionary) if dataset else None
    budget = 2 * MAX_TABLE_BYTES  # unpacked bytes, for all the files together
    gathered: list[Any] = []  # tables, each of one file's record batches
    size = 0
    consumed = 0.0
    emitted = False
    for part in parts:
        try:
            stored = pq.read_schema(part.path)
            text = [f.name for f in stored if f.name in dictionary and is_text(pa, f.type)]
            handle = pq.ParquetFile(part.path, read_dictionary=text)
            meta = handle.metadata
            budget -= parquet_unpacked(part.path, meta, budget)
            per_row = part.size / max(1, meta.num_rows)  # progress counts the files' bytes

            def table(batches: list[Any], part: DatasetPart = part, schema: Any = handle.schema_arrow) -> Any:
                """A file's record batches as one table; in a dataset with its partition columns, its types."""
                whole = pa.Table.from_batches(batches, schema)  # the schema with the dictionary columns
                if target is None:
                    return whole
                return add_partition(pa, whole, part, target)

            # Converted once per batch, not per record batch: a dataset's row groups are often small.
            pending: list[Any] = []
            for batch in handle.iter_batches(batch_size=max(64, min(PARQUET_READ_ROWS, block_bytes >> 12))):
                pending.append(batch)
                size += batch.nbytes
                consumed += batch.num_rows * per_row
                if size >= block_bytes * 2 // 3:  # Arrow holds a row in about 2/3 of its CSV text
                    emitted = True
                    gathered.append(table(pending))
                    yield _parquet_batch(pa, pd, pa.concat_tables(gathered), dictionary, round(consumed))
                    pending, gathered, size, consumed = [], [], 0, 0.0
            if pending or (part is parts[-1] and not gathered and not emitted):  # a table without rows
                gathered.append(table(pending))
        except FileLoadError:
            raise
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError ... for a broken file
            if type(exc).__module__.startswith("yzmaturity"):
                raise
            raise FileLoadError(
                str(part.path), Code.BAD_PARQUET, f"not a readable Parquet file: {exc}"
            ) from None
    if gathered:  # the rest, or the header of a table without rows
        yield _parquet_batch(pa, pd, pa.concat_tables(gathered), dictionary, round(consumed))


def _dictionary_schema(pa: Any, schema: Any, dictionary: Collection[str]) -> Any:
    """``schema`` with the text columns named in ``dictionary`` dictionary-encoded, as the reader gives them."""
    fields = [
        pa.field(f.name, pa.dictionary(pa.int32(), f.type))
        if f.name in dictionary and is_text(pa, f.type)
        else f
        for f in schema
    ]
    return pa.schema(fields)


def _parquet_batch(
    pa: Any, pd: Any, table: Any, dictionary: Collection[str], consumed: int
) -> tuple[ArrowBatch, int]:
    return split_arrow(pa, pd, table, table.schema.names, dictionary), consumed


class _Sink:
    """One output written batch by batch to a temporary file beside it; ``commit`` moves it into place."""

    def __init__(self, pa: Any, target: Path) -> None:
        self.pa = pa
        self.target = target
        self.fmt = table_format(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
        os.close(fd)
        self.tmp = Path(tmp)
        self.handle: BinaryIO | None = None
        self.writer: Any = None
        self.schema: Any = None

    def arrow(self, pd: Any, frame: pd.DataFrame) -> Any:
        """The frame as ``write_table`` would write it: CSV text formula-guarded, Parquet as is."""
        if self.fmt == "csv":
            return csv_table(frame)
        return self.pa.Table.from_pandas(frame, preserve_index=False)

    def write(self, table: Any) -> None:
        if self.writer is None:
            self.schema = table.schema
            if self.fmt == "csv":
                import pyarrow.csv as pcsv  # type: ignore[import-untyped,unused-ignore]

                self.handle = open(self.tmp, "wb")  # noqa: SIM115 - closed in commit/abort
                self.handle.write("\ufeff".encode())
                self.writer = pcsv.CSVWriter(self.handle, self.schema)
            else:
                import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

                self.writer = pq.ParquetWriter(self.tmp, self.schema)
        elif not table.schema.equals(self.schema):
            table = table.cast(self.schema)
        if table.num_rows or self.fmt == "parquet":
            self.writer.write_table(table)

    def commit(self) -> None:
        self._close()
        os.replace(self.tmp, self.target)

    def abort(self) -> None:
        try:
            self._close()
        finally:
            self.tmp.unlink(missing_ok=True)

    def _close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self.handle is not None:
            self.handle.close()
            self.handle = None
