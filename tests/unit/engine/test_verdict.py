"""Verdicts, scope and the shape of a decision (policy.md "Verdict", interface.md results)."""

from __future__ import annotations

import datetime as dt

import pytest

from cloudtoets.domain.model import Registration
from cloudtoets.domain.vocabulary import (
    Deployment,
    KeyCustody,
    OrganisationType,
    Scope,
    ServiceFunction,
    Verdict,
)

from .builders import (
    AS_OF,
    BEFORE_ADOPTION,
    DEFAULT_POLICY,
    OVERHEIDSBREED_POLICY,
    TRANSITION_END,
    decide,
    justification,
    material_registration,
    organisation,
    registration,
    rules_fired,
)

UNENCRYPTED = {"encrypted_at_rest": False}

VERDICT_CASES = [
    pytest.param(registration(), Verdict.ALLOWED, id="no findings: allowed"),
    pytest.param(
        registration(key_custody=KeyCustody.PROVIDER),
        Verdict.ALLOWED_WITH_CONDITIONS,
        id="only a recommendation: allowed with conditions",
    ),
    pytest.param(
        registration(
            functions=[ServiceFunction.EMAIL],
            justifications=[justification("cb2026.4.5.email")],
        ),
        Verdict.ALLOWED_WITH_CONDITIONS,
        id="only a justified advised-against finding: allowed with conditions",
    ),
    pytest.param(
        registration(functions=[ServiceFunction.EMAIL]),
        Verdict.ADVISED_AGAINST,
        id="unjustified advised-against finding: advised against",
    ),
    pytest.param(
        registration(in_use_since=BEFORE_ADOPTION, **UNENCRYPTED),
        Verdict.TRANSITION,
        id="existing use with a future deadline: transition",
    ),
    pytest.param(
        registration(**UNENCRYPTED),
        Verdict.NOT_ALLOWED,
        id="new use with a forbidden finding: not allowed",
    ),
    pytest.param(
        registration(
            in_use_since=BEFORE_ADOPTION, functions=[ServiceFunction.EMAIL], **UNENCRYPTED
        ),
        Verdict.TRANSITION,
        id="transition is worse than advised against",
    ),
]


@pytest.mark.parametrize(("reg", "verdict"), VERDICT_CASES)
def test_verdict_from_minimal_inputs(reg: Registration, verdict: Verdict) -> None:
    decision = decide(reg)

    assert decision.verdict is verdict
    assert decision.deadline == (TRANSITION_END if verdict is Verdict.TRANSITION else None)


def test_verdict_labels_are_dutch() -> None:
    assert [v.label for v in Verdict] == [
        "niet toegestaan",
        "overgangstermijn",
        "afgeraden",
        "toegestaan onder voorwaarden",
        "toegestaan",
        "onvolledig",
    ]


def test_verdict_rank_orders_worst_first() -> None:
    ranks = [v.rank for v in Verdict]
    assert ranks == sorted(ranks)
    assert Verdict.NOT_ALLOWED.rank < Verdict.ALLOWED.rank


# --- scope -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("org_type", "policy_id", "scope"),
    [
        (OrganisationType.MINISTRY, DEFAULT_POLICY, Scope.MANDATORY),
        (OrganisationType.AGENCY, DEFAULT_POLICY, Scope.MANDATORY),
        (OrganisationType.ZBO, DEFAULT_POLICY, Scope.MANDATORY),
        (OrganisationType.DEFENCE, DEFAULT_POLICY, Scope.EXCLUDED),
        (OrganisationType.HIGH_COUNCIL, DEFAULT_POLICY, Scope.ADVISORY),
        (OrganisationType.MUNICIPALITY, DEFAULT_POLICY, Scope.ADVISORY),
        (OrganisationType.PROVINCE, DEFAULT_POLICY, Scope.ADVISORY),
        (OrganisationType.WATER_BOARD, DEFAULT_POLICY, Scope.ADVISORY),
        (OrganisationType.OTHER, DEFAULT_POLICY, Scope.ADVISORY),
        (OrganisationType.MUNICIPALITY, OVERHEIDSBREED_POLICY, Scope.MANDATORY),
        (OrganisationType.DEFENCE, OVERHEIDSBREED_POLICY, Scope.EXCLUDED),
    ],
)
def test_scope_follows_the_organisation_type_and_findings_are_computed_for_every_scope(
    org_type: OrganisationType, policy_id: str, scope: Scope
) -> None:
    decision = decide(
        registration(**UNENCRYPTED), org=organisation(type=org_type), policy_id=policy_id
    )

    assert decision.scope is scope
    assert decision.counts_as_failure is (scope is Scope.MANDATORY)
    assert rules_fired(decision) == ["cb2026.4.encryption"]
    assert decision.verdict is Verdict.NOT_ALLOWED


def test_policy_variant_is_recorded_on_the_decision() -> None:
    decision = decide(registration(), policy_id=OVERHEIDSBREED_POLICY)

    assert decision.policy_id == OVERHEIDSBREED_POLICY
    assert len(decision.policy_revision) == 64
    assert decision.as_of == AS_OF


# --- jurisdictions, findings order, material reasons -----------------------------------------


def test_jurisdictions_are_a_sorted_set_over_provider_subprocessors_and_parents() -> None:
    decision = decide(
        registration(provider="nl-us-owned", subprocessors=["aws-emea", "nl-only", "ch-only"])
    )

    assert decision.jurisdictions == ("CH", "LU", "NL", "US")


def test_jurisdictions_are_empty_for_private_internal_without_provider() -> None:
    decision = decide(registration(deployment=Deployment.PRIVATE_INTERNAL, provider=None))

    assert decision.jurisdictions == ()
    assert decision.verdict is Verdict.ALLOWED


def test_findings_are_sorted_by_rule_id() -> None:
    reg = material_registration(
        provider="nl-us-owned",
        functions=[ServiceFunction.EMAIL, ServiceFunction.DOCUMENT_MANAGEMENT],
        storage_countries=["US"],
        encrypted_at_rest=False,
        key_custody=KeyCustody.PROVIDER,
        exit_plan=None,
        notification=None,
        risk_assessment=None,
        tbb_level=3,
        justifications=[justification("cb2026.4.5.email", reported_on=None)],
    )

    decision = decide(reg, org=organisation(critical_entity=True))

    fired = rules_fired(decision)
    assert len(fired) >= 10
    assert "cb2026.3.3.deviation-reported" in fired
    assert fired == sorted(fired)


def test_material_reasons_are_sorted() -> None:
    reg = registration(large_scale_personal_data=True, core_task=True, business_critical=True)

    decision = decide(reg)

    assert decision.material_reasons == (
        "business_critical",
        "core_task",
        "large_scale_personal_data",
    )


def test_the_same_inputs_on_another_as_of_date_can_change_only_the_verdict() -> None:
    reg = registration(in_use_since=BEFORE_ADOPTION, **UNENCRYPTED)

    before = decide(reg, as_of=dt.date(2030, 7, 2))
    after = decide(reg, as_of=dt.date(2030, 7, 3))

    assert rules_fired(before) == rules_fired(after)
    assert (before.verdict, after.verdict) == (Verdict.TRANSITION, Verdict.NOT_ALLOWED)
