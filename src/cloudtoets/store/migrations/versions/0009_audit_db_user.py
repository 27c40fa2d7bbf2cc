"""audit records carry the database user that wrote them

Adds ``db_user`` to ``audit_log``: the database user of the session that wrote the record
(``current_user`` on PostgreSQL, ``"sqlite"`` on SQLite). The hash covers it when it is set
(store/audit.py); the records written before this revision have none and keep their hashes, so
the chain verifies as before. The column is added in place (no table copy), so the append-only
triggers of 0002 stay.

A downgrade removes the column, and with it a part of what the hashes of the records written
since this revision cover: those records then no longer verify.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("db_user", sa.String(length=200), nullable=True))


def downgrade() -> None:
    # SQLite drops a column in place since 3.35; a batch copy would lose the triggers of 0002
    op.execute("ALTER TABLE audit_log DROP COLUMN db_user")
