"""``cloudtoets audit verify`` and ``audit export``: exit codes, Dutch messages, offline check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import update

from cloudtoets.services.context import Register
from cloudtoets.store.audit import canonical_json
from cloudtoets.store.tables import AuditRow

from .conftest import audit_rows, tampering

CLI = str(Path(sys.executable).with_name("cloudtoets"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, check=False)


def url(register: Register) -> str:
    return register.engine.url.render_as_string(hide_password=False)


def test_verify_reports_count_and_head_hash(audited: Register) -> None:
    rows = audit_rows(audited)
    done = run("audit", "verify", "--database", url(audited))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"Auditlogboek in orde: {len(rows)} records, laatste hash {rows[-1].hash}."
    )


def test_verify_names_the_first_broken_record_and_exits_1(audited: Register) -> None:
    target = audit_rows(audited)[6]
    with tampering(audited) as connection:
        connection.execute(
            update(AuditRow).where(AuditRow.id == target.id).values(object_id="iets-anders")
        )
    done = run("audit", "verify", "--database", url(audited))
    assert done.returncode == 1
    first, second = done.stdout.splitlines()
    assert first == (
        f"Auditlogboek NIET in orde: record {target.seq} (id {target.id}): "
        "de hash klopt niet met de inhoud (het record is gewijzigd)."
    )
    assert second.startswith(f"De {target.seq - 1} records daarvoor zijn in orde")


def test_export_round_trip_and_tampered_lines(audited: Register, tmp_path: Path) -> None:
    rows = audit_rows(audited)
    export = tmp_path / "audit.jsonl"
    done = run("audit", "export", str(export), "--database", url(audited))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"{len(rows)} auditrecords geschreven naar {export}; laatste hash {rows[-1].hash}."
    )
    lines = export.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(rows)
    assert all(line == canonical_json(json.loads(line)) for line in lines)  # canonical records
    assert [json.loads(line)["hash"] for line in lines] == [row.hash for row in rows]

    done = run("audit", "verify", "--file", str(export))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"Auditlogboek in orde: {len(rows)} records, laatste hash {rows[-1].hash}."
    )

    # one changed value in line 5
    record = json.loads(lines[4])
    record["actor"] = record["actor"] + "x"
    tampered = tmp_path / "gewijzigd.jsonl"
    tampered.write_text("\n".join([*lines[:4], canonical_json(record), *lines[5:]]) + "\n")
    done = run("audit", "verify", "--file", str(tampered))
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == (
        f"Auditlogboek NIET in orde: regel 5, record 5 (id {rows[4].id}): "
        "de hash klopt niet met de inhoud (het record is gewijzigd)."
    )

    # a removed line
    removed = tmp_path / "verwijderd.jsonl"
    removed.write_text("\n".join([*lines[:2], *lines[3:]]) + "\n")
    done = run("audit", "verify", "--file", str(removed))
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == (
        f"Auditlogboek NIET in orde: regel 3, record 4 (id {rows[3].id}): "
        "gat in de volgnummers, record 3 ontbreekt."
    )

    # a line that is no record at all
    garbled = tmp_path / "kapot.jsonl"
    garbled.write_text("\n".join([*lines[:1], lines[1][:-5], *lines[2:]]) + "\n")
    done = run("audit", "verify", "--file", str(garbled))
    assert done.returncode == 1
    assert done.stdout.startswith("Auditlogboek NIET in orde: regel 2: geen geldig auditrecord")


def test_verify_refuses_file_and_database_together_and_missing_files(tmp_path: Path) -> None:
    missing = tmp_path / "bestaat-niet.jsonl"
    done = run("audit", "verify", "--file", str(missing), "--database", "sqlite://")
    assert done.returncode == 2
    assert "niet allebei" in done.stderr
    done = run("audit", "verify", "--file", str(missing))
    assert done.returncode == 2
    assert "dit bestand bestaat niet" in done.stderr
