"""The dossier of one registration as a tagged PDF (PDF/UA-1): what an organisation hands to its
minister or its auditor. The registration, today's verdict with each finding (title, message,
where the policy says it, deadline), the risk assessment, the exit plan with its tests, the
notifications to CIO Rijk with their messages, and the justifications.

Everything is read through the services with the actor's rights, so a registration of an
organisation the actor may not see is a 404 here as everywhere (services/registrations.py).
The PDF is made by the monitoring report's renderer (reports/pdf.py): the same fonts, fetcher
and PDF/UA tagging.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cloudtoets.domain.decision import Decision
from cloudtoets.domain.exit_plan import SCENARIOS, TEST_RESULTS
from cloudtoets.domain.model import Registration
from cloudtoets.domain.risk_assessment import RESIDUAL_LABELS, THEME_LABELS
from cloudtoets.domain.vocabulary import SEVERITY_LABELS
from cloudtoets.presentation import texts
from cloudtoets.presentation.environment import ENV
from cloudtoets.presentation.rules import citations, rule_or_none
from cloudtoets.services import justifications as justification_service
from cloudtoets.services import notifications as notification_service
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.exit_plans import StoredExitPlan, find_exit_plan
from cloudtoets.services.notification_states import STATE_LABELS
from cloudtoets.services.organisations import visible_organisations
from cloudtoets.services.providers import provider_names
from cloudtoets.services.risk_assessments import StoredAssessment, list_assessments

ASSESSMENT_STATES = {"draft": "concept", "accepted": "geaccordeerd", "declared": "ingevoerd"}
MESSAGE_KINDS = {"comment": "Opmerking", "question": "Vraag", "answer": "Antwoord"}


@dataclass(frozen=True, slots=True)
class DossierFinding:
    rule: str
    title: str
    message: str
    citation: str  # where the policy says it, e.g. "Rijksbreed cloudbeleid 2026, 4.3"
    severity: str  # Dutch: verboden, verplicht, afgeraden, aanbeveling
    deadline: dt.date | None
    certain: bool  # False: only for some answers to the open questions
    justified: bool


@dataclass(frozen=True, slots=True)
class Dossier:
    registration: Registration
    organisation_name: str
    provider_name: str | None
    decision: Decision
    policy_title: str
    policy_revision: str
    findings: list[DossierFinding]
    assessment: StoredAssessment | None  # the newest accepted version, else the newest
    exit_plan: StoredExitPlan | None
    notifications: list[notification_service.NotificationView]
    justifications: list[justification_service.JustificationView]
    rule_titles: dict[str, str]  # rule id -> title, for the justifications

    @property
    def as_of(self) -> dt.date:
        return self.decision.as_of

    def context(self) -> dict[str, Any]:
        return {
            "d": self,
            "r": self.registration,
            "decision": self.decision,
            "as_of": self.as_of,
            "policy_title": self.policy_title,
            "deployments": texts.DEPLOYMENTS,
            "service_models": texts.SERVICE_MODELS,
            "scopes": texts.SCOPES,
            "assessment_states": ASSESSMENT_STATES,
            "themes": THEME_LABELS,
            "residual": RESIDUAL_LABELS,
            "scenarios": SCENARIOS,
            "test_results": TEST_RESULTS,
            "notification_states": STATE_LABELS,
            "message_kinds": MESSAGE_KINDS,
            "justification_states": justification_service.STATE_LABELS,
            "rule_title": lambda rule: self.rule_titles.get(rule, rule),
        }


def _assessment(versions: list[StoredAssessment]) -> StoredAssessment | None:
    """The version that counts: the newest accepted one, else the newest (newest first)."""
    return next((v for v in versions if v.state == "accepted"), versions[0] if versions else None)


def dossier(register: Register, actor: Actor, registration_id: str) -> Dossier:
    """The dossier; NotFound (404) for a registration the actor may not see."""
    stored = registration_service.get_registration(register, actor, registration_id)
    registration, decision = stored.registration, stored.decision
    policy = register.policy
    cited = citations(policy)
    findings = []
    for finding in decision.findings:
        rule = rule_or_none(policy, finding.rule)
        findings.append(
            DossierFinding(
                rule=finding.rule,
                title=rule.title if rule else finding.rule,
                message=finding.message,
                citation=cited.get(finding.rule, f"sectie {finding.section}"),
                severity=SEVERITY_LABELS.get(finding.severity, str(finding.severity)),
                deadline=finding.deadline,
                certain=finding.certain,
                justified=finding.justified,
            )
        )
    organisations = {o.id: o.name for o in visible_organisations(register, actor)}
    provider = registration.provider
    summaries = notification_service.list_notifications(
        register, actor, organisation=registration.organisation, registration=registration.id
    )
    notifications = [
        notification_service.get_notification(register, actor, n.id)
        for n in sorted(summaries, key=lambda n: n.id)
    ]
    return Dossier(
        registration=registration,
        organisation_name=organisations.get(registration.organisation, registration.organisation),
        provider_name=provider_names(register, actor).get(provider, provider) if provider else None,
        decision=decision,
        policy_title=policy.title,
        policy_revision=policy.short_revision,
        findings=findings,
        assessment=_assessment(list_assessments(register, actor, registration.id)),
        exit_plan=find_exit_plan(register, actor, registration.id),
        notifications=notifications,
        justifications=justification_service.list_justifications(register, actor, registration.id),
        rule_titles={rule.id: rule.title for rule in policy.rules},
    )


def dossier_html(found: Dossier) -> str:
    from cloudtoets.reports.pdf import compact

    return compact(ENV.get_template("reports/dossier.html").render(found.context()))


def dossier_pdf(
    register: Register, actor: Actor, registration_id: str, served_at: str | None = None
) -> bytes:
    """Tagged PDF (PDF/UA-1); NotFound for a registration the actor may not see,
    PdfUnavailable when this machine cannot make PDFs."""
    from cloudtoets.reports.build import link_base
    from cloudtoets.reports.pdf import render_document

    found = dossier(register, actor, registration_id)
    return render_document(dossier_html(found), link_base(register, served_at))


def file_name(registration_id: str, as_of: dt.date) -> str:
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in registration_id)
    return f"cloudtoets-dossier-{safe}-{as_of.isoformat()}.pdf"
