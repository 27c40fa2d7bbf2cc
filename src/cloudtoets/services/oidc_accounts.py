"""Accounts of people an OpenID Connect provider confirmed: found by subject, made on first login.

The provider (usually a broker such as Keycloak in front of SSO-Rijk) is the source of truth for
a person's organisation and roles: every login copies them from the ID token's claims onto the
account, audited like any other change to an account. Claims that the register cannot honour
(an unknown organisation, roles that ``check_roles`` rejects) refuse the login and change
nothing; so does a disabled account.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.permissions import Role, check_roles
from cloudtoets.services.uow import unit_of_work
from cloudtoets.store.accounts import UserRow
from cloudtoets.store.tables import OrganisationRow

# who writes these changes in the audit trail: the provider, acting as an account administrator
OIDC_ACTOR = Actor("oidc", roles=frozenset({Role.ADMIN.value}))
USERNAME_LENGTH = 100  # users.username
SUBJECT_LENGTH = 300  # users.oidc_subject


class OidcRefused(Exception):
    """The provider confirmed who this is, but the register will not let them in. Dutch text."""


@dataclass(frozen=True, slots=True)
class Identity:
    """What the register takes from a validated ID token."""

    subject: str  # "issuer|sub": unique across providers
    username: str  # preferred name for a new account
    display_name: str
    organisation: str | None
    roles: tuple[str, ...]


def _claim(claims: Mapping[str, Any], name: str) -> Any:
    """A claim by name; a dotted name (``realm_access.roles``) walks nested objects."""
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _roles(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(sorted(set(value.split())))
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return tuple(sorted({item.strip() for item in value if item.strip()}))
    raise OidcRefused("De rollen van de inlogdienst hebben een onbekende vorm.")


def _organisation(value: Any) -> str | None:
    if isinstance(value, list) and len(value) == 1:  # brokers often send one-valued lists
        value = value[0]
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        return value.strip()
    raise OidcRefused("De organisatie van de inlogdienst heeft een onbekende vorm.")


def identity_from_claims(
    claims: Mapping[str, Any], *, organisation_claim: str, roles_claim: str
) -> Identity:
    """The identity in validated ID-token claims (``iss`` and ``sub`` are required)."""
    issuer, sub = claims.get("iss"), claims.get("sub")
    if not isinstance(issuer, str) or not isinstance(sub, str) or not issuer or not sub:
        raise OidcRefused("De inlogdienst gaf geen geldige identiteit door.")
    subject = f"{issuer}|{sub}"
    if len(subject) > SUBJECT_LENGTH:
        raise OidcRefused("De identiteit van de inlogdienst is te lang.")
    username = next(
        (
            value.strip()
            for key in ("preferred_username", "email")
            if isinstance(value := claims.get(key), str) and value.strip()
        ),
        sub,
    )
    name = claims.get("name")
    return Identity(
        subject=subject,
        username=username[:USERNAME_LENGTH],
        display_name=(name.strip() if isinstance(name, str) and name.strip() else username)[:200],
        organisation=_organisation(_claim(claims, organisation_claim)),
        roles=_roles(_claim(claims, roles_claim)),
    )


def _free_username(session: Session, identity: Identity) -> str:
    """The preferred name, or with a suffix from the subject when another account has it (a
    local break-glass account ``beheerder`` is never taken over by a provider's ``beheerder``)."""
    wanted = identity.username
    if session.scalar(select(UserRow.id).where(UserRow.username == wanted)) is None:
        return wanted
    suffix = "-" + hashlib.sha256(identity.subject.encode()).hexdigest()[:8]
    return wanted[: USERNAME_LENGTH - len(suffix)] + suffix


def _sync(register: Register, identity: Identity, actor: Actor) -> int:
    with unit_of_work(register.sessions, actor, system=True) as uow:
        session = uow.session
        user = session.scalar(select(UserRow).where(UserRow.oidc_subject == identity.subject))
        if user is not None and user.disabled:
            raise OidcRefused(
                "Uw account in cloudtoets is uitgeschakeld. Neem contact op met de beheerder."
            )
        problem = check_roles(identity.roles, identity.organisation)
        if problem:
            raise OidcRefused(
                f"De rollen die de inlogdienst voor u doorgaf, passen niet: {problem}. "
                "Vraag de beheerder van de inlogdienst om uw rollen te controleren."
            )
        organisation = identity.organisation
        if organisation is not None and session.get(OrganisationRow, organisation) is None:
            raise OidcRefused(
                f"Uw organisatie ({organisation}) staat niet in het register. Vraag de "
                "beheerder van cloudtoets om haar toe te voegen."
            )
        roles = sorted(identity.roles)
        if user is None:
            user = UserRow(
                username=_free_username(session, identity),
                display_name=identity.display_name,
                organisation_id=organisation,
                roles=roles,
                password_hash=None,
                oidc_subject=identity.subject,
                disabled=False,
            )
            session.add(user)
            session.flush()
            uow.audit(
                "create",
                "user",
                user.username,
                organisation_id=organisation,
                after={
                    "username": user.username,
                    "organisation": organisation,
                    "roles": roles,
                    "oidc_subject": identity.subject,
                },
            )
        elif user.organisation_id != organisation or sorted(user.roles) != roles:
            before = {"organisation": user.organisation_id, "roles": sorted(user.roles)}
            user.organisation_id = organisation
            user.roles = roles
            uow.audit(
                "update",
                "user",
                user.username,
                organisation_id=organisation,
                before=before,
                after={"organisation": organisation, "roles": roles},
            )
        return user.id


def sign_in(register: Register, identity: Identity, *, request_id: str | None = None) -> int:
    """The id of the account for ``identity``, made or brought up to date from its claims.

    Raises OidcRefused (nothing stored) for a disabled account, roles that do not fit the
    organisation, or an organisation the register does not know.
    """
    actor = replace(OIDC_ACTOR, request_id=request_id)
    try:
        return _sync(register, identity, actor)
    except IntegrityError:
        # two first logins of one person at once: the other made the account; use it
        return _sync(register, identity, actor)
