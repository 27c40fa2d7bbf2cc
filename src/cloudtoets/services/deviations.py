"""Deviations for CIO Rijk: every accepted justification of the organisations one may see.

An accepted justification is reported to CIO Rijk as a deviation from the policy (S3.3). The list
also holds the accepted justifications entered with a registration itself (a form or an import)
while that registration has none in the workflow, so CIO Rijk sees every deviation the register
knows of.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import String, cast, select

from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.justifications import date_or_none
from cloudtoets.services.uow import read_only
from cloudtoets.store.tables import RegistrationRow
from cloudtoets.store.workflows import JustificationRow


@dataclass(frozen=True, slots=True)
class Deviation:
    """An accepted justification as CIO Rijk sees it: a reported deviation from the policy.

    ``recorded_with`` is ``workflow`` for an accepted justification in the register and
    ``registration`` for one entered with the registration itself (a form or an import).
    """

    registration: str
    registration_name: str | None
    organisation: str
    rule: str
    reason: str
    accepted_by: str | None
    accepted_by_role: str | None
    accepted_on: dt.date | None
    reported_on: dt.date | None
    minister_consent_on: dt.date | None
    justification_id: int | None
    recorded_with: str


def list_deviations(register: Register, actor: Actor) -> list[Deviation]:
    """Accepted justifications of every organisation the actor may see, newest report first.

    Registrations without justifications in the workflow add those entered with them, so CIO
    Rijk sees every deviation the register knows of.
    """
    visible = actor.visible
    with read_only(register.sessions, actor) as session:
        found: list[Deviation] = []
        accepted = select(JustificationRow, RegistrationRow.name).join(
            RegistrationRow, RegistrationRow.id == JustificationRow.registration_id
        )
        accepted = accepted.where(JustificationRow.state == "accepted")
        if visible is not None:
            accepted = accepted.where(JustificationRow.organisation_id.in_(visible))
        for row, name in session.execute(accepted):
            found.append(
                Deviation(
                    registration=row.registration_id,
                    registration_name=name,
                    organisation=row.organisation_id,
                    rule=row.rule,
                    reason=row.reason,
                    accepted_by=row.accepted_by_name,
                    accepted_by_role=row.accepted_by_role,
                    accepted_on=row.accepted_on,
                    reported_on=row.reported_on,
                    minister_consent_on=row.minister_consent_on,
                    justification_id=row.id,
                    recorded_with="workflow",
                )
            )
        entered = select(
            RegistrationRow.id,
            RegistrationRow.name,
            RegistrationRow.organisation_id,
            RegistrationRow.justifications,
        ).where(
            cast(RegistrationRow.justifications, String) != "[]",
            RegistrationRow.id.not_in(select(JustificationRow.registration_id)),
        )
        if visible is not None:
            entered = entered.where(RegistrationRow.organisation_id.in_(visible))
        for registration_id, name, organisation, items in session.execute(entered):
            for item in items or []:
                if not (item.get("accepted_by") and item.get("accepted_on")):
                    continue  # not accepted: no deviation yet
                found.append(
                    Deviation(
                        registration=registration_id,
                        registration_name=name,
                        organisation=organisation,
                        rule=str(item.get("rule", "")),
                        reason=str(item.get("reason", "")),
                        accepted_by=item.get("accepted_by"),
                        accepted_by_role=None,
                        accepted_on=date_or_none(item.get("accepted_on")),
                        reported_on=date_or_none(item.get("reported_on")),
                        minister_consent_on=date_or_none(item.get("minister_consent_on")),
                        justification_id=None,
                        recorded_with="registration",
                    )
                )
    never = dt.date.min
    return sorted(
        found,
        key=lambda d: (d.reported_on or never, d.organisation, d.registration, d.rule),
        reverse=True,
    )
