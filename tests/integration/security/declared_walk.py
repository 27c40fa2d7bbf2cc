"""What the route walk needs for the declared-evidence routes: a declared object to confirm.

Like workflow_walk: the row is written directly (no registration, no audit record changes), so
the walk's snapshot check holds for every caller that may not confirm. It is declared by another
user than any demo account, so the organisation's approver may confirm it (four eyes).
"""

from __future__ import annotations

from typing import Any

from cloudtoets.services.uow import system_session
from cloudtoets.store.tables import RegistrationRow
from cloudtoets.store.workflows import NotificationRow

API = "/api/v1"
DECLARED_BY = "importeur-routewandeling"


def declared_notification(register: Any, registration_id: str) -> int:
    """A new declared notification of the registration, waiting for confirmation."""
    with system_session(register.sessions) as session:
        registration = session.get(RegistrationRow, registration_id)
        assert registration is not None
        row = NotificationRow(
            registration_id=registration_id,
            organisation_id=registration.organisation_id,
            state="declared",
            created_by=DECLARED_BY,
            provenance=f"ingevoerd bij import door {DECLARED_BY}, bron: routewandeling.json",
            declaration="to_confirm",
        )
        session.add(row)
        session.flush()
        number = row.id
        session.commit()
    return number


def confirm_one(walk: Any, call: Any, target: Any, principal: Any) -> None:
    number = declared_notification(walk.register, target.registration)
    if call.url.startswith(API):
        call.url = f"{API}/declared-evidence/notification/{number}/confirm"
    else:
        call.url = f"/te-bevestigen/notification/{number}/bevestigen"
        call.data = {}


def confirm_bulk(walk: Any, call: Any, target: Any, principal: Any) -> None:
    number = declared_notification(walk.register, target.registration)
    if call.url.startswith(API):
        call.json = {"items": [f"notification:{number}"]}
    else:
        call.data = {"bewijs": [f"notification:{number}"]}
