"""The risk assessment pages: overview with versions and foreign laws, the form, one version with
the acceptance form. POST -> 303 -> GET; 422 with messages per field; 409 when someone else
changed it or its state does not allow the step."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from cloudtoets.domain.countries import COUNTRIES, country_in_sentence
from cloudtoets.domain.foreign_laws import NO_LAW_IN_EEA, jurisdiction_hint
from cloudtoets.domain.risk_assessment import (
    OTHER_THEME,
    RESIDUAL_LABELS,
    STATES,
    THEME_LABELS,
    THEMES,
    AcceptanceIn,
    RiskAssessmentIn,
    Theme,
    score,
)
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.presentation.environment import registration_url
from cloudtoets.problems import InputError
from cloudtoets.services import registrations as registration_service
from cloudtoets.services import risk_assessments as service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import InvalidTransition, NotFound, VersionConflict
from cloudtoets.services.permissions import Permission
from cloudtoets.services.workflow_steps import OwnDraft, RoleRefused
from cloudtoets.web.dates import shown_date
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.forms import FormErrors, read_version
from cloudtoets.web.risk_exit_forms import Reader, form_errors, problem_messages, validate
from cloudtoets.web.security import check_same_origin, requires
from cloudtoets.web.templating import redirect, render

router = APIRouter(route_class=WebRoute)
# who may not write hears which role may, before any CSRF message (web/security.py)
WRITES = requires(Permission.WRITE_REGISTER)
# who may not approve hears which role may, before any CSRF message (web/security.py)
APPROVES = requires(Permission.APPROVE)

BASE = "/registraties/{registration_id}/risicoanalyse"
RISK_FIELDS = ("description", "likelihood", "impact", "measures", "residual_risk")
THEMES_BY_KEY: dict[str, Theme] = {t.key: t for t in (*THEMES, OTHER_THEME)}
MAX_ROWS = 60
# a soft hyphen lets the long compound break on a 320px screen (WCAG 1.4.10 reflow)
SHOWN_LABELS = {**THEME_LABELS, "lock-in": "Leveranciers\u00adafhankelijkheid"}
SCORES = [
    ("1", "1 – zeer klein"),
    ("2", "2 – klein"),
    ("3", "3 – gemiddeld"),
    ("4", "4 – groot"),
    ("5", "5 – zeer groot"),
]
FIELD_LABELS = {
    "description": "beschrijving",
    "likelihood": "kans",
    "impact": "impact",
    "measures": "maatregelen",
    "residual_risk": "restrisico",
}
TOP_LABELS = {
    "assessed_on": "Datum van de analyse",
    "summary": "Samenvatting",
    "dpia_reference": "DPIA",
    "dtia_reference": "DTIA",
    "accepted_by_name": "Naam",
    "accepted_by_role": "Functie",
    "accepted_on": "Datum van het besluit",
    "reason": "Reden",
}


def url(registration_id: str, *parts: str | int) -> str:
    return registration_url(registration_id, "/".join(["risicoanalyse", *map(str, parts)]))


def _number(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) <= 1_000_000:
        raise NotFound(service.KIND, text)
    return int(text)


def _base_context(register: Register, actor: Actor, registration_id: str) -> dict[str, Any]:
    stored = registration_service.get_registration(register, actor, registration_id)
    return {
        "registration": stored.registration,
        "today": register.today(),
        "may_write": actor.can(Permission.WRITE_REGISTER),
        "may_approve": actor.can(Permission.APPROVE),
        "states": STATES,
        "theme_labels": THEME_LABELS,
        "residual_labels": RESIDUAL_LABELS,
        "score": score,
        "no_law_in_eea": NO_LAW_IN_EEA,
        "url": url,
    }


# countries as the suggested text names them: "het recht van de Verenigde Staten"
SENTENCE_NAMES = {code: country_in_sentence(code) for code in COUNTRIES}


def _jurisdiction_context(register: Register, actor: Actor, registration_id: str) -> dict[str, Any]:
    seen = service.jurisdiction(register, actor, registration_id, SENTENCE_NAMES)
    return {
        "seen": seen,
        "current_laws": [e.as_record() for e in seen.exposures],
        "jurisdiction_hint": jurisdiction_hint(seen.exposures),
    }


# ------------------------------------------------------------------------------ overview


@router.get(BASE, name="web_risk_assessment")
def overview(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    context = _base_context(register, actor, registration_id)
    versions = service.list_assessments(register, actor, registration_id)
    context |= {
        "versions": versions,
        "accepted": next((v for v in versions if v.state == "accepted"), None),
        "draft": next((v for v in versions if v.state == "draft"), None),
        **_jurisdiction_context(register, actor, registration_id),
    }
    return render(request, "pages/risk_assessment.html", context, section="registrations")


# ------------------------------------------------------------------------------ the form


def _empty_row(theme: Theme, description: str = "") -> dict[str, str]:
    return {"theme": theme.key, **dict.fromkeys(RISK_FIELDS, ""), "description": description}


def _row(risk: dict[str, Any]) -> dict[str, str]:
    values = {name: risk.get(name) for name in RISK_FIELDS}
    return {
        "theme": str(risk["theme"]),
        **{k: "" if v is None else str(v) for k, v in values.items()},
    }


def rows_for(risks: list[dict[str, Any]], suggestion: str) -> list[dict[str, str]]:
    """Every theme as at least one row (the jurisdiction row pre-filled with the suggestion when
    new), the stored risks in theme order, and one empty row for another risk."""
    rows: list[dict[str, str]] = []
    for theme in (*THEMES, OTHER_THEME):
        own = [_row(r) for r in risks if r.get("theme") == theme.key]
        if theme is OTHER_THEME:
            own.append(_empty_row(theme))
        elif not own:
            own = [_empty_row(theme, suggestion if theme.key == "jurisdiction" else "")]
        rows += own
    return rows


def _form_page(
    request: Request,
    register: Register,
    actor: Actor,
    registration_id: str,
    *,
    values: dict[str, str],
    rows: list[dict[str, str]],
    target: service.StoredAssessment | None,
    errors: FormErrors | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    context = _base_context(register, actor, registration_id)
    errors = errors or FormErrors()
    context |= {
        "values": values,
        "rows": rows,
        "themes_by_key": THEMES_BY_KEY,
        "shown_labels": SHOWN_LABELS,
        "target": target,
        "errors": errors.fields,
        "error_list": errors.summary,
        "form_errors": errors.fields,
        "notice": notice,
        "scores": SCORES,
        "residual_options": list(RESIDUAL_LABELS.items()),
        **_jurisdiction_context(register, actor, registration_id),
    }
    return render(
        request,
        "pages/risk_assessment_form.html",
        context,
        section="registrations",
        status=status,
    )


def _editable(versions: list[service.StoredAssessment]) -> service.StoredAssessment | None:
    """The draft if there is one, else the accepted version (a change becomes a new version)."""
    return next((v for v in versions if v.state == "draft"), None) or next(
        (v for v in versions if v.state == "accepted"), None
    )


def _values_of(target: service.StoredAssessment | None, today: dt.date) -> dict[str, str]:
    if target is None:
        return {
            "assessed_on": shown_date(today),
            "summary": "",
            "dpia_reference": "",
            "dtia_reference": "",
            "nummer": "",
            "versie": "",
        }
    return {
        "assessed_on": shown_date(target.assessed_on),
        "summary": target.summary,
        "dpia_reference": target.dpia_reference,
        "dtia_reference": target.dtia_reference,
        "nummer": str(target.number),
        "versie": str(target.version),
    }


@router.get(BASE + "/bewerken", name="web_risk_assessment_edit")
def edit_form(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    versions = service.list_assessments(register, actor, registration_id)
    target = _editable(versions)
    seen = service.jurisdiction(register, actor, registration_id, SENTENCE_NAMES)
    today = register.today()
    rows = rows_for(target.risks if target else [], "" if target else seen.suggestion)
    return _form_page(
        request,
        register,
        actor,
        registration_id,
        values=_values_of(target, today),
        rows=rows,
        target=target,
    )


def _read_rows(reader: Reader) -> tuple[list[dict[str, str]], list[dict[str, Any]], list[int]]:
    """The rows as typed, the risks for the model (empty rows left out), and for each risk the
    row it came from."""
    count = reader.whole("risico-aantal", 0, MAX_ROWS, "het aantal risico's") or 0
    rows, risks, origin = [], [], []
    for index in range(count):
        prefix = f"risico-{index}-"
        theme = reader.text(prefix + "theme")
        if theme not in THEMES_BY_KEY:
            continue
        row = {"theme": theme}
        for name in ("description", "measures", "residual_risk"):
            row[name] = reader.text(prefix + name)
        risk: dict[str, Any] = {"theme": theme, **{k: row[k] for k in ("description", "measures")}}
        risk["residual_risk"] = row["residual_risk"] or None
        for name in ("likelihood", "impact"):
            risk[name] = reader.whole(prefix + name, 1, 5, FIELD_LABELS[name])
            row[name] = reader.values[prefix + name]
        rows.append(row)
        if any(value for key, value in row.items() if key != "theme"):
            risks.append(risk)
            origin.append(index)
    return rows, risks, origin


def _locator(origin: list[int], rows: list[dict[str, str]]) -> Any:
    def locate(path: str) -> str:
        parts = path.split(".")
        if parts[0] == "risks" and len(parts) >= 3:
            if parts[1].isdigit() and int(parts[1]) < len(origin):
                return f"risico-{origin[int(parts[1])]}-{parts[2]}"
            first = next((i for i, r in enumerate(rows) if r["theme"] == parts[1]), 0)
            return f"risico-{first}-{parts[2]}"
        return parts[0] if parts[0] in TOP_LABELS else "assessed_on"

    return locate


def _labels(rows: list[dict[str, str]]) -> dict[str, str]:
    labels = dict(TOP_LABELS)
    for index, row in enumerate(rows):
        theme = THEME_LABELS.get(row["theme"], row["theme"])
        for name, label in FIELD_LABELS.items():
            labels[f"risico-{index}-{name}"] = f"{theme}, {label}"
    return labels


def _order(rows: list[dict[str, str]]) -> list[str]:
    order = ["assessed_on", "summary", "dpia_reference", "dtia_reference"]
    for index in range(len(rows)):
        order += [f"risico-{index}-{name}" for name in RISK_FIELDS]
    return order


def _submit(
    request: Request, register: Register, actor: Actor, form: FormData, registration_id: str
) -> Response:
    versions = service.list_assessments(register, actor, registration_id)  # 404 first
    actor.require(Permission.WRITE_REGISTER)
    reader = Reader(form)
    number = reader.whole("nummer", 1, 1_000_000, "het versienummer")
    version = read_version(form)
    reader.values["versie"] = str(version)
    target = next((v for v in versions if v.number == number), None) if number else None
    rows, risks, origin = _read_rows(reader)
    data = {
        "assessed_on": reader.date("assessed_on", "de datum van de analyse"),
        "summary": reader.text("summary"),
        "dpia_reference": reader.text("dpia_reference"),
        "dtia_reference": reader.text("dtia_reference"),
        "risks": risks,
    }
    locate = _locator(origin, rows)
    found = list(reader.problems.items())
    saved: service.StoredAssessment | None = None
    notice: str | None = None
    status = 422
    if not found:
        model, found = validate(RiskAssessmentIn, data, locate)
        if isinstance(model, RiskAssessmentIn):
            try:
                if number is None:
                    saved = service.create_assessment(register, actor, registration_id, model)
                    flash = "risk_draft_saved"
                else:
                    result = service.update_assessment(
                        register, actor, registration_id, number, model, version
                    )
                    saved = result.assessment
                    flash = "risk_new_version" if result.new_version else "risk_draft_saved"
            except InputError as error:
                found = problem_messages(error.problems, locate)
            except VersionConflict as conflict:
                reader.values["versie"] = str(conflict.current_version)
                notice = (
                    "Iemand anders heeft deze integrale risicoafweging intussen opgeslagen. Uw "
                    "invoer staat hieronder nog. Bekijk de opgeslagen versie in een ander "
                    "tabblad, of sla uw invoer opnieuw op om die te bewaren."
                )
                status = 409
            except InvalidTransition as refused:
                notice, status = refused.message, 409
    if saved is not None:
        numbers = [saved.number] if flash == "risk_new_version" else []
        return redirect(request, url(registration_id, saved.number), flash=flash, numbers=numbers)
    errors = form_errors(found, _order(rows), _labels(rows))
    return _form_page(
        request,
        register,
        actor,
        registration_id,
        values=reader.values,
        rows=rows,
        target=target,
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


# ------------------------------------------------------------------------------ one version


def _version_page(
    request: Request,
    register: Register,
    actor: Actor,
    registration_id: str,
    number: int,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    context = _base_context(register, actor, registration_id)
    versions = service.list_assessments(register, actor, registration_id)
    found = next((v for v in versions if v.number == number), None)
    if found is None:
        raise NotFound(service.KIND, f"{registration_id}/{number}")
    errors = errors or FormErrors()
    context |= {
        "assessment": found,
        "newest": versions[0].number == number,
        "values": values
        or {"accepted_on": shown_date(context["today"]), "versie": str(found.version)},
        "errors": errors.fields,
        "error_list": errors.summary,
        "form_errors": errors.fields,
        "notice": notice,
    }
    return render(
        request,
        "pages/risk_assessment_version.html",
        context,
        section="registrations",
        status=status,
    )


@router.get(BASE + "/{number}", name="web_risk_assessment_version")
def version_page(
    registration_id: str, number: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    return _version_page(request, register, actor, registration_id, _number(number))


def _accept(
    request: Request,
    register: Register,
    actor: Actor,
    form: FormData,
    registration_id: str,
    number: int,
) -> Response:
    service.get_assessment(register, actor, registration_id, number)  # 404 first
    actor.require(Permission.APPROVE)
    reader = Reader(form)
    version = read_version(form)
    data = {
        "accepted_by_name": reader.text("accepted_by_name"),
        "accepted_by_role": reader.text("accepted_by_role"),
        "accepted_on": reader.date("accepted_on", "de datum van het besluit"),
    }
    for name, label in (("accepted_by_name", "de naam"), ("accepted_by_role", "de functie")):
        if not data[name]:
            reader.problems[name] = f"Vul {label} van de verantwoordelijke in."
    found = list(reader.problems.items())
    notice, status = None, 422

    def locate(path: str) -> str:
        head = path.split(".")[0]  # what the version lacks points to where the page shows it
        return {"risks": "risicos", "dtia_reference": "verwijzingen"}.get(head, head)

    if not found:
        model, found = validate(AcceptanceIn, data, locate)
        if isinstance(model, AcceptanceIn):
            try:
                service.accept_assessment(register, actor, registration_id, number, model, version)
                return redirect(request, url(registration_id, number), flash="risk_accepted")
            except InputError as error:
                found = problem_messages(error.problems, locate)
            except VersionConflict:
                notice, status = (
                    "Iemand anders heeft deze versie intussen gewijzigd. Lees haar opnieuw en "
                    "accordeer dan.",
                    409,
                )
            except InvalidTransition as refused:
                notice, status = refused.message, 409
            except OwnDraft as refused:  # four eyes: the drafter does not accept
                notice, status = refused.detail, 403
    order = ["risicos", "verwijzingen", "accepted_by_name", "accepted_by_role", "accepted_on"]
    errors = form_errors(found, order, TOP_LABELS)
    reader.values["versie"] = str(version)
    return _version_page(
        request,
        register,
        actor,
        registration_id,
        number,
        values=reader.values,
        errors=errors,
        notice=notice,
        status=status,
    )


@router.post(BASE + "/{number}/accorderen", dependencies=[APPROVES, Depends(check_same_origin)])
async def accept_submit(
    registration_id: str, number: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    form = await request.form()
    return await run_in_threadpool(
        _accept, request, register, actor, form, registration_id, _number(number)
    )


def _return(
    request: Request,
    register: Register,
    actor: Actor,
    form: FormData,
    registration_id: str,
    number: int,
) -> Response:
    """Send a draft back to the editors with a reason (approvers)."""
    service.get_assessment(register, actor, registration_id, number)  # 404 first
    reason = Reader(form).text("reason")
    version = read_version(form)
    notice, status, found = None, 422, []
    try:
        service.return_assessment(register, actor, registration_id, number, reason, version)
        return redirect(request, url(registration_id, number), flash="risk_returned")
    except InputError as error:
        found = problem_messages(error.problems, lambda path: path)
    except VersionConflict:
        notice, status = (
            "Iemand anders heeft deze versie intussen gewijzigd. Lees haar opnieuw en stuur haar "
            "dan zo nodig terug.",
            409,
        )
    except InvalidTransition as refused:
        notice, status = refused.message, 409
    except RoleRefused as refused:
        notice, status = refused.detail, 403
    errors = form_errors(found, ["reason"], TOP_LABELS)
    return _version_page(
        request,
        register,
        actor,
        registration_id,
        number,
        values={"reason": reason, "versie": str(version)},
        errors=errors,
        notice=notice,
        status=status,
    )


@router.post(BASE + "/{number}/terugsturen", dependencies=[APPROVES, Depends(check_same_origin)])
async def return_submit(
    registration_id: str, number: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    form = await request.form()
    return await run_in_threadpool(
        _return, request, register, actor, form, registration_id, _number(number)
    )
