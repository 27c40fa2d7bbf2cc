"""Row-level security on PostgreSQL: the second wall between organisations.

The PostgreSQL databases of this suite are reached as an ordinary role (conftest.APP_ROLE), so
the route walk, the tenant-isolation tests and schemathesis all run with the policies in force.
These tests show the wall on its own: a query that forgets its organisation filter, a write into
another organisation, a session that never said whom it acts for.

ASVS: v5.0.0-8.4.1 (multi-tenant isolation), v5.0.0-8.3.1 (authorisation enforced at a trusted
service layer: here the database itself).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Table, func, inspect, select, text
from sqlalchemy.exc import ProgrammingError

from cloudtoets.domain.registration_query import RegistrationQuery
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.uow import read_only, system_session, unit_of_work
from cloudtoets.store import repositories as repo
from cloudtoets.store import row_security
from cloudtoets.store.tables import Base, DecisionRow, OrganisationRow, RegistrationRow

from .conftest import APP_ROLE, _copy_postgres, open_register

pytestmark = pytest.mark.postgres

FIN = Actor("lezer-fin", frozenset({"fin"}), frozenset({"viewer"}))
UWV_EDITOR = Actor("bewerker-uwv", frozenset({"uwv"}), frozenset({"editor"}))


@pytest.fixture
def register(postgres_server: str, security_postgres_template: str) -> Iterator[Register]:
    """The demo register on PostgreSQL only (SQLite has no row-level security), as the app
    reaches it."""
    for url in _copy_postgres(postgres_server, security_postgres_template):
        opened = open_register(url)
        yield opened
        opened.close()


def _count(register: Register, actor: Actor | None, table: type[Base]) -> int:
    with read_only(register.sessions, actor) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_the_app_reaches_postgresql_as_an_ordinary_role(register: Register) -> None:
    with register.engine.connect() as connection:
        user, superuser, bypass = connection.execute(
            text(
                "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles "
                "WHERE rolname = current_user"
            )
        ).one()
    assert (user, superuser, bypass) == (APP_ROLE, False, False)


def test_every_organisation_owned_table_has_a_forced_policy(register: Register) -> None:
    owned = {
        table.name
        for table in Base.metadata.sorted_tables
        if "organisation_id" in table.c and table.name not in row_security.UNSCOPED_TABLES
    }
    assert {"registrations", "decisions", "providers", "risk_assessments"} <= owned
    with register.engine.connect() as connection:
        forced = set(
            connection.scalars(
                text(
                    "SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid "
                    "WHERE c.relrowsecurity AND c.relforcerowsecurity AND p.polname = :name"
                ),
                {"name": row_security.POLICY},
            )
        )
    assert owned | {"organisations", "registration_jurisdictions"} <= forced


def test_a_query_that_forgets_its_filter_still_sees_one_organisation(register: Register) -> None:
    everything = _count(register, None, RegistrationRow)
    with read_only(register.sessions, FIN) as session:
        # visible=None: as if the caller forgot to pass the organisations it may see
        rows, total = repo.list_registrations(session, RegistrationQuery(page_size=500), None)
        organisations = set(session.scalars(select(OrganisationRow.id)))
        decision_organisations = set(session.scalars(select(DecisionRow.organisation_id)))
    assert everything > total > 0
    column = [c.key for c in repo.SUMMARY_COLUMNS].index("organisation_id")
    assert {row[column] for row in rows} == {"fin"}
    assert organisations == {"fin"}
    assert decision_organisations == {"fin"}


def test_a_session_that_says_nothing_sees_nothing(register: Register) -> None:
    with register.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RegistrationRow)) == 0
        assert session.scalar(select(func.count()).select_from(OrganisationRow)) == 0
    with system_session(register.sessions) as session:
        assert (session.scalar(select(func.count()).select_from(RegistrationRow)) or 0) > 0


def test_a_write_into_another_organisation_is_refused_by_the_database(
    register: Register,
) -> None:
    before = _count(register, None, RegistrationRow)
    with pytest.raises(ProgrammingError, match="row-level security"):  # noqa: SIM117
        with unit_of_work(register.sessions, UWV_EDITOR) as uow:
            table: Table = RegistrationRow.__table__  # type: ignore[assignment]
            uow.session.execute(
                table.insert().values(
                    id="ingeschoven",
                    organisation_id="fin",
                    deployment="public",
                    subprocessors=[],
                    functions=[],
                    storage_countries=[],
                    processing_countries=[],
                    encrypted_at_rest=False,
                    encrypted_in_transit=False,
                    key_custody="provider",
                    open_data=False,
                    personal_data="none",
                    large_scale_personal_data=False,
                    pets=[],
                    core_task=False,
                    business_critical=False,
                    holds_source_data=False,
                    abro_declaration=False,
                    lifecycle_justification="",
                    justifications=[],
                    jurisdictions=[],
                    findings_count=0,
                    version=1,
                    created_at=func.now(),
                    updated_at=func.now(),
                )
            )
    assert _count(register, None, RegistrationRow) == before


def test_an_update_of_another_organisations_rows_touches_nothing(register: Register) -> None:
    with unit_of_work(register.sessions, UWV_EDITOR) as uow:
        changed = uow.session.execute(
            RegistrationRow.__table__.update()  # type: ignore[attr-defined]
            .where(RegistrationRow.organisation_id == "fin")
            .values(name="overschreven")
        ).rowcount
    assert changed == 0
    with read_only(register.sessions, FIN) as session:
        names = set(session.scalars(select(RegistrationRow.name)))
    assert "overschreven" not in names


def test_the_scope_of_a_pooled_connection_follows_each_session(register: Register) -> None:
    """Read-only sessions keep the setting on the connection; the next one must not inherit it."""
    uwv = Actor("lezer-uwv", frozenset({"uwv"}), frozenset({"viewer"}))
    for actor, organisation in [(FIN, "fin"), (uwv, "uwv"), (FIN, "fin")] * 3:
        with read_only(register.sessions, actor) as session:
            seen = set(session.scalars(select(RegistrationRow.organisation_id)))
        assert seen == {organisation}
    # a writing transaction between them sets its scope for itself only
    with unit_of_work(register.sessions, uwv) as uow:
        assert set(uow.session.scalars(select(RegistrationRow.organisation_id))) == {"uwv"}
    with read_only(register.sessions, FIN) as session:
        assert set(session.scalars(select(RegistrationRow.organisation_id))) == {"fin"}
    assert inspect(register.engine).get_table_names()  # the role may read the catalogue
