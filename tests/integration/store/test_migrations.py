"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Integer,
    MetaData,
    Table,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Session

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.services.context import Register
from cloudtoets.services.registrations import refresh
from cloudtoets.store import row_security
from cloudtoets.store.db import make_engine
from cloudtoets.store.mapping import provider_from_row, registration_from_row
from cloudtoets.store.migrate import current_revision, downgrade, head_revision, upgrade
from cloudtoets.store.tables import (
    Base,
    OrganisationRow,
    ProviderRow,
    RegistrationJurisdictionRow,
    RegistrationRow,
)
from cloudtoets.store.workflows import RiskAssessmentRow

TODAY = dt.date(2026, 11, 29)


def test_migrations_produce_the_models_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert differences == []


def test_upgrade_twice_is_harmless_and_reaches_head(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision() == "0014"
    engine.dispose()


# A process that upgrades the database at the URL once ``go`` exists (all start at once).
UPGRADER = """
import sys, time
from pathlib import Path
from cloudtoets.store.db import make_engine
from cloudtoets.store.migrate import upgrade
url, ready, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
engine = make_engine(url)
ready.touch()
while not go.exists():
    time.sleep(0.001)
upgrade(engine)
"""

UPGRADERS = 4


def _upgrade_at_once(url: str, folder: Path) -> list[subprocess.CompletedProcess[str]]:
    go = folder / "go"
    processes = []
    for number in range(UPGRADERS):
        ready = folder / f"ready-{number}"
        processes.append(
            (
                ready,
                subprocess.Popen(
                    [sys.executable, "-c", UPGRADER, url, str(ready), str(go)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    try:
        deadline = time.monotonic() + 120
        while not all(ready.exists() for ready, _ in processes):
            assert time.monotonic() < deadline, "the upgraders did not start"
            time.sleep(0.01)
        go.touch()
        results = []
        for _, process in processes:
            stdout, stderr = process.communicate(timeout=300)
            results.append(
                subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
            )
        return results
    finally:
        for _, process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.mark.parametrize("start", ["0001", "0004"])
def test_processes_upgrading_at_once_from_an_old_revision_all_succeed(
    database_url: str, tmp_path: Path, start: str
) -> None:
    """Servers starting at once on an old schema raced in the migration (DuplicateColumn: seq)."""
    engine = make_engine(database_url)
    upgrade(engine, start)
    for round_number in range(2):  # a race may need more than one chance to show
        folder = tmp_path / f"round-{round_number}"
        folder.mkdir()
        if round_number:
            _downgrade_to(engine, start)
        results = _upgrade_at_once(database_url, folder)
        assert [r.returncode for r in results] == [0] * UPGRADERS, [r.stderr for r in results]
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            columns = [c["name"] for c in inspect(connection).get_columns("audit_log")]
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
            )
        assert versions == [(head_revision(),)]
        assert columns.count("seq") == 1
        assert differences == []
    engine.dispose()


def _downgrade_to(engine: Engine, revision: str) -> None:
    downgrade(engine, revision)


def _policies(engine: Engine) -> dict[str, tuple[bool, bool, list[str]]]:
    """Table -> (row security on, forced, the conditions of its policies as PostgreSQL keeps
    them)."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                "pg_get_expr(p.polqual, p.polrelid) FROM pg_class c "
                "JOIN pg_policy p ON p.polrelid = c.oid WHERE p.polname = :name ORDER BY 1"
            ),
            {"name": row_security.POLICY},
        ).all()
    found: dict[str, tuple[bool, bool, list[str]]] = {}
    for table, enabled, forced, condition in rows:
        found.setdefault(table, (enabled, forced, []))[2].append(condition)
    return found


@pytest.mark.postgres
def test_the_policies_come_from_a_migration_also_over_ones_made_before(
    postgres_server: str,
) -> None:
    """Migration 0006 makes the policies; on a database whose policies an earlier cloudtoets
    made (after every command, at 0005), it leaves one policy per table, the same as on a new
    database."""
    from tests.conftest import _fresh_postgres_database

    for fresh_url in _fresh_postgres_database(postgres_server):
        fresh = make_engine(fresh_url)
        upgrade(fresh)
        expected = _policies(fresh)
        fresh.dispose()
        for url in _fresh_postgres_database(postgres_server):
            engine = make_engine(url)
            upgrade(engine, "0005")
            assert _policies(engine) == {}
            with engine.begin() as connection:  # what every command used to do at 0005
                for table, condition in row_security.scoped_tables().items():
                    for statement in row_security.policy_statements(table, condition):
                        connection.execute(text(statement))
                # and one policy of an older form, to be replaced
                connection.execute(text("DROP POLICY cloudtoets_tenant ON registrations"))
                connection.execute(
                    text("CREATE POLICY cloudtoets_tenant ON registrations USING (true)")
                )
            upgrade(engine)
            assert _policies(engine) == expected
            engine.dispose()
    assert set(expected) == set(row_security.scoped_tables())
    assert all(enabled and forced and len(c) == 1 for enabled, forced, c in expected.values())


# --- 0010: facts may be unknown -----------------------------------------------------------------


def _filler(column: Any) -> Any:
    """A value for a NOT NULL column the test does not care about."""
    python_type = column.type.python_type if not isinstance(column.type, JSON) else list
    if python_type is bool:
        return False
    if python_type is int:
        return 1
    if python_type is dt.datetime:
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    if python_type is dt.date:
        return dt.date(2026, 1, 1)
    if python_type in (list, dict):
        return []
    return "x"


def _insert(connection: Connection, table_name: str, **values: Any) -> None:
    """A row as the schema of the database's revision wants it (reflected, not the models)."""
    table = Table(table_name, MetaData(), autoload_with=connection)
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.autoincrement is True:
            continue
        if column.primary_key and isinstance(column.type, Integer):
            continue
        row[column.name] = _filler(column)
    connection.execute(table.insert().values(row))


OLD_REGISTRATION = {
    "organisation_id": "bzk",
    "name": "Oude registratie",
    "provider": "microsoft-ireland",
    "subprocessors": [],
    "deployment": "public",
    "functions": ["email"],
    "storage_countries": ["NL"],
    "processing_countries": ["NL", "IE"],
    "encrypted_at_rest": True,
    "encrypted_in_transit": False,
    "key_custody": "customer-managed",
    "open_data": False,
    "personal_data": "regular",
    "large_scale_personal_data": False,
    "pets": [],
    "core_task": True,
    "business_critical": False,
    "holds_source_data": False,
    "abro_declaration": False,
    "lifecycle_justification": "",
    "justifications": [],
    "jurisdictions": ["IE", "NL"],
    "findings_count": 2,
    "verdict": "transition",
    "policy_revision": "abc",
    "evaluated_on": dt.date(2026, 11, 28),
}


def test_0010_keeps_the_values_of_0009_as_known_facts(database_url: str) -> None:
    """Rows of 0009 keep every value; NULL classification, key register and TBB level (which
    meant none) become the known none, NULL in_use_since becomes unknown; rows referring to a
    registration or organisation stay (the SQLite table copy must not cascade)."""
    engine = make_engine(database_url)
    upgrade(engine, "0009")
    with engine.begin() as connection:
        _insert(connection, "organisations", id="bzk", type="ministry", critical_entity=True)
        _insert(connection, "registrations", id="oud", **OLD_REGISTRATION)
        _insert(
            connection,
            "registrations",
            id="oud-ingevuld",
            **{
                **OLD_REGISTRATION,
                "classification": "dep-vertrouwelijk",
                "tbb_level": 2,
                "key_register": "BRP",
                "in_use_since": dt.date(2020, 1, 1),
            },
        )
        _insert(connection, "registration_jurisdictions", registration_id="oud", country="IE")
        _insert(
            connection,
            "risk_assessments",
            registration_id="oud",
            organisation_id="bzk",
            number=1,
            assessed_on=dt.date(2026, 1, 1),
        )
    upgrade(engine)
    with Session(engine) as session:
        old = session.get(RegistrationRow, "oud")
        filled = session.get(RegistrationRow, "oud-ingevuld")
        organisation = session.get(OrganisationRow, "bzk")
        assert old is not None and filled is not None and organisation is not None
        assert (old.classification, old.key_register, old.tbb_level) == ("none", "none", 0)
        assert old.in_use_since is None
        assert (old.verdict, old.verdict_best, old.verdict_worst) == ("transition",) * 3
        assert old.policy_revision is None  # evaluated again at the next refresh
        registration = registration_from_row(old)
        assert registration.classification == "none"
        assert registration.tbb_level == "none"
        assert registration.key_register == "none"
        assert registration.in_use_since is None
        assert registration.subprocessors == [] and registration.pets == []
        assert registration.encrypted_at_rest is True
        assert registration.encrypted_in_transit is False
        assert registration.functions == ["email"]
        assert registration.processing_countries == ["NL", "IE"]
        assert registration.key_custody == "customer-managed"
        again = registration_from_row(filled)
        assert (again.classification, again.tbb_level, again.key_register) == (
            "dep-vertrouwelijk",
            2,
            "BRP",
        )
        assert again.in_use_since == dt.date(2020, 1, 1)
        assert organisation.critical_entity is True
        assert organisation.essential_entity is False
        assert session.scalar(select(func.count()).select_from(RegistrationJurisdictionRow)) == 1
        assert session.scalar(select(func.count()).select_from(RiskAssessmentRow)) == 1
        # and now a fact can be unknown
        old.encrypted_at_rest = None
        old.subprocessors = None
        old.deployment = None
        organisation.vital_provider = None
        session.commit()
    with engine.connect() as connection:
        stored = connection.execute(
            text(
                "SELECT encrypted_at_rest, subprocessors, deployment FROM registrations "
                "WHERE id = 'oud'"
            )
        ).one()
        assert tuple(stored) == (None, None, None)  # SQL NULL, not the JSON text null
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert differences == []
    engine.dispose()


def test_0010_goes_back_to_0009_with_the_old_defaults(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    with engine.begin() as connection:
        _insert(connection, "organisations", id="bzk", type="ministry")
        _insert(
            connection,
            "registrations",
            id="onbekend",
            organisation_id="bzk",
            tbb_level=0,
            classification="none",
        )
    _downgrade_to(engine, "0009")
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT tbb_level, classification, encrypted_at_rest, subprocessors "
                "FROM registrations"
            )
        ).one()
        flags = connection.execute(text("SELECT critical_entity FROM organisations")).one()
    assert row[0] is None and row[1] is None and row[2] in (False, 0)
    assert row[3] in ([], "[]")
    assert flags[0] in (False, 0)
    engine.dispose()


def test_rows_of_0009_are_evaluated_again_at_the_next_refresh(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0009")
    with engine.begin() as connection:
        _insert(
            connection,
            "organisations",
            id="bzk",
            type="ministry",
            critical_entity=False,
            essential_entity=False,
            vital_provider=False,
        )
        _insert(connection, "registrations", id="oud", **OLD_REGISTRATION)
    engine.dispose()
    register = Register.open(Settings(database_url=database_url), clock=FixedClock.on(TODAY))
    upgrade(register.engine)
    assert refresh(register) == 1
    with Session(register.engine) as session:
        row = session.get(RegistrationRow, "oud")
        assert row is not None
        assert row.policy_revision == register.policy.revision
        assert row.evaluated_on == TODAY
        # in_use_since was NULL: now unknown, so whether the use is existing is a question
        assert row.verdict_best is not None and row.verdict_worst is not None
        expected = row.verdict_best if row.verdict_best == row.verdict_worst else "incomplete"
        assert row.verdict == expected
    assert refresh(register) == 0
    register.close()


# --- 0011: a provider's own sub-processors ------------------------------------------------------


def test_0011_keeps_the_providers_of_0010_without_subprocessors_and_goes_back(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0010")
    with engine.begin() as connection:
        _insert(connection, "organisations", id="bzk", type="ministry")
        _insert(connection, "providers", organisation_id="bzk", id="oud", country="NL", version=1)
    upgrade(engine)
    with Session(engine) as session:
        row = session.get(ProviderRow, ("bzk", "oud"))
        assert row is not None and row.subprocessors is None
        assert provider_from_row(row).subprocessors == []
        session.add(
            ProviderRow(organisation_id="bzk", id="nieuw", country="NL", subprocessors=["aws-emea"])
        )
        session.commit()
        stored = session.get(ProviderRow, ("bzk", "nieuw"))
        assert stored is not None and provider_from_row(stored).subprocessors == ["aws-emea"]
    _downgrade_to(engine, "0010")
    with engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("providers")}
        count = connection.execute(text("SELECT count(*) FROM providers")).scalar_one()
    assert "subprocessors" not in columns and count == 2
    engine.dispose()


# --- 0012: declared evidence ---------------------------------------------------------------------


def test_0012_adds_provenance_and_declaration_to_the_workflow_tables_and_goes_back(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0011")
    with engine.begin() as connection:
        _insert(connection, "organisations", id="bzk", type="ministry")
    upgrade(engine)
    tables = ("risk_assessments", "exit_plans", "justifications", "notifications")
    with engine.connect() as connection:
        for table in tables:
            columns = {c["name"] for c in inspect(connection).get_columns(table)}
            assert {"provenance", "declaration"} <= columns
    _downgrade_to(engine, "0011")
    with engine.connect() as connection:
        for table in tables:
            columns = {c["name"] for c in inspect(connection).get_columns(table)}
            assert not {"provenance", "declaration"} & columns
        count = connection.execute(text("SELECT count(*) FROM organisations")).scalar_one()
    assert count == 1
    engine.dispose()


# --- 0013: who wrote a draft, and drafts sent back ------------------------------------------------


def test_0013_adds_drafters_and_returns_and_goes_back(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0012")
    with engine.begin() as connection:
        _insert(connection, "organisations", id="bzk", type="ministry")
    upgrade(engine)
    returns = {"returned_reason", "returned_by", "returned_on"}
    with engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("risk_assessments")}
        assert {"drafted_by"} | returns <= columns
        columns = {c["name"] for c in inspect(connection).get_columns("justifications")}
        assert returns <= columns and "drafted_by" not in columns
    _downgrade_to(engine, "0012")
    with engine.connect() as connection:
        for table in ("risk_assessments", "justifications"):
            columns = {c["name"] for c in inspect(connection).get_columns(table)}
            assert not ({"drafted_by"} | returns) & columns
        count = connection.execute(text("SELECT count(*) FROM organisations")).scalar_one()
    assert count == 1
    engine.dispose()


# --- 0014: token end dates, the second factor, the auditor's indexes ---------------------------


def test_0014_adds_token_ends_and_second_factor_and_goes_back(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0013")
    with engine.begin() as connection:
        _insert(
            connection,
            "users",
            username="oud",
            display_name="Oud",
            roles=[],
            disabled=False,
            created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
    upgrade(engine)
    with engine.connect() as connection:
        found = inspect(connection)
        assert "expires_at" in {c["name"] for c in found.get_columns("api_tokens")}
        users = {c["name"] for c in found.get_columns("users")}
        assert {"totp_secret", "totp_enabled", "totp_last_step"} <= users
        assert "pending" in {c["name"] for c in found.get_columns("sessions")}
        indexes = {i["name"] for i in found.get_indexes("audit_log")}
        assert {"ix_audit_log_actor", "ix_audit_log_at"} <= indexes
        # an existing account has no second factor
        enabled = connection.execute(text("SELECT totp_enabled FROM users")).scalar_one()
        assert enabled in (False, 0)
    _downgrade_to(engine, "0013")
    with engine.connect() as connection:
        found = inspect(connection)
        assert "expires_at" not in {c["name"] for c in found.get_columns("api_tokens")}
        assert "totp_secret" not in {c["name"] for c in found.get_columns("users")}
        assert "pending" not in {c["name"] for c in found.get_columns("sessions")}
        count = connection.execute(text("SELECT count(*) FROM users")).scalar_one()
    assert count == 1
    engine.dispose()
