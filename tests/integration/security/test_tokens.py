"""Personal API tokens and stored secrets: revocation, refusals that tell nothing, and only hashes
in the database (tokens, sessions, passwords).

ASVS: v5.0.0-7.2.1 (tokens checked at the trusted back end), v5.0.0-11.5.1 (CSPRNG, at least 128
bits), v5.0.0-7.4.1 (closest match: a revoked token ends at once), v5.0.0-14.2.1 (no token in the
address), v5.0.0-11.4.1 (tokens and sessions stored as SHA-256), v5.0.0-11.4.2 (passwords as
argon2id), v5.0.0-16.5.1 (refusals with one generic message).
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from cloudtoets.services import accounts
from cloudtoets.services.context import Register
from cloudtoets.services.uow import system_session
from cloudtoets.store.tables import Base

from .conftest import ADMIN, API, ORIGIN, PASSWORDS, bearer, browser, log_in, token_for

LIST = f"{API}/registrations"


def test_a_revoked_token_is_refused_at_once(client: TestClient, register: Register) -> None:
    kept = token_for(register, "bewerker", "laptop")
    revoked = token_for(register, "bewerker", "script")
    assert client.get(LIST, headers=bearer(revoked)).status_code == 200
    assert accounts.revoke_token(register, ADMIN, "bewerker", "script") == 1
    response = client.get(LIST, headers=bearer(revoked))
    assert response.status_code == 401
    assert response.json()["type"] == f"{API}/problemen/niet-ingelogd"
    assert client.get(LIST, headers=bearer(kept)).status_code == 200  # only that one


def test_a_user_revokes_only_its_own_tokens(register: Register) -> None:
    token_for(register, "bewerker", "laptop")
    lezer = accounts.resolve_token(register, token_for(register, "lezer", "eigen"))
    assert lezer is not None
    with pytest.raises(accounts.AccountError):
        accounts.revoke_token(register, lezer, "bewerker", "laptop")


def test_refusals_tell_nothing_about_the_token(client: TestClient, register: Register) -> None:
    revoked = token_for(register, "lezer", "oud")
    accounts.revoke_token(register, ADMIN, "lezer", "oud")
    disabled = token_for(register, "accordeerder", "weg")
    accounts.set_disabled(register, ADMIN, "accordeerder")
    session = log_in(browser(client.app), "bewerker").session  # type: ignore[arg-type]
    candidates = {
        "unknown": "ct_" + "A" * 43,
        "revoked": revoked,
        "disabled account": disabled,
        "no prefix": revoked.removeprefix("ct_"),
        "session token": session,
        "empty": "",
    }
    bodies = {}
    for label, value in candidates.items():
        response = client.get(LIST, headers={"Authorization": f"Bearer {value}"})
        assert response.status_code == 401, label
        body = response.json()
        bodies[label] = (body["type"], body["title"], body["detail"])
    assert len(set(bodies.values())) == 1, bodies


def test_a_bad_bearer_token_does_not_fall_back_to_the_session(app: FastAPI) -> None:
    editor = log_in(browser(app), "bewerker")
    assert editor.client.get(LIST).status_code == 200  # the session alone works
    response = editor.client.get(LIST, headers={"Authorization": "Bearer ct_" + "B" * 43})
    assert response.status_code == 401


def test_a_token_in_the_address_is_not_accepted(client: TestClient, register: Register) -> None:
    """Addresses end up in logs and Referer headers: tokens only travel in a header."""
    token = token_for(register, "bewerker")
    for name in ("access_token", "token", "api_key"):
        response = client.get(LIST, params={name: token})
        # an unknown query parameter is refused before authentication looks (decision 47)
        assert response.status_code == 400, name
        assert name in response.json()["detail"], name


def test_tokens_have_enough_entropy_and_a_recognisable_prefix(register: Register) -> None:
    tokens = {token_for(register, "bewerker", f"t{n}") for n in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        assert re.fullmatch(r"ct_[A-Za-z0-9_-]{43}", token)  # 32 random bytes, base64url


def test_a_new_token_is_shown_once(app: FastAPI, register: Register) -> None:
    editor = log_in(browser(app), "bewerker")
    page = editor.client.post(
        "/account/tokens",
        data={"naam": "eenmalig", "csrf_token": editor.csrf},
        headers={"Origin": ORIGIN},
    )
    assert page.status_code == 200
    token = re.search(r"ct_[A-Za-z0-9_-]{43}", page.text)
    assert token is not None
    actor = accounts.resolve_token(register, token.group(0))
    assert actor is not None and actor.user == "bewerker"
    assert token.group(0) not in editor.client.get("/account").text


def _dump(register: Register) -> str:
    """Every value of every table, as text."""
    parts: list[str] = []
    with system_session(register.sessions) as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


def test_secrets_are_stored_only_as_hashes(app: FastAPI, register: Register) -> None:
    token = token_for(register, "bewerker", "geheim")
    editor = log_in(browser(app), "bewerker")
    dump = _dump(register)
    assert token not in dump and token.removeprefix("ct_") not in dump
    assert accounts.digest(token) in dump  # what is stored: its SHA-256
    assert editor.session not in dump
    assert accounts.digest(editor.session) in dump
    assert editor.csrf not in dump  # the CSRF token of the session: only its SHA-256 too
    assert accounts.digest(editor.csrf) in dump
    for username, password in PASSWORDS.items():
        assert password not in dump, username
    assert "$argon2id$" in dump  # passwords as argon2id hashes
