"""Rendering pages: the shared Jinja environment as responses, the main menu, flash messages
and redirects.

Flash messages ("De registratie is opgeslagen.") survive the POST -> 303 -> GET step in a short
cookie that holds only a code from ``FLASHES`` (plus, for some, whole numbers), never text:
nothing to sign, nothing a forged cookie could inject, and no server-side session store, so any
app process can show it. The page that shows the message deletes the cookie.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from cloudtoets.presentation.environment import ENV
from cloudtoets.services.actor import Actor
from cloudtoets.services.permissions import Permission, can, role_names

# templates ask the same question as the handlers: {% if can(current_user, "register:write") %}
ENV.globals["can"] = can
ENV.globals["role_names"] = role_names

TEMPLATES = Jinja2Templates(env=ENV)

# (section, label, address, the permission that shows it: None for everyone logged in)
NAV: tuple[tuple[str, str, str, Permission | None], ...] = (
    ("overview", "Overzicht", "/", None),
    ("registrations", "Registraties", "/registraties", Permission.READ_REGISTER),
    ("import", "Importeren", "/importeren", Permission.WRITE_REGISTER),
    ("export", "Exporteren", "/exporteren", Permission.READ_REGISTER),
    ("providers", "Leveranciers", "/leveranciers", Permission.READ_REGISTER),
    ("monitoring", "Monitoring", "/monitoring", Permission.MONITOR),
    ("notifications", "Meldingen", "/meldingen", Permission.READ_REGISTER),
    ("audit", "Auditlogboek", "/auditlog", Permission.READ_AUDIT),
    ("accounts", "Accounts", "/beheer/accounts", Permission.MANAGE_ACCOUNTS),
)

# after an editor saves a draft: who takes it from here (four eyes, services/workflow_steps.py)
WAITS_FOR_APPROVER = (
    " Het concept wacht nu op een accordeerder van de organisatie (niet uzelf): die accordeert "
    "het of stuurt het terug met een reden. U ziet dat op het overzicht."
)

FLASH_COOKIE = "ct-melding"
# code -> (type, text); "{0}", "{1}", ... are filled with the whole numbers after the code
FLASHES: Mapping[str, tuple[str, str]] = {
    "saved": ("ok", "De registratie is opgeslagen."),
    "saved_future_use": (
        "warning",
        "De registratie is opgeslagen. Let op: In gebruik sinds ({0}-{1}-{2}) ligt in de "
        "toekomst. Klopt die datum niet? Pas hem dan aan.",
    ),
    "added": ("ok", "De registratie is opgeslagen. cloudtoets heeft haar meteen getoetst."),
    "deleted": ("ok", "De registratie is verwijderd."),
    "imported": (
        "ok",
        "De inventaris is geïmporteerd: {0} nieuw, {1} gewijzigd en {2} ongewijzigd.",
    ),
    "risk_draft_saved": (
        "ok",
        "De integrale risicoafweging is opgeslagen als concept." + WAITS_FOR_APPROVER,
    ),
    "risk_new_version": (
        "ok",
        "De wijziging is opgeslagen als versie {0}, een concept. De geaccordeerde versie blijft "
        "gelden tot deze versie is geaccordeerd." + WAITS_FOR_APPROVER,
    ),
    "risk_accepted": ("ok", "De integrale risicoafweging is geaccordeerd."),
    "exit_plan_saved": ("ok", "Het exitplan is opgeslagen."),
    "exit_test_recorded": ("ok", "De test van het exitplan is vastgelegd."),
    "exit_review_recorded": ("ok", "De beoordeling van het exitplan is vastgelegd."),
    "justification_proposed": (
        "ok",
        "De afwijking is voorgesteld. Ze wacht nu op een accordeerder van de organisatie (niet "
        "uzelf): die accepteert haar of stuurt haar terug met een reden.",
    ),
    "justification_accepted": ("ok", "De afwijking is geaccepteerd en gemeld bij CIO Rijk."),
    "justification_withdrawn": ("ok", "De afwijking is ingetrokken."),
    "notification_created": (
        "ok",
        "De melding is gemaakt als concept. Dien haar in als ze klaar is.",
    ),
    "notification_submitted": ("ok", "De melding is ingediend bij CIO Rijk."),
    "notification_received": ("ok", "De melding is in behandeling genomen."),
    "notification_commented": ("ok", "De opmerking is geplaatst."),
    "notification_question": ("ok", "De vraag is gesteld. De organisatie kan nu antwoorden."),
    "notification_answered": ("ok", "Het antwoord is verstuurd naar CIO Rijk."),
    "notification_closed": ("ok", "De melding is afgesloten."),
    "notification_imported": ("ok", "Het pakket is gecontroleerd en de melding is geïmporteerd."),
    "risk_returned": (
        "ok",
        "Het concept is teruggestuurd. De bewerkers zien de reden op het overzicht.",
    ),
    "justification_returned": (
        "ok",
        "Het voorstel is teruggestuurd. De bewerkers zien de reden op het overzicht.",
    ),
    "declared_confirmed": ("ok", "Bevestigd: {0} stuk(ken) bewijs. Het telt nu mee."),
    # accounts (web/account_admin.py, web/accounts.py)
    "account_created": ("ok", "Het account is gemaakt."),
    "account_saved": (
        "ok",
        "Het account is gewijzigd. Bij een andere rol of organisatie logt het opnieuw in.",
    ),
    "account_disabled": ("ok", "Het account is uitgeschakeld. Sessies en tokens werken niet meer."),
    "account_enabled": ("ok", "Het account is weer ingeschakeld."),
    "password_set": (
        "ok",
        "Het nieuwe wachtwoord is opgeslagen. Geef het veilig door; lopende sessies zijn "
        "beëindigd.",
    ),
    "second_factor_reset": (
        "ok",
        "De tweede stap is uitgezet. Het account kan haar opnieuw instellen.",
    ),
    "token_revoked": ("ok", "Het token is ingetrokken."),
    "password_changed": ("ok", "Uw wachtwoord is gewijzigd. Uw andere sessies zijn beëindigd."),
    "second_factor_on": (
        "ok",
        "De tweede stap staat aan. Bij het inloggen vraagt cloudtoets de code.",
    ),
    "second_factor_off": ("ok", "De tweede stap staat uit."),
    "session_ended": ("ok", "De sessie is beëindigd."),
}
_FLASH_VALUE = re.compile(r"^([a-z_]+)((?:-\d{1,9}){0,5})$")


def nav_items(section: str | None, actor: Actor | None = None) -> list[dict[str, Any]]:
    """The main menu: only what this user may open (none before logging in)."""
    if actor is None:
        return []
    return [
        {"label": label, "href": href, "current": key == section}
        for key, label, href, permission in NAV
        if permission is None or can(actor, permission)
    ]


def _flash_messages(request: Request) -> list[dict[str, str]]:
    match = _FLASH_VALUE.match(request.cookies.get(FLASH_COOKIE, ""))
    if match is None or match.group(1) not in FLASHES:
        return []
    kind, text = FLASHES[match.group(1)]
    numbers = [int(n) for n in match.group(2).split("-") if n]
    try:
        text = text.format(*numbers)
    except IndexError:
        return []
    return [{"type": kind, "text": text}]


def _eea(request: Request) -> frozenset[str] | None:
    register = getattr(request.app.state, "register", None)
    return None if register is None else register.policy.parameters.eea


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    section: str | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A page: the template with the menu, any flash message and the request."""
    state = request.state
    actor = getattr(state, "actor", None)
    values: dict[str, Any] = {
        "nav_items": nav_items(section, actor if isinstance(actor, Actor) else None),
        "flash_messages": _flash_messages(request),
        "static_base": "/static",
        "current_user": getattr(state, "actor", None),
        "session_login": getattr(state, "via", None) == "session",
        # the EEA of the policy in use, for outside_eea (presentation/texts.py)
        "eea": _eea(request),
    }
    csrf_token = getattr(state, "csrf_token", None)
    if csrf_token is not None:
        values["csrf_token"] = csrf_token
    values.update(context or {})
    response = TEMPLATES.TemplateResponse(
        request, template, values, status_code=status, headers=dict(headers or {})
    )
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def fragment(
    request: Request, template: str, context: Mapping[str, Any], *, status: int = 200
) -> Response:
    """A part of a page (for htmx): no layout, no menu."""
    return TEMPLATES.TemplateResponse(request, template, dict(context), status_code=status)


def redirect(
    request: Request, url: str, flash: str | None = None, numbers: Sequence[int] = ()
) -> Response:
    """303 See Other to a GET page, with a flash message for that page."""
    response = RedirectResponse(url, status_code=303)
    if flash is not None:
        assert flash in FLASHES, flash
        value = "-".join([flash, *(str(int(n)) for n in numbers)])
        response.set_cookie(
            FLASH_COOKIE,
            value,
            max_age=120,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response
