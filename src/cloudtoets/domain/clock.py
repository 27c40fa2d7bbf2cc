"""The one clock: every "now" and "today" of cloudtoets comes from a Clock.

"Today" is the date in Europe/Amsterdam, not the server's UTC date: at 00:30 on 7 December in
Amsterdam it is 7 December, also while UTC still says the 6th. Moments are kept in UTC.
The system clock is read in ``SystemClock.now`` and nowhere else; tests and demonstrations use a
``FixedClock``.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from zoneinfo import ZoneInfo

# The tzdata package is a dependency, so the zone is there also on systems without tz data.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def amsterdam_date(moment: dt.datetime) -> dt.date:
    """The calendar date in Amsterdam at ``moment`` (naive moments are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(AMSTERDAM).date()


def day_of(value: object) -> dt.date:
    """The date of a date, a moment (in Amsterdam) or an ISO text; ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return amsterdam_date(value)
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class Clock(ABC):
    @abstractmethod
    def now(self) -> dt.datetime:
        """The current moment, timezone-aware, in UTC."""

    def today(self) -> dt.date:
        return amsterdam_date(self.now())


class SystemClock(Clock):
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock(Clock):
    """A clock that stands still until it is moved (tests, demonstrations, ``CLOUDTOETS_NOW``)."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    @property
    def moment(self) -> dt.datetime:
        return self._moment

    @moment.setter
    def moment(self, value: dt.datetime) -> None:
        if value.tzinfo is None:
            raise ValueError("a fixed clock needs a moment with a time zone")
        self._moment = value.astimezone(dt.UTC)

    @classmethod
    def on(cls, day: dt.date, at: dt.time = dt.time(12)) -> FixedClock:
        """The clock at Amsterdam time ``at`` (noon unless given) on ``day``."""
        return cls(dt.datetime.combine(day, at, tzinfo=AMSTERDAM))

    def move_to(self, day: dt.date, at: dt.time = dt.time(12)) -> None:
        self.moment = dt.datetime.combine(day, at, tzinfo=AMSTERDAM)

    def advance(self, delta: dt.timedelta) -> None:
        self.moment = self._moment + delta

    def now(self) -> dt.datetime:
        return self._moment


class ShiftedClock(Clock):
    """The system clock moved by a fixed offset: it runs on from a chosen start."""

    def __init__(self, offset: dt.timedelta) -> None:
        self.offset = offset

    def now(self) -> dt.datetime:
        return SYSTEM_CLOCK.now() + self.offset


SYSTEM_CLOCK = SystemClock()


# figures before this year or after the next century are mistakes, not monitoring
FIRST_AS_OF, LAST_AS_OF = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def check_as_of(as_of: dt.date) -> None:
    """A reference date (peildatum) for figures; ValueError in Dutch outside 2000-2100."""
    if not FIRST_AS_OF <= as_of <= LAST_AS_OF:
        raise ValueError("kies een peildatum tussen 2000 en 2100")
