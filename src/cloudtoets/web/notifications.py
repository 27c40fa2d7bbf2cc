"""Notifications to CIO Rijk in the browser: the inbox "Meldingen", one notification with its
snapshot, thread and the steps the user's role allows, signed packages out and in."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from cloudtoets.domain.clock import amsterdam_date
from cloudtoets.http.deps import ActorDep, ObjectNumber, RegisterDep
from cloudtoets.problems import InputError
from cloudtoets.services import notification_packages as packages
from cloudtoets.services import notifications as service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import InvalidTransition, VersionConflict
from cloudtoets.services.notification_states import (
    INBOX_ORDER,
    STATE_LABELS,
    STEPS,
    allowed_steps,
)
from cloudtoets.services.organisations import visible_organisations
from cloudtoets.services.package_signing import KeyProblem
from cloudtoets.services.permissions import Permission
from cloudtoets.services.providers import provider_names
from cloudtoets.services.workflow_steps import RoleRefused
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.forms import read_version
from cloudtoets.web.security import check_same_origin, requires
from cloudtoets.web.templating import redirect, render
from cloudtoets.web.workflow_inputs import text

router = APIRouter(route_class=WebRoute)
# who may not write hears which role may, before any CSRF message (web/security.py)
WRITES = requires(Permission.WRITE_REGISTER)

# the address of each step, its service step, button text and flash message
STEP_PATHS = {
    "indienen": ("submit", "Dien de melding in", "notification_submitted"),
    "ontvangen": ("receive", "Neem de melding in behandeling", "notification_received"),
    "opmerking": ("comment", "Plaats de opmerking", "notification_commented"),
    "vraag": ("question", "Stel de vraag", "notification_question"),
    "antwoord": ("answer", "Verstuur het antwoord", "notification_answered"),
    "afsluiten": ("close", "Sluit de melding af", "notification_closed"),
}
PATH_OF_STEP = {step: path for path, (step, _, _) in STEP_PATHS.items()}


def notification_url(notification_id: int, action: str = "") -> str:
    return f"/meldingen/{notification_id}" + (f"/{action}" if action else "")


def _days_open(summary: service.NotificationSummary, today: dt.date) -> int | None:
    if summary.submitted_at is None or summary.state == "closed":
        return None
    return max(0, (today - amsterdam_date(summary.submitted_at)).days)


# ------------------------------------------------------------------------------ the inbox


@router.get("/meldingen", name="web_notifications")
def inbox(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    chosen = request.query_params.get("toestand", "")
    state = chosen if chosen in STATE_LABELS else None
    organisations = visible_organisations(register, actor)
    organisation = request.query_params.get("organisatie", "")
    visible = {o.id for o in organisations}
    found = service.list_notifications(
        register,
        actor,
        state=state,
        organisation=organisation if organisation in visible else None,
    )
    today = register.today()
    groups = [
        (key, STATE_LABELS[key], [n for n in found if n.state == key])
        for key in INBOX_ORDER
        if any(n.state == key for n in found)
    ]
    return render(
        request,
        "pages/notifications.html",
        {
            "groups": groups,
            "total": len(found),
            "days_open": lambda n: _days_open(n, today),
            "state_options": [(key, STATE_LABELS[key]) for key in INBOX_ORDER],
            "chosen_state": state or "",
            "organisation_options": [(o.id, o.name) for o in organisations],
            "chosen_organisation": organisation if organisation in visible else "",
            "organisation_names": {o.id: o.name for o in organisations},
            "may_import": actor.can(Permission.HANDLE_NOTIFICATIONS),
            "inbox_current": True,
        },
        section="notifications",
    )


# ------------------------------------------------------------------------------ importing


def _import_page(
    request: Request, error: str | None = None, status: int = 200, *, actor: Actor
) -> Response:
    errors = {"bestand": error} if error else {}
    return render(
        request,
        "pages/notification_import.html",
        {
            "errors": errors,
            "form_errors": errors,
            "may_import": actor.can(Permission.HANDLE_NOTIFICATIONS),
            "inbox_current": True,
        },
        section="notifications",
        status=status,
    )


@router.get("/meldingen/importeren", name="web_notification_import")
def import_form(request: Request, actor: ActorDep) -> Response:
    return _import_page(request, actor=actor)


@router.post(
    "/meldingen/importeren",
    dependencies=[requires(Permission.HANDLE_NOTIFICATIONS), Depends(check_same_origin)],
)
async def import_submit(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    limit = register.settings.max_upload_bytes
    form = await request.form(max_part_size=limit + 1024)
    upload = form.get("bestand")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _import_page(request, "Kies het bestand met het meldingspakket.", 422, actor=actor)
    data = await upload.read(limit + 1)
    if len(data) > limit:
        return _import_page(request, "Het bestand is te groot.", 422, actor=actor)
    try:
        imported = await run_in_threadpool(packages.import_package, register, actor, data)
    except RoleRefused as refused:
        return _import_page(request, refused.detail, 403, actor=actor)
    except InputError as error:
        return _import_page(request, error.problems[0].message, 422, actor=actor)
    except KeyProblem as problem:
        return _import_page(request, str(problem), 422, actor=actor)
    return redirect(request, notification_url(imported.id), flash="notification_imported")


# ------------------------------------------------------------------------------ one notification


def _page(
    request: Request,
    register: Register,
    actor: Actor,
    notification_id: ObjectNumber,
    *,
    refusal: str | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    notification = service.get_notification(register, actor, notification_id)
    organisations = {o.id: o.name for o in visible_organisations(register, actor)}
    snapshot = notification.snapshot or {}
    provider = (snapshot.get("registration") or {}).get("provider")
    steps = allowed_steps(actor, notification.state)
    return render(
        request,
        "pages/notification.html",
        {
            "notification": notification,
            "snapshot": snapshot,
            "registration_name": (snapshot.get("registration") or {}).get("name")
            or notification.registration,
            "organisation_name": organisations.get(
                notification.organisation, notification.organisation
            ),
            # the provider by name, as everywhere else; an unknown id as itself
            "provider_name": provider_names(register, actor).get(provider, provider)
            if provider
            else None,
            "state_label": STATE_LABELS.get(notification.state, notification.state),
            "steps": steps,
            "step_paths": PATH_OF_STEP,
            "step_buttons": {step: label for step, label, _ in STEP_PATHS.values()},
            "may_renotify": notification.renotification_needed
            and actor.can(Permission.WRITE_REGISTER),
            "refusal": refusal,
            "values": values or {},
            "errors": errors or {},
            "form_errors": bool(errors),
            "url": lambda action="": notification_url(notification_id, action),
            "inbox_current": actor.can(Permission.HANDLE_NOTIFICATIONS),
        },
        section="notifications",
        status=status,
    )


@router.get("/meldingen/{notification_id}", name="web_notification")
def notification_page(
    notification_id: ObjectNumber, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    return _page(request, register, actor, notification_id)


@router.get("/meldingen/{notification_id}/pakket", name="web_notification_package")
def package_download(
    notification_id: ObjectNumber, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    try:
        package = packages.export_package(register, actor, notification_id)
    except (InvalidTransition, KeyProblem) as refused:
        message = refused.message if isinstance(refused, InvalidTransition) else str(refused)
        return _page(request, register, actor, notification_id, refusal=message, status=409)
    return Response(
        packages.package_bytes(package),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="melding-{notification_id}.json"'},
    )


def _add_step_route(path: str) -> None:
    step, _, flash = STEP_PATHS[path]

    async def take(
        notification_id: ObjectNumber, request: Request, register: RegisterDep, actor: ActorDep
    ) -> Response:
        form = await request.form()
        message = text(form, "text")
        try:
            await run_in_threadpool(
                service.take_step,
                register,
                actor,
                notification_id,
                step,
                read_version(form),
                message,
            )
        except InputError as error:
            errors = {f"{step}-text": error.problems[0].message}
            values = {f"{step}-text": message}
            return _page(
                request, register, actor, notification_id, values=values, errors=errors, status=422
            )
        except (InvalidTransition, RoleRefused, VersionConflict) as refused:
            return _page(
                request,
                register,
                actor,
                notification_id,
                refusal=_refusal_text(refused),
                values={f"{step}-text": message},
                status=403 if isinstance(refused, RoleRefused) else 409,
            )
        return redirect(request, notification_url(notification_id), flash=flash)

    router.add_api_route(
        f"/meldingen/{{notification_id}}/{path}",
        take,
        methods=["POST"],
        # the step's own role first: another role reads which role may, never a CSRF message
        dependencies=[requires(STEPS[step].permission), Depends(check_same_origin)],
        name=f"web_notification_{step}",
    )


def _refusal_text(refused: Exception) -> str:
    if isinstance(refused, RoleRefused):
        return refused.detail
    if isinstance(refused, VersionConflict):
        return (
            "Iemand anders heeft deze melding intussen gewijzigd. Hieronder staat hoe zij nu is; "
            "probeer het zo nodig opnieuw."
        )
    assert isinstance(refused, InvalidTransition)
    return refused.message


for _path in STEP_PATHS:
    _add_step_route(_path)


@router.post(
    "/registraties/{registration_id}/meldingen/nieuw",
    dependencies=[WRITES, Depends(check_same_origin)],
)
async def create_submit(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    await request.form()  # the CSRF token travels in the form
    try:
        created = await run_in_threadpool(
            service.create_notification, register, actor, registration_id
        )
    except (InvalidTransition, RoleRefused) as refused:
        return render(
            request,
            "pages/notification_refused.html",
            {"registration_id": registration_id, "message": _refusal_text(refused)},
            section="registrations",
            status=403 if isinstance(refused, RoleRefused) else 409,
        )
    return redirect(request, notification_url(created.id), flash="notification_created")
