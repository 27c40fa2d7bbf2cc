"""Reminders: what an organisation must do soon, for a given as-of date.

Computed, never stored: the rules below read the register as it is on the as-of date, so a
reminder disappears as soon as the work is done. Only the e-mails sent are recorded
(``reminder_deliveries``, see services/reminder_mail.py). The window is
``CLOUDTOETS_REMINDER_DAYS`` (default 90). docs/monitoring.md describes each rule.

- ``transition``: a registration's transition deadline falls within the window.
- ``exit-plan``: material use of an external cloud that existed before the policy was adopted
  has no complete exit plan, and the exit-plan deadline (adopted + the period of the exit-plan
  rules) falls within the window.
- ``risk-review``: an accepted risk assessment's ``review_due`` is within the window or past.
- ``exit-review``: an exit plan was last reviewed (or, never reviewed, made)
  ``exit_review_months`` (a policy parameter) before a day within the window or earlier.
- ``exit-test``: an exit plan's last passed test is ``exit_test_months`` old within the window
  or earlier (a plan never tested: counted from when it was made).
- ``justification``: an accepted justification (deviation) is ``justification_review_months``
  old within the window or earlier: the responsible official confirms it again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, and_, case, cast, exists, not_, or_, select, type_coerce
from sqlalchemy.orm import Session

from cloudtoets.domain.clock import day_of
from cloudtoets.engine.messages import dutch_date
from cloudtoets.engine.transition import add_months, deadline_for_field
from cloudtoets.services import obligations as ob
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.monitoring import check_as_of, scope
from cloudtoets.services.uow import read_only
from cloudtoets.store.tables import RegistrationRow
from cloudtoets.store.workflows import ExitPlanRow, RiskAssessmentRow

R = RegistrationRow

KINDS: dict[str, str] = {
    "transition": "Overgangstermijn",
    "exit-plan": "Exitplan nodig",
    "risk-review": "Risicoafweging herbeoordelen",
    "exit-review": "Exitplan herzien",
    "exit-test": "Exitplan testen",
    "justification": "Afwijking opnieuw bevestigen",
}


@dataclass(frozen=True, slots=True)
class Reminder:
    kind: str
    organisation: str
    registration: str
    registration_name: str
    due: dt.date
    text: str
    detail: str = ""  # what makes it unique beside kind, registration and date (a rule id)

    @property
    def key(self) -> str:
        """The same reminder has the same key on every day, so it is e-mailed only once."""
        parts = [self.kind, self.registration, self.due.isoformat()]
        return ":".join([*parts, self.detail] if self.detail else parts)

    @property
    def title(self) -> str:
        return KINDS[self.kind]

    def overdue(self, as_of: dt.date) -> bool:
        return self.due < as_of


def reminders(
    register: Register,
    actor: Actor,
    as_of: dt.date,
    organisation: str | None = None,
    *,
    days: int | None = None,
) -> list[Reminder]:
    """Every reminder for the organisations the actor may see (or one), most urgent first."""
    check_as_of(as_of)
    organisations = scope(register, actor, organisation)
    limit = as_of + dt.timedelta(days=days if days is not None else register.settings.reminder_days)
    found: list[Reminder] = []
    with read_only(register.sessions, actor) as session:
        rules = _Rules(session, register, organisations, as_of, limit)
        found += rules.exit_plan_deadlines()
        found += rules.transition_deadlines({(r.registration, r.due) for r in found})
        found += rules.risk_reviews()
        found += rules.exit_plan_reviews()
        found += rules.exit_plan_tests()
        found += rules.justifications()
    return sorted(found, key=lambda r: (r.due, r.organisation, r.registration, r.kind, r.detail))


def _name(row: Any) -> str:
    return str(row.name or row.id)


class _Rules:
    """One query per rule, each limited to what is due within the window."""

    def __init__(
        self,
        session: Session,
        register: Register,
        organisations: list[str] | None,
        as_of: dt.date,
        limit: dt.date,
    ) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name
        self.parameters = register.policy.parameters
        self.policy = register.policy
        self.organisations = organisations
        self.as_of = as_of
        self.limit = limit

    def _scoped(self, statement: Any, column: Any = R.organisation_id) -> Any:
        if self.organisations is None:
            return statement
        return statement.where(column.in_(self.organisations))

    def _rows(self, statement: Any) -> Iterable[Any]:
        return self.session.execute(self._scoped(statement)).all()

    def _json_date(self, value: Any) -> Any:
        if self.dialect == "postgresql":
            return cast(value, Date)
        return type_coerce(value, Date)

    def transition_deadlines(self, covered: set[tuple[str, dt.date]]) -> list[Reminder]:
        statement = select(R.id, R.name, R.organisation_id, R.deadline).where(
            R.deadline.is_not(None), R.deadline >= self.as_of, R.deadline <= self.limit
        )
        return [
            Reminder(
                "transition",
                row.organisation_id,
                row.id,
                _name(row),
                row.deadline,
                f"De overgangstermijn loopt af op {dutch_date(row.deadline)}. Pas het gebruik "
                "vóór die datum aan, of stop ermee.",
            )
            for row in self._rows(statement)
            if (row.id, row.deadline) not in covered
        ]

    def exit_plan_deadlines(self) -> list[Reminder]:
        p = self.parameters
        due = deadline_for_field(self.policy, "exit_plan")
        if due is None or not self.as_of <= due <= self.limit:
            return []
        statement = select(R.id, R.name, R.organisation_id).where(
            ob.lacks(ob.Document.EXIT_PLAN, self.dialect, self.policy),
            ob.fact_known(self.policy, "existing_use"),
        )
        return [
            Reminder(
                "exit-plan",
                row.organisation_id,
                row.id,
                _name(row),
                due,
                f"Materieel gebruik dat al vóór {dutch_date(p.adopted)} bestond, heeft uiterlijk "
                f"{dutch_date(due)} een volledig exitplan nodig: een geplande exit en een "
                "noodplan, elk met doorlooptijd en randvoorwaarden, en afspraken over het "
                "teruggeven en vernietigen van de data.",
            )
            for row in self._rows(statement)
        ]

    def risk_reviews(self) -> list[Reminder]:
        ra = RiskAssessmentRow
        statement = (
            select(R.id, R.name, ra.organisation_id, ra.review_due)
            .select_from(ra)
            .join(R, R.id == ra.registration_id)
            .where(ra.state == "accepted", ra.review_due.is_not(None), ra.review_due <= self.limit)
        )
        return [
            Reminder(
                "risk-review",
                row.organisation_id,
                row.id,
                _name(row),
                row.review_due,
                f"De risicoafweging moet uiterlijk {dutch_date(row.review_due)} opnieuw worden "
                "beoordeeld en geaccepteerd.",
            )
            for row in self.session.execute(self._scoped(statement, ra.organisation_id)).all()
        ]

    def _since(self, months: int) -> dt.date:
        """Whatever happened on or before this day is due again within the window (one day of
        slack for month ends; the exact due date is checked afterwards)."""
        return add_months(self.limit, -months) + dt.timedelta(days=1)

    def _plans(self, column: Any, months: int) -> Iterable[tuple[Any, dt.date]]:
        """(row, date it happened) for exit plans in cloudtoets, with ``column`` as the date; a
        plan without one counts from when it was made."""
        plan = ExitPlanRow
        since = self._since(months)
        made_before = dt.datetime.combine(since + dt.timedelta(days=1), dt.time(), dt.UTC)
        statement = (
            select(R.id, R.name, plan.organisation_id, column.label("happened"), plan.created_at)
            .select_from(plan)
            .join(R, R.id == plan.registration_id)
            .where(
                or_(plan.declaration.is_(None), plan.declaration != "to_confirm"),
                or_(
                    and_(column.is_not(None), column <= since),
                    and_(column.is_(None), plan.created_at < made_before),
                ),
            )
        )
        for row in self.session.execute(self._scoped(statement, plan.organisation_id)).all():
            yield row, row.happened or day_of(row.created_at)

    def _entered_plans(self, field: str, months: int) -> Iterable[tuple[Any, dt.date]]:
        """The same for exit plans entered on the registration (no workflow object): only
        material use of an external cloud, and only when the date is filled in."""
        entered = self._json_date(R.exit_plan[field].as_string())
        statement = select(R.id, R.name, R.organisation_id, entered.label("happened")).where(
            ob.material_external(self.policy),
            not_(exists().where(ExitPlanRow.registration_id == R.id)),
            entered.is_not(None),
            entered <= self._since(months),
        )
        for row in self._rows(statement):
            yield row, day_of(row.happened)

    def exit_plan_reviews(self) -> list[Reminder]:
        found = []
        for row, happened in [
            *self._plans(ExitPlanRow.last_reviewed, self.parameters.exit_review_months),
            *self._entered_plans("last_reviewed", self.parameters.exit_review_months),
        ]:
            due = add_months(happened, self.parameters.exit_review_months)
            if due <= self.limit:
                found.append(
                    Reminder(
                        "exit-review",
                        row.organisation_id,
                        row.id,
                        _name(row),
                        due,
                        f"Het exitplan is sinds {dutch_date(happened)} niet herzien. Kijk het "
                        f"uiterlijk {dutch_date(due)} opnieuw na: klopt het nog?",
                    )
                )
        return found

    def exit_plan_tests(self) -> list[Reminder]:
        months = self.parameters.exit_test_months
        # a test counts when it passed (workflow_projection.exit_plan_field)
        passed = case((ExitPlanRow.test_result == "passed", ExitPlanRow.last_tested))
        found = []
        for row, happened in [
            *self._plans(passed, months),
            *self._entered_plans("last_tested", months),
        ]:
            due = add_months(happened, months)
            if due <= self.limit:
                if row.happened is None:
                    text = f"Het exitplan bestaat sinds {dutch_date(happened)} en is nog niet"
                else:
                    text = f"Het exitplan is sinds {dutch_date(happened)} niet meer"
                found.append(
                    Reminder(
                        "exit-test",
                        row.organisation_id,
                        row.id,
                        _name(row),
                        due,
                        f"{text} met succes getest. Test het uiterlijk {dutch_date(due)}.",
                    )
                )
        return found

    def justifications(self) -> list[Reminder]:
        accepted = ob.accepted_justifications(self.dialect, self.organisations).subquery()
        statement = (
            select(
                R.id, R.name, accepted.c.organisation_id, accepted.c.rule, accepted.c.accepted_on
            )
            .select_from(accepted)
            .join(R, R.id == accepted.c.registration_id)
            .where(
                accepted.c.accepted_on <= self._since(self.parameters.justification_review_months)
            )
        )
        found = []
        for row in self.session.execute(statement).all():
            accepted_on = day_of(row.accepted_on)
            due = add_months(accepted_on, self.parameters.justification_review_months)
            if due <= self.limit:
                found.append(
                    Reminder(
                        "justification",
                        row.organisation_id,
                        row.id,
                        _name(row),
                        due,
                        f"De afwijking van {row.rule} is geaccepteerd op "
                        f"{dutch_date(accepted_on)}. Laat de verantwoordelijke uiterlijk "
                        f"{dutch_date(due)} bevestigen dat zij nog nodig is, of pas het gebruik "
                        "aan.",
                        detail=str(row.rule),
                    )
                )
        return found


def count_by_organisation(found: Iterable[Reminder]) -> dict[str, dict[str, int]]:
    """organisation -> kind -> number of reminders."""
    counts: dict[str, dict[str, int]] = {}
    for reminder in found:
        per_kind = counts.setdefault(reminder.organisation, dict.fromkeys(KINDS, 0))
        per_kind[reminder.kind] += 1
    return counts
