"""An inventory that fills every field, for the XLSX and CSV round-trip tests."""

from __future__ import annotations

import datetime as dt

from cloudtoets.domain.model import (
    ExitPlan,
    ExitScenario,
    Inventory,
    Justification,
    Notification,
    Organisation,
    Provider,
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
)


def full_registration() -> Registration:
    """Every field of a registration filled, nested objects and justifications included."""
    return Registration(
        id="minx-mail",
        organisation="minx",
        deployment=Deployment.PUBLIC,
        name="E-mail en agenda",
        provider="microsoft-ireland",
        subprocessors=["eigen-saas", "lokaal"],
        service_model=ServiceModel.SAAS,
        functions=[ServiceFunction.EMAIL, ServiceFunction.COLLABORATION],
        storage_countries=["NL", "IE"],
        processing_countries=["NL", "US"],
        encrypted_at_rest=True,
        encrypted_in_transit=True,
        key_custody=KeyCustody.CUSTOMER_HELD,
        open_data=False,
        classification=Classification.DEP_VERTROUWELIJK,
        tbb_level=3,
        personal_data=PersonalData.SPECIAL,
        large_scale_personal_data=True,
        pets=[PrivacyTechnique.PSEUDONYMISATION, PrivacyTechnique.CONFIDENTIAL_COMPUTING],
        core_task=True,
        business_critical=True,
        material=False,
        key_register=KeyRegister.BRP,
        holds_source_data=True,
        abro_declaration=True,
        in_use_since=dt.date(2019, 1, 15),
        contract_start=dt.date(2024, 1, 1),
        contract_end=dt.date(2028, 12, 31),
        lifecycle_moment=dt.date(2028, 7, 1),
        lifecycle_justification="Migratie vóór 2028 kost dubbele licenties.\nZie het businessplan.",
        risk_assessment=RiskAssessment(
            date=dt.date(2026, 3, 1),
            covers_lock_in=True,
            covers_jurisdiction=False,
            accepted_by="CIO, J. de Vries",
            accepted_on=dt.date(2026, 3, 15),
        ),
        exit_plan=ExitPlan(
            planned=ExitScenario(
                lead_time_days=180, preconditions=["escrow", "tweede leverancier"]
            ),
            emergency=ExitScenario(lead_time_days=30, preconditions=["back-up bij Rijks-DC"]),
            data_return=True,
            data_destruction=False,
            last_tested=dt.date(2025, 11, 1),
            last_reviewed=dt.date(2026, 2, 1),
        ),
        notification=Notification(submitted_on=dt.date(2026, 4, 1), to="CIO Rijk"),
        justifications=[
            Justification(
                rule="cb2026.4.5.email",
                reason="Geen alternatief binnen de termijn",
                accepted_by="SG",
                accepted_on=dt.date(2026, 5, 1),
                reported_on=dt.date(2026, 5, 2),
                continuity_risk_established=True,
                risk_and_exit_tested=True,
                minister_consent_on=dt.date(2026, 5, 20),
            ),
            Justification(rule="cb2026.4.location", reason="Tijdelijk"),
        ],
    )


def full_inventory() -> Inventory:
    """Two organisations, two providers and registrations from full to almost empty."""
    return Inventory(
        organisations=[
            Organisation(
                id="minx",
                type=OrganisationType.MINISTRY,
                name="Ministerie van X",
                critical_entity=True,
                essential_entity=False,
                vital_provider=True,
            ),
            Organisation(id="dienst-y", type=OrganisationType.AGENCY),
        ],
        providers=[
            Provider(id="eigen-saas", country="NL", name="Eigen SaaS B.V.", parent="amazon"),
            Provider(id="lokaal", country="DE", headquarters="CH"),
        ],
        registrations=[
            full_registration(),
            # an id typed as a number, formula-looking text, no provider, defaults elsewhere
            Registration(
                id="123",
                organisation="bzk",
                deployment=Deployment.PRIVATE_INTERNAL,
                name="=1+1",
                lifecycle_justification="'t Hooft: -5 dagen @team +31",
            ),
            # partly filled nested objects: one exit scenario, a risk assessment of defaults
            Registration(
                id="dienst-y-hosting",
                organisation="dienst-y",
                deployment=Deployment.COMMUNITY,
                provider="lokaal",
                service_model=ServiceModel.IAAS,
                functions=[ServiceFunction.HOSTING],
                material=True,
                risk_assessment=RiskAssessment(),
                exit_plan=ExitPlan(planned=ExitScenario(lead_time_days=0)),
                notification=Notification(to="CIO Rijk"),
            ),
        ],
    )


def without_justifications(inventory: Inventory) -> Inventory:
    """The same inventory with the justifications left out (CSV cannot hold them)."""
    for registration in inventory.registrations:
        registration.justifications = []
    return inventory
