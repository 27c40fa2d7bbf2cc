"""Input problems in plain Dutch: one shape for policy files and inventories alike.

Pydantic reports problems in English with a location tuple; users need Dutch text that says where
the problem is and what to do. ``dutch_message`` translates the error types that our schemas can
produce; anything else keeps pydantic's own text rather than hiding it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, with its place."""

    where: str
    message: str
    record: tuple[str, int] | None = None  # (list name, index) when the problem is in a record
    field: str | None = None  # dotted field path inside that record, for forms

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class InputError(Exception):
    """Raised with every problem of an input at once; nothing has been evaluated or stored."""

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        noun = "probleem" if count == 1 else "problemen"
        head = f"{self.source}: {count} {noun} gevonden, er is niets getoetst."
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


def _choices(ctx: Mapping[str, Any]) -> str:
    expected = str(ctx.get("expected", ""))
    return expected.replace(" or ", " of ")


def dutch_message(error: Mapping[str, Any]) -> str:
    """The Dutch text for one pydantic error dict (``ValidationError.errors()`` item)."""
    kind = error.get("type", "")
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    shown = repr(value) if not isinstance(value, dict | list) else "deze waarde"
    match kind:
        case "missing":
            return "dit veld is verplicht; vul het in"
        case "extra_forbidden":
            return "onbekend veld; haal het weg of controleer de spelling"
        case "enum" | "literal_error":
            return f"onbekende waarde {shown}; kies uit {_choices(ctx)}"
        case "bool_parsing" | "bool_type":
            return f"{shown} is geen ja/nee-waarde; gebruik true of false"
        case "int_parsing" | "int_type" | "int_from_float":
            return f"{shown} is geen geheel getal"
        case "greater_than_equal":
            return f"{shown} is te klein; de waarde moet minstens {ctx.get('ge')} zijn"
        case "less_than_equal":
            return f"{shown} is te groot; de waarde mag hoogstens {ctx.get('le')} zijn"
        case (
            "date_parsing"
            | "date_type"
            | "date_from_datetime_inexact"
            | "date_from_datetime_parsing"
        ):
            return f"{shown} is geen geldige datum; schrijf de datum als JJJJ-MM-DD"
        case "string_type":
            return f"{shown} is geen tekst"
        case "list_type":
            return "hier hoort een lijst"
        case "dict_type" | "model_type" | "dataclass_type" | "model_attributes_type":
            return "hier hoort een object met velden"
        case "string_too_short":
            return "dit veld mag niet leeg zijn"
        case "too_long":
            return (
                f"deze lijst heeft {ctx.get('actual_length')} waarden, er mogen er hoogstens "
                f"{ctx.get('max_length')} in; haal waarden weg"
            )
        case "json_invalid":
            return f"geen geldige JSON ({ctx.get('error', 'onleesbaar')})"
        case "value_error" | "assertion_error":
            return str(ctx.get("error", error.get("msg", "")))
        case _:
            return str(error.get("msg", "ongeldige waarde"))
