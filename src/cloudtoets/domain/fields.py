"""What kind of value each field of the domain model holds, read from the dataclasses.

Both the condition language (which operators fit a field) and the inventory formats (how to read
a spreadsheet cell) need this; deriving it from the dataclasses keeps them in step with the model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, Union

Kind = Literal["bool", "text", "date", "int", "enum", "list", "object", "country"]


@dataclass(frozen=True, slots=True)
class FieldType:
    kind: Kind
    enum: type[StrEnum] | None = None  # for enum kinds and lists of enums
    item: Kind | None = None  # for lists


_COUNTRY_FIELDS = frozenset(
    {"storage_countries", "processing_countries", "country", "headquarters"}
)


def _field_type(name: str, annotation: Any) -> FieldType | type:
    """Map a dataclass annotation to a FieldType, or return a nested dataclass type."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _field_type(name, inner)
    if origin is Literal:
        return FieldType("int")
    if origin is list:
        (item,) = typing.get_args(annotation)
        if isinstance(item, type) and issubclass(item, StrEnum):
            return FieldType("list", enum=item, item="enum")
        if item is str:
            return FieldType("list", item="country" if name in _COUNTRY_FIELDS else "text")
        return FieldType("list", item="object")
    if annotation is bool:
        return FieldType("bool")
    if annotation is int:
        return FieldType("int")
    if annotation is str:
        return FieldType("country") if name in _COUNTRY_FIELDS else FieldType("text")
    if annotation is dt.date:
        return FieldType("date")
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return FieldType("enum", enum=annotation)
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return annotation
    raise TypeError(f"no condition kind for {name}: {annotation!r}")


def describe_fields(cls: type, prefix: str = "") -> dict[str, FieldType]:
    """Every field of a dataclass, nested ones as dotted paths, with its kind."""
    fields: dict[str, FieldType] = {}
    for name, annotation in typing.get_type_hints(cls).items():
        path = f"{prefix}{name}"
        resolved = _field_type(name, annotation)
        if isinstance(resolved, FieldType):
            fields[path] = resolved
        else:
            fields[path] = FieldType("object")
            fields.update(describe_fields(resolved, f"{path}."))
    return fields
