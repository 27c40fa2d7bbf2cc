"""Read-only use cases the API needs that services/ does not offer yet.

They follow the services' conventions (register and actor in, tenant scoping in every query,
NotFound for what the actor may not see) so they can move to ``services/`` unchanged; until then
they live here, next to their only caller.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from cloudtoets.catalogue import catalogue_directory, catalogue_entries
from cloudtoets.domain.countries import EEA_COUNTRY_CODES
from cloudtoets.domain.decision import Decision
from cloudtoets.domain.model import Provider
from cloudtoets.domain.providers import ProviderDirectory
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import NotFound
from cloudtoets.services.evaluation import RegisterEvaluator
from cloudtoets.services.uow import read_only
from cloudtoets.store import repositories as repo
from cloudtoets.store.mapping import provider_from_row
from cloudtoets.store.tables import OrganisationRow


def _organisation(session: Session, actor: Actor, row: OrganisationRow) -> dict[str, Any]:
    counts = repo.verdict_counts(session, actor.visible, row.id)
    return {
        "id": row.id,
        "name": row.name,
        "type": row.type,
        "critical_entity": row.critical_entity,
        "essential_entity": row.essential_entity,
        "vital_provider": row.vital_provider,
        "registrations": sum(counts.values()),
        "by_verdict": counts,
    }


def organisations(register: Register, actor: Actor) -> list[dict[str, Any]]:
    """The organisations the actor may see, with their registrations counted per verdict."""
    with read_only(register.sessions, actor) as session:
        rows = repo.organisations(session, actor.visible)
        return [_organisation(session, actor, row) for row in rows]


def organisation(register: Register, actor: Actor, organisation_id: str) -> dict[str, Any]:
    if not actor.may_see(organisation_id):
        raise NotFound("organisatie", organisation_id)
    with read_only(register.sessions, actor) as session:
        rows = repo.organisations(session, [organisation_id])
        if not rows:
            raise NotFound("organisatie", organisation_id)
        return _organisation(session, actor, rows[0])


def _provider_view(directory: ProviderDirectory, provider_id: str) -> dict[str, Any]:
    provider = directory.get(provider_id)
    assert provider is not None
    chain = directory.chain(provider_id)
    countries = sorted({p.country for p in chain})
    return {
        "id": provider.id,
        "name": provider.name,
        "country": provider.country,
        "parent": provider.parent,
        "chain": [p.id for p in chain],
        "jurisdictions": countries,
        "outside_eea": sorted(set(countries) - EEA_COUNTRY_CODES),
    }


def providers(register: Register, actor: Actor) -> list[dict[str, Any]]:
    """The built-in catalogue, then the providers the visible organisations defined themselves.

    An organisation's own provider is shown with its chain as that organisation's registrations
    are evaluated: its own providers first, then the catalogue.
    """
    directory = catalogue_directory()
    items = [
        {
            **_provider_view(directory, entry.id),
            "source": "catalogue",
            "kind": entry.kind,
            "services": list(entry.services),
            "reference": entry.source,
            "note": entry.note,
            "uncertain": entry.uncertain,
        }
        for entry in catalogue_entries()
    ]
    with read_only(register.sessions, actor) as session:
        rows = repo.providers(session, actor.visible)
    by_organisation: dict[str, list[Provider]] = {}
    for row in rows:
        by_organisation.setdefault(row.organisation_id, []).append(provider_from_row(row))
    for organisation_id in sorted(by_organisation):
        own = by_organisation[organisation_id]
        directory = catalogue_directory(own)
        items += [
            {
                **_provider_view(directory, provider.id),
                "source": organisation_id,
                "kind": None,
                "services": [],
                "reference": None,
                "note": None,
                "uncertain": None,
            }
            for provider in own
        ]
    return items


def provider(
    register: Register, actor: Actor, provider_id: str, organisation_id: str | None = None
) -> dict[str, Any]:
    """One provider: as ``organisation_id`` sees it (its own definition, else the catalogue's),
    or without an organisation the catalogue entry, else the first visible organisation's."""
    if organisation_id is not None and not actor.may_see(organisation_id):
        raise NotFound("leverancier", provider_id)
    candidates = [
        item
        for item in providers(register, actor)
        if item["id"] == provider_id
        and (organisation_id is None or item["source"] in (organisation_id, "catalogue"))
    ]
    if not candidates:
        raise NotFound("leverancier", provider_id)
    own = [c for c in candidates if c["source"] != "catalogue"]
    if organisation_id is not None and own:
        return own[0]
    catalogue = [c for c in candidates if c["source"] == "catalogue"]
    return (catalogue or own)[0]


def evaluate_as_of(
    register: Register, actor: Actor, registration_id: str, as_of: dt.date
) -> Decision:
    """A stored registration's decision on another date; stores nothing."""
    stored = registration_service.get_registration(register, actor, registration_id)
    with read_only(register.sessions, actor) as session:
        return RegisterEvaluator(session, register.policy, as_of).evaluate(stored.registration)
