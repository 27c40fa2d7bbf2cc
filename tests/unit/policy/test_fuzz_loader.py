"""Fuzzing the policy loader with hypothesis: random bytes, and the built-in policy file mutated
byte by byte and in its structure. Each file loads or gives the loader's InputError in Dutch,
nothing else, within a time budget per file (the hypothesis deadline). The longer run is
``benchmarks/fuzz_readers.py --policy``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from cloudtoets.policy.loader import load_policy
from cloudtoets.problems import InputError
from cloudtoets.yaml12 import load_yaml
from tests.fuzz_inputs import load_or_refuse, policy_inputs, policy_seed

EXAMPLES = 150


def test_the_policy_loader_loads_or_refuses_every_file(tmp_path: Path) -> None:
    outcomes: dict[str, int] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=dt.timedelta(seconds=5),
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=policy_inputs())
    def property_(data: bytes) -> None:
        outcome = load_or_refuse(tmp_path, data)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    property_()
    assert outcomes.get("refused"), outcomes


# What the fuzzing found, pinned (each was an AttributeError or TypeError, not an InputError).


def _policy_with(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    document = load_yaml(policy_seed())
    change(document)
    path = tmp_path / "beleid.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_a_country_list_with_a_value_that_is_no_text_is_refused(tmp_path: Path) -> None:
    path = _policy_with(tmp_path, lambda d: d["parameters"].__setitem__("eea", ["NL", None]))
    with pytest.raises(InputError, match="elke landcode is een tekst"):
        load_policy(path)


@pytest.mark.parametrize(
    "condition",
    [{"field": ["deployment"]}, {"field": "deployment", "op": ["equals"], "value": "public"}],
)
def test_a_condition_whose_names_are_no_text_is_refused(
    tmp_path: Path, condition: dict[str, Any]
) -> None:
    path = _policy_with(tmp_path, lambda d: d["rules"][0].__setitem__("applies_when", condition))
    with pytest.raises(InputError):
        load_policy(path)
