"""What is not known stays unknown in every inventory format (unknowns.md).

Reading: absent, null, an empty cell and ``onbekend``/``unknown`` leave a fact unknown; ``geen``
/``none`` is a known nothing where a fact has one and an input error elsewhere. Writing: an
inventory written in any format reads back to the same knowledge.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from cloudtoets.domain.knowledge import LEGACY_DEFAULTS, REGISTRATION_FACTS
from cloudtoets.domain.model import Inventory, Organisation, Provider, Registration
from cloudtoets.domain.vocabulary import (
    Classification,
    Deployment,
    KeyCustody,
    KeyRegister,
    OrganisationType,
    PersonalData,
    PrivacyTechnique,
    ServiceFunction,
    ServiceModel,
)
from cloudtoets.io.legacy import fill_document
from cloudtoets.io.read import read_inventory
from cloudtoets.io.validate import validate_document
from cloudtoets.io.write import write_inventory
from cloudtoets.problems import InputError

ORGANISATION = {"id": "minx", "type": "ministry"}


def registration(**facts: Any) -> dict[str, Any]:
    return {"id": "r1", "organisation": "minx", **facts}


def read(document: dict[str, Any]) -> Registration:
    document = {"organisations": [ORGANISATION], **document}
    return validate_document(document, "test.yaml").inventory.registrations[0]


def problems(document: object, source: str = "test.yaml") -> list[str]:
    with pytest.raises(InputError) as caught:
        if isinstance(document, bytes):
            validate_document(document, source)
        else:
            validate_document(document, source)  # type: ignore[arg-type]
    return [str(p) for p in caught.value.problems]


# ---------------------------------------------------------------------------------------------
# Reading the words


@pytest.mark.parametrize(
    ("key", "written", "known"),
    [
        ("encrypted_at_rest", "onbekend", None),
        ("encrypted_at_rest", " Unknown ", None),
        ("encrypted_at_rest", None, None),  # null
        ("encrypted_at_rest", False, False),
        ("deployment", "ONBEKEND", None),
        ("provider", "onbekend", None),
        ("in_use_since", "unknown", None),
        ("classification", "geen", "none"),
        ("classification", "None", "none"),
        ("classification", "onbekend", None),
        ("tbb_level", "geen", "none"),
        ("tbb_level", 3, 3),
        ("key_register", "Geen", "none"),
        ("personal_data", "geen", "none"),
        ("subprocessors", "geen", []),
        ("subprocessors", [], []),
        ("subprocessors", ["onbekend"], None),
        ("pets", ["geen"], []),
        ("functions", "none", []),
        ("functions", "onbekend", None),
        ("storage_countries", [], None),  # data is always somewhere
        ("storage_countries", "geen", None),
        ("processing_countries", "onbekend", None),
        # a list of one word, also where the JSON is read in one pass (validate._hides_words)
        ("storage_countries", [" Onbekend "], None),
        ("subprocessors", ["GEEN"], []),
        ("provider", "onbekend", None),
    ],
)
def test_words_and_nulls_give_unknown_or_a_known_nothing(
    key: str, written: object, known: object
) -> None:
    read_back = read({"registrations": [registration(**{key: written})]})
    assert getattr(read_back, key) == known
    as_json = json.dumps(
        {"organisations": [ORGANISATION], "registrations": [registration(**{key: written})]}
    ).encode()
    from_bytes = validate_document(as_json, "test.json").inventory.registrations[0]
    assert getattr(from_bytes, key) == known


def test_left_out_facts_are_unknown_and_evidence_keeps_its_default() -> None:
    read_back = read({"registrations": [registration()]})
    assert all(getattr(read_back, key) is None for key in REGISTRATION_FACTS)
    assert read_back.abro_declaration is False and read_back.justifications == []
    assert read_back.risk_assessment is None


def test_organisation_facts_take_the_words_too() -> None:
    document = {
        "organisations": [
            {**ORGANISATION, "critical_entity": "onbekend", "essential_entity": True}
        ],
        "registrations": [],
    }
    (organisation,) = validate_document(document, "test.yaml").inventory.organisations
    assert organisation.critical_entity is None
    assert organisation.essential_entity is True
    assert organisation.vital_provider is None


def test_no_provider_for_private_internal_may_be_written_as_geen() -> None:
    read_back = read(
        {"registrations": [registration(deployment="private-internal", provider="geen")]}
    )
    assert read_back.provider is None and read_back.deployment == "private-internal"


def test_a_provider_left_out_is_unknown_not_an_error() -> None:
    read_back = read({"registrations": [registration(deployment="public")]})
    assert read_back.provider is None


def test_misplaced_and_wrong_words_are_input_errors_all_at_once() -> None:
    document = {
        "organisations": [{**ORGANISATION, "vital_provider": "geen"}],
        "registrations": [
            registration(
                encrypted_at_rest="geen",
                in_use_since="geen",
                deployment="geen",
                core_task="misschien",
            ),
            {
                "id": "r2",
                "organisation": "minx",
                "deployment": "public",
                "provider": "geen",
                "key_custody": "niemand",
            },
        ],
    }
    found = problems(document)
    assert len(found) == 7
    text = "\n".join(found)
    assert (
        "organisaties nr. 1 (id minx), veld vital_provider: 'geen' kan hier niet, want dit is "
        "een vraag zonder 'geen'; kies ja (true) of nee (false), of onbekend als u het niet weet"
    ) in text
    assert "registraties nr. 1 (id r1), veld in_use_since: 'geen' kan hier niet" in text
    assert "vul een datum in als JJJJ-MM-DD" in text
    assert "veld deployment: 'geen' kan hier niet" in text and "kies uit public, hybrid" in text
    assert (
        "registraties nr. 1 (id r1), veld core_task: 'misschien' is geen ja/nee-waarde; "
        "gebruik true of false; weet u het niet, vul dan onbekend in"
    ) in text
    assert (
        "registraties nr. 2 (id r2), veld provider: 'geen' als leverancier kan alleen bij "
        "inzetmodel private-internal"
    ) in text
    assert "registraties nr. 2 (id r2), veld key_custody: onbekende waarde 'niemand'" in text


def test_the_json_fast_path_reports_the_same_problems() -> None:
    document = {
        "organisations": [ORGANISATION],
        "registrations": [registration(encrypted_at_rest="geen", core_task="misschien")],
    }
    assert problems(json.dumps(document).encode(), "test.json") == problems(document, "test.json")


@pytest.mark.parametrize(
    ("record", "where", "message"),
    [
        (
            {"id": None, "organisation": "minx"},
            "registraties nr. 1, veld id",
            "dit veld is verplicht en mag niet leeg (null) zijn; vul het in",
        ),
        (
            {"id": "r1", "organisation": None},
            "registraties nr. 1 (id r1), veld organisation",
            "dit veld is verplicht en mag niet leeg (null) zijn; vul het in",
        ),
        (
            {"id": "r1", "organisation": "minx", "abro_declaration": None},
            "registraties nr. 1 (id r1), veld abro_declaration",
            "hier mag geen null staan; vul een waarde in of laat het veld weg",
        ),
    ],
)
def test_null_where_there_is_no_unknown_is_an_error(
    record: dict[str, Any], where: str, message: str
) -> None:
    assert problems({"organisations": [ORGANISATION], "registrations": [record]}) == [
        f"{where}: {message}"
    ]


def test_null_organisation_type_and_provider_country_are_errors() -> None:
    document = {
        "organisations": [{"id": "minx", "type": None}],
        "providers": [{"id": "p", "country": None}],
        "registrations": [],
    }
    assert problems(document) == [
        "organisaties nr. 1 (id minx), veld type: "
        "dit veld is verplicht en mag niet leeg (null) zijn; vul het in",
        "leveranciers nr. 1 (id p), veld country: "
        "dit veld is verplicht en mag niet leeg (null) zijn; vul het in",
    ]


# ---------------------------------------------------------------------------------------------
# Spreadsheets: empty cells, onbekend and geen


HEADER = [
    "id",
    "organisation",
    "deployment",
    "provider",
    "encrypted_at_rest",
    "classification",
    "tbb_level",
    "pets",
    "storage_countries",
    "in_use_since",
]
ROWS = [
    ["a", "minx", "public", "aws-emea", "onbekend", "geen", "geen", "geen", "NL, DE", None],
    ["b", "minx", "ONBEKEND", "", "", "Onbekend", 2, "onbekend", "onbekend", "onbekend"],
    ["c", "minx", "private-internal", "geen", "nee", "none", "", "", "", "2020-01-01"],
]


def _expect(registrations: list[Registration]) -> None:
    a, b, c = registrations
    assert (a.encrypted_at_rest, a.classification, a.tbb_level, a.pets) == (
        None,
        "none",
        "none",
        [],
    )
    assert a.storage_countries == ["NL", "DE"] and a.in_use_since is None
    assert (b.deployment, b.provider, b.encrypted_at_rest, b.classification) == (None,) * 4
    assert (b.tbb_level, b.pets, b.storage_countries, b.in_use_since) == (2, None, None, None)
    assert (c.provider, c.encrypted_at_rest, c.classification, c.tbb_level) == (
        None,
        False,
        "none",
        None,
    )


def test_workbook_cells_with_words_and_empty_cells(tmp_path: Path) -> None:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    sheet = book.create_sheet("organisations")
    sheet.append(["id", "type", "critical_entity", "essential_entity"])
    sheet.append(["minx", "ministry", "onbekend", "nee"])
    sheet = book.create_sheet("registrations")
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    path = tmp_path / "woorden.xlsx"
    book.save(path)
    inventory = read_inventory(path).inventory
    _expect(inventory.registrations)
    assert (
        inventory.organisations[0].critical_entity,
        inventory.organisations[0].essential_entity,
    ) == (
        None,
        False,
    )


def test_csv_cells_with_words_and_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "woorden.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(
            [HEADER, *[["" if v is None else v for v in row] for row in ROWS]]
        )
    side = tmp_path / "organisaties.yaml"
    side.write_text("organisations: [{id: minx, type: ministry}]\n", encoding="utf-8")
    _expect(read_inventory(path, organisations_file=side).inventory.registrations)


def test_a_wrong_word_in_a_workbook_names_sheet_row_and_column(tmp_path: Path) -> None:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    sheet = book.create_sheet("registrations")
    sheet.append(["id", "organisation", "encrypted_at_rest", "in_use_since"])
    sheet.append(["a", "bzk", "geen", "weet niet"])
    path = tmp_path / "fout.xlsx"
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_inventory(path)
    found = [str(p) for p in caught.value.problems]
    assert found == [
        "blad registrations, rij 2, kolom Versleuteld bij opslag (encrypted_at_rest): 'geen' kan "
        "hier niet, want dit is een vraag zonder 'geen'; kies ja (true) of nee (false), of "
        "onbekend als u het niet weet",
        "blad registrations, rij 2, kolom In gebruik sinds (in_use_since): 'weet niet' is geen "
        "geldige datum; schrijf de datum als JJJJ-MM-DD; weet u het niet, vul dan onbekend in",
    ]


# ---------------------------------------------------------------------------------------------
# Writing: every format reads back to the same knowledge


def _maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), values)


def _subset(items: list[Any], *, min_size: int = 0) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.sampled_from(items), unique=True, min_size=min_size, max_size=3)


BOOL = _maybe(st.booleans())


@st.composite
def registrations(draw: st.DrawFn, number: int) -> Registration:
    deployment = draw(_maybe(st.sampled_from(list(Deployment))))
    provider = draw(_maybe(st.sampled_from(["aws-emea", "microsoft-ireland", "leaseweb"])))
    return Registration(
        id=f"r{number}",
        organisation="minx",
        deployment=deployment,
        provider=provider,
        subprocessors=draw(_maybe(_subset(["amazon", "google-cloud-emea"]))),
        service_model=draw(_maybe(st.sampled_from(list(ServiceModel)))),
        functions=draw(_maybe(_subset(list(ServiceFunction)))),
        storage_countries=draw(_maybe(_subset(["NL", "DE", "US"], min_size=1))),
        processing_countries=draw(_maybe(_subset(["NL", "IE"], min_size=1))),
        encrypted_at_rest=draw(BOOL),
        encrypted_in_transit=draw(BOOL),
        key_custody=draw(_maybe(st.sampled_from(list(KeyCustody)))),
        open_data=draw(BOOL),
        classification=draw(_maybe(st.sampled_from(list(Classification)))),
        tbb_level=draw(_maybe(st.sampled_from([1, 2, 3, 4, "none"]))),
        personal_data=draw(_maybe(st.sampled_from(list(PersonalData)))),
        large_scale_personal_data=draw(BOOL),
        pets=draw(_maybe(_subset(list(PrivacyTechnique)))),
        core_task=draw(BOOL),
        business_critical=draw(BOOL),
        material=draw(BOOL),
        key_register=draw(_maybe(st.sampled_from(list(KeyRegister)))),
        holds_source_data=draw(BOOL),
        in_use_since=draw(_maybe(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))),
    )


@st.composite
def inventories(draw: st.DrawFn) -> Inventory:
    organisation = Organisation(
        id="minx",
        type=OrganisationType.MINISTRY,
        critical_entity=draw(BOOL),
        essential_entity=draw(BOOL),
        vital_provider=draw(BOOL),
    )
    count = draw(st.integers(1, 3))
    return Inventory(
        organisations=[organisation],
        providers=[Provider(id="eigen", country="NL")],
        registrations=[draw(registrations(number)) for number in range(count)],
    )


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".xlsx", ".csv"])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(inventory=inventories())
def test_every_format_reads_back_the_same_knowledge(
    suffix: str, inventory: Inventory, tmp_path: Path
) -> None:
    path = tmp_path / f"inventaris{suffix}"
    write_inventory(inventory, path)
    if suffix == ".csv":  # registrations only: organisations and providers come from a side file
        side = tmp_path / "organisaties.json"
        write_inventory(Inventory(organisations=inventory.organisations), side)
        read_back = read_inventory(path, organisations_file=side).inventory
        assert read_back.registrations == inventory.registrations
    else:
        assert read_inventory(path).inventory == inventory


def test_a_known_nothing_is_written_as_geen_in_spreadsheets(tmp_path: Path) -> None:
    inventory = Inventory(
        organisations=[Organisation(id="minx", type=OrganisationType.MINISTRY)],
        registrations=[
            Registration(
                id="r1",
                organisation="minx",
                subprocessors=[],
                pets=[],
                classification=Classification.NONE,
                tbb_level="none",
                key_register=KeyRegister.NONE,
                encrypted_at_rest=False,
            )
        ],
    )
    path = tmp_path / "r.csv"
    write_inventory(inventory, path)
    row = next(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    assert [row[k] for k in ("subprocessors", "pets", "classification", "tbb_level")] == [
        "geen"
    ] * 4
    assert (row["key_register"], row["encrypted_at_rest"], row["open_data"]) == (
        "geen",
        "false",
        "",
    )


# ---------------------------------------------------------------------------------------------
# The old defaults


def test_fill_document_writes_out_the_old_defaults_and_leaves_onbekend() -> None:
    document = {
        "organisations": [{"id": "minx", "type": "ministry", "critical_entity": True}],
        "registrations": [
            registration(encrypted_at_rest="onbekend", classification=None),
            {"id": "r2", "organisation": "bzk", "in_use_since": "2020-01-01"},
        ],
    }
    filled, report = fill_document(document)
    first = filled["registrations"][0]
    assert first["encrypted_at_rest"] == "onbekend"  # said on purpose: stays unknown
    assert first["classification"] == "none"  # null: the old default
    assert {k: first[k] for k in LEGACY_DEFAULTS if k != "encrypted_at_rest"} == {
        k: v for k, v in LEGACY_DEFAULTS.items() if k != "encrypted_at_rest"
    }
    assert "in_use_since" not in first  # had no default
    organisations = {o["id"]: o for o in filled["organisations"]}
    assert organisations["minx"]["critical_entity"] is True
    assert organisations["minx"]["essential_entity"] is False
    assert organisations["bzk"]["vital_provider"] is False  # added from the catalogue
    assert report.added_organisations == ["bzk"]
    assert report.without_start == ["r1"]
    assert document["registrations"][0].get("key_custody") is None  # the input is not changed
