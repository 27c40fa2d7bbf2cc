"""Control characters in an inventory: found wherever they are and however the JSON writes them.

The validation first looks at the JSON text as a whole and walks the strings only when it might
hold one (io/validate.py); these cases make sure that look never misses one and that ordinary
text (tabs, line breaks, accents, quotes, a non-breaking space) is not refused.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import orjson
import pytest

from cloudtoets.domain.text import control_message
from cloudtoets.io.validate import validate_document
from cloudtoets.problems import InputError
from cloudtoets.yaml12 import load_yaml

DOCUMENT: dict[str, Any] = {
    "organisations": [{"id": "bzk", "type": "ministry", "name": "BZK"}],
    "providers": [{"id": "eigen-saas", "country": "NL", "name": "Eigen"}],
    "registrations": [
        {"id": "r0", "organisation": "bzk", "name": "Voor"},
        {
            "id": "r1",
            "organisation": "bzk",
            "provider": "eigen-saas",
            "name": "Mail",
            "exit_plan": {"planned": {"preconditions": ["Data terug"]}},
            "justifications": [{"rule": "R1", "reason": "Geen keus"}],
        },
    ],
}
# (where in the document, as the path of keys and indexes; how a problem names the place)
PLACES = [
    (("organisations", 0, "name"), "organisaties nr. 1 (id bzk), veld name"),
    (("providers", 0, "name"), "leveranciers nr. 1 (id eigen-saas), veld name"),
    (("registrations", 1, "name"), "registraties nr. 2 (id r1), veld name"),
    (
        ("registrations", 1, "exit_plan", "planned", "preconditions", 0),
        "registraties nr. 2 (id r1), veld exit_plan.planned.preconditions.0",
    ),
    (
        ("registrations", 1, "justifications", 0, "reason"),
        "registraties nr. 2 (id r1), veld justifications.0.reason",
    ),
]
CONTROLS = ["\x00", "\x07", "\x08", "\x0c", "\x1b", "\x7f", "\x85", "\x9f"]
# how the document reaches the validation: JSON as orjson and as Python's json module write it
# (the latter escapes every non-ASCII character), YAML, or parsed data
FORMS = ["orjson", "json-ascii", "yaml", "parsed"]


def _with(text: str, path: tuple[str | int, ...]) -> dict[str, Any]:
    document = copy.deepcopy(DOCUMENT)
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = f"{target[path[-1]]}{text}!"
    return document


def _in_form(document: dict[str, Any], form: str) -> bytes | dict[str, Any]:
    if form == "orjson":
        return orjson.dumps(document)
    if form == "json-ascii":
        return json.dumps(document).encode()
    if form == "yaml":
        # JSON is YAML 1.2; YAML wants DEL and the C1 range escaped, and no escaped surrogates
        text = json.dumps(document, ensure_ascii=False)
        text = re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)
        loaded = load_yaml(text.encode())
        assert isinstance(loaded, dict)
        return loaded
    return document


def _problems(data: bytes | dict[str, Any]) -> list[tuple[str, str]]:
    try:
        validate_document(data, "test.json")
    except InputError as error:
        return [(p.where, p.message) for p in error.problems]
    return []


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_character_is_found_in_every_place(form: str, control: str) -> None:
    for path, where in PLACES:
        data = _in_form(_with(control, path), form)
        if isinstance(data, bytes):  # JSON validated in one pass names the record by number
            where = re.sub(r" \(id [^)]*\)", "", where)
        assert _problems(data) == [(where, control_message(f"U+{ord(control):04X}"))], path


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(
    "text",
    ["\t", "\n", "\r\n", "é", "\u00a0", "\u00bf", '"', "\\", "\\b\\f", "\u20ac", "\U0001f600"],
)
def test_ordinary_text_is_no_control_character(form: str, text: str) -> None:
    for path, _ in PLACES:
        assert _problems(_in_form(_with(text, path), form)) == [], (path, text)


def test_a_control_character_among_harmless_escapes_is_found() -> None:
    # the quick look says "maybe" for the escaped quote; the walk then finds the one real case
    document = _with("\x1f", ("registrations", 1, "justifications", 0, "reason"))
    document["registrations"][0]["name"] = 'Voor "é\t'
    assert _problems(json.dumps(document).encode()) == [
        (
            "registraties nr. 2, veld justifications.0.reason",
            control_message("U+001F"),
        )
    ]
