"""The inventory as an Excel workbook (.xlsx): reading, writing and the empty template.

One sheet per list (``organisations``, ``providers``, ``registrations``; Dutch names
``organisaties``, ``leveranciers``, ``registraties`` are accepted too) and ``justifications``
(``afwijkingen``) with one row per justification, tied to its registration by the
``registration`` column. Row 1 holds the column keys; each header cell has a comment with the
Dutch label and explanation, and the ``toelichting`` sheet explains every column.

Choices:

- booleans are written as the texts ``ja``/``nee`` with a drop-down; on input TRUE/FALSE cells
  and ja/nee/true/false/waar/onwaar text are all read (see ``io.tabular``);
- text that a spreadsheet would run as a formula (starting with ``= + - @``, tab or carriage
  return) is written as a text cell with Excel's quote prefix (the ``'`` Excel shows when you
  type ``'=1+1``): Excel shows it as text and keeps it text when edited, and the stored value
  reads back unchanged;
- the drop-down lists live on a hidden sheet ``keuzelijsten`` (an inline list may hold at most
  255 characters, too few for the countries); ``toelichting`` and ``keuzelijsten`` are skipped on
  input, any other unknown sheet is a problem;
- an object whose fields are all empty (``notification`` without date and recipient, an exit
  scenario without lead time and preconditions) cannot be told apart from a missing one, so it
  reads back as missing; a list item that contains a comma reads back as two items.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook as WorkbookType
from openpyxl.worksheet.datavalidation import DataValidation

from cloudtoets.domain.countries import ISO_COUNTRY_CODES
from cloudtoets.domain.fields import FieldType
from cloudtoets.domain.model import Inventory
from cloudtoets.io.labels import LABELS, LIST_LABELS
from cloudtoets.io.tabular import (
    FORMULA_STARTS,
    JUSTIFICATION_REGISTRATION,
    NO,
    YES,
    Table,
    column_display,
    column_kinds,
    is_empty,
    read_table,
    required_columns,
)
from cloudtoets.io.validate import Locator, validate_document
from cloudtoets.problems import InputError, Problem

MAX_FILE_BYTES: Final = 20 * 1024 * 1024
MAX_UNPACKED_BYTES: Final = 200 * 1024 * 1024  # against zip bombs: 20 MB packed is plenty
TEMPLATE_ROWS: Final = 2000  # rows with drop-downs below the last record
LISTS: Final = ("organisations", "providers", "registrations", "justifications")
SHEET_NAMES: Final[Mapping[str, str]] = {
    **{name: name for name in LISTS},
    **{dutch: name for name, dutch in LIST_LABELS.items()},
}
EXPLANATION_SHEET: Final = "toelichting"
CHOICES_SHEET: Final = "keuzelijsten"
IGNORED_SHEETS: Final = frozenset({EXPLANATION_SHEET, CHOICES_SHEET})
DATE_FORMAT: Final = "yyyy-mm-dd"

_SAVE_AS = "sla het werkboek op als Excel-werkmap (.xlsx) zonder macro's"
_UNKNOWN_SHEET = (
    "onbekend blad; gebruik de bladen organisations, providers, registrations en justifications "
    "(of organisaties, leveranciers, registraties en afwijkingen), of haal het blad weg"
)
_NO_SHEETS = (
    "geen blad organisations, providers of registrations gevonden; "
    "begin met het sjabloon (cloudtoets template)"
)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


# ---------------------------------------------------------------------------------------------
# Reading


def _refuse(source: str, message: str) -> InputError:
    return InputError(source, [Problem("", message)])


def _read_bytes(path: Path, source: str) -> bytes:
    suffix = path.suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlsb"):
        raise _refuse(source, f"werkboeken met macro's ({suffix}) lezen we niet; {_SAVE_AS}")
    if suffix == ".xls":
        raise _refuse(source, f"het oude Excel-formaat .xls lezen we niet; {_SAVE_AS}")
    if suffix != ".xlsx":
        raise _refuse(source, f"dit is geen .xlsx-bestand; {_SAVE_AS}")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            raise _refuse(
                source,
                f"het bestand is groter dan {limit} MB; "
                "verdeel de inventaris over meer bestanden of gebruik CSV",
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise _refuse(source, "dit bestand bestaat niet; controleer de naam en de map") from None
    except IsADirectoryError:
        raise _refuse(source, "dit is een map; geef een bestand") from None
    except OSError as exc:
        raise _refuse(source, f"kan het bestand niet lezen ({exc.strerror})") from None


_NOT_A_WORKBOOK = (
    "dit is geen geldig Excel-werkboek (.xlsx) of het bestand is beschadigd; "
    "open het in Excel en sla het opnieuw op als Excel-werkmap (.xlsx)"
)


def _open_workbook(data: bytes, source: str) -> WorkbookType:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _refuse(source, _NOT_A_WORKBOOK) from None
    names = {member.filename.lower() for member in members}
    if any(name.endswith("vbaproject.bin") for name in names):
        raise _refuse(source, f"dit werkboek bevat macro's; {_SAVE_AS}")
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise _refuse(
            source, "het werkboek is uitgepakt te groot; verdeel de inventaris over meer bestanden"
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on broken files; none may reach the user
        raise _refuse(source, _NOT_A_WORKBOOK) from None


def _numbered_rows(sheet: Any) -> Iterator[tuple[int, Sequence[object]]]:
    sheet.reset_dimensions()  # stored dimensions may be wrong; read every row that is there
    yield from enumerate(sheet.iter_rows(values_only=True), start=1)


def _has_values(sheet: Any) -> bool:
    return any(not is_empty(value) for _, row in _numbered_rows(sheet) for value in row)


class _Workbook:
    """The tables of one workbook, and where each record came from."""

    def __init__(self) -> None:
        self.tables: dict[str, Table] = {}
        self.sheets: dict[str, str] = {}  # list name -> sheet title
        self.justification_rows: dict[tuple[int, int], int] = {}  # (registration, nr) -> jrow
        self.problems: list[Problem] = []

    def place(self, list_name: str, index: int, field: str = "") -> str:
        table = self.tables.get(list_name)
        if table is None or not 0 <= index < len(table.rows):
            where = f"{LIST_LABELS.get(list_name, list_name)} nr. {index + 1}"
        else:
            where = f"blad {self.sheets[list_name]}, rij {table.rows[index]}"
        if field:
            shown = table.column_display(field) if table else column_display(list_name, field)
            return f"{where}, kolom {shown}"
        return where

    def locate(self, list_name: str, index: int, field: str) -> str:
        if list_name == "registrations" and field.startswith("justifications."):
            _, number, *rest = field.split(".", 2)
            row = self.justification_rows.get((index, int(number))) if number.isdigit() else None
            if row is not None:
                return self.place("justifications", row, rest[0] if rest else "")
        return self.place(list_name, index, field)


def _read_sheets(workbook: WorkbookType, state: _Workbook) -> None:
    for sheet in workbook.worksheets:
        name = sheet.title.strip().casefold()
        if name in IGNORED_SHEETS:
            continue
        list_name = SHEET_NAMES.get(name)
        if list_name is None:
            if not _has_values(sheet):  # an empty Blad1 that Excel made
                continue
            state.problems.append(Problem(f"blad {sheet.title}", _UNKNOWN_SHEET))
            continue
        if list_name in state.tables:
            first = state.sheets[list_name]
            state.problems.append(
                Problem(
                    f"blad {sheet.title}",
                    f"blad {first} bevat al de {LIST_LABELS[list_name]}; zet ze op één blad",
                )
            )
            continue
        table = read_table(_numbered_rows(sheet), list_name)
        state.tables[list_name] = table
        state.sheets[list_name] = sheet.title
        for unknown in table.unknown_columns:
            where = f"blad {sheet.title}, kolom {get_column_letter(unknown.position + 1)}"
            if unknown.duplicate_of is not None:
                shown = column_display(list_name, unknown.duplicate_of)
                message = f"de kolom {shown} staat er twee keer; haal er één weg"
                where += f" ({unknown.header})"
            elif not unknown.header:
                message = (
                    "deze kolom heeft geen naam maar wel waarden; "
                    f"geef de kolom een naam uit blad {EXPLANATION_SHEET} of maak hem leeg"
                )
            else:
                message = (
                    "onbekende kolom; haal de kolom weg "
                    f"of gebruik een kolomnaam uit blad {EXPLANATION_SHEET}"
                )
                where += f" ({unknown.header})"
            state.problems.append(Problem(where, message))
    if not state.tables:
        state.problems.append(Problem("", _NO_SHEETS))


def _attach_justifications(document: dict[str, Any], state: _Workbook) -> None:
    table = state.tables.get("justifications")
    if table is None:
        return
    registrations: list[dict[str, Any]] = document.setdefault("registrations", [])
    by_id: dict[str, int] = {}
    for index, record in enumerate(registrations):
        record_id = record.get("id")
        if isinstance(record_id, str):
            by_id.setdefault(record_id, index)
    sheet = state.sheets.get("registrations", "registrations")
    for row, record in enumerate(table.records):
        registration = record.pop(JUSTIFICATION_REGISTRATION, None)
        owner = by_id.get(registration) if isinstance(registration, str) else None
        if owner is None:
            where = state.place("justifications", row, JUSTIFICATION_REGISTRATION)
            message = (
                "vul het kenmerk (id) in van de registratie waarvoor de afwijking geldt"
                if registration is None
                else f"onbekende registratie {registration!r}; "
                f"gebruik het kenmerk (id) van een registratie op blad {sheet}"
            )
            state.problems.append(Problem(where, message))
            continue
        justifications: list[dict[str, Any]] = registrations[owner].setdefault("justifications", [])
        state.justification_rows[(owner, len(justifications))] = row
        justifications.append(record)


def read_xlsx_document(path: Path | str) -> tuple[dict[str, Any], Locator]:
    """Read an inventory workbook into a plain document and a locator for its problems.

    Problems of the workbook itself (unknown sheets or columns, a justification for an unknown
    registration) are raised at once with every problem of the records, as one InputError.
    """
    path = Path(path)
    source = str(path)
    workbook = _open_workbook(_read_bytes(path, source), source)
    state = _Workbook()
    try:
        _read_sheets(workbook, state)
    except Exception:  # read-only mode parses sheets while iterating
        raise _refuse(source, _NOT_A_WORKBOOK) from None
    finally:
        workbook.close()

    document: dict[str, Any] = {
        name: state.tables[name].records for name in LISTS[:3] if name in state.tables
    }
    _attach_justifications(document, state)
    locate: Locator = state.locate
    if state.problems:
        problems = list(state.problems)
        try:
            validate_document(document, source, locate=locate)
        except InputError as exc:
            problems += exc.problems
        raise InputError(source, problems)
    return document, locate


# ---------------------------------------------------------------------------------------------
# Writing


def _or_join(values: Sequence[str]) -> str:
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} of {values[-1]}"


def allowed_values(key: str, kind: FieldType) -> str:
    """What a column accepts, in words (for the comments and the toelichting sheet)."""
    codes = [member.value for member in kind.enum or ()]
    match kind.kind, kind.item:
        case "bool", _:
            return "ja of nee"
        case "date", _:
            return "een datum: JJJJ-MM-DD, bijvoorbeeld 2026-07-03"
        case "int", _:
            return "1, 2, 3 of 4" if key == "tbb_level" else "een geheel getal, 0 of meer"
        case "enum", _:
            return _or_join(codes)
        case "country", _:
            return "een ISO-landcode, zoals NL, DE of US"
        case "list", "enum":
            return f"een of meer van: {', '.join(codes)} (gescheiden door komma's)"
        case "list", "country":
            return "ISO-landcodes gescheiden door komma's, bijvoorbeeld NL, DE"
        case "list", _:
            return "tekst; meer waarden gescheiden door komma's"
        case _:
            return "tekst"


def _value(obj: object, key: str, kind: FieldType) -> object:
    """The cell value of one column for one record; None for an empty cell."""
    value: Any = obj
    for name in key.split("."):
        if value is None:
            return None
        value = getattr(value, name)
    if value is None:
        return None
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value) or None  # XML cannot hold control characters
    return value  # int, date


def _style_cell(cell: Cell, kind: FieldType) -> None:
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # openpyxl made "=..." a formula; store it as the text it is
        cell.quotePrefix = True  # and let Excel keep it text when someone edits the cell
    elif kind.kind == "date" and isinstance(cell.value, dt.date):
        cell.number_format = DATE_FORMAT


class _Choices:
    """The hidden sheet with the values of every drop-down list."""

    def __init__(self, workbook: Workbook) -> None:
        self.sheet = workbook.create_sheet(CHOICES_SHEET)
        self.sheet.sheet_state = "hidden"
        self.ranges: dict[str, str] = {}

    def range_for(self, name: str, values: Sequence[str]) -> str:
        if name not in self.ranges:
            column = len(self.ranges) + 1
            self.sheet.cell(row=1, column=column, value=name)
            for row, value in enumerate(values, start=2):
                self.sheet.cell(row=row, column=column, value=value)
            letter = get_column_letter(column)
            self.ranges[name] = f"{CHOICES_SHEET}!${letter}$2:${letter}${len(values) + 1}"
        return self.ranges[name]


def _validation(key: str, kind: FieldType, choices: _Choices) -> DataValidation | None:
    """The drop-down or number check of one column, or None for free text."""
    codes: list[str] = [member.value for member in kind.enum or ()]
    if kind.kind == "country" or kind.item == "country":
        codes = sorted(ISO_COUNTRY_CODES)
    strict = True
    if kind.kind == "bool":
        validation = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    elif kind.kind == "int":
        low, high = ("1", "4") if key == "tbb_level" else ("0", "100000")
        validation = DataValidation(
            type="whole", operator="between", formula1=low, formula2=high, allow_blank=True
        )
    elif codes and kind.kind in ("enum", "country", "list"):
        name = kind.enum.__name__ if kind.enum else "country"
        validation = DataValidation(
            type="list", formula1=choices.range_for(name, codes), allow_blank=True
        )
        strict = kind.kind != "list"  # a list cell may hold more values, separated by commas
    else:
        return None
    allowed = allowed_values(key, kind)
    validation.showErrorMessage = strict
    validation.errorTitle = "Ongeldige waarde"
    validation.error = f"Kies {allowed}. Zie ook het blad {EXPLANATION_SHEET}."[:255]
    validation.showInputMessage = not strict
    if not strict:
        validation.promptTitle = "Een of meer waarden"
        validation.prompt = (
            "Kies een waarde uit de lijst, of typ meer waarden gescheiden door komma's."
        )
    return validation


def _header_comment(list_name: str, key: str, kind: FieldType) -> Comment:
    label, explanation = LABELS[list_name][key]
    text = f"{label}\n\n{explanation}\n\nToegestaan: {allowed_values(key, kind)}"
    if key in required_columns(list_name):
        text += "\nVerplicht."
    return Comment(text, "cloudtoets", width=320, height=160)


def _write_sheet(
    workbook: Workbook, list_name: str, rows: list[list[object]], choices: _Choices, last_row: int
) -> None:
    sheet = workbook.create_sheet(list_name)
    kinds = column_kinds(list_name)
    widths = [len(key) for key in kinds]
    for position, (key, kind) in enumerate(kinds.items(), start=1):
        cell = sheet.cell(row=1, column=position, value=key)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.comment = _header_comment(list_name, key, kind)
    kind_list = list(kinds.values())
    for number, values in enumerate(rows, start=2):
        for position, (value, kind) in enumerate(zip(values, kind_list, strict=True)):
            if value is None:
                continue
            cell = sheet.cell(row=number, column=position + 1, value=value)
            _style_cell(cell, kind)
            width = 10 if isinstance(value, dt.date) else len(str(value))
            widths[position] = max(widths[position], width)
    for position, (key, kind) in enumerate(kinds.items(), start=1):
        letter = get_column_letter(position)
        dimension = sheet.column_dimensions[letter]
        dimension.width = min(max(widths[position - 1] + 2, 12), 60)
        if kind.kind == "date":
            dimension.number_format = DATE_FORMAT  # dates typed later show as JJJJ-MM-DD too
        validation = _validation(key, kind, choices)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(kinds))}{max(len(rows) + 1, 2)}"


def _records(inventory: Inventory, list_name: str) -> list[list[object]]:
    kinds = column_kinds(list_name)
    if list_name == "justifications":
        return [
            [
                _value(registration, "id", kind)
                if key == JUSTIFICATION_REGISTRATION
                else _value(j, key, kind)
                for key, kind in kinds.items()
            ]
            for registration in inventory.registrations
            for j in registration.justifications
        ]
    records: list[Any] = getattr(inventory, list_name)
    return [[_value(record, key, kind) for key, kind in kinds.items()] for record in records]


_INTRODUCTION = (
    "Toelichting bij de cloudinventaris",
    "Vul op elk blad één regel in per organisatie, leverancier, cloudgebruik (registratie) "
    "of afwijking.",
    "Laat de eerste regel van elk blad staan: daar staan de kolomnamen. "
    "Ga met de muis op een kolomnaam staan voor uitleg.",
    "Een lege cel betekent: niet ingevuld. Dan geldt de standaardwaarde.",
    "Ja/nee-vragen: kies ja of nee. Datums: schrijf JJJJ-MM-DD, bijvoorbeeld 2026-07-03.",
    "Meer waarden in één cel: zet er komma's tussen, bijvoorbeeld NL, DE.",
    "Staat een organisatie of leverancier al in de ingebouwde catalogus, "
    "dan hoeft u die niet op te nemen.",
    "Een afwijking (blad justifications) hoort bij één registratie: "
    "vul in de kolom registration het kenmerk van die registratie in.",
    "Kolommen met uitkomsten van een toets (zoals Oordeel en Termijn) "
    "worden bij het inlezen overgeslagen.",
)
_EXPLANATION_HEADER = ("Blad", "Kolom", "Naam", "Uitleg", "Verplicht", "Toegestane waarden")


def _write_explanation(workbook: Workbook, lists: Sequence[str]) -> None:
    sheet = workbook.create_sheet(EXPLANATION_SHEET, 0)
    for row, line in enumerate(_INTRODUCTION, start=1):
        font = Font(bold=True, size=14) if row == 1 else Font()
        sheet.cell(row=row, column=1, value=line).font = font
    header_row = len(_INTRODUCTION) + 2
    for position, title in enumerate(_EXPLANATION_HEADER, start=1):
        cell = sheet.cell(row=header_row, column=position, value=title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    row = header_row
    for list_name in lists:
        required = required_columns(list_name)
        for key, kind in column_kinds(list_name).items():
            row += 1
            label, explanation = LABELS[list_name][key]
            mandatory = YES if key in required else NO
            values = (list_name, key, label, explanation, mandatory, allowed_values(key, kind))
            for position, value in enumerate(values, start=1):
                sheet.cell(row=row, column=position, value=value).alignment = _WRAP
    for letter, width in zip("ABCDEF", (16, 36, 34, 70, 10, 50), strict=True):
        sheet.column_dimensions[letter].width = width


def write_inventory_xlsx(
    inventory: Inventory,
    path: Path | str,
    *,
    justifications: bool = True,
    extra_rows: int = TEMPLATE_ROWS,
) -> None:
    """Write an inventory as a workbook that reads back into the same inventory.

    ``justifications=False`` leaves out the justifications sheet (and so the justifications).
    Drop-downs and number checks cover ``extra_rows`` rows below the last record.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    choices = _Choices(workbook)
    lists = [name for name in LISTS if justifications or name != "justifications"]
    for list_name in lists:
        rows = _records(inventory, list_name)
        _write_sheet(workbook, list_name, rows, choices, last_row=len(rows) + 1 + extra_rows)
    _write_explanation(workbook, lists)
    last = len(workbook.sheetnames) - 1
    workbook.move_sheet(choices.sheet, offset=last - workbook.index(choices.sheet))
    workbook.active = 0
    workbook.save(Path(path))


def write_template(path: Path | str) -> None:
    """The empty inventory workbook, with drop-downs for the first TEMPLATE_ROWS rows."""
    write_inventory_xlsx(Inventory(), path)
