"""Tables of the obligations the policy puts on organisations (sections 3.1-3.3 and 4.5).

Risk assessments, exit plans, justifications and notifications to CIO Rijk are objects of their
own with a state and a history; the registration's ``risk_assessment``, ``exit_plan``,
``notification`` and ``justifications`` fields are derived from them
(services/workflow_projection.py), so completing the workflow resolves the engine's findings.
Every row carries its organisation id, like every other organisation-owned row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from cloudtoets.store.clock import now_default
from cloudtoets.store.tables import Base, Json


class RiskAssessmentRow(Base):
    """One version of a registration's integral risk assessment (S3.1).

    ``number`` counts the versions of one registration. Changing an accepted assessment makes a
    new draft version; the accepted one stays valid (and readable) until the new one is accepted,
    and is then marked ``superseded``.
    """

    __tablename__ = "risk_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    number: Mapped[int] = mapped_column(Integer)
    # draft|declared|accepted|superseded (declared: from an import, to be confirmed)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    # list of {theme, description, likelihood, impact, measures, residual_risk}
    risks: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    # the laws that can reach the data through the provider's chain, as derived when saved
    foreign_laws: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    dpia_reference: Mapped[str] = mapped_column(String(300), default="")
    dtia_reference: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    # acceptance on behalf of the responsible official (S3.3)
    accepted_by_name: Mapped[str | None] = mapped_column(String(200))
    accepted_by_role: Mapped[str | None] = mapped_column(String(200))
    accepted_on: Mapped[dt.date | None] = mapped_column(Date)
    accepted_by_user: Mapped[str | None] = mapped_column(String(200))
    review_due: Mapped[dt.date | None] = mapped_column(Date)
    # evidence from before the register, declared at an import: where it came from, and
    # "to_confirm" until an approver confirms it ("confirmed"); NULL when made in cloudtoets
    provenance: Mapped[str | None] = mapped_column(Text)
    declaration: Mapped[str | None] = mapped_column(String(20))
    # everyone who wrote this draft (four eyes: none of them accepts it); NULL before 0013
    drafted_by: Mapped[list[str] | None] = mapped_column(Json)
    # an approver sent the draft back: why, who, when (cleared when the draft changes)
    returned_reason: Mapped[str | None] = mapped_column(Text)
    returned_by: Mapped[str | None] = mapped_column(String(200))
    returned_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=now_default, onupdate=now_default
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        UniqueConstraint("registration_id", "number"),
        Index("ix_risk_assessments_organisation", "organisation_id", "state"),
    )


class ExitPlanRow(Base):
    """A registration's exit plan (S3.2): planned and emergency scenario, data return, test.

    One per registration; its history is the audit trail of its changes.
    """

    __tablename__ = "exit_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    # each {trigger, steps, lead_time_days, preconditions, alternatives, responsible_role}
    planned: Mapped[dict[str, Any] | None] = mapped_column(Json)
    emergency: Mapped[dict[str, Any] | None] = mapped_column(Json)
    data_return_format: Mapped[str] = mapped_column(String(300), default="")
    data_volume_gb: Mapped[float | None] = mapped_column(Float)
    bandwidth_mbps: Mapped[float | None] = mapped_column(Float)
    integrations: Mapped[int | None] = mapped_column(Integer)
    data_destruction_method: Mapped[str] = mapped_column(Text, default="")
    data_destruction_evidence: Mapped[str] = mapped_column(Text, default="")
    last_tested: Mapped[dt.date | None] = mapped_column(Date)
    test_result: Mapped[str | None] = mapped_column(String(20))  # passed|partial|failed
    test_notes: Mapped[str] = mapped_column(Text, default="")
    last_reviewed: Mapped[dt.date | None] = mapped_column(Date)
    # evidence from before the register, declared at an import: where it came from, and
    # "to_confirm" until an approver confirms it ("confirmed"); NULL when made in cloudtoets
    provenance: Mapped[str | None] = mapped_column(Text)
    declaration: Mapped[str | None] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=now_default, onupdate=now_default
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (Index("ix_exit_plans_organisation", "organisation_id"),)


class JustificationRow(Base):
    """A comply-or-explain justification for one advised-against rule (S4.5, S3.3).

    Proposed by an editor, accepted by an approver on behalf of the responsible official; on
    acceptance it is reported to CIO Rijk as a deviation (``reported_on``).
    """

    __tablename__ = "justifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    rule: Mapped[str] = mapped_column(String(100))
    # proposed|accepted|withdrawn|returned (|declared: from an import)
    state: Mapped[str] = mapped_column(String(20), default="proposed")
    reason: Mapped[str] = mapped_column(Text, default="")
    continuity_risk_established: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_and_exit_tested: Mapped[bool] = mapped_column(Boolean, default=False)
    minister_consent_on: Mapped[dt.date | None] = mapped_column(Date)
    accepted_by_name: Mapped[str | None] = mapped_column(String(200))
    accepted_by_role: Mapped[str | None] = mapped_column(String(200))
    accepted_on: Mapped[dt.date | None] = mapped_column(Date)
    accepted_by_user: Mapped[str | None] = mapped_column(String(200))
    reported_on: Mapped[dt.date | None] = mapped_column(Date)
    # evidence from before the register, declared at an import: where it came from, and
    # "to_confirm" until an approver confirms it ("confirmed"); NULL when made in cloudtoets
    provenance: Mapped[str | None] = mapped_column(Text)
    declaration: Mapped[str | None] = mapped_column(String(20))
    # an approver sent the proposal back (state "returned"): why, who, when
    returned_reason: Mapped[str | None] = mapped_column(Text)
    returned_by: Mapped[str | None] = mapped_column(String(200))
    returned_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=now_default, onupdate=now_default
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_justifications_registration", "registration_id", "rule"),
        Index("ix_justifications_organisation", "organisation_id", "state"),
    )


class NotificationRow(Base):
    """A notification of material use to CIO Rijk (S3.3), with the snapshot it was sent with.

    States: draft -> submitted -> received -> (questions <-> answered) -> closed. The registration
    id is kept without a foreign key: what CIO Rijk received stays on record after the
    organisation deletes the registration.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(String(100))
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    state: Mapped[str] = mapped_column(String(20), default="draft")
    # registration, decision, accepted risk assessment and exit plan as submitted
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(Json)
    snapshot_hash: Mapped[str | None] = mapped_column(String(64))
    renotification_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    renotification_reason: Mapped[str] = mapped_column(Text, default="")
    # "local", or the instance a signed package was imported from
    source: Mapped[str] = mapped_column(String(200), default="local")
    created_by: Mapped[str] = mapped_column(String(200))
    submitted_by: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # evidence from before the register, declared at an import: where it came from, and
    # "to_confirm" until an approver confirms it ("confirmed"); NULL when made in cloudtoets
    provenance: Mapped[str | None] = mapped_column(Text)
    declaration: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=now_default, onupdate=now_default
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        Index("ix_notifications_registration", "registration_id", "id"),
        Index("ix_notifications_organisation", "organisation_id", "state"),
        Index("ix_notifications_state", "state", "submitted_at"),
    )


class NotificationMessageRow(Base):
    """A comment, question or answer on a notification, by CIO Rijk or the organisation."""

    __tablename__ = "notification_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
    author: Mapped[str] = mapped_column(String(200))
    side: Mapped[str] = mapped_column(String(20))  # cio-rijk|organisation
    kind: Mapped[str] = mapped_column(String(20))  # comment|question|answer
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_notification_messages_notification", "notification_id", "id"),)


class ReminderDeliveryRow(Base):
    """A reminder e-mail that was sent, so the same reminder is not sent twice."""

    __tablename__ = "reminder_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str | None] = mapped_column(String(100))
    reminder_key: Mapped[str] = mapped_column(String(300))
    recipient: Mapped[str] = mapped_column(String(300))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)

    __table_args__ = (UniqueConstraint("reminder_key", "recipient"),)
