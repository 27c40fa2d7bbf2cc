"""The inventory workbook: template, round trip, Dutch input and problems per sheet, row and column."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from cloudtoets.domain.labels import LABELS
from cloudtoets.domain.model import Inventory
from cloudtoets.io.read import read_inventory
from cloudtoets.io.tabular import column_kinds
from cloudtoets.io.validate import validate_document
from cloudtoets.io.words import FACTS
from cloudtoets.io.xlsx import read_xlsx_document, write_inventory_xlsx, write_template
from cloudtoets.io.xlsx.common import CHOICES_SHEET, EXPLANATION_SHEET
from cloudtoets.io.xlsx.writing import TEMPLATE_ROWS
from cloudtoets.problems import InputError

from .spreadsheet_examples import full_inventory

LISTS = ("organisations", "providers", "registrations", "justifications")
REGISTRATION_HEADER = ["id", "organisation", "provider", "deployment", "in_use_since"]


def read_back(path: Path) -> Inventory:
    document, locate = read_xlsx_document(path)
    return validate_document(document, str(path), locate=locate).inventory


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_inventory(path)
    return [str(problem) for problem in caught.value.problems]


# --- template -----------------------------------------------------------------------------------


def test_template_reads_back_without_problems_and_without_registrations(tmp_path: Path) -> None:
    path = tmp_path / "sjabloon.xlsx"
    write_template(path)
    assert read_back(path) == Inventory()
    assert read_inventory(path).inventory.registrations == []


def test_template_has_a_check_for_every_vocabulary_boolean_and_number_column(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sjabloon.xlsx"
    write_template(path)
    book = load_workbook(path)
    for list_name in LISTS:
        sheet = book[list_name]
        ranges = {
            str(rng): validation
            for validation in sheet.data_validations.dataValidation
            for rng in validation.sqref.ranges
        }
        for position, (key, kind) in enumerate(column_kinds(list_name).items(), start=1):
            letter = get_column_letter(position)
            checked = kind.kind in ("bool", "enum", "country", "int") or kind.item in (
                "enum",
                "country",
            )
            expected = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
            assert (expected in ranges) == checked, (list_name, key)
            fact = key in FACTS.get(list_name, ())
            if kind.kind == "bool":
                words = '"ja,nee,onbekend"' if fact else '"ja,nee"'
                assert ranges[expected].formula1 == words, key
            if key == "tbb_level":
                assert (ranges[expected].type, ranges[expected].formula1) == (
                    "list",
                    '"1,2,3,4,geen,onbekend"',
                )


def test_drop_down_lists_hold_the_codes_of_the_vocabulary(tmp_path: Path) -> None:
    path = tmp_path / "sjabloon.xlsx"
    write_template(path)
    book = load_workbook(path)
    assert book[CHOICES_SHEET].sheet_state == "hidden"
    sheet = book["registrations"]
    letter = get_column_letter(list(column_kinds("registrations")).index("deployment") + 1)
    (validation,) = [
        v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith(letter + "2")
    ]
    target = validation.formula1.split("!")[1].replace("$", "")
    codes = [cell.value for (cell,) in book[CHOICES_SHEET][target]]
    assert codes == [
        "public",
        "hybrid",
        "community",
        "private-external",
        "private-internal",
        "onbekend",
    ]
    assert validation.showErrorMessage


def drop_down(book: Any, key: str) -> list[str]:
    sheet = book["registrations"]
    letter = get_column_letter(list(column_kinds("registrations")).index(key) + 1)
    (validation,) = [
        v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith(letter + "2")
    ]
    target = validation.formula1.split("!")[1].replace("$", "")
    return [cell.value for (cell,) in book[CHOICES_SHEET][target]]


def test_drop_downs_offer_onbekend_for_facts_and_geen_where_a_fact_has_a_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sjabloon.xlsx"
    write_template(path)
    book = load_workbook(path)
    classification = drop_down(book, "classification")
    assert classification[0] == "geen" and "none" not in classification
    assert classification[-1] == "onbekend"
    assert drop_down(book, "key_register")[0] == "geen"
    assert drop_down(book, "functions")[-2:] == ["geen", "onbekend"]
    assert drop_down(book, "pets")[-2:] == ["geen", "onbekend"]
    countries = drop_down(book, "storage_countries")
    assert countries[-1] == "onbekend" and "geen" not in countries  # data is always somewhere


def test_toelichting_explains_every_column_with_label_and_allowed_values(tmp_path: Path) -> None:
    path = tmp_path / "sjabloon.xlsx"
    write_template(path)
    sheet = load_workbook(path)[EXPLANATION_SHEET]
    explained = {
        (row[0], row[1]): row for row in sheet.iter_rows(values_only=True) if row[0] in LISTS
    }
    for list_name in LISTS:
        for key, (label, explanation) in LABELS[list_name].items():
            row = explained[(list_name, key)]
            assert row[2:4] == (label, explanation)
            assert row[5]  # allowed values
    assert explained[("registrations", "deployment")][5] == (
        "public, hybrid, community, private-external of private-internal; "
        "onbekend (of leeg) als u het niet weet"
    )
    assert explained[("registrations", "pets")][5].endswith(
        "; geen als er geen zijn; onbekend (of leeg) als u het niet weet"
    )
    assert "onbekend" not in explained[("registrations", "risk_assessment.date")][5]
    assert explained[("registrations", "deployment")][4] == "nee"  # no longer required
    assert explained[("registrations", "id")][4] == "ja"


def test_header_row_holds_keys_with_the_dutch_label_in_a_comment(tmp_path: Path) -> None:
    path = tmp_path / "sjabloon.xlsx"
    write_template(path)
    sheet = load_workbook(path)["registrations"]
    header = [cell.value for cell in sheet[1]]
    assert header == list(LABELS["registrations"])
    comment = sheet["A1"].comment
    assert comment is not None
    assert comment.text.startswith("Kenmerk\n\nKorte, unieke code")
    assert sheet.freeze_panes == "A2"


# --- round trip ---------------------------------------------------------------------------------


def test_every_field_survives_write_and_read(tmp_path: Path) -> None:
    inventory = full_inventory()
    path = tmp_path / "inventaris.xlsx"
    write_inventory_xlsx(inventory, path)
    assert read_back(path) == inventory
    assert read_inventory(path).inventory == inventory


def test_written_dates_are_date_cells_and_booleans_ja_nee(tmp_path: Path) -> None:
    path = tmp_path / "inventaris.xlsx"
    write_inventory_xlsx(full_inventory(), path)
    sheet = load_workbook(path)["registrations"]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert row["in_use_since"].is_date
    assert row["in_use_since"].number_format == "yyyy-mm-dd"
    assert row["in_use_since"].value == dt.datetime(2019, 1, 15)
    assert (row["core_task"].value, row["open_data"].value) == ("ja", "nee")
    assert row["functions"].value == "email, collaboration"
    assert row["tbb_level"].value == 3


def test_formula_looking_text_is_stored_as_text_and_reads_back_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "inventaris.xlsx"
    write_inventory_xlsx(full_inventory(), path)
    sheet = load_workbook(path)["registrations"]
    name = sheet.cell(row=3, column=list(LABELS["registrations"]).index("name") + 1)
    assert (name.value, name.data_type, name.quotePrefix) == ("=1+1", "s", True)
    with zipfile.ZipFile(path) as archive:
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if "sheet" in n)
    registration = read_back(path).registrations[1]
    assert registration.name == "=1+1"
    assert registration.lifecycle_justification == "'t Hooft: -5 dagen @team +31"


def test_without_justifications_the_sheet_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "inventaris.xlsx"
    write_inventory_xlsx(full_inventory(), path, justifications=False)
    assert "justifications" not in load_workbook(path).sheetnames
    assert all(r.justifications == [] for r in read_back(path).registrations)


# --- what people type ---------------------------------------------------------------------------


def test_dutch_sheet_names_labels_and_typed_values_are_read(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "nl.xlsx",
        {
            "Blad1": [],
            "registraties": [
                [
                    "Kenmerk",
                    "ORGANISATIE",
                    "Leverancier",
                    "Inzetmodel",
                    "Functies",
                    "Versleuteld bij opslag",
                    "Versleuteld tijdens transport",
                    "Kerntaak",
                    "Openbare data",
                    "In gebruik sinds",
                    "Datum risicoafweging",
                    "Exitplan: doorlooptijd (dagen)",
                    "TBB-niveau",
                    "Basisregistratie",
                    "Opslaglanden",
                ],
                [
                    123,
                    "bzk",
                    "aws-emea",
                    "Public",
                    "email, , Hosting",
                    "ja",
                    "NEE",
                    True,
                    "Waar",
                    dt.datetime(2024, 5, 1),
                    "2026-03-01",
                    90.0,
                    "2",
                    "brp",
                    "nl,de",
                ],
            ],
            "afwijkingen": [
                ["Registratie", "Regel", "Continuïteitsrisico vastgesteld"],
                [123, "cb2026.4.5.email", "onwaar"],
            ],
        },
    )
    (registration,) = read_inventory(path).inventory.registrations
    assert registration.id == "123"
    assert registration.deployment == "public"
    assert registration.functions == ["email", "hosting"]
    assert (registration.encrypted_at_rest, registration.encrypted_in_transit) == (True, False)
    assert (registration.core_task, registration.open_data) == (True, True)
    assert registration.in_use_since == dt.date(2024, 5, 1)
    assert registration.risk_assessment is not None
    assert registration.risk_assessment.date == dt.date(2026, 3, 1)
    assert registration.exit_plan is not None and registration.exit_plan.planned is not None
    assert registration.exit_plan.planned.lead_time_days == 90
    assert registration.exit_plan.emergency is None
    assert registration.notification is None
    assert registration.tbb_level == 2
    assert registration.key_register == "BRP"
    assert registration.storage_countries == ["NL", "DE"]
    assert [j.rule for j in registration.justifications] == ["cb2026.4.5.email"]
    assert registration.justifications[0].continuity_risk_established is False


def test_result_columns_of_an_export_are_skipped(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "export.xlsx",
        {
            "registrations": [
                ["id", "organisation", "provider", "deployment", "Oordeel", "deadline"],
                ["r1", "bzk", "aws-emea", "public", "overgangstermijn", dt.date(2030, 7, 3)],
            ],
            EXPLANATION_SHEET: [["wordt overgeslagen"]],
        },
    )
    assert [r.id for r in read_inventory(path).inventory.registrations] == ["r1"]


def test_empty_rows_are_skipped_and_row_numbers_stay_true(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "gaten.xlsx",
        {
            "registrations": [
                REGISTRATION_HEADER,
                [None, None, None, None, None],
                ["r1", "bzk", "aws-emea", "public", None],
                ["   ", None, None, None, None],
                ["r2", "bzk", "aws-emea", "pubic", None],
            ]
        },
    )
    assert problems_of(path) == [
        "blad registrations, rij 5, kolom Inzetmodel (deployment): onbekende waarde 'pubic'; "
        "kies uit 'public', 'hybrid', 'community', 'private-external' of 'private-internal'; weet u het niet, vul dan onbekend in"
    ]


# --- problems -----------------------------------------------------------------------------------


def test_every_bad_row_is_reported_with_sheet_row_and_column(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "fout.xlsx",
        {
            "organisations": [["id", "type"], ["minx", "ministry"], ["miny", "ministerie"]],
            "registrations": [
                [*REGISTRATION_HEADER, "kleur"],
                ["r1", "minx", "aws-emea", "publiek", None, None],
                ["r2", "minx", "aws-emea", "public", "abc", None],
                ["r3", "minx", "aws-emea", "public", "2026-02-30", "blauw"],
                ["r4", "minx", "aws-emea", "public", dt.date(2020, 1, 1), None],
            ],
            "justifications": [
                ["registration", "rule", "accepted_on"],
                ["r4", "cb2026.4.location", "gisteren"],
                ["r9", "cb2026.4.location", None],
                [None, "cb2026.4.location", None],
            ],
        },
    )
    found = problems_of(path)
    expected = [
        ("blad registrations, kolom F (kleur)", "onbekende kolom"),
        (
            "blad justifications, rij 3, kolom Registratie (registration)",
            "onbekende registratie 'r9'",
        ),
        ("blad justifications, rij 4, kolom Registratie (registration)", "vul het kenmerk (id) in"),
        (
            "blad organisations, rij 3, kolom Soort organisatie (type)",
            "onbekende waarde 'ministerie'",
        ),
        ("blad registrations, rij 2, kolom Inzetmodel (deployment)", "onbekende waarde 'publiek'"),
        (
            "blad registrations, rij 3, kolom In gebruik sinds (in_use_since)",
            "'abc' is geen geldige datum",
        ),
        (
            "blad registrations, rij 4, kolom In gebruik sinds (in_use_since)",
            "'2026-02-30' is geen geldige datum",
        ),
        (
            "blad justifications, rij 2, kolom Geaccepteerd op (accepted_on)",
            "'gisteren' is geen geldige datum",
        ),
    ]
    assert len(found) == len(expected), found
    for where, message in expected:
        assert any(p.startswith(f"{where}: {message}") for p in found), (where, found)


def test_a_number_in_a_date_column_is_not_taken_for_a_timestamp(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "getal.xlsx",
        {"registrations": [REGISTRATION_HEADER, ["r1", "bzk", "aws-emea", "public", 86400]]},
    )
    assert problems_of(path) == [
        "blad registrations, rij 2, kolom In gebruik sinds (in_use_since): "
        "'86400' is geen geldige datum; schrijf de datum als JJJJ-MM-DD; weet u het niet, vul dan onbekend in"
    ]


def test_unknown_and_duplicate_sheets_are_problems_but_an_empty_sheet_is_not(
    tmp_path: Path,
) -> None:
    path = workbook(
        tmp_path / "bladen.xlsx",
        {
            "Blad1": [[None]],
            "registrations": [REGISTRATION_HEADER, ["r1", "bzk", "aws-emea", "public", None]],
            "registraties": [REGISTRATION_HEADER],
            "aantekeningen": [["zie mail van Piet"]],
        },
    )
    found = problems_of(path)
    assert found[0].startswith("blad registraties: blad registrations bevat al de registraties")
    assert found[1].startswith("blad aantekeningen: onbekend blad")
    assert len(found) == 2


def test_a_file_that_is_no_workbook_is_a_clean_input_error(tmp_path: Path) -> None:
    path = tmp_path / "nep.xlsx"
    path.write_text("id,organisation\nr1,bzk\n", encoding="utf-8")
    (problem,) = problems_of(path)
    assert "geen geldig Excel-werkboek" in problem


def test_a_zip_that_is_no_workbook_is_a_clean_input_error(tmp_path: Path) -> None:
    path = tmp_path / "archief.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "geen werkboek")
    (problem,) = problems_of(path)
    assert "geen geldig Excel-werkboek" in problem


def test_macro_workbooks_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "macro.xlsm"
    write_template(tmp_path / "sjabloon.xlsx")
    path.write_bytes((tmp_path / "sjabloon.xlsx").read_bytes())
    with pytest.raises(InputError, match=r"macro's \(\.xlsm\)"):
        read_xlsx_document(path)


def test_files_over_20_mb_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "groot.xlsx"
    with path.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)
    with pytest.raises(InputError, match="groter dan 20 MB"):
        read_xlsx_document(path)


def test_a_missing_file_is_a_clean_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="bestaat niet"):
        read_xlsx_document(tmp_path / "weg.xlsx")
