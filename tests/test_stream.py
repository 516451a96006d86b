"""score_file, the streaming path, against the whole-table path: the same bytes, whatever the batches."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_tables import CODE, Q, random_sheets, table_of

from yzmaturity._cli import main
from yzmaturity._exceptions import FileLoadError
from yzmaturity._tables import TableError, score_file, score_table, write_table

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def messy() -> pd.DataFrame:
    return messy_frame()


def messy_frame() -> pd.DataFrame:
    """60 rows: valid ones, every kind of bad cell, and multi-line and formula-looking text."""
    frame = table_of(random_sheets(60, seed=5))
    frame.loc[3, "credit_code"] = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    frame.loc[7, "strat_invest"] = "lots"
    frame.loc[11, "strat_plan"] = None
    frame.loc[12, "eq_automation"] = "robots"
    frame.loc[12, "employees"] = "-5"
    frame.loc[20, "ii_network"] = "office;none"
    frame.loc[33, "scene_quality"] = "n/a"
    frame.loc[41, "name"] = '=HYPERLINK("x")\nsecond line'
    frame.loc[50, "industry"] = "C99"
    frame.insert(0, "_row_id", [f"r{i}" for i in range(len(frame))])
    return frame


def _csv_with_gaps(frame: pd.DataFrame, path, gaps=(5, 6, 30), trailing: int = 3, encoding="utf-8") -> None:
    """The frame as CSV with empty lines inside (kept as rows) and at the end (dropped)."""
    buffer = frame.to_csv(index=False, lineterminator="\n")
    header, *rows = _records(buffer)
    out = [header]
    for i, row in enumerate(rows):
        if i in gaps:
            out.append("")
        out.append(row)
    path.write_bytes(("\n".join(out) + "\n" + "\n" * trailing).encode(encoding))


def _records(text: str) -> list[str]:
    """CSV text split into records (a quoted cell may hold a newline)."""
    records, current, quoted = [], [], False
    for line in text.split("\n")[:-1]:
        current.append(line)
        quoted ^= line.count('"') % 2 == 1
        if not quoted:
            records.append("\n".join(current))
            current = []
    return records


def _whole(path, out, errors, **kw):
    result = score_table(Q, path, progress=False, **kw)
    write_table(result.frame, out)
    write_table(result.errors, errors)
    return result


@pytest.mark.parametrize("block", [1 << 10, 1 << 14, 1 << 24])
def test_streamed_csv_is_byte_identical_to_the_whole_table(tmp_path, messy, block):
    src = tmp_path / "in.csv"
    _csv_with_gaps(messy, src)
    whole = _whole(src, tmp_path / "w.csv", tmp_path / "we.csv")
    streamed = score_file(Q, src, tmp_path / "s.csv", errors=tmp_path / "se.csv", block_bytes=block)
    if block == 1 << 10:
        assert streamed.batches > 5  # really in batches
    assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "w.csv").read_bytes()
    assert (tmp_path / "se.csv").read_bytes() == (tmp_path / "we.csv").read_bytes()
    assert streamed.summary() == whole.summary()
    assert len(streamed) == len(messy) + 3  # every row, and the three empty lines inside
    assert streamed.n_invalid == whole.n_invalid > 0
    empty = whole.errors[whole.errors["code"] == "empty_row"]["row"].tolist()
    assert empty == [6, 8, 33]  # rows numbered as in the file, across batches


def test_empty_rows_at_a_batch_end_are_kept_when_rows_follow(tmp_path, messy):
    src = tmp_path / "in.csv"
    _csv_with_gaps(messy, src, gaps=tuple(range(10, 40)), trailing=5)  # a long run of empty lines
    _whole(src, tmp_path / "w.csv", tmp_path / "we.csv")
    streamed = score_file(Q, src, tmp_path / "s.csv", errors=tmp_path / "se.csv", block_bytes=1 << 10)
    assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "w.csv").read_bytes()
    assert (tmp_path / "se.csv").read_bytes() == (tmp_path / "we.csv").read_bytes()
    assert len(streamed) == len(messy) + 30


def test_gb18030_and_parquet_stream_too(tmp_path, messy):
    src = tmp_path / "gbk.csv"
    _csv_with_gaps(messy, src, encoding="gb18030")
    whole = _whole(src, tmp_path / "w.csv", tmp_path / "we.csv")
    streamed = score_file(Q, src, tmp_path / "s.csv", errors=tmp_path / "se.csv", block_bytes=1 << 12)
    assert (tmp_path / "s.csv").read_bytes() == (tmp_path / "w.csv").read_bytes()
    assert streamed.summary() == whole.summary()

    parquet = tmp_path / "in.parquet"
    messy.to_parquet(parquet, index=False)
    whole = score_table(Q, parquet, progress=False)
    streamed = score_file(Q, parquet, tmp_path / "s.parquet", errors=tmp_path / "se.parquet")
    got = pd.read_parquet(tmp_path / "s.parquet")
    expected = whole.frame.reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_categorical=False)
    assert len(pd.read_parquet(tmp_path / "se.parquet")) == len(whole.errors)


def test_parquet_batches_follow_block_bytes_not_row_groups(tmp_path, messy):
    """One row group, compressed small: the batches still hold about ``block_bytes`` each."""
    pq = pytest.importorskip("pyarrow.parquet")
    pa = pytest.importorskip("pyarrow")
    big = pd.concat([messy] * 40, ignore_index=True)
    parquet = tmp_path / "one-group.parquet"
    pq.write_table(pa.Table.from_pandas(big, preserve_index=False), parquet, row_group_size=len(big))
    assert pq.ParquetFile(parquet).metadata.num_row_groups == 1
    whole = score_table(Q, parquet, progress=False)
    streamed = score_file(
        Q, parquet, tmp_path / "s.parquet", errors=tmp_path / "e.parquet", block_bytes=1 << 15
    )
    assert streamed.batches > 3
    got = pd.read_parquet(tmp_path / "s.parquet")
    pd.testing.assert_frame_equal(
        got, whole.frame.reset_index(drop=True), check_dtype=False, check_categorical=False
    )
    assert len(pd.read_parquet(tmp_path / "e.parquet")) == len(whole.errors)
    assert streamed.summary() == whole.summary()


def test_xlsx_output_is_written_whole(tmp_path, messy):
    pytest.importorskip("openpyxl")
    src = tmp_path / "in.csv"
    messy.head(8).to_csv(src, index=False)
    result = score_file(Q, src, tmp_path / "out.xlsx")
    back = pd.read_excel(tmp_path / "out.xlsx")
    assert len(back) == len(result) == 8
    np.testing.assert_allclose(back["overall"], score_table(Q, src).frame["overall"], equal_nan=True)


def test_a_bad_header_fails_before_anything_is_written(tmp_path, messy):
    src = tmp_path / "in.csv"
    messy.rename(columns={"strat_plan": "strat_plans"}).to_csv(src, index=False)
    with pytest.raises(TableError):
        score_file(Q, src, tmp_path / "out.csv", errors=tmp_path / "e.csv", block_bytes=1 << 10)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]  # no output, no temporary file


def test_an_output_never_overwrites_the_input(tmp_path, messy):
    src = tmp_path / "in.csv"
    messy.head(3).to_csv(src, index=False)
    before = src.read_bytes()
    with pytest.raises(FileLoadError) as info:
        score_file(Q, src, src)
    assert info.value.details[0].code == "output_is_input"
    with pytest.raises(FileLoadError):
        score_file(Q, src, tmp_path / "out.csv", errors=tmp_path / "." / "in.csv")
    assert src.read_bytes() == before


def test_a_header_only_file_gives_header_only_outputs(tmp_path, messy):
    src = tmp_path / "in.csv"
    messy.head(0).to_csv(src, index=False)
    result = score_file(Q, src, tmp_path / "out.csv", errors=tmp_path / "e.csv")
    assert len(result) == 0 and result.summary()["mean_overall"] is None
    whole = _whole(src, tmp_path / "w.csv", tmp_path / "we.csv")
    assert (tmp_path / "out.csv").read_bytes() == (tmp_path / "w.csv").read_bytes()
    assert len(whole.frame) == 0


def test_cli_batch_streams_and_reports(tmp_path, messy, capsys):
    src = tmp_path / "in.csv"
    _csv_with_gaps(messy, src)
    code = main(
        ["batch", str(src), "-o", str(tmp_path / "o.csv"), "--errors", str(tmp_path / "e.csv"), "--json"]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    whole = _whole(src, tmp_path / "w.csv", tmp_path / "we.csv")
    assert summary == json.loads(json.dumps(whole.summary(), ensure_ascii=False))
    assert (tmp_path / "o.csv").read_bytes() == (tmp_path / "w.csv").read_bytes()


def test_progress_bar_over_the_file(tmp_path, messy, capsys):
    pytest.importorskip("tqdm")
    src = tmp_path / "in.csv"
    _csv_with_gaps(messy, src)
    score_file(Q, src, tmp_path / "o.csv", progress=True, block_bytes=1 << 12)
    err = capsys.readouterr().err
    assert "score in.csv" in err and "100%" in err


def test_table_result_for_the_analyst(messy):
    result = score_table(Q, messy)
    valid = result.valid_frame
    assert len(valid) == len(messy) - result.n_invalid and valid["valid"].all()
    table = result.to_arrow()
    assert table.num_rows == len(messy) and table.column_names == [str(c) for c in result.frame.columns]
    assert result.to_arrow(valid_only=True).num_rows == len(valid)
    bundle = result._repr_mimebundle_()
    assert bundle["text/plain"] == repr(result)
    assert f"{len(messy)}" in bundle["text/html"] and "<table" in bundle["text/html"]
    assert set(result._repr_mimebundle_(include={"text/plain"})) == {"text/plain"}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("arrow", [True, False])
def test_the_error_table_words_every_problem_as_the_problem_itself_does(messy, lang, arrow, monkeypatch):
    """The error table words each kind of problem once (a slot for the row): the same sentences,
    values and order as wording every problem on its own row."""
    import dataclasses

    from yzmaturity._tables.cells import got_text
    from yzmaturity._text import terminal_safe

    frame = pd.concat([messy] * 5, ignore_index=True)  # every problem repeated over rows
    frame["_row_id"] = [f"r{i}" for i in range(len(frame))]
    frame.loc[100, "eq_automation"] = "robots\ue000"  # the slot character itself, given as a value
    if not arrow:
        monkeypatch.setattr("yzmaturity._tables.deps.pyarrow", lambda: None)
    offset = 1000
    result = score_table(Q, frame, progress=False, lang=lang, row_offset=offset)
    errors = result.errors
    position = {str(c): i for i, c in enumerate(frame.columns)}
    expected = []
    for problems in (result.scores.errors, result.scores.warnings):
        for row, found in problems.items():
            for k, e in enumerate(found):
                column = str(e.loc[-1]) if len(e.loc) > 2 else ""
                moved = dataclasses.replace(e, loc=("row", e.loc[1] + offset, *e.loc[2:]))
                shown = got_text(e.got)
                expected.append(
                    (
                        (row, e.severity != "error", position.get(column, -1), k),
                        (row + 1 + offset, column, e.code, e.message, e.expected, e.severity),
                        None if shown is None else terminal_safe(shown),
                        terminal_safe(moved.text(lang)),
                    )
                )
    expected.sort(key=lambda r: r[0])
    assert len(errors) == len(expected) > 300
    got = errors.astype(object).where(errors.notna(), None)
    plain = list(
        zip(
            got["row"],
            got["column"],
            got["code"],
            got["message"],
            got["expected"],
            got["severity"],
            strict=True,
        )
    )
    assert plain == [r[1] for r in expected]
    assert got["got"].tolist() == [r[2] for r in expected]
    assert got["text"].tolist() == [r[3] for r in expected]
    assert any("\ue000" in t for t in got["text"].tolist())  # worded on its own, not cut at the slot


@pytest.mark.parametrize("kind", ["pyarrow", "record_batch", "polars"])
def test_arrow_and_polars_tables_score_as_the_same_frame(messy, kind):
    """A pyarrow table (or polars frame) has its answers split in Arrow: the same results and problems."""
    pa = pytest.importorskip("pyarrow")
    text = messy.astype("string")
    reference = score_table(Q, text, progress=False, row_offset=7)
    table = pa.Table.from_pandas(text, preserve_index=False)
    if kind == "record_batch":
        table = table.to_batches()[0]
    elif kind == "polars":
        polars = pytest.importorskip("polars")
        table = polars.from_arrow(table)
    result = score_table(Q, table, progress=False, row_offset=7)
    computed = result.result_columns
    pd.testing.assert_frame_equal(result.frame[computed], reference.frame[computed])
    # The columns kept as given: the same values (polars keeps no pandas dtype, so text is "str").
    kept = [c for c in reference.frame.columns if c not in computed]

    def cells(frame):
        return frame[kept].astype(object).where(frame[kept].notna(), None).to_numpy().tolist()

    assert cells(result.frame) == cells(reference.frame)
    pd.testing.assert_frame_equal(result.errors, reference.errors)
    assert result.summary() == reference.summary()
