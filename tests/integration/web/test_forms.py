"""The registration form without JavaScript: create, errors, edit, concurrent edits, delete."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cloudtoets.services import registrations as service
from cloudtoets.services.context import Register
from cloudtoets.services.errors import NotFound

from .conftest import CENTRAL, field_error, input_value, text, title

NEW = {
    "id": "bzk-chat",
    "organisation": "bzk",
    "name": "Chatdienst voor burgers",
    "deployment": "public",
    "service_model": "saas",
    "functions": ["collaboration", "ai"],
    "provider": "microsoft-ireland",
    "subprocessors": "",
    "storage_countries": "nl, ie",
    "processing_countries": "NL IE",
    "encrypted_at_rest": "true",
    "encrypted_in_transit": "true",
    "key_custody": "customer-managed",
    "open_data": "false",
    "personal_data": "regular",
    "large_scale_personal_data": "false",
    "pets": ["pseudonymisation"],
    "core_task": "true",
    "business_critical": "false",
    "material": "afleiden",
    "in_use_since": "1-3-2025",
}
# evidence as an old form (or a forged one) would post it: the form no longer reads it
EVIDENCE = {
    "risk_assessment-date": "2026-01-15",
    "risk_assessment-covers_lock_in": "true",
    "risk_assessment-covers_jurisdiction": "true",
    "risk_assessment-accepted_by": "ikzelf",
    "risk_assessment-accepted_on": "2026-01-20",
    "exit_plan-planned-lead_time_days": "180",
    "exit_plan-planned-preconditions": "opvolger aanbesteden\nexport van gesprekken",
    "exit_plan-emergency-lead_time_days": "30",
    "exit_plan-emergency-preconditions": "export van gesprekken",
    "exit_plan-data_return": "true",
    "exit_plan-data_destruction": "true",
    "exit_plan-last_tested": "2026-02-01",
    "notification-submitted_on": "2026-02-02",
    "notification-to": "CIO Rijk",
    "justifications": "C2000",
    "justifications-0-rule": "C2000",
}
_EVIDENCE_INPUT = re.compile(
    r'<(?:input|textarea|select)\b[^>]*\bname="(?:risk_assessment|exit_plan|notification|'
    r'justification)[^"]*"'
)


def test_new_form_has_every_theme_and_no_html_required(client: TestClient) -> None:
    html = client.get("/registraties/nieuw").text
    for theme in (
        "Basis",
        "Leverancier en locatie",
        "Gegevens en beveiliging",
        "Gebruik en contract",
    ):
        assert re.search(rf"<legend[^>]*><h2[^>]*>{theme}</h2></legend>", html), theme
    # the evidence comes from the workflows only (decision 30): no section, no input, not hidden
    for theme in ("Risicoafweging", "Exitplan", "Melding bij CIO Rijk"):
        assert not re.search(rf"<legend[^>]*><h2[^>]*>{theme}</h2></legend>", html), theme
    assert not _EVIDENCE_INPUT.search(html)
    assert "novalidate" in html and " required" not in html
    assert '<form class="ct-form ct-form--wide" method="post" action="/registraties/nieuw"' in html
    assert 'name="versie"' not in html
    # a new registration knows nothing yet: every fact starts at Onbekend (unknowns.md)
    for name in ("deployment", "key_custody", "encrypted_at_rest", "core_task", "personal_data"):
        assert re.search(rf'name="{name}" value="onbekend"\s+checked', html), name
    for name in ("functions", "subprocessors", "storage_countries", "pets"):
        assert re.search(rf'name="{name}-keuze" value="onbekend"\s+checked', html), name
    assert 'name="storage_countries-keuze" value="geen"' not in html  # data is always somewhere
    assert re.search(r'name="subprocessors-keuze" value="geen"', html)
    assert re.search(r'<option value="onbekend" selected>Onbekend</option>', html)
    assert '<option value="none">Ongerubriceerd</option>' in html
    # evidence is not a fact: ja or nee, nothing chosen
    assert not re.search(r'name="abro_declaration" value="onbekend"', html)
    assert re.search(r'name="material" value="afleiden"\s+checked', html)
    assert "legt u niet in dit formulier vast" in text(html)


def test_create_redirects_with_a_flash_and_stores(client: TestClient, register: Register) -> None:
    response = client.post("/registraties/nieuw", data=NEW)
    assert response.status_code == 303
    assert response.headers["location"] == "/registraties/bzk-chat"
    stored = service.get_registration(register, CENTRAL, "bzk-chat")
    registration = stored.registration
    assert registration.name == "Chatdienst voor burgers"
    assert registration.storage_countries == ["NL", "IE"]
    assert registration.functions == ["collaboration", "ai"]
    assert str(registration.in_use_since) == "2025-03-01"  # typed the Dutch way
    # the evidence typed into the form is not stored: it comes only from the workflows
    # (decision 30)
    assert registration.risk_assessment is None
    assert registration.exit_plan is None
    assert registration.notification is None
    assert registration.material is None
    page = client.get("/registraties/bzk-chat")
    assert "De registratie is opgeslagen." in text(page.text)
    assert 'ct-melding=""' in page.headers.get("set-cookie", "") or "Max-Age=0" in page.headers.get(
        "set-cookie", ""
    )
    again = client.get("/registraties/bzk-chat")
    assert "De registratie is opgeslagen." not in text(again.text)


def test_invalid_form_keeps_every_value_and_says_what_is_wrong(
    client: TestClient, register: Register
) -> None:
    bad = {
        **NEW,
        "id": "bzk-fout",
        "deployment": "",
        "provider": "",
        "storage_countries": "NL, XX",
        "in_use_since": "31-02-2025",
        "contract_end": "een half jaar",
        "tbb_level": "7",
    }
    response = client.post("/registraties/nieuw", data=bad)
    assert response.status_code == 422
    html = response.text
    assert title(html).startswith("Fout: Nieuwe registratie")
    # every value comes back as typed, also the wrong ones
    assert input_value(html, "id") == "bzk-fout"
    assert input_value(html, "storage_countries") == "NL, XX"
    assert input_value(html, "in_use_since") == "31-02-2025"
    assert input_value(html, "contract_end") == "een half jaar"
    assert input_value(html, "name") == "Chatdienst voor burgers"
    assert re.search(r'value="ai"\s+checked', html)
    # a message at each field; an unknown deployment is no mistake (unknowns.md)
    assert field_error(html, "deployment") is None
    assert "Onbekende landcode 'XX'" in (field_error(html, "storage_countries") or "")
    assert (
        field_error(html, "in_use_since")
        == "31-02-2025 bestaat niet. Schrijf de datum als 3-7-2026."
    )
    assert (
        field_error(html, "contract_end")
        == '"een half jaar" is geen datum. Schrijf de datum als 3-7-2026.'
    )
    assert (field_error(html, "tbb_level") or "").startswith("Onbekende waarde 7")
    # the summary at the top links to the fields, in form order
    summary = html.split('class="ct-error-summary"', 1)[1].split("</div>", 1)[0]
    links = re.findall(r'href="#([^"]+)"', summary)
    assert links == [
        "storage_countries",
        "tbb_level",
        "in_use_since",
        "contract_end",
    ]
    assert 'aria-invalid="true"' in html
    # nothing stored
    try:
        service.get_registration(register, CENTRAL, "bzk-fout")
        raise AssertionError("stored")
    except NotFound:
        pass


def test_unknown_provider_is_stored_and_a_provider_not_listed_is_refused(
    client: TestClient, register: Register
) -> None:
    data = {**NEW, "id": "bzk-wie", "provider": ""}
    assert client.post("/registraties/nieuw", data=data).status_code == 303
    stored = service.get_registration(register, CENTRAL, "bzk-wie")
    assert stored.registration.provider is None
    assert stored.decision.jurisdictions_complete is False
    html = client.post("/registraties/nieuw", data={**NEW, "subprocessors": "bestaat-niet"}).text
    assert "Onbekende leverancier 'bestaat-niet'" in (field_error(html, "subprocessors") or "")


def test_an_organisations_own_provider_is_accepted(client: TestClient) -> None:
    data = {**NEW, "id": "bzk-salaris", "provider": "visma-raet"}
    assert client.post("/registraties/nieuw", data=data).status_code == 303


def test_taken_id_reserved_id_and_unknown_organisation(client: TestClient) -> None:
    html = client.post("/registraties/nieuw", data={**NEW, "id": "bzk-teams-crisisdossier"}).text
    assert "er is al een registratie met dit kenmerk" in (field_error(html, "id") or "").lower()
    html = client.post("/registraties/nieuw", data={**NEW, "id": "nieuw"}).text
    assert "gereserveerd" in (field_error(html, "id") or "")
    html = client.post(
        "/registraties/nieuw", data={**NEW, "id": "a/b", "storage_countries": "XX"}
    ).text
    assert "'a/b' is geen bruikbaar kenmerk" in (field_error(html, "id") or "")
    assert "Onbekende landcode 'XX'" in (field_error(html, "storage_countries") or "")  # at once
    response = client.post("/registraties/nieuw", data={**NEW, "id": "", "organisation": "az"})
    assert response.status_code == 422
    assert field_error(response.text, "id") == "Vul een kenmerk in, bijvoorbeeld fin-m365-mail."


def test_edit_changes_a_field_and_the_evidence_follows_the_workflows(
    client: TestClient, register: Register
) -> None:
    before = service.get_registration(register, CENTRAL, "fin-m365-mail")
    assert before.registration.justifications
    html = client.get("/registraties/fin-m365-mail/bewerken").text
    assert input_value(html, "versie") == str(before.version)
    assert input_value(html, "name") == "E-mail Exchange Online (Microsoft 365)"
    assert 'name="id"' not in html  # the id cannot change
    assert "blijven" not in text(html)
    assert (
        "Dit formulier verandert de integrale risicoafweging, het exitplan, de melding en de afwijkingen niet"
        in text(html)
    )
    for href in (
        "/registraties/fin-m365-mail/risicoanalyse",
        "/registraties/fin-m365-mail/exitplan",
        "/registraties/fin-m365-mail#melding",
        "/registraties/fin-m365-mail#afwijkingen",
    ):
        assert f'href="{href}"' in html, href
    assert not _EVIDENCE_INPUT.search(html)
    form = _form_of(html)
    form["name"] = "E-mail (Microsoft 365)"
    response = client.post("/registraties/fin-m365-mail/bewerken", data=form)
    assert response.status_code == 303, field_errors_of(response.text)
    after = service.get_registration(register, CENTRAL, "fin-m365-mail")
    assert after.registration.name == "E-mail (Microsoft 365)"
    assert after.version == before.version + 1
    # justifications entered before decision 30 give way to what the workflows say (none here)
    assert after.registration.justifications == []
    # nothing else changed: the form round-trips every field
    assert after.registration == type(before.registration)(
        **{
            **_fields(before.registration),
            "name": "E-mail (Microsoft 365)",
            **dict.fromkeys(("risk_assessment", "exit_plan", "notification")),
            "justifications": [],
        }
    )
    # the change history shows the field before and after
    detail = text(client.get("/registraties/fin-m365-mail").text)
    assert "Gewijzigd op 29 november 2026" in detail
    assert "Naam E-mail Exchange Online (Microsoft 365) E-mail (Microsoft 365)" in detail


def test_evidence_posted_to_the_form_is_not_read_and_changes_no_verdict(
    client: TestClient, register: Register
) -> None:
    assert client.post("/registraties/nieuw", data={**NEW, "id": "bzk-zonder"}).status_code == 303
    data = {**NEW, **EVIDENCE, "id": "bzk-met"}
    assert client.post("/registraties/nieuw", data=data).status_code == 303
    without = service.get_registration(register, CENTRAL, "bzk-zonder")
    typed = service.get_registration(register, CENTRAL, "bzk-met")
    assert typed.decision.verdict == without.decision.verdict
    for stored in (without, typed):
        registration = stored.registration
        assert registration.risk_assessment is None
        assert registration.exit_plan is None
        assert registration.notification is None
        assert registration.justifications == []
    # the same on an edit: the form as shown plus evidence gives what the form alone gives
    form = _form_of(client.get("/registraties/bzk-met/bewerken").text)
    response = client.post("/registraties/bzk-met/bewerken", data={**form, **EVIDENCE})
    assert response.status_code == 303, field_errors_of(response.text)
    edited = service.get_registration(register, CENTRAL, "bzk-met")
    assert edited.version == typed.version  # nothing the form asks changed: nothing saved
    assert edited.decision.verdict == typed.decision.verdict
    assert edited.registration == typed.registration


def test_concurrent_edit_shows_both_versions_and_can_keep_mine(
    client: TestClient, register: Register
) -> None:
    html = client.get("/registraties/bzk-teams-crisisdossier/bewerken").text
    mine = _form_of(html)
    mine["name"] = "Crisisdossiers (mijn naam)"
    # someone else saves first
    other = service.get_registration(register, CENTRAL, "bzk-teams-crisisdossier")
    other.registration.name = "Crisisdossiers (andere naam)"
    service.update_registration(
        register, CENTRAL, "bzk-teams-crisisdossier", other.registration, other.version
    )

    response = client.post("/registraties/bzk-teams-crisisdossier/bewerken", data=mine)
    assert response.status_code == 409
    page = text(response.text)
    assert "Iemand anders heeft deze registratie gewijzigd" in page
    assert "Naam Crisisdossiers (mijn naam) Crisisdossiers (andere naam)" in page
    assert 'href="/registraties/bzk-teams-crisisdossier"' in response.text  # discard
    keep = _form_of(response.text, form_index=0)
    assert keep["versie"] == str(other.version + 1)
    assert service.get_registration(
        register, CENTRAL, "bzk-teams-crisisdossier"
    ).registration.name == ("Crisisdossiers (andere naam)")
    assert (
        client.post("/registraties/bzk-teams-crisisdossier/bewerken", data=keep).status_code == 303
    )
    assert service.get_registration(
        register, CENTRAL, "bzk-teams-crisisdossier"
    ).registration.name == ("Crisisdossiers (mijn naam)")


def test_invalid_edit_keeps_values_and_version(client: TestClient) -> None:
    form = _form_of(client.get("/registraties/bzk-teams-crisisdossier/bewerken").text)
    form["contract_end"] = "morgen"
    response = client.post("/registraties/bzk-teams-crisisdossier/bewerken", data=form)
    assert response.status_code == 422
    assert input_value(response.text, "contract_end") == "morgen"
    assert input_value(response.text, "versie") == form["versie"]


def test_delete_asks_first_then_deletes(client: TestClient, register: Register) -> None:
    html = client.get("/registraties/bzk-teams-crisisdossier/verwijderen").text
    version = input_value(html, "versie")
    assert "verwijderen?" in text(html)
    stale = client.post("/registraties/bzk-teams-crisisdossier/verwijderen", data={"versie": "999"})
    assert stale.status_code == 409
    assert "De registratie is intussen gewijzigd" in text(stale.text)
    response = client.post(
        "/registraties/bzk-teams-crisisdossier/verwijderen", data={"versie": version}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/registraties"
    assert "De registratie is verwijderd." in text(client.get("/registraties").text)
    assert client.get("/registraties/bzk-teams-crisisdossier").status_code == 404


# ------------------------------------------------------------------------------- helpers


def _fields(record: object) -> dict[str, object]:
    import dataclasses

    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}  # type: ignore[arg-type]


def field_errors_of(html: str) -> list[str]:
    return re.findall(r'-fout">(.*?)</p>', html, re.S)


def _form_of(html: str, form_index: int | None = None) -> dict[str, object]:
    """What a browser would send for the (first POST) form on the page, unchanged."""
    forms = re.findall(r'<form[^>]*method="post".*?</form>', html, re.S)
    body = forms[form_index or 0]
    data: dict[str, object] = {}

    def add(name: str, value: str) -> None:
        if name in data:
            current = data[name]
            data[name] = [*current, value] if isinstance(current, list) else [current, value]
        else:
            data[name] = value

    for tag in re.findall(r"<input\b[^>]*>", body, re.S):
        name = re.search(r'\bname="([^"]*)"', tag)
        if name is None:
            continue
        kind = re.search(r'\btype="([^"]*)"', tag)
        value = re.search(r'\bvalue="([^"]*)"', tag)
        shown = _unescape(value.group(1)) if value else ""
        if kind and kind.group(1) in ("checkbox", "radio"):
            if re.search(r"\schecked\b", tag):
                if kind.group(1) == "checkbox":
                    data.setdefault(name.group(1), [])
                    data[name.group(1)].append(shown)  # type: ignore[union-attr]
                else:
                    data[name.group(1)] = shown
            continue
        add(name.group(1), shown)
    for name, value in re.findall(
        r'<textarea[^>]*\bname="([^"]*)"[^>]*>(.*?)</textarea>', body, re.S
    ):
        data[name] = _unescape(value.removeprefix("\n"))
    for name, options in re.findall(
        r'<select[^>]*\bname="([^"]*)"[^>]*>(.*?)</select>', body, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        data[name] = _unescape(chosen.group(1)) if chosen else ""
    return data


def _unescape(value: str) -> str:
    from html import unescape

    return unescape(value)
