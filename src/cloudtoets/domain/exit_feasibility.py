"""How long an exit takes at the least: moving the data out plus re-connecting integrations.

An exit plan states its own lead time (S3.2). This estimate is a floor to hold it against: if
copying the data alone takes longer than the plan allows, the plan cannot be right. So the
assumptions are the favourable ones, and a warning means "certainly too short":

- the line is used around the clock (24 hours a day), at 70 % of its nominal bandwidth
  (protocol overhead, shared use, retries);
- 1 GB = 8,000 megabits (decimal units, as providers bill and lines are sold);
- every integration (a link with another system that must be moved or re-pointed and tested)
  adds 5 days;
- whole days, rounded up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EFFICIENCY = 0.70
HOURS_PER_DAY = 24
MEGABITS_PER_GB = 8_000
DAYS_PER_INTEGRATION = 5

ASSUMPTIONS = (
    f"De lijn wordt dag en nacht gebruikt ({HOURS_PER_DAY} uur per dag), voor "
    f"{round(EFFICIENCY * 100)} % van de bandbreedte. Elke koppeling kost "
    f"{DAYS_PER_INTEGRATION} dagen extra. Dit is de kortst mogelijke tijd: een exit duurt in "
    "de praktijk langer."
)


@dataclass(frozen=True, slots=True)
class Estimate:
    egress_days: int
    integration_days: int

    @property
    def total_days(self) -> int:
        return self.egress_days + self.integration_days


def egress_days(volume_gb: float, bandwidth_mbps: float) -> int:
    """Whole days to copy ``volume_gb`` over a line of ``bandwidth_mbps``."""
    if volume_gb <= 0:
        return 0
    seconds = volume_gb * MEGABITS_PER_GB / (bandwidth_mbps * EFFICIENCY)
    return math.ceil(seconds / (HOURS_PER_DAY * 3600))


def estimate(
    volume_gb: float | None, bandwidth_mbps: float | None, integrations: int | None
) -> Estimate | None:
    """The least time an exit takes; None while volume or bandwidth is unknown."""
    if volume_gb is None or bandwidth_mbps is None or bandwidth_mbps <= 0 or volume_gb < 0:
        return None
    return Estimate(
        egress_days(volume_gb, bandwidth_mbps), (integrations or 0) * DAYS_PER_INTEGRATION
    )


def lead_time_warning(stated_days: int | None, found: Estimate | None) -> str | None:
    """A Dutch warning when the plan's lead time is shorter than the estimate, else None."""
    if stated_days is None or found is None or stated_days >= found.total_days:
        return None
    text = (
        f"De doorlooptijd in het plan ({_days(stated_days)}) is korter dan de schatting "
        f"({_days(found.total_days)}): "
        f"{_days(found.egress_days)} voor het overzetten van de gegevens en "
        f"{_days(found.integration_days)} voor de koppelingen."
    )
    return text + " Maak de doorlooptijd langer, of zorg voor een snellere verbinding."


def _days(number: int) -> str:
    return f"{number} dag" if number == 1 else f"{number} dagen"
