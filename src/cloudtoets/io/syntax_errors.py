"""A YAML or JSON file that cannot be parsed, said in Dutch: "Regel 4, kolom 7: ...".

The parsers' own English texts never reach the user. Each known problem gets a sentence that
says what is wrong and what to do; an unknown one gets a general sentence at the same place.
Lines and columns count from 1, as editors show them.
"""

from __future__ import annotations

from typing import Any

from cloudtoets.problems import Problem

_QUOTE = "zet de tekst tussen aanhalingstekens"
_TAB = "hier staat een tab; spring in met spaties"

# PyYAML's problem texts (their start) -> what to say
_YAML: tuple[tuple[str, str], ...] = (
    (
        "did not find expected ',' or ']'",
        "een lijst tussen [ en ] is niet goed afgesloten; zet een komma tussen de waarden "
        "en sluit af met ]",
    ),
    (
        "did not find expected ',' or '}'",
        "een object tussen { en } is niet goed afgesloten; zet een komma tussen de paren "
        "en sluit af met }",
    ),
    (
        "did not find expected key",
        "hier verwachtte cloudtoets een nieuwe naam (naam: waarde); controleer het inspringen "
        "van deze regel en de regel erboven",
    ),
    (
        "did not find expected '-' indicator",
        "hier verwachtte cloudtoets een nieuw onderdeel van een lijst (- ...); controleer het "
        "inspringen van deze regel",
    ),
    (
        "mapping values are not allowed",
        f"er staat een dubbele punt die hier niet mag; {_QUOTE} of controleer het inspringen",
    ),
    (
        "could not find expected ':'",
        "hier ontbreekt een dubbele punt na de naam (naam: waarde)",
    ),
    ("found a tab character", _TAB),
    (
        "found character that cannot start any token",
        f"een waarde mag niet beginnen met dit teken; {_QUOTE}",
    ),
    (
        "found unexpected end of stream",
        "het bestand houdt op in een tekst tussen aanhalingstekens; sluit de aanhalingstekens",
    ),
    ("found unknown escape character", f"onbekende code na een \\ in een tekst; {_QUOTE} ' '"),
    ("found undefined alias", "een verwijzing (*naam) naar iets dat niet bestaat; haal haar weg"),
    ("second occurrence", "dezelfde ankernaam (&naam) staat er twee keer; kies een andere naam"),
    (
        "but found another document",
        "het bestand bevat meer dan één document (---); zet alles in één document",
    ),
    (
        "did not find expected <document start>",
        "na het einde van het document staat nog tekst; haal die weg of controleer de haakjes",
    ),
    (
        "could not determine a constructor",
        f"onbekend label met !!; haal het weg of {_QUOTE}",
    ),
    ("expected <block end>", "het inspringen klopt niet; controleer deze regel"),
)
_YAML_IS = "geen geldige YAML: "  # the reader learns which format is meant
_YAML_OTHER = "controleer deze plek"

# orjson's messages (their start) -> what to say
_JSON: tuple[tuple[str, str], ...] = (
    ("trailing comma", "na de laatste waarde staat een komma; haal die weg"),
    ("unexpected character, expected ':'", "na de naam ontbreekt een dubbele punt"),
    ("unexpected character, expected ','", "hier ontbreekt een komma of een sluithaakje"),
    (
        "unexpected character, expected a string key",
        'een naam staat niet tussen dubbele aanhalingstekens ("naam")',
    ),
    (
        "unexpected character, expected a JSON value",
        'hier hoort een waarde: een tekst tussen "", een getal, true, false, null, [ of {',
    ),
    ("unexpected end of data", "het bestand houdt halverwege op; sluit alle haakjes en teksten"),
    ("unexpected content after document", "na het einde van het document staat nog tekst"),
    ("zero-length", "het bestand is leeg"),
    ("invalid literal", "schrijf true, false of null met kleine letters en zonder tikfout"),
    ("number with leading zero", "een getal mag niet met een 0 beginnen"),
    ("invalid escaped sequence", "onbekende code na een \\ in een tekst"),
    ("str is not valid UTF-8", "het bestand is geen UTF-8; sla het op als UTF-8"),
)
_JSON_IS = "geen geldige JSON: "
_JSON_OTHER = "controleer deze plek"


def _pick(table: tuple[tuple[str, str], ...], text: str, other: str) -> str:
    for start, said in table:
        if start in text:
            return said
    return other


def at(line: int, column: int, message: str) -> Problem:
    """A problem at line and column (from 1) of the file."""
    return Problem(f"regel {line}, kolom {column}", message)


def _line_column(data: bytes | str, position: int) -> tuple[int, int]:
    before = data[:position]
    newline = b"\n" if isinstance(before, bytes) else "\n"
    line = before.count(newline) + 1  # type: ignore[arg-type]
    column = position - (before.rfind(newline) + 1)  # type: ignore[arg-type]
    return line, column + 1


def _character_at(data: bytes | str, line: int, column: int) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    lines = text.split("\n")
    if line >= len(lines) or column >= len(lines[line]):
        return ""
    return lines[line][column]


def yaml_problem(error: Exception, data: bytes | str) -> Problem:
    """The Dutch problem for an exception of PyYAML while reading ``data``."""
    reason = getattr(error, "reason", None)
    if reason is not None:  # a ReaderError: bad bytes, no mark
        line, column = _line_column(data, int(getattr(error, "position", 0)))
        if "UTF-8" in str(reason) or "utf-8" in str(getattr(error, "encoding", "")):
            return at(line, column, _YAML_IS + "het bestand is geen UTF-8; sla het op als UTF-8")
        return at(line, column, _YAML_IS + "hier staat een onzichtbaar stuurteken; haal het weg")
    problem = str(getattr(error, "problem", "") or "")
    mark: Any = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    said = _pick(_YAML, problem, _YAML_OTHER)
    if mark is None:
        return Problem("", _YAML_IS + said)
    if _character_at(data, mark.line, mark.column) == "\t":  # PyYAML does not always say so
        said = _TAB
    begun: Any = getattr(error, "context_mark", None)
    context = str(getattr(error, "context", "") or "")
    opened = "flow" in context or "quoted" in context
    if opened and begun is not None and begun.line < mark.line:  # unclosed: where it began
        said += f" (begonnen op regel {begun.line + 1})"
    return at(mark.line + 1, mark.column + 1, _YAML_IS + said)


def json_problem(error: Any) -> Problem:
    """The Dutch problem for an ``orjson.JSONDecodeError`` (or ``json.JSONDecodeError``)."""
    said = _pick(_JSON, str(getattr(error, "msg", "")), _JSON_OTHER)
    return at(int(error.lineno), int(error.colno), _JSON_IS + said)
