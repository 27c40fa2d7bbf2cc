"""Where an API request spends its time: an in-process request loop, optionally under cProfile.

    .venv/bin/python benchmarks/profile_api.py --endpoint filtered --requests 500 \
        --database sqlite:///benchmarks/data/bench-api.sqlite [--profile /tmp/api.prof]

Builds the app with ``create_app`` (as each ``cloudtoets serve`` worker does) and sends requests
one after the other through ``httpx.ASGITransport`` (no network, no server: the ASGI app itself,
with its middleware, routing, validation and the sync endpoint run in the thread pool). Prints the
median and mean time per request and, separately, the time of the service call
(``services.registrations.list_registrations`` / ``get_registration``) and of the bare SQL of the
page, so the share of the web layer, the ORM/service layer and the database is visible. The
database must hold an imported register (``bench_api.py --reuse`` keeps one in
benchmarks/data/bench-api.sqlite and PostgreSQL database cloudtoets_bench_api). The app runs
without login (``auth_mode`` local: the local user sees every organisation), as bench_api.py
serves it; on PostgreSQL connect as the app's ordinary role, as the server does, so row-level
security applies: ``--database postgresql://cloudtoets_app@127.0.0.1/cloudtoets_bench_api``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

COMBINATIONS = (
    ("zbo-0260", "transition"),
    ("zbo-0260", "not-allowed"),
    ("agency-0068", "transition"),
)


def _paths(endpoint: str) -> list[str]:
    if endpoint == "filtered":
        return [
            f"/api/v1/registrations?organisation={o}&verdict={v}&page_size=50&page={p}"
            for o, v in COMBINATIONS
            for p in (1, 2, 3)
        ]
    if endpoint == "first-page":
        return ["/api/v1/registrations?page_size=50"]
    if endpoint == "detail":
        return [f"/api/v1/registrations/reg-{i:07d}" for i in range(1, 100_001, 997)]
    if endpoint == "health":
        return ["/api/v1/health"]
    raise SystemExit(f"unknown endpoint {endpoint}")


def _timed(function: Callable[[], Any], n: int) -> list[float]:
    function()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def _show(label: str, times: list[float]) -> None:
    print(
        f"{label:<44} median {statistics.median(times) * 1000:7.2f} ms   "
        f"mean {statistics.mean(times) * 1000:7.2f} ms   ({len(times)} runs)"
    )


async def _http_loop(app: Any, paths: list[str], n: int, profile: Path | None) -> list[float]:
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for path in paths:
            response = await client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.text[:200]}")
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        times = []
        for i in range(n):
            start = time.perf_counter()
            await client.get(paths[i % len(paths)])
            times.append(time.perf_counter() - start)
        if profiler and profile:
            profiler.disable()
            profiler.dump_stats(profile)
    return times


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="URL of a database with a register")
    parser.add_argument(
        "--endpoint", default="filtered", choices=("filtered", "first-page", "detail", "health")
    )
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the HTTP loop here")
    args = parser.parse_args(argv)

    from sqlalchemy import text

    from cloudtoets.config import Settings
    from cloudtoets.domain.registration_query import RegistrationQuery
    from cloudtoets.server.app import create_app
    from cloudtoets.services import registrations as service
    from cloudtoets.services.actor import Actor

    settings = Settings(database_url=args.database, auth_mode="local")  # as bench_api.py serves
    app = create_app(settings)
    register = app.state.register
    # the acting user as the app builds it for the local user (Actor.local where it exists)
    local = getattr(Actor, "local", None)
    actor = local(settings.local_user) if local else Actor(user=settings.local_user)
    paths = _paths(args.endpoint)

    times = asyncio.run(_http_loop(app, paths, args.requests, args.profile))
    _show(f"HTTP {args.endpoint} (in process)", times)

    n = min(args.requests, 200)
    if args.endpoint == "filtered":
        queries = [
            RegistrationQuery(organisation=o, verdict=v, page=p)
            for o, v in COMBINATIONS
            for p in (1, 2, 3)
        ]
        calls = iter(range(10**9))
        _show(
            "service list_registrations",
            _timed(
                lambda: service.list_registrations(
                    register, actor, queries[next(calls) % len(queries)]
                ),
                n,
            ),
        )
        organisation, verdict = COMBINATIONS[0]
        where = f"organisation_id = '{organisation}' and verdict = '{verdict}'"
        columns = (
            "id, name, organisation_id, provider, deployment, verdict, deadline, is_material, "
            "is_public_cloud, jurisdictions, findings_count, evaluated_on, version"
        )
        page_ids = f"select id from registrations where {where} order by id limit 50"
        count = f"select count(*) from registrations where {where}"
        statements = {
            # the shape repositories.list_registrations sends: the page's ids first, the total
            # as an uncorrelated subquery
            "SQL: page with total (as the list sends it)": f"select {columns}, ({count}) as total "
            f"from registrations where id in ({page_ids}) order by id",
            "SQL: page alone": f"select {columns} from registrations where id in ({page_ids}) "
            "order by id",
            "SQL: count alone": count,
        }
        with register.engine.connect() as connection:
            for label, sql in statements.items():
                statement = text(sql)
                _show(label, _timed(lambda: connection.execute(statement).all(), n))  # noqa: B023
    elif args.endpoint == "first-page":
        _show(
            "service list_registrations",
            _timed(lambda: service.list_registrations(register, actor, RegistrationQuery()), 20),
        )
    elif args.endpoint == "detail":
        ids = [p.rsplit("/", 1)[1] for p in paths]
        calls = iter(range(10**9))
        _show(
            "service get_registration",
            _timed(
                lambda: service.get_registration(register, actor, ids[next(calls) % len(ids)]), n
            ),
        )
    register.close()


if __name__ == "__main__":
    main()
