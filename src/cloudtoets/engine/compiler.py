"""Compile a policy into one straight-line Python function per evaluation date.

Interpreting a condition tree per registration costs far more than the rules themselves, so the
checked conditions are translated once (``conditions.to_python``) and assembled into a function
``evaluate(r, organisations, jurisdiction_cache, resolve_jurisdictions)``. It looks up the
organisation and jurisdiction chain, derives the facts, tests every rule in rule-id order,
attaches deadlines, justifications and messages, and returns the Decision. What is the same for
every registration (default deadlines, rule metadata, the as-of date) is a constant of the
generated code; identical findings are built once and shared.

The behaviour is specified in policy.md; ``cloudtoets policy show --source`` prints the code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import product
from typing import Any

from cloudtoets.domain.decision import Decision, Finding
from cloudtoets.domain.model import Justification, Organisation, Registration
from cloudtoets.domain.vocabulary import Severity, Verdict
from cloudtoets.engine.messages import Facts, MessageBuilder
from cloudtoets.engine.transition import add_months, period_months
from cloudtoets.policy.conditions import All, Emitter, to_python
from cloudtoets.policy.model import Policy, Rule
from cloudtoets.policy.schema import Transition

# evaluate(registration, organisations by id, jurisdiction cache, resolver) -> Decision
Evaluate = Callable[
    [
        Registration,
        Mapping[str, Organisation],
        Mapping[object, tuple[frozenset[str], tuple[str, ...]]],
        Callable[[Registration], tuple[frozenset[str], tuple[str, ...]]],
    ],
    Decision,
]


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


def _by_rule(finding: Finding) -> str:
    return finding.rule


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    policy: Policy
    source: str
    constants: dict[str, Any]
    months_thresholds: dict[str, int]

    def bind(self, as_of: dt.date) -> Evaluate:
        """The evaluation function with everything date-dependent fixed for ``as_of``."""
        policy = self.policy
        messages = MessageBuilder(policy)
        rules = policy.rules

        def justify(r: Registration, index: int) -> Justification | None:
            """The valid justification for the rule; a reported one wins over an unreported one."""
            rule = rules[index]
            found = None
            for j in r.justifications:
                if j.rule == rule.id and justification_holds(j, rule):
                    if j.reported_on is not None:
                        return j
                    if found is None:
                        found = j
            return found

        def finding(
            index: int,
            deadline: dt.date | None,
            justification: Justification | None,
            r: Registration,
            jurisdictions: frozenset[str],
            tbb: int | None,
            unreported: tuple[str, ...],
            details: tuple[object, ...],
        ) -> Finding:
            rule = rules[index]
            facts = Facts(r, jurisdictions, tbb, unreported)
            message = messages.message(rule, facts, deadline, as_of, justification, details)
            return Finding(
                rule.id, rule.section, rule.severity, deadline, justification is not None, message
            )

        namespace: dict[str, Any] = dict(self.constants)
        for name, months in self.months_thresholds.items():
            namespace[name] = add_months(as_of, -months)
        namespace.update(
            AS_OF=as_of,
            _justify=justify,
            _finding=finding,
            _by_rule=_by_rule,
            Decision=Decision,
            # one cache of shared findings per rule (see _rule_block)
            **{f"_F{i}": {} for i in range(len(rules))},
            **{f"_J{i}": {} for i in range(len(rules))},  # findings with an accepted justification
        )
        exec(compile(self.source, f"<policy {policy.id}>", "exec"), namespace)
        function: Evaluate = namespace["evaluate"]
        return function


def _material_reasons(criteria: tuple[str, ...]) -> dict[tuple[bool, ...], tuple[str, ...]]:
    """Every combination of the criteria flags -> its sorted reasons."""
    return {
        flags: tuple(sorted(c for c, flag in zip(criteria, flags, strict=True) if flag))
        for flags in product((False, True), repeat=len(criteria))
    }


def _deadline_name(transition: Transition) -> str:
    """The local variable holding a registration's deadline for this kind of transition."""
    return f"dl{'x' if transition.extensions else ''}_{transition.period}"


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
    """The code for one rule: test, then the (cached) finding and its effect on the verdict.

    A finding without an accepted justification is fully determined by the rule, its deadline
    and the values its text names, so identical findings are one shared, frozen object.
    """
    deadline = "None" if rule.transition is None else _deadline_name(rule.transition)
    advised = rule.severity is Severity.ADVISED_AGAINST
    key = f"({deadline}, {', '.join(key_sources)})" if key_sources else deadline
    details = f"({', '.join(key_sources)},)" if key_sources else "()"
    create = (
        f"_finding({index}, {deadline}, None, r, jurisdictions, eff, tuple(unreported), {details})"
    )
    lines = [f"    # {rule.id}", f"    if {' and '.join(conditions)}:"]
    add = lines.append
    cached = [
        f"f = _F{index}.get({key})",
        "if f is None:",
        f"    f = _F{index}[{key}] = {create}",
    ]
    if advised:
        add(f"        j = _justify(r, {index}) if r.justifications else None")
        add("        if j is None:")
        lines += ["            " + line for line in cached]
        add("            open_advice = True")
        add("        else:")
        justified_key = f"({key}, j.accepted_by, j.accepted_on)"
        add(f"            f = _J{index}.get({justified_key})")
        add("            if f is None:")
        add(
            f"                f = _J{index}[{justified_key}] = "
            f"_finding({index}, {deadline}, j, r, jurisdictions, eff, (), {details})"
        )
        add("            if j.reported_on is None:")
        add(f"                unreported.append({emit.constant(rule.id)})")
    else:
        lines += ["        " + line for line in cached]
    add("        findings.append(f)")
    if rule.severity.is_hard:
        # deadlines are per kind of transition, so the verdict only needs to know which kinds
        # had a hard finding; it is settled once after all rules (see compile_policy)
        add(
            "        blocked = True"
            if rule.transition is None
            else f"        hit_{deadline} = True"
        )
    return lines


def compile_policy(policy: Policy) -> CompiledPolicy:
    p = policy.parameters
    emit = Emitter()
    builder = MessageBuilder(policy)
    c = emit.constant
    public = c(frozenset(p.public_deployments))
    internal = c(frozenset(p.internal_deployments))
    tbb = c({str(k): v for k, v in p.tbb_by_classification.items()})
    scope = c({str(k): v for k, v in p.scope_by_org_type.items()})
    adopted = c(p.adopted)
    reasons = c(_material_reasons(p.material_criteria))
    flags = ", ".join(f"r.{name}" for name in p.material_criteria)
    criteria = " or ".join(f"r.{name}" for name in p.material_criteria) or "False"
    transitions = {r.transition for r in policy.rules if r.transition is not None}
    hard_transitions = {
        r.transition for r in policy.rules if r.transition is not None and r.severity.is_hard
    }
    deadline_lines: list[str] = []
    for t in sorted(transitions, key=_deadline_name):
        name, default = _deadline_name(t), c(add_months(p.adopted, period_months(t, p)))
        deadline_lines.append(f"        {name} = {default}")
        if t.extensions:
            deadline_lines += [
                f"        if end is not None and end > {name} and start is not None"
                f" and start < {adopted}:",
                f"            {name} = end",
                f"        if moment is not None and moment > {name}"
                " and r.lifecycle_justification.strip():",
                f"            {name} = moment",
            ]
    verdicts = {v: c(v) for v in Verdict}

    lines = [
        "def evaluate(r, organisations, jurisdiction_cache, resolve_jurisdictions):",
        "    o = organisations[r.organisation]",
        "    pair = None if r.subprocessors else jurisdiction_cache.get(r.provider)",
        "    if pair is None:",
        "        pair = resolve_jurisdictions(r)",
        "    jurisdictions, jurisdiction_list = pair",
        f"    public_cloud = r.deployment in {public}",
        f"    external_cloud = r.deployment not in {internal}",
        "    declared = r.material",
        f"    material = bool({criteria}) if declared is None else declared",
        "    level = r.tbb_level",
        f"    implied = None if r.classification is None else {tbb}[r.classification]",
        "    eff = effective_tbb_level = (implied if level is None else level if implied is None"
        " else min(level, implied))",
        "    since = r.in_use_since",
        f"    existing_use = since is not None and since < {adopted}",
        f"    scope = {scope}[o.type]",
        "    if existing_use:",
        "        end, start, moment = r.contract_end, r.contract_start, r.lifecycle_moment",
        *deadline_lines,
        "    else:",
        *(f"        {_deadline_name(t)} = None" for t in transitions),
        "        pass",
        "    findings = []",
        "    unreported = []",
        "    blocked = open_advice = False",
        *(
            f"    hit_{_deadline_name(t)} = False"
            for t in sorted(hard_transitions, key=_deadline_name)
        ),
        "    earliest = None",
    ]
    blocks = []
    late_lines: list[str] = []
    for index, rule in enumerate(policy.rules):
        conditions = _conjuncts(rule, emit)
        build = partial(_rule_block, index, rule, emit, builder.key_sources(rule))
        if rule.late:
            late_lines += build(conditions)
        else:
            blocks.append((conditions, build))
    rule_lines = _grouped(blocks)
    lines += emit.prelude()
    lines += rule_lines
    if late_lines:
        lines += [
            "    unreported_deviation = bool(unreported)",
            "    count = len(findings)",
            *late_lines,
            "    if len(findings) != count:",
            "        findings.sort(key=_by_rule)",
        ]
    for t in sorted(hard_transitions, key=_deadline_name):
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
        "    if declared is None:",
        f"        why = {reasons}[({flags},)]" if flags else "        why = ()",
        "    else:",
        f"        why = {c(('declared',))} if declared else ()",
        "    return Decision(r.id, r.organisation, scope, public_cloud, external_cloud, material,"
        " why, jurisdiction_list, eff, verdict, earliest, tuple(findings),"
        f" {c(policy.id)}, {c(policy.revision)}, AS_OF)",
        "",
    ]
    return CompiledPolicy(
        policy, "\n".join(lines), dict(emit.constants), dict(emit.months_thresholds)
    )
