"""Evidence "on paper": a registration's evidence as a file from before the register would hold
it, different from what the register's workflows say (an export read back unchanged is no new
evidence, decision 59)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from cloudtoets.domain.model import Registration

DAY = dt.timedelta(days=1)


def on_paper(registration: Registration) -> Registration:
    """Each evidence field the registration has, changed a little as a paper copy would be."""
    changes: dict[str, object] = {}
    if (risk := registration.risk_assessment) is not None:
        changes["risk_assessment"] = dataclasses.replace(risk, accepted_by="SG (op papier)")
    if (plan := registration.exit_plan) is not None:
        reviewed = plan.last_reviewed or plan.last_tested or dt.date(2026, 6, 1)
        changes["exit_plan"] = dataclasses.replace(plan, last_reviewed=reviewed - DAY)
    if (notification := registration.notification) is not None:
        submitted = notification.submitted_on or dt.date(2026, 6, 1)
        changes["notification"] = dataclasses.replace(notification, submitted_on=submitted - DAY)
    if registration.justifications:
        changes["justifications"] = [
            dataclasses.replace(j, reason=j.reason + " (op papier)")
            for j in registration.justifications
        ]
    return dataclasses.replace(registration, **changes)
