"""Three truth values (unknowns.md): what is not known stays unknown, and the range is exact.

The oracle is the compiled fast path: every registration whose facts are all known is evaluated
there, so filling in the unknowns of a registration and evaluating each filling checks the
three-valued evaluation against the two-valued one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cloudtoets.domain.decision import Decision
from cloudtoets.domain.knowledge import ORGANISATION_FACTS, QUESTIONS, REGISTRATION_FACTS
from cloudtoets.domain.model import Organisation, Registration
from cloudtoets.domain.vocabulary import (
    Classification,
    Deployment,
    KeyCustody,
    KeyRegister,
    PersonalData,
    ServiceFunction,
    ServiceModel,
    Verdict,
)
from cloudtoets.engine.evaluate import evaluate
from cloudtoets.engine.open import OpenEvaluator, reference_outcome

from .builders import (
    ADOPTED,
    AS_OF,
    BEFORE_ADOPTION,
    TEST_PROVIDERS,
    TRANSITION_END,
    context,
    decide,
    finding,
    material_registration,
    organisation,
    policy,
    registration,
    rules_fired,
)
from .test_properties import POLICY_IDS, dates, organisations, registrations

ENCRYPTION = "cb2026.4.encryption"
CLASSIFIED = "cb2026.5.2.classified"
JURISDICTION = "cb2026.4.3.jurisdiction"
OFFENSIVE = "cb2026.c2000.offensive-cyber"
LOCATION = "cb2026.4.location"

# Answers to try for each fact: enough to reach every rule's both sides.
SAMPLES: dict[str, list[Any]] = {
    "deployment": list(Deployment),
    "provider": ["nl-only", "us-parent", "cn-only", "ie-us-run"],
    "subprocessors": [[], ["us-parent"], ["cn-only"]],
    "service_model": list(ServiceModel),
    "functions": [
        [],
        [ServiceFunction.EMAIL],
        [ServiceFunction.DOCUMENT_MANAGEMENT],
        [ServiceFunction.EMAIL, ServiceFunction.DOCUMENT_MANAGEMENT],
    ],
    "storage_countries": [["NL"], ["US"], ["CN"], ["NL", "US"]],
    "processing_countries": [["NL"], ["US"], ["CN"], ["NL", "US"]],
    "encrypted_at_rest": [True, False],
    "encrypted_in_transit": [True, False],
    "key_custody": list(KeyCustody),
    "open_data": [True, False],
    "classification": list(Classification),
    "tbb_level": [1, 2, 3, 4, "none"],
    "personal_data": list(PersonalData),
    "large_scale_personal_data": [True, False],
    "pets": [[], ["pseudonymisation"]],
    "core_task": [True, False],
    "business_critical": [True, False],
    "key_register": [KeyRegister.NONE, KeyRegister.BRP],
    "holds_source_data": [True, False],
    "in_use_since": [BEFORE_ADOPTION, ADOPTED],
    **{f"organisation.{name}": [True, False] for name in ORGANISATION_FACTS},
}
FACTS = [*REGISTRATION_FACTS, *(f"organisation.{name}" for name in ORGANISATION_FACTS)]
assert set(SAMPLES) == set(FACTS) == set(QUESTIONS)


def forget(
    reg: Registration, org: Organisation, fields: set[str]
) -> tuple[Registration, Organisation]:
    own = {name: None for name in fields if name in REGISTRATION_FACTS}
    theirs = {name.removeprefix("organisation."): None for name in fields if name.startswith("org")}
    return replace(reg, **own), replace(org, **theirs)


def fillings(
    reg: Registration, org: Organisation, fields: list[str]
) -> list[tuple[Registration, Organisation]]:
    out = []
    for answers in itertools.product(*(SAMPLES[name] for name in fields)):
        values = dict(zip(fields, answers, strict=True))
        own = {k: v for k, v in values.items() if k in REGISTRATION_FACTS}
        theirs = {k.removeprefix("organisation."): v for k, v in values.items() if "." in k}
        filled = replace(reg, **own)
        if filled.provider is None and filled.deployment is not Deployment.PRIVATE_INTERNAL:
            filled = replace(filled, provider="nl-only")  # a filling knows its provider
        out.append((filled, replace(org, **theirs)))
    return out


def run(reg: Registration, org: Organisation, policy_id: str, as_of: dt.date) -> Decision:
    return evaluate(reg, context(org), policy(policy_id), as_of)


def within(inner: Decision, outer: Decision) -> bool:
    """The inner range lies inside the outer one (a lower rank is worse)."""
    return outer.worst.rank <= inner.worst.rank and inner.best.rank <= outer.best.rank


# --- the semantics of unknowns.md, case by case ----------------------------------------------


def test_an_unknown_encryption_setting_is_a_possible_finding_and_a_question() -> None:
    decision = decide(registration(encrypted_at_rest=None))

    assert decision.verdict is Verdict.INCOMPLETE
    assert (decision.best, decision.worst) == (Verdict.ALLOWED, Verdict.NOT_ALLOWED)
    assert not finding(decision, ENCRYPTION).certain
    (question,) = decision.questions
    assert (question.field, question.rules) == ("encrypted_at_rest", (ENCRYPTION,))
    assert question.question == "Wordt de data bij opslag versleuteld?"


def test_a_false_part_settles_an_all_whatever_is_unknown() -> None:
    decision = decide(registration(open_data=True, encrypted_at_rest=None, key_custody=None))

    assert decision.verdict is Verdict.ALLOWED
    assert decision.questions == ()
    assert decision.findings == ()


def test_a_registration_can_be_certainly_not_allowed_with_open_questions() -> None:
    decision = decide(
        registration(classification=Classification.STG_GEHEIM, encrypted_in_transit=None)
    )

    assert decision.verdict is Verdict.NOT_ALLOWED
    assert decision.best is decision.worst is Verdict.NOT_ALLOWED
    assert finding(decision, CLASSIFIED).certain
    assert [q.field for q in decision.questions] == ["encrypted_in_transit"]


def test_a_known_heavy_classification_decides_the_level_whatever_the_tbb_level() -> None:
    decision = decide(registration(classification=Classification.STG_GEHEIM, tbb_level=None))

    assert finding(decision, CLASSIFIED).certain
    assert decision.effective_tbb_level is None or decision.effective_tbb_level <= 2
    assert "tbb_level" not in {q.field for q in decision.questions if CLASSIFIED in q.rules}


def test_an_unknown_deployment_leaves_every_cloud_rule_open() -> None:
    decision = decide(registration(deployment=None, encrypted_at_rest=False))

    assert decision.public_cloud is None and decision.external_cloud is None
    assert not finding(decision, ENCRYPTION).certain
    assert decision.verdict is Verdict.INCOMPLETE
    assert "deployment" in {q.field for q in decision.questions}


def test_private_internal_without_provider_has_no_provider_but_unknown_deployment_has() -> None:
    internal = decide(registration(deployment=Deployment.PRIVATE_INTERNAL, provider=None))
    unknown = decide(registration(deployment=None, provider=None))

    assert internal.jurisdictions_complete and internal.verdict is Verdict.ALLOWED
    assert not unknown.jurisdictions_complete


def test_an_open_chain_decides_what_its_known_countries_decide() -> None:
    critical = organisation(critical_entity=True)
    us_owned = registration(provider="nl-us-owned", subprocessors=None, core_task=True)

    decision = decide(us_owned, org=critical)

    assert not decision.jurisdictions_complete
    assert decision.jurisdictions == ("NL", "US")
    assert finding(decision, JURISDICTION).certain  # US already outside the EEA
    assert not finding(decision, OFFENSIVE).certain  # a sub-processor might be Chinese
    assert "subprocessors" in {q.field for q in decision.questions}


def test_an_unknown_provider_gives_an_empty_open_chain() -> None:
    decision = decide(registration(provider=None))

    assert decision.jurisdictions == () and not decision.jurisdictions_complete
    assert not finding(decision, OFFENSIVE).certain
    assert decision.verdict is Verdict.INCOMPLETE
    assert [q.field for q in decision.questions] == ["provider"]


def test_one_known_criterion_makes_use_material() -> None:
    reg = material_registration(business_critical=None, large_scale_personal_data=None)

    decision = decide(reg)

    assert decision.material is True
    assert decision.material_reasons == ("core_task",)
    assert decision.verdict is Verdict.ALLOWED


def test_unknown_criteria_leave_material_use_open() -> None:
    decision = decide(registration(core_task=None))

    assert decision.material is None
    assert decision.verdict is Verdict.INCOMPLETE
    assert {q.field for q in decision.questions} >= {"core_task"}
    assert all(not f.certain for f in decision.findings)


def test_unknown_organisation_facts_are_asked_as_organisation_fields() -> None:
    reg = registration(provider="us-parent", core_task=True)

    decision = decide(reg, org=organisation(critical_entity=None))

    assert not finding(decision, JURISDICTION).certain
    assert "organisation.critical_entity" in {q.field for q in decision.questions}


def test_an_empty_country_list_is_unknown() -> None:
    decision = decide(registration(storage_countries=[]))

    assert not finding(decision, LOCATION).certain
    assert [q.field for q in decision.questions] == ["storage_countries"]


def test_the_fast_path_and_the_open_evaluation_agree_on_a_known_registration() -> None:
    reg = registration(encrypted_at_rest=False, in_use_since=BEFORE_ADOPTION)

    fast = decide(reg)
    slow = OpenEvaluator(policy(), AS_OF).evaluate(reg, context())

    assert fast.verdict is slow.verdict is Verdict.TRANSITION
    assert fast.deadline == slow.deadline == TRANSITION_END
    assert rules_fired(fast) == rules_fired(slow)


# --- properties -------------------------------------------------------------------------------


def comparable(decision: Decision) -> tuple[Any, ...]:
    return (
        decision.verdict,
        decision.best,
        decision.worst,
        decision.deadline,
        decision.public_cloud,
        decision.external_cloud,
        decision.material,
        decision.existing_use,
        decision.material_reasons,
        decision.jurisdictions,
        decision.jurisdictions_complete,
        decision.effective_tbb_level,
        decision.questions,
        tuple((f.rule, f.deadline, f.justified, f.certain, f.message) for f in decision.findings),
    )


@settings(max_examples=300, deadline=None)
@given(registrations(), organisations, st.sampled_from(POLICY_IDS), dates)
def test_the_open_evaluation_of_a_known_registration_is_the_compiled_one(
    reg: Registration, org: Organisation, policy_id: str, as_of: dt.date
) -> None:
    fast = run(reg, org, policy_id, as_of)
    slow = OpenEvaluator(policy(policy_id), as_of).evaluate(reg, context(org))

    assert comparable(fast) == comparable(slow)
    assert not fast.incomplete and fast.questions == ()


@settings(max_examples=150, deadline=None)
@given(
    registrations(),
    organisations,
    st.sets(st.sampled_from(FACTS), min_size=1, max_size=3),
    st.sampled_from(POLICY_IDS),
    dates,
)
def test_every_filling_of_the_unknowns_lands_inside_the_range(
    reg: Registration, org: Organisation, unknown: set[str], policy_id: str, as_of: dt.date
) -> None:
    open_reg, open_org = forget(reg, org, unknown)
    decision = run(open_reg, open_org, policy_id, as_of)
    assert decision.verdict is (
        decision.best if decision.best is decision.worst else Verdict.INCOMPLETE
    )

    asked = {q.field for q in decision.questions}
    # without a provider, an unknown deployment leaves the provider unknown too
    assert asked <= unknown | ({"provider"} if reg.provider is None else set())
    for filled, filled_org in fillings(open_reg, open_org, sorted(unknown)):
        assert within(run(filled, filled_org, policy_id, as_of), decision)


@settings(max_examples=200, deadline=None)
@given(registrations(), organisations, st.sampled_from(FACTS), dates)
def test_with_one_unknown_field_some_filling_reaches_the_best_and_the_worst(
    reg: Registration, org: Organisation, unknown: str, as_of: dt.date
) -> None:
    assume(reg.provider is not None)
    open_reg, open_org = forget(reg, org, {unknown})
    decision = run(open_reg, open_org, POLICY_IDS[0], as_of)

    reached = {
        run(filled, filled_org, POLICY_IDS[0], as_of).verdict
        for filled, filled_org in fillings(open_reg, open_org, [unknown])
    }
    assert decision.best in reached
    assert decision.worst in reached
    if decision.incomplete:
        assert [q.field for q in decision.questions] == [unknown]


@pytest.mark.parametrize("name", FACTS)
def test_every_question_is_plain_dutch(name: str) -> None:
    text = QUESTIONS[name]
    assert text.endswith("?") and text[0].isupper()
    assert len(text.split()) <= 16


@settings(max_examples=300, deadline=None)
@given(
    registrations(),
    organisations,
    st.sets(st.sampled_from(FACTS), max_size=6),
    st.sampled_from(POLICY_IDS),
    dates,
)
def test_the_compiled_conditions_give_the_truth_values_of_the_tree_walk(
    reg: Registration, org: Organisation, unknown: set[str], policy_id: str, as_of: dt.date
) -> None:
    open_reg, open_org = forget(reg, org, unknown)
    evaluator = OpenEvaluator(policy(policy_id), as_of)
    facts = evaluator.facts(open_reg, open_org, context(open_org))

    for condition, truth in zip(evaluator.conditions, evaluator.truths, strict=True):
        value, waiting = reference_outcome(condition, facts)
        assert truth(open_reg, open_org, facts) is value
        assert bool(waiting) == (value is None)
        assert waiting <= unknown | {"provider"}


def test_a_providers_own_subprocessors_are_in_every_chain_it_is_in() -> None:
    from cloudtoets.catalogue import catalogue_directory
    from cloudtoets.domain.model import Provider
    from cloudtoets.engine.context import EvaluationContext

    hosted = Provider(id="nl-saas-on-us", country="NL", subprocessors=["us-parent"])
    org = organisation(critical_entity=True)
    directory = catalogue_directory([*TEST_PROVIDERS, hosted])
    ctx = EvaluationContext({org.id: org}, directory)
    reg = registration(provider="nl-saas-on-us", core_task=True)

    decision = OpenEvaluator(policy(), AS_OF).evaluate(reg, ctx)
    fast = evaluate(reg, ctx, policy(), AS_OF)

    assert decision.jurisdictions == fast.jurisdictions == ("NL", "US")
    assert decision.jurisdictions_complete  # the registration's own list closes the chain
    assert JURISDICTION in rules_fired(fast)
