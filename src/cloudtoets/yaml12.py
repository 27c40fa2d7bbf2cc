"""YAML read as YAML 1.2 (core schema) with PyYAML.

PyYAML implements YAML 1.1, in which ``NO`` (Norway), ``yes`` and ``on`` are booleans and
``1:20`` is a sexagesimal number. Inventories are full of country codes, so booleans are only
``true``/``false`` here, integers and floats follow the 1.2 core schema, and ``2026-07-03`` is
still a date.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Yaml12Loader(_BASE):  # type: ignore[misc,valid-type]
    """SafeLoader with YAML 1.2 core-schema scalars."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in _BASE.yaml_implicit_resolvers.items()
}

_IMPLICIT = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
]
for _tag, _pattern, _first in _IMPLICIT:
    Yaml12Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _int_12(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _int_12)


def load_yaml(text: str | bytes) -> Any:
    """Parse one YAML 1.2 document."""
    return yaml.load(text, Loader=Yaml12Loader)
