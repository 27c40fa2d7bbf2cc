"""audit_log is append-only in the database itself, and migration 0002 chains existing rows."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import delete, insert, inspect, text, update
from sqlalchemy.exc import DBAPIError

from cloudtoets.config import Settings
from cloudtoets.services.audit import verify_chain
from cloudtoets.services.context import Register
from cloudtoets.store.migrate import MIGRATIONS, current_revision, upgrade
from cloudtoets.store.tables import AuditRow

from .conftest import audit_rows

REFUSED = "kan alleen worden aangevuld"


def test_update_of_an_audit_record_is_refused(audited: Register) -> None:
    with pytest.raises(DBAPIError, match=REFUSED), audited.engine.begin() as connection:
        connection.execute(update(AuditRow).where(AuditRow.seq == 2).values(actor="iemand"))
    assert audit_rows(audited)[1].actor != "iemand"


def test_delete_of_audit_records_is_refused(audited: Register) -> None:
    before = len(audit_rows(audited))
    with pytest.raises(DBAPIError, match=REFUSED), audited.engine.begin() as connection:
        connection.execute(delete(AuditRow).where(AuditRow.seq == 2))
    with pytest.raises(DBAPIError, match=REFUSED), audited.engine.begin() as connection:
        connection.execute(delete(AuditRow))
    if audited.engine.dialect.name == "postgresql":  # SQLite has no TRUNCATE
        with pytest.raises(DBAPIError, match=REFUSED), audited.engine.begin() as connection:
            connection.execute(text("TRUNCATE audit_log"))
    assert len(audit_rows(audited)) == before


def test_orm_change_of_a_loaded_record_is_refused(audited: Register) -> None:
    with pytest.raises(DBAPIError, match=REFUSED), audited.sessions() as session, session.begin():
        row = session.get(AuditRow, audit_rows(audited)[0].id)
        assert row is not None
        row.after = {"vervalst": True}
    assert verify_chain(audited).ok


def test_migration_chains_rows_written_before_it_and_downgrades(database_url: str) -> None:
    register = Register.open(Settings(database_url=database_url))
    engine = register.engine
    upgrade(engine, "0001")
    at = dt.datetime(2026, 11, 1, 8, 30, 0, 123456, tzinfo=dt.UTC)
    with engine.begin() as connection:  # rows as version 0001 wrote them, with a gap in the ids
        for row_id, action in ((1, "create"), (2, "update"), (5, "delete")):
            connection.execute(
                insert(AuditRow.__table__).values(  # only the columns 0001 had
                    id=row_id,
                    at=at + dt.timedelta(minutes=row_id),
                    actor="centraal",
                    organisation_id="bzk",
                    request_id=None,
                    action=action,
                    object_type="registration",
                    object_id="bzk-m365",
                    before=None if action == "create" else {"naam": "één"},
                    after=None if action == "delete" else {"naam": "twee", "lijst": [1, 2]},
                )
            )

    upgrade(engine)
    rows = audit_rows(register)
    assert [(row.id, row.seq) for row in rows] == [(1, 1), (2, 2), (5, 3)]
    result = verify_chain(register)
    assert (result.ok, result.count, result.head_hash) == (True, 3, rows[-1].hash)
    with pytest.raises(DBAPIError, match=REFUSED), engine.begin() as connection:
        connection.execute(delete(AuditRow))

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    assert current_revision(engine) == "0001"
    columns = {c["name"] for c in inspect(engine).get_columns("audit_log")}
    assert not columns & {"seq", "prev_hash", "hash"}
    with engine.begin() as connection:  # the triggers went with the chain
        connection.execute(text("DELETE FROM audit_log WHERE id = 5"))
    upgrade(engine)
    assert verify_chain(register).count == 2
    register.close()
