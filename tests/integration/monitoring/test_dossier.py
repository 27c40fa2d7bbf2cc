"""A registration's dossier: a tagged PDF (PDF/UA-1) with the verdict and every finding, the
risk assessment, the exit plan with its test, the notifications and the justifications as the
register holds them; refused (404) for a registration of another organisation, on the page's
download and in the API."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from typing import Any

import pypdf
import pytest
from fastapi.testclient import TestClient

from cloudtoets.presentation.texts import VERDICTS, dutch_day
from cloudtoets.reports import dossier
from cloudtoets.server.app import create_app
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import NotFound

from .conftest import TODAY

API = "/api/v1"
CENTRAL = Actor.local("dossier-test")


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _organisation(register: Register, registration_id: str) -> str:
    stored = registration_service.get_registration(register, CENTRAL, registration_id)
    return stored.registration.organisation


@pytest.fixture(scope="module")
def assessed(register: Register, chosen: dict[str, str]) -> bytes:
    return dossier.dossier_pdf(register, CENTRAL, chosen["accepted_twice"])


def test_the_dossier_is_tagged_pdf_ua_in_dutch(
    assessed: bytes, register: Register, chosen: dict[str, str]
) -> None:
    reader = pypdf.PdfReader(io.BytesIO(assessed))
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "nl"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    name = registration_service.get_registration(
        register, CENTRAL, chosen["accepted_twice"]
    ).registration.display_name
    assert reader.metadata is not None
    assert reader.metadata.title == f"Dossier {name} {dutch_day(TODAY)}"


def test_the_dossier_says_the_verdict_and_every_finding_with_its_source(
    assessed: bytes, register: Register, chosen: dict[str, str]
) -> None:
    text = _text(assessed)
    found = dossier.dossier(register, CENTRAL, chosen["accepted_twice"])
    assert found.findings  # the chosen registration has findings to show
    assert f"Oordeel: {VERDICTS[str(found.decision.verdict)]}" in text
    assert f"Bevindingen ({len(found.findings)})" in text
    for finding in found.findings:
        assert finding.title in text
        assert re.sub(r"\s+", " ", finding.message) in text
        assert f"Beleid: {finding.citation}." in text
    # the newest accepted version of the risk assessment, with who accepted it and its risk
    assert "Geaccordeerd, versie 2" in text and "Geaccepteerd door SG, SG" in text
    assert "afhankelijk van één leverancier" in text


def test_the_dossier_shows_exit_plan_notifications_and_justifications(
    register: Register, chosen: dict[str, str]
) -> None:
    plan = _text(dossier.dossier_pdf(register, CENTRAL, chosen["complete_plan"]))
    assert "Geplande exit" in plan and "nieuwe leverancier gekozen" in plan
    assert "noodvoorziening klaar" in plan and "mislukt" in plan  # the test failed
    notified = _text(dossier.dossier_pdf(register, CENTRAL, chosen["received"]))
    assert "Melding 1: " in notified and "Melding 2: " in notified
    assert ": vraag van CIO Rijk" in notified and ": in behandeling bij CIO Rijk" in notified
    justified = _text(dossier.dossier_pdf(register, CENTRAL, chosen["justified"]))
    assert "geen alternatief binnen de contractperiode" in justified
    title = register.policy.rule("cb2026.4.5.email").title
    assert f"{title}: geaccepteerd" in justified and ": voorgesteld" in justified
    assert "Geen: eigen beheer" not in justified and "docs/" not in justified


def test_another_organisation_gets_no_dossier(register: Register, chosen: dict[str, str]) -> None:
    target = chosen["accepted_twice"]
    other = "uwv" if _organisation(register, target) != "uwv" else "fin"
    with pytest.raises(NotFound):
        dossier.dossier_pdf(register, Actor.local("ander", other), target)


@pytest.fixture(scope="module")
def clients(register: Register, chosen: dict[str, str]) -> Iterator[tuple[TestClient, str]]:
    """A client of the local user limited to the organisation of ``received``, and that
    organisation."""
    own = _organisation(register, chosen["received"])
    settings = register.settings.model_copy(update={"local_organisation": own})
    app = create_app(register=dataclasses.replace(register, settings=settings))
    with TestClient(app, raise_server_exceptions=False) as opened:
        yield opened, own


def test_the_download_and_the_api_serve_the_own_and_refuse_another(
    clients: tuple[TestClient, str], register: Register, chosen: dict[str, str]
) -> None:
    client, own = clients
    mine = chosen["received"]
    theirs = next(r for r in chosen.values() if _organisation(register, r) != own)
    for path in (f"/registraties/{mine}/dossier.pdf", f"{API}/registrations/{mine}/dossier.pdf"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "application/pdf"
        assert f"cloudtoets-dossier-{mine}-" in response.headers["content-disposition"]
        assert "Meldingen bij CIO Rijk" in _text(response.content)
    page = client.get(f"/registraties/{mine}")
    assert f'href="/registraties/{mine}/dossier.pdf"' in page.text
    assert "Het dossier wordt gemaakt" in page.text  # the progress message while it is made
    assert client.get(f"/registraties/{theirs}/dossier.pdf").status_code == 404
    refused = client.get(f"{API}/registrations/{theirs}/dossier.pdf")
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("application/problem+json")
