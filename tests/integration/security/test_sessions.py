"""Logging in, sessions and their end: cookie flags, fixation, logout, time-outs, disabled
accounts, throttling, and refusals that do not tell an unknown name from a wrong password.

ASVS: v5.0.0-7.2.3 (random reference token), v5.0.0-7.2.4 (new session token on login, old one
ended), v5.0.0-7.3.1 / 7.3.2 (idle and absolute time-out), v5.0.0-7.4.1 (logout and expiry end the
session), v5.0.0-7.4.2 (disabling an account ends its sessions), v5.0.0-3.3.1 (Secure),
v5.0.0-3.3.2 (SameSite), v5.0.0-3.3.3 (__Host- prefix), v5.0.0-3.3.4 (HttpOnly), v5.0.0-6.3.1
(brute force), v5.0.0-6.3.8 (no account enumeration; level 3, tested anyway), v5.0.0-3.5.1 (login
form only from our own origin), v5.0.0-3.7.2 (no open redirect after login).
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from cloudtoets.services import accounts
from cloudtoets.services.context import Register
from cloudtoets.services.uow import system_session
from cloudtoets.store.accounts import SessionRow

from .conftest import (
    ADMIN,
    API,
    BASE_URL,
    ORIGIN,
    SESSION_COOKIE,
    bearer,
    browser,
    log_in,
    token_for,
)

WRONG = "De gebruikersnaam of het wachtwoord klopt niet."
THROTTLED = "Te veel mislukte pogingen. Wacht een kwartier en probeer het opnieuw."


def post_login(client: TestClient, username: str, password: str, **extra: str) -> object:
    return client.post(
        "/inloggen",
        data={"gebruikersnaam": username, "wachtwoord": password, **extra},
        headers={"Origin": ORIGIN},
    )


def error_text(html: str) -> str:
    """The refusal as the user reads it (the login page's error message)."""
    found = re.search(r'role="alert">.*?<p>(.*?)</p>', html, re.S)
    assert found is not None, "login page without an error message"
    text = found.group(1)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", text))).strip()


def with_cookie(app: FastAPI, token: str) -> TestClient:
    """A browser holding exactly this session cookie value."""
    return TestClient(
        app,
        base_url="https://testserver",
        follow_redirects=False,
        headers={"Cookie": f"{SESSION_COOKIE}={token}"},
    )


def is_live(app: FastAPI, token: str) -> bool:
    """Does this cookie value still open a page, and the API?"""
    client = with_cookie(app, token)
    page = client.get("/account")
    api = client.get(f"{API}/registrations")
    assert (page.status_code == 200) == (api.status_code == 200), (
        page.status_code,
        api.status_code,
    )
    if page.status_code != 200:
        assert page.status_code == 303 and page.headers["location"].startswith("/inloggen")
        assert api.status_code == 401
    return page.status_code == 200


def move_session(register: Register, token: str, **values: dt.datetime) -> None:
    with system_session(register.sessions) as session, session.begin():
        session.execute(
            update(SessionRow)
            .where(SessionRow.token_hash == accounts.digest(token))
            .values(**values)
        )


def session_rows(register: Register, token: str) -> int:
    with system_session(register.sessions) as session:
        return 1 if session.get(SessionRow, accounts.digest(token)) is not None else 0


# ------------------------------------------------------------------------------ the cookie


def test_login_sets_a_host_only_secure_httponly_lax_cookie(client: TestClient) -> None:
    response = post_login(client, "bewerker", "demo-bewerker-2026")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookies = [
        c for c in response.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")
    ]
    assert len(cookies) == 1
    name_value, *attributes = [part.strip() for part in cookies[0].split(";")]
    flags = {
        a.split("=", 1)[0].lower(): (a.split("=", 1)[1] if "=" in a else True) for a in attributes
    }
    assert flags.get("secure") is True
    assert flags.get("httponly") is True
    assert str(flags.get("samesite")).lower() == "lax"
    assert flags.get("path") == "/"
    assert "domain" not in flags  # __Host-: host-only
    token = name_value.split("=", 1)[1]
    assert len(token) >= 43  # secrets.token_urlsafe(32): 256 bits


def test_a_login_page_without_session_sets_no_session_cookie(client: TestClient) -> None:
    response = client.get("/inloggen")
    assert response.status_code == 200
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


# ------------------------------------------------------------------------------ fixation


def test_a_planted_cookie_value_is_not_kept_at_login(app: FastAPI, register: Register) -> None:
    planted = "aanvaller-kent-deze-waarde-al-0123456789abcdefghijkl"
    client = with_cookie(app, planted)
    response = post_login(client, "bewerker", "demo-bewerker-2026")
    assert response.status_code == 303
    issued = response.cookies.get(SESSION_COOKIE)
    assert issued and issued != planted
    assert not is_live(app, planted)
    assert is_live(app, issued)


def test_login_over_a_live_session_replaces_it(app: FastAPI, register: Register) -> None:
    first = log_in(browser(app), "lezer")
    second = log_in(first.client, "bewerker")  # same browser, another login
    assert second.session != first.session
    assert second.csrf != first.csrf  # the CSRF token belongs to the session
    assert not is_live(app, first.session)
    assert session_rows(register, first.session) == 0
    assert is_live(app, second.session)


# ------------------------------------------------------------------------------ logout


def test_logout_ends_the_session_on_the_server(app: FastAPI, register: Register) -> None:
    browser_ = log_in(browser(app), "bewerker")
    response = browser_.client.post(
        "/uitloggen", data={"csrf_token": browser_.csrf}, headers={"Origin": ORIGIN}
    )
    assert response.status_code == 303 and response.headers["location"] == "/inloggen"
    deleted = [
        c for c in response.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")
    ]
    assert deleted and ("max-age=0" in deleted[0].lower() or "expires=" in deleted[0].lower())
    # the old value, replayed from elsewhere, opens nothing any more
    assert not is_live(app, browser_.session)
    assert session_rows(register, browser_.session) == 0


def test_logout_of_one_session_leaves_the_others(app: FastAPI) -> None:
    laptop = log_in(browser(app), "bewerker")
    phone = log_in(browser(app), "bewerker")
    laptop.client.post("/uitloggen", data={"csrf_token": laptop.csrf}, headers={"Origin": ORIGIN})
    assert not is_live(app, laptop.session)
    assert is_live(app, phone.session)


# ------------------------------------------------------------------------------ time-outs


def test_idle_time_out_ends_the_session(app: FastAPI, register: Register) -> None:
    now = register.now()
    quiet, idle = log_in(browser(app), "lezer"), log_in(browser(app), "lezer")
    move_session(
        register, quiet.session, last_seen_at=now - accounts.IDLE_TIMEOUT + dt.timedelta(minutes=2)
    )
    move_session(
        register, idle.session, last_seen_at=now - accounts.IDLE_TIMEOUT - dt.timedelta(seconds=5)
    )
    assert is_live(app, quiet.session)  # 28 minutes quiet: still there
    assert not is_live(app, idle.session)
    assert session_rows(register, idle.session) == 0  # removed, not only refused


def test_use_keeps_a_session_alive(app: FastAPI, register: Register) -> None:
    now = register.now()
    busy = log_in(browser(app), "lezer")
    move_session(register, busy.session, last_seen_at=now - dt.timedelta(minutes=20))
    assert is_live(app, busy.session)  # the request moves last_seen_at on
    with system_session(register.sessions) as session:
        row = session.get(SessionRow, accounts.digest(busy.session))
        assert row is not None
        seen = (
            row.last_seen_at if row.last_seen_at.tzinfo else row.last_seen_at.replace(tzinfo=dt.UTC)
        )
        assert now - seen < dt.timedelta(minutes=1)


def test_absolute_time_out_ends_even_a_busy_session(app: FastAPI, register: Register) -> None:
    now = register.now()
    busy = log_in(browser(app), "lezer")
    with system_session(register.sessions) as session:
        row = session.get(SessionRow, accounts.digest(busy.session))
        assert row is not None
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
        assert expires - created == accounts.ABSOLUTE_TIMEOUT == dt.timedelta(hours=10)
    move_session(
        register,
        busy.session,
        created_at=now - dt.timedelta(hours=10, minutes=1),
        last_seen_at=now,
        expires_at=now - dt.timedelta(minutes=1),
    )
    assert not is_live(app, busy.session)
    assert session_rows(register, busy.session) == 0


# ------------------------------------------------------------------------------ disabling


def test_disabling_an_account_ends_its_sessions_and_tokens_at_once(
    app: FastAPI, register: Register
) -> None:
    editor = log_in(browser(app), "bewerker")
    token = token_for(register, "bewerker")
    colleague = log_in(browser(app), "lezer")
    assert is_live(app, editor.session)
    assert editor.client.get(f"{API}/registrations", headers=bearer(token)).status_code == 200

    accounts.set_disabled(register, ADMIN, "bewerker")

    assert not is_live(app, editor.session)
    api = browser(app).get(f"{API}/registrations", headers=bearer(token))
    assert api.status_code == 401
    assert is_live(app, colleague.session)  # only that account
    # and the right password no longer opens it, with the usual message
    refused = post_login(browser(app), "bewerker", "demo-bewerker-2026")
    assert refused.status_code == 401
    assert WRONG in refused.text
    assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")


def test_enabling_again_does_not_revive_old_tokens(app: FastAPI, register: Register) -> None:
    token = token_for(register, "bewerker")
    accounts.set_disabled(register, ADMIN, "bewerker")
    accounts.set_disabled(register, ADMIN, "bewerker", disabled=False)
    response = browser(app).get(f"{API}/registrations", headers=bearer(token))
    assert response.status_code == 401


# ------------------------------------------------------------------------------ throttling


def from_address(app: FastAPI, address: str) -> TestClient:
    return TestClient(
        app, base_url="https://testserver", follow_redirects=False, client=(address, 50000)
    )


def test_five_failures_for_an_account_refuse_even_the_right_password(app: FastAPI) -> None:
    # each attempt from another address: the account's own count does it
    for n in range(accounts.THROTTLE_LIMIT):
        refused = post_login(from_address(app, f"192.0.2.{n + 1}"), "bewerker", "fout-wachtwoord")
        assert refused.status_code == 401 and WRONG in refused.text
    right = post_login(from_address(app, "192.0.2.99"), "bewerker", "demo-bewerker-2026")
    assert right.status_code == 401
    assert THROTTLED in right.text
    assert SESSION_COOKIE not in right.headers.get("set-cookie", "")
    # another account is not affected
    other = post_login(from_address(app, "192.0.2.99"), "lezer", "demo-lezer-2026")
    assert other.status_code == 303


def test_five_failures_from_one_address_refuse_every_account_from_there(app: FastAPI) -> None:
    attacker = from_address(app, "198.51.100.7")
    for username in ("lezer", "bewerker", "accordeerder", "auditor", "cio-rijk"):
        assert post_login(attacker, username, "fout-wachtwoord").status_code == 401
    right = post_login(attacker, "beheerder", "demo-beheerder-2026")
    assert right.status_code == 401 and THROTTLED in right.text
    # the same account from elsewhere still logs in
    assert (
        post_login(
            from_address(app, "198.51.100.8"), "beheerder", "demo-beheerder-2026"
        ).status_code
        == 303
    )


def test_refusals_do_not_tell_an_unknown_account_from_a_wrong_password(app: FastAPI) -> None:
    unknown = post_login(from_address(app, "203.0.113.1"), "bestaat-niet", "wat-dan-ook-123")
    wrong = post_login(from_address(app, "203.0.113.2"), "bewerker", "wat-dan-ook-123")
    assert unknown.status_code == wrong.status_code == 401
    assert error_text(unknown.text) == error_text(wrong.text)
    assert WRONG in unknown.text
    assert "bestaat-niet" not in error_text(unknown.text)
    # an unknown name is throttled just like a known one: the throttle tells nothing either
    for n in range(accounts.THROTTLE_LIMIT):
        post_login(from_address(app, f"203.0.113.{10 + n}"), "bestaat-niet", "x" * 12)
        post_login(from_address(app, f"203.0.113.{20 + n}"), "accordeerder", "x" * 12)
    ghost = post_login(from_address(app, "203.0.113.30"), "bestaat-niet", "x" * 12)
    real = post_login(from_address(app, "203.0.113.31"), "accordeerder", "x" * 12)
    assert ghost.status_code == real.status_code == 401
    assert error_text(ghost.text) == error_text(real.text)
    assert THROTTLED in ghost.text


def test_login_from_another_site_is_refused(app: FastAPI, register: Register) -> None:
    client = browser(app)
    response = client.post(
        "/inloggen",
        data={"gebruikersnaam": "bewerker", "wachtwoord": "demo-bewerker-2026"},
        headers={"Origin": "https://aanvaller.example"},
    )
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


# ------------------------------------------------------------------------------ redirects


@pytest.mark.parametrize(
    "target",
    [
        "https://aanvaller.example/",
        "//aanvaller.example/",
        "/\\aanvaller.example/",
        "\\\\aanvaller.example/",
        "/\t/aanvaller.example/",
        "https:aanvaller.example",
        "javascript:alert(1)",
    ],
)
def test_after_login_only_own_paths(client: TestClient, target: str) -> None:
    response = post_login(client, "lezer", "demo-lezer-2026", volgende=target)
    assert response.status_code == 303
    location = response.headers["location"]
    # a path on this site; no raw backslash or control character a browser would read as the
    # start of another host
    assert "\\" not in location and all(ord(c) > 0x20 for c in location)
    resolved = urlsplit(urljoin(f"{BASE_URL}/", location))
    assert (resolved.scheme, resolved.netloc) == ("https", "testserver")
