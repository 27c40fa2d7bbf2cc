"""``jsonable`` gives the values of a field-by-field walk, also for lazily composed messages
and for values orjson does not write."""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Any

from cloudtoets.demo.data import build_demo_inventory
from cloudtoets.domain.decision import Finding
from cloudtoets.domain.serialise import jsonable
from cloudtoets.domain.vocabulary import Severity
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import evaluate_registrations
from cloudtoets.io.read import read_inventory
from cloudtoets.io.validate import validate_document
from cloudtoets.policy.loader import load_policy

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def walked(value: Any) -> Any:
    """The definition: dataclasses field by field, lists, string enums and dates."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: walked(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [walked(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_every_example_registration_is_the_walk() -> None:
    inventories = sorted(EXAMPLES.glob("*.yaml"))
    assert inventories
    for path in inventories:
        inventory = read_inventory(path).inventory
        for record in (*inventory.organisations, *inventory.providers, *inventory.registrations):
            assert jsonable(record) == walked(record), (path.name, record)


def test_the_demo_register_and_its_findings_are_the_walk() -> None:
    inventory = build_demo_inventory()
    for record in (*inventory.organisations, *inventory.providers, *inventory.registrations):
        assert jsonable(record) == walked(record), record
    checked = validate_document(jsonable(inventory), "demo")
    context = EvaluationContext(checked.organisations, checked.providers)
    policy = load_policy("rijksbreed-cloudbeleid-2026")
    decisions = evaluate_registrations(
        checked.inventory.registrations, context, policy, dt.date(2026, 12, 7)
    )
    findings = [f for d in decisions for f in d.findings]
    assert len(findings) > 100
    for finding in findings:  # messages composed on first read (Finding.deferred)
        assert jsonable(finding) == walked(finding)


def test_a_deferred_message_is_composed() -> None:
    finding = Finding.deferred(
        "R1", "3.1", Severity.REQUIRED, dt.date(2027, 1, 1), False, lambda: "samengesteld"
    )
    assert jsonable(finding)["message"] == "samengesteld"
    assert jsonable(finding) == walked(finding)


@dataclasses.dataclass
class _Odd:
    tags: set[str]
    big: int
    when: dt.datetime


def test_what_orjson_does_not_write_is_walked() -> None:
    odd = _Odd({"a"}, 2**70, dt.datetime(2026, 12, 7, 17, 0, 1, 5, tzinfo=dt.UTC))
    assert jsonable(odd) == {"tags": {"a"}, "big": 2**70, "when": odd.when.isoformat()}
