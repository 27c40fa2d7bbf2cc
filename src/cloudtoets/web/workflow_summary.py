"""What the registration page shows of its justifications and its notification to CIO Rijk.

The page includes ``partials/workflow_summary.html``, which asks this module through the
template global ``workflow_summary`` (registered below), so the page's own route needs
no change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from cloudtoets.domain.decision import Decision
from cloudtoets.domain.model import Registration
from cloudtoets.presentation.environment import ENV
from cloudtoets.services import declared_evidence
from cloudtoets.services import justifications as justification_service
from cloudtoets.services import notifications as notification_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.notification_states import STATE_LABELS
from cloudtoets.services.permissions import Permission


@dataclass(frozen=True, slots=True)
class FindingState:
    rule: str
    title: str
    justified: bool
    active: justification_service.JustificationView | None


@dataclass(slots=True)
class WorkflowSummary:
    findings: list[FindingState] = field(default_factory=list)
    justifications: list[justification_service.JustificationView] = field(default_factory=list)
    notification_needed: bool = False
    latest: notification_service.NotificationSummary | None = None
    draft: notification_service.NotificationSummary | None = None
    renotification_needed: bool = False
    renotification_reason: str = ""
    may_edit: bool = False
    # evidence from an import (services/declared_evidence.py), confirmed or not yet
    declared: list[declared_evidence.DeclaredItem] = field(default_factory=list)
    justification_states: dict[str, str] = field(
        default_factory=lambda: dict(justification_service.STATE_LABELS)
    )
    notification_states: dict[str, str] = field(default_factory=lambda: dict(STATE_LABELS))


def _title(register: Register, rule: str) -> str:
    try:
        return register.policy.rule(rule).title
    except KeyError:
        return rule


def workflow_summary(
    request: Request, registration: Registration, decision: Decision
) -> WorkflowSummary:
    register: Register = request.app.state.register
    actor: Actor = request.state.actor
    justifications = justification_service.list_justifications(register, actor, registration.id)
    active = justification_service.active_by_rule(justifications)
    summary = WorkflowSummary(
        justifications=justifications, may_edit=actor.can(Permission.WRITE_REGISTER)
    )
    justified = {f.rule: f.justified for f in decision.findings}
    for rule in justification_service.advised_against_rules(decision):
        summary.findings.append(
            FindingState(rule, _title(register, rule), justified[rule], active.get(rule))
        )
    # certain material use of an external cloud; a possible one asks its questions first
    summary.notification_needed = decision.material is True and decision.external_cloud is True
    notifications = notification_service.list_notifications(
        register, actor, organisation=registration.organisation, registration=registration.id
    )
    submitted = [n for n in notifications if n.state not in ("draft", "declared")]
    summary.latest = max(submitted, key=lambda n: n.id) if submitted else None
    summary.draft = next((n for n in notifications if n.state == "draft"), None)
    if summary.latest is not None and summary.latest.renotification_needed:
        summary.renotification_needed = True
        latest = notification_service.get_notification(register, actor, summary.latest.id)
        summary.renotification_reason = latest.renotification_reason
    summary.declared = declared_evidence.declared_for_registration(register, actor, registration.id)
    return summary


def _for_template(request: Any, registration: Registration, decision: Decision) -> WorkflowSummary:
    return workflow_summary(request, registration, decision)


ENV.globals["workflow_summary"] = _for_template
