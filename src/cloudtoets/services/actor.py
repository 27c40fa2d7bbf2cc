"""Who acts: every service takes the acting user and the organisations it may see explicitly."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting user.

    ``organisations`` is None for a central user that sees every organisation, otherwise the
    organisations this user acts for. ``roles`` are checked by the services once accounts exist;
    until then a single configurable local user acts (config.Settings.local_user).
    """

    user: str
    organisations: frozenset[str] | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    request_id: str | None = None

    @property
    def visible(self) -> Collection[str] | None:
        """The organisations whose data this actor may read (None: all)."""
        return self.organisations

    def may_see(self, organisation_id: str) -> bool:
        return self.organisations is None or organisation_id in self.organisations
