"""declared evidence: workflow objects taken over from an imported file, to be confirmed

docs/workflows.md, "Bewijs van voor het register": an import turns a registration's risk
assessment, exit plan and notification into workflow objects that say where they came from
(``provenance``) and wait for an approver (``declaration`` "to_confirm", then "confirmed").
Both columns are NULL for the objects made in cloudtoets, so those keep their meaning.

On SQLite the columns go with batch mode, as in 0010 and 0011, so a downgrade can drop them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 05:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("risk_assessments", "exit_plans", "justifications", "notifications")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("provenance", sa.Text(), nullable=True))
            batch_op.add_column(sa.Column("declaration", sa.String(length=20), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("declaration")
            batch_op.drop_column("provenance")
