"""The spec's parameter names (transition_years, exit_plan_months, material_criteria) as
shorthand for the general forms, and shown beside them."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import evaluate_registrations
from cloudtoets.io.read import read_inventory
from cloudtoets.policy.describe import diff_policies, policy_markdown
from cloudtoets.policy.loader import load_policy, load_policy_document, resolve_policy_path
from cloudtoets.problems import InputError
from cloudtoets.yaml12 import load_yaml

BASE = "rijksbreed-cloudbeleid-2026"
EXAMPLES = sorted((Path(__file__).resolve().parents[3] / "examples").glob("*.yaml"))
CLI = str(Path(sys.executable).with_name("cloudtoets"))


def builtin() -> dict[str, Any]:
    raw = load_yaml(resolve_policy_path(BASE).read_bytes())
    assert isinstance(raw, dict)
    return raw


def spec_form() -> dict[str, Any]:
    """The built-in policy written with the spec's names instead of the general forms."""
    raw = builtin()
    parameters = raw["parameters"]
    periods = parameters.pop("transition_periods")
    assert periods == {"existing_use": {"years": 4}, "exit_plan": {"months": 12}}
    parameters["transition_years"] = 4
    parameters["exit_plan_months"] = 12
    criteria = raw["facts"].pop("material")["criteria"]
    parameters["material_criteria"] = list(criteria)
    return raw


def write(tmp_path: Path, raw: dict[str, Any], name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def variant(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "variant.yaml"
    path.write_text(
        f"id: test-variant\nextends: {BASE}\ntitle: Test\nversion: '1'\nstatus: concept\n"
        f"source: test\n{body}",
        encoding="utf-8",
    )
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_policy(path)
    return [str(p) for p in caught.value.problems]


def outcomes(policy_ref: str | Path, as_of: dt.date) -> dict[str, tuple[Any, ...]]:
    policy = load_policy(policy_ref)
    result: dict[str, tuple[Any, ...]] = {}
    for example in EXAMPLES:
        checked = read_inventory(example)
        context = EvaluationContext(checked.organisations, checked.providers)
        registrations = checked.inventory.registrations
        for d in evaluate_registrations(registrations, context, policy, as_of):
            findings = sorted((f.rule, f.deadline) for f in d.findings)
            row = (d.verdict, d.best, d.worst, d.deadline, d.material, d.material_reasons)
            result[f"{example.name}:{d.registration}"] = (*row, tuple(findings))
    return result


@pytest.mark.parametrize("as_of", [dt.date(2026, 11, 29), dt.date(2031, 1, 1)])
def test_a_file_in_the_spec_form_evaluates_like_the_builtin(tmp_path: Path, as_of: dt.date) -> None:
    assert EXAMPLES
    path = write(tmp_path, spec_form())
    policy = load_policy(path)
    assert policy.parameters.transition_periods == load_policy(BASE).parameters.transition_periods
    ours, theirs = outcomes(path, as_of), outcomes(BASE, as_of)
    assert len(ours) > 10
    assert ours == theirs
    # the examples really exercise deadlines and material use
    assert any(row[3] is not None for row in theirs.values())
    assert any(row[5] for row in theirs.values())


def test_the_spec_form_keeps_the_declared_field(tmp_path: Path) -> None:
    facts = load_policy(write(tmp_path, spec_form())).facts["material"]
    assert facts.declared == "material"
    assert [name for name, _ in facts.criteria] == [
        "core_task",
        "business_critical",
        "large_scale_personal_data",
    ]


def test_an_uploaded_file_in_the_spec_form_loads(tmp_path: Path) -> None:
    data = write(tmp_path, spec_form()).read_bytes()
    policy = load_policy_document("spec.yaml", data)
    assert policy.spec_parameters()["transition_years"] == 4
    assert policy.facts["material"].declared == "material"


def test_transition_years_in_a_variant_moves_existing_use_deadlines(tmp_path: Path) -> None:
    as_of = dt.date(2026, 11, 29)
    base, longer = (
        outcomes(BASE, as_of),
        outcomes(variant(tmp_path, "parameters:\n  transition_years: 5\n"), as_of),
    )
    moved = 0
    for key, row in base.items():
        for (rule, deadline), (rule_l, deadline_l) in zip(row[6], longer[key][6], strict=True):
            assert rule == rule_l
            transition = load_policy(BASE).rule(rule).transition
            if deadline is None or transition is None or transition.period != "existing_use":
                assert deadline_l == deadline
                continue
            # adopted 3 July 2026 + 5 years, or a granted extension that ends later
            assert deadline_l == max(deadline, dt.date(2031, 7, 3))
            moved += deadline == dt.date(2030, 7, 3)
    assert moved > 0
    periods = load_policy(tmp_path / "variant.yaml").parameters.transition_periods
    assert (periods["existing_use"].years, periods["exit_plan"].months) == (5, 12)


def test_exit_plan_months_in_a_variant_keeps_the_other_period(tmp_path: Path) -> None:
    policy = load_policy(variant(tmp_path, "parameters:\n  exit_plan_months: 18\n"))
    assert policy.parameters.period_months("exit_plan") == 18
    assert policy.parameters.period_months("existing_use") == 48
    assert policy.spec_parameters()["exit_plan_months"] == 18


def test_a_shorthand_beside_other_period_changes_in_a_variant(tmp_path: Path) -> None:
    body = (
        "parameters:\n  transition_years: 3\n"
        "  transition_periods: {add: {short: {months: 6}}, remove: [exit_plan]}\n"
        "remove_rules: [cb2026.3.2.exit-plan, cb2026.3.2.emergency-plan, cb2026.3.2.data-exit]\n"
    )
    periods = load_policy(variant(tmp_path, body)).parameters.transition_periods
    assert set(periods) == {"existing_use", "short"}
    assert periods["existing_use"].years == 3


def test_material_criteria_in_a_variant(tmp_path: Path) -> None:
    replaced = load_policy(variant(tmp_path, "parameters:\n  material_criteria: [core_task]\n"))
    material = replaced.facts["material"]
    assert ([n for n, _ in material.criteria], material.declared) == (["core_task"], "material")
    added = load_policy(
        variant(
            tmp_path,
            "parameters:\n  material_criteria: {add: [holds_source_data], remove: [core_task]}\n",
        )
    )
    assert added.spec_parameters()["material_criteria"] == (
        "business_critical",
        "large_scale_personal_data",
        "holds_source_data",
    )


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            "parameters:\n  transition_years: 5\n  transition_periods:\n"
            "    existing_use: {years: 4}\n",
            "parameters.transition_years: transition_years en "
            "transition_periods.existing_use noemen dezelfde termijn",
        ),
        (
            "parameters:\n  exit_plan_months: 6\n  transition_periods:\n"
            "    add: {exit_plan: {months: 9}}\n",
            "exit_plan_months en transition_periods.exit_plan noemen dezelfde termijn",
        ),
        (
            "parameters:\n  material_criteria: [core_task]\nfacts:\n  material:\n"
            "    criteria:\n      core_task: {field: core_task}\n",
            "material_criteria en facts.material noemen allebei materieel gebruik",
        ),
        (
            "parameters:\n  exit_plan_months: 6\n  transition_periods: {remove: [exit_plan]}\n",
            "exit_plan_months en transition_periods.exit_plan noemen dezelfde termijn",
        ),
        ("parameters:\n  transition_years: vier\n", "geef een heel aantal jaren"),
        ("parameters:\n  material_criteria: core_task\n", "geef een lijst met namen"),
        ("parameters:\n  material_criteria: [kerntaak]\n", "onbekend veld 'kerntaak'"),
    ],
)
def test_shorthand_problems_are_dutch(tmp_path: Path, body: str, problem: str) -> None:
    assert any(problem in p for p in problems_of(variant(tmp_path, body))), problem


def test_both_forms_in_one_file_is_an_error(tmp_path: Path) -> None:
    raw = spec_form()
    raw["parameters"]["transition_periods"] = {"existing_use": {"years": 4}}
    found = problems_of(write(tmp_path, raw))
    assert any("transition_years" in p and "transition_periods.existing_use" in p for p in found)


def test_the_builtin_exposes_the_spec_names() -> None:
    policy = load_policy(BASE)
    assert policy.spec_parameters() == {
        "transition_years": 4,
        "exit_plan_months": 12,
        "material_criteria": ("core_task", "business_critical", "large_scale_personal_data"),
    }
    markdown = policy_markdown(policy)
    assert "| `transition_years` | 4 |" in markdown
    assert "| `material_criteria` | core_task, business_critical" in markdown


def test_a_period_in_months_has_no_transition_years(tmp_path: Path) -> None:
    body = "parameters:\n  transition_periods: {add: {existing_use: {months: 30}}}\n"
    policy = load_policy(variant(tmp_path, body))
    assert "transition_years" not in policy.spec_parameters()
    assert diff_policies(load_policy(BASE), policy).parameters["transition_years"] == (4, None)


def test_policy_show_and_diff_name_the_spec_parameters(tmp_path: Path) -> None:
    shown = subprocess.run(
        [CLI, "policy", "show", BASE], capture_output=True, text=True, check=False, timeout=120
    )
    assert shown.returncode == 0, shown.stderr
    assert "  transition_years: 4\n" in shown.stdout
    assert "  exit_plan_months: 12\n" in shown.stdout
    assert "  material_criteria: core_task, business_critical" in shown.stdout
    path = variant(tmp_path, "parameters:\n  transition_years: 5\n")
    diff = subprocess.run(
        [CLI, "policy", "diff", BASE, str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert diff.returncode == 0, diff.stderr
    assert "parameter transition_years:\n    4 -> 5" in diff.stdout
