"""Compile a policy into one straight-line Python function per evaluation date.

Interpreting a condition tree per registration costs far more than the rules themselves, so the
checked conditions are translated once (``conditions.to_python``) and assembled into a function
``evaluate(r, context)``. It looks up the organisation and jurisdiction chain, derives the facts,
tests every rule in rule-id order, attaches deadlines and justifications, and returns the
Decision. What is the same for every registration (default deadlines, rule metadata, the as-of
date) is a constant of the generated code; identical findings are built once and shared, and
their messages are composed when first read (``Finding.deferred``).

The behaviour is specified in policy.md; ``cloudtoets policy show --source`` prints the code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import partial
from typing import Any

from cloudtoets.domain.decision import Decision, Finding
from cloudtoets.domain.knowledge import NONE_CODE, QUESTIONS
from cloudtoets.domain.model import Justification, Registration
from cloudtoets.domain.vocabulary import Classification, Deployment, Severity, Verdict
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.messages import Facts, MessageBuilder
from cloudtoets.engine.open import OpenEvaluator, valid_justification
from cloudtoets.engine.transition import add_months, period_months
from cloudtoets.policy.conditions import (
    All,
    Emitter,
    FactCondition,
    Node,
    Predicate,
    to_python,
)
from cloudtoets.policy.facts import facts as registered_facts
from cloudtoets.policy.model import Policy, Rule
from cloudtoets.policy.schema import Transition

Evaluate = Callable[[Registration, EvaluationContext], Decision]


class _Unknown(Exception):
    """The fast path read an unknown fact: the registration needs three truth values."""


def _by_rule(finding: Finding) -> str:
    return finding.rule


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    policy: Policy
    source: str
    constants: dict[str, Any]
    months_thresholds: dict[str, int]
    # per rule: are its shared findings told apart by details beyond the deadline?
    keyed: tuple[bool, ...]
    # name of a table of shared findings -> name of the default deadline it holds findings for
    default_tables: dict[str, str]

    def bind(self, as_of: dt.date, *, eager_messages: bool = False) -> Evaluate:
        """The evaluation function with everything date-dependent fixed for ``as_of``.

        ``eager_messages`` composes every message from the registration as the finding is made,
        instead of on first read: the reference that deferred messages are tested against.
        """
        policy = self.policy
        support = _RuleSupport(policy, as_of)
        tables = _FindingTables(self.keyed)
        namespace: dict[str, Any] = dict(self.constants)
        for name, months in self.months_thresholds.items():
            namespace[name] = add_months(as_of, -months)
        for table, deadline in self.default_tables.items():
            namespace[table] = tables.get(namespace[deadline])
        namespace.update(
            AS_OF=as_of,
            _Unknown=_Unknown,
            _open=OpenEvaluator(policy, as_of).evaluate,
            _justify=support.justify,
            _finding=support.eager if eager_messages else support.deferred,
            _table=tables.get,
            _T_NONE=tables.get(None),
            _by_rule=_by_rule,
            _new=object.__new__,
            Decision=Decision,
            # findings with an accepted justification, per rule
            **{f"_J{i}": {} for i in range(len(policy.rules))},
        )
        exec(compile(self.source, f"<policy {policy.id}>", "exec"), namespace)
        function: Evaluate = namespace["evaluate"]
        return function


class _FindingTables:
    """The shared findings of one deadline: a list indexed by rule.

    The slot of a rule whose texts name details (countries, jurisdictions ...) holds a dict of
    findings keyed by those details; the others hold the finding itself once it occurred.
    Indexing a list is the cheapest look-up the generated code can do per finding.
    """

    def __init__(self, keyed: tuple[bool, ...]) -> None:
        self._size = len(keyed)
        self._keyed = [index for index, k in enumerate(keyed) if k]
        self._tables: dict[dt.date | None, list[Any]] = {}

    def get(self, deadline: dt.date | None) -> list[Any]:
        table = self._tables.get(deadline)
        if table is None:
            table = self._tables[deadline] = [None] * self._size
            for index in self._keyed:
                table[index] = {}
        return table


class _RuleSupport:
    """What the generated code calls for a rule: its justification, and a finding it has not
    seen before (rule index, deadline, accepted justification, the registration's facts and the
    values the rule's texts name)."""

    def __init__(self, policy: Policy, as_of: dt.date) -> None:
        self.rules = policy.rules
        self.messages = MessageBuilder(policy)
        self.as_of = as_of

    def justify(self, r: Registration, index: int) -> Justification | None:
        return valid_justification(r, self.rules[index])

    def deferred(
        self,
        index: int,
        deadline: dt.date | None,
        justification: Justification | None,
        r: Registration,
        jurisdictions: frozenset[str],
        tbb: int | None,
        extra: Mapping[str, object] | None,
        unreported: tuple[str, ...],
        details: tuple[object, ...],
    ) -> Finding:
        """A finding whose message is composed from ``details`` when first read."""
        rule = self.rules[index]
        accepted = (
            None
            if justification is None
            else (justification.accepted_by, justification.accepted_on)
        )
        compose = partial(self.messages.compose, rule, deadline, self.as_of, accepted, details)
        return Finding.deferred(
            rule.id, rule.section, rule.severity, deadline, justification is not None, compose
        )

    def eager(
        self,
        index: int,
        deadline: dt.date | None,
        justification: Justification | None,
        r: Registration,
        jurisdictions: frozenset[str],
        tbb: int | None,
        extra: Mapping[str, object] | None,
        unreported: tuple[str, ...],
        details: tuple[object, ...],
    ) -> Finding:
        """A finding with its message composed now, from the registration's facts."""
        rule = self.rules[index]
        facts = Facts(r, jurisdictions, tbb, unreported, extra)
        message = self.messages.message(rule, facts, deadline, self.as_of, justification)
        return Finding(
            rule.id, rule.section, rule.severity, deadline, justification is not None, message, True
        )


def _reasons_table(criteria: tuple[str, ...], chosen: tuple[str, ...] = ()) -> Any:
    """The sorted reasons for every combination of the criteria flags, as nested pairs indexed
    by each flag in turn (``reasons[core_task][business_critical]...``): indexing by a flag is
    cheaper than hashing a tuple of them."""
    if not criteria:
        return tuple(sorted(chosen))
    first, rest = criteria[0], criteria[1:]
    return (_reasons_table(rest, chosen), _reasons_table(rest, (*chosen, first)))


def _flag(node: Node, emit: Emitter) -> str:
    """A criterion as True or False, to index the table of reasons. A test of a fact field is
    one already (an unknown one gave up before); a yes/no field that may be empty is not."""
    code = to_python(node, emit)
    if isinstance(node, Predicate) and node.name in QUESTIONS and node.op == "is-true":
        return code
    return f"({code} is True)"


def _condition_fact(name: str, condition: FactCondition, emit: Emitter) -> list[str]:
    """The lines that derive a fact from the policy's facts section: its condition, or its
    criteria with their reasons in ``<name>_reasons`` (unknowns.md: a filled-in declared
    field decides; otherwise the criteria, all known on this path)."""
    if not condition.criteria:
        return [f"{name} = {to_python(condition.when, emit)}"]
    # the criteria read their fields in a block of their own: a declared value needs none
    branch = emit.branch()
    flags: list[str] = []
    tests: list[str] = []
    for index, (_, node) in enumerate(condition.criteria):
        part = _flag(node, branch)
        if re.fullmatch(r"\(\w+\)", part):  # a field read above: use its local as it is
            flags.append(part[1:-1])
        else:
            flags.append(f"_{name}_{index}")
            tests.append(f"{flags[-1]} = {part}")
    table = emit.constant(_reasons_table(tuple(n for n, _ in condition.criteria)))
    derive = [
        *branch.prelude(indent=""),
        *(statement for _, statement in branch.facts.values()),
        *tests,
        f"{name} = {' or '.join(flags)}",
        f"{name}_reasons = {table}{''.join(f'[{flag}]' for flag in flags)}",
    ]
    if condition.declared is None:
        return derive
    field = condition.declared
    owner = "o." + field.removeprefix("organisation.") if "." in field else "r." + field
    declared = f"_{name}_declared"
    return [
        f"{declared} = {owner}",
        f"if {declared} is not None:",
        f"    {name} = {declared}",
        f"    {name}_reasons = {emit.constant(('declared',))} if {declared} else ()",
        "else:",
        *("    " + line for line in derive),
    ]


def _deadline_name(transition: Transition) -> str:
    """The local variable holding a registration's deadline for this kind of transition."""
    return f"dl{'x' if transition.extensions else ''}_{transition.period}"


def _table_name(deadline: str) -> str:
    """The local holding the shared findings for the deadline in local ``deadline``."""
    return "_T_NONE" if deadline == "None" else f"t_{deadline}"


def _conjuncts(rule: Rule, emit: Emitter) -> list[str]:
    """The rule's test as a list of conditions that must all hold, applies_when first."""
    applies = rule.applies_when
    if applies is None:
        head = []
    elif isinstance(applies, All):
        head = [to_python(item, emit) for item in applies.items]
    else:
        head = [to_python(applies, emit)]
    return [*head, to_python(rule.finding_when, emit)]


def _grouped(blocks: Sequence[tuple[list[str], Callable[[list[str]], list[str]]]]) -> list[str]:
    """Nest consecutive rules that share leading conditions under one ``if`` (a trie).

    Most registrations fail a shared guard such as "external cloud" or "material", so one test
    skips a whole group. Rule order (and so finding order) is unchanged.
    """
    lines: list[str] = []
    i = 0
    while i < len(blocks):
        j = i + 1
        while j < len(blocks) and blocks[j][0][0] == blocks[i][0][0]:
            j += 1
        group = blocks[i:j]
        if len(group) > 1 and all(len(conditions) > 1 for conditions, _ in group):
            lines.append(f"    if {group[0][0][0]}:")
            inner = _grouped([(conditions[1:], build) for conditions, build in group])
            lines += ["    " + line for line in inner]
        else:
            for conditions, build in group:
                lines += build(conditions)
        i = j
    return lines


def _rule_block(
    index: int, rule: Rule, emit: Emitter, key_sources: list[str], conditions: list[str]
) -> list[str]:
    """The code for one rule: test, then the (shared) finding and its effect on the verdict.

    A finding without an accepted justification is fully determined by the rule, its deadline
    and the values its text names, so identical findings are one shared, frozen object, found in
    the table of its deadline (see _FindingTables).
    """
    deadline = "None" if rule.transition is None else _deadline_name(rule.transition)
    table = _table_name(deadline)
    advised = rule.severity is Severity.ADVISED_AGAINST
    details = f"({', '.join(key_sources)},)" if key_sources else "()"
    # what a message may name besides details: the engine's facts and the registered ones
    # that offer places (policy/facts.py)
    named = [
        n for n, f in registered_facts().items() if f.derivation != "engine" and f.placeholders
    ]
    extra = "{" + ", ".join(f"{n!r}: {n}" for n in named) + "}" if named else "None"
    facts = f"r, jurisdictions, effective_tbb_level, {extra}"
    create = f"_finding({index}, {deadline}, None, {facts}, unreported, {details})"
    if key_sources:
        key = key_sources[0] if len(key_sources) == 1 else details
        shared = [
            f"f = {table}[{index}].get({key})",
            "if f is None:",
            f"    f = {table}[{index}][{key}] = {create}",
        ]
    else:
        shared = [f"f = {table}[{index}]", "if f is None:", f"    f = {table}[{index}] = {create}"]
    lines = [f"    # {rule.id}", f"    if {' and '.join(conditions)}:"]
    add = lines.append
    if advised:
        add(f"        j = _justify(r, {index}) if r.justifications else None")
        add("        if j is None:")
        lines += ["            " + line for line in shared]
        add("            open_advice = True")
        add("        else:")
        justified_key = f"({deadline}, {details}, j.accepted_by, j.accepted_on)"
        add(f"            f = _J{index}.get({justified_key})")
        add("            if f is None:")
        add(
            f"                f = _J{index}[{justified_key}] = "
            f"_finding({index}, {deadline}, j, {facts}, (), {details})"
        )
        add("            if j.reported_on is None:")
        add(f"                unreported += ({emit.constant(rule.id)},)")
    else:
        lines += ["        " + line for line in shared]
    add("        findings += (f,)")
    if rule.severity.is_hard:
        # deadlines are per kind of transition, so the verdict only needs to know which kinds
        # had a hard finding; it is settled once after all rules (see compile_policy)
        add(
            "        blocked = True"
            if rule.transition is None
            else f"        hit_{deadline} = True"
        )
    return lines


def _placed(reads: list[tuple[str, str]], body: list[str]) -> list[str]:
    """Put each read of a nested object in the innermost block that holds all its uses.

    ``reads`` are (local, statement) pairs, parents first. Most registrations skip the blocks
    that test exit plans and risk assessments, so they need not read those objects at all.
    """
    body = list(body)
    for name, statement in reversed(reads):  # children first: their reads use the parent
        word = re.compile(rf"\b{name}\b")
        uses = [i for i, line in enumerate(body) if word.search(line)]
        header, indent = _innermost_block(body, uses[0], uses[-1]) if uses else (-1, "    ")
        body.insert(header + 1, indent + statement)
    return body


def _innermost_block(body: list[str], first: int, last: int) -> tuple[int, str]:
    """The ``if``/``else`` line before ``first`` whose block runs past ``last``, and the indent
    of its block; (-1, function indent) when no block holds both. Blocks nest, so the nearest
    such line is the innermost."""
    for header in range(first - 1, -1, -1):
        line = body[header]
        if line.lstrip().startswith("#") or not line.endswith(":"):
            continue
        indent = _indent_of(line)
        end = header + 1
        while end < len(body) and _indent_of(body[end]) > indent:
            end += 1
        if end > last:
            return header, " " * (indent + 4)
    return -1, "    "


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip())


def _decision_lines(values: Mapping[str, str]) -> list[str]:
    """Build the Decision by storing each field: as its dataclass __init__ does, but without the
    call (one of the larger costs per registration). A field without a value is an error here."""
    lines = ["    d = _new(Decision)"]
    lines += [f"    d.{field.name} = {values[field.name]}" for field in fields(Decision)]
    return [*lines, "    return d"]


def _fact_lines(policy: Policy, emit: Emitter) -> tuple[list[str], set[str], dict[str, Any]]:
    """The derivation of every registered fact the engine does not derive itself, in registry
    order (policy/facts.py): a condition from the policy's ``facts`` section as an expression,
    a Python derivation as a call that gives None when the fact is unknown. The reads of the
    fields they test come first; they are not repeated in the rule blocks (the returned names).
    Also the functions the calls need, for the namespace of the generated code."""
    objects, facts = set(emit.objects), set(emit.facts)
    assignments: list[str] = []
    derivations: dict[str, Any] = {}
    for name, fact in registered_facts().items():
        if fact.derivation == "condition":
            lines = _condition_fact(name, policy.facts[name], emit)
            assignments += ["    " + line for line in lines]
        elif fact.derivation == "python":
            derivations[f"_derive_{name}"] = fact.derive
            assignments += [
                f"    {name} = _derive_{name}(r, o)",
                f"    if {name} is None:",
                "        raise _Unknown",
            ]
    reads = [
        f"    {statement}"
        for (local, statement) in zip(emit.objects.values(), emit.prelude(indent=""), strict=True)
        if local not in {emit.objects[path] for path in objects}
    ]
    reads += [
        f"    {statement}" for path, (_, statement) in emit.facts.items() if path not in facts
    ]
    head = {emit.objects[path] for path in emit.objects if path not in objects}
    head |= {local for path, (local, _) in emit.facts.items() if path not in facts}
    return [*reads, *assignments], head, derivations


def compile_policy(policy: Policy) -> CompiledPolicy:
    p = policy.parameters
    emit = Emitter()
    builder = MessageBuilder(policy)
    c = emit.constant
    # keyed by the enum members: a validated value is found by identity, a plain text by value
    tbb = c({**p.tbb_by_classification, Classification.NONE: None})
    levels = c({1: 1, 2: 2, 3: 3, 4: 4, NONE_CODE: None})
    scope = c(dict(p.scope_by_org_type))
    adopted = c(p.adopted)
    transitions = sorted(
        {r.transition for r in policy.rules if r.transition is not None}, key=_deadline_name
    )
    hard_transitions = [
        t
        for t in transitions
        if any(r.transition == t and r.severity.is_hard for r in policy.rules)
    ]
    default_tables: dict[str, str] = {}
    deadline_lines: list[str] = []
    for t in transitions:
        name, default = _deadline_name(t), c(add_months(p.adopted, period_months(t, p)))
        table = _table_name(name)
        default_tables[f"_T_{name}"] = default
        deadline_lines += [f"        {name} = {default}", f"        {table} = _T_{name}"]
        if t.extensions:
            deadline_lines += [
                f"        if end is not None and end > {name} and start is not None"
                f" and start < {adopted}:",
                f"            {name} = end",
                f"        if moment is not None and moment > {name}"
                " and r.lifecycle_justification.strip():",
                f"            {name} = moment",
                f"        if {name} is not {default}:",
                f"            {table} = _table({name})",
            ]
    verdicts = {v: c(v) for v in Verdict}
    fact_lines, head_reads, derivations = _fact_lines(policy, emit)
    reasons = "material_reasons" if policy.facts["material"].criteria else "()"

    lines = [
        "def evaluate(r, context):",
        "    o = context.organisations[r.organisation]",
        # an unknown fact anywhere below raises _Unknown: see the end of compile_policy
        "    subprocessors, provider, deployment = r.subprocessors, r.provider, r.deployment",
        "    if subprocessors is None or deployment is None or (provider is None"
        f" and deployment != {c(Deployment.PRIVATE_INTERNAL)}):",
        "        raise _Unknown",
        # the key of context.jurisdiction_key, built here to save a call per registration
        "    pair = context.jurisdiction_cache.get("
        "(provider, *subprocessors) if subprocessors else provider)",
        "    if pair is None:",
        "        pair = context.jurisdictions(r)",
        "    jurisdictions, jurisdiction_list = pair",
        "    classification, level = r.classification, r.tbb_level",
        "    if classification is None or level is None:",
        "        raise _Unknown",
        f"    implied, level = {tbb}[classification], {levels}[level]",
        "    if implied is None:",
        "        effective_tbb_level = level",
        "    elif level is None:",
        "        effective_tbb_level = implied",
        "    else:",
        "        effective_tbb_level = min(level, implied)",
        f"    scope = {scope}[o.type]",
        *fact_lines,
        "    if existing_use:",
        "        end, start, moment = r.contract_end, r.contract_start, r.lifecycle_moment",
        *deadline_lines,
        "    else:",
        *(f"        {_deadline_name(t)} = None" for t in transitions),
        *(f"        {_table_name(_deadline_name(t))} = _T_NONE" for t in transitions),
        "        pass",
        "    findings = ()",  # a tuple grown by one: no list, no copy at the end
        "    unreported = ()",
        "    blocked = open_advice = False",
        *(f"    hit_{_deadline_name(t)} = False" for t in hard_transitions),
        "    earliest = None",
    ]
    head = list(lines)
    blocks = []
    late_lines: list[str] = []
    for index, rule in enumerate(policy.rules):
        conditions = _conjuncts(rule, emit)
        build = partial(_rule_block, index, rule, emit, builder.key_sources(rule))
        if rule.late:
            # a late finding is added after the others: put it in rule-id order at once
            resort = "        findings = tuple(sorted(findings, key=_by_rule))"
            late_lines += [*build(conditions), resort]
        else:
            blocks.append((conditions, build))
    rule_lines = _grouped(blocks)
    reads = [
        read
        for read in zip(emit.objects.values(), emit.prelude(indent=""), strict=True)
        if read[0] not in head_reads
    ]
    reads += [read for read in emit.facts.values() if read[0] not in head_reads]
    lines += rule_lines
    if late_lines:
        lines += ["    unreported_deviation = unreported != ()", *late_lines]
    for t in hard_transitions:
        name = _deadline_name(t)
        lines += [
            f"    if hit_{name}:",
            f"        if {name} is None or {name} <= AS_OF:",
            "            blocked = True",
            f"        elif earliest is None or {name} < earliest:",
            f"            earliest = {name}",
        ]
    lines += [
        "    if blocked:",
        f"        verdict = {verdicts[Verdict.NOT_ALLOWED]}",
        "        earliest = None",
        "    elif earliest is not None:",
        f"        verdict = {verdicts[Verdict.TRANSITION]}",
        "    elif open_advice:",
        f"        verdict = {verdicts[Verdict.ADVISED_AGAINST]}",
        "    elif findings:",
        f"        verdict = {verdicts[Verdict.ALLOWED_WITH_CONDITIONS]}",
        "    else:",
        f"        verdict = {verdicts[Verdict.ALLOWED]}",
        *_decision_lines(
            {
                "registration": "r.id",
                "organisation": "r.organisation",
                "scope": "scope",
                "public_cloud": "public_cloud",
                "external_cloud": "external_cloud",
                "material": "material",
                "existing_use": "existing_use",
                "material_reasons": reasons,
                "jurisdictions": "jurisdiction_list",
                "jurisdictions_complete": "True",
                "effective_tbb_level": "effective_tbb_level",
                "verdict": "verdict",
                "best": "verdict",
                "worst": "verdict",
                "deadline": "earliest",
                "findings": "findings",
                "questions": "()",
                "policy_id": c(policy.id),
                "policy_revision": c(policy.revision),
                "as_of": "AS_OF",
            }
        ),
        "",
    ]
    body = _placed(reads, lines[len(head) :])
    # The code above is the fast path: it knows every fact it reads. A registration with an
    # unknown fact raises _Unknown at the first one (a try block costs nothing until it raises)
    # and is evaluated with three truth values by engine/open.py.
    lines = [
        head[0],
        "    try:",
        *("    " + line if line else line for line in [*head[1:], *body]),
        "    except _Unknown:",
        "        return _open(r, context)",
        "",
    ]
    keyed = tuple(bool(builder.key_sources(rule)) for rule in policy.rules)
    return CompiledPolicy(
        policy,
        "\n".join(lines),
        {**emit.constants, **derivations},
        dict(emit.months_thresholds),
        keyed,
        default_tables,
    )
