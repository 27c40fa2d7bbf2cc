"""create_app(settings): the register's API under /api/v1 and its web pages, on one app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from cloudtoets.config import Settings
from cloudtoets.server.middleware import RequestContext
from cloudtoets.services.context import Register


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
        import secrets

        from starlette.middleware.sessions import SessionMiddleware

        from cloudtoets.web.oidc import HANDSHAKE_COOKIE, HANDSHAKE_PATH, HANDSHAKE_SECONDS

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

    from cloudtoets.api.routes import router as api_router
    from cloudtoets.server.api_docs import router as docs_router
    from cloudtoets.web.routes import router as web_router

    app.include_router(api_router, prefix="/api/v1")
    app.include_router(docs_router)
    app.include_router(web_router)
    static = Path(str(resources.files("cloudtoets.web") / "static"))
    app.mount("/static", StaticFiles(directory=static), name="static")
    return app
