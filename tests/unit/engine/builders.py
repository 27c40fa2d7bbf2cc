"""Small builders for engine tests: each test states only what matters for its case.

``registration()`` is a clean public-cloud registration that the default policy allows without
any finding, with every fact known (new use since the adoption day, no personal data, ...); ``material_registration()`` is a clean *material* one (risk assessment, exit plans
and notification all in order). Overrides are keyword arguments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import cache
from typing import Any

from cloudtoets.catalogue import catalogue_directory
from cloudtoets.domain.decision import Decision, Finding
from cloudtoets.domain.model import (
    ExitPlan,
    ExitScenario,
    Justification,
    Notification,
    Organisation,
    Provider,
    Registration,
    RiskAssessment,
)
from cloudtoets.domain.providers import ProviderDirectory
from cloudtoets.domain.vocabulary import (
    Classification,
    Deployment,
    KeyCustody,
    KeyRegister,
    OrganisationType,
    PersonalData,
    Severity,
    Verdict,
)
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import evaluate
from cloudtoets.policy.loader import load_policy
from cloudtoets.policy.model import Policy

DEFAULT_POLICY = "rijksbreed-cloudbeleid-2026"
EER_CH_POLICY = "rijksbreed-cloudbeleid-2026-eer-ch"
OVERHEIDSBREED_POLICY = "overheidsbreed-cloudbeleid-concept"

ADOPTED = dt.date(2026, 7, 3)
TRANSITION_END = dt.date(2030, 7, 3)
EXIT_PLAN_END = dt.date(2027, 7, 3)
AS_OF = dt.date(2026, 11, 29)
BEFORE_ADOPTION = dt.date(2026, 7, 2)

ORG_ID = "org"

# Tiny test providers next to the built-in catalogue.
TEST_PROVIDERS = [
    Provider(id="nl-only", country="NL"),
    Provider(id="us-parent", country="US"),
    Provider(id="nl-us-owned", country="NL", parent="us-parent"),
    Provider(id="ch-only", country="CH"),
    Provider(id="no-only", country="NO"),
    # registered in one country, run from another (unknowns.md, "Providers: where control sits")
    Provider(id="ky-cn-run", country="KY", headquarters="CN"),
    Provider(id="nl-cn-run-owned", country="NL", parent="ky-cn-run"),
    Provider(id="ie-us-run", country="IE", headquarters="US"),
    Provider(id="cn-only", country="CN"),
    Provider(id="ru-only", country="RU"),
]

HARD = frozenset({Severity.FORBIDDEN, Severity.REQUIRED})


@cache
def policy(policy_id: str = DEFAULT_POLICY) -> Policy:
    return load_policy(policy_id)


@cache
def providers() -> ProviderDirectory:
    return catalogue_directory(TEST_PROVIDERS)


def organisation(**overrides: Any) -> Organisation:
    values: dict[str, Any] = {
        "id": ORG_ID,
        "type": OrganisationType.MINISTRY,
        "critical_entity": False,
        "essential_entity": False,
        "vital_provider": False,
    }
    values.update(overrides)
    return Organisation(**values)


def registration(**overrides: Any) -> Registration:
    """A public-cloud registration without any finding under the default policy."""
    base = Registration(
        id="reg",
        organisation=ORG_ID,
        deployment=Deployment.PUBLIC,
        provider="nl-only",
        subprocessors=[],
        functions=[],
        storage_countries=["NL"],
        processing_countries=["NL"],
        encrypted_at_rest=True,
        encrypted_in_transit=True,
        key_custody=KeyCustody.CUSTOMER_HELD,
        open_data=False,
        classification=Classification.NONE,
        tbb_level="none",
        personal_data=PersonalData.NONE,
        large_scale_personal_data=False,
        pets=[],
        core_task=False,
        business_critical=False,
        key_register=KeyRegister.NONE,
        holds_source_data=False,
        in_use_since=ADOPTED,
    )
    return replace(base, **overrides)


def risk_assessment(**overrides: Any) -> RiskAssessment:
    base = RiskAssessment(
        date=dt.date(2026, 9, 1),
        covers_lock_in=True,
        covers_jurisdiction=True,
        accepted_by="SG BZK",
        accepted_on=dt.date(2026, 9, 15),
    )
    return replace(base, **overrides)


def scenario(**overrides: Any) -> ExitScenario:
    base = ExitScenario(lead_time_days=180, preconditions=["data in open formaat"])
    return replace(base, **overrides)


def exit_plan(**overrides: Any) -> ExitPlan:
    base = ExitPlan(
        planned=scenario(),
        emergency=scenario(lead_time_days=14),
        data_return=True,
        data_destruction=True,
        last_tested=dt.date(2026, 10, 1),
        last_reviewed=dt.date(2026, 10, 1),
    )
    return replace(base, **overrides)


def material_registration(**overrides: Any) -> Registration:
    """A material (core task) registration that meets every material-use obligation."""
    base = registration(
        core_task=True,
        risk_assessment=risk_assessment(),
        exit_plan=exit_plan(),
        notification=Notification(submitted_on=dt.date(2026, 10, 1), to="CIO Rijk"),
    )
    return replace(base, **overrides)


def justification(rule: str, **overrides: Any) -> Justification:
    """A justification that holds for any advised-against rule, e-mail/documents included."""
    base = Justification(
        rule=rule,
        reason="Geen alternatief beschikbaar binnen de termijn",
        accepted_by="SG BZK",
        accepted_on=dt.date(2026, 9, 1),
        reported_on=dt.date(2026, 9, 2),
        continuity_risk_established=True,
        risk_and_exit_tested=True,
        minister_consent_on=dt.date(2026, 8, 30),
    )
    return replace(base, **overrides)


def context(org: Organisation | None = None) -> EvaluationContext:
    org = org or organisation()
    return EvaluationContext({org.id: org}, providers())


def decide(
    reg: Registration | None = None,
    *,
    org: Organisation | None = None,
    policy_id: str = DEFAULT_POLICY,
    as_of: dt.date = AS_OF,
) -> Decision:
    return evaluate(reg or registration(), context(org), policy(policy_id), as_of)


def rules_fired(decision: Decision) -> list[str]:
    return [f.rule for f in decision.findings]


def finding(decision: Decision, rule: str) -> Finding:
    matches = [f for f in decision.findings if f.rule == rule]
    assert len(matches) == 1, f"expected one {rule} finding, got {rules_fired(decision)}"
    return matches[0]


def expected_verdict(findings: tuple[Finding, ...], as_of: dt.date) -> Verdict:
    """The verdict recomputed from findings as policy.md, "Verdict of a registration", says."""
    hard = [f for f in findings if f.severity in HARD]
    if any(f.deadline is None or f.deadline <= as_of for f in hard):
        return Verdict.NOT_ALLOWED
    if hard:
        return Verdict.TRANSITION
    if any(f.severity is Severity.ADVISED_AGAINST and not f.justified for f in findings):
        return Verdict.ADVISED_AGAINST
    if findings:
        return Verdict.ALLOWED_WITH_CONDITIONS
    return Verdict.ALLOWED


def expected_deadline(findings: tuple[Finding, ...], verdict: Verdict) -> dt.date | None:
    if verdict is not Verdict.TRANSITION:
        return None
    return min(f.deadline for f in findings if f.severity in HARD and f.deadline is not None)
