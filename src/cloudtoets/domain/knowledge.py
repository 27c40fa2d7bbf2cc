"""What is known about a registration: the fact fields, their questions, the old defaults.

unknowns.md splits the fields in facts (absent = unknown) and evidence (absent = not recorded).
This module names the facts once: the engine asks about them, the inventory readers accept the
unknown and none words for them, and ``convert --fill-defaults`` fills them for users who relied
on the defaults of the format before unknowns.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from cloudtoets.domain.model import Organisation, Registration

# The plain-Dutch question that settles each fact (B1, one question each).
QUESTIONS: Final[Mapping[str, str]] = {
    "deployment": "Welk inzetmodel heeft de dienst: publiek, hybride, community of privaat?",
    "provider": "Welke leverancier levert de dienst?",
    "subprocessors": "Welke subverwerkers gebruikt de leverancier (of geen)?",
    "service_model": "Is de dienst SaaS, PaaS of IaaS?",
    "functions": "Waarvoor wordt de dienst gebruikt, bijvoorbeeld e-mail of documentbeheer?",
    "storage_countries": "In welke landen wordt de data opgeslagen?",
    "processing_countries": "In welke landen wordt de data verwerkt, ook voor beheer en support?",
    "encrypted_at_rest": "Wordt de data bij opslag versleuteld?",
    "encrypted_in_transit": "Wordt de data tijdens transport versleuteld?",
    "key_custody": "Wie beheert de sleutels van de versleuteling?",
    "open_data": "Is alle data in de dienst openbaar?",
    "classification": "Welke rubricering heeft de informatie (of is die ongerubriceerd)?",
    "tbb_level": "Welk TBB-niveau geldt voor de informatie (of geen)?",
    "personal_data": "Verwerkt de dienst persoonsgegevens, en zo ja: ook bijzondere?",
    "large_scale_personal_data": "Verwerkt de dienst persoonsgegevens op grote schaal?",
    "pets": "Welke privacyverhogende technieken (PETs) worden toegepast (of geen)?",
    "core_task": "Ondersteunt de dienst een kerntaak van uw organisatie?",
    "business_critical": "Is de dienst bedrijfskritisch?",
    "key_register": "Bevat de dienst data van een basisregistratie, en zo ja: welke?",
    "holds_source_data": "Staat de brondata van de basisregistratie in deze dienst?",
    "in_use_since": "Sinds wanneer is de dienst in gebruik?",
    "organisation.critical_entity": "Is uw organisatie een kritieke entiteit?",
    "organisation.essential_entity": "Is uw organisatie een essentiële entiteit?",
    "organisation.vital_provider": "Is uw organisatie een vitale aanbieder?",
}

REGISTRATION_FACTS: Final = tuple(key for key in QUESTIONS if not key.startswith("organisation."))
ORGANISATION_FACTS: Final = tuple(
    key.removeprefix("organisation.") for key in QUESTIONS if key.startswith("organisation.")
)

# Facts with a code for a known "nothing" (besides the empty list).
NONE_CODE: Final = "none"
NONE_CODED: Final = frozenset({"classification", "tbb_level", "key_register"})
LIST_FACTS: Final = frozenset(
    {"subprocessors", "functions", "storage_countries", "processing_countries", "pets"}
)
# Lists that are unknown when empty too: data is always somewhere.
NEVER_EMPTY: Final = frozenset({"storage_countries", "processing_countries"})

# What the inventory format assumed for a fact that was left out, before unknowns.md.
LEGACY_DEFAULTS: Final[Mapping[str, Any]] = {
    "subprocessors": [],
    "functions": [],
    "encrypted_at_rest": False,
    "encrypted_in_transit": False,
    "key_custody": "provider",
    "open_data": False,
    "classification": NONE_CODE,
    "tbb_level": NONE_CODE,
    "personal_data": "none",
    "large_scale_personal_data": False,
    "pets": [],
    "core_task": False,
    "business_critical": False,
    "key_register": NONE_CODE,
    "holds_source_data": False,
}
LEGACY_ORGANISATION_DEFAULTS: Final[Mapping[str, Any]] = {
    "critical_entity": False,
    "essential_entity": False,
    "vital_provider": False,
}


def is_unknown(registration: Registration, key: str) -> bool:
    """Whether a registration fact is unknown (``key`` as in QUESTIONS, without organisation)."""
    value = getattr(registration, key)
    if value is None:
        return not (key == "provider" and registration.deployment == "private-internal")
    return key in NEVER_EMPTY and not value


def unknown_facts(registration: Registration) -> tuple[str, ...]:
    """The registration's unknown facts, in QUESTIONS order."""
    return tuple(key for key in REGISTRATION_FACTS if is_unknown(registration, key))


def unknown_organisation_facts(organisation: Organisation) -> tuple[str, ...]:
    return tuple(key for key in ORGANISATION_FACTS if getattr(organisation, key) is None)


def fill_legacy_defaults(record: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """The record with every absent or null fact of ``defaults`` set to the old default.

    Only absent and null values are filled: a value that is there, and the unknown words (which
    say on purpose that something is not known), stay as they are.
    """
    filled = dict(record)
    for key, value in defaults.items():
        if filled.get(key) is None:
            filled[key] = list(value) if isinstance(value, list) else value
    return filled
