"""evaluate(registration, context, policy, as_of) -> Decision: pure and deterministic.

The compiled matcher says which rules fire; this module adds what the policy says about each
finding (deadline, justification, message) and derives the verdict (policy.md, "Verdict").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from functools import lru_cache

from cloudtoets.domain.decision import Decision, Finding
from cloudtoets.domain.model import Justification, Registration
from cloudtoets.domain.vocabulary import Severity, Verdict
from cloudtoets.engine.compiler import CompiledPolicy, compile_policy
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.messages import Facts, MessageBuilder
from cloudtoets.engine.transition import deadline_for, is_existing_use
from cloudtoets.policy.model import Policy, Rule

_ADVISED = Severity.ADVISED_AGAINST
_HARD = frozenset({Severity.FORBIDDEN, Severity.REQUIRED})


def justification_holds(justification: Justification, rule: Rule) -> bool:
    """Reason, who accepted and when are filled in, plus any conditions the rule adds."""
    if not (
        justification.reason.strip()
        and justification.accepted_by is not None
        and justification.accepted_by.strip()
        and justification.accepted_on is not None
    ):
        return False
    for condition in rule.justification_requires:
        value = getattr(justification, condition)
        if value is None or value is False:
            return False
    return True


def material_reasons(registration: Registration, criteria: Iterable[str]) -> tuple[str, ...]:
    if registration.material is True:
        return ("declared",)
    if registration.material is False:
        return ()
    return tuple(sorted(c for c in criteria if getattr(registration, c)))


class Evaluator:
    """A policy bound to an as-of date, ready to evaluate any number of registrations."""

    def __init__(self, policy: Policy, as_of: dt.date) -> None:
        self.policy = policy
        self.as_of = as_of
        compiled = _compiled(policy)
        self._match, self._match_late = compiled.bind(as_of)
        self._early = compiled.early
        self._late = compiled.late
        self._messages = MessageBuilder(policy)
        p = policy.parameters
        self._criteria = p.material_criteria
        self._scope = {str(k): v for k, v in p.scope_by_org_type.items()}

    def evaluate(self, registration: Registration, context: EvaluationContext) -> Decision:
        r = registration
        policy = self.policy
        parameters = policy.parameters
        as_of = self.as_of
        organisation = context.organisations[r.organisation]
        jurisdiction_set, jurisdictions = context.jurisdictions(r)
        hits, public, external, material, tbb = self._match(r, organisation, jurisdiction_set)
        existing = is_existing_use(r, parameters.adopted)
        facts = Facts(r, jurisdiction_set, tbb)
        deadlines: dict[object, dt.date] = {}
        findings: list[Finding] = []
        unreported: list[str] = []

        def finding(rule: Rule) -> Finding:
            deadline = None
            if existing and rule.transition is not None:
                deadline = deadlines.get(rule.transition)
                if deadline is None:
                    deadline = deadline_for(r, rule.transition, parameters)
                    deadlines[rule.transition] = deadline
            accepted = None
            if rule.severity is _ADVISED:
                for justification in r.justifications:
                    if justification.rule == rule.id and justification_holds(justification, rule):
                        accepted = justification
                        if justification.reported_on is None:
                            unreported.append(rule.id)
                        break
            message = self._messages.message(rule, facts, deadline, as_of, accepted)
            return Finding(rule.id, rule.section, rule.severity, deadline, accepted is not None, message)

        early = self._early
        for index in hits:
            findings.append(finding(early[index]))
        if self._late:
            late_hits = self._match_late(
                r, organisation, jurisdiction_set, public, external, material, tbb, bool(unreported)
            )
            if late_hits:
                facts.unreported_rules = tuple(unreported)
                findings.extend(finding(self._late[i]) for i in late_hits)
                findings.sort(key=_by_rule)

        verdict, deadline = _verdict(findings, as_of)
        return Decision(
            registration=r.id,
            organisation=r.organisation,
            scope=self._scope[organisation.type],
            public_cloud=public,
            external_cloud=external,
            material=material,
            material_reasons=material_reasons(r, self._criteria),
            jurisdictions=jurisdictions,
            effective_tbb_level=tbb,
            verdict=verdict,
            deadline=deadline,
            findings=tuple(findings),
            policy_id=policy.id,
            policy_revision=policy.revision,
            as_of=as_of,
        )

    def evaluate_all(
        self, registrations: Iterable[Registration], context: EvaluationContext
    ) -> Iterator[Decision]:
        evaluate = self.evaluate
        for registration in registrations:
            yield evaluate(registration, context)


def _by_rule(finding: Finding) -> str:
    return finding.rule


def _verdict(findings: list[Finding], as_of: dt.date) -> tuple[Verdict, dt.date | None]:
    if not findings:
        return Verdict.ALLOWED, None
    earliest: dt.date | None = None
    hard = False
    open_advice = False
    for f in findings:
        if f.severity in _HARD:
            hard = True
            if f.deadline is None or f.deadline <= as_of:
                return Verdict.NOT_ALLOWED, None
            if earliest is None or f.deadline < earliest:
                earliest = f.deadline
        elif f.severity is _ADVISED and not f.justified:
            open_advice = True
    if hard:
        return Verdict.TRANSITION, earliest
    if open_advice:
        return Verdict.ADVISED_AGAINST, None
    return Verdict.ALLOWED_WITH_CONDITIONS, None


@lru_cache(maxsize=32)
def _compiled(policy: Policy) -> CompiledPolicy:
    return compile_policy(policy)


@lru_cache(maxsize=64)
def evaluator_for(policy: Policy, as_of: dt.date) -> Evaluator:
    return Evaluator(policy, as_of)


def evaluate(
    registration: Registration, context: EvaluationContext, policy: Policy, as_of: dt.date
) -> Decision:
    """Evaluate one registration; the as-of date is an argument, never the clock."""
    return evaluator_for(policy, as_of).evaluate(registration, context)



def evaluate_registrations(
    registrations: Iterable[Registration], context: EvaluationContext, policy: Policy, as_of: dt.date
) -> list[Decision]:
    """Evaluate many registrations in their order, sharing the compiled policy and caches."""
    return list(evaluator_for(policy, as_of).evaluate_all(registrations, context))
