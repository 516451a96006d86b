"""A stored history of assessments: a SQLite file by default, PostgreSQL by URL.

:class:`Store` keeps, for every assessment added, the answer sheet, the
questionnaire it was scored against (its content, by hash, so the exact
assessment can be rebuilt years later), the results as they were computed,
the assessor and timestamps; enterprises are keyed by their unified social
credit code, so :meth:`Store.history` follows one enterprise over time.

SQLAlchemy 2 and Alembic (the ``serve`` extra) are imported only when a store
is opened.  The schema is created and migrated (Alembic, shipped in
``yzmaturity/_migrations``) when a store opens a database, under the database's
write lock, so several processes may open one database at once.  SQLite runs
in WAL mode with ``synchronous=FULL``: readers never wait for the writer, a
committed assessment survives a crash, and writers queue (``BEGIN IMMEDIATE``
with a busy timeout) instead of failing.  Tables are prefixed ``yz_`` (and the
migration table is ``yz_alembic_version``) so a store can share a database
with the application that embeds it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._assessment import Assessment, assess_sheet
from ._exceptions import NotFoundError, YzMaturityError
from ._loading import (
    answers_from_data,
    find_catalog,
    list_questionnaires,
    load_questionnaire,
    questionnaire_from_data,
)
from ._optional import require

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from ._model import Questionnaire

__all__ = [
    "Store",
    "StoreError",
    "StoredAssessment",
    "UnknownAssessmentError",
    "stored_results",
]

MIGRATIONS = Path(__file__).resolve().parent / "_migrations"
VERSION_TABLE = "yz_alembic_version"
_PG_LOCK = 0x797A6D74  # advisory lock taken while migrating a PostgreSQL database ("yzmt")
_BUSY_MS = 30_000
_CACHE = 16


class StoreError(YzMaturityError, RuntimeError):
    """The database cannot be opened or used as a store (bad URL, unreachable, newer schema)."""


class UnknownAssessmentError(NotFoundError):
    """No stored assessment has this id."""

    def __init__(self, assessment_id: str) -> None:
        self.kind = "assessment"
        self.name = assessment_id
        self.known = []
        LookupError.__init__(self, f"no stored assessment has the id {assessment_id!r}")


@dataclass(frozen=True)
class StoredAssessment:
    """One stored assessment as it was computed: results, sheet and bookkeeping.

    ``results`` is what :func:`stored_results` gave when it was added (scores,
    level, dimensions, questions, warnings, ranked recommendations);
    :meth:`Store.get` rebuilds the live :class:`Assessment` (for its roadmap,
    report or a comparison).
    """

    id: str
    credit_code: str | None
    enterprise_name: str
    questionnaire_id: str
    questionnaire_version: str
    questionnaire_hash: str
    overall: float
    level: int
    assessed_on: dt.date
    created_at: dt.datetime
    sheet: dict[str, Any]
    results: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The id, dates and the stored results: JSON-ready."""
        return {
            "id": self.id,
            "assessed_on": self.assessed_on.isoformat(),
            "created_at": self.created_at.isoformat(),
            **self.results,
        }


def stored_results(assessment: Assessment) -> dict[str, Any]:
    """What the store keeps of the results: :meth:`Assessment.to_dict` and the ranked recommendations.

    The roadmap is not kept: it is a plan made on demand from the sheet (and
    the slowest part of a result to make), and :meth:`Store.get` gives it.
    """
    out = assessment.to_dict()
    out["recommendations"] = [r.to_dict() for r in assessment.recommendations]
    return out


def _tables() -> Any:
    """The store's tables as SQLAlchemy Core objects (the schema the migrations create)."""
    sa = require("sqlalchemy", "the assessment store", "serve")
    md = sa.MetaData()
    questionnaires = sa.Table(
        "yz_questionnaires",
        md,
        sa.Column("hash", sa.String(80), primary_key=True),
        sa.Column("questionnaire_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    enterprises = sa.Table(
        "yz_enterprises",
        md,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("credit_code", sa.String(18), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    assessments = sa.Table(
        "yz_assessments",
        md,
        sa.Column("pk", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("yz_enterprises.id")),
        sa.Column("enterprise_name", sa.String(200), nullable=False),
        sa.Column("questionnaire_id", sa.String(64), nullable=False),
        sa.Column("questionnaire_version", sa.String(32), nullable=False),
        sa.Column(
            "questionnaire_hash", sa.String(80), sa.ForeignKey("yz_questionnaires.hash"), nullable=False
        ),
        sa.Column("sheet", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("overall", sa.Float(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("assessor_kind", sa.String(16), nullable=False),
        sa.Column("assessor_name", sa.String(200)),
        sa.Column("assessor_organisation", sa.String(200)),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Index("ix_yz_assessments_enterprise", "enterprise_id", "assessed_on", "pk"),
    )
    return questionnaires, enterprises, assessments


@dataclass(frozen=True)
class _Encoded:
    """JSON encoded before a write transaction begins (so the write lock is held the shortest time)."""

    text: str


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _json(value: Any) -> str:
    return value.text if isinstance(value, _Encoded) else _dumps(value)


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive timestamps: they were written in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _normalise_url(url: str) -> Any:
    sa = require("sqlalchemy", "the assessment store", "serve")
    if "://" not in url:  # a plain path: a SQLite file
        url = "sqlite:///" + url
    try:
        parsed = sa.engine.make_url(url)
    except Exception as exc:
        raise StoreError(f"not a database URL: {url!r} ({exc})") from None
    if parsed.drivername in ("postgresql", "postgres"):
        require("psycopg", "a PostgreSQL store", "serve")
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"a store is a SQLite or PostgreSQL database, not {parsed.get_backend_name()!r}")
    return parsed


class Store:
    """Assessments kept in a database, with each enterprise's history.

    ``url`` is a SQLAlchemy URL: ``sqlite:///assessments.db`` (the default; a
    file in the working folder), a plain file path, ``sqlite://`` (in memory),
    or ``postgresql://user:password@host/db`` (psycopg 3).  Needs the ``serve``
    extra.

    >>> import yzmaturity as yz
    >>> store = yz.Store("sqlite://")
    >>> a = yz.assess(yz.load_answers(yz.example_path("yangzhou-autoparts")))
    >>> key = store.add(a)
    >>> store.get(key).overall == a.overall
    True
    >>> [x.overall for x in store.history(a.enterprise.credit_code)] == [a.overall]
    True
    >>> store.close()
    """

    def __init__(self, url: str = "sqlite:///assessments.db", *, migrate: bool = True) -> None:
        sa = require("sqlalchemy", "the assessment store", "serve")
        parsed = _normalise_url(url)
        self._backend: str = parsed.get_backend_name()
        memory = self._backend == "sqlite" and parsed.database in (None, "", ":memory:")
        kwargs: dict[str, Any] = {"json_serializer": _json}
        if memory:
            kwargs |= {"poolclass": sa.pool.StaticPool, "connect_args": {"check_same_thread": False}}
        elif self._backend == "postgresql":
            kwargs |= {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}
        else:
            kwargs |= {"connect_args": {"timeout": _BUSY_MS / 1000}}
        try:
            engine: Engine = sa.create_engine(parsed, **kwargs)
        except Exception as exc:
            raise StoreError(f"cannot open the store {parsed!r}: {exc}") from None
        if self._backend == "sqlite":
            _sqlite_events(sa, engine, memory)
        self._engine = engine
        self._writer = engine.execution_options(yz_write=True)
        # One in-memory connection is shared: take turns.  A SQLite file has one writer at a
        # time: this process's writers queue on a lock (woken at once) rather than in
        # SQLite's busy handler (which sleeps and polls); other processes queue there.
        self._lock: contextlib.AbstractContextManager[Any] = (
            threading.RLock() if memory else contextlib.nullcontext()
        )
        self._write_lock: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if self._backend == "sqlite" and not memory else contextlib.nullcontext()
        )
        self._q_tables, self._e_tables, self._a_tables = _tables()
        self._questionnaires: dict[str, Questionnaire] = {}
        self._stored_hashes: set[str] = set()
        self.url: str = engine.url.render_as_string(hide_password=True)
        try:
            if migrate:
                self._migrate()
            self.schema_version = self._current_revision()
        except StoreError:
            engine.dispose()
            raise
        except sa.exc.SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(f"cannot open the store {self.url}: {exc}") from None

    # ------------------------------------------------------------------ opening
    def _current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self._lock, self._engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
            rev: str | None = ctx.get_current_revision()
            return rev

    def _migrate(self) -> None:
        """Bring the schema to the shipped head (under the write lock); refuse a newer schema."""
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        script = ScriptDirectory(str(MIGRATIONS))
        head = script.get_current_head()
        current = self._current_revision()
        if current == head:
            return
        if current is not None and current not in {r.revision for r in script.walk_revisions()}:
            raise StoreError(
                f"the store {self.url} has schema {current!r}, written by a newer yzmaturity "
                f"(this one knows up to {head!r}); upgrade yzmaturity"
            )
        sa = require("sqlalchemy", "the assessment store", "serve")
        with self._lock, self._writer.begin() as conn:
            if self._backend == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            cfg.attributes["version_table"] = VERSION_TABLE
            command.upgrade(cfg, "head")

    def close(self) -> None:
        """Close the database connections (the store cannot be used afterwards)."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.url}>"

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        sa = require("sqlalchemy", "the assessment store", "serve")
        try:
            with self._lock, self._engine.connect() as conn:
                yield conn
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"reading the store {self.url} failed: {exc}") from None

    # ------------------------------------------------------------------ writing
    def add(self, assessment: Assessment) -> str:
        """Store an assessment (sheet, questionnaire, results); return its new id.

        The enterprise is recorded by its credit code (its profile updated to
        this sheet's); an assessment of an enterprise without a credit code is
        stored but belongs to no history.
        """
        return self.add_record(assessment).id

    def add_record(self, assessment: Assessment) -> StoredAssessment:
        """As :meth:`add`, returning the stored record (what :meth:`record` will read back)."""
        sa = require("sqlalchemy", "the assessment store", "serve")
        if not isinstance(assessment, Assessment):
            raise TypeError(f"Store.add takes an Assessment, not {type(assessment).__name__}")
        results = stored_results(assessment)
        sheet = assessment.sheet
        now = dt.datetime.now(dt.UTC)
        q = assessment.questionnaire
        qhash = assessment.questionnaire_hash
        enterprise = assessment.enterprise
        new_id = uuid.uuid4().hex
        dumped = sheet.dump()
        sheet_json, results_json = _Encoded(_dumps(dumped)), _Encoded(_dumps(results))
        assessed_on = sheet.date or now.date()
        insert = _insert(self._backend)
        try:
            with self._write_lock, self._lock, self._writer.begin() as conn:
                if qhash not in self._stored_hashes:
                    conn.execute(
                        insert(self._q_tables)
                        .values(
                            hash=qhash,
                            questionnaire_id=q.id,
                            version=q.version,
                            content=q.model_dump(mode="json", by_alias=True, exclude_none=True),
                            created_at=now,
                        )
                        .on_conflict_do_nothing()
                    )
                enterprise_id = None
                if enterprise.credit_code:
                    e = self._e_tables
                    profile = enterprise.dump()
                    conn.execute(
                        insert(e)
                        .values(
                            credit_code=enterprise.credit_code,
                            name=enterprise.name,
                            profile=profile,
                            created_at=now,
                            updated_at=now,
                        )
                        .on_conflict_do_update(
                            index_elements=["credit_code"],
                            set_={"name": enterprise.name, "profile": profile, "updated_at": now},
                        )
                    )
                    enterprise_id = conn.execute(
                        sa.select(e.c.id).where(e.c.credit_code == enterprise.credit_code)
                    ).scalar_one()
                conn.execute(
                    sa.insert(self._a_tables).values(
                        id=new_id,
                        enterprise_id=enterprise_id,
                        enterprise_name=enterprise.name,
                        questionnaire_id=q.id,
                        questionnaire_version=q.version,
                        questionnaire_hash=qhash,
                        sheet=sheet_json,
                        results=results_json,
                        overall=round(float(assessment.overall), 4),
                        level=assessment.level.number,
                        assessor_kind=sheet.assessor.kind,
                        assessor_name=sheet.assessor.name,
                        assessor_organisation=sheet.assessor.organisation,
                        assessed_on=assessed_on,
                        created_at=now,
                    )
                )
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"storing the assessment in {self.url} failed: {exc}") from None
        self._stored_hashes.add(qhash)
        return StoredAssessment(
            id=new_id,
            credit_code=enterprise.credit_code,
            enterprise_name=enterprise.name,
            questionnaire_id=q.id,
            questionnaire_version=q.version,
            questionnaire_hash=qhash,
            overall=round(float(assessment.overall), 4),
            level=assessment.level.number,
            assessed_on=assessed_on,
            created_at=now,
            sheet=dumped,
            results=results,
        )

    # ------------------------------------------------------------------ reading
    def _select(self) -> Any:
        sa = require("sqlalchemy", "the assessment store", "serve")
        a, e = self._a_tables, self._e_tables
        return sa.select(a, e.c.credit_code).select_from(a.outerjoin(e, a.c.enterprise_id == e.c.id))

    @staticmethod
    def _record(row: Any) -> StoredAssessment:
        return StoredAssessment(
            id=row.id,
            credit_code=row.credit_code,
            enterprise_name=row.enterprise_name,
            questionnaire_id=row.questionnaire_id,
            questionnaire_version=row.questionnaire_version,
            questionnaire_hash=row.questionnaire_hash,
            overall=float(row.overall),
            level=int(row.level),
            assessed_on=row.assessed_on,
            created_at=_utc(row.created_at),
            sheet=row.sheet,
            results=row.results,
        )

    def record(self, assessment_id: str) -> StoredAssessment:
        """The stored assessment with this id, as it was computed (no rescoring)."""
        with self._read() as conn:
            row = conn.execute(self._select().where(self._a_tables.c.id == assessment_id)).first()
        if row is None:
            raise UnknownAssessmentError(assessment_id)
        return self._record(row)

    def records(self, credit_code: str) -> list[StoredAssessment]:
        """An enterprise's stored assessments, oldest first (by date assessed, then by when stored)."""
        a, e = self._a_tables, self._e_tables
        code = credit_code.strip().upper()
        query = self._select().where(e.c.credit_code == code).order_by(a.c.assessed_on, a.c.pk)
        with self._read() as conn:
            return [self._record(row) for row in conn.execute(query)]

    def get(self, assessment_id: str) -> Assessment:
        """The stored assessment rebuilt: its sheet scored against the exact questionnaire it was stored with."""
        return self.assessment_of(self.record(assessment_id))

    def history(self, credit_code: str) -> list[Assessment]:
        """An enterprise's assessments, oldest first (``yz.compare(*store.history(code)[-2:])``)."""
        return [self.assessment_of(r) for r in self.records(credit_code)]

    def assessment_of(self, record: StoredAssessment) -> Assessment:
        """The live :class:`Assessment` of a stored record."""
        q = self._questionnaire(record.questionnaire_hash)
        sheet = answers_from_data(record.sheet, source=f"stored assessment {record.id}")
        return assess_sheet(q, sheet, catalogs=find_catalog)

    def _questionnaire(self, qhash: str) -> Questionnaire:
        q = self._questionnaires.get(qhash)
        if q is not None:
            return q
        sa = require("sqlalchemy", "the assessment store", "serve")
        t = self._q_tables
        with self._read() as conn:
            row = conn.execute(sa.select(t).where(t.c.hash == qhash)).first()
        if row is None:
            raise StoreError(f"the store {self.url} lacks questionnaire {qhash}")
        q = None
        if row.questionnaire_id in list_questionnaires():
            builtin = load_questionnaire(row.questionnaire_id)
            if builtin.content_hash == qhash:
                q = builtin  # shares the compiled, cached built-in
        if q is None:
            q = questionnaire_from_data(row.content, source=f"stored questionnaire {row.questionnaire_id}")
        if len(self._questionnaires) >= _CACHE:
            self._questionnaires.pop(next(iter(self._questionnaires)))
        self._questionnaires[qhash] = q
        return q

    def count(self) -> int:
        """How many assessments are stored."""
        sa = require("sqlalchemy", "the assessment store", "serve")
        with self._read() as conn:
            n: int = conn.execute(sa.select(sa.func.count()).select_from(self._a_tables)).scalar_one()
        return n


def _insert(backend: str) -> Any:
    if backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _sqlite_events(sa: Any, engine: Engine, memory: bool) -> None:
    """WAL, durable commits, foreign keys, a busy timeout; writers begin with ``BEGIN IMMEDIATE``.

    The driver's own transaction handling is switched off (SQLAlchemy's
    recipe for SQLite) so that a write transaction takes the write lock at
    its start: two writers then queue instead of one failing on upgrade.
    """

    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
        if not memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("yz_write") else "BEGIN")

    sa.event.listen(engine, "connect", _connect)
    sa.event.listen(engine, "begin", _begin)
