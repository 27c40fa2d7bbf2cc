"""Transition deadlines for existing use (policy.md, "Transition")."""

from __future__ import annotations

import calendar
import datetime as dt

from cloudtoets.domain.model import Registration
from cloudtoets.policy.schema import Parameters, Transition


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later (or earlier); the 31st becomes the month's last day if needed."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def period_months(transition: Transition, parameters: Parameters) -> int:
    if transition.period == "transition_years":
        return parameters.transition_years * 12
    return parameters.exit_plan_months


def is_existing_use(registration: Registration, adopted: dt.date) -> bool:
    """Use that existed before adoption; missing ``in_use_since`` counts as new use."""
    since = registration.in_use_since
    return since is not None and since < adopted


def deadline_for(
    registration: Registration, transition: Transition, parameters: Parameters
) -> dt.date:
    """The deadline of an existing registration's finding on a rule with this transition.

    Default: adoption + the rule's period. Rules with extensions may move it later (never
    earlier) to the end of an existing longer contract, or to a justified lifecycle moment.
    """
    adopted = parameters.adopted
    deadline = add_months(adopted, period_months(transition, parameters))
    if not transition.extensions:
        return deadline
    r = registration
    if (
        r.contract_start is not None
        and r.contract_start < adopted
        and r.contract_end is not None
        and r.contract_end > deadline
    ):
        deadline = r.contract_end
    if (
        r.lifecycle_moment is not None
        and r.lifecycle_justification.strip()
        and r.lifecycle_moment > deadline
    ):
        deadline = r.lifecycle_moment
    return deadline
