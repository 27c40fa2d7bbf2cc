"""store.bulk.insert_rows stores what SQLAlchemy's own INSERT stores, on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, cast

import pytest
from sqlalchemy import Table, insert, select, text
from sqlalchemy.exc import IntegrityError

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.services.context import Register
from cloudtoets.store.bulk import add_all, insert_rows
from cloudtoets.store.tables import DecisionRow, OrganisationRow, RegistrationRow
from cloudtoets.store.workflows import JustificationRow

MOMENT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
DECISIONS = cast(Table, DecisionRow.__table__)
_T = TypeVar("_T")


@pytest.fixture
def register(database_url: str) -> Iterator[Register]:
    from cloudtoets.store.migrate import upgrade

    opened = Register.open(Settings(database_url=database_url), clock=FixedClock(MOMENT))
    upgrade(opened.engine)
    with opened.sessions() as session, session.begin():
        session.add(OrganisationRow(id="bzk", name="BZK", type="ministry"))
    yield opened
    opened.close()


def _decision(number: int, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "registration_id": f"bzk-{number}",
        "organisation_id": "bzk",
        "policy_id": "rijksbreed",
        "policy_revision": f"{number:064d}",
        "as_of": dt.date(2026, 3, 2),
        "verdict": "toegestaan",
        "deadline": None if number % 2 else dt.date(2027, 1, 1),
        # nested JSON, text outside ASCII, a fact left unknown (None) and an empty list
        "input": {"registrations": [{"id": f"bzk-{number}", "notes": None, "tags": []}]},
        "result": {"findings": [{"rule": "R-1", "message": "één €-teken\n", "days": number}]},
    }
    values.update(changes)
    return values


def _stored(register: Register) -> list[dict[str, Any]]:
    columns = [c for c in DECISIONS.columns if c.name != "id"]
    with register.sessions() as session:
        return [
            row._asdict()
            for row in session.execute(select(*columns).order_by(DECISIONS.c.registration_id))
        ]


def _both_ways(
    register: Register,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    read: Callable[[Register], _T],
) -> tuple[_T, _T]:
    """What ``read`` finds after SQLAlchemy's own INSERT of ``rows``, and after insert_rows."""
    with register.sessions() as session, session.begin():
        session.execute(insert(table), rows)
    expected = read(register)
    with register.sessions() as session, session.begin():
        session.execute(table.delete())
    with register.sessions() as session, session.begin():
        insert_rows(session, table, rows)
    return expected, read(register)


def test_rows_are_stored_as_sqlalchemy_stores_them(register: Register) -> None:
    rows = [_decision(number) for number in range(3)]
    expected, stored = _both_ways(register, DECISIONS, rows, _stored)
    assert stored == expected
    # the column default (the register's clock) filled in as SQLAlchemy fills it in
    assert {row["evaluated_at"].replace(tzinfo=dt.UTC) for row in stored} == {MOMENT}
    assert stored[0]["result"]["findings"][0]["message"] == "één €-teken\n"
    assert stored[0]["input"]["registrations"][0] == {"id": "bzk-0", "notes": None, "tags": []}


def test_more_rows_than_one_statement_takes(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cloudtoets.store.bulk.PART", 2)
    rows = [_decision(number) for number in range(5)]
    with register.sessions() as session, session.begin():
        insert_rows(session, DECISIONS, rows)
        insert_rows(session, DECISIONS, [])  # nothing to do
    assert [row["registration_id"] for row in _stored(register)] == [
        f"bzk-{number}" for number in range(5)
    ]


def test_a_taken_key_is_an_integrity_error_and_nothing_is_stored(register: Register) -> None:
    rows = [_decision(1, id=7), _decision(2, id=7)]
    with pytest.raises(IntegrityError), register.sessions() as session, session.begin():
        insert_rows(session, DECISIONS, rows)
    assert _stored(register) == []


def _justification(rule: str) -> JustificationRow:
    return JustificationRow(
        registration_id="bzk-m365",
        organisation_id="bzk",
        rule=rule,
        state="declared",
        accepted_on=dt.date(2026, 2, 1),
        created_by="centraal",
    )


def _justifications(register: Register) -> list[dict[str, Any]]:
    table = cast(Table, JustificationRow.__table__)
    with register.sessions() as session:
        return [row._asdict() for row in session.execute(select(table).order_by(table.c.id))]


def test_new_objects_get_ids_and_are_stored_as_a_flush_stores_them(register: Register) -> None:
    from cloudtoets.services.registrations import create_registration
    from tests.integration.services.conftest import CENTRAL, registration

    create_registration(register, CENTRAL, registration())
    with register.sessions() as session, session.begin():
        session.add_all([_justification("R-1"), _justification("R-2")])
        session.flush()
    expected = _justifications(register)
    objects = [_justification("R-1"), _justification("R-2")]
    with register.sessions() as session, session.begin():
        add_all(session, objects)
    stored = _justifications(register)[2:]
    assert [o.id for o in objects] == [row["id"] for row in stored]
    assert len({o.id for o in objects} | {row["id"] for row in expected}) == 4
    ignore = {"id"}
    assert [{k: v for k, v in row.items() if k not in ignore} for row in stored] == [
        {k: v for k, v in row.items() if k not in ignore} for row in expected
    ]


REGISTRATIONS = cast(Table, RegistrationRow.__table__)


def _nulls(register: Register) -> list[tuple[Any, ...]]:
    """Per row: which JSON columns are SQL NULL, and their values as read back."""
    columns = ("subprocessors", "pets", "risk_assessment", "exit_plan", "justifications")
    checks = ", ".join(f"{name} IS NULL, {name}" for name in columns)
    with register.sessions() as session:
        return [
            tuple(row)
            for row in session.execute(text(f"SELECT id, {checks} FROM registrations ORDER BY id"))
        ]


def test_an_unknown_fact_is_sql_null_and_other_json_none_is_json_null(register: Register) -> None:
    """A fact's list left unknown is SQL NULL (``none_as_null``), another JSON column's None is
    the JSON value null, and a column left out gets its default: as SQLAlchemy stores them."""
    rows: list[dict[str, Any]] = [
        {
            "id": "bzk-leeg",
            "organisation_id": "bzk",
            "subprocessors": None,
            "pets": [],
            "risk_assessment": None,
            "exit_plan": {"planned": {"preconditions": ["één", "escrow"]}, "days": 30},
        },
        {
            "id": "bzk-vol",
            "organisation_id": "bzk",
            "subprocessors": ["lokaal"],
            "pets": None,
            "risk_assessment": {"date": "2026-03-01", "accepted_by": None},
            "exit_plan": None,
        },
    ]
    expected, stored = _both_ways(register, REGISTRATIONS, rows, _nulls)
    assert stored == expected
    unknown, known_empty = bool(expected[0][1]), bool(expected[0][3])
    assert unknown and not known_empty  # subprocessors None, pets []
    assert not expected[0][5]  # risk_assessment None: JSON null, not SQL NULL
    assert expected[0][10] in ([], "[]")  # justifications: the column default (SQLite: text)
