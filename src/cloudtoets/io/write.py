"""Write an inventory in any supported format, chosen by the file extension."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson
import yaml

from cloudtoets.domain.model import Inventory
from cloudtoets.problems import InputError, Problem


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return record_dict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    return value


def _is_default(field: dataclasses.Field[Any], value: Any) -> bool:
    if field.default is not dataclasses.MISSING:
        return bool(value == field.default)
    if field.default_factory is not dataclasses.MISSING:
        return bool(value == field.default_factory())
    return False


def record_dict(record: Any) -> dict[str, Any]:
    """A record as interface.md keys, leaving out defaults (they read back the same)."""
    return {
        field.name: _plain(getattr(record, field.name))
        for field in dataclasses.fields(record)
        if not _is_default(field, getattr(record, field.name))
    }


def inventory_document(inventory: Inventory) -> dict[str, Any]:
    return {
        "organisations": [record_dict(o) for o in inventory.organisations],
        "providers": [record_dict(p) for p in inventory.providers],
        "registrations": [record_dict(r) for r in inventory.registrations],
    }


def _iso(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value))


def write_inventory(inventory: Inventory, path: Path) -> None:
    """Write to .yaml/.yml, .json, .xlsx or .csv (registrations only)."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        text = yaml.safe_dump(inventory_document(inventory), allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
    elif suffix == ".json":
        path.write_bytes(
            orjson.dumps(inventory_document(inventory), option=orjson.OPT_INDENT_2, default=_iso)
        )
    elif suffix == ".xlsx":
        from cloudtoets.io.xlsx import write_inventory_xlsx

        write_inventory_xlsx(inventory, path)
    elif suffix == ".csv":
        from cloudtoets.io.csv_format import write_registrations_csv

        write_registrations_csv(inventory, path)
    else:
        raise InputError(
            str(path),
            [Problem("", "onbekend formaat om te schrijven; gebruik .yaml, .json, .xlsx of .csv")],
        )
