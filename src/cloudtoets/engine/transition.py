"""Calendar arithmetic for transition deadlines (policy.md, "Transition").

The deadline rules themselves are compiled into the evaluation function (engine/compiler.py).
"""

from __future__ import annotations

import calendar
import datetime as dt

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
