"""Backup and restore of a register while a server takes writes (docs/operations.md).

    .venv/bin/python benchmarks/bench_backup.py --registrations 10000

For each database (a fresh SQLite file; a fresh PostgreSQL database ``cloudtoets_bench_backup``):

1. ``cloudtoets db upgrade`` and ``cloudtoets import`` of a generated register (generate.py,
   seed 1, ``--registrations``), an editor of the largest organisation and their API token;
2. ``cloudtoets serve`` on a free loopback port (1 worker) and ``--writers`` threads that each
   create a registration and change it again and again with PUT and If-Match, without pause;
3. after ``--warmup`` seconds: ``cloudtoets db backup FILE`` (wall time of the command, its
   checks included), and the PUTs the writers got answered meanwhile (and any 5xx);
4. SQLite only, with ``--compare-backup-api``: the same copy with SQLite's online backup API in
   steps of 100 pages (what the ``sqlite3`` shell's ``.backup`` does), under the same writes, given
   ``--backup-api-limit`` seconds;
5. stop the writers and the server; ``cloudtoets db restore FILE`` into a fresh database (wall
   time, checks included); the sizes of database and backup.

Prints a Markdown table. Everything shares one machine (see docs/operations.md for its size).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx

from generate import generate
from registers import (
    CLI,
    POSTGRES_ADMIN_URL,
    database_size_mb,
    fresh_database,
    write_json,
)

NAME = "cloudtoets_bench_backup"


def cloudtoets(*args: str, url: str, stdin: str | None = None) -> tuple[float, str]:
    """Run a command to the end; (wall seconds, stdout). Stops the script if it fails."""
    started = time.monotonic()
    result = subprocess.run(
        [str(CLI), *args, "--database", url],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"cloudtoets {' '.join(args)}: {result.returncode}\n{result.stderr}")
    return elapsed, result.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(url: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [str(CLI), "serve", "--port", str(port), "--database", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise SystemExit(f"serve stopped with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit("serve did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Writers:
    """Threads that change their own registration with PUT and If-Match until stopped."""

    def __init__(self, base: str, token: str, organisation: str, count: int) -> None:
        self.base, self.token, self.organisation = base, token, organisation
        self.statuses: Counter[int] = Counter()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self.write, args=(n,), daemon=True) for n in range(count)
        ]

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()

    def answered(self) -> int:
        with self.lock:
            return sum(self.statuses.values())

    def body(self, registration_id: str, change: int) -> dict[str, object]:
        return {
            "id": registration_id,
            "organisation": self.organisation,
            "name": f"wijziging {change}",
            "deployment": "public",
            "provider": "microsoft-ireland",
            "storage_countries": ["NL", "IE"],
            "encrypted_at_rest": True,
            "encrypted_in_transit": True,
        }

    def write(self, number: int) -> None:
        registration_id = f"bench-backup-{number}"
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=300) as client:
            response = client.post("/api/v1/registrations", json=self.body(registration_id, 0))
            change = 0
            while response.status_code in (200, 201) and not self.stopping.is_set():
                change += 1
                response = client.put(
                    f"/api/v1/registrations/{registration_id}",
                    json=self.body(registration_id, change),
                    headers={"If-Match": response.headers["etag"]},
                )
                with self.lock:
                    self.statuses[response.status_code] += 1


def backup_api_copy(source: Path, target: Path, limit: float) -> float | None:
    """Seconds the online backup API took in steps of 100 pages, or None past ``limit``."""
    started = time.monotonic()

    def progress(status: int, remaining: int, total: int) -> None:
        if time.monotonic() - started > limit:
            raise TimeoutError

    with (
        contextlib.closing(sqlite3.connect(source)) as live,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        try:
            live.backup(copy, pages=100, progress=progress, sleep=0.0)
        except TimeoutError:
            return None
    return time.monotonic() - started


def largest_organisation(document: dict[str, object]) -> str:
    registrations = document["registrations"]
    assert isinstance(registrations, list)
    counts = Counter(r["organisation"] for r in registrations)
    return counts.most_common(1)[0][0]


def measure(kind: str, args: argparse.Namespace, inventory: Path, organisation: str) -> list[str]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as folder:
        backup = Path(folder) / ("register.sqlite.bak" if kind == "sqlite" else "register.dump")
        with fresh_database(kind, NAME, args.postgres_admin_url) as url:
            cloudtoets("db", "upgrade", url=url)
            imported, _ = cloudtoets("import", str(inventory), url=url)
            cloudtoets(
                "user", "create", "bench-editor", "--role", "editor",
                "--organisation", organisation, url=url,
            )  # fmt: skip
            _, token = cloudtoets("token", "create", "bench-editor", "--name", "bench", url=url)
            size = database_size_mb(url)
            api_seconds: float | None = None
            with serving(url) as base, Writers(base, token, organisation, args.writers) as writers:
                time.sleep(args.warmup)
                before, started = writers.answered(), time.monotonic()
                seconds, said = cloudtoets("db", "backup", str(backup), url=url)
                during = writers.answered() - before
                rate = during / (time.monotonic() - started)
                if kind == "sqlite" and args.compare_backup_api:
                    api_seconds = backup_api_copy(
                        Path(url.removeprefix("sqlite:///")),
                        Path(folder) / "backup-api.sqlite",
                        args.backup_api_limit,
                    )
            errors = sum(n for status, n in writers.statuses.items() if status >= 500)
        print(f"  {kind}: {said}", file=sys.stderr)
        with fresh_database(kind, NAME + "_terug", args.postgres_admin_url) as target:
            restore_seconds, restored = cloudtoets("db", "restore", str(backup), url=target)
        print(f"  {kind}: {restored}", file=sys.stderr)
        rows.append(
            f"| {kind} | {args.registrations:,} | {size:.1f} MB | "
            f"{backup.stat().st_size / 1e6:.1f} MB | {seconds:.1f} s | {during} ({rate:.0f}/s), "
            f"{errors} errors | {restore_seconds:.1f} s | {imported:.0f} s |"
        )
        if kind == "sqlite" and args.compare_backup_api:
            shown = (
                f"not done after {args.backup_api_limit:.0f} s"
                if api_seconds is None
                else f"{api_seconds:.1f} s"
            )
            rows.append(f"| sqlite, backup API in steps of 100 pages | | | | {shown} | | | |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=10_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--compare-backup-api", action="store_true")
    parser.add_argument("--backup-api-limit", type=float, default=60.0)
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-backup-register-") as folder:
        document = generate(args.registrations, 1)
        inventory = Path(folder) / "register.json"
        write_json(document, inventory)
        organisation = largest_organisation(document)
        rows = [
            "| database | registrations | database size | backup size | `db backup` under "
            "writes | PUTs answered during the backup | `db restore` into a new database "
            "| import |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for kind in args.databases.split(","):
            print(f"{kind} ...", file=sys.stderr)
            rows += measure(kind, args, inventory, organisation)
    print("\n".join(rows))
    print(f"\n{os.cpu_count()} cores")


if __name__ == "__main__":
    main()
