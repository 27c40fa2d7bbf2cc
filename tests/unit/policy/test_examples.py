"""A policy's own examples (``cloudtoets policy test``): every built-in rule has one that fires
it, they all pass, and a wrong expectation fails with a Dutch reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudtoets.policy.loader import builtin_policy_ids, load_policy
from cloudtoets.services.policy_examples import run_examples

BASE = "rijksbreed-cloudbeleid-2026"


@pytest.mark.parametrize("policy_id", builtin_policy_ids())
def test_every_rule_of_a_builtin_policy_has_an_example_that_fires_it(policy_id: str) -> None:
    policy = load_policy(policy_id)
    fired = {rule for result in run_examples(policy) for rule in result.rules}
    assert {rule.id for rule in policy.rules} - fired == set()


@pytest.mark.parametrize("policy_id", builtin_policy_ids())
def test_every_example_of_a_builtin_policy_passes(policy_id: str) -> None:
    results = run_examples(load_policy(policy_id))
    assert len(results) >= 22
    assert [(r.name, r.failures) for r in results if not r.passed] == []


def variant(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "variant.yaml"
    path.write_text(
        f"id: test-variant\nextends: {BASE}\ntitle: Test\nversion: '1'\nstatus: concept\n"
        f"source: test\n{body}",
        encoding="utf-8",
    )
    return path


def test_a_variant_inherits_the_examples_and_its_own_replace_them_by_name(
    tmp_path: Path,
) -> None:
    name = "opslag in het Verenigd Koninkrijk is bij nieuw gebruik niet toegestaan"
    body = (
        "parameters:\n  allowed_countries: {add: [GB]}\n"
        f"examples:\n  - name: {name}\n    registration: {{storage_countries: [NL, GB]}}\n"
        "    expect: {verdict: allowed}\n"
    )
    policy = load_policy(variant(tmp_path, body))
    results = {r.name: r for r in run_examples(policy)}
    assert len(results) == len(load_policy(BASE).examples)
    assert results[name].passed and results[name].verdict is not None
    assert results[name].verdict.value == "allowed"


def test_an_inherited_example_that_no_longer_holds_fails_with_the_reason(tmp_path: Path) -> None:
    policy = load_policy(variant(tmp_path, "parameters:\n  allowed_countries: {add: [GB]}\n"))
    failed = [r for r in run_examples(policy) if not r.passed]
    assert [r.name for r in failed] == [
        "opslag in het Verenigd Koninkrijk is bij nieuw gebruik niet toegestaan",
        "opslag in het Verenigd Koninkrijk bij bestaand gebruik heeft een overgangstermijn",
    ]
    assert failed[0].failures == (
        "oordeel allowed, verwacht not-allowed",
        "geen bevinding op cb2026.4.location",
    )


def test_a_removed_example_is_not_run(tmp_path: Path) -> None:
    name = "een nieuwe dienst binnen de EER met alles op orde is toegestaan"
    policy = load_policy(variant(tmp_path, f"remove_examples: ['{name}']\n"))
    assert name not in {r.name for r in run_examples(policy)}


def test_an_example_with_a_bad_registration_fails_with_the_inventory_problem(
    tmp_path: Path,
) -> None:
    body = (
        "examples:\n  - name: kapot\n    registration: {deployment: wolk}\n"
        "    expect: {verdict: allowed}\n"
    )
    [result] = [r for r in run_examples(load_policy(variant(tmp_path, body))) if r.name == "kapot"]
    assert not result.passed and result.verdict is None
    assert any("deployment" in f and "wolk" in f for f in result.failures)


def test_an_expected_rule_that_does_not_exist_is_named(tmp_path: Path) -> None:
    body = (
        "examples:\n  - name: tikfout\n    registration: {encrypted_at_rest: false}\n"
        "    expect: {verdict: not-allowed, rules: [cb2026.4.encryptie]}\n"
    )
    [result] = [
        r for r in run_examples(load_policy(variant(tmp_path, body))) if r.name == "tikfout"
    ]
    assert "expect.rules noemt cb2026.4.encryptie: geen regel van dit beleid" in result.failures
