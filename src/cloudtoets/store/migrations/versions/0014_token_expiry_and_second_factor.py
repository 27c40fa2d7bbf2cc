"""personal API tokens end, and a second factor (TOTP) for local accounts

docs/security.md: a new token ends after a number of days (``api_tokens.expires_at``; tokens made
before this revision have none and keep working until revoked). A local account may add a
time-based code (RFC 6238): ``users.totp_secret`` is the shared secret (kept readable: the server
needs it to compute the code), ``totp_enabled`` says the user confirmed it with a code, and
``totp_last_step`` is the 30-second step of the last accepted code, so a code works only once. A
login that still waits for that code, or for its first setup, is a session with ``pending`` set
(``code`` or ``setup``): it opens no page until the code is given. Two indexes serve the
auditor's filters on the audit log (by user, by date).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("totp_enabled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending", sa.String(length=10), nullable=True))
    # the auditor's filters by user and by date; an index adds nothing to the hashed rows
    op.create_index("ix_audit_log_actor", "audit_log", ["actor", "seq"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("pending")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_enabled")
        batch_op.drop_column("totp_secret")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
