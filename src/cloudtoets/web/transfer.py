"""Import (upload -> preview -> commit everything or nothing) and export (download a file).

Between preview and commit the uploaded file travels with the page, in a hidden field
(zlib-compressed, base64), not on the server: any app process can then do the commit, nothing
has to expire or be cleaned up, and the file never leaves the user's own request. The commit
checks the whole file again, so what the hidden field holds needs no more trust than an upload.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.http.downloads import file_download
from cloudtoets.presentation import texts
from cloudtoets.problems import InputError
from cloudtoets.services import imports
from cloudtoets.services.context import Register
from cloudtoets.services.inventory_template import template_file
from cloudtoets.services.organisations import OrganisationInfo, visible_organisations
from cloudtoets.services.permissions import Permission
from cloudtoets.web.errors import WebRoute, error_page
from cloudtoets.web.security import check_same_origin, requires
from cloudtoets.web.templating import redirect, render

router = APIRouter(route_class=WebRoute)

EXPORT_FORMATS = {
    "xlsx": ("Excel-werkmap (.xlsx)", "Voor mensen: met uitleg en keuzelijsten."),
    "csv": ("CSV (.csv)", "Alleen de registraties, één regel per registratie."),
    "json": ("JSON (.json)", "Voor andere programma's."),
    "yaml": ("YAML (.yaml)", "Goed leesbaar, bijvoorbeeld voor een inventaris in git."),
}


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


# -------------------------------------------------------------------------------- import


def _upload_page(
    request: Request, register: Register, error: str | None = None, status: int = 200
) -> Response:
    errors = {"bestand": error} if error else {}
    return render(
        request,
        "pages/transfer_import.html",
        {
            "errors": errors,
            "form_errors": errors,
            "formats": imports.upload_formats(),
            "limit": _mb(register.settings.max_upload_bytes),
        },
        section="import",
        status=status,
    )


# importing changes the register: only an editor gets the pages (the API's dry run stays open)
WRITES = requires(Permission.WRITE_REGISTER)


@router.get("/importeren", name="web_import", dependencies=[WRITES])
def import_page(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    return _upload_page(request, register)


@router.get("/importeren/sjabloon", name="web_import_template")
def import_template(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    """The empty workbook of ``cloudtoets template``: web users need no command line."""
    return file_download(template_file())


def pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data, 6)).decode("ascii")


def unpack(text: str, limit: int) -> bytes | None:
    try:
        packed = base64.b64decode(text.encode("ascii"), validate=True)
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, limit + 1)
    except (binascii.Error, ValueError, zlib.error):
        return None
    if len(data) > limit or inflater.unconsumed_tail:
        return None
    return data


def _preview_page(
    request: Request,
    register: Register,
    plan: imports.ImportPlan,
    filename: str,
    data: bytes,
    *,
    committed_failed: bool = False,
) -> Response:
    problems = [{"where": p.where, "message": texts.sentence(p.message)} for p in plan.problems]
    lists = [
        ("Registraties", plan.registrations),
        ("Organisaties", plan.organisations),
        ("Eigen leveranciers", plan.providers),
    ]
    verdict_cards = [
        {
            "number": plan.verdicts.get(verdict, 0),
            "label": texts.VERDICTS[verdict],
            "verdict": verdict,
        }
        for verdict in texts.VERDICT_ORDER
    ]
    context: dict[str, Any] = {
        "plan": plan,
        "filename": filename,
        "problems": problems,
        "lists": lists,
        "verdict_cards": verdict_cards,
        "packed": pack(data) if plan.ok else None,
        "committed_failed": committed_failed,
        "notes": plan.notes,
    }
    status = 200 if plan.ok else 422
    return render(
        request, "pages/transfer_import_preview.html", context, section="import", status=status
    )


@router.post("/importeren", dependencies=[WRITES, Depends(check_same_origin)])
async def import_upload(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    limit = register.settings.max_upload_bytes
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("bestand")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _upload_page(request, register, "Kies het bestand dat u wilt importeren.", 422)
    data = await upload.read(limit + 1)
    filename = Path(upload.filename).name
    if len(data) > limit:
        message = f"Het bestand is groter dan {_mb(limit)}. Splits het bestand op."
        return _upload_page(request, register, message, 413)
    if not data:
        return _upload_page(request, register, "Het bestand is leeg. Kies een ander bestand.", 422)
    plan = await run_in_threadpool(imports.preview_import, register, actor, filename, data)
    return _preview_page(request, register, plan, filename, data)


@router.post("/importeren/bevestigen", dependencies=[WRITES, Depends(check_same_origin)])
async def import_commit(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    limit = register.settings.max_upload_bytes
    form = await request.form(max_files=0, max_fields=10, max_part_size=limit * 2 + 65536)
    packed, filename = form.get("bestand"), form.get("bestandsnaam")
    if not isinstance(packed, str) or not isinstance(filename, str):
        return error_page(request, 400)
    filename = Path(filename).name
    data = unpack(packed, limit)
    if data is None:
        return error_page(request, 400)
    try:
        plan = await run_in_threadpool(imports.commit_import, register, actor, filename, data)
    except InputError as error:
        failed = imports.ImportPlan(filename, problems=list(error.problems))
        return _preview_page(request, register, failed, filename, data, committed_failed=True)
    if plan.notes:  # what the file held but the import left out: said on a page of its own
        context = {"plan": plan, "filename": filename, "notes": plan.notes}
        return render(request, "pages/transfer_import_done.html", context, section="import")
    counts = (len(plan.registrations.new), len(plan.registrations.changed))
    return redirect(
        request,
        "/registraties",
        flash="imported",
        numbers=(*counts, len(plan.registrations.unchanged)),
    )


# -------------------------------------------------------------------------------- export


def _export_page(
    request: Request,
    register: Register,
    organisations: list[OrganisationInfo],
    chosen_format: str,
    chosen_organisation: str | None,
    errors: dict[str, str] | None = None,
) -> Response:
    errors = errors or {}
    return render(
        request,
        "pages/transfer_export.html",
        {
            "organisations": organisations,
            "org_options": [(o.id, o.name) for o in organisations],
            "formats": [
                {"value": k, "label": label, "description": text}
                for k, (label, text) in EXPORT_FORMATS.items()
            ],
            "chosen_format": chosen_format,
            "chosen_organisation": chosen_organisation,
            "errors": errors,
            "form_errors": errors,
        },
        section="export",
        status=422 if errors else 200,
    )


@router.get("/exporteren", name="web_export")
def export_page(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    organisations = visible_organisations(register, actor)
    chosen = request.query_params.get("organisatie") or None
    return _export_page(request, register, organisations, "xlsx", chosen)


@router.get("/exporteren/bestand", name="web_export_file")
def export_file(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    organisations = visible_organisations(register, actor)
    visible = {o.id for o in organisations}
    kind = request.query_params.get("formaat") or ""
    organisation = request.query_params.get("organisatie") or None
    errors: dict[str, str] = {}
    if kind not in EXPORT_FORMATS:
        errors["formaat"] = "Kies een bestandsformaat."
    if organisation is not None and organisation not in visible:
        errors["organisatie"] = "Kies een organisatie uit de lijst."
    if len(visible) == 1 and organisation is None:
        organisation = next(iter(visible))
    if errors:
        return _export_page(request, register, organisations, kind, organisation, errors)
    return file_download(imports.export_file(register, actor, organisation, kind))
