"""The demo register: valid, large and varied enough to show every verdict and workflow, and the
same on every build."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import orjson
import pytest

from cloudtoets.demo import DEMO_AS_OF, build_demo_inventory, demo_inventory_document
from cloudtoets.domain.decision import Decision
from cloudtoets.domain.knowledge import (
    REGISTRATION_FACTS,
    unknown_facts,
    unknown_organisation_facts,
)
from cloudtoets.domain.vocabulary import OrganisationType, Scope, Verdict
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import evaluate_registrations
from cloudtoets.io.validate import Checked, validate_document
from cloudtoets.policy.loader import load_policy

AS_OF = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def checked() -> Checked:
    return validate_document(demo_inventory_document(), "demo")


@pytest.fixture(scope="module")
def decisions(checked: Checked) -> list[Decision]:
    context = EvaluationContext(checked.organisations, checked.providers)
    return evaluate_registrations(checked.inventory.registrations, context, load_policy(), AS_OF)


def test_the_document_validates_and_reads_back_as_the_inventory(checked: Checked) -> None:
    assert checked.inventory == build_demo_inventory()


def test_the_document_survives_json(checked: Checked) -> None:
    as_json = orjson.dumps(demo_inventory_document())
    assert validate_document(as_json, "demo.json").inventory == checked.inventory


def test_it_is_made_for_the_as_of_date_of_the_examples() -> None:
    assert DEMO_AS_OF == AS_OF


def test_at_least_150_registrations(checked: Checked) -> None:
    assert len(checked.inventory.registrations) >= 150


def test_organisations_of_every_kind_the_policy_treats_differently(checked: Checked) -> None:
    organisations = checked.inventory.organisations
    types = Counter(o.type for o in organisations)
    assert len(organisations) >= 7
    assert types[OrganisationType.MINISTRY] >= 3
    assert types[OrganisationType.AGENCY] >= 2
    assert types[OrganisationType.ZBO] >= 2
    assert types[OrganisationType.MUNICIPALITY] >= 1
    assert types[OrganisationType.DEFENCE] >= 1
    assert any(o.critical_entity or o.essential_entity or o.vital_provider for o in organisations)
    assert not all(o.critical_entity or o.essential_entity for o in organisations)
    used = {r.organisation for r in checked.inventory.registrations}
    assert used == {o.id for o in organisations}


def test_every_verdict_occurs_at_least_ten_times(decisions: list[Decision]) -> None:
    counts = Counter(d.verdict for d in decisions)
    real = [verdict for verdict in Verdict if verdict is not Verdict.INCOMPLETE]
    assert all(counts[verdict] >= 10 for verdict in real), counts


# The demo's gaps on purpose (unknowns.md): what each registration leaves unknown.
GAPS = {
    "fin-ai-wetsanalyse": ("classification",),
    "vws-zorgmonitor": ("encrypted_at_rest", "encrypted_in_transit"),
    "rws-klimaatscenario": ("subprocessors", "key_custody", "core_task"),
    "duo-scholenoverleg": ("deployment",),
    "kadaster-bestandsdeling": ("in_use_since",),
}


def test_every_fact_is_stated_except_the_gaps_on_purpose(checked: Checked) -> None:
    for organisation in checked.inventory.organisations:
        assert unknown_organisation_facts(organisation) == (), organisation.id
    gaps = {r.id: unknown_facts(r) for r in checked.inventory.registrations if unknown_facts(r)}
    assert gaps == {key: tuple(sorted(v, key=REGISTRATION_FACTS.index)) for key, v in GAPS.items()}


def test_the_gaps_give_incomplete_verdicts_and_questions(decisions: list[Decision]) -> None:
    by_id = {d.registration: d for d in decisions}
    incomplete = {d.registration for d in decisions if d.verdict is Verdict.INCOMPLETE}
    assert 3 <= len(incomplete) <= 5
    assert incomplete < set(GAPS)
    for key, fields in GAPS.items():
        assert {q.field for q in by_id[key].questions} == set(fields), key
    # one is certainly not allowed while its encryption is unknown: questions, no range
    assert by_id["vws-zorgmonitor"].verdict is Verdict.NOT_ALLOWED
    assert by_id["duo-scholenoverleg"].public_cloud is None
    assert by_id["rws-klimaatscenario"].material is None  # possible material use
    assert any(not f.certain for f in by_id["fin-ai-wetsanalyse"].findings)


def test_every_scope_occurs(decisions: list[Decision]) -> None:
    assert {d.scope for d in decisions} == set(Scope)


def test_ids_are_unique(checked: Checked) -> None:
    inventory = checked.inventory
    for records in (inventory.organisations, inventory.providers, inventory.registrations):
        ids = [record.id for record in records]
        assert len(ids) == len(set(ids))


def test_building_twice_gives_equal_but_separate_inventories() -> None:
    first, second = build_demo_inventory(), build_demo_inventory()
    assert first == second
    countries = first.registrations[0].storage_countries
    assert countries is not None
    countries.append("US")
    first.organisations[0].critical_entity = not first.organisations[0].critical_entity
    assert build_demo_inventory() == second
    assert first != second


def test_the_workflows_show_their_variety(checked: Checked, decisions: list[Decision]) -> None:
    registrations = checked.inventory.registrations
    deadlines = {d.deadline for d in decisions if d.verdict is Verdict.TRANSITION}
    # exit plans (12 months), the default 4 years, and later: an existing contract or lifecycle
    assert {dt.date(2027, 7, 3), dt.date(2030, 7, 3)} < deadlines
    assert any(r.contract_end in deadlines for r in registrations)
    assert any(r.lifecycle_moment in deadlines for r in registrations)
    findings = [f for d in decisions for f in d.findings]
    assert any(f.justified for f in findings)
    assert any(f.rule == "cb2026.3.3.deviation-reported" for f in findings)
    assert any(j.reported_on is None for r in registrations for j in r.justifications)
    assert any(r.risk_assessment and r.risk_assessment.accepted_on is None for r in registrations)
    assert any(r.exit_plan and r.exit_plan.emergency is None for r in registrations)
    assert any(r.exit_plan and r.exit_plan.last_tested is None for r in registrations)
    assert any(d.material and d.external_cloud for d in decisions)
    assert any(r.in_use_since is None for r in registrations)
    own = {p.id: p for p in checked.inventory.providers}
    assert own and all(p.parent for p in own.values())
    assert any(r.provider in own and r.subprocessors for r in registrations)
