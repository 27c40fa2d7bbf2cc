"""A database outage is an episode, not a bug: 503 for its requests, one log line at each end.

``cause_of`` tells a lost or busy database apart from every other error:

- PostgreSQL: a connection SQLAlchemy found broken (``connection_invalidated``), a driver error
  without a SQLSTATE (refused, reset, closed: the server never answered), a connection exception
  (SQLSTATE class 08) or a server shutting down or starting (57P01-57P03): *unreachable*;
  too many connections (53300) or a full pool (SQLAlchemy's pool timeout): *busy*.
- SQLite: "database is locked" or "busy" after the busy timeout, while another process (a long
  import, a backup) holds the write lock: *busy*.

Anything else (a statement timeout, a deadlock, a missing table) is no outage and keeps its own
handling (a 500 with a traceback in the log).

``DatabaseOutage`` counts an episode: the first refused request logs one warning without a
traceback; the next ones only count; the first sign of a working database afterwards logs one
line "weer bereikbaar" with how long it lasted and how many requests got a 503. The signs are a
new connection (PostgreSQL; after a lost connection SQLAlchemy renews the whole pool, so the
first success after an outage always makes one) and a committed transaction (both databases;
on SQLite a read proves nothing, since readers pass a held write lock). Neither costs the normal
path anything: no statement is watched (an engine event per statement costs about a third of a
trivial query). The moments come from the injected clock.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from cloudtoets.domain.clock import Clock

log = logging.getLogger("cloudtoets.database")

# What a refused request is told to wait before it tries again (the Retry-After header).
RETRY_AFTER_SECONDS = 5

_SERVER_GONE = frozenset({"57P01", "57P02", "57P03"})  # admin/crash shutdown, starting up
_TOO_MANY = frozenset({"53300"})  # too many connections


class Cause(enum.Enum):
    UNREACHABLE = "unreachable"
    BUSY = "busy"


def _cause_here(error: BaseException) -> Cause | None:
    if isinstance(error, sa_exc.TimeoutError):  # no free connection in the pool in time
        return Cause.BUSY
    if not isinstance(error, sa_exc.DBAPIError):
        return None
    if error.connection_invalidated:
        return Cause.UNREACHABLE
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        text = str(original).lower()
        return Cause.BUSY if "locked" in text or "busy" in text else None
    if isinstance(original, sqlite3.Error):
        return None
    if not isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
        return None
    state: str | None = getattr(original, "sqlstate", None)
    if state in _TOO_MANY:
        return Cause.BUSY
    if state is None or state.startswith("08") or state in _SERVER_GONE:
        return Cause.UNREACHABLE
    return None


def cause_of(error: BaseException) -> Cause | None:
    """Why the database could not serve: unreachable, busy, or None (no outage).

    The exception's causes count too: cleaning up after a lost connection can fail in turn.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(seen) < 8:
        seen.add(id(current))
        cause = _cause_here(current)
        if cause is not None:
            return cause
        current = current.__cause__ or current.__context__
    return None


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return (lines[0] if lines else type(original).__name__)[:200]


def _seconds(duration: dt.timedelta) -> str:
    """``3,5 s`` (Dutch decimal comma)."""
    return f"{duration.total_seconds():.1f}".replace(".", ",") + " s"


class DatabaseOutage:
    """The current outage episode of one database, if any (thread-safe)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._since: dt.datetime | None = None
        self._cause: Cause | None = None
        self._refused = 0

    @classmethod
    def watching(
        cls, engine: Engine, sessions: sessionmaker[Session], clock: Clock
    ) -> DatabaseOutage:
        """An episode counter that sees the database work again on ``engine``."""
        outage = cls(clock)
        if engine.dialect.name != "sqlite":  # a new SQLite connection proves nothing
            event.listen(engine, "connect", outage._connected)
        event.listen(sessions, "after_commit", outage._committed)
        return outage

    @property
    def active(self) -> bool:
        return self._since is not None

    @property
    def refused_count(self) -> int:
        return self._refused

    def refuse(self, error: BaseException, where: str, *, counted: bool = True) -> Cause | None:
        """Note that ``error`` stopped the request ``where`` (``GET /pad``); its cause, or None
        when it is no outage (then nothing is noted). ``counted``: False for a health check,
        which starts an episode but is no refused request."""
        cause = cause_of(error)
        if cause is None:
            return None
        with self._lock:
            first = self._since is None
            if first:
                self._since, self._cause, self._refused = self._clock.now(), cause, 0
            if counted:
                self._refused += 1
        if first:
            what = "niet bereikbaar" if cause is Cause.UNREACHABLE else "bezet"
            log.warning(
                "database %s (eerst bij %s: %s); verzoeken krijgen 503 met Retry-After %d tot "
                "zij weer werkt",
                what,
                where,
                _first_line(error),
                RETRY_AFTER_SECONDS,
            )
        return cause

    def recovered(self) -> None:
        """The database worked again: end the episode, if there is one, with one log line."""
        if self._since is None:  # the normal path: no lock, nothing to do
            return
        with self._lock:
            since, cause, refused = self._since, self._cause, self._refused
            if since is None:
                return
            self._since, self._cause, self._refused = None, None, 0
        what = "niet bereikbaar" if cause is Cause.UNREACHABLE else "bezet"
        word = "verzoek kreeg" if refused == 1 else "verzoeken kregen"
        log.warning(
            "database weer bereikbaar; zij was %s %s en %d %s 503",
            _seconds(self._clock.now() - since),
            what,
            refused,
            word,
        )

    def _connected(self, _dbapi_connection: Any, _record: Any) -> None:
        self.recovered()

    def _committed(self, _session: Session) -> None:
        self.recovered()
