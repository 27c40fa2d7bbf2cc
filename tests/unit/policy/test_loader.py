"""Loading policy files: built-ins, variants, and every kind of mistake in a policy file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudtoets.domain.vocabulary import OrganisationType, Scope
from cloudtoets.policy.loader import builtin_policy_ids, load_policy
from cloudtoets.problems import InputError

BASE = "rijksbreed-cloudbeleid-2026"
# EU27 + IS, LI, NO (policy.md)
EEA = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO".split()
)


def write(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def variant(tmp_path: Path, body: str) -> Path:
    return write(
        tmp_path,
        f"id: test-variant\nextends: {BASE}\ntitle: Test\nversion: '1'\nstatus: concept\n"
        f"source: test\n{body}",
    )


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_policy(path)
    return [str(p) for p in caught.value.problems]


def test_the_three_builtin_policies_load() -> None:
    assert builtin_policy_ids() == [
        "overheidsbreed-cloudbeleid-concept",
        BASE,
        "rijksbreed-cloudbeleid-2026-eer-ch",
    ]
    for policy_id in builtin_policy_ids():
        policy = load_policy(policy_id)
        assert policy.id == policy_id
        assert len(policy.rules) == 22
        # the variants inherit the states of the adopted policy
        assert policy.parameters.offensive_cyber_states == {"CN", "IR", "KP", "RU"}


def test_adopted_policy_has_the_parameters_of_the_letter() -> None:
    p = load_policy(BASE).parameters
    assert p.adopted.isoformat() == "2026-07-03"
    assert p.period_months("existing_use") == 48
    assert p.period_months("exit_plan") == 12
    assert p.eea == EEA
    assert p.allowed_countries == EEA
    assert "NO" in p.eea  # YAML 1.2: Norway, not false
    assert p.scope_by_org_type[OrganisationType.DEFENCE] is Scope.EXCLUDED


def test_eer_ch_variant_only_adds_switzerland() -> None:
    base, variant_policy = load_policy(BASE), load_policy("rijksbreed-cloudbeleid-2026-eer-ch")
    assert variant_policy.parameters.allowed_countries - base.parameters.allowed_countries == {"CH"}
    assert [r.id for r in variant_policy.rules] == [r.id for r in base.rules]
    assert variant_policy.revision != base.revision


def test_overheidsbreed_concept_makes_municipalities_mandatory() -> None:
    scope = load_policy("overheidsbreed-cloudbeleid-concept").parameters.scope_by_org_type
    assert scope[OrganisationType.MUNICIPALITY] is Scope.MANDATORY
    assert scope[OrganisationType.WATER_BOARD] is Scope.MANDATORY


def test_revision_is_stable_and_changes_with_content(tmp_path: Path) -> None:
    same = variant(tmp_path, "")
    assert load_policy(same).revision == load_policy(same).revision
    changed = write(
        tmp_path,
        same.read_text(encoding="utf-8") + "parameters:\n  exit_test_months: 6\n",
        "changed.yaml",
    )
    assert load_policy(changed).revision != load_policy(same).revision


def test_a_policy_can_be_loaded_by_path(tmp_path: Path) -> None:
    body = "parameters:\n  transition_periods: {add: {existing_use: {years: 5}}}\n"
    policy = load_policy(variant(tmp_path, body))
    assert policy.id == "test-variant"
    assert policy.parameters.period_months("existing_use") == 60


def test_unknown_policy_id_names_the_builtin_ones() -> None:
    with pytest.raises(InputError) as caught:
        load_policy("bestaat-niet")
    assert "rijksbreed-cloudbeleid-2026" in caught.value.render()


def test_unknown_parameter_is_rejected(tmp_path: Path) -> None:
    found = problems_of(variant(tmp_path, "parameters:\n  transitie_jaren: 4\n"))
    assert any("transitie_jaren" in p and "onbekend veld" in p for p in found)


def test_unknown_operator_names_the_rule(tmp_path: Path) -> None:
    body = """change_rules:
  - id: cb2026.4.location
    finding_when: {field: storage_countries, op: buiten, param: allowed_countries}
"""
    found = problems_of(variant(tmp_path, body))
    assert any("cb2026.4.location" in p and "operator 'buiten'" in p for p in found)


def test_unknown_field_fact_and_parameter_are_each_reported(tmp_path: Path) -> None:
    body = """rules:
  - id: test.one
    section: "4"
    basis: letter
    severity: forbidden
    transition: none
    finding_when: {field: opslaglanden, op: is-set}
    text: {title: t, problem: p, action: a}
  - id: test.two
    section: "4"
    basis: letter
    severity: forbidden
    transition: none
    finding_when: {fact: cloudachtig}
    text: {title: t, problem: p, action: a}
  - id: test.three
    section: "4"
    basis: letter
    severity: forbidden
    transition: none
    finding_when: {field: storage_countries, op: not-subset-of, param: landen}
    text: {title: t, problem: p, action: a}
"""
    found = " | ".join(problems_of(variant(tmp_path, body)))
    assert "test.one" in found and "onbekend veld 'opslaglanden'" in found
    assert "test.two" in found and "onbekend feit 'cloudachtig'" in found
    assert "test.three" in found and "onbekende parameter 'landen'" in found


def test_operator_must_fit_the_field(tmp_path: Path) -> None:
    body = """rules:
  - id: test.bad-op
    section: "4"
    basis: letter
    severity: forbidden
    transition: none
    finding_when: {field: encrypted_at_rest, op: contains, value: x}
    text: {title: t, problem: p, action: a}
"""
    assert any(
        "past niet bij 'encrypted_at_rest'" in p for p in problems_of(variant(tmp_path, body))
    )


def test_vocabulary_values_in_conditions_are_checked(tmp_path: Path) -> None:
    body = """rules:
  - id: test.bad-value
    section: "4"
    basis: letter
    severity: forbidden
    transition: none
    finding_when: {field: functions, op: contains, value: mail}
    text: {title: t, problem: p, action: a}
"""
    assert any("'mail'" in p for p in problems_of(variant(tmp_path, body)))


def test_bad_severity_transition_and_placeholder_are_reported_together(tmp_path: Path) -> None:
    body = """rules:
  - id: test.bad
    section: "4"
    basis: letter
    severity: streng
    transition: {period: eeuwig}
    finding_when: {field: open_data, op: is-true}
    text: {title: t, problem: "Land {land}", action: a}
"""
    found = " | ".join(problems_of(variant(tmp_path, body)))
    assert "severity" in found and "streng" in found
    assert "transition" in found


def test_unknown_placeholder_in_a_rule_text_is_rejected(tmp_path: Path) -> None:
    body = """rules:
  - id: test.placeholder
    section: "4"
    basis: letter
    severity: forbidden
    transition: none
    finding_when: {field: open_data, op: is-true}
    text: {title: t, problem: "Land {land}", action: a}
"""
    assert any("{land}" in p for p in problems_of(variant(tmp_path, body)))


def test_invalid_country_in_allowed_countries(tmp_path: Path) -> None:
    found = problems_of(variant(tmp_path, "parameters:\n  allowed_countries: [NL, XX]\n"))
    assert any("XX" in p for p in found)


def test_extends_cycle_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "id: a\nextends: b.yaml\n", "a.yaml")
    write(tmp_path, "id: b\nextends: a.yaml\n", "b.yaml")
    assert any("kring" in p for p in problems_of(tmp_path / "a.yaml"))


def test_broken_yaml_is_an_input_error(tmp_path: Path) -> None:
    found = problems_of(write(tmp_path, "id: [unclosed\n"))
    assert any("geen geldige YAML" in p for p in found)


def test_a_rule_can_be_removed_and_added_by_a_variant(tmp_path: Path) -> None:
    body = """remove_rules: [cb2026.4.key-custody]
rules:
  - id: test.extra
    section: "4"
    basis: summary
    severity: recommended
    transition: none
    finding_when: {field: service_model, op: eq, value: iaas}
    text: {title: IaaS, problem: Dit is IaaS., action: Kijk of PaaS kan.}
"""
    ids = [r.id for r in load_policy(variant(tmp_path, body)).rules]
    assert "cb2026.4.key-custody" not in ids
    assert "test.extra" in ids


def test_a_section_is_free_text_and_a_rule_may_cite_another_document(tmp_path: Path) -> None:
    body = """rules:
  - id: test.elsewhere
    section: BIO 2.0 8.1
    basis: summary
    citation: "Baseline Informatiebeveiliging Overheid, {section}"
    severity: recommended
    transition: none
    finding_when: {field: service_model, op: eq, value: iaas}
    text: {title: t, problem: p, action: a}
"""
    rule = load_policy(variant(tmp_path, body)).rule("test.elsewhere")
    assert rule.section == "BIO 2.0 8.1"
    assert rule.citation == "Baseline Informatiebeveiliging Overheid, {section}"
    assert load_policy(BASE).rule("cb2026.4.location").citation is None


@pytest.mark.parametrize("section", ['""', '" 4"', '"4\\n5"'])
def test_a_section_is_not_empty_and_has_no_white_space_around_it(
    tmp_path: Path, section: str
) -> None:
    body = f"""rules:
  - id: test.section
    section: {section}
    basis: letter
    severity: recommended
    transition: none
    finding_when: {{field: service_model, op: eq, value: iaas}}
    text: {{title: t, problem: p, action: a}}
"""
    assert any("section" in p for p in problems_of(variant(tmp_path, body)))


def test_a_citation_names_only_the_section(tmp_path: Path) -> None:
    body = """rules:
  - id: test.citation
    section: C2000
    basis: summary
    citation: "Cloudbeleid 2022 ({adopted}), {deadline}"
    severity: forbidden
    transition: none
    finding_when: {field: service_model, op: eq, value: iaas}
    text: {title: t, problem: p, action: a}
texts:
  section: "Cloudbeleid, {accepted_by}"
"""
    found = " | ".join(problems_of(variant(tmp_path, body)))
    assert "regel test.citation citation" in found
    assert "{adopted}" in found and "{deadline}" in found
    assert "texts.section" in found and "{accepted_by}" in found


def test_invalid_country_in_offensive_cyber_states(tmp_path: Path) -> None:
    found = problems_of(variant(tmp_path, "parameters:\n  offensive_cyber_states: [CN, XX]\n"))
    assert any("offensive_cyber_states" in p and "XX" in p for p in found)


def test_a_policy_without_offensive_cyber_states_is_incomplete(tmp_path: Path) -> None:
    text = (Path(load_policy(BASE).origin)).read_text(encoding="utf-8")
    without = "\n".join(
        line for line in text.splitlines() if not line.startswith("  offensive_cyber_states:")
    )
    found = problems_of(write(tmp_path, without))
    assert any("offensive_cyber_states" in p for p in found)
