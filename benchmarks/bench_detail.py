"""The registration detail in process: the route as it is (the stored decision when it is
today's) beside the same body made by evaluating, and beside the filtered list's route.

    .venv/bin/python benchmarks/bench_detail.py --database sqlite:///benchmarks/data/bench-api.sqlite

The database must hold an imported register (``bench_api.py --reuse`` keeps one). Each case calls
the route function directly (no HTTP, no server), for 200 registrations spread over the register,
``--rounds`` times interleaved, and prints the best round's CPU time per request (CPU time: on a
shared machine it is steadier than wall time). The local user sees every organisation, as
bench_api.py serves the app. The register must have been evaluated today (an import or
``cloudtoets refresh`` today), or the detail evaluates as before.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from typing import Any


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    from sqlalchemy import select

    from cloudtoets.api import registrations as api
    from cloudtoets.config import Settings
    from cloudtoets.server.app import create_app
    from cloudtoets.services import registrations as service
    from cloudtoets.services.actor import Actor
    from cloudtoets.store.tables import RegistrationRow

    settings = Settings(database_url=args.database, auth_mode="local")
    register = create_app(settings).state.register
    actor = Actor.local(settings.local_user)
    with register.sessions() as session:
        ids = list(session.scalars(select(RegistrationRow.id).order_by(RegistrationRow.id)))
    ids = ids[:: max(1, len(ids) // 200)][:200]
    stored = sum(service.registration_detail(register, actor, i).stored for i in ids)
    cases: dict[str, Callable[[str], Any]] = {
        "detail (stored decision)": lambda i: api.get_registration(i, register, actor),
        "detail (evaluated, as before)": lambda i: api.detail_response(
            service.get_registration(register, actor, i)
        ),
    }
    organisation = ids[0]
    with register.sessions() as session:
        row = session.get(RegistrationRow, organisation)
        assert row is not None
        organisation, verdict = row.organisation_id, row.verdict

    def filtered(_: str) -> Any:
        return api.list_registrations(
            register, actor, organisation=[organisation], verdict=[verdict], page_size=50
        )

    cases["filtered list (50 of one organisation)"] = filtered
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} CPUs")
    print(f"{len(ids)} registrations, {stored} with a current stored decision")
    best = {name: float("inf") for name in cases}
    for _ in range(args.rounds):
        for name, case in cases.items():
            start = time.process_time()
            for registration_id in ids:
                case(registration_id)
            best[name] = min(best[name], (time.process_time() - start) / len(ids))
    for name, seconds in best.items():
        print(f"{name:<42} {seconds * 1000:7.3f} ms CPU per request")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    register.close()


if __name__ == "__main__":
    main()
