"""risk assessments, exit plans, justifications, notifications to CIO Rijk, reminder deliveries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "reminder_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=True),
        sa.Column("reminder_key", sa.String(length=300), nullable=False),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_deliveries")),
        sa.UniqueConstraint(
            "reminder_key", "recipient", name=op.f("uq_reminder_deliveries_reminder_key_recipient")
        ),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("snapshot", JSON, nullable=True),
        sa.Column("snapshot_hash", sa.String(length=64), nullable=True),
        sa.Column("renotification_needed", sa.Boolean(), nullable=False),
        sa.Column("renotification_reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_notifications_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "ix_notifications_organisation", "notifications", ["organisation_id", "state"], unique=False
    )
    op.create_index(
        "ix_notifications_registration", "notifications", ["registration_id", "id"], unique=False
    )
    op.create_index(
        "ix_notifications_state", "notifications", ["state", "submitted_at"], unique=False
    )
    op.create_table(
        "exit_plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("planned", JSON, nullable=True),
        sa.Column("emergency", JSON, nullable=True),
        sa.Column("data_return_format", sa.String(length=300), nullable=False),
        sa.Column("data_volume_gb", sa.Float(), nullable=True),
        sa.Column("bandwidth_mbps", sa.Float(), nullable=True),
        sa.Column("integrations", sa.Integer(), nullable=True),
        sa.Column("data_destruction_method", sa.Text(), nullable=False),
        sa.Column("data_destruction_evidence", sa.Text(), nullable=False),
        sa.Column("last_tested", sa.Date(), nullable=True),
        sa.Column("test_result", sa.String(length=20), nullable=True),
        sa.Column("test_notes", sa.Text(), nullable=False),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_exit_plans_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_exit_plans_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exit_plans")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_exit_plans_registration_id")),
    )
    op.create_index("ix_exit_plans_organisation", "exit_plans", ["organisation_id"], unique=False)
    op.create_table(
        "justifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("continuity_risk_established", sa.Boolean(), nullable=False),
        sa.Column("risk_and_exit_tested", sa.Boolean(), nullable=False),
        sa.Column("minister_consent_on", sa.Date(), nullable=True),
        sa.Column("accepted_by_name", sa.String(length=200), nullable=True),
        sa.Column("accepted_by_role", sa.String(length=200), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("accepted_by_user", sa.String(length=200), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_justifications_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_justifications_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_justifications")),
    )
    op.create_index(
        "ix_justifications_organisation",
        "justifications",
        ["organisation_id", "state"],
        unique=False,
    )
    op.create_index(
        "ix_justifications_registration",
        "justifications",
        ["registration_id", "rule"],
        unique=False,
    )
    op.create_table(
        "notification_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_notification_messages_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_notification_messages_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_messages")),
    )
    op.create_index(
        "ix_notification_messages_notification",
        "notification_messages",
        ["notification_id", "id"],
        unique=False,
    )
    op.create_table(
        "risk_assessments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("risks", JSON, nullable=False),
        sa.Column("foreign_laws", JSON, nullable=False),
        sa.Column("dpia_reference", sa.String(length=300), nullable=False),
        sa.Column("dtia_reference", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("accepted_by_name", sa.String(length=200), nullable=True),
        sa.Column("accepted_by_role", sa.String(length=200), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("accepted_by_user", sa.String(length=200), nullable=True),
        sa.Column("review_due", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_risk_assessments_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_risk_assessments_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
        sa.UniqueConstraint(
            "registration_id", "number", name=op.f("uq_risk_assessments_registration_id_number")
        ),
    )
    op.create_index(
        "ix_risk_assessments_organisation",
        "risk_assessments",
        ["organisation_id", "state"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_risk_assessments_organisation", table_name="risk_assessments")
    op.drop_table("risk_assessments")
    op.drop_index("ix_notification_messages_notification", table_name="notification_messages")
    op.drop_table("notification_messages")
    op.drop_index("ix_justifications_registration", table_name="justifications")
    op.drop_index("ix_justifications_organisation", table_name="justifications")
    op.drop_table("justifications")
    op.drop_index("ix_exit_plans_organisation", table_name="exit_plans")
    op.drop_table("exit_plans")
    op.drop_index("ix_notifications_state", table_name="notifications")
    op.drop_index("ix_notifications_registration", table_name="notifications")
    op.drop_index("ix_notifications_organisation", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("reminder_deliveries")
