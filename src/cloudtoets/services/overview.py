"""The overview page's figures: registrations per verdict, the next transition deadlines, and
material use of an external cloud that lacks one of the documents the policy asks for.

What counts as having a document is ``services/obligations.py``'s, as in the monitoring, so the
two pages give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from cloudtoets.domain.registration_query import RegistrationQuery
from cloudtoets.services import obligations as ob
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.uow import read_only
from cloudtoets.store import repositories as repo
from cloudtoets.store.tables import RegistrationRow

GAP_ITEMS = 10  # the registrations a gap lists; its total counts them all
UPCOMING = 10


@dataclass(frozen=True, slots=True)
class Gap:
    """Material use of an external cloud without one document."""

    document: ob.Document
    total: int
    items: list[tuple[str, str, str]]  # (id, name, organisation), by id


@dataclass(slots=True)
class Overview:
    counts: dict[str, int]  # verdict -> registrations
    total: int
    upcoming: list[registration_service.RegistrationSummary]
    gaps: list[Gap] = field(default_factory=list)


def overview(
    register: Register, actor: Actor, organisation: str | None, *, gap_items: int = GAP_ITEMS
) -> Overview:
    """The figures for the organisations the actor may see, or for one of them."""
    if organisation is not None and not actor.may_see(organisation):
        return Overview({}, 0, [])
    upcoming = registration_service.list_registrations(
        register,
        actor,
        RegistrationQuery(
            organisation=organisation, verdict="transition", sort="deadline", page_size=UPCOMING
        ),
    ).items
    r = RegistrationRow
    with read_only(register.sessions, actor) as session:
        dialect = session.get_bind().dialect.name
        counts = repo.verdict_counts(session, actor.visible, organisation)
        result = Overview(counts, sum(counts.values()), upcoming)
        for document in ob.Document:
            statement = select(r.id, r.name, r.organisation_id).where(
                ob.lacks(document, dialect, register.policy)
            )
            if actor.visible is not None:
                statement = statement.where(r.organisation_id.in_(list(actor.visible)))
            if organisation is not None:
                statement = statement.where(r.organisation_id == organisation)
            total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
            rows = session.execute(statement.order_by(r.id).limit(gap_items)).all()
            items = [(row[0], row[1] or row[0], row[2]) for row in rows]
            result.gaps.append(Gap(document, total, items))
    return result
