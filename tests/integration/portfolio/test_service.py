"""The portfolio service on an inventory: the Rekenkamer-shaped register and the demo register."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cloudtoets.demo import demo_inventory_document
from cloudtoets.demo.rekenkamer import rekenkamer_register
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import evaluate_registrations
from cloudtoets.io.validate import validate_document
from cloudtoets.policy.loader import load_policy
from cloudtoets.services import portfolio as pf

AS_OF = dt.date(2026, 12, 7)
BASE = "rijksbreed-cloudbeleid-2026"
CH = "rijksbreed-cloudbeleid-2026-eer-ch"


@pytest.fixture(scope="module")
def rekenkamer() -> pf.Source:
    return pf.source_from_document(rekenkamer_register())


def test_the_rekenkamer_split_and_the_hyperscalers_share_of_material_use(
    rekenkamer: pf.Source,
) -> None:
    found = pf.portfolio(rekenkamer, load_policy(BASE), AS_OF)
    assert found.registrations == 1588
    deployments = found.by_deployment
    assert deployments["public"] == 700 and deployments["unknown"] == 411
    assert sum(deployments.values()) - 700 - 411 == 477
    assert found.material_public == 126
    assert sum(found.material.values()) == 1588
    parents = {row.key: row for row in found.by_ultimate_parent}
    hyperscalers = [parents[p].material_public for p in ("microsoft", "amazon", "alphabet")]
    assert all(n > 0 for n in hyperscalers) and sum(hyperscalers) <= 126
    # most material first, and every material registration with a provider counted once
    materials = [row.material for row in found.by_ultimate_parent]
    assert materials == sorted(materials, reverse=True)
    assert found.by_ultimate_parent[0].key == "microsoft"
    assert 0 < found.hhi_material <= 10_000
    assert sum(found.by_verdict.values()) == 1588


def test_without_microsoft_touches_every_registration_that_depends_on_it_at_any_level(
    rekenkamer: pf.Source,
) -> None:
    policy = load_policy(BASE)
    found = pf.scenario(rekenkamer, policy, AS_OF, provider="microsoft")
    context = rekenkamer.default_context
    assert context is not None
    decisions = evaluate_registrations(rekenkamer.registrations, context, policy, AS_OF)
    expected, material = set(), set()
    for registration, decision in zip(rekenkamer.registrations, decisions, strict=True):
        ids = {
            entity.id
            for p in (registration.provider, *(registration.subprocessors or ()))
            if p is not None
            for entity in context.providers.chain(p)
        }
        if "microsoft" in ids:
            expected.add(registration.id)
            if decision.material is True:
                material.add(registration.id)
    assert set(found.registrations) == expected
    assert set(found.material) == material and material
    # GitHub belongs to Microsoft: its registrations are in too
    github = {r.id for r in rekenkamer.registrations if r.provider == "github"}
    assert github and github <= set(found.registrations)


def test_a_sub_processor_and_a_providers_own_sub_processor_count_as_dependence() -> None:
    document = {
        "organisations": [{"id": "o", "type": "ministry", "critical_entity": True}],
        "providers": [
            {"id": "saas-nl", "country": "NL", "subprocessors": ["aws-emea"]},
        ],
        "registrations": [
            {"id": "a", "organisation": "o", "provider": "saas-nl", "material": True},
            {"id": "b", "organisation": "o", "provider": "kpn", "subprocessors": ["aws-emea"]},
            {"id": "c", "organisation": "o", "provider": "kpn", "subprocessors": []},
        ],
    }
    source = pf.source_from_document(document)
    found = pf.scenario(source, load_policy(BASE), AS_OF, provider="amazon")
    assert found.registrations == ("a", "b")
    assert found.material == ("a",)
    assert found.critical_or_essential == 2
    by_country = pf.scenario(source, load_policy(BASE), AS_OF, country="US")
    assert by_country.registrations == ("a", "b")


def test_policy_impact_lists_exactly_the_registrations_whose_verdict_changes_with_switzerland() -> (
    None
):
    checked = validate_document(demo_inventory_document(), "demo")
    context = EvaluationContext(checked.organisations, checked.providers)
    registrations = checked.inventory.registrations
    base, other = load_policy(BASE), load_policy(CH)
    before = evaluate_registrations(registrations, context, base, AS_OF)
    after = evaluate_registrations(registrations, context, other, AS_OF)
    expected = {
        r.id: (b.verdict.value, a.verdict.value)
        for r, b, a in zip(registrations, before, after, strict=True)
        if b.verdict is not a.verdict
    }
    assert expected  # the demo has a Swiss service
    found = pf.policy_impact(pf.source_from_document(demo_inventory_document()), base, other, AS_OF)
    assert {c.registration: (c.before, c.after) for c in found.changes} == expected
    assert found.changed == len(expected)
    assert sum(found.transitions.values()) == len(expected)
    body = pf.policy_impact_json(found)
    assert body["changed"] == len(expected)
    changes: Any = body["changes"]
    assert {c["registration"] for c in changes} == set(expected)


def test_the_calendar_agrees_with_the_verdicts_of_the_same_date(rekenkamer: pf.Source) -> None:
    policy = load_policy(BASE)
    for day in (AS_OF, dt.date(2027, 6, 30)):
        found = pf.portfolio(rekenkamer, policy, day)
        assert sum(q.count for q in found.calendar) == found.by_verdict["transition"]


def test_a_second_date_gives_the_trend_of_the_concentration(rekenkamer: pf.Source) -> None:
    found = pf.portfolio(rekenkamer, load_policy(BASE), AS_OF, compare_as_of=dt.date(2026, 1, 1))
    assert found.trend is not None
    assert found.trend.change == found.hhi_material - found.trend.hhi_material


def test_hhi() -> None:
    assert pf.hhi([1]) == 10_000
    assert pf.hhi([1, 1]) == 5_000
    assert pf.hhi([]) == 0
