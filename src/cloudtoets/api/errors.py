"""Input problems as the API's error items ``{where, field, message}``, in Dutch.

Two sources: the services' ``Problem`` records (inventory and registration validation, with a
record and field), and FastAPI's request validation errors (body, query, path, header), whose
pydantic texts are English and get the same Dutch wording as an inventory's problems.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cloudtoets.problems import Problem, dutch_message


def counted(problems: int) -> str:
    """``1 probleem``, ``3 problemen``."""
    return f"{problems} {'probleem' if problems == 1 else 'problemen'}"


def error_item(where: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"where": where, "field": field, "message": message}


def problem_items(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """The services' problems as error items (``record``: list name and index, if any)."""
    return [
        {
            "where": p.where,
            "field": p.field,
            "message": p.message,
            "record": {"list": p.record[0], "index": p.record[1]} if p.record else None,
        }
        for p in problems
    ]


_PLACES = {"query": "queryparameter", "path": "pad", "header": "header", "cookie": "cookie"}
_EXTRA_MESSAGES = {
    "string_too_long": "deze tekst is te lang",
    "string_pattern_mismatch": "deze waarde heeft niet de goede vorm",
    "float_parsing": "dit is geen getal",
    "unexpected_keyword_argument": "onbekend veld; haal het weg of controleer de spelling",
    "model_attributes_type": "hier hoort een object met velden",
}
# the error types cloudtoets.problems.dutch_message translates; others would stay English
_TRANSLATED = frozenset(
    {
        "missing",
        "extra_forbidden",
        "enum",
        "literal_error",
        "bool_parsing",
        "bool_type",
        "int_parsing",
        "int_type",
        "int_from_float",
        "greater_than_equal",
        "less_than_equal",
        "date_parsing",
        "date_type",
        "date_from_datetime_inexact",
        "date_from_datetime_parsing",
        "string_type",
        "list_type",
        "dict_type",
        "model_type",
        "dataclass_type",
        "string_too_short",
        "json_invalid",
        "value_error",
        "assertion_error",
    }
)


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind in _EXTRA_MESSAGES:
        return _EXTRA_MESSAGES[kind]
    if kind in _TRANSLATED:
        return dutch_message(error)
    return "ongeldige waarde"


NULL_REFUSED = "dit veld kan niet onbekend (null) zijn; geef een waarde"


def _null_message(error: Mapping[str, Any]) -> str | None:
    """An explicit null where a field has no unknown (a registration's id or organisation, an
    evidence field with a default such as abro_declaration): said as such, not as a type error.
    Facts accept null (unknowns.md), so they never get here."""
    if "input" in error and error["input"] is None and error.get("type") != "missing":
        return NULL_REFUSED
    return None


def _body_message(error: Mapping[str, Any]) -> str:
    """A problem with the body as a whole (not one of its fields)."""
    match error.get("type"):
        case "json_invalid":
            return dutch_message(error)
        case "missing":
            return "de body ontbreekt; stuur een JSON-object"
        case _:
            return "de body moet een JSON-object zijn (Content-Type: application/json)"


def request_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """FastAPI's validation errors as error items in Dutch."""
    items = []
    for error in errors:
        loc = tuple(error.get("loc") or ("body",))
        source, path = str(loc[0]), loc[1:]
        if source == "body" and (error.get("type") == "json_invalid" or not path):
            items.append(error_item("body", _body_message(error)))
            continue
        if source != "body":  # a repeated query parameter: its name, not the place in the list
            path = tuple(p for p in path if not isinstance(p, int))
        field = ".".join(str(p) for p in path) or None
        # "body": the fields of a JSON object, and those of a multipart form
        place = "veld" if source == "body" else _PLACES.get(source, source)
        where = f"{place} {field}"
        items.append(error_item(where, _null_message(error) or _message(error), field))
    return items
