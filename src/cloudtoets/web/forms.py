"""The registration form: form fields <-> Registration, and problems as messages per field.

The form is parsed by hand into two things: ``values`` (what the user typed, per input, also when
it is wrong, to show it again) and ``data`` (a dict in interface.md shape, with whole numbers and
booleans where the text was one, and the text itself where it was not). ``data`` then goes
through the same validation path as every inventory (``services.registration_input``), so the
form reports exactly the problems an import would, all at once, each with its field path. Those
paths map back to inputs (a dot in a path is a dash in the input's name).

The form asks no evidence (risk assessment, exit plan, notification, justifications): that comes
only from the workflows (decision 30). Evidence posted to the form anyway is not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from cloudtoets.domain.knowledge import NEVER_EMPTY
from cloudtoets.domain.model import Organisation, Provider, Registration
from cloudtoets.domain.vocabulary import OrganisationType
from cloudtoets.presentation import texts
from cloudtoets.problems import Problem
from cloudtoets.services.organisations import OrganisationInfo
from cloudtoets.services.providers import catalogue_names
from cloudtoets.web.dates import BadDate, shown_date, typed_date
from cloudtoets.web.fields import (
    FORM_FIELDS,
    FORM_THEMES,
    LIST_MODE_SUFFIX,
    LIST_NONE,
    LIST_THESE,
    LIST_UNKNOWN,
    UNKNOWN,
    Field,
    value_at,
)

VERSION_FIELD = "versie"
_SPLIT_CODES = re.compile(r"[\s,;]+")
_WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,9}$")

# Texts for problems the validation phrases for files; said here the way the form asks.
_MISSING = {
    "id": "Vul een kenmerk in, bijvoorbeeld fin-m365-mail",
    "organisation": "Kies de organisatie die de dienst gebruikt",
}
_NONE_AND_THESE = "U koos {none}, maar vinkte ook iets aan. Kies {none} of Deze"
_THESE_EMPTY = "U koos Deze. Vink aan wat van toepassing is, of kies een andere keuze"
_THESE_EMPTY_CODES = "U koos Deze. Vul ze in, of kies een andere keuze"


# ------------------------------------------------------------------------- to the form


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _list_mode(spec: Field, value: Any) -> str:
    if value is None or (not value and spec.path in NEVER_EMPTY):
        return LIST_UNKNOWN
    return LIST_THESE if value else LIST_NONE


def values_from_registration(registration: Registration) -> dict[str, Any]:
    """What the form shows for a stored registration: an unknown fact as ``onbekend``."""
    values: dict[str, Any] = {}
    for spec in FORM_FIELDS.values():
        value = value_at(registration, spec.path)
        if spec.listed:
            values[spec.name + LIST_MODE_SUFFIX] = _list_mode(spec, value)
        if spec.fact and value is None and spec.widget in ("yes_no", "radios", "select"):
            values[spec.name] = UNKNOWN
            continue
        match spec.widget:
            case "checkboxes":
                values[spec.name] = [str(v) for v in value or []]
            case "codes":
                values[spec.name] = ", ".join(str(v) for v in value or [])
            case "lines":
                values[spec.name] = "\n".join(str(v) for v in value or [])
            case "date":
                values[spec.name] = shown_date(value)
            case "material":
                values[spec.name] = "afleiden" if value is None else _text(value)
            case "yes_no":
                values[spec.name] = "true" if value else "false"
            case _:
                values[spec.name] = _text(value)
    return values


def empty_values(organisation: str | None = None) -> dict[str, Any]:
    """The new form: every fact unknown (unknowns.md)."""
    values = values_from_registration(Registration(id="", organisation=organisation or ""))
    values["id"] = ""
    return values


# ----------------------------------------------------------------------- from the form


def _one(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _many(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str)]


def _bool(text: str) -> bool | str | None:
    if text == "true":
        return True
    if text == "false":
        return False
    return text or None


def _parse_list(spec: Field, form: FormData) -> tuple[Any, Any, str | None]:
    """A list fact: (value to show again, value for validation, problem).

    The choice before the list says unknown (None), known to be empty ([]) or these items.
    Items typed or ticked are an answer even when the choice was left at Onbekend; with the
    known nothing chosen they contradict it. No choice at all (a form from elsewhere) counts as
    Onbekend.
    """
    mode = _one(form, spec.name + LIST_MODE_SUFFIX).strip() or LIST_UNKNOWN
    if spec.widget == "checkboxes":
        shown: Any = _many(form, spec.name)
        items = list(shown)
        empty_message = _THESE_EMPTY
    else:
        shown = _one(form, spec.name)
        items = [c for c in _SPLIT_CODES.split(shown.strip()) if c]
        empty_message = _THESE_EMPTY_CODES
    if mode == LIST_NONE and spec.path not in NEVER_EMPTY:
        if items:
            return shown, items, _NONE_AND_THESE.format(none=spec.none_label or "Geen")
        return shown, [], None
    if items:
        return shown, items, None
    if mode == LIST_THESE:
        return shown, None, empty_message
    return shown, None, None


def _parse(spec: Field, form: FormData) -> tuple[Any, Any]:
    """(value to show again, value for validation; None = leave out, which for a fact is
    unknown)."""
    if spec.widget == "checkboxes":
        chosen = _many(form, spec.name)
        return chosen, chosen or None
    raw = _one(form, spec.name)
    text = raw.strip()
    if spec.fact and text == UNKNOWN:
        return UNKNOWN, None
    match spec.widget:
        case "codes":
            return raw, [c for c in _SPLIT_CODES.split(text) if c] or None
        case "lines":
            return raw, [line.strip() for line in raw.splitlines() if line.strip()] or None
        case "textarea":
            return raw, raw.rstrip() or None
        case "date":
            day = typed_date(text)  # BadDate goes to the caller, which reports it at the field
            return raw, day.isoformat() if day else None
        case "number":
            return raw, (int(text) if _WHOLE_NUMBER.match(text) else text) if text else None
        case "yes_no" if spec.fact:
            return text or UNKNOWN, _bool(text)
        case "yes_no":
            value = _bool(text)
            return text or None, value if value is not False else None
        case "material":
            return text or "afleiden", None if text in ("", "afleiden") else _bool(text)
        case "select" if spec.path == "tbb_level":
            return text, (int(text) if _WHOLE_NUMBER.match(text) else text) if text else None
        case _:
            return raw, text or None


def _place(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target = data
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def parse_form(form: FormData) -> tuple[dict[str, Any], dict[str, Any]]:
    """(values as typed per input, the registration as an interface.md dict)."""
    values, data, _ = parse_form_checked(form)
    return values, data


def parse_form_checked(
    form: FormData,
) -> tuple[dict[str, Any], dict[str, Any], list[Problem]]:
    """As ``parse_form``, with the problems the form itself finds (a list fact whose choice
    contradicts what was ticked)."""
    values: dict[str, Any] = {}
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for spec in FORM_FIELDS.values():
        if spec.listed:
            shown, value, problem = _parse_list(spec, form)
            mode = _one(form, spec.name + LIST_MODE_SUFFIX).strip() or LIST_UNKNOWN
            values[spec.name + LIST_MODE_SUFFIX] = mode
            if problem is not None:
                problems.append(_problem(spec.path, problem))
        else:
            try:
                shown, value = _parse(spec, form)
            except BadDate as bad:
                shown, value = _one(form, spec.name), None
                problems.append(_problem(spec.path, bad.message))
        values[spec.name] = shown
        if value is not None:
            _place(data, spec.path, value)
    return values, data, problems


def _problem(path: str, message: str) -> Problem:
    return Problem(f"veld {path}", message, ("registrations", 0), path)


def read_version(form: Mapping[str, Any]) -> int:
    """The hidden ``versie`` of an edit or delete form (0 when missing: a conflict follows)."""
    value = form.get(VERSION_FIELD)
    if isinstance(value, str) and _WHOLE_NUMBER.match(value.strip()):
        return int(value)
    return 0


def form_pairs(form: FormData) -> list[tuple[str, str]]:
    """The submitted fields again, to carry them in hidden inputs (the conflict page)."""
    return [
        (k, v)
        for k, v in form.multi_items()
        if isinstance(v, str) and k != VERSION_FIELD and (k in _INPUTS)
    ]


_INPUTS = frozenset(spec.name for spec in FORM_FIELDS.values()) | frozenset(
    spec.name + LIST_MODE_SUFFIX for spec in FORM_FIELDS.values() if spec.listed
)


# ------------------------------------------------------------------------- validation


def organisation_objects(organisations: Iterable[OrganisationInfo]) -> list[Organisation]:
    result = []
    for o in organisations:
        try:
            kind = OrganisationType(o.type)
        except ValueError:
            kind = OrganisationType.OTHER
        result.append(Organisation(id=o.id, type=kind, name=o.name))
    return result


@dataclass(slots=True)
class FormErrors:
    """Messages per input (for the fields) and in form order (for the summary)."""

    fields: dict[str, str] = field(default_factory=dict)
    summary: list[dict[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.summary)


def _field_path(problem: Problem) -> str | None:
    if problem.field is None:
        return None
    parts = [p for p in problem.field.split(".") if not p.isdigit()]
    path = ".".join(parts)
    while path and path not in FORM_FIELDS:  # a part of a field (a list item, a nested key)
        path = path.rpartition(".")[0]
    return path or None


def _message(path: str | None, problem: Problem) -> str:
    text = problem.message
    if path in _MISSING and ("verplicht" in text or "onbekende organisatie" in text):
        return _MISSING[path] + "."
    return texts.sentence(text)


def form_errors(problems: Sequence[Problem]) -> FormErrors:
    """Problems of a registration as messages per input, in the order of the form."""
    by_path: dict[str | None, list[str]] = {}
    for problem in problems:
        path = _field_path(problem)
        message = _message(path, problem)
        if message not in by_path.setdefault(path, []):
            by_path[path].append(message)
    errors = FormErrors()
    for theme in FORM_THEMES:
        for spec in theme.fields:
            messages = by_path.pop(spec.path, None)
            if messages:
                text = " ".join(messages)
                errors.fields[spec.name] = text
                errors.summary.append({"href": f"#{spec.name}", "message": _summary(spec, text)})
    for messages in by_path.values():  # not a field of the form (justifications, the record)
        for text in messages:
            errors.summary.append({"href": "#basis", "message": text})
    return errors


def _summary(spec: Field, text: str) -> str:
    """The summary names the field, unless the message does already ("Kies de organisatie ...")."""
    if text.startswith(("Kies ", "Vul ")):
        return text
    label = spec.label.replace(": ", " – ")  # "Exitplan: doorlooptijd" would give two colons
    return f"{label}: {text}"


def field_error(path: str, message: str) -> FormErrors:
    return form_errors([_problem(path, message)])


# ---------------------------------------------------------------------------- options


@dataclass(frozen=True, slots=True)
class FormOptions:
    organisations: list[tuple[str, str]]
    providers: list[tuple[str, str]]


def form_options(
    organisations: Sequence[OrganisationInfo],
    own: Mapping[str, Sequence[Provider]],
    current_provider: str | None = None,
) -> FormOptions:
    """Choices for the organisation and the provider (the catalogue, then own providers)."""
    providers: dict[str, str] = {
        provider_id: f"{name} ({provider_id})"
        for provider_id, name in sorted(catalogue_names().items(), key=lambda p: p[1].casefold())
    }
    owners: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for organisation_id, items in own.items():
        for provider in items:
            owners.setdefault(provider.id, []).append(organisation_id)
            names[provider.id] = provider.display_name
    for provider_id in sorted(owners, key=lambda p: names[p].casefold()):
        owner_list = ", ".join(owners[provider_id])
        providers[provider_id] = (
            f"{names[provider_id]} ({provider_id}), eigen leverancier van {owner_list}"
        )
    if current_provider and current_provider not in providers:
        providers[current_provider] = current_provider
    return FormOptions(
        organisations=[(o.id, o.name) for o in organisations],
        providers=list(providers.items()),
    )
