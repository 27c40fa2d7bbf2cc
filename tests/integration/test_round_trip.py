"""An inventory converted to another format is checked exactly the same."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).with_name("cloudtoets"))
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ministerie-bzk.yaml"


def check_results(path: Path) -> dict[str, object]:
    result = subprocess.run(
        [CLI, "check", str(path), "--as-of", "2026-11-29", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(result.stdout)
    return {"results": document["results"], "summary": document["summary"]}


def convert(source: Path, target: Path) -> None:
    result = subprocess.run(
        [CLI, "convert", str(source), str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def original() -> dict[str, object]:
    return check_results(EXAMPLE)


@pytest.mark.parametrize(
    "chain", [("xlsx",), ("json",), ("xlsx", "yaml"), ("json", "xlsx", "json")]
)
def test_conversion_keeps_every_decision(
    tmp_path: Path, original: dict[str, object], chain: tuple[str, ...]
) -> None:
    current = EXAMPLE
    for step, suffix in enumerate(chain):
        target = tmp_path / f"step{step}.{suffix}"
        convert(current, target)
        current = target
    assert check_results(current) == original


def test_template_written_by_the_cli_reads_back_as_an_empty_inventory(tmp_path: Path) -> None:
    template = tmp_path / "sjabloon.xlsx"
    made = subprocess.run(
        [CLI, "template", "-o", str(template)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert check_results(template)["summary"] == {
        "registrations": 0,
        "by_verdict": {},
        "mandatory_by_verdict": {},
    }


def test_csv_registrations_with_side_files(tmp_path: Path, original: dict[str, object]) -> None:
    convert(EXAMPLE, tmp_path / "all.yaml")
    convert(EXAMPLE, tmp_path / "registraties.csv")
    # organisations and providers travel in the YAML side file
    result = subprocess.run(
        [
            CLI,
            "check",
            str(tmp_path / "registraties.csv"),
            "--organisations",
            str(tmp_path / "all.yaml"),
            "--providers",
            str(tmp_path / "all.yaml"),
            "--as-of",
            "2026-11-29",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    results = json.loads(result.stdout)["results"]
    # CSV carries no justifications, so only registrations without them must match exactly
    expected = {r["registration"]: r for r in original["results"]}  # type: ignore[attr-defined]
    without = [
        r
        for r in results
        if not any(
            f["justified"] or f["rule"] == "cb2026.3.3.deviation-reported"
            for f in expected[r["registration"]]["findings"]
        )
    ]
    assert len(without) >= 20
    for r in without:
        assert r == expected[r["registration"]]
