"""A fake OpenID Provider, served for real over HTTP on 127.0.0.1 (uvicorn in a thread).

Just enough of OpenID Connect Core and Discovery for a relying party's code flow: discovery,
``/authorize`` (no login screen: it hands out a code for the configured test user at once),
``/token`` (client authentication, single-use codes, redirect URI and PKCE S256 checks; ID token
signed RS256 with a key made at start-up) and ``/jwks``. Tests change ``user`` (the claims) and
ask for faults (``error``, ``tamper``) to see how the relying party copes.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "cloudtoets-test"
CLIENT_SECRET = "test-geheim-van-de-client"
KEY_ID = "fake-op-1"

# faults the ID token can be given, for the relying party to refuse
TAMPERINGS = (
    "payload",
    "other-key",
    "audience",
    "audience-with-azp",
    "nonce",
    "issuer",
    "expired",
)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    claims: dict[str, Any]


@dataclass
class FakeProvider:
    issuer: str = ""
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(
            2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"}
        )
    )
    # the person who "logs in" at /authorize: extra ID-token claims besides iss/sub/aud/...
    user: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # /authorize answers with this error instead of a code
    tamper: str | None = None  # one of TAMPERINGS
    spoil_challenge: bool = False  # remember a different code_challenge than the one sent
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    _grants: dict[str, Grant] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self._lock:
            self.user = {"sub": "sub-1"}
            self.error = None
            self.tamper = None
            self.spoil_challenge = False
            self.authorize_requests.clear()
            self.token_requests.clear()
            self._grants.clear()

    # ------------------------------------------------------------------ endpoints

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "profile", "email"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "code_challenge_methods_supported": ["S256"],
                "grant_types_supported": ["authorization_code"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.authorize_requests.append(params)
        problems = []
        if params.get("response_type") != "code":
            problems.append("response_type")
        if params.get("client_id") != CLIENT_ID:
            problems.append("client_id")
        if "openid" not in params.get("scope", "").split():
            problems.append("scope")
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            problems.append("pkce")
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri.startswith(("https://", "http://")):
            problems.append("redirect_uri")
        if problems:  # never redirect to an unchecked address
            return JSONResponse(
                {"error": "invalid_request", "error_description": ",".join(problems)}, 400
            )
        back: dict[str, str] = {}
        if self.error:
            back["error"] = self.error
        else:
            code = secrets.token_urlsafe(16)
            challenge = params["code_challenge"]
            with self._lock:
                self._grants[code] = Grant(
                    client_id=CLIENT_ID,
                    redirect_uri=redirect_uri,
                    code_challenge=s256("iets anders") if self.spoil_challenge else challenge,
                    nonce=params.get("nonce"),
                    claims=dict(self.user),
                )
            back["code"] = code
        if "state" in params:
            back["state"] = params["state"]
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{urlencode(back)}", status_code=302)

    def _client_credentials(self, request: Request, form: dict[str, str]) -> tuple[str, str]:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            decoded = base64.b64decode(header[6:]).decode()
            client_id, _, secret = decoded.partition(":")
            return unquote(client_id), unquote(secret)
        return form.get("client_id", ""), form.get("client_secret", "")

    async def token(self, request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        self.token_requests.append(form)
        client_id, secret = self._client_credentials(request, form)
        if client_id != CLIENT_ID or not secrets.compare_digest(secret, CLIENT_SECRET):
            return JSONResponse({"error": "invalid_client"}, 401)
        if form.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "unsupported_grant_type"}, 400)
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.client_id != client_id:
            return JSONResponse({"error": "invalid_grant", "error_description": "code"}, 400)
        if form.get("redirect_uri") != grant.redirect_uri:
            return JSONResponse({"error": "invalid_grant", "error_description": "redirect"}, 400)
        verifier = form.get("code_verifier", "")
        if not verifier or s256(verifier) != grant.code_challenge:
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "code_verifier"}, 400
            )
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "openid profile email",
                "id_token": self.id_token(grant),
            },
            headers={"cache-control": "no-store"},
        )

    # ------------------------------------------------------------------ ID tokens

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            **grant.claims,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        tamper = self.tamper
        if tamper == "audience":
            claims["aud"] = "een-andere-client"
        elif tamper == "audience-with-azp":  # for another client, naming us as authorised party
            claims["aud"], claims["azp"] = "een-andere-client", grant.client_id
        elif tamper == "nonce":
            claims["nonce"] = "niet-de-nonce"
        elif tamper == "issuer":
            claims["iss"] = "https://nep-issuer.example"
        elif tamper == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        header = {"alg": "RS256", "kid": KEY_ID, "typ": "JWT"}
        if tamper == "other-key":  # an attacker's key under the provider's key id
            other = RSAKey.generate_key(2048, parameters={"kid": KEY_ID})
            return jwt.encode(header, claims, other)
        token = jwt.encode(header, claims, self.key)
        if tamper == "payload":  # claims changed after signing: make me an administrator
            forged = {**claims, "roles": ["admin"], "organisation": None}
            head, _, rest = token.partition(".")
            _, _, signature = rest.partition(".")
            body = jwt.encode(header, forged, self.key).split(".")[1]
            token = f"{head}.{body}.{signature}"
        return token

    # ------------------------------------------------------------------ serving

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/jwks", self.jwks),
            ]
        )


@contextmanager
def serve() -> Iterator[FakeProvider]:
    """The provider on a free port of 127.0.0.1 until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    provider = FakeProvider(issuer=f"http://127.0.0.1:{port}")
    provider.reset()
    server = uvicorn.Server(
        uvicorn.Config(provider.app(), log_level="warning", lifespan="off", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fake OpenID Provider did not start")
        time.sleep(0.01)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
