"""Registrations as CSV: round trip, Dutch Excel habits, formula escape, problems by line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cloudtoets.domain.labels import LABELS
from cloudtoets.io.csv_format import (
    read_csv_document,
    read_csv_records,
    write_registrations_csv,
)
from cloudtoets.io.read import read_inventory
from cloudtoets.io.validate import validate_document
from cloudtoets.problems import InputError

from .spreadsheet_examples import full_inventory, without_justifications


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_inventory(path)
    return [str(problem) for problem in caught.value.problems]


def test_registrations_survive_write_and_read(tmp_path: Path) -> None:
    inventory = without_justifications(full_inventory())
    path = tmp_path / "registraties.csv"
    write_registrations_csv(inventory, path)
    document, locate = read_csv_document(path)
    checked = validate_document(
        document,
        str(path),
        locate=locate,
        extra_organisations=inventory.organisations,
        extra_providers=inventory.providers,
    )
    assert checked.inventory.registrations == inventory.registrations


def test_written_csv_is_rfc_4180_utf8_with_keys_as_header(tmp_path: Path) -> None:
    path = tmp_path / "registraties.csv"
    write_registrations_csv(full_inventory(), path)
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") >= 4  # header + 3 records, one with a line break inside quotes
    rows = list(csv.reader(data.decode("utf-8").splitlines(keepends=True)))
    assert rows[0] == list(LABELS["registrations"])
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["core_task"] == "true"
    assert record["in_use_since"] == "2019-01-15"
    assert record["subprocessors"] == "eigen-saas, lokaal"
    assert record["risk_assessment.covers_jurisdiction"] == "false"


def test_formula_looking_text_is_escaped_and_reads_back_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "registraties.csv"
    write_registrations_csv(full_inventory(), path)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines(keepends=True)))
    assert rows[1]["name"] == "'=1+1"
    assert rows[1]["lifecycle_justification"] == "''t Hooft: -5 dagen @team +31"
    document, _ = read_csv_document(path)
    assert document["registrations"][1]["name"] == "=1+1"
    assert document["registrations"][1]["lifecycle_justification"] == "'t Hooft: -5 dagen @team +31"


def test_dutch_excel_csv_with_bom_semicolons_and_labels_is_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeffKenmerk;Organisatie;Leverancier;Inzetmodel;Kerntaak;In gebruik sinds;Opslaglanden\r\n"
        "r1;bzk;aws-emea;public;ja;2024-05-01;nl, de\r\n"
        ";;;;;;\r\n"
        "r2;bzk;aws-emea;hybrid;Onwaar;;\r\n".encode()
    )
    registrations = read_inventory(path).inventory.registrations
    assert [(r.id, r.core_task) for r in registrations] == [("r1", True), ("r2", False)]
    assert registrations[0].storage_countries == ["NL", "DE"]
    assert registrations[0].in_use_since is not None


def test_problems_name_the_line_and_column_and_an_unknown_column_once(tmp_path: Path) -> None:
    path = tmp_path / "fout.csv"
    path.write_text(
        "id,organisation,provider,deployment,kleur,verdict\n"
        "r1,bzk,aws-emea,public,,allowed\n"
        '"r2","bzk","aws-emea","publiek","blauw",\n'
        "r3,bzk,aws-emea,public,rood,\n",
        encoding="utf-8",
    )
    assert problems_of(path) == [
        "regel 3, kolom Inzetmodel (deployment): onbekende waarde 'publiek'; "
        "kies uit 'public', 'hybrid', 'community', 'private-external' of 'private-internal'; weet u het niet, vul dan onbekend in",
        "regel 3, kolom kleur: onbekend veld; haal het weg of controleer de spelling",
    ]


def test_side_files_give_organisations_and_providers(tmp_path: Path) -> None:
    organisations = tmp_path / "organisaties.csv"
    organisations.write_text(
        "Kenmerk;Soort organisatie;Kritieke entiteit\ngemeente-x;municipality;ja\n",
        encoding="utf-8",
    )
    providers = tmp_path / "leveranciers.csv"
    providers.write_text(
        "id;Land;Geleid vanuit;parent\nlokale-saas;nl;;holding\nholding;KY;cn;\n",
        encoding="utf-8",
    )
    registrations = tmp_path / "registraties.csv"
    registrations.write_text(
        "id,organisation,provider,deployment\nr1,gemeente-x,lokale-saas,public\n",
        encoding="utf-8",
    )
    assert read_csv_records(organisations, "organisations") == [
        {"id": "gemeente-x", "type": "municipality", "critical_entity": True}
    ]
    checked = read_inventory(
        registrations, organisations_file=organisations, providers_file=providers
    )
    assert checked.organisations["gemeente-x"].critical_entity is True
    chain = checked.providers.chain("lokale-saas")
    assert [(p.country, p.headquarters) for p in chain] == [("NL", None), ("KY", "CN")]


def test_a_file_that_is_not_utf8_is_a_clean_input_error(tmp_path: Path) -> None:
    path = tmp_path / "ansi.csv"
    path.write_bytes("id;organisation;name\nr1;bzk;Financiën\n".encode("cp1252"))
    (problem,) = problems_of(path)
    assert "geen UTF-8" in problem
