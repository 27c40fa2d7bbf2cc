"""Where the policy asks for a document is read from its rules, not written in the code."""

from __future__ import annotations

import dataclasses

from sqlalchemy.dialects import sqlite

from cloudtoets.policy.conditions import parse
from cloudtoets.policy.loader import load_policy
from cloudtoets.services import obligations as ob

NOTIFICATION_RULE = "cb2026.3.3.notification"


def sql(expression: object) -> str:
    return str(expression.compile(dialect=sqlite.dialect()))  # type: ignore[attr-defined]


def test_the_built_in_policy_asks_for_the_documents_of_material_external_use() -> None:
    policy = load_policy()
    for document in ob.Document:
        text = sql(ob.obligation(policy, document))
        assert "is_material IS 1" in text and "deployment NOT IN" in text, (document, text)
    # the rule about testing an exit plan asks nothing of a registration without one
    assert len(ob.asking_for(policy, ob.Document.EXIT_PLAN)) == 3


def test_a_policy_that_asks_for_a_notification_elsewhere_is_followed() -> None:
    policy = load_policy()
    public_only = parse({"fact": "public_cloud"}, "test", dict(policy.parameters))
    rules = tuple(
        dataclasses.replace(rule, applies_when=public_only)
        if rule.id == NOTIFICATION_RULE
        else rule
        for rule in policy.rules
    )
    changed = dataclasses.replace(policy, rules=rules)
    text = sql(ob.obligation(changed, ob.Document.NOTIFICATION))
    assert "is_public_cloud IS 1" in text and "is_material" not in text
    # the other documents still follow their own rules
    assert "is_material" in sql(ob.obligation(changed, ob.Document.RISK_ASSESSMENT))


def test_existing_use_is_the_policy_fact() -> None:
    text = sql(ob.fact_known(load_policy(), "existing_use"))
    assert "in_use_since <" in text
