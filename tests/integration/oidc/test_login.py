"""Logging in through OpenID Connect: the code flow with PKCE against the fake provider.

ASVS v5.0.0 chapter 10 (OAuth and OIDC) and 7 (sessions): state, nonce and PKCE S256 on every
authorization request; ID tokens checked for signature, issuer, audience, nonce and expiry;
accounts mapped by issuer and subject; a new session token at each login.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cloudtoets.server.app import create_app
from cloudtoets.services import accounts
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.store.accounts import UserRow
from cloudtoets.store.audit import iter_chain, verify_records
from tests.integration.oidc.conftest import (
    BASE_URL,
    HANDSHAKE_COOKIE,
    SESSION_COOKIE,
    at_provider,
    count_sessions,
    count_users,
    go_to_provider,
    log_in,
    oidc_settings,
    set_cookie_headers,
    sets_session,
    user_by_subject,
)
from tests.integration.oidc.fake_op import TAMPERINGS, FakeProvider
from tests.integration.web.conftest import h1s, text

ADMIN = Actor("test-beheerder", roles=frozenset({"admin"}))


def subject(op: FakeProvider, sub: str = "sub-1") -> str:
    return f"{op.issuer}|{sub}"


def editor(op: FakeProvider, **claims: object) -> None:
    op.user = {
        "sub": "sub-1",
        "preferred_username": "j.jansen",
        "name": "Jan Jansen",
        "organisation": "bzk",
        "roles": ["editor"],
        **claims,
    }


def refused(response: httpx.Response, status: int = 403) -> str:
    """The Dutch error page, with no session cookie; returns its visible text."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert not sets_session(response)
    return text(response.text)


def audit_of(register: Register, object_id: str) -> list[dict[str, object]]:
    with register.sessions() as session:
        records = list(iter_chain(session))
    assert verify_records(records).ok
    return [r for r in records if r["object_type"] == "user" and r["object_id"] == object_id]


# ------------------------------------------------------------------------------ the happy path


def test_first_login_creates_the_account_from_the_claims(
    client: TestClient, register: Register, op: FakeProvider
) -> None:
    editor(op)
    flow = log_in(client, "/registraties?status=afwijking")
    assert flow.callback.status_code == 303
    assert flow.callback.headers["location"] == "/registraties?status=afwijking"
    cookie = next(h for h in set_cookie_headers(flow.callback) if h.startswith(SESSION_COOKIE))
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "path=/", "samesite=lax"} <= attributes
    user = user_by_subject(register, subject(op))
    assert user is not None
    assert (user.username, user.display_name) == ("j.jansen", "Jan Jansen")
    assert (user.organisation_id, user.roles, user.password_hash) == ("bzk", ["editor"], None)
    # the session works: the account page shows who is logged in
    page = client.get("/account")
    assert page.status_code == 200
    assert "j.jansen" in text(page.text)
    [created] = audit_of(register, "j.jansen")
    assert (created["action"], created["actor"], created["organisation_id"]) == (
        "create",
        "oidc",
        "bzk",
    )


def test_the_handshake_cookie_is_short_lived_and_cleared_after_login(
    client: TestClient, op: FakeProvider
) -> None:
    editor(op)
    start = go_to_provider(client)
    [handshake] = [h for h in set_cookie_headers(start) if h.startswith(f"{HANDSHAKE_COOKIE}=")]
    attributes = {part.strip().lower() for part in handshake.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "max-age=600", "path=/inloggen/oidc"} <= (
        attributes
    )
    callback = client.get(at_provider(start).headers["location"])
    assert callback.status_code == 303
    [cleared] = [h for h in set_cookie_headers(callback) if h.startswith(f"{HANDSHAKE_COOKIE}=")]
    assert "expires=thu, 01 jan 1970" in cleared.lower()
    assert HANDSHAKE_COOKIE not in client.cookies


def test_second_login_reuses_the_account_and_follows_changed_roles(
    client: TestClient, register: Register, op: FakeProvider
) -> None:
    editor(op)
    assert log_in(client).callback.status_code == 303
    first = user_by_subject(register, subject(op))
    editor(op, roles="approver viewer")  # a space-separated string works as well as a list
    assert log_in(client).callback.status_code == 303
    second = user_by_subject(register, subject(op))
    assert first is not None and second is not None
    assert second.id == first.id
    assert count_users(register) == 1
    assert (second.organisation_id, second.roles) == ("bzk", ["approver", "viewer"])
    created, updated = audit_of(register, "j.jansen")
    assert created["action"] == "create"
    assert updated["action"] == "update"
    assert updated["before"] == {"organisation": "bzk", "roles": ["editor"]}
    assert updated["after"] == {"organisation": "bzk", "roles": ["approver", "viewer"]}
    # an unchanged third login writes no audit record
    assert log_in(client).callback.status_code == 303
    assert len(audit_of(register, "j.jansen")) == 2


def test_a_person_moved_to_a_central_role_leaves_the_organisation(
    client: TestClient, register: Register, op: FakeProvider
) -> None:
    editor(op)
    log_in(client)
    editor(op, organisation=None, roles=["auditor"])
    assert log_in(client).callback.status_code == 303
    user = user_by_subject(register, subject(op))
    assert user is not None
    assert (user.organisation_id, user.roles) == (None, ["auditor"])


def test_a_new_login_rotates_the_session_token(
    client: TestClient, register: Register, op: FakeProvider
) -> None:
    editor(op)
    log_in(client)
    old = client.cookies[SESSION_COOKIE]
    assert accounts.resolve_session(register, old) is not None
    log_in(client)
    new = client.cookies[SESSION_COOKIE]
    assert new != old
    assert accounts.resolve_session(register, old) is None  # the old session ended
    assert accounts.resolve_session(register, new) is not None
    assert count_sessions(register) == 1


def test_an_account_made_beforehand_by_subject_is_used(
    client: TestClient, register: Register, op: FakeProvider
) -> None:
    accounts.create_user(
        register, ADMIN, "jan", organisation="uwv", roles=["viewer"], oidc_subject=subject(op)
    )
    editor(op)
    assert log_in(client).callback.status_code == 303
    user = user_by_subject(register, subject(op))
    assert user is not None
    assert (user.username, user.organisation_id, user.roles) == ("jan", "bzk", ["editor"])
    assert count_users(register) == 1


def test_a_local_account_with_the_same_name_is_not_taken_over(
    client: TestClient, register: Register, op: FakeProvider
) -> None:
    accounts.create_user(register, ADMIN, "beheerder", roles=["admin"], password="x" * 16)
    editor(op, preferred_username="beheerder")
    assert log_in(client).callback.status_code == 303
    with register.sessions() as session:
        local = session.scalar(select(UserRow).where(UserRow.username == "beheerder"))
    assert local is not None and local.oidc_subject is None and local.roles == ["admin"]
    user = user_by_subject(register, subject(op))
    assert user is not None
    assert user.username.startswith("beheerder-") and user.username != "beheerder"
    assert user.roles == ["editor"]


@pytest.mark.parametrize(
    ("volgende", "expected"),
    [
        (None, "/"),
        ("/registraties/bzk-m365", "/registraties/bzk-m365"),
        ("https://elders.example/", "/"),
        ("//elders.example/", "/"),
        ("/\\elders.example/", "/"),
    ],
)
def test_only_a_local_next_page(
    client: TestClient, op: FakeProvider, volgende: str | None, expected: str
) -> None:
    editor(op)
    assert log_in(client, volgende).callback.headers["location"] == expected


# ------------------------------------------------------------------------------ the protocol


def test_the_authorization_request_carries_pkce_state_and_nonce(
    client: TestClient, op: FakeProvider
) -> None:
    editor(op)
    flow = log_in(client)
    params = flow.authorize_params
    location = urlsplit(flow.start.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{op.issuer}/authorize"
    assert params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43  # base64url of a SHA-256 digest
    assert params["state"] and params["nonce"]
    assert "openid" in params["scope"].split()
    assert params["redirect_uri"] == f"{BASE_URL}/inloggen/oidc/terug"
    # and the token request proved it with the verifier
    [token_request] = op.token_requests
    assert token_request["code_verifier"]
    assert "client_secret" not in token_request  # sent as HTTP Basic, not in the body


def test_a_verifier_the_provider_rejects_refuses_the_login(
    client: TestClient, register: Register, op: FakeProvider
) -> None:
    editor(op)
    op.spoil_challenge = True  # as if the code was stolen and redeemed by another client
    page = refused(log_in(client).callback)
    assert "Inloggen is niet gelukt" in page
    assert count_users(register) == 0
    assert count_sessions(register) == 0


@pytest.mark.parametrize("tamper", TAMPERINGS)
def test_a_bad_id_token_is_refused(
    client: TestClient, register: Register, op: FakeProvider, tamper: str
) -> None:
    editor(op)
    op.tamper = tamper
    page = refused(log_in(client).callback)
    assert "Inloggen is niet gelukt" in page
    assert "kon niet bevestigen wie u bent" in page
    assert count_users(register) == 0
    assert count_sessions(register) == 0
    assert SESSION_COOKIE not in client.cookies


def test_a_provider_error_shows_a_dutch_page(
    client: TestClient, register: Register, op: FakeProvider
) -> None:
    op.error = "access_denied"
    response = log_in(client).callback
    page = refused(response)
    assert h1s(response.text) == ["Inloggen is niet gelukt"]
    assert "geweigerd of afgebroken (foutcode access_denied)" in page
    assert count_sessions(register) == 0


def test_a_provider_error_text_is_not_repeated(client: TestClient) -> None:
    go_to_provider(client)
    response = client.get(
        "/inloggen/oidc/terug",
        params={"error": "<script>", "error_description": "Bel 0900-OPLICHTER"},
    )
    page = refused(response)
    assert "foutcode onbekend" in page
    assert "OPLICHTER" not in page and "&lt;script&gt;" not in response.text


def test_a_wrong_state_is_refused(client: TestClient, register: Register, op: FakeProvider) -> None:
    editor(op)
    start = go_to_provider(client)
    back = at_provider(start).headers["location"]
    state = dict(p.split("=", 1) for p in urlsplit(back).query.split("&"))["state"]
    page = refused(client.get(back.replace(f"state={state}", "state=vervalst")))
    assert "Inloggen is niet gelukt" in page
    assert count_users(register) == 0


def test_a_callback_from_another_browser_is_refused(
    client: TestClient, register: Register, op: FakeProvider
) -> None:
    """Login CSRF: an attacker's code, planted in the victim's browser, has no handshake there."""
    editor(op)
    back = at_provider(go_to_provider(client)).headers["location"]
    victim = TestClient(client.app, base_url=BASE_URL, follow_redirects=False)
    page = refused(victim.get(back), status=400)
    assert "niet in deze browser begonnen" in page
    assert count_sessions(register) == 0


def test_a_code_replayed_after_login_is_refused(
    client: TestClient, register: Register, op: FakeProvider
) -> None:
    editor(op)
    flow = log_in(client)
    assert flow.callback.status_code == 303
    refused(client.get(flow.authorize.headers["location"]), status=400)
    assert count_sessions(register) == 1


def test_an_unreachable_provider_shows_a_dutch_page(database_url: str, op: FakeProvider) -> None:
    settings = oidc_settings(database_url, "http://127.0.0.1:9")  # discard port: nobody listens
    opened = Register.open(settings)
    try:
        app_client = TestClient(create_app(register=opened), base_url=BASE_URL)
        response = app_client.get("/inloggen/oidc", follow_redirects=False)
        assert response.status_code == 502
        assert "De inlogdienst is niet bereikbaar" in h1s(response.text)
    finally:
        opened.close()


# ------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        (
            {"organisation": "onbekend-ministerie"},
            "Uw organisatie (onbekend-ministerie) staat niet in het register",
        ),
        (
            {"organisation": None},
            "de rollen lezer, bewerker en accordeerder horen bij een organisatie",
        ),
        (
            {"roles": ["admin"]},
            "de rollen cio-rijk, auditor en admin horen niet bij één organisatie",
        ),
        ({"roles": ["editor", "superuser"]}, "onbekende rol(len): superuser"),
        ({"roles": []}, "geef minstens één rol"),
        ({"roles": {"editor": True}}, "De rollen van de inlogdienst hebben een onbekende vorm"),
    ],
)
def test_claims_the_register_cannot_honour_refuse_and_create_nothing(
    client: TestClient,
    register: Register,
    op: FakeProvider,
    claims: dict[str, object],
    message: str,
) -> None:
    editor(op, **claims)
    response = log_in(client).callback
    page = refused(response)
    assert h1s(response.text) == ["U kunt niet inloggen"]
    assert message in page
    assert count_users(register) == 0
    assert count_sessions(register) == 0
    assert audit_of(register, "j.jansen") == []


def test_invalid_new_claims_leave_an_existing_account_unchanged(
    client: TestClient, register: Register, op: FakeProvider
) -> None:
    editor(op)
    log_in(client)
    client.cookies.clear()
    editor(op, roles=["editor", "admin"])
    refused(log_in(client).callback)
    user = user_by_subject(register, subject(op))
    assert user is not None and user.roles == ["editor"]
    assert count_sessions(register) == 1  # only the first login's


def test_a_disabled_account_is_refused(
    client: TestClient, register: Register, op: FakeProvider
) -> None:
    editor(op)
    log_in(client)
    user = user_by_subject(register, subject(op))
    assert user is not None
    accounts.set_disabled(register, ADMIN, user.username)
    client.cookies.clear()
    editor(op, roles=["approver"])
    response = log_in(client).callback
    page = refused(response)
    assert "Uw account in cloudtoets is uitgeschakeld" in page
    assert count_sessions(register) == 0
    after = user_by_subject(register, subject(op))
    assert after is not None and after.roles == ["editor"]  # not updated either


def test_without_oidc_the_routes_do_not_exist(database_url: str) -> None:
    opened = Register.open(oidc_settings(database_url, ""))
    try:
        app_client = TestClient(create_app(register=opened), base_url=BASE_URL)
        for path in ("/inloggen/oidc", "/inloggen/oidc/terug?code=x&state=y"):
            response = app_client.get(path, follow_redirects=False)
            assert response.status_code == 404
            assert not any(HANDSHAKE_COOKIE in h for h in set_cookie_headers(response))
    finally:
        opened.close()
