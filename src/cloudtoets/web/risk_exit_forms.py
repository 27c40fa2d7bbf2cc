"""Reading the risk-assessment and exit-plan forms: typed text back to values, and messages per
input in the order of the form.

The forms keep what was typed (``values``: input name -> text) and build a dict for the input
models of domain/; a number or date that cannot be read is reported here, in Dutch, before the
model sees it. Problems from the model or the services name a field path (``risks.2.impact``,
``dtia_reference``); a ``locate`` function turns that into the id of an input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from cloudtoets.presentation import texts
from cloudtoets.problems import Problem, dutch_message
from cloudtoets.web import dates
from cloudtoets.web.forms import FormErrors

_WHOLE = re.compile(r"^\d{1,9}$")
_DECIMAL = re.compile(r"^\d{1,12}([.,]\d{1,6})?$")


def lines(value: str) -> list[str]:
    """One item per line (preconditions contain commas themselves)."""
    return [line.strip() for line in value.splitlines() if line.strip()]


class Reader:
    """Reads a form: keeps every typed text, collects what could not be read."""

    def __init__(self, form: FormData) -> None:
        self.form = form
        self.values: dict[str, str] = {}
        self.problems: dict[str, str] = {}

    def text(self, name: str) -> str:
        value = self.form.get(name)
        self.values[name] = value.strip() if isinstance(value, str) else ""
        return self.values[name]

    def whole(self, name: str, low: int, high: int, label: str) -> int | None:
        value = self.text(name)
        if not value:
            return None
        if not _WHOLE.match(value) or not low <= int(value) <= high:
            self.problems[name] = f"Vul bij {label} een heel getal in van {low} tot en met {high}."
            return None
        return int(value)

    def decimal(self, name: str, label: str) -> float | None:
        value = self.text(name)
        if not value:
            return None
        if not _DECIMAL.match(value):
            self.problems[name] = f"Vul bij {label} een getal in, zoals 250 of 2,5."
            return None
        return float(value.replace(",", "."))

    def date(self, name: str, label: str) -> str | None:
        """ISO text for the model; 3-7-2026 is read the Dutch way. Required."""
        value = self.text(name)
        if not value:
            self.problems[name] = f"Vul {label} in. {dates.HINT}"
            return None
        try:
            day = dates.typed_date(value)
        except dates.BadDate as bad:
            self.problems[name] = bad.message
            return None
        return day.isoformat() if day else None


def validate(
    model: type[BaseModel], data: Mapping[str, Any], locate: Callable[[str], str]
) -> tuple[BaseModel | None, list[tuple[str, str]]]:
    """The model, or the problems as (input id, Dutch message)."""
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        found = []
        for item in error.errors():
            path = ".".join(str(p) for p in item["loc"])
            if item["type"] == "string_too_long":
                limit = (item.get("ctx") or {}).get("max_length")
                message = f"deze tekst is te lang; gebruik hoogstens {limit} tekens"
            else:
                message = dutch_message(item)
            found.append((locate(path), texts.sentence(message)))
        return None, found


def problem_messages(
    problems: Iterable[Problem], locate: Callable[[str], str]
) -> list[tuple[str, str]]:
    return [(locate(p.field or ""), texts.sentence(p.message)) for p in problems]


def form_errors(
    found: Iterable[tuple[str, str]], order: Sequence[str], labels: Mapping[str, str]
) -> FormErrors:
    """Messages per input id, and the summary in the order of the form."""
    by_id: dict[str, list[str]] = {}
    for input_id, message in found:
        if message not in by_id.setdefault(input_id, []):
            by_id[input_id].append(message)
    errors = FormErrors()
    rank = {name: index for index, name in enumerate(order)}
    for input_id in sorted(by_id, key=lambda i: rank.get(i, len(rank))):
        message = " ".join(by_id[input_id])
        errors.fields[input_id] = message
        label = labels.get(input_id)
        named = label is not None and not message.startswith(("Vul ", "Kies "))
        errors.summary.append(
            {"href": f"#{input_id}", "message": f"{label}: {message}" if named else message}
        )
    return errors
