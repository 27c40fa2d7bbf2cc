"""Write an inventory, or the empty template, as an annotated workbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cloudtoets.domain.countries import ISO_COUNTRY_CODES
from cloudtoets.domain.fields import FieldType
from cloudtoets.domain.knowledge import NEVER_EMPTY, NONE_CODE
from cloudtoets.domain.labels import LABELS
from cloudtoets.domain.model import Inventory
from cloudtoets.io.tabular import (
    FORMULA_STARTS,
    JUSTIFICATION_REGISTRATION,
    NO,
    YES,
    column_kinds,
    known_none,
    required_columns,
)
from cloudtoets.io.words import FACTS, NONE_CODES, NONE_WORD, UNKNOWN_WORD, has_none
from cloudtoets.io.xlsx.common import CHOICES_SHEET, DATE_FORMAT, EXPLANATION_SHEET, LISTS

TEMPLATE_ROWS: Final = 2000  # rows with drop-downs below the last record
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", start_color="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


# ---------------------------------------------------------------------------------------------
# Writing


def _or_join(values: Sequence[str]) -> str:
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} of {values[-1]}"


def _is_fact(key: str, list_name: str) -> bool:
    """A fact (unknowns.md) may be onbekend; a provider's own subprocessors are no fact."""
    return key in FACTS.get(list_name, frozenset())


def _codes(key: str, kind: FieldType) -> list[str]:
    """The codes of an enum column as a cell shows them: a fact's none code as ``geen``."""
    return [
        NONE_WORD if member.value == NONE_CODE and key in NONE_CODES else member.value
        for member in kind.enum or ()
    ]


def allowed_values(key: str, kind: FieldType, list_name: str = "registrations") -> str:
    """What a column accepts, in words (for the comments and the toelichting sheet)."""
    text = _allowed(key, kind)
    if not _is_fact(key, list_name):
        return text
    if has_none(key) and key not in NONE_CODES | NEVER_EMPTY:  # a list's none: not a code
        text += f"; {NONE_WORD} als er geen zijn"
    return f"{text}; {UNKNOWN_WORD} (of leeg) als u het niet weet"


def _allowed(key: str, kind: FieldType) -> str:
    codes = _codes(key, kind)
    match kind.kind, kind.item:
        case "bool", _:
            return "ja of nee"
        case "date", _:
            return "een datum: JJJJ-MM-DD, bijvoorbeeld 2026-07-03"
        case "int", _:
            if key == "tbb_level":
                return f"1, 2, 3, 4 of {NONE_WORD} (geen TBB-niveau)"
            return "een geheel getal, 0 of meer"
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


def _value(obj: object, key: str, kind: FieldType, list_name: str = "registrations") -> object:
    """The cell value of one column for one record; None for an empty cell."""
    value: Any = obj
    for name in key.split("."):
        if value is None:
            return None
        value = getattr(value, name)
    if value is None:
        return None  # an unknown fact, or evidence not recorded: an empty cell
    if known_none(key, value, list_name):
        return NONE_WORD
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


def _validation(
    key: str, kind: FieldType, choices: _Choices, list_name: str
) -> DataValidation | None:
    """The drop-down or number check of one column, or None for free text.

    A fact's drop-down also offers onbekend, and geen where the fact has a known "nothing".
    """
    codes = _codes(key, kind)
    if kind.kind == "country" or kind.item == "country":
        codes = sorted(ISO_COUNTRY_CODES)
    words: list[str] = []
    if _is_fact(key, list_name):
        if kind.kind == "list" and has_none(key) and key not in NEVER_EMPTY:
            words.append(NONE_WORD)
        words.append(UNKNOWN_WORD)
    strict = True
    if kind.kind == "bool":
        inline = ",".join([YES, NO, *words])
        validation = DataValidation(type="list", formula1=f'"{inline}"', allow_blank=True)
    elif key == "tbb_level":
        inline = ",".join(["1", "2", "3", "4", NONE_WORD, *words])
        validation = DataValidation(type="list", formula1=f'"{inline}"', allow_blank=True)
    elif kind.kind == "int":
        validation = DataValidation(
            type="whole", operator="between", formula1="0", formula2="100000", allow_blank=True
        )
    elif codes and kind.kind in ("enum", "country", "list"):
        name = kind.enum.__name__ if kind.enum else "country"
        if words:
            name += "_" + "_".join(words)  # the same codes with the words: a list of its own
        validation = DataValidation(
            type="list", formula1=choices.range_for(name, codes + words), allow_blank=True
        )
        strict = kind.kind != "list"  # a list cell may hold more values, separated by commas
    else:
        return None
    allowed = allowed_values(key, kind, list_name)
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
    text = f"{label}\n\n{explanation}\n\nToegestaan: {allowed_values(key, kind, list_name)}"
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
        validation = _validation(key, kind, choices, list_name)
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
    return [
        [_value(record, key, kind, list_name) for key, kind in kinds.items()] for record in records
    ]


_INTRODUCTION = (
    "Toelichting bij de cloudinventaris",
    "Vul op elk blad één regel in per organisatie, leverancier, cloudgebruik (registratie) "
    "of afwijking.",
    "Laat de eerste regel van elk blad staan: daar staan de kolomnamen. "
    "Ga met de muis op een kolomnaam staan voor uitleg.",
    "Weet u iets niet? Kies dan onbekend, of laat de cel leeg. Dat betekent hetzelfde: "
    "het is niet bekend. cloudtoets vult dan niets voor u in. U krijgt een oordeel dat zegt "
    "hoe goed en hoe slecht het nog kan uitvallen, en de vragen die u nog moet beantwoorden.",
    "Is het antwoord 'niets'? Kies dan geen. Bijvoorbeeld: geen subverwerkers, geen "
    "rubricering (ongerubriceerd), geen TBB-niveau of geen basisregistratie. "
    "Geen is dus iets anders dan onbekend: bij geen weet u het zeker.",
    "Bij ja/nee-vragen bestaat geen 'geen': kies ja, nee of onbekend.",
    "Bij kolommen over wat uw organisatie heeft vastgelegd (zoals de risicoafweging, het "
    "exitplan en de melding) betekent een lege cel: niet vastgelegd.",
    "Datums: schrijf JJJJ-MM-DD, bijvoorbeeld 2026-07-03.",
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
            values = (
                list_name,
                key,
                label,
                explanation,
                mandatory,
                allowed_values(key, kind, list_name),
            )
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
