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
from cloudtoets.domain.clock import amsterdam_date
from cloudtoets.services import second_factor
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.permissions import Permission, check_roles
from cloudtoets.services.uow import UnitOfWork, system_session, unit_of_work
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
MAX_TOKEN_DAYS = 366
MIN_PASSWORD = 12
PENDING_TIMEOUT = dt.timedelta(minutes=5)  # a login waiting for its code

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


class NoSuchAccount(AccountError):
    """No account of that name (a page answers 404)."""


class TokenExpired(Exception):
    """A personal API token past its end date: refused, with the date in the message."""

    def __init__(self, expired_on: dt.date) -> None:
        self.expired_on = expired_on
        super().__init__(f"token verlopen op {expired_on.isoformat()}")


def _require_admin(actor: Actor) -> None:
    """Forbidden (403, saying the administrator may) for every other role; logged."""
    actor.require(Permission.MANAGE_ACCOUNTS)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"een wachtwoord heeft minstens {MIN_PASSWORD} tekens")
    if len(password) > 1000:
        raise AccountError("een wachtwoord heeft hoogstens 1000 tekens")


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
    # "code" or "setup": the password was right, the second factor still has to follow; the
    # session opens no page until then (``complete_login``)
    pending: str | None = None


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
    _require_admin(actor)
    username = username.strip()
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        raise AccountError("een gebruikersnaam heeft 1 tot 100 tekens, zonder spaties")
    problem = check_roles(roles, organisation)
    if problem:
        raise AccountError(problem)
    if password is not None:
        _check_password(password)
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
    _require_admin(actor)
    with system_session(register.sessions) as session:
        return list(session.scalars(select(UserRow).order_by(UserRow.username)))


def set_disabled(register: Register, actor: Actor, username: str, disabled: bool = True) -> None:
    """Disable (or enable) an account; disabling ends its sessions and tokens at once."""
    _require_admin(actor)
    with unit_of_work(register.sessions, actor, system=True) as uow:
        user = uow.session.scalar(select(UserRow).where(UserRow.username == username))
        if user is None:
            raise NoSuchAccount(f"geen account '{username}'")
        user.disabled = disabled
        if disabled:  # sessions and tokens end for good; enabling again does not revive them
            uow.session.execute(delete(SessionRow).where(SessionRow.user_id == user.id))
            for token in uow.session.scalars(
                select(ApiTokenRow).where(
                    ApiTokenRow.user_id == user.id, ApiTokenRow.revoked_at.is_(None)
                )
            ):
                token.revoked_at = register.now()
        if disabled and user.id == actor.user_id:
            raise AccountError("u kunt uw eigen account niet uitschakelen")
        uow.audit(
            "disable" if disabled else "enable",
            "user",
            username,
            organisation_id=user.organisation_id,
        )


@dataclass(frozen=True, slots=True)
class AccountView:
    """An account as the administrator sees it (never its secrets)."""

    id: int
    username: str
    display_name: str
    organisation_id: str | None
    roles: tuple[str, ...]
    local: bool  # has a password (otherwise OpenID Connect)
    oidc_subject: str | None
    disabled: bool
    second_factor: bool
    created_at: dt.datetime


def _view(user: UserRow) -> AccountView:
    return AccountView(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        organisation_id=user.organisation_id,
        roles=tuple(sorted(user.roles)),
        local=user.password_hash is not None,
        oidc_subject=user.oidc_subject,
        disabled=user.disabled,
        second_factor=user.totp_enabled,
        created_at=_aware(user.created_at),
    )


def accounts_overview(register: Register, actor: Actor) -> list[AccountView]:
    """Every account, by name."""
    return [_view(user) for user in list_users(register, actor)]


def _user_named(session: Session, username: str) -> UserRow:
    user = session.scalar(select(UserRow).where(UserRow.username == username))
    if user is None:
        raise NoSuchAccount(f"geen account '{username}'")
    return user


def account(register: Register, actor: Actor, username: str) -> AccountView:
    _require_admin(actor)
    with system_session(register.sessions) as session:
        return _view(_user_named(session, username))


def update_user(
    register: Register,
    actor: Actor,
    username: str,
    *,
    roles: list[str],
    organisation: str | None,
    display_name: str | None = None,
) -> None:
    """Change an account's roles, organisation and name. A change of roles or organisation ends
    its sessions: what the account may do is read at login."""
    _require_admin(actor)
    problem = check_roles(roles, organisation)
    if problem:
        raise AccountError(problem)
    with unit_of_work(register.sessions, actor, system=True) as uow:
        session = uow.session
        user = _user_named(session, username)
        if user.id == actor.user_id and "admin" not in roles:
            raise AccountError("u kunt uzelf de rol beheerder niet afnemen")
        if organisation is not None and session.get(OrganisationRow, organisation) is None:
            raise AccountError(f"onbekende organisatie '{organisation}'")
        before = {
            "organisation": user.organisation_id,
            "roles": sorted(user.roles),
            "display_name": user.display_name,
        }
        new_roles = sorted(set(roles))
        new_name = (display_name or "").strip()[:200] or user.display_name
        after = {"organisation": organisation, "roles": new_roles, "display_name": new_name}
        if before == after:
            return
        user.organisation_id, user.roles, user.display_name = organisation, new_roles, new_name
        if before["organisation"] != organisation or before["roles"] != new_roles:
            session.execute(delete(SessionRow).where(SessionRow.user_id == user.id))
        uow.audit(
            "update", "user", username, organisation_id=organisation, before=before, after=after
        )


def set_password(register: Register, actor: Actor, username: str, password: str) -> None:
    """The administrator sets a new password (the user lost it); the account's sessions end.
    The administrator hands it over; the user changes it on the account page."""
    _require_admin(actor)
    _check_password(password)
    with unit_of_work(register.sessions, actor, system=True) as uow:
        user = _user_named(uow.session, username)
        if user.password_hash is None:
            raise AccountError(
                f"'{username}' logt in via OpenID Connect en heeft geen wachtwoord in cloudtoets"
            )
        user.password_hash = _hasher.hash(password)
        uow.session.execute(delete(SessionRow).where(SessionRow.user_id == user.id))
        uow.audit("reset-password", "user", username, organisation_id=user.organisation_id)


def reset_second_factor(register: Register, actor: Actor, username: str) -> None:
    """Switch off an account's second factor (a lost phone): it sets it up again."""
    _require_admin(actor)
    with unit_of_work(register.sessions, actor, system=True) as uow:
        user = _user_named(uow.session, username)
        if not user.totp_enabled and user.totp_secret is None:
            return
        user.totp_secret, user.totp_enabled, user.totp_last_step = None, False, None
        uow.session.execute(delete(SessionRow).where(SessionRow.user_id == user.id))
        uow.audit("reset-second-factor", "user", username, organisation_id=user.organisation_id)


def change_own_password(
    register: Register, actor: Actor, current: str, new: str, *, keep_session: str | None
) -> None:
    """The user's own new password, after the current one; its other sessions end."""
    _check_password(new)
    with system_session(register.sessions) as session:
        user = session.get(UserRow, actor.user_id) if actor.user_id is not None else None
        stored = user.password_hash if user is not None else None
    if stored is None:
        raise AccountError("uw account heeft geen wachtwoord in cloudtoets (OpenID Connect)")
    try:
        _hasher.verify(stored, current)
    except (VerificationError, InvalidHashError):
        raise AccountError("uw huidige wachtwoord klopt niet") from None
    with unit_of_work(register.sessions, actor, system=True) as uow:
        user = uow.session.get(UserRow, actor.user_id)
        assert user is not None
        user.password_hash = _hasher.hash(new)
        others = delete(SessionRow).where(SessionRow.user_id == user.id)
        if keep_session is not None:
            others = others.where(SessionRow.token_hash != digest(keep_session))
        uow.session.execute(others)
        uow.audit("change-password", "user", user.username, organisation_id=user.organisation_id)


# --- the second factor ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SecondFactorSetup:
    secret: str
    uri: str  # otpauth://, for an authenticator app


def _setup_of(user: UserRow) -> SecondFactorSetup:
    assert user.totp_secret is not None
    return SecondFactorSetup(
        second_factor.grouped(user.totp_secret),
        second_factor.provisioning_uri(user.totp_secret, user.username),
    )


def start_second_factor(register: Register, actor: Actor) -> SecondFactorSetup:
    """A new secret for the user's own account, not yet in use until confirmed with a code."""
    with system_session(register.sessions) as session, session.begin():
        user = session.get(UserRow, actor.user_id) if actor.user_id is not None else None
        if user is None or user.password_hash is None:
            raise AccountError(
                "alleen een account met een wachtwoord in cloudtoets kan een tweede stap krijgen"
            )
        if user.totp_enabled:
            raise AccountError("de tweede stap staat al aan")
        user.totp_secret = second_factor.new_secret()
        return _setup_of(user)


def _take_code(register: Register, user: UserRow, code: str) -> bool:
    """Whether ``code`` is valid now and not used before; remembers its step when it is."""
    if user.totp_secret is None:
        return False
    step = second_factor.accepted_step(user.totp_secret, code, register.now(), user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def confirm_second_factor(register: Register, actor: Actor, code: str) -> None:
    with unit_of_work(register.sessions, actor, system=True) as uow:
        user = uow.session.get(UserRow, actor.user_id) if actor.user_id is not None else None
        if user is None or user.totp_secret is None or user.totp_enabled:
            raise AccountError("begin opnieuw met het instellen van de tweede stap")
        if not _take_code(register, user, code):
            raise AccountError(
                "de code klopt niet; neem de nieuwste code van zes cijfers uit uw app"
            )
        user.totp_enabled = True
        uow.audit(
            "enable-second-factor", "user", user.username, organisation_id=user.organisation_id
        )


def disable_second_factor(register: Register, actor: Actor, code: str) -> None:
    with unit_of_work(register.sessions, actor, system=True) as uow:
        user = uow.session.get(UserRow, actor.user_id) if actor.user_id is not None else None
        if user is None or not user.totp_enabled:
            raise AccountError("de tweede stap staat niet aan")
        if second_factor.required(
            user.roles, user.password_hash is not None, register.settings.totp_required
        ):
            raise AccountError(
                "voor uw rol is de tweede stap verplicht; u kunt haar niet uitzetten"
            )
        if not _take_code(register, user, code):
            raise AccountError(
                "de code klopt niet; neem de nieuwste code van zes cijfers uit uw app"
            )
        user.totp_secret, user.totp_enabled, user.totp_last_step = None, False, None
        uow.audit(
            "disable-second-factor", "user", user.username, organisation_id=user.organisation_id
        )


@dataclass(frozen=True, slots=True)
class OwnAccount:
    """What the account page shows of the user's own account."""

    display_name: str
    local: bool
    second_factor: bool
    second_factor_required: bool


def own_account(register: Register, actor: Actor) -> OwnAccount | None:
    """None for the local user without an account (auth_mode local)."""
    if actor.user_id is None:
        return None
    with system_session(register.sessions) as session:
        user = session.get(UserRow, actor.user_id)
        if user is None:
            return None
        local = user.password_hash is not None
        return OwnAccount(
            user.display_name,
            local,
            user.totp_enabled,
            second_factor.required(user.roles, local, register.settings.totp_required),
        )


# --- sessions seen by their user ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionView:
    id: str  # the session token's digest: names it, opens nothing
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime
    current: bool


def own_sessions(register: Register, actor: Actor, current: str | None) -> list[SessionView]:
    if actor.user_id is None:
        return []
    mine = digest(current) if current else None
    with system_session(register.sessions) as session:
        rows = session.scalars(
            select(SessionRow)
            .where(SessionRow.user_id == actor.user_id, SessionRow.pending.is_(None))
            .order_by(SessionRow.created_at.desc())
        ).all()
        return [
            SessionView(
                row.token_hash,
                _aware(row.created_at),
                _aware(row.last_seen_at),
                _aware(row.expires_at),
                row.token_hash == mine,
            )
            for row in rows
        ]


def end_own_session(register: Register, actor: Actor, session_id: str) -> int:
    """End one of the user's own sessions (logging out elsewhere); how many ended (0 or 1)."""
    if actor.user_id is None:
        return 0
    with system_session(register.sessions) as session, session.begin():
        ended = session.execute(
            delete(SessionRow).where(
                SessionRow.user_id == actor.user_id, SessionRow.token_hash == session_id
            )
        )
    security_log.event("session_ended", user_id=actor.user_id, request_id=actor.request_id)
    return int(getattr(ended, "rowcount", 0) or 0)


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
    session: Session,
    user: UserRow,
    now: dt.datetime,
    request_id: str | None,
    pending: str | None = None,
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
            expires_at=now + (PENDING_TIMEOUT if pending else ABSOLUTE_TIMEOUT),
            pending=pending,
        )
    )
    return Login(token, csrf, actor_for(user, request_id), pending)


def _second_step(register: Register, user: UserRow) -> str | None:
    """What a correct password still needs: "code", "setup" (first a secret), or nothing."""
    if user.totp_enabled:
        return "code"
    local = user.password_hash is not None
    if second_factor.required(user.roles, local, register.settings.totp_required):
        if user.totp_secret is None:
            user.totp_secret = second_factor.new_secret()
        return "setup"
    return None


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
                pending = _second_step(register, user)
                started = _start(session, user, keys, now, previous_token, request_id, pending)
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
    pending: str | None = None,
) -> Login:
    """Forget the failures, end the previous session (no fixation), begin a new one."""
    for key in keys:
        session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == key))
    if previous_token:
        session.execute(delete(SessionRow).where(SessionRow.token_hash == digest(previous_token)))
    return _new_session(session, user, now, request_id, pending)


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """A login that waits for its code; ``setup`` when the user still has to set it up."""

    username: str
    setup: SecondFactorSetup | None


def _pending_row(session: Session, token: str, now: dt.datetime) -> SessionRow | None:
    row = session.get(SessionRow, digest(token))
    if row is None or row.pending is None:
        return None
    if _aware(row.expires_at) <= now:
        session.delete(row)
        return None
    return row


def pending_login(register: Register, token: str) -> PendingLogin | None:
    """The login waiting behind the cookie ``token``, or None (none, or too late)."""
    with system_session(register.sessions) as session, session.begin():
        row = _pending_row(session, token, register.now())
        user = session.get(UserRow, row.user_id) if row is not None else None
        if row is None or user is None or user.disabled:
            return None
        if row.pending == "setup" and user.totp_secret is not None:
            return PendingLogin(user.username, _setup_of(user))
        return PendingLogin(user.username, None)


def complete_login(
    register: Register,
    token: str,
    code: str,
    *,
    client: str,
    request_id: str | None = None,
) -> Login:
    """The second step of a login: a valid code turns the waiting login into a session (a new
    token: no fixation). Wrong codes count like wrong passwords (``_reserve``)."""
    now = register.now()
    with system_session(register.sessions) as session:
        row = _pending_row(session, token, now)
        user_id = row.user_id if row is not None else None
    if user_id is None:
        raise LoginRefused()
    keys = [f"code:{user_id}", f"client:{client}"]
    if not _reserve(register, keys, now):
        security_log.event("login_throttled", user_id=user_id, client=client)
        raise LoginRefused(throttled=True)
    with system_session(register.sessions) as session, session.begin():
        row = _pending_row(session, token, now)
        user = session.get(UserRow, user_id)
        if row is None or user is None or user.disabled or not _take_code(register, user, code):
            security_log.event("second_factor_failed", user_id=user_id, client=client)
            raise LoginRefused()
        if row.pending == "setup" and not user.totp_enabled:
            user.totp_enabled = True
            session.flush()
            himself = Actor(user.username, request_id=request_id, user_id=user.id)
            _audit_in(session, himself, "enable-second-factor", user)
        started = _start(session, user, keys, now, token, request_id)
    security_log.event("login", user_id=user_id, client=client, request_id=request_id)
    return started


def _audit_in(session: Session, actor: Actor, action: str, user: UserRow) -> None:
    """An audit record in a transaction that is not a unit of work (the login's own)."""
    work = UnitOfWork(session, actor)
    work.audit(action, "user", user.username, organisation_id=user.organisation_id)
    work.append_audit()


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
        if row.pending is not None:
            return None  # waits for its second factor (complete_login)
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


def create_token(
    register: Register, actor: Actor, username: str, name: str, days: int | None = None
) -> str:
    """A new bearer token for ``username`` (the user itself, or an administrator), working for
    ``days`` days (CLOUDTOETS_TOKEN_DAYS when None). Shown once."""
    days = register.settings.token_days if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(f"een token werkt 1 tot en met {MAX_TOKEN_DAYS} dagen")
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError("de naam van een token heeft 1 tot 100 tekens")
    now = register.now()
    with unit_of_work(register.sessions, actor, system=True) as uow:
        user = uow.session.scalar(select(UserRow).where(UserRow.username == username))
        if user is None or (user.id != actor.user_id and not actor.can(Permission.MANAGE_ACCOUNTS)):
            raise NoSuchAccount(f"geen account '{username}'")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires = now + dt.timedelta(days=days)
        uow.session.add(
            ApiTokenRow(
                user_id=user.id,
                name=name,
                token_hash=digest(token),
                created_at=now,
                expires_at=expires,
            )
        )
        uow.audit(
            "create",
            "api-token",
            f"{username}/{name}",
            organisation_id=user.organisation_id,
            after={"expires_at": expires.isoformat(timespec="seconds")},
        )
        return token


@dataclass(frozen=True, slots=True)
class TokenView:
    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None  # None: made before tokens had an end
    revoked_at: dt.datetime | None
    expired: bool

    @property
    def active(self) -> bool:
        return self.revoked_at is None and not self.expired


def tokens_of(register: Register, actor: Actor, username: str) -> list[TokenView]:
    """The tokens of ``username`` (one's own, or any for an administrator), newest first."""
    now = register.now()
    with system_session(register.sessions) as session:
        user = session.scalar(select(UserRow).where(UserRow.username == username))
        if user is None or (user.id != actor.user_id and not actor.can(Permission.MANAGE_ACCOUNTS)):
            raise NoSuchAccount(f"geen account '{username}'")
        rows = session.scalars(
            select(ApiTokenRow)
            .where(ApiTokenRow.user_id == user.id)
            .order_by(ApiTokenRow.id.desc())
        ).all()
        return [
            TokenView(
                row.id,
                row.name,
                _aware(row.created_at),
                _aware(row.last_used_at) if row.last_used_at else None,
                _aware(row.expires_at) if row.expires_at else None,
                _aware(row.revoked_at) if row.revoked_at else None,
                row.expires_at is not None and _aware(row.expires_at) <= now,
            )
            for row in rows
        ]


def revoke_token_id(register: Register, actor: Actor, username: str, token_id: int) -> bool:
    """Revoke one token by its number; False when it was already revoked."""
    with unit_of_work(register.sessions, actor, system=True) as uow:
        user = uow.session.scalar(select(UserRow).where(UserRow.username == username))
        if user is None or (user.id != actor.user_id and not actor.can(Permission.MANAGE_ACCOUNTS)):
            raise NoSuchAccount(f"geen account '{username}'")
        row = uow.session.get(ApiTokenRow, token_id)
        if row is None or row.user_id != user.id:
            raise AccountError(f"geen token {token_id} van '{username}'")
        if row.revoked_at is not None:
            return False
        row.revoked_at = register.now()
        uow.audit(
            "revoke", "api-token", f"{username}/{row.name}", organisation_id=user.organisation_id
        )
        return True


def revoke_token(register: Register, actor: Actor, username: str, name: str) -> int:
    with unit_of_work(register.sessions, actor, system=True) as uow:
        user = uow.session.scalar(select(UserRow).where(UserRow.username == username))
        if user is None or (user.id != actor.user_id and not actor.can(Permission.MANAGE_ACCOUNTS)):
            raise NoSuchAccount(f"geen account '{username}'")
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
    """The actor of a live token, or None; TokenExpired for a token past its end date."""
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
        if row.expires_at is not None and _aware(row.expires_at) <= now:
            security_log.event("token_expired", user_id=user.id, token_id=row.id)
            raise TokenExpired(amsterdam_date(_aware(row.expires_at)))
        if row.last_used_at is None or _aware(row.last_used_at) + TOUCH_INTERVAL <= now:
            row.last_used_at = now
            # once per minute per token is enough to see which tokens are in use
            security_log.event(
                "token_used", user_id=user.id, token_id=row.id, request_id=request_id
            )
        return actor_for(user, request_id)


def current_setup(register: Register, actor: Actor) -> SecondFactorSetup | None:
    """The secret being set up (not yet confirmed), to show it again after a wrong code."""
    if actor.user_id is None:
        return None
    with system_session(register.sessions) as session:
        user = session.get(UserRow, actor.user_id)
        if user is None or user.totp_enabled or user.totp_secret is None:
            return None
        return _setup_of(user)
