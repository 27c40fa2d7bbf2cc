"""The registrations API: list, read, write with If-Match, decisions, history and evaluation."""

from __future__ import annotations

import dataclasses
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

from cloudtoets.api.registrations import Sort
from cloudtoets.domain.knowledge import LEGACY_DEFAULTS, fill_legacy_defaults
from cloudtoets.domain.model import Registration
from cloudtoets.domain.registration_query import SORT_KEYS
from cloudtoets.domain.vocabulary import Verdict
from cloudtoets.services.context import Register
from cloudtoets.store.repositories import SORT_COLUMNS

from .conftest import API, TODAY, assert_problem, count_registrations

REGISTRATIONS = f"{API}/registrations"
# every fact stated (the old defaults written out), so the verdicts are certain
NEW = fill_legacy_defaults(
    {
        "id": "bzk-nieuw",
        "organisation": "bzk",
        "name": "Nieuwe samenwerkingsdienst",
        "deployment": "public",
        "provider": "microsoft-ireland",
        "storage_countries": ["nl", "ie"],
        "processing_countries": ["US"],
        "encrypted_at_rest": True,
        "encrypted_in_transit": True,
        "in_use_since": "2020-01-01",
    },
    LEGACY_DEFAULTS,
)
FIXED = {**NEW, "processing_countries": ["NL"], "key_custody": "customer-managed"}


def everything(client: TestClient) -> list[dict[str, Any]]:
    response = client.get(REGISTRATIONS, params={"page_size": 500})
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# --- list -------------------------------------------------------------------------------------


def test_the_list_pages_through_every_registration_with_the_total(client: TestClient) -> None:
    first = client.get(REGISTRATIONS, params={"page_size": 10}).json()
    assert (first["total"], first["page"], first["page_size"]) == (32, 1, 10)
    seen = []
    for page in (1, 2, 3, 4):
        body = client.get(REGISTRATIONS, params={"page_size": 10, "page": page}).json()
        assert body["total"] == 32
        seen += [item["id"] for item in body["items"]]
    assert len(seen) == len(set(seen)) == 32
    assert seen == sorted(seen)  # id order by default
    beyond = client.get(REGISTRATIONS, params={"page_size": 10, "page": 5}).json()
    assert beyond["items"] == [] and beyond["total"] == 32
    assert client.get(REGISTRATIONS).json()["page_size"] == 50  # Settings.page_size


def test_list_items_are_the_summary(client: TestClient) -> None:
    item = next(i for i in everything(client) if i["id"] == "rvig-rni-azure")
    assert item == {
        "id": "rvig-rni-azure",
        "name": "RNI-registratie (brondata in Azure)",
        "organisation": "rvig",
        "provider": "microsoft-ireland",
        "deployment": "public",
        "verdict": "transition",
        "deadline": "2032-01-01",
        "material": True,
        "public_cloud": True,
        "jurisdictions": ["IE", "US"],
        "findings_count": 1,
        "evaluated_on": TODAY.isoformat(),
        "version": 1,
        "verdict_range": {"best": "transition", "worst": "transition"},
    }


def test_every_filter_gives_what_filtering_the_whole_list_gives(client: TestClient) -> None:
    items = everything(client)
    cases: list[tuple[dict[str, Any], Any]] = [
        ({"verdict": "transition"}, lambda i: i["verdict"] == "transition"),
        ({"deployment": "public"}, lambda i: i["deployment"] == "public"),
        ({"provider": "microsoft-ireland"}, lambda i: i["provider"] == "microsoft-ireland"),
        ({"jurisdiction": "us"}, lambda i: "US" in i["jurisdictions"]),
        ({"material": "true"}, lambda i: i["material"] is True),
        ({"material": "false"}, lambda i: i["material"] is False),
        ({"organisation": "logius"}, lambda i: i["organisation"] == "logius"),
        ({"q": "M365"}, lambda i: "m365" in i["id"] or "m365" in (i["name"] or "").lower()),
        (
            {"verdict": "not-allowed", "organisation": "bzk"},
            lambda i: i["verdict"] == "not-allowed" and i["organisation"] == "bzk",
        ),
    ]
    for params, keep in cases:
        expected = [i["id"] for i in items if keep(i)]
        response = client.get(REGISTRATIONS, params={**params, "page_size": 500})
        assert expected, params  # every case selects something, and not everything
        assert len(expected) < len(items), params
        assert ids(response) == expected, params
        assert response.json()["total"] == len(expected), params
    # the README's count for the example on this date
    assert client.get(REGISTRATIONS, params={"verdict": "transition"}).json()["total"] == 7


def test_every_sort_key_can_be_chosen_both_ways_and_the_store_sorts_on_each() -> None:
    assert set(get_args(Sort)) == {f"{d}{key}" for key in SORT_KEYS for d in ("", "-")}
    assert set(SORT_COLUMNS) == set(SORT_KEYS)


@pytest.mark.parametrize(
    "key", ["id", "name", "organisation", "verdict", "deadline", "provider", "deployment"]
)
def test_sorting_follows_the_column_then_the_id(client: TestClient, key: str) -> None:
    items = [i for i in everything(client) if i[key] is not None]  # null order is the database's

    def value(item: dict[str, Any]) -> Any:
        # a verdict sorts as its worst verdict, worst first (unknowns.md)
        if key == "verdict":
            return Verdict(item["verdict_range"]["worst"]).rank
        return item[key]

    expected = [i["id"] for i in sorted(items, key=lambda i: (value(i), i["id"]))]
    for sort, order in ((key, expected), (f"-{key}", expected[::-1])):
        response = client.get(REGISTRATIONS, params={"sort": sort, "page_size": 500})
        present = {i["id"] for i in items}
        assert [rid for rid in ids(response) if rid in present] == order, sort


def test_invalid_list_parameters_are_named_in_dutch(client: TestClient) -> None:
    response = client.get(
        REGISTRATIONS, params={"verdict": "slecht", "sort": "kleur", "page_size": 501, "page": 0}
    )
    body = assert_problem(response, 422, "ongeldige-invoer")
    errors = {e["field"]: e for e in body["errors"]}
    assert set(errors) == {"verdict", "sort", "page_size", "page"}
    assert errors["verdict"]["where"] == "queryparameter verdict"
    assert errors["verdict"]["message"].startswith("onbekende waarde 'slecht'; kies uit")
    assert "hoogstens 500" in errors["page_size"]["message"]
    assert "minstens 1" in errors["page"]["message"]
    country = assert_problem(
        client.get(REGISTRATIONS, params={"jurisdiction": "XX"}), 422, "ongeldige-invoer"
    )
    assert country["errors"] == [
        {
            "where": "queryparameter jurisdiction",
            "field": "jurisdiction",
            "message": "onbekende landcode 'XX'; gebruik een ISO-code zoals NL of US",
        }
    ]


# --- read -------------------------------------------------------------------------------------


def test_a_registration_has_every_field_its_version_and_todays_decision(
    client: TestClient,
) -> None:
    response = client.get(f"{REGISTRATIONS}/rvig-rni-azure")
    assert response.status_code == 200
    assert response.headers["etag"] == '"v1"'
    body = response.json()
    assert {f.name for f in dataclasses.fields(Registration)} | {"version", "decision"} == set(body)
    assert body["version"] == 1
    decision = body["decision"]
    assert decision["registration"] == "rvig-rni-azure"
    assert decision["verdict"] == "transition"
    assert decision["deadline"] == "2032-01-01"
    assert decision["jurisdictions"] == ["IE", "US"]
    assert decision["as_of"] == TODAY.isoformat()
    assert decision["policy"]["id"] == "rijksbreed-cloudbeleid-2026"
    assert len(decision["policy"]["revision"]) == 64
    assert decision["material_reasons"] == sorted(decision["material_reasons"])
    assert all(f["message"] and f["rule"].startswith("cb2026.") for f in decision["findings"])


def test_an_unknown_registration_is_a_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get(f"{REGISTRATIONS}/bestaat-niet"), 404, "niet-gevonden")
    assert body["detail"] == "Registratie 'bestaat-niet' bestaat niet, of u mag deze niet zien."
    assert body["instance"] == f"{REGISTRATIONS}/bestaat-niet"


# --- create -----------------------------------------------------------------------------------


def test_create_answers_201_with_location_etag_and_the_decision(
    client: TestClient, register: Register
) -> None:
    response = client.post(REGISTRATIONS, json=NEW)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{REGISTRATIONS}/bzk-nieuw"
    assert response.headers["etag"] == '"v1"'
    body = response.json()
    assert body["storage_countries"] == ["NL", "IE"]  # normalised as on import
    assert body["decision"]["verdict"] == "transition"
    assert [f["rule"] for f in body["decision"]["findings"]] == [
        "cb2026.4.key-custody",
        "cb2026.4.location",
    ]
    assert client.get(response.headers["location"]).json() == body
    assert count_registrations(register) == 33
    again = assert_problem(client.post(REGISTRATIONS, json=NEW), 409, "bestaat-al")
    assert "bzk-nieuw" in str(again["detail"])


def test_an_invalid_registration_names_every_field_in_dutch_and_stores_nothing(
    client: TestClient, register: Register
) -> None:
    body = {
        "id": "bzk-fout",
        "organisation": "bzk",
        "deployment": "publiek",
        "encrypted_at_rest": "misschien",
        "tbb_level": 7,
        "leverancier": "aws-emea",
    }
    problem = assert_problem(client.post(REGISTRATIONS, json=body), 422, "ongeldige-invoer")
    errors = {e["field"]: e for e in problem["errors"]}
    assert set(errors) == {"deployment", "encrypted_at_rest", "tbb_level", "leverancier"}
    assert errors["deployment"] == {
        "where": "veld deployment",
        "field": "deployment",
        "message": "onbekende waarde 'publiek'; kies uit 'public', 'hybrid', 'community', "
        "'private-external' of 'private-internal'",
    }
    assert errors["encrypted_at_rest"]["message"].endswith("gebruik true of false")
    assert errors["leverancier"]["message"].startswith("onbekend veld")
    # checks across records (provider, country codes) come from the services
    crossing = {**NEW, "provider": "bestaat-niet", "storage_countries": ["XX"]}
    problem = assert_problem(client.post(REGISTRATIONS, json=crossing), 422, "ongeldige-invoer")
    fields = {e["field"] for e in problem["errors"]}
    assert {"provider", "storage_countries"} <= fields
    assert "niets opgeslagen" in str(problem["detail"])
    assert count_registrations(register) == 32


def test_a_body_that_is_no_json_object_is_a_dutch_problem(client: TestClient) -> None:
    broken = client.post(
        REGISTRATIONS, content=b'{"id": ', headers={"content-type": "application/json"}
    )
    body = assert_problem(broken, 422, "ongeldige-invoer")
    (error,) = body["errors"]
    assert error["where"] == "body" and error["message"].startswith("geen geldige JSON")
    empty = assert_problem(client.post(REGISTRATIONS), 422, "ongeldige-invoer")
    assert empty["errors"][0]["message"] == "de body ontbreekt; stuur een JSON-object"


def test_an_unknown_organisation_is_a_field_problem(client: TestClient) -> None:
    body = {**NEW, "organisation": "bestaat-niet"}
    problem = assert_problem(client.post(REGISTRATIONS, json=body), 422, "ongeldige-invoer")
    assert problem["errors"][0]["field"] == "organisation"


# --- update and delete: If-Match ---------------------------------------------------------------


def test_a_change_needs_if_match(client: TestClient) -> None:
    url = f"{REGISTRATIONS}/bzk-m365-mail"
    current = client.get(url).json()
    missing = assert_problem(client.put(url, json=current), 428, "versie-ontbreekt")
    assert "If-Match" in str(missing["detail"])
    assert_problem(
        client.put(url, json=current, headers={"If-Match": "*"}), 428, "versie-ontbreekt"
    )
    assert_problem(client.delete(url), 428, "versie-ontbreekt")


def test_of_two_clients_that_read_v1_the_second_write_fails_with_the_current_values(
    register: Register, client: TestClient
) -> None:
    url = f"{REGISTRATIONS}/bzk-nieuw"
    assert client.post(REGISTRATIONS, json=NEW).status_code == 201
    from fastapi.testclient import TestClient as Second

    with Second(client.app, raise_server_exceptions=False) as other:
        first_read, second_read = client.get(url), other.get(url)
        assert first_read.headers["etag"] == second_read.headers["etag"] == '"v1"'

        saved = client.put(url, json=FIXED, headers={"If-Match": first_read.headers["etag"]})
        assert saved.status_code == 200, saved.text
        assert saved.headers["etag"] == '"v2"'
        assert saved.json()["version"] == 2
        assert saved.json()["decision"]["verdict"] == "allowed"

        mine = {**NEW, "name": "Mijn naam"}
        late = other.put(url, json=mine, headers={"If-Match": second_read.headers["etag"]})
        body = assert_problem(late, 412, "versie-verouderd")
        assert late.headers["etag"] == '"v2"'
        assert body["current_version"] == 2
        assert body["current"]["processing_countries"] == ["NL"]
        assert body["current"]["name"] == NEW["name"]

        retried = other.put(url, json=mine, headers={"If-Match": late.headers["etag"]})
        assert retried.status_code == 200 and retried.headers["etag"] == '"v3"'
        assert client.get(url).json()["name"] == "Mijn naam"


def test_a_fetched_registration_can_be_sent_back_as_it_is(client: TestClient) -> None:
    url = f"{REGISTRATIONS}/bzk-m365-mail"
    fetched = client.get(url)
    changed = {**fetched.json(), "name": "Andere naam"}
    saved = client.put(url, json=changed, headers={"If-Match": fetched.headers["etag"]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["name"] == "Andere naam" and saved.json()["version"] == 2


def test_a_list_of_versions_in_if_match_matches_any_of_them(client: TestClient) -> None:
    url = f"{REGISTRATIONS}/bzk-m365-mail"
    body = {**client.get(url).json(), "name": "Andere naam"}
    saved = client.put(url, json=body, headers={"If-Match": '"v7", "v1"'})
    assert saved.status_code == 200, saved.text
    assert saved.headers["etag"] == '"v2"'
    stale = client.put(url, json=body, headers={"If-Match": '"v1", "v5"'})  # now v2
    assert_problem(stale, 412, "versie-verouderd")
    assert_problem(
        client.put(url, json=body, headers={"If-Match": "rommel"}), 412, "versie-verouderd"
    )


def test_the_id_of_a_registration_cannot_change(client: TestClient) -> None:
    url = f"{REGISTRATIONS}/bzk-m365-mail"
    body = {**client.get(url).json(), "id": "bzk-ander"}
    problem = assert_problem(
        client.put(url, json=body, headers={"If-Match": '"v1"'}), 422, "ongeldige-invoer"
    )
    assert problem["errors"][0]["field"] == "id"


def test_updating_an_unknown_registration_is_404(client: TestClient) -> None:
    response = client.put(f"{REGISTRATIONS}/bzk-nieuw", json=NEW, headers={"If-Match": '"v1"'})
    assert_problem(response, 404, "niet-gevonden")


def test_delete_needs_the_current_version_and_answers_204(
    client: TestClient, register: Register
) -> None:
    url = f"{REGISTRATIONS}/bzk-m365-mail"
    assert_problem(client.delete(url, headers={"If-Match": '"v9"'}), 412, "versie-verouderd")
    response = client.delete(url, headers={"If-Match": '"v1"'})
    assert response.status_code == 204 and response.content == b""
    assert count_registrations(register) == 31
    assert_problem(client.get(url), 404, "niet-gevonden")
    assert_problem(client.delete(url, headers={"If-Match": '"v1"'}), 404, "niet-gevonden")
    history = client.get(f"{url}/history").json()["items"]  # kept after deletion
    assert [entry["action"] for entry in history] == ["delete", "import"]


# --- decisions, history, evaluation -------------------------------------------------------------


def test_decisions_and_history_follow_every_change(client: TestClient) -> None:
    assert client.post(REGISTRATIONS, json=NEW).status_code == 201
    url = f"{REGISTRATIONS}/bzk-nieuw"
    client.put(url, json=FIXED, headers={"If-Match": '"v1"'})

    decisions = client.get(f"{url}/decisions").json()["items"]
    assert [d["verdict"] for d in decisions] == ["allowed", "transition"]  # newest first
    newest = decisions[0]
    assert newest["as_of"] == TODAY.isoformat()
    assert newest["policy"]["id"] == "rijksbreed-cloudbeleid-2026"
    assert newest["result"]["registration"] == "bzk-nieuw"
    assert newest["input"]["registrations"][0]["id"] == "bzk-nieuw"
    assert {"id", "evaluated_at", "deadline"} <= set(newest)

    # the stored input reproduces the stored result, as cloudtoets check would
    again = client.post(
        f"{API}/inventory/evaluate", params={"as_of": newest["as_of"]}, json=newest["input"]
    )
    assert again.json()["results"] == [newest["result"]]

    history = client.get(f"{url}/history").json()["items"]
    assert [h["action"] for h in history] == ["update", "create"]
    update = history[0]
    assert update["actor"] == "beheerder"  # Settings.local_user
    assert update["before"]["processing_countries"] == ["US"]
    assert update["after"]["processing_countries"] == ["NL"]
    assert update["request_id"] and update["at"]


def test_a_long_history_pages_through_every_change_once_newest_first(
    client: TestClient,
) -> None:
    assert client.post(REGISTRATIONS, json=NEW).status_code == 201
    url = f"{REGISTRATIONS}/bzk-nieuw"
    for version in range(1, 131):  # 131 changes in all: more than the 100 of one page
        changed = client.put(
            url, json={**NEW, "name": f"naam {version}"}, headers={"If-Match": f'"v{version}"'}
        )
        assert changed.status_code == 200, changed.text
    first = client.get(f"{url}/history").json()
    assert (first["total"], first["page"], first["page_size"], len(first["items"])) == (
        131,
        1,
        100,
        100,
    )
    seen: list[dict[str, Any]] = []
    for page in range(1, 7):  # 25 a page: pages 1-6, the sixth holds the last 6
        body = client.get(f"{url}/history", params={"page": page, "page_size": 25}).json()
        assert body["total"] == 131 and len(body["items"]) == (25 if page < 6 else 6)
        seen += body["items"]
    numbers = [entry["id"] for entry in seen]
    assert len(numbers) == len(set(numbers)) == 131
    assert numbers == sorted(numbers, reverse=True)  # newest first, also across pages
    assert [entry["id"] for entry in first["items"]] == numbers[:100]
    assert seen[-1]["action"] == "create" and seen[0]["after"]["name"] == "naam 130"
    names = [entry["after"]["name"] for entry in seen[:-1]]
    assert names == [f"naam {version}" for version in range(130, 0, -1)]
    again = client.get(f"{url}/history", params={"page": 2, "page_size": 25}).json()
    assert [entry["id"] for entry in again["items"]] == numbers[25:50]  # the same page again
    beyond = client.get(f"{url}/history", params={"page": 7, "page_size": 25}).json()
    assert beyond["items"] == [] and beyond["total"] == 131
    too_large = client.get(f"{url}/history", params={"page_size": 501})
    assert_problem(too_large, 422, "ongeldige-invoer")
    unknown = client.get(f"{REGISTRATIONS}/bestaat-niet/history")
    assert_problem(unknown, 404, "niet-gevonden")


def test_evaluating_on_another_date_changes_the_verdict_but_stores_nothing(
    client: TestClient,
) -> None:
    url = f"{REGISTRATIONS}/rvig-rni-azure"
    before = client.get(f"{url}/decisions").json()["items"]
    today = client.post(f"{url}/evaluate", params={"as_of": TODAY.isoformat()})
    assert today.status_code == 200
    assert today.json() == client.get(url).json()["decision"]
    later = client.post(f"{url}/evaluate", params={"as_of": "2032-01-02"}).json()
    assert later["as_of"] == "2032-01-02"
    assert later["verdict"] == "not-allowed"  # the transition deadline 2032-01-01 has passed
    assert later["deadline"] is None
    assert client.get(f"{url}/decisions").json()["items"] == before
    assert client.get(url).json()["decision"]["verdict"] == "transition"
    bad = assert_problem(
        client.post(f"{url}/evaluate", params={"as_of": "morgen"}), 422, "ongeldige-invoer"
    )
    assert bad["errors"][0]["message"].endswith("schrijf de datum als JJJJ-MM-DD")
    assert_problem(client.post(f"{REGISTRATIONS}/weg/evaluate"), 404, "niet-gevonden")
