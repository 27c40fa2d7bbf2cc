"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29 05:21:02.140483
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_log_object", ["object_type", "object_id", "id"], unique=False
        )
        batch_op.create_index("ix_audit_log_organisation", ["organisation_id", "id"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("policy_id", sa.String(length=100), nullable=False),
        sa.Column("policy_revision", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verdict", sa.String(length=30), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column(
            "input",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index("ix_decisions_organisation", ["organisation_id", "id"], unique=False)
        batch_op.create_index("ix_decisions_registration", ["registration_id", "id"], unique=False)

    op.create_table(
        "organisations",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("critical_entity", sa.Boolean(), nullable=False),
        sa.Column("essential_entity", sa.Boolean(), nullable=False),
        sa.Column("vital_provider", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    op.create_table(
        "providers",
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("parent", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_providers_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", "id", name=op.f("pk_providers")),
    )
    op.create_table(
        "registrations",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("provider", sa.String(length=100), nullable=True),
        sa.Column(
            "subprocessors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("service_model", sa.String(length=10), nullable=True),
        sa.Column("deployment", sa.String(length=20), nullable=False),
        sa.Column(
            "functions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "storage_countries",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "processing_countries",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("encrypted_at_rest", sa.Boolean(), nullable=False),
        sa.Column("encrypted_in_transit", sa.Boolean(), nullable=False),
        sa.Column("key_custody", sa.String(length=20), nullable=False),
        sa.Column("open_data", sa.Boolean(), nullable=False),
        sa.Column("classification", sa.String(length=30), nullable=True),
        sa.Column("tbb_level", sa.Integer(), nullable=True),
        sa.Column("personal_data", sa.String(length=10), nullable=False),
        sa.Column("large_scale_personal_data", sa.Boolean(), nullable=False),
        sa.Column(
            "pets",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("core_task", sa.Boolean(), nullable=False),
        sa.Column("business_critical", sa.Boolean(), nullable=False),
        sa.Column("material", sa.Boolean(), nullable=True),
        sa.Column("key_register", sa.String(length=10), nullable=True),
        sa.Column("holds_source_data", sa.Boolean(), nullable=False),
        sa.Column("abro_declaration", sa.Boolean(), nullable=False),
        sa.Column("in_use_since", sa.Date(), nullable=True),
        sa.Column("contract_start", sa.Date(), nullable=True),
        sa.Column("contract_end", sa.Date(), nullable=True),
        sa.Column("lifecycle_moment", sa.Date(), nullable=True),
        sa.Column("lifecycle_justification", sa.Text(), nullable=False),
        sa.Column(
            "risk_assessment",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "exit_plan",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "notification",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "justifications",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("verdict", sa.String(length=30), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("is_material", sa.Boolean(), nullable=True),
        sa.Column("is_public_cloud", sa.Boolean(), nullable=True),
        sa.Column(
            "jurisdictions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("findings_count", sa.Integer(), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=True),
        sa.Column("policy_revision", sa.String(length=64), nullable=True),
        sa.Column("decision_hash", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_registrations_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registrations")),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index("ix_registrations_deployment", ["deployment"], unique=False)
        batch_op.create_index("ix_registrations_evaluated_on", ["evaluated_on"], unique=False)
        batch_op.create_index(
            "ix_registrations_org_deadline", ["organisation_id", "deadline"], unique=False
        )
        batch_op.create_index(
            "ix_registrations_org_verdict_id", ["organisation_id", "verdict", "id"], unique=False
        )
        batch_op.create_index("ix_registrations_provider", ["provider"], unique=False)
        batch_op.create_index("ix_registrations_verdict_id", ["verdict", "id"], unique=False)

    op.create_table(
        "registration_jurisdictions",
        sa.Column("registration_id", sa.String(length=100), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_registration_jurisdictions_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "registration_id", "country", name=op.f("pk_registration_jurisdictions")
        ),
    )
    with op.batch_alter_table("registration_jurisdictions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registration_jurisdictions_country", ["country", "registration_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("registration_jurisdictions", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_jurisdictions_country")

    op.drop_table("registration_jurisdictions")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_registrations_verdict_id")
        batch_op.drop_index("ix_registrations_provider")
        batch_op.drop_index("ix_registrations_org_verdict_id")
        batch_op.drop_index("ix_registrations_org_deadline")
        batch_op.drop_index("ix_registrations_evaluated_on")
        batch_op.drop_index("ix_registrations_deployment")

    op.drop_table("registrations")
    op.drop_table("providers")
    op.drop_table("organisations")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_decisions_registration")
        batch_op.drop_index("ix_decisions_organisation")

    op.drop_table("decisions")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_organisation")
        batch_op.drop_index("ix_audit_log_object")

    op.drop_table("audit_log")
