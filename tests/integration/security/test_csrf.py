"""Cross-site request forgery: a state-changing request on the strength of a session cookie must
come from our own origin and carry the session's CSRF token; bearer-token API calls need neither.

Every unsafe web route and every unsafe API route (from the app's own route list, as in the route
walk) is tried with a live session but without the token: each must refuse with 403 and change
nothing.

ASVS: v5.0.0-3.5.1 (anti-forgery token on state-changing requests), v5.0.0-3.5.3 (Sec-Fetch-*
checked), v5.0.0-3.3.2 (SameSite as an extra layer).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cloudtoets.services.context import Register
from cloudtoets.web.forms import values_from_registration

from .conftest import (
    API,
    ORIGIN,
    SESSION_COOKIE,
    LoggedIn,
    bearer,
    browser,
    facts_body,
    log_in,
    snapshot,
    stored,
    token_for,
    version_of,
)
from .test_route_walk import READ_TARGET, ROUTES, Target, _fill

TARGET = READ_TARGET["fin"]
EDIT = f"/registraties/{TARGET}/bewerken"


@pytest.fixture
def editor(app: FastAPI) -> LoggedIn:
    return log_in(browser(app), "bewerker")


def edit_form(register: Register, name: str) -> dict[str, Any]:
    current = stored(register, TARGET)
    values = values_from_registration(current.registration)
    return {**values, "name": name, "versie": str(current.version)}


def name_of(register: Register) -> str | None:
    return stored(register, TARGET).registration.name


# ------------------------------------------------------------------------------ web forms


def test_a_form_post_without_the_token_is_refused_and_changes_nothing(
    editor: LoggedIn, register: Register
) -> None:
    before, name = snapshot(register), name_of(register)
    response = editor.client.post(
        EDIT, data=edit_form(register, "Vervalst"), headers={"Origin": ORIGIN}
    )
    assert response.status_code == 403
    assert "Dit verzoek is geweigerd" in response.text
    assert snapshot(register) == before and name_of(register) == name


def test_another_sessions_token_does_not_count(
    app: FastAPI, editor: LoggedIn, register: Register
) -> None:
    other = log_in(browser(app), "bewerker")  # the same account, another browser
    before = snapshot(register)
    response = editor.client.post(
        EDIT,
        data={**edit_form(register, "Vervalst"), "csrf_token": other.csrf},
        headers={"Origin": ORIGIN},
    )
    assert response.status_code == 403
    assert snapshot(register) == before


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://aanvaller.example"},
        {"Origin": "http://testserver"},  # same host, other scheme: another origin
        {"Origin": "null"},  # sandboxed frame, data: URL
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": ORIGIN},  # a sibling subdomain
        {"Sec-Fetch-Site": "cross-site", "Origin": ORIGIN},  # Sec-Fetch-Site wins
    ],
    ids=["foreign-origin", "http-origin", "null-origin", "cross-site", "same-site", "fetch-wins"],
)
def test_a_request_from_another_site_is_refused_even_with_the_token(
    editor: LoggedIn, register: Register, headers: dict[str, str]
) -> None:
    before = snapshot(register)
    response = editor.client.post(
        EDIT, data={**edit_form(register, "Vervalst"), "csrf_token": editor.csrf}, headers=headers
    )
    assert response.status_code == 403
    assert snapshot(register) == before


@pytest.mark.parametrize(
    ("field", "headers"),
    [
        (True, {"Origin": ORIGIN}),
        (True, {"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin"}),
        (True, {}),  # neither header (an older browser): the token alone carries it
        (False, {"Origin": ORIGIN}),  # htmx sends the token as X-CSRF-Token
    ],
    ids=["field", "field-fetch", "field-no-origin", "header"],
)
def test_with_the_token_from_our_own_site_the_change_goes_through(
    editor: LoggedIn, register: Register, field: bool, headers: dict[str, str]
) -> None:
    data = edit_form(register, "Gewijzigd met token")
    if field:
        data["csrf_token"] = editor.csrf
    else:
        headers = {**headers, "X-CSRF-Token": editor.csrf}
    version = version_of(register, TARGET)
    response = editor.client.post(EDIT, data=data, headers=headers)
    assert response.status_code == 303, response.text[:300]
    assert name_of(register) == "Gewijzigd met token"
    assert version_of(register, TARGET) == (version or 0) + 1


def test_logout_needs_the_token_too(app: FastAPI, editor: LoggedIn) -> None:
    refused = editor.client.post("/uitloggen", headers={"Origin": ORIGIN})
    assert refused.status_code == 403
    assert editor.client.get("/account").status_code == 200  # still logged in


# ------------------------------------------------------------------------------ every route

UNSAFE = [(m, p) for m, p in ROUTES if m in {"POST", "PUT", "PATCH", "DELETE"}]
# without a session there is nothing to forge; the login form and its second step (the code,
# asked before the session opens any page) have their own origin check
# (test_sessions.test_login_from_another_site_is_refused); a full session that sends the code
# form changes nothing and is sent back to the login page
NO_SESSION = {("POST", "/inloggen"), ("POST", "/inloggen/code")}


def _unsafe_cases() -> list[Any]:
    cases = []
    for method, path in UNSAFE:
        if (method, path) in NO_SESSION:
            continue
        cases.append(pytest.param(method, path, id=f"{method} {path}"))
    return cases


@pytest.mark.parametrize(("method", "path"), _unsafe_cases())
def test_every_unsafe_route_refuses_a_session_without_token(
    app: FastAPI, editor: LoggedIn, register: Register, method: str, path: str
) -> None:
    url = _fill(path, Target("fin", TARGET))
    version = version_of(register, TARGET)
    before = snapshot(register)
    # a body the route would accept, so only the missing token can be the reason
    kwargs: dict[str, Any] = {"headers": {"Origin": ORIGIN, "If-Match": f'"v{version}"'}}
    if path.startswith(API):
        body = facts_body(register, TARGET)
        kwargs["json"] = (
            {**body, "id": f"{TARGET}-csrf"} if path.endswith("/registrations") else body
        )
    else:
        kwargs["data"] = edit_form(register, "Vervalst")
    response = editor.client.request(method, url, **kwargs)
    assert response.status_code == 403, f"{method} {path}: {response.status_code}"
    if path.startswith(API):
        assert response.json()["type"] == f"{API}/problemen/csrf"
    assert snapshot(register) == before
    assert editor.client.get("/account").status_code == 200  # the session itself is untouched


# ------------------------------------------------------------------------------ the API


def test_the_api_with_a_bearer_token_needs_no_csrf_token(app: FastAPI, register: Register) -> None:
    token = token_for(register, "bewerker")
    client = browser(app)
    body = facts_body(register, TARGET)
    created = client.post(
        f"{API}/registrations",
        json={**body, "id": "fin-via-token", "name": "Via token"},
        headers={**bearer(token), "Origin": "https://script.example"},
    )
    assert created.status_code == 201, created.text
    changed = client.put(
        f"{API}/registrations/{TARGET}",
        json={**body, "name": "Via token gewijzigd"},
        headers={**bearer(token), "If-Match": f'"v{version_of(register, TARGET)}"'},
    )
    assert changed.status_code == 200
    assert name_of(register) == "Via token gewijzigd"


def test_the_api_with_only_a_session_cookie_needs_the_csrf_header(
    editor: LoggedIn, register: Register
) -> None:
    assert SESSION_COOKIE in editor.client.cookies
    body = facts_body(register, TARGET)
    changed = {**body, "name": "Via sessie"}
    headers = {"Origin": ORIGIN, "If-Match": f'"v{version_of(register, TARGET)}"'}
    before = snapshot(register)
    refused = editor.client.put(f"{API}/registrations/{TARGET}", json=changed, headers=headers)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == f"{API}/problemen/csrf"
    assert snapshot(register) == before
    # reads need no token
    assert editor.client.get(f"{API}/registrations/{TARGET}").status_code == 200
    accepted = editor.client.put(
        f"{API}/registrations/{TARGET}",
        json=changed,
        headers={**headers, "X-CSRF-Token": editor.csrf},
    )
    assert accepted.status_code == 200
    assert name_of(register) == "Via sessie"


def test_a_session_cannot_post_to_the_api_from_another_site(
    editor: LoggedIn, register: Register
) -> None:
    before = snapshot(register)
    response = editor.client.post(
        f"{API}/registrations/{TARGET}/evaluate",
        headers={"X-CSRF-Token": editor.csrf, "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert snapshot(register) == before


def test_the_token_is_bound_to_the_session_not_only_to_the_account(
    app: FastAPI, register: Register
) -> None:
    """A CSRF token learnt from one session (an old page, a leaked log) opens no other."""
    first = log_in(browser(app), "bewerker")
    old_csrf = first.csrf
    first.client.post("/uitloggen", data={"csrf_token": old_csrf}, headers={"Origin": ORIGIN})
    second = log_in(browser(app), "bewerker")
    assert second.csrf != old_csrf
    before = snapshot(register)
    response = second.client.post(
        EDIT,
        data={**edit_form(register, "Vervalst"), "csrf_token": old_csrf},
        headers={"Origin": ORIGIN},
    )
    assert response.status_code == 403
    assert snapshot(register) == before


def test_the_csrf_token_is_not_in_a_cookie(editor: LoggedIn) -> None:
    """Only the page carries it (meta tag and hidden fields): another site cannot read it, and
    a cookie would be sent along by the browser anyway."""
    for name, value in editor.client.cookies.items():
        assert value != editor.csrf, name
    assert isinstance(editor.client, TestClient)


def test_the_second_login_step_from_another_site_is_refused(editor: LoggedIn) -> None:
    """The code form runs before a session opens pages; its origin check is its protection."""
    response = editor.client.post(
        "/inloggen/code",
        data={"code": "123456", "volgende": "/"},
        headers={"Origin": "https://aanvaller.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403
