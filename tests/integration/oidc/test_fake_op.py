"""The fake provider itself: if it accepted anything, the relying-party tests would prove nothing."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from tests.integration.oidc.fake_op import CLIENT_ID, CLIENT_SECRET, FakeProvider, s256

REDIRECT = "https://rp.example/terug"


def authorize(op: FakeProvider, verifier: str, **extra: str) -> httpx.Response:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid profile",
        "state": "s1",
        "nonce": "n1",
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
        **extra,
    }
    return httpx.get(f"{op.issuer}/authorize", params=params, timeout=10)


def code_for(op: FakeProvider, verifier: str) -> str:
    answer = authorize(op, verifier)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def exchange(
    op: FakeProvider,
    code: str,
    verifier: str,
    *,
    secret: str = CLIENT_SECRET,
    redirect_uri: str = REDIRECT,
) -> httpx.Response:
    return httpx.post(
        f"{op.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        auth=(CLIENT_ID, secret),
        timeout=10,
    )


def test_discovery_names_the_issuer_and_its_endpoints(op: FakeProvider) -> None:
    document = httpx.get(f"{op.issuer}/.well-known/openid-configuration", timeout=10).json()
    assert document["issuer"] == op.issuer
    assert document["jwks_uri"] == f"{op.issuer}/jwks"
    assert document["code_challenge_methods_supported"] == ["S256"]


def test_the_right_verifier_gets_an_id_token_that_the_jwks_verifies(op: FakeProvider) -> None:
    op.user = {"sub": "u-42", "organisation": "bzk", "roles": ["editor"]}
    verifier = secrets.token_urlsafe(48)
    answer = exchange(op, code_for(op, verifier), verifier)
    assert answer.status_code == 200, answer.text
    keys = KeySet.import_key_set(httpx.get(f"{op.issuer}/jwks", timeout=10).json())
    token = jwt.decode(answer.json()["id_token"], keys, algorithms=["RS256"])
    assert token.header["kid"] == "fake-op-1"
    claims = token.claims
    assert (claims["iss"], claims["aud"], claims["sub"], claims["nonce"]) == (
        op.issuer,
        CLIENT_ID,
        "u-42",
        "n1",
    )
    assert claims["exp"] > claims["iat"]
    assert (claims["organisation"], claims["roles"]) == ("bzk", ["editor"])


def test_a_wrong_verifier_is_rejected(op: FakeProvider) -> None:
    verifier = secrets.token_urlsafe(48)
    answer = exchange(op, code_for(op, verifier), secrets.token_urlsafe(48))
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_grant", "error_description": "code_verifier"}


def test_a_missing_verifier_is_rejected(op: FakeProvider) -> None:
    verifier = secrets.token_urlsafe(48)
    assert exchange(op, code_for(op, verifier), "").status_code == 400


def test_a_plain_challenge_is_refused_at_authorize(op: FakeProvider) -> None:
    verifier = secrets.token_urlsafe(48)
    answer = authorize(op, verifier, code_challenge=verifier, code_challenge_method="plain")
    assert answer.status_code == 400
    assert "pkce" in answer.json()["error_description"]


def test_a_code_works_once(op: FakeProvider) -> None:
    verifier = secrets.token_urlsafe(48)
    code = code_for(op, verifier)
    assert exchange(op, code, verifier).status_code == 200
    assert exchange(op, code, verifier).status_code == 400


def test_a_wrong_client_secret_is_rejected(op: FakeProvider) -> None:
    verifier = secrets.token_urlsafe(48)
    answer = exchange(op, code_for(op, verifier), verifier, secret="fout")
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_the_redirect_uri_must_match(op: FakeProvider) -> None:
    verifier = secrets.token_urlsafe(48)
    answer = exchange(op, code_for(op, verifier), verifier, redirect_uri="https://rp.example/x")
    assert answer.status_code == 400


@pytest.mark.parametrize("tamper", ["payload", "other-key"])
def test_a_tampered_token_fails_verification(op: FakeProvider, tamper: str) -> None:
    op.tamper = tamper
    verifier = secrets.token_urlsafe(48)
    id_token = exchange(op, code_for(op, verifier), verifier).json()["id_token"]
    keys = KeySet.import_key_set(httpx.get(f"{op.issuer}/jwks", timeout=10).json())
    with pytest.raises(BadSignatureError):
        jwt.decode(id_token, keys, algorithms=["RS256"])


def test_a_provider_error_goes_back_with_the_state(op: FakeProvider) -> None:
    op.error = "access_denied"
    answer = authorize(op, secrets.token_urlsafe(48))
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query == {"error": ["access_denied"], "state": ["s1"]}
