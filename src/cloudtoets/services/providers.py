"""Providers with their ownership chains: the built-in catalogue and the providers organisations
defined themselves, as a registration of that organisation is evaluated against them.

``ProviderView`` is the one view of a provider's chain; the CLI, the API and the web page each
show it in their own shape.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from cloudtoets.catalogue import CatalogueEntry, catalogue_directory, catalogue_entries
from cloudtoets.domain.model import Provider, Registration
from cloudtoets.domain.providers import ProviderDirectory
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import NotFound, ObjectKind
from cloudtoets.services.uow import read_only
from cloudtoets.store import repositories as repo
from cloudtoets.store.mapping import provider_from_row


@dataclass(frozen=True, slots=True)
class ProviderView:
    """A provider, its ownership chain and the countries whose law reaches it through that chain.

    ``entry`` is its catalogue entry (None for an organisation's own provider); ``organisation``
    the organisation that defined it (None for the catalogue).
    """

    provider: Provider
    chain: tuple[Provider, ...]  # the provider itself first, the ultimate parent last
    jurisdictions: tuple[str, ...]  # the chain's countries (offices, headquarters), sorted
    outside_eea: tuple[str, ...]  # those outside the EEA
    entry: CatalogueEntry | None = None
    organisation: str | None = None
    # the chains of the sub-processors the chain's entities use themselves (unknowns.md), and
    # of theirs in turn; their countries are in ``jurisdictions`` too, as the engine counts them
    subprocessor_chains: tuple[tuple[Provider, ...], ...] = ()


def _chain(directory: ProviderDirectory, provider: Provider) -> tuple[Provider, ...]:
    try:
        return directory.chain(provider.id)
    except (KeyError, ValueError):  # a parent unknown now, or a cycle: the provider alone
        return (provider,)


def _subprocessor_chains(
    directory: ProviderDirectory, chain: tuple[Provider, ...]
) -> tuple[tuple[Provider, ...], ...]:
    """The chains of the entities' own sub-processors, transitively, each once, in order."""
    seen = {p.id for p in chain}
    pending = [s for p in chain for s in p.subprocessors]
    chains: list[tuple[Provider, ...]] = []
    while pending:
        current = pending.pop(0)
        if current in seen:
            continue
        seen.add(current)
        found = directory.get(current)
        sub_chain = _chain(directory, found) if found else (Provider(id=current, country=""),)
        chains.append(sub_chain)
        seen.update(p.id for p in sub_chain[1:])
        pending.extend(s for p in sub_chain for s in p.subprocessors)
    return tuple(chains)


def provider_view(
    directory: ProviderDirectory,
    provider: Provider,
    eea: frozenset[str],
    entry: CatalogueEntry | None = None,
    organisation: str | None = None,
) -> ProviderView:
    chain = _chain(directory, provider)
    via = _subprocessor_chains(directory, chain)
    entities = [*chain, *(p for sub_chain in via for p in sub_chain)]
    countries = tuple(sorted({c for p in entities for c in p.countries if c}))
    outside = tuple(c for c in countries if c not in eea)
    return ProviderView(provider, chain, countries, outside, entry, organisation, via)


def catalogue_views(eea: frozenset[str]) -> list[ProviderView]:
    """The built-in catalogue, in its own order; ``eea`` is the policy's parameter."""
    directory = catalogue_directory()
    return [provider_view(directory, e.as_provider(), eea, entry=e) for e in catalogue_entries()]


def own_providers(
    register: Register, actor: Actor, organisation_ids: Collection[str] | None = None
) -> dict[str, list[Provider]]:
    """Providers the visible organisations (or those of ``organisation_ids`` the actor may see)
    defined themselves, per organisation, by id."""
    visible = actor.visible
    if organisation_ids is not None:
        visible = [o for o in organisation_ids if actor.may_see(o)]
    with read_only(register.sessions, actor) as session:
        rows = repo.providers(session, visible)
        result: dict[str, list[Provider]] = {}
        for row in rows:
            result.setdefault(row.organisation_id, []).append(provider_from_row(row))
    return result


def own_provider_views(register: Register, actor: Actor) -> list[ProviderView]:
    """The organisations' own providers (by organisation, then id), each with its chain through
    that organisation's providers first, then the catalogue."""
    views: list[ProviderView] = []
    for organisation_id, own in sorted(own_providers(register, actor).items()):
        directory = catalogue_directory(own)
        eea = register.policy.parameters.eea
        views += [provider_view(directory, p, eea, organisation=organisation_id) for p in own]
    return views


def find_provider(
    register: Register, actor: Actor, provider_id: str, organisation_id: str | None = None
) -> ProviderView:
    """One provider: as ``organisation_id`` sees it (its own definition, else the catalogue's),
    or without an organisation the catalogue entry, else the first visible organisation's."""
    if organisation_id is not None and not actor.may_see(organisation_id):
        raise NotFound(ObjectKind.PROVIDER, provider_id)
    eea = register.policy.parameters.eea
    catalogue = [v for v in catalogue_views(eea) if v.provider.id == provider_id]
    own = [
        v
        for v in own_provider_views(register, actor)
        if v.provider.id == provider_id
        and (organisation_id is None or v.organisation == organisation_id)
    ]
    if organisation_id is not None and own:
        return own[0]
    found = catalogue or own
    if not found:
        raise NotFound(ObjectKind.PROVIDER, provider_id)
    return found[0]


def directory_for(register: Register, actor: Actor, organisation_id: str) -> ProviderDirectory:
    """The providers a registration of this organisation is evaluated against."""
    own = own_providers(register, actor, [organisation_id]).get(organisation_id, [])
    return catalogue_directory(own)


def registration_chains(
    register: Register, actor: Actor, registration: Registration
) -> list[ProviderView]:
    """The provider and each sub-processor of a registration, each with its chain."""
    directory = directory_for(register, actor, registration.organisation)
    views = []
    for provider_id in (registration.provider, *(registration.subprocessors or ())):
        if provider_id is None:
            continue
        provider = directory.get(provider_id)
        if provider is None:  # not in the catalogue or the organisation's own (any more)
            views.append(ProviderView(Provider(id=provider_id, country=""), (), (), ()))
        else:
            views.append(provider_view(directory, provider, register.policy.parameters.eea))
    return views


@dataclass(frozen=True, slots=True)
class UncertainNote:
    """What the catalogue could not confirm about an entity in a chain (its ``uncertain``)."""

    provider_id: str
    name: str
    note: str


def uncertain_notes(views: Collection[ProviderView]) -> list[UncertainNote]:
    """The doubts of the catalogue entries the chains rest on (ownership chains and the chains
    of their own sub-processors), each entity once, in chain order. An organisation's own
    definition of a provider is its own word: it carries no catalogue doubt."""
    entries = {entry.id: entry for entry in catalogue_entries()}
    notes: dict[str, UncertainNote] = {}
    for view in views:
        for chain in (view.chain, *view.subprocessor_chains):
            for provider in chain:
                entry = entries.get(provider.id)
                if (
                    entry is not None
                    and entry.uncertain
                    and provider == entry.as_provider()
                    and provider.id not in notes
                ):
                    notes[provider.id] = UncertainNote(provider.id, entry.name, entry.uncertain)
    return list(notes.values())


def catalogue_names() -> dict[str, str]:
    """Provider id -> name of every provider in the built-in catalogue, in its own order."""
    return {e.id: e.name for e in catalogue_entries()}


def provider_names(register: Register, actor: Actor) -> dict[str, str]:
    """Provider id -> name: the catalogue's, then the visible organisations' own."""
    names = catalogue_names()
    for items in own_providers(register, actor).values():
        for provider in items:
            names.setdefault(provider.id, provider.display_name)
    return names
