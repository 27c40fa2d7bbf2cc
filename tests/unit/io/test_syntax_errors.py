"""A YAML or JSON file that cannot be read: a Dutch message at its line and column."""

from __future__ import annotations

import orjson
import pytest

from cloudtoets.io.syntax_errors import json_problem, yaml_problem
from cloudtoets.yaml12 import load_yaml

ENGLISH = ("found", "expected", "while", "parsing", "scanning", "line", "column", "character")


def yaml_error(text: bytes) -> str:
    with pytest.raises(Exception) as raised:
        load_yaml(text)
    return str(yaml_problem(raised.value, text))


def json_error(text: bytes) -> str:
    with pytest.raises(orjson.JSONDecodeError) as raised:
        orjson.loads(text)
    return str(json_problem(raised.value))


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            b"a: [b\nc: d\n",
            "regel 2, kolom 2: geen geldige YAML: een lijst tussen [ en ] is niet goed afgesloten",
        ),
        (
            b"a: {b: 1\n",
            "regel 2, kolom 1: geen geldige YAML: een object tussen { en } is niet goed afgesloten",
        ),
        (
            b"a:\n  b: 1\n c: 2\n",
            "regel 3, kolom 2: geen geldige YAML: hier verwachtte cloudtoets een nieuwe naam",
        ),
        (
            b"a: b: c\n",
            "regel 1, kolom 5: geen geldige YAML: er staat een dubbele punt die hier niet mag",
        ),
        (
            b"a:\n\t- b\n",
            "regel 2, kolom 1: geen geldige YAML: hier staat een tab; spring in met spaties",
        ),
        (
            b"a: 'b\n",
            "regel 2, kolom 1: geen geldige YAML: het bestand houdt op in een tekst tussen aanhalingstekens",
        ),
        (
            b"a: @b\n",
            "regel 1, kolom 4: geen geldige YAML: een waarde mag niet beginnen met dit teken",
        ),
        (
            b"a: *x\n",
            "regel 1, kolom 4: geen geldige YAML: een verwijzing (*naam) naar iets dat niet bestaat",
        ),
        (b"a: \xff\n", "regel 1, kolom 4: geen geldige YAML: het bestand is geen UTF-8"),
        (
            b"- a\nb: 1\n",
            "regel 2, kolom 1: geen geldige YAML: hier verwachtte cloudtoets een nieuw onderdeel",
        ),
    ],
)
def test_yaml_errors_are_dutch_with_their_place(text: bytes, said: str) -> None:
    message = yaml_error(text)
    assert message.startswith(said), message
    assert not any(word in message.split(": ", 1)[1] for word in ENGLISH), message


def test_an_unclosed_list_says_where_it_began() -> None:
    assert yaml_error(b"a:\n  - [b,\n     c\nd: 1\n").endswith("(begonnen op regel 2)")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            b'{"a": 1,}',
            "regel 1, kolom 8: geen geldige JSON: na de laatste waarde staat een komma; haal die weg",
        ),
        (b'{"a" 1}', "regel 1, kolom 6: geen geldige JSON: na de naam ontbreekt een dubbele punt"),
        (
            b"{'a': 1}",
            "regel 1, kolom 2: geen geldige JSON: een naam staat niet tussen dubbele aanhalingstekens",
        ),
        (b'{"a":\n', "regel 2, kolom 1: geen geldige JSON: het bestand houdt halverwege op"),
        (
            b'{"a": tru}',
            "regel 1, kolom 7: geen geldige JSON: schrijf true, false of null met kleine letters",
        ),
        (b"", "regel 1, kolom 1: geen geldige JSON: het bestand is leeg"),
        (b'\n\n  {"a": [1,\n   }', "regel 4, kolom 4: geen geldige JSON: hier hoort een waarde"),
    ],
)
def test_json_errors_are_dutch_with_their_place(text: bytes, said: str) -> None:
    message = json_error(text)
    assert message.startswith(said), message
    assert not any(word in message for word in ENGLISH), message
