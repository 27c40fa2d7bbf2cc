"""Evaluation with unknown facts: three truth values, a verdict range, questions (unknowns.md).

The compiled function (engine/compiler.py) is the fast path for registrations whose facts are
known; at the first unknown fact it hands the registration to ``OpenEvaluator``. That evaluates
each rule's condition with Kleene's strong logic, as Python compiled from the condition tree
(``conditions.to_python3``): True, False, or None for unknown. Only for a rule that comes out
unknown does it walk the tree (``reference_outcome``) to learn which fact fields left it open:
those become the questions. The tree walk is also the reference the compiled conditions are
tested against, and for a registration without unknowns the whole evaluation gives the fast
path's decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from cloudtoets.domain.decision import Decision, Finding, Question
from cloudtoets.domain.knowledge import NEVER_EMPTY, NONE_CODE, NONE_CODED, QUESTIONS
from cloudtoets.domain.model import Justification, Organisation, Registration
from cloudtoets.domain.vocabulary import Classification, Deployment, Severity, Verdict
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.messages import Facts, MessageBuilder, accepted
from cloudtoets.engine.transition import add_months, period_months
from cloudtoets.policy.conditions import (
    TRUE_WHEN_ABSENT,
    All,
    AnyOf,
    Emitter,
    FactCondition,
    Node,
    Not,
    Predicate,
    to_python3,
)
from cloudtoets.policy.facts import facts as registered_facts
from cloudtoets.policy.model import Policy, Rule
from cloudtoets.policy.schema import Transition

# A truth value: True, False, or None (unknown).
Truth = bool | None
# A truth value and, when it is unknown, the fact fields it waits for.
Outcome = tuple[Truth, frozenset[str]]
_NONE: Final[frozenset[str]] = frozenset()
_TRUE: Final[Outcome] = (True, _NONE)
_FALSE: Final[Outcome] = (False, _NONE)
# "No TBB level" in a set of possible effective levels.
NO_LEVEL: Final = 0


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


def valid_justification(registration: Registration, rule: Rule) -> Justification | None:
    """The valid justification for the rule; a reported one wins over an unreported one."""
    found = None
    for j in registration.justifications:
        if j.rule == rule.id and justification_holds(j, rule):
            if j.reported_on is not None:
                return j
            if found is None:
                found = j
    return found


def all_of(outcomes: Iterable[Outcome]) -> Outcome:
    """Kleene's and: False wins, then unknown."""
    waiting: set[str] = set()
    for value, fields in outcomes:
        if value is False:
            return _FALSE
        if value is None:
            waiting |= fields
    return (None, frozenset(waiting)) if waiting else _TRUE


def any_of(outcomes: Iterable[Outcome]) -> Outcome:
    """Kleene's or: True wins, then unknown."""
    waiting: set[str] = set()
    for value, fields in outcomes:
        if value is True:
            return _TRUE
        if value is None:
            waiting |= fields
    return (None, frozenset(waiting)) if waiting else _FALSE


def _negate(outcome: Outcome) -> Outcome:
    value, fields = outcome
    return outcome if value is None else (not value, fields)


@dataclass(frozen=True, slots=True)
class Chain:
    """The jurisdiction chain: its known countries and whether it is closed (unknowns.md)."""

    known: frozenset[str]
    complete: bool
    waiting: frozenset[str]  # the fields that would close it


@dataclass(slots=True)
class _Possible:
    """A finding that is certain or possible, before it becomes a Finding."""

    rule: Rule
    certain: bool
    waiting: frozenset[str]
    best_deadline: dt.date | None
    worst_deadline: dt.date | None
    justification: Justification | None


def holds(p: Predicate, value: Any, as_of: dt.date) -> bool:
    """The two-valued test of a predicate on a known value (as the compiled code tests it)."""
    kind, op, operand = p.type.kind, p.op, p.operand
    if op == "is-true":
        return bool(value)
    if op == "is-false":
        return not value
    if op in ("is-set", "is-missing"):
        if kind == "list" and p.type.item == "text":
            present = value is not None and any(item.strip() for item in value)
        elif kind == "list":
            present = bool(value)
        elif kind == "text":
            present = value is not None and value.strip() != ""
        elif p.name in NONE_CODED:
            present = value is not None and value != NONE_CODE
        else:
            present = value is not None
        return present if op == "is-set" else not present
    if op == "months-before-as-of":
        return value is not None and value < add_months(as_of, -operand)
    if kind == "list":
        items = value or ()
        if op == "contains":
            return operand in items
        if op == "intersects":
            return not operand.isdisjoint(items)
        if op == "disjoint-from":
            return bool(operand.isdisjoint(items))
        if op == "subset-of":
            return bool(operand.issuperset(items))
        return not operand.issuperset(items)  # not-subset-of
    if op == "in":
        return value in operand
    if op == "not-in":
        return value not in operand
    if op == "eq":
        return bool(value == operand)
    if op == "ne":
        return bool(value != operand)
    if value is None or (p.name in NONE_CODED and value == NONE_CODE):
        return False
    if op == "lt":
        return bool(value < operand)
    if op == "le":
        return bool(value <= operand)
    if op == "gt":
        return bool(value > operand)
    return bool(value >= operand)  # ge


def chain_truth(p: Predicate, chain: Chain) -> Truth:
    """A test of the jurisdiction chain. On an open chain (unknowns.md, "Open sets") it is
    decided only when the known countries decide it."""
    known = chain.known
    if chain.complete:
        return holds(p, known, _NO_DATE)
    op, operand = p.op, p.operand
    if op == "is-set":
        return True if known else None
    if op == "is-missing":
        return False if known else None
    if op == "contains":
        return True if operand in known else None
    if op == "intersects":
        return True if not operand.isdisjoint(known) else None
    if op == "not-subset-of":
        return True if not operand.issuperset(known) else None
    if op == "subset-of":
        return False if not operand.issuperset(known) else None
    return False if not operand.isdisjoint(known) else None  # disjoint-from


def levels_truth(p: Predicate, levels: frozenset[int]) -> Truth:
    """A test of the effective TBB level: decided when every possible level gives one answer."""
    results = {holds(p, None if level == NO_LEVEL else level, _NO_DATE) for level in levels}
    return results.pop() if len(results) == 1 else None


# No test of a chain or a level compares dates.
_NO_DATE: Final = dt.date.min


class _Facts:
    """The facts of one registration, three-valued, as the condition trees read them."""

    def __init__(
        self,
        evaluator: OpenEvaluator,
        r: Registration,
        o: Organisation,
        chain: Chain,
    ) -> None:
        self.r, self.o, self.chain, self.as_of = r, o, chain, evaluator.as_of
        # the derived yes/no facts as truth values, and what an unknown one waits for
        self.waits: dict[str, frozenset[str]] = {}
        # per fact written with criteria: the names of those that hold (material_reasons)
        self.reasons: dict[str, tuple[str, ...]] = {}
        self.levels, self.levels_waiting = evaluator.possible_levels(r)
        self.scope = evaluator.scope_of(o)
        self.unreported_deviation: Truth = False
        # the registered facts the engine does not derive itself, in registry order
        self.public_cloud: Truth = None
        self.external_cloud: Truth = None
        self.existing_use: Truth = None
        self.material: Truth = None
        self.extra: dict[str, Any] = {}
        for name, fact in registered_facts().items():
            if fact.derivation == "condition":
                value, waits = self._condition(name, evaluator.policy.facts[name])
            elif fact.derivation == "python":
                value, waits = fact.derive(r, o), frozenset(fact.waits)  # type: ignore[misc]
            else:
                continue
            setattr(self, name, value)
            self.extra[name] = value
            if value is None:
                self.waits[name] = waits

    def _condition(self, name: str, condition: FactCondition) -> Outcome:
        """A fact from the policy's facts section; a filled-in declared field decides, else
        the Kleene ``any`` of the criteria, whose names that hold are the reasons."""
        if condition.declared is not None:
            declared = self._fact_field(condition.declared)
            if declared is not None:
                self.reasons[name] = ("declared",) if declared else ()
                return (bool(declared), _NONE)
        if not condition.criteria:
            return reference_outcome(condition.when, self)
        outcomes = [reference_outcome(node, self) for _, node in condition.criteria]
        value, waits = any_of(outcomes)
        self.reasons[name] = (
            tuple(
                sorted(
                    criterion
                    for (criterion, _), (holds, _) in zip(condition.criteria, outcomes, strict=True)
                    if holds is True
                )
            )
            if value is True
            else ()
        )
        return value, waits

    def test(self, p: Predicate) -> Outcome:
        if p.is_fact:
            return self._fact(p)
        name = p.name
        if name in QUESTIONS:
            value = self._fact_field(name)
            if value is None:
                return (None, frozenset({name}))
            return (holds(p, value, self.as_of), _NONE)
        # evidence: absent is "not recorded", a known answer
        holder: Any = self.r
        *parents, attribute = name.split(".")
        for parent in parents:
            holder = getattr(holder, parent)
            if holder is None:
                return (p.op in TRUE_WHEN_ABSENT, _NONE)
        return (holds(p, getattr(holder, attribute), self.as_of), _NONE)

    def _fact_field(self, name: str) -> Any:
        if name.startswith("organisation."):
            return getattr(self.o, name.removeprefix("organisation."))
        value = getattr(self.r, name)
        if name in NEVER_EMPTY and not value:
            return None
        return value

    def _fact(self, p: Predicate) -> Outcome:
        name = p.name
        if name == "jurisdictions":
            truth = chain_truth(p, self.chain)
            return (truth, self.chain.waiting if truth is None else _NONE)
        if name == "effective_tbb_level":
            truth = levels_truth(p, self.levels)
            return (truth, self.levels_waiting if truth is None else _NONE)
        if name == "scope":
            return (holds(p, self.scope, self.as_of), _NONE)
        value = getattr(self, name)
        if value is None:
            return (None, self.waits[name])
        return (holds(p, value, self.as_of), _NONE)


class OpenEvaluator:
    """The policy bound to an as-of date, for registrations with unknown facts."""

    def __init__(self, policy: Policy, as_of: dt.date) -> None:
        self.policy = policy
        self.as_of = as_of
        self.messages = MessageBuilder(policy)
        p = policy.parameters
        self._tbb = {**p.tbb_by_classification, Classification.NONE: None}
        self._all_levels = frozenset({1, 2, 3, 4, NO_LEVEL})
        self._class_levels = frozenset(
            NO_LEVEL if level is None else level for level in self._tbb.values()
        ) | {NO_LEVEL}
        self.conditions: list[Node] = [
            All((rule.applies_when, rule.finding_when))
            if rule.applies_when is not None
            else rule.finding_when
            for rule in policy.rules
        ]
        self.truths = self._compile()
        self._findings: dict[tuple[object, ...], Finding] = {}
        # rule indexes in evaluation order: rule-id order, the late rules last
        self._late = [rule.late for rule in policy.rules]
        self._order = sorted(range(len(policy.rules)), key=self._late.__getitem__)
        p = policy.parameters
        # the deadline without extensions, per kind of transition
        self.default_deadlines = {
            t: add_months(p.adopted, period_months(t, p))
            for t in {rule.transition for rule in policy.rules if rule.transition is not None}
        }

    def _compile(self) -> list[Callable[[Registration, Organisation, _Facts], Truth]]:
        """One function per rule: its condition as a truth value (``conditions.to_python3``)."""
        emit = Emitter()
        lines = []
        for index, condition in enumerate(self.conditions):
            lines += [f"def rule_{index}(r, o, F):", f"    return {to_python3(condition, emit)}"]
        namespace: dict[str, Any] = dict(emit.constants)
        for name, months in emit.months_thresholds.items():
            namespace[name] = add_months(self.as_of, -months)
        namespace.update(_chain3=chain_truth, _levels3=levels_truth)
        exec(
            compile("\n".join(lines), f"<policy {self.policy.id}, three-valued>", "exec"), namespace
        )
        return [namespace[f"rule_{index}"] for index in range(len(self.conditions))]

    def scope_of(self, organisation: Organisation) -> Any:
        return self.policy.parameters.scope_by_org_type[organisation.type]

    def possible_levels(self, r: Registration) -> tuple[frozenset[int], frozenset[str]]:
        """Every effective TBB level the registration can have (NO_LEVEL: none), and the fields
        that leave more than one open: the heaviest (lowest) of the two sources counts."""
        waiting = set()
        if r.tbb_level is None:
            own, waiting = self._all_levels, {"tbb_level"}
        else:
            own = frozenset({NO_LEVEL if r.tbb_level == NONE_CODE else int(r.tbb_level)})
        if r.classification is None:
            implied, waiting = self._class_levels, {*waiting, "classification"}
        else:
            level = self._tbb[Classification(r.classification)]
            implied = frozenset({NO_LEVEL if level is None else level})
        levels = frozenset(_heaviest(a, b) for a in own for b in implied)
        return levels, frozenset(waiting) if len(levels) > 1 else _NONE

    def chain(self, r: Registration, context: EvaluationContext) -> Chain:
        waiting: set[str] = set()
        entities: list[str] = []
        if r.provider is not None:
            entities.append(r.provider)
        elif r.deployment != Deployment.PRIVATE_INTERNAL:
            waiting.add("provider")
        if r.subprocessors is None:
            waiting.add("subprocessors")
        else:
            entities += r.subprocessors
        return Chain(context.countries_of(entities), not waiting, frozenset(waiting))

    def facts(self, r: Registration, o: Organisation, context: EvaluationContext) -> _Facts:
        """The registration's derived facts, three-valued."""
        return _Facts(self, r, o, self.chain(r, context))

    def evaluate(self, r: Registration, context: EvaluationContext) -> Decision:
        policy, as_of = self.policy, self.as_of
        o = context.organisations[r.organisation]
        facts = self.facts(r, o, context)
        chain = facts.chain
        deadlines = _Deadlines(self, r, facts.existing_use)
        possible: list[_Possible] = []
        fired_late = False
        for index in self._order:  # the late rules after the others, as on the fast path
            rule = policy.rules[index]
            late = self._late[index]
            if late:
                facts.unreported_deviation, waits = _unreported(possible)
                facts.waits["unreported_deviation"] = waits
            value = self.truths[index](r, o, facts)
            if value is False:
                continue
            waiting = _NONE if value else reference_outcome(self.conditions[index], facts)[1]
            best, worst = deadlines.of(rule)
            justification = (
                valid_justification(r, rule)
                if rule.severity is Severity.ADVISED_AGAINST and r.justifications
                else None
            )
            possible.append(_Possible(rule, value is True, waiting, best, worst, justification))
            fired_late = fired_late or late
        if fired_late:
            possible.sort(key=lambda item: item.rule.id)
        best_verdict, _ = _verdict(
            ((item, item.best_deadline) for item in possible if item.certain), as_of
        )
        worst_verdict, earliest = _verdict(
            ((item, item.worst_deadline) for item in possible), as_of
        )
        verdict = best_verdict if best_verdict is worst_verdict else Verdict.INCOMPLETE
        unreported = tuple(
            item.rule.id
            for item in possible
            if item.justification is not None and item.justification.reported_on is None
        )
        level = None
        if len(facts.levels) == 1:
            (only,) = facts.levels
            level = None if only == NO_LEVEL else only
        message_facts = Facts(r, chain.known, level, unreported, facts.extra)
        findings = tuple(self._finding(item, message_facts) for item in possible)
        return Decision(
            registration=r.id,
            organisation=r.organisation,
            scope=facts.scope,
            public_cloud=facts.public_cloud,
            external_cloud=facts.external_cloud,
            material=facts.material,
            existing_use=facts.existing_use,
            material_reasons=facts.reasons.get("material", ()),
            jurisdictions=tuple(sorted(chain.known)),
            jurisdictions_complete=chain.complete,
            effective_tbb_level=level,
            verdict=verdict,
            best=best_verdict,
            worst=worst_verdict,
            deadline=earliest if verdict is Verdict.TRANSITION else None,
            findings=findings,
            questions=_questions(possible, facts.waits.get("existing_use", _NONE)),
            policy_id=policy.id,
            policy_revision=policy.revision,
            as_of=as_of,
        )

    def _finding(self, item: _Possible, facts: Facts) -> Finding:
        """The finding, its message composed when first read, and shared with every equal
        finding (as on the fast path: a large register repeats the same few findings)."""
        rule, justification = item.rule, item.justification
        details = self.messages.details(rule, facts)
        who = accepted(justification)
        key = (rule.id, item.best_deadline, who, item.certain, details)
        found = self._findings.get(key)
        if found is None:
            compose = partial(
                self.messages.compose, rule, item.best_deadline, self.as_of, who, details
            )
            found = self._findings[key] = Finding.deferred(
                rule.id,
                rule.section,
                rule.severity,
                item.best_deadline,
                justification is not None,
                compose,
                item.certain,
            )
        return found


def reference_outcome(node: Node, facts: _Facts) -> Outcome:
    """The condition's truth value by walking its tree, with the fields an unknown waits for."""
    match node:
        case All(items):
            return all_of(reference_outcome(item, facts) for item in items)
        case AnyOf(items):
            return any_of(reference_outcome(item, facts) for item in items)
        case Not(item):
            return _negate(reference_outcome(item, facts))
        case Predicate():
            return facts.test(node)
    raise AssertionError(node)


def _heaviest(a: int, b: int) -> int:
    """The heavier of two TBB levels (1 is heaviest); NO_LEVEL is lighter than any."""
    if a == NO_LEVEL:
        return b
    if b == NO_LEVEL:
        return a
    return min(a, b)


class _Deadlines:
    """Best- and worst-case deadlines per kind of transition (unknowns.md, "From rules")."""

    def __init__(self, evaluator: OpenEvaluator, r: Registration, existing: Truth) -> None:
        self._adopted = evaluator.policy.parameters.adopted
        self._defaults = evaluator.default_deadlines
        self._r = r
        self._existing = existing
        self._known: dict[Transition, tuple[dt.date | None, dt.date | None]] = {}

    def of(self, rule: Rule) -> tuple[dt.date | None, dt.date | None]:
        transition = rule.transition
        if transition is None or self._existing is False:
            return None, None
        found = self._known.get(transition)
        if found is not None:
            return found
        r, deadline = self._r, self._defaults[transition]
        if transition.extensions:
            end, start, moment = r.contract_end, r.contract_start, r.lifecycle_moment
            if end is not None and end > deadline and start is not None and start < self._adopted:
                deadline = end
            if moment is not None and moment > deadline and r.lifecycle_justification.strip():
                deadline = moment
        # unknown whether the use existed before adoption: at best it did, at worst it is new
        found = self._known[transition] = (deadline, deadline if self._existing else None)
        return found


def _unreported(found: list[_Possible]) -> Outcome:
    """The late fact: a justified finding whose deviation was not reported to CIO Rijk."""
    waiting: set[str] = set()
    for item in found:
        j = item.justification
        if j is None or j.reported_on is not None:
            continue
        if item.certain:
            return _TRUE
        waiting |= item.waiting
    return (None, frozenset(waiting)) if waiting else _FALSE


def _verdict(
    items: Iterable[tuple[_Possible, dt.date | None]], as_of: dt.date
) -> tuple[Verdict, dt.date | None]:
    """policy.md's verdict of a set of findings with their deadlines, and the earliest deadline."""
    blocked = open_advice = any_finding = False
    earliest: dt.date | None = None
    for item, deadline in items:
        any_finding = True
        rule = item.rule
        if rule.severity.is_hard:
            if deadline is None or deadline <= as_of:
                blocked = True
            elif earliest is None or deadline < earliest:
                earliest = deadline
        elif rule.severity is Severity.ADVISED_AGAINST and item.justification is None:
            open_advice = True
    if blocked:
        return Verdict.NOT_ALLOWED, None
    if earliest is not None:
        return Verdict.TRANSITION, earliest
    if open_advice:
        return Verdict.ADVISED_AGAINST, None
    return (Verdict.ALLOWED_WITH_CONDITIONS if any_finding else Verdict.ALLOWED), None


def _questions(found: list[_Possible], start_unknown: frozenset[str]) -> tuple[Question, ...]:
    """Every unknown field a possible finding or an uncertain deadline waits for."""
    rules: dict[str, set[str]] = {}
    for item in found:
        waiting = set() if item.certain else set(item.waiting)
        if item.rule.transition is not None:
            waiting |= start_unknown  # whether it gets a transition period
        for name in waiting:
            rules.setdefault(name, set()).add(item.rule.id)
    return tuple(
        Question(name, tuple(sorted(rules[name])), QUESTIONS[name]) for name in sorted(rules)
    )
