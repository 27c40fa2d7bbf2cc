"""the country a provider is run from (headquarters), beside its registered office

A provider registered in one country and run from another (a holding registered in the Cayman
Islands and run from China) is under the law of both; the jurisdiction chain holds both codes.
The column is empty when the provider is run from the country of its registered office, so the
providers stored before this revision keep their meaning.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("providers", sa.Column("headquarters", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_column("headquarters")
