"""A policy file with many problems of different kinds reports every one of them at once, each
with its place, in Dutch: never pydantic's English."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudtoets.policy.loader import load_policy, load_policy_document
from cloudtoets.problems import InputError

ENGLISH = ("Input should", "Field required", "Extra inputs", "String should", "Value error")

MANY = """\
id: veel-fouten
extends: rijksbreed-cloudbeleid-2026
title: Test
version: '1'
status: concept
source: test
onbekende_sleutel: 1
parameters:
  allowed_countries: {add: [XX]}
  scope_by_org_type: {add: {ministry: [mandatory]}}
rules:
  - id: test.een
    section: 4
    basis: letter
    severity: streng
    transition: {period: eeuwig}
    finding_when: {field: opslag, op: is-set}
    text: {title: t, problem: "Land {land}", action: a}
  - id: test.een
    section: "4"
    basis: letter
    severity: forbidden
    transition: none
    finding_when: {field: open_data}
    text: {title: t, problem: p, action: a}
  - id: Test_Twee
    basis: [letter]
    severity: forbidden
    transition: altijd
    finding_when: {fact: public_cloud, op: buiten}
    text: {title: t, problem: p, action: a}
"""


def problems_of(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "veel-fouten.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_policy(path)
    assert caught.value.source == str(path)
    return [str(p) for p in caught.value.problems]


def test_every_kind_of_problem_is_reported_at_once(tmp_path: Path) -> None:
    found = problems_of(MANY, tmp_path)
    expected = [
        "onbekende_sleutel: onbekend veld",  # unknown key
        "parameters.allowed_countries: onbekende landcode(s) XX",  # parameter
        # schema; the id occurs twice, so each copy is named with its place
        "regel test.een (de 1e keer, positie 1) severity: onbekende waarde 'streng'",
        "regel test.een (de 1e keer, positie 1) section: 4 is geen tekst",  # a number for text
        "regel test.een (de 2e keer, positie 2): staat er 2 keer in",  # duplicate id
        "regel test.een transition.period: onbekende overgangstermijn 'eeuwig'",  # period
        "regel test.een text.problem: onbekende plek {land}",  # placeholder
        "regel test.een finding_when: onbekend veld 'opslag'",  # condition
        "regel Test_Twee id: 'Test_Twee' heeft niet de goede vorm",
        "regel Test_Twee section: dit veld is verplicht",
        "regel Test_Twee basis: hier hoort een tekst, geen lijst of object",
        "regel Test_Twee transition: schrijf none, of een object",
        "regel Test_Twee finding_when: operator 'buiten' past niet bij 'public_cloud'",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in found), (start, found)


def test_a_list_where_one_value_belongs_is_said_plainly(tmp_path: Path) -> None:
    found = " | ".join(problems_of(MANY, tmp_path))
    assert "parameters.scope_by_org_type.ministry: hier hoort één waarde, geen lijst" in found
    assert "onbekende waarde deze waarde" not in found


def test_a_parameter_problem_is_not_repeated_by_the_conditions_that_read_it(
    tmp_path: Path,
) -> None:
    found = problems_of(MANY, tmp_path)
    assert [p for p in found if "XX" in p] == [
        "parameters.allowed_countries: onbekende landcode(s) XX; gebruik ISO 3166-1 alpha-2"
    ]


@pytest.mark.parametrize(
    "text",
    [
        MANY,
        "id: x\ntitle: 1\nrules: []\nparameters: {adopted: gisteren, transition_periods: {}}\n",
        "id: x\nrules: [{id: a.b, text: 3, transition: {period: 1, extensions: misschien}}]\n",
        "id: x\nexamples: [{name: '', expect: {verdict: prima}, as_of: morgen}]\n",
    ],
    ids=["many", "parameters", "rule", "example"],
)
def test_no_english_from_pydantic_leaks(tmp_path: Path, text: str) -> None:
    found = problems_of(text, tmp_path)
    assert found
    assert not [p for p in found if any(phrase in p for phrase in ENGLISH)]


def test_an_upload_reports_every_problem_too() -> None:
    with pytest.raises(InputError) as caught:
        load_policy_document("veel-fouten.yaml", MANY.encode())
    rendered = caught.value.render()
    assert rendered.startswith("veel-fouten.yaml: ")
    assert (
        "onbekende overgangstermijn 'eeuwig'" in rendered and "onbekend veld 'opslag'" in rendered
    )
    assert not any(phrase in rendered for phrase in ENGLISH)
