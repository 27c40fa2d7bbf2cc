"""Te bevestigen: the evidence an import declared (risk assessments, exit plans, notifications
from before the register), for the approver of the organisation to confirm one by one or all at
once. Until confirmed it does not count (services/declared_evidence.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from cloudtoets.http.deps import ActorDep, ObjectNumber, RegisterDep
from cloudtoets.services import declared_evidence as service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import InvalidTransition
from cloudtoets.services.permissions import Permission
from cloudtoets.services.workflow_steps import RoleRefused
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.security import check_same_origin, requires
from cloudtoets.web.templating import redirect, render

router = APIRouter(route_class=WebRoute)
# who may not approve hears which role may, before any CSRF message (web/security.py)
APPROVES = requires(Permission.APPROVE)

PAGE = "/te-bevestigen"


def _page(
    request: Request,
    register: Register,
    actor: Actor,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    items = service.waiting(register, actor)
    context: dict[str, Any] = {
        "items": items,
        "may_confirm": actor.can(Permission.APPROVE),
        "errors": errors or {},
    }
    return render(request, "pages/declared_evidence.html", context, status=status)


@router.get(PAGE)
def declared_page(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    return _page(request, register, actor)


def _refused(
    request: Request, register: Register, actor: Actor, error: Exception, anchor: str
) -> Response:
    if isinstance(error, RoleRefused):
        message, status = error.detail, 403
    else:
        assert isinstance(error, InvalidTransition)
        message, status = error.message, 409
    return _page(request, register, actor, errors={anchor: message}, status=status)


@router.post(
    f"{PAGE}/{{kind}}/{{item_id}}/bevestigen", dependencies=[APPROVES, Depends(check_same_origin)]
)
async def confirm_one(
    kind: str, item_id: ObjectNumber, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    key = f"{kind}:{item_id}"
    try:
        await run_in_threadpool(service.confirm_declared, register, actor, key)
    except (RoleRefused, InvalidTransition) as error:
        return _refused(request, register, actor, error, f"bevestig-{kind}-{item_id}")
    return redirect(request, PAGE, flash="declared_confirmed", numbers=[1])


@router.post(f"{PAGE}/bevestigen", dependencies=[APPROVES, Depends(check_same_origin)])
async def confirm_all(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    form = await request.form()
    keys = [str(value)[:40] for value in form.getlist("bewijs")][:1000]
    if not keys:
        return _page(
            request,
            register,
            actor,
            errors={"alles-bevestigen": "Er is niets gekozen om te bevestigen."},
            status=422,
        )
    try:
        done = await run_in_threadpool(service.confirm_declared_in_bulk, register, actor, keys)
    except (RoleRefused, InvalidTransition) as error:
        return _refused(request, register, actor, error, "alles-bevestigen")
    return redirect(request, PAGE, flash="declared_confirmed", numbers=[len(done)])
