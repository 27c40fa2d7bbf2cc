"""Read an inventory workbook into a plain document and a locator for its problems."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook as WorkbookType

from cloudtoets.domain.labels import LIST_LABELS
from cloudtoets.io.tabular import (
    JUSTIFICATION_REGISTRATION,
    Table,
    TableTooLarge,
    column_display,
    is_empty,
    read_table,
)
from cloudtoets.io.validate import Locator, validate_document
from cloudtoets.io.xlsx.common import EXPLANATION_SHEET, IGNORED_SHEETS, LISTS, SHEET_NAMES
from cloudtoets.problems import InputError, Problem

MAX_FILE_BYTES: Final = 20 * 1024 * 1024
MAX_UNPACKED_BYTES: Final = 200 * 1024 * 1024  # against zip bombs: 20 MB packed is plenty
_SAVE_AS = "sla het werkboek op als Excel-werkmap (.xlsx) zonder macro's"
_UNKNOWN_SHEET = (
    "onbekend blad; gebruik de bladen organisations, providers, registrations en justifications "
    "(of organisaties, leveranciers, registraties en afwijkingen), of haal het blad weg"
)
_NO_SHEETS = (
    "geen blad organisations, providers of registrations gevonden; "
    "begin met het sjabloon (cloudtoets template)"
)


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
    except (MemoryError, RecursionError):
        raise
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
        try:
            table = read_table(_numbered_rows(sheet), list_name)
        except TableTooLarge as exc:  # stop at once: the rest may be as large
            where = f"blad {sheet.title}, rij {exc.row}"
            raise InputError("", [Problem(where, exc.message)]) from None
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
    except InputError as exc:
        raise InputError(source, exc.problems) from None
    except (MemoryError, RecursionError):
        raise  # a worker's limits (services/uploads.py) must see these
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
