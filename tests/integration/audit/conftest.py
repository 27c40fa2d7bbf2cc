"""A migrated register on each database, filled by real use cases, and ways to tamper with it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, select

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.services import registrations as service
from cloudtoets.services.context import Register
from cloudtoets.services.imports import commit_import
from cloudtoets.store.migrate import upgrade
from cloudtoets.store.tables import AuditRow, OrganisationRow
from tests.integration.services.conftest import CENTRAL, TODAY, registration

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "ministerie-bzk.yaml"


@pytest.fixture
def register(database_url: str) -> Iterator[Register]:
    opened = Register.open(Settings(database_url=database_url), clock=FixedClock.on(TODAY))
    upgrade(opened.engine)
    with opened.sessions() as session, session.begin():
        for org_id, kind in (("bzk", "ministry"), ("uwv", "zbo")):
            session.add(OrganisationRow(id=org_id, name=org_id.upper(), type=kind))
    yield opened
    opened.close()


def run_use_cases(register: Register) -> None:
    """Create, update and delete registrations, then import an inventory: one chain."""
    service.create_registration(register, CENTRAL, registration())
    service.create_registration(register, CENTRAL, registration(id="uwv-mail", organisation="uwv"))
    service.create_registration(register, CENTRAL, registration(id="bzk-tijdelijk"))
    fixed = registration(processing_countries=["NL"], key_custody="customer-managed")
    service.update_registration(register, CENTRAL, "bzk-m365", fixed, expected_version=1)
    service.delete_registration(register, CENTRAL, "bzk-tijdelijk", expected_version=1)
    commit_import(register, CENTRAL, EXAMPLE.name, EXAMPLE.read_bytes())


@pytest.fixture
def audited(register: Register) -> Register:
    """A register whose audit log holds records of every kind of use case."""
    run_use_cases(register)
    return register


def audit_rows(register: Register) -> list[AuditRow]:
    with register.sessions() as session:
        return list(session.scalars(select(AuditRow).order_by(AuditRow.seq)))


@contextmanager
def tampering(register: Register) -> Iterator[Connection]:
    """A transaction in which the append-only triggers do not apply, as an intruder would have.

    PostgreSQL: the table owner disables the triggers for this transaction only (DDL is
    transactional). SQLite: the triggers are dropped and created again afterwards.
    """
    with register.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
            yield connection
            connection.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")
            return
        triggers = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        ).all()
        assert triggers, "migration 0002 installs triggers on SQLite too"
        for name, _ in triggers:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        yield connection
        for _, sql in triggers:
            connection.exec_driver_sql(sql)
