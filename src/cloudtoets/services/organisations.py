"""The organisations an actor may see: by name for choosing one, or with their registrations
counted per verdict."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import NotFound, ObjectKind
from cloudtoets.services.uow import read_only
from cloudtoets.store import repositories as repo
from cloudtoets.store.tables import OrganisationRow


@dataclass(frozen=True, slots=True)
class OrganisationInfo:
    id: str
    name: str
    type: str


@dataclass(frozen=True, slots=True)
class OrganisationSummary:
    """An organisation with its registrations, in total and per verdict."""

    id: str
    name: str | None
    type: str
    # None: not known (unknowns.md)
    critical_entity: bool | None
    essential_entity: bool | None
    vital_provider: bool | None
    registrations: int
    by_verdict: dict[str, int]


def visible_organisations(register: Register, actor: Actor) -> list[OrganisationInfo]:
    """The organisations in the register this actor may see, by name."""
    with read_only(register.sessions, actor) as session:
        rows = repo.organisations(session, actor.visible)
        found = [OrganisationInfo(r.id, r.name or r.id, r.type) for r in rows]
    return sorted(found, key=lambda o: o.name.casefold())


def _summary(session: Session, actor: Actor, row: OrganisationRow) -> OrganisationSummary:
    counts = repo.verdict_counts(session, actor.visible, row.id)
    return OrganisationSummary(
        id=row.id,
        name=row.name,
        type=row.type,
        critical_entity=row.critical_entity,
        essential_entity=row.essential_entity,
        vital_provider=row.vital_provider,
        registrations=sum(counts.values()),
        by_verdict=counts,
    )


def organisation_summaries(register: Register, actor: Actor) -> list[OrganisationSummary]:
    """The organisations the actor may see, by id, with their registrations counted."""
    with read_only(register.sessions, actor) as session:
        rows = repo.organisations(session, actor.visible)
        return [_summary(session, actor, row) for row in rows]


def organisation_summary(
    register: Register, actor: Actor, organisation_id: str
) -> OrganisationSummary:
    if not actor.may_see(organisation_id):
        raise NotFound(ObjectKind.ORGANISATION, organisation_id)
    with read_only(register.sessions, actor) as session:
        rows = repo.organisations(session, [organisation_id])
        if not rows:
            raise NotFound(ObjectKind.ORGANISATION, organisation_id)
        return _summary(session, actor, rows[0])
