"""Roles and what they permit. Organisation roles act within one organisation; central roles
see across organisations (cio-rijk, auditor) or manage the installation (admin).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    APPROVER = "approver"
    CIO_RIJK = "cio-rijk"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Permission(StrEnum):
    READ_REGISTER = "register:read"
    WRITE_REGISTER = "register:write"
    APPROVE = "register:approve"
    READ_ALL_ORGANISATIONS = "register:read-all"
    READ_AUDIT = "audit:read"
    # receive notifications of material use, ask questions, comment and close them (S3.3)
    HANDLE_NOTIFICATIONS = "notifications:handle"
    # the central monitoring of every organisation's obligations
    MONITOR = "monitoring:read"
    MANAGE_ACCOUNTS = "accounts:manage"


ORGANISATION_ROLES = frozenset({Role.VIEWER, Role.EDITOR, Role.APPROVER})
CENTRAL_ROLES = frozenset({Role.CIO_RIJK, Role.AUDITOR, Role.ADMIN})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ_REGISTER}),
    Role.EDITOR: frozenset({Permission.READ_REGISTER, Permission.WRITE_REGISTER}),
    Role.APPROVER: frozenset({Permission.READ_REGISTER, Permission.APPROVE}),
    # reads every organisation and receives notifications; changes no organisation's register
    Role.CIO_RIJK: frozenset(
        {
            Permission.READ_REGISTER,
            Permission.READ_ALL_ORGANISATIONS,
            Permission.HANDLE_NOTIFICATIONS,
            Permission.MONITOR,
        }
    ),
    # reads everything including the audit trail; changes nothing
    Role.AUDITOR: frozenset(
        {
            Permission.READ_REGISTER,
            Permission.READ_ALL_ORGANISATIONS,
            Permission.READ_AUDIT,
            Permission.MONITOR,
        }
    ),
    # accounts and settings, no register content
    Role.ADMIN: frozenset({Permission.MANAGE_ACCOUNTS}),
}

ROLE_LABELS = {
    Role.VIEWER: "lezer",
    Role.EDITOR: "bewerker",
    Role.APPROVER: "accordeerder",
    Role.CIO_RIJK: "CIO Rijk",
    Role.AUDITOR: "auditor",
    Role.ADMIN: "beheerder",
}


def permissions_of(roles: Iterable[str]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        if role in Role._value2member_map_:
            granted |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(granted)


def check_roles(roles: Iterable[str], organisation_id: str | None) -> str | None:
    """Why this combination of roles and organisation is not allowed, or None."""
    roles = set(roles)
    unknown = sorted(roles - set(Role._value2member_map_))
    if unknown:
        return f"onbekende rol(len): {', '.join(unknown)}"
    if not roles:
        return "geef minstens één rol"
    organisation_roles = roles & ORGANISATION_ROLES
    central_roles = roles & CENTRAL_ROLES
    if organisation_roles and organisation_id is None:
        return "de rollen lezer, bewerker en accordeerder horen bij een organisatie"
    if central_roles and organisation_id is not None:
        return "de rollen cio-rijk, auditor en admin horen niet bij één organisatie"
    return None


# what a permission lets one do, as the end of "Alleen een bewerker mag ..."
PERMISSION_ACTIONS: dict[Permission, str] = {
    Permission.READ_REGISTER: "het register lezen",
    Permission.WRITE_REGISTER: "registraties toevoegen, wijzigen, verwijderen of importeren",
    Permission.APPROVE: "concepten accorderen of terugsturen",
    Permission.READ_ALL_ORGANISATIONS: "de registers van alle organisaties lezen",
    Permission.READ_AUDIT: "het auditlogboek lezen",
    Permission.HANDLE_NOTIFICATIONS: "meldingen van materieel gebruik behandelen",
    Permission.MONITOR: "de monitoring van alle organisaties bekijken",
    Permission.MANAGE_ACCOUNTS: "accounts beheren",
}


class _Acting(Protocol):
    """What ``can`` needs of an actor (services/actor.py imports this module)."""

    @property
    def organisations(self) -> frozenset[str] | None: ...

    @property
    def roles(self) -> frozenset[str]: ...

    def can(self, permission: Permission) -> bool: ...


def can(
    actor: _Acting | None, permission: Permission | str, organisation: str | None = None
) -> bool:
    """May this actor take this action, for this organisation (None: for any of its own)?

    The one check behind both what a page offers and what a handler accepts, so a page never
    shows a button whose form would be refused.
    """
    if actor is None:
        return False
    permission = Permission(permission)
    if not actor.can(permission):
        return False
    return (
        organisation is None or actor.organisations is None or organisation in actor.organisations
    )


def _with_article(label: str) -> str:
    return label if label == ROLE_LABELS[Role.CIO_RIJK] else f"een {label}"


def role_names(roles: Iterable[str]) -> str:
    """The roles in Dutch, as in "U bent ingelogd als lezer"."""
    labels = sorted(ROLE_LABELS[Role(r)] for r in roles if r in Role._value2member_map_)
    if not labels:
        return "iemand zonder rol"
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " en " + labels[-1]


def holders(permission: Permission) -> str:
    """Who may: "een bewerker", "CIO Rijk of een auditor"."""
    names = [_with_article(ROLE_LABELS[r]) for r in Role if permission in ROLE_PERMISSIONS[r]]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " of " + names[-1]


def refusal(permission: Permission, roles: Iterable[str]) -> str:
    """The Dutch sentence for a refused action: who may take it, and who is asking."""
    return (
        f"Alleen {holders(permission)} mag {PERMISSION_ACTIONS[permission]}. "
        f"U bent ingelogd als {role_names(roles)}."
    )
