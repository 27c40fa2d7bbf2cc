"""Concurrent writers keep one chain: the head is read only once the writer holds the lock."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cloudtoets.services import registrations as service
from cloudtoets.services.audit import verify_chain
from cloudtoets.services.context import Register
from cloudtoets.store import audit as chain
from tests.integration.services.conftest import CENTRAL, registration

from .conftest import audit_rows

THREADS, EACH = 8, 10


def test_concurrent_use_cases_keep_one_gap_free_chain(register: Register) -> None:
    start = threading.Barrier(THREADS)

    def writer(thread: int) -> None:
        start.wait()
        for i in range(EACH):
            service.create_registration(register, CENTRAL, registration(id=f"bzk-t{thread}-{i}"))

    with ThreadPoolExecutor(THREADS) as pool:
        for future in [pool.submit(writer, t) for t in range(THREADS)]:
            future.result()

    rows = audit_rows(register)
    assert [row.seq for row in rows] == list(range(1, THREADS * EACH + 1))
    assert len({row.prev_hash for row in rows}) == len(rows)
    assert {row.object_id for row in rows} == {
        f"bzk-t{t}-{i}" for t in range(THREADS) for i in range(EACH)
    }
    result = verify_chain(register)
    assert (result.ok, result.count) == (True, THREADS * EACH)


def test_chain_lock_is_held_by_the_transaction_until_it_ends(register: Register) -> None:
    """Once lock_chain returns, no other transaction can append (or write, on SQLite)."""
    with register.sessions() as session, session.begin():
        chain.lock_chain(session)
        assert not _other_writer_can_start(register)
    assert _other_writer_can_start(register)


def _other_writer_can_start(register: Register) -> bool:
    url = register.engine.url
    if url.get_backend_name() == "sqlite":
        other = sqlite3.connect(url.database or "", timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            return False
        finally:
            other.close()
        return True
    with register.engine.connect() as other:
        return bool(
            other.scalar(
                text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": chain.CHAIN_LOCK_KEY}
            )
        )


def _race(register: Register, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[int]]:
    """Two writers append at once; the first pauses between reading the head and inserting.

    Returns what each call raised (or None) and the seq of the head each one read.
    """
    heads: list[int] = []
    first_has_read = threading.Event()
    read_head = chain.read_head

    def slow_read_head(session: Session) -> tuple[int, str]:
        head = read_head(session)
        heads.append(head[0])
        if not first_has_read.is_set():
            first_has_read.set()
            time.sleep(0.5)  # the second writer starts meanwhile
        return head

    monkeypatch.setattr(chain, "read_head", slow_read_head)

    def append(name: str) -> None:
        with register.sessions() as session, session.begin():
            chain.append(session, [chain.Entry(name, "bzk", None, "test", "test", name)])

    outcomes: list[Any] = [None, None]

    def run(index: int, wait: Callable[[], object]) -> None:
        wait()
        try:
            append(f"schrijver-{index}")
        except Exception as exc:
            outcomes[index] = exc

    threads = [
        threading.Thread(target=run, args=(0, lambda: None)),
        threading.Thread(target=run, args=(1, first_has_read.wait)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes, heads


def test_second_writer_reads_the_head_only_after_the_first_committed(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes, heads = _race(register, monkeypatch)
    assert outcomes == [None, None]
    assert heads == [0, 1]  # the second writer saw the first writer's record
    result = verify_chain(register)
    assert (result.ok, result.count) == (True, 2)


def test_without_the_lock_the_race_would_fork_the_chain(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control experiment: the race above is real, and the unique seq is the backstop."""
    monkeypatch.setattr(chain, "lock_chain", lambda session: None)
    outcomes, heads = _race(register, monkeypatch)
    assert heads == [0, 0]  # both read the same head ...
    failed = [outcome for outcome in outcomes if outcome is not None]
    assert len(failed) == 1  # ... and whoever inserted last could not fork the chain
    assert isinstance(failed[0], IntegrityError) and "seq" in str(failed[0])
    assert verify_chain(register).count == 1


def test_chain_lock_is_the_last_lock_a_use_case_takes(register: Register) -> None:
    """After the chain lock only audit records are written: a writer holding it never waits for
    a row lock of another writer that in turn waits for the chain lock (no deadlock)."""
    service.create_registration(register, CENTRAL, registration())
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(register.engine, "before_cursor_execute", record)
    try:
        fixed = registration(processing_countries=["NL"], key_custody="customer-managed")
        service.update_registration(register, CENTRAL, "bzk-m365", fixed, expected_version=1)
    finally:
        event.remove(register.engine, "before_cursor_execute", record)

    lock = next(i for i, s in enumerate(statements) if "advisory_xact_lock" in s or "WHERE 0" in s)
    assert any(s.startswith("UPDATE registrations") for s in statements[:lock])
    after = statements[lock + 1 :]
    assert after and all("audit_log" in s for s in after), after
