"""evaluate(registration, context, policy, as_of) -> Decision: pure and deterministic.

The work is done by the function ``engine/compiler.py`` generates from the policy; this module
binds it to an as-of date. The generated function reads the organisation and jurisdiction chain
from the context itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from cloudtoets.domain.decision import Decision
from cloudtoets.domain.model import Registration
from cloudtoets.engine.compiler import CompiledPolicy, Evaluate, compile_policy
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.open import OpenEvaluator, any_of, justification_holds, reference_outcome
from cloudtoets.policy.conditions import Node
from cloudtoets.policy.model import Policy

__all__ = [
    "Evaluator",
    "condition_truth",
    "evaluate",
    "evaluate_registrations",
    "evaluator_for",
    "justification_holds",
]


class Evaluator:
    """A policy bound to an as-of date, ready to evaluate any number of registrations.

    ``evaluate(registration, context) -> Decision`` is the generated function itself, not a
    method that calls it: one Python call less per registration. ``eager_messages`` composes
    each finding's message as it is made instead of on first read (the same text).
    """

    evaluate: Evaluate

    def __init__(self, policy: Policy, as_of: dt.date, *, eager_messages: bool = False) -> None:
        self.policy = policy
        self.as_of = as_of
        self.evaluate = compiled_policy(policy).bind(as_of, eager_messages=eager_messages)

    def evaluate_all(
        self, registrations: Iterable[Registration], context: EvaluationContext
    ) -> list[Decision]:
        run = self.evaluate
        return [run(r, context) for r in registrations]


@lru_cache(maxsize=32)
def compiled_policy(policy: Policy) -> CompiledPolicy:
    return compile_policy(policy)


@lru_cache(maxsize=64)
def evaluator_for(policy: Policy, as_of: dt.date) -> Evaluator:
    return Evaluator(policy, as_of)


@lru_cache(maxsize=16)
def open_evaluator_for(policy: Policy, as_of: dt.date) -> OpenEvaluator:
    """The three-valued evaluation, for questions about one registration's conditions."""
    return OpenEvaluator(policy, as_of)


def condition_truth(
    conditions: Iterable[Node],
    registration: Registration,
    context: EvaluationContext,
    policy: Policy,
    as_of: dt.date,
) -> bool | None:
    """Whether any of the conditions holds for the registration: True, False, or None when
    unknown facts leave it open (unknowns.md)."""
    evaluator = open_evaluator_for(policy, as_of)
    organisation = context.organisations[registration.organisation]
    facts = evaluator.facts(registration, organisation, context)
    truth, _ = any_of(reference_outcome(node, facts) for node in conditions)
    return truth


def evaluate(
    registration: Registration, context: EvaluationContext, policy: Policy, as_of: dt.date
) -> Decision:
    """Evaluate one registration; the as-of date is an argument, never the clock."""
    return evaluator_for(policy, as_of).evaluate(registration, context)


def evaluate_registrations(
    registrations: Iterable[Registration],
    context: EvaluationContext,
    policy: Policy,
    as_of: dt.date,
) -> list[Decision]:
    """Evaluate many registrations in their order, sharing the compiled policy and caches."""
    return evaluator_for(policy, as_of).evaluate_all(registrations, context)
