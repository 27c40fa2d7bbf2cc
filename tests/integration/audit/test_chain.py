"""Real use cases build one valid hash chain; changing, removing or swapping records breaks it."""

from __future__ import annotations

import hashlib
import itertools
import json
import re

from sqlalchemy import func, select, update

from cloudtoets.services.audit import verify_chain
from cloudtoets.services.context import Register
from cloudtoets.store.audit import GENESIS, chain_hash, record_fields
from cloudtoets.store.tables import AuditRow

from .conftest import audit_rows, tampering

AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")


def test_use_cases_build_one_valid_chain(audited: Register) -> None:
    rows = audit_rows(audited)
    actions = {(row.action, row.object_type) for row in rows}
    assert {
        ("create", "registration"),
        ("update", "registration"),
        ("delete", "registration"),
        ("import", "organisation"),
        ("import", "registration"),
    } <= actions
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == GENESIS
    assert all(row.prev_hash == previous.hash for previous, row in itertools.pairwise(rows))

    result = verify_chain(audited)
    assert result.ok and result.broken is None
    assert result.count == len(rows) > 20
    assert result.head_hash == rows[-1].hash


def test_hash_is_sha256_of_prev_hash_and_canonical_json_of_the_other_columns(
    audited: Register,
) -> None:
    """The documented formula, computed here without the code under test."""
    row = audit_rows(audited)[3]
    fields = {
        column: getattr(row, column)
        for column in AuditRow.__table__.columns.keys()  # noqa: SIM118 - a ColumnCollection
        if column != "hash"
    }
    fields["at"] = record_fields(fields)["at"]
    assert AT.fullmatch(fields["at"])
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert row.hash == hashlib.sha256((row.prev_hash + text).encode()).hexdigest()


def test_one_changed_byte_in_after_is_found_at_that_record(audited: Register) -> None:
    target = next(r for r in audit_rows(audited) if r.after and r.after.get("provider"))
    changed = dict(target.after or {})
    changed["provider"] = changed["provider"][:-1] + chr(ord(changed["provider"][-1]) ^ 1)
    with tampering(audited) as connection:
        connection.execute(update(AuditRow).where(AuditRow.id == target.id).values(after=changed))

    result = verify_chain(audited)
    assert result.broken is not None
    assert (result.broken.problem, result.broken.seq, result.broken.id) == (
        "hash",
        target.seq,
        target.id,
    )
    assert result.count == target.seq - 1


def test_changed_record_with_recomputed_hash_breaks_the_link_to_the_next(
    audited: Register,
) -> None:
    """An intruder who knows the formula must rewrite every later record too."""
    target = audit_rows(audited)[4]
    values = {c: getattr(target, c) for c in AuditRow.__table__.columns.keys()}  # noqa: SIM118
    values["actor"] = "iemand-anders"
    with tampering(audited) as connection:
        connection.execute(
            update(AuditRow)
            .where(AuditRow.id == target.id)
            .values(actor="iemand-anders", hash=chain_hash(target.prev_hash, record_fields(values)))
        )

    broken = verify_chain(audited).broken
    assert broken is not None
    assert (broken.problem, broken.seq) == ("prev_hash", target.seq + 1)


def test_deleted_middle_record_is_reported_as_a_gap(audited: Register) -> None:
    rows = audit_rows(audited)
    middle = rows[len(rows) // 2]
    with tampering(audited) as connection:
        connection.execute(AuditRow.__table__.delete().where(AuditRow.id == middle.id))

    result = verify_chain(audited)
    assert result.broken is not None
    assert result.broken.problem == "gap"
    assert result.broken.expected_seq == middle.seq
    assert result.broken.seq == middle.seq + 1
    assert result.count == middle.seq - 1


def test_swapped_contents_of_two_records_are_detected(audited: Register) -> None:
    rows = audit_rows(audited)
    first, second = rows[1], rows[6]
    content = (
        "at",
        "actor",
        "organisation_id",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
    )
    with tampering(audited) as connection:
        for row, other in ((first, second), (second, first)):
            connection.execute(
                update(AuditRow)
                .where(AuditRow.id == row.id)
                .values({name: getattr(other, name) for name in content})
            )

    broken = verify_chain(audited).broken
    assert broken is not None
    assert (broken.problem, broken.seq) == ("hash", first.seq)


def test_removed_last_record_shows_only_in_the_head_hash(audited: Register) -> None:
    """Tamper-evident, not tamper-proof: the end of the chain is covered by an anchored head."""
    anchored = verify_chain(audited).head_hash
    with tampering(audited) as connection:
        last = connection.scalar(select(func.max(AuditRow.seq)))
        connection.execute(AuditRow.__table__.delete().where(AuditRow.seq == last))

    result = verify_chain(audited)
    assert result.ok
    assert result.head_hash != anchored


def test_empty_log_is_a_valid_chain(register: Register) -> None:
    result = verify_chain(register)
    assert (result.ok, result.count, result.head_hash) == (True, 0, GENESIS)
