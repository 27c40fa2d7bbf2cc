"""What is and is not known, in the monitoring figures (unknowns.md): the deployment model with
"onbekend", incomplete verdicts, certain and possible material use, and the questions to ask
first, checked against each registration's own decision; the same in the API, the page, the
PDF text and the workbook."""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from cloudtoets.demo.rekenkamer import (
    PRIVATE,
    PUBLIC,
    TOTAL,
    UNKNOWN_DEPLOYMENT,
    rekenkamer_register,
)
from cloudtoets.domain.knowledge import QUESTIONS
from cloudtoets.reports import build
from cloudtoets.server.app import create_app
from cloudtoets.services import registrations as service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.imports import commit_import
from cloudtoets.services.monitoring import DEPLOYMENT_KEYS, UNKNOWN, monitoring
from cloudtoets.store.migrate import upgrade
from cloudtoets.store.tables import RegistrationRow

from .conftest import TODAY, open_register

CENTRAL = Actor.local("knowledge-test")


@pytest.fixture(scope="module")
def client(register: Register) -> Iterator[TestClient]:
    with TestClient(create_app(register=register)) as opened:
        yield opened


def _decisions(register: Register) -> dict[str, Any]:
    with register.sessions() as session:
        ids = list(session.scalars(select(RegistrationRow.id)))
    return {key: service.get_registration(register, CENTRAL, key) for key in ids}


def test_the_figures_count_what_each_decision_says(register: Register) -> None:
    stored = _decisions(register)
    m = monitoring(register, CENTRAL, TODAY)
    total = m.knowledge_total
    assert total.registrations == len(stored) == m.registrations
    deployments = Counter(
        str(s.registration.deployment) if s.registration.deployment else UNKNOWN
        for s in stored.values()
    )
    assert total.deployments == {key: deployments.get(key, 0) for key in DEPLOYMENT_KEYS}
    assert total.unknown_deployment >= 1  # the demo's gap on purpose
    assert total.public + total.not_public + total.unknown_deployment == total.registrations
    incomplete = [s for s in stored.values() if s.decision.verdict == "incomplete"]
    assert total.incomplete == len(incomplete) == m.verdict_total.counts["incomplete"] >= 4
    assert total.material_certain == sum(1 for s in stored.values() if s.decision.material is True)
    assert total.material_possible == sum(1 for s in stored.values() if s.decision.material is None)
    assert total.material_possible >= 1
    asked = Counter(q.field for s in incomplete for q in s.decision.questions)
    assert dict(total.ask_first) == dict(asked.most_common(10))
    assert [n for _, n in total.ask_first] == sorted((n for _, n in total.ask_first), reverse=True)
    # per organisation, adding up to the total
    for row in m.knowledge:
        mine = [s for s in incomplete if s.registration.organisation == row.organisation]
        assert row.incomplete == len(mine), row.organisation
        assert dict(row.ask_first) == dict(
            Counter(q.field for s in mine for q in s.decision.questions)
        )
    assert sum(row.registrations for row in m.knowledge) == total.registrations


def test_one_organisation_sees_only_its_own(register: Register) -> None:
    m = monitoring(register, CENTRAL, TODAY, "duo")
    assert [row.organisation for row in m.knowledge] == ["duo"]
    assert m.knowledge_total.deployments[UNKNOWN] == 1
    assert m.knowledge_total.ask_first == [("deployment", 1)]


def test_api_page_and_workbook_show_them(client: TestClient, register: Register) -> None:
    m = monitoring(register, CENTRAL, TODAY)
    total = m.knowledge_total
    body = client.get("/api/v1/monitoring").json()["knowledge"]
    assert body["total"]["deployments"] == total.deployments
    assert body["total"]["incomplete"] == total.incomplete
    assert body["total"]["material_possible"] == total.material_possible
    first = body["total"]["ask_first"][0]
    assert first == {
        "field": total.ask_first[0][0],
        "question": QUESTIONS[total.ask_first[0][0]],
        "registrations": total.ask_first[0][1],
    }
    assert len(body["by_organisation"]) == len(m.knowledge)

    html = client.get("/monitoring").text
    assert 'id="bekend"' in html and 'id="eerst-vragen-tabel"' in html
    assert 'href="#bekend"' in html
    assert QUESTIONS[total.ask_first[0][0]] in html
    assert "Registraties per inzetmodel: publiek, niet publiek of onbekend" in html

    workbook = load_workbook(io.BytesIO(build.xlsx_report(register, CENTRAL, TODAY)))
    known = [list(r) for r in workbook["Wat is bekend"].iter_rows(values_only=True)]
    assert known[0][:3] == ["Organisatie", "Kenmerk", "Registraties"]
    assert known[-1][0] == "Totaal" and known[-1][2] == total.registrations
    assert "Inzetmodel onbekend" in known[0]
    assert known[-1][known[0].index("Inzetmodel onbekend")] == total.unknown_deployment
    assert known[-1][known[0].index("Mogelijk materieel")] == total.material_possible
    ask = [list(r) for r in workbook["Eerst vragen"].iter_rows(values_only=True)]
    assert ask[1] == [
        "Totaal",
        None,
        ask[1][2],
        total.ask_first[0][0],
        QUESTIONS[total.ask_first[0][0]],
        total.ask_first[0][1],
    ]


def test_the_rekenkamer_view_of_a_register_shaped_like_its_count(
    tmp_path: Path,
) -> None:
    """The Algemene Rekenkamer's 1,588 services: 700 public, 477 private or hybrid, 411 whose
    deployment model nobody knew. Monitoring shows exactly those three groups."""
    register = open_register(f"sqlite:///{tmp_path / 'rekenkamer.sqlite'}")
    try:
        upgrade(register.engine)
        document = json.dumps(rekenkamer_register(), default=str).encode()
        commit_import(register, CENTRAL, "rekenkamer.json", document)
        m = monitoring(register, CENTRAL, TODAY)
        total = m.knowledge_total
        assert total.registrations == TOTAL == 1588
        assert (total.public, total.not_public, total.unknown_deployment) == (
            PUBLIC,
            PRIVATE,
            UNKNOWN_DEPLOYMENT,
        )
        assert total.incomplete == m.verdict_total.counts["incomplete"] > 0
        assert total.material_possible > 0
        asked = dict(total.ask_first)
        assert asked and max(asked.values()) <= total.incomplete
        assert "deployment" in asked
    finally:
        register.close()
