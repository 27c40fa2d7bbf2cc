"""facts may be unknown: nullable fact columns, and the verdict's range

unknowns.md: a fact that is not known is NULL, no longer a default. The fact columns of
``registrations`` and the three flags of ``organisations`` become nullable; none of them has a
server default (the models' Python defaults are gone too). The rows stored before this revision
were entered when every fact had a value, so they keep their values as known facts:

- ``classification`` and ``key_register`` NULL meant "none" (ongerubriceerd, geen
  basisregistratie): they become the known code 'none';
- ``tbb_level`` NULL meant no TBB level: it becomes 0, the known "none" (store/mapping.py);
- ``in_use_since`` NULL stays NULL, and now means unknown (docs/decisions.md).

A registration also keeps the range of its latest verdict, ``verdict_best`` and
``verdict_worst`` (``verdict`` is 'incomplete' when they differ); the list filters and sorts on
them. The stored rows were evaluated with every fact known, so their range is their verdict; they
are marked for evaluation again (``policy_revision`` NULL), which the next refresh does.

On SQLite the columns change by copying the tables (batch mode); store/migrate.py runs SQLite
upgrades with foreign keys off, so dropping the old ``registrations`` and ``organisations``
cascades to nothing, and checks the foreign keys before it commits.

A downgrade gives every unknown fact the default it had before (interface.md before
unknowns.md), which turns unknowns into answers: it is for going back on a register that has
none.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 05:00:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# fact column -> (type, the value an unknown fact gets on a downgrade)
REGISTRATION_FACTS: dict[str, tuple[sa.types.TypeEngine[Any], str]] = {
    "subprocessors": (_JSON, "'[]'"),
    "deployment": (sa.String(length=20), "'public'"),
    "functions": (_JSON, "'[]'"),
    "storage_countries": (_JSON, "'[]'"),
    "processing_countries": (_JSON, "'[]'"),
    "encrypted_at_rest": (sa.Boolean(), "false"),
    "encrypted_in_transit": (sa.Boolean(), "false"),
    "key_custody": (sa.String(length=20), "'provider'"),
    "open_data": (sa.Boolean(), "false"),
    "personal_data": (sa.String(length=10), "'none'"),
    "large_scale_personal_data": (sa.Boolean(), "false"),
    "pets": (_JSON, "'[]'"),
    "core_task": (sa.Boolean(), "false"),
    "business_critical": (sa.Boolean(), "false"),
    "holds_source_data": (sa.Boolean(), "false"),
}
ORGANISATION_FACTS = ("critical_entity", "essential_entity", "vital_provider")


def upgrade() -> None:
    op.execute("UPDATE registrations SET classification = 'none' WHERE classification IS NULL")
    op.execute("UPDATE registrations SET key_register = 'none' WHERE key_register IS NULL")
    op.execute("UPDATE registrations SET tbb_level = 0 WHERE tbb_level IS NULL")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        for name, (type_, _) in REGISTRATION_FACTS.items():
            batch_op.alter_column(name, existing_type=type_, nullable=True)
        batch_op.add_column(sa.Column("verdict_best", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("verdict_worst", sa.String(length=30), nullable=True))
        batch_op.create_index(
            "ix_registrations_verdict_worst_id", ["verdict_worst", "id"], unique=False
        )
    op.execute(
        "UPDATE registrations SET verdict_best = verdict, verdict_worst = verdict, "
        "policy_revision = NULL"
    )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        for name in ORGANISATION_FACTS:
            batch_op.alter_column(name, existing_type=sa.Boolean(), nullable=True)


def downgrade() -> None:
    for name, (_, default) in REGISTRATION_FACTS.items():
        op.execute(f"UPDATE registrations SET {name} = {default} WHERE {name} IS NULL")
    op.execute("UPDATE registrations SET classification = NULL WHERE classification = 'none'")
    op.execute("UPDATE registrations SET key_register = NULL WHERE key_register = 'none'")
    op.execute("UPDATE registrations SET tbb_level = NULL WHERE tbb_level = 0")
    for name in ORGANISATION_FACTS:
        op.execute(f"UPDATE organisations SET {name} = false WHERE {name} IS NULL")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        for name in ORGANISATION_FACTS:
            batch_op.alter_column(name, existing_type=sa.Boolean(), nullable=False)
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_registrations_verdict_worst_id")
        batch_op.drop_column("verdict_worst")
        batch_op.drop_column("verdict_best")
        for name, (type_, _) in REGISTRATION_FACTS.items():
            batch_op.alter_column(name, existing_type=type_, nullable=False)
