"""Database: the declarative ``Base``, engines for SQLite and PostgreSQL, one session per request.

Every table is created by an Alembic migration (``cocontrol.service.migrations``), never by
``create_all``. A request gets one session through :data:`SessionDep`; it is committed when the
handler returns, rolled back when it raises, and always closed (no pool exhaustion under load).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import JSON, DateTime, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from cocontrol import io

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database (SQLite stores no zone: it is UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value


class Base(DeclarativeBase):
    """Base of every table. Tenant-owned tables carry ``org_id`` (the owning organisation)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict: JSON, list: JSON, dt.datetime: UTCDateTime()}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


#: up to 40 request threads (anyio's default), each with its session and, when it submits a
#: job, the job manager's own; on SQLite as on PostgreSQL (below PostgreSQL's default of 100
#: connections). SQLAlchemy's default SQLite pool of 5 + 10, and 10 + 35 on PostgreSQL, ran
#: out under 50 clients (bench/api.py).
POOL = {"pool_size": 10, "max_overflow": 70, "pool_timeout": 30}


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            io.make_dir(Path(path).parent)
        file_db = bool(path) and path != ":memory:"
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               **(POOL if file_db else {}))

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # WAL: readers never wait for the job writer
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **POOL)


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str):
        self.url = normalise_url(url)
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def session(self) -> Session:
        return self.sessions()

    def dispose(self) -> None:
        self.engine.dispose()


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commit on success, roll back on error, always close.

    Declared through :data:`SESSION` (``scope="function"``): FastAPI then runs the commit
    before the response is sent. With the default scope it ran after, and a client that sent
    its next request at once (a browser opening the page after the login answered) could
    arrive before the write was stored (tests/web/test_web_commit.py)."""
    db: Database = request.app.state.db
    session = db.session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


#: the request's session dependency: committed before the response leaves
SESSION = Depends(get_session, scope="function")
SessionDep = Annotated[Session, SESSION]
