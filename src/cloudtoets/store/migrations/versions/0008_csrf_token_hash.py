"""sessions keep only the hash of their CSRF token

The CSRF token of a session is now derived from the session token (services/accounts.py
``csrf_token_of``) and only its SHA-256 is stored, like the session token itself. The sessions
stored before this revision hold a plain CSRF token that no cookie derives: they are ended, and
their users log in again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 03:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM sessions")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.alter_column("csrf_token", new_column_name="csrf_token_hash")


def downgrade() -> None:
    op.execute("DELETE FROM sessions")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.alter_column("csrf_token_hash", new_column_name="csrf_token")
