"""Every country the product itself names has a Dutch name on the pages (not a bare code)."""

from __future__ import annotations

from cloudtoets.catalogue import catalogue_entries
from cloudtoets.policy.loader import builtin_policy_ids, load_policy
from cloudtoets.presentation.texts import COUNTRIES, country_name


def test_the_states_of_every_builtin_policy_have_a_dutch_name() -> None:
    for policy_id in builtin_policy_ids():
        states = load_policy(policy_id).parameters.offensive_cyber_states
        assert states and states <= set(COUNTRIES), policy_id
    assert [country_name(c) for c in ("CN", "IR", "KP", "RU")] == [
        "China",
        "Iran",
        "Noord-Korea",
        "Rusland",
    ]


def test_every_country_of_the_catalogue_has_a_dutch_name() -> None:
    named = {e.country for e in catalogue_entries()}
    named |= {e.headquarters for e in catalogue_entries() if e.headquarters}
    assert named - set(COUNTRIES) == set()
