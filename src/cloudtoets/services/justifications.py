"""Comply or explain: justifications of advised-against findings as workflow objects (S4.5, S3.3).

An editor proposes a justification for a rule that has an advised-against finding on the
registration today; an approver accepts it on behalf of the responsible official, and that
acceptance reports it to CIO Rijk as a deviation (``reported_on`` is the acceptance date). Either
may be withdrawn. An approver may also send a proposal back with a reason (state ``returned``):
the editor sees why on the overview and proposes anew. Nobody accepts their own proposal (four
eyes). A registration has at most one active (proposed or accepted) justification per
rule. The registration's ``justifications`` field follows the accepted ones
(services/workflow_projection.py), so an acceptance makes the finding ``justified`` at once.

Justifications that were entered with the registration itself (a form or an import) are taken
over as workflow objects at the first proposal, so none is lost when the workflow starts; one for
the proposed rule is withdrawn in favour of the proposal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloudtoets.domain.decision import Decision
from cloudtoets.domain.vocabulary import Severity
from cloudtoets.problems import InputError, Problem
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import InvalidTransition, NotFound, ObjectKind, VersionConflict
from cloudtoets.services.evaluation import RegisterEvaluator
from cloudtoets.services.permissions import Permission
from cloudtoets.services.registrations import registration_or_404
from cloudtoets.services.uow import UnitOfWork, read_only, unit_of_work
from cloudtoets.services.workflow_projection import sync_registration
from cloudtoets.services.workflow_steps import (
    Returned,
    require_other_than_drafter,
    require_role,
    return_reason_problem,
    returned_of,
)
from cloudtoets.store.mapping import registration_from_row
from cloudtoets.store.tables import RegistrationRow
from cloudtoets.store.workflows import JustificationRow

ACTIVE_STATES = ("proposed", "accepted")
# a returned proposal is withdrawn when the editor does not propose anew (off the overview)
WITHDRAWABLE = (*ACTIVE_STATES, "returned")
KIND = ObjectKind.JUSTIFICATION
NAME_LIMIT = 200  # the columns for names and roles
REASON_LIMIT = 10_000

EDITOR_ONLY = "Alleen een bewerker van de organisatie kan een afwijking voorstellen of intrekken."
RETURN_APPROVER_ONLY = "Alleen een accordeerder van de organisatie kan een voorstel terugsturen."
APPROVER_ONLY = (
    "Alleen een accordeerder van de organisatie kan een afwijking accepteren, namens de "
    "verantwoordelijke bewindspersoon of bestuurder."
)


@dataclass(frozen=True, slots=True)
class Proposal:
    """What an editor proposes: the rule, why, and for e-mail and documents the conditions."""

    rule: str
    reason: str
    continuity_risk_established: bool = False
    risk_and_exit_tested: bool = False
    minister_consent_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Acceptance:
    """Who accepts on behalf of the responsible official, and when."""

    name: str
    role: str
    accepted_on: dt.date


@dataclass(frozen=True, slots=True)
class JustificationView:
    id: int
    registration: str
    organisation: str
    rule: str
    state: str
    reason: str
    continuity_risk_established: bool
    risk_and_exit_tested: bool
    minister_consent_on: dt.date | None
    accepted_by_name: str | None
    accepted_by_role: str | None
    accepted_on: dt.date | None
    accepted_by_user: str | None
    reported_on: dt.date | None
    created_by: str
    returned: Returned | None  # sent back by an approver: the editor proposes anew
    provenance: str | None  # from an import: who, when, which file (declared evidence)
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


def view(row: JustificationRow) -> JustificationView:
    return JustificationView(
        id=row.id,
        registration=row.registration_id,
        organisation=row.organisation_id,
        rule=row.rule,
        state=row.state,
        reason=row.reason,
        continuity_risk_established=row.continuity_risk_established,
        risk_and_exit_tested=row.risk_and_exit_tested,
        minister_consent_on=row.minister_consent_on,
        accepted_by_name=row.accepted_by_name,
        accepted_by_role=row.accepted_by_role,
        accepted_on=row.accepted_on,
        accepted_by_user=row.accepted_by_user,
        reported_on=row.reported_on,
        created_by=row.created_by,
        returned=returned_of(row.returned_reason, row.returned_by, row.returned_on),
        provenance=row.provenance,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


def _audit_view(row: JustificationRow) -> dict[str, Any]:
    return {
        "registration": row.registration_id,
        "rule": row.rule,
        "state": row.state,
        "reason": row.reason,
        "continuity_risk_established": row.continuity_risk_established,
        "risk_and_exit_tested": row.risk_and_exit_tested,
        "minister_consent_on": _iso(row.minister_consent_on),
        "accepted_by_name": row.accepted_by_name,
        "accepted_by_role": row.accepted_by_role,
        "proposed_by_user": row.created_by,
        "accepted_by_user": row.accepted_by_user,
        "accepted_on": _iso(row.accepted_on),
        "reported_on": _iso(row.reported_on),
        "returned_reason": row.returned_reason,
        "returned_by_user": row.returned_by,
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# ------------------------------------------------------------------------------ reading


def _rows_of(session: Session, registration_id: str) -> list[JustificationRow]:
    return list(
        session.scalars(
            select(JustificationRow)
            .where(JustificationRow.registration_id == registration_id)
            .order_by(JustificationRow.id)
        )
    )


def list_justifications(
    register: Register, actor: Actor, registration_id: str
) -> list[JustificationView]:
    """Every justification of a registration, oldest first (withdrawn ones too)."""
    with read_only(register.sessions, actor) as session:
        registration_or_404(session, actor, registration_id)
        return [view(row) for row in _rows_of(session, registration_id)]


def get_justification(
    register: Register, actor: Actor, registration_id: str, justification_id: int
) -> JustificationView:
    with read_only(register.sessions, actor) as session:
        return view(_row_or_404(session, actor, registration_id, justification_id))


def _row_or_404(
    session: Session, actor: Actor, registration_id: str, justification_id: int
) -> JustificationRow:
    registration_or_404(session, actor, registration_id)
    row = session.get(JustificationRow, justification_id)
    if (
        row is None
        or row.registration_id != registration_id
        or not actor.may_see(row.organisation_id)
    ):
        raise NotFound(KIND, str(justification_id))
    return row


def advised_against_rules(decision: Decision) -> list[str]:
    """The rules with an advised-against finding in a decision: what may be justified."""
    return [f.rule for f in decision.findings if f.severity == Severity.ADVISED_AGAINST]


def current_decision(register: Register, session: Session, row: RegistrationRow) -> Decision:
    evaluator = RegisterEvaluator(session, register.policy, register.today())
    return evaluator.evaluate(registration_from_row(row))


def required_conditions(register: Register, rule_id: str) -> tuple[str, ...]:
    """The extra conditions the policy asks of a justification of this rule (e-mail and
    documents: continuity risk established, risk and exit tested, the minister's consent)."""
    try:
        return tuple(str(c) for c in register.policy.rule(rule_id).justification_requires)
    except KeyError:
        return ()


def date_or_none(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


# ------------------------------------------------------------------------------ checking


def proposal_problems(register: Register, decision: Decision, proposal: Proposal) -> list[Problem]:
    """Everything wrong with a proposal, each with its field (for the form and the API)."""
    problems: list[Problem] = []

    def add(field: str, message: str) -> None:
        problems.append(Problem(f"veld {field}", message, None, field))

    rule = proposal.rule.strip()
    if not rule:
        add("rule", "Kies de regel waarvoor u een afwijking voorstelt.")
    elif rule not in advised_against_rules(decision):
        add(
            "rule",
            f"Regel {rule} heeft bij deze registratie geen bevinding 'afgeraden'. Een afwijking "
            "(pas toe of leg uit) kan alleen bij een afgeraden bevinding.",
        )
    if not proposal.reason.strip():
        add("reason", "Leg uit waarom u afwijkt van het advies.")
    elif len(proposal.reason) > REASON_LIMIT:
        add("reason", f"De uitleg is te lang; gebruik hoogstens {REASON_LIMIT} tekens.")
    required = required_conditions(register, rule)
    if "continuity_risk_established" in required and not proposal.continuity_risk_established:
        add(
            "continuity_risk_established",
            "Bevestig dat het continuïteitsrisico is vastgesteld. Zonder die vaststelling kan "
            "het beleid geen afwijking toestaan.",
        )
    if "risk_and_exit_tested" in required and not proposal.risk_and_exit_tested:
        add(
            "risk_and_exit_tested",
            "Bevestig dat de risico's en de exit zijn getest. Zonder die test kan het beleid "
            "geen afwijking toestaan.",
        )
    if "minister_consent_on" in required:
        if proposal.minister_consent_on is None:
            add(
                "minister_consent_on",
                "Vul de datum in waarop de minister toestemming gaf.",
            )
        elif proposal.minister_consent_on > register.today():
            add(
                "minister_consent_on",
                "De datum van de toestemming ligt in de toekomst. Vul de datum in waarop de "
                "minister toestemming gaf.",
            )
    return problems


def acceptance_problems(register: Register, acceptance: Acceptance) -> list[Problem]:
    problems: list[Problem] = []

    def add(field: str, message: str) -> None:
        problems.append(Problem(f"veld {field}", message, None, field))

    if not acceptance.name.strip():
        add("name", "Vul de naam in van wie namens de verantwoordelijke accepteert.")
    elif len(acceptance.name) > NAME_LIMIT:
        add("name", f"De naam is te lang; gebruik hoogstens {NAME_LIMIT} tekens.")
    if not acceptance.role.strip():
        add("role", "Vul de functie in, bijvoorbeeld secretaris-generaal.")
    elif len(acceptance.role) > NAME_LIMIT:
        add("role", f"De functie is te lang; gebruik hoogstens {NAME_LIMIT} tekens.")
    if acceptance.accepted_on > register.today():
        add(
            "accepted_on",
            "De datum van acceptatie ligt in de toekomst. Vul de datum van vandaag in of een "
            "eerdere.",
        )
    return problems


# ------------------------------------------------------------------------------ changing


def _take_over_entered(uow: UnitOfWork, registration: RegistrationRow, proposed_rule: str) -> None:
    """Make the justifications entered with the registration workflow objects (first proposal
    only): accepted ones stay accepted; one for the proposed rule makes way for the proposal."""
    for item in registration.justifications or []:
        rule = str(item.get("rule", ""))
        replaced = rule == proposed_rule
        row = JustificationRow(
            registration_id=registration.id,
            organisation_id=registration.organisation_id,
            rule=rule,
            state="withdrawn" if replaced else "accepted",
            reason=str(item.get("reason") or ""),
            continuity_risk_established=bool(item.get("continuity_risk_established")),
            risk_and_exit_tested=bool(item.get("risk_and_exit_tested")),
            minister_consent_on=date_or_none(item.get("minister_consent_on")),
            accepted_by_name=item.get("accepted_by"),
            accepted_on=date_or_none(item.get("accepted_on")),
            reported_on=date_or_none(item.get("reported_on")),
            created_by=uow.actor.user,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit(
            "take-over",
            "justification",
            str(row.id),
            organisation_id=row.organisation_id,
            after=_audit_view(row),
        )


def propose_justification(
    register: Register, actor: Actor, registration_id: str, proposal: Proposal
) -> JustificationView:
    """Propose a justification for a rule with an advised-against finding today."""
    with unit_of_work(register.sessions, actor) as uow:
        session = uow.session
        registration = registration_or_404(session, actor, registration_id)
        require_role(actor, Permission.WRITE_REGISTER, EDITOR_ONLY)
        decision = current_decision(register, session, registration)
        problems = proposal_problems(register, decision, proposal)
        if problems:
            raise InputError(f"afwijking bij {registration_id}", problems)
        rule = proposal.rule.strip()
        rows = _rows_of(session, registration_id)
        active = [r for r in rows if r.rule == rule and r.state in ACTIVE_STATES]
        if active:
            state = "voorgesteld" if active[0].state == "proposed" else "geaccepteerd"
            raise InvalidTransition(
                KIND,
                str(active[0].id),
                f"Voor regel {rule} is al een afwijking {state} (nummer {active[0].id}). Trek "
                "die eerst in als u een nieuwe wilt voorstellen.",
            )
        if not rows:
            _take_over_entered(uow, registration, rule)
        required = required_conditions(register, rule)
        row = JustificationRow(
            registration_id=registration_id,
            organisation_id=registration.organisation_id,
            rule=rule,
            state="proposed",
            reason=proposal.reason.strip(),
            continuity_risk_established=proposal.continuity_risk_established,
            risk_and_exit_tested=proposal.risk_and_exit_tested,
            minister_consent_on=(
                proposal.minister_consent_on if "minister_consent_on" in required else None
            ),
            created_by=actor.user,
        )
        session.add(row)
        session.flush()
        uow.audit(
            "propose",
            "justification",
            str(row.id),
            organisation_id=row.organisation_id,
            after=_audit_view(row),
        )
        sync_registration(uow, register, registration_id)
        return view(row)


def _version_check(row: JustificationRow, expected_version: int) -> None:
    if row.version != expected_version:
        raise VersionConflict(KIND, str(row.id), row.version, view(row))


def _require_proposed(row: JustificationRow, done: str) -> None:
    """InvalidTransition unless the justification waits as a proposal."""
    if row.state != "proposed":
        raise InvalidTransition(
            KIND,
            str(row.id),
            f"Deze afwijking is {_STATE_WORDS[row.state]}; alleen een voorgestelde afwijking "
            f"kan worden {done}.",
        )


def _record(uow: UnitOfWork, row: JustificationRow, action: str, before: dict[str, Any]) -> None:
    """Flush the step (a concurrent writer's win raises here) and write its audit record."""
    uow.session.flush()
    uow.audit(
        action,
        "justification",
        str(row.id),
        organisation_id=row.organisation_id,
        before=before,
        after=_audit_view(row),
    )


def accept_justification(
    register: Register,
    actor: Actor,
    registration_id: str,
    justification_id: int,
    acceptance: Acceptance,
    expected_version: int,
) -> JustificationView:
    """Accept a proposal on behalf of the responsible official; this reports the deviation to
    CIO Rijk on the acceptance date."""
    with unit_of_work(register.sessions, actor) as uow:
        row = _row_or_404(uow.session, actor, registration_id, justification_id)
        require_role(actor, Permission.APPROVE, APPROVER_ONLY)
        _version_check(row, expected_version)
        _require_proposed(row, "geaccepteerd")
        require_other_than_drafter(actor, (row.created_by,), "deze afwijking")
        problems = acceptance_problems(register, acceptance)
        if problems:
            raise InputError(f"acceptatie van afwijking {justification_id}", problems)
        before = _audit_view(row)
        row.state = "accepted"
        row.accepted_by_name = acceptance.name.strip()
        row.accepted_by_role = acceptance.role.strip()
        row.accepted_on = acceptance.accepted_on
        row.accepted_by_user = actor.user
        row.reported_on = acceptance.accepted_on
        _record(uow, row, "accept", before)
        sync_registration(uow, register, registration_id)
        return view(row)


def withdraw_justification(
    register: Register,
    actor: Actor,
    registration_id: str,
    justification_id: int,
    expected_version: int,
) -> JustificationView:
    """Withdraw a proposed or accepted justification (the finding is no longer justified), or a
    returned one the editors do not propose anew."""
    with unit_of_work(register.sessions, actor) as uow:
        row = _row_or_404(uow.session, actor, registration_id, justification_id)
        require_role(actor, Permission.WRITE_REGISTER, EDITOR_ONLY)
        _version_check(row, expected_version)
        if row.state not in WITHDRAWABLE:
            raise InvalidTransition(
                KIND,
                str(row.id),
                f"Deze afwijking is {_STATE_WORDS[row.state]}; intrekken is niet meer nodig.",
            )
        before = _audit_view(row)
        row.state = "withdrawn"
        _record(uow, row, "withdraw", before)
        sync_registration(uow, register, registration_id)
        return view(row)


def return_justification(
    register: Register,
    actor: Actor,
    registration_id: str,
    justification_id: int,
    reason: str,
    expected_version: int,
) -> JustificationView:
    """Send a proposal back to the editors with a reason: it no longer waits for acceptance,
    and an editor can propose anew for the same rule."""
    with unit_of_work(register.sessions, actor) as uow:
        row = _row_or_404(uow.session, actor, registration_id, justification_id)
        require_role(actor, Permission.APPROVE, RETURN_APPROVER_ONLY)
        _version_check(row, expected_version)
        _require_proposed(row, "teruggestuurd")
        problem = return_reason_problem(reason)
        if problem is not None:
            raise InputError(f"terugsturen van afwijking {justification_id}", [problem])
        before = _audit_view(row)
        row.state = "returned"
        row.returned_reason = reason.strip()
        row.returned_by = actor.user
        row.returned_on = register.today()
        _record(uow, row, "return", before)
        return view(row)


_STATE_WORDS = {
    "proposed": "voorgesteld",
    "accepted": "al geaccepteerd",
    "withdrawn": "ingetrokken",
    "returned": "teruggestuurd",
    "declared": "ingevoerd bij een import en wacht op bevestiging (pagina Te bevestigen)",
}

STATE_LABELS = {
    "proposed": "voorgesteld",
    "accepted": "geaccepteerd",
    "withdrawn": "ingetrokken",
    "returned": "teruggestuurd",
    # from an imported file, waiting for an approver (services/declared_evidence.py)
    "declared": "ingevoerd, nog niet bevestigd",
}


def active_by_rule(justifications: Sequence[JustificationView]) -> dict[str, JustificationView]:
    """The active justification per rule."""
    return {j.rule: j for j in justifications if j.state in ACTIVE_STATES}
