"""Organisations with their verdict counts, and providers with their ownership chains."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cloudtoets.catalogue import catalogue_entries

from .conftest import API, assert_problem


def test_organisations_come_with_their_registrations_per_verdict(client: TestClient) -> None:
    body = client.get(f"{API}/organisations").json()
    assert body["total"] == 4
    by_id = {o["id"]: o for o in body["items"]}
    assert list(by_id) == ["bzk", "logius", "rvig", "ssc-ict"]
    assert {o: by_id[o]["registrations"] for o in by_id} == {
        "bzk": 20,
        "logius": 4,
        "rvig": 3,
        "ssc-ict": 5,
    }
    for organisation in by_id.values():
        assert sum(organisation["by_verdict"].values()) == organisation["registrations"]
        listed = client.get(
            f"{API}/registrations", params={"organisation": organisation["id"], "page_size": 500}
        ).json()["items"]
        counted: dict[str, int] = {}
        for item in listed:
            counted[item["verdict"]] = counted.get(item["verdict"], 0) + 1
        assert organisation["by_verdict"] == counted
    logius = client.get(f"{API}/organisations/logius").json()
    assert logius == by_id["logius"]
    assert logius["type"] == "agency" and logius["essential_entity"] is True


def test_an_unknown_organisation_is_404(client: TestClient) -> None:
    assert_problem(client.get(f"{API}/organisations/nergens"), 404, "niet-gevonden")


def test_providers_are_the_catalogue_with_chains_and_the_organisations_own(
    client: TestClient,
) -> None:
    body = client.get(f"{API}/providers").json()
    items = body["items"]
    assert body["total"] == len(items) == len(catalogue_entries()) + 1
    catalogue = {p["id"]: p for p in items if p["source"] == "catalogue"}
    assert set(catalogue) == {e.id for e in catalogue_entries()}
    microsoft = catalogue["microsoft-ireland"]
    assert microsoft["chain"][0] == "microsoft-ireland" and len(microsoft["chain"]) >= 2
    assert "US" in microsoft["jurisdictions"] and "US" in microsoft["outside_eea"]
    assert microsoft["reference"].startswith("http")
    assert microsoft["headquarters"] is None
    # registered in the Cayman Islands, run from China: both in the chain
    assert catalogue["alibaba-group"]["country"] == "KY"
    assert catalogue["alibaba-group"]["headquarters"] == "CN"
    assert catalogue["alibaba-cloud-nl"]["jurisdictions"] == ["CN", "KY", "NL"]
    assert catalogue["alibaba-cloud-nl"]["outside_eea"] == ["CN", "KY"]
    (own,) = [p for p in items if p["source"] != "catalogue"]
    assert own["id"] == "visma-raet" and own["source"] == "bzk"
    assert own["chain"][:2] == ["visma-raet", "visma"]
    assert own["outside_eea"] == ["GB"]

    assert client.get(f"{API}/providers/microsoft-ireland").json() == microsoft
    assert client.get(f"{API}/providers/visma-raet").json() == own
    seen_by_bzk = client.get(f"{API}/providers/visma-raet", params={"organisation": "bzk"})
    assert seen_by_bzk.json() == own
    assert_problem(
        client.get(f"{API}/providers/visma-raet", params={"organisation": "logius"}),
        404,
        "niet-gevonden",
    )
    assert_problem(client.get(f"{API}/providers/onbekend"), 404, "niet-gevonden")
