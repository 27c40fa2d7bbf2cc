"""Row-level security on PostgreSQL: the database's own wall between organisations.

Every query already names the organisations its caller may see (repositories take ``visible``).
Row-level security is the second wall: each transaction tells PostgreSQL which organisations it
acts for (the setting ``cloudtoets.organisations``: a comma-separated list, ``*`` for all) and
policies on every organisation-owned table hide and refuse every other row, also for a query
that forgot its filter. Without the setting nothing is visible.

The policies are part of the schema: migrations make them (0006 for the tables of that time), run
once by the owner of the tables with ``cloudtoets db upgrade``. No other command changes them, so
the application can connect as an ordinary role without rights on the schema. A migration that
adds a table with an ``organisation_id`` column makes its policy with ``policy_statements``;
tests/integration/security/test_row_security.py fails for an organisation-owned table without
one. They bind the table owner too (FORCE); only a superuser passes them, so the application
should connect as an ordinary role (docs/security.md). SQLite has no row-level security; there the
first wall is all.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, Table

from cloudtoets.store.tables import Base

SETTING = "cloudtoets.organisations"
ALL_ORGANISATIONS = "*"
POLICY = "cloudtoets_tenant"

# Read before anyone is known (logins, tokens) or shared by all organisations (the one audit
# chain, whose every append reads the previous record): scoped by the services instead.
UNSCOPED_TABLES = frozenset(
    {"users", "sessions", "api_tokens", "login_failures", "audit_log", "alembic_version"}
)


def scope_value(visible: Collection[str] | None) -> str:
    """The setting's value for an actor that sees ``visible`` (None: every organisation)."""
    if visible is None:
        return ALL_ORGANISATIONS
    return ",".join(sorted(visible))


def _visible(column: str) -> str:
    # Each side reads the setting in a scalar subquery: PostgreSQL computes it once per query
    # (an InitPlan) instead of once per row; counting a few thousand rows took half again as long.
    setting = f"current_setting('{SETTING}', true)"
    return (
        f"((SELECT {setting}) = '{ALL_ORGANISATIONS}' "
        f"OR {column} = ANY ((SELECT string_to_array(nullif({setting}, ''), ','))::text[]))"
    )


def _condition(table: Table) -> str | None:
    """The policy's condition for a table, or None when the table is not organisation-owned."""
    if table.name in UNSCOPED_TABLES:
        return None
    if table.name == "organisations":
        return _visible("id")
    if "organisation_id" in table.c:
        return _visible("organisation_id")
    if table.name == "registration_jurisdictions":
        # no organisation column: visible with its registration (itself under a policy)
        return "(registration_id IN (SELECT id FROM registrations))"
    return None


def scoped_tables() -> dict[str, str]:
    """Table name -> policy condition, for every table under row-level security."""
    conditions = {}
    for table in Base.metadata.sorted_tables:
        condition = _condition(table)
        if condition is not None:
            conditions[table.name] = condition
    return conditions


def policy_statements(table: str, condition: str) -> list[str]:
    """The DDL that puts ``table`` under the policy with ``condition``, for a migration to run
    (``op.execute``) as the owner; the same result whether or not the table had a policy."""
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'CREATE POLICY {POLICY} ON "{table}" USING {condition} WITH CHECK {condition}',
    ]


def set_scope(connection: Connection, value: str, *, transaction_only: bool) -> None:
    """Tell PostgreSQL which organisations this connection acts for."""
    connection.exec_driver_sql(
        "SELECT set_config(%(name)s, %(value)s, %(local)s)",
        {"name": SETTING, "value": value, "local": transaction_only},
    )
