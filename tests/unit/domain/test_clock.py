"""The one clock: Amsterdam's date, fixed and shifted clocks, the settings' clock."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudtoets.config import Settings, SettingsError, load_settings
from cloudtoets.domain.clock import (
    AMSTERDAM,
    SYSTEM_CLOCK,
    FixedClock,
    ShiftedClock,
    amsterdam_date,
    day_of,
)


def test_just_after_midnight_in_amsterdam_it_is_already_the_next_day() -> None:
    # 00:30 in Amsterdam on 7 December (winter time, UTC+1) is 23:30 UTC on the 6th
    clock = FixedClock(dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC))
    assert clock.today() == dt.date(2026, 12, 7)
    # in summer time (UTC+2) the UTC date lags until 02:00 in Amsterdam
    summer = FixedClock(dt.datetime(2026, 7, 2, 22, 30, tzinfo=dt.UTC))
    assert summer.today() == dt.date(2026, 7, 3)
    assert FixedClock(dt.datetime(2026, 7, 2, 21, 59, tzinfo=dt.UTC)).today() == dt.date(2026, 7, 2)


@given(st.datetimes(timezones=st.just(dt.UTC)))
def test_the_date_is_amsterdams_local_date(moment: dt.datetime) -> None:
    assert FixedClock(moment).today() == moment.astimezone(AMSTERDAM).date()


def test_a_fixed_clock_stands_still_until_it_is_moved() -> None:
    clock = FixedClock.on(dt.date(2026, 11, 29))
    assert clock.now() == dt.datetime(2026, 11, 29, 11, 0, tzinfo=dt.UTC)  # noon, UTC+1
    assert clock.now() == clock.now()
    clock.move_to(dt.date(2030, 7, 3))
    assert clock.today() == dt.date(2030, 7, 3)
    clock.advance(dt.timedelta(hours=12))
    assert clock.today() == dt.date(2030, 7, 4)
    with pytest.raises(ValueError, match="time zone"):
        FixedClock(dt.datetime(2026, 1, 1))  # a moment without a zone is ambiguous


def test_a_shifted_clock_runs_on_from_its_start() -> None:
    start = dt.datetime(2030, 7, 4, 9, 0, tzinfo=AMSTERDAM)
    clock = ShiftedClock(start - SYSTEM_CLOCK.now())
    first = clock.now()
    assert abs(first - start) < dt.timedelta(seconds=5)
    assert clock.now() >= first
    assert clock.today() == dt.date(2030, 7, 4)


def test_moments_and_texts_become_amsterdam_dates() -> None:
    late = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    assert amsterdam_date(late) == dt.date(2027, 1, 1)
    assert amsterdam_date(late.replace(tzinfo=None)) == dt.date(2027, 1, 1)  # naive is UTC
    assert day_of(late) == dt.date(2027, 1, 1)
    assert day_of(dt.date(2026, 7, 3)) == dt.date(2026, 7, 3)
    assert day_of("2026-07-03T10:00:00") == dt.date(2026, 7, 3)
    with pytest.raises(ValueError):
        day_of("gisteren")


def test_the_settings_clock_starts_at_cloudtoets_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDTOETS_NOW", raising=False)
    assert Settings().clock() is SYSTEM_CLOCK
    monkeypatch.setenv("CLOUDTOETS_NOW", "2030-07-04T00:30+02:00")
    assert load_settings().clock().today() == dt.date(2030, 7, 4)
    monkeypatch.setenv("CLOUDTOETS_NOW", "2030-07-04T00:30")
    with pytest.raises(SettingsError, match=r"CLOUDTOETS_NOW: .*tijdzone"):
        load_settings()
    monkeypatch.setenv("CLOUDTOETS_NOW", "morgen")
    with pytest.raises(SettingsError, match="CLOUDTOETS_NOW: geen tijdstip; schrijf bijvoorbeeld"):
        load_settings()
