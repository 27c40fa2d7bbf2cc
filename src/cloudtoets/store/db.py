"""Database engines: SQLite embedded (WAL, foreign keys on) or PostgreSQL through psycopg 3."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from cloudtoets.domain.clock import SYSTEM_CLOCK, Clock
from cloudtoets.store import row_security
from cloudtoets.store.clock import with_clock

# Session.info keys: the organisations a session acts for (row_security.scope_value), and
# whether it only reads (then it runs in autocommit: no BEGIN/ROLLBACK round trips).
SCOPE = "cloudtoets.scope"
READ_ONLY = "cloudtoets.read_only"


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (SQLAlchemy's default would be psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")  # several app processes may write
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster than FULL
    cursor.close()


def make_engine(url: str, **options: Any) -> Engine:
    url = normalise_url(url)
    # JSON columns are read on every list row: orjson parses them several times faster than
    # the standard module (writing keeps the standard module: stored texts stay as they were)
    options.setdefault("json_deserializer", orjson.loads)
    if url.startswith("sqlite"):
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No ping per checkout (a round trip on every request): connections are renewed after
    # 30 minutes instead, and a dropped one fails one request, which the client can retry.
    options.setdefault("pool_pre_ping", False)
    options.setdefault("pool_recycle", 1800)
    # At most 30 connections per process, all kept: overflow connections beyond a smaller pool
    # were closed when handed back, so above 10 concurrent requests nearly every request paid
    # for a new PostgreSQL backend (a fork, authentication and the row-level security setting).
    options.setdefault("pool_size", 30)
    options.setdefault("max_overflow", 0)
    # JSONB keeps the value, not the text: orjson writes the same stored value several times
    # faster than the standard module (SQLite stores the text, so it keeps the standard module)
    options.setdefault("json_serializer", _jsonb_text)
    return create_engine(url, **options)


def _jsonb_text(value: Any) -> bytes:
    """A JSON value for a JSONB column (dict keys that are not text become text, as in json)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def _tell_scope(session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
    """Give PostgreSQL the session's organisations (row_security) when its transaction begins.

    A writing transaction sets them for itself only. A read-only session runs in autocommit, so
    the setting lives on the connection; it is remembered there and only sent when it differs,
    which costs the hot read path no round trip.
    """
    if connection.dialect.name != "postgresql":
        return
    value = session.info.get(SCOPE, "")
    if session.info.get(READ_ONLY):
        if connection.info.get(SCOPE) != value:
            row_security.set_scope(connection, value, transaction_only=False)
            connection.info[SCOPE] = value
    else:
        row_security.set_scope(connection, value, transaction_only=True)


def make_session_factory(engine: Engine, clock: Clock = SYSTEM_CLOCK) -> sessionmaker[Session]:
    """Sessions on ``engine`` whose timestamps come from ``clock`` (store.clock)."""
    sessions = sessionmaker(with_clock(engine, clock), expire_on_commit=False)
    event.listen(sessions, "after_begin", _tell_scope)
    return sessions
