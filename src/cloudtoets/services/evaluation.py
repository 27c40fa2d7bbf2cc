"""Evaluate stored registrations and keep their outcome and decision history.

Each evaluation updates the registration's outcome columns (verdict, deadline, ...) and, when the
outcome, the input or the policy revision differ from the last decision record, adds a new
decision record with the input snapshot (an inventory document of the registration, its
organisation and the providers of its jurisdiction chain) and the result as ``cloudtoets check``
prints it. Any past verdict can so be shown and reproduced (``cloudtoets check`` on the snapshot).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any, NamedTuple

import orjson
from sqlalchemy import update
from sqlalchemy.orm import Session

from cloudtoets.catalogue import catalogue_directory
from cloudtoets.domain.decision import Decision
from cloudtoets.domain.model import Organisation, Registration
from cloudtoets.domain.serialise import decision_result, jsonable
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import condition_truth, evaluator_for
from cloudtoets.policy.conditions import Node
from cloudtoets.policy.model import Policy
from cloudtoets.store import repositories as repo
from cloudtoets.store.mapping import (
    organisation_from_row,
    provider_from_row,
    registration_from_row,
)
from cloudtoets.store.tables import DecisionRow, OrganisationRow, RegistrationRow


def _digest(value: Any) -> str:
    return hashlib.sha256(orjson.dumps(value, option=orjson.OPT_SORT_KEYS)).hexdigest()


class Outcome(NamedTuple):
    """One evaluation as the register stores it."""

    decision: Decision
    snapshot: dict[str, Any]  # the decision record's input
    result: dict[str, Any]  # the decision record's result
    values: dict[str, Any]  # the registration row's outcome columns


class RegisterEvaluator:
    """Evaluates registrations of the register against one policy on one date."""

    def __init__(self, session: Session, policy: Policy, as_of: dt.date) -> None:
        self.session = session
        self.policy = policy
        self.as_of = as_of
        self._evaluator = evaluator_for(policy, as_of)
        self._contexts: dict[str, EvaluationContext] = {}

    def context_for(self, organisation_id: str) -> EvaluationContext:
        """Organisation plus the catalogue and that organisation's own providers."""
        context = self._contexts.get(organisation_id)
        if context is None:
            row = self.session.get(OrganisationRow, organisation_id)
            if row is None:
                raise LookupError(organisation_id)
            organisation = organisation_from_row(row)
            providers = [
                provider_from_row(p) for p in repo.providers_of(self.session, organisation_id)
            ]
            context = EvaluationContext(
                {organisation.id: organisation}, catalogue_directory(providers)
            )
            self._contexts[organisation_id] = context
        return context

    def holds(self, registration: Registration, conditions: Iterable[Node]) -> bool | None:
        """Whether any of the policy's conditions holds for the registration (None: unknown)."""
        context = self.context_for(registration.organisation)
        return condition_truth(conditions, registration, context, self.policy, self.as_of)

    def forget(self, organisation_id: str) -> None:
        """Drop a cached context after the organisation or its providers changed."""
        self._contexts.pop(organisation_id, None)

    def evaluate(self, registration: Registration) -> Decision:
        return self._evaluator.evaluate(registration, self.context_for(registration.organisation))

    def snapshot(self, registration: Registration) -> dict[str, Any]:
        """The inventory document that reproduces this registration's decision."""
        context = self.context_for(registration.organisation)
        organisation: Organisation = context.organisations[registration.organisation]
        chain_ids: dict[str, None] = {}
        for provider_id in (registration.provider, *(registration.subprocessors or ())):
            if provider_id is not None:
                chain_ids.update({p.id: None for p in context.providers.chain(provider_id)})
        providers = [context.providers.get(pid) for pid in chain_ids]
        return {
            "organisations": [jsonable(organisation)],
            "providers": [jsonable(p) for p in providers if p is not None],
            "registrations": [jsonable(registration)],
        }

    def apply(
        self,
        row: RegistrationRow,
        registration: Registration | None = None,
        *,
        versioned: bool = True,
    ) -> Decision:
        """Evaluate a stored registration and record the outcome on its row.

        ``versioned``: the outcome is part of a user's change (the row's version goes up with
        it). A re-evaluation because time passed is not a change anyone could conflict with, so
        it writes the outcome without touching the version.
        """
        registration = registration or registration_from_row(row)
        with self.session.no_autoflush:  # a pending row is written once, with its outcome
            outcome = self.outcome(registration)
        decision, values = outcome.decision, outcome.values
        digest = values["decision_hash"]
        jurisdictions_changed = row.jurisdictions != values["jurisdictions"]
        new_record = row.decision_hash != digest
        if versioned:
            for name, value in values.items():
                setattr(row, name, value)
            self.session.flush()
        else:
            self.session.execute(
                update(RegistrationRow)
                .where(RegistrationRow.id == row.id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        if jurisdictions_changed:
            repo.set_jurisdictions(self.session, row.id, decision.jurisdictions)
        if new_record:
            self.session.add(
                DecisionRow(**self.decision_values(row.id, row.organisation_id, outcome))
            )
        return decision

    def use_context(self, organisation_id: str, context: EvaluationContext) -> None:
        """Evaluate this organisation's registrations in ``context`` (an import evaluates
        against the organisation and providers as they will be once it is stored)."""
        self._contexts[organisation_id] = context

    def outcome(self, registration: Registration) -> Outcome:
        """The decision, the input snapshot, the result and the row's outcome columns (with
        ``decision_hash``), without writing anything."""
        decision = self.evaluate(registration)
        snapshot = self.snapshot(registration)
        result = decision_result(decision)
        digest = _digest([self.policy.revision, snapshot, result])
        values: dict[str, Any] = {
            "verdict": decision.verdict.value,
            "verdict_best": decision.best.value,
            "verdict_worst": decision.worst.value,
            "deadline": decision.deadline,
            "is_material": decision.material,
            "is_public_cloud": decision.public_cloud,
            "findings_count": len(decision.findings),
            "evaluated_on": self.as_of,
            "policy_revision": self.policy.revision,
            "jurisdictions": list(decision.jurisdictions),
            "decision_hash": digest,
        }
        return Outcome(decision, snapshot, result, values)

    def decision_values(
        self, registration_id: str, organisation_id: str, outcome: Outcome
    ) -> dict[str, Any]:
        """The column values of the decision record of ``outcome``."""
        return {
            "registration_id": registration_id,
            "organisation_id": organisation_id,
            "policy_id": self.policy.id,
            "policy_revision": self.policy.revision,
            "as_of": self.as_of,
            "verdict": outcome.decision.verdict.value,
            "deadline": outcome.decision.deadline,
            "input": outcome.snapshot,
            "result": outcome.result,
        }

    def refresh_all(self, rows: Iterable[RegistrationRow]) -> int:
        """Re-evaluate rows because the date moved on (no version change)."""
        count = 0
        for row in rows:
            self.apply(row, versioned=False)
            count += 1
        return count
