"""The overview: each role's own work queue, then per organisation (or all) counts per verdict,
deadlines and material gaps; the administrator, who reads no register, gets its own tasks."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.presentation import texts
from cloudtoets.services import declared_evidence
from cloudtoets.services import overview as overview_service
from cloudtoets.services.notification_states import STATE_LABELS
from cloudtoets.services.organisations import visible_organisations
from cloudtoets.services.pending_work import pending_work
from cloudtoets.services.permissions import Permission, can
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.templating import render

router = APIRouter(route_class=WebRoute)


def _list_url(**params: str | None) -> str:
    query = {k: v for k, v in params.items() if v}
    return "/registraties" + (f"?{urlencode(query)}" if query else "")


@router.get("/", name="web_overview")
def overview(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    if not can(actor, Permission.READ_REGISTER):
        # the administrator sees no register content: its own tasks instead of empty figures
        return render(
            request,
            "pages/overview.html",
            {"administrator": can(actor, Permission.MANAGE_ACCOUNTS), "reads": False},
            section="overview",
        )
    organisations = visible_organisations(register, actor)
    known = {o.id: o for o in organisations}
    chosen = request.query_params.get("organisatie") or None
    if len(organisations) == 1:
        chosen = organisations[0].id
    unknown = chosen is not None and chosen not in known
    if unknown:
        chosen = None
    data = overview_service.overview(register, actor, chosen)
    cards = [
        {
            "number": data.counts.get(verdict, 0),
            "label": label,
            "href": _list_url(oordeel=verdict, organisatie=chosen),
            "verdict": verdict,
        }
        for verdict in texts.VERDICT_ORDER
        for label in [texts.VERDICTS[verdict]]
    ]
    cards.append(
        {
            "number": data.total,
            "label": "registraties in totaal",
            "href": _list_url(organisatie=chosen),
        }
    )
    context = {
        "reads": True,
        "organisations": organisations,
        "org_options": [(o.id, o.name) for o in organisations],
        "transition_url": _list_url(oordeel="transition", sort="deadline", organisatie=chosen),
        "organisation_names": {o.id: o.name for o in organisations},
        "chosen": known.get(chosen) if chosen else None,
        "unknown": unknown,
        "all_visible": actor.visible is None,
        "data": data,
        "cards": cards,
        "today": register.today(),
        "policy": register.policy,
        # drafts sent back to the editors, drafts awaiting an approver (four eyes), questions
        # of CIO Rijk to the editors, and notifications waiting for CIO Rijk
        "work": pending_work(register, actor, chosen),
        "has_queue": any(
            can(actor, p)
            for p in (
                Permission.WRITE_REGISTER,
                Permission.APPROVE,
                Permission.HANDLE_NOTIFICATIONS,
            )
        ),
        "notification_states": STATE_LABELS,
        # evidence from an import that waits for the approver (Te bevestigen)
        "to_confirm": len(declared_evidence.waiting(register, actor))
        if actor.can(Permission.APPROVE)
        else 0,
    }
    return render(request, "pages/overview.html", context, section="overview")
