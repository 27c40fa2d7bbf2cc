"""Check a whole inventory without storing it: what ``cloudtoets check --format json`` answers,
for the API's evaluate endpoint."""

from __future__ import annotations

import datetime as dt
import io

from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import evaluate_registrations
from cloudtoets.io import results
from cloudtoets.io.validate import validate_document
from cloudtoets.policy.loader import builtin_policy_ids, load_policy
from cloudtoets.policy.model import Policy
from cloudtoets.services.context import Register


class UnknownPolicy(ValueError):
    """A policy id that is not built in; ``known`` are the ids that are."""

    def __init__(self, policy_id: str, known: list[str]) -> None:
        super().__init__(f"onbekend beleid '{policy_id}'; kies uit {', '.join(known)}")
        self.known = known


def chosen_policy(register: Register, policy_id: str | None) -> Policy:
    """The register's policy, or a built-in one by id (never a file path on the server)."""
    if policy_id is None:
        return register.policy
    known = builtin_policy_ids()
    if policy_id not in known:
        raise UnknownPolicy(policy_id, known)
    return load_policy(policy_id)


def check_document(policy: Policy, document: bytes, as_of: dt.date) -> bytes:
    """The check result as JSON; InputError with every problem when the document is invalid."""
    checked = validate_document(document, "inventaris")
    context = EvaluationContext(checked.organisations, checked.providers)
    decisions = evaluate_registrations(checked.inventory.registrations, context, policy, as_of)
    out = io.BytesIO()
    results.write_json(decisions, policy, as_of, out)
    return out.getvalue()
