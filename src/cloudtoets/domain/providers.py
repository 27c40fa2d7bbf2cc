"""Providers by id and their ownership chains (provider -> parent -> ... -> ultimate parent)."""

from __future__ import annotations

from collections.abc import Iterable

from cloudtoets.domain.model import Provider


class ProviderCycleError(ValueError):
    pass


class ProviderDirectory:
    """Providers by id: a document's own entries override the built-in catalogue."""

    def __init__(self, *sources: Iterable[Provider]) -> None:
        self._providers: dict[str, Provider] = {}
        for source in sources:
            for provider in source:
                self._providers[provider.id] = provider
        self._chains: dict[str, tuple[Provider, ...]] = {}

    def __contains__(self, provider_id: object) -> bool:
        return provider_id in self._providers

    def __len__(self) -> int:
        return len(self._providers)

    def get(self, provider_id: str) -> Provider | None:
        return self._providers.get(provider_id)

    def all(self) -> list[Provider]:
        return list(self._providers.values())

    def chain(self, provider_id: str) -> tuple[Provider, ...]:
        """The provider and its parents, ultimate parent last."""
        cached = self._chains.get(provider_id)
        if cached is not None:
            return cached
        chain: list[Provider] = []
        seen: set[str] = set()
        current: str | None = provider_id
        while current is not None:
            if current in seen:
                raise ProviderCycleError(" -> ".join([*(p.id for p in chain), current]))
            seen.add(current)
            provider = self._providers.get(current)
            if provider is None:
                raise KeyError(current)
            chain.append(provider)
            current = provider.parent
        result = tuple(chain)
        self._chains[provider_id] = result
        return result

    def reach(self, provider_id: str) -> frozenset[str]:
        """Every provider a registration with this provider depends on: the provider, its
        parents, and the sub-processors the entities list themselves with their chains, in
        turn (an id not in the directory, or a cycle, stands for itself)."""
        found: set[str] = set()
        pending = [provider_id]
        while pending:
            current = pending.pop()
            if current in found:
                continue
            try:
                chain = self.chain(current)
            except (KeyError, ProviderCycleError):
                found.add(current)
                continue
            for entity in chain:
                found.add(entity.id)
                pending.extend(s for s in entity.subprocessors if s not in found)
        return frozenset(found)

    def dependants(self, provider_ids: Iterable[str]) -> frozenset[str]:
        """The providers whose ``reach`` holds any of these (each of them included)."""
        wanted = set(provider_ids)
        return frozenset(
            wanted | {p.id for p in self._providers.values() if wanted & self.reach(p.id)}
        )

    def ultimate_children(self, parent_ids: Iterable[str]) -> frozenset[str]:
        """The providers whose ultimate parent is one of these (each of them included)."""
        wanted = set(parent_ids)
        found = set(wanted)
        for provider in self._providers.values():
            try:
                if self.chain(provider.id)[-1].id in wanted:
                    found.add(provider.id)
            except (KeyError, ProviderCycleError):
                continue
        return frozenset(found)

    def find_cycle(self, provider_id: str) -> str | None:
        """The cycle through a provider's parents as text, or None."""
        try:
            self.chain(provider_id)
        except ProviderCycleError as exc:
            return str(exc)
        except KeyError:
            return None
        return None
