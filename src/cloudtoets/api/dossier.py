"""A registration's dossier as a tagged PDF (PDF/UA-1), for whoever may read the registration."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from cloudtoets.api.encoding import JsonResponse
from cloudtoets.api.problems import ApiProblem, ProblemRoute, problem_responses
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.reports import dossier
from cloudtoets.reports.build import PDF_MEDIA_TYPE
from cloudtoets.reports.pdf import PdfUnavailable

router = APIRouter(
    tags=["registraties"], route_class=ProblemRoute, default_response_class=JsonResponse
)


@router.get(
    "/registrations/{registration_id}/dossier.pdf",
    summary="Het dossier van een registratie als toegankelijke PDF (PDF/UA-1)",
    description="De registratie, het oordeel met elke bevinding (titel, uitleg, bron in het "
    "beleid, termijn), de integrale risicoafweging, het exitplan met tests, de meldingen bij "
    "CIO Rijk en de afwijkingen: voor de organisatie om aan haar bewindspersoon te geven. "
    "404 voor een registratie die u niet mag zien; 503 als deze server geen PDF kan maken.",
    response_model=None,
    responses={
        200: {
            "description": "Het dossier, als bijlage",
            "content": {PDF_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        },
        **problem_responses(404, 422, 503),
    },
)
async def get_dossier(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    try:
        data = await run_in_threadpool(
            dossier.dossier_pdf, register, actor, registration_id, str(request.base_url)
        )
    except PdfUnavailable as error:
        raise ApiProblem(
            "http-fout", str(error), status=503, title="PDF niet beschikbaar"
        ) from None
    name = dossier.file_name(registration_id, register.today())
    return Response(
        data,
        media_type=PDF_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
