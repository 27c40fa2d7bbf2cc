"""The state of a registration's obligations (S3.1-S3.3) as SQL, for counting whole registers.

The rule is the one of ``services/workflow_projection.py``: once a registration has a workflow
object of a kind (risk assessment, exit plan, notification, justification), that object decides;
without one, the field as entered or imported decides. Written as correlated ``EXISTS``
expressions on ``registrations``, so a count over 100,000 registrations is one ``GROUP BY`` and
the answer is the same whether or not the registration's derived fields were brought up to date.

JSON arrays differ per database (``json_each`` on SQLite, ``jsonb_array_elements`` on
PostgreSQL), so the expressions that read them take the dialect name.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import aliased

from cloudtoets.policy.conditions import FACTS, All, AnyOf, Node, Not, Predicate, reads_under
from cloudtoets.policy.model import Policy
from cloudtoets.services.workflow_projection import SUBMITTED_STATES
from cloudtoets.store.tables import Json, RegistrationRow
from cloudtoets.store.workflows import (
    ExitPlanRow,
    JustificationRow,
    NotificationRow,
    RiskAssessmentRow,
)

R = RegistrationRow
# Python's str.strip() for the white space that occurs in typed text
BLANKS = " \t\n\r\f\v"


def filled(text: Any) -> ColumnElement[bool]:
    """Text that is more than white space (NULL is not)."""
    return func.trim(text, BLANKS) != ""


def _json_date(value: Any, dialect: str) -> ColumnElement[Any]:
    """An ISO date inside JSON as a date (SQLite keeps dates as ISO text anyway)."""
    if dialect == "postgresql":
        return cast(value, Date)
    return type_coerce(value, Date)


def has_text_item(column: Any, path: tuple[str, ...], dialect: str) -> ColumnElement[bool]:
    """The JSON list at ``path`` holds at least one text that is more than white space."""
    if dialect == "postgresql":
        found = type_coerce(column, JSONB)[path]
        items = func.jsonb_array_elements_text(
            case((func.jsonb_typeof(found) == "array", found))
        ).table_valued("value")
        return exists(select(literal(1)).select_from(items).where(filled(items.c.value)))
    items = func.json_each(column, "$." + ".".join(path)).table_valued("value", "type")
    return exists(
        select(literal(1))
        .select_from(items)
        .where(items.c.type == "text", filled(items.c.value))
        .where(func.json_type(column, "$." + ".".join(path)) == "array")
    )


def _json_objects(column: Any, dialect: str) -> Any:
    """The objects of a JSON list, one row each (column ``value``)."""
    if dialect == "postgresql":
        items = func.jsonb_array_elements(
            case((func.jsonb_typeof(column) == "array", column))
        ).table_valued("value")
        return items, func.jsonb_typeof(items.c.value) == "object"
    items = func.json_each(column).table_valued("value", "type")
    return items, items.c.type == "object"


class Document(StrEnum):
    """The three documents the policy asks of material use of an external cloud."""

    RISK_ASSESSMENT = "risk-assessment"  # accepted (S3.1, S3.3)
    EXIT_PLAN = "exit-plan"  # complete (S3.2)
    NOTIFICATION = "notification"  # submitted to CIO Rijk and still valid (S3.3)


# The registration field that holds each document.
DOCUMENT_FIELDS: dict[Document, str] = {
    Document.RISK_ASSESSMENT: "risk_assessment",
    Document.EXIT_PLAN: "exit_plan",
    Document.NOTIFICATION: "notification",
}


def asking_for(policy: Policy, document: Document) -> tuple[Node, ...]:
    """When the policy asks for the document: the ``applies_when`` of each rule whose finding
    reads the document and whose ``applies_when`` does not (a rule about the document's
    contents, such as "exit plan not tested", asks nothing of a registration without one).
    The policy says it, not this code; a rule without ``applies_when`` asks it of all."""
    prefix = DOCUMENT_FIELDS[document]
    return tuple(
        rule.applies_when if rule.applies_when is not None else All(())
        for rule in policy.rules
        if reads_under(rule.finding_when, prefix) and not reads_under(rule.applies_when, prefix)
    )


# Facts the register stores with each registration's decision (services/evaluation.py).
_STORED_FACTS: dict[str, Any] = {"material": R.is_material, "public_cloud": R.is_public_cloud}


class NotCountable(ValueError):
    """A condition the database cannot count; the message is Dutch."""


_COMPARISONS: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "lt": lambda column, value: column < value,
    "le": lambda column, value: column <= value,
    "gt": lambda column, value: column > value,
    "ge": lambda column, value: column >= value,
}


def _sql(node: Node, policy: Policy) -> ColumnElement[bool]:
    """A condition as SQL that holds only when it is known to hold (unknowns.md): a NULL, an
    unknown value, never counts, and NOT of an unknown stays unknown."""
    match node:
        case All(items):
            return and_(true(), *(_sql(item, policy) for item in items))
        case AnyOf(items):
            return or_(*(_sql(item, policy) for item in items))
        case Not(item):
            return not_(_sql(item, policy))
        case Predicate(name=name, is_fact=True, op=op) if op in ("is-true", "is-false"):
            if name in _STORED_FACTS:
                known: ColumnElement[bool] = _STORED_FACTS[name].is_(op == "is-true")
            elif name in policy.facts and policy.facts[name].declared is None:
                held = _sql(policy.facts[name].when, policy)
                known = held if op == "is-true" else not_(held)
            else:
                raise NotCountable(f"het feit {name} staat niet in de database")
            return known
        case Predicate(name=name, is_fact=False, op=op, operand=operand) if "." not in name:
            column: Any = getattr(R, name, None)
            if column is not None:
                test: ColumnElement[bool] | None = None
                if op in ("is-true", "is-false"):
                    test = column.is_(op == "is-true")
                elif op in ("eq", "ne"):
                    test = column == str(operand) if op == "eq" else column != str(operand)
                elif op in ("in", "not-in"):
                    values = sorted(str(v) for v in operand)
                    test = column.in_(values) if op == "in" else column.not_in(values)
                elif op in _COMPARISONS:
                    test = _COMPARISONS[op](column, operand)
                if test is not None:
                    return test
    raise NotCountable(
        "deze voorwaarde kan cloudtoets niet in de database tellen; gebruik in de voorwaarde "
        "van een regel die om een document vraagt alleen ja/nee-feiten en eenvoudige velden"
    )


def obligation(policy: Policy, document: Document) -> ColumnElement[bool]:
    """Known use for which the policy asks for the document (see ``asking_for``)."""
    conditions = [_sql(node, policy) for node in asking_for(policy, document)]
    return or_(*conditions) if conditions else false()


def material_external(policy: Policy) -> ColumnElement[bool]:
    """Use for which the policy asks for one of the documents: under the built-in policies,
    known material use of a known external cloud. An unknown (NULL) materiality or deployment
    is not counted as an obligation (the verdict shows it as a possible finding)."""
    return or_(*(obligation(policy, document) for document in Document))


def has(document: Document, dialect: str) -> ColumnElement[bool]:
    """The registration has the document, as the policy counts it."""
    match document:
        case Document.RISK_ASSESSMENT:
            return accepted_risk_assessment()
        case Document.EXIT_PLAN:
            return complete_exit_plan(dialect)
        case Document.NOTIFICATION:
            return submitted_notification()


def lacks(document: Document, dialect: str, policy: Policy) -> ColumnElement[bool]:
    """The gap: use for which the policy asks for the document, without it. The overview lists
    these, the monitoring counts them (material use minus those with the document) and the
    exit-plan reminder is about them."""
    return and_(obligation(policy, document), not_(has(document, dialect)))


# --- risk assessment (S3.1, S3.3) --------------------------------------------------------------


def accepted_risk_assessment() -> ColumnElement[bool]:
    """A risk assessment with a date, accepted by someone on a date.

    Workflow: the newest accepted version (a draft does not count until accepted).
    """
    ra = aliased(RiskAssessmentRow)
    newer = aliased(RiskAssessmentRow)
    any_version = exists().where(RiskAssessmentRow.registration_id == R.id)
    newest_accepted = exists().where(
        ra.registration_id == R.id,
        ra.state == "accepted",
        ra.accepted_on.is_not(None),
        filled(ra.accepted_by_name),
        not_(
            exists().where(
                newer.registration_id == ra.registration_id,
                newer.state == "accepted",
                newer.number > ra.number,
            )
        ),
    )
    entered = R.risk_assessment
    as_entered = and_(
        entered["date"].as_string().is_not(None),
        filled(entered["accepted_by"].as_string()),
        entered["accepted_on"].as_string().is_not(None),
    )
    return or_(newest_accepted, and_(not_(any_version), as_entered))


# --- exit plan (S3.2) --------------------------------------------------------------------------


def _scenario_complete(scenario: Any, path: tuple[str, ...], dialect: str) -> ColumnElement[bool]:
    """A scenario with a lead time and at least one real precondition."""
    lead_time = scenario[(*path, "lead_time_days")] if path else scenario["lead_time_days"]
    return and_(
        lead_time.as_string().is_not(None),
        has_text_item(scenario, (*path, "preconditions"), dialect),
    )


def complete_exit_plan(dialect: str) -> ColumnElement[bool]:
    """Both scenarios (planned and emergency) complete, plus data return and destruction.

    Workflow: data return counts with a format, destruction with a method and evidence (as in
    ``workflow_projection.exit_plan_field``).
    """
    plan = ExitPlanRow
    any_plan = exists().where(plan.registration_id == R.id)
    plan_complete = exists().where(
        plan.registration_id == R.id,
        _scenario_complete(plan.planned, (), dialect),
        _scenario_complete(plan.emergency, (), dialect),
        filled(plan.data_return_format),
        filled(plan.data_destruction_method),
        filled(plan.data_destruction_evidence),
    )
    entered = R.exit_plan
    as_entered = and_(
        _scenario_complete(entered, ("planned",), dialect),
        _scenario_complete(entered, ("emergency",), dialect),
        entered["data_return"].as_boolean() == true(),
        entered["data_destruction"].as_boolean() == true(),
    )
    return or_(plan_complete, and_(not_(any_plan), as_entered))


# --- notification to CIO Rijk (S3.3) -----------------------------------------------------------


def submitted_notification() -> ColumnElement[bool]:
    """CIO Rijk has a notification that no material change has made out of date.

    Workflow: the newest notification in a submitted state (submitted, received, questions,
    answered, closed) decides; a draft alone does not count.
    """
    note = aliased(NotificationRow)
    newer = aliased(NotificationRow)
    any_notification = exists().where(
        NotificationRow.registration_id == R.id,
        NotificationRow.organisation_id == R.organisation_id,
    )
    still_valid = exists().where(
        note.registration_id == R.id,
        note.organisation_id == R.organisation_id,
        note.state.in_(SUBMITTED_STATES),
        note.renotification_needed.is_(False),
        note.submitted_at.is_not(None),
        not_(
            exists().where(
                newer.registration_id == note.registration_id,
                newer.organisation_id == note.organisation_id,
                newer.state.in_(SUBMITTED_STATES),
                newer.id > note.id,
            )
        ),
    )
    as_entered = R.notification["submitted_on"].as_string().is_not(None)
    return or_(still_valid, and_(not_(any_notification), as_entered))


# --- justifications (deviations, S3.3 and S4.5) ------------------------------------------------


def accepted_justifications(dialect: str, visible: Collection[str] | None) -> Select[Any]:
    """One row per accepted justification: registration, organisation, rule, accepted_on and
    reported_on (dates), of the organisations in ``visible`` (None: all).

    Workflow: state ``accepted``. As entered: reason and who accepted filled in, with a date
    (as ``engine.compiler.justification_holds``, without a rule's extra conditions).
    """
    j = JustificationRow
    from_workflow = select(
        j.registration_id.label("registration_id"),
        j.organisation_id.label("organisation_id"),
        j.rule.label("rule"),
        j.accepted_on.label("accepted_on"),
        j.reported_on.label("reported_on"),
    ).where(j.state == "accepted")
    items, is_object = _json_objects(R.justifications, dialect)
    item = type_coerce(items.c.value, Json)
    has_workflow = exists().where(j.registration_id == R.id)
    as_entered = (
        select(
            R.id.label("registration_id"),
            R.organisation_id.label("organisation_id"),
            type_coerce(item["rule"].as_string(), String).label("rule"),
            _json_date(item["accepted_on"].as_string(), dialect).label("accepted_on"),
            _json_date(item["reported_on"].as_string(), dialect).label("reported_on"),
        )
        .select_from(R)
        .join(items, true())
        .where(
            is_object,
            not_(has_workflow),
            filled(item["reason"].as_string()),
            filled(item["accepted_by"].as_string()),
            item["accepted_on"].as_string().is_not(None),
        )
    )
    if visible is not None:
        from_workflow = from_workflow.where(j.organisation_id.in_(list(visible)))
        as_entered = as_entered.where(R.organisation_id.in_(list(visible)))
    return select(union_all(from_workflow, as_entered).subquery())


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END): NULL counts as false."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def fact_known(policy: Policy, name: str) -> ColumnElement[bool]:
    """The yes/no fact is known to hold for the registration (``existing_use`` ...)."""
    fact = Predicate(name, True, FACTS[name], "is-true")
    return _sql(fact, policy)
