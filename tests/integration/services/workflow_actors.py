"""The people of the justification and notification workflows, and registrations they act on."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from cloudtoets.domain.model import Registration
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.store.tables import AuditRow

from .conftest import CENTRAL, registration

EDITOR = Actor("bewerker-bzk", frozenset({"bzk"}), frozenset({"editor"}))
APPROVER = Actor("accordeerder-bzk", frozenset({"bzk"}), frozenset({"approver"}))
VIEWER = Actor("lezer-bzk", frozenset({"bzk"}), frozenset({"viewer"}))
UWV_EDITOR = Actor("bewerker-uwv", frozenset({"uwv"}), frozenset({"editor"}))
CIO = Actor("cio-rijk", None, frozenset({"cio-rijk"}))
AUDITOR = Actor("auditor", None, frozenset({"auditor"}))

EMAIL = "cb2026.4.5.email"
NOTIFICATION_RULE = "cb2026.3.3.notification"
CONSENT = dt.date(2026, 10, 1)


def mail_registration(**overrides: object) -> Registration:
    """E-mail in the public cloud, otherwise in order: only the advised-against e-mail finding."""
    values: dict[str, object] = {
        "id": "bzk-mail",
        "functions": ["email"],
        "processing_countries": ["NL", "IE"],
        "key_custody": "customer-managed",
    }
    values.update(overrides)
    return registration(**values)


def material_registration(**overrides: object) -> Registration:
    """Material use of public cloud (core task): needs a notification to CIO Rijk."""
    values: dict[str, object] = {
        "id": "bzk-kern",
        "processing_countries": ["NL", "IE"],
        "key_custody": "customer-managed",
        "core_task": True,
    }
    values.update(overrides)
    return registration(**values)


def add(register: Register, registration: Registration) -> None:
    registration_service.create_registration(register, CENTRAL, registration)


def rules_of(register: Register, registration_id: str) -> dict[str, bool]:
    """Rule -> justified, of the registration's decision today."""
    stored = registration_service.get_registration(register, CENTRAL, registration_id)
    return {f.rule: f.justified for f in stored.decision.findings}


def audit_count(register: Register) -> int:
    with register.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditRow)) or 0
