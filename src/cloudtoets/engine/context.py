"""What evaluating a registration needs beyond the registration: its organisation and providers.

The jurisdiction chain of a registration is the set of countries of its provider, its
sub-processors, and all their parents up to the ultimate parent (policy.md). Many registrations
share a provider, so chains are computed once per (provider, sub-processors) combination.
"""

from __future__ import annotations

from collections.abc import Mapping

from cloudtoets.domain.model import Organisation, Registration
from cloudtoets.domain.providers import ProviderDirectory


class EvaluationContext:
    """Organisations and providers for one evaluation run, with memoised jurisdiction chains."""

    def __init__(
        self, organisations: Mapping[str, Organisation], providers: ProviderDirectory
    ) -> None:
        self.organisations = organisations
        self.providers = providers
        # keyed by provider id, or by (provider, sub-processors) when there are sub-processors
        self.jurisdiction_cache: dict[object, tuple[frozenset[str], tuple[str, ...]]] = {}

    def jurisdictions(self, registration: Registration) -> tuple[frozenset[str], tuple[str, ...]]:
        """The jurisdiction chain as a set and as a sorted tuple."""
        subprocessors = registration.subprocessors
        key = (
            (registration.provider, tuple(subprocessors))
            if subprocessors
            else registration.provider
        )
        found = self.jurisdiction_cache.get(key)
        if found is None:
            countries: set[str] = set()
            for provider_id in (registration.provider, *subprocessors):
                if provider_id is not None:
                    countries.update(p.country for p in self.providers.chain(provider_id))
            found = (frozenset(countries), tuple(sorted(countries)))
            self.jurisdiction_cache[key] = found
        return found
