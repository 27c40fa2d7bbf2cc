"""Faults in production: a worker of ``cloudtoets serve --workers 2`` killed outright under load,
a ``cloudtoets import`` killed outright halfway, and (only when asked) PostgreSQL restarted under
load. Loopback only, bounded in time (about a minute per database), prints a JSON summary.

    .venv/bin/python benchmarks/faults.py [--postgres] [--restart-postgres] [--clients 4]
        [--kills 3]

For each database (a temporary SQLite file; with ``--postgres`` also a scratch database on
127.0.0.1:5432 that is made and dropped here):

1. ``cloudtoets serve --workers 2 --demo`` (no logins: the local user) on a free port; the time
   from the command to its first answer is the cold start.
2. ``--clients`` threads read (the list, a registration) and write (GET, then PUT with If-Match)
   through the API; each writes only its own registrations.
3. ``--kills`` times: SIGKILL to one worker, then poll every 10 ms until the supervisor's new
   worker listens (/proc/net/tcp) and until it answers a request (the process that holds the
   server's end of a fresh connection). The errors the clients saw meanwhile are counted; a
   request that was in the killed worker, or in its queue of connections, fails.
4. With ``--restart-postgres`` (PostgreSQL only; it restarts the machine's cluster, so every
   other user of it is cut off too): new clients as in 2, then ``pg_ctlcluster
   --skip-systemctl-redirect VERSION main restart`` (VERSION from /etc/postgresql). Counted: the
   answers per status during the outage (expected: 503 with Retry-After, never 500), the time from
   the end of the restart command to the first 200, whether the workers are the same processes
   afterwards (no restart of the server), and the server log's lines about it: one "database
   niet bereikbaar" and one "database weer bereikbaar" per worker that saw it, no traceback.
5. With the clients stopped and the server still running: ``cloudtoets import`` of a register of
   benchmarks/generate.py, killed with SIGKILL twice: at its first progress line (checking and
   evaluating, before the write transaction) and inside the write transaction, after it wrote
   rows (PostgreSQL: its backend has a transaction id and sent ``INSERT INTO registrations``;
   SQLite: it holds the write lock and the WAL file grew). After each kill the content of every
   table must be as before and ``cloudtoets audit verify`` must pass; then the server must still
   take a write, and the same import run again must succeed (and ``audit verify`` pass after it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import MetaData, select

from cloudtoets.store.db import make_engine
from generate import generate, write
from registers import CLI, POSTGRES_ADMIN_URL, create_postgres, drop_postgres
from serving import Clients, Server, registration_ids, serving

SCRATCH = "cloudtoets_faults"


def machine() -> dict[str, Any]:
    memory = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory) / 1024**2, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def fingerprint(url: str) -> dict[str, Any]:
    """Rows and a hash of the content of every table, in primary-key order."""
    engine = make_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        tables = {}
        with engine.connect() as connection:
            for name in sorted(metadata.tables):
                table = metadata.tables[name]
                order = list(table.primary_key.columns) or list(table.columns)
                digest = hashlib.sha256()
                rows = 0
                for row in connection.execute(select(table).order_by(*order)):
                    digest.update(repr(tuple(row)).encode())
                    rows += 1
                tables[name] = {"rows": rows, "sha256": digest.hexdigest()[:16]}
        return tables
    finally:
        engine.dispose()


def kill_worker(server: Server, clients: Clients) -> dict[str, Any]:
    """SIGKILL one worker; when its replacement listens and answers, and the errors meanwhile."""
    before = server.listening()
    victim = min(before)
    answers_before, errors_before = clients.snapshot()
    killed = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    listens = answers = replacement = None
    while time.monotonic() < killed + 60:
        new = server.listening() - before
        if new and listens is None:
            listens = time.monotonic() - killed
        if new:
            pid = server.answering()
            if pid in new:
                answers, replacement = time.monotonic() - killed, pid
                break
        time.sleep(0.01)
    time.sleep(0.5)  # errors of requests that were on their way when it answered
    answers_after, errors_after = clients.snapshot()
    return {
        "killed": victim,
        "replacement": replacement,
        "listens_after_s": None if listens is None else round(listens, 3),
        "answers_after_s": None if answers is None else round(answers, 3),
        "client_answers_meanwhile": answers_after - answers_before,
        "client_errors": errors_after - errors_before,
    }


def command(*arguments: str, url: str) -> dict[str, Any]:
    started = time.monotonic()
    done = subprocess.run(
        [str(CLI), *arguments, "--database", url],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
    return {
        "exit_code": done.returncode,
        "seconds": round(time.monotonic() - started, 2),
        "last_line": lines[-1][:300] if lines else "",
    }


def _in_write_transaction(url: str, admin_url: str) -> bool:
    """Whether an import is inside its write transaction and has written rows."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # locked: the import holds the write lock
            return True
        finally:
            probe.close()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as connection:
        found = connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL"
            " AND query ILIKE %s",
            (name, "%INSERT INTO registrations%"),
        ).fetchone()
    return bool(found and found[0])


def _wal_size(url: str) -> int:
    wal = Path(url.removeprefix("sqlite:///") + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def kill_import(url: str, admin_url: str, register: Path, phase: str) -> dict[str, Any]:
    """Start ``cloudtoets import`` and SIGKILL it at ``phase``: ``prepare`` (its first progress
    line) or ``write`` (inside the write transaction, after it wrote rows)."""
    before = fingerprint(url)
    started = time.monotonic()
    process = subprocess.Popen(
        [str(CLI), "import", str(register), "--database", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    seen = None
    if phase == "prepare":
        for line in process.stderr:
            if line.startswith("verwerkt "):
                seen = line.strip()
                os.kill(process.pid, signal.SIGKILL)
                break
    else:
        wal_before = None
        while process.poll() is None and time.monotonic() < started + 600:
            if url.startswith("sqlite:///"):
                if wal_before is None and _in_write_transaction(url, admin_url):
                    wal_before = _wal_size(url)
                if wal_before is not None and _wal_size(url) > wal_before:
                    os.kill(process.pid, signal.SIGKILL)
                    seen = f"write lock held, WAL {wal_before} -> {_wal_size(url)} bytes"
                    break
            elif _in_write_transaction(url, admin_url):
                os.kill(process.pid, signal.SIGKILL)
                seen = "backend with a transaction id, INSERT INTO registrations"
                break
            time.sleep(0.005)
    killed_after = time.monotonic() - started
    process.wait()
    errors = process.stderr.read() if seen is None else ""
    process.stderr.close()
    after = fingerprint(url)
    changed = sorted(name for name in before if before[name] != after.get(name))
    return {
        "phase": phase,
        "killed_at": seen,  # None: the import ended before it could be killed there
        "killed_after_s": round(killed_after, 2),
        "exit_code": process.returncode,
        "last_error_line": errors.strip().splitlines()[-1][:300] if errors.strip() else None,
        "tables_changed": changed,
        "unchanged": seen is not None and not changed,
        "audit_verify": command("audit", "verify", url=url),
    }


def killed_import(
    url: str, admin_url: str, folder: Path, server: Server, registrations: int
) -> dict[str, Any]:
    register = folder / "register.json"
    write(generate(registrations, 1), register)
    rows_before = fingerprint(url)["registrations"]["rows"]
    kills = [kill_import(url, admin_url, register, phase) for phase in ("prepare", "write")]
    ids = registration_ids(server.base, 1)
    with httpx.Client(base_url=server.base, timeout=60) as client:
        current = client.get(f"/api/v1/registrations/{ids[0]}")
        body = {**current.json(), "name": "na een afgebroken import"}
        write_status = client.put(
            f"/api/v1/registrations/{ids[0]}",
            json=body,
            headers={"If-Match": current.headers["etag"]},
        ).status_code
    again = command("import", str(register), url=url)
    rows_after = fingerprint(url)["registrations"]["rows"]
    return {
        "registrations_in_file": registrations,
        "kills": kills,
        "unchanged": all(kill["unchanged"] for kill in kills),
        "server_write_status": write_status,
        "rerun": again,
        "registrations_before": rows_before,
        "registrations_after_rerun": rows_after,
        "audit_verify_after_rerun": command("audit", "verify", url=url),
    }


def postgres_version() -> str:
    versions = sorted(
        (entry.name for entry in Path("/etc/postgresql").iterdir() if entry.name[0].isdigit()),
        key=lambda name: [int(part) for part in re.findall(r"\d+", name)],
    )
    if not versions:
        raise SystemExit("no cluster in /etc/postgresql")
    return versions[-1]


OUTAGE_LOST = "database niet bereikbaar"
OUTAGE_BACK = "database weer bereikbaar"


def restart_postgres(server: Server, clients: Clients, version: str) -> dict[str, Any]:
    """Restart the PostgreSQL cluster under load; what the clients and the log saw."""
    workers = server.workers()
    log_offset = server.log.stat().st_size
    began = time.monotonic()
    done = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    restarted = time.monotonic()
    first_200 = None
    while time.monotonic() < restarted + 60:
        first_200 = next((a[0] for a in clients.since(restarted) if a[3] == 200), None)
        if first_200 is not None:
            break
        time.sleep(0.01)
    time.sleep(3)  # load after the recovery: answers must be back to 200
    tail_from = time.monotonic()
    time.sleep(2)
    answers = clients.since(began - 1)
    failed = [a for a in answers if a[3] != 200]
    tail = [a for a in answers if a[0] >= tail_from]
    statuses: dict[str, int] = {}
    for answer in answers:
        statuses[str(answer[3])] = statuses.get(str(answer[3]), 0) + 1
    with server.log.open("rb") as log:
        log.seek(log_offset)
        text = log.read().decode(errors="replace")
    lines = text.splitlines()
    back = next((a[0] for a in answers if failed and a[0] > failed[-1][0] and a[3] == 200), None)
    ready = httpx.get(f"{server.base}/api/v1/health/ready", timeout=10)
    return {
        "command": f"pg_ctlcluster --skip-systemctl-redirect {version} main restart",
        "command_exit_code": done.returncode,
        "command_output": (done.stdout + done.stderr).strip()[-300:],
        "restart_command_s": round(restarted - began, 2),
        "first_200_after_restart_s": None if first_200 is None else round(first_200 - restarted, 3),
        "first_not_200_after_start_s": round(failed[0][0] - began, 3) if failed else None,
        "last_not_200_after_start_s": round(failed[-1][0] - began, 3) if failed else None,
        # from the first answer that was not 200 to the first 200 after the last one
        "outage_s": round(back - failed[0][0], 3) if failed and back else None,
        "200_during_outage": sum(
            a[3] == 200 for a in answers if failed and failed[0][0] <= a[0] <= failed[-1][0]
        ),
        "statuses_from_restart_to_5s_after_recovery": statuses,
        "statuses_in_the_last_2s": sorted({a[3] for a in tail}),
        "answers_in_the_last_2s": len(tail),
        "503_without_retry_after": clients.without_retry_after,
        "same_workers": server.workers() == workers and server.process.poll() is None,
        "log_lines_not_reachable": sum(OUTAGE_LOST in line for line in lines),
        "log_lines_reachable_again": sum(OUTAGE_BACK in line for line in lines),
        "log_tracebacks": sum(line.startswith("Traceback") for line in lines),
        "log_outage_lines": [
            line[:400] for line in lines if OUTAGE_LOST in line or OUTAGE_BACK in line
        ],
        "log_lines_with_500": [line[:300] for line in lines if '" 500' in line][:5],
        "health_ready_after": ready.status_code,
    }


def run(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cloudtoets-faults-") as name:
        folder = Path(name)
        if kind == "sqlite":
            url = f"sqlite:///{folder / 'register.sqlite'}"
        else:
            url = create_postgres(args.admin_url, SCRATCH)
            upgraded = command("db", "upgrade", url=url)
            if upgraded["exit_code"]:
                raise SystemExit(f"db upgrade: {upgraded['last_line']}")
        try:
            with serving(url, folder, workers=2, demo=True) as server:
                ids = registration_ids(server.base)
                clients = Clients(server.base, ids, count=args.clients).start()
                started = time.monotonic()
                time.sleep(args.settle)
                kills = []
                for _ in range(args.kills):
                    kills.append(kill_worker(server, clients))
                    time.sleep(args.settle)
                clients.stop()
                load = clients.summary(time.monotonic() - started)
                restart = None
                if kind == "postgresql" and args.restart_postgres:
                    clients = Clients(server.base, ids, count=args.clients, pause=0.05).start()
                    time.sleep(args.settle)
                    restart = restart_postgres(server, clients, postgres_version())
                    clients.stop()
                    restart["load"] = clients.summary(time.monotonic() - started)
                imported = killed_import(url, args.admin_url, folder, server, args.registrations)
                cold = server.cold_seconds
        finally:
            if kind == "postgresql":
                drop_postgres(args.admin_url, SCRATCH)
    gaps = sorted(k["answers_after_s"] for k in kills if k["answers_after_s"] is not None)
    result = {
        "cold_start_s": round(cold, 2),
        "replacement_answers_after_s": {
            "median": gaps[len(gaps) // 2] if gaps else None,
            "max": gaps[-1] if gaps else None,
            "target_2s_met": bool(gaps) and len(gaps) == len(kills) and gaps[-1] <= 2.0,
        },
        "replacement_over_cold_start": round(gaps[-1] / cold, 3) if gaps else None,
        "kills": kills,
        "load": load,
        "killed_import": imported,
    }
    if restart is not None:
        result["postgresql_restart"] = restart
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    parser.add_argument(
        "--restart-postgres",
        action="store_true",
        help="restart the machine's PostgreSQL cluster under load (implies --postgres)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--admin-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds of load between kills")
    parser.add_argument("--registrations", type=int, default=3000, help="in the killed import")
    args = parser.parse_args()
    summary: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_before": Path("/proc/loadavg").read_text().split()[:3],
    }
    if not args.no_sqlite:
        summary["sqlite"] = run("sqlite", args)
    if args.postgres or args.restart_postgres:
        summary["postgresql"] = run("postgresql", args)
    summary["load_average_after"] = Path("/proc/loadavg").read_text().split()[:3]
    json.dump(summary, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
