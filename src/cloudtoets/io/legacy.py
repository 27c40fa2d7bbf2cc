"""From the old defaults to explicit values (``cloudtoets convert --fill-defaults``).

Before unknowns.md a fact left out of an inventory took a default: no encryption, ongerubriceerd,
not a core task, not a critical entity. Now it is unknown. An inventory written for the old
defaults gets its old verdicts back when those defaults are written out, and that is all this
does: only absent and null facts are filled (``domain.knowledge.fill_legacy_defaults``); the word
``onbekend`` says on purpose that something is not known and stays.

Organisations from the built-in catalogue that the registrations use are added with the old
defaults too: the catalogue does not say whether an organisation is a critical or essential
entity, and the old format read that as "no".

``in_use_since`` had no default: left out, it meant new use. It stays unknown; the report names
the registrations, so the user can fill in the date.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudtoets.catalogue import catalogue_organisations
from cloudtoets.domain.knowledge import (
    LEGACY_DEFAULTS,
    LEGACY_ORGANISATION_DEFAULTS,
    fill_legacy_defaults,
)


@dataclass(slots=True)
class Filled:
    """What filling the old defaults did, for the user."""

    registrations: int = 0  # records that got at least one value
    organisations: int = 0
    added_organisations: list[str] = field(default_factory=list)  # from the catalogue
    without_start: list[str] = field(default_factory=list)  # ids without in_use_since


def _records(document: Mapping[str, Any], name: str) -> list[Any]:
    records = document.get(name)
    return records if isinstance(records, list) else []


def _fill(records: list[Any], defaults: Mapping[str, Any]) -> tuple[list[Any], int]:
    filled = []
    changed = 0
    for record in records:
        if isinstance(record, Mapping):
            new = fill_legacy_defaults(record, defaults)
            changed += new != record
            record = new
        filled.append(record)
    return filled, changed


def fill_document(document: Mapping[str, Any]) -> tuple[dict[str, Any], Filled]:
    """The document with the old defaults written out, and what was done."""
    report = Filled()
    result = dict(document)
    registrations, report.registrations = _fill(
        _records(document, "registrations"), LEGACY_DEFAULTS
    )
    organisations, report.organisations = _fill(
        _records(document, "organisations"), LEGACY_ORGANISATION_DEFAULTS
    )
    listed = {o.get("id") for o in organisations if isinstance(o, Mapping)}
    used = {r.get("organisation") for r in registrations if isinstance(r, Mapping)}
    for organisation in catalogue_organisations():
        if organisation.id in used and organisation.id not in listed:
            record = {
                key: value.value if hasattr(value, "value") else value
                for key, value in dataclasses.asdict(organisation).items()
                if value is not None
            }
            organisations.append(fill_legacy_defaults(record, LEGACY_ORGANISATION_DEFAULTS))
            report.added_organisations.append(organisation.id)
    report.without_start = [
        str(r.get("id"))
        for r in registrations
        if isinstance(r, Mapping) and r.get("in_use_since") is None
    ]
    result["registrations"] = registrations
    if organisations:
        result["organisations"] = organisations
    return result, report
