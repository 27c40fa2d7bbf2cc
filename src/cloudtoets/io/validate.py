"""The one validation path every inventory format goes through.

Readers turn a file into either JSON bytes or plain Python data (lists of dicts); this module
checks it against the domain model with pydantic (types, vocabularies, unknown keys) and then
checks what spans records (unique ids, references to organisations and providers, parent cycles,
country codes). Every problem is collected and raised at once as an InputError, with a location
the reader can phrase for its own format (a JSON record id, a spreadsheet row).

Before the schema check the words for "not known" and "known: none" of the facts are translated
(``io.words``, unknowns.md), so every format reads them alike.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from cloudtoets.catalogue import catalogue_directory, catalogue_organisations
from cloudtoets.domain.countries import ISO_COUNTRY_CODES
from cloudtoets.domain.labels import LIST_LABELS
from cloudtoets.domain.model import (
    Inventory,
    Organisation,
    Provider,
    Registration,
)
from cloudtoets.domain.providers import ProviderDirectory
from cloudtoets.domain.text import control_message, texts_with_control_characters
from cloudtoets.io.syntax_errors import json_problem
from cloudtoets.io.words import FACTS, translate_words, word
from cloudtoets.problems import InputError, Problem, dutch_message

# (list name, index in that list, field path inside the record) -> where, in the reader's words
Locator = Callable[[str, int, str], str]

_ADAPTER: TypeAdapter[Inventory] = TypeAdapter(Inventory)
_COUNTRY_LIST_FIELDS = ("storage_countries", "processing_countries")
_PROVIDER_COUNTRY_FIELDS = ("country", "headquarters")
# Fields without a default: null is no answer there (unknowns.md has no unknown for them).
_REQUIRED = {
    list_name: frozenset(
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )
    for list_name, cls in (
        ("organisations", Organisation),
        ("providers", Provider),
        ("registrations", Registration),
    )
}
# A fact with a value of the wrong kind: say that onbekend is an answer too.
_UNANSWERED_TYPES = frozenset(
    {
        "enum",
        "literal_error",
        "bool_parsing",
        "bool_type",
        "date_parsing",
        "date_type",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    }
)
_OR_UNKNOWN = "; weet u het niet, vul dan onbekend in"
_NULL_TYPES = frozenset(
    {"string_type", "bool_type", "int_type", "date_type", "list_type", "enum", "literal_error"}
)


def record_locator(raw: Mapping[str, Any] | None) -> Locator:
    """Locations for JSON and YAML documents: list, record number and id, field."""

    def locate(list_name: str, index: int, field: str) -> str:
        label = LIST_LABELS.get(list_name, list_name)
        records = raw.get(list_name) if isinstance(raw, Mapping) else None
        record_id = None
        if (
            isinstance(records, list)
            and 0 <= index < len(records)
            and isinstance(records[index], Mapping)
        ):
            record_id = records[index].get("id")
        where = f"{label} nr. {index + 1}"
        if isinstance(record_id, str) and record_id:
            where += f" (id {record_id})"
        return f"{where}, veld {field}" if field else where

    return locate


def _place(loc: tuple[int | str, ...], locate: Locator) -> str:
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        return locate(loc[0], loc[1], ".".join(str(p) for p in loc[2:]))
    return ".".join(str(p) for p in loc) or "document"


def _record(loc: tuple[int | str, ...]) -> tuple[str, int] | None:
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        return (loc[0], loc[1])
    return None


def _field(loc: tuple[int | str, ...]) -> str | None:
    if _record(loc) is None or len(loc) < 3:
        return None
    return ".".join(str(p) for p in loc[2:])


def _at(locate: Locator, list_name: str, index: int, field: str, message: str) -> Problem:
    """A problem of one field of one record, located in the reader's words."""
    return Problem(locate(list_name, index, field), message, (list_name, index), field)


def _schema_problems(exc: ValidationError, locate: Locator) -> list[Problem]:
    problems = []
    for error in exc.errors():
        kind = error["type"]
        if kind == "unexpected_keyword_argument":
            error = {**error, "type": "extra_forbidden"}
        loc = tuple(error["loc"])
        message = dutch_message(error)
        if error.get("input", ...) is None and kind in _NULL_TYPES:
            message = _null_message(loc)
        elif kind in _UNANSWERED_TYPES and len(loc) == 3 and loc[2] in FACTS.get(str(loc[0]), ()):
            message += _OR_UNKNOWN
        problems.append(Problem(_place(loc, locate), message, _record(loc), _field(loc)))
    return problems


def _null_message(loc: tuple[int | str, ...]) -> str:
    """An explicit null where the format has no unknown: say so instead of 'None is no text'."""
    if len(loc) == 3 and loc[2] in _REQUIRED.get(str(loc[0]), ()):
        return "dit veld is verplicht en mag niet leeg (null) zijn; vul het in"
    return "hier mag geen null staan; vul een waarde in of laat het veld weg"


def _get(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)


def _list(document: Any, name: str) -> list[Any]:
    value = _get(document, name)
    return value if isinstance(value, list) else []


def _duplicates(records: Iterable[Any], list_name: str, locate: Locator) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for index, record in enumerate(records):
        record_id = _get(record, "id")
        if not isinstance(record_id, str):
            continue
        if record_id in seen:
            first = locate(list_name, seen[record_id], "")
            problems.append(
                _at(
                    locate,
                    list_name,
                    index,
                    "id",
                    f"id '{record_id}' komt al voor bij {first}; geef elk record een eigen id",
                )
            )
        else:
            seen[record_id] = index
    return problems


def _cross_problems(
    document: Any, locate: Locator, directory: ProviderDirectory, organisation_ids: set[str]
) -> list[Problem]:
    """Checks across records; works on validated objects and on raw dicts alike."""
    problems: list[Problem] = []
    providers = _list(document, "providers")
    registrations = _list(document, "registrations")
    problems += _duplicates(_list(document, "organisations"), "organisations", locate)
    problems += _duplicates(providers, "providers", locate)
    problems += _duplicates(registrations, "registrations", locate)

    for index, provider in enumerate(providers):
        for field in _PROVIDER_COUNTRY_FIELDS:
            country = _get(provider, field)
            if isinstance(country, str) and country.upper() not in ISO_COUNTRY_CODES:
                problems.append(
                    _at(
                        locate,
                        "providers",
                        index,
                        field,
                        f"onbekende landcode '{country}'; gebruik een ISO-code zoals NL of US",
                    )
                )
        parent = _get(provider, "parent")
        if isinstance(parent, str) and parent not in directory:
            problems.append(
                _at(
                    locate,
                    "providers",
                    index,
                    "parent",
                    f"onbekende leverancier '{parent}' als moederbedrijf; "
                    "neem die op bij providers",
                )
            )
        own = _get(provider, "subprocessors")
        for sub in own if isinstance(own, list) else []:
            if isinstance(sub, str) and sub not in directory:
                problems.append(
                    _at(
                        locate,
                        "providers",
                        index,
                        "subprocessors",
                        f"onbekende leverancier '{sub}' als subverwerker; neem die op bij "
                        "providers of kies een id uit de catalogus (cloudtoets providers)",
                    )
                )
        provider_id = _get(provider, "id")
        if isinstance(provider_id, str):
            cycle = directory.find_cycle(provider_id)
            if cycle is not None:
                problems.append(
                    _at(
                        locate,
                        "providers",
                        index,
                        "parent",
                        f"moederbedrijven vormen een kring ({cycle}); verbreek de kring",
                    )
                )

    for index, registration in enumerate(registrations):
        organisation = _get(registration, "organisation")
        if isinstance(organisation, str) and organisation not in organisation_ids:
            problems.append(
                _at(
                    locate,
                    "registrations",
                    index,
                    "organisation",
                    f"onbekende organisatie '{organisation}'; neem die op bij organisations",
                )
            )
        provider = _get(registration, "provider")
        for field, ids in (
            ("provider", [provider]),
            ("subprocessors", _get(registration, "subprocessors") or []),
        ):
            for provider_id in ids if isinstance(ids, list) else []:
                if isinstance(provider_id, str) and provider_id not in directory:
                    problems.append(
                        _at(
                            locate,
                            "registrations",
                            index,
                            field,
                            f"onbekende leverancier '{provider_id}'; neem die op bij providers "
                            "of kies een id uit de catalogus (cloudtoets providers)",
                        )
                    )
        for field in _COUNTRY_LIST_FIELDS:
            countries = _get(registration, field)
            for country in countries if isinstance(countries, list) else []:
                if isinstance(country, str) and country.upper() not in ISO_COUNTRY_CODES:
                    problems.append(
                        _at(
                            locate,
                            "registrations",
                            index,
                            field,
                            f"onbekende landcode '{country}'; gebruik ISO-codes zoals NL, DE of US",
                        )
                    )
        plan = _get(registration, "exit_plan")
        for scenario_name in ("planned", "emergency"):
            scenario = _get(plan, scenario_name) if plan is not None else None
            days = _get(scenario, "lead_time_days") if scenario is not None else None
            if isinstance(days, int) and days < 0:
                problems.append(
                    _at(
                        locate,
                        "registrations",
                        index,
                        f"exit_plan.{scenario_name}.lead_time_days",
                        "een doorlooptijd kan niet negatief zijn",
                    )
                )
    return problems


@dataclasses.dataclass(slots=True)
class _Survey:
    """What the checks after validation need from the registrations, gathered in one pass
    (each pass over 100k records costs tens of milliseconds)."""

    distinct_ids: bool = True
    organisations: set[str] = dataclasses.field(default_factory=set)
    providers: set[str] = dataclasses.field(default_factory=set)  # contracting and sub-processors
    countries: set[str] = dataclasses.field(default_factory=set)  # as written
    empty_country_list: bool = False  # ``[]``: data is always somewhere, so not known where
    negative_lead_time: bool = False


def _survey(registrations: list[Registration]) -> _Survey:
    survey = _Survey(distinct_ids=len({r.id for r in registrations}) == len(registrations))
    organisations, providers, countries = survey.organisations, survey.providers, survey.countries
    for r in registrations:
        organisations.add(r.organisation)
        if r.provider is not None:
            providers.add(r.provider)
        if r.subprocessors:
            providers.update(r.subprocessors)
        for listed in (r.storage_countries, r.processing_countries):
            if listed:
                countries.update(listed)
            elif listed is not None:
                survey.empty_country_list = True
        plan = r.exit_plan
        if plan is not None:
            for scenario in (plan.planned, plan.emergency):
                if scenario is not None and (scenario.lead_time_days or 0) < 0:
                    survey.negative_lead_time = True
    return survey


def _hides_words(survey: _Survey) -> bool:
    """Whether a fact whose values are free text may hold one of the words (rare).

    Only a text or a list of one text can be a word; every provider id and country code of the
    registrations is looked at once (more than those, which only costs a slower read of a
    document that then turns out to have none)."""
    return any(word(value) is not None for value in (*survey.providers, *survey.countries))


def _consistent(
    inventory: Inventory,
    survey: _Survey,
    directory: ProviderDirectory,
    organisation_ids: set[str],
) -> bool:
    """A quick yes/no over the same checks as ``_cross_problems``, in set operations.

    Nearly every inventory is consistent; only when this says no is the slower record-by-record
    pass run to say what and where.
    """
    if not survey.distinct_ids or survey.negative_lead_time:
        return False
    for records in (inventory.organisations, inventory.providers):
        if len({record.id for record in records}) != len(records):
            return False
    if not survey.organisations <= organisation_ids:
        return False
    if not all(provider_id in directory for provider_id in survey.providers):
        return False
    countries = set(survey.countries)
    countries.update(p.country for p in inventory.providers)
    countries.update(p.headquarters for p in inventory.providers if p.headquarters is not None)
    if not {c.upper() for c in countries} <= ISO_COUNTRY_CODES:
        return False
    for provider in inventory.providers:
        if provider.parent is not None and provider.parent not in directory:
            return False
        if not all(sub in directory for sub in provider.subprocessors):
            return False
        if directory.find_cycle(provider.id) is not None:
            return False
    return True


def _normalise_blank_texts(inventory: Inventory) -> None:
    """Text of only white space counts as empty (policy.md); store it as empty.

    Then every format carries it the same way (a spreadsheet cannot hold a blank-but-not-empty
    cell) and an unchanged re-import is recognised as unchanged.
    """
    for r in inventory.registrations:
        if r.lifecycle_justification and not r.lifecycle_justification.strip():
            r.lifecycle_justification = ""
        assessment = r.risk_assessment
        if (
            assessment is not None
            and assessment.accepted_by is not None
            and not assessment.accepted_by.strip()
        ):
            assessment.accepted_by = None
        for j in r.justifications:
            if j.reason and not j.reason.strip():
                j.reason = ""
            if j.accepted_by is not None and not j.accepted_by.strip():
                j.accepted_by = None


def _normalise_countries(inventory: Inventory, survey: _Survey) -> None:
    """Country codes are case-insensitive on input and upper case from here on. A headquarters
    in the country of the registered office says nothing more: it is left out."""
    for provider in inventory.providers:
        provider.country = provider.country.upper()
        if provider.headquarters is not None:
            headquarters = provider.headquarters.upper()
            provider.headquarters = None if headquarters == provider.country else headquarters
    if not survey.empty_country_list and "".join(survey.countries).isupper():
        return  # every list already as it should be: no need to look at each registration
    for registration in inventory.registrations:
        for field in _COUNTRY_LIST_FIELDS:
            countries: list[str] | None = getattr(registration, field)
            if countries is None:
                continue
            if not countries:  # data is always somewhere: no countries is not known where
                setattr(registration, field, None)
            elif not "".join(countries).isupper():  # one look instead of one per code
                setattr(registration, field, [c.upper() for c in countries])


# Bytes of JSON text that are, or may begin, a forbidden control character (domain/text.py): the
# raw ones (a JSON parser refuses them inside strings, but they cost nothing to look for), DEL,
# the escape character and 0xC2, the UTF-8 lead byte of U+0080-U+00BF (the C1 range is in it).
_SUSPECT = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, ord("\\"), 0xC2])
_INNOCENT = bytes(b for b in range(256) if b not in _SUSPECT)
_C1 = re.compile(rb"\xc2[\x80-\x9f]")


def _json_may_hold_control(text: bytes | None) -> bool:
    """Whether JSON text might hold a string with a forbidden control character.

    No means none of its strings does; yes may be a false alarm (an escaped quote or an
    escaped letter such as \\u00e9), after which the strings are walked one by one. Looking
    at the bytes at once is about 80 times faster than walking 100k registrations' strings.
    """
    if text is None:
        return True
    suspects = text.translate(None, _INNOCENT)
    if not suspects:
        return False
    if suspects.strip(b"\\\xc2"):  # a raw control character or DEL
        return True
    return b"\\u00" in text or b"\\b" in text or b"\\f" in text or _C1.search(text) is not None


def _serialised(inventory: Inventory) -> bytes | None:
    """The inventory as JSON (orjson escapes control characters below U+0020, as \\u00XX
    except tab, line feed, carriage return, backspace and form feed)."""
    try:
        return orjson.dumps(inventory)
    except TypeError:  # pragma: no cover - every field of the model is serialisable
        return None


def _control_problems(
    inventory: Inventory, locate: Locator, text: bytes | None = None
) -> list[Problem]:
    """Every text with NUL or another control character (domain/text.py), with its place.

    ``text`` is the JSON the inventory was validated from, if it was: when neither it nor the
    inventory as JSON can hold such a character, no string needs to be looked at.
    """
    if not _json_may_hold_control(text) or not _json_may_hold_control(_serialised(inventory)):
        return []
    problems = []
    for list_name in ("organisations", "providers", "registrations"):
        for index, record in enumerate(getattr(inventory, list_name)):
            for field, code in texts_with_control_characters(record):
                problems.append(_at(locate, list_name, index, field, control_message(code)))
    return problems


@dataclasses.dataclass(slots=True)
class Checked:
    """A validated inventory with the directories its references resolve against."""

    inventory: Inventory
    organisations: dict[str, Organisation]
    providers: ProviderDirectory
    locate: Locator  # how the reader names places, for checks made after validation


def validate_document(
    data: bytes | Mapping[str, Any],
    source: str,
    *,
    locate: Locator | None = None,
    extra_organisations: Iterable[Organisation] = (),
    extra_providers: Iterable[Provider] = (),
) -> Checked:
    """Check an inventory document; raise InputError listing every problem.

    ``data`` is JSON bytes (fast path, parsed and checked in one pass) or a parsed mapping.
    ``extra_*`` come from side files (CSV input); the document's own entries win over them and
    over the built-in catalogues.
    """
    inventory: Inventory | None = None
    survey: _Survey | None = None
    raw: Any = data
    problems: list[Problem] = []
    json_text = bytes(data) if isinstance(data, bytes | bytearray) else None
    if isinstance(data, bytes | bytearray):
        # Fast path: parse and check in one pass. A document with the words of io.words fails
        # it (or hides them in a text, see _hides_words) and is read again as plain data.
        try:
            inventory = _ADAPTER.validate_json(data)
        except ValidationError:
            try:
                raw = orjson.loads(data)
            except orjson.JSONDecodeError as bad:  # a syntax error, said in Dutch at its place
                raw = None
                problems = [json_problem(bad)]
        else:
            raw = None
            survey = _survey(inventory.registrations)
            if _hides_words(survey):
                inventory, raw = None, orjson.loads(data)
    if inventory is None and raw is not None:
        report = locate or record_locator(raw)
        if isinstance(raw, Mapping):
            raw, problems = translate_words(raw, functools.partial(_at, report))
        try:
            inventory = _ADAPTER.validate_python(raw)
        except ValidationError as exc:
            inventory = None
            problems += _schema_problems(exc, report)
        else:
            survey = _survey(inventory.registrations)
    locate = locate or record_locator(raw)
    document: Any = inventory if inventory is not None else raw
    if document is None:
        raise InputError(source, problems)

    doc_providers = (
        [p for p in _list(document, "providers") if isinstance(p, Provider)]
        if inventory
        else [
            Provider(id=p["id"], country=str(p.get("country", "")), parent=p.get("parent"))
            for p in _list(document, "providers")
            if isinstance(p, Mapping)
            and isinstance(p.get("id"), str)
            and (p.get("parent") is None or isinstance(p.get("parent"), str))
        ]
    )
    directory = catalogue_directory(list(extra_providers), doc_providers)
    organisations = {o.id: o for o in catalogue_organisations()}
    organisations.update({o.id: o for o in extra_organisations})
    if inventory is not None:
        organisations.update({o.id: o for o in inventory.organisations})
    organisation_ids = set(organisations) | {
        o["id"]
        for o in _list(document, "organisations")
        if isinstance(o, Mapping) and isinstance(o.get("id"), str)
    }
    if (
        inventory is None
        or survey is None
        or not _consistent(inventory, survey, directory, organisation_ids)
    ):
        problems += _cross_problems(document, locate, directory, organisation_ids)
    if inventory is not None:
        problems += _control_problems(inventory, locate, json_text)
    if problems or inventory is None or survey is None:
        raise InputError(source, problems)
    _normalise_countries(inventory, survey)
    _normalise_blank_texts(inventory)
    return Checked(inventory, organisations, directory, locate)
