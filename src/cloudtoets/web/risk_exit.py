"""The risk assessment and exit plan pages, and their state on the registration's own page.

``partials/risk_exit.html`` is included in the registration page and asks
``risk_exit_state(request, registration_id)`` for the state, so that page needs no extra context.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Request

from cloudtoets.presentation.environment import ENV
from cloudtoets.services import exit_plans, risk_assessments
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import NotFound
from cloudtoets.web import exit_plans as exit_plan_pages
from cloudtoets.web import risk_assessments as risk_assessment_pages
from cloudtoets.web.errors import WebRoute

router = APIRouter(route_class=WebRoute)
router.include_router(risk_assessment_pages.router)
router.include_router(exit_plan_pages.router)


@dataclass(frozen=True, slots=True)
class State:
    """What the registration page says about the risk assessment and the exit plan."""

    assessment: str  # none|draft|accepted|overdue
    accepted: risk_assessments.StoredAssessment | None
    draft: risk_assessments.StoredAssessment | None
    plan: exit_plans.StoredExitPlan | None
    plan_review_overdue: bool
    today: dt.date
    risk_url: str
    exit_url: str


def state_of(register: Register, actor: Actor, registration_id: str) -> State | None:
    try:
        versions = risk_assessments.list_assessments(register, actor, registration_id)
        plan = exit_plans.find_exit_plan(register, actor, registration_id)
    except NotFound:
        return None
    today = register.today()
    accepted = next((v for v in versions if v.state == "accepted"), None)
    draft = next((v for v in versions if v.state == "draft"), None)
    if accepted is not None:
        assessment = "overdue" if accepted.review_overdue(today) else "accepted"
    else:
        assessment = "draft" if draft is not None else "none"
    return State(
        assessment=assessment,
        accepted=accepted,
        draft=draft,
        plan=plan,
        plan_review_overdue=plan is not None and plan.review_overdue(today),
        today=today,
        risk_url=risk_assessment_pages.url(registration_id),
        exit_url=exit_plan_pages.url(registration_id),
    )


def _state_for_page(request: Request, registration_id: str) -> State | None:
    """For the template: the register and the actor of this request."""
    actor = getattr(request.state, "actor", None)
    if not isinstance(actor, Actor):
        return None
    register: Register = request.app.state.register
    return state_of(register, actor, registration_id)


ENV.globals["risk_exit_state"] = _state_for_page
