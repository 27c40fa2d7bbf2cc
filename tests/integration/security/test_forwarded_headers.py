"""X-Forwarded-For counts only from the proxies the operator names: a real ``cloudtoets serve``
on loopback, with one app process (uvicorn) and with the supervisor's workers.

uvicorn by itself believes forwarded headers from 127.0.0.1, so a client on the same host could
name a new address for every guess and never meet the login throttle per address. By default
cloudtoets believes them from nobody; ``--forwarded-allow-ips`` or
``CLOUDTOETS_FORWARDED_ALLOW_IPS`` names the proxies.

ASVS: v5.0.0-6.3.1 (brute force), v5.0.0-13.1.1 / 4.1.3 (headers set by an intermediary are
only believed from that intermediary).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.test_scale_out import free_port, wait_until_up

CLI = str(Path(sys.executable).with_name("cloudtoets"))
THROTTLED = "Te veel mislukte pogingen"
WRONG_ACCOUNTS = ("lezer", "bewerker", "accordeerder", "auditor", "cio-rijk")


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("forwarded") / "demo.sqlite"
    result = subprocess.run(
        [CLI, "demo", "--database", f"sqlite:///{path}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return path


def serve(
    database: Path, folder: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, Path]]:
    """A server on a copy of the demo database; yields its address and its stderr file."""
    copy = folder / "cloudtoets.sqlite"
    shutil.copyfile(database, copy)
    port = free_port()
    log = folder / "stderr.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDTOETS_")}
    environment.pop("FORWARDED_ALLOW_IPS", None)
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [CLI, "serve", "--port", str(port), "--database", f"sqlite:///{copy}", *args],
            env={**environment, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            cwd=folder,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base, log
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def log_in(base: str, username: str, password: str, forwarded_for: str) -> httpx.Response:
    return httpx.post(
        f"{base}/inloggen",
        data={"gebruikersnaam": username, "wachtwoord": password},
        headers={"Origin": base, "X-Forwarded-For": forwarded_for},
        follow_redirects=False,
        timeout=30,
    )


def clients_in_log(log: Path) -> set[str]:
    clients = set()
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            event = json.loads(line)
            if event.get("event", "").startswith("login"):
                clients.add(event["client"])
    return clients


def rotate_addresses(base: str) -> httpx.Response:
    """Five wrong guesses, each with another X-Forwarded-For; then the right password."""
    for n, username in enumerate(WRONG_ACCOUNTS):
        wrong = log_in(base, username, "fout-wachtwoord", f"203.0.113.{n + 1}")
        assert wrong.status_code == 401
    return log_in(base, "beheerder", "demo-beheerder-2026", "203.0.113.99")


@pytest.mark.parametrize("workers", ["1", "2"])  # uvicorn's own process; the supervisor's
def test_by_default_forwarded_headers_are_not_believed(
    demo_database: Path, tmp_path: Path, workers: str
) -> None:
    # uvicorn's own variable would trust the loopback address; it has no say here
    for base, log in serve(
        demo_database, tmp_path, "--workers", workers, env={"FORWARDED_ALLOW_IPS": "127.0.0.1"}
    ):
        right = rotate_addresses(base)
        assert right.status_code == 401
        assert THROTTLED in right.text  # five failures from 127.0.0.1: the address is throttled
        assert "server" not in right.headers  # no "server: uvicorn" (v5.0.0-13.4.6)
        assert clients_in_log(log) == {"127.0.0.1"}


@pytest.mark.parametrize(
    ("workers", "option", "env"),
    [
        ("1", ("--forwarded-allow-ips", "127.0.0.1"), {}),
        ("2", (), {"CLOUDTOETS_FORWARDED_ALLOW_IPS": "127.0.0.0/8"}),
    ],
    ids=["option-uvicorn", "setting-supervisor"],
)
def test_a_named_proxy_is_believed(
    demo_database: Path,
    tmp_path: Path,
    workers: str,
    option: tuple[str, ...],
    env: dict[str, str],
) -> None:
    for base, log in serve(demo_database, tmp_path, "--workers", workers, *option, env=env):
        right = rotate_addresses(base)
        assert right.status_code == 303  # each guess came from another client behind the proxy
        assert clients_in_log(log) == {f"203.0.113.{n}" for n in (1, 2, 3, 4, 5, 99)}


def test_a_proxy_address_that_is_no_address_stops_serve(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'x.sqlite'}"
    option = subprocess.run(
        [CLI, "serve", "--database", database, "--forwarded-allow-ips", "proxy.intern"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert option.returncode == 2
    assert option.stderr.startswith(
        "Kan niet starten: --forwarded-allow-ips: 'proxy.intern' is geen IP-adres of netwerk"
    )
    setting = subprocess.run(
        [CLI, "serve", "--database", database],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "CLOUDTOETS_FORWARDED_ALLOW_IPS": "10.0.0.300"},
    )
    assert setting.returncode == 2
    assert "CLOUDTOETS_FORWARDED_ALLOW_IPS: '10.0.0.300' is geen IP-adres" in setting.stderr
