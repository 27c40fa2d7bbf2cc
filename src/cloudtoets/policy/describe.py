"""Conditions and policies in readable Dutch, and the difference between two policy versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cloudtoets.policy.conditions import All, AnyOf, FactCondition, Node, Not, Predicate
from cloudtoets.policy.model import Policy, Rule
from cloudtoets.policy.schema import Parameters, Period

_OPS = {
    "is-true": "is waar",
    "is-false": "is niet waar",
    "is-set": "is ingevuld",
    "is-missing": "ontbreekt",
    "eq": "is",
    "ne": "is niet",
    "in": "is een van",
    "not-in": "is geen van",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "contains": "bevat",
    "intersects": "heeft iets gemeen met",
    "disjoint-from": "heeft niets gemeen met",
    "subset-of": "valt binnen",
    "not-subset-of": "valt niet helemaal binnen",
    "months-before-as-of": "ligt meer maanden voor de peildatum dan",
}


def _operand(p: Predicate) -> str:
    if p.param is not None:
        return f"parameter {p.param}"
    if isinstance(p.operand, frozenset):
        return "[" + ", ".join(sorted(str(v) for v in p.operand)) + "]"
    return str(p.operand)


def describe_condition(node: Node) -> str:
    match node:
        case All(items):
            return "(" + " EN ".join(describe_condition(i) for i in items) + ")"
        case AnyOf(items):
            return "(" + " OF ".join(describe_condition(i) for i in items) + ")"
        case Not(item):
            return "NIET " + describe_condition(item)
        case Predicate():
            text = f"{node.name} {_OPS[node.op]}"
            if node.operand is not None:
                text += f" {_operand(node)}"
            return text
    raise AssertionError(node)


def fact_text(condition: FactCondition) -> str:
    """How a fact follows from the policy's facts section, in Dutch."""
    if not condition.criteria:
        return f"`{describe_condition(condition.when)}`"
    criteria = "; ".join(
        f"{name}: `{describe_condition(node)}`" for name, node in condition.criteria
    )
    text = f"waar als een van deze criteria geldt: {criteria}"
    if condition.declared is None:
        return text
    return f"het veld `{condition.declared}` als het is ingevuld; anders {text}"


def source_text(rule: Rule) -> str:
    """Where the rule comes from: ``sectie 4.3``, or for a rule with its own citation
    ``sectie C2000: Cloudbeleid 2022, C2000-criteria``."""
    if rule.citation is None:
        return f"sectie {rule.section}"
    return f"sectie {rule.section}: {rule.citation.format(section=rule.section)}"


def period_text(period: Period) -> str:
    """``4 jaar``, ``12 maanden``, ``1 jaar en 6 maanden``."""
    parts = []
    if period.years:
        parts.append(f"{period.years} jaar")
    if period.months or not parts:
        parts.append(f"{period.months} {'maand' if period.months == 1 else 'maanden'}")
    return " en ".join(parts)


def basis_text(rule: Rule) -> str:
    """What the rule rests on, after its source: nothing for the letter itself."""
    if rule.basis == "letter":
        return ""
    if rule.basis == "summary":
        return " (uit publieke samenvatting)"
    return f" (bron: {rule.basis})"


def transition_text(rule: Rule, parameters: Parameters | None = None) -> str:
    if rule.transition is None:
        return "geen overgangstermijn"
    extra = (
        " (verlengbaar: lopend contract, levenscyclusmoment)" if rule.transition.extensions else ""
    )
    name = rule.transition.period
    periods = parameters.transition_periods if parameters is not None else {}
    length = f", {period_text(periods[name])}" if name in periods else ""
    return f"overgangstermijn: {name}{length}{extra}"


@dataclass
class PolicyDiff:
    parameters: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)
    facts: dict[str, tuple[str, str]] = field(default_factory=dict)
    only_in_a: list[str] = field(default_factory=list)
    only_in_b: list[str] = field(default_factory=list)
    changed_rules: dict[str, list[str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (
            self.parameters
            or self.texts
            or self.facts
            or self.only_in_a
            or self.only_in_b
            or self.changed_rules
        )


def _rule_view(rule: Rule) -> dict[str, Any]:
    return {
        "section": rule.section,
        "basis": rule.basis,
        "citation": rule.citation,
        "severity": rule.severity.value,
        "transition": transition_text(rule),
        "applies_when": describe_condition(rule.applies_when) if rule.applies_when else None,
        "finding_when": describe_condition(rule.finding_when),
        "justification_requires": list(rule.justification_requires),
        "title": rule.title,
        "problem": rule.problem,
        "action": rule.action,
    }


def diff_policies(a: Policy, b: Policy) -> PolicyDiff:
    result = PolicyDiff()
    params_a, params_b = a.parameter_values(), b.parameter_values()
    for key in [*params_a, *(k for k in params_b if k not in params_a)]:
        if params_a.get(key) != params_b.get(key):
            result.parameters[key] = (params_a.get(key), params_b.get(key))
    texts_a, texts_b = a.texts.model_dump(), b.texts.model_dump()
    result.texts = {k: (texts_a[k], texts_b[k]) for k in texts_a if texts_a[k] != texts_b[k]}
    for name, condition in a.facts.items():
        other = b.facts.get(name)
        texts = (fact_text(condition), fact_text(other) if other is not None else "(geen)")
        if texts[0] != texts[1]:
            result.facts[name] = texts
    rules_a = {r.id: r for r in a.rules}
    rules_b = {r.id: r for r in b.rules}
    result.only_in_a = sorted(set(rules_a) - set(rules_b))
    result.only_in_b = sorted(set(rules_b) - set(rules_a))
    for rule_id in sorted(set(rules_a) & set(rules_b)):
        view_a, view_b = _rule_view(rules_a[rule_id]), _rule_view(rules_b[rule_id])
        changed = [k for k in view_a if view_a[k] != view_b[k]]
        if changed:
            result.changed_rules[rule_id] = changed
    return result


def parameter_text(value: Any) -> str:
    if isinstance(value, dict) and all(isinstance(v, Period) for v in value.values()):
        return ", ".join(f"{k}: {period_text(v)}" for k, v in value.items())
    if isinstance(value, frozenset | set):
        return ", ".join(sorted(str(v) for v in value))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def policy_markdown(policy: Policy) -> str:
    """The policy as a Markdown reference page (docs/policy-rules.md is generated from it)."""
    lines = [
        f"# {policy.title}",
        "",
        f"Beleid `{policy.id}`, versie {policy.version} ({policy.status}). Bron: {policy.source}.",
        f"Revisie `{policy.revision}`.",
        "",
        "Deze pagina is gemaakt met `cloudtoets policy show --markdown`;",
        "pas het beleidsbestand aan, niet deze pagina.",
        "",
        "## Parameters",
        "",
        "| parameter | waarde |",
        "|---|---|",
        *(f"| `{k}` | {parameter_text(v)} |" for k, v in policy.parameter_values().items()),
        "",
        "## Feiten",
        "",
        "| feit | afgeleid als |",
        "|---|---|",
        *(f"| `{name}` | {fact_text(c)} |" for name, c in policy.facts.items()),
        "",
        "## Regels",
        "",
    ]
    for rule in policy.rules:
        lines += [
            f"### `{rule.id}`: {rule.title}",
            "",
            f"- S{source_text(rule)[1:]}{basis_text(rule)}; ernst: **{rule.severity.value}**;"
            f" {transition_text(rule, policy.parameters)}.",
        ]
        if rule.applies_when is not None:
            lines.append(f"- Geldt als: `{describe_condition(rule.applies_when)}`")
        lines.append(f"- Bevinding als: `{describe_condition(rule.finding_when)}`")
        if rule.justification_requires:
            lines.append(f"- Afwijking vraagt ook: {', '.join(rule.justification_requires)}")
        lines += [
            "",
            f"> {' '.join(rule.problem.split())}",
            ">",
            f"> Wat te doen: {' '.join(rule.action.split())}",
            "",
        ]
    return "\n".join(lines)
