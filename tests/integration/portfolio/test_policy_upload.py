"""The impact of a policy file of one's own: ``POST /api/v1/policy-impact`` and the form on
``/portfolio/beleid`` read it with the loader of ``cloudtoets policy validate`` (a variant may
``extends`` a built-in policy), within the upload limits, and answer a bad or hostile file with
a Dutch problem that says where and what to do (4xx, never a traceback)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cloudtoets.server.app import create_app
from cloudtoets.services.context import Register
from tests.integration.web.conftest import text
from tests.upload_bombs import alias_bomb

from .conftest import TODAY

API = "/api/v1"
BASE = "rijksbreed-cloudbeleid-2026"
CH = "rijksbreed-cloudbeleid-2026-eer-ch"
EEA = (
    "AT, BE, BG, CY, CZ, DE, DK, EE, ES, FI, FR, GR, HR, HU, IE, IT, LT, LU, LV, MT, NL, PL, PT, "
    "RO, SE, SI, SK, IS, LI, NO"
)
# written as a user would: the adopted policy, Switzerland allowed for storage and processing
OWN_VARIANT = f"""\
id: eigen-lezing-zwitserland
extends: {BASE}
title: Eigen lezing met Zwitserland
version: "1"
status: variant
source: Werkdocument van het team
parameters:
  allowed_countries: [{EEA}, CH]
""".encode()
INVALID = f"""\
extends: {BASE}
id: kapotte-variant
rules:
  - id: rp.opslag-buiten-eer
    section: "4.3"
    basis: letter
    severity: forbidden
    transition: none
    finding_when: {{field: opslaglanden, op: not-subset-of, param: allowed_countries}}
    text: {{title: Opslag, problem: Buiten de EER, action: Verhuis}}
""".encode()
NESTED = (
    f"extends: {BASE}\nid: diep\nrules:\n  - id: rp.diep\n    section: '1'\n    basis: letter\n"
    "    severity: forbidden\n    transition: none\n    finding_when: "
    + "{not: " * 40
    + "{field: open_data}"
    + "}" * 40
    + "\n    text: {title: a, problem: b, action: c}\n"
).encode()
DEEP_JSON = b'{"id": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
HOSTILE = {
    "bom.yaml": (alias_bomb(9), "verwijzingen naar ankers"),
    "diep.json": (DEEP_JSON, "te diep in elkaar genest"),
    "genest.yaml": (NESTED, "dieper genest dan 16 niveaus"),
    "buiten.yaml": (b"extends: /etc/passwd\nid: x\n", "geen ingebouwd beleid"),
    "relatief.yaml": (f"extends: ../policies/{BASE}.yaml\n".encode(), "geen ingebouwd beleid"),
    "opmaak.yaml": (
        f"extends: {BASE}\nid: opmaak\ntexts:\n  deadline_open: '{{deadline:>999999999}}'\n".encode(),
        "heeft opmaak; schrijf alleen {deadline}",
    ),
    "regels.yaml": (
        (
            f"extends: {BASE}\nid: veel\nrules:\n"
            + "".join(
                f"  - {{id: rp.r{i}, section: '1', basis: letter, severity: forbidden, "
                "transition: none, finding_when: {field: open_data}, "
                "text: {title: a, problem: b, action: c}}\n"
                for i in range(250)
            )
        ).encode(),
        "hoogstens 200",
    ),
}


def _builtin_file(policy_id: str) -> bytes:
    return (resources.files("cloudtoets.policy") / "policies" / f"{policy_id}.yaml").read_bytes()


def _client(register: Register, **settings: Any) -> TestClient:
    if settings:
        changed = register.settings.model_copy(update=settings)
        register = dataclasses.replace(register, settings=changed)
    return TestClient(create_app(register=register), raise_server_exceptions=False)


@pytest.fixture
def client(demo_register: Register) -> Iterator[TestClient]:
    with _client(demo_register) as opened:
        yield opened


def _changes(body: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["registration"]: (c["from"], c["to"]) for c in body["changes"]}


def _post(client: TestClient, name: str, data: bytes, **params: str) -> Any:
    day = TODAY.isoformat()
    return client.post(
        f"{API}/policy-impact",
        params={"as_of": day, **params},
        files={"file": (name, data, "application/yaml")},
    )


def test_a_variant_file_changes_what_the_built_in_variant_changes(client: TestClient) -> None:
    built_in = client.get(
        f"{API}/policy-impact", params={"base": BASE, "other": CH, "as_of": TODAY.isoformat()}
    ).json()
    assert built_in["changed"] > 0
    for name, data in (("eer-ch.yaml", _builtin_file(CH)), ("eigen.yaml", OWN_VARIANT)):
        response = _post(client, name, data, base=BASE)
        assert response.status_code == 200, response.text
        body = response.json()
        assert _changes(body) == _changes(built_in), name
        assert body["changed"] == built_in["changed"]
        assert body["transitions"] == built_in["transitions"]
        assert body["per_organisation"] == built_in["per_organisation"]
    assert _post(client, "eigen.yaml", OWN_VARIANT).json()["other"] == "eigen-lezing-zwitserland"
    # the same file as JSON
    import json

    from cloudtoets.yaml12 import load_yaml

    as_json = json.dumps(load_yaml(OWN_VARIANT)).encode()
    assert _changes(_post(client, "eigen.json", as_json).json()) == _changes(built_in)


def test_an_invalid_file_is_422_with_every_problem_and_where(client: TestClient) -> None:
    response = _post(client, "kapot.yaml", INVALID)
    assert response.status_code == 422
    body = response.json()
    assert "kapot.yaml" in body["detail"] and "Er is niets vergeleken" in body["detail"]
    messages = [e["message"] for e in body["errors"]]
    assert any(
        m.startswith("regel rp.opslag-buiten-eer finding_when: onbekend veld 'opslaglanden'")
        for m in messages
    ), messages
    wrong = _post(client, "kapot.yaml", INVALID.replace(b"severity: forbidden", b"severity: x"))
    assert wrong.status_code == 422
    errors = wrong.json()["errors"]
    assert errors[0]["where"] == "regel rp.opslag-buiten-eer severity"
    assert "onbekende waarde 'x'; kies uit 'forbidden'" in errors[0]["message"]
    assert "Traceback" not in response.text


def test_a_hostile_file_is_a_dutch_4xx(client: TestClient, demo_register: Register) -> None:
    for name, (data, expected) in HOSTILE.items():
        response = _post(client, name, data)
        assert response.status_code == 422, (name, response.text)
        messages = " ".join(e["message"] for e in response.json()["errors"])
        assert expected in messages, (name, messages)
        assert "Traceback" not in response.text
    with _client(demo_register, max_upload_bytes=2_000) as small:
        too_large = _post(small, "groot.yaml", OWN_VARIANT + b"#" * 3_000 + b"\n")
        assert too_large.status_code == 413
        assert "groter dan 1.95 kB" in too_large.json()["detail"]
    empty = _post(client, "leeg.yaml", b"")
    assert empty.status_code == 422 and "leeg" in empty.json()["errors"][0]["message"]
    wrong_base = _post(client, "eigen.yaml", OWN_VARIANT, base="bestaat-niet")
    assert wrong_base.status_code == 422
    # the service still answers after all of it
    assert _post(client, "eigen.yaml", OWN_VARIANT).status_code == 200


def _page(client: TestClient, name: str, data: bytes, **fields: str) -> Any:
    return client.post(
        "/portfolio/beleid",
        data={"peildatum": TODAY.isoformat(), **fields},
        files={"bestand": (name, data, "application/yaml")},
    )


def test_the_page_compares_with_an_uploaded_file(client: TestClient) -> None:
    built_in = client.get(
        f"{API}/policy-impact", params={"base": BASE, "other": CH, "as_of": TODAY.isoformat()}
    ).json()
    form = client.get("/portfolio/beleid").text
    assert 'enctype="multipart/form-data"' in form and 'name="bestand"' in form
    response = _page(client, "eigen.yaml", OWN_VARIANT)
    assert response.status_code == 200, response.text
    page = text(response.text)
    assert "Uitkomst: Eigen lezing met Zwitserland (uit uw bestand, versie 1)" in page
    changed = built_in["changed"]
    assert f"krijg{'t' if changed == 1 else 'en'} {changed} van de" in page
    table = response.text.split('id="veranderingen-tabel"', 1)[1].split("</table>", 1)[0]
    for registration in _changes(built_in):
        assert f'href="/registraties/{registration}"' in table

    own = _page(client, "eigen.yaml", OWN_VARIANT, organisatie="gemeente-utrecht")
    mine = {
        c["registration"] for c in built_in["changes"] if c["organisation"] == "gemeente-utrecht"
    }
    own_table = own.text.split('id="veranderingen-tabel"', 1)[1].split("</table>", 1)[0]
    assert {r for r in _changes(built_in) if f'/registraties/{r}"' in own_table} == mine


def test_the_page_names_what_is_wrong_with_a_file(
    client: TestClient, demo_register: Register
) -> None:
    bad = _page(client, "kapot.yaml", INVALID)
    assert bad.status_code == 422
    page = text(bad.text)
    assert "In kapot.yaml staat 1 probleem" in page and "Herstel het bestand" in page
    assert "Regel rp.opslag-buiten-eer finding_when: onbekend veld 'opslaglanden'" in page
    assert "Uitkomst:" not in page
    assert 'href="#bestand"' in bad.text  # the error summary leads to the file field
    for name, (data, expected) in HOSTILE.items():
        response = _page(client, name, data)
        assert response.status_code == 422, name
        assert expected in text(response.text), name
    missing = client.post("/portfolio/beleid", data={"peildatum": TODAY.isoformat()})
    assert missing.status_code == 422
    assert "Kies het beleidsbestand" in text(missing.text)
    other = _page(client, "beleid.txt", OWN_VARIANT)
    assert other.status_code == 422 and "YAML of JSON" in text(other.text)
    bad_day = _page(client, "eigen.yaml", OWN_VARIANT, peildatum="1999-01-01")
    assert bad_day.status_code == 422 and 'href="#peildatum-bestand"' in bad_day.text
    with _client(demo_register, max_upload_bytes=2_000) as small:
        too_large = _page(small, "groot.yaml", OWN_VARIANT + b"#" * 3_000 + b"\n")
        assert too_large.status_code == 413
        assert "Het bestand is groter dan 1.95 kB" in text(too_large.text)


# a bare list that drops most of the inherited one: allowed, but `policy validate` warns
NARROW = f"""\
id: alleen-nederland
extends: {BASE}
title: Alleen Nederland
version: "1"
status: variant
source: Werkdocument van het team
parameters:
  allowed_countries: [NL]
""".encode()


def test_an_upload_shows_the_warnings_of_policy_validate(client: TestClient) -> None:
    body = _post(client, "smal.yaml", NARROW, base=BASE).json()
    (warning,) = body["warnings"]
    assert warning["where"] == "parameters.allowed_countries"
    assert "laat 29 van de 30 waarden weg" in warning["message"]
    assert "{add: [...]}" in warning["message"]
    assert _post(client, "eigen.yaml", OWN_VARIANT).json()["warnings"] == []

    page = text(_page(client, "smal.yaml", NARROW).text)
    assert "Let op: waarschijnlijk niet zo bedoeld" in page
    assert "parameters.allowed_countries: deze lijst vervangt die van" in page
    assert "Let op" not in text(_page(client, "eigen.yaml", OWN_VARIANT).text)
