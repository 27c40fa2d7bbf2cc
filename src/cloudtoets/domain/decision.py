"""The outcome of evaluating one registration against one policy version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cloudtoets.domain.vocabulary import Scope, Severity, Verdict


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule that fires for a registration. Immutable: equal findings are shared."""

    rule: str
    section: str
    severity: Severity
    deadline: dt.date | None
    justified: bool
    message: str


@dataclass(slots=True)
class Decision:
    """A verdict with everything needed to explain and reproduce it.

    ``policy_id`` and ``policy_revision`` pin the exact policy text; together with the input and
    ``as_of`` any past decision can be recomputed.
    """

    registration: str
    organisation: str
    scope: Scope
    public_cloud: bool
    external_cloud: bool
    material: bool
    material_reasons: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    effective_tbb_level: int | None
    verdict: Verdict
    deadline: dt.date | None
    findings: tuple[Finding, ...]
    policy_id: str
    policy_revision: str
    as_of: dt.date

    @property
    def counts_as_failure(self) -> bool:
        """Only registrations in mandatory scope can fail a check."""
        return self.scope is Scope.MANDATORY
