"""Who acts: every service takes the acting user, its organisations and permissions explicitly."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from cloudtoets.services.permissions import Permission, permissions_of


class Forbidden(Exception):
    """The actor may see the object but this action is beyond its role."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission
        super().__init__(f"niet toegestaan voor uw rol ({permission.value})")


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting user.

    ``organisations``: the organisations this user acts for, or None for every organisation
    (central roles, and the single local user when logins are switched off). What the user may do
    there follows from ``roles`` (services/permissions.py).
    """

    user: str
    organisations: frozenset[str] | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    request_id: str | None = None
    user_id: int | None = None

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.roles)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            from cloudtoets import security_log

            security_log.event(
                "permission_denied",
                user_id=self.user_id,
                permission=permission.value,
                request_id=self.request_id,
            )
            raise Forbidden(permission)

    @property
    def visible(self) -> Collection[str] | None:
        """The organisations whose register this actor may read (None: all)."""
        if not self.can(Permission.READ_REGISTER):
            return frozenset()
        return self.organisations

    def may_see(self, organisation_id: str) -> bool:
        visible = self.visible
        return visible is None or organisation_id in visible

    @classmethod
    def local(
        cls, user: str, organisation: str | None = None, request_id: str | None = None
    ) -> Actor:
        """The operator at the command line, or the single local user when logins are off:
        every register permission (for one organisation or all), no account management."""
        return cls(
            user=user,
            organisations=frozenset({organisation}) if organisation else None,
            roles=LOCAL_ROLES,
            request_id=request_id,
        )


# The single local user plays every part of the workflow, including CIO Rijk's (a demo or a
# one-person installation); account management stays with real administrator accounts.
LOCAL_ROLES = frozenset({"editor", "approver", "auditor", "cio-rijk"})
