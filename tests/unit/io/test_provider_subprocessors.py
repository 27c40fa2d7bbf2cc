"""A provider's own sub-processors in every inventory format: written, read back, templated."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from cloudtoets.io.csv_format import read_csv_records
from cloudtoets.io.read import read_inventory
from cloudtoets.io.validate import validate_document
from cloudtoets.io.write import write_inventory
from cloudtoets.io.xlsx import write_template
from cloudtoets.problems import InputError

DOCUMENT = {
    "organisations": [],
    "providers": [
        {"id": "hosting", "country": "DE"},
        {"id": "saas", "country": "NL", "subprocessors": ["hosting", "aws-emea"]},
    ],
    "registrations": [],
}


@pytest.mark.parametrize("suffix", ["yaml", "json", "xlsx"])
def test_own_subprocessors_read_back_in_every_format(tmp_path: Path, suffix: str) -> None:
    inventory = validate_document(DOCUMENT, "inventaris").inventory
    path = tmp_path / f"inventaris.{suffix}"
    write_inventory(inventory, path)
    back = read_inventory(path).inventory
    assert {p.id: p.subprocessors for p in back.providers} == {
        "hosting": [],
        "saas": ["hosting", "aws-emea"],
    }


def test_an_empty_list_is_an_empty_cell_not_geen(tmp_path: Path) -> None:
    """A provider's own list is no fact (the registration's is): nothing is an empty cell."""
    path = tmp_path / "inventaris.xlsx"
    write_inventory(validate_document(DOCUMENT, "inventaris").inventory, path)
    sheet = load_workbook(path)["providers"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("subprocessors")
    assert [row[column].value for row in sheet.iter_rows(min_row=2, max_row=3)] == [
        None,
        "hosting, aws-emea",
    ]


def test_the_template_has_the_column_with_its_explanation(tmp_path: Path) -> None:
    path = tmp_path / "sjabloon.xlsx"
    write_template(path)
    book = load_workbook(path)
    header = [cell.value for cell in book["providers"][1]]
    assert "subprocessors" in header
    comment = book["providers"].cell(row=1, column=header.index("subprocessors") + 1).comment
    assert comment is not None and "Eigen subverwerkers" in comment.text
    assert "onbekend" not in comment.text  # no fact: nothing to be unknown


def test_a_csv_side_file_gives_own_subprocessors(tmp_path: Path) -> None:
    providers = tmp_path / "leveranciers.csv"
    providers.write_text(
        'id;Land;Eigen subverwerkers\nsaas;NL;"hosting, aws-emea"\nhosting;DE;\n',
        encoding="utf-8",
    )
    assert read_csv_records(providers, "providers") == [
        {"id": "saas", "country": "NL", "subprocessors": ["hosting", "aws-emea"]},
        {"id": "hosting", "country": "DE"},
    ]


def test_an_unknown_own_subprocessor_is_a_problem() -> None:
    document = {**DOCUMENT, "providers": [{"id": "saas", "country": "NL", "subprocessors": ["x"]}]}
    with pytest.raises(InputError, match="x"):
        validate_document(document, "inventaris")
