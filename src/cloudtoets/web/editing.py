"""Adding and changing a registration: one form, POST -> 303 -> GET, 422 with messages, 409 on a
concurrent change (both versions side by side)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from cloudtoets.domain.model import Registration
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.presentation.environment import registration_url
from cloudtoets.problems import InputError
from cloudtoets.services import registrations as service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import AlreadyExists, NotFound, ObjectKind, VersionConflict
from cloudtoets.services.organisations import visible_organisations
from cloudtoets.services.permissions import Permission
from cloudtoets.services.providers import own_providers, provider_names
from cloudtoets.services.registration_input import check_registration_input
from cloudtoets.services.workflow_projection import WORKFLOW_FIELDS
from cloudtoets.web import fields, forms
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.forms import FormErrors
from cloudtoets.web.security import check_same_origin, requires
from cloudtoets.web.templating import redirect, render

router = APIRouter(route_class=WebRoute)

NEW = "/registraties/nieuw"
RESERVED_IDS = frozenset({"nieuw"})


def _form_page(
    request: Request,
    register: Register,
    actor: Actor,
    values: dict[str, Any],
    *,
    stored: service.StoredRegistration | None = None,
    version: int | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    organisations = visible_organisations(register, actor)
    own = own_providers(register, actor)
    options = forms.form_options(organisations, own, values.get("provider") or None)
    errors = errors or FormErrors()
    context = {
        "values": values,
        "errors": errors.fields,
        "error_list": errors.summary,
        "form_errors": errors.fields,
        "themes": fields.FORM_THEMES,
        "choices": fields.choices,
        "list_modes": fields.list_modes,
        "mode_suffix": fields.LIST_MODE_SUFFIX,
        "options": options,
        "stored": stored,
        "registration": stored.registration if stored else None,
        "version": version if version is not None else (stored.version if stored else None),
        "action": registration_url(stored.registration.id, "bewerken") if stored else NEW,
    }
    return render(
        request, "pages/editing_form.html", context, section="registrations", status=status
    )


# only an editor gets the form, and a refused POST names that role before any CSRF message
WRITES = requires(Permission.WRITE_REGISTER)


@router.get(NEW, name="web_new", dependencies=[WRITES])
def new_form(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    organisations = visible_organisations(register, actor)
    chosen = request.query_params.get("organisatie")
    if chosen not in {o.id for o in organisations}:
        chosen = organisations[0].id if len(organisations) == 1 else None
    return _form_page(request, register, actor, forms.empty_values(chosen))


@router.get("/registraties/{registration_id}/bewerken", name="web_edit")
def edit_form(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    stored = service.get_registration_to_change(register, actor, registration_id)
    values = forms.values_from_registration(stored.registration)
    return _form_page(request, register, actor, values, stored=stored)


def _submit(
    request: Request,
    register: Register,
    actor: Actor,
    form: FormData,
    registration_id: str | None,
) -> Response:
    values, data, form_problems = forms.parse_form_checked(form)
    stored = None
    if registration_id is not None:
        stored = service.get_registration(register, actor, registration_id)
        values["id"] = data["id"] = registration_id
    version = forms.read_version(form) if stored else None
    organisations = visible_organisations(register, actor)
    organisation = data.get("organisation")
    own = (
        own_providers(register, actor, [organisation]).get(organisation, [])
        if isinstance(organisation, str)
        else []
    )
    errors: FormErrors | None = None
    if stored is None and data.get("id") in RESERVED_IDS:
        errors = forms.field_error("id", "dit kenmerk is gereserveerd; kies een ander kenmerk")
    else:
        try:
            registration = check_registration_input(
                data, forms.organisation_objects(organisations), own
            )
        except InputError as error:
            errors = forms.form_errors([*form_problems, *error.problems])
        else:
            if form_problems:
                errors = forms.form_errors(form_problems)
            else:
                try:
                    saved = _save(register, actor, stored, registration, version)
                except AlreadyExists:
                    errors = forms.field_error(
                        "id", "er is al een registratie met dit kenmerk; kies een ander kenmerk"
                    )
                except NotFound as error:
                    if error.kind is ObjectKind.REGISTRATION:
                        raise
                    errors = forms.field_error(
                        "organisation", f"onbekende organisatie '{error.object_id}'"
                    )
                except VersionConflict as conflict:
                    return _conflict_page(request, register, actor, form, registration, conflict)
    if errors is not None:
        return _form_page(
            request,
            register,
            actor,
            values,
            stored=stored,
            version=version,
            errors=errors,
            status=422,
        )
    started = saved.registration.in_use_since
    if started is not None and started > register.today():
        # saved all the same: a planned start is allowed, a typing error should be noticed
        numbers = (started.day, started.month, started.year)
        return redirect(
            request, registration_url(saved.registration.id), "saved_future_use", numbers
        )
    return redirect(request, registration_url(saved.registration.id), flash="saved")


def _save(
    register: Register,
    actor: Actor,
    stored: service.StoredRegistration | None,
    registration: Registration,
    version: int | None,
) -> service.StoredRegistration:
    if stored is None:
        return service.create_registration(register, actor, registration)
    # the form asks no evidence: the service keeps what the workflows recorded (decision 30)
    return service.update_registration(
        register, actor, stored.registration.id, registration, version or 0
    )


def _conflict_page(
    request: Request,
    register: Register,
    actor: Actor,
    form: FormData,
    yours: Any,
    conflict: VersionConflict,
) -> Response:
    organisations = visible_organisations(register, actor)
    names = fields.Names(provider_names(register, actor), {o.id: o.name for o in organisations})
    # the form asks no evidence: compare only what the form asks
    for name in WORKFLOW_FIELDS:
        setattr(yours, name, getattr(conflict.current, name))
    context = {
        "registration": conflict.current,
        "rows": fields.changed_fields(yours, conflict.current, names),
        "pairs": forms.form_pairs(form),
        "version": conflict.current_version,
        "action": registration_url(conflict.object_id, "bewerken"),
    }
    return render(
        request, "pages/editing_conflict.html", context, section="registrations", status=409
    )


@router.post(NEW, dependencies=[WRITES, Depends(check_same_origin)])
async def new_submit(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    form = await request.form()
    return await run_in_threadpool(_submit, request, register, actor, form, None)


@router.post(
    "/registraties/{registration_id}/bewerken", dependencies=[WRITES, Depends(check_same_origin)]
)
async def edit_submit(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    form = await request.form()
    return await run_in_threadpool(_submit, request, register, actor, form, registration_id)
