"""The second factor of a local account: a time-based code (TOTP, RFC 6238) from an app.

The time comes from the register's clock, never from the system: ``pyotp`` gets the moment with
``for_time``. A code is accepted in its own 30-second step and the steps next to it (a phone's
clock may be a little off), and only once: the step of the last accepted code is stored, and a
code of that step or an earlier one is refused.
"""

from __future__ import annotations

import datetime as dt

import pyotp

from cloudtoets.services.permissions import Role

ISSUER = "cloudtoets"
STEP_SECONDS = 30
# the roles that must use a second factor when the installation says so (CLOUDTOETS_TOTP_REQUIRED)
REQUIRED_FOR = frozenset({Role.ADMIN, Role.APPROVER})


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// address an authenticator app reads (typed in, or as a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type over."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def accepted_step(secret: str, code: str, now: dt.datetime, last_step: int | None) -> int | None:
    """The step of ``code`` if it is valid at ``now`` and newer than ``last_step``, else None."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    for offset in (0, -STEP_SECONDS, STEP_SECONDS):
        moment = now + dt.timedelta(seconds=offset)
        if totp.verify(code, for_time=moment, valid_window=0):
            step = totp.timecode(moment)
            return step if last_step is None or step > last_step else None
    return None


def required(roles: list[str] | frozenset[str], local: bool, setting: bool) -> bool:
    """Whether an account must use the second factor: a local account with a role that needs
    it, on an installation that asks for it."""
    return setting and local and bool(set(roles) & REQUIRED_FOR)
