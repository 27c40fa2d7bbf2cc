"""Reading the registration form: Onbekend is None, a known nothing is "none" or [], and a list
fact's choice (Onbekend / Geen / Deze) agrees with what was ticked or typed (unknowns.md)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.datastructures import FormData, UploadFile

from cloudtoets.domain.knowledge import LIST_FACTS, REGISTRATION_FACTS
from cloudtoets.domain.model import Registration
from cloudtoets.domain.vocabulary import Classification
from cloudtoets.web import fields
from cloudtoets.web.forms import (
    empty_values,
    parse_form,
    parse_form_checked,
    values_from_registration,
)


def form(**values: Any) -> FormData:
    pairs: list[tuple[str, str | UploadFile]] = []
    for key, value in values.items():
        name = key.replace("__", "-")
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return FormData(pairs)


BASE = {"id": "bzk-x", "organisation": "bzk"}


def test_onbekend_is_left_out_so_the_fact_is_unknown() -> None:
    _, data = parse_form(
        form(
            **BASE,
            deployment="onbekend",
            encrypted_at_rest="onbekend",
            classification="onbekend",
            tbb_level="onbekend",
            key_custody="onbekend",
        )
    )
    assert data == BASE


def test_yes_no_and_none_codes_are_known() -> None:
    _, data = parse_form(
        form(
            **BASE,
            encrypted_at_rest="false",
            encrypted_in_transit="true",
            classification="none",
            tbb_level="none",
            key_register="none",
            personal_data="none",
        )
    )
    assert data["encrypted_at_rest"] is False  # a known no, not left out
    assert data["encrypted_in_transit"] is True
    assert data["classification"] == data["tbb_level"] == data["key_register"] == "none"
    assert data["personal_data"] == "none"


def test_tbb_level_number_stays_a_number() -> None:
    assert parse_form(form(**BASE, tbb_level="2"))[1]["tbb_level"] == 2


def test_evidence_yes_no_is_not_a_fact() -> None:
    _, data = parse_form(form(**BASE, abro_declaration="false"))
    assert "abro_declaration" not in data  # not recorded, as before


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"subprocessors__keuze": "onbekend"}, None),
        ({}, None),  # no choice at all: unknown
        ({"subprocessors__keuze": "geen"}, []),
        ({"subprocessors__keuze": "deze", "subprocessors": "aws, kpn"}, ["aws", "kpn"]),
        ({"subprocessors__keuze": "onbekend", "subprocessors": "aws"}, ["aws"]),  # typed: known
    ],
)
def test_list_fact_choices(values: dict[str, str], expected: list[str] | None) -> None:
    _, data, problems = parse_form_checked(form(**BASE, **values))
    assert problems == []
    assert data.get("subprocessors") == expected


def test_checkbox_list_none_and_these() -> None:
    _, data, _ = parse_form_checked(
        form(**BASE, functions__keuze="geen", pets__keuze="deze", pets=["pseudonymisation"])
    )
    assert data["functions"] == []
    assert data["pets"] == ["pseudonymisation"]


def test_countries_have_no_known_nothing() -> None:
    _, data, problems = parse_form_checked(form(**BASE, storage_countries__keuze="geen"))
    assert "storage_countries" not in data and problems == []


def test_contradicting_choices_are_problems_at_their_field() -> None:
    values, _, problems = parse_form_checked(
        form(
            **BASE,
            functions__keuze="geen",
            functions=["ai"],
            pets__keuze="deze",
            subprocessors__keuze="deze",
        )
    )
    assert [p.field for p in problems] == ["functions", "subprocessors", "pets"]
    assert "Geen van deze" in problems[0].message
    assert values["functions-keuze"] == "geen" and values["functions"] == ["ai"]


def test_a_new_form_starts_at_onbekend() -> None:
    values = empty_values("bzk")
    for key in REGISTRATION_FACTS:
        spec = fields.FIELDS[key]
        if spec.listed:
            assert values[spec.name + fields.LIST_MODE_SUFFIX] == "onbekend", key
        elif spec.widget in ("yes_no", "radios", "select"):
            assert values[spec.name] == "onbekend", key
        else:
            assert values[spec.name] == "", key
    assert values["abro_declaration"] == "false"  # evidence: not recorded
    assert values["material"] == "afleiden"


def test_a_stored_registration_round_trips_known_and_unknown() -> None:
    registration = Registration(
        id="bzk-x",
        organisation="bzk",
        deployment="public",  # type: ignore[arg-type]
        provider="aws",
        subprocessors=[],
        functions=None,
        encrypted_at_rest=False,
        classification="none",  # type: ignore[arg-type]
        pets=["pseudonymisation"],  # type: ignore[list-item]
    )
    values = values_from_registration(registration)
    assert values["subprocessors-keuze"] == "geen"
    assert values["functions-keuze"] == "onbekend"
    assert values["pets-keuze"] == "deze"
    assert values["encrypted_at_rest"] == "false"
    assert values["encrypted_in_transit"] == "onbekend"
    assert values["classification"] == "none"
    pairs = FormData(
        [(k, x) for k, v in values.items() for x in (v if isinstance(v, list) else [v])]
    )
    _, data = parse_form(pairs)
    assert data["subprocessors"] == [] and "functions" not in data
    assert data["encrypted_at_rest"] is False and "encrypted_in_transit" not in data
    assert data["classification"] == "none" and data["pets"] == ["pseudonymisation"]


def test_every_list_fact_is_a_list_field() -> None:
    assert {f.path for f in fields.FIELDS.values() if f.listed} == set(LIST_FACTS)


def test_shown_values_say_onbekend_and_the_known_nothing() -> None:
    registration = Registration(
        id="x",
        organisation="bzk",
        classification=Classification.NONE,
        subprocessors=[],
    )
    shown = dict(pair for _, items in fields.facts(registration) for pair in items)
    label = {key: fields.FIELDS[key].label for key in REGISTRATION_FACTS}
    assert shown[label["classification"]] == "Ongerubriceerd"
    assert shown[label["subprocessors"]] == "Geen subverwerkers"
    assert shown[label["encrypted_at_rest"]] == "Onbekend"
    assert shown[label["storage_countries"]] == "Onbekend"
    assert shown[label["provider"]] == "Onbekend"
    internal = Registration(id="y", organisation="bzk", deployment="private-internal")  # type: ignore[arg-type]
    shown = dict(pair for _, items in fields.facts(internal) for pair in items)
    assert shown[label["provider"]] == "Geen: eigen beheer"


def test_the_form_asks_and_reads_no_evidence() -> None:
    """Evidence comes only from the workflows (decision 30): no field of the form, and posted
    anyway it is not read. The detail page and the change history still show it."""
    evidence = ("risk_assessment", "exit_plan", "notification", "justifications")
    assert not [p for p in fields.FORM_FIELDS if p.split(".")[0] in evidence]
    assert "risk_assessment.date" in fields.FIELDS
    posted = FormData(
        [
            ("id", "bzk-x"),
            ("organisation", "bzk"),
            ("risk_assessment-date", "2026-01-15"),
            ("risk_assessment-accepted_by", "ikzelf"),
            ("exit_plan-planned-lead_time_days", "180"),
            ("notification-submitted_on", "2026-02-02"),
            ("justifications", "C2000"),
        ]
    )
    values, data = parse_form(posted)
    assert not set(data) & set(evidence)
    assert not [name for name in values if name.split("-")[0] in evidence]
