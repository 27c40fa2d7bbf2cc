"""Properties of the engine over generated registrations (Hypothesis)."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cloudtoets.catalogue import catalogue_entries
from cloudtoets.domain.decision import Decision
from cloudtoets.domain.model import (
    ExitPlan,
    ExitScenario,
    Justification,
    Notification,
    Organisation,
    Registration,
    RiskAssessment,
)
from cloudtoets.domain.vocabulary import (
    Classification,
    Deployment,
    KeyCustody,
    KeyRegister,
    OrganisationType,
    PersonalData,
    PrivacyTechnique,
    ServiceFunction,
    ServiceModel,
    Severity,
    Verdict,
)
from cloudtoets.engine.evaluate import Evaluator, evaluate
from cloudtoets.presentation.rules import citations

from .builders import (
    ADOPTED,
    DEFAULT_POLICY,
    EER_CH_POLICY,
    EXIT_PLAN_END,
    ORG_ID,
    OVERHEIDSBREED_POLICY,
    TEST_PROVIDERS,
    TRANSITION_END,
    context,
    expected_deadline,
    expected_verdict,
    justification,
    policy,
)

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)

RULE_IDS = sorted(rule.id for rule in policy().rules)
PROVIDER_IDS = sorted({entry.id for entry in catalogue_entries()} | {p.id for p in TEST_PROVIDERS})
COUNTRIES = [*sorted(policy().parameters.eea), "CH", "GB", "BQ", "US", "CN", "IN", "SG", "RU"]
POLICY_IDS = [DEFAULT_POLICY, EER_CH_POLICY, OVERHEIDSBREED_POLICY]

KEY_DATES = [
    dt.date(2026, 7, 2),
    ADOPTED,
    dt.date(2026, 11, 29),
    dt.date(2027, 7, 2),
    EXIT_PLAN_END,
    dt.date(2030, 7, 2),
    TRANSITION_END,
    dt.date(2032, 1, 1),
]
dates = st.one_of(
    st.sampled_from(KEY_DATES),
    st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2034, 12, 31)),
)
optional_dates = st.none() | dates
texts = st.sampled_from(["", " ", "\t\n", "SG BZK", "Hoge migratiekosten"])
optional_texts = st.none() | texts


def enum_lists(enum: Any, max_size: int = 3) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.sampled_from(list(enum)), max_size=max_size, unique=True)


country_lists = st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=3, unique=True)

risk_assessments = st.builds(
    RiskAssessment,
    date=optional_dates,
    covers_lock_in=st.booleans(),
    covers_jurisdiction=st.booleans(),
    accepted_by=optional_texts,
    accepted_on=optional_dates,
)
scenarios = st.builds(
    ExitScenario,
    lead_time_days=st.none() | st.integers(min_value=0, max_value=720),
    preconditions=st.lists(st.sampled_from(["data in open formaat", "tweede leverancier"])),
)
exit_plans = st.builds(
    ExitPlan,
    planned=st.none() | scenarios,
    emergency=st.none() | scenarios,
    data_return=st.booleans(),
    data_destruction=st.booleans(),
    last_tested=optional_dates,
    last_reviewed=optional_dates,
)
notifications = st.builds(
    Notification, submitted_on=optional_dates, to=st.none() | st.just("CIO Rijk")
)
rule_ids = st.sampled_from([*RULE_IDS, "cb2026.9.unknown"])
justifications = st.builds(
    Justification,
    rule=rule_ids,
    reason=texts,
    accepted_by=optional_texts,
    accepted_on=optional_dates,
    reported_on=optional_dates,
    continuity_risk_established=st.booleans(),
    risk_and_exit_tested=st.booleans(),
    minister_consent_on=optional_dates,
)
organisations = st.builds(
    Organisation,
    id=st.just(ORG_ID),
    type=st.sampled_from(list(OrganisationType)),
    critical_entity=st.booleans(),
    essential_entity=st.booleans(),
    vital_provider=st.booleans(),
)


@st.composite
def registrations(draw: st.DrawFn) -> Registration:
    deployment = draw(st.sampled_from(list(Deployment)))
    provider_ids = st.sampled_from(PROVIDER_IDS)
    if deployment is Deployment.PRIVATE_INTERNAL:
        provider = draw(st.none() | provider_ids)
    else:
        provider = draw(provider_ids)
    return Registration(
        id="reg",
        organisation=ORG_ID,
        deployment=deployment,
        provider=provider,
        subprocessors=draw(st.lists(provider_ids, max_size=2, unique=True)),
        service_model=draw(st.none() | st.sampled_from(list(ServiceModel))),
        functions=draw(enum_lists(ServiceFunction)),
        storage_countries=draw(country_lists),
        processing_countries=draw(country_lists),
        encrypted_at_rest=draw(st.booleans()),
        encrypted_in_transit=draw(st.booleans()),
        key_custody=draw(st.sampled_from(list(KeyCustody))),
        open_data=draw(st.booleans()),
        classification=draw(st.sampled_from(list(Classification))),
        tbb_level=draw(st.sampled_from([1, 2, 3, 4, "none"])),
        personal_data=draw(st.sampled_from(list(PersonalData))),
        large_scale_personal_data=draw(st.booleans()),
        pets=draw(enum_lists(PrivacyTechnique, max_size=2)),
        core_task=draw(st.booleans()),
        business_critical=draw(st.booleans()),
        material=draw(st.none() | st.booleans()),
        key_register=draw(st.sampled_from(list(KeyRegister))),
        holds_source_data=draw(st.booleans()),
        abro_declaration=draw(st.booleans()),
        in_use_since=draw(dates),
        contract_start=draw(optional_dates),
        contract_end=draw(optional_dates),
        lifecycle_moment=draw(optional_dates),
        lifecycle_justification=draw(texts),
        risk_assessment=draw(st.none() | risk_assessments),
        exit_plan=draw(st.none() | exit_plans),
        notification=draw(st.none() | notifications),
        justifications=draw(st.lists(justifications, max_size=3)),
    )


cases = st.tuples(registrations(), organisations, st.sampled_from(POLICY_IDS), dates)


def run(reg: Registration, org: Organisation, policy_id: str, as_of: dt.date) -> Decision:
    return evaluate(reg, context(org), policy(policy_id), as_of)


@PROPERTY_SETTINGS
@given(cases)
def test_the_engine_never_raises_on_valid_input(case: tuple[Any, ...]) -> None:
    decision = run(*case)

    assert decision.registration == "reg"


@PROPERTY_SETTINGS
@given(cases)
def test_the_verdict_and_deadline_follow_from_the_findings(case: tuple[Any, ...]) -> None:
    reg, _, policy_id, as_of = case

    decision = run(*case)

    verdict = expected_verdict(decision.findings, as_of)
    assert decision.verdict is verdict
    assert decision.deadline == expected_deadline(decision.findings, verdict)
    assert (decision.deadline is not None) == (verdict is Verdict.TRANSITION)
    rules = [f.rule for f in decision.findings]
    assert rules == sorted(set(rules)), "findings sorted by rule id, each rule at most once"
    assert list(decision.material_reasons) == sorted(decision.material_reasons)
    assert list(decision.jurisdictions) == sorted(set(decision.jurisdictions))
    existing = reg.in_use_since is not None and reg.in_use_since < ADOPTED
    for f in decision.findings:
        if not existing or f.severity is Severity.RECOMMENDED:
            assert f.deadline is None, f
        cited = citations(policy(policy_id))[f.rule]
        assert f.message.endswith(f"({cited})")
        assert f.section in cited


@PROPERTY_SETTINGS
@given(cases, rule_ids, optional_dates, st.booleans())
def test_adding_a_valid_justification_never_makes_the_verdict_worse(
    case: tuple[Any, ...], rule: str, reported_on: dt.date | None, first: bool
) -> None:
    reg, org, policy_id, as_of = case
    extra = justification(rule, reported_on=reported_on)
    listed = [extra, *reg.justifications] if first else [*reg.justifications, extra]
    justified = replace(reg, justifications=listed)

    before = run(reg, org, policy_id, as_of)
    after = run(justified, org, policy_id, as_of)

    assert after.verdict.rank >= before.verdict.rank, (before.verdict, after.verdict)


@PROPERTY_SETTINGS
@given(cases)
def test_evaluation_is_deterministic(case: tuple[Any, ...]) -> None:
    reg, org, policy_id, as_of = case

    first = run(reg, org, policy_id, as_of)
    second = run(copy.deepcopy(reg), copy.deepcopy(org), policy_id, as_of)
    fresh = Evaluator(policy(policy_id), as_of).evaluate(copy.deepcopy(reg), context(org))

    assert first == second == fresh


@PROPERTY_SETTINGS
@given(cases)
def test_only_advised_against_findings_can_be_justified(case: tuple[Any, ...]) -> None:
    decision = run(*case)

    for f in decision.findings:
        if f.justified:
            assert f.severity is Severity.ADVISED_AGAINST, f
    deviations = [f for f in decision.findings if f.rule == "cb2026.3.3.deviation-reported"]
    assert len(deviations) <= 1
    if deviations:
        assert any(f.justified for f in decision.findings)
