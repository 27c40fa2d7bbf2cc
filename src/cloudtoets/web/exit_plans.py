"""The exit plan pages: the plan with the feasibility estimate beside each lead time, the form
(both scenarios), and the forms to record a test and the yearly review. POST -> 303 -> GET; 422
with messages per field; 409 when someone else changed the plan in between."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from cloudtoets.domain.exit_feasibility import ASSUMPTIONS
from cloudtoets.domain.exit_plan import (
    SCENARIOS,
    TEST_RESULTS,
    ExitPlanIn,
    ExitReviewIn,
    ExitTestIn,
)
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.presentation.environment import registration_url
from cloudtoets.problems import InputError
from cloudtoets.services import exit_plans as service
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import AlreadyExists, InvalidTransition, VersionConflict
from cloudtoets.services.permissions import Permission
from cloudtoets.web.dates import shown_date
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.forms import FormErrors, read_version
from cloudtoets.web.risk_exit_forms import Reader, form_errors, lines, problem_messages, validate
from cloudtoets.web.security import check_same_origin, requires
from cloudtoets.web.templating import redirect, render

router = APIRouter(route_class=WebRoute)
# who may not write hears which role may, before any CSRF message (web/security.py)
WRITES = requires(Permission.WRITE_REGISTER)

BASE = "/registraties/{registration_id}/exitplan"
SCENARIO_FIELDS = (
    "trigger",
    "steps",
    "lead_time_days",
    "preconditions",
    "alternatives",
    "responsible_role",
)
SCENARIO_LABELS = {
    "trigger": "Wanneer begint dit scenario?",
    "steps": "Stappen",
    "lead_time_days": "Doorlooptijd in dagen",
    "preconditions": "Kritische randvoorwaarden",
    "alternatives": "Andere leveranciers of oplossingen",
    "responsible_role": "Wie leidt de exit? (rol)",
}
PLAN_LABELS = {
    "data_return_format": "Formaat van de teruggave",
    "data_volume_gb": "Hoeveelheid gegevens (GB)",
    "bandwidth_mbps": "Bandbreedte (Mbit/s)",
    "integrations": "Aantal koppelingen",
    "data_destruction_method": "Manier van vernietigen",
    "data_destruction_evidence": "Bewijs van vernietiging",
    "tested_on": "Datum van de test",
    "result": "Uitkomst",
    "notes": "Toelichting",
    "reviewed_on": "Datum van de beoordeling",
}


def url(registration_id: str, action: str | None = None) -> str:
    return registration_url(registration_id, "exitplan" + (f"/{action}" if action else ""))


def number_text(value: float | None) -> str:
    """2.5 -> '2,5'; 10000.0 -> '10000'."""
    if value is None:
        return ""
    return f"{value:.3f}".rstrip("0").rstrip(".").replace(".", ",")


def _labels() -> dict[str, str]:
    labels = dict(PLAN_LABELS)
    for scenario, title in (("planned", "Geplande exit"), ("emergency", "Noodscenario")):
        for name, label in SCENARIO_LABELS.items():
            labels[f"{scenario}-{name}"] = f"{title}, {label.lower()}"
    return labels


def _order() -> list[str]:
    names = [f"{s}-{n}" for s in ("planned", "emergency") for n in SCENARIO_FIELDS]
    return names + list(PLAN_LABELS)


def _locate(path: str) -> str:
    parts = path.split(".")
    if parts[0] in ("planned", "emergency") and len(parts) > 1:
        return f"{parts[0]}-{parts[1]}"
    return parts[0]


def _base_context(register: Register, actor: Actor, registration_id: str) -> dict[str, Any]:
    stored = registration_service.get_registration(register, actor, registration_id)
    return {
        "registration": stored.registration,
        "today": register.today(),
        "may_write": actor.can(Permission.WRITE_REGISTER),
        "scenario_titles": SCENARIOS,
        "scenario_labels": SCENARIO_LABELS,
        "test_results": TEST_RESULTS,
        "assumptions": ASSUMPTIONS,
        "exit_test_months": register.policy.parameters.exit_test_months,
        "url": url,
        "getal": number_text,
    }


# ------------------------------------------------------------------------------ the plan


def _plan_page(
    request: Request,
    register: Register,
    actor: Actor,
    registration_id: str,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    failed: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    context = _base_context(register, actor, registration_id)
    plan = service.find_exit_plan(register, actor, registration_id)
    today = shown_date(context["today"])
    errors = errors or FormErrors()
    context |= {
        "plan": plan,
        "values": values
        or {"tested_on": today, "reviewed_on": today, "versie": str(plan.version if plan else "")},
        "errors": errors.fields,
        "error_list": errors.summary,
        "form_errors": errors.fields,
        "failed": failed,  # which of the two forms was sent with errors
        "notice": notice,
        "result_options": list(TEST_RESULTS.items()),
    }
    return render(request, "pages/exit_plan.html", context, section="registrations", status=status)


@router.get(BASE, name="web_exit_plan")
def plan_page(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    return _plan_page(request, register, actor, registration_id)


# ------------------------------------------------------------------------------ the form


def _values_of(plan: service.StoredExitPlan | None) -> dict[str, str]:
    values: dict[str, str] = {"versie": str(plan.version) if plan else ""}
    for scenario in ("planned", "emergency"):
        found = (getattr(plan, scenario) if plan else None) or {}
        for name in SCENARIO_FIELDS:
            value = found.get(name)
            if isinstance(value, list):
                value = "\n".join(value)
            values[f"{scenario}-{name}"] = "" if value is None else str(value)
    for name in PLAN_LABELS:
        value = getattr(plan, name, None) if plan else None
        if isinstance(value, float):
            value = number_text(value)
        values[name] = "" if value is None else str(value)
    return values


def _form_page(
    request: Request,
    register: Register,
    actor: Actor,
    registration_id: str,
    *,
    values: dict[str, str],
    errors: FormErrors | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    context = _base_context(register, actor, registration_id)
    errors = errors or FormErrors()
    context |= {
        "plan": service.find_exit_plan(register, actor, registration_id),
        "values": values,
        "errors": errors.fields,
        "error_list": errors.summary,
        "form_errors": errors.fields,
        "notice": notice,
        "scenario_fields": SCENARIO_FIELDS,
    }
    return render(
        request, "pages/exit_plan_form.html", context, section="registrations", status=status
    )


@router.get(BASE + "/bewerken", name="web_exit_plan_edit")
def edit_form(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    plan = service.find_exit_plan(register, actor, registration_id)
    return _form_page(request, register, actor, registration_id, values=_values_of(plan))


def _read_plan(reader: Reader) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for scenario in ("planned", "emergency"):
        p = f"{scenario}-"
        values: dict[str, Any] = {
            "trigger": reader.text(p + "trigger"),
            "steps": reader.text(p + "steps"),
            "lead_time_days": reader.whole(p + "lead_time_days", 0, 3650, "de doorlooptijd"),
            "preconditions": lines(reader.text(p + "preconditions")),
            "alternatives": lines(reader.text(p + "alternatives")),
            "responsible_role": reader.text(p + "responsible_role"),
        }
        typed = any(reader.values[p + name] for name in SCENARIO_FIELDS)
        data[scenario] = values if typed else None  # an empty scenario is no scenario
    for name in ("data_return_format", "data_destruction_method", "data_destruction_evidence"):
        data[name] = reader.text(name)
    data["data_volume_gb"] = reader.decimal("data_volume_gb", "de hoeveelheid gegevens")
    data["bandwidth_mbps"] = reader.decimal("bandwidth_mbps", "de bandbreedte")
    if data["bandwidth_mbps"] == 0:
        reader.problems["bandwidth_mbps"] = "Vul bij de bandbreedte een getal groter dan 0 in."
    data["integrations"] = reader.whole("integrations", 0, 10_000, "het aantal koppelingen")
    return data


def _submit(
    request: Request, register: Register, actor: Actor, form: FormData, registration_id: str
) -> Response:
    plan = service.find_exit_plan(register, actor, registration_id)  # 404 first
    actor.require(Permission.WRITE_REGISTER)
    reader = Reader(form)
    version = read_version(form)
    reader.values["versie"] = str(version) if plan else ""
    data = _read_plan(reader)
    found = list(reader.problems.items())
    notice, status = None, 422
    if not found:
        model, found = validate(ExitPlanIn, data, _locate)
        if isinstance(model, ExitPlanIn):
            try:
                if plan is None:
                    service.create_exit_plan(register, actor, registration_id, model)
                else:
                    service.update_exit_plan(register, actor, registration_id, model, version)
                return redirect(request, url(registration_id), flash="exit_plan_saved")
            except InputError as error:
                found = problem_messages(error.problems, _locate)
            except InvalidTransition as refused:
                notice, status = refused.message, 409
            except (VersionConflict, AlreadyExists):
                current = service.find_exit_plan(register, actor, registration_id)
                reader.values["versie"] = str(current.version) if current else ""
                notice, status = (
                    "Iemand anders heeft dit exitplan intussen opgeslagen. Uw invoer staat "
                    "hieronder nog. Sla opnieuw op om uw invoer te bewaren.",
                    409,
                )
    errors = form_errors(found, _order(), _labels())
    return _form_page(
        request,
        register,
        actor,
        registration_id,
        values=reader.values,
        errors=errors,
        notice=notice,
        status=status,
    )


@router.post(BASE + "/bewerken", dependencies=[WRITES, Depends(check_same_origin)])
async def edit_submit(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    form = await request.form()
    return await run_in_threadpool(_submit, request, register, actor, form, registration_id)


# ------------------------------------------------------------------------------ test and review


def _record(
    request: Request,
    register: Register,
    actor: Actor,
    form: FormData,
    registration_id: str,
    kind: str,
) -> Response:
    service.get_exit_plan(register, actor, registration_id)  # 404 without a plan
    actor.require(Permission.WRITE_REGISTER)
    reader = Reader(form)
    version = read_version(form)
    if kind == "test":
        data: dict[str, Any] = {
            "tested_on": reader.date("tested_on", "de datum van de test"),
            "result": reader.text("result"),
            "notes": reader.text("notes"),
        }
        if not data["result"]:
            reader.problems["result"] = "Kies de uitkomst van de test."
    else:
        data = {"reviewed_on": reader.date("reviewed_on", "de datum van de beoordeling")}
    reader.values["versie"] = str(version)
    found = list(reader.problems.items())
    notice, status = None, 422
    if not found:
        model_type = ExitTestIn if kind == "test" else ExitReviewIn
        model, found = validate(model_type, data, _locate)
        try:
            if isinstance(model, ExitTestIn):
                service.record_test(register, actor, registration_id, model, version)
                return redirect(request, url(registration_id), flash="exit_test_recorded")
            if isinstance(model, ExitReviewIn):
                service.record_review(register, actor, registration_id, model, version)
                return redirect(request, url(registration_id), flash="exit_review_recorded")
        except InputError as error:
            found = problem_messages(error.problems, _locate)
        except InvalidTransition as refused:
            notice, status = refused.message, 409
        except VersionConflict as conflict:
            reader.values["versie"] = str(conflict.current_version)
            notice, status = (
                "Iemand anders heeft dit exitplan intussen gewijzigd. Bekijk het plan hieronder "
                "en leg de gegevens opnieuw vast.",
                409,
            )
    errors = form_errors(found, list(PLAN_LABELS), PLAN_LABELS)
    today = shown_date(register.today())
    return _plan_page(
        request,
        register,
        actor,
        registration_id,
        values={"tested_on": today, "reviewed_on": today, **reader.values},
        errors=errors,
        failed=kind,
        notice=notice,
        status=status,
    )


@router.post(BASE + "/test", dependencies=[WRITES, Depends(check_same_origin)])
async def test_submit(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    form = await request.form()
    return await run_in_threadpool(_record, request, register, actor, form, registration_id, "test")


@router.post(BASE + "/beoordeling", dependencies=[WRITES, Depends(check_same_origin)])
async def review_submit(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    form = await request.form()
    return await run_in_threadpool(
        _record, request, register, actor, form, registration_id, "review"
    )
