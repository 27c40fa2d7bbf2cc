"""Which characters incoming text may hold: no NUL and no other control characters.

PostgreSQL text cannot hold NUL at all, and the other control characters (bell, escape, the
C1 range) have no place in an id, a name or a remark: they only hide text or break it. Tab,
line feed and carriage return are ordinary white space in free text and stay allowed. One rule
for every way in: the validation of inventories and forms (io/validate.py) and the query
parameters and paths of every request (http/deps.py).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(value: str) -> str | None:
    """The first forbidden control character of ``value`` as U+XXXX, or None."""
    found = _CONTROL.search(value)
    return None if found is None else f"U+{ord(found.group()):04X}"


def control_message(code: str) -> str:
    """The Dutch explanation for a text with control character ``code``."""
    return (
        f"deze tekst bevat een onzichtbaar stuurteken ({code}); haal het weg, bijvoorbeeld door "
        "de tekst opnieuw te typen in plaats van te plakken"
    )


def texts_with_control_characters(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted field path, character) for every string inside ``value`` (dataclasses, lists,
    dicts, strings) that holds a forbidden control character."""
    if isinstance(value, str):
        code = control_character(value)
        if code is not None:
            yield path, code
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            inner = getattr(value, field.name)
            yield from texts_with_control_characters(inner, _join(path, field.name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from texts_with_control_characters(item, _join(path, str(index)))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts_with_control_characters(key, path)
            yield from texts_with_control_characters(item, _join(path, str(key)))


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
