"""A minimal FastAPI + SQLAlchemy Core + psycopg 3 app for the filtered list: a yardstick.

The register's list target (PostgreSQL, 10 clients: at least 450 requests/s at a p99 of at most
60 ms) is what "a hand-tuned minimal FastAPI + SQLAlchemy Core + psycopg 3 stack" reached on the
machine it was set on. This is such a stack, over the same table and index, so that
``bench_api.py --app minimal_app:create_app`` can run it beside the register on the same machine
in the same hour: their ratio carries over between machines where the rates do not.

It answers only ``GET /api/v1/registrations?organisation=O&verdict=V&page=P&page_size=N`` with the
same JSON shape (``items``, ``total``, ``page``, ``page_size``): one statement (the page's ids
from the index, the total as a scalar subquery), rows as dicts rendered by orjson. No login, no
row-level security (it should connect as the table owner or a superuser: ``--app-role ''``),
no middleware, no audit, no validation beyond FastAPI's. The database URL comes from
``CLOUDTOETS_DATABASE_URL``.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, Query
from fastapi.responses import Response
from sqlalchemy import bindparam, create_engine, text

COLUMNS = (
    "id, name, organisation_id, provider, deployment, verdict, deadline, is_material, "
    "is_public_cloud, jurisdictions, findings_count, evaluated_on, version"
)
KEYS = [c.strip() for c in COLUMNS.split(",")]
PAGE = text(
    f"SELECT {COLUMNS}, (SELECT count(*) FROM registrations "
    "WHERE organisation_id = :organisation AND verdict = :verdict) AS total "
    "FROM registrations WHERE id IN (SELECT id FROM registrations "
    "WHERE organisation_id = :organisation AND verdict = :verdict "
    "ORDER BY id LIMIT :limit OFFSET :offset) ORDER BY id"
).bindparams(bindparam("limit"), bindparam("offset"))


def create_app() -> FastAPI:
    url = os.environ["CLOUDTOETS_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(url, pool_size=30, max_overflow=0, json_deserializer=orjson.loads)
    app = FastAPI()

    @app.get("/api/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/registrations")
    def registrations(
        organisation: Annotated[str, Query()],
        verdict: Annotated[str, Query()],
        page: Annotated[int, Query(ge=1)] = 1,
        page_size: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> Response:
        parameters = {
            "organisation": organisation,
            "verdict": verdict,
            "limit": page_size,
            "offset": (page - 1) * page_size,
        }
        with engine.connect() as connection:
            rows = connection.execute(PAGE, parameters).fetchall()
        total = rows[0][-1] if rows else 0
        items: list[dict[str, Any]] = [dict(zip(KEYS, row, strict=False)) for row in rows]
        body = {"items": items, "total": total, "page": page, "page_size": page_size}
        return Response(orjson.dumps(body), media_type="application/json")

    return app
