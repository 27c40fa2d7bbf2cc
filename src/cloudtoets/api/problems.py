"""Every API error as RFC 9457 problem details (``application/problem+json``), in Dutch.

Routes raise the services' own exceptions (NotFound, VersionConflict, InputError ...) or an
:class:`ApiProblem`; :class:`ProblemRoute` turns each into a problem response. It wraps the route
handler itself, so request validation, the request body limit and any unexpected exception are
covered without app-level exception handlers: the API stays JSON whatever the web pages install.
An unexpected exception is logged with its traceback and answered with a 500 that names only the
request id; a lost or busy database (services/outage.py) is no bug: a 503 with Retry-After, and
one log line per outage instead of a traceback per request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive

from cloudtoets.api.encoding import JsonResponse
from cloudtoets.api.errors import counted, error_item, problem_items, request_errors
from cloudtoets.api.schemas import ProblemDetails
from cloudtoets.domain.serialise import jsonable
from cloudtoets.http.auth import CrossSiteRequest, Unauthenticated
from cloudtoets.http.deps import ControlCharacterInAddress
from cloudtoets.presentation.texts import byte_size
from cloudtoets.problems import InputError
from cloudtoets.services.actor import Forbidden
from cloudtoets.services.context import Register
from cloudtoets.services.errors import (
    AlreadyExists,
    InvalidTransition,
    NotFound,
    VersionConflict,
)
from cloudtoets.services.outage import RETRY_AFTER_SECONDS, Cause

log = logging.getLogger("cloudtoets.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
MULTIPART_SLACK = 64 * 1024  # multipart framing around an upload of the maximum size


@dataclass(frozen=True, slots=True)
class Kind:
    """A problem type: its slug (last part of the type URI), status, title and explanation."""

    slug: str
    status: int
    title: str
    explanation: str


KINDS = {
    kind.slug: kind
    for kind in (
        Kind("ongeldig-verzoek", 400, "Ongeldig verzoek", "Het verzoek kon niet worden gelezen."),
        Kind(
            "niet-ingelogd",
            401,
            "Niet ingelogd",
            "Stuur een geldig persoonlijk API-token mee in de header Authorization: Bearer.",
        ),
        Kind(
            "csrf",
            403,
            "Verzoek van buiten",
            "Een wijziging met een sessiecookie moet van cloudtoets zelf komen en het "
            "CSRF-token van de sessie meesturen.",
        ),
        Kind(
            "niet-toegestaan",
            403,
            "Niet toegestaan",
            "Uw rol staat deze handeling niet toe (lezer, bewerker, accordeerder, CIO Rijk, "
            "auditor of beheerder).",
        ),
        Kind(
            "niet-gevonden",
            404,
            "Niet gevonden",
            "Het object bestaat niet, of het hoort bij een organisatie die u niet mag zien. "
            "De API maakt tussen die twee geen onderscheid.",
        ),
        Kind(
            "methode-niet-toegestaan",
            405,
            "Methode niet toegestaan",
            "Dit adres bestaat, maar niet met deze HTTP-methode; de header Allow noemt de "
            "methoden die wel kunnen.",
        ),
        Kind(
            "bestaat-al",
            409,
            "Bestaat al",
            "Er is al een object met dit kenmerk. Kies een ander kenmerk, of wijzig het "
            "bestaande object met PUT.",
        ),
        Kind(
            "conflict",
            409,
            "Gelijktijdige wijziging",
            "Een andere wijziging kwam tegelijk binnen. Haal de gegevens opnieuw op en probeer "
            "het nog eens.",
        ),
        Kind(
            "ongeldige-toestand",
            409,
            "Niet mogelijk in deze toestand",
            "Het object staat in een toestand die deze stap niet toelaat, zoals een "
            "risicoanalyse die al geaccordeerd of vervangen is. detail zegt wat wel kan.",
        ),
        Kind(
            "versie-verouderd",
            412,
            "Versie verouderd",
            "Iemand anders heeft het object gewijzigd sinds u het las. Het antwoord bevat de "
            "huidige versie (current_version) en waarden (current).",
        ),
        Kind(
            "te-groot",
            413,
            "Te groot",
            "Het verzoek is groter dan de API aanneemt. Splits het bestand op.",
        ),
        Kind(
            "ongeldige-invoer",
            422,
            "Ongeldige invoer",
            "De invoer klopt niet. De lijst errors noemt elk probleem met plaats, veld en "
            "uitleg. Er is niets opgeslagen.",
        ),
        Kind(
            "versie-ontbreekt",
            428,
            "Versie ontbreekt",
            "Een wijziging moet de gelezen versie meesturen in de header If-Match, zoals "
            'If-Match: "v3". Zo overschrijft u geen wijziging van iemand anders.',
        ),
        Kind(
            "interne-fout",
            500,
            "Interne fout",
            "Er ging iets mis aan de kant van cloudtoets. Noem het verzoeknummer (request_id) "
            "als u dit meldt.",
        ),
        Kind(
            "niet-beschikbaar",
            503,
            "Tijdelijk niet beschikbaar",
            "De database van cloudtoets is even niet bereikbaar of bezet. Probeer het opnieuw na "
            "het aantal seconden in de header Retry-After. Een wijziging die dit antwoord kreeg, "
            "is waarschijnlijk niet opgeslagen: lees het object opnieuw voordat u haar nog eens "
            "stuurt (If-Match voorkomt dat u iets dubbel of over een ander heen schrijft).",
        ),
        Kind(
            "niet-gereed",
            503,
            "Niet gereed",
            "Dit proces kan het register nu niet bedienen: de database is niet bereikbaar, of "
            "haar schema is niet de versie die deze cloudtoets nodig heeft. detail zegt welke "
            "van de twee en wat te doen; checks geeft de uitslag per controle.",
        ),
        Kind("http-fout", 0, "HTTP-fout", "Een fout van het HTTP-protocol."),
    )
}

HTTP_TITLES = {
    400: "Ongeldig verzoek",
    401: "Niet ingelogd",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    406: "Niet aanvaardbaar",
    413: "Te groot",
    415: "Mediatype niet ondersteund",
}
HTTP_SLUGS = {
    400: "ongeldig-verzoek",
    404: "niet-gevonden",
    405: "methode-niet-toegestaan",
    413: "te-groot",
}


class ApiProblem(Exception):
    """A problem a route reports on purpose (the services' exceptions are mapped below)."""

    def __init__(
        self,
        slug: str,
        detail: str,
        *,
        status: int | None = None,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        kind = KINDS[slug]
        self.slug = slug
        self.status = status or kind.status
        self.title = title or kind.title
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = extra
        super().__init__(detail)


class BodyTooLarge(HTTPException):
    """Raised while the body is read; an HTTPException so FastAPI's body parsing re-raises it.

    ``limit`` is the upload limit users know (Settings.max_upload_bytes).
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.limit = limit


def invalid(errors: list[dict[str, Any]], detail: str | None = None) -> ApiProblem:
    return ApiProblem(
        "ongeldige-invoer",
        detail or f"{counted(len(errors))} gevonden. Er is niets opgeslagen.",
        errors=errors,
    )


def invalid_query(name: str, message: str) -> ApiProblem:
    return invalid([error_item(f"queryparameter {name}", message, name)])


# --- rendering ---------------------------------------------------------------------------------


def problem_response(
    request: Request,
    slug: str,
    detail: str,
    *,
    status: int | None = None,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    kind = KINDS[slug]
    status = status or kind.status
    body: dict[str, Any] = {
        "type": request.app.url_path_for("problem_type", slug=slug),
        "title": title or kind.title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "request_id": getattr(request.state, "request_id", None),
    }
    body.update(extra)
    return JsonResponse(body, status, headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE)


def _http_problem(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, BodyTooLarge):
        return problem_response(
            request,
            "te-groot",
            f"Het verzoek is groter dan {byte_size(exc.limit)}, het maximum. Splits het bestand op "
            "in kleinere delen.",
        )
    status = exc.status_code
    title = HTTP_TITLES.get(status, "HTTP-fout")
    detail = exc.detail if isinstance(exc.detail, str) else title
    if detail == "There was an error parsing the body":
        detail = "De inhoud van het verzoek kon niet worden gelezen; controleer het formaat."
    elif not detail or detail.isascii():  # Starlette's English phrase: say it in Dutch
        detail = title
    return problem_response(
        request,
        HTTP_SLUGS.get(status, "http-fout"),
        detail,
        status=status,
        title=title,
        headers=exc.headers,
    )


def render_exception(request: Request, exc: Exception) -> Response:
    """The problem response for any exception a route or its dependencies raised."""
    match exc:
        case ApiProblem():
            return problem_response(
                request,
                exc.slug,
                exc.detail,
                status=exc.status,
                title=exc.title,
                headers=exc.headers,
                **exc.extra,
            )
        case ControlCharacterInAddress():
            return problem_response(request, "ongeldig-verzoek", exc.message)
        case NotFound():
            return problem_response(
                request,
                "niet-gevonden",
                f"{exc.kind.label.capitalize()} '{exc.object_id}' bestaat niet, of u mag deze "
                "niet zien.",
            )
        case AlreadyExists():
            return problem_response(
                request,
                "bestaat-al",
                f"Er is al een {exc.kind.label} met het kenmerk '{exc.object_id}'. Kies een ander "
                "kenmerk, of wijzig de bestaande met PUT.",
            )
        case InvalidTransition():
            return problem_response(request, "ongeldige-toestand", exc.message)
        case VersionConflict():
            return problem_response(
                request,
                "versie-verouderd",
                f"Iemand anders heeft {exc.kind.label} '{exc.object_id}' gewijzigd sinds u die "
                f"las; de huidige versie is {exc.current_version}. Neem uw wijzigingen over in "
                f'de huidige waarden en stuur ze opnieuw met If-Match: "v{exc.current_version}".',
                headers={"ETag": f'"v{exc.current_version}"'},
                current_version=exc.current_version,
                current=jsonable(exc.current),
            )
        case Unauthenticated():
            response = problem_response(
                request,
                "niet-ingelogd",
                exc.detail
                or "Stuur een persoonlijk API-token mee: Authorization: Bearer <token>. Een token "
                "maakt u op uw accountpagina of met cloudtoets token create.",
            )
            response.headers["WWW-Authenticate"] = 'Bearer realm="cloudtoets"'
            return response
        case CrossSiteRequest():
            return problem_response(
                request,
                "csrf",
                "Dit verzoek komt niet van cloudtoets zelf of mist het CSRF-token "
                "(X-CSRF-Token). Er is niets gewijzigd.",
            )
        case Forbidden():
            # a workflow step says who may take it (services/workflow_steps.RoleRefused)
            reason = getattr(exc, "detail", None) or "Uw rol staat deze handeling niet toe."
            return problem_response(request, "niet-toegestaan", f"{reason} Er is niets gewijzigd.")
        case InputError():
            return problem_response(
                request,
                "ongeldige-invoer",
                f"{counted(len(exc.problems))} gevonden in {exc.source}. Er is niets opgeslagen.",
                errors=problem_items(exc.problems),
            )
        case RequestValidationError():
            errors = request_errors(exc.errors())
            return problem_response(
                request,
                "ongeldige-invoer",
                f"{counted(len(errors))} in het verzoek. Er is niets opgeslagen.",
                errors=errors,
            )
        case HTTPException():
            return _http_problem(request, exc)
        case StaleDataError():
            return problem_response(
                request,
                "versie-verouderd",
                "Iemand anders heeft dit object tegelijk gewijzigd. Haal het opnieuw op en "
                "probeer het nog eens met de nieuwe versie in If-Match.",
            )
        case IntegrityError():
            return problem_response(
                request,
                "conflict",
                "Een andere wijziging kwam tegelijk binnen. Haal de gegevens opnieuw op en "
                "probeer het nog eens.",
            )
    request_id = getattr(request.state, "request_id", None)
    register: Register = request.app.state.register
    cause = register.outage.refuse(exc, f"{request.method} {request.url.path}")
    if cause is not None:
        return problem_response(
            request,
            "niet-beschikbaar",
            UNAVAILABLE_DETAILS[cause],
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    log.exception(
        "onverwachte fout in %s %s (verzoek %s)", request.method, request.url.path, request_id
    )
    return problem_response(
        request,
        "interne-fout",
        "Er ging iets mis aan de kant van cloudtoets. Probeer het later opnieuw; noem bij een "
        f"melding verzoeknummer {request_id}.",
    )


UNAVAILABLE_DETAILS = {
    Cause.UNREACHABLE: "De database van cloudtoets is even niet bereikbaar. Probeer het over "
    f"{RETRY_AFTER_SECONDS} seconden opnieuw. Stuurde u een wijziging, lees dan eerst het object "
    "opnieuw: de wijziging is waarschijnlijk niet opgeslagen.",
    Cause.BUSY: "De database van cloudtoets is bezet met ander werk, zoals een grote import. "
    f"Probeer het over {RETRY_AFTER_SECONDS} seconden opnieuw. Er is niets opgeslagen.",
}


def _limited(receive: Receive, upload_limit: int) -> Receive:
    """``receive`` that stops a body larger than an upload plus its multipart framing."""
    limit = upload_limit + MULTIPART_SLACK
    received = 0

    async def receive_with_limit() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(upload_limit)
        return message

    return receive_with_limit


def upload_limit(request: Request) -> int:
    limit: int = request.app.state.register.settings.max_upload_bytes
    return limit


class ProblemRoute(APIRoute):
    """An API route whose every error, expected or not, is a problem response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def problem_handler(request: Request) -> Response:
            try:
                if request.method in ("POST", "PUT", "PATCH"):
                    limit = upload_limit(request)
                    length = request.headers.get("content-length", "")
                    if length.isdigit() and int(length) > limit + MULTIPART_SLACK:
                        raise BodyTooLarge(limit)
                    request = Request(request.scope, _limited(request.receive, limit))
                return await handler(request)
            except Exception as exc:
                return render_exception(request, exc)

        return problem_handler


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route can give (every route: 400 for a query
    parameter it does not know or a control character in the address, and 500; server/app.py
    adds 503 for every address that needs the database)."""
    return {
        status: {
            "description": _STATUS_DESCRIPTIONS.get(status, "Fout"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
        for status in sorted({400, *statuses, 500})
    }


_STATUS_DESCRIPTIONS = {
    400: "Ongeldig verzoek: een onbekende queryparameter (het antwoord noemt de bekende) of een "
    "stuurteken in het adres",
    404: "Niet gevonden (ook voor objecten van andere organisaties)",
    409: "Bestaat al, of botst met een gelijktijdige wijziging",
    412: "De versie in If-Match is verouderd; het antwoord bevat de huidige waarden",
    413: "Het verzoek is te groot",
    422: "Ongeldige invoer; errors noemt elk probleem",
    428: "De header If-Match ontbreekt",
    500: "Interne fout, zonder details; met het verzoeknummer",
    503: "Tijdelijk niet beschikbaar, zoals een database die even niet bereikbaar of bezet is; "
    "probeer het opnieuw na Retry-After seconden",
}
# Inline (FastAPI registers components only for application/json models); its error items refer
# to the ErrorItem component that ImportPlanOut registers (a test resolves every $ref).
PROBLEM_SCHEMA = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
PROBLEM_SCHEMA.pop("$defs")
