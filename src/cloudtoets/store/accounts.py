"""Tables of identity: accounts, server-side sessions, personal API tokens, login throttling.

Secrets are never stored: sessions and tokens by their SHA-256, passwords as argon2 hashes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    case,
    false,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from cloudtoets.store.clock import now_default
from cloudtoets.store.tables import Base


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # the organisation an account acts for; None for central accounts (cio-rijk, auditor, admin)
    organisation_id: Mapped[str | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str | None] = mapped_column(String(200))  # local accounts only
    oidc_subject: Mapped[str | None] = mapped_column(String(300), unique=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    # second factor (migration 0014): the TOTP secret, whether the user confirmed it with a
    # code, and the 30-second step of the last accepted code (a code counts once)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)


class SessionRow(Base):
    """A login. The cookie holds a random token; only its hash is stored, and only the hash of
    the session's CSRF token (which is derived from the session token: services/accounts.py)."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # absolute limit
    # a login waiting for its second factor: "code" (enter it) or "setup" (set it up first);
    # such a session opens no page (migration 0014)
    pending: Mapped[str | None] = mapped_column(String(10))


class ApiTokenRow(Base):
    """A personal bearer token for the API, shown once at creation."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # None only for tokens made before migration 0014: they work until revoked
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LoginFailureRow(Base):
    """Failed logins per key (username or client address) in the current window."""

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_login_failures_window", "window_start"),)


def count_attempt(session: Session, key: str, now: dt.datetime, window: dt.timedelta) -> int:
    """Count one login attempt for ``key`` and return the count of its window, in one statement.

    ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` (PostgreSQL, SQLite 3.35+): concurrent
    attempts each see their own count, never the same one. A window that began ``window`` or
    longer before ``now`` starts again at ``now`` with this attempt.
    """
    row = LoginFailureRow
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    attempt = insert(row).values(key=key, window_start=now, failures=1)
    over = row.window_start <= now - window
    upsert = attempt.on_conflict_do_update(
        index_elements=[row.key],
        set_={
            "failures": case((over, 1), else_=row.failures + 1),
            "window_start": case((over, attempt.excluded.window_start), else_=row.window_start),
        },
    )
    return int(session.execute(upsert.returning(row.failures)).scalar_one())
