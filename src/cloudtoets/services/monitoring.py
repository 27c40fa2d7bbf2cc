"""Central monitoring (S3.3): how far organisations are with their obligations, in figures.

CIO Rijk and auditors see every organisation; an organisation's own users see the same figures
for their organisation. Every figure is one set-based query (``GROUP BY`` in the database), so
the page stays fast with 100,000 registrations. What counts as an accepted risk assessment, a
complete exit plan and a submitted notification is defined once, in ``services/obligations.py``.
docs/monitoring.md defines each figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    distinct,
    extract,
    func,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from cloudtoets.catalogue import catalogue_entries
from cloudtoets.domain.clock import FIRST_AS_OF as FIRST_AS_OF
from cloudtoets.domain.clock import LAST_AS_OF as LAST_AS_OF
from cloudtoets.domain.clock import check_as_of as check_as_of
from cloudtoets.domain.clock import day_of
from cloudtoets.domain.vocabulary import Deployment, Verdict
from cloudtoets.engine.transition import add_months, last_default_deadline
from cloudtoets.policy.model import Policy
from cloudtoets.services import obligations as ob
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import NotFound, ObjectKind
from cloudtoets.services.permissions import Permission
from cloudtoets.services.uow import read_only
from cloudtoets.services.workflow_projection import DECLARED, SUBMITTED_STATES
from cloudtoets.store import repositories as repo
from cloudtoets.store.tables import (
    DecisionRow,
    ProviderRow,
    RegistrationJurisdictionRow,
    RegistrationRow,
)
from cloudtoets.store.workflows import (
    ExitPlanRow,
    JustificationRow,
    NotificationRow,
    RiskAssessmentRow,
)

R = RegistrationRow
NOTIFICATION_STATES = ("draft", "submitted", "received", "questions", "answered", "closed")
# CIO Rijk has these and has not closed them: their age is how long an organisation waits
OPEN_STATES = ("submitted", "received", "questions", "answered")
# (label, first day, last day) of days since submission; None: no upper bound
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181+", 181, None),
)
EXPIRED, LATER = "verlopen", "later"
TOP_PROVIDERS = 15
UNKNOWN = "unknown"  # the key of an unknown deployment model
DEPLOYMENT_KEYS: tuple[str, ...] = (*(d.value for d in Deployment), UNKNOWN)
ASK_FIRST = 10  # the questions that settle the most registrations, per organisation and in total


def share(count: int, total: int) -> float | None:
    """count / total, rounded to four decimals; None when there is nothing to divide."""
    return round(count / total, 4) if total else None


@dataclass(frozen=True, slots=True)
class MaterialUse:
    """Material use of an external cloud by one organisation (or the total), and how much of it
    has each of the three documents the policy asks for."""

    organisation: str
    name: str
    material: int
    risk_assessment: int  # accepted risk assessment
    exit_plan: int  # complete exit plan
    notification: int  # notification CIO Rijk has
    complete: int  # all three

    def share(self, count: int) -> float | None:
        return share(count, self.material)

    @property
    def without_risk_assessment(self) -> int:
        return self.material - self.risk_assessment


@dataclass(frozen=True, slots=True)
class VerdictCounts:
    organisation: str
    name: str
    counts: dict[str, int]  # verdict -> registrations; every verdict present
    total: int


@dataclass(frozen=True, slots=True)
class NotificationState:
    state: str
    count: int
    ages: dict[str, int]  # AGE_BUCKETS label -> notifications (open states only)
    oldest_days: int | None


@dataclass(frozen=True, slots=True)
class Deviations:
    """Accepted justifications (comply or explain) of one organisation, or the total."""

    organisation: str
    name: str
    accepted: int
    reported: int  # of which reported to CIO Rijk

    @property
    def unreported(self) -> int:
        return self.accepted - self.reported


@dataclass(frozen=True, slots=True)
class CalendarBucket:
    """Transition deadlines in one quarter (key ``2027-K3``), expired, or after the last year."""

    key: str
    label: str
    count: int
    first_day: dt.date | None = None
    last_day: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Concentration:
    """How many registrations depend on one provider or one jurisdiction (``label``: the
    provider's name; for a jurisdiction its ISO code, which pages show as the country's name)."""

    key: str
    label: str
    registrations: int
    material: int
    organisations: int
    outside_eea: bool = False


@dataclass(frozen=True, slots=True)
class Knowledge:
    """What is and is not known about one organisation's registrations (or all): unknowns.md.

    ``deployments`` counts every deployment model and ``unknown`` (the Algemene Rekenkamer's
    question: public, private or hybrid, or not known); ``incomplete`` the registrations whose
    verdict is a range; material use is certain (``is_material`` true) or possible (unknown
    until questions are answered); ``ask_first`` are the question fields with the number of
    incomplete registrations that ask them, most first: answering those settles the most.
    """

    organisation: str
    name: str
    registrations: int
    deployments: dict[str, int]
    incomplete: int
    material_certain: int
    material_possible: int
    ask_first: list[tuple[str, int]]

    @property
    def unknown_deployment(self) -> int:
        return self.deployments.get(UNKNOWN, 0)

    @property
    def public(self) -> int:
        return self.deployments.get(Deployment.PUBLIC.value, 0)

    @property
    def not_public(self) -> int:
        """Private, hybrid or community: known, and not public."""
        return self.registrations - self.public - self.unknown_deployment


@dataclass(frozen=True, slots=True)
class EvidenceOrigin:
    """Where the evidence of one kind came from: made in the workflows here, brought by an
    import and confirmed by an approver, or brought by an import and still waiting (it does not
    count yet). Evidence is what counts or would count: accepted risk assessments and
    justifications, exit plans, submitted notifications."""

    kind: str  # risk-assessment | exit-plan | notification | justification
    label: str
    made_here: int
    confirmed: int
    waiting: int


# kind -> (Dutch label, table, the states of evidence that counts or waits; None: every row)
EVIDENCE_KINDS: dict[str, tuple[str, Any, tuple[str, ...] | None]] = {
    "risk-assessment": ("Risicoafwegingen", RiskAssessmentRow, ("accepted", DECLARED)),
    "exit-plan": ("Exitplannen", ExitPlanRow, None),
    "notification": ("Meldingen bij CIO Rijk", NotificationRow, (*SUBMITTED_STATES, DECLARED)),
    "justification": ("Afwijkingen", JustificationRow, ("accepted", DECLARED)),
}


@dataclass(slots=True)
class Monitoring:
    as_of: dt.date
    organisation: str | None  # the one organisation asked for, or None: every visible one
    organisations: dict[str, str]  # id -> name, of the organisations the figures cover
    material: list[MaterialUse]
    material_total: MaterialUse
    verdicts: list[VerdictCounts]
    verdict_total: VerdictCounts
    notifications: list[NotificationState]
    deviations: list[Deviations]
    deviation_total: Deviations
    deviations_by_rule: dict[str, int]
    calendar: list[CalendarBucket]
    providers: list[Concentration]
    provider_count: int
    jurisdictions: list[Concentration]
    knowledge: list[Knowledge]
    knowledge_total: Knowledge
    evidence_origin: list[EvidenceOrigin]
    registrations: int = 0


def scope(register: Register, actor: Actor, organisation: str | None) -> list[str] | None:
    """The organisations the figures cover: ``organisation`` if the actor may see it (else
    NotFound, as for any other organisation's object), else every visible one (None: all)."""
    actor.require(Permission.READ_REGISTER)
    if organisation is not None:
        if not actor.may_see(organisation):
            raise NotFound(ObjectKind.ORGANISATION, organisation)
        with read_only(register.sessions, actor) as session:
            if not repo.organisations(session, [organisation]):
                raise NotFound(ObjectKind.ORGANISATION, organisation)
        return [organisation]
    visible = actor.visible
    return None if visible is None else sorted(visible)


_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


def _within(statement: _S, column: Any, organisations: list[str] | None) -> _S:
    """Only the rows of these organisations (None: no limit; row security adds its own)."""
    if organisations is None:
        return statement
    return statement.where(column.in_(organisations))


def monitoring(
    register: Register, actor: Actor, as_of: dt.date, organisation: str | None = None
) -> Monitoring:
    """Every monitoring figure for the organisations this actor may see (or one of them)."""
    check_as_of(as_of)
    organisations = scope(register, actor, organisation)
    with read_only(register.sessions, actor) as session:
        dialect = session.get_bind().dialect.name
        names = {row.id: row.name or row.id for row in repo.organisations(session, organisations)}
        material, material_total = _material_use(
            session, dialect, organisations, names, register.policy
        )
        verdicts, verdict_total = _verdicts(session, organisations, names)
        deviations, deviation_total, by_rule = _deviations(session, dialect, organisations, names)
        last_year = last_default_deadline(register.policy).year
        providers, provider_count = _providers(session, organisations, register.policy)
        knowledge, knowledge_total = _knowledge(session, dialect, organisations, names)
        return Monitoring(
            as_of=as_of,
            organisation=organisation,
            organisations=names,
            material=material,
            material_total=material_total,
            verdicts=verdicts,
            verdict_total=verdict_total,
            notifications=_notifications(session, organisations, as_of),
            deviations=deviations,
            deviation_total=deviation_total,
            deviations_by_rule=by_rule,
            calendar=_calendar(session, organisations, as_of, last_year),
            providers=providers,
            provider_count=provider_count,
            jurisdictions=_jurisdictions(session, organisations, register.policy),
            registrations=verdict_total.total,
            knowledge=knowledge,
            knowledge_total=knowledge_total,
            evidence_origin=_evidence_origin(session, organisations),
        )


def _by_name(names: dict[str, str]) -> list[str]:
    return sorted(names, key=lambda o: (names[o].casefold(), o))


def _material_use(
    session: Session,
    dialect: str,
    organisations: list[str] | None,
    names: dict[str, str],
    policy: Policy,
) -> tuple[list[MaterialUse], MaterialUse]:
    assessed = ob.has(ob.Document.RISK_ASSESSMENT, dialect)
    planned = ob.has(ob.Document.EXIT_PLAN, dialect)
    notified = ob.has(ob.Document.NOTIFICATION, dialect)
    statement = select(
        R.organisation_id,
        func.count(),
        ob.count_if(assessed),
        ob.count_if(planned),
        ob.count_if(notified),
        ob.count_if(assessed & planned & notified),
    ).where(ob.material_external(policy))
    statement = _within(statement, R.organisation_id, organisations).group_by(R.organisation_id)
    found = {row[0]: [int(n) for n in row[1:]] for row in session.execute(statement)}
    rows = [
        MaterialUse(org, names[org], *found.get(org, [0, 0, 0, 0, 0])) for org in _by_name(names)
    ]
    totals = [sum(values[i] for values in found.values()) for i in range(5)]
    return rows, MaterialUse("", "Totaal", *totals)


def _evidence_origin(session: Session, organisations: list[str] | None) -> list[EvidenceOrigin]:
    found = []
    for kind, (label, table, states) in EVIDENCE_KINDS.items():
        statement = select(table.declaration, func.count()).group_by(table.declaration)
        if states is not None:
            statement = statement.where(table.state.in_(states))
        counts = {
            declaration: int(n)
            for declaration, n in session.execute(
                _within(statement, table.organisation_id, organisations)
            )
        }
        found.append(
            EvidenceOrigin(
                kind,
                label,
                made_here=counts.get(None, 0),
                confirmed=counts.get("confirmed", 0),
                waiting=counts.get("to_confirm", 0),
            )
        )
    return found


def _verdicts(
    session: Session, organisations: list[str] | None, names: dict[str, str]
) -> tuple[list[VerdictCounts], VerdictCounts]:
    statement = select(R.organisation_id, R.verdict, func.count())
    statement = _within(statement, R.organisation_id, organisations)
    grouped: dict[str, dict[str, int]] = {}
    for org, verdict, count in session.execute(statement.group_by(R.organisation_id, R.verdict)):
        grouped.setdefault(org, {})[str(verdict) if verdict else "none"] = int(count)
    order = [v.value for v in Verdict]

    def counts_of(found: dict[str, int]) -> dict[str, int]:
        counts = {v: found.get(v, 0) for v in order}
        if found.get("none"):  # not evaluated yet: shown only when it occurs
            counts["none"] = found["none"]
        return counts

    rows = [
        VerdictCounts(org, names[org], counts_of(grouped.get(org, {})), 0)
        for org in _by_name(names)
    ]
    rows = [VerdictCounts(r.organisation, r.name, r.counts, sum(r.counts.values())) for r in rows]
    total: dict[str, int] = {}
    for found in grouped.values():
        for verdict, count in found.items():
            total[verdict] = total.get(verdict, 0) + count
    total_counts = counts_of(total)
    return rows, VerdictCounts("", "Totaal", total_counts, sum(total_counts.values()))


def _submitted_day(dialect: str) -> ColumnElement[Any]:
    """The day a notification was submitted (UTC), as the database can group on it."""
    if dialect == "postgresql":
        return func.date(func.timezone("UTC", NotificationRow.submitted_at))
    return func.date(NotificationRow.submitted_at)


def _notifications(
    session: Session, organisations: list[str] | None, as_of: dt.date
) -> list[NotificationState]:
    dialect = session.get_bind().dialect.name
    day = _submitted_day(dialect)
    statement = select(NotificationRow.state, day, func.count()).where(
        NotificationRow.state != "declared"  # evidence from an import, not yet confirmed
    )
    statement = _within(statement, NotificationRow.organisation_id, organisations)
    counts = dict.fromkeys(NOTIFICATION_STATES, 0)
    ages: dict[str, dict[str, int]] = {s: dict.fromkeys(_labels(), 0) for s in OPEN_STATES}
    oldest: dict[str, int] = {}
    for state, submitted, count in session.execute(statement.group_by(NotificationRow.state, day)):
        counts[state] = counts.get(state, 0) + int(count)
        if state not in OPEN_STATES or submitted is None:
            continue
        days = max(0, (as_of - day_of(submitted)).days)
        ages[state][_bucket(days)] += int(count)
        oldest[state] = max(oldest.get(state, 0), days)
    return [
        NotificationState(state, count, ages.get(state, {}), oldest.get(state))
        for state, count in counts.items()
    ]


def _labels() -> list[str]:
    return [label for label, _, _ in AGE_BUCKETS]


def _bucket(days: int) -> str:
    for label, first, last in AGE_BUCKETS:
        if days >= first and (last is None or days <= last):
            return label
    return AGE_BUCKETS[-1][0]


def _deviations(
    session: Session, dialect: str, organisations: list[str] | None, names: dict[str, str]
) -> tuple[list[Deviations], Deviations, dict[str, int]]:
    accepted = ob.accepted_justifications(dialect, organisations).subquery()
    per_org = select(
        accepted.c.organisation_id,
        func.count(),
        ob.count_if(accepted.c.reported_on.is_not(None)),
    ).group_by(accepted.c.organisation_id)
    found = {org: (int(n), int(reported)) for org, n, reported in session.execute(per_org)}
    rows = [Deviations(org, names[org], *found.get(org, (0, 0))) for org in _by_name(names)]
    by_rule = {
        str(rule): int(n)
        for rule, n in session.execute(
            select(accepted.c.rule, func.count())
            .group_by(accepted.c.rule)
            .order_by(func.count().desc(), accepted.c.rule)
        )
    }
    total = Deviations(
        "",
        "Totaal",
        sum(n for n, _ in found.values()),
        sum(reported for _, reported in found.values()),
    )
    return rows, total, by_rule


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _calendar(
    session: Session, organisations: list[str] | None, as_of: dt.date, last_year: int
) -> list[CalendarBucket]:
    """Expired deadlines, every quarter from the as-of date through ``last_year``, and later."""
    base = _within(select(func.count()), R.organisation_id, organisations)
    expired = session.scalar(base.where(R.deadline.is_not(None), R.deadline < as_of)) or 0
    year, month = extract("year", R.deadline), extract("month", R.deadline)
    statement = _within(
        select(year, month, func.count()).where(R.deadline >= as_of),
        R.organisation_id,
        organisations,
    ).group_by(year, month)
    per_quarter: dict[tuple[int, int], int] = {}
    later = 0
    for found_year, found_month, count in session.execute(statement):
        y, m = int(found_year), int(found_month)
        if y > last_year:
            later += int(count)
        else:
            key = (y, (m - 1) // 3 + 1)
            per_quarter[key] = per_quarter.get(key, 0) + int(count)
    buckets = [CalendarBucket(EXPIRED, f"Verlopen (voor {as_of.isoformat()})", int(expired))]
    y, q = quarter_of(as_of)
    while y <= last_year:
        first = dt.date(y, 3 * q - 2, 1)
        last = add_months(first, 3) - dt.timedelta(days=1)
        buckets.append(
            CalendarBucket(
                f"{y}-K{q}", f"{q}e kwartaal {y}", per_quarter.get((y, q), 0), first, last
            )
        )
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    buckets.append(
        CalendarBucket(LATER, f"{last_year + 1} en later", later, dt.date(last_year + 1, 1, 1))
    )
    return buckets


def _provider_names(session: Session, organisations: list[str] | None) -> dict[str, str]:
    names = {entry.id: entry.name or entry.id for entry in catalogue_entries()}
    own = _within(
        select(ProviderRow.id, ProviderRow.name), ProviderRow.organisation_id, organisations
    )
    for provider_id, name in session.execute(own):
        names.setdefault(provider_id, name or provider_id)
    return names


def _providers(
    session: Session, organisations: list[str] | None, policy: Policy
) -> tuple[list[Concentration], int]:
    material = ob.material_external(policy)
    used = R.provider.is_not(None)
    statement = (
        _within(
            select(
                R.provider,
                func.count(),
                ob.count_if(material),
                func.count(distinct(R.organisation_id)),
            ).where(used),
            R.organisation_id,
            organisations,
        )
        .group_by(R.provider)
        .order_by(func.count().desc(), R.provider)
        .limit(TOP_PROVIDERS)
    )
    names = _provider_names(session, organisations)
    rows = [
        Concentration(str(p), names.get(str(p), str(p)), int(n), int(m), int(o))
        for p, n, m, o in session.execute(statement)
    ]
    count = session.scalar(
        _within(
            select(func.count(distinct(R.provider))).where(used), R.organisation_id, organisations
        )
    )
    return rows, int(count or 0)


def _jurisdictions(
    session: Session, organisations: list[str] | None, policy: Policy
) -> list[Concentration]:
    j = RegistrationJurisdictionRow
    material = ob.material_external(policy)
    statement = _within(
        select(
            j.country, func.count(), ob.count_if(material), func.count(distinct(R.organisation_id))
        )
        .select_from(j)
        .join(R, R.id == j.registration_id),
        R.organisation_id,
        organisations,
    ).group_by(j.country)
    eea = {str(c) for c in policy.parameters.eea}
    rows = [
        Concentration(str(country), str(country), int(n), int(m), int(o), str(country) not in eea)
        for country, n, m, o in session.execute(statement)
    ]
    return sorted(rows, key=lambda c: (-c.registrations, c.key))


def _question_fields(dialect: str) -> tuple[Any, ColumnElement[Any], Any]:
    """The questions of the latest decision of each registration, one row per question (its
    ``field``): decisions keep the result of ``check --format json``, questions included."""
    # only incomplete registrations ask questions that settle a verdict (index on verdict, id)
    incomplete = select(R.id).where(R.verdict == Verdict.INCOMPLETE.value)
    latest = (
        select(func.max(DecisionRow.id).label("id"))
        .where(DecisionRow.registration_id.in_(incomplete))
        .group_by(DecisionRow.registration_id)
    )
    if dialect == "postgresql":
        questions = func.jsonb_array_elements(
            type_coerce(DecisionRow.result, JSONB)["questions"]
        ).table_valued("value")
        field_of = type_coerce(questions.c.value, JSONB)["field"].astext
    else:
        questions = func.json_each(DecisionRow.result, "$.questions").table_valued("value")
        field_of = func.json_extract(questions.c.value, "$.field")
    return latest.subquery(), type_coerce(field_of, String).label("field"), questions


def _ask_first(
    session: Session, dialect: str, organisations: list[str] | None
) -> dict[str, list[tuple[str, int]]]:
    """Per organisation: question field -> incomplete registrations that ask it."""
    latest, field_of, questions = _question_fields(dialect)
    statement = (
        select(R.organisation_id, field_of, func.count(distinct(R.id)))
        .select_from(R)
        .join(DecisionRow, DecisionRow.registration_id == R.id)
        .join(latest, latest.c.id == DecisionRow.id)
        .join(questions, true())
        .where(R.verdict == Verdict.INCOMPLETE.value)
    )
    statement = _within(statement, R.organisation_id, organisations).group_by(
        R.organisation_id, field_of
    )
    found: dict[str, list[tuple[str, int]]] = {}
    for org, question, count in session.execute(statement):
        found.setdefault(org, []).append((str(question), int(count)))
    return found


def _most_first(counts: dict[str, int] | list[tuple[str, int]]) -> list[tuple[str, int]]:
    items = counts.items() if isinstance(counts, dict) else counts
    return sorted(items, key=lambda item: (-item[1], item[0]))[:ASK_FIRST]


def _knowledge(
    session: Session, dialect: str, organisations: list[str] | None, names: dict[str, str]
) -> tuple[list[Knowledge], Knowledge]:
    evaluated = R.verdict.is_not(None)
    statement = select(
        R.organisation_id,
        R.deployment,
        func.count(),
        ob.count_if(R.verdict == Verdict.INCOMPLETE.value),
        ob.count_if(R.is_material.is_(True)),
        ob.count_if(evaluated & R.is_material.is_(None)),
    )
    statement = _within(statement, R.organisation_id, organisations).group_by(
        R.organisation_id, R.deployment
    )
    totals: dict[str, list[int]] = {}
    deployments: dict[str, dict[str, int]] = {}
    for org, deployment, count, incomplete, certain, possible in session.execute(statement):
        key = str(deployment) if deployment else UNKNOWN
        per = deployments.setdefault(org, dict.fromkeys(DEPLOYMENT_KEYS, 0))
        per[key] = per.get(key, 0) + int(count)
        sums = totals.setdefault(org, [0, 0, 0, 0])
        for i, n in enumerate((count, incomplete, certain, possible)):
            sums[i] += int(n)
    asked = _ask_first(session, dialect, organisations)

    def knowledge_of(
        org: str, name: str, sums: list[int], per: dict[str, int], ask: Any
    ) -> Knowledge:
        count, incomplete, certain, possible = sums
        return Knowledge(org, name, count, per, incomplete, certain, possible, _most_first(ask))

    rows = [
        knowledge_of(
            org,
            names[org],
            totals.get(org, [0, 0, 0, 0]),
            deployments.get(org, dict.fromkeys(DEPLOYMENT_KEYS, 0)),
            asked.get(org, []),
        )
        for org in _by_name(names)
    ]
    all_deployments = dict.fromkeys(DEPLOYMENT_KEYS, 0)
    for per in deployments.values():
        for key, n in per.items():
            all_deployments[key] = all_deployments.get(key, 0) + n
    all_asked: dict[str, int] = {}
    for items in asked.values():
        for question, n in items:
            all_asked[question] = all_asked.get(question, 0) + n
    sums = [sum(values[i] for values in totals.values()) for i in range(4)]
    return rows, knowledge_of("", "Totaal", sums, all_deployments, all_asked)
