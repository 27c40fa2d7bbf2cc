"""The register's policy as the pages name it: a rule by its id, and where each rule comes from."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from cloudtoets.engine.messages import MessageBuilder
from cloudtoets.policy.model import Policy, Rule


@lru_cache(maxsize=16)
def citations(policy: Policy) -> Mapping[str, str]:
    """Rule id -> where the rule comes from, as the end of its messages says it (without the
    brackets): for pages that show a finding's source beside its message."""
    builder = MessageBuilder(policy)
    return {rule.id: builder.citation(rule) for rule in policy.rules}


def rule_or_none(policy: Policy, rule_id: str) -> Rule | None:
    """The rule, or None for a finding of a rule the policy no longer has."""
    try:
        return policy.rule(rule_id)
    except KeyError:
        return None
