"""Signed checkpoints anchor the head of the chain: a cut-off or rewritten chain is found.

Without them both attacks leave a well-formed chain that ``audit verify`` accepts; these tests
show that first, then that ``audit verify --checkpoint`` refuses it.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import delete, text, update

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.services import registrations as service
from cloudtoets.services.audit import export_chain, verify_chain
from cloudtoets.services.audit_checkpoints import (
    Checkpoint,
    verify_with_checkpoints,
    write_checkpoint,
)
from cloudtoets.services.context import Register
from cloudtoets.services.package_signing import (
    canonical_bytes,
    new_private_key_pem,
    public_key_text,
    sign,
)
from cloudtoets.store.audit import GENESIS, SQLITE_USER, chain_hash, record_fields
from cloudtoets.store.tables import AuditRow
from tests.integration.services.conftest import CENTRAL, TODAY, registration

from .conftest import audit_rows, tampering
from .test_cli import run, url


def checkpoint_lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def more_records(register: Register, *ids: str) -> None:
    for registration_id in ids:
        service.create_registration(register, CENTRAL, registration(id=registration_id))


def test_checkpoint_command_appends_one_signed_line_per_checkpoint(
    audited: Register, tmp_path: Path
) -> None:
    path = tmp_path / "controlepunten.jsonl"
    rows = audit_rows(audited)
    done = run("audit", "checkpoint", "--output", str(path), "--database", url(audited))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        f"Controlepunt toegevoegd aan {path}: {len(rows)} records, laatste hash {rows[-1].hash}, "
        "ondertekend door cloudtoets (sleutel "
    )
    more_records(audited, "bzk-later")
    done = run("audit", "checkpoint", "--output", str(path), "--database", url(audited))
    assert done.returncode == 0, done.stderr

    first, second = checkpoint_lines(path)
    assert (first["seq"], first["count"], first["head_hash"]) == (
        len(rows),
        len(rows),
        rows[-1].hash,
    )
    assert first["installation"] == "cloudtoets"
    assert second["seq"] == len(audit_rows(audited)) > len(rows)
    assert set(first) == {
        "format",
        "installation",
        "seq",
        "head_hash",
        "count",
        "at",
        "public_key",
        "signature",
    }


def test_untouched_chain_with_more_records_after_the_checkpoint_holds(
    audited: Register, tmp_path: Path
) -> None:
    path = tmp_path / "controlepunten.jsonl"
    write_checkpoint(audited, path)
    more_records(audited, "bzk-later")
    write_checkpoint(audited, path)
    more_records(audited, "bzk-nog-later")
    rows = audit_rows(audited)

    done = run("audit", "verify", "--checkpoint", str(path), "--database", url(audited))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == (
        f"Auditlogboek in orde: {len(rows)} records, laatste hash {rows[-1].hash}; "
        f"klopt met 2 controlepunten uit {path}."
    )


def test_checkpoint_moment_comes_from_the_register_clock(audited: Register, tmp_path: Path) -> None:
    made = write_checkpoint(audited, tmp_path / "c.jsonl")
    assert made.at == audited.now().isoformat(timespec="microseconds")
    assert made.at.startswith(TODAY.isoformat())


def test_tail_cut_off_after_a_checkpoint_is_found(audited: Register, tmp_path: Path) -> None:
    path = tmp_path / "controlepunten.jsonl"
    made = write_checkpoint(audited, path)
    keep = made.seq - 3
    with tampering(audited) as connection:
        connection.execute(delete(AuditRow).where(AuditRow.seq > keep))
    assert verify_chain(audited).ok  # without the checkpoint, the shorter chain looks fine

    done = run("audit", "verify", "--checkpoint", str(path), "--database", url(audited))
    assert done.returncode == 1
    assert done.stdout.strip() == (
        f"Auditlogboek NIET in orde: {path}, controlepunt (regel 1, record {made.seq}, "
        f"gemaakt op {made.at}): het auditlogboek heeft maar {keep} records, het controlepunt "
        f"noemt record {made.seq} (hash {made.head_hash}). Records {keep + 1} tot en met "
        f"{made.seq} zijn verwijderd: het logboek is ingekort."
    )


def test_chain_rewritten_and_rehashed_before_a_checkpoint_is_found(
    audited: Register, tmp_path: Path
) -> None:
    path = tmp_path / "controlepunten.jsonl"
    made = write_checkpoint(audited, path)
    more_records(audited, "bzk-later")
    target = audit_rows(audited)[2]
    _rewrite_from(audited, target.seq, actor="iemand-anders")
    assert verify_chain(audited).ok  # every hash recomputed: the chain itself holds
    assert audit_rows(audited)[2].actor == "iemand-anders"

    done = run("audit", "verify", "--checkpoint", str(path), "--database", url(audited))
    assert done.returncode == 1
    new_hash = audit_rows(audited)[made.seq - 1].hash
    assert done.stdout.strip() == (
        f"Auditlogboek NIET in orde: {path}, controlepunt (regel 1, record {made.seq}, "
        f"gemaakt op {made.at}): record {made.seq} heeft in de database hash {new_hash}, "
        f"het controlepunt noemt {made.head_hash}. Het auditlogboek is tot en met record "
        f"{made.seq} herschreven of vervangen."
    )


def test_the_first_mismatching_checkpoint_is_named(audited: Register, tmp_path: Path) -> None:
    path = tmp_path / "controlepunten.jsonl"
    first = write_checkpoint(audited, path)
    more_records(audited, "bzk-later")
    second = write_checkpoint(audited, path)
    _rewrite_from(audited, first.seq + 1, actor="iemand-anders")  # after the first only

    checked = verify_with_checkpoints(audited, path)
    assert checked.problem == "rewritten"
    assert f"controlepunt (regel 2, record {second.seq}," in checked.message


def test_checkpoint_with_a_changed_hash_is_a_bad_signature(
    audited: Register, tmp_path: Path
) -> None:
    path = tmp_path / "controlepunten.jsonl"
    write_checkpoint(audited, path)
    [line] = checkpoint_lines(path)
    line["head_hash"] = audit_rows(audited)[3].hash
    line["seq"] = line["count"] = 4
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")

    done = run("audit", "verify", "--checkpoint", str(path), "--database", url(audited))
    assert done.returncode == 1
    assert done.stdout.startswith(
        f"Controlepunten NIET te vertrouwen: {path}, regel 1: de handtekening van het "
        "controlepunt (regel 1, record 4, "
    )
    assert "klopt niet" in done.stdout


def test_checkpoint_of_another_key_counts_only_when_trusted(
    audited: Register, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(new_private_key_pem(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    rows = audit_rows(audited)
    unsigned = Checkpoint(
        installation="cio-rijk",
        seq=len(rows),
        head_hash=rows[-1].hash,
        count=len(rows),
        at="2026-11-29T10:00:00.000000+00:00",
        public_key=public_key_text(key.public_key()),
        signature="",
    )
    signature = sign(key, canonical_bytes(unsigned.signed_fields()))
    path = tmp_path / "controlepunten.jsonl"
    path.write_text(
        json.dumps({**unsigned.signed_fields(), "signature": signature}) + "\n", encoding="utf-8"
    )

    checked = verify_with_checkpoints(audited, path)
    assert checked.problem == "key"
    assert "onbekende sleutel" in checked.message

    trusted = tmp_path / "vertrouwd.txt"
    trusted.write_text(f"cio-rijk {unsigned.public_key}\n", encoding="utf-8")
    settings = Settings(database_url=url(audited), trusted_keys_file=trusted)
    other = Register.open(settings, clock=FixedClock.on(TODAY))
    try:
        checked = verify_with_checkpoints(other, path)
    finally:
        other.close()
    assert checked.ok, checked.message


def test_records_carry_the_database_user_inside_their_hash(
    audited: Register, tmp_path: Path
) -> None:
    rows = audit_rows(audited)
    if audited.engine.dialect.name == "postgresql":
        with audited.engine.connect() as connection:
            expected = connection.scalar(text("SELECT current_user"))
    else:
        expected = SQLITE_USER
    assert expected
    assert {row.db_user for row in rows} == {expected}

    export = tmp_path / "audit.jsonl"
    export_chain(audited, export)
    assert {json.loads(line)["db_user"] for line in export.read_text().splitlines()} == {expected}

    # the hash covers db_user: another user name breaks the record
    target = rows[5]
    with tampering(audited) as connection:
        connection.execute(update(AuditRow).where(AuditRow.id == target.id).values(db_user="x"))
    broken = verify_chain(audited).broken
    assert broken is not None
    assert (broken.problem, broken.seq) == ("hash", target.seq)


def test_records_without_database_user_hash_as_before(register: Register, tmp_path: Path) -> None:
    """Records written before migration 0009 have no db_user and keep verifying."""
    at = register.now()
    prev = GENESIS
    with register.engine.begin() as connection:
        for seq in (1, 2):
            values = {
                "id": 900_000 + seq,  # beside the serial of PostgreSQL
                "seq": seq,
                "prev_hash": prev,
                "at": at,
                "actor": "oud",
                "organisation_id": None,
                "request_id": None,
                "action": "create",
                "object_type": "registration",
                "object_id": f"oud-{seq}",
                "before": None,
                "after": {"n": seq},
            }
            prev = chain_hash(prev, record_fields(values))
            connection.execute(AuditRow.__table__.insert().values(**values, hash=prev))
    more_records(register, "bzk-nieuw")
    rows = audit_rows(register)
    assert [row.db_user is None for row in rows[:3]] == [True, True, False]
    result = verify_chain(register)
    assert result.ok and result.count == len(rows)

    export = tmp_path / "audit.jsonl"
    export_chain(register, export)
    lines = [json.loads(line) for line in export.read_text().splitlines()]
    assert lines[0]["db_user"] is None
    old_style = tmp_path / "oud.jsonl"  # an export made before 0009: no db_user at all
    old_style.write_text(
        "\n".join(
            json.dumps({k: v for k, v in line.items() if k != "db_user"}) for line in lines[:2]
        )
        + "\n"
    )
    done = run("audit", "verify", "--file", str(old_style))
    assert done.returncode == 0, done.stdout


def _rewrite_from(register: Register, seq: int, *, actor: str) -> None:
    """Change record ``seq`` and recompute every hash from there: a consistent forged chain."""
    rows = audit_rows(register)
    prev = rows[seq - 2].hash if seq > 1 else GENESIS
    with tampering(register) as connection:
        for row in rows[seq - 1 :]:
            values = {c: getattr(row, c) for c in AuditRow.__table__.columns.keys()}  # noqa: SIM118
            if row.seq == seq:
                values["actor"] = actor
            values["prev_hash"] = prev
            prev = chain_hash(prev, record_fields(values))
            connection.execute(
                update(AuditRow)
                .where(AuditRow.id == row.id)
                .values(actor=values["actor"], prev_hash=values["prev_hash"], hash=prev)
            )
