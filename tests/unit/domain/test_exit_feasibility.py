"""The least time an exit takes: data egress plus integrations (domain/exit_feasibility.py)."""

from __future__ import annotations

import pytest

from cloudtoets.domain.exit_feasibility import (
    DAYS_PER_INTEGRATION,
    Estimate,
    egress_days,
    estimate,
    lead_time_warning,
)


@pytest.mark.parametrize(
    ("volume_gb", "bandwidth_mbps", "days"),
    [
        (0, 100, 0),
        (1, 1000, 1),  # anything at all takes a (started) day
        (6048, 1000, 1),  # 69,120 s: 0.8 day
        (60_480, 1000, 8),  # 1 Gbit/s at 70 % moves 7,560 GB a day: exactly 8 days
        (60_481, 1000, 9),
        (10_000, 100, 14),  # 13.2 days
        (500_000, 10_000, 7),  # 6.6 days
    ],
)
def test_egress_days(volume_gb: float, bandwidth_mbps: float, days: int) -> None:
    assert egress_days(volume_gb, bandwidth_mbps) == days


def test_integrations_add_days() -> None:
    assert estimate(10_000, 100, 3) == Estimate(14, 3 * DAYS_PER_INTEGRATION)
    assert estimate(10_000, 100, None) == Estimate(14, 0)
    assert Estimate(14, 15).total_days == 29


def test_unknown_volume_or_bandwidth_gives_no_estimate() -> None:
    assert estimate(None, 100, 2) is None
    assert estimate(100, None, 2) is None
    assert estimate(100, 0, 2) is None


def test_warning_only_when_the_stated_lead_time_is_shorter() -> None:
    found = Estimate(14, 10)
    assert lead_time_warning(24, found) is None
    assert lead_time_warning(None, found) is None
    assert lead_time_warning(5, None) is None
    warning = lead_time_warning(1, found)
    assert warning == (
        "De doorlooptijd in het plan (1 dag) is korter dan de schatting (24 dagen): 14 dagen "
        "voor het overzetten van de gegevens en 10 dagen voor de koppelingen. Maak de "
        "doorlooptijd langer, of zorg voor een snellere verbinding."
    )
