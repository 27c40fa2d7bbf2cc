"""Every rule of the catalogue (policy.md, "Rule catalogue"): when it fires, and when it must not."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from cloudtoets.domain.model import ExitPlan, Notification, Organisation, Registration
from cloudtoets.domain.vocabulary import (
    Classification,
    Deployment,
    KeyCustody,
    KeyRegister,
    PersonalData,
    PrivacyTechnique,
    ServiceFunction,
    Severity,
    Verdict,
)
from cloudtoets.presentation.rules import citations
from cloudtoets.yaml12 import load_yaml

from .builders import (
    AS_OF,
    DEFAULT_POLICY,
    EER_CH_POLICY,
    decide,
    exit_plan,
    expected_verdict,
    finding,
    justification,
    material_registration,
    organisation,
    policy,
    registration,
    risk_assessment,
    rules_fired,
    scenario,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
POLICY_MD = REPO_ROOT.parent / "shared" / "spec" / "policy.md"

# policy.md, "Rule catalogue": rule id -> (section, severity).
CATALOGUE: dict[str, tuple[str, Severity]] = {
    "cb2026.4.location": ("4", Severity.FORBIDDEN),
    "cb2026.4.encryption": ("4", Severity.FORBIDDEN),
    "cb2026.4.key-custody": ("4", Severity.RECOMMENDED),
    "cb2026.4.3.jurisdiction": ("4.3", Severity.ADVISED_AGAINST),
    "cb2026.4.5.email": ("4.5", Severity.ADVISED_AGAINST),
    "cb2026.4.5.documents": ("4.5", Severity.ADVISED_AGAINST),
    "cb2026.4.6.special-data": ("4.6", Severity.ADVISED_AGAINST),
    "cb2026.4.6.pets": ("4.6", Severity.REQUIRED),
    "cb2026.5.2.classified": ("5.2", Severity.FORBIDDEN),
    "cb2026.5.2.abro": ("5.2", Severity.REQUIRED),
    "cb2026.5.4.source-data": ("5.4", Severity.FORBIDDEN),
    "cb2026.3.1.risk-assessment": ("3.1", Severity.REQUIRED),
    "cb2026.3.1.lock-in": ("3.1", Severity.REQUIRED),
    "cb2026.3.1.jurisdiction-risk": ("3.1", Severity.REQUIRED),
    "cb2026.3.1.risk-acceptance": ("3.3", Severity.REQUIRED),
    "cb2026.3.2.exit-plan": ("3.2", Severity.REQUIRED),
    "cb2026.3.2.emergency-plan": ("3.2", Severity.REQUIRED),
    "cb2026.3.2.data-exit": ("3.2", Severity.REQUIRED),
    "cb2026.3.2.exit-tested": ("3.2", Severity.RECOMMENDED),
    "cb2026.3.3.notification": ("3.3", Severity.REQUIRED),
    "cb2026.c2000.offensive-cyber": ("C2000", Severity.FORBIDDEN),
    "cb2026.3.3.deviation-reported": ("3.3", Severity.RECOMMENDED),
}
# How a finding's message ends: "(Cloudbeleid 2026, sectie 4.3)", except for a rule that comes
# from another document (policy.md, "Precise readings").
CITATIONS: dict[str, str] = {"cb2026.c2000.offensive-cyber": "Cloudbeleid 2022, C2000-criteria"}
OFFENSIVE_CYBER = "cb2026.c2000.offensive-cyber"

CRITICAL = organisation(critical_entity=True)
ESSENTIAL = organisation(essential_entity=True)
VITAL = organisation(vital_provider=True)

PUBLIC = Deployment.PUBLIC
HYBRID = Deployment.HYBRID
COMMUNITY = Deployment.COMMUNITY
PRIVATE_EXTERNAL = Deployment.PRIVATE_EXTERNAL
PRIVATE_INTERNAL = Deployment.PRIVATE_INTERNAL

EMAIL = ServiceFunction.EMAIL
DOCUMENTS = ServiceFunction.DOCUMENT_MANAGEMENT
SPECIAL = PersonalData.SPECIAL

# Twelve calendar months before AS_OF (2026-11-29) is 2025-11-29.
TWELVE_MONTHS_BEFORE = dt.date(2025, 11, 29)


def case(
    rule: str,
    name: str,
    reg: Registration,
    org: Organisation | None = None,
    policy_id: str = DEFAULT_POLICY,
) -> Any:
    return pytest.param(rule, reg, org, policy_id, id=f"{rule}: {name}")


def unencrypted(**overrides: Any) -> Registration:
    return registration(encrypted_at_rest=False, encrypted_in_transit=False, **overrides)


def jurisdiction_case(**overrides: Any) -> Registration:
    """Core-task use of a Dutch provider with a US parent."""
    values: dict[str, Any] = {"core_task": True, "provider": "nl-us-owned"}
    values.update(overrides)
    return material_registration(**values)


FIRES = [
    # --- location: public cloud (public, hybrid), countries outside the allowed set (EEA)
    case("cb2026.4.location", "storage in the US", registration(storage_countries=["US"])),
    case(
        "cb2026.4.location",
        "remote support from India counts as processing",
        registration(processing_countries=["NL", "IN"]),
    ),
    case(
        "cb2026.4.location",
        "hybrid counts as public",
        registration(deployment=HYBRID, storage_countries=["US"]),
    ),
    case(
        "cb2026.4.location",
        "Switzerland is not allowed under the default policy",
        registration(storage_countries=["CH"]),
    ),
    case(
        "cb2026.4.location",
        "the United Kingdom is not EEA",
        registration(storage_countries=["GB"]),
    ),
    case(
        "cb2026.4.location",
        "Caribisch Nederland is not EEA",
        registration(processing_countries=["BQ"]),
    ),
    case(
        "cb2026.4.location",
        "the US is still outside EEA + CH",
        registration(storage_countries=["CH", "US"]),
        policy_id=EER_CH_POLICY,
    ),
    # --- encryption: public cloud, not open data, not both at rest and in transit
    case("cb2026.4.encryption", "not at rest", registration(encrypted_at_rest=False)),
    case("cb2026.4.encryption", "not in transit", registration(encrypted_in_transit=False)),
    case("cb2026.4.encryption", "hybrid, neither", unencrypted(deployment=HYBRID)),
    # --- key custody: public cloud, not open data, provider holds the keys
    case(
        "cb2026.4.key-custody",
        "provider keys in public cloud",
        registration(key_custody=KeyCustody.PROVIDER),
    ),
    case(
        "cb2026.4.key-custody",
        "provider keys in hybrid cloud",
        registration(deployment=HYBRID, key_custody=KeyCustody.PROVIDER),
    ),
    # --- jurisdiction (4.3): external, critical/essential/vital, core task, chain leaves EEA
    case("cb2026.4.3.jurisdiction", "critical entity", jurisdiction_case(), CRITICAL),
    case("cb2026.4.3.jurisdiction", "essential entity", jurisdiction_case(), ESSENTIAL),
    case("cb2026.4.3.jurisdiction", "vital provider", jurisdiction_case(), VITAL),
    case(
        "cb2026.4.3.jurisdiction",
        "community cloud is external",
        jurisdiction_case(deployment=COMMUNITY),
        CRITICAL,
    ),
    case(
        "cb2026.4.3.jurisdiction",
        "private-external cloud is external",
        jurisdiction_case(deployment=PRIVATE_EXTERNAL),
        CRITICAL,
    ),
    case(
        "cb2026.4.3.jurisdiction",
        "NL SaaS hosted on AWS has the US in its chain",
        jurisdiction_case(provider="nl-only", subprocessors=["aws-emea"]),
        CRITICAL,
    ),
    case(
        "cb2026.4.3.jurisdiction",
        "a sovereign cloud of a US parent",
        jurisdiction_case(provider="aws-european-sovereign-cloud"),
        CRITICAL,
    ),
    case(
        "cb2026.4.3.jurisdiction",
        "Swiss provider: jurisdiction is measured against the EEA, not allowed_countries",
        jurisdiction_case(provider="ch-only"),
        CRITICAL,
        EER_CH_POLICY,
    ),
    # --- e-mail and document management in public cloud
    case("cb2026.4.5.email", "public", registration(functions=[EMAIL])),
    case(
        "cb2026.4.5.email",
        "hybrid, among other functions",
        registration(deployment=HYBRID, functions=[ServiceFunction.COLLABORATION, EMAIL]),
    ),
    case("cb2026.4.5.documents", "public", registration(functions=[DOCUMENTS])),
    case(
        "cb2026.4.5.documents",
        "hybrid",
        registration(deployment=HYBRID, functions=[DOCUMENTS]),
    ),
    # --- special personal data and PETs
    case("cb2026.4.6.special-data", "public", registration(personal_data=SPECIAL)),
    case(
        "cb2026.4.6.special-data",
        "hybrid, even with PETs",
        registration(
            deployment=HYBRID,
            personal_data=SPECIAL,
            pets=[PrivacyTechnique.PSEUDONYMISATION],
        ),
    ),
    case("cb2026.4.6.pets", "special data without PETs", registration(personal_data=SPECIAL)),
    case(
        "cb2026.4.6.pets",
        "hybrid special data without PETs",
        registration(deployment=HYBRID, personal_data=SPECIAL),
    ),
    # --- classified information (no transition)
    case(
        "cb2026.5.2.classified",
        "stg-confidentieel",
        registration(classification=Classification.STG_CONFIDENTIEEL, abro_declaration=True),
    ),
    case(
        "cb2026.5.2.classified",
        "stg-geheim",
        registration(classification=Classification.STG_GEHEIM),
    ),
    case(
        "cb2026.5.2.classified",
        "stg-zeer-geheim in hybrid",
        registration(deployment=HYBRID, classification=Classification.STG_ZEER_GEHEIM),
    ),
    case("cb2026.5.2.classified", "TBB 3 without classification", registration(tbb_level=3)),
    case("cb2026.5.2.classified", "TBB 1 without classification", registration(tbb_level=1)),
    case(
        "cb2026.5.2.classified",
        "dep-vertrouwelijk with TBB 3: the heaviest level counts",
        registration(classification=Classification.DEP_VERTROUWELIJK, tbb_level=3),
    ),
    # --- ABRO: external cloud with an effective TBB level
    case(
        "cb2026.5.2.abro",
        "dep-vertrouwelijk alone needs ABRO",
        registration(classification=Classification.DEP_VERTROUWELIJK),
    ),
    case(
        "cb2026.5.2.abro",
        "TBB 4 in private-external cloud",
        registration(deployment=PRIVATE_EXTERNAL, tbb_level=4),
    ),
    case(
        "cb2026.5.2.abro",
        "TBB 1 in community cloud",
        registration(deployment=COMMUNITY, tbb_level=1),
    ),
    case(
        "cb2026.5.2.abro",
        "stg-confidentieel in hybrid",
        registration(deployment=HYBRID, classification=Classification.STG_CONFIDENTIEEL),
    ),
    # --- source data of a key register
    case(
        "cb2026.5.4.source-data",
        "BRP source data in public cloud",
        registration(key_register=KeyRegister.BRP, holds_source_data=True),
    ),
    case(
        "cb2026.5.4.source-data",
        "BAG source data in hybrid cloud",
        registration(deployment=HYBRID, key_register=KeyRegister.BAG, holds_source_data=True),
    ),
    # --- risk assessment (external cloud and material)
    case(
        "cb2026.3.1.risk-assessment",
        "material via core_task, public",
        material_registration(risk_assessment=None),
    ),
    case(
        "cb2026.3.1.risk-assessment",
        "material via business_critical",
        material_registration(core_task=False, business_critical=True, risk_assessment=None),
    ),
    case(
        "cb2026.3.1.risk-assessment",
        "material via large_scale_personal_data",
        material_registration(
            core_task=False, large_scale_personal_data=True, risk_assessment=None
        ),
    ),
    case(
        "cb2026.3.1.risk-assessment",
        "material declared without any criterion",
        material_registration(core_task=False, material=True, risk_assessment=None),
    ),
    case(
        "cb2026.3.1.risk-assessment",
        "community cloud is external",
        material_registration(deployment=COMMUNITY, risk_assessment=None),
    ),
    case(
        "cb2026.3.1.risk-assessment",
        "private-external cloud is external",
        material_registration(deployment=PRIVATE_EXTERNAL, risk_assessment=None),
    ),
    case(
        "cb2026.3.1.risk-assessment",
        "an assessment object without a date",
        material_registration(risk_assessment=risk_assessment(date=None)),
    ),
    # --- lock-in
    case(
        "cb2026.3.1.lock-in",
        "assessment ignores lock-in",
        material_registration(risk_assessment=risk_assessment(covers_lock_in=False)),
    ),
    # --- jurisdiction risk
    case(
        "cb2026.3.1.jurisdiction-risk",
        "US parent, assessment ignores jurisdiction",
        material_registration(
            provider="nl-us-owned",
            risk_assessment=risk_assessment(covers_jurisdiction=False),
        ),
    ),
    case(
        "cb2026.3.1.jurisdiction-risk",
        "NL SaaS hosted on AWS",
        material_registration(
            subprocessors=["aws-emea"],
            risk_assessment=risk_assessment(covers_jurisdiction=False),
        ),
    ),
    case(
        "cb2026.3.1.jurisdiction-risk",
        "Swiss provider under the EEA + CH policy",
        material_registration(
            provider="ch-only",
            risk_assessment=risk_assessment(covers_jurisdiction=False),
        ),
        policy_id=EER_CH_POLICY,
    ),
    # --- risk acceptance
    case(
        "cb2026.3.1.risk-acceptance",
        "accepted_by missing",
        material_registration(risk_assessment=risk_assessment(accepted_by=None)),
    ),
    case(
        "cb2026.3.1.risk-acceptance",
        "accepted_by empty",
        material_registration(risk_assessment=risk_assessment(accepted_by="")),
    ),
    case(
        "cb2026.3.1.risk-acceptance",
        "accepted_by only white space counts as missing",
        material_registration(risk_assessment=risk_assessment(accepted_by=" \t ")),
    ),
    case(
        "cb2026.3.1.risk-acceptance",
        "accepted_on missing",
        material_registration(risk_assessment=risk_assessment(accepted_on=None)),
    ),
    # --- exit plan, emergency plan, data exit
    case("cb2026.3.2.exit-plan", "no exit plan", material_registration(exit_plan=None)),
    case(
        "cb2026.3.2.exit-plan",
        "no planned scenario",
        material_registration(exit_plan=exit_plan(planned=None)),
    ),
    case(
        "cb2026.3.2.exit-plan",
        "lead time but no preconditions",
        material_registration(exit_plan=exit_plan(planned=scenario(preconditions=[]))),
    ),
    case(
        "cb2026.3.2.exit-plan",
        "preconditions but no lead time",
        material_registration(exit_plan=exit_plan(planned=scenario(lead_time_days=None))),
    ),
    case(
        "cb2026.3.2.emergency-plan",
        "no exit plan",
        material_registration(exit_plan=None),
    ),
    case(
        "cb2026.3.2.emergency-plan",
        "no emergency scenario",
        material_registration(exit_plan=exit_plan(emergency=None)),
    ),
    case(
        "cb2026.3.2.emergency-plan",
        "lead time but no preconditions",
        material_registration(exit_plan=exit_plan(emergency=scenario(preconditions=[]))),
    ),
    case("cb2026.3.2.data-exit", "no exit plan", material_registration(exit_plan=None)),
    case(
        "cb2026.3.2.data-exit",
        "no data return",
        material_registration(exit_plan=exit_plan(data_return=False)),
    ),
    case(
        "cb2026.3.2.data-exit",
        "no data destruction",
        material_registration(exit_plan=exit_plan(data_destruction=False)),
    ),
    # --- exit plan tested
    case(
        "cb2026.3.2.exit-tested",
        "never tested",
        material_registration(exit_plan=exit_plan(last_tested=None)),
    ),
    case(
        "cb2026.3.2.exit-tested",
        "an empty exit plan object counts as present",
        material_registration(exit_plan=ExitPlan()),
    ),
    case(
        "cb2026.3.2.exit-tested",
        "tested 12 months and one day before the as-of date",
        material_registration(
            exit_plan=exit_plan(last_tested=TWELVE_MONTHS_BEFORE - dt.timedelta(days=1))
        ),
    ),
    # --- notification
    case(
        "cb2026.3.3.notification",
        "no notification",
        material_registration(notification=None),
    ),
    case(
        "cb2026.3.3.notification",
        "notification without submission date",
        material_registration(notification=Notification(to="CIO Rijk")),
    ),
    # --- offensive cyber programme (policy 2022, C2000): registered offices and headquarters
    case(
        OFFENSIVE_CYBER,
        "a Dutch provider whose parent is registered in KY and run from China",
        registration(provider="nl-cn-run-owned"),
    ),
    case(OFFENSIVE_CYBER, "a provider registered in China", registration(provider="cn-only")),
    case(OFFENSIVE_CYBER, "a provider registered in Russia", registration(provider="ru-only")),
    case(
        OFFENSIVE_CYBER,
        "a sub-processor run from China",
        registration(subprocessors=["ky-cn-run"]),
    ),
    case(
        OFFENSIVE_CYBER,
        "private-external cloud is external",
        registration(deployment=PRIVATE_EXTERNAL, provider="nl-cn-run-owned"),
    ),
    case(
        OFFENSIVE_CYBER,
        "community cloud is external",
        registration(deployment=COMMUNITY, provider="cn-only"),
    ),
    case(
        OFFENSIVE_CYBER,
        "the catalogue: Huawei Cloud is registered in China",
        registration(provider="huawei-cloud"),
    ),
    case(
        OFFENSIVE_CYBER,
        "the catalogue: Alibaba Group is registered in KY and run from China",
        registration(provider="alibaba-cloud-nl"),
    ),
    case(
        OFFENSIVE_CYBER,
        "the EEA + CH variant inherits the parameter",
        registration(provider="nl-cn-run-owned"),
        policy_id=EER_CH_POLICY,
    ),
    # --- deviation reported
    case(
        "cb2026.3.3.deviation-reported",
        "justified e-mail use not reported",
        registration(
            functions=[EMAIL],
            justifications=[justification("cb2026.4.5.email", reported_on=None)],
        ),
    ),
    case(
        "cb2026.3.3.deviation-reported",
        "justified special data not reported",
        registration(
            personal_data=SPECIAL,
            pets=[PrivacyTechnique.PSEUDONYMISATION],
            justifications=[justification("cb2026.4.6.special-data", reported_on=None)],
        ),
    ),
    case(
        "cb2026.3.3.deviation-reported",
        "justified jurisdiction dependency not reported",
        jurisdiction_case(
            justifications=[justification("cb2026.4.3.jurisdiction", reported_on=None)]
        ),
        CRITICAL,
    ),
]

SILENT = [
    # --- location
    case("cb2026.4.location", "Norway is EEA", registration(storage_countries=["NO"])),
    case(
        "cb2026.4.location",
        "Iceland and Liechtenstein are EEA",
        registration(storage_countries=["IS"], processing_countries=["LI"]),
    ),
    case(
        "cb2026.4.location",
        "community cloud is not public",
        registration(deployment=COMMUNITY, storage_countries=["US"]),
    ),
    case(
        "cb2026.4.location",
        "private-external cloud is not public",
        registration(deployment=PRIVATE_EXTERNAL, storage_countries=["US"]),
    ),
    case(
        "cb2026.4.location",
        "private-internal cloud is not public",
        registration(deployment=PRIVATE_INTERNAL, provider=None, storage_countries=["US"]),
    ),
    case(
        "cb2026.4.location",
        "Switzerland is allowed under the EEA + CH policy",
        registration(storage_countries=["CH"], processing_countries=["CH", "NL"]),
        policy_id=EER_CH_POLICY,
    ),
    # --- encryption
    case("cb2026.4.encryption", "open data is exempt", unencrypted(open_data=True)),
    case("cb2026.4.encryption", "community cloud is not public", unencrypted(deployment=COMMUNITY)),
    case(
        "cb2026.4.encryption",
        "private-internal cloud is not public",
        unencrypted(deployment=PRIVATE_INTERNAL),
    ),
    # --- key custody
    case(
        "cb2026.4.key-custody",
        "customer-managed keys",
        registration(key_custody=KeyCustody.CUSTOMER_MANAGED),
    ),
    case(
        "cb2026.4.key-custody",
        "customer-held keys",
        registration(key_custody=KeyCustody.CUSTOMER_HELD),
    ),
    case(
        "cb2026.4.key-custody",
        "open data is exempt",
        registration(key_custody=KeyCustody.PROVIDER, open_data=True),
    ),
    case(
        "cb2026.4.key-custody",
        "private-external cloud is not public",
        registration(deployment=PRIVATE_EXTERNAL, key_custody=KeyCustody.PROVIDER),
    ),
    # --- jurisdiction (4.3)
    case(
        "cb2026.4.3.jurisdiction",
        "organisation is not critical, essential or vital",
        jurisdiction_case(),
        organisation(),
    ),
    case(
        "cb2026.4.3.jurisdiction",
        "not a core task",
        jurisdiction_case(core_task=False, business_critical=True),
        CRITICAL,
    ),
    case(
        "cb2026.4.3.jurisdiction",
        "Dutch provider without foreign parent",
        jurisdiction_case(provider="nl-only"),
        CRITICAL,
    ),
    case(
        "cb2026.4.3.jurisdiction",
        "Norwegian provider is in the EEA",
        jurisdiction_case(provider="no-only"),
        CRITICAL,
    ),
    case(
        "cb2026.4.3.jurisdiction",
        "private-internal cloud is not external",
        jurisdiction_case(deployment=PRIVATE_INTERNAL),
        CRITICAL,
    ),
    # --- e-mail and documents
    case(
        "cb2026.4.5.email",
        "community cloud is not public",
        registration(deployment=COMMUNITY, functions=[EMAIL]),
    ),
    case(
        "cb2026.4.5.email",
        "private-internal cloud is not public",
        registration(deployment=PRIVATE_INTERNAL, functions=[EMAIL]),
    ),
    case(
        "cb2026.4.5.email",
        "collaboration is not e-mail",
        registration(functions=[ServiceFunction.COLLABORATION, DOCUMENTS]),
    ),
    case(
        "cb2026.4.5.documents",
        "private-external cloud is not public",
        registration(deployment=PRIVATE_EXTERNAL, functions=[DOCUMENTS]),
    ),
    case(
        "cb2026.4.5.documents",
        "case management is not document management",
        registration(functions=[ServiceFunction.CASE_MANAGEMENT, EMAIL]),
    ),
    # --- special data and PETs
    case(
        "cb2026.4.6.special-data",
        "regular personal data",
        registration(personal_data=PersonalData.REGULAR),
    ),
    case(
        "cb2026.4.6.special-data",
        "community cloud is not public",
        registration(deployment=COMMUNITY, personal_data=SPECIAL),
    ),
    case(
        "cb2026.4.6.pets",
        "special data with a PET",
        registration(personal_data=SPECIAL, pets=[PrivacyTechnique.PSEUDONYMISATION]),
    ),
    case(
        "cb2026.4.6.pets",
        "regular personal data needs no PETs",
        registration(personal_data=PersonalData.REGULAR),
    ),
    case(
        "cb2026.4.6.pets",
        "private-external cloud is not public",
        registration(deployment=PRIVATE_EXTERNAL, personal_data=SPECIAL),
    ),
    # --- classified
    case(
        "cb2026.5.2.classified",
        "dep-vertrouwelijk alone is TBB 4",
        registration(classification=Classification.DEP_VERTROUWELIJK),
    ),
    case("cb2026.5.2.classified", "TBB 4", registration(tbb_level=4)),
    case(
        "cb2026.5.2.classified",
        "community cloud is not public",
        registration(deployment=COMMUNITY, classification=Classification.STG_GEHEIM),
    ),
    case(
        "cb2026.5.2.classified",
        "private-internal cloud is not public",
        registration(deployment=PRIVATE_INTERNAL, classification=Classification.STG_ZEER_GEHEIM),
    ),
    case("cb2026.5.2.classified", "unclassified", registration()),
    # --- ABRO
    case(
        "cb2026.5.2.abro",
        "ABRO declaration present",
        registration(classification=Classification.DEP_VERTROUWELIJK, abro_declaration=True),
    ),
    case(
        "cb2026.5.2.abro",
        "private-internal cloud is not external",
        registration(deployment=PRIVATE_INTERNAL, provider=None, tbb_level=2),
    ),
    case("cb2026.5.2.abro", "no TBB level and no classification", registration()),
    # --- source data
    case(
        "cb2026.5.4.source-data",
        "distribution copies of a key register are allowed",
        registration(key_register=KeyRegister.BRP, holds_source_data=False),
    ),
    case(
        "cb2026.5.4.source-data",
        "private-external cloud is not public",
        registration(
            deployment=PRIVATE_EXTERNAL, key_register=KeyRegister.BRK, holds_source_data=True
        ),
    ),
    case(
        "cb2026.5.4.source-data",
        "source data of something that is not a key register",
        registration(holds_source_data=True),
    ),
    # --- risk assessment
    case(
        "cb2026.3.1.risk-assessment",
        "not material",
        registration(risk_assessment=None),
    ),
    case(
        "cb2026.3.1.risk-assessment",
        "declared not material, even with a core task",
        material_registration(material=False, risk_assessment=None),
    ),
    case(
        "cb2026.3.1.risk-assessment",
        "private-internal cloud is not external",
        material_registration(deployment=PRIVATE_INTERNAL, provider=None, risk_assessment=None),
    ),
    case("cb2026.3.1.risk-assessment", "assessment dated", material_registration()),
    # --- lock-in
    case(
        "cb2026.3.1.lock-in",
        "no assessment at all (only risk-assessment fires)",
        material_registration(risk_assessment=None),
    ),
    case(
        "cb2026.3.1.lock-in",
        "assessment without a date is not present",
        material_registration(risk_assessment=risk_assessment(date=None, covers_lock_in=False)),
    ),
    case("cb2026.3.1.lock-in", "lock-in covered", material_registration()),
    # --- jurisdiction risk
    case(
        "cb2026.3.1.jurisdiction-risk",
        "chain stays in the EEA",
        material_registration(risk_assessment=risk_assessment(covers_jurisdiction=False)),
    ),
    case(
        "cb2026.3.1.jurisdiction-risk",
        "jurisdiction covered",
        material_registration(provider="nl-us-owned"),
    ),
    case(
        "cb2026.3.1.jurisdiction-risk",
        "no dated assessment",
        material_registration(provider="nl-us-owned", risk_assessment=None),
    ),
    case(
        "cb2026.3.1.jurisdiction-risk",
        "not material",
        registration(
            provider="nl-us-owned", risk_assessment=risk_assessment(covers_jurisdiction=False)
        ),
    ),
    # --- risk acceptance
    case("cb2026.3.1.risk-acceptance", "accepted by whom and when", material_registration()),
    case(
        "cb2026.3.1.risk-acceptance",
        "no dated assessment",
        material_registration(risk_assessment=risk_assessment(date=None, accepted_by=None)),
    ),
    # --- exit plans
    case("cb2026.3.2.exit-plan", "complete plan", material_registration()),
    case(
        "cb2026.3.2.exit-plan",
        "a lead time of 0 days is still a lead time",
        material_registration(exit_plan=exit_plan(planned=scenario(lead_time_days=0))),
    ),
    case("cb2026.3.2.exit-plan", "not material", registration(exit_plan=None)),
    case(
        "cb2026.3.2.exit-plan",
        "private-internal cloud is not external",
        material_registration(deployment=PRIVATE_INTERNAL, exit_plan=None),
    ),
    case("cb2026.3.2.emergency-plan", "complete plan", material_registration()),
    case(
        "cb2026.3.2.emergency-plan",
        "declared not material",
        material_registration(material=False, exit_plan=None),
    ),
    case("cb2026.3.2.data-exit", "return and destruction agreed", material_registration()),
    case("cb2026.3.2.data-exit", "not material", registration(exit_plan=None)),
    # --- exit tested
    case(
        "cb2026.3.2.exit-tested",
        "no exit plan: nothing to test (other rules fire)",
        material_registration(exit_plan=None),
    ),
    case(
        "cb2026.3.2.exit-tested",
        "tested exactly 12 calendar months before the as-of date",
        material_registration(exit_plan=exit_plan(last_tested=TWELVE_MONTHS_BEFORE)),
    ),
    case(
        "cb2026.3.2.exit-tested",
        "tested recently",
        material_registration(exit_plan=exit_plan(last_tested=dt.date(2026, 11, 1))),
    ),
    case(
        "cb2026.3.2.exit-tested",
        "not material",
        registration(exit_plan=exit_plan(last_tested=None)),
    ),
    # --- notification
    case("cb2026.3.3.notification", "submitted", material_registration()),
    case("cb2026.3.3.notification", "not material", registration(notification=None)),
    case(
        "cb2026.3.3.notification",
        "community cloud, declared not material",
        material_registration(deployment=COMMUNITY, material=False, notification=None),
    ),
    # --- offensive cyber programme
    case(
        OFFENSIVE_CYBER,
        "a chain outside the EEA without those states",
        registration(provider="nl-us-owned", subprocessors=["ie-us-run"]),
    ),
    case(
        OFFENSIVE_CYBER,
        "private-internal use, even with such a provider",
        registration(deployment=PRIVATE_INTERNAL, provider="cn-only"),
    ),
    case(
        OFFENSIVE_CYBER,
        "private-internal use run by the government itself",
        registration(deployment=PRIVATE_INTERNAL, provider=None),
    ),
    case(
        OFFENSIVE_CYBER,
        "data stored in China is not the provider's chain (the location rule covers it)",
        registration(storage_countries=["CN"], processing_countries=["RU"]),
    ),
    # --- deviation reported
    case(
        "cb2026.3.3.deviation-reported",
        "the justification was reported",
        registration(functions=[EMAIL], justifications=[justification("cb2026.4.5.email")]),
    ),
    case(
        "cb2026.3.3.deviation-reported",
        "an incomplete justification justifies nothing",
        registration(
            functions=[EMAIL],
            justifications=[justification("cb2026.4.5.email", reported_on=None, accepted_on=None)],
        ),
    ),
    case(
        "cb2026.3.3.deviation-reported",
        "a justification for a forbidden rule is ignored",
        registration(
            storage_countries=["US"],
            justifications=[justification("cb2026.4.location", reported_on=None)],
        ),
    ),
    case(
        "cb2026.3.3.deviation-reported",
        "a justification for an advised-against rule that does not fire",
        registration(justifications=[justification("cb2026.4.5.email", reported_on=None)]),
    ),
]


def looks_dutch(message: str) -> bool:
    words = set(re.findall(r"[a-zà-ÿ]+", message.lower()))
    dutch = {"de", "het", "een", "is", "niet", "en", "van", "of", "moet", "wordt", "die", "dat"}
    english = {"the", "and", "must", "should", "not", "is not", "with"}
    return len(words & dutch) >= 2 and not words & english


@pytest.mark.parametrize(("rule", "reg", "org", "policy_id"), FIRES)
def test_rule_fires_when_its_condition_holds(
    rule: str, reg: Registration, org: Organisation | None, policy_id: str
) -> None:
    decision = decide(reg, org=org, policy_id=policy_id)

    found = finding(decision, rule)
    section, severity = CATALOGUE[rule]
    assert found.section == section
    assert found.severity is severity
    assert looks_dutch(found.message), found.message
    citation = CITATIONS.get(rule, f"Cloudbeleid 2026, sectie {section}")
    assert found.message.endswith(f"({citation})"), found.message


@pytest.mark.parametrize(("rule", "reg", "org", "policy_id"), SILENT)
def test_rule_stays_silent_when_its_condition_does_not_hold(
    rule: str, reg: Registration, org: Organisation | None, policy_id: str
) -> None:
    decision = decide(reg, org=org, policy_id=policy_id)

    assert rule not in rules_fired(decision)


def test_every_rule_of_the_catalogue_has_cases_that_fire_and_cases_that_do_not() -> None:
    loaded = {rule.id for rule in policy().rules}
    assert loaded == set(CATALOGUE)
    assert len(loaded) == 22
    assert {p.values[0] for p in FIRES} == loaded
    assert {p.values[0] for p in SILENT} == loaded


def test_the_baselines_have_no_findings() -> None:
    assert decide(registration()).findings == ()
    assert decide(material_registration()).findings == ()


def _policy_md() -> str:
    if not POLICY_MD.is_file():
        pytest.skip(f"spec not available at {POLICY_MD} (e.g. CI without the shared/ checkout)")
    return POLICY_MD.read_text(encoding="utf-8")


def _policy_md_rows(text: str) -> list[list[str]]:
    """The cells of each row of policy.md's rule catalogue, in its order."""
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("| `cb2026.")
    ]


def test_loaded_policy_matches_every_rule_of_the_policy_md_table() -> None:
    text = _policy_md()
    rows = _policy_md_rows(text)
    assert len(rows) == 22
    # "Precise readings": a section is the cite without "S" and "(summary)", unless the spec
    # names the section of a rule itself ("for `cb2026.c2000.offensive-cyber` it is `C2000`")
    named = dict(re.findall(r"for `(cb2026\.[^`]+)` it is `([^`]+)`", text))
    assert named.get(OFFENSIVE_CYBER) == "C2000"
    loaded = policy()
    for cells in rows:
        rule_id, cite, severity, transition = cells[0].strip("`"), cells[1], cells[-2], cells[-1]
        rule = loaded.rule(rule_id)
        assert rule.severity == Severity(severity), rule_id
        section = named.get(rule_id, cite.removeprefix("S").removesuffix("(summary)").strip())
        assert rule.section == section, rule_id
        if "no transition" in transition or transition == "none":
            assert rule.transition is None, rule_id
        elif transition.startswith("4 years"):
            assert rule.transition is not None, rule_id
            assert loaded.parameters.period_months(rule.transition.period) == 48, rule_id
            assert rule.transition.extensions, rule_id
        else:
            assert transition.startswith("12 months"), rule_id
            assert rule.transition is not None, rule_id
            assert loaded.parameters.period_months(rule.transition.period) == 12, rule_id
            assert not rule.transition.extensions, rule_id
    assert {cells[0].strip("`") for cells in rows} == {rule.id for rule in loaded.rules}
    # "its message cites the 2022 policy, not a section of the 2026 one"
    cited = citations(loaded)[OFFENSIVE_CYBER]
    assert "2022" in cited and "2026" not in cited and "sectie" not in cited


def test_the_policy_file_lists_its_rules_in_the_order_of_the_policy_md_table() -> None:
    rows = _policy_md_rows(_policy_md())
    raw = load_yaml(policy().origin.read_bytes())
    assert [rule["id"] for rule in raw["rules"]] == [cells[0].strip("`") for cells in rows]


# --- material use ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "criterion", ["core_task", "business_critical", "large_scale_personal_data"]
)
def test_each_material_criterion_makes_use_material_and_is_named_as_reason(criterion: str) -> None:
    decision = decide(registration(**{criterion: True}))

    assert decision.material is True
    assert decision.material_reasons == (criterion,)


def test_material_declared_true_has_reason_declared() -> None:
    decision = decide(registration(material=True))

    assert decision.material is True
    assert decision.material_reasons == ("declared",)


def test_material_declared_false_has_no_reasons_and_is_not_material_even_with_core_task() -> None:
    decision = decide(registration(material=False, core_task=True, business_critical=True))

    assert decision.material is False
    assert decision.material_reasons == ()
    assert not [r for r in rules_fired(decision) if r.startswith("cb2026.3.")]


def test_material_use_is_reported_for_private_internal_without_material_findings() -> None:
    decision = decide(registration(deployment=PRIVATE_INTERNAL, provider=None, core_task=True))

    assert decision.material is True
    assert decision.material_reasons == ("core_task",)
    assert decision.public_cloud is False
    assert decision.external_cloud is False
    assert decision.findings == ()


@pytest.mark.parametrize(
    ("deployment", "public", "external"),
    [
        (PUBLIC, True, True),
        (HYBRID, True, True),
        (COMMUNITY, False, True),
        (PRIVATE_EXTERNAL, False, True),
        (PRIVATE_INTERNAL, False, False),
    ],
)
def test_deployment_decides_public_and_external_cloud(
    deployment: Deployment, public: bool, external: bool
) -> None:
    decision = decide(registration(deployment=deployment))

    assert decision.public_cloud is public
    assert decision.external_cloud is external


# --- effective TBB level ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("classification", "tbb_level", "effective"),
    [
        (Classification.NONE, "none", None),
        (Classification.DEP_VERTROUWELIJK, "none", 4),
        (Classification.STG_CONFIDENTIEEL, "none", 3),
        (Classification.STG_GEHEIM, "none", 2),
        (Classification.STG_ZEER_GEHEIM, "none", 1),
        (Classification.DEP_VERTROUWELIJK, 2, 2),
        (Classification.STG_GEHEIM, 4, 2),
        (Classification.NONE, 3, 3),
    ],
)
def test_effective_tbb_level_is_the_heaviest_of_level_and_classification(
    classification: Classification | None, tbb_level: Any, effective: int | None
) -> None:
    decision = decide(registration(classification=classification, tbb_level=tbb_level))

    assert decision.effective_tbb_level == effective


def test_dep_vertrouwelijk_in_public_cloud_is_not_classified_forbidden_but_needs_abro() -> None:
    decision = decide(registration(classification=Classification.DEP_VERTROUWELIJK))

    assert rules_fired(decision) == ["cb2026.5.2.abro"]
    assert "TBB-niveau 4" in finding(decision, "cb2026.5.2.abro").message


def test_a_tbb_level_implies_no_classification_so_tbb_4_is_not_classified_forbidden() -> None:
    decision = decide(registration(tbb_level=4, abro_declaration=True))

    assert decision.findings == ()


# --- countries and jurisdictions -------------------------------------------------------------


def test_swiss_storage_is_forbidden_under_the_default_policy() -> None:
    decision = decide(registration(storage_countries=["CH"]))

    assert "verwerkt in Zwitserland." in finding(decision, "cb2026.4.location").message
    assert decision.verdict is Verdict.NOT_ALLOWED


def test_swiss_storage_is_allowed_under_the_eer_ch_policy() -> None:
    decision = decide(registration(storage_countries=["CH"]), policy_id=EER_CH_POLICY)

    assert decision.findings == ()
    assert decision.verdict is Verdict.ALLOWED


def test_location_message_names_the_countries_outside_the_allowed_set() -> None:
    decision = decide(registration(storage_countries=["NL", "US"], processing_countries=["GB"]))

    message = finding(decision, "cb2026.4.location").message
    assert "in het Verenigd Koninkrijk en de Verenigde Staten." in message
    assert "NL" not in message


def test_jurisdiction_chain_includes_subprocessors_and_their_parents() -> None:
    decision = decide(
        jurisdiction_case(provider="nl-only", subprocessors=["aws-emea"]), org=CRITICAL
    )

    assert decision.jurisdictions == ("LU", "NL", "US")
    assert (
        "het recht van de Verenigde Staten" in finding(decision, "cb2026.4.3.jurisdiction").message
    )


def test_jurisdiction_chain_follows_the_parent_up_to_the_ultimate_parent() -> None:
    decision = decide(registration(provider="nl-us-owned"))

    assert decision.jurisdictions == ("NL", "US")


def test_the_chain_holds_the_headquarters_of_every_entity() -> None:
    """Registered in Ireland but run from the US: under US law too (unknowns.md)."""
    decision = decide(jurisdiction_case(provider="ie-us-run"), org=CRITICAL)

    assert decision.jurisdictions == ("IE", "US")
    assert (
        "het recht van de Verenigde Staten" in finding(decision, "cb2026.4.3.jurisdiction").message
    )


# --- offensive cyber programme (policy 2022, C2000) -------------------------------------------


def test_a_provider_whose_parent_is_run_from_china_is_not_allowed_citing_the_2022_policy() -> None:
    decision = decide(registration(provider="nl-cn-run-owned"))

    assert decision.jurisdictions == ("CN", "KY", "NL")
    assert decision.verdict is Verdict.NOT_ALLOWED
    assert rules_fired(decision) == [OFFENSIVE_CYBER]
    found = finding(decision, OFFENSIVE_CYBER)
    assert (found.section, found.severity, found.deadline) == ("C2000", Severity.FORBIDDEN, None)
    assert "gevestigd in China of wordt van daaruit geleid" in found.message
    assert "geen overgangstermijn" in found.message
    assert found.message.endswith("(Cloudbeleid 2022, C2000-criteria)")
    assert "2026" not in found.message


def test_a_provider_registered_in_china_is_not_allowed() -> None:
    decision = decide(registration(provider="cn-only"))

    assert decision.verdict is Verdict.NOT_ALLOWED
    assert decision.deadline is None
    assert rules_fired(decision) == [OFFENSIVE_CYBER]


def test_existing_use_gets_no_transition_because_it_was_forbidden_since_2022() -> None:
    decision = decide(
        registration(
            provider="nl-cn-run-owned",
            in_use_since=dt.date(2023, 1, 1),
            contract_start=dt.date(2023, 1, 1),
            contract_end=dt.date(2032, 1, 1),
            lifecycle_moment=dt.date(2033, 1, 1),
            lifecycle_justification="Hoge migratiekosten",
        )
    )

    assert finding(decision, OFFENSIVE_CYBER).deadline is None
    assert decision.verdict is Verdict.NOT_ALLOWED and decision.deadline is None


def test_the_offensive_cyber_finding_sorts_by_rule_id_among_the_others() -> None:
    decision = decide(
        registration(
            provider="cn-only",
            storage_countries=["CN"],
            functions=[EMAIL],
            justifications=[justification("cb2026.4.5.email", reported_on=None)],
        )
    )

    assert rules_fired(decision) == [
        "cb2026.3.3.deviation-reported",
        "cb2026.4.5.email",
        "cb2026.4.location",
        OFFENSIVE_CYBER,
    ]
    assert decision.verdict is expected_verdict(decision.findings, AS_OF) is Verdict.NOT_ALLOWED


def test_the_states_are_a_parameter_of_the_policy(tmp_path: Path) -> None:
    only_russia = tmp_path / "alleen-rusland.yaml"
    only_russia.write_text(
        "id: alleen-rusland\nextends: rijksbreed-cloudbeleid-2026\ntitle: t\nversion: '1'\n"
        "status: concept\nsource: test\nparameters:\n  offensive_cyber_states: [ru]\n",
        encoding="utf-8",
    )

    china = decide(registration(provider="cn-only"), policy_id=str(only_russia))
    russia = decide(registration(provider="ru-only"), policy_id=str(only_russia))

    assert OFFENSIVE_CYBER not in rules_fired(china)
    assert "gevestigd in Rusland" in finding(russia, OFFENSIVE_CYBER).message


# --- justifications --------------------------------------------------------------------------


def test_a_justified_advised_against_finding_is_still_reported_as_justified() -> None:
    decision = decide(
        registration(functions=[EMAIL], justifications=[justification("cb2026.4.5.email")])
    )

    email = finding(decision, "cb2026.4.5.email")
    assert email.justified is True
    assert "SG BZK" in email.message
    assert decision.verdict is Verdict.ALLOWED_WITH_CONDITIONS


def test_justification_for_a_non_advised_against_rule_is_ignored() -> None:
    decision = decide(
        registration(
            storage_countries=["US"],
            justifications=[justification("cb2026.4.location")],
        )
    )

    assert finding(decision, "cb2026.4.location").justified is False
    assert decision.verdict is Verdict.NOT_ALLOWED


@pytest.mark.parametrize(
    ("rule", "function"),
    [("cb2026.4.5.email", EMAIL), ("cb2026.4.5.documents", DOCUMENTS)],
)
@pytest.mark.parametrize(
    "missing",
    [
        {"continuity_risk_established": False},
        {"risk_and_exit_tested": False},
        {"minister_consent_on": None},
    ],
    ids=["continuity_risk_established", "risk_and_exit_tested", "minister_consent_on"],
)
def test_email_and_documents_justification_missing_one_extra_condition_is_not_justified(
    rule: str, function: ServiceFunction, missing: dict[str, Any]
) -> None:
    decision = decide(
        registration(functions=[function], justifications=[justification(rule, **missing)])
    )

    assert finding(decision, rule).justified is False
    assert decision.verdict is Verdict.ADVISED_AGAINST


def test_other_advised_against_rules_need_none_of_the_three_extra_conditions() -> None:
    plain = justification(
        "cb2026.4.6.special-data",
        continuity_risk_established=False,
        risk_and_exit_tested=False,
        minister_consent_on=None,
    )
    decision = decide(
        registration(
            personal_data=SPECIAL,
            pets=[PrivacyTechnique.PSEUDONYMISATION],
            justifications=[plain],
        )
    )

    assert finding(decision, "cb2026.4.6.special-data").justified is True


@pytest.mark.parametrize(
    "incomplete",
    [
        {"reason": ""},
        {"reason": "   "},
        {"accepted_by": None},
        {"accepted_by": " \n"},
        {"accepted_on": None},
    ],
    ids=["reason empty", "reason blank", "accepted_by missing", "accepted_by blank", "no date"],
)
def test_a_justification_without_reason_acceptor_or_date_does_not_justify(
    incomplete: dict[str, Any],
) -> None:
    decision = decide(
        registration(
            personal_data=SPECIAL,
            pets=[PrivacyTechnique.PSEUDONYMISATION],
            justifications=[justification("cb2026.4.6.special-data", **incomplete)],
        )
    )

    assert finding(decision, "cb2026.4.6.special-data").justified is False
    assert decision.verdict is Verdict.ADVISED_AGAINST


def test_deviation_reported_is_at_most_one_finding_per_registration() -> None:
    rules = ["cb2026.4.5.documents", "cb2026.4.5.email", "cb2026.4.6.special-data"]
    decision = decide(
        registration(
            functions=[EMAIL, DOCUMENTS],
            personal_data=SPECIAL,
            pets=[PrivacyTechnique.ANONYMISATION],
            justifications=[justification(rule, reported_on=None) for rule in rules],
        )
    )

    deviation = finding(decision, "cb2026.3.3.deviation-reported")
    titles = [policy().rule(rule).title for rule in rules]
    assert all(f"‘{title}’" in deviation.message for title in titles)
    assert not any(rule in deviation.message for rule in rules)
    assert deviation.deadline is None
    assert decision.verdict is Verdict.ALLOWED_WITH_CONDITIONS


def test_findings_are_evaluated_at_the_as_of_date_given() -> None:
    reg = material_registration(exit_plan=exit_plan(last_tested=dt.date(2026, 1, 15)))

    assert "cb2026.3.2.exit-tested" not in rules_fired(decide(reg, as_of=dt.date(2027, 1, 15)))
    assert "cb2026.3.2.exit-tested" in rules_fired(decide(reg, as_of=dt.date(2027, 1, 16)))
