"""The audit trail as a hash chain: tamper-evident, not tamper-proof.

Every row of ``audit_log`` carries ``seq`` (1, 2, 3 … without gaps), ``prev_hash`` (the previous
row's ``hash``; 64 zeros for the first row) and

    hash = sha256(prev_hash ‖ canonical_json(every other column))

where the canonical JSON is ``json.dumps(fields, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)``, encoded as UTF-8, with ``at`` as ISO 8601 in UTC with microseconds and
offset (``2026-11-29T05:21:02.140483+00:00``) and ``before``/``after`` as stored. Changing,
removing or reordering a record breaks the chain at that record; the head hash, anchored
elsewhere (signed checkpoints, services/audit.py), covers the end of the chain. This format is a
contract: exports, archived head hashes and checkpoints depend on it, so it never changes.

``db_user`` (migration 0009) is the database user whose session wrote the record
(``current_user`` on PostgreSQL, ``"sqlite"`` on SQLite). It is hashed only when it is set:
records written before 0009 have none and hash exactly as they did, records written since carry
it inside their hash.

Appending needs the previous row, so writers are serialised inside their own transaction before
the head is read:

- PostgreSQL: ``pg_advisory_xact_lock(CHAIN_LOCK_KEY)``, released at commit or rollback. The head
  is read by the next statement, whose READ COMMITTED snapshot sees every chain committed before
  the lock was granted.
- SQLite: a write statement that changes nothing takes the database's single write lock (SQLite
  serialises writers); a WAL write transaction always sees the latest commit, so the head read
  after it is current.

``seq`` is unique as well, so a writer that somehow skipped the lock fails instead of forking the
chain. Triggers (migration 0002) refuse UPDATE and DELETE on ``audit_log``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import orjson
from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from cloudtoets.store.bulk import insert_rows
from cloudtoets.store.clock import session_now
from cloudtoets.store.tables import AuditRow

GENESIS = "0" * 64
CHAIN_LOCK_KEY = 0x636C6F7564746F65  # "cloudtoe" in ASCII: the advisory lock of the chain

# every column except ``hash``: what the hash covers
HASHED_FIELDS = (
    "id",
    "seq",
    "prev_hash",
    "at",
    "actor",
    "organisation_id",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
)
DB_USER = "db_user"  # hashed when set (records since migration 0009)
RECORD_FIELDS = (*HASHED_FIELDS, DB_USER, "hash")  # one exported record
SQLITE_USER = "sqlite"  # SQLite has no database users


@dataclass(frozen=True, slots=True)
class Entry:
    """One audit record before it joins the chain."""

    actor: str
    organisation_id: str | None
    request_id: str | None
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    # ``before`` and ``after`` are already as they read back from the database (``as_stored``)
    stored: bool = False


Problem = Literal["gap", "prev_hash", "hash", "malformed"]


@dataclass(frozen=True, slots=True)
class Break:
    """The first record where the chain does not hold."""

    problem: Problem
    seq: int | None  # the record's own seq (None when unreadable)
    id: int | None
    expected_seq: int | None = None  # for a gap: the seq that should have come here
    line: int | None = None  # when verifying an export file
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Verification:
    """``count`` records hold, ending in ``head_hash``; ``broken`` is the first fault, if any."""

    count: int
    head_hash: str
    broken: Break | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


# --- canonical form -----------------------------------------------------------------------


# what ``json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` makes
# for every call; one encoder for all (it keeps no state between calls)
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(fields: Mapping[str, Any]) -> str:
    return _CANONICAL.encode(fields)


def chain_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """sha256(prev_hash ‖ canonical JSON of ``fields``) as 64 hexadecimal digits."""
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def canonical_time(value: dt.datetime) -> str:
    """ISO 8601 in UTC with microseconds; naive values (SQLite keeps no offset) are UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


_AS_JSON = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def as_stored(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """A JSON value exactly as it reads back from the database (tuples become lists, …)."""
    if value is None:
        return None
    # orjson gives the same value several times faster. What it does not take (an integer
    # beyond 64 bits, a date or dataclass, which json refuses too) goes the standard way, with
    # its errors. NaN cannot come: the models refuse it before anything is stored.
    try:
        return orjson.loads(orjson.dumps(value, option=_AS_JSON))  # type: ignore[no-any-return]
    except orjson.JSONEncodeError:
        return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))  # type: ignore[no-any-return]


def hashed(values: Mapping[str, Any]) -> dict[str, Any]:
    """What the hash of a record covers: ``HASHED_FIELDS``, plus ``db_user`` when it is set."""
    fields = {name: values[name] for name in HASHED_FIELDS}
    if values.get(DB_USER) is not None:
        fields[DB_USER] = values[DB_USER]
    return fields


def record_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed fields of a row, from its column values as read from the database."""
    fields = hashed(values)
    fields["at"] = canonical_time(fields["at"])
    return fields


def export_record(values: Mapping[str, Any]) -> dict[str, Any]:
    """One record as exported: the hashed fields, ``db_user`` (null when none) and ``hash``."""
    return {**record_fields(values), DB_USER: values.get(DB_USER), "hash": values["hash"]}


def database_user(session: Session) -> str:
    """The database user of the session: ``current_user`` on PostgreSQL, ``"sqlite"`` else."""
    if session.get_bind().dialect.name == "postgresql":
        return str(session.scalar(text("SELECT current_user")))
    return SQLITE_USER


# --- appending ----------------------------------------------------------------------------


def lock_chain(session: Session) -> None:
    """Serialise chain writers until this transaction ends; call before reading the head."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    elif dialect == "sqlite":
        # Matches no row (so no trigger fires) but is a write: the transaction now holds
        # SQLite's write lock, waiting up to busy_timeout for the current writer to finish.
        session.execute(text("UPDATE audit_log SET seq = seq WHERE 0"))
    else:  # pragma: no cover - cloudtoets supports these two
        raise NotImplementedError(f"audit chain on {dialect}")


def read_head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the last record, or (0, GENESIS) for an empty chain."""
    row = session.execute(
        select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    return (0, GENESIS) if row is None else (row.seq, row.hash)


def _new_ids(session: Session, count: int) -> list[int]:
    """Row ids for ``count`` new records (the hash covers the id, so it is chosen up front)."""
    if session.get_bind().dialect.name == "postgresql":
        ids = session.scalars(
            text(
                "SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"count": count},
        ).all()
        return sorted(ids)
    # SQLite: the write lock is held, so nobody else takes max(id) + 1 meanwhile
    last = session.scalar(select(AuditRow.id).order_by(AuditRow.id.desc()).limit(1)) or 0
    return list(range(last + 1, last + 1 + count))


def append(session: Session, entries: Sequence[Entry], at: dt.datetime | None = None) -> str | None:
    """Add ``entries`` to the chain in the session's transaction; returns the new head hash.

    Takes the chain lock, so call it as the last step of a transaction: the lock is then held
    only until the commit, and a writer holding it never waits for another lock (no deadlock).
    """
    return append_batches(session, [entries], at)


def append_batches(
    session: Session, batches: Iterable[Sequence[Entry]], at: dt.datetime | None = None
) -> str | None:
    """``append`` for entries that come in batches (a large import reads them back from a
    file): one lock and one head, each batch inserted as it comes, so they need not all be in
    memory at once. Returns the new head hash (None when there were no entries)."""
    db_user: str | None = None
    seq, prev_hash, at_text = 0, GENESIS, ""
    head: str | None = None
    for entries in batches:
        if not entries:
            continue
        if head is None:
            db_user = database_user(session)  # before the lock: after it, only audit_log
            lock_chain(session)
            seq, prev_hash = read_head(session)
            at = (at or session_now(session)).astimezone(dt.UTC)
            at_text = canonical_time(at)
        rows = []
        for row_id, entry in zip(_new_ids(session, len(entries)), entries, strict=True):
            seq += 1
            values: dict[str, Any] = {
                "id": row_id,
                "seq": seq,
                "prev_hash": prev_hash,
                "at": at,
                "actor": entry.actor,
                "organisation_id": entry.organisation_id,
                "request_id": entry.request_id,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "before": entry.before if entry.stored else as_stored(entry.before),
                "after": entry.after if entry.stored else as_stored(entry.after),
                DB_USER: db_user,
            }
            values["hash"] = prev_hash = chain_hash(prev_hash, {**hashed(values), "at": at_text})
            rows.append(values)
        insert_rows(session, cast(Table, AuditRow.__table__), rows)
        head = prev_hash
    return head


# --- reading and verifying ------------------------------------------------------------------

_COLUMNS = [getattr(AuditRow, name) for name in RECORD_FIELDS]


def iter_chain(session: Session, batch: int = 1_000) -> Iterator[dict[str, Any]]:
    """Every record in seq order, as exported (one statement: one consistent snapshot)."""
    statement = select(*_COLUMNS).order_by(AuditRow.seq).execution_options(yield_per=batch)
    for row in session.execute(statement):
        yield export_record(row._asdict())


class _Walk:
    """The chain walked so far: how many records hold and the hash they end in."""

    def __init__(self) -> None:
        self.count = 0
        self.head = GENESIS

    def step(self, record: Mapping[str, Any]) -> Break | None:
        """Take the next record, or return why it does not follow from the previous one."""
        seq, row_id = record["seq"], record["id"]
        expected = self.count + 1
        if seq != expected:
            return Break("gap", seq, row_id, expected_seq=expected)
        if record["prev_hash"] != self.head:
            return Break("prev_hash", seq, row_id)
        if chain_hash(self.head, hashed(record)) != record["hash"]:
            return Break("hash", seq, row_id)
        self.count, self.head = seq, record["hash"]
        return None

    def result(self, broken: Break | None = None) -> Verification:
        return Verification(self.count, self.head, broken)


def verify_records(records: Iterable[Mapping[str, Any]]) -> Verification:
    """Walk records in order; stop at the first that does not follow from its predecessor."""
    walk = _Walk()
    for record in records:
        broken = walk.step(record)
        if broken is not None:
            return walk.result(broken)
    return walk.result()


def verify_lines(lines: Iterable[str]) -> Verification:
    """Verify an export (JSON Lines, one record per line) without the database."""
    walk = _Walk()
    for number, line in enumerate(lines, start=1):
        record, problem = _parse_line(line)
        if record is None:
            return walk.result(Break("malformed", None, None, line=number, detail=problem))
        broken = walk.step(record)
        if broken is not None:
            return walk.result(dataclasses.replace(broken, line=number))
    return walk.result()


def _parse_line(line: str) -> tuple[dict[str, Any] | None, str]:
    """(record, "") or (None, what is wrong with the line)."""
    try:
        record = json.loads(line, object_pairs_hook=_no_duplicate_keys)
    except ValueError as exc:
        return None, f"geen geldige JSON ({exc})"
    problem = _shape_problem(record)
    return (None, problem) if problem is not None else (record, "")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("een veld komt dubbel voor")
    return dict(pairs)


def _shape_problem(record: Any) -> str | None:
    if not isinstance(record, dict):
        return "geen JSON-object"
    if set(record) - {DB_USER} != set(RECORD_FIELDS) - {DB_USER}:  # exports before 0009: none
        missing = sorted(set(RECORD_FIELDS) - {DB_USER} - set(record))
        extra = sorted(set(record) - set(RECORD_FIELDS))
        parts = ([f"ontbrekend: {', '.join(missing)}"] if missing else []) + (
            [f"onbekend: {', '.join(extra)}"] if extra else []
        )
        return "velden kloppen niet (" + "; ".join(parts) + ")"
    for name in ("seq", "id"):
        value = record[name]
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{name} is geen geheel getal"
    for name in ("prev_hash", "hash"):
        if not isinstance(record[name], str):
            return f"{name} is geen tekst"
    if not isinstance(record.get(DB_USER, ""), str | None):
        return f"{DB_USER} is geen tekst"
    return None


# --- searching -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Search:
    """Which records to read: each set field must match exactly; ``start`` and ``end`` bound
    ``at`` (start inclusive, end exclusive)."""

    organisation_id: str | None = None
    actor: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def _where(statement: Any, search: Search) -> Any:
    for column, value in (
        (AuditRow.organisation_id, search.organisation_id),
        (AuditRow.actor, search.actor),
        (AuditRow.object_type, search.object_type),
        (AuditRow.object_id, search.object_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if search.start is not None:
        statement = statement.where(AuditRow.at >= search.start)
    if search.end is not None:
        statement = statement.where(AuditRow.at < search.end)
    return statement


def count_matching(session: Session, search: Search) -> int:
    return int(session.scalar(_where(select(func.count()).select_from(AuditRow), search)) or 0)


def matching(session: Session, search: Search, limit: int, offset: int) -> list[dict[str, Any]]:
    """One page of matching records, newest first (by seq), each as exported."""
    statement = _where(select(*_COLUMNS), search).order_by(AuditRow.seq.desc())
    rows = session.execute(statement.limit(limit).offset(offset))
    return [export_record(row._asdict()) for row in rows]


def iter_matching(session: Session, search: Search, batch: int = 1_000) -> Iterator[dict[str, Any]]:
    """Every matching record in seq order, as exported."""
    statement = _where(select(*_COLUMNS), search).order_by(AuditRow.seq)
    for row in session.execute(statement.execution_options(yield_per=batch)):
        yield export_record(row._asdict())


def object_types(session: Session) -> list[str]:
    """The kinds of object the log names, for a filter's choices."""
    return list(
        session.scalars(select(AuditRow.object_type).distinct().order_by(AuditRow.object_type))
    )
