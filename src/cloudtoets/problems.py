"""Input problems in plain Dutch: one shape for policy files and inventories alike.

Pydantic reports problems in English with a location tuple; users need Dutch text that says where
the problem is and what to do. ``dutch_message`` translates the error types that our schemas can
produce; any other type gets a plain Dutch sentence too, never pydantic's English.
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
    composite = isinstance(value, dict | list)
    shown = repr(value) if not composite else "deze waarde"
    match kind:
        case "missing":
            return "dit veld is verplicht; vul het in"
        case "extra_forbidden":
            return "onbekend veld; haal het weg of controleer de spelling"
        case "enum" | "literal_error" if composite:
            return f"hier hoort één waarde, geen lijst of object; kies uit {_choices(ctx)}"
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
        case "string_type" if composite:
            return "hier hoort een tekst, geen lijst of object"
        case "string_type":
            return f"{shown} is geen tekst; zet de waarde tussen aanhalingstekens"
        case "string_pattern_mismatch":
            return f"{shown} heeft niet de goede vorm"
        case "string_too_long":
            return f"deze tekst is te lang; hoogstens {ctx.get('max_length')} tekens"
        case "list_type" | "tuple_type" | "set_type" | "frozen_set_type":
            return "hier hoort een lijst"
        case "too_short" if ctx.get("min_length") == 1:
            return "dit mag niet leeg zijn; geef minstens één waarde"
        case "too_short":
            return f"hier horen minstens {ctx.get('min_length')} waarden; vul de lijst aan"
        case "float_type" | "float_parsing" | "decimal_type" | "decimal_parsing":
            return f"{shown} is geen getal"
        case "greater_than":
            return f"{shown} is te klein; de waarde moet groter zijn dan {ctx.get('gt')}"
        case "less_than":
            return f"{shown} is te groot; de waarde moet kleiner zijn dan {ctx.get('lt')}"
        case "none_required":
            return "hier hoort geen waarde"
        case "is_instance_of" | "union_tag_invalid" | "union_tag_not_found":
            return "deze waarde heeft niet de goede soort; kijk in de documentatie wat hier hoort"
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
            # pydantic's own text is English; the type code still tells a maintainer what it was
            return (
                f"ongeldige waarde ({kind or 'onbekend'}); kijk in de documentatie wat hier hoort"
            )
