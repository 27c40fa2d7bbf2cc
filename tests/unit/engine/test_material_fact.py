"""Material use is data in the policy file (facts.material): a declared field and criteria.

The criteria are named conditions: material is their Kleene ``any`` when the field ``material``
is empty, and the names of those that hold are the reasons (policy.md "Material use",
unknowns.md). A variant adds or removes a criterion like any other mapping.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cloudtoets.domain.decision import Decision
from cloudtoets.domain.model import Organisation, Registration
from cloudtoets.engine.evaluate import Evaluator
from cloudtoets.engine.open import OpenEvaluator
from cloudtoets.policy.loader import load_policy
from cloudtoets.policy.model import Policy
from cloudtoets.problems import InputError

from .builders import AS_OF, context, organisation, policy, registration

VARIANT = """
id: materieel-kritiek
extends: rijksbreed-cloudbeleid-2026
title: Materieel ook voor kritieke entiteiten
version: "1"
status: variant
source: test
facts:
  material:
    criteria:
      add:
        critical_entity: {field: organisation.critical_entity}
      remove: [large_scale_personal_data]
"""

NOT_MATERIAL = {"core_task": False, "business_critical": False, "large_scale_personal_data": False}


def _load(tmp_path: Path, text: str, name: str = "variant.yaml") -> Policy:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_policy(path)


def _both(p: Policy, reg: Registration, org: Organisation | None = None) -> list[Decision]:
    """The compiled function's decision and the three-valued evaluator's: they must agree."""
    ctx = context(org)
    return [Evaluator(p, AS_OF).evaluate(reg, ctx), OpenEvaluator(p, AS_OF).evaluate(reg, ctx)]


def test_the_built_in_policy_derives_material_from_its_facts_section() -> None:
    condition = policy().facts["material"]
    assert condition.declared == "material"
    assert [name for name, _ in condition.criteria] == [
        "core_task",
        "business_critical",
        "large_scale_personal_data",
    ]


def test_a_variant_adds_and_removes_a_criterion(tmp_path: Path) -> None:
    variant = _load(tmp_path, VARIANT)
    critical = organisation(critical_entity=True)
    plain = registration(**NOT_MATERIAL)
    for decision in _both(variant, plain, critical):
        assert (decision.material, decision.material_reasons) == (True, ("critical_entity",))
        assert "cb2026.3.1.risk-assessment" in [f.rule for f in decision.findings]
    # the base policy does not count a critical entity
    for decision in _both(policy(), plain, critical):
        assert (decision.material, decision.material_reasons) == (False, ())
    # the removed criterion no longer makes use material
    large = registration(**{**NOT_MATERIAL, "large_scale_personal_data": True})
    for decision in _both(variant, large):
        assert (decision.material, decision.material_reasons) == (False, ())
    # reasons are sorted, the declared field still wins
    both = registration(**{**NOT_MATERIAL, "core_task": True})
    for decision in _both(variant, both, critical):
        assert decision.material_reasons == ("core_task", "critical_entity")
    for decision in _both(variant, registration(material=False), critical):
        assert (decision.material, decision.material_reasons) == (False, ())


def test_an_unknown_criterion_waits_unless_another_one_holds(tmp_path: Path) -> None:
    variant = _load(tmp_path, VARIANT)
    # unknown organisation flag, another criterion known true: material, with that reason only
    unknown_org = organisation(critical_entity=None)
    core = registration(**{**NOT_MATERIAL, "core_task": True})
    decision = Evaluator(variant, AS_OF).evaluate(core, context(unknown_org))
    assert (decision.material, decision.material_reasons) == (True, ("core_task",))
    # all criteria unknown: unknown, and the material rules ask for them
    unknown = registration(core_task=None, business_critical=None, large_scale_personal_data=None)
    decision = Evaluator(policy(), AS_OF).evaluate(unknown, context())
    assert (decision.material, decision.material_reasons) == (None, ())
    asked = {q.field for q in decision.questions}
    assert {"core_task", "business_critical", "large_scale_personal_data"} <= asked
    # one unknown, the others known false: still unknown, and only that one is asked
    one = registration(**{**NOT_MATERIAL, "business_critical": None})
    decision = Evaluator(policy(), AS_OF).evaluate(one, context())
    assert decision.material is None
    assert "business_critical" in {q.field for q in decision.questions}
    assert "core_task" not in {q.field for q in decision.questions}
    # declared false wins over unknown criteria: not material, no reasons, nothing to ask
    declared = registration(
        material=False, core_task=None, business_critical=None, large_scale_personal_data=None
    )
    decision = Evaluator(policy(), AS_OF).evaluate(declared, context())
    assert (decision.material, decision.material_reasons) == (False, ())
    assert not {"business_critical", "large_scale_personal_data"} & {
        q.field for q in decision.questions
    }


@pytest.mark.parametrize(
    ("facts", "problem"),
    [
        (
            "parameters:\n  material_criteria: [core_task]\n"
            "facts:\n  material:\n    criteria:\n      core_task: {field: core_task}\n",
            "material_criteria en facts.material noemen allebei materieel gebruik",
        ),
        (
            "facts:\n  material:\n    criteria:\n      declared: {field: core_task}\n",
            "een criterium heet niet declared",
        ),
        (
            "facts:\n  material:\n    declared: storage_countries\n"
            "    criteria:\n      core_task: {field: core_task}\n",
            "facts.material.declared: 'storage_countries' is geen ja/nee-veld",
        ),
        (
            "facts:\n  material:\n    criteria:\n      remove: [cloud_first]\n",
            "remove: cloud_first staat niet in criteria van rijksbreed-cloudbeleid-2026",
        ),
        (
            "facts:\n  material:\n    criteria:\n      kerntaak: {field: core_taak}\n",
            "facts.material.criteria.kerntaak: onbekend veld 'core_taak'",
        ),
    ],
)
def test_a_mistake_in_the_material_definition_says_where(
    tmp_path: Path, facts: str, problem: str
) -> None:
    head = VARIANT.split("facts:")[0]
    with pytest.raises(InputError) as refused:
        _load(tmp_path, head + facts)
    text = " | ".join(f"{p.where}: {p.message}" for p in refused.value.problems)
    assert problem in text


def test_a_later_date_does_not_change_material(tmp_path: Path) -> None:
    variant = _load(tmp_path, VARIANT)
    reg = registration(**{**NOT_MATERIAL, "business_critical": True})
    for as_of in (AS_OF, dt.date(2031, 1, 1)):
        decision = Evaluator(variant, as_of).evaluate(reg, context())
        assert decision.material_reasons == ("business_critical",)


def test_a_variant_of_a_variant_keeps_the_criteria_it_inherits(tmp_path: Path) -> None:
    _load(tmp_path, VARIANT)
    second = VARIANT.replace("id: materieel-kritiek", "id: materieel-vitaal").replace(
        "extends: rijksbreed-cloudbeleid-2026", "extends: variant.yaml"
    )
    second = second.split("facts:")[0] + (
        "facts:\n  material:\n    criteria:\n"
        "      add: {vital_provider: {field: organisation.vital_provider}}\n"
    )
    p = _load(tmp_path, second, "second.yaml")
    names = [name for name, _ in p.facts["material"].criteria]
    assert names == ["core_task", "business_critical", "critical_entity", "vital_provider"]
    assert p.facts["material"].declared == "material"
    # a fact written whole replaces the inherited definition
    whole = second.split("facts:")[0] + (
        "facts:\n  material:\n    when: {field: business_critical}\n"
    )
    replaced = _load(tmp_path, whole, "whole.yaml").facts["material"]
    assert (replaced.criteria, replaced.declared) == ((), None)
    decision = Evaluator(_load(tmp_path, whole, "whole.yaml"), AS_OF).evaluate(
        registration(**{**NOT_MATERIAL, "business_critical": True}), context()
    )
    assert (decision.material, decision.material_reasons) == (True, ())
