"""Calendar arithmetic for transition deadlines (policy.md, "Transition").

The deadline rules themselves are compiled into the evaluation function (engine/compiler.py).
"""

from __future__ import annotations

import calendar
import datetime as dt

from cloudtoets.policy.conditions import reads_under
from cloudtoets.policy.model import Policy
from cloudtoets.policy.schema import Parameters, Transition


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later (or earlier); the 31st becomes the month's last day if needed."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def period_months(transition: Transition, parameters: Parameters) -> int:
    """The months of the period the rule names (parameters.transition_periods)."""
    return parameters.period_months(transition.period)


def default_deadline(policy: Policy, period: str) -> dt.date:
    """Adoption plus the named period: the deadline without extensions."""
    return add_months(policy.parameters.adopted, policy.parameters.period_months(period))


def last_default_deadline(policy: Policy) -> dt.date:
    """The latest deadline without extensions of any rule (adoption when no rule has one)."""
    periods = {r.transition.period for r in policy.rules if r.transition is not None}
    return max((default_deadline(policy, p) for p in periods), default=policy.parameters.adopted)


def deadline_for_field(policy: Policy, prefix: str) -> dt.date | None:
    """The earliest deadline without extensions of the hard rules whose finding reads a field
    under ``prefix`` (``exit_plan``): by when existing use must have that in order."""
    periods = {
        r.transition.period
        for r in policy.rules
        if r.transition is not None and r.severity.is_hard and reads_under(r.finding_when, prefix)
    }
    return min((default_deadline(policy, p) for p in periods), default=None)
