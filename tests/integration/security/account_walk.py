"""What the route walk needs for the account routes: an account of its own to manage, and the
caller's own tokens and sessions.

The walk's account (``ACCOUNT``) is made once before the walk (``prepare``), so calls that may
not change it find it unchanged; only the administrator's builds write (a token to revoke, a
secret to switch off), and its calls are allowed to change accounts anyway.
"""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select

from cloudtoets.services import accounts
from cloudtoets.services.uow import system_session
from cloudtoets.store.accounts import UserRow

from .conftest import ADMIN, PASSWORDS

ACCOUNT = "routewandeling-account"
PASSWORD = "routewandeling-wachtwoord"
_numbers = itertools.count(1)


def prepare(register: Any) -> None:
    accounts.create_user(
        register, ADMIN, ACCOUNT, organisation="fin", roles=["viewer"], password=PASSWORD
    )


def _is_admin(principal: Any) -> bool:
    return "admin" in principal.roles


def new_account(walk: Any, call: Any, target: Any, principal: Any) -> None:
    call.data = {
        "gebruikersnaam": f"wandeling-{next(_numbers)}",
        "naam": "Nieuw in de routewandeling",
        "organisatie": "fin",
        "rollen": ["viewer"],
        "wachtwoord": PASSWORD,
    }


def other_name(walk: Any, call: Any, target: Any, principal: Any) -> None:
    call.data = {
        "naam": f"Routewandeling {next(_numbers)}",
        "organisatie": "fin",
        "rollen": ["viewer"],
    }


def new_password(walk: Any, call: Any, target: Any, principal: Any) -> None:
    call.data = {"wachtwoord": f"{PASSWORD}-{next(_numbers)}"}


def with_second_factor(walk: Any, call: Any, target: Any, principal: Any) -> None:
    """The administrator switches off a second factor the account has."""
    if not _is_admin(principal):
        return
    with system_session(walk.register.sessions) as session, session.begin():
        user = session.scalar(select(UserRow).where(UserRow.username == ACCOUNT))
        assert user is not None
        user.totp_secret, user.totp_enabled = "JBSWY3DPEHPK3PXP", True


def token_to_revoke(walk: Any, call: Any, target: Any, principal: Any) -> None:
    if not _is_admin(principal):
        return
    accounts.create_token(walk.register, ADMIN, ACCOUNT, f"intrekken-{next(_numbers)}")
    newest = accounts.tokens_of(walk.register, ADMIN, ACCOUNT)[0]
    call.url = f"/beheer/accounts/{ACCOUNT}/tokens/{newest.id}/intrekken"


def own_token(walk: Any, call: Any, target: Any, principal: Any) -> None:
    if principal.username is None:
        return
    accounts.create_token(walk.register, ADMIN, principal.username, f"eigen-{next(_numbers)}")
    newest = accounts.tokens_of(walk.register, ADMIN, principal.username)[0]
    call.url = f"/account/tokens/{newest.id}/intrekken"


def own_session(walk: Any, call: Any, target: Any, principal: Any) -> None:
    """Another session of the caller's own, to end from the account page."""
    if principal.username is None:
        return
    other = accounts.login(walk.register, principal.username, principal.password, client="walk")
    call.url = f"/account/sessies/{accounts.digest(other.token)}/beeindigen"


def same_password(walk: Any, call: Any, target: Any, principal: Any) -> None:
    """The password changed to itself: the account page's change, the demo password kept."""
    password = PASSWORDS.get(principal.username or "", "")
    call.data = {"huidig": password, "nieuw": password, "herhaling": password}


def wrong_code(walk: Any, call: Any, target: Any, principal: Any) -> None:
    call.data = {"code": "geen-code"}
