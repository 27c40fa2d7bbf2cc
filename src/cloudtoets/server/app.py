"""create_app(settings): the register's API under /api/v1 and its web pages, on one app."""

from __future__ import annotations

import gc
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from cloudtoets.api.routes import router as api_router
from cloudtoets.config import Settings
from cloudtoets.http.middleware import RequestContext
from cloudtoets.presentation.environment import STATIC_DIR
from cloudtoets.server.api_docs import router as docs_router
from cloudtoets.services import uploads
from cloudtoets.services.context import Register
from cloudtoets.web.oidc import HANDSHAKE_COOKIE, HANDSHAKE_PATH, HANDSHAKE_SECONDS
from cloudtoets.web.routes import router as web_router


def create_app(settings: Settings | None = None, *, register: Register | None = None) -> FastAPI:
    """Build the application. The database must be migrated (``cloudtoets db upgrade``)."""
    register = register or Register.open(settings or Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.register.close()

    app = FastAPI(
        title="cloudtoets",
        summary="Register van cloudgebruik, getoetst aan het Rijksbreed cloudbeleid 2026",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served by server/api_docs.py from vendored files
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.register = register
    app.add_middleware(RequestContext)
    if register.settings.oidc_enabled:
        # only for the OpenID Connect handshake (state, nonce, PKCE verifier): a signed cookie
        # sent to /inloggen/oidc* for ten minutes; logins themselves are server-side sessions.
        # Without a secret (allowed in demo mode only) each process signs with its own.
        app.add_middleware(
            SessionMiddleware,
            secret_key=register.settings.secret_key or secrets.token_urlsafe(32),
            session_cookie=HANDSHAKE_COOKIE,
            max_age=HANDSHAKE_SECONDS,
            path=HANDSHAKE_PATH,
            same_site="lax",
            https_only=register.settings.secure_cookies,
        )

    app.include_router(api_router, prefix="/api/v1")
    app.include_router(docs_router)
    app.include_router(web_router)
    app.openapi = lambda: _openapi_with_security(app)  # type: ignore[method-assign]
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def serve_app() -> FastAPI:
    """The app of one ``cloudtoets serve`` worker, settings from the environment.

    What the app holds from now on (routes, schemas, templates, the policy) lives as long as the
    process, so it is moved out of the garbage collector's sight (``gc.freeze``): a full
    collection then scans only what requests made, instead of pausing a request for every
    object of the app, which showed as the slowest percent of list requests.
    """
    app = create_app()
    gc.collect()
    gc.freeze()
    uploads.warm()  # the first upload need not wait for a worker process to start
    return app


_PUBLIC_API_PATHS = frozenset(
    {
        "/api/v1/health",
        "/api/v1/health/live",
        "/api/v1/health/ready",
        "/api/v1/problemen/{slug}",
    }
)
# the addresses that answer without the database (every other one can answer 503)
_WITHOUT_DATABASE = frozenset({"/api/v1/health", "/api/v1/health/live", "/api/v1/problemen/{slug}"})
_PROBLEM_CONTENT = {"application/problem+json": {"schema": {"type": "object"}}}


def _openapi_with_security(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document with the bearer scheme, and 400/401/403/503 where they can occur."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, summary=app.summary, routes=app.routes
    )
    schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "Persoonlijk API-token (cloudtoets token create, of op /account).",
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation or operation.get("parameters"):
                # an unreadable body, or a control character in the path or a query parameter
                responses.setdefault(
                    "400", {"description": "Onleesbaar verzoek", "content": _PROBLEM_CONTENT}
                )
            if path not in _WITHOUT_DATABASE:
                responses.setdefault(
                    "503",
                    {
                        "description": "De database is even niet bereikbaar of bezet; probeer "
                        "het opnieuw na Retry-After seconden",
                        "content": _PROBLEM_CONTENT,
                    },
                )
            if path in _PUBLIC_API_PATHS:
                continue
            operation["security"] = [{"bearer": []}]
            responses.setdefault(
                "401", {"description": "Niet ingelogd", "content": _PROBLEM_CONTENT}
            )
            if method in ("post", "put", "patch", "delete"):
                responses.setdefault(
                    "403",
                    {"description": "Niet toegestaan voor uw rol", "content": _PROBLEM_CONTENT},
                )
    app.openapi_schema = schema
    return schema
