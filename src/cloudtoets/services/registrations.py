"""Use cases on registrations: list, read, create, update, delete, evaluate, history.

Every change is validated through the same path as an imported inventory (io/validate.py),
evaluated, stored with its outcome and decision record, and audited, in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cloudtoets.domain.decision import Decision, Finding, Question
from cloudtoets.domain.model import Registration
from cloudtoets.domain.registration_query import RegistrationQuery, choices
from cloudtoets.domain.serialise import decision_result, jsonable
from cloudtoets.domain.text import control_message, texts_with_control_characters
from cloudtoets.io.validate import validate_document
from cloudtoets.problems import InputError, Problem
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import AlreadyExists, NotFound, ObjectKind, VersionConflict
from cloudtoets.services.evaluation import RegisterEvaluator
from cloudtoets.services.limits import register_problems
from cloudtoets.services.permissions import Permission
from cloudtoets.services.uow import read_only, system_session, unit_of_work
from cloudtoets.services.workflow_projection import (
    EMPTY_EVIDENCE,
    apply_derived_fields,
    current_evidence,
    mark_renotification,
    material_changes,
    refuse_written_evidence,
    with_register_evidence,
)
from cloudtoets.store import repositories as repo
from cloudtoets.store.mapping import (
    organisation_from_row,
    provider_from_row,
    registration_from_row,
    registration_values,
)
from cloudtoets.store.tables import (
    AuditRow,
    DecisionRow,
    OrganisationRow,
    ProviderRow,
    RegistrationRow,
)


@dataclass(slots=True)
class RegistrationSummary:
    """One line of the registration list (not frozen: a frozen dataclass sets each field through
    ``object.__setattr__``, which made building a page of them cost a fifth of a list request)."""

    id: str
    name: str | None
    organisation: str
    provider: str | None
    deployment: str | None  # None: unknown
    verdict: str | None  # 'incomplete' when the range's best and worst differ
    deadline: dt.date | None
    material: bool | None
    public_cloud: bool | None
    jurisdictions: list[str]
    findings_count: int
    evaluated_on: dt.date | None
    version: int
    verdict_range: dict[str, str] | None  # {"best", "worst"}; None before the first evaluation


@dataclass(frozen=True, slots=True)
class Page:
    items: list[RegistrationSummary]
    total: int
    query: RegistrationQuery


@dataclass(frozen=True, slots=True)
class StoredRegistration:
    """A registration as stored, its version (for lost-update protection) and today's decision."""

    registration: Registration
    version: int
    decision: Decision
    evaluated_on: dt.date | None


def _summary(row: tuple[Any, ...]) -> RegistrationSummary:
    """A summary from a row of ``repositories.SUMMARY_COLUMNS``, whose order its fields follow
    (built by position: a page of 50 is built on every list request)."""
    best, worst = row[13], row[14]
    verdict_range = (
        {"best": best, "worst": worst} if best is not None and worst is not None else None
    )
    # (mypy cannot count the fields of an untyped row)
    return RegistrationSummary(*row[:9], list(row[9] or ()), *row[10:13], verdict_range)  # type: ignore[call-arg]


def list_registrations(register: Register, actor: Actor, query: RegistrationQuery) -> Page:
    with read_only(register.sessions, actor) as session:
        chosen = choices(query.organisation)
        if chosen and not any(actor.may_see(o) for o in chosen):
            return Page([], 0, query)
        rows, total = repo.list_registrations(session, query, actor.visible)
        return Page([_summary(r) for r in rows], total, query)


def registration_or_404(session: Session, actor: Actor, registration_id: str) -> RegistrationRow:
    """The registration's row, or NotFound when it does not exist or the actor may not see it
    (the two are not told apart). Every use case that acts on a registration starts here."""
    row = repo.get_registration(session, registration_id, actor.visible)
    if row is None:
        raise NotFound(ObjectKind.REGISTRATION, registration_id)
    return row


def get_registration(register: Register, actor: Actor, registration_id: str) -> StoredRegistration:
    with read_only(register.sessions, actor) as session:
        row = registration_or_404(session, actor, registration_id)
        registration = registration_from_row(row)
        evaluator = RegisterEvaluator(session, register.policy, register.today())
        return StoredRegistration(
            registration, row.version, evaluator.evaluate(registration), row.evaluated_on
        )


@dataclass(frozen=True, slots=True)
class RegistrationDetail:
    """A registration as stored, its version and today's decision as ``check --format json``
    prints it (``decision_result``), with the date and policy it holds for."""

    registration: Registration
    version: int
    result: dict[str, Any]
    as_of: dt.date
    policy_id: str
    policy_revision: str
    stored: bool  # the stored decision record was current (False: evaluated for this read)


# The keys of a result in the order decision_result writes them: PostgreSQL keeps JSON objects
# in its own order (jsonb), and a stored result is sent in the order an evaluated one has. A
# stored result with other keys (written by another version of cloudtoets) is evaluated anew.
RESULT_KEYS = (
    "registration",
    "organisation",
    "scope",
    "public_cloud",
    "external_cloud",
    "material",
    "existing_use",
    "material_reasons",
    "jurisdictions",
    "jurisdictions_complete",
    "effective_tbb_level",
    "verdict",
    "verdict_range",
    "deadline",
    "findings",
    "questions",
)
_KEYS = set(RESULT_KEYS)
_FINDING_KEYS = tuple(f.name for f in dataclasses.fields(Finding))
_QUESTION_KEYS = tuple(f.name for f in dataclasses.fields(Question))


def _in_order(value: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    if list(value) == list(keys) or set(value) != set(keys):
        return value
    return {key: value[key] for key in keys}


def _result_in_order(result: dict[str, Any]) -> dict[str, Any]:
    ordered = {key: result[key] for key in RESULT_KEYS}
    ordered["findings"] = [_in_order(f, _FINDING_KEYS) for f in result.get("findings", ())]
    ordered["questions"] = [_in_order(q, _QUESTION_KEYS) for q in result.get("questions", ())]
    return ordered


def _last_record(column: Any) -> Any:
    """A column of the registration's last decision record, as a scalar subquery (one index
    step back on ix_decisions_registration; a join on "the last record" made PostgreSQL read
    the whole decisions table)."""
    return (
        select(column)
        .where(DecisionRow.registration_id == RegistrationRow.id)
        .order_by(DecisionRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )


# The registration's row with what decides whether its last decision record is today's: that
# record's revision, moment and result, and the last change of the organisation and of its
# providers. One statement, made once (building a statement costs more than running it).
_DETAIL = select(
    *RegistrationRow.__table__.columns,
    _last_record(DecisionRow.policy_revision).label("record_revision"),
    _last_record(DecisionRow.evaluated_at).label("record_at"),
    _last_record(DecisionRow.result).label("record_result"),
    select(OrganisationRow.updated_at)
    .where(OrganisationRow.id == RegistrationRow.organisation_id)
    .scalar_subquery()
    .label("organisation_at"),
    select(func.max(ProviderRow.updated_at))
    .where(ProviderRow.organisation_id == RegistrationRow.organisation_id)
    .scalar_subquery()
    .label("providers_at"),
).where(RegistrationRow.id == bindparam("registration_id"))


def _current_result(register: Register, row: Any) -> dict[str, Any] | None:
    """The result of the registration's last decision record when it is today's decision:
    evaluated today under the policy's current revision, and after the last change of the
    organisation and its providers (an import that changes only those leaves the
    registrations' records as they were). None when it is not: then it must be evaluated."""
    revision = register.policy.revision
    result = row.record_result
    if (
        row.evaluated_on != register.today()
        or row.policy_revision != revision
        or row.decision_hash is None
        or row.record_revision != revision
        or not isinstance(result, dict)
        or set(result) != _KEYS
    ):
        return None
    changed = (row.organisation_at, row.providers_at)
    if any(at is not None and at > row.record_at for at in changed):
        return None
    return result


def registration_detail(
    register: Register, actor: Actor, registration_id: str, *, evaluate: bool = False
) -> RegistrationDetail:
    """What the API's detail sends: the stored decision when it is current (most reads: the
    register evaluates every change and ``refresh`` each new day), else an evaluation as
    ``get_registration`` makes. ``evaluate``: always evaluate (tests compare the two)."""
    policy = register.policy
    with read_only(register.sessions, actor) as session:
        row = session.execute(_DETAIL, {"registration_id": registration_id}).first()
        if row is None or (actor.visible is not None and row.organisation_id not in actor.visible):
            raise NotFound(ObjectKind.REGISTRATION, registration_id)
        registration = registration_from_row(row)  # type: ignore[arg-type]  # a row reads alike
        result = None if evaluate else _current_result(register, row)
        if result is not None:
            return RegistrationDetail(
                registration,
                row.version,
                _result_in_order(result),
                register.today(),
                policy.id,
                policy.revision,
                True,
            )
        decision = RegisterEvaluator(session, policy, register.today()).evaluate(registration)
        return RegistrationDetail(
            registration,
            row.version,
            decision_result(decision),
            decision.as_of,
            decision.policy_id,
            decision.policy_revision,
            False,
        )


def get_registration_to_change(
    register: Register, actor: Actor, registration_id: str
) -> StoredRegistration:
    """The registration for a form that changes or deletes it: NotFound as ``get_registration``,
    then Forbidden for a role that may read it but not change it (viewer, approver, CIO Rijk,
    auditor), the same refusal its POST gets."""
    stored = get_registration(register, actor, registration_id)
    actor.require(Permission.WRITE_REGISTER)
    return stored


def evaluate_as_of(
    register: Register, actor: Actor, registration_id: str, as_of: dt.date
) -> Decision:
    """A stored registration's decision on another date; stores nothing."""
    with read_only(register.sessions, actor) as session:
        row = registration_or_404(session, actor, registration_id)
        evaluator = RegisterEvaluator(session, register.policy, as_of)
        return evaluator.evaluate(registration_from_row(row))


def _refuse_control_characters(registration: Registration) -> None:
    """InputError when a text holds NUL or another control character (domain/text.py): checked
    before any query, as PostgreSQL cannot even look such a text up."""
    problems = [
        Problem(
            _form_locator("registrations", 0, field),
            control_message(code),
            ("registrations", 0),
            field,
        )
        for field, code in texts_with_control_characters(registration)
    ]
    if problems:
        raise InputError("registratie", problems)


def _validated(session: Session, registration: Registration) -> Registration:
    """Check one registration as part of its organisation's inventory; InputError on problems."""
    _refuse_control_characters(registration)
    organisation = session.get(OrganisationRow, registration.organisation)
    if organisation is None:
        raise InputError(
            "registratie",
            [
                Problem(
                    "veld organisation",
                    f"onbekende organisatie '{registration.organisation}'",
                    ("registrations", 0),
                    "organisation",
                )
            ],
        )
    document = {
        "organisations": [jsonable(organisation_from_row(organisation))],
        "providers": [
            jsonable(provider_from_row(p)) for p in repo.providers_of(session, organisation.id)
        ],
        "registrations": [jsonable(registration)],
    }
    source = f"registratie {registration.id}"
    checked = validate_document(document, source, locate=_form_locator)
    problems = register_problems(checked.inventory, _form_locator)
    if problems:
        raise InputError(source, problems)
    return checked.inventory.registrations[0]


def _form_locator(list_name: str, index: int, field: str) -> str:
    return f"veld {field}" if field else "registratie"


def _audit_view(registration: Registration) -> dict[str, Any]:
    return jsonable(registration)  # type: ignore[no-any-return]


def create_registration(
    register: Register, actor: Actor, registration: Registration, *, refuse_evidence: bool = False
) -> StoredRegistration:
    """Add a registration. Its evidence (risk assessment, exit plan, notification,
    justifications) comes only from the workflows (decision 30): evidence the caller sends is
    not stored, and with ``refuse_evidence`` (the API) it is an InputError naming the workflow
    endpoint."""
    if not actor.may_see(registration.organisation):
        raise NotFound(ObjectKind.ORGANISATION, registration.organisation)
    actor.require(Permission.WRITE_REGISTER)
    _refuse_control_characters(registration)
    # the evidence comes from the workflows only (decision 30): a new registration has none
    if refuse_evidence:
        refuse_written_evidence(registration, EMPTY_EVIDENCE)
    registration = dataclasses.replace(registration, **EMPTY_EVIDENCE)
    with unit_of_work(register.sessions, actor) as uow:
        session = uow.session
        if session.get(RegistrationRow, registration.id) is not None:
            raise AlreadyExists(ObjectKind.REGISTRATION, registration.id)
        registration = _validated(session, registration)
        row = RegistrationRow(**registration_values(registration))
        # a notification can outlive an earlier registration with this id
        registration = with_register_evidence(session, row, registration)
        for name, value in registration_values(registration).items():
            setattr(row, name, value)
        session.add(row)
        evaluator = RegisterEvaluator(session, register.policy, register.today())
        try:
            decision = evaluator.apply(row, registration)  # inserts the row with its outcome
        except IntegrityError:
            # the id is taken by a registration row-level security hides from this actor (another
            # organisation's, on PostgreSQL): the same refusal as when it is visible, naming
            # nothing of the other organisation
            raise AlreadyExists(ObjectKind.REGISTRATION, registration.id) from None
        uow.audit(
            "create",
            "registration",
            row.id,
            organisation_id=row.organisation_id,
            after=_audit_view(registration),
        )
        session.flush()
        return StoredRegistration(registration, row.version, decision, row.evaluated_on)


def update_registration(
    register: Register,
    actor: Actor,
    registration_id: str,
    registration: Registration,
    expected_version: int,
    *,
    refuse_evidence: bool = False,
) -> StoredRegistration:
    """Replace a registration; refused when it changed since ``expected_version`` was read.

    The evidence fields are always what the workflows say (decision 30), whatever the caller
    sends; with ``refuse_evidence`` (the API) evidence other than what the register has now is an
    InputError naming the workflow endpoint (sending back what was read is fine)."""
    with unit_of_work(register.sessions, actor) as uow:
        session = uow.session
        row = registration_or_404(session, actor, registration_id)
        actor.require(Permission.WRITE_REGISTER)
        before = registration_from_row(row)
        if row.version != expected_version:
            raise VersionConflict(ObjectKind.REGISTRATION, registration_id, row.version, before)
        if registration.id != registration_id:
            raise InputError(
                "registratie",
                [
                    Problem(
                        "veld id",
                        "het kenmerk van een registratie kan niet veranderen",
                        ("registrations", 0),
                        "id",
                    )
                ],
            )
        if not actor.may_see(registration.organisation):
            raise NotFound(ObjectKind.ORGANISATION, registration.organisation)
        # the evidence comes from the workflows only (decision 30): sending back what was read is
        # fine, another value is refused; what is stored is what the workflows say
        if refuse_evidence:
            refuse_written_evidence(registration, current_evidence(row))
        registration = with_register_evidence(session, row, _validated(session, registration))
        if registration == before:  # nothing to store, evaluate or audit
            evaluator = RegisterEvaluator(session, register.policy, register.today())
            return StoredRegistration(
                registration, row.version, evaluator.evaluate(registration), row.evaluated_on
            )
        values = registration_values(registration)
        changes = material_changes(registration_values(before), values)
        for name, value in values.items():
            setattr(row, name, value)
        if mark_renotification(uow, row.id, row.organisation_id, changes):
            apply_derived_fields(session, row)  # the notification no longer counts
            registration = registration_from_row(row)
        evaluator = RegisterEvaluator(session, register.policy, register.today())
        decision = evaluator.apply(row, registration)
        session.flush()  # raises StaleDataError if a concurrent writer won
        uow.audit(
            "update",
            "registration",
            row.id,
            organisation_id=row.organisation_id,
            before=_audit_view(before),
            after=_audit_view(registration),
        )
        return StoredRegistration(registration, row.version, decision, row.evaluated_on)


def delete_registration(
    register: Register, actor: Actor, registration_id: str, expected_version: int
) -> None:
    with unit_of_work(register.sessions, actor) as uow:
        session = uow.session
        row = registration_or_404(session, actor, registration_id)
        actor.require(Permission.WRITE_REGISTER)
        before = registration_from_row(row)
        if row.version != expected_version:
            raise VersionConflict(ObjectKind.REGISTRATION, registration_id, row.version, before)
        session.delete(row)
        session.flush()
        uow.audit(
            "delete",
            "registration",
            registration_id,
            organisation_id=before.organisation,
            before=_audit_view(before),
        )


def decisions(register: Register, actor: Actor, registration_id: str) -> Sequence[DecisionRow]:
    with read_only(register.sessions, actor) as session:
        registration_or_404(session, actor, registration_id)
        return repo.decisions_of(session, registration_id, actor.visible)


HISTORY_PAGE_SIZE = 100  # changes per page of a registration's history, API and page alike


@dataclass(frozen=True)
class HistoryPage:
    """One page of a registration's changes, newest first, and how many there are in all."""

    items: Sequence[AuditRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def history(
    register: Register,
    actor: Actor,
    registration_id: str,
    page: int = 1,
    page_size: int = HISTORY_PAGE_SIZE,
) -> Sequence[AuditRow]:
    """Who changed what (one page, newest first); see ``history_page``."""
    return history_page(register, actor, registration_id, page, page_size).items


def history_page(
    register: Register,
    actor: Actor,
    registration_id: str,
    page: int = 1,
    page_size: int = HISTORY_PAGE_SIZE,
) -> HistoryPage:
    """Who changed what, one page of ``page_size`` changes, newest first (the audit record's
    number orders them: pages neither overlap nor skip one); a deleted registration's history
    stays readable for its organisation. Page and total come from one snapshot."""
    page, page_size = max(page, 1), max(page_size, 1)
    with read_only(register.sessions, actor, consistent=True) as session:
        total = repo.audit_count(session, "registration", registration_id, actor.visible)
        if not total and repo.get_registration(session, registration_id, actor.visible) is None:
            raise NotFound(ObjectKind.REGISTRATION, registration_id)
        rows = repo.audit_of(
            session,
            "registration",
            registration_id,
            actor.visible,
            limit=page_size,
            offset=(page - 1) * page_size,
        )
        return HistoryPage(rows, total, page, page_size)


def refresh(register: Register, as_of: dt.date | None = None, batch: int = 2_000) -> int:
    """Re-evaluate every registration last evaluated before ``as_of`` (deadlines pass by) or
    under another revision of the policy (a new policy applies from the next start)."""
    day = as_of or register.today()
    total = 0
    while True:
        with system_session(register.sessions) as session, session.begin():
            rows = repo.stale_registrations(session, day, register.policy.revision, batch)
            if not rows:
                return total
            total += RegisterEvaluator(session, register.policy, day).refresh_all(rows)
