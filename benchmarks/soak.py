"""Endurance under a steady mixed load: ``cloudtoets serve --workers 2`` on a generated register,
clients that read and write for a bounded time, the workers' memory at the start and the end, and
a consistency check afterwards. Loopback only; prints a JSON summary.

    .venv/bin/python benchmarks/soak.py [--database sqlite|postgresql] [--minutes 8 | --seconds 60]
        [--clients 20] [--registrations 20000]

1. The register of benchmarks/generate.py (``--registrations``, seed 1; kept in benchmarks/data/)
   is imported with ``cloudtoets import`` into a fresh database (a temporary SQLite file, or a
   scratch PostgreSQL database on 127.0.0.1:5432 made and dropped here, migrated first with
   ``cloudtoets db upgrade``).
2. ``cloudtoets serve --workers 2`` (no logins: the local user) on a free loopback port; on
   PostgreSQL connected as the ordinary role ``--app-role`` (made if missing, as
   docs/security.md describes), so row-level security binds every query as in production.
3. ``--clients`` threads, each with its own keep-alive connection, for the whole duration: a
   list page (page size 20) or one registration (``--read-ids`` of them), and with chance
   ``--write-share`` a read-modify-write: GET, then PUT with If-Match and a new name. Each client
   writes only its own share of the first ``--writable`` registrations, so every PUT should get a
   200 (a 412 would be a lost update).
4. Reported: requests per second, p50/p99 latency and statuses per minute and in all (also per
   kind of request), the RSS and PSS of each worker at the start, every minute and at the end,
   the CPU of the workers and of the clients (this process).
5. Afterwards, with the server stopped: every registration that was written has moved exactly
   one version per 200 PUT, has exactly one new audit record per 200 PUT (and the new records in
   all equal the number of 200 PUTs), and ``cloudtoets audit verify`` passes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import text

from cloudtoets.store.db import make_engine
from generate import generate
from registers import (
    APP_ROLE,
    CLI,
    DATA,
    POSTGRES_ADMIN_URL,
    cloudtoets_import,
    cloudtoets_upgrade,
    database_size_mb,
    fresh_database,
    grant_app_role,
    role_url,
    write_json,
)
from serving import Clients, Server, memory_mb, registration_ids, serving

SCRATCH = "cloudtoets_soak"
TICKS = os.sysconf("SC_CLK_TCK")


def machine() -> dict[str, Any]:
    memory = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory) / 1024**2, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def load_average() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def register_file(registrations: int, seed: int) -> Path:
    path = DATA / f"register-{registrations // 1000}k-seed{seed}.json"
    if not path.exists():
        print(f"generating {registrations:,} registrations (seed {seed}) ...", file=sys.stderr)
        write_json(generate(registrations, seed), path)
    return path


def state(url: str, ids: list[str]) -> tuple[dict[str, int], int]:
    """The version of each of ``ids`` and the last audit record id."""
    wanted = set(ids)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            versions = {
                row[0]: int(row[1])
                for row in connection.execute(text("SELECT id, version FROM registrations"))
                if row[0] in wanted
            }
            last = connection.execute(text("SELECT max(id) FROM audit_log")).scalar()
        return versions, int(last or 0)
    finally:
        engine.dispose()


def audit_since(url: str, last: int) -> tuple[Counter[str], Counter[str]]:
    """The audit records after ``last``: per registration id, and per (object type, action)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT object_type, action, object_id FROM audit_log WHERE id > :last"),
                {"last": last},
            ).all()
    finally:
        engine.dispose()
    per_registration = Counter(row[2] for row in rows if row[0] == "registration")
    per_kind = Counter(f"{row[0]} {row[1]}" for row in rows)
    return per_registration, per_kind


def workers_memory(server: Server) -> dict[str, dict[str, float]]:
    return {str(pid): memory_mb(pid) for pid in sorted(server.workers())}


def soak(kind: str, args: argparse.Namespace, seconds: float) -> dict[str, Any]:
    path = register_file(args.registrations, args.seed)
    with (
        fresh_database(kind, SCRATCH, args.admin_url) as url,
        tempfile.TemporaryDirectory(prefix="cloudtoets-soak-") as folder,
    ):
        if kind == "postgresql":  # the owner migrates; no other command changes the schema
            upgraded = cloudtoets_upgrade(url)
            if upgraded.code:
                raise SystemExit(f"db upgrade ended with {upgraded.code}: {upgraded.last_line()}")
        print(f"{kind}: import {path.name} ...", file=sys.stderr)
        imported = cloudtoets_import(path, url)
        if imported.code:
            raise SystemExit(f"import ended with {imported.code}: {imported.last_line()}")
        result: dict[str, Any] = {
            "import": {
                "registrations": args.registrations,
                "wall_s": round(imported.wall, 1),
                "peak_rss_mb": round(imported.rss_mb),
                "database_mb": round(database_size_mb(url)),
            }
        }
        server_url = url
        if kind == "postgresql" and args.app_role:  # as in production: row-level security binds
            if grant_app_role(url, args.app_role):
                raise SystemExit(f"{args.app_role} is a superuser or has BYPASSRLS")
            server_url = role_url(url, args.app_role)
        result["server_database_user"] = server_url.split("://", 1)[1].split("@", 1)[0]
        with serving(server_url, Path(folder), workers=args.workers) as server:
            ids = registration_ids(server.base, args.read_ids)
            writable = ids[: args.writable]
            versions_before, last_audit = state(url, writable)
            workers = server.workers()
            memory = [{"at_s": 0, "workers": workers_memory(server)}]
            cpu_before = {pid: cpu_seconds(pid) for pid in workers}
            own_before = own_cpu_seconds()
            print(f"{kind}: {args.clients} clients for {seconds:.0f} s ...", file=sys.stderr)
            clients = Clients(
                server.base,
                ids,
                count=args.clients,
                write_share=args.write_share,
                writable=args.writable,
            ).start()
            started = time.monotonic()
            step = 60.0 if seconds >= 120 else seconds / 4
            moment = started
            while moment < started + seconds - 0.5:
                moment = min(started + seconds, moment + step)
                time.sleep(max(0.0, moment - time.monotonic()))
                memory.append({"at_s": round(moment - started), "workers": workers_memory(server)})
            clients.stop()
            ended = time.monotonic()
            took = ended - started
            cpu_after = {pid: cpu_seconds(pid) for pid in workers}
            same_workers = server.workers() == workers
            log_text = server.log.read_text(errors="replace")
        summary = clients.summary(took)
        first, last = memory[0]["workers"], memory[-1]["workers"]
        result["load"] = summary
        result["per_period"] = clients.timeline(started, ended, step)
        result["workers"] = {
            "same_processes_start_to_end": same_workers,
            "rss_mb_start": {pid: values.get("rss") for pid, values in first.items()},
            "rss_mb_end": {pid: values.get("rss") for pid, values in last.items()},
            "pss_mb_start": {pid: values.get("pss") for pid, values in first.items()},
            "pss_mb_end": {pid: values.get("pss") for pid, values in last.items()},
            "memory_per_period": memory,
            "cpu_cores": round(sum(cpu_after[p] - cpu_before[p] for p in workers) / took, 2),
            "cpu_ms_per_request": round(
                sum(cpu_after[p] - cpu_before[p] for p in workers) * 1000 / summary["answers"], 2
            )
            if summary["answers"]
            else None,
        }
        result["clients_cpu_cores"] = round((own_cpu_seconds() - own_before) / took, 2)
        result["server_log"] = {
            "tracebacks": sum(line.startswith("Traceback") for line in log_text.splitlines()),
            "lines_with_500": sum('" 500' in line for line in log_text.splitlines()),
        }

        versions_after, _ = state(url, writable)
        per_registration, per_kind = audit_since(url, last_audit)
        written = clients.written
        version_off = {
            registration: (versions_after[registration] - versions_before[registration], count)
            for registration in writable
            if versions_after[registration] - versions_before[registration]
            != (count := written.get(registration, 0))
        }
        audit_off = {
            registration: (per_registration.get(registration, 0), count)
            for registration in set(writable) | set(per_registration)
            if per_registration.get(registration, 0) != (count := written.get(registration, 0))
        }
        verify = subprocess.run(
            [str(CLI), "audit", "verify", "--database", url],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        lines = (verify.stdout + verify.stderr).strip().splitlines()
        puts_200 = sum(written.values())
        result["consistency"] = {
            "puts_200": puts_200,
            "registrations_written": len(written),
            "version_steps": sum(versions_after[r] - versions_before[r] for r in writable),
            "registrations_with_other_version_steps": dict(list(version_off.items())[:10]),
            "audit_records_for_written_registrations": sum(per_registration.values()),
            "new_audit_records_by_kind": dict(per_kind),
            "registrations_with_other_audit_count": dict(list(audit_off.items())[:10]),
            "audit_verify_exit_code": verify.returncode,
            "audit_verify": lines[-1][:300] if lines else "",
            "ok": not version_off
            and not audit_off
            and sum(per_registration.values()) == puts_200
            and verify.returncode == 0,
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument(
        "--app-role",
        default=APP_ROLE,
        help="PostgreSQL role the server connects as ('' for the owner)",
    )
    parser.add_argument("--minutes", type=float, default=8.0)
    parser.add_argument("--seconds", type=float, help="instead of --minutes, for a quick run")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--registrations", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write-share", type=float, default=0.2)
    parser.add_argument("--writable", type=int, default=2000, help="registrations written to")
    parser.add_argument("--read-ids", type=int, default=5000, help="registrations read")
    args = parser.parse_args()
    seconds = args.seconds if args.seconds is not None else args.minutes * 60
    summary: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": args.database,
        "load_average_before": load_average(),
    }
    summary.update(soak(args.database, args, seconds))
    summary["load_average_after"] = load_average()
    json.dump(summary, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
