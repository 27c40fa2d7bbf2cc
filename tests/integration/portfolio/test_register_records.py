"""The register read for the portfolio as Core records gives the registrations the ORM rows
give, field for field (SQLite and PostgreSQL)."""

from __future__ import annotations

from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.uow import read_only
from cloudtoets.store import repositories as repo
from cloudtoets.store.mapping import registration_from_row, registrations_from_records


def test_records_give_the_registrations_of_the_rows(demo_register: Register) -> None:
    settings = demo_register.settings
    actor = Actor.local(settings.local_user, settings.local_organisation)
    with read_only(demo_register.sessions, actor) as session:
        rows = [registration_from_row(r) for r in repo.registrations_of(session, None)]
        records = registrations_from_records(repo.registration_records(session, None))
        organisation = rows[0].organisation
        one = registrations_from_records(repo.registration_records(session, [organisation]))
    assert len(rows) > 100
    assert records == rows
    assert one == [r for r in rows if r.organisation == organisation]
    # the cases the conversion has to get right are in the demo register
    assert any(r.tbb_level == "none" for r in rows)
    assert any(r.exit_plan is not None and r.exit_plan.planned is not None for r in rows)
    assert any(r.justifications for r in rows)
    assert any(r.in_use_since is not None for r in rows)
