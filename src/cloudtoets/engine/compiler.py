"""Compile a policy's conditions into one Python function per evaluation date.

The generated ``match`` derives the facts (public/external cloud, material use, effective TBB
level) and tests every rule's ``applies_when and finding_when`` in straight-line code, returning
the indices of the rules that fire. Rules that read late facts (``unreported_deviation``) are
compiled into a second function that runs after justifications are known.

The generated source is kept on the result for inspection (``cloudtoets policy show --source``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cloudtoets.domain.model import Organisation, Registration
from cloudtoets.engine.transition import add_months
from cloudtoets.policy.conditions import Emitter, to_python
from cloudtoets.policy.model import Policy, Rule

Match = Callable[[Registration, Organisation, frozenset[str]], tuple[list[int], bool, bool, bool, int | None]]
LateMatch = Callable[..., list[int]]


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    source: str
    constants: dict[str, Any]
    months_thresholds: dict[str, int]
    early: tuple[Rule, ...]
    late: tuple[Rule, ...]

    def bind(self, as_of: dt.date) -> tuple[Match, LateMatch]:
        """The matcher functions with date thresholds fixed for ``as_of``."""
        namespace: dict[str, Any] = dict(self.constants)
        for name, months in self.months_thresholds.items():
            namespace[name] = add_months(as_of, -months)
        exec(compile(self.source, "<cloudtoets policy>", "exec"), namespace)  # noqa: S102
        return namespace["match"], namespace["match_late"]


def _rule_test(rule: Rule, emit: Emitter) -> str:
    finding = to_python(rule.finding_when, emit)
    if rule.applies_when is None:
        return finding
    return f"{to_python(rule.applies_when, emit)} and {finding}"


def _appends(rules: Sequence[Rule], emit: Emitter, indent: str) -> list[str]:
    lines = []
    for index, rule in enumerate(rules):
        lines.append(f"{indent}# {rule.id}")
        lines.append(f"{indent}if {_rule_test(rule, emit)}:")
        lines.append(f"{indent}    hits.append({index})")
    return lines


def compile_policy(policy: Policy) -> CompiledPolicy:
    p = policy.parameters
    emit = Emitter()
    public = emit.constant(frozenset(p.public_deployments))
    internal = emit.constant(frozenset(p.internal_deployments))
    tbb = emit.constant({str(k): v for k, v in p.tbb_by_classification.items()})
    scope = emit.constant({str(k): v for k, v in p.scope_by_org_type.items()})
    adopted = emit.constant(p.adopted)
    criteria = " or ".join(f"r.{c}" for c in p.material_criteria) or "False"
    early = tuple(r for r in policy.rules if not r.late)
    late = tuple(r for r in policy.rules if r.late)

    facts = [
        "    public_cloud = r.deployment in " + public,
        "    external_cloud = r.deployment not in " + internal,
        "    declared = r.material",
        f"    material = bool({criteria}) if declared is None else declared",
        "    level = r.tbb_level",
        "    implied = None if r.classification is None else " + tbb + "[r.classification]",
        "    effective_tbb_level = (implied if level is None else level if implied is None"
        " else min(level, implied))",
        "    existing_use = r.in_use_since is not None and r.in_use_since < " + adopted,
        "    scope = " + scope + "[o.type]",
        "    hits = []",
    ]
    source = "\n".join(
        [
            "def match(r, o, jurisdictions):",
            *facts,
            *_appends(early, emit, "    "),
            "    return hits, public_cloud, external_cloud, material, effective_tbb_level",
            "",
            "def match_late(r, o, jurisdictions, public_cloud, external_cloud, material,"
            " effective_tbb_level, unreported_deviation):",
            "    existing_use = r.in_use_since is not None and r.in_use_since < " + adopted,
            "    scope = " + scope + "[o.type]",
            "    hits = []",
            *_appends(late, emit, "    "),
            "    return hits",
            "",
        ]
    )
    return CompiledPolicy(source, dict(emit.constants), dict(emit.months_thresholds), early, late)
