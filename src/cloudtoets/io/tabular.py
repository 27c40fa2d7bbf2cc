"""Rows of a spreadsheet or CSV file as the nested records the validation expects.

Shared by the XLSX and CSV formats. One list (organisations, providers, registrations or
justifications) is one table: a header row of column names, then one row per record.

Reading, per cell, by the kind of its column (``domain.fields.describe_fields``):

- headers match a key (``risk_assessment.date``) or its Dutch label (``Datum risicoafweging``),
  case-insensitively; dotted keys become nested objects, and a nested object with no filled cell
  stays absent;
- empty cells are absent: a fact (unknowns.md) is then unknown, anything else takes the model's
  default; in a fact's column the words ``onbekend`` and ``geen`` are passed on as text, for the
  validation to translate (``io.words``);
- booleans: TRUE/FALSE cells and the texts ja/nee, true/false, waar/onwaar (also 1/0);
- dates: date cells and ISO text ``JJJJ-MM-DD``; ints: whole numbers (90.0 is 90) and digit text;
- lists: split on ``,``, trimmed, empty items dropped;
- values of a controlled vocabulary are matched case-insensitively (``Public`` is ``public``);
- everything else is trimmed text; a number in a text column becomes text (123 -> "123").

A cell that cannot be read as its column's kind is not an error here: it is passed on as an
:class:`Unreadable`, which the one validation path (``io.validate``) then rejects with its
original text and the reader's location (sheet, row, column).

A table holds at most :data:`MAX_ROWS` records and :data:`MAX_COLUMNS` columns; beyond that
reading stops at once with :class:`TableTooLarge`, before it builds more records.

Read-only columns that the product's own exports add (see :data:`IGNORED_COLUMNS`) are accepted
and skipped, so an exported workbook can be read back. Any other unknown column is reported by
the format module: as a problem of its own (XLSX) or, via :func:`flag_unknown_columns`, as an
unknown field of the first record that fills it (CSV), so it goes through the validation too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from cloudtoets.domain import model
from cloudtoets.domain.fields import FieldType, describe_fields
from cloudtoets.domain.knowledge import LIST_FACTS, NONE_CODE
from cloudtoets.domain.labels import LABELS, LIST_LABELS, header_aliases
from cloudtoets.io.words import FACTS, NONE_CODES, word

# The dataclass behind each list; justifications carry one extra column naming their registration.
RECORD_CLASSES: Final[Mapping[str, type]] = {
    "organisations": model.Organisation,
    "providers": model.Provider,
    "registrations": model.Registration,
    "justifications": model.Justification,
}
JUSTIFICATION_REGISTRATION: Final = "registration"

# Columns the product's own exports add next to the inventory columns. They are results, not
# input: reading skips them (by key or Dutch label, case-insensitively), so an export reads back.
# Writers of such exports must use these keys or labels for their extra columns.
IGNORED_COLUMNS: Final[Mapping[str, str]] = {
    "verdict": "Oordeel",
    "deadline": "Termijn",
    "scope": "Reikwijdte",
    "public_cloud": "Publieke cloud",
    "material_reasons": "Redenen materieel",
    "jurisdictions": "Jurisdicties",
    "findings": "Bevindingen",
}

BOOLEAN_TEXTS: Final[Mapping[str, bool]] = {
    "ja": True,
    "nee": False,
    "true": True,
    "false": False,
    "waar": True,
    "onwaar": False,
}
# What writers put in boolean cells (XLSX): the Dutch words, which read back above.
YES: Final = "ja"
NO: Final = "nee"

# Values starting with one of these are formulas to a spreadsheet program (OWASP CSV injection).
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
# Kinds whose cells hold text, so the CSV formula escape applies to them.
TEXT_KINDS: Final = frozenset({"text", "enum", "country", "list"})
# Bounds of one table (sheet or CSV file); docs/security.md says why.
MAX_ROWS: Final = 100_000
MAX_COLUMNS: Final = 1_000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE = re.compile(r"[+-]?\d+")


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A cell that does not fit its column; validation rejects it and shows ``text``."""

    text: str

    def __repr__(self) -> str:
        return repr(self.text)


def _dutch_number(number: int) -> str:
    return f"{number:_}".replace("_", ".")


class TableTooLarge(ValueError):
    """A table beyond MAX_ROWS records or MAX_COLUMNS columns; ``row`` is where reading stopped."""

    def __init__(self, row: int, message: str) -> None:
        self.row = row
        self.message = message
        super().__init__(message)


def _too_wide(values: Sequence[object]) -> bool:
    return len(values) > MAX_COLUMNS and any(not is_empty(v) for v in values[MAX_COLUMNS:])


def _check_width(number: int, values: Sequence[object]) -> None:
    if _too_wide(values):
        raise TableTooLarge(
            number,
            f"deze rij heeft meer dan {_dutch_number(MAX_COLUMNS)} kolommen; "
            "haal de overbodige kolommen weg",
        )


def _is_column(kind: FieldType) -> bool:
    return kind.kind != "object" and not (kind.kind == "list" and kind.item == "object")


def column_kinds(list_name: str) -> dict[str, FieldType]:
    """The columns of one list, in the order of ``labels.LABELS``, with their kinds."""
    fields = describe_fields(RECORD_CLASSES[list_name])
    kinds: dict[str, FieldType] = {}
    for key in LABELS[list_name]:
        if key == JUSTIFICATION_REGISTRATION and list_name == "justifications":
            kinds[key] = FieldType("text")
        else:
            kinds[key] = fields[key]
    return kinds


def required_columns(list_name: str) -> frozenset[str]:
    """Columns without a default: a record must fill them."""
    required = {
        f.name
        for f in dataclasses.fields(RECORD_CLASSES[list_name])
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    if list_name == "justifications":
        required.add(JUSTIFICATION_REGISTRATION)
    return frozenset(required)


def column_display(list_name: str, key: str) -> str:
    """How messages name a column: Dutch label with the key, e.g. ``Inzetmodel (deployment)``."""
    label = LABELS.get(list_name, {}).get(key)
    return f"{label[0]} ({key})" if label else key


def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def known_none(key: str, value: object, list_name: str = "registrations") -> bool:
    """Whether a value is a fact's known "nothing", which a cell shows as ``geen``.

    Only facts have one: a provider's own ``subprocessors`` is a plain list (empty is none),
    though a registration's is a fact.
    """
    if key not in FACTS.get(list_name, frozenset()):
        return False
    if key in LIST_FACTS:
        return value == []
    return key in NONE_CODES and value == NONE_CODE


# ---------------------------------------------------------------------------------------------
# Cells -> values


def _shown(raw: object) -> str:
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def unescape_formula(text: str) -> str:
    """Undo :func:`escape_formula` (CSV)."""
    if len(text) > 1 and text[0] == "'" and (text[1] == "'" or text.startswith(FORMULA_STARTS, 1)):
        return text[1:]
    return text


def escape_formula(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would run as a formula, reversibly (CSV).

    Text that already starts with ``'`` gets one more, so :func:`unescape_formula` restores
    every value exactly.
    """
    if text.startswith((*FORMULA_STARTS, "'")):
        return "'" + text
    return text


def _text(raw: object, unescape: bool) -> str | Unreadable | None:
    if isinstance(raw, bool):
        return Unreadable(_shown(raw))
    if isinstance(raw, str):
        text = raw.strip()
        if unescape:
            text = unescape_formula(text)
        return text or None
    if isinstance(raw, dt.datetime) and raw.time() == dt.time():
        return raw.date().isoformat()
    return _shown(raw)


def _bool(raw: object) -> bool | Unreadable:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    value = BOOLEAN_TEXTS.get(_shown(raw).casefold())
    return Unreadable(_shown(raw)) if value is None else value


def _date(raw: object) -> dt.date | Unreadable:
    if isinstance(raw, dt.datetime):
        return raw.date()  # a date cell that also carries a time of day
    if isinstance(raw, dt.date):
        return raw
    text = _shown(raw)
    if isinstance(raw, str) and _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    return Unreadable(text)  # never a number: validation would take it for a Unix timestamp


def _int(raw: object) -> int | Unreadable:
    if isinstance(raw, bool):
        return Unreadable(_shown(raw))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = _shown(raw)
    if isinstance(raw, str) and _WHOLE.fullmatch(text):
        return int(text)
    return Unreadable(text)


def _vocabulary(kind: FieldType) -> dict[str, str]:
    return {member.value.casefold(): member.value for member in kind.enum or ()}


def convert(raw: object, kind: FieldType, *, unescape: bool = False) -> Any:
    """One cell as the value of its column's kind; None when the cell is empty."""
    if is_empty(raw):
        return None
    match kind.kind:
        case "bool":
            return _bool(raw)
        case "date":
            return _date(raw)
        case "int":
            return _int(raw)
        case "list":
            text = _text(raw, unescape)
            if not isinstance(text, str):
                return text
            items = [item.strip() for item in text.split(",")]
            vocabulary = _vocabulary(kind)
            values = [vocabulary.get(item.casefold(), item) for item in items if item]
            return values or None
        case "enum":
            text = _text(raw, unescape)
            return _vocabulary(kind).get(text.casefold(), text) if isinstance(text, str) else text
        case _:
            return _text(raw, unescape)


# ---------------------------------------------------------------------------------------------
# Rows -> records


@dataclass(frozen=True, slots=True)
class Column:
    position: int  # 0-based place in the row
    key: str  # field path
    kind: FieldType


@dataclass(frozen=True, slots=True)
class UnknownColumn:
    """A header that is not a column of this list (or a second column for the same key)."""

    position: int
    header: str
    key: str  # the record key it gets when flagged via flag_unknown_columns
    display: str
    duplicate_of: str | None = None


@dataclass(slots=True)
class Table:
    """The records of one list, with what a locator needs to point back into the file."""

    list_name: str
    records: list[dict[str, Any]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # row (line) number of each record
    unknown_columns: list[UnknownColumn] = field(default_factory=list)
    _first_values: dict[int, tuple[int, object]] = field(default_factory=dict)
    _displays: dict[str, str] = field(default_factory=dict)

    def column_display(self, field_path: str) -> str:
        """The column a field path (``functions.1``, ``exit_plan.planned.lead_time_days``) is in."""
        parts = field_path.split(".")
        while parts:  # functions.1 (the second item) is in column functions
            path = ".".join(parts)
            display = self._displays.get(path)
            if display is None and path in LABELS[self.list_name]:
                display = column_display(self.list_name, path)  # a column the file lacks
            if display is not None:
                return display
            parts.pop()
        return field_path


def _set(record: dict[str, Any], path: str, value: object) -> None:
    *parents, leaf = path.split(".")
    for name in parents:
        record = record.setdefault(name, {})
    record[leaf] = value


def _header(cell: object) -> str:
    return "" if cell is None else _shown(cell)


def read_table(
    rows: Iterable[tuple[int, Sequence[object]]],
    list_name: str,
    *,
    unescape: bool = False,
) -> Table:
    """Turn numbered rows (the first is the header row) into records of ``list_name``.

    Fully empty rows are skipped. ``unescape`` undoes the formula escape of CSV exports.
    """
    table = Table(list_name)
    kinds = column_kinds(list_name)
    facts = FACTS.get(list_name, frozenset())
    aliases = header_aliases(list_name)
    ignored = {name.casefold() for pair in IGNORED_COLUMNS.items() for name in pair}
    reserved = {f.name for f in dataclasses.fields(RECORD_CLASSES[list_name])}
    iterator = iter(rows)
    try:
        number, header_row = next(iterator)
    except StopIteration:
        return table
    _check_width(number, header_row)
    header_row = header_row[:MAX_COLUMNS]  # beyond it every row is empty (_check_width)

    columns: list[Column] = []
    ignored_positions: set[int] = set()
    empty_headers: dict[int, str] = {}
    used_keys: set[str] = set()
    for position, cell in enumerate(header_row):
        header = _header(cell)
        key = aliases.get(header.casefold())
        if not header:
            empty_headers[position] = f"kolom {position + 1}"
        elif header.casefold() in ignored:
            ignored_positions.add(position)
        elif key is not None and key not in table._displays:
            columns.append(Column(position, key, kinds[key]))
            table._displays[key] = column_display(list_name, key)
        else:
            record_key = header
            if record_key in reserved or record_key in used_keys:
                record_key = f"{header} (kolom {position + 1})"
            used_keys.add(record_key)
            display = header
            if key is not None:
                display = f"{header} ({key}, dubbele kolom)"
            table.unknown_columns.append(UnknownColumn(position, header, record_key, display, key))
            table._displays[record_key] = display

    # unknown columns and columns without a header: the first value in each is remembered
    watched = sorted({*(u.position for u in table.unknown_columns), *empty_headers})
    for number, values in iterator:
        if all(is_empty(value) for value in values):
            continue
        _check_width(number, values)
        if len(table.records) == MAX_ROWS:
            raise TableTooLarge(
                number,
                f"meer dan {_dutch_number(MAX_ROWS)} {LIST_LABELS[list_name]} in één bestand; "
                "verdeel ze over meer bestanden of gebruik JSON",
            )
        record: dict[str, Any] = {}
        for column in columns:
            raw = values[column.position] if column.position < len(values) else None
            if column.key in facts and isinstance(raw, str) and word(raw) is not None:
                value: Any = raw.strip()
            else:
                value = convert(raw, column.kind, unescape=unescape)
            if value is not None:
                _set(record, column.key, value)
        index = len(table.records)
        filled = []
        for position in watched:  # in order: a row ends before the positions after it
            if position >= len(values):
                break
            if not is_empty(values[position]):
                table._first_values[position] = (index, values[position])
                filled.append(position)
        if filled:
            watched = [position for position in watched if position not in filled]
        table.records.append(record)
        table.rows.append(number)

    for position, name in empty_headers.items():
        if position in table._first_values:  # an empty header above filled cells
            display = f"nr. {position + 1} (zonder kop)"
            table.unknown_columns.append(UnknownColumn(position, "", name, display))
            table._displays[name] = display
    return table


def flag_unknown_columns(table: Table) -> None:
    """Put each unknown column into the first record that fills it (or the first record).

    Validation then reports it once, as an unknown field at that row and column.
    """
    if not table.records:
        return
    for column in table.unknown_columns:
        index, raw = table._first_values.get(column.position, (0, None))
        table.records[index][column.key] = None if raw is None else _shown(raw)
