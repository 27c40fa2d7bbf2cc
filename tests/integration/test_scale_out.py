"""Two app processes on one PostgreSQL database: a change through one is seen through the other."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CLI = str(Path(sys.executable).with_name("cloudtoets"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server stopped with {process.returncode}")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not start")


def cli(*args: str, url: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [CLI, *args, "--database", url],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def two_servers(postgres_server: str, tmp_path: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    from tests.conftest import _fresh_postgres_database

    database = _fresh_postgres_database(postgres_server)
    url = next(database)
    organisation = tmp_path / "organisatie.json"
    organisation.write_text(
        '{"organisations": [{"id": "bzk", "type": "ministry"}]}', encoding="utf-8"
    )
    cli("db", "upgrade", url=url)
    cli("import", str(organisation), url=url)
    cli("user", "create", "editor-bzk", "--role", "editor", "--organisation", "bzk", url=url)
    token = cli("token", "create", "editor-bzk", "--name", "test", url=url)
    processes: list[subprocess.Popen[bytes]] = []
    bases = []
    env = {**os.environ, "CLOUDTOETS_DATABASE_URL": url}
    try:
        for workers in (1, 2):  # the second is itself two worker processes
            port = free_port()
            process = subprocess.Popen(
                [CLI, "serve", "--port", str(port), "--workers", str(workers)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=tmp_path,
            )
            processes.append(process)
            bases.append(f"http://127.0.0.1:{port}")
            wait_until_up(bases[-1], process)
        yield bases[0], bases[1], {"Authorization": f"Bearer {token}"}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        next(database, None)


@pytest.mark.postgres
def test_a_change_through_one_process_is_seen_through_the_other(
    two_servers: tuple[str, str, dict[str, str]],
) -> None:
    first, second, auth = two_servers
    body = {
        "id": "bzk-schaal",
        "organisation": "bzk",
        "deployment": "public",
        "provider": "aws-emea",
        "subprocessors": [],
        "functions": [],
        "storage_countries": ["NL"],
        "processing_countries": ["NL"],
        "encrypted_at_rest": True,
        "encrypted_in_transit": True,
        "key_custody": "provider",
        "open_data": False,
        "classification": "none",
        "tbb_level": "none",
        "personal_data": "none",
        "large_scale_personal_data": False,
        "pets": [],
        "core_task": False,
        "business_critical": False,
        "key_register": "none",
        "holds_source_data": False,
        "in_use_since": "2026-09-01",
    }  # every fact known (left out, a fact is unknown)
    assert httpx.get(f"{first}/api/v1/registrations", timeout=30).status_code == 401
    created = httpx.post(f"{first}/api/v1/registrations", json=body, headers=auth, timeout=30)
    assert created.status_code == 201, created.text
    for _ in range(5):  # whichever worker of the second server answers
        seen = httpx.get(f"{second}/api/v1/registrations/bzk-schaal", headers=auth, timeout=30)
        assert seen.status_code == 200
        assert seen.headers["etag"] == created.headers["etag"]
    changed = dict(body, key_custody="customer-managed")
    updated = httpx.put(
        f"{second}/api/v1/registrations/bzk-schaal",
        json=changed,
        headers={"If-Match": created.headers["etag"], **auth},
        timeout=30,
    )
    assert updated.status_code == 200, updated.text
    stale = httpx.put(
        f"{first}/api/v1/registrations/bzk-schaal",
        json=body,
        headers={"If-Match": created.headers["etag"], **auth},
        timeout=30,
    )
    assert stale.status_code == 412
    listed = httpx.get(f"{first}/api/v1/registrations", headers=auth, timeout=30).json()
    assert listed["total"] == 1 and listed["items"][0]["verdict"] == "allowed"


def listening_processes(port: int) -> set[int]:
    """The processes with a socket listening on the port, read from the kernel's tables."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text(encoding="ascii").splitlines()[1:]:
            fields = line.split()  # local address, state (0A = LISTEN), inode
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    pids = set()
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            if str(fd.readlink()) in inodes:
                pids.add(int(fd.parts[2]))
        except OSError:  # the process or descriptor went away meanwhile
            continue
    return pids


def wait_for_listeners(port: int, count: int, gone: int | None = None) -> set[int]:
    """The listening processes once there are ``count`` of them, ``gone`` not among them."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = listening_processes(port)
        if len(pids) == count and gone not in pids:
            break
        time.sleep(0.2)
    return pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT spreads on Linux")
def test_every_worker_listens_on_its_own_socket_is_replaced_and_stops(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CLOUDTOETS_DATABASE_URL": f"sqlite:///{tmp_path / 'register.sqlite'}"}
    process = subprocess.Popen(
        [CLI, "serve", "--port", str(port), "--workers", "3"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", process)
        workers = wait_for_listeners(port, 3)  # the first worker up answers; wait for the others
        assert process.poll() is None
        assert len(workers) == 3 and process.pid not in workers, Path("/proc/net/tcp").read_text()
        time.sleep(0.5)  # a worker reports itself ready just after it starts to listen
        crashed = min(workers)
        os.kill(crashed, signal.SIGKILL)
        replaced = wait_for_listeners(port, 3, gone=crashed)
        assert len(replaced) == 3 and crashed not in replaced
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            assert all(client.get("/api/v1/health").status_code == 200 for _ in range(10))
        # SO_REUSEPORT would let a second server of the same user share the port: it must not
        second = subprocess.run(
            [CLI, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=tmp_path,
        )
        assert second.returncode == 2, second.stderr
        assert "de poort is al in gebruik" in second.stderr
        assert "draait op" not in second.stderr
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr.decode()
    assert "een nieuw proces neemt het over" in stderr.decode()
    assert listening_processes(port) == set()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT spreads on Linux")
def test_workers_on_a_port_in_use_get_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                CLI,
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--database",
                f"sqlite:///{tmp_path / 'register.sqlite'}",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=tmp_path,
        )
    assert result.returncode == 2
    assert f"Kan niet luisteren op 127.0.0.1:{port}: de poort is al in gebruik" in result.stderr
    assert "Traceback" not in result.stderr


def answering_process(port: int, candidates: set[int]) -> int | None:
    """Which of ``candidates`` answers a new connection to the port: the process that holds the
    server's end of the connection while it is still open (read from the kernel's tables)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        if not client.recv(65536).startswith(b"HTTP/1.1 200"):
            return None
        own = client.getsockname()[1]
        inode = None
        for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
            fields = line.split()  # the server's end: local port = the port, remote = ours
            local, remote = fields[1].rsplit(":", 1)[1], fields[2].rsplit(":", 1)[1]
            if int(local, 16) == port and int(remote, 16) == own:
                inode = f"socket:[{fields[9]}]"
        for pid in candidates:
            try:
                if any(str(fd.readlink()) == inode for fd in Path(f"/proc/{pid}/fd").iterdir()):
                    return pid
            except OSError:  # the process went away meanwhile
                continue
    return None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT spreads on Linux")
def test_a_worker_that_stops_answers_again_in_a_fraction_of_a_cold_start(tmp_path: Path) -> None:
    """A worker killed outright is replaced by one that answers in less than a quarter of the
    time ``serve`` takes from nothing to its first answer, measured side by side here. A new
    interpreter per worker took about half (docs/operations.md, Gemeten)."""
    port = free_port()
    env = {**os.environ, "CLOUDTOETS_DATABASE_URL": f"sqlite:///{tmp_path / 'register.sqlite'}"}
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    process = subprocess.Popen(
        [CLI, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        cold = None
        while cold is None and time.monotonic() < started + 60:
            assert process.poll() is None, "serve stopped"
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    cold = time.monotonic() - started
            except httpx.HTTPError:
                time.sleep(0.02)
        assert cold is not None, "serve did not answer"
        workers = wait_for_listeners(port, 2)
        assert len(workers) == 2
        time.sleep(0.5)  # a worker reports itself ready just after it starts to listen
        crashed = min(workers)
        killed = time.monotonic()
        os.kill(crashed, signal.SIGKILL)
        replacement, gap = None, None
        while replacement is None and time.monotonic() < killed + 60:
            children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text()
            candidates = {int(pid) for pid in children.split()} - workers
            if candidates:
                replacement = answering_process(port, candidates)
            if replacement is None:
                time.sleep(0.02)
            else:
                gap = time.monotonic() - killed
        assert replacement is not None and gap is not None, "no new worker answered"
        assert gap < cold / 4, f"replacement answered after {gap:.2f} s, cold start {cold:.2f} s"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr.decode()
    assert "een nieuw proces neemt het over" in stderr.decode()
