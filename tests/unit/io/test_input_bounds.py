"""Bounds of what one inventory file may ask of the readers: rows and columns of a table
(XLSX, CSV) and the length of each list field, each refused early with a Dutch message that
says where."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from cloudtoets.domain.model import MAX_COUNTRIES, MAX_LIST
from cloudtoets.io import tabular
from cloudtoets.io.read import read_inventory
from cloudtoets.io.validate import validate_document
from cloudtoets.problems import InputError
from tests.upload_bombs import long_workbook, wide_csv


def only_problem(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_inventory(path)
    (problem,) = caught.value.problems
    return str(problem)


def test_a_csv_file_of_a_million_columns_is_refused_at_its_header(tmp_path: Path) -> None:
    path = tmp_path / "breed.csv"
    path.write_bytes(wide_csv(1_000_000))  # 8.9 MB
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()
    assert only_problem(path) == (
        "regel 1: deze rij heeft meer dan 1.000 kolommen; haal de overbodige kolommen weg"
    )
    assert time.process_time() - started < 5
    # the header as a list of strings, then nothing more (before: 1.8 GB)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 300_000


def test_a_row_wider_than_the_header_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "breed.csv"
    path.write_text("id,organisation,deployment\nr1,bzk,public" + "," * 1_500 + "x\n")
    assert only_problem(path).startswith("regel 2: deze rij heeft meer dan 1.000 kolommen")


def test_empty_cells_beyond_the_last_column_are_no_columns(tmp_path: Path) -> None:
    path = tmp_path / "leeg.csv"
    path.write_text(
        "id,organisation,deployment"
        + "," * 2_000
        + "\nr1,bzk,private-internal"
        + "," * 2_000
        + "\n"
    )
    (registration,) = read_inventory(path).inventory.registrations
    assert registration.id == "r1"


def test_a_workbook_stops_at_the_first_row_past_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 1_000)  # the real 100,000 takes seconds to reach
    path = tmp_path / "lang.xlsx"
    path.write_bytes(long_workbook(1_500))
    assert only_problem(path) == (
        "blad registrations, rij 1002: meer dan 1.000 registraties in één bestand; "
        "verdeel ze over meer bestanden of gebruik JSON"
    )


def test_a_csv_file_stops_at_the_first_row_past_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 10)
    path = tmp_path / "lang.csv"
    rows = "".join(f"r{n},bzk,private-internal\n" for n in range(20))
    path.write_text("id,organisation,deployment\n\n" + rows)
    assert only_problem(path).startswith("regel 13: meer dan 10 registraties in één bestand")
    monkeypatch.setattr(tabular, "MAX_ROWS", 20)
    assert len(read_inventory(path).inventory.registrations) == 20


def test_the_row_limit_is_the_documented_one() -> None:
    assert (tabular.MAX_ROWS, tabular.MAX_COLUMNS) == (100_000, 1_000)


def test_list_fields_have_a_maximum_length_named_per_field() -> None:
    registration = {
        "id": "r1",
        "organisation": "bzk",
        "deployment": "public",
        "provider": "microsoft-ireland",
        "storage_countries": ["NL"] * (MAX_COUNTRIES + 1),
        "processing_countries": ["NL"] * MAX_COUNTRIES,  # just allowed
        "subprocessors": ["amazon"] * 5_000_000,
        "functions": ["email"] * MAX_LIST,  # just allowed
        "exit_plan": {"planned": {"preconditions": ["x"] * (MAX_LIST + 1)}},
    }
    started = time.process_time()
    with pytest.raises(InputError) as caught:
        validate_document({"registrations": [registration]}, "test.yaml")
    assert time.process_time() - started < 1  # refused on the length, items unread
    assert [str(p) for p in caught.value.problems] == [
        "registraties nr. 1 (id r1), veld subprocessors: deze lijst heeft 5000000 waarden, "
        "er mogen er hoogstens 100 in; haal waarden weg",
        "registraties nr. 1 (id r1), veld storage_countries: deze lijst heeft 251 waarden, "
        "er mogen er hoogstens 250 in; haal waarden weg",
        "registraties nr. 1 (id r1), veld exit_plan.planned.preconditions: deze lijst heeft 101 "
        "waarden, er mogen er hoogstens 100 in; haal waarden weg",
    ]
