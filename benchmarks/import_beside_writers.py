"""A large import into the register a server uses, while clients write (docs/operations.md).

    .venv/bin/python benchmarks/import_beside_writers.py --registrations 8000

For each database (a fresh SQLite file; a fresh PostgreSQL database ``cloudtoets_bench_beside``):

1. ``cloudtoets db upgrade`` and ``cloudtoets import`` of a generated register (generate.py,
   seed 1), an editor of the largest organisation and their API token;
2. ``cloudtoets serve`` (1 worker) on a free loopback port and ``--writers`` threads that each
   create a registration of their own and change it again and again (PUT with If-Match);
3. after ``--warmup`` seconds: ``cloudtoets import`` of the same register with every
   registration renamed, so every one of them is changed and written again;
4. the writers go on for ``--after`` seconds, then stop.

Reports the import's wall time, the PUTs answered while it ran (per status), their p50, p99 and
slowest answer, and the longest time no PUT was answered during the import: on SQLite that is
about how long the import held the write lock (an import used to hold it for all of its work).
A 5xx other than a 503 is a failure. Loopback only; the server is stopped on leaving.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench_backup import Writers, cloudtoets, largest_organisation, serving
from generate import generate
from registers import POSTGRES_ADMIN_URL, fresh_database, write_json

NAME = "cloudtoets_bench_beside"


class TimedWriters(Writers):
    """bench_backup's writers, each answer kept as (moment it came, seconds it took, status),
    and a 503 waited out as its Retry-After says."""

    def __init__(self, base: str, token: str, organisation: str, count: int) -> None:
        super().__init__(base, token, organisation, count)
        self.answers: list[tuple[float, float, int]] = []

    def __enter__(self) -> TimedWriters:
        super().__enter__()
        return self

    def write(self, number: int) -> None:
        registration_id = f"bench-beside-{number}"
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=120) as client:
            response = client.post("/api/v1/registrations", json=self.body(registration_id, 0))
            etag = response.headers.get("etag")
            change = 0
            while etag and not self.stopping.is_set():
                change += 1
                started = time.monotonic()
                response = client.put(
                    f"/api/v1/registrations/{registration_id}",
                    json=self.body(registration_id, change),
                    headers={"If-Match": etag},
                )
                done = time.monotonic()
                with self.lock:
                    self.answers.append((done, done - started, response.status_code))
                if response.status_code == 200:
                    etag = response.headers["etag"]
                elif response.status_code == 503:  # busy: wait as told, then read again
                    time.sleep(float(response.headers.get("retry-after", "1")))
                    etag = client.get(f"/api/v1/registrations/{registration_id}").headers.get(
                        "etag"
                    )
                else:
                    etag = None


def renamed(document: dict[str, Any]) -> dict[str, Any]:
    changed = json.loads(json.dumps(document))
    for registration in changed["registrations"]:
        registration["name"] = f"{registration['name']} (nieuw)"
    return changed


def measure(
    kind: str, args: argparse.Namespace, first: Path, second: Path, organisation: str
) -> dict[str, Any]:
    with fresh_database(kind, NAME, args.postgres_admin_url) as url:
        cloudtoets("db", "upgrade", url=url)
        cloudtoets("import", str(first), url=url)
        cloudtoets(
            "user", "create", "bench-editor", "--role", "editor",
            "--organisation", organisation, url=url,
        )  # fmt: skip
        _, token = cloudtoets("token", "create", "bench-editor", "--name", "bench", url=url)
        with serving(url) as base, TimedWriters(base, token, organisation, args.writers) as w:
            time.sleep(args.warmup)
            started = time.monotonic()
            seconds, _ = cloudtoets("import", str(second), url=url)
            ended = time.monotonic()
            time.sleep(args.after)
        during = [a for a in w.answers if started <= a[0] <= ended]
        moments = [started, *sorted(a[0] for a in during if a[2] == 200), ended]
        latencies = sorted(a[1] for a in during)
        return {
            "database": kind,
            "registrations changed": args.registrations,
            "import wall s": round(seconds, 2),
            "PUTs during the import": dict(sorted(Counter(a[2] for a in during).items())),
            "PUTs before and after": dict(
                sorted(Counter(a[2] for a in w.answers if not started <= a[0] <= ended).items())
            ),
            "p50 ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
            "p99 ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 1)
            if latencies
            else None,
            "slowest ms": round(latencies[-1] * 1000, 1) if latencies else None,
            "longest without an answered PUT s": round(
                max(b - a for a, b in itertools.pairwise(moments)), 2
            ),
            "failures (5xx other than 503)": sum(
                1 for a in w.answers if a[2] >= 500 and a[2] != 503
            ),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=8_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--after", type=float, default=3.0)
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    args = parser.parse_args()
    document = generate(args.registrations, 1)
    with tempfile.TemporaryDirectory(prefix="bench-beside-") as folder:
        first, second = Path(folder) / "register.json", Path(folder) / "renamed.json"
        write_json(document, first)
        write_json(renamed(document), second)
        organisation = largest_organisation(document)
        results = [
            measure(kind, args, first, second, organisation) for kind in args.databases.split(",")
        ]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
