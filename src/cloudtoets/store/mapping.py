"""Between domain objects and rows: JSON-ready values in, validated dataclasses out.

An unknown fact is None in the domain and NULL in its column, both ways. The one value that is
stored differently is the known "no TBB level": the code ``none`` is 0 in the integer column
``tbb_level`` (migration 0010), as NULL is unknown there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import TypeAdapter

from cloudtoets.domain.knowledge import NONE_CODE
from cloudtoets.domain.model import Organisation, Provider, Registration
from cloudtoets.domain.serialise import jsonable
from cloudtoets.store.tables import OrganisationRow, ProviderRow, RegistrationRow

REGISTRATION_FIELDS = tuple(f.name for f in dataclasses.fields(Registration))
# the same fields as columns of the registrations table, in that order
REGISTRATION_COLUMNS = tuple(
    "organisation_id" if name == "organisation" else name for name in REGISTRATION_FIELDS
)
_REGISTRATION = TypeAdapter(Registration)
_REGISTRATIONS = TypeAdapter(list[Registration])
NO_TBB_LEVEL = 0  # the column value of tbb_level "none" (known: no TBB level)


def registration_values(
    registration: Registration, as_json: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Column values of a registration (top-level dates stay dates for Date columns).

    ``as_json``: ``jsonable(registration)`` when the caller made it already (an import needs
    it for the decision record too). The values share its lists and dicts: change neither.
    """
    data = jsonable(registration) if as_json is None else as_json  # one pass in C
    values: dict[str, Any] = {}
    for name in REGISTRATION_FIELDS:
        value = getattr(registration, name)
        values[name] = value if isinstance(value, dt.date) else data[name]
    values["organisation_id"] = values.pop("organisation")
    if values["tbb_level"] == NONE_CODE:
        values["tbb_level"] = NO_TBB_LEVEL
    return values


def registration_from_row(row: RegistrationRow) -> Registration:
    data = {name: getattr(row, name) for name in REGISTRATION_FIELDS if name != "organisation"}
    data["organisation"] = row.organisation_id
    if data["tbb_level"] == NO_TBB_LEVEL:
        data["tbb_level"] = NONE_CODE
    return _REGISTRATION.validate_python(data)


def registrations_from_records(records: Iterable[Sequence[Any]]) -> list[Registration]:
    """Registrations from rows of ``REGISTRATION_COLUMNS``, validated as one list (the same
    result as ``registration_from_row`` per row)."""
    names = REGISTRATION_FIELDS
    data = []
    for record in records:
        values = dict(zip(names, record, strict=True))
        if values["tbb_level"] == NO_TBB_LEVEL:
            values["tbb_level"] = NONE_CODE
        data.append(values)
    return _REGISTRATIONS.validate_python(data)


def organisation_from_row(row: OrganisationRow) -> Organisation:
    return Organisation(
        id=row.id,
        name=row.name,
        type=row.type,  # type: ignore[arg-type]  # validated on the way in
        critical_entity=row.critical_entity,
        essential_entity=row.essential_entity,
        vital_provider=row.vital_provider,
    )


def organisation_values(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": organisation.id,
        "name": organisation.name,
        "type": str(organisation.type),
        "critical_entity": organisation.critical_entity,
        "essential_entity": organisation.essential_entity,
        "vital_provider": organisation.vital_provider,
    }


def provider_from_row(row: ProviderRow) -> Provider:
    return Provider(
        id=row.id,
        name=row.name,
        country=row.country,
        parent=row.parent,
        headquarters=row.headquarters,
        subprocessors=list(row.subprocessors or []),
    )


def provider_values(provider: Provider, organisation_id: str) -> dict[str, Any]:
    return {
        "id": provider.id,
        "organisation_id": organisation_id,
        "name": provider.name,
        "country": provider.country,
        "parent": provider.parent,
        "headquarters": provider.headquarters,
        "subprocessors": list(provider.subprocessors),
    }
