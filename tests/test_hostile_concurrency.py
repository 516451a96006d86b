"""Hostile corpus, family 6: concurrency (issue 11): 8 threads on shared questionnaires and files.

Results under threads equal the single-threaded ones; concurrent writers of
one file leave one writer's whole file, never a mix, never a temporary file.
"""

from __future__ import annotations

import copy
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

import yzmaturity as yz
from yzmaturity._files import read_data_file
from yzmaturity._fs import write_bytes

THREADS = 8


def _sheets(mini_sheet):
    out = []
    for i in range(40):
        s = copy.deepcopy(mini_sheet)
        s["enterprise"]["name"] = f"企业{i}"
        s["answers"]["E2"] = i * 2.5
        s["answers"]["O1"] = i % 5
        out.append(s)
    return out


def test_assessments_under_threads_equal_the_serial_ones(mini, mini_sheet):
    sheets = _sheets(mini_sheet)
    serial = [yz.assess(s, mini).overall for s in sheets]
    with ThreadPoolExecutor(THREADS) as pool:
        threaded = list(pool.map(lambda s: yz.assess(s, mini).overall, sheets * 4))
    assert threaded == serial * 4


def test_a_questionnaire_compiled_by_many_threads_at_once_is_one(tmp_path):
    from conftest import DATA

    q = yz.load_questionnaire(DATA / "mini.yaml")
    barrier = threading.Barrier(THREADS)

    def compile_it(_):
        barrier.wait()
        return q.compiled().n_questions

    with ThreadPoolExecutor(THREADS) as pool:
        assert set(pool.map(compile_it, range(THREADS))) == {len(q.questions)}


def test_hostile_files_read_by_threads_fail_alike(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: &x 1\nb: *x\n")
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump({"a": list(range(100))}))

    def read(path):
        try:
            return read_data_file(path)
        except yz.FileLoadError as exc:
            return exc.code

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(read, [bad, good] * 50))
    assert results[::2] == ["yaml_alias"] * 50
    assert all(r == {"a": list(range(100))} for r in results[1::2])


def test_concurrent_writers_leave_one_whole_file(tmp_path):
    target = tmp_path / "out.csv"
    payloads = [bytes([65 + i]) * 200_000 for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)

    def write(i):
        barrier.wait()
        for _ in range(5):
            write_bytes(target, payloads[i])

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(write, range(THREADS)))
    assert target.read_bytes() in payloads
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_tables_scored_by_threads_equal_the_serial_result(mini):
    pd = pytest.importorskip("pandas")
    from yzmaturity._tables import score_table

    frame = pd.DataFrame(
        {
            "name": [f"E{i}" for i in range(30)],
            "E1": ["some", "full", "bad"] * 10,
            "E2": [str(i * 3) for i in range(30)],
            "S1": ["erp;mes", ";", "none"] * 10,
            "S2": ["true"] * 30,
            "O1": ["1", "2", "9"] * 10,
            "O2": ["n/a"] * 30,
        },
        dtype=object,
    )
    serial = score_table(mini, frame, progress=False, match=False)
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda _: score_table(mini, frame, progress=False, match=False), range(16)))
    for r in results:
        pd.testing.assert_frame_equal(r.frame, serial.frame)
        pd.testing.assert_frame_equal(r.errors, serial.errors)
