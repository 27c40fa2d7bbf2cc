"""four eyes on every writer of a draft, and drafts sent back with a reason

docs/workflows.md, "Vier ogen": a risk assessment draft remembers everyone who wrote it
(``drafted_by``, a list of user names), so none of them can accept it. An approver can send a
draft risk assessment or a proposed justification back with a reason (``returned_reason``,
``returned_by``, ``returned_on``); the editor sees it on the overview. ``drafted_by`` is NULL for
the versions made before this revision: they count ``created_by`` as their only writer.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_JSON = sa.JSON(none_as_null=True).with_variant(
    postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
)
TABLES = ("risk_assessments", "justifications")


def upgrade() -> None:
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drafted_by", _JSON, nullable=True))
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("returned_reason", sa.Text(), nullable=True))
            batch_op.add_column(sa.Column("returned_by", sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column("returned_on", sa.Date(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("returned_on")
            batch_op.drop_column("returned_by")
            batch_op.drop_column("returned_reason")
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.drop_column("drafted_by")
