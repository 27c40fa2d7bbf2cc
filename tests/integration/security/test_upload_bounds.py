"""Uploads cannot stall the server: a YAML alias bomb is refused at once, and whatever else
costs too much to read stops at the limits of the worker that reads it, with a Dutch input
error, while other uploads go on (docs/security.md, "Begrensd werk bij uploads").

ASVS: v5.0.0-5.2.1 (only files the application can process without loss of performance),
v5.0.0-15.2.2 (defences against resource-demanding functionality), v5.0.0-16.5.3 (fail
gracefully).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cloudtoets.bounded import Limits, WorkerPool
from cloudtoets.services import uploads
from cloudtoets.services.context import Register
from tests.upload_bombs import alias_bomb, long_workbook, wide_csv

from .conftest import API, ORIGIN, bearer, browser, log_in, snapshot, token_for

PREVIEW = f"{API}/inventory/import/preview"
IMPORT = f"{API}/inventory/import"
SMALL = b"""\
registrations:
  - id: fin-nieuw
    organisation: fin
    deployment: private-internal
"""


def preview(client: TestClient, token: str, name: str, data: bytes) -> dict[str, object]:
    response = client.post(PREVIEW, files={"file": (name, data)}, headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()


def said(plan: dict[str, object]) -> list[tuple[str, str]]:
    problems = plan["problems"]
    assert isinstance(problems, list)
    return [(problem["where"], problem["message"]) for problem in problems]


def test_an_alias_bomb_is_refused_at_once_by_api_and_web(
    shared_app: FastAPI, shared_register: Register
) -> None:
    bomb = alias_bomb(9)  # 559 bytes, 387 million values written out; before: minutes, GBs
    client = TestClient(shared_app, base_url=ORIGIN)
    reader = token_for(shared_register, "lezer")
    writer = token_for(shared_register, "bewerker")
    editor = log_in(browser(shared_app), "bewerker")
    preview(client, reader, "klein.yaml", SMALL)  # a worker is warm, as after the first upload
    before = snapshot(shared_register)

    # the alias check's refusal, not a worker limit's: nothing was written out (see
    # tests/unit/test_yaml12.py for the memory it takes)
    plan = preview(client, reader, "bom.yaml", bomb)
    assert plan["ok"] is False
    assert said(plan) == [
        (
            "regel 6",
            "de verwijzingen naar ankers (*naam naar &naam) maken het document uitgeschreven te "
            "groot: meer dan 100.000 extra waarden; schrijf de waarden uit of gebruik minder "
            "verwijzingen",
        )
    ]

    stored = client.post(IMPORT, files={"file": ("bom.yaml", bomb)}, headers=bearer(writer))
    assert stored.status_code == 422
    assert "regel 6" in stored.text

    page = editor.client.post(
        "/importeren",
        files={"bestand": ("bom.yaml", bomb, "application/octet-stream")},
        data={"csrf_token": editor.csrf},
        headers={"Origin": ORIGIN},
    )
    assert page.status_code == 422
    assert "uitgeschreven te groot" in page.text
    assert snapshot(shared_register) == before


def test_too_many_columns_are_refused_before_they_are_read(
    shared_app: FastAPI, shared_register: Register
) -> None:
    client = TestClient(shared_app, base_url=ORIGIN)
    plan = preview(client, token_for(shared_register, "lezer"), "breed.csv", wide_csv(1_000_000))
    assert said(plan) == [
        ("regel 1", "deze rij heeft meer dan 1.000 kolommen; haal de overbodige kolommen weg")
    ]


@pytest.fixture
def tight_workers(monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkerPool]:
    """The upload workers with a limit of one second of CPU time, as an operator could set it:
    a file that costs more is a file that is too large."""
    pool = WorkerPool(
        Limits(cpu_seconds=1, memory_bytes=1024**3, wall_seconds=20.0),
        size=2,
        preload=uploads.PRELOAD,
    )
    monkeypatch.setattr(uploads, "_pool", pool)
    yield pool
    pool.close()


def test_an_upload_past_the_limits_is_a_dutch_input_error_and_holds_up_no_other(
    shared_app: FastAPI, shared_register: Register, tight_workers: WorkerPool
) -> None:
    client = TestClient(shared_app, base_url=ORIGIN)
    token = token_for(shared_register, "lezer")
    heavy = long_workbook(99_000)  # under every bound of the reader, seconds of CPU time
    assert len(heavy) < 2 * 1024 * 1024
    outcome: dict[str, object] = {}

    def upload_heavy() -> None:
        outcome["plan"] = preview(client, token, "lang.xlsx", heavy)

    thread = threading.Thread(target=upload_heavy)
    thread.start()
    time.sleep(0.3)  # the heavy upload has a worker
    for _ in range(3):  # meanwhile, other uploads are read as usual: before the heavy one ends
        plan = preview(client, token, "klein.yaml", SMALL)
        assert plan["ok"] is True, plan
        assert "plan" not in outcome
    thread.join(60)
    plan = outcome["plan"]
    assert isinstance(plan, dict)
    assert plan["ok"] is False
    assert said(plan) == [
        (
            "",
            "het bestand is te groot of te ingewikkeld om te lezen (het lezen kost meer dan 1 "
            "seconde rekentijd); verdeel de inventaris over kleinere bestanden",
        )
    ]
    assert preview(client, token, "klein.yaml", SMALL)["ok"] is True  # a new worker
