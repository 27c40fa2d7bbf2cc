"""The page Te bevestigen: evidence an import declared, shown with its provenance, confirmed by
another approver (one, or all in one form); the registration page says whether it counts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fastapi.testclient import TestClient

from cloudtoets.io.write import write_inventory
from cloudtoets.server.app import create_app
from cloudtoets.services import declared_evidence
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.imports import commit_import, export_inventory
from tests.paper_evidence import on_paper

from .conftest import text

ID = "bzk-m365-mail"
IMPORTER = "importeur-lokaal"


def _client(register: Register, user: str) -> TestClient:
    settings = register.settings.model_copy(update={"local_user": user})
    other = dataclasses.replace(register, settings=settings)
    return TestClient(create_app(register=other), follow_redirects=False)


def _import_paper(register: Register, tmp_path: Path) -> None:
    inventory = export_inventory(register, Actor.local("test"), "bzk")
    inventory.registrations = [on_paper(r) for r in inventory.registrations if r.id == ID]
    path = tmp_path / "papier.json"
    write_inventory(inventory, path)
    commit_import(register, Actor.local(IMPORTER), path.name, path.read_bytes())


def test_the_page_shows_declared_evidence_and_another_approver_confirms_it(
    register: Register, tmp_path: Path
) -> None:
    _import_paper(register, tmp_path)
    waiting = declared_evidence.waiting(register, Actor.local("test"))
    assert {i.kind for i in waiting} == {
        "risk-assessment",
        "exit-plan",
        "notification",
        "justification",
    }
    importer = _client(register, IMPORTER)
    approver = _client(register, "accordeerder-lokaal")

    page = importer.get("/te-bevestigen")
    assert page.status_code == 200, page.text
    body = text(page.text)
    assert "bron: papier.json" in body and "Nog niet bevestigd" in body
    assert "Alles bevestigen" in body
    overview = approver.get("/")
    assert 'href="/te-bevestigen"' in overview.text
    registration = approver.get(f"/registraties/{ID}")
    assert "Ingevoerd bewijs" in registration.text
    assert "Nog niet bevestigd" in text(registration.text)

    # four eyes: the importer cannot confirm; the page says why in an error summary
    first = waiting[0]
    refused = importer.post(f"/te-bevestigen/{first.kind}/{first.id}/bevestigen", data={})
    assert refused.status_code == 403, refused.text
    assert "ct-error-summary" in refused.text and "zelf ingevoerd" in text(refused.text)

    one = approver.post(f"/te-bevestigen/{first.kind}/{first.id}/bevestigen", data={})
    assert one.status_code == 303, one.text
    rest = [i.key for i in waiting[1:]]
    everything = approver.post("/te-bevestigen/bevestigen", data={"bewijs": rest})
    assert everything.status_code == 303, everything.text
    assert "Er is niets te bevestigen" in text(approver.get("/te-bevestigen").text)
    confirmed = text(approver.get(f"/registraties/{ID}").text)
    assert "Bevestigd." in confirmed and "Nog niet bevestigd" not in confirmed
    nothing = approver.post("/te-bevestigen/bevestigen", data={})
    assert nothing.status_code == 422


def test_the_exit_plan_page_says_an_imported_plan_waits_and_offers_no_change(
    register: Register, tmp_path: Path
) -> None:
    _import_paper(register, tmp_path)
    editor = _client(register, "bewerker-lokaal")
    page = editor.get(f"/registraties/{ID}/exitplan")
    assert page.status_code == 200, page.text
    body = text(page.text)
    assert "Ingevoerd bewijs, nog niet bevestigd" in body and "bron: papier.json" in body
    assert "Test vastleggen" not in body and "Exitplan bewerken" not in body
    plan = declared_evidence.waiting(register, Actor.local("test"))
    exit_plan = next(i for i in plan if i.kind == "exit-plan")
    # a form posted anyway (an old tab) is refused with the reason, and nothing changes
    posted = editor.post(
        f"/registraties/{ID}/exitplan/test",
        data={"versie": "1", "tested_on": "2026-11-01", "result": "passed"},
    )
    assert posted.status_code == 409, posted.text
    assert "wacht op bevestiging" in text(posted.text)
    approver = _client(register, "accordeerder-lokaal")
    assert approver.post(f"/te-bevestigen/exit-plan/{exit_plan.id}/bevestigen").status_code == 303
    confirmed = text(editor.get(f"/registraties/{ID}/exitplan").text)
    assert "(bevestigd)" in confirmed and "Test vastleggen" in confirmed
