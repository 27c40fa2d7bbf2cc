"""The registration list's filter parser: the filters of unknowns.md (incomplete, worst verdict,
unknown facts), strict for the API and forgiving for the page."""

from __future__ import annotations

import pytest

from cloudtoets.domain.knowledge import REGISTRATION_FACTS
from cloudtoets.domain.registration_query import UnknownFilterValue, parse_filters


def test_incomplete_is_a_verdict_to_filter_on_but_not_a_worst_verdict() -> None:
    assert parse_filters(verdict="incomplete", strict=True).verdict == "incomplete"
    assert parse_filters(worst="not-allowed", strict=True).worst == "not-allowed"
    with pytest.raises(UnknownFilterValue) as refused:
        parse_filters(worst="incomplete", strict=True)
    assert refused.value.name == "worst"
    assert parse_filters(worst="incomplete").worst is None  # the page leaves it out


def test_unknown_facts_come_as_repeated_values_and_comma_lists_in_fact_order() -> None:
    filters = parse_filters(
        unknown=["in_use_since, encrypted_at_rest", "deployment", "deployment,"], strict=True
    )
    assert filters.unknown == ("deployment", "encrypted_at_rest", "in_use_since")
    assert filters.active
    query = filters.query(50)
    assert query.unknown == filters.unknown
    assert not parse_filters(unknown=[""]).active


def test_an_unknown_field_name_is_refused_in_dutch_or_left_out() -> None:
    with pytest.raises(UnknownFilterValue) as refused:
        parse_filters(unknown=["kleur", "organisation", "core_task"], strict=True)
    assert refused.value.name == "unknown"
    assert refused.value.message.startswith("onbekende velden 'kleur', 'organisation'; kies uit")
    assert all(fact in refused.value.message for fact in REGISTRATION_FACTS)
    assert parse_filters(unknown=["kleur", "core_task"]).unknown == ("core_task",)


def test_an_organisation_fact_is_named_as_in_the_questions() -> None:
    filters = parse_filters(unknown=["organisation.vital_provider,core_task"], strict=True)
    assert filters.unknown == ("core_task", "organisation.vital_provider")
    with pytest.raises(UnknownFilterValue):
        parse_filters(unknown=["vital_provider"], strict=True)
