"""The assessment store on real databases: a SQLite file (WAL) and PostgreSQL (when CI runs one)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sqlite3
import threading
from pathlib import Path

import pytest
from conftest import DATA
from databases import BACKENDS, database_url

import yzmaturity as yz

pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    yield from database_url(request.param, tmp_path)


def example(name: str = "yangzhou-autoparts", **changes) -> yz.AnswerSheet:
    sheet = yz.load_answers(yz.example_path(name))
    return sheet.model_copy(update=changes) if changes else sheet


def test_add_get_round_trip(url):
    a = yz.assess(example())
    with yz.Store(url) as store:
        added = store.add_record(a)
        key = added.id
        assert len(key) == 32 and store.count() == 1
        back = store.get(key)
        record = store.record(key)
    assert back.overall == a.overall and back.level.number == a.level.number
    assert back.sheet.dump() == a.sheet.dump()
    assert back.questionnaire_hash == a.questionnaire_hash
    full = a.to_dict(recommendations=True)
    assert record.results == {k: v for k, v in full.items() if k != "roadmap"}
    assert record.credit_code == a.enterprise.credit_code
    assert record.assessed_on == a.sheet.date
    assert record == added  # what add_record says is what is read back
    assert record.created_at.tzinfo is not None
    assert abs(record.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert record.to_dict()["id"] == key and record.to_dict()["overall"] == round(a.overall, 2)


def test_nothing_lost_across_reopening(url):
    a = yz.assess(example())
    with yz.Store(url) as store:
        key = store.add(a)
    with yz.Store(url) as store:
        assert store.count() == 1
        assert store.get(key).overall == a.overall
        assert store.schema_version == "0001"


def test_history_is_oldest_first_and_compares(url):
    sheet = example()
    code = sheet.enterprise.credit_code
    t0 = sheet.model_copy(update={"date": dt.date(2024, 5, 1)})
    other = example("yangzhou-equipment")
    # T1: the same enterprise a year later, answering as the equipment maker did
    t1 = t0.model_copy(update={"date": dt.date(2025, 5, 1), "answers": dict(other.answers)})
    differ = {q for q in set(t0.answers) | set(t1.answers) if t0.answers.get(q) != t1.answers.get(q)}
    assert differ
    with yz.Store(url) as store:
        k1 = store.add(yz.assess(t1))  # added first, assessed later
        k0 = store.add(yz.assess(t0))
        store.add(yz.assess(other))
        records = store.records(code.lower())
        history = store.history(code)
        assert [r.id for r in records] == [k0, k1]
        assert [h.sheet.date for h in history] == [dt.date(2024, 5, 1), dt.date(2025, 5, 1)]
        cmp = yz.compare(*history[-2:])
        assert cmp.overall.before == round(yz.assess(t0).overall, 2)
        assert set(cmp.answers_changed) == differ
        assert store.records("91000000000000000X") == []


def test_no_credit_code_is_stored_outside_any_history(url):
    sheet = example()
    anonymous = sheet.model_copy(
        update={"enterprise": sheet.enterprise.model_copy(update={"credit_code": None})}
    )
    with yz.Store(url) as store:
        key = store.add(yz.assess(anonymous))
        assert store.record(key).credit_code is None
        assert store.get(key).enterprise.name == sheet.enterprise.name
        assert store.records(sheet.enterprise.credit_code) == []


def test_unknown_id_is_a_not_found_error(url):
    with yz.Store(url) as store, pytest.raises(yz.NotFoundError, match="no stored assessment"):
        store.get("0" * 32)


def test_custom_questionnaire_is_kept_by_content(url, mini, mini_sheet):
    mini_sheet["enterprise"]["credit_code"] = "91321012743925186E"
    a = yz.assess(mini_sheet, mini)
    with yz.Store(url) as store:
        key = store.add(a)
    with yz.Store(url) as store:  # a new process would not know 'mini': the store does
        back = store.get(key)
    assert back.questionnaire.id == "mini" and back.questionnaire_hash == a.questionnaire_hash
    assert back.overall == a.overall


def test_enterprise_profile_follows_the_latest_sheet(url):
    sheet = example()
    renamed = sheet.model_copy(
        update={"enterprise": sheet.enterprise.model_copy(update={"name": "新名称有限公司"})}
    )
    with yz.Store(url) as store:
        store.add(yz.assess(sheet))
        store.add(yz.assess(renamed))
        names = [r.enterprise_name for r in store.records(sheet.enterprise.credit_code)]
    assert names == [sheet.enterprise.name, "新名称有限公司"]


def test_concurrent_writers_lose_nothing(url):
    a = yz.assess(example())
    b = yz.assess(example("yangzhou-equipment"))
    errors: list[BaseException] = []
    keys: list[str] = []
    lock = threading.Lock()
    with yz.Store(url) as store:

        def work(x: yz.Assessment) -> None:
            try:
                for _ in range(10):
                    k = store.add(x)
                    with lock:
                        keys.append(k)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(a if i % 2 else b,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert errors == []
        assert len(set(keys)) == 80 and store.count() == 80
        assert len(store.records(a.enterprise.credit_code)) == 40


def _add_in_process(url: str, n: int) -> None:
    import yzmaturity as yz

    with yz.Store(url) as store:
        a = yz.assess(yz.load_answers(yz.example_path("yangzhou-toothbrush")))
        for _ in range(n):
            store.add(a)


def test_processes_open_and_write_one_database_at_once(url):
    """Two fresh processes migrate (one waits for the other) and write together."""
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_add_in_process, args=(url, 5)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    with yz.Store(url) as store:
        assert store.count() == 15


def test_sqlite_file_is_in_wal_mode_with_our_version_table(tmp_path):
    path = tmp_path / "a.db"
    with yz.Store(str(path)) as store:
        store.add(yz.assess(example()))
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert con.execute("SELECT version_num FROM yz_alembic_version").fetchone()[0] == "0001"
    finally:
        con.close()
    assert {"yz_assessments", "yz_enterprises", "yz_questionnaires"} <= tables
    assert "alembic_version" not in tables


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "a.db"
    yz.Store(str(path)).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE yz_alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(yz.StoreError, match="newer yzmaturity"):
        yz.Store(str(path))


def test_bad_urls_are_store_errors(tmp_path):
    with pytest.raises(yz.StoreError, match="not a database URL"):
        yz.Store("://nothing")
    with pytest.raises(yz.StoreError, match="SQLite or PostgreSQL"):
        yz.Store("mysql://u@localhost/db")
    with pytest.raises(yz.StoreError):
        yz.Store(f"sqlite:///{tmp_path / 'missing-folder' / 'a.db'}")


def test_add_takes_an_assessment():
    with yz.Store("sqlite://") as store, pytest.raises(TypeError):
        store.add({"overall": 1})  # type: ignore[arg-type]


def test_store_is_not_imported_by_the_package():
    import subprocess
    import sys

    code = "import sys, yzmaturity; print('sqlalchemy' in sys.modules, 'alembic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    assert Path(DATA).is_dir()


@pytest.mark.parametrize(
    ("blocked", "code"),
    [
        ("sqlalchemy", "import yzmaturity as yz; yz.Store('sqlite://')"),
        ("fastapi", "from yzmaturity._cli import main; raise SystemExit(main(['serve']))"),
        ("sqlalchemy", "from yzmaturity._cli import main; raise SystemExit(main(['serve']))"),
    ],
)
def test_a_missing_extra_names_it(blocked, code):
    import subprocess
    import sys

    prog = f"import sys; sys.modules[{blocked!r}] = None\n{code}"
    out = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, check=False)
    assert out.returncode == 1 if "main" in code else out.returncode != 0
    assert "pip install 'yzmaturity[serve]'" in out.stderr and blocked in out.stderr
    assert "internal error" not in out.stderr


def test_migrations_create_exactly_the_tables_the_store_uses(url):
    """No drift between the shipped migrations and the store's table definitions (alembic autogenerate)."""
    import sqlalchemy as sa
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from yzmaturity._store import _tables

    metadata = _tables()[0].metadata
    with yz.Store(url) as store:
        del store
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = [
                d
                for d in compare_metadata(ctx, metadata)
                if not (d[0] == "remove_table" and d[1].name == "yz_alembic_version")
            ]
    finally:
        engine.dispose()
    assert diff == []
