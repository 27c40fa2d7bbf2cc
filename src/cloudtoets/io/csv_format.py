"""Registrations as CSV: one row per registration, the columns of the XLSX registrations sheet.

Input is UTF-8, with or without a byte order mark; the delimiter is ``,`` or ``;`` (what Dutch
Excel writes), taken from whichever occurs more in the header line. Cells are read as in
``io.tabular``. Organisations and providers come from side files (``read_csv_records``) or the
built-in catalogues; justifications do not fit in one row per registration, so CSV has none
(use XLSX, YAML or JSON to keep them).

Output is RFC 4180 (CRLF line ends, quotes where needed), UTF-8 without byte order mark, keys
as headers, booleans ``true``/``false``, dates ``JJJJ-MM-DD``, lists joined by ``, ``; an unknown
fact is an empty cell and a fact's known nothing (``[]``, the ``none`` code) is ``geen``. Text
that a spreadsheet program would run as a formula (starting with ``= + - @``, tab or carriage
return) gets a leading ``'`` (OWASP CSV injection); text that starts with ``'`` gets one more.
Reading removes exactly one such ``'`` again, so every value round-trips.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

from cloudtoets.domain.fields import FieldType
from cloudtoets.domain.labels import LIST_LABELS
from cloudtoets.domain.model import Inventory, Registration
from cloudtoets.io.tabular import (
    RECORD_CLASSES,
    TEXT_KINDS,
    Table,
    TableTooLarge,
    column_kinds,
    escape_formula,
    flag_unknown_columns,
    known_none,
    read_table,
)
from cloudtoets.io.validate import Locator
from cloudtoets.io.words import NONE_WORD
from cloudtoets.problems import InputError, Problem

SIDE_LISTS = ("organisations", "providers", "registrations")


def _text(path: Path) -> str:
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            source, [Problem("", "dit bestand bestaat niet; controleer de naam en de map")]
        ) from None
    except IsADirectoryError:
        raise InputError(source, [Problem("", "dit is een map; geef een bestand")]) from None
    except OSError as exc:
        raise InputError(
            source, [Problem("", f"kan het bestand niet lezen ({exc.strerror})")]
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        message = (
            "het bestand is geen UTF-8-tekst; "
            "sla het in Excel op als 'CSV UTF-8 (door komma's gescheiden)'"
        )
        raise InputError(source, [Problem("", message)]) from None


def _delimiter(text: str) -> str:
    header = text.lstrip("\r\n").split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _rows(text: str, source: str) -> Iterator[tuple[int, list[str]]]:
    """Numbered rows (number = the line the row starts on), without leading blank lines.

    One at a time: reading stops at the first row past the table's bounds (``read_table``).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=False)
    line = 0
    started = False
    try:
        for values in reader:
            start, line = line + 1, reader.line_num
            if values or started:
                started = True
                yield start, values
    except csv.Error as exc:
        problem = Problem(f"regel {reader.line_num}", f"onleesbare CSV ({exc})")
        raise InputError(source, [problem]) from None


def _table(path: Path, list_name: str) -> Table:
    source = str(path)
    try:
        table = read_table(_rows(_text(path), source), list_name, unescape=True)
    except TableTooLarge as exc:
        raise InputError(source, [Problem(f"regel {exc.row}", exc.message)]) from None
    flag_unknown_columns(table)  # validation reports each once, at the first row that fills it
    return table


def read_csv_document(path: Path | str) -> tuple[dict[str, Any], Locator]:
    """Registrations from a CSV file, and a locator naming line and column of each problem."""
    table = _table(Path(path), "registrations")

    def locate(list_name: str, index: int, field: str) -> str:
        if list_name != "registrations" or not 0 <= index < len(table.rows):
            where = f"{LIST_LABELS.get(list_name, list_name)} nr. {index + 1}"
            return f"{where}, veld {field}" if field else where
        where = f"regel {table.rows[index]}"
        return f"{where}, kolom {table.column_display(field)}" if field else where

    return {"registrations": table.records}, locate


def read_csv_records(path: Path | str, list_name: str) -> list[dict[str, Any]]:
    """The records of one list (organisations or providers, for CSV input) from a CSV file."""
    if list_name not in SIDE_LISTS or list_name not in RECORD_CLASSES:
        raise ValueError(f"no CSV format for {list_name!r}")
    return _table(Path(path), list_name).records


def _cell(registration: Registration, key: str, kind: FieldType) -> str:
    value: Any = registration
    for name in key.split("."):
        if value is None:
            return ""
        value = getattr(value, name)
    if value is None:
        return ""  # an unknown fact, or evidence not recorded
    if known_none(key, value):
        return NONE_WORD
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    if isinstance(value, StrEnum):
        value = value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return escape_formula(text) if kind.kind in TEXT_KINDS else text


def write_registrations_csv(inventory: Inventory, path: Path | str) -> None:
    """Write the registrations as CSV (RFC 4180, UTF-8). Justifications are not included."""
    kinds = column_kinds("registrations")
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(kinds)
        for registration in inventory.registrations:
            writer.writerow(_cell(registration, key, kind) for key, kind in kinds.items())
