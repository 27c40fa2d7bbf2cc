"""a provider's own sub-processors (the providers it uses itself, its hosting say)

unknowns.md, "Providers: where control sits": a provider may list sub-processors of its own;
they are part of the jurisdiction chain of every registration that uses it. The column holds
their ids as a JSON list; it is NULL for the providers stored before this revision, which read
as no sub-processors of their own (store/mapping.py), so those keep their meaning.

On SQLite the column goes with batch mode, as in 0010, so a downgrade can drop it again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 05:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_JSON = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
)


def upgrade() -> None:
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subprocessors", _JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_column("subprocessors")
