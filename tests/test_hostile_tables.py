"""Hostile corpus, family 3: tables (issue 11).

Bombs and malformed files are refused fast with a clear error; a bad cell
invalidates its row only; every input row is accounted for in the output.
The large files are generated at test time (a few MB each).
"""

from __future__ import annotations

import csv
import io
import os
import zipfile

import pytest
from hostile import no_hang

import yzmaturity as yz
from yzmaturity._fs import atomic_write

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
pytest.importorskip("openpyxl")

from yzmaturity._tables import read_table, score_table, table_header, write_table  # noqa: E402
from yzmaturity._tables import xlsx as xlsx_module  # noqa: E402

Q = yz.load_questionnaire("yangzhou-2022")
HEADER = table_header(Q)


def _good_row(name: str) -> dict[str, str]:
    best = yz.example_answers(Q, "best")
    row = {h: "" for h in HEADER}
    row["name"] = name
    for qid, answer in best.answers.items():
        value = answer.value
        if answer.not_applicable:
            row[qid] = "n/a"
        elif isinstance(value, list):
            row[qid] = ";".join(value)
        elif isinstance(value, bool):
            row[qid] = "true" if value else "false"
        elif value is not None:
            row[qid] = str(value)
    return row


def _csv(path, rows, newline="\n") -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator=newline)
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def _problems(result, row):
    errors = result.errors
    return set(
        zip(errors.loc[errors["row"] == row, "code"], errors.loc[errors["row"] == row, "column"], strict=True)
    )


# ----------------------------------------------------------------------------- CSV
def test_the_control_rows_are_valid(tmp_path):
    path = tmp_path / "t.csv"
    _csv(path, [_good_row("A"), _good_row("B")])
    result = score_table(Q, path, progress=False)
    assert result.frame["valid"].tolist() == [True, True]


def test_a_cr_only_csv_is_read(tmp_path):
    path = tmp_path / "t.csv"
    _csv(path, [_good_row("A"), _good_row("B"), _good_row("C")], newline="\r")
    assert b"\n" not in path.read_bytes()
    result = score_table(Q, path, progress=False)
    assert result.frame["name"].tolist() == ["A", "B", "C"]
    assert result.frame["valid"].all()


@pytest.mark.parametrize("size", [5_000_000, 17 * 1024**2])  # inside a pyarrow block; straddling two
def test_a_giant_csv_cell_invalidates_its_row_only(tmp_path, size):
    rows = [_good_row("A"), _good_row("B"), _good_row("C")]
    rows[1]["strat_plan"] = "x" * size
    path = tmp_path / "t.csv"
    _csv(path, rows)
    result = score_table(Q, path, progress=False)
    assert len(result) == 3
    assert result.frame["valid"].tolist() == [True, False, True]
    assert ("too_long", "strat_plan") in _problems(result, 2)


def test_an_absurd_header_width_is_refused_fast(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n", encoding="utf-8")
    with no_hang(60), pytest.raises(yz.FileLoadError) as info:
        read_table(path)
    assert info.value.code == "too_many_columns"
    with pytest.raises(yz.FileLoadError):
        read_table(pd.DataFrame(columns=[f"c{i}" for i in range(xlsx_module.MAX_TABLE_COLUMNS + 1)]))


def test_control_characters_in_a_name_invalidate_the_row(tmp_path):
    rows = [_good_row("A"), _good_row("B\x1b[2J\x1b]0;owned\x07"), _good_row("C\u202e")]
    path = tmp_path / "t.csv"
    _csv(path, rows)
    result = score_table(Q, path, progress=False)
    assert result.frame["valid"].tolist() == [True, False, False]
    assert ("control_character", "name") in _problems(result, 2)
    assert ("control_character", "name") in _problems(result, 3)
    frame = pd.DataFrame([{k: (v or None) for k, v in r.items()} for r in rows], dtype=object)
    in_memory = score_table(Q, frame, progress=False)  # the object (non-arrow) path too
    assert in_memory.frame["valid"].tolist() == [True, False, False]


def test_an_empty_selection_is_no_answer(tmp_path):
    rows = [_good_row("A"), _good_row("B")]
    rows[1]["ii_network"] = ";"
    path = tmp_path / "t.csv"
    _csv(path, rows)
    result = score_table(Q, path, progress=False)
    assert ("missing_required", "ii_network") in _problems(result, 2)


@pytest.mark.parametrize("text", ["1e400", "-1e400", "9" * 5000])
def test_numbers_beyond_float_range_are_row_errors(tmp_path, text):
    rows = [_good_row("A"), _good_row("B")]
    rows[1]["strat_invest"] = text
    path = tmp_path / "t.csv"
    _csv(path, rows)
    result = score_table(Q, path, progress=False)
    assert result.frame["valid"].tolist() == [True, False]
    assert ("not_finite", "strat_invest") in _problems(result, 2)


def test_full_width_industry_codes_are_normalised(tmp_path):
    rows = [_good_row("A")]
    rows[0]["industry"] = "Ｃ３６"
    path = tmp_path / "t.csv"
    _csv(path, rows)
    result = score_table(Q, path, progress=False)
    assert result.frame["valid"].tolist() == [True], result.errors


def test_a_fifo_or_a_folder_is_not_a_table(tmp_path):
    fifo = tmp_path / "t.csv"
    os.mkfifo(fifo)
    with no_hang(20), pytest.raises(yz.FileLoadError) as info:
        read_table(fifo)
    assert info.value.code == "not_a_regular_file"
    folder = tmp_path / "d.csv"
    folder.mkdir()
    with pytest.raises(yz.FileLoadError) as info:
        read_table(folder)
    assert info.value.code == "is_a_folder"


# ----------------------------------------------------------------------------- XLSX
_WB = (
    '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
_HEAD = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
_TAIL = b"</sheetData></worksheet>"


def _book(path, write_rows, shared: str | None = None, prolog: bytes = b"") -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _RELS)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(prolog + _HEAD)
            write_rows(f)
            f.write(_TAIL)


def _inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def _header(f) -> None:
    f.write(b'<row r="1">' + _inline("A1", "name") + _inline("B1", "strat_plan") + b"</row>")


def test_a_million_row_xlsx_is_refused_in_seconds(tmp_path):
    def rows(f):
        _header(f)
        f.write(b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(2, 1_000_002)))

    path = tmp_path / "million.xlsx"
    _book(path, rows)
    assert path.stat().st_size < 10 * 1024**2
    with no_hang(60), pytest.raises(yz.FileLoadError) as info:
        read_table(path)
    assert info.value.code == "too_many_rows"


def test_a_row_number_far_away_is_refused(tmp_path):
    _book(
        tmp_path / "far.xlsx",
        lambda f: (_header(f), f.write(b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>')),
    )
    with pytest.raises(yz.FileLoadError) as info:
        read_table(tmp_path / "far.xlsx")
    assert info.value.code == "too_many_rows"


def test_a_giant_xlsx_cell_invalidates_its_row_only(tmp_path):
    chunk = b"x" * (1 << 20)

    def rows(f):
        _header(f)
        f.write(b'<row r="2">' + _inline("A2", "A") + b'<c r="B2" t="inlineStr"><is><t>')
        for _ in range(64):  # 64 MiB of text in one cell (the 1 GB case is in bench/bench_hostile.py)
            f.write(chunk)
        f.write(b"</t></is></c></row>")
        f.write(b'<row r="3">' + _inline("A3", "B") + _inline("B3", "ok") + b"</row>")

    path = tmp_path / "giant.xlsx"
    _book(path, rows)
    frame = read_table(path)
    assert frame["name"].tolist() == ["A", "B"]
    assert frame["strat_plan"].tolist() == [None, "ok"]
    problems = frame.attrs["cell_problems"]
    assert [(p.row, p.column, p.code) for p in problems] == [(0, "strat_plan", "too_long")]
    assert "B2" in problems[0].message


def test_a_giant_shared_string_is_bounded_too(tmp_path):
    big = "y" * (xlsx_module.MAX_CELL_CHARS + 10)
    shared = (
        '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<si><t>name</t></si><si><t>{big}</t></si><si><r><t>a</t></r><r><t>b</t></r></si></sst>"
    )

    def rows(f):
        f.write(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
        f.write(b'<row r="2"><c r="A2" t="s"><v>1</v></c></row><row r="3"><c r="A3" t="s"><v>2</v></c></row>')

    _book(tmp_path / "s.xlsx", rows, shared=shared)
    frame = read_table(tmp_path / "s.xlsx")
    assert frame["name"].tolist() == [None, "ab"]
    assert [p.row for p in frame.attrs["cell_problems"]] == [0]


def test_the_unpacked_byte_budget_counts_bytes_read(tmp_path, monkeypatch):
    _book(
        tmp_path / "b.xlsx",
        lambda f: (_header(f), f.write(b"<row r='2'><c r='A2'><v>1</v></c></row>" * 1000)),
    )
    monkeypatch.setattr(xlsx_module, "MAX_XLSX_UNPACKED_BYTES", 5000)
    with pytest.raises(yz.FileLoadError) as info:
        read_table(tmp_path / "b.xlsx")
    assert info.value.code == "file_too_large"


MALFORMED = {
    "reference 1A": b'<row r="2"><c r="1A"><v>1</v></c></row>',
    "reference of another row": b'<row r="2"><c r="A3"><v>1</v></c></row>',
    "shared string out of range": b'<row r="2"><c r="A2" t="s"><v>99</v></c></row>',
    "shared string not a number": b'<row r="2"><c r="A2" t="s"><v>x</v></c></row>',
    "number abc": b'<row r="2"><c r="A2"><v>abc</v></c></row>',
    "boolean 2": b'<row r="2"><c r="A2" t="b"><v>2</v></c></row>',
    "unknown type": b'<row r="2"><c r="A2" t="zz"><v>1</v></c></row>',
    "row number x": b'<row r="x"><c r="A2"><v>1</v></c></row>',
    "rows out of order": b'<row r="3"><c r="A3"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v></c></row>',
    "cells out of order": b'<row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>1</v></c></row>',
    "value beyond the header": b'<row r="2"><c r="E2"><v>1</v></c></row>',
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_xlsx_cell_is_a_table_error_naming_it(tmp_path, case):
    _book(tmp_path / "m.xlsx", lambda f: (_header(f), f.write(MALFORMED[case])))
    with pytest.raises(yz.TableError) as info:
        read_table(tmp_path / "m.xlsx")
    loc = info.value.details[0].loc
    assert loc[0] == "cell" and loc[1], info.value


@pytest.mark.parametrize(
    "content",
    [
        b"not a zip",
        b"PK\x03\x04" + b"\x00" * 100,
    ],
)
def test_a_file_that_is_no_workbook_is_refused(tmp_path, content):
    (tmp_path / "x.xlsx").write_bytes(content)
    with pytest.raises(yz.FileLoadError) as info:
        read_table(tmp_path / "x.xlsx")
    assert info.value.code == "bad_xlsx"


def test_a_dtd_and_entities_are_refused(tmp_path):
    prolog = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    _book(tmp_path / "dtd.xlsx", lambda f: _header(f), prolog=prolog)
    with pytest.raises(yz.FileLoadError) as info:
        read_table(tmp_path / "dtd.xlsx")
    assert info.value.code == "bad_xlsx"


def test_broken_xml_is_refused(tmp_path):
    _book(tmp_path / "x.xlsx", lambda f: f.write(b"<row r='1'><c r='A1'><v>1</c>"))
    with pytest.raises(yz.FileLoadError) as info:
        read_table(tmp_path / "x.xlsx")
    assert info.value.code == "bad_xlsx"


def test_xlsx_written_by_the_library_reads_back_with_types(tmp_path):
    frame = pd.DataFrame(
        {"a": ["x", None, "z"], "b": [1, 2, 3], "c": [1.5, None, 2.5], "d": [True, False, True]}
    )
    write_table(frame, tmp_path / "t.xlsx")
    back = read_table(tmp_path / "t.xlsx")
    assert back["a"].tolist() == ["x", None, "z"]
    assert back["b"].tolist() == [1, 2, 3]
    assert back["c"].tolist()[0] == 1.5 and back["c"].tolist()[1] is None
    assert back["d"].tolist() == [True, False, True]


# ----------------------------------------------------------------------------- writing
def test_ctrl_c_while_writing_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "out.csv"
    path.write_text("old,content\n", encoding="utf-8")
    frame = pd.DataFrame({"a": [str(i) for i in range(200_000)]})
    import pyarrow.csv as pcsv

    real = pcsv.write_csv

    def interrupted(table, handle, *args, **kwargs):
        real(table.slice(0, 1000), handle)
        raise KeyboardInterrupt

    monkeypatch.setattr(pcsv, "write_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_table(frame, path)
    assert path.read_text(encoding="utf-8") == "old,content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "parquet"])
def test_every_table_format_is_written_atomically(tmp_path, suffix, monkeypatch):
    path = tmp_path / f"out.{suffix}"
    write_table(pd.DataFrame({"a": ["1"]}), path)
    before = path.read_bytes()
    import yzmaturity._fs as fs

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fs.os, "fsync", full)
    with pytest.raises(yz.FileWriteError) as info:
        write_table(pd.DataFrame({"a": ["2"]}), path)
    assert info.value.code == "disk_full" and str(path) in str(info.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_atomic_write_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a\n")
    path.chmod(0o640)
    with atomic_write(path) as handle:
        handle.write(b"b\n")
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)
    assert path.read_text() == "b\n"
