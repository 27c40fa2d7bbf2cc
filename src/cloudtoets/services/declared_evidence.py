"""Declared evidence: risk assessments, exit plans and notifications from before the register.

An import does not write a registration's evidence fields (decision 30): it turns them into
workflow objects that say where they came from (``provenance``: who imported them, when, from
which file) and wait for an approver of the organisation (``declaration`` "to_confirm"). Until
then the projection (services/workflow_projection.py) ignores them, so they do not count for
the verdict. Confirmed, one by one or in one go, they count like evidence made in cloudtoets:
a risk assessment becomes accepted with its review due ``risk_review_months`` after its
acceptance, an exit plan counts from its last review, a notification is on record as sent.
The person who imported the file cannot confirm it (four eyes, ``OwnDraft``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cloudtoets.domain.model import (
    ExitPlan,
    ExitScenario,
    Justification,
    Notification,
    Registration,
    RiskAssessment,
)
from cloudtoets.engine.messages import dutch_date
from cloudtoets.engine.transition import add_months
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import InvalidTransition, NotFound, ObjectKind
from cloudtoets.services.permissions import Permission
from cloudtoets.services.uow import UnitOfWork, read_only, unit_of_work
from cloudtoets.services.workflow_projection import (
    DECLARED,
    JURISDICTION_THEME,
    LOCK_IN_THEME,
    sync_registration,
)
from cloudtoets.services.workflow_steps import OwnDraft, require_role
from cloudtoets.store.bulk import add_all
from cloudtoets.store.tables import RegistrationRow
from cloudtoets.store.workflows import (
    ExitPlanRow,
    JustificationRow,
    NotificationRow,
    RiskAssessmentRow,
)

TO_CONFIRM = "to_confirm"
CONFIRMED = "confirmed"

# the state of a declared risk assessment or notification while it waits
DECLARED_STATE = DECLARED

# what a declared statement says where the file gave no detail
FROM_FILE = "volgens het ingevoerde bestand (bewijs van voor het register)"

# kind -> (table, Dutch noun, ObjectKind)
KINDS: dict[str, tuple[Any, str, ObjectKind]] = {
    "risk-assessment": (
        RiskAssessmentRow,
        "de integrale risicoafweging",
        ObjectKind.RISK_ASSESSMENT,
    ),
    "exit-plan": (ExitPlanRow, "het exitplan", ObjectKind.EXIT_PLAN),
    "notification": (NotificationRow, "de melding aan CIO Rijk", ObjectKind.NOTIFICATION),
    "justification": (JustificationRow, "de afwijking", ObjectKind.JUSTIFICATION),
}

DeclaredRow = RiskAssessmentRow | ExitPlanRow | NotificationRow | JustificationRow


def provenance(user: str, day: dt.date, filename: str) -> str:
    return f"ingevoerd bij import door {user} op {dutch_date(day)}, bron: {filename}"


@dataclass(frozen=True, slots=True)
class DeclaredItem:
    """One declared workflow object, for the list, the API and the page."""

    kind: str  # risk-assessment|exit-plan|notification|justification
    id: int
    registration_id: str
    registration_name: str
    organisation: str
    provenance: str
    declared_by: str
    confirmed: bool
    what: str  # Dutch: what the file said

    @property
    def key(self) -> str:
        """How a form or a request names the item: ``<kind>:<id>``."""
        return f"{self.kind}:{self.id}"

    @property
    def label(self) -> str:
        return KINDS[self.kind][1]


def _what(kind: str, row: Any) -> str:
    if kind == "risk-assessment":
        themes = [str(r.get("theme")) for r in row.risks or []]
        covers = " en ".join(
            t
            for t, code in (("lock-in", LOCK_IN_THEME), ("jurisdictie", JURISDICTION_THEME))
            if code in themes
        )
        text = f"analyse van {dutch_date(row.assessed_on)}"
        if covers:
            text += f", behandelt {covers}"
        if row.accepted_on is not None:
            text += f", geaccordeerd op {dutch_date(row.accepted_on)}"
            if row.accepted_by_name:
                text += f" door {row.accepted_by_name}"
        return text
    if kind == "exit-plan":
        parts = []
        if row.planned:
            parts.append("gepland scenario")
        if row.emergency:
            parts.append("noodscenario")
        if row.data_return_format:
            parts.append("teruggave van gegevens")
        if row.data_destruction_method:
            parts.append("vernietiging van gegevens")
        if row.last_tested is not None:
            parts.append(f"getest op {dutch_date(row.last_tested)}")
        if row.last_reviewed is not None:
            parts.append(f"herzien op {dutch_date(row.last_reviewed)}")
        return ", ".join(parts) or "exitplan zonder details"
    if kind == "justification":
        text = f"afwijking van regel {row.rule}"
        if row.accepted_on is not None:
            text += f", geaccepteerd op {dutch_date(row.accepted_on)}"
            if row.accepted_by_name:
                text += f" door {row.accepted_by_name}"
        return text
    if row.submitted_at is not None:
        return f"gemeld op {dutch_date(row.submitted_at.date())}"
    return "melding zonder datum"


def _item(kind: str, row: Any, name: str) -> DeclaredItem:
    return DeclaredItem(
        kind=kind,
        id=row.id,
        registration_id=row.registration_id,
        registration_name=name,
        organisation=row.organisation_id,
        provenance=row.provenance or "",
        declared_by=row.created_by,
        confirmed=row.declaration == CONFIRMED,
        what=_what(kind, row),
    )


# --- declaring, at an import --------------------------------------------------------------------


def _scenario(scenario: ExitScenario | None) -> dict[str, Any] | None:
    if scenario is None:
        return None
    return {
        "trigger": "",
        "steps": FROM_FILE,
        "lead_time_days": scenario.lead_time_days,
        "preconditions": list(scenario.preconditions),
        "alternatives": "",
        "responsible_role": "",
    }


def _noon(day: dt.date) -> dt.datetime:
    """A date as a moment on that day (noon UTC: the same day in Amsterdam)."""
    return dt.datetime.combine(day, dt.time(12), dt.UTC)


def _forget_waiting(session: Session, registrations: Iterable[Registration]) -> None:
    """A new import replaces what an earlier one declared and nobody confirmed yet: per kind of
    evidence a registration of the file brings, the declared objects of that kind that still
    wait are removed."""
    ids: dict[Any, list[str]] = {table: [] for table, _, _ in KINDS.values()}
    for registration in registrations:
        if registration.risk_assessment is not None:
            ids[RiskAssessmentRow].append(registration.id)
        if registration.exit_plan is not None:
            ids[ExitPlanRow].append(registration.id)
        if registration.notification is not None:
            ids[NotificationRow].append(registration.id)
        if registration.justifications:
            ids[JustificationRow].append(registration.id)
    for table, chosen in ids.items():
        for start in range(0, len(chosen), 500):
            session.execute(
                delete(table).where(
                    table.registration_id.in_(chosen[start : start + 500]),
                    table.declaration == TO_CONFIRM,
                )
            )


def declare(
    uow: UnitOfWork, registrations: Collection[Registration], today: dt.date, filename: str
) -> None:
    """Store the file's evidence of these registrations (all in the register already) as
    declared objects, to be confirmed. What an earlier import declared of the same kinds and
    still waits is replaced; an exit plan is not declared next to one made in cloudtoets (a
    registration has one exit plan). A few statements per kind for all of them, so a large
    import holds its write transaction briefly."""
    session = uow.session
    _forget_waiting(session, registrations)
    ids = [r.id for r in registrations]
    numbers: dict[str, int] = {}
    with_plan: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for registration_id, highest in session.execute(
            select(RiskAssessmentRow.registration_id, func.max(RiskAssessmentRow.number))
            .where(RiskAssessmentRow.registration_id.in_(chunk))
            .group_by(RiskAssessmentRow.registration_id)
        ):
            numbers[registration_id] = highest
        with_plan.update(
            session.scalars(
                select(ExitPlanRow.registration_id).where(ExitPlanRow.registration_id.in_(chunk))
            )
        )
    user = uow.actor.user
    origin = provenance(user, today, filename)
    everything = [
        (
            registration,
            _declared_rows(
                user,
                origin,
                registration.id,
                registration.organisation,
                today,
                registration.risk_assessment,
                registration.exit_plan,
                registration.notification,
                list(registration.justifications),
                numbers.get(registration.id, 0),
                registration.id in with_plan,
            ),
        )
        for registration in registrations
    ]
    # the ids, for the audit records
    add_all(session, [row for _, declared in everything for _, row in declared])
    for registration, declared in everything:
        _audit_declared(uow, declared, registration.id, registration.organisation, origin)


def _audit_declared(
    uow: UnitOfWork,
    declared: list[tuple[str, Any]],
    registration_id: str,
    organisation_id: str,
    origin: str,
) -> None:
    for kind, row in declared:
        uow.audit(
            "declare",
            kind.replace("-", "_"),
            str(row.id),
            organisation_id=organisation_id,
            after={
                "registration": registration_id,
                "provenance": origin,
                "declaration": TO_CONFIRM,
                "what": _what(kind, row),
            },
        )


def _declared_rows(
    user: str,
    origin: str,
    registration_id: str,
    organisation_id: str,
    today: dt.date,
    risk_assessment: RiskAssessment | None,
    exit_plan: ExitPlan | None,
    notification: Notification | None,
    justifications: list[Justification] | None,
    highest: int,
    has_plan: bool,
) -> list[tuple[str, Any]]:
    """The declared objects of one registration, not yet added to the session; ``highest``:
    its highest risk-assessment number, ``has_plan``: whether it has an exit plan."""
    common = {
        "registration_id": registration_id,
        "organisation_id": organisation_id,
        "created_by": user,
        "provenance": origin,
        "declaration": TO_CONFIRM,
    }
    declared: list[tuple[str, Any]] = []
    if risk_assessment is not None:
        risks = [
            {
                "theme": theme,
                "description": FROM_FILE,
                "likelihood": None,
                "impact": None,
                "measures": "",
                "residual_risk": None,
            }
            for theme, covered in (
                (LOCK_IN_THEME, risk_assessment.covers_lock_in),
                (JURISDICTION_THEME, risk_assessment.covers_jurisdiction),
            )
            if covered
        ]
        declared.append(
            (
                "risk-assessment",
                RiskAssessmentRow(
                    **common,
                    number=highest + 1,
                    state=DECLARED_STATE,
                    assessed_on=risk_assessment.date or risk_assessment.accepted_on or today,
                    risks=risks,
                    foreign_laws=[],
                    summary=FROM_FILE,
                    accepted_by_name=risk_assessment.accepted_by,
                    accepted_on=risk_assessment.accepted_on,
                ),
            )
        )
    if exit_plan is not None and not has_plan:
        declared.append(
            (
                "exit-plan",
                ExitPlanRow(
                    **common,
                    planned=_scenario(exit_plan.planned),
                    emergency=_scenario(exit_plan.emergency),
                    data_return_format=FROM_FILE if exit_plan.data_return else "",
                    data_destruction_method=FROM_FILE if exit_plan.data_destruction else "",
                    data_destruction_evidence=FROM_FILE if exit_plan.data_destruction else "",
                    last_tested=exit_plan.last_tested,
                    test_result="passed" if exit_plan.last_tested is not None else None,
                    last_reviewed=exit_plan.last_reviewed,
                ),
            )
        )
    if notification is not None:
        submitted = notification.submitted_on
        declared.append(
            (
                "notification",
                NotificationRow(
                    **common,
                    state=DECLARED_STATE,
                    source="local",
                    submitted_by=user if submitted is not None else None,
                    submitted_at=_noon(submitted) if submitted is not None else None,
                ),
            )
        )
    if justifications:
        for justification in justifications:
            declared.append(
                (
                    "justification",
                    JustificationRow(
                        **common,
                        rule=justification.rule,
                        state=DECLARED_STATE,
                        reason=justification.reason,
                        continuity_risk_established=justification.continuity_risk_established,
                        risk_and_exit_tested=justification.risk_and_exit_tested,
                        minister_consent_on=justification.minister_consent_on,
                        accepted_by_name=justification.accepted_by,
                        accepted_on=justification.accepted_on,
                        reported_on=justification.reported_on,
                    ),
                )
            )
    return declared


# --- reading ------------------------------------------------------------------------------------


def _rows(
    session: Session, organisations: Collection[str] | None, registration_id: str | None = None
) -> Iterable[tuple[str, Any, str]]:
    for kind, (table, _, _) in KINDS.items():
        statement = (
            select(table, RegistrationRow.name)
            .join(RegistrationRow, RegistrationRow.id == table.registration_id)
            .where(table.declaration.is_not(None))
            .order_by(table.registration_id, table.id)
        )
        if organisations is not None:
            statement = statement.where(table.organisation_id.in_(list(organisations)))
        if registration_id is not None:
            statement = statement.where(table.registration_id == registration_id)
        for row, name in session.execute(statement):
            yield kind, row, name


def waiting(
    register: Register, actor: Actor, organisation: str | None = None
) -> list[DeclaredItem]:
    """The declared evidence that waits for confirmation, of the organisations the actor sees
    (or of one of them)."""
    visible = actor.visible
    organisations: Collection[str] | None = visible
    if organisation is not None:
        if visible is not None and organisation not in visible:
            raise NotFound(ObjectKind.ORGANISATION, organisation)
        organisations = [organisation]
    with read_only(register.sessions, actor) as session:
        items = [
            _item(kind, row, name)
            for kind, row, name in _rows(session, organisations)
            if row.declaration == TO_CONFIRM
        ]
    return sorted(items, key=lambda i: (i.organisation, i.registration_id, i.kind, i.id))


def declared_for_registration(
    register: Register, actor: Actor, registration_id: str
) -> list[DeclaredItem]:
    """Every declared object of one registration (waiting or confirmed), for its page."""
    with read_only(register.sessions, actor) as session:
        return [
            _item(kind, row, name)
            for kind, row, name in _rows(session, actor.visible, registration_id)
        ]


# --- confirming ---------------------------------------------------------------------------------


def parse_key(key: str) -> tuple[str, int]:
    """``<kind>:<id>`` -> (kind, id); NotFound for anything else."""
    kind, _, number = key.partition(":")
    if kind not in KINDS or not number.isdigit():
        raise NotFound(ObjectKind.REGISTRATION, key)
    return kind, int(number)


def _confirm(uow: UnitOfWork, register: Register, kind: str, item_id: int) -> DeclaredItem:
    session = uow.session
    actor = uow.actor
    table, noun, object_kind = KINDS[kind]
    row = session.get(table, item_id)
    if row is None or row.declaration is None or not actor.may_see(row.organisation_id):
        raise NotFound(object_kind, str(item_id))
    registration = session.get(RegistrationRow, row.registration_id)
    name = str(registration.name if registration is not None else row.registration_id)
    require_role(
        actor,
        Permission.APPROVE,
        f"Alleen een accordeerder van de organisatie kan {noun} van {name} bevestigen.",
    )
    if actor.user == row.created_by:
        raise OwnDraft(
            Permission.APPROVE,
            f"U heeft {noun} van {name} zelf ingevoerd. Een andere accordeerder van uw "
            "organisatie moet het bevestigen: vier ogen.",
        )
    if row.declaration == CONFIRMED:
        raise InvalidTransition(object_kind, str(item_id), f"{noun} van {name} is al bevestigd.")
    today = register.today()
    before = {"declaration": TO_CONFIRM, "state": getattr(row, "state", None)}
    if isinstance(row, RiskAssessmentRow):
        for previous in session.scalars(
            select(RiskAssessmentRow).where(
                RiskAssessmentRow.registration_id == row.registration_id,
                RiskAssessmentRow.state == "accepted",
            )
        ):
            previous.state = "superseded"
        row.state = "accepted"
        row.accepted_on = row.accepted_on or today
        row.accepted_by_name = row.accepted_by_name or actor.user
        row.accepted_by_user = actor.user
        row.review_due = add_months(row.accepted_on, register.settings.risk_review_months)
    elif isinstance(row, JustificationRow):
        active = session.scalars(
            select(JustificationRow.id).where(
                JustificationRow.registration_id == row.registration_id,
                JustificationRow.rule == row.rule,
                JustificationRow.state.in_(("proposed", "accepted")),
            )
        ).first()
        if active is not None:
            raise InvalidTransition(
                object_kind,
                str(item_id),
                f"Voor regel {row.rule} van {name} is al een afwijking (nummer {active}). "
                "Trek die eerst in, of laat deze ingevoerde afwijking staan.",
            )
        row.state = "accepted"
        row.accepted_on = row.accepted_on or today
        row.accepted_by_name = row.accepted_by_name or actor.user
        row.accepted_by_user = actor.user
        row.reported_on = row.reported_on or row.accepted_on
    elif isinstance(row, ExitPlanRow):
        row.last_reviewed = row.last_reviewed or today
    else:
        row.state = "closed" if row.submitted_at is not None else "draft"
        row.closed_at = register.now() if row.submitted_at is not None else None
    row.declaration = CONFIRMED
    session.flush()
    item = _item(kind, row, name)
    uow.audit(
        "confirm",
        kind.replace("-", "_"),
        str(row.id),
        organisation_id=row.organisation_id,
        before=before,
        after={
            "declaration": CONFIRMED,
            "state": getattr(row, "state", None),
            "confirmed_by": actor.user,
            "confirmed_on": today.isoformat(),
            "provenance": row.provenance,
        },
    )
    sync_registration(uow, register, row.registration_id)
    return item


def confirm_declared(register: Register, actor: Actor, key: str) -> DeclaredItem:
    """Confirm one declared object (``<kind>:<id>``): from now on it counts."""
    kind, item_id = parse_key(key)
    with unit_of_work(register.sessions, actor) as uow:
        return _confirm(uow, register, kind, item_id)


def confirm_declared_in_bulk(
    register: Register, actor: Actor, keys: Collection[str]
) -> list[DeclaredItem]:
    """Confirm every listed object with one confirmation: all of them, or none."""
    parsed = [parse_key(key) for key in dict.fromkeys(keys)]
    with unit_of_work(register.sessions, actor) as uow:
        return [_confirm(uow, register, kind, item_id) for kind, item_id in parsed]
