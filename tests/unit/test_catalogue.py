"""The built-in provider catalogue tells where control sits, and on what it rests."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pytest
from pydantic import ValidationError

from cloudtoets.catalogue import catalogue_directory, catalogue_entries
from cloudtoets.catalogue.providers import CatalogueEntry, _Catalogue

ENTRY = {"id": "x", "name": "X B.V.", "country": "NL", "parent": None, "kind": "cloud"}
# news, blog and aggregator sites the catalogue once rested on: not primary sources
NOT_PRIMARY = ("wikipedia.org", "blog", "news", "techzine", "lawinsider", "mergerlinks", "fa.news")


def test_every_entry_has_a_source_and_a_check_date() -> None:
    for entry in catalogue_entries():
        assert urlparse(entry.source).netloc, entry.id
        assert isinstance(entry.checked, dt.date), entry.id
        assert entry.checked <= dt.date(2026, 12, 7), entry.id


@pytest.mark.parametrize("missing", ["source", "checked"])
def test_an_entry_without_source_or_check_date_is_refused(missing: str) -> None:
    fields = {**ENTRY, "source": "https://example.nl", "checked": "2026-12-07"}
    del fields[missing]
    with pytest.raises(ValidationError, match=missing):
        CatalogueEntry.model_validate(fields)


def test_sources_are_primary() -> None:
    for entry in catalogue_entries():
        host = urlparse(entry.source).netloc.lower()
        assert not any(word in host for word in NOT_PRIMARY), (entry.id, entry.source)


def test_control_and_own_subprocessors() -> None:
    entries = {e.id: e for e in catalogue_entries()}
    assert (entries["alibaba-group"].country, entries["alibaba-group"].headquarters) == (
        "KY",
        "CN",
    )
    assert entries["zivver"].subprocessors == ("aws-emea",)
    directory = catalogue_directory()
    zivver = directory.get("zivver")
    assert zivver is not None and zivver.subprocessors == ["aws-emea"]
    # what rests on a doubt says so
    assert entries["solvinity"].parent is None and entries["solvinity"].uncertain


def test_a_reference_to_an_unknown_provider_is_refused() -> None:
    entry = {**ENTRY, "source": "https://example.nl", "checked": "2026-12-07"}
    with pytest.raises(ValidationError, match="onbekende leverancier y"):
        _Catalogue.model_validate({"providers": [{**entry, "subprocessors": ["y"]}]})
