"""Running cloudtoets the way an operator does: real ``cloudtoets`` processes, a real server on
loopback taking writes, and PostgreSQL roles as docs/security.md and docs/operations.md set them
up (an owner that migrates, an application role that only reads and writes rows).

Every server a test starts is stopped by the test (``serving``); every database it makes is
dropped (``owned_database``). The roles are cluster-wide and stay, like the application role of
tests/integration/security.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from cloudtoets.store.db import make_engine

ROOT = Path(__file__).resolve().parents[3]
CLI = str(Path(sys.executable).with_name("cloudtoets"))
EXAMPLE = ROOT / "examples" / "ministerie-bzk.yaml"

OWNER_ROLE = "cloudtoets_owner"
APP_ROLE = "cloudtoets_app"


def cli(
    *args: str,
    url: str | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    command = [CLI, *args, *(["--database", url] if url else [])]
    return subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The output of a command that must have succeeded without any error on stderr."""
    assert result.returncode == 0, f"{result.args}: {result.returncode}\n{result.stderr}"
    assert "Traceback" not in result.stderr and "Interne fout" not in result.stderr, result.stderr
    return result.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(url: str, folder: Path, *, workers: int = 1) -> Iterator[str]:
    """``cloudtoets serve`` on a free loopback port until the block ends; its base URL."""
    port = free_port()
    log = folder / f"serve-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [CLI, "serve", "--port", str(port), "--workers", str(workers), "--database", url],
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                if process.poll() is not None:
                    raise AssertionError(
                        f"serve stopped with {process.returncode}: {log.read_text(errors='replace')}"
                    )
                try:
                    if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"serve did not start: {log.read_text()}"
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def server_log(folder: Path) -> str:
    return "\n".join(path.read_text(errors="replace") for path in folder.glob("serve-*.log"))


# ------------------------------------------------------------------------------ writers


def registration_body(registration_id: str, name: str) -> dict[str, object]:
    return {
        "id": registration_id,
        "organisation": "bzk",
        "name": name,
        "deployment": "public",
        "provider": "microsoft-ireland",
        "core_task": True,
        "storage_countries": ["NL", "IE"],
        "processing_countries": ["NL", "IE"],
        "encrypted_at_rest": True,
        "encrypted_in_transit": True,
        "key_custody": "customer-managed",
    }


@dataclass
class Writers:
    """``count`` threads that each create a registration of bzk and then change it again and
    again with PUT and If-Match (the ETag of their own last answer), until ``stop``."""

    base: str
    token: str
    count: int = 4
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Writers:
        for number in range(self.count):
            thread = threading.Thread(target=self._write, args=(number,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in self._threads)

    def _note(self, response: httpx.Response) -> None:
        with self._lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 500 or response.status_code == 412:
                self.failures.append(f"{response.status_code}: {response.text[:300]}")

    def _write(self, number: int) -> None:
        registration_id = f"bzk-schrijver-{number}-{uuid.uuid4().hex[:6]}"
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=120) as client:
            try:
                created = client.post(
                    "/api/v1/registrations", json=registration_body(registration_id, "0")
                )
                self._note(created)
                etag = created.headers.get("etag")
                change = 0
                while etag and not self._stop.is_set():
                    change += 1
                    response = client.put(
                        f"/api/v1/registrations/{registration_id}",
                        json=registration_body(registration_id, f"wijziging {change}"),
                        headers={"If-Match": etag},
                    )
                    self._note(response)
                    etag = response.headers.get("etag") if response.status_code == 200 else None
            except httpx.HTTPError as error:
                with self._lock:
                    self.failures.append(f"{type(error).__name__}: {error}")


def editor_token(url: str) -> str:
    """An editor of bzk and their API token, made with the CLI."""
    ok(cli("user", "create", "schrijver-bzk", "--role", "editor", "--organisation", "bzk", url=url))
    return ok(cli("token", "create", "schrijver-bzk", "--name", "schrijven", url=url))


# ------------------------------------------------------------------------------ roles


def role_url(url: str, role: str) -> str:
    """The same database reached as ``role`` (trust authentication on the test server)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{role}@{rest.split('@', 1)[1]}"


def ensure_role(admin_url: str, role: str) -> None:
    """An ordinary login role: no superuser, no BYPASSRLS, no CREATEDB."""
    engine = make_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    with engine.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if not exists:
            with contextlib.suppress(ProgrammingError):  # a test running beside this one
                connection.execute(text(f"CREATE ROLE {role} LOGIN"))
    engine.dispose()


@contextlib.contextmanager
def owned_database(admin_url: str) -> Iterator[str]:
    """A new database owned by OWNER_ROLE; its URL as the owner. Dropped afterwards."""
    ensure_role(admin_url, OWNER_ROLE)
    ensure_role(admin_url, APP_ROLE)
    name = f"cloudtoets_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" OWNER {OWNER_ROLE}'))
    try:
        yield role_url(f"{admin_url.rsplit('/', 1)[0]}/{name}", OWNER_ROLE)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def grants_from_docs() -> list[str]:
    """The SQL block of docs/security.md that gives the application role its rights, without
    the CREATE ROLE (the test makes the role without a password)."""
    page = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    block = re.search(r"```sql\n(.*?)```", page, re.S)
    assert block is not None, "docs/security.md has the SQL for the application role"
    statements = [s.strip() for s in block.group(1).split(";") if s.strip()]
    grants = [s for s in statements if not s.upper().startswith("CREATE ROLE")]
    assert any("ALTER DEFAULT PRIVILEGES" in s for s in grants)
    return grants


def grant_as_documented(owner_url: str) -> None:
    """Run the documented grants as the owner, after ``cloudtoets db upgrade``."""
    engine = make_engine(owner_url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    with engine.connect() as connection:
        for statement in grants_from_docs():
            connection.execute(text(statement))
    engine.dispose()
