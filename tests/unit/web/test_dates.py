"""One reading of a typed date for every form."""

from __future__ import annotations

import datetime as dt

import pytest

from cloudtoets.web.dates import BadDate, shown_date, typed_date


@pytest.mark.parametrize(
    "typed", ["3-7-2026", "03-07-2026", "2026-07-03", " 3/7/2026 ", "3.7.2026", "2026-7-3"]
)
def test_the_dutch_and_the_iso_way_are_the_same_day(typed: str) -> None:
    assert typed_date(typed) == dt.date(2026, 7, 3)


def test_empty_is_no_date() -> None:
    assert typed_date("") is None and typed_date("   ") is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31-02-2026", "31-02-2026 bestaat niet. Schrijf de datum als 3-7-2026."),
        ("2026-02-31", "2026-02-31 bestaat niet. Schrijf de datum als 3-7-2026."),
        ("3-13-2026", "3-13-2026 bestaat niet. Schrijf de datum als 3-7-2026."),
        ("morgen", '"morgen" is geen datum. Schrijf de datum als 3-7-2026.'),
        ("3-7-26", '"3-7-26" is geen datum. Schrijf de datum als 3-7-2026.'),
        ("20260703", '"20260703" is geen datum. Schrijf de datum als 3-7-2026.'),
    ],
)
def test_a_wrong_date_is_said_as_typed(typed: str, message: str) -> None:
    with pytest.raises(BadDate) as raised:
        typed_date(typed)
    assert raised.value.message == message and raised.value.typed == typed


def test_a_stored_date_is_shown_the_way_the_hint_writes_it() -> None:
    assert shown_date(dt.date(2026, 7, 3)) == "3-7-2026"
    assert shown_date(None) == "" and shown_date("31-02-2026") == "31-02-2026"
