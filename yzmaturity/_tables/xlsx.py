"""A streaming XLSX reader with budgets: rows, columns, cells, characters and bytes.

An XLSX file is a zip of XML parts; a few kilobytes can inflate to gigabytes
(a million one-cell rows, a one-gigabyte shared string, a sheet claiming
16,384 columns).  This reader never holds more than one chunk of XML at a
time: it feeds the decompressed parts to expat in 1 MiB chunks, counts what
it sees, and stops at the first budget exceeded, in seconds and within a few
hundred megabytes whatever the file claims:

* :data:`MAX_XLSX_ROWS` data rows, :data:`MAX_TABLE_COLUMNS` columns,
  :data:`MAX_XLSX_CELLS` cells, :data:`MAX_SHARED_STRINGS` distinct strings;
* :data:`MAX_CELL_CHARS` characters in one cell (Excel's own limit): a longer
  cell does not sink the table, it is reported in its row and column and the
  row is invalid (see :class:`CellProblem`);
* :data:`MAX_XLSX_UNPACKED_BYTES` bytes of XML inflated in all;
* a document type declaration or an entity (the "billion laughs") is refused.

A cell that cannot be read (a reference such as ``1A``, a shared-string index
out of range, ``<v>abc</v>`` in a number cell) is a :class:`TableError` naming
the cell.  Values keep their spreadsheet types: text, ``int``/``float``,
``bool``; an error cell (``#N/A``) is its text.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

from .._codes import Code
from .._exceptions import ErrorDetail, FileLoadError, TableError

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_TABLE_COLUMNS",
    "MAX_XLSX_ROWS",
    "MAX_XLSX_UNPACKED_BYTES",
    "CellProblem",
    "XlsxSheet",
    "read_xlsx",
]

MAX_XLSX_ROWS = 200_000
"""Data rows in one XLSX sheet; larger tables belong in CSV or Parquet."""
MAX_TABLE_COLUMNS = 4096
"""Columns of a table (yangzhou-2022 has fewer than 100)."""
MAX_CELL_CHARS = 32_767
"""Characters in one cell (Excel's limit); a longer cell invalidates its row."""
MAX_XLSX_UNPACKED_BYTES = 2 * 1024**3
"""XML bytes inflated from one workbook, counted as they are read."""
MAX_SHARED_CHARS = 256 * 1024**2
"""Characters in the shared-strings part, all strings together."""
MAX_SHARED_STRINGS = 2_000_000
"""Distinct strings of a workbook (its shared-strings part)."""
MAX_XLSX_CELLS = 20_000_000
"""Cells of one sheet (200,000 rows of 100 columns)."""
_CHUNK = 1 << 20
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_INTEGER = re.compile(r"-?[0-9]{1,16}")


@dataclass(frozen=True)
class CellProblem:
    """A cell that cannot be used, in a table that can: ``row`` is 0-based among data rows."""

    row: int
    column: str
    code: str
    message: str
    got: Any = None


class _TooLong:
    """A cell value over :data:`MAX_CELL_CHARS`: only its length is kept."""

    __slots__ = ("length",)

    def __init__(self, length: int) -> None:
        self.length = length

    def __repr__(self) -> str:
        return f"<text of more than {self.length} characters>"


@dataclass
class XlsxSheet:
    """The header and the data rows (tuples as wide as the header) of one sheet, and its cell problems."""

    header: list[Any]
    rows: list[tuple[Any, ...]]
    problems: list[CellProblem]


class _Budget:
    def __init__(self, path: str) -> None:
        self.path = path
        self.bytes = 0

    def take(self, n: int) -> None:
        self.bytes += n
        if self.bytes > MAX_XLSX_UNPACKED_BYTES:
            raise FileLoadError(
                self.path, Code.FILE_TOO_LARGE, f"unpacks to more than {MAX_XLSX_UNPACKED_BYTES} bytes"
            )


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _parse(
    archive: zipfile.ZipFile,
    member: str,
    budget: _Budget,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    data: Callable[[str], None] | None = None,
) -> None:
    """Feed one part of the archive to expat in chunks, refusing DTDs and entities."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = 1 << 16

    def refuse(*_: Any) -> None:
        raise FileLoadError(budget.path, Code.BAD_XLSX, f"{member}: a DTD or entity is not allowed")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = lambda name, attrs: start(_local(name), attrs)
    parser.EndElementHandler = lambda name: end(_local(name))
    if data is not None:
        parser.CharacterDataHandler = data
    try:
        with archive.open(member) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                budget.take(len(chunk))
                parser.Parse(chunk, not chunk)
                if not chunk:
                    break
    except (FileLoadError, TableError):
        raise
    except expat.ExpatError as exc:
        raise FileLoadError(budget.path, Code.BAD_XLSX, f"{member} is not valid XML: {exc}") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise FileLoadError(budget.path, Code.BAD_XLSX, f"{member} cannot be unpacked: {exc}") from None


def _small_part(
    archive: zipfile.ZipFile, member: str, budget: _Budget, tags: set[str]
) -> list[dict[str, str]]:
    """The attributes of the elements named ``tags`` in a small part (workbook, relationships)."""
    found: list[dict[str, str]] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name in tags:
            found.append({_local(k): v for k, v in attrs.items()} | {"": name})
            if len(found) > 10_000:
                raise FileLoadError(budget.path, Code.BAD_XLSX, f"{member}: too many entries")

    _parse(archive, member, budget, start, lambda name: None)
    return found


def _sheet_part(archive: zipfile.ZipFile, budget: _Budget, sheet: str | int | None) -> tuple[str, str | None]:
    """The archive member of the sheet asked for, and of the shared strings (if any)."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise FileLoadError(budget.path, Code.BAD_XLSX, "not an XLSX workbook: no xl/workbook.xml")
    sheets = _small_part(archive, "xl/workbook.xml", budget, {"sheet"})
    rels = {}
    shared = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in names else None
    if "xl/_rels/workbook.xml.rels" in names:
        for rel in _small_part(archive, "xl/_rels/workbook.xml.rels", budget, {"Relationship"}):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            rels[rel.get("Id", "")] = target
            if rel.get("Type", "").endswith("/sharedStrings"):
                shared = target if target in names else shared
    if not sheets:
        raise FileLoadError(budget.path, Code.NO_SHEET, "the workbook has no sheet")
    titles = [s.get("name", "") for s in sheets]
    if sheet is None:
        chosen = sheets[0]
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(sheets):
            raise FileLoadError(budget.path, Code.NO_SHEET, f"no sheet number {sheet}")
        chosen = sheets[sheet]
    else:
        if sheet not in titles:
            raise FileLoadError(
                budget.path, Code.NO_SHEET, f"no sheet {sheet!r}; sheets: {', '.join(titles)}"
            )
        chosen = sheets[titles.index(sheet)]
    member = rels.get(chosen.get("id", ""), "")
    if member not in names:
        index = sheets.index(chosen) + 1
        member = f"xl/worksheets/sheet{index}.xml"
    if member not in names:
        raise FileLoadError(budget.path, Code.BAD_XLSX, f"the sheet {chosen.get('name')!r} is missing")
    return member, shared


def _shared_strings(archive: zipfile.ZipFile, member: str, budget: _Budget) -> list[Any]:
    strings: list[Any] = []
    parts: list[str] = []
    state = {"length": 0, "in_t": False, "skip": 0, "total": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "si":
            parts.clear()
            state["length"] = 0
        elif name == "t" and not state["skip"]:
            state["in_t"] = True
        elif name in ("rPh", "phoneticPr"):  # phonetic guides are not the text
            state["skip"] += 1

    def end(name: str) -> None:
        if name == "si":
            if state["length"] > MAX_CELL_CHARS:
                strings.append(_TooLong(MAX_CELL_CHARS))
            else:
                strings.append("".join(parts))
            if len(strings) > MAX_SHARED_STRINGS:
                raise FileLoadError(
                    budget.path, Code.FILE_TOO_LARGE, f"more than {MAX_SHARED_STRINGS} shared strings"
                )
        elif name == "t":
            state["in_t"] = False
        elif name in ("rPh", "phoneticPr"):
            state["skip"] -= 1

    def data(text: str) -> None:
        if not state["in_t"]:
            return
        state["length"] += len(text)
        if state["length"] <= MAX_CELL_CHARS:
            parts.append(text)
            state["total"] += len(text)
            if state["total"] > MAX_SHARED_CHARS:
                raise FileLoadError(
                    budget.path, Code.FILE_TOO_LARGE, f"more than {MAX_SHARED_CHARS} characters of text"
                )

    _parse(archive, member, budget, start, end, data)
    return strings


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _column_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


class _SheetReader:
    """Expat callbacks building rows of one sheet, within the budgets."""

    def __init__(self, path: str, shared: list[Any]) -> None:
        self.path = path
        self.shared = shared
        self.header: list[Any] | None = None
        self.names: list[str] = []
        self.rows: list[tuple[Any, ...]] = []  # data rows as tuples as wide as the header
        self.problems: list[CellProblem] = []
        self.row: dict[int, Any] | None = None
        self.row_number = 0
        self.col = -1
        self.ref = ""
        self.kind = "n"
        self.text: list[str] = []
        self.length = 0
        self.collect = False
        self.in_inline = False
        self.cells = 0

    def fail(self, message: str) -> TableError:
        return TableError(
            f"cannot read {self.path}",
            [ErrorDetail(Code.BAD_XLSX, ("cell", self.ref or "?"), message)],
        )

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "row":
            given = attrs.get("r")
            if given is None:
                number = self.row_number + 1
            elif given.isdigit() and len(given) <= 7:
                number = int(given)
            else:
                self.ref = f"row {given!r}"
                raise self.fail(f"a row number must be 1 to {MAX_XLSX_ROWS + 1}")
            if number <= self.row_number:
                self.ref = f"row {number}"
                raise self.fail("rows out of order")
            if number > MAX_XLSX_ROWS + 1:
                raise FileLoadError(
                    self.path,
                    Code.TOO_MANY_ROWS,
                    f"more than {MAX_XLSX_ROWS} data rows in an XLSX sheet (row {number}); "
                    "write the table as CSV or Parquet",
                )
            self.row_number = number
            self.row = {}
            self.col = -1
        elif name == "c":
            if self.row is None:
                self.ref = attrs.get("r", "")
                raise self.fail("a cell outside a row")
            ref = attrs.get("r")
            if ref is None:
                self.col += 1
                self.ref = f"{_column_letters(self.col)}{self.row_number}"
            else:
                self.ref = ref
                match = _REF.fullmatch(ref)
                if match is None or int(match.group(2)) != self.row_number:
                    raise self.fail(f"not a cell reference of row {self.row_number}")
                col = _column_index(match.group(1))
                if col <= self.col:
                    raise self.fail("cells out of order")
                self.col = col
            if self.col >= MAX_TABLE_COLUMNS:
                raise FileLoadError(
                    self.path,
                    Code.TOO_MANY_COLUMNS,
                    f"cell {self.ref}: more than {MAX_TABLE_COLUMNS} columns",
                )
            self.kind = attrs.get("t", "n")
            self.text = []
            self.length = 0
            self.cells += 1
            if self.cells > MAX_XLSX_CELLS:
                raise FileLoadError(self.path, Code.FILE_TOO_LARGE, f"more than {MAX_XLSX_CELLS} cells")
        elif name == "v" or (name == "t" and self.in_inline):
            self.collect = True
        elif name == "is":
            self.in_inline = True

    def data(self, text: str) -> None:
        if self.collect:
            self.length += len(text)
            if self.length <= MAX_CELL_CHARS:
                self.text.append(text)

    def end(self, name: str) -> None:
        if name in ("v", "t"):
            self.collect = False
        elif name == "is":
            self.in_inline = False
        elif name == "c":
            if self.row is not None and (self.text or self.length):
                self.row[self.col] = self.value()
        elif name == "row":
            if self.row:
                self.add_row(self.row, self.row_number)
            self.row = None

    def add_row(self, cells: dict[int, Any], number: int) -> None:
        if self.header is None:
            if number != 1:
                raise FileLoadError(
                    self.path, Code.EMPTY_FILE, "the sheet has no header row (row 1 is empty)"
                )
            header = [cells.get(i) for i in range(max(cells) + 1)]
            for i, h in enumerate(header):
                if isinstance(h, _TooLong):
                    self.ref = f"{_column_letters(i)}1"
                    raise self.fail("a header cell is too long")
            self.header = header
            self.names = ["" if h is None else str(h) for h in header]
            return
        width = len(self.header)
        beyond = [c for c in cells if c >= width]
        if beyond:
            self.ref = f"{_column_letters(beyond[0])}{number}"
            raise self.fail(f"row {number} has values beyond the header's {width} columns")
        empty = (None,) * width
        while len(self.rows) < number - 2:  # empty rows in between keep their place
            self.rows.append(empty)
        row = [cells.get(i) for i in range(width)]
        for i, value in enumerate(row):
            if isinstance(value, _TooLong):
                self.problems.append(
                    CellProblem(
                        len(self.rows),
                        self.names[i],
                        Code.TOO_LONG,
                        f"cell {_column_letters(i)}{number} holds more than {MAX_CELL_CHARS} characters",
                        got=repr(value),
                    )
                )
                row[i] = None
        self.rows.append(tuple(row))

    def value(self) -> Any:
        if self.length > MAX_CELL_CHARS:
            return _TooLong(MAX_CELL_CHARS)
        raw = "".join(self.text)
        kind = self.kind
        if kind == "s":
            if not raw.strip().isdigit() or int(raw) >= len(self.shared):
                raise self.fail(f"shared string {raw[:20]!r} does not exist")
            return self.shared[int(raw)]
        if kind in ("str", "inlineStr", "e", "d"):
            return raw
        if kind == "b":
            if raw.strip() not in ("0", "1"):
                raise self.fail(f"a boolean cell holds 0 or 1, not {raw[:20]!r}")
            return raw.strip() == "1"
        if kind != "n":
            raise self.fail(f"unknown cell type {kind[:20]!r}")
        text = raw.strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise self.fail(f"not a number: {text[:20]!r}") from None
        if number.is_integer() and abs(number) < 2**53 and _INTEGER.fullmatch(text):
            return int(text)
        return number  # a number beyond float range is inf: its row gets not_finite


def read_xlsx(handle: IO[bytes], path: str, sheet: str | int | None) -> XlsxSheet:
    """Read one sheet of an XLSX workbook from an open file, within every budget (module docs)."""
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileLoadError(path, Code.BAD_XLSX, f"not an XLSX workbook: {exc}") from None
    with archive:
        declared = sum(info.file_size for info in archive.infolist())
        if declared > MAX_XLSX_UNPACKED_BYTES:
            raise FileLoadError(
                path, Code.FILE_TOO_LARGE, f"unpacks to {declared} bytes, more than {MAX_XLSX_UNPACKED_BYTES}"
            )
        budget = _Budget(path)
        member, shared_member = _sheet_part(archive, budget, sheet)
        shared = _shared_strings(archive, shared_member, budget) if shared_member else []
        reader = _SheetReader(path, shared)
        _parse(archive, member, budget, reader.start, reader.end, reader.data)
    return _assemble(reader)


def _assemble(reader: _SheetReader) -> XlsxSheet:
    if reader.header is None:
        raise FileLoadError(reader.path, Code.EMPTY_FILE, "the sheet has no header row")
    return XlsxSheet(reader.header, reader.rows, reader.problems)
