"""The audit log for the auditor: API and pages, filters, paging, the chain check and the export,
and the refusal for every other role (SQLite and PostgreSQL, demo register, real logins)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cloudtoets.services import registrations as registration_service
from cloudtoets.services.context import Register
from cloudtoets.store import audit as chain
from tests.integration.audit.conftest import tampering

from .conftest import (
    API,
    OPERATOR,
    TODAY,
    bearer,
    browser,
    log_in,
    open_register,
    token_for,
)

OTHER_ROLES = ("lezer", "bewerker", "accordeerder", "cio-rijk", "beheerder")


def _auditor(register: Register, app: FastAPI) -> TestClient:
    client = browser(app)
    client.headers.update(bearer(token_for(register, "auditor")))
    return client


def _change_a_registration(register: Register) -> None:
    """One more audit record, of fin, by a known user."""
    stored = registration_service.get_registration(register, OPERATOR, "fin-m365-mail")
    changed = dataclasses.replace(stored.registration, name="Gewijzigd voor de audit")
    registration_service.update_registration(
        register, OPERATOR, "fin-m365-mail", changed, stored.version
    )


def test_the_auditor_reads_the_log_filtered_and_paged(register: Register, app: FastAPI) -> None:
    _change_a_registration(register)
    client = _auditor(register, app)
    everything = client.get(f"{API}/audit", params={"page_size": 500})
    assert everything.status_code == 200, everything.text
    body = everything.json()
    assert body["total"] > 100  # the demo import, the accounts, the change above
    seqs = [item["seq"] for item in body["items"]]
    assert seqs == sorted(seqs, reverse=True)  # newest first
    assert {"hash", "prev_hash", "actor", "object_type"} <= set(body["items"][0])

    fin = client.get(f"{API}/audit", params={"organisation": "fin"}).json()
    assert 0 < fin["total"] < body["total"]
    assert {item["organisation_id"] for item in fin["items"]} == {"fin"}

    mine = client.get(f"{API}/audit", params={"user": OPERATOR.user}).json()
    assert mine["total"] >= 1 and {item["actor"] for item in mine["items"]} == {OPERATOR.user}

    one = client.get(
        f"{API}/audit", params={"object_type": "registration", "object_id": "fin-m365-mail"}
    ).json()
    assert one["total"] >= 2  # imported, then changed
    assert one["items"][0]["after"]["name"] == "Gewijzigd voor de audit"

    users = client.get(f"{API}/audit", params={"object_type": "user"}).json()
    assert users["total"] == 7  # the demo accounts

    today = client.get(f"{API}/audit", params={"from": TODAY.isoformat(), "to": TODAY.isoformat()})
    assert today.json()["total"] == body["total"]  # everything happened on the fixed day
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    assert client.get(f"{API}/audit", params={"from": tomorrow}).json()["total"] == 0
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    assert client.get(f"{API}/audit", params={"to": yesterday}).json()["total"] == 0

    first = client.get(f"{API}/audit", params={"page_size": 10}).json()
    second = client.get(f"{API}/audit", params={"page_size": 10, "page": 2}).json()
    assert len(first["items"]) == len(second["items"]) == 10
    assert first["items"][-1]["seq"] == second["items"][0]["seq"] + 1  # no gap, no overlap


def test_bad_filters_are_refused_in_dutch(register: Register, app: FastAPI) -> None:
    client = _auditor(register, app)
    unknown = client.get(f"{API}/audit", params={"organisatie": "fin"})
    assert unknown.status_code == 400
    assert "Onbekende queryparameter 'organisatie'" in unknown.json()["detail"]
    assert "organisation" in unknown.json()["known"]
    backwards = client.get(f"{API}/audit", params={"from": "2026-12-01", "to": "2026-11-01"})
    assert backwards.status_code == 422
    assert "begindatum ligt na de einddatum" in backwards.text
    assert client.get(f"{API}/audit", params={"from": "1-12-2026"}).status_code == 422


def test_the_chain_check_says_whether_it_is_intact(register: Register, app: FastAPI) -> None:
    client = _auditor(register, app)
    verified = client.get(f"{API}/audit/verification").json()
    total = client.get(f"{API}/audit").json()["total"]
    assert verified == {
        "intact": True,
        "count": total,
        "head_hash": verified["head_hash"],
        "problem": None,
    }
    page = log_in(browser(app), "auditor").client.get("/auditlog/controle")
    assert page.status_code == 200
    assert "De hashketen is intact" in page.text and f"Alle {total} records" in page.text


def test_a_changed_record_shows_as_a_broken_chain(
    register: Register, app: FastAPI, filled_database_url: str, request: pytest.FixtureRequest
) -> None:
    intruder = register
    if register.engine.dialect.name == "postgresql":
        # the app's role may not switch the triggers off, as it should not; the tables' owner may
        admin_url: str = request.getfixturevalue("postgres_server")
        database = filled_database_url.rsplit("/", 1)[1]
        intruder = open_register(f"{admin_url.rsplit('/', 1)[0]}/{database}")
    try:
        with tampering(intruder) as connection:
            connection.exec_driver_sql("UPDATE audit_log SET actor = 'iemand' WHERE seq = 3")
    finally:
        if intruder is not register:
            intruder.close()
    page = log_in(browser(app), "auditor").client.get("/auditlog/controle")
    assert "De hashketen is NIET intact" in page.text
    assert "record 3" in page.text and "de hash klopt niet met de inhoud" in page.text
    api = _auditor(register, app).get(f"{API}/audit/verification").json()
    assert api["intact"] is False and api["count"] == 2 and "record 3" in api["problem"]


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_other_roles_may_not_read_the_log(register: Register, app: FastAPI, username: str) -> None:
    client = browser(app)
    client.headers.update(bearer(token_for(register, username)))
    for path in (f"{API}/audit", f"{API}/audit/verification"):
        refused = client.get(path)
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert "hash" not in refused.text
    pages = log_in(browser(app), username).client
    for path in ("/auditlog", "/auditlog/controle", "/auditlog/export"):
        page = pages.get(path)
        assert page.status_code == 403
        assert "auditor" in page.text and "<td" not in page.text


def test_the_page_filters_pages_and_exports(register: Register, app: FastAPI) -> None:
    _change_a_registration(register)
    client = log_in(browser(app), "auditor").client
    page = client.get("/auditlog", params={"organisatie": "fin", "soort": "registration"})
    assert page.status_code == 200
    assert "Gewijzigd voor de audit" in page.text
    assert "uwv-" not in page.text  # only fin's records
    api = _auditor(register, app).get(
        f"{API}/audit", params={"organisation": "fin", "object_type": "registration"}
    )
    assert f"{api.json()['total']} records met deze filters" in page.text
    assert "pagina" not in page.text.split("<main", 1)[1].lower().split("<footer")[0]
    everything = client.get("/auditlog")
    assert 'aria-label="Paginering van het auditlogboek"' in everything.text  # 50 a page
    second = client.get("/auditlog", params={"pagina": "2"})
    assert second.status_code == 200
    assert 'aria-current="page"><span class="ct-visually-hidden">Pagina </span>2' in second.text

    wrong = client.get("/auditlog", params={"van": "31-02-2026"})
    assert wrong.status_code == 422
    assert "31-02-2026 bestaat niet" in wrong.text

    export = client.get("/auditlog/export", params={"object": "fin-m365-mail"})
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    assert f"cloudtoets-auditlog-{TODAY.isoformat()}.jsonl" in export.headers["content-disposition"]
    records = [orjson.loads(line) for line in export.content.splitlines()]
    assert len(records) >= 2
    assert {r["object_id"] for r in records} == {"fin-m365-mail"}
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    # each line is the record as the full export writes it: its hash still holds
    for record in records:
        assert chain.chain_hash(record["prev_hash"], chain.hashed(record)) == record["hash"]
