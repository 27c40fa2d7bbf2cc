"""Helpers shared by bench_api.py and bench_import_xlsx.py: the generated register as one file,
fresh databases, an ordinary PostgreSQL role for the app, ``cloudtoets import`` as a measured child
process.

Not a benchmark itself. The register is imported as generate.py writes it: nested document
suppliers and all registrations in one file, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from bench_check import WRAPPER

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
CLI = Path(sys.executable).parent / "cloudtoets"
POSTGRES_ADMIN_URL = "postgresql://root@127.0.0.1:5432/postgres"
# What docs/security.md tells operators to run the app as: an ordinary role (not a superuser, no
# BYPASSRLS), so PostgreSQL's row-level security binds every query it sends.
APP_ROLE = "cloudtoets_app"


def write_json(document: dict[str, Any], path: Path) -> None:
    """Compact JSON: what an export or another system would upload (no indentation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(document))


# ------------------------------------------------------------------------------------- databases


def postgres_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def role_url(url: str, role: str) -> str:
    """The same PostgreSQL database, reached as ``role`` (trust authentication on loopback)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{role}@{rest.split('@', 1)[-1]}"


def grant_app_role(url: str, role: str = APP_ROLE) -> bool:
    """Let ``role`` (made if missing, LOGIN, not a superuser) read and write the tables of the
    database at ``url``, as docs/security.md describes; returns whether it is a superuser or has
    BYPASSRLS (then row-level security does not bind it)."""
    import psycopg
    from psycopg import sql

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", role):
        raise ValueError(f"role name {role!r}")
    name = sql.Identifier(role)
    with psycopg.connect(url, autocommit=True) as connection:
        found = connection.execute(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %s", (role,)
        ).fetchone()
        if found is None:
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN").format(name))
        connection.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name))
        connection.execute(
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
            ).format(name)
        )
        connection.execute(
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name)
        )
    return bool(found and found[0])


def _admin(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(statement)


def create_postgres(admin_url: str, name: str) -> str:
    """A new, empty database (dropped first if a previous run left it); returns its URL."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"database name {name!r}")
    drop_postgres(admin_url, name)
    _admin(admin_url, f"CREATE DATABASE {name}")
    return postgres_url(admin_url, name)


def drop_postgres(admin_url: str, name: str) -> None:
    _admin(admin_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def fresh_database(kind: str, name: str, admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """A fresh SQLite file (in a temporary folder) or PostgreSQL database, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as folder:
            path = Path(folder) / f"{name}.sqlite"
            try:
                yield f"sqlite:///{path}"
            finally:
                remove_sqlite(path)
    elif kind == "postgresql":
        url = create_postgres(admin_url, name)
        try:
            yield url
        finally:
            drop_postgres(admin_url, name)
    else:
        raise ValueError(kind)


def database_size_mb(url: str) -> float:
    """On-disk size: the SQLite file (with its WAL) or pg_database_size."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        return (
            sum(
                Path(f"{path}{s}").stat().st_size
                for s in ("", "-wal")
                if Path(f"{path}{s}").exists()
            )
            / 1e6
        )
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("select pg_database_size(current_database())").fetchone()
        return int(row[0]) / 1e6 if row else 0.0


# --------------------------------------------------------------------------------- child processes


class ChildResult:
    """Wall seconds, peak RSS (MB, the child's own ru_maxrss) and exit code of one command."""

    def __init__(self, wall: float, rss_mb: float, code: int, stderr: str) -> None:
        self.wall = wall
        self.rss_mb = rss_mb
        self.code = code
        self.stderr = stderr

    def last_line(self, limit: int = 300) -> str:
        """The last non-progress line of stderr (errors can quote 100k SQL parameters)."""
        lines = [
            line
            for line in self.stderr.splitlines()
            if line.strip() and not line.startswith("verwerkt ")
        ]
        text = lines[-1] if lines else ""
        return text if len(text) <= limit else text[:limit] + " ..."


def run_measured(command: Sequence[str], environment: dict[str, str] | None = None) -> ChildResult:
    """Run one command in the small ``python -I -S`` wrapper of bench_check.py (so that its
    ru_maxrss is its own and not this process's), stdout to /dev/null. Any exit code is returned;
    the caller decides what is acceptable."""
    env = {**os.environ, **(environment or {})}
    with tempfile.TemporaryFile() as errors:
        wrapper = subprocess.run(
            [sys.executable, "-I", "-S", "-c", WRAPPER, *command],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
            check=True,
        )
        elapsed, maxrss, code = wrapper.stdout.split()
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    return ChildResult(float(elapsed), int(maxrss) / 1024, int(code), stderr)


def cloudtoets_import(path: Path, url: str) -> ChildResult:
    return run_measured([str(CLI), "import", str(path), "--database", url])


def cloudtoets_upgrade(url: str) -> ChildResult:
    return run_measured([str(CLI), "db", "upgrade", "--database", url])
