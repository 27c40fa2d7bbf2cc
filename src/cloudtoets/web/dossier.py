"""A registration's dossier as a PDF download (reports/dossier.py), linked from its page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.reports import dossier
from cloudtoets.reports.build import PDF_MEDIA_TYPE
from cloudtoets.reports.pdf import PdfUnavailable
from cloudtoets.web.errors import WebRoute, error_page

router = APIRouter(route_class=WebRoute)


@router.get("/registraties/{registration_id}/dossier.pdf", name="web_dossier")
async def dossier_pdf(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    """The PDF for whoever may read the registration; 404 as its page for anyone else."""
    try:
        data = await run_in_threadpool(
            dossier.dossier_pdf, register, actor, registration_id, str(request.base_url)
        )
    except PdfUnavailable as error:
        return error_page(request, 503, str(error))
    name = dossier.file_name(registration_id, register.today())
    return Response(
        data,
        media_type=PDF_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
