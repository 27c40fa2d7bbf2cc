"""``cloudtoets policy test`` and ``policy validate`` as a CI pipeline uses them: Dutch output and
exit codes 0 (in order), 1 (an example fails) and 2 (an unusable policy file)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).with_name("cloudtoets"))
BASE = "rijksbreed-cloudbeleid-2026"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, check=False, timeout=120)


def variant(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "variant.yaml"
    path.write_text(
        f"id: test-variant\nextends: {BASE}\ntitle: Test\nversion: '1'\nstatus: concept\n"
        f"source: test\n{body}",
        encoding="utf-8",
    )
    return path


def test_the_builtin_policies_pass_their_examples() -> None:
    result = run("policy", "test")
    assert result.returncode == 0, result.stdout + result.stderr
    for policy_id in (BASE, f"{BASE}-eer-ch", "overheidsbreed-cloudbeleid-concept"):
        assert f"{policy_id}: 25 van 25 voorbeelden geslaagd" in result.stdout
    assert "MISLUKT" not in result.stdout


def test_verbose_names_every_passed_example() -> None:
    result = run("policy", "test", BASE, "--verbose")
    assert result.returncode == 0
    assert (
        "  geslaagd: onversleutelde data in de publieke cloud is niet toegestaan" in result.stdout
    )


def test_a_failing_example_gives_exit_code_1_and_says_why(tmp_path: Path) -> None:
    path = variant(tmp_path, "parameters:\n  allowed_countries: {add: [GB]}\n")
    result = run("policy", "test", str(path))
    assert result.returncode == 1
    assert (
        "  MISLUKT: opslag in het Verenigd Koninkrijk is bij nieuw gebruik niet toegestaan: "
        "oordeel allowed, verwacht not-allowed; geen bevinding op cb2026.4.location"
    ) in result.stdout
    assert "test-variant: 23 van 25 voorbeelden geslaagd" in result.stdout


def test_an_unusable_policy_gives_exit_code_2_without_a_traceback(tmp_path: Path) -> None:
    path = variant(tmp_path, "change_rules:\n  - {id: cb2026.4.location, severity: streng}\n")
    result = run("policy", "test", str(path))
    assert result.returncode == 2
    assert "regel cb2026.4.location severity: onbekende waarde 'streng'" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_warns_when_a_replaced_list_drops_most_inherited_values(tmp_path: Path) -> None:
    path = variant(tmp_path, "parameters:\n  allowed_countries: [GB]\n")
    result = run("policy", "validate", str(path))
    assert result.returncode == 0
    assert (
        f"Waarschuwing: {path}: parameters.allowed_countries: deze lijst vervangt" in result.stderr
    )
    assert "laat 30 van de 30 waarden weg" in result.stderr
    assert result.stdout.startswith("In orde: test-variant")


def test_diff_names_changed_and_added_transition_periods_in_words(tmp_path: Path) -> None:
    body = (
        "parameters:\n  transition_periods: {add: {existing_use: {years: 5}, kort: {months: 6}}}\n"
    )
    result = run("policy", "diff", BASE, str(variant(tmp_path, body)))
    assert result.returncode == 0
    assert "    existing_use: 4 jaar -> 5 jaar\n" in result.stdout
    assert "    kort: (geen) -> 6 maanden\n" in result.stdout


def test_diff_names_a_changed_fact(tmp_path: Path) -> None:
    body = (
        "facts:\n  material:\n    criteria:\n"
        "      add: {critical_entity: {field: organisation.critical_entity}}\n"
    )
    result = run("policy", "diff", BASE, str(variant(tmp_path, body)))
    assert result.returncode == 0, result.stderr
    assert "  feit material:\n" in result.stdout
    assert "critical_entity: `organisation.critical_entity is waar`" in result.stdout
    assert "feit public_cloud" not in result.stdout
