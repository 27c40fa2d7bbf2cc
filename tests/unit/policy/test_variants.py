"""Variants that compose: parameters with add and remove, rules added, changed field by field
or removed, examples inherited; duplicate ids and names are errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import evaluate_registrations
from cloudtoets.io.validate import validate_document
from cloudtoets.policy.loader import load_policy
from cloudtoets.policy.model import Policy
from cloudtoets.problems import InputError
from cloudtoets.yaml12 import load_yaml

BASE = "rijksbreed-cloudbeleid-2026"
NEW_RULE = """  - id: test.extra
    section: "4"
    basis: summary
    severity: recommended
    transition: none
    finding_when: {field: service_model, op: eq, value: iaas}
    text: {title: IaaS, problem: Dit is IaaS., action: Kijk of PaaS kan.}
"""


def variant(tmp_path: Path, body: str, name: str = "variant.yaml") -> Path:
    path = tmp_path / name
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


def test_adding_a_country_keeps_the_eea(tmp_path: Path) -> None:
    base = load_policy(BASE).parameters.allowed_countries
    path = variant(tmp_path, "parameters:\n  allowed_countries: {add: [gb]}\n")
    assert load_policy(path).parameters.allowed_countries == base | {"GB"}


def test_removing_a_country_keeps_the_others(tmp_path: Path) -> None:
    base = load_policy(BASE).parameters.allowed_countries
    path = variant(tmp_path, "parameters:\n  allowed_countries: {remove: [NO], add: [CH]}\n")
    assert load_policy(path).parameters.allowed_countries == (base - {"NO"}) | {"CH"}


def test_removing_what_is_not_inherited_is_an_error(tmp_path: Path) -> None:
    found = problems_of(variant(tmp_path, "parameters:\n  allowed_countries: {remove: [US]}\n"))
    assert any("parameters.allowed_countries" in p and "US staat niet" in p for p in found)


def test_a_bare_list_replaces_and_warns_when_it_drops_more_than_half(tmp_path: Path) -> None:
    policy = load_policy(variant(tmp_path, "parameters:\n  allowed_countries: [GB]\n"))
    assert policy.parameters.allowed_countries == {"GB"}
    [warning] = policy.warnings
    assert warning.where == "parameters.allowed_countries"
    assert "laat 30 van de 30 waarden weg" in warning.message and "{add: [...]}" in warning.message


def test_a_bare_list_that_keeps_most_values_gives_no_warning(tmp_path: Path) -> None:
    eea = sorted(load_policy(BASE).parameters.eea - {"NO"})
    path = variant(tmp_path, f"parameters:\n  allowed_countries: [{', '.join(eea)}]\n")
    assert load_policy(path).warnings == ()


def test_a_mapping_parameter_takes_add_and_remove(tmp_path: Path) -> None:
    body = "parameters:\n  transition_periods: {add: {kort: {months: 6}}}\n"
    periods = load_policy(variant(tmp_path, body)).parameters.transition_periods
    assert set(periods) == {"existing_use", "exit_plan", "kort"}
    assert periods["kort"].total_months == 6


def test_a_rule_is_changed_field_by_field(tmp_path: Path) -> None:
    body = """change_rules:
  - id: cb2026.4.key-custody
    severity: required
    text: {title: Sleutels horen bij de organisatie}
"""
    base = load_policy(BASE).rule("cb2026.4.key-custody")
    changed = load_policy(variant(tmp_path, body)).rule("cb2026.4.key-custody")
    assert changed.severity.value == "required"
    assert changed.title == "Sleutels horen bij de organisatie"
    assert changed.problem == base.problem and changed.action == base.action
    assert changed.section == base.section and changed.transition == base.transition


def test_changing_a_rule_that_is_not_inherited_is_an_error(tmp_path: Path) -> None:
    found = problems_of(
        variant(tmp_path, "change_rules:\n  - {id: test.nieuw, severity: required}\n")
    )
    assert any("change_rules" in p and "test.nieuw" in p and "onder rules" in p for p in found)


def test_a_rule_is_added_and_another_removed(tmp_path: Path) -> None:
    body = f"remove_rules: [cb2026.4.key-custody]\nrules:\n{NEW_RULE}"
    ids = {r.id for r in load_policy(variant(tmp_path, body)).rules}
    assert "test.extra" in ids and "cb2026.4.key-custody" not in ids


def test_adding_an_inherited_id_without_change_rules_is_an_error(tmp_path: Path) -> None:
    body = "rules:\n" + NEW_RULE.replace("test.extra", "cb2026.4.key-custody")
    found = problems_of(variant(tmp_path, body))
    assert any("regel cb2026.4.key-custody" in p and "change_rules" in p for p in found)


def test_a_duplicate_rule_id_in_a_variant_is_an_error(tmp_path: Path) -> None:
    found = problems_of(variant(tmp_path, "rules:\n" + NEW_RULE + NEW_RULE))
    # the second copy is named with its place among the variant's own rules
    assert any("regel test.extra (de 2e keer, positie 2): staat er 2 keer in" in p for p in found)


def test_a_duplicate_rule_id_in_a_policy_without_extends_is_an_error(tmp_path: Path) -> None:
    text = load_policy(BASE).origin.read_text(encoding="utf-8")
    path = tmp_path / "dubbel.yaml"
    path.write_text(text.replace("\nrules:\n", "\nrules:\n" + NEW_RULE * 2), encoding="utf-8")
    found = problems_of(path)
    assert any("regel test.extra (de 2e keer, positie 2): staat er 2 keer in" in p for p in found)


def test_change_keys_belong_to_a_variant(tmp_path: Path) -> None:
    text = load_policy(BASE).origin.read_text(encoding="utf-8")
    path = tmp_path / "geen-variant.yaml"
    path.write_text("remove_rules: [cb2026.4.key-custody]\n" + text, encoding="utf-8")
    assert any("remove_rules hoort bij een variant" in p for p in problems_of(path))


def test_a_rule_names_an_existing_transition_period(tmp_path: Path) -> None:
    body = "change_rules:\n  - id: cb2026.4.location\n    transition: {period: eeuwig}\n"
    found = problems_of(variant(tmp_path, body))
    assert any(
        "regel cb2026.4.location transition.period" in p and "'eeuwig'" in p and "existing_use" in p
        for p in found
    )


def test_a_new_period_of_months_gives_the_rule_its_deadline(tmp_path: Path) -> None:
    body = (
        "parameters:\n  transition_periods: {add: {achttien_maanden: {months: 18}}}\n"
        "change_rules:\n  - id: cb2026.4.location\n"
        "    transition: {period: achttien_maanden, extensions: true}\n"
    )
    policy = load_policy(variant(tmp_path, body))
    rule = policy.rule("cb2026.4.location")
    assert rule.transition is not None
    assert policy.parameters.period_months(rule.transition.period) == 18


def test_basis_may_name_another_document(tmp_path: Path) -> None:
    body = "rules:\n" + NEW_RULE.replace("basis: summary", "basis: BIO 2.0")
    assert load_policy(variant(tmp_path, body)).rule("test.extra").basis == "BIO 2.0"


def test_adding_great_britain_allows_gb_hosting_and_changes_nothing_else(tmp_path: Path) -> None:
    """The example inventory, plus one of its public services hosted in the United Kingdom:
    with GB added to the allowed countries only that registration gets another verdict."""
    base = load_policy(BASE)
    with_gb = load_policy(variant(tmp_path, "parameters:\n  allowed_countries: {add: [GB]}\n"))
    assert with_gb.parameters.allowed_countries == base.parameters.allowed_countries | {"GB"}
    assert with_gb.warnings == ()
    document = load_yaml(
        (Path(__file__).parents[3] / "examples" / "ministerie-bzk.yaml").read_bytes()
    )
    public = next(r for r in document["registrations"] if r.get("deployment") == "public")
    document["registrations"].append(
        {**public, "id": "in-het-vk", "storage_countries": ["GB"], "processing_countries": ["GB"]}
    )
    checked = validate_document(document, "inventaris")
    context = EvaluationContext(checked.organisations, checked.providers)
    registrations = checked.inventory.registrations
    day = dt.date(2026, 11, 29)

    def outcome(policy: Policy) -> dict[str, tuple[str, set[str], dt.date | None]]:
        return {
            d.registration: (d.verdict.value, {f.rule for f in d.findings}, d.deadline)
            for d in evaluate_registrations(registrations, context, policy, day)
        }

    before, after = outcome(base), outcome(with_gb)
    changed = {r for r in before if before[r] != after[r]}
    assert changed == {"in-het-vk"}
    assert "cb2026.4.location" in before["in-het-vk"][1]
    assert "cb2026.4.location" not in after["in-het-vk"][1]
