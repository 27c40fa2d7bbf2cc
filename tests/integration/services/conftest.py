"""A migrated register on each database, with a fixed 'today'."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.domain.knowledge import (
    LEGACY_DEFAULTS,
    LEGACY_ORGANISATION_DEFAULTS,
    fill_legacy_defaults,
)
from cloudtoets.domain.model import Organisation, Registration
from cloudtoets.domain.vocabulary import Deployment, OrganisationType
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.store.migrate import upgrade
from cloudtoets.store.tables import OrganisationRow

TODAY = dt.date(2026, 11, 29)
CENTRAL = Actor.local("centraal")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock.on(TODAY)


@pytest.fixture
def register(database_url: str, clock: FixedClock) -> Iterator[Register]:
    opened = Register.open(Settings(database_url=database_url), clock=clock)
    upgrade(opened.engine)
    with opened.sessions() as session, session.begin():
        for org_id, kind in (("bzk", "ministry"), ("uwv", "zbo"), ("gemeente-x", "municipality")):
            # every flag known (False), as these rows had by default before unknowns.md
            session.add(
                OrganisationRow(
                    id=org_id, name=org_id.upper(), type=kind, **LEGACY_ORGANISATION_DEFAULTS
                )
            )
    yield opened
    opened.close()


def organisation(org_id: str = "bzk") -> Organisation:
    return Organisation(id=org_id, type=OrganisationType.MINISTRY)


def registration(**overrides: object) -> Registration:
    values: dict[str, object] = {
        "id": "bzk-m365",
        "organisation": "bzk",
        "deployment": Deployment.PUBLIC,
        "provider": "microsoft-ireland",
        "storage_countries": ["NL", "IE"],
        "processing_countries": ["US"],
        "encrypted_at_rest": True,
        "encrypted_in_transit": True,
        "in_use_since": dt.date(2020, 1, 1),
    }
    values.update(overrides)
    # every other fact known, with the value the format assumed before unknowns.md
    return Registration(**fill_legacy_defaults(values, LEGACY_DEFAULTS))
