"""Read-only questions the pages ask that services/ does not answer yet.

They follow the services' conventions (register and actor in, tenant scoping inside every query,
nothing written) so they can move to ``services/`` as they are. See docs/web.md.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select

from cloudtoets.catalogue import catalogue_directory
from cloudtoets.domain.model import Provider, Registration
from cloudtoets.domain.providers import ProviderDirectory
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.uow import read_only
from cloudtoets.store import repositories as repo
from cloudtoets.store.mapping import provider_from_row
from cloudtoets.store.repositories import RegistrationQuery
from cloudtoets.store.tables import RegistrationRow


@dataclass(frozen=True, slots=True)
class OrganisationInfo:
    id: str
    name: str
    type: str


def organisations(register: Register, actor: Actor) -> list[OrganisationInfo]:
    """The organisations in the register this actor may see, by name."""
    with read_only(register.sessions, actor) as session:
        rows = repo.organisations(session, actor.visible)
        found = [OrganisationInfo(r.id, r.name or r.id, r.type) for r in rows]
    return sorted(found, key=lambda o: o.name.casefold())


def own_providers(
    register: Register, actor: Actor, organisation_ids: Collection[str] | None = None
) -> dict[str, list[Provider]]:
    """Providers the visible organisations defined themselves, per organisation."""
    visible = actor.visible
    if organisation_ids is not None:
        visible = [o for o in organisation_ids if actor.may_see(o)]
    with read_only(register.sessions, actor) as session:
        rows = repo.providers(session, visible)
        result: dict[str, list[Provider]] = {}
        for row in rows:
            result.setdefault(row.organisation_id, []).append(provider_from_row(row))
    return result


def directory_for(register: Register, actor: Actor, organisation_id: str) -> ProviderDirectory:
    """The providers a registration of this organisation is evaluated against."""
    own = own_providers(register, actor, [organisation_id]).get(organisation_id, [])
    return catalogue_directory(own)


def provider_chains(
    register: Register, actor: Actor, registration: Registration
) -> list[tuple[str, list[Provider]]]:
    """For the provider and each sub-processor: its ownership chain, ultimate parent last."""
    directory = directory_for(register, actor, registration.organisation)
    chains: list[tuple[str, list[Provider]]] = []
    for provider_id in (registration.provider, *registration.subprocessors):
        if provider_id is None:
            continue
        try:
            chains.append((provider_id, list(directory.chain(provider_id))))
        except (KeyError, ValueError):  # unknown now, or a cycle: show the id alone
            chains.append((provider_id, []))
    return chains


@dataclass(frozen=True, slots=True)
class Gap:
    """Material registrations that lack something the policy asks for."""

    key: str
    title: str
    explanation: str
    total: int
    items: list[tuple[str, str, str]]  # (id, name, organisation)


@dataclass(slots=True)
class Overview:
    counts: dict[str, int]
    total: int
    upcoming: list[registration_service.RegistrationSummary]
    gaps: list[Gap] = field(default_factory=list)


GAP_LIMIT = 10


def _gap_conditions() -> list[tuple[str, str, str, ColumnElement[bool]]]:
    r = RegistrationRow
    # JSON null and SQL NULL both extract to NULL, on SQLite and on PostgreSQL alike
    no_assessment = r.risk_assessment["date"].as_string().is_(None)
    no_exit_plan = r.exit_plan["planned"].as_string().is_(None) & r.exit_plan[
        "emergency"
    ].as_string().is_(None)
    no_notification = r.notification["submitted_on"].as_string().is_(None)
    return [
        (
            "risicoafweging",
            "Zonder risicoafweging",
            "Bij materieel gebruik hoort een integrale risicoafweging met een datum.",
            no_assessment,
        ),
        (
            "exitplan",
            "Zonder exitplan",
            "Bij materieel gebruik hoort een exitplan: gepland en voor noodgevallen.",
            no_exit_plan,
        ),
        (
            "melding",
            "Niet gemeld bij CIO Rijk",
            "Materieel gebruik moet worden gemeld bij CIO Rijk.",
            no_notification,
        ),
    ]


def overview(register: Register, actor: Actor, organisation: str | None) -> Overview:
    """Counts per verdict, the next transition deadlines, and material use with gaps."""
    if organisation is not None and not actor.may_see(organisation):
        return Overview({}, 0, [])
    upcoming = registration_service.list_registrations(
        register,
        actor,
        RegistrationQuery(
            organisation=organisation, verdict="transition", sort="deadline", page_size=10
        ),
    ).items
    # the policy asks these of material use of an external cloud (not the government's own)
    internal = sorted(str(d) for d in register.policy.parameters.internal_deployments)
    with read_only(register.sessions, actor) as session:
        counts = repo.verdict_counts(session, actor.visible, organisation)
        result = Overview(counts, sum(counts.values()), upcoming)
        for key, title, explanation, condition in _gap_conditions():
            statement = select(
                RegistrationRow.id, RegistrationRow.name, RegistrationRow.organisation_id
            )
            statement = statement.where(
                RegistrationRow.is_material.is_(True),
                RegistrationRow.deployment.not_in(internal),
                condition,
            )
            if actor.visible is not None:
                statement = statement.where(
                    RegistrationRow.organisation_id.in_(list(actor.visible))
                )
            if organisation is not None:
                statement = statement.where(RegistrationRow.organisation_id == organisation)
            total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
            rows = session.execute(statement.order_by(RegistrationRow.id).limit(GAP_LIMIT)).all()
            items = [(row[0], row[1] or row[0], row[2]) for row in rows]
            result.gaps.append(Gap(key, title, explanation, total, items))
    return result
