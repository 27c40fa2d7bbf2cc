"""YAML read as YAML 1.2 (core schema) with PyYAML.

PyYAML implements YAML 1.1, in which ``NO`` (Norway), ``yes`` and ``on`` are booleans and
``1:20`` is a sexagesimal number. Inventories are full of country codes, so booleans are only
``true``/``false`` here, integers and floats follow the 1.2 core schema, and ``2026-07-03`` is
still a date.

Anchors and aliases (``&a`` and ``*a``) are kept within a budget. PyYAML shares an aliased node
instead of copying it, but everything after parsing (validation, output) walks each reference
again: nine levels of nine aliases are 600 bytes of text and 43 million values. ``load_yaml``
counts, after composing and before constructing anything, how many values the aliases add when
written out, and refuses the document beyond :data:`ALIAS_BUDGET` (see docs/security.md).
"""

from __future__ import annotations

import re
from typing import Any, Final

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


# How many values aliases may add to a document when written out. A value is a scalar, list or
# mapping; text counts once more per started TEXT_PER_VALUE characters, so one long text referred
# to many times counts too. Generous for sharing a list of countries or an exit plan between
# registrations, far below what slows a server down.
ALIAS_BUDGET: Final = 100_000
TEXT_PER_VALUE: Final = 100


class YamlTooComplex(ValueError):
    """Aliases that would expand beyond the budget, or refer to themselves; Dutch message."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line  # 1-based
        self.message = message
        super().__init__(f"regel {line}: {message}")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _weight(node: yaml.Node) -> int:
    if isinstance(node, yaml.ScalarNode):
        return 1 + len(node.value) // TEXT_PER_VALUE
    return 1


def check_aliases(root: yaml.Node, budget: int = ALIAS_BUDGET) -> None:
    """Raise YamlTooComplex when the aliases in a composed document add more than ``budget``
    values, or when a node contains itself.

    Every distinct node is visited once (its written-out size is remembered), so the work is
    proportional to the text, however far the aliases would expand.
    """
    sizes: dict[int, int] = {}  # id(node) -> its size written out, once known
    open_nodes: set[int] = set()  # nodes whose children are being counted
    added = 0
    stack: list[tuple[yaml.Node, yaml.Node, bool]] = [(root, root, False)]
    while stack:
        node, parent, counted = stack.pop()
        key = id(node)
        if counted:  # every child is known now
            sizes[key] = _weight(node) + sum(sizes[id(child)] for child in _children(node))
            open_nodes.discard(key)
            continue
        if key in sizes:  # a second reference: an alias, written out again
            added += sizes[key]
            if added > budget:
                shown = f"{budget:_}".replace("_", ".")  # 100.000, as written in Dutch
                raise YamlTooComplex(
                    parent.start_mark.line + 1,
                    "de verwijzingen naar ankers (*naam naar &naam) maken het document "
                    f"uitgeschreven te groot: meer dan {shown} extra waarden; "
                    "schrijf de waarden uit of gebruik minder verwijzingen",
                )
            continue
        if key in open_nodes:
            raise YamlTooComplex(
                parent.start_mark.line + 1,
                "een verwijzing (*naam) staat binnen haar eigen anker (&naam); "
                "haal de verwijzing weg",
            )
        children = _children(node)
        if not children:
            sizes[key] = _weight(node)
            continue
        open_nodes.add(key)
        stack.append((node, parent, True))
        stack.extend((child, node, False) for child in reversed(children))


def load_yaml(text: str | bytes) -> Any:
    """Parse one YAML 1.2 document; YamlTooComplex when its aliases go beyond the budget."""
    loader = Yaml12Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        # no anchor without an ampersand: most documents skip the count
        if (b"&" in text) if isinstance(text, bytes) else ("&" in text):
            check_aliases(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()
