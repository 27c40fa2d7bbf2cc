"""The register's tables. The only module that knows the schema; Alembic migrations follow it.

Every row that belongs to an organisation carries ``organisation_id``. Registrations keep every
field of interface.md (lists and nested objects as JSON) plus the outcome of their latest
evaluation, so lists can be filtered and sorted by verdict without evaluating anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cloudtoets.store.clock import now_default

# Portable JSON: JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
Json = JSON().with_variant(JSONB(), "postgresql")
# A fact's list: None is SQL NULL (unknown), not the JSON text 'null', so a query can ask for it.
FactJson = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OrganisationRow(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(30))
    # facts: NULL is unknown (unknowns.md; migration 0010)
    critical_entity: Mapped[bool | None] = mapped_column(Boolean)
    essential_entity: Mapped[bool | None] = mapped_column(Boolean)
    vital_provider: Mapped[bool | None] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=now_default, onupdate=now_default
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own convention


class ProviderRow(Base):
    """A provider an organisation defined itself; the built-in catalogue is not stored."""

    __tablename__ = "providers"

    # Providers belong to the organisation that defined them: each organisation evaluates
    # against the catalogue plus its own providers, as an inventory document would.
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))
    parent: Mapped[str | None] = mapped_column(String(100))
    # the country it is run from, when not ``country`` (migration 0007)
    headquarters: Mapped[str | None] = mapped_column(String(2))
    # its own sub-processors' ids (migration 0011); NULL, from before, is none
    subprocessors: Mapped[list[str] | None] = mapped_column(FactJson)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=now_default, onupdate=now_default
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RegistrationRow(Base):
    __tablename__ = "registrations"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    name: Mapped[str | None] = mapped_column(String(300))
    # Facts (domain/knowledge.py): NULL is unknown (unknowns.md; migration 0010). A known
    # "nothing" is [] for a list, 'none' for classification and key register, and 0 for the
    # TBB level (store/mapping.py turns 0 into "none").
    provider: Mapped[str | None] = mapped_column(String(100))
    subprocessors: Mapped[list[str] | None] = mapped_column(FactJson)
    service_model: Mapped[str | None] = mapped_column(String(10))
    deployment: Mapped[str | None] = mapped_column(String(20))
    functions: Mapped[list[str] | None] = mapped_column(FactJson)
    storage_countries: Mapped[list[str] | None] = mapped_column(FactJson)
    processing_countries: Mapped[list[str] | None] = mapped_column(FactJson)
    encrypted_at_rest: Mapped[bool | None] = mapped_column(Boolean)
    encrypted_in_transit: Mapped[bool | None] = mapped_column(Boolean)
    key_custody: Mapped[str | None] = mapped_column(String(20))
    open_data: Mapped[bool | None] = mapped_column(Boolean)
    classification: Mapped[str | None] = mapped_column(String(30))
    tbb_level: Mapped[int | None] = mapped_column(Integer)
    personal_data: Mapped[str | None] = mapped_column(String(10))
    large_scale_personal_data: Mapped[bool | None] = mapped_column(Boolean)
    pets: Mapped[list[str] | None] = mapped_column(FactJson)
    core_task: Mapped[bool | None] = mapped_column(Boolean)
    business_critical: Mapped[bool | None] = mapped_column(Boolean)
    material: Mapped[bool | None] = mapped_column(Boolean)
    key_register: Mapped[str | None] = mapped_column(String(10))
    holds_source_data: Mapped[bool | None] = mapped_column(Boolean)
    abro_declaration: Mapped[bool] = mapped_column(Boolean, default=False)
    in_use_since: Mapped[dt.date | None] = mapped_column(Date)
    contract_start: Mapped[dt.date | None] = mapped_column(Date)
    contract_end: Mapped[dt.date | None] = mapped_column(Date)
    lifecycle_moment: Mapped[dt.date | None] = mapped_column(Date)
    lifecycle_justification: Mapped[str] = mapped_column(Text, default="")
    risk_assessment: Mapped[dict[str, Any] | None] = mapped_column(Json)
    exit_plan: Mapped[dict[str, Any] | None] = mapped_column(Json)
    notification: Mapped[dict[str, Any] | None] = mapped_column(Json)
    justifications: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)

    # outcome of the latest evaluation (see services/evaluation.py): the verdict as shown
    # ('incomplete' when best and worst differ) and its range (migration 0010); the list sorts
    # on the worst verdict (unknowns.md)
    verdict: Mapped[str | None] = mapped_column(String(30))
    verdict_best: Mapped[str | None] = mapped_column(String(30))
    verdict_worst: Mapped[str | None] = mapped_column(String(30))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    is_material: Mapped[bool | None] = mapped_column(Boolean)
    is_public_cloud: Mapped[bool | None] = mapped_column(Boolean)
    jurisdictions: Mapped[list[str]] = mapped_column(Json, default=list)
    findings_count: Mapped[int] = mapped_column(Integer, default=0)
    evaluated_on: Mapped[dt.date | None] = mapped_column(Date)
    policy_revision: Mapped[str | None] = mapped_column(String(64))
    decision_hash: Mapped[str | None] = mapped_column(String(64))  # of the last decision record

    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=now_default, onupdate=now_default
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        # the list page: one organisation, optionally one verdict, in id order
        Index("ix_registrations_org_verdict_id", "organisation_id", "verdict", "id"),
        Index("ix_registrations_verdict_id", "verdict", "id"),
        Index("ix_registrations_verdict_worst_id", "verdict_worst", "id"),
        Index("ix_registrations_org_deadline", "organisation_id", "deadline"),
        Index("ix_registrations_provider", "provider"),
        Index("ix_registrations_deployment", "deployment"),
        Index("ix_registrations_evaluated_on", "evaluated_on"),
    )


class RegistrationJurisdictionRow(Base):
    """One country of a registration's jurisdiction chain, for filtering by jurisdiction."""

    __tablename__ = "registration_jurisdictions"

    registration_id: Mapped[str] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(String(2), primary_key=True)

    __table_args__ = (Index("ix_registration_jurisdictions_country", "country", "registration_id"),)


class DecisionRow(Base):
    """One evaluation outcome, with everything needed to show and reproduce it."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(String(100))
    organisation_id: Mapped[str] = mapped_column(String(100))
    policy_id: Mapped[str] = mapped_column(String(100))
    policy_revision: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[dt.date] = mapped_column(Date)
    evaluated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    verdict: Mapped[str] = mapped_column(String(30))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    input: Mapped[dict[str, Any]] = mapped_column(Json)  # inventory document of one registration
    result: Mapped[dict[str, Any]] = mapped_column(Json)  # the result as in `check --format json`

    __table_args__ = (
        Index("ix_decisions_registration", "registration_id", "id"),
        Index("ix_decisions_organisation", "organisation_id", "id"),
    )


class AuditRow(Base):
    """Who changed what, when: one row per change, written in the change's own transaction.

    The rows form a hash chain (store/audit.py): ``seq`` numbers them 1, 2, 3 … without gaps,
    ``prev_hash`` is the previous row's ``hash`` and ``hash`` covers every other column
    (``db_user`` only when set: rows written before migration 0009 have none).
    Append-only: triggers (migration 0002) refuse UPDATE and DELETE.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    actor: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[str | None] = mapped_column(String(100))
    request_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None] = mapped_column(Json)
    after: Mapped[dict[str, Any] | None] = mapped_column(Json)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # the database user that wrote the record (migration 0009; hashed when set)
    db_user: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_audit_log_object", "object_type", "object_id", "id"),
        Index("ix_audit_log_organisation", "organisation_id", "id"),
        # the auditor's filters by user and by date (migration 0014)
        Index("ix_audit_log_actor", "actor", "seq"),
        Index("ix_audit_log_at", "at"),
    )
