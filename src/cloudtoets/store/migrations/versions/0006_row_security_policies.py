"""row-level security policies on PostgreSQL, made by the migration instead of by every command

Until this revision every command re-made the policies after migrating (``ALTER TABLE … FORCE
ROW LEVEL SECURITY``, ``DROP``/``CREATE POLICY`` on every organisation table), which needs the
table owner and an exclusive lock on each table. Now they are part of the schema: this migration
makes them once, run by the owner (``cloudtoets db upgrade``). A database that already has them
(made by an earlier cloudtoets) gets them made again with the same condition: ``ENABLE`` and
``FORCE`` are no-ops when set, and the policy is dropped if it exists and created anew, so the
result is the same whichever state the database was in.

The tables and the condition are fixed here as they were at this revision; a later migration
that adds an organisation-owned table makes its policy with ``row_security.policy_statements``
(tests/integration/security/test_row_security.py fails for a table without one). SQLite has no
row-level security: nothing to do there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

from alembic import op

from cloudtoets.store.row_security import POLICY, policy_statements

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SETTING = "current_setting('cloudtoets.organisations', true)"


def _visible(column: str) -> str:
    return (
        f"((SELECT {_SETTING}) = '*' "
        f"OR {column} = ANY ((SELECT string_to_array(nullif({_SETTING}, ''), ','))::text[]))"
    )


CONDITIONS = {
    "organisations": _visible("id"),
    **{
        table: _visible("organisation_id")
        for table in (
            "decisions",
            "reminder_deliveries",
            "notifications",
            "providers",
            "registrations",
            "exit_plans",
            "justifications",
            "notification_messages",
            "risk_assessments",
        )
    },
    "registration_jurisdictions": "(registration_id IN (SELECT id FROM registrations))",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, condition in CONDITIONS.items():
        for statement in policy_statements(table, condition):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in CONDITIONS:
        op.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
        op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
        op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
