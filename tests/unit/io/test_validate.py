"""The one validation path: every problem at once, in Dutch, with its place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloudtoets.io.read import read_inventory
from cloudtoets.io.validate import validate_document
from cloudtoets.problems import InputError

GOOD = {
    "organisations": [{"id": "bzk", "type": "ministry"}],
    "providers": [{"id": "eigen-saas", "country": "nl", "parent": "amazon"}],
    "registrations": [
        {
            "id": "r1",
            "organisation": "bzk",
            "provider": "eigen-saas",
            "deployment": "public",
            "storage_countries": ["nl", "De"],
        }
    ],
}


def problems(document: object) -> list[str]:
    with pytest.raises(InputError) as caught:
        validate_document(document, "test.yaml")  # type: ignore[arg-type]
    return [str(p) for p in caught.value.problems]


def test_valid_document_leaves_facts_unknown_and_upper_cases_countries() -> None:
    checked = validate_document(GOOD, "test.yaml")
    registration = checked.inventory.registrations[0]
    assert registration.storage_countries == ["NL", "DE"]
    assert registration.key_custody is None  # left out: unknown, not "provider"
    assert registration.personal_data is None
    assert registration.abro_declaration is False  # evidence keeps its default
    assert checked.inventory.providers[0].country == "NL"
    assert [p.country for p in checked.providers.chain("eigen-saas")] == ["NL", "US"]


def test_json_bytes_and_parsed_document_give_the_same_inventory() -> None:
    from_bytes = validate_document(json.dumps(GOOD).encode(), "test.json")
    from_dict = validate_document(GOOD, "test.json")
    assert from_bytes.inventory == from_dict.inventory


def test_every_bad_record_is_reported_at_once() -> None:
    document = {
        "organisations": [{"id": "bzk", "type": "ministerie"}],
        "registrations": [
            {"id": "a", "organisation": "bzk", "deployment": "publiek", "provider": "aws-emea"},
            {
                "id": "b",
                "organisation": "bzk",
                "deployment": "public",
                "provider": "aws-emea",
                "tbb_level": 7,
                "in_use_since": "2026-02-30",
            },
            {
                "id": "c",
                "organisation": "bzk",
                "deployment": "public",
                "provider": "aws-emea",
                "functions": ["mail"],
                "pets": ["magic"],
                "kleur": "blauw",
            },
        ],
    }
    found = problems(document)
    text = "\n".join(found)
    assert "organisaties nr. 1 (id bzk), veld type" in text and "ministerie" in text
    assert "registraties nr. 1 (id a), veld deployment" in text and "publiek" in text
    assert "registraties nr. 2 (id b), veld tbb_level" in text
    assert "registraties nr. 2 (id b), veld in_use_since" in text and "JJJJ-MM-DD" in text
    assert "registraties nr. 3 (id c), veld functions.0" in text
    assert "registraties nr. 3 (id c), veld pets.0" in text
    assert "registraties nr. 3 (id c), veld kleur" in text and "onbekend veld" in text


def test_unknown_provider_and_organisation_are_named() -> None:
    document = {
        "registrations": [
            {"id": "a", "organisation": "onbekend", "deployment": "public", "provider": "nimbus"},
            {
                "id": "b",
                "organisation": "bzk",
                "deployment": "public",
                "provider": "aws-emea",
                "subprocessors": ["wolk"],
            },
        ]
    }
    text = "\n".join(problems(document))
    assert "onbekende organisatie 'onbekend'" in text
    assert "onbekende leverancier 'nimbus'" in text
    assert "onbekende leverancier 'wolk'" in text and "subprocessors" in text


def test_builtin_organisations_need_not_be_listed() -> None:
    document = {
        "registrations": [{"id": "a", "organisation": "bzk", "deployment": "private-internal"}]
    }
    assert validate_document(document, "x.yaml").organisations["bzk"].type == "ministry"


def test_duplicate_ids_are_reported_with_the_first_place() -> None:
    document = {
        "registrations": [
            {"id": "a", "organisation": "bzk", "deployment": "private-internal"},
            {"id": "a", "organisation": "bzk", "deployment": "private-internal"},
        ]
    }
    assert any("komt al voor bij registraties nr. 1" in p for p in problems(document))


def test_provider_parent_cycle_is_an_input_error() -> None:
    document = {
        "providers": [
            {"id": "x", "country": "NL", "parent": "y"},
            {"id": "y", "country": "NL", "parent": "x"},
        ],
        "registrations": [
            {"id": "a", "organisation": "bzk", "deployment": "public", "provider": "x"}
        ],
    }
    assert any("kring" in p for p in problems(document))


def test_unknown_country_code_and_unknown_provider() -> None:
    document = {
        "registrations": [
            {
                "id": "a",
                "organisation": "bzk",
                "deployment": "public",
                "provider": "aws-emea",
                "storage_countries": ["NL", "EU"],
            },
            {"id": "b", "organisation": "bzk", "deployment": "public"},
        ]
    }
    text = "\n".join(problems(document))
    assert "onbekende landcode 'EU'" in text
    assert "id b" not in text  # a provider left out is unknown, not an error (unknowns.md)


def test_a_document_provider_overrides_the_catalogue() -> None:
    document = {
        "providers": [{"id": "aws-emea", "country": "LU", "parent": None}],
        "registrations": [
            {"id": "a", "organisation": "bzk", "deployment": "public", "provider": "aws-emea"}
        ],
    }
    checked = validate_document(document, "x.yaml")
    assert [p.country for p in checked.providers.chain("aws-emea")] == ["LU"]


def test_yaml_reads_norway_as_a_country(tmp_path: Path) -> None:
    path = tmp_path / "inv.yaml"
    path.write_text(
        "registrations:\n"
        "  - {id: a, organisation: bzk, deployment: public, provider: aws-emea,"
        " storage_countries: [NO, no], in_use_since: 2024-01-31}\n",
        encoding="utf-8",
    )
    registration = read_inventory(path).inventory.registrations[0]
    assert registration.storage_countries == ["NO", "NO"]
    assert (
        registration.in_use_since is not None
        and registration.in_use_since.isoformat() == "2024-01-31"
    )


def test_malformed_json_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "inv.json"
    path.write_text('{"registrations": [', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_inventory(path)
    assert "JSON" in caught.value.render()


def test_missing_file_and_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="bestaat niet"):
        read_inventory(tmp_path / "nergens.yaml")
    other = tmp_path / "inv.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="onbekend bestandsformaat"):
        read_inventory(other)


def test_negative_lead_time_and_unknown_provider_country_are_reported() -> None:
    document = {
        "providers": [{"id": "x", "country": "ZZ"}],
        "registrations": [
            {
                "id": "a",
                "organisation": "bzk",
                "deployment": "public",
                "provider": "x",
                "exit_plan": {"emergency": {"lead_time_days": -5, "preconditions": ["p"]}},
            },
        ],
    }
    text = "\n".join(problems(document))
    assert "leveranciers nr. 1 (id x), veld country" in text and "'ZZ'" in text
    assert "exit_plan.emergency.lead_time_days" in text and "negatief" in text


def test_unknown_parent_of_a_document_provider_is_reported() -> None:
    document = {
        "providers": [{"id": "x", "country": "NL", "parent": "spook"}],
        "registrations": [
            {"id": "a", "organisation": "bzk", "deployment": "public", "provider": "x"}
        ],
    }
    assert any("'spook' als moederbedrijf" in p for p in problems(document))


def test_a_headquarters_is_a_country_code_and_joins_the_chain() -> None:
    document = {
        "providers": [
            {"id": "holding", "country": "ky", "headquarters": "cn"},
            {"id": "eigen-saas", "country": "NL", "parent": "holding", "headquarters": "nl"},
        ],
        "registrations": [
            {"id": "a", "organisation": "bzk", "deployment": "public", "provider": "eigen-saas"}
        ],
    }
    checked = validate_document(document, "test.yaml")
    holding, own = checked.inventory.providers
    assert (holding.country, holding.headquarters) == ("KY", "CN")
    # the same country as the registered office says nothing more
    assert (own.country, own.headquarters) == ("NL", None)
    chain = checked.providers.chain("eigen-saas")
    assert [c for p in chain for c in p.countries] == ["NL", "KY", "CN"]


def test_an_unknown_headquarters_is_reported_in_every_format() -> None:
    document = {
        "providers": [{"id": "x", "country": "NL", "headquarters": "China"}],
        "registrations": [
            {"id": "a", "organisation": "bzk", "deployment": "public", "provider": "x"}
        ],
    }
    for form in (document, json.dumps(document).encode()):
        text = "\n".join(problems(form))
        assert "leveranciers nr. 1" in text and "veld headquarters" in text and "'China'" in text


@pytest.mark.parametrize("as_bytes", [True, False])
def test_country_lists_are_normalised_in_every_registration(as_bytes: bool) -> None:
    # the look at all codes at once must not skip the one registration that needs a change
    registrations = [
        {"id": f"r{n}", "organisation": "bzk", "storage_countries": ["NL"]} for n in range(5)
    ]
    registrations[3]["processing_countries"] = ["de"]
    registrations[4]["storage_countries"] = []
    document = {
        "organisations": [{"id": "bzk", "type": "ministry"}],
        "registrations": registrations,
    }
    data = json.dumps(document).encode() if as_bytes else document
    found = validate_document(data, "test.json").inventory.registrations
    assert found[3].processing_countries == ["DE"]
    assert found[4].storage_countries is None  # no countries is not known where
    assert [r.storage_countries for r in found[:4]] == [["NL"]] * 4
    upper_only = dict(document, registrations=registrations[:3] + registrations[4:])
    data = json.dumps(upper_only).encode() if as_bytes else upper_only
    found = validate_document(data, "test.json").inventory.registrations
    assert found[-1].storage_countries is None
