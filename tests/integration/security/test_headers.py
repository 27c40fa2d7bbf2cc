"""Security headers on every page: each GET route of the app (from its own route list, as in the
route walk) is opened as nobody, as an editor and as the administrator, and every HTML answer,
error pages included, must carry the strict Content-Security-Policy and the other headers.

ASVS: v5.0.0-3.4.1 (HSTS), v5.0.0-3.4.3 (CSP with object-src 'none' and base-uri 'none', no
unsafe-inline/unsafe-eval), v5.0.0-3.4.4 (X-Content-Type-Options: nosniff), v5.0.0-3.4.5
(Referrer-Policy), v5.0.0-3.4.6 (frame-ancestors), v5.0.0-14.3.2 (no caching of sensitive data).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from cloudtoets.services.context import Register

from .conftest import API, ORIGIN, bearer, browser, log_in, token_for
from .test_route_walk import POLICY, READ_TARGET, ROUTES, Target, _fill

GET_ROUTES = [path for method, path in ROUTES if method == "GET"]
CALLERS = ("anoniem", "bewerker", "beheerder")


@pytest.fixture(scope="module")
def browsers(shared_app: FastAPI) -> dict[str, TestClient]:
    return {
        "anoniem": browser(shared_app),
        **{name: log_in(browser(shared_app), name).client for name in CALLERS[1:]},
    }


def urls() -> Iterator[str]:
    target = Target("fin", READ_TARGET["fin"])
    for path in GET_ROUTES:
        rule = POLICY.get(("GET", path))
        query = {k: v for k, v in (rule.query(target) if rule else {}).items() if v is not None}
        url = _fill(path, target)
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        yield url
    # error pages: an unknown address, another organisation's registration, an unknown API path
    yield "/bestaat-niet"
    yield f"/registraties/{READ_TARGET['uwv']}"
    yield f"{API}/bestaat-niet"


def directives(csp: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            found[words[0].lower()] = [w.lower() for w in words[1:]]
    return found


def assert_secure_headers(response: Response, where: str) -> None:
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", where
    hsts = headers.get("strict-transport-security", "")
    age = re.search(r"max-age=(\d+)", hsts)
    assert age and int(age.group(1)) >= 31_536_000, f"{where}: HSTS {hsts!r}"
    assert headers.get("referrer-policy") in {
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }, where
    csp = headers.get("content-security-policy")
    assert csp, f"{where}: no Content-Security-Policy"
    policy = directives(csp)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, f"{where}: {csp}"
    assert policy.get("frame-ancestors") == ["'none'"], f"{where}: {csp}"
    assert policy.get("object-src") == ["'none'"], f"{where}: {csp}"
    assert policy.get("base-uri") == ["'none'"], f"{where}: {csp}"
    assert policy.get("script-src") == ["'self'"], f"{where}: {csp}"
    assert policy.get("default-src") == ["'self'"], f"{where}: {csp}"
    assert policy.get("form-action") == ["'self'"], f"{where}: {csp}"
    assert "*" not in csp and "data:" not in " ".join(policy.get("script-src", [])), where


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>\s*\S", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


@pytest.mark.parametrize("caller", CALLERS)
def test_every_html_page_carries_the_security_headers(
    browsers: dict[str, TestClient], caller: str
) -> None:
    html_pages = 0
    for url in urls():
        response = browsers[caller].get(url)
        where = f"GET {url} as {caller}: {response.status_code}"
        assert_secure_headers(response, where)  # every answer, whatever its type
        if response.headers.get("content-type", "").startswith("text/html"):
            html_pages += 1
            # what the CSP would block must not be needed: no inline script or handler
            assert not INLINE_SCRIPT.search(response.text), f"{where}: inline <script>"
            assert not EVENT_HANDLER.search(response.text), f"{where}: on...= handler"
            assert not JAVASCRIPT_URL.search(response.text), f"{where}: javascript: URL"
    assert html_pages >= (5 if caller == "anoniem" else 15), html_pages


def test_refusals_and_redirects_carry_the_headers_too(
    browsers: dict[str, TestClient], shared_register: Register
) -> None:
    editor = browsers["bewerker"]
    refused = editor.post("/uitloggen", headers={"Origin": ORIGIN})  # no CSRF token: 403 page
    assert refused.status_code == 403
    assert_secure_headers(refused, "403 page")
    redirect = browsers["anoniem"].get("/registraties")
    assert redirect.status_code == 303
    assert_secure_headers(redirect, "303 to the login page")
    unauthorised = browsers["anoniem"].get(f"{API}/registrations")
    assert unauthorised.status_code == 401
    assert_secure_headers(unauthorised, "401 problem")
    token = token_for(shared_register, "lezer", "headers")
    forbidden = browsers["anoniem"].delete(
        f"{API}/registrations/{READ_TARGET['fin']}", headers={**bearer(token), "If-Match": '"v1"'}
    )
    assert forbidden.status_code == 403
    assert_secure_headers(forbidden, "403 problem")


def test_register_content_is_not_cached(browsers: dict[str, TestClient]) -> None:
    editor = browsers["bewerker"]
    for url in (
        "/",
        f"/registraties/{READ_TARGET['fin']}",
        "/exporteren/bestand?formaat=json",
        f"{API}/registrations/{READ_TARGET['fin']}",
        "/account",
    ):
        response = editor.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers.get("cache-control", ""), url
