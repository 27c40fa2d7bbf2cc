"""Accounts, logins, sessions and personal API tokens.

Sessions are server-side: the cookie carries a random token (``secrets.token_urlsafe(32)``), the
database only its SHA-256, so a stolen database reveals no usable session. A session ends after
30 minutes without use or 10 hours after login, at logout, or when the account is disabled. Each
login makes a new token (no session fixation). Failed logins are counted per account and per
client address in the database (several app processes share the count) and throttled.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cloudtoets import security_log
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.permissions import Permission, check_roles
from cloudtoets.services.uow import system_session, unit_of_work
from cloudtoets.store.accounts import (
    ApiTokenRow,
    LoginFailureRow,
    SessionRow,
    UserRow,
    count_attempt,
)
from cloudtoets.store.tables import OrganisationRow

IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=10)
TOUCH_INTERVAL = dt.timedelta(minutes=1)  # write last_seen_at at most this often
THROTTLE_WINDOW = dt.timedelta(minutes=15)
THROTTLE_LIMIT = 5  # failures per key and window before logins are refused
TOKEN_PREFIX = "ct_"

_hasher = PasswordHasher()
# verifying against this for unknown accounts takes as long as for known ones
_DUMMY_HASH = _hasher.hash("geen-account")


class LoginRefused(Exception):
    """Wrong name or password, disabled account, or too many attempts (not told apart)."""

    def __init__(self, throttled: bool = False) -> None:
        self.throttled = throttled
        super().__init__("inloggen geweigerd")


class AccountError(ValueError):
    """An account request that cannot be carried out; the message is Dutch."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_of(token: str) -> str:
    """The CSRF token of the session with cookie ``token``: a keyed hash of the session token,
    so the server can show it on every page without storing it. The database holds only its
    ``digest``: a copy of the sessions table gives neither a session nor its CSRF token."""
    mac = hmac.new(token.encode(), b"cloudtoets-csrf", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; everything here is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def actor_for(user: UserRow, request_id: str | None = None) -> Actor:
    central = user.organisation_id is None
    return Actor(
        user=user.username,
        organisations=None if central else frozenset({user.organisation_id}),  # type: ignore[arg-type]
        roles=frozenset(user.roles),
        request_id=request_id,
        user_id=user.id,
    )


@dataclass(frozen=True, slots=True)
class Login:
    token: str  # goes into the cookie; never stored
    csrf_token: str
    actor: Actor


# --- accounts --------------------------------------------------------------------------------


def create_user(
    register: Register,
    actor: Actor,
    username: str,
    *,
    display_name: str | None = None,
    organisation: str | None = None,
    roles: list[str],
    password: str | None = None,
    oidc_subject: str | None = None,
) -> UserRow:
    actor.require(Permission.MANAGE_ACCOUNTS)
    problem = check_roles(roles, organisation)
    if problem:
        raise AccountError(problem)
    if password is not None and len(password) < 12:
        raise AccountError("een wachtwoord heeft minstens 12 tekens")
    with unit_of_work(register.sessions, actor, system=True) as uow:
        session = uow.session
        if session.scalar(select(UserRow).where(UserRow.username == username)) is not None:
            raise AccountError(f"er is al een account '{username}'")
        if organisation is not None and session.get(OrganisationRow, organisation) is None:
            raise AccountError(f"onbekende organisatie '{organisation}'")
        user = UserRow(
            username=username,
            display_name=display_name or username,
            organisation_id=organisation,
            roles=sorted(roles),
            password_hash=_hasher.hash(password) if password is not None else None,
            oidc_subject=oidc_subject,
        )
        session.add(user)
        session.flush()
        uow.audit(
            "create",
            "user",
            username,
            organisation_id=organisation,
            after={"username": username, "organisation": organisation, "roles": sorted(roles)},
        )
        return user


def list_users(register: Register, actor: Actor) -> list[UserRow]:
    actor.require(Permission.MANAGE_ACCOUNTS)
    with system_session(register.sessions) as session:
        return list(session.scalars(select(UserRow).order_by(UserRow.username)))


def set_disabled(register: Register, actor: Actor, username: str, disabled: bool = True) -> None:
    """Disable (or enable) an account; disabling ends its sessions and tokens at once."""
    actor.require(Permission.MANAGE_ACCOUNTS)
    with unit_of_work(register.sessions, actor, system=True) as uow:
        user = uow.session.scalar(select(UserRow).where(UserRow.username == username))
        if user is None:
            raise AccountError(f"geen account '{username}'")
        user.disabled = disabled
        if disabled:  # sessions and tokens end for good; enabling again does not revive them
            uow.session.execute(delete(SessionRow).where(SessionRow.user_id == user.id))
            for token in uow.session.scalars(
                select(ApiTokenRow).where(
                    ApiTokenRow.user_id == user.id, ApiTokenRow.revoked_at.is_(None)
                )
            ):
                token.revoked_at = register.now()
        uow.audit(
            "disable" if disabled else "enable",
            "user",
            username,
            organisation_id=user.organisation_id,
        )


# --- logins and sessions ---------------------------------------------------------------------


class _Throttled(Exception):
    """A key is over the limit: the reservation is rolled back, nothing is counted."""


def _reserve(register: Register, keys: list[str], now: dt.datetime) -> bool:
    """Count this attempt as a failure for every key before the password is checked; False (and
    nothing counted) when a key has had THROTTLE_LIMIT attempts in its window.

    Counting first, in one short transaction with an atomic upsert per key, makes check and count
    one step: of any number of simultaneous attempts, at most THROTTLE_LIMIT get their password
    checked. A successful login forgets the count again (``_start``).
    """
    try:
        with system_session(register.sessions) as session, session.begin():
            for key in keys:  # always in this order: concurrent attempts cannot deadlock
                if count_attempt(session, key, now, THROTTLE_WINDOW) > THROTTLE_LIMIT:
                    raise _Throttled
    except _Throttled:
        return False
    return True


def _new_session(
    session: Session, user: UserRow, now: dt.datetime, request_id: str | None
) -> Login:
    token = secrets.token_urlsafe(32)
    csrf = csrf_token_of(token)
    session.add(
        SessionRow(
            token_hash=digest(token),
            user_id=user.id,
            csrf_token_hash=digest(csrf),
            created_at=now,
            last_seen_at=now,
            expires_at=now + ABSOLUTE_TIMEOUT,
        )
    )
    return Login(token, csrf, actor_for(user, request_id))


def login(
    register: Register,
    username: str,
    password: str,
    *,
    client: str,
    previous_token: str | None = None,
    request_id: str | None = None,
) -> Login:
    """Check a local account's password and start a new session (ending ``previous_token``).

    The attempt is counted for the account and for the client address before the password is
    checked (``_reserve``); only a successful login forgets the failures.
    """
    now = register.now()
    keys = [f"user:{username.lower()}", f"client:{client}"]
    if not _reserve(register, keys, now):
        security_log.event("login_throttled", user=security_log.name_hash(username), client=client)
        raise LoginRefused(throttled=True)
    with system_session(register.sessions) as session:
        user = session.scalar(select(UserRow).where(UserRow.username == username))
        user_id = user.id if user is not None else None
        stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
        usable = user is not None and user.password_hash is not None and not user.disabled
    try:  # outside any transaction: a slow hash holds no lock
        _hasher.verify(stored, password)
        ok = usable
    except (VerificationError, InvalidHashError):
        ok = False
    started = None
    if ok:
        with system_session(register.sessions) as session, session.begin():
            user = session.get(UserRow, user_id)
            if user is not None and not user.disabled:  # not disabled meanwhile
                started = _start(session, user, keys, now, previous_token, request_id)
    if started is None:  # the failure stays counted
        security_log.event("login_failed", user=security_log.name_hash(username), client=client)
        raise LoginRefused()
    security_log.event("login", user_id=started.actor.user_id, client=client, request_id=request_id)
    return started


def _start(
    session: Session,
    user: UserRow,
    keys: list[str],
    now: dt.datetime,
    previous_token: str | None,
    request_id: str | None,
) -> Login:
    """Forget the failures, end the previous session (no fixation), begin a new one."""
    for key in keys:
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == key))
    if previous_token:
        session.execute(delete(SessionRow).where(SessionRow.token_hash == digest(previous_token)))
    return _new_session(session, user, now, request_id)


def login_external(
    register: Register,
    user_id: int,
    *,
    previous_token: str | None = None,
    request_id: str | None = None,
) -> Login:
    """Start a session for an account whose identity an OpenID Connect provider confirmed."""
    now = register.now()
    with system_session(register.sessions) as session, session.begin():
        user = session.get(UserRow, user_id)
        if user is None or user.disabled:
            raise LoginRefused()
        if previous_token:
            session.execute(
                delete(SessionRow).where(SessionRow.token_hash == digest(previous_token))
            )
        return _new_session(session, user, now, request_id)


def resolve_session(
    register: Register, token: str, request_id: str | None = None
) -> tuple[Actor, str] | None:
    """The actor and CSRF token of a live session, or None (unknown, expired, disabled)."""
    now = register.now()
    with system_session(register.sessions) as session, session.begin():
        row = session.get(SessionRow, digest(token))
        if row is None:
            return None
        user = session.get(UserRow, row.user_id)
        expired = _aware(row.expires_at) <= now or _aware(row.last_seen_at) + IDLE_TIMEOUT <= now
        if user is None or user.disabled or expired:
            session.delete(row)
            return None
        csrf = csrf_token_of(token)
        if not hmac.compare_digest(digest(csrf), row.csrf_token_hash):
            return None  # a session from before CSRF tokens were derived: log in again
        if _aware(row.last_seen_at) + TOUCH_INTERVAL <= now:
            row.last_seen_at = now
        return actor_for(user, request_id), csrf


def logout(register: Register, token: str) -> None:
    with system_session(register.sessions) as session, session.begin():
        session.execute(delete(SessionRow).where(SessionRow.token_hash == digest(token)))
    security_log.event("logout")


# --- personal API tokens ---------------------------------------------------------------------


def create_token(register: Register, actor: Actor, username: str, name: str) -> str:
    """A new bearer token for ``username`` (the user itself, or an administrator). Shown once."""
    with unit_of_work(register.sessions, actor, system=True) as uow:
        user = uow.session.scalar(select(UserRow).where(UserRow.username == username))
        if user is None or (user.id != actor.user_id and not actor.can(Permission.MANAGE_ACCOUNTS)):
            raise AccountError(f"geen account '{username}'")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        uow.session.add(ApiTokenRow(user_id=user.id, name=name, token_hash=digest(token)))
        uow.audit("create", "api-token", f"{username}/{name}", organisation_id=user.organisation_id)
        return token


def revoke_token(register: Register, actor: Actor, username: str, name: str) -> int:
    with unit_of_work(register.sessions, actor, system=True) as uow:
        user = uow.session.scalar(select(UserRow).where(UserRow.username == username))
        if user is None or (user.id != actor.user_id and not actor.can(Permission.MANAGE_ACCOUNTS)):
            raise AccountError(f"geen account '{username}'")
        rows = uow.session.scalars(
            select(ApiTokenRow).where(
                ApiTokenRow.user_id == user.id,
                ApiTokenRow.name == name,
                ApiTokenRow.revoked_at.is_(None),
            )
        ).all()
        for row in rows:
            row.revoked_at = register.now()
        if rows:
            uow.audit(
                "revoke", "api-token", f"{username}/{name}", organisation_id=user.organisation_id
            )
        return len(rows)


def resolve_token(register: Register, token: str, request_id: str | None = None) -> Actor | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    now = register.now()
    with system_session(register.sessions) as session, session.begin():
        row = session.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == digest(token)))
        if row is None or row.revoked_at is not None:
            return None
        user = session.get(UserRow, row.user_id)
        if user is None or user.disabled:
            return None
        if row.last_used_at is None or _aware(row.last_used_at) + TOUCH_INTERVAL <= now:
            row.last_used_at = now
            # once per minute per token is enough to see which tokens are in use
            security_log.event(
                "token_used", user_id=user.id, token_id=row.id, request_id=request_id
            )
        return actor_for(user, request_id)
