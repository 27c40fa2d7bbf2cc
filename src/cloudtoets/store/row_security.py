"""Row-level security on PostgreSQL: the database's own wall between organisations.

Every query already names the organisations its caller may see (repositories take ``visible``).
Row-level security is the second wall: each transaction tells PostgreSQL which organisations it
acts for (the setting ``cloudtoets.organisations``: a comma-separated list, ``*`` for all) and
policies on every organisation-owned table hide and refuse every other row, also for a query
that forgot its filter. Without the setting nothing is visible.

The policies are (re)made after every migration for each table that has an ``organisation_id``
column, so a new organisation-owned table is covered without anyone remembering to. They bind the
table owner too (FORCE); only a superuser passes them, so the application should connect as an
ordinary role (docs/security.md). SQLite has no row-level security; there the first wall is all.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, Table, text

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


def _made(connection: Connection) -> dict[str, str]:
    """Table -> the condition its policy was made with (kept as the policy's comment)."""
    rows = connection.execute(
        text(
            "SELECT c.relname, obj_description(p.oid, 'pg_policy') FROM pg_policy p "
            "JOIN pg_class c ON c.oid = p.polrelid WHERE p.polname = :name"
        ),
        {"name": POLICY},
    )
    return {str(table): str(comment) for table, comment in rows}


def enable(connection: Connection) -> None:
    """Make the policies that are missing or out of date (ALTER and CREATE POLICY lock the
    table, so an up-to-date database is left alone); a no-op on databases without row-level
    security."""
    if connection.dialect.name != "postgresql":
        return
    made = _made(connection)
    for name, condition in scoped_tables().items():
        if made.get(name) == condition:
            continue
        connection.execute(text(f'ALTER TABLE "{name}" ENABLE ROW LEVEL SECURITY'))
        connection.execute(text(f'ALTER TABLE "{name}" FORCE ROW LEVEL SECURITY'))
        connection.execute(text(f'DROP POLICY IF EXISTS {POLICY} ON "{name}"'))
        connection.execute(
            text(f'CREATE POLICY {POLICY} ON "{name}" USING {condition} WITH CHECK {condition}')
        )


def set_scope(connection: Connection, value: str, *, transaction_only: bool) -> None:
    """Tell PostgreSQL which organisations this connection acts for."""
    connection.exec_driver_sql(
        "SELECT set_config(%(name)s, %(value)s, %(local)s)",
        {"name": SETTING, "value": value, "local": transaction_only},
    )
