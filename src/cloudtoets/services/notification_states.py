"""The states of a notification to CIO Rijk and the steps between them, with who takes each.

draft --submit (organisation)--> submitted --receive (CIO Rijk)--> received
received | questions | answered --question (CIO Rijk)--> questions
questions --answer (organisation)--> answered
received | answered --close (CIO Rijk)--> closed
CIO Rijk may comment in received, questions and answered; the state stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from cloudtoets.services.actor import Actor
from cloudtoets.services.permissions import Permission

STATES = ("draft", "submitted", "received", "questions", "answered", "closed")
STATE_LABELS = {
    "draft": "concept",
    "submitted": "ingediend",
    "received": "in behandeling bij CIO Rijk",
    "questions": "vraag van CIO Rijk",
    "answered": "vraag beantwoord",
    "closed": "afgesloten",
    # taken over from an imported file, waiting for an approver (services/declared_evidence.py)
    "declared": "ingevoerd, nog niet bevestigd",
}
# the inbox shows what needs CIO Rijk first, then what waits for the organisation
INBOX_ORDER = ("submitted", "answered", "received", "questions", "closed", "draft")


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    label: str  # as a verb phrase: "indienen"
    sources: tuple[str, ...]
    target: str | None  # None: the state stays
    permission: Permission
    side: str  # organisation | cio-rijk
    message_kind: str | None = None  # the step adds a message of this kind

    @property
    def role_message(self) -> str:
        who = "een bewerker van de organisatie" if self.side == "organisation" else "CIO Rijk"
        return f"Alleen {who} kan een melding {self.label}."


STEPS = {
    step.name: step
    for step in (
        Step(
            "submit", "indienen", ("draft",), "submitted", Permission.WRITE_REGISTER, "organisation"
        ),
        Step(
            "receive",
            "in behandeling nemen",
            ("submitted",),
            "received",
            Permission.HANDLE_NOTIFICATIONS,
            "cio-rijk",
        ),
        Step(
            "comment",
            "van een opmerking voorzien",
            ("received", "questions", "answered"),
            None,
            Permission.HANDLE_NOTIFICATIONS,
            "cio-rijk",
            "comment",
        ),
        Step(
            "question",
            "een vraag stellen",
            ("received", "questions", "answered"),
            "questions",
            Permission.HANDLE_NOTIFICATIONS,
            "cio-rijk",
            "question",
        ),
        Step(
            "answer",
            "beantwoorden",
            ("questions",),
            "answered",
            Permission.WRITE_REGISTER,
            "organisation",
            "answer",
        ),
        Step(
            "close",
            "afsluiten",
            ("received", "answered"),
            "closed",
            Permission.HANDLE_NOTIFICATIONS,
            "cio-rijk",
        ),
    )
}


def state_refusal(step: Step, state: str) -> str:
    """Why a step cannot be taken now, and what can."""
    possible = [
        f"{s.label} ({'de organisatie' if s.side == 'organisation' else 'CIO Rijk'})"
        for s in STEPS.values()
        if state in s.sources
    ]
    text = f"Een melding {step.label} kan nu niet: de melding is {STATE_LABELS[state]}."
    if possible:
        return f"{text} Wat nu wel kan: {', '.join(possible)}."
    return f"{text} Er kan niets meer mee gebeuren."


def allowed_steps(actor: Actor, state: str) -> list[str]:
    """The steps this actor's role may take on a notification in this state."""
    return [s.name for s in STEPS.values() if state in s.sources and actor.can(s.permission)]
