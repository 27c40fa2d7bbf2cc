"""Justifications in the browser: propose one for an advised-against finding, accept it (approver),
withdraw it, and the list of deviations for CIO Rijk."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from cloudtoets.http.deps import ActorDep, ObjectNumber, RegisterDep
from cloudtoets.presentation.environment import registration_url
from cloudtoets.problems import InputError
from cloudtoets.services import justifications as service
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.deviations import list_deviations
from cloudtoets.services.errors import InvalidTransition, VersionConflict
from cloudtoets.services.organisations import visible_organisations
from cloudtoets.services.permissions import Permission
from cloudtoets.services.workflow_steps import RoleRefused
from cloudtoets.web import workflow_summary  # noqa: F401  # the registration page asks it
from cloudtoets.web.dates import BadDate, shown_date, typed_date
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.forms import read_version
from cloudtoets.web.security import check_same_origin, requires
from cloudtoets.web.templating import redirect, render
from cloudtoets.web.workflow_inputs import errors_by_field, text, ticked

router = APIRouter(route_class=WebRoute)
# who may not write hears which role may, before any CSRF message (web/security.py)
WRITES = requires(Permission.WRITE_REGISTER)
# who may not approve hears which role may, before any CSRF message (web/security.py)
APPROVES = requires(Permission.APPROVE)

CONDITION_LABELS = {
    "continuity_risk_established": "Het continuïteitsrisico is vastgesteld",
    "risk_and_exit_tested": "De risico's en de exit zijn getest",
    "minister_consent_on": "Datum van de toestemming van de minister",
}


def justification_url(registration_id: str, justification_id: int, action: str = "") -> str:
    base = registration_url(registration_id, f"afwijkingen/{justification_id}")
    return f"{base}/{action}" if action else base


def _rule_title(register: Register, rule_id: str) -> str:
    try:
        return register.policy.rule(rule_id).title
    except KeyError:
        return rule_id


# ------------------------------------------------------------------------------ proposing


def _form_context(
    request: Request, register: Register, actor: Actor, registration_id: str
) -> dict[str, Any]:
    stored = registration_service.get_registration(register, actor, registration_id)
    active = service.active_by_rule(service.list_justifications(register, actor, registration_id))
    open_rules = [
        rule for rule in service.advised_against_rules(stored.decision) if rule not in active
    ]
    requires = {rule: service.required_conditions(register, rule) for rule in open_rules}
    return {
        "registration": stored.registration,
        "rule_options": [(rule, f"{_rule_title(register, rule)} ({rule})") for rule in open_rules],
        "requires": requires,
        "any_conditions": any(requires.values()),
        "replaces_entered": not service.list_justifications(register, actor, registration_id)
        and bool(stored.registration.justifications),
        "may_propose": actor.can(Permission.WRITE_REGISTER),
        "condition_labels": CONDITION_LABELS,
    }


def _proposal_page(
    request: Request,
    register: Register,
    actor: Actor,
    registration_id: str,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
    refusal: str | None = None,
) -> Response:
    context = _form_context(request, register, actor, registration_id)
    context.update(values=values, errors=errors or {}, form_errors=bool(errors), refusal=refusal)
    return render(
        request, "pages/justification_new.html", context, section="registrations", status=status
    )


@router.get("/registraties/{registration_id}/afwijkingen/nieuw", name="web_justification_new")
def proposal_form(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    rule = request.query_params.get("regel", "")
    return _proposal_page(request, register, actor, registration_id, {"rule": rule})


def _proposal(form: FormData) -> tuple[service.Proposal, dict[str, Any], dict[str, str]]:
    rule, reason, consent_text = (
        text(form, "rule"),
        text(form, "reason"),
        text(form, "minister_consent_on"),
    )
    continuity, tested = (
        ticked(form, "continuity_risk_established"),
        ticked(form, "risk_and_exit_tested"),
    )
    values: dict[str, Any] = {
        "rule": rule,
        "reason": reason,
        "continuity_risk_established": continuity,
        "risk_and_exit_tested": tested,
        "minister_consent_on": consent_text,
    }
    errors: dict[str, str] = {}
    try:
        consent = typed_date(consent_text)
    except BadDate as bad:
        consent, errors["minister_consent_on"] = None, bad.message
    proposal = service.Proposal(rule, reason, continuity, tested, consent)
    return proposal, values, errors


@router.post(
    "/registraties/{registration_id}/afwijkingen/nieuw",
    dependencies=[WRITES, Depends(check_same_origin)],
)
async def proposal_submit(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    form = await request.form()
    proposal, values, date_errors = _proposal(form)
    errors: dict[str, str] = {}
    try:
        created = await run_in_threadpool(
            service.propose_justification, register, actor, registration_id, proposal
        )
    except InputError as error:
        errors = errors_by_field(error.problems)
    except (InvalidTransition, RoleRefused) as refused:
        message, status = _refusal(refused)
        return _proposal_page(
            request, register, actor, registration_id, values, status=status, refusal=message
        )
    else:
        return redirect(
            request, justification_url(registration_id, created.id), flash="justification_proposed"
        )
    errors.update(date_errors)  # a date that could not be read: say that, not "missing"
    return _proposal_page(request, register, actor, registration_id, values, errors, 422)


# ------------------------------------------------------------------------------ one justification


def _detail_page(
    request: Request,
    register: Register,
    actor: Actor,
    registration_id: str,
    justification_id: ObjectNumber,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    refusal: str | None = None,
    status: int = 200,
) -> Response:
    justification = service.get_justification(register, actor, registration_id, justification_id)
    stored = registration_service.get_registration(register, actor, registration_id)
    context = {
        "registration": stored.registration,
        "justification": justification,
        "rule_title": _rule_title(register, justification.rule),
        "requires": service.required_conditions(register, justification.rule),
        "state_label": service.STATE_LABELS.get(justification.state, justification.state),
        "may_accept": actor.can(Permission.APPROVE) and justification.state == "proposed",
        "may_propose": actor.can(Permission.WRITE_REGISTER),
        "may_withdraw": actor.can(Permission.WRITE_REGISTER)
        and justification.state in service.WITHDRAWABLE,
        "values": values or {"accepted_on": shown_date(register.today())},
        "errors": errors or {},
        "form_errors": bool(errors),
        "refusal": refusal,
        "url": lambda action="": justification_url(registration_id, justification_id, action),
    }
    return render(
        request, "pages/justification.html", context, section="registrations", status=status
    )


@router.get(
    "/registraties/{registration_id}/afwijkingen/{justification_id}", name="web_justification"
)
def justification_page(
    registration_id: str,
    justification_id: ObjectNumber,
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
) -> Response:
    return _detail_page(request, register, actor, registration_id, justification_id)


def _refusal(error: Exception) -> tuple[str, int]:
    if isinstance(error, RoleRefused):
        return error.detail, 403
    if isinstance(error, VersionConflict):
        return (
            "Iemand anders heeft deze afwijking intussen gewijzigd. Hieronder staat hoe zij nu "
            "is; probeer het zo nodig opnieuw.",
            409,
        )
    assert isinstance(error, InvalidTransition)
    return error.message, 409


async def _take_step(
    request: Request,
    register: Register,
    actor: Actor,
    registration_id: str,
    justification_id: ObjectNumber,
    step: Callable[[], object],
    flash: str,
    values: dict[str, Any] | None = None,
) -> Response:
    """Run one step of the justification (in a thread); on success back to its page with
    ``flash``, else its page with the problems by field (422) or why it was refused."""
    try:
        await run_in_threadpool(step)
    except InputError as error:
        return _detail_page(
            request,
            register,
            actor,
            registration_id,
            justification_id,
            values=values,
            errors=errors_by_field(error.problems),
            status=422,
        )
    except (InvalidTransition, RoleRefused, VersionConflict) as refused:
        message, status = _refusal(refused)
        return _detail_page(
            request,
            register,
            actor,
            registration_id,
            justification_id,
            values=values,
            refusal=message,
            status=status,
        )
    return redirect(request, justification_url(registration_id, justification_id), flash=flash)


@router.post(
    "/registraties/{registration_id}/afwijkingen/{justification_id}/accepteren",
    dependencies=[APPROVES, Depends(check_same_origin)],
)
async def accept_submit(
    registration_id: str,
    justification_id: ObjectNumber,
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
) -> Response:
    form = await request.form()
    values = {key: text(form, key) for key in ("name", "role", "accepted_on")}
    errors: dict[str, str] = {}
    try:
        accepted_on = typed_date(values["accepted_on"]) or register.today()
    except BadDate as bad:
        accepted_on, errors["accepted_on"] = register.today(), bad.message
        others = service.acceptance_problems(
            register, service.Acceptance(values["name"], values["role"], accepted_on)
        )
        errors = {**errors_by_field(others), **errors}
    if not errors:
        acceptance = service.Acceptance(values["name"], values["role"], accepted_on)
        step = partial(
            service.accept_justification,
            register,
            actor,
            registration_id,
            justification_id,
            acceptance,
            read_version(form),
        )
        return await _take_step(
            request,
            register,
            actor,
            registration_id,
            justification_id,
            step,
            "justification_accepted",
            values,
        )
    return _detail_page(
        request,
        register,
        actor,
        registration_id,
        justification_id,
        values=values,
        errors=errors,
        status=422,
    )


@router.post(
    "/registraties/{registration_id}/afwijkingen/{justification_id}/intrekken",
    dependencies=[WRITES, Depends(check_same_origin)],
)
async def withdraw_submit(
    registration_id: str,
    justification_id: ObjectNumber,
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
) -> Response:
    form = await request.form()
    step = partial(
        service.withdraw_justification,
        register,
        actor,
        registration_id,
        justification_id,
        read_version(form),
    )
    return await _take_step(
        request, register, actor, registration_id, justification_id, step, "justification_withdrawn"
    )


@router.post(
    "/registraties/{registration_id}/afwijkingen/{justification_id}/terugsturen",
    dependencies=[APPROVES, Depends(check_same_origin)],
)
async def return_submit(
    registration_id: str,
    justification_id: ObjectNumber,
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
) -> Response:
    form = await request.form()
    values = {"reason": text(form, "reason")}
    step = partial(
        service.return_justification,
        register,
        actor,
        registration_id,
        justification_id,
        values["reason"],
        read_version(form),
    )
    return await _take_step(
        request,
        register,
        actor,
        registration_id,
        justification_id,
        step,
        "justification_returned",
        values,
    )


# ------------------------------------------------------------------------------ deviations


@router.get("/afwijkingen", name="web_deviations")
def deviations_page(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    organisations = {o.id: o.name for o in visible_organisations(register, actor)}
    return render(
        request,
        "pages/justifications.html",
        {
            "deviations": list_deviations(register, actor),
            "organisation_names": organisations,
            "rule_title": lambda rule: _rule_title(register, rule),
        },
        section="justifications",
    )
