"""A loaded, checked policy version: rules with parsed conditions and their parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudtoets.domain.vocabulary import Severity
from cloudtoets.policy.conditions import FactCondition, Node
from cloudtoets.policy.facts import late_facts
from cloudtoets.policy.schema import (
    Example,
    ExampleBase,
    JustificationCondition,
    Parameters,
    Texts,
    Transition,
)
from cloudtoets.problems import Problem


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    id: str
    section: str  # "4.3", or another reference such as "C2000"
    basis: str  # "letter", "summary", or the name of another document
    citation: str | None  # its own citation; None: the policy's texts.section
    severity: Severity
    transition: Transition | None
    applies_when: Node | None
    finding_when: Node
    justification_requires: tuple[JustificationCondition, ...]
    title: str
    problem: str
    action: str
    facts: frozenset[str]  # the derived facts its conditions read

    @property
    def late(self) -> bool:
        """Reads facts that exist only after the other rules (deviation reporting)."""
        return not self.facts.isdisjoint(late_facts())


@dataclass(frozen=True, slots=True, eq=False)
class Policy:
    id: str
    title: str
    version: str
    status: str
    source: str
    parameters: Parameters
    texts: Texts
    rules: tuple[Rule, ...]
    revision: str  # sha256 over the canonical form of the whole (merged) policy
    origin: Path
    example_base: ExampleBase | None = None
    examples: tuple[Example, ...] = ()
    # what ``policy validate`` warns about: allowed, but probably not meant
    warnings: tuple[Problem, ...] = ()
    # the condition of each fact derived by one (policy/facts.py), in registration order
    facts: Mapping[str, FactCondition] = field(default_factory=dict)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def spec_parameters(self) -> dict[str, Any]:
        """The spec's parameter names (spec/policy.md) beside the general forms, for tools that
        read those: ``transition_years`` and ``exit_plan_months`` when the period exists in
        whole years or months, ``material_criteria`` when material use has criteria."""
        shown: dict[str, Any] = {}
        periods = self.parameters.transition_periods
        existing, exit_plan = periods.get("existing_use"), periods.get("exit_plan")
        if existing is not None and existing.total_months % 12 == 0:
            shown["transition_years"] = existing.total_months // 12
        if exit_plan is not None:
            shown["exit_plan_months"] = exit_plan.total_months
        material = self.facts.get("material")
        if material is not None and material.criteria:
            shown["material_criteria"] = tuple(name for name, _ in material.criteria)
        return shown

    def parameter_values(self) -> dict[str, Any]:
        """Every parameter as shown and compared: the checked ones and the spec's names."""
        return {**dict(self.parameters), **self.spec_parameters()}

    @property
    def short_revision(self) -> str:
        return self.revision[:12]
