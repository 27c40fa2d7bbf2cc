"""Spreadsheet rows to records: cell conversion per column kind, nesting and absent values."""

from __future__ import annotations

import datetime as dt

import pytest

from cloudtoets.domain.labels import LABELS, header_aliases
from cloudtoets.io.tabular import (
    IGNORED_COLUMNS,
    Unreadable,
    column_kinds,
    escape_formula,
    read_table,
    unescape_formula,
)

KINDS = column_kinds("registrations")


def one_record(header: list[object], values: list[object]) -> dict[str, object]:
    table = read_table([(1, header), (2, values)], "registrations")
    (record,) = table.records
    return record


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (True, True),
        (False, False),
        ("ja", True),
        ("Nee", False),
        (" TRUE ", True),
        ("false", False),
        ("WAAR", True),
        ("onwaar", False),
        (1, True),
        (0.0, False),
        ("misschien", Unreadable("misschien")),
        (2, Unreadable("2")),
    ],
)
def test_boolean_cells_and_texts(cell: object, expected: object) -> None:
    assert one_record(["core_task"], [cell]) == {"core_task": expected}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (dt.date(2026, 7, 3), dt.date(2026, 7, 3)),
        (dt.datetime(2026, 7, 3, 0, 0), dt.date(2026, 7, 3)),
        (" 2026-07-03 ", dt.date(2026, 7, 3)),
        ("3-7-2026", Unreadable("3-7-2026")),
        ("2026-02-30", Unreadable("2026-02-30")),
        (46206, Unreadable("46206")),
    ],
)
def test_date_cells_and_iso_text(cell: object, expected: object) -> None:
    assert one_record(["in_use_since"], [cell]) == {"in_use_since": expected}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (90, 90),
        (90.0, 90),
        ("90", 90),
        (" -5 ", -5),
        (2.5, Unreadable("2.5")),
        ("negentig", Unreadable("negentig")),
        (True, Unreadable("TRUE")),
    ],
)
def test_whole_number_cells(cell: object, expected: object) -> None:
    record = one_record(["exit_plan.emergency.lead_time_days"], [cell])
    assert record == {"exit_plan": {"emergency": {"lead_time_days": expected}}}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (123, "123"),
        (123.0, "123"),
        (1.5, "1.5"),
        ("  naam  ", "naam"),
        (dt.datetime(2026, 1, 2), "2026-01-02"),
        (True, Unreadable("TRUE")),
    ],
)
def test_text_columns_turn_numbers_into_text(cell: object, expected: object) -> None:
    assert one_record(["id"], [cell]) == {"id": expected}


def test_lists_are_split_on_commas_and_vocabularies_match_any_case() -> None:
    record = one_record(
        ["functions", "pets", "storage_countries", "exit_plan.planned.preconditions", "deployment"],
        ["Email, ,hosting,", "pseudonymisation", "nl, DE", "escrow", "PUBLIC"],
    )
    assert record == {
        "functions": ["email", "hosting"],
        "pets": ["pseudonymisation"],
        "storage_countries": ["nl", "DE"],
        "exit_plan": {"planned": {"preconditions": ["escrow"]}},
        "deployment": "public",
    }


def test_empty_cells_are_absent_and_an_empty_nested_object_stays_absent() -> None:
    header = ["id", "name", "risk_assessment.date", "exit_plan.planned.lead_time_days"]
    assert one_record(header, ["r1", "  ", None, ""]) == {"id": "r1"}


def test_dotted_headers_nest_two_levels_deep() -> None:
    record = one_record(
        [
            "risk_assessment.covers_lock_in",
            "exit_plan.planned.lead_time_days",
            "exit_plan.data_return",
        ],
        ["nee", 30, "ja"],
    )
    assert record == {
        "risk_assessment": {"covers_lock_in": False},
        "exit_plan": {"planned": {"lead_time_days": 30}, "data_return": True},
    }


def test_headers_match_keys_and_dutch_labels_in_any_case() -> None:
    record = one_record(
        ["KENMERK", "inzetmodel", "Datum Risicoafweging"], ["r1", "public", "2026-01-01"]
    )
    assert record == {
        "id": "r1",
        "deployment": "public",
        "risk_assessment": {"date": dt.date(2026, 1, 1)},
    }


def test_export_columns_are_ignored_and_other_unknown_columns_are_reported() -> None:
    header = ["id", *IGNORED_COLUMNS.values(), *IGNORED_COLUMNS, "opmerking", "Kenmerk", None]
    values = ["r1", *(["x"] * (2 * len(IGNORED_COLUMNS))), "let op", "r2", "los"]
    table = read_table([(1, header), (2, values)], "registrations")
    assert table.records == [{"id": "r1"}]
    unknown = [(c.header, c.duplicate_of) for c in table.unknown_columns]
    assert unknown == [("opmerking", None), ("Kenmerk", "id"), ("", None)]


def test_row_numbers_follow_the_file_and_skip_empty_rows() -> None:
    rows = [(1, ["id"]), (2, [None]), (3, ["r1"]), (5, ["  "]), (6, ["r2"])]
    table = read_table(rows, "registrations")
    assert table.rows == [3, 6]
    assert table.column_display("functions.1") == "Functies (functions)"


def test_every_label_is_unique_within_its_list_and_no_ignored_column_clashes() -> None:
    ignored = {name.casefold() for pair in IGNORED_COLUMNS.items() for name in pair}
    for list_name, labels in LABELS.items():
        aliases = header_aliases(list_name)
        assert len(aliases) == 2 * len(labels) - sum(
            k == lbl.casefold() for k, (lbl, _) in labels.items()
        )
        assert not ignored & set(aliases), list_name
    assert set(KINDS) == set(LABELS["registrations"])


@pytest.mark.parametrize(
    "text", ["=1+1", "+31", "-5", "@a", "\tx", "'t", "''", "'", "gewoon", "'=x"]
)
def test_formula_escape_is_reversible(text: str) -> None:
    escaped = escape_formula(text)
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unescape_formula(escaped) == text
