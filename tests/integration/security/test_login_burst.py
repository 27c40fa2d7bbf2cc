"""The login throttle holds under concurrency: a burst of simultaneous logins for one account,
or from one address, gets at most THROTTLE_LIMIT passwords checked, and a right password that
comes after those in the burst is refused like any other. No request fails with a 500.

ASVS: v5.0.0-6.3.1 (brute force: the limit is enforced, also for parallel attempts),
v5.0.0-16.5.3 (no error under load, fail securely).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from cloudtoets.services import accounts
from cloudtoets.services.context import Register
from cloudtoets.services.uow import system_session
from cloudtoets.store.accounts import LoginFailureRow

from .conftest import BASE_URL, ORIGIN, PASSWORDS

WRONG_GUESSES = 11


def attempt(app: FastAPI, address: str, username: str, password: str) -> int:
    client = TestClient(app, base_url=BASE_URL, follow_redirects=False, client=(address, 50000))
    response = client.post(
        "/inloggen",
        data={"gebruikersnaam": username, "wachtwoord": password},
        headers={"Origin": ORIGIN},
    )
    return response.status_code


def failures(register: Register, key: str) -> int:
    with system_session(register.sessions) as session:
        return (
            session.scalar(select(LoginFailureRow.failures).where(LoginFailureRow.key == key)) or 0
        )


def checked(captured: str) -> dict[str, int]:
    """How many passwords were checked (login, login_failed) and refused unchecked
    (login_throttled), from the security log."""
    counts = {"login": 0, "login_failed": 0, "login_throttled": 0}
    for line in captured.splitlines():
        if line.startswith("{"):
            event = json.loads(line).get("event")
            if event in counts:
                counts[event] += 1
    return counts


def burst(
    app: FastAPI,
    register: Register,
    wrong: list[tuple[str, str]],
    right: tuple[str, str],
    key: str,
) -> tuple[list[Any], Any]:
    """Fire the wrong attempts (address, username) at once; fire the right one (address,
    username) while they run, as soon as the throttle has counted THROTTLE_LIMIT of them."""
    barrier = threading.Barrier(len(wrong) + 1)
    results: list[Any] = []
    right_result: list[Any] = []

    def run(address: str, username: str, password: str, out: list[Any], wait: bool) -> None:
        try:
            barrier.wait()
            if not wait:
                deadline = time.monotonic() + 30
                while failures(register, key) < accounts.THROTTLE_LIMIT:
                    assert time.monotonic() < deadline, "the wrong guesses were never counted"
                    time.sleep(0.002)
            out.append(attempt(app, address, username, password))
        except Exception as exc:  # a 500 comes back as the server's exception
            out.append(exc)

    threads = [
        threading.Thread(target=run, args=(address, user, "fout-wachtwoord", results, True))
        for address, user in wrong
    ]
    address, user = right
    threads.append(
        threading.Thread(target=run, args=(address, user, PASSWORDS[user], right_result, False))
    )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results, right_result[0]


def test_a_burst_for_one_account_gets_at_most_the_limit_checked(
    app: FastAPI, register: Register, capfd: pytest.CaptureFixture[str]
) -> None:
    capfd.readouterr()
    wrong = [(f"192.0.2.{n + 1}", "bewerker") for n in range(WRONG_GUESSES)]
    results, right = burst(app, register, wrong, ("192.0.2.99", "bewerker"), "user:bewerker")
    assert [r for r in results if not isinstance(r, int)] == []  # no exception, no 500
    assert sorted(results) == [401] * WRONG_GUESSES
    assert right == 401  # the right password after five wrong guesses: refused
    counts = checked(capfd.readouterr().err)
    assert counts["login"] == 0
    assert counts["login_failed"] <= accounts.THROTTLE_LIMIT
    assert counts["login_failed"] + counts["login_throttled"] == WRONG_GUESSES + 1
    # later, from anywhere, still refused: the window has not passed
    assert attempt(app, "192.0.2.200", "bewerker", PASSWORDS["bewerker"]) == 401


def test_a_burst_from_one_address_gets_at_most_the_limit_checked(
    app: FastAPI, register: Register, capfd: pytest.CaptureFixture[str]
) -> None:
    capfd.readouterr()
    users = ["lezer", "bewerker", "accordeerder", "auditor", "cio-rijk", "bewerker-uwv"]
    wrong = [("198.51.100.7", users[n % len(users)]) for n in range(WRONG_GUESSES)]
    results, right = burst(
        app, register, wrong, ("198.51.100.7", "beheerder"), "client:198.51.100.7"
    )
    assert [r for r in results if not isinstance(r, int)] == []
    assert sorted(results) == [401] * WRONG_GUESSES
    assert right == 401
    counts = checked(capfd.readouterr().err)
    assert counts["login"] == 0
    assert counts["login_failed"] <= accounts.THROTTLE_LIMIT
    # the same account from another address still logs in
    assert attempt(app, "198.51.100.8", "beheerder", PASSWORDS["beheerder"]) == 303


def test_a_right_password_within_the_limit_logs_in_and_forgets_the_failures(
    app: FastAPI, register: Register
) -> None:
    for n in range(accounts.THROTTLE_LIMIT - 1):
        assert attempt(app, "203.0.113.5", "lezer", f"fout-{n}-wachtwoord") == 401
    assert failures(register, "user:lezer") == accounts.THROTTLE_LIMIT - 1
    assert attempt(app, "203.0.113.5", "lezer", PASSWORDS["lezer"]) == 303
    assert failures(register, "user:lezer") == 0
    assert failures(register, "client:203.0.113.5") == 0
    # and the window starts afresh: five new mistakes are allowed before the throttle
    for n in range(accounts.THROTTLE_LIMIT):
        assert attempt(app, "203.0.113.6", "lezer", f"fout-{n}-wachtwoord") == 401
    assert attempt(app, "203.0.113.7", "lezer", PASSWORDS["lezer"]) == 401
