"""A policy's own tests: its example registrations with the verdict and rules they must give
(``cloudtoets policy test``, docs/policy-language.md "Voorbeelden").

Each example is read as a small inventory (one organisation, one registration) along the path of
every inventory (``io/validate.py``), so a mistake in an example gets the same Dutch problem as in
an inventory, and evaluated like ``cloudtoets check`` does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cloudtoets.domain.vocabulary import Verdict
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import evaluate_registrations
from cloudtoets.io.validate import validate_document
from cloudtoets.policy.model import Policy
from cloudtoets.policy.schema import Example
from cloudtoets.problems import InputError

EXAMPLE_ORGANISATION = "voorbeeld-organisatie"


@dataclass(frozen=True, slots=True)
class ExampleResult:
    name: str
    verdict: Verdict | None  # None: the example could not be read
    rules: tuple[str, ...]  # the rules with a finding, sorted
    failures: tuple[str, ...]  # what differs from the expectation, in Dutch; empty: passed

    @property
    def passed(self) -> bool:
        return not self.failures


def _document(policy: Policy, example: Example) -> dict[str, Any]:
    base = policy.example_base
    organisation = {**(base.organisation if base else {}), **example.organisation}
    organisation.setdefault("id", EXAMPLE_ORGANISATION)
    registration = {**(base.registration if base else {}), **example.registration}
    registration.setdefault("id", "voorbeeld")
    registration.setdefault("organisation", organisation["id"])
    return {"organisations": [organisation], "registrations": [registration]}


def as_of_of(policy: Policy, example: Example) -> dt.date | None:
    if example.as_of is not None:
        return example.as_of
    return policy.example_base.as_of if policy.example_base is not None else None


def run_example(policy: Policy, example: Example) -> ExampleResult:
    as_of = as_of_of(policy, example)
    if as_of is None:
        message = "geen peildatum; geef as_of bij het voorbeeld of in example_base"
        return ExampleResult(example.name, None, (), (message,))
    try:
        checked = validate_document(_document(policy, example), f"voorbeeld {example.name}")
    except InputError as error:
        return ExampleResult(example.name, None, (), tuple(str(p) for p in error.problems))
    context = EvaluationContext(checked.organisations, checked.providers)
    [decision] = evaluate_registrations(checked.inventory.registrations, context, policy, as_of)
    fired = tuple(sorted({f.rule for f in decision.findings}))
    expect = example.expect
    failures = []
    if decision.verdict is not expect.verdict:
        failures.append(f"oordeel {decision.verdict.value}, verwacht {expect.verdict.value}")
    wanted = set(expect.rules)
    if unknown := sorted(wanted - {rule.id for rule in policy.rules}):
        failures.append(f"expect.rules noemt {', '.join(unknown)}: geen regel van dit beleid")
    if missing := sorted(wanted - set(fired) - set(unknown)):
        failures.append(f"geen bevinding op {', '.join(missing)}")
    if extra := sorted(set(fired) - wanted):
        failures.append(f"onverwachte bevinding op {', '.join(extra)}")
    if expect.deadline is not None and decision.deadline != expect.deadline:
        shown = decision.deadline.isoformat() if decision.deadline else "geen"
        failures.append(f"termijn {shown}, verwacht {expect.deadline.isoformat()}")
    return ExampleResult(example.name, decision.verdict, fired, tuple(failures))


def run_examples(policy: Policy) -> list[ExampleResult]:
    """Every example of the policy (a variant's include those it inherits), in file order."""
    return [run_example(policy, example) for example in policy.examples]
