"""The security event log, seen from outside: the events a SIEM needs, as JSON lines in UTC,
and never a secret (password, session token, CSRF token, API token) or a plain username.

ASVS: v5.0.0-16.3.1 (authentication events, good and bad), v5.0.0-16.3.2 (failed authorisation),
v5.0.0-16.3.3 (attempts to bypass controls: CSRF), v5.0.0-16.2.1 / 16.2.2 (who, what, when, in
UTC), v5.0.0-16.2.5 (no credentials or tokens in the log).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI

from cloudtoets.security_log import name_hash
from cloudtoets.services.context import Register

from .conftest import API, ORIGIN, PASSWORDS, bearer, browser, log_in, token_for


def events(captured: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in captured.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("log") == "security"]


def test_security_events_are_logged_without_secrets(
    app: FastAPI, register: Register, capfd: pytest.CaptureFixture[str]
) -> None:
    client = browser(app)
    client.post(
        "/inloggen",
        data={"gebruikersnaam": "bewerker", "wachtwoord": "fout-wachtwoord-1"},
        headers={"Origin": ORIGIN},
    )
    editor = log_in(browser(app), "bewerker")
    editor.client.post("/uitloggen", headers={"Origin": ORIGIN})  # no CSRF token
    reader = token_for(register, "lezer", "log")
    client.delete(
        f"{API}/registrations/fin-m365-mail", headers={**bearer(reader), "If-Match": '"v1"'}
    )
    client.get(f"{API}/registrations")  # no token
    captured = capfd.readouterr()
    logged = events(captured.out + captured.err)
    names = [e["event"] for e in logged]
    for expected in (
        "login_failed",
        "login",
        "csrf_refused",
        "permission_denied",
        "unauthenticated",
    ):
        assert expected in names, (expected, names)
    failed = next(e for e in logged if e["event"] == "login_failed")
    assert failed["user"] == name_hash("bewerker")  # correlatable, not readable
    for event in logged:
        assert event["timestamp"].endswith(("Z", "+00:00")), event
    text = captured.out + captured.err
    secrets = [editor.session, editor.csrf, reader, "fout-wachtwoord-1", *PASSWORDS.values()]
    for secret in secrets:
        assert secret not in text
    assert '"bewerker"' not in json.dumps(logged)  # usernames only as a hash
