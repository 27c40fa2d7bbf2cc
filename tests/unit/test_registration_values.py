"""``registration_values`` gives the column values of a field-by-field walk: top-level dates
stay dates, everything else is its JSON form, also when the caller passes that form in."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from cloudtoets.domain.knowledge import NONE_CODE
from cloudtoets.domain.model import Registration
from cloudtoets.domain.serialise import jsonable
from cloudtoets.io.read import read_inventory
from cloudtoets.store.mapping import NO_TBB_LEVEL, registration_values
from tests.unit.domain.test_jsonable import walked
from tests.unit.io.spreadsheet_examples import full_registration

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def field_by_field(registration: Registration) -> dict[str, Any]:
    """The definition: each field on its own, dates as dates."""
    values = {}
    for f in dataclasses.fields(registration):
        value = getattr(registration, f.name)
        values[f.name] = value if isinstance(value, dt.date) else walked(value)
    values["organisation_id"] = values.pop("organisation")
    if values["tbb_level"] == NONE_CODE:
        values["tbb_level"] = NO_TBB_LEVEL
    return values


def registrations() -> list[Registration]:
    found = [
        full_registration(),
        dataclasses.replace(full_registration(), tbb_level=NONE_CODE),
        Registration(id="kaal", organisation="minx"),
    ]
    for path in sorted(EXAMPLES.glob("*.yaml")):
        found += read_inventory(path).inventory.registrations
    return found


def test_the_values_are_the_walk_with_or_without_the_json_form() -> None:
    checked = registrations()
    assert len(checked) > 10
    for registration in checked:
        expected = field_by_field(registration)
        assert registration_values(registration) == expected, registration.id
        as_json = jsonable(registration)
        assert registration_values(registration, as_json) == expected, registration.id


def test_dates_stay_dates_and_the_json_form_is_left_alone() -> None:
    registration = full_registration()
    as_json = jsonable(registration)
    kept = {**as_json}
    values = registration_values(registration, as_json)
    assert values["contract_end"] == dt.date(2028, 12, 31)
    assert values["risk_assessment"]["date"] == "2026-03-01"  # nested: its JSON form
    assert values["tbb_level"] == 3
    assert as_json == kept
