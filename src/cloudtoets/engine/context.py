"""What evaluating a registration needs beyond the registration: its organisation and providers.

The jurisdiction chain of a registration is the set of countries of its provider, its
sub-processors, and all their parents up to the ultimate parent (policy.md): for each entity its
registered office and, when it is run from elsewhere, its headquarters, and the chains of the
sub-processors a provider entry lists itself (unknowns.md). Many
registrations share a provider, so chains are computed once per (provider, sub-processors)
combination.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cloudtoets.domain.model import Organisation, Registration
from cloudtoets.domain.providers import ProviderDirectory

# The jurisdictions as a set (for tests) and as a sorted tuple (for the decision).
Jurisdictions = tuple[frozenset[str], tuple[str, ...]]


class EvaluationContext:
    """Organisations and providers for one evaluation run, with memoised jurisdiction chains."""

    def __init__(
        self, organisations: Mapping[str, Organisation], providers: ProviderDirectory
    ) -> None:
        self.organisations = organisations
        self.providers = providers
        # keyed by provider id, or by (provider, *sub-processors) when there are sub-processors
        # (the generated evaluation function looks keys up itself, see jurisdiction_key)
        self.jurisdiction_cache: dict[object, Jurisdictions] = {}
        # one pair per distinct set: equal chains are the same objects, so look-ups keyed by
        # them (the engine's shared findings) match by identity
        self._by_countries: dict[frozenset[str], Jurisdictions] = {}
        self._countries: dict[str, frozenset[str]] = {}

    def jurisdictions(self, registration: Registration) -> Jurisdictions:
        """The jurisdiction chain as a set and as a sorted tuple."""
        key = jurisdiction_key(registration)
        found = self.jurisdiction_cache.get(key)
        if found is None:
            entities = (registration.provider, *(registration.subprocessors or ()))
            countries = self.countries_of(p for p in entities if p is not None)
            found = self._by_countries.get(countries)
            if found is None:
                found = self._by_countries[countries] = (countries, tuple(sorted(countries)))
            self.jurisdiction_cache[key] = found
        return found

    def countries_of(self, provider_ids: Iterable[str]) -> frozenset[str]:
        """The countries of the chains of these providers together."""
        countries: frozenset[str] = frozenset()
        for provider_id in provider_ids:
            countries |= self._provider_countries(provider_id)
        return countries

    def _provider_countries(self, provider_id: str) -> frozenset[str]:
        """The countries of the provider's ownership chain and, through each entity's own
        sub-processors, of theirs (a SaaS supplier hosted by a hyperscaler)."""
        countries = self._countries.get(provider_id)
        if countries is None:
            found: set[str] = set()
            pending, seen = [provider_id], set()
            while pending:
                current = pending.pop()
                if current in seen:
                    continue
                seen.add(current)
                for entity in self.providers.chain(current):
                    found.update(entity.countries)
                    pending.extend(entity.subprocessors)
            countries = self._countries[provider_id] = frozenset(found)
        return countries


def jurisdiction_key(registration: Registration) -> object:
    """The jurisdiction cache key: a flat tuple hashes faster than a nested one."""
    subprocessors = registration.subprocessors or ()
    return (registration.provider, *subprocessors) if subprocessors else registration.provider
